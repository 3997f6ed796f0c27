//! [`TupliStorage`] for [`TupliApiClient`]: each method delegates to the
//! client's own (see the crate docs for what the server does).

use std::path::Path;

use bytes::Bytes;
use futures::future::BoxFuture;

use super::TupliStorage;
use crate::client::TupliApiClient;
use crate::error::Result;
use crate::filter::Filter;
use crate::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkQuery, Episode,
    EpisodeHeader,
};
use crate::streams::EpisodeJsonStream;
use crate::transfer::Transfer;

impl TupliStorage for TupliApiClient {
    fn describe(&self) -> String {
        self.url()
    }

    fn store_benchmark<'a>(
        &'a self,
        benchmark: &'a BenchmarkQuery,
    ) -> BoxFuture<'a, Result<BenchmarkHeader>> {
        Box::pin(TupliApiClient::store_benchmark(self, benchmark))
    }

    fn load_benchmark<'a>(&'a self, benchmark_id: &'a str) -> BoxFuture<'a, Result<Benchmark>> {
        Box::pin(TupliApiClient::load_benchmark(self, benchmark_id))
    }

    fn list_benchmarks<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<BenchmarkHeader>>> {
        Box::pin(TupliApiClient::list_benchmarks(self, filter))
    }

    fn delete_benchmark<'a>(&'a self, benchmark_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::delete_benchmark(self, benchmark_id))
    }

    fn publish_benchmark<'a>(
        &'a self,
        benchmark_id: &'a str,
        publish_in: &'a str,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::publish_benchmark(
            self,
            benchmark_id,
            publish_in,
        ))
    }

    fn unpublish_benchmark<'a>(
        &'a self,
        benchmark_id: &'a str,
        unpublish_from: &'a str,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::unpublish_benchmark(
            self,
            benchmark_id,
            unpublish_from,
        ))
    }

    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        TupliApiClient::store_artifact(self, data, metadata)
    }

    fn store_artifact_from_path<'a>(
        &'a self,
        path: &'a Path,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        TupliApiClient::store_artifact_from_path(self, path, metadata)
    }

    fn load_artifact<'a>(&'a self, artifact_id: &'a str) -> BoxFuture<'a, Result<Bytes>> {
        Box::pin(TupliApiClient::load_artifact(self, artifact_id))
    }

    fn download_artifact_to_path<'a>(
        &'a self,
        artifact_id: &'a str,
        path: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        TupliApiClient::download_artifact_to_path(self, artifact_id, path)
    }

    fn list_artifacts<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<ArtifactMetadataItem>>> {
        Box::pin(TupliApiClient::list_artifacts(self, filter))
    }

    fn delete_artifact<'a>(&'a self, artifact_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::delete_artifact(self, artifact_id))
    }

    fn publish_artifact<'a>(
        &'a self,
        artifact_id: &'a str,
        publish_in: &'a str,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::publish_artifact(
            self,
            artifact_id,
            publish_in,
        ))
    }

    fn unpublish_artifact<'a>(
        &'a self,
        artifact_id: &'a str,
        unpublish_from: &'a str,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::unpublish_artifact(
            self,
            artifact_id,
            unpublish_from,
        ))
    }

    fn record_episode<'a>(&'a self, episode: &'a Episode) -> BoxFuture<'a, Result<EpisodeHeader>> {
        Box::pin(TupliApiClient::record_episode(self, episode))
    }

    fn stream_episode_json<'a>(
        &'a self,
        filter: &'a Filter,
        include_tuples: bool,
    ) -> BoxFuture<'a, Result<EpisodeJsonStream>> {
        Box::pin(TupliApiClient::stream_episode_json(
            self,
            filter,
            include_tuples,
        ))
    }

    fn delete_episode<'a>(&'a self, episode_id: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::delete_episode(self, episode_id))
    }

    fn publish_episode<'a>(
        &'a self,
        episode_id: &'a str,
        publish_in: &'a str,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::publish_episode(
            self, episode_id, publish_in,
        ))
    }

    fn unpublish_episode<'a>(
        &'a self,
        episode_id: &'a str,
        unpublish_from: &'a str,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(TupliApiClient::unpublish_episode(
            self,
            episode_id,
            unpublish_from,
        ))
    }
}
