//! The storage traits for `&S`, `Box<S>` and `Arc<S>` (`S` may be `dyn
//! TupliStorage`): each method, provided ones included, is the pointee's, so
//! a backend's own overrides are kept whichever way it is passed.

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use super::{ArtifactHash, ArtifactStorage, BenchmarkStorage, EpisodeStorage, TupliStorage};
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkQuery, Episode,
    EpisodeHeader, EpisodeItem, EpisodeList,
};
use crate::streams::{EpisodeHeaderStream, EpisodeJsonStream, EpisodeStream};
use crate::transfer::Transfer;

/// One impl of each trait per pointer type, every method written once here.
macro_rules! forward_storage {
    ($($pointer:ty),+) => {$(
        impl<S: TupliStorage + ?Sized> TupliStorage for $pointer {
            fn describe(&self) -> String {
                (**self).describe()
            }
        }

        #[async_trait]
        impl<S: BenchmarkStorage + ?Sized> BenchmarkStorage for $pointer {
            async fn store_benchmark(&self, benchmark: &BenchmarkQuery) -> Result<BenchmarkHeader> {
                (**self).store_benchmark(benchmark).await
            }
            async fn load_benchmark(&self, id: &str) -> Result<Benchmark> {
                (**self).load_benchmark(id).await
            }
            async fn list_benchmarks(&self, filter: &Filter) -> Result<Vec<BenchmarkHeader>> {
                (**self).list_benchmarks(filter).await
            }
            async fn delete_benchmark(&self, id: &str) -> Result<()> {
                (**self).delete_benchmark(id).await
            }
            async fn publish_benchmark(&self, id: &str, group: &str) -> Result<()> {
                (**self).publish_benchmark(id, group).await
            }
            async fn unpublish_benchmark(&self, id: &str, group: &str) -> Result<()> {
                (**self).unpublish_benchmark(id, group).await
            }
        }

        #[async_trait]
        impl<S: ArtifactStorage + ?Sized> ArtifactStorage for $pointer {
            fn artifact_hash(&self) -> ArtifactHash {
                (**self).artifact_hash()
            }
            fn store_artifact<'a>(&'a self, data: Bytes, metadata: &'a ArtifactMetadata) -> Transfer<'a, ArtifactMetadataItem> {
                (**self).store_artifact(data, metadata)
            }
            fn store_artifact_from_path<'a>(&'a self, path: &'a Path, metadata: &'a ArtifactMetadata) -> Transfer<'a, ArtifactMetadataItem> {
                (**self).store_artifact_from_path(path, metadata)
            }
            async fn load_artifact(&self, id: &str) -> Result<Bytes> {
                (**self).load_artifact(id).await
            }
            fn download_artifact_to_path<'a>(&'a self, id: &'a str, path: &'a Path) -> Transfer<'a, ArtifactMetadataItem> {
                (**self).download_artifact_to_path(id, path)
            }
            async fn list_artifacts(&self, filter: &Filter) -> Result<Vec<ArtifactMetadataItem>> {
                (**self).list_artifacts(filter).await
            }
            async fn delete_artifact(&self, id: &str) -> Result<()> {
                (**self).delete_artifact(id).await
            }
            async fn publish_artifact(&self, id: &str, group: &str) -> Result<()> {
                (**self).publish_artifact(id, group).await
            }
            async fn unpublish_artifact(&self, id: &str, group: &str) -> Result<()> {
                (**self).unpublish_artifact(id, group).await
            }
        }

        #[async_trait]
        impl<S: EpisodeStorage + ?Sized> EpisodeStorage for $pointer {
            async fn record_episode(&self, episode: &Episode) -> Result<EpisodeHeader> {
                (**self).record_episode(episode).await
            }
            async fn stream_episode_json(&self, filter: &Filter, include_tuples: bool) -> Result<EpisodeJsonStream> {
                (**self).stream_episode_json(filter, include_tuples).await
            }
            async fn delete_episode(&self, id: &str) -> Result<()> {
                (**self).delete_episode(id).await
            }
            async fn publish_episode(&self, id: &str, group: &str) -> Result<()> {
                (**self).publish_episode(id, group).await
            }
            async fn unpublish_episode(&self, id: &str, group: &str) -> Result<()> {
                (**self).unpublish_episode(id, group).await
            }
            async fn stream_episodes(&self, filter: &Filter) -> Result<EpisodeStream> {
                (**self).stream_episodes(filter).await
            }
            async fn stream_episode_headers(&self, filter: &Filter) -> Result<EpisodeHeaderStream> {
                (**self).stream_episode_headers(filter).await
            }
            async fn list_episode_headers(&self, filter: &Filter) -> Result<Vec<EpisodeHeader>> {
                (**self).list_episode_headers(filter).await
            }
            async fn list_episode_items(&self, filter: &Filter) -> Result<Vec<EpisodeItem>> {
                (**self).list_episode_items(filter).await
            }
            async fn list_episodes(&self, filter: &Filter, include_tuples: bool) -> Result<EpisodeList> {
                (**self).list_episodes(filter, include_tuples).await
            }
        }
    )+};
}

forward_storage!(&S, Box<S>, Arc<S>);
