//! One measured client run for `cargo xtask bench` (built with `--release`).
//!
//! `bench-client MODE URL [ARG]` logs in as `bench`, runs one operation, and
//! prints one JSON line: CPU seconds (user, sys) and wall seconds of the
//! operation alone, the process's peak RSS, and a checksum of what it decoded.
//! Modes: `decode-vec`, `decode-stream`, `floor FILE`, `encode TUPLES`,
//! `upload FILE`, `download FILE`, `e2e EPISODES:TUPLES:CONCURRENCY`.

use std::time::Instant;

use futures::{StreamExt as _, TryStreamExt};
use serde_json::json;
use sha2::{Digest, Sha256};
use tupli::models::{ArtifactMetadata, Episode, EpisodeItem, RlTuple, TupleValue};
use tupli::TupliApiClient;

/// User and system CPU seconds of this process so far.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(") ").next().unwrap_or("").split(' ').collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, in clock ticks (100 a second on Linux).
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Peak resident set size of this process, in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// sha256 over every float of every tuple (state, action, reward, in order),
/// as little-endian IEEE-754 bits: equal only if the decodings agree bit for bit.
fn checksum(items: &[EpisodeItem], hasher: &mut Sha256) {
    for item in items {
        for tuple in &item.tuples {
            for value in [&tuple.state, &tuple.action, &tuple.reward] {
                hash_value(value, hasher);
            }
        }
    }
}

fn hash_value(value: &TupleValue, hasher: &mut Sha256) {
    match value {
        TupleValue::Floats(v) => v.iter().for_each(|f| hasher.update(f.to_le_bytes())),
        TupleValue::Float(f) => hasher.update(f.to_le_bytes()),
        TupleValue::Json(v) => hash_json(v, hasher),
    }
}

fn hash_json(value: &serde_json::Value, hasher: &mut Sha256) {
    match value {
        serde_json::Value::Number(n) => hasher.update(n.as_f64().unwrap_or(f64::NAN).to_le_bytes()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| hash_json(v, hasher)),
        _ => {}
    }
}

fn episode(tuples: usize, seed: u64) -> Episode {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    Episode {
        benchmark_id: "bench".into(),
        metadata: serde_json::from_value(json!({"policy": "bench", "seed": seed}))
            .unwrap_or_default(),
        tuples: (0..tuples)
            .map(|t| RlTuple {
                terminal: t + 1 == tuples,
                ..RlTuple::new(
                    (0..17).map(|_| next() * 10.0).collect::<Vec<_>>(),
                    (0..6).map(|_| next()).collect::<Vec<_>>(),
                    next(),
                )
            })
            .collect(),
    }
}

fn metadata(name: &str) -> ArtifactMetadata {
    ArtifactMetadata {
        name: name.into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, url) = (args[0].as_str(), args.get(1).cloned().unwrap_or_default());
    let arg = args.get(2).cloned().unwrap_or_default();
    let client = TupliApiClient::with_url(if url.is_empty() {
        "http://127.0.0.1:9"
    } else {
        &url
    })?;
    if mode != "floor" {
        client.login("bench", "bench-password").await?;
    }
    let mut hasher = Sha256::new();
    let mut count = 0usize;
    // Prepared outside the measurement.
    let to_record = match mode {
        "encode" => Some(episode(arg.parse()?, 1)),
        _ => None,
    };
    let floor_bytes = match mode {
        "floor" => std::fs::read(&arg)?,
        _ => Vec::new(),
    };

    let (user0, sys0) = cpu();
    let started = Instant::now();
    // The checksum is not part of the operation (pytupli's is computed after
    // its measurement): its time, single-threaded CPU work, is subtracted.
    let mut not_measured = std::time::Duration::ZERO;
    match mode {
        "decode-vec" => {
            let items = client.list_episode_items(&tupli::Filter::all()).await?;
            count = items.len();
            let hashing = Instant::now();
            checksum(&items, &mut hasher);
            not_measured += hashing.elapsed();
        }
        "decode-stream" => {
            let mut stream = std::pin::pin!(client.stream_episodes(&tupli::Filter::all()).await?);
            while let Some(item) = stream.try_next().await? {
                count += 1;
                let hashing = Instant::now();
                checksum(std::slice::from_ref(&item), &mut hasher);
                not_measured += hashing.elapsed();
            }
        }
        "floor" => {
            let _: serde::de::IgnoredAny = serde_json::from_slice(&floor_bytes)?;
        }
        "encode" => {
            let header = client
                .record_episode(to_record.as_ref().ok_or("no episode")?)
                .await?;
            count = header.n_tuples as usize;
        }
        "upload" => {
            let item = client
                .store_artifact_from_path(&arg, &metadata("bench.bin"))
                .await?;
            hasher.update(item.hash.as_bytes());
        }
        "download" => {
            let item = client
                .download_artifact_to_path("bench-artifact", &arg)
                .await?;
            hasher.update(item.hash.as_bytes());
        }
        "e2e" => {
            let parts: Vec<usize> = arg.split(':').map(str::parse).collect::<Result<_, _>>()?;
            let (episodes, tuples, concurrency) = (parts[0], parts[1], parts[2]);
            let benchmark = client
                .store_benchmark(&tupli::models::BenchmarkQuery {
                    hash: format!("bench-{}", std::process::id()),
                    serialized: "{}".into(),
                    metadata: serde_json::from_value(json!({"name": "bench"}))?,
                })
                .await?;
            let episodes: Vec<Episode> = (0..episodes)
                .map(|i| Episode {
                    benchmark_id: benchmark.id.clone(),
                    ..episode(tuples, i as u64)
                })
                .collect();
            let (user1, sys1) = cpu();
            let started = Instant::now();
            futures::stream::iter(episodes.iter().map(|e| client.record_episode(e)))
                .buffer_unordered(concurrency)
                .try_for_each(|_| async { Ok(()) })
                .await?;
            let wall = started.elapsed().as_secs_f64();
            let (user2, sys2) = cpu();
            println!(
                "{}",
                json!({"mode": mode, "user": user2 - user1, "sys": sys2 - sys1, "wall": wall,
                       "peak_rss": peak_rss(), "count": episodes.len(), "checksum": ""})
            );
            return Ok(());
        }
        other => return Err(format!("unknown mode {other}").into()),
    }
    let excluded = not_measured.as_secs_f64();
    let wall = started.elapsed().as_secs_f64() - excluded;
    let (user1, sys1) = cpu();
    println!(
        "{}",
        json!({"mode": mode, "user": user1 - user0 - excluded, "sys": sys1 - sys0, "wall": wall,
               "peak_rss": peak_rss(), "count": count, "checksum": hex::encode(hasher.finalize())})
    );
    Ok(())
}
