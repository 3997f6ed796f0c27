//! [`TupliStorage`] for `&S`, `Box<S>` and `Arc<S>` (`S` may be `dyn
//! TupliStorage`): each method, provided ones included, is the pointee's, so
//! a backend's own overrides are kept whichever way it is passed.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures::future::BoxFuture;

use super::TupliStorage;
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkQuery, Episode,
    EpisodeHeader, EpisodeItem,
};
use crate::streams::{EpisodeHeaderStream, EpisodeJsonStream, EpisodeStream};
use crate::transfer::Transfer;

/// One impl per pointer type, every method written once here.
macro_rules! forward_storage {
    ($($pointer:ty),+) => {$(
        impl<S: TupliStorage + ?Sized> TupliStorage for $pointer {
            fn describe(&self) -> String {
                (**self).describe()
            }
            fn store_benchmark<'a>(&'a self, benchmark: &'a BenchmarkQuery) -> BoxFuture<'a, Result<BenchmarkHeader>> {
                (**self).store_benchmark(benchmark)
            }
            fn load_benchmark<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Benchmark>> {
                (**self).load_benchmark(id)
            }
            fn list_benchmarks<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<Vec<BenchmarkHeader>>> {
                (**self).list_benchmarks(filter)
            }
            fn delete_benchmark<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).delete_benchmark(id)
            }
            fn publish_benchmark<'a>(&'a self, id: &'a str, group: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).publish_benchmark(id, group)
            }
            fn unpublish_benchmark<'a>(&'a self, id: &'a str, group: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).unpublish_benchmark(id, group)
            }
            fn store_artifact<'a>(&'a self, data: Bytes, metadata: &'a ArtifactMetadata) -> Transfer<'a, ArtifactMetadataItem> {
                (**self).store_artifact(data, metadata)
            }
            fn store_artifact_from_path<'a>(&'a self, path: &'a Path, metadata: &'a ArtifactMetadata) -> Transfer<'a, ArtifactMetadataItem> {
                (**self).store_artifact_from_path(path, metadata)
            }
            fn load_artifact<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Bytes>> {
                (**self).load_artifact(id)
            }
            fn download_artifact_to_path<'a>(&'a self, id: &'a str, path: &'a Path) -> Transfer<'a, ArtifactMetadataItem> {
                (**self).download_artifact_to_path(id, path)
            }
            fn list_artifacts<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<Vec<ArtifactMetadataItem>>> {
                (**self).list_artifacts(filter)
            }
            fn delete_artifact<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).delete_artifact(id)
            }
            fn publish_artifact<'a>(&'a self, id: &'a str, group: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).publish_artifact(id, group)
            }
            fn unpublish_artifact<'a>(&'a self, id: &'a str, group: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).unpublish_artifact(id, group)
            }
            fn record_episode<'a>(&'a self, episode: &'a Episode) -> BoxFuture<'a, Result<EpisodeHeader>> {
                (**self).record_episode(episode)
            }
            fn stream_episode_json<'a>(&'a self, filter: &'a Filter, include_tuples: bool) -> BoxFuture<'a, Result<EpisodeJsonStream>> {
                (**self).stream_episode_json(filter, include_tuples)
            }
            fn delete_episode<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).delete_episode(id)
            }
            fn publish_episode<'a>(&'a self, id: &'a str, group: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).publish_episode(id, group)
            }
            fn unpublish_episode<'a>(&'a self, id: &'a str, group: &'a str) -> BoxFuture<'a, Result<()>> {
                (**self).unpublish_episode(id, group)
            }
            fn stream_episodes<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<EpisodeStream>> {
                (**self).stream_episodes(filter)
            }
            fn stream_episode_headers<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<EpisodeHeaderStream>> {
                (**self).stream_episode_headers(filter)
            }
            fn list_episode_headers<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<Vec<EpisodeHeader>>> {
                (**self).list_episode_headers(filter)
            }
            fn list_episode_items<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<Vec<EpisodeItem>>> {
                (**self).list_episode_items(filter)
            }
        }
    )+};
}

forward_storage!(&S, Box<S>, Arc<S>);
