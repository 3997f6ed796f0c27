//! One measured client run for `cargo xtask bench` (built with `--release`).
//!
//! `bench-client MODE [URL] [ARG…]` runs one operation and prints one JSON
//! line: CPU seconds (user, sys, from `getrusage`, read before any checksum)
//! and wall seconds of the operation alone, the process's peak RSS (`VmHWM`),
//! counts, and a checksum of what it decoded or sent: sha256 over every
//! float of every tuple (state, action, reward, in order) as little-endian
//! IEEE-754 bits, equal only if two decodings agree bit for bit.
//!
//! Client modes (URL first; they log in as `bench` first, unmeasured):
//! `baseline` (nothing: the process's own RSS), `decode-vec`,
//! `decode-stream`, `encode FILE`, `upload FILE`, `download FILE`,
//! `e2e FILE:EPISODES:CONCURRENCY`, `dataset-columns`,
//! `dataset-export FORMAT PATH`.
//!
//! Limit modes, what the machine does without client logic:
//! `loopback-episodes URL`, `loopback-download URL`, `loopback-upload URL FILE`
//! (the canned server's bytes through a plain reqwest loop that discards
//! them), `floor FILE` (serde's `IgnoredAny` over the bytes), `sha256 FILE`
//! (read and hash), `format FILE` (serde_json formatting the episode's float
//! arrays into memory).

use std::time::{Duration, Instant};
use tupli::prelude::*;

use futures::{StreamExt as _, TryStreamExt};
use nix::sys::resource::{getrusage, UsageWho};
use nix::time::{clock_gettime, ClockId};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use tupli::dataset::{Dataset, Dtype, Format};
use tupli::models::{ArtifactMetadata, Episode, EpisodeItem, RlTuple, TupleValue};
use tupli::{Filter, TupliApiClient};

type Error = Box<dyn std::error::Error>;

/// User and system CPU seconds of this process so far (microseconds).
fn cpu() -> Result<(f64, f64), Error> {
    let usage = getrusage(UsageWho::RUSAGE_SELF)?;
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    Ok((seconds(usage.user_time()), seconds(usage.system_time())))
}

/// Peak resident set size of this process, in bytes: `VmHWM`, the high
/// water mark of this program's own memory. Not `getrusage`'s `ru_maxrss`,
/// which on Linux keeps the peak of the image before `exec` — the parent's
/// memory when it spawned us sharing it (vfork), as Rust's `Command` does.
fn peak_rss() -> Result<u64, Error> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or("no VmHWM in /proc/self/status")?;
    Ok(kib * 1024)
}

/// CPU time of the calling thread (nanoseconds).
fn thread_cpu() -> Result<Duration, Error> {
    let t = clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)?;
    Ok(Duration::new(
        u64::try_from(t.tv_sec())?,
        u32::try_from(t.tv_nsec())?,
    ))
}

/// The measurement of one operation: started, then read once.
struct Measure {
    user: f64,
    sys: f64,
    started: Instant,
    /// Single-threaded work inside the operation that is not part of it
    /// (the stream's per-episode checksum): its thread CPU and its wall time.
    excluded_cpu: Duration,
    excluded_wall: Duration,
}

impl Measure {
    fn start() -> Result<Measure, Error> {
        let (user, sys) = cpu()?;
        Ok(Measure {
            user,
            sys,
            started: Instant::now(),
            excluded_cpu: Duration::ZERO,
            excluded_wall: Duration::ZERO,
        })
    }

    /// Runs `f`, and leaves its CPU and wall time out of the measurement.
    fn exclude<T>(&mut self, f: impl FnOnce() -> T) -> Result<T, Error> {
        let (cpu0, wall0) = (thread_cpu()?, Instant::now());
        let out = f();
        self.excluded_wall += wall0.elapsed();
        self.excluded_cpu += thread_cpu()?.saturating_sub(cpu0);
        Ok(out)
    }

