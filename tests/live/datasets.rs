//! Datasets against the real server, read back with the real tools: every
//! export format is written from recorded episodes and checked in Python
//! (numpy, pandas, pyarrow, polars, DuckDB) against pytupli 1.2.9's own
//! `TupliDataset` on the same data. Needs `TUPLI_TEST_PYTHON` (the reference
//! venv's interpreter) too, as `cargo xtask test` sets it.

use std::path::Path;
use std::process::Command;
use tupli::prelude::*;

use serde_json::{json, Map, Value};
use tupli::dataset::{Dataset, Dtype, Format};
use tupli::models::{BenchmarkMetadata, BenchmarkQuery, Episode, RlTuple};
use tupli::{Error, Filter, TupliApiClient};

use super::{admin, unique, url};

const NEEDS_PYTHON: &str =
    "needs TUPLI_TEST_PYTHON: the reference venv's python (run by `cargo xtask test`)";

/// A benchmark of its own, to select by its hash.
async fn benchmark(client: &TupliApiClient, hash: &str) -> String {
    client
        .store_benchmark(&BenchmarkQuery {
            hash: hash.into(),
            serialized: "{}".into(),
            metadata: BenchmarkMetadata {
                name: hash.into(),
                description: String::new(),
                difficulty: None,
                version: None,
                extra: Map::new(),
            },
        })
        .await
        .expect("store benchmark")
        .id
}

/// Floats of every kind: signed zeros, subnormals, long and short spellings.
fn float(seed: &mut u64) -> f64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    match *seed % 16 {
        0 => -0.0,
        1 => 5e-324,
        2 => -2.2250738585072014e-308,
        3 => (*seed % 1000) as f64,
        _ => (*seed >> 11) as f64 / (1u64 << 53) as f64 * 20.0 - 10.0,
    }
}

/// Records `lengths.len()` episodes of 17-float states and 6-float actions;
/// every other episode is cut off (truncated) instead of ending terminally.
async fn record(client: &TupliApiClient, benchmark_id: &str, lengths: &[usize]) {
    let mut seed = 0x2545_F491_4F6C_DD1D;
    for (e, &n) in lengths.iter().enumerate() {
        let tuples = (0..n)
            .map(|t| RlTuple {
                state: (0..17).map(|_| float(&mut seed)).collect::<Vec<_>>().into(),
                action: (0..6).map(|_| float(&mut seed)).collect::<Vec<_>>().into(),
                reward: float(&mut seed).into(),
                info: Map::new(),
                terminal: t + 1 == n && e % 2 == 0,
                timeout: t + 1 == n && e % 2 == 1,
            })
            .collect();
        client
            .record_episode(&Episode {
                benchmark_id: benchmark_id.into(),
                metadata: Map::from_iter([("n".to_string(), json!(e))]),
                tuples,
            })
            .await
            .expect("record episode");
    }
}

fn python() -> String {
    std::env::var("TUPLI_TEST_PYTHON").unwrap_or_else(|_| panic!("{NEEDS_PYTHON}"))
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn every_format_matches_pytupli_bit_for_bit() {
    let client = admin().await;
    let hash = unique("dataset");
    let id = benchmark(&client, &hash).await;
    record(&client, &id, &[40, 1, 25, 60, 3, 17]).await;
    let data =
        Dataset::new(client.clone()).with_benchmark_filter(Filter::eq("hash", hash.as_str()));
    let dir = tempfile::tempdir().unwrap();
    let summary = data
        .export(Format::Npz)
        .to_path(dir.path().join("data.npz"))
        .await
        .unwrap();
    assert_eq!((summary.episodes, summary.tuples), (6, 146));
    assert_eq!((summary.obs_dim, summary.act_dim), (17, 6));
    data.export(Format::Npz)
        .dtype(Dtype::F32)
        .to_path(dir.path().join("data-f32.npz"))
        .await
        .unwrap();
    data.export(Format::Arrow)
        .to_path(dir.path().join("data.arrow"))
        .await
        .unwrap();
    data.export(Format::Parquet)
        .to_path(dir.path().join("data.parquet"))
        .await
        .unwrap();
    assert_eq!(
        files_in(dir.path()),
        ["data-f32.npz", "data.arrow", "data.npz", "data.parquet"]
    );
    let columns = data.columns().await.unwrap();
    assert_eq!(columns.len(), 146);

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/check_export.py");
    let url = url();
    let output = Command::new(python())
        .arg(&script)
        .args([url.as_str(), "admin", "pytupli", hash.as_str()])
        .arg(dir.path())
        .output()
        .expect("run the Python check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["rows"], 146);
    assert!(
        report["checked"].as_array().unwrap().len() >= 25,
        "{report}"
    );
}

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn what_cannot_be_columns_is_named_and_nothing_is_written() {
    let client = admin().await;
    let hash = unique("ragged");
    let id = benchmark(&client, &hash).await;
    let ok = RlTuple::new(vec![0.5, 1.5], vec![1.0], 0.0);
    for tuples in [
        vec![ok.clone(), ok.clone()],
        vec![
            ok.clone(),
            RlTuple::new(vec![0.5, 1.5, 2.5], vec![1.0], 0.0),
        ],
    ] {
        client
            .record_episode(&Episode {
                benchmark_id: id.clone(),
                metadata: Map::new(),
                tuples,
            })
            .await
            .unwrap();
    }
    let data =
        Dataset::new(client.clone()).with_benchmark_filter(Filter::eq("hash", hash.as_str()));
    let dir = tempfile::tempdir().unwrap();
    for format in [Format::Npz, Format::Arrow, Format::Parquet] {
        let target = dir.path().join(format!("out.{}", format.extension()));
        match data.export(format).to_path(&target).await {
            Err(Error::Shape {
                step,
                field,
                reason,
                ..
            }) => {
                assert_eq!((step, field), (1, "state"), "{format:?}");
                assert!(reason.contains("has 3 values"), "{reason}");
            }
            other => panic!("{format:?}: {other:?}"),
        }
    }
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );

    // Nested values: the same, naming the field.
    let nested = unique("nested");
    let nested_id = benchmark(&client, &nested).await;
    client
        .record_episode(&Episode {
            benchmark_id: nested_id,
            metadata: Map::new(),
            tuples: vec![RlTuple::new(json!({"pos": [1.0]}), vec![1.0], 0.0)],
        })
        .await
        .unwrap();
    let err = Dataset::new(client.clone())
        .with_benchmark_filter(Filter::eq("hash", nested.as_str()))
        .columns()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Shape { step: 0, field: "state", reason, .. } if reason.contains("object")),
        "{err:?}"
    );

    // An empty selection: a clear error, no file.
    let nothing =
        Dataset::new(client.clone()).with_benchmark_filter(Filter::eq("hash", unique("none")));
    let err = nothing
        .export(Format::Npz)
        .to_path(dir.path().join("empty.npz"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::EmptySelection), "{err:?}");
    assert!(nothing.columns().await.unwrap().is_empty());
    assert!(files_in(dir.path()).is_empty());
}
