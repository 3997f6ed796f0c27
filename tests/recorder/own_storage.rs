//! A storage of our own: the recorder needs nothing but the trait, and a
//! storage that panics fails that episode, not the recorder.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use serde_json::{json, Map};
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkMetadata,
    BenchmarkQuery, Episode, EpisodeHeader, RlTuple,
};
use tupli::storage::*;
use tupli::{EpisodeJsonStream, EpisodeRecorder, Filter, Result, Transfer};

/// A folder whose `record_episode` panics for episodes marked `"panic": true`.
struct Panicky(FileStorage);

impl TupliStorage for Panicky {
    fn describe(&self) -> String {
        format!("panicky {}", self.0.describe())
    }
}

#[async_trait]
impl BenchmarkStorage for Panicky {
    async fn store_benchmark(&self, b: &BenchmarkQuery) -> Result<BenchmarkHeader> {
        self.0.store_benchmark(b).await
    }
    async fn load_benchmark(&self, id: &str) -> Result<Benchmark> {
        self.0.load_benchmark(id).await
    }
    async fn list_benchmarks(&self, f: &Filter) -> Result<Vec<BenchmarkHeader>> {
        self.0.list_benchmarks(f).await
    }
    async fn delete_benchmark(&self, id: &str) -> Result<()> {
        self.0.delete_benchmark(id).await
    }
    async fn publish_benchmark(&self, id: &str, g: &str) -> Result<()> {
        self.0.publish_benchmark(id, g).await
    }
    async fn unpublish_benchmark(&self, id: &str, g: &str) -> Result<()> {
        self.0.unpublish_benchmark(id, g).await
    }
}

#[async_trait]
impl ArtifactStorage for Panicky {
    fn artifact_hash(&self) -> ArtifactHash {
        self.0.artifact_hash()
    }
    fn store_artifact<'a>(
        &'a self,
        data: Bytes,
        m: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        self.0.store_artifact(data, m)
    }
    fn store_artifact_from_path<'a>(
        &'a self,
        p: &'a Path,
        m: &'a ArtifactMetadata,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        self.0.store_artifact_from_path(p, m)
    }
    async fn load_artifact(&self, id: &str) -> Result<Bytes> {
        self.0.load_artifact(id).await
    }
    fn download_artifact_to_path<'a>(
        &'a self,
        id: &'a str,
        p: &'a Path,
    ) -> Transfer<'a, ArtifactMetadataItem> {
        self.0.download_artifact_to_path(id, p)
    }
    async fn list_artifacts(&self, f: &Filter) -> Result<Vec<ArtifactMetadataItem>> {
        self.0.list_artifacts(f).await
    }
    async fn delete_artifact(&self, id: &str) -> Result<()> {
        self.0.delete_artifact(id).await
    }
    async fn publish_artifact(&self, id: &str, g: &str) -> Result<()> {
        self.0.publish_artifact(id, g).await
    }
    async fn unpublish_artifact(&self, id: &str, g: &str) -> Result<()> {
        self.0.unpublish_artifact(id, g).await
    }
}

#[async_trait]
impl EpisodeStorage for Panicky {
    async fn record_episode(&self, e: &Episode) -> Result<EpisodeHeader> {
        if e.metadata.get("panic") == Some(&json!(true)) {
            panic!("this storage does not take such episodes");
        }
        self.0.record_episode(e).await
    }
    async fn stream_episode_json(
        &self,
        f: &Filter,
        include_tuples: bool,
    ) -> Result<EpisodeJsonStream> {
        self.0.stream_episode_json(f, include_tuples).await
    }
    async fn delete_episode(&self, id: &str) -> Result<()> {
        self.0.delete_episode(id).await
    }
    async fn publish_episode(&self, id: &str, g: &str) -> Result<()> {
        self.0.publish_episode(id, g).await
    }
    async fn unpublish_episode(&self, id: &str, g: &str) -> Result<()> {
        self.0.unpublish_episode(id, g).await
    }
}

/// The panicking episode is reported (as maybe stored: nobody knows what a
/// panicking storage did) and its tuples given back; the others are stored,
/// and `push` never waits for room the panic took.
#[tokio::test]
async fn a_storage_that_panics_fails_the_episode_not_the_recorder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = FileStorage::create(dir.path()).unwrap();
    let benchmark = folder
        .store_benchmark(&BenchmarkQuery {
            hash: "own".into(),
            serialized: "{}".into(),
            metadata: BenchmarkMetadata {
                name: "own".into(),
                description: "a storage of our own".into(),
                difficulty: None,
                version: None,
                extra: Map::new(),
            },
        })
        .await
        .unwrap();
    let mut recorder = EpisodeRecorder::builder(Arc::new(Panicky(folder.clone())), &benchmark.id)
        .capacity(4)
        .build()
        .unwrap();
    let mut keys = Vec::new();
    for i in 0..6 {
        for step in 0..4 {
            recorder
                .push(RlTuple::new(vec![step as f64], 0.0, 0.0))
                .await
                .unwrap();
        }
        let metadata = Map::from_iter([("panic".to_string(), json!(i == 2))]);
        keys.push(recorder.end_episode(metadata).unwrap());
    }
    let report = recorder.close().await;
    assert_eq!(report.stored, 5, "{report}");
    let [failed] = &report.failed[..] else {
        panic!("one failure: {report}")
    };
    assert_eq!(failed.key, keys[2]);
    assert_eq!(failed.episode.tuples.len(), 4);
    assert!(failed.maybe_stored);
    assert!(
        failed
            .error
            .to_string()
            .contains("does not take such episodes"),
        "{}",
        failed.error
    );
    assert_eq!(
        folder
            .list_episode_headers(&Filter::all())
            .await
            .unwrap()
            .len(),
        5
    );
}