    /// Reads the figures now, into `out`.
    fn stop(self, out: &mut Map<String, Value>) -> Result<(), Error> {
        let wall = self.started.elapsed().saturating_sub(self.excluded_wall);
        let (user, sys) = cpu()?;
        let excluded = self.excluded_cpu.as_secs_f64();
        // The excluded work is user-mode hashing.
        out.insert("user".into(), json!(user - self.user - excluded));
        out.insert("sys".into(), json!(sys - self.sys));
        out.insert("wall".into(), json!(wall.as_secs_f64()));
        out.insert("excluded_cpu".into(), json!(excluded));
        Ok(())
    }
}

fn hash_value(value: &TupleValue, hasher: &mut Sha256) {
    match value {
        TupleValue::Floats(v) => v.iter().for_each(|f| hasher.update(f.to_le_bytes())),
        TupleValue::Float(f) => hasher.update(f.to_le_bytes()),
        TupleValue::Json(v) => hash_json(v, hasher),
        other => hash_json(&other.to_json(), hasher),
    }
}

fn hash_json(value: &Value, hasher: &mut Sha256) {
    match value {
        Value::Number(n) => hasher.update(n.as_f64().unwrap_or(f64::NAN).to_le_bytes()),
        Value::Array(items) => items.iter().for_each(|v| hash_json(v, hasher)),
        _ => {}
    }
}

fn hash_tuples(tuples: &[RlTuple], hasher: &mut Sha256) {
    for tuple in tuples {
        for value in [&tuple.state, &tuple.action, &tuple.reward] {
            hash_value(value, hasher);
        }
    }
}

