//! Records episodes of a small environment loop with an `EpisodeRecorder`,
//! the counterpart of pytupli's `TupliEnvWrapper`: a tuple per step, the
//! episode stored in the background when it ends, a report at the end.
//!
//! Into a folder (a `FileStorage`, made if missing; pytupli reads it too):
//!
//! ```text
//! cargo run --example record -- runs/walk
//! ```
//!
//! Or to a server, logged in with `TUPLI_URL`, `TUPLI_USER` and `TUPLI_PASSWORD`
//! (a local reference server: `cargo xtask server start`):
//!
//! ```text
//! TUPLI_URL=http://127.0.0.1:8080 cargo run --example record -- --server
//! ```

use std::sync::Arc;

use serde_json::{json, Map};
use tupli::models::{BenchmarkMetadata, BenchmarkQuery, RlTuple};
use tupli::storage::{FileStorage, TupliStorage};
use tupli::{EpisodeRecorder, Filter, TupliApiClient};

/// A walk on a line: push left or right, rewarded for staying near 0; the
/// episode terminates at ±5 and is cut off after 50 steps.
struct Walk {
    x: f64,
    steps: u32,
    seed: u64,
}

impl Walk {
    fn reset(&mut self) -> Vec<f64> {
        self.x = 0.0;
        self.steps = 0;
        vec![self.x, 0.0]
    }

    /// `(observation, reward, terminated, truncated)`, as gymnasium's `step`.
    fn step(&mut self, action: f64) -> (Vec<f64>, f64, bool, bool) {
        // A little noise from a linear congruential generator.
        self.seed = self.seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let noise = ((self.seed >> 33) % 3) as f64 - 1.0;
        self.x += action + noise;
        self.steps += 1;
        let terminated = self.x.abs() >= 5.0;
        let truncated = !terminated && self.steps >= 50;
        let observation = vec![self.x, f64::from(self.steps)];
        (observation, -self.x.abs(), terminated, truncated)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = std::env::args()
        .nth(1)
        .ok_or("usage: record <folder> | record --server")?;
    let storage: Arc<dyn TupliStorage> = if target == "--server" {
        let client = TupliApiClient::new()?;
        let user = std::env::var("TUPLI_USER").unwrap_or_else(|_| "admin".into());
        let password = std::env::var("TUPLI_PASSWORD").unwrap_or_else(|_| "pytupli".into());
        client.login(&user, &password).await?;
        Arc::new(client)
    } else {
        Arc::new(FileStorage::create(&target)?)
    };

    // The benchmark the episodes belong to (stored once; found by its hash
    // on later runs).
    let query = BenchmarkQuery {
        hash: "tupli-example-walk-v1".into(),
        serialized: json!({"env": "walk", "bound": 5, "max_steps": 50}).to_string(),
        metadata: BenchmarkMetadata {
            name: "walk".into(),
            description: "a walk on a line (examples/record.rs)".into(),
            difficulty: Some("easy".into()),
            version: Some("1".into()),
            extra: Map::new(),
        },
    };
    let benchmark_id = match storage.store_benchmark(&query).await {
        Ok(header) => header.id,
        // A server answers 409 for a hash it has.
        Err(e) if e.is_conflict() => {
            storage
                .list_benchmarks(&Filter::eq("hash", query.hash.as_str()))
                .await?
                .into_iter()
                .next()
                .ok_or(e)?
                .id
        }
        Err(e) => return Err(e.into()),
    };

    let mut recorder = EpisodeRecorder::new(Arc::clone(&storage), &benchmark_id)?;
    let mut env = Walk {
        x: 0.0,
        steps: 0,
        seed: 7,
    };
    for episode in 0..20 {
        let mut observation = env.reset();
        let mut total = 0.0;
        loop {
            // The policy: push back towards 0.
            let action = if observation[0] > 0.0 { -1.0 } else { 1.0 };
            let (next, reward, terminated, truncated) = env.step(action);
            total += reward;
            let mut tuple = RlTuple::new(observation, action, reward);
            tuple.terminal = terminated;
            tuple.timeout = truncated;
            // Waits only when the recorder holds its capacity of tuples.
            recorder.push(tuple).await?;
            observation = next;
            if terminated || truncated {
                // What pytupli's metadata callback would give.
                let metadata = Map::from_iter([
                    ("episode".to_string(), json!(episode)),
                    ("return".to_string(), json!(total)),
                ]);
                let key = recorder.end_episode(metadata)?;
                println!("episode {episode}: return {total:.1}, key {key}");
                break;
            }
        }
    }

    // Waits for the episodes still being stored.
    let report = recorder.close().await;
    println!("{report} in {}", storage.describe());
    for failed in &report.failed {
        eprintln!("{failed}");
    }
    Ok(())
}
