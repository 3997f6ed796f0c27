//! `tupli::copy` offline: folder to folder (every field, floats to the bit,
//! artifact bytes), idempotence (twice, interrupted, failed half-way), the
//! episode key, dry runs, and a mocked server as the destination (the 409
//! path, and what is asked of it).

// (Only the mock server and fixtures of it are used here.)
#[allow(unused_imports)]
#[path = "../support/mod.rs"]
mod support;

mod faulty;
mod folders;
mod resume;
mod server;

use std::collections::BTreeMap;
use std::path::Path;
use tupli::prelude::*;

use bytes::Bytes;
use serde_json::{json, Map, Value};
use tupli::copy::{CopyReport, Item, Kind, Outcome, Status};
use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkMetadata, BenchmarkQuery, Episode,
    EpisodeItem, RlTuple,
};
use tupli::storage::{FileStorage, TupliStorage};
use tupli::Filter;

/// A storage in a new temporary folder (removed when the guard drops).
fn folder() -> (tempfile::TempDir, FileStorage) {
    let dir = tempfile::tempdir().unwrap();
    let storage = FileStorage::open(dir.path()).unwrap();
    (dir, storage)
}

/// Floats of every kind, spelled apart by their bits.
const FLOATS: [f64; 10] = [
    0.0,
    -0.0,
    5e-324,
    -2.2250738585072014e-308,
    1.7976931348623157e308,
    1e-07,
    0.1,
    1.0 / 3.0,
    1e16,
    9007199254740993.0,
];

fn benchmark(hash: &str, name: &str) -> BenchmarkQuery {
    BenchmarkQuery {
        hash: hash.into(),
        serialized: json!({"env": name, "params": [0.1, -0.0, 1e300]}).to_string(),
        metadata: BenchmarkMetadata {
            name: name.into(),
            description: format!("{name}: made by the copy suite, ü"),
            difficulty: Some("hard".into()),
            version: Some("2".into()),
            extra: Map::from_iter([
                ("level".to_string(), json!(3)),
                ("tags".to_string(), json!(["a", "日本"])),
            ]),
        },
    }
}

/// An episode of `n` tuples with floats of every kind; `mark` tells them apart.
fn episode(benchmark_id: &str, n: usize, mark: i64) -> Episode {
    Episode {
        benchmark_id: benchmark_id.into(),
        metadata: Map::from_iter([
            ("mark".to_string(), json!(mark)),
            ("nested".to_string(), json!({"k": [1, 2.5, "x", null]})),
        ]),
        tuples: (0..n)
            .map(|t| RlTuple {
                state: vec![FLOATS[t % FLOATS.len()], t as f64, -0.0].into(),
                action: json!([t % 3, 0.5]).into(),
                reward: FLOATS[(t + 3) % FLOATS.len()].into(),
                info: Map::from_iter([("t".to_string(), json!(t)), ("f".to_string(), json!(0.1))]),
                terminal: t + 1 == n,
                timeout: false,
            })
            .collect(),
    }
}

fn artifact_metadata(name: &str, benchmark_id: Option<&str>) -> ArtifactMetadata {
    ArtifactMetadata {
        name: name.into(),
        description: format!("{name}, an artifact"),
        benchmark_id: benchmark_id.map(str::to_string),
        extra: Map::from_iter([("source".to_string(), json!({"run": 7, "lr": 3e-4}))]),
    }
}