fn hash_items(items: &[EpisodeItem], hasher: &mut Sha256) {
    for item in items {
        hash_tuples(&item.tuples, hasher);
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

fn load_episode(path: &str) -> Result<Episode, Error> {
    Ok(serde_json::from_slice(&std::fs::read(path)?)?)
}

/// The float arrays of an episode's tuples, as `format` formats them.
fn float_arrays(episode: &Episode) -> Vec<Vec<f64>> {
    let floats = |v: &TupleValue| match v {
        TupleValue::Floats(f) => f.clone(),
        TupleValue::Float(f) => vec![*f],
        other => {
            let mut out = Vec::new();
            flatten(&other.to_json(), &mut out);
            out
        }
    };
    episode
        .tuples
        .iter()
        .flat_map(|t| [floats(&t.state), floats(&t.action), floats(&t.reward)])
        .collect()
}

fn flatten(value: &Value, out: &mut Vec<f64>) {
    match value {
        Value::Number(n) => out.push(n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(items) => items.iter().for_each(|v| flatten(v, out)),
        _ => {}
    }
}

/// Reads a response's body chunk by chunk, keeping nothing; its length.
async fn discard(response: tupli::reqwest::Response) -> Result<u64, Error> {
    let mut response = response.error_for_status()?;
    let mut bytes = 0u64;
    while let Some(chunk) = response.chunk().await? {
        bytes += chunk.len() as u64;
    }
    Ok(bytes)
}

fn arg(args: &[String], i: usize, what: &str) -> Result<String, Error> {
    args.get(i)
        .cloned()
        .ok_or_else(|| format!("missing argument {i}: {what}").into())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = arg(&args, 0, "mode")?;
    let mut out = Map::new();
    out.insert("mode".into(), json!(mode));
    let mut hasher = Sha256::new();

    // Modes without a server.
    match mode.as_str() {
        "floor" | "sha256" | "format" => {
            let path = arg(&args, 1, "file")?;
            match mode.as_str() {
                "floor" => {
                    let bytes = std::fs::read(&path)?;
                    let measure = Measure::start()?;
                    let _: serde::de::IgnoredAny = serde_json::from_slice(&bytes)?;
                    measure.stop(&mut out)?;
                    out.insert("count".into(), json!(bytes.len()));
                }
                "sha256" => {
                    use std::io::Read;
                    let measure = Measure::start()?;
                    let mut file = std::fs::File::open(&path)?;
                    let mut buffer = vec![0u8; 1 << 20];
                    let mut count = 0u64;
                    loop {
                        let n = file.read(&mut buffer)?;
                        if n == 0 {
                            break;
                        }
                        hasher.update(&buffer[..n]);
                        count += n as u64;
                    }
                    let digest = hex::encode(std::mem::take(&mut hasher).finalize());
                    measure.stop(&mut out)?;
                    out.insert("count".into(), json!(count));
                    out.insert("checksum".into(), json!(digest));
                }
                _ => {
                    let arrays = float_arrays(&load_episode(&path)?);
                    let mut buffer = Vec::with_capacity(64 << 20);
                    let measure = Measure::start()?;
                    serde_json::to_writer(&mut buffer, &arrays)?;
                    measure.stop(&mut out)?;
                    out.insert("count".into(), json!(buffer.len()));
                }
            }
            out.insert("peak_rss".into(), json!(peak_rss()?));
            println!("{}", Value::Object(out));
            return Ok(());
        }
        _ => {}
    }

    let url = arg(&args, 1, "server URL")?;
    let client = TupliApiClient::with_url(&url)?;
    let plain = tupli::reqwest::Client::new();
    if !mode.starts_with("loopback") {
        client.login("bench", "bench-password").await?;
    }
    match mode.as_str() {
        "baseline" => {
            Measure::start()?.stop(&mut out)?;
            out.insert("count".into(), json!(0));
        }
        "decode-vec" => {
            let measure = Measure::start()?;
            let items = client.list_episode_items(&Filter::all()).await?;
            measure.stop(&mut out)?;
            hash_items(&items, &mut hasher);
            out.insert("count".into(), json!(items.len()));
            let tuples: usize = items.iter().map(|i| i.tuples.len()).sum();
            out.insert("tuples".into(), json!(tuples));
        }
        "decode-stream" => {
            // Keeps nothing: each episode is hashed as it comes, and that
            // hashing (this thread's CPU, and its wall time) is left out.
            let mut measure = Measure::start()?;
            let mut stream = std::pin::pin!(client.stream_episodes(&Filter::all()).await?);
            let (mut count, mut tuples) = (0usize, 0usize);
            while let Some(item) = stream.try_next().await? {
                count += 1;
                tuples += item.tuples.len();
                measure.exclude(|| hash_items(std::slice::from_ref(&item), &mut hasher))?;
            }
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(count));
            out.insert("tuples".into(), json!(tuples));
        }
        "encode" => {
            let episode = load_episode(&arg(&args, 2, "episode file")?)?;
            hash_tuples(&episode.tuples, &mut hasher);
            let measure = Measure::start()?;
            let header = client.record_episode(&episode).await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(header.n_tuples));
        }
        "upload" => {
            let path = arg(&args, 2, "file")?;
            let measure = Measure::start()?;
            let item = client
                .store_artifact_from_path(std::path::Path::new(&path), &metadata("bench.bin"))
                .await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(std::fs::metadata(&path)?.len()));
            out.insert("checksum".into(), json!(item.hash));
            return print(out);
        }
        "download" => {
            let path = arg(&args, 2, "file")?;
            let measure = Measure::start()?;
            let item = client
                .download_artifact_to_path("bench-artifact", std::path::Path::new(&path))
                .await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(std::fs::metadata(&path)?.len()));
            out.insert("checksum".into(), json!(item.hash));
            return print(out);
        }
        "e2e" => {
            let spec = arg(&args, 2, "FILE:EPISODES:CONCURRENCY")?;
            let parts: Vec<&str> = spec.split(':').collect();
            let [path, episodes, concurrency] = parts[..] else {
                return Err(format!("e2e takes FILE:EPISODES:CONCURRENCY, not {spec}").into());
            };
            let (episodes, concurrency): (usize, usize) = (episodes.parse()?, concurrency.parse()?);
            let episode = load_episode(path)?;
            hash_tuples(&episode.tuples, &mut hasher);
            let benchmark = client
                .store_benchmark(&tupli::models::BenchmarkQuery {
                    hash: format!("bench-{}-{}", std::process::id(), concurrency),
                    serialized: "{}".into(),
                    metadata: serde_json::from_value(json!({"name": "bench"}))?,
                })
                .await?;
            let episodes: Vec<Episode> = (0..episodes)
                .map(|_| Episode {
                    benchmark_id: benchmark.id.clone(),
                    ..episode.clone()
                })
                .collect();
            let measure = Measure::start()?;
            let headers: Vec<_> =
                futures::stream::iter(episodes.iter().map(|e| client.record_episode(e)))
                    .buffer_unordered(concurrency.max(1))
                    .try_collect()
                    .await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(headers.len()));
            let tuples: i64 = headers.iter().map(|h| h.n_tuples).sum();
            out.insert("tuples".into(), json!(tuples));
        }
        "dataset-columns" => {
            let dataset = Dataset::new(client.clone())
                .with_benchmark_filter(Filter::eq("metadata.name", "bench"));
            let measure = Measure::start()?;
            let columns = dataset.columns().await?;
            measure.stop(&mut out)?;
            for i in 0..columns.len() {
                let rows = [columns.observations().row(i), columns.actions().row(i)];
                for row in rows {
                    let row = row.ok_or("a row is missing")?;
                    row.iter().for_each(|f| hasher.update(f.to_le_bytes()));
                }
                hasher.update(columns.rewards()[i].to_le_bytes());
            }
            out.insert("count".into(), json!(columns.len()));
        }
        "dataset-export" => {
            let format = match arg(&args, 2, "format")?.as_str() {
                "npz" => Format::Npz,
                "arrow" => Format::Arrow,
                "parquet" => Format::Parquet,
                other => return Err(format!("unknown format {other}").into()),
            };
            let path = arg(&args, 3, "output file")?;
            let dataset = Dataset::new(client.clone())
                .with_benchmark_filter(Filter::eq("metadata.name", "bench"));
            let measure = Measure::start()?;
            let summary = dataset
                .export(format)
                .dtype(Dtype::F64)
                .to_path(&path)
                .await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(summary.tuples));
            out.insert("bytes".into(), json!(summary.bytes));
            return print(out);
        }
        "loopback-episodes" => {
            let measure = Measure::start()?;
            let response = plain
                .post(format!("{url}/episodes/list"))
                .header("content-type", "application/json")
                .body(r#"{"type":"OR","filters":[],"include_tuples":true}"#)
                .send()
                .await?;
            let bytes = discard(response).await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(bytes));
            return print(out);
        }
        "loopback-download" => {
            let measure = Measure::start()?;
            let response = plain
                .get(format!(
                    "{url}/artifacts/download?artifact_id=bench-artifact"
                ))
                .send()
                .await?;
            let bytes = discard(response).await?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(bytes));
            return print(out);
        }
        "loopback-upload" => {
            let body = std::fs::read(arg(&args, 2, "file")?)?;
            let len = body.len();
            let measure = Measure::start()?;
            plain
                .post(format!("{url}/artifacts/upload"))
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
                .await?
                .error_for_status()?;
            measure.stop(&mut out)?;
            out.insert("count".into(), json!(len));
            return print(out);
        }
        other => return Err(format!("unknown mode {other}").into()),
    }
    out.insert("checksum".into(), json!(hex::encode(hasher.finalize())));
    print(out)
}

fn print(mut out: Map<String, Value>) -> Result<(), Error> {
    out.insert("peak_rss".into(), json!(peak_rss()?));
    println!("{}", Value::Object(out));
    Ok(())
}
