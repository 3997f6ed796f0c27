//! A folder that fails on purpose: after some writes, every write fails or
//! never ends; or the recording of one episode fails; or a listing fails.

use std::future::{Future, IntoFuture};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use bytes::Bytes;
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkQuery, Episode,
    EpisodeHeader,
};
use tupli::storage::*;
use tupli::{EpisodeJsonStream, Error, Filter, Result, Transfer};

/// What goes wrong.
#[derive(Default)]
pub struct Faults {
    /// Writes that succeed; every later write fails.
    pub fail_after: Option<usize>,
    /// Writes that succeed; every later write never ends.
    pub hang_after: Option<usize>,
    /// Recording an episode with this `metadata.mark` fails.
    pub fail_mark: Option<i64>,
    /// Listing episodes fails when the filter's JSON contains this.
    pub fail_episode_listing: Option<String>,
}

/// A [`FileStorage`] with [`Faults`].
pub struct Faulty {
    pub inner: FileStorage,
    pub faults: Faults,
    /// Writes that went through (counted once done).
    pub writes: AtomicUsize,
    /// Writes let through that are not done yet.
    pub in_flight: AtomicUsize,
    /// Writes that reached the gate, let through or not.
    started: AtomicUsize,
    /// Every episode filter asked, as JSON.
    pub episode_filters: Mutex<Vec<String>>,
    /// Told when a write starts to hang.
    pub hung: tokio::sync::Notify,
}

impl Faulty {
    pub fn new(inner: FileStorage, faults: Faults) -> Self {
        Faulty {
            inner,
            faults,
            writes: AtomicUsize::new(0),
            in_flight: AtomicUsize::new(0),
            started: AtomicUsize::new(0),
            episode_filters: Mutex::new(Vec::new()),
            hung: tokio::sync::Notify::new(),
        }
    }

    /// The folder, through the trait.
    fn store(&self) -> &dyn TupliStorage {
        &self.inner
    }

    /// Runs a write, or fails or hangs it: the first `fail_after` /
    /// `hang_after` writes to start go through, the later ones fail or never
    /// end. A write is counted in `writes` once it is done.
    async fn write<T>(&self, write: impl Future<Output = Result<T>>) -> Result<T> {
        let started = self.started.fetch_add(1, Ordering::SeqCst);
        let over = |limit: Option<usize>| limit.is_some_and(|n| started >= n);
        if over(self.faults.hang_after) {
            self.hung.notify_one();
            std::future::pending::<()>().await;
        }
        if over(self.faults.fail_after) {
            return Err(std::io::Error::other("injected: the disk is full").into());
        }
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let done = write.await;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if done.is_ok() {
            self.writes.fetch_add(1, Ordering::SeqCst);
        }
        done
    }
}

impl TupliStorage for Faulty {
    fn describe(&self) -> String {
        format!("faulty {}", self.store().describe())
    }
}

#[async_trait]
impl BenchmarkStorage for Faulty {
    async fn store_benchmark(&self, benchmark: &BenchmarkQuery) -> Result<BenchmarkHeader> {
        self.write(self.store().store_benchmark(benchmark)).await
    }

    async fn load_benchmark(&self, benchmark_id: &str) -> Result<Benchmark> {
        self.store().load_benchmark(benchmark_id).await
    }

    async fn list_benchmarks(&self, filter: &Filter) -> Result<Vec<BenchmarkHeader>> {
        self.store().list_benchmarks(filter).await
    }

    async fn delete_benchmark(&self, benchmark_id: &str) -> Result<()> {
        self.store().delete_benchmark(benchmark_id).await
    }

    async fn publish_benchmark(&self, id: &str, group: &str) -> Result<()> {
        self.store().publish_benchmark(id, group).await
    }

    async fn unpublish_benchmark(&self, id: &str, group: &str) -> Result<()> {
        self.store().unpublish_benchmark(id, group).await
    }
}

#[async_trait]
impl ArtifactStorage for Faulty {
    fn artifact_hash(&self) -> ArtifactHash {
        self.store().artifact_hash()
    }

    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |_| async move {
            self.write(self.store().store_artifact(data, metadata).into_future())
                .await
        })
    }

    fn store_artifact_from_path<'a>(
        &'a self,
        path: &'a Path,
        metadata: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        Transfer::new(move |_| async move {
            self.write(
                self.store()
                    .store_artifact_from_path(path, metadata)
                    .into_future(),
            )
            .await
        })
    }

    async fn load_artifact(&self, artifact_id: &str) -> Result<Bytes> {
        self.store().load_artifact(artifact_id).await
    }

    fn download_artifact_to_path<'a>(
        &'a self,
        artifact_id: &'a str,
        path: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        self.store().download_artifact_to_path(artifact_id, path)
    }

    async fn list_artifacts(&self, filter: &Filter) -> Result<Vec<ArtifactMetadataItem>> {
        self.store().list_artifacts(filter).await
    }

    async fn delete_artifact(&self, artifact_id: &str) -> Result<()> {
        self.store().delete_artifact(artifact_id).await
    }

    async fn publish_artifact(&self, id: &str, group: &str) -> Result<()> {
        self.store().publish_artifact(id, group).await
    }

    async fn unpublish_artifact(&self, id: &str, group: &str) -> Result<()> {
        self.store().unpublish_artifact(id, group).await
    }
}

#[async_trait]
impl EpisodeStorage for Faulty {
    async fn record_episode(&self, episode: &Episode) -> Result<EpisodeHeader> {
        let mark = episode.metadata.get("mark").and_then(|m| m.as_i64());
        if mark.is_some() && mark == self.faults.fail_mark {
            return Err(Error::InvalidInput {
                argument: "episode",
                reason: format!("injected: episode {} is refused", mark.unwrap_or(0)),
            });
        }
        self.write(self.store().record_episode(episode)).await
    }

    async fn stream_episode_json(
        &self,
        filter: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeJsonStream> {
        let json = serde_json::to_string(filter).unwrap();
        self.episode_filters.lock().unwrap().push(json.clone());
        if let Some(bad) = &self.faults.fail_episode_listing {
            if json.contains(bad.as_str()) {
                return Err(std::io::Error::other("injected: cannot list").into());
            }
        }
        self.store()
            .stream_episode_json(filter, include_tuples)
            .await
    }

    async fn delete_episode(&self, episode_id: &str) -> Result<()> {
        self.store().delete_episode(episode_id).await
    }

    async fn publish_episode(&self, id: &str, group: &str) -> Result<()> {
        self.store().publish_episode(id, group).await
    }

    async fn unpublish_episode(&self, id: &str, group: &str) -> Result<()> {
        self.store().unpublish_episode(id, group).await
    }
}