/// Bytes that are not text, `n` of them, `seed` tells them apart.
fn artifact_bytes(n: usize, seed: u32) -> Bytes {
    (0..n as u32)
        .map(|i| (i.wrapping_add(seed).wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect::<Vec<u8>>()
        .into()
}

/// What a source folder holds: two benchmarks (`a` with 5 episodes and 2
/// artifacts, `b` with 2 episodes and 1 artifact), and an artifact of no
/// benchmark.
struct Source {
    a: String,
    b: String,
}

async fn fill(storage: &FileStorage) -> Source {
    let a = storage
        .store_benchmark(&benchmark("hash-a", "cartpole"))
        .await
        .unwrap()
        .id;
    let b = storage
        .store_benchmark(&benchmark("hash-b", "mountain car"))
        .await
        .unwrap()
        .id;
    for mark in 0..5 {
        storage
            .record_episode(&episode(&a, 3 + mark as usize, mark))
            .await
            .unwrap();
    }
    for mark in 5..7 {
        storage.record_episode(&episode(&b, 2, mark)).await.unwrap();
    }
    storage
        .store_artifact(
            artifact_bytes(300_000, 1),
            &artifact_metadata("policy.bin", Some(&a)),
        )
        .await
        .unwrap();
    storage
        .store_artifact(
            artifact_bytes(10, 2),
            &artifact_metadata("notes ü.txt", Some(&a)),
        )
        .await
        .unwrap();
    storage
        .store_artifact(
            artifact_bytes(1000, 3),
            &artifact_metadata("b.bin", Some(&b)),
        )
        .await
        .unwrap();
    storage
        .store_artifact(artifact_bytes(77, 4), &artifact_metadata("loose.bin", None))
        .await
        .unwrap();
    Source { a, b }
}

/// `(copied, skipped, failed)` of `kind`.
fn counts(report: &CopyReport, kind: Kind) -> (usize, usize, usize) {
    (
        report.count(Some(kind), Status::Copied),
        report.count(Some(kind), Status::Skipped),
        report.count(Some(kind), Status::Failed),
    )
}

/// The failures, as text.
fn failures(report: &CopyReport) -> Vec<String> {
    report
        .items
        .iter()
        .filter_map(|item| match &item.outcome {
            Outcome::Failed { error } => Some(format!("{} {}: {error}", item.kind, item.source_id)),
            _ => None,
        })
        .collect()
}

fn skip_reason(item: &Item) -> &str {
    match &item.outcome {
        Outcome::Skipped { reason, .. } => reason,
        other => panic!("not skipped: {other:?}"),
    }
}

/// Every benchmark, by hash.
async fn benchmarks_by_hash(storage: &dyn TupliStorage) -> BTreeMap<String, Benchmark> {
    let mut out = BTreeMap::new();
    for header in storage.list_benchmarks(&Filter::all()).await.unwrap() {
        let full = storage.load_benchmark(&header.id).await.unwrap();
        assert!(
            out.insert(full.hash.clone(), full).is_none(),
            "one benchmark per hash"
        );
    }
    out
}

/// Every episode with its tuples, by key (`metadata.tupli_key`, else id).
async fn episodes_by_key(storage: &dyn TupliStorage) -> BTreeMap<String, EpisodeItem> {
    let mut out = BTreeMap::new();
    for item in storage.list_episode_items(&Filter::all()).await.unwrap() {
        let key = match item.metadata.get("tupli_key") {
            Some(Value::String(key)) => key.clone(),
            _ => item.id.clone(),
        };
        assert!(
            out.insert(key.clone(), item).is_none(),
            "a duplicate of {key}"
        );
    }
    out
}

/// Every artifact with its bytes, by name.
async fn artifacts_by_name(
    storage: &dyn TupliStorage,
) -> BTreeMap<String, (ArtifactMetadataItem, Bytes)> {
    let mut out = BTreeMap::new();
    for item in storage.list_artifacts(&Filter::all()).await.unwrap() {
        let bytes = storage.load_artifact(&item.id).await.unwrap();
        assert!(out.insert(item.name.clone(), (item, bytes)).is_none());
    }
    out
}

/// JSON with every float spelled by its bits, so `-0.0` is not `0.0`.
fn spelled<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

/// Checks that `to` holds a copy of everything `from` holds (benchmarks,
/// episodes, the artifacts of a benchmark), every field equal but ids,
/// times, and the benchmark ids, which are `to`'s.
async fn assert_copied(from: &dyn TupliStorage, to: &dyn TupliStorage) {
    let (sources, copies) = (benchmarks_by_hash(from).await, benchmarks_by_hash(to).await);
    assert_eq!(
        sources.keys().collect::<Vec<_>>(),
        copies.keys().collect::<Vec<_>>()
    );
    // Source benchmark id → copy's.
    let mut mapped = BTreeMap::new();
    for (hash, source) in &sources {
        let copy = &copies[hash];
        assert_eq!(copy.metadata, source.metadata, "{hash}");
        assert_eq!(spelled(&copy.metadata), spelled(&source.metadata));
        assert_eq!(copy.serialized, source.serialized, "{hash}");
        assert_eq!(copy.created_by, source.created_by);
        assert_eq!(copy.published_in, source.published_in);
        mapped.insert(source.id.clone(), copy.id.clone());
    }

    let (sources, copies) = (episodes_by_key(from).await, episodes_by_key(to).await);
    assert_eq!(
        sources.keys().collect::<Vec<_>>(),
        copies.keys().collect::<Vec<_>>()
    );
    for (key, source) in &sources {
        let copy = &copies[key];
        assert_eq!(copy.benchmark_id, mapped[&source.benchmark_id], "remapped");
        let mut metadata = source.metadata.clone();
        metadata.insert("tupli_key".into(), json!(key));
        assert_eq!(copy.metadata, metadata, "the key is written into the copy");
        assert_eq!(
            spelled(&copy.tuples),
            spelled(&source.tuples),
            "tuples to the bit"
        );
        assert_eq!(copy.tuples, source.tuples);
        assert_eq!(
            (copy.n_tuples, copy.terminated, copy.timeout),
            (source.n_tuples, source.terminated, source.timeout)
        );
        assert_eq!(copy.created_by, source.created_by);
        assert_ne!(copy.id, source.id);
    }

    let copies = artifacts_by_name(to).await;
    let sources: BTreeMap<_, _> = artifacts_by_name(from)
        .await
        .into_iter()
        .filter(|(_, (item, _))| {
            item.benchmark_id
                .as_ref()
                .is_some_and(|b| mapped.contains_key(b))
        })
        .collect();
    assert_eq!(
        sources.keys().collect::<Vec<_>>(),
        copies.keys().collect::<Vec<_>>(),
        "the artifacts of the benchmarks, and only those"
    );
    for (name, (source, bytes)) in &sources {
        let (copy, copied) = &copies[name];
        assert!(copied == bytes, "{name}: the bytes differ");
        assert_eq!(
            copy.benchmark_id.as_ref(),
            Some(&mapped[source.benchmark_id.as_ref().unwrap()])
        );
        assert_eq!(
            (&copy.description, &copy.extra, &copy.encoding, &copy.hash),
            (
                &source.description,
                &source.extra,
                &source.encoding,
                &source.hash
            )
        );
    }
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let name = path.strip_prefix(base).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}
