//! One storage interface for every backend: [`TupliStorage`], the
//! operations of pytupli's `TupliStorage` base class — store, load, list,
//! delete and publish benchmarks, artifacts and episodes.
//!
//! [`TupliApiClient`](crate::TupliApiClient) implements it (delegating to its
//! own methods), and so does [`FileStorage`], a local folder laid out as
//! pytupli's `FileStorage` lays it out. Code written against the trait, as a
//! generic or as `&dyn TupliStorage`, runs on any backend:
//!
//! ```no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::storage::TupliStorage;
//! use tupli::Filter;
//!
//! async fn count(storage: &dyn TupliStorage) -> tupli::Result<usize> {
//!     Ok(storage.list_benchmarks(&Filter::all()).await?.len())
//! }
//! println!("{} benchmarks", count(&client).await?);
//! # Ok(()) }
//! ```

mod client;
mod file;
pub(crate) mod identity;
mod pointers;

pub use file::FileStorage;

use std::path::Path;

use bytes::Bytes;
use futures::future::BoxFuture;
use futures::TryStreamExt;

use crate::error::Result;
use crate::filter::Filter;
use crate::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkQuery, Episode,
    EpisodeHeader, EpisodeItem,
};
use crate::streams::{EpisodeHeaderStream, EpisodeJsonStream, EpisodeStream};
use crate::transfer::Transfer;

/// Where benchmarks, artifacts and episodes are stored: a Tupli server, a
/// local folder, or a backend of your own. Every method's future is `Send`.
///
/// `&S`, `Box<S>` and `Arc<S>` are storages too (`S` may be `dyn TupliStorage`),
/// so a storage can be lent, boxed or shared wherever one is taken.
///
/// Behaviour shared by every backend: benchmarks are deduplicated by their
/// hash, artifacts by their content, an episode needs its benchmark, and a
/// listing of episodes streams. What may differ is documented by each
/// backend (who may read what, how a missing id is answered, what
/// publishing means):
///
/// | | [`TupliApiClient`](crate::TupliApiClient) (a server) | [`FileStorage`] (a folder) |
/// | --- | --- | --- |
/// | who reads what | the caller's groups | whoever reads the folder |
/// | storing a benchmark hash again | 409 ([`Error::is_conflict`](crate::Error::is_conflict)) | the stored header |
/// | artifact hash | `sha256(bytes ++ creator)` | `sha256(bytes)` |
/// | loading a missing id | 404 ([`Error::is_not_found`](crate::Error::is_not_found)) | [`Error::NotFound`](crate::Error::NotFound) (also `is_not_found`) |
/// | deleting a missing id | `Ok(())` | [`Error::NotFound`](crate::Error::NotFound) |
/// | publishing | adds the group to `published_in` | checks the id, changes nothing |
pub trait TupliStorage: Send + Sync {
    /// Describes the storage for messages: a URL or a folder.
    fn describe(&self) -> String;

    /// Stores a benchmark; one with the same hash is not stored twice.
    fn store_benchmark<'a>(
        &'a self,
        benchmark: &'a BenchmarkQuery,
    ) -> BoxFuture<'a, Result<BenchmarkHeader>>;

    /// Loads a benchmark with its serialized environment.
    fn load_benchmark<'a>(&'a self, benchmark_id: &'a str) -> BoxFuture<'a, Result<Benchmark>>;

    /// Lists the headers of the benchmarks matching `filter`.
    fn list_benchmarks<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<BenchmarkHeader>>>;

    /// Deletes a benchmark.
    fn delete_benchmark<'a>(&'a self, benchmark_id: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Publishes a benchmark in a group.
    fn publish_benchmark<'a>(
        &'a self,
        benchmark_id: &'a str,
        publish_in: &'a str,
    ) -> BoxFuture<'a, Result<()>>;

    /// Withdraws a benchmark from a group.
    fn unpublish_benchmark<'a>(
        &'a self,
        benchmark_id: &'a str,
        unpublish_from: &'a str,
    ) -> BoxFuture<'a, Result<()>>;

    /// Stores an artifact held in memory.
    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem>;

    /// Stores the file at `path` as an artifact, streamed.
    fn store_artifact_from_path<'a>(
        &'a self,
        path: &'a Path,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem>;

    /// Loads an artifact's bytes into memory.
    fn load_artifact<'a>(&'a self, artifact_id: &'a str) -> BoxFuture<'a, Result<Bytes>>;

    /// Writes an artifact to a file at `path`, streamed; the file appears
    /// only once complete (and verified, where the backend can verify).
    fn download_artifact_to_path<'a>(
        &'a self,
        artifact_id: &'a str,
        path: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem>;

    /// Lists the metadata of the artifacts matching `filter`.
    fn list_artifacts<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<ArtifactMetadataItem>>>;

    /// Deletes an artifact.
    fn delete_artifact<'a>(&'a self, artifact_id: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Publishes an artifact in a group.
    fn publish_artifact<'a>(
        &'a self,
        artifact_id: &'a str,
        publish_in: &'a str,
    ) -> BoxFuture<'a, Result<()>>;

    /// Withdraws an artifact from a group.
    fn unpublish_artifact<'a>(
        &'a self,
        artifact_id: &'a str,
        unpublish_from: &'a str,
    ) -> BoxFuture<'a, Result<()>>;

    /// Records an episode of a stored benchmark.
    fn record_episode<'a>(&'a self, episode: &'a Episode) -> BoxFuture<'a, Result<EpisodeHeader>>;

    /// Streams the episodes matching `filter` as raw JSON, one object at a
    /// time, with their tuples when `include_tuples`.
    fn stream_episode_json<'a>(
        &'a self,
        filter: &'a Filter,
        include_tuples: bool,
    ) -> BoxFuture<'a, Result<EpisodeJsonStream>>;

    /// Deletes an episode.
    fn delete_episode<'a>(&'a self, episode_id: &'a str) -> BoxFuture<'a, Result<()>>;

    /// Publishes an episode in a group.
    fn publish_episode<'a>(
        &'a self,
        episode_id: &'a str,
        publish_in: &'a str,
    ) -> BoxFuture<'a, Result<()>>;

    /// Withdraws an episode from a group.
    fn unpublish_episode<'a>(
        &'a self,
        episode_id: &'a str,
        unpublish_from: &'a str,
    ) -> BoxFuture<'a, Result<()>>;

    /// Streams the episodes matching `filter` with their tuples, decoded one
    /// at a time.
    fn stream_episodes<'a>(&'a self, filter: &'a Filter) -> BoxFuture<'a, Result<EpisodeStream>> {
        Box::pin(async move {
            self.stream_episode_json(filter, true)
                .await
                .map(EpisodeStream::new)
        })
    }

    /// Streams the headers of the episodes matching `filter`.
    fn stream_episode_headers<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<EpisodeHeaderStream>> {
        Box::pin(async move {
            self.stream_episode_json(filter, false)
                .await
                .map(EpisodeHeaderStream::new)
        })
    }

    /// Lists the headers of the episodes matching `filter`.
    fn list_episode_headers<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<EpisodeHeader>>> {
        Box::pin(async move {
            self.stream_episode_headers(filter)
                .await?
                .try_collect()
                .await
        })
    }

    /// Lists the episodes matching `filter` with their tuples.
    fn list_episode_items<'a>(
        &'a self,
        filter: &'a Filter,
    ) -> BoxFuture<'a, Result<Vec<EpisodeItem>>> {
        Box::pin(async move { self.stream_episodes(filter).await?.try_collect().await })
    }
}
