//! A bounded soak run for `cargo xtask soak`: many tasks share one client and
//! run a mixed workload against one server for a fixed time.
//!
//! `soak-client URL SECONDS TASKS` logs in as admin and prints one JSON line:
//! operations done (each one request when nothing goes wrong: setup and
//! teardown included, the login not), errors (with the first few messages),
//! the seconds from the login to the last answer, the lifetime of each access
//! token the client held (read from its `exp` claim when it first showed up),
//! and the process's RSS sampled once a second.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};
use tupli::prelude::*;

use serde_json::json;
use tupli::models::{BenchmarkQuery, Episode, RlTuple};
use tupli::{ExposeSecret, Filter, TupliApiClient};

fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

#[derive(Default)]
struct Tally {
    ops: AtomicU64,
    errors: AtomicU64,
    first_errors: Mutex<Vec<String>>,
}

impl Tally {
    fn record<T>(&self, result: tupli::Result<T>) -> Option<T> {
        match result {
            Ok(value) => {
                self.ops.fetch_add(1, Ordering::Relaxed);
                Some(value)
            }
            Err(e) => {
                self.errors.fetch_add(1, Ordering::Relaxed);
                let mut first = self.first_errors.lock().unwrap_or_else(|e| e.into_inner());
                if first.len() < 5 {
                    first.push(e.to_string());
                }
                None
            }
        }
    }
}

/// One round of the workload: record, list, load, publish, unpublish, delete.
async fn round(client: &TupliApiClient, benchmark: &str, task: usize, tally: &Tally) {
    let episode = Episode {
        benchmark_id: benchmark.to_string(),
        metadata: serde_json::from_value(json!({"soak_task": task})).unwrap_or_default(),
        tuples: (0..50)
            .map(|i| RlTuple::new(vec![i as f64 * 0.5, -0.25], (i % 3) as f64, 1.0))
            .collect(),
    };
    let Some(header) = tally.record(client.record_episode(&episode).await) else {
        return;
    };
    let mine = Filter::eq("metadata.soak_task", task as u64);
    tally.record(client.list_episode_headers(&mine).await);
    tally.record(client.load_benchmark(benchmark).await);
    tally.record(
        client
            .publish_episode(&header.id, tupli::GLOBAL_GROUP)
            .await,
    );
    tally.record(client.unpublish_episode(&header.id, "global").await);
    tally.record(client.delete_episode(&header.id).await);
}

/// Watches the client's access token until `deadline`: the lifetime of each
/// new one (its expiry less the time it first showed up), in seconds. Polled
/// every few milliseconds, so a token is seen within that of its arrival.
async fn token_lifetimes(client: TupliApiClient, stop: Arc<AtomicBool>) -> Vec<f64> {
    let mut lifetimes = Vec::new();
    let mut last: Option<String> = None;
    while !stop.load(Ordering::Relaxed) {
        if let Some(tokens) = client.tokens() {
            let access = tokens.access_token().expose_secret();
            if last.as_deref() != Some(access) {
                last = Some(access.to_string());
                if let Some(exp) = tokens.access_expires_at() {
                    let left = exp
                        .duration_since(SystemTime::now())
                        .map_or(0.0, |d| d.as_secs_f64());
                    lifetimes.push(left);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    lifetimes
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let url = args.first().ok_or("usage: soak-client URL SECONDS TASKS")?;
    let seconds: u64 = args.get(1).map_or(Ok(60), |s| s.parse())?;
    let tasks: usize = args.get(2).map_or(Ok(16), |s| s.parse())?;
    let client = TupliApiClient::with_url(url.as_str())?;
    client.login("admin", "pytupli").await?;
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(token_lifetimes(client.clone(), Arc::clone(&stop)));
    let tally = Arc::new(Tally::default());
    let benchmark = client
        .store_benchmark(&BenchmarkQuery {
            hash: format!("soak-{}", std::process::id()),
            serialized: "{}".into(),
            metadata: serde_json::from_value(json!({"name": "soak"}))?,
        })
        .await?;
    tally.ops.fetch_add(1, Ordering::Relaxed);

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..tasks)
        .map(|task| {
            let (client, tally, benchmark) =
                (client.clone(), Arc::clone(&tally), benchmark.id.clone());
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    round(&client, &benchmark, task, &tally).await;
                }
            })
        })
        .collect();
    let mut samples = Vec::new();
    while Instant::now() < deadline {
        samples.push(rss());
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    for worker in workers {
        worker.await?;
    }
    samples.push(rss());
    client.delete_benchmark(&benchmark.id).await?;
    tally.ops.fetch_add(1, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let lifetimes = watcher.await?;
    let first_errors = tally
        .first_errors
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    println!(
        "{}",
        json!({
            "ops": tally.ops.load(Ordering::Relaxed),
            "errors": tally.errors.load(Ordering::Relaxed),
            "first_errors": first_errors,
            "elapsed_secs": elapsed,
            "token_lifetimes_secs": lifetimes,
            "rss_samples": samples,
        })
    );
    Ok(())
}
