//! `EpisodeRecorder`: a simulated environment recording through a server
//! that is slow, briefly down and loses answers; a queue that makes the
//! producer wait; failures reported, not retried; dropping without `close`;
//! a `FileStorage`.

mod behaviour;
mod own_storage;
mod server;
mod soak;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Map};
use tupli::models::RlTuple;
use tupli::{EpisodeRecorder, RetryPolicy, TupliApiClient};

/// The benchmark every server of the suite knows.
const BENCH: &str = "bench-1";

/// A deterministic random source (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A uniform number in `[0, 1)` decided by `seed` and `n` alone.
fn chance(seed: u64, n: u64) -> f64 {
    Rng(seed ^ n.wrapping_mul(0xD6E8_FEB8_6659_FD93)).unit()
}

/// A one-dimensional random walk: the agent steps left or right, is
/// rewarded for staying near 0, terminates at ±`bound` and is cut off after
/// `limit` steps.
struct RandomWalk {
    rng: Rng,
    x: f64,
    steps: usize,
    bound: f64,
    limit: usize,
}

impl RandomWalk {
    fn new(seed: u64, bound: f64, limit: usize) -> Self {
        RandomWalk {
            rng: Rng(seed),
            x: 0.0,
            steps: 0,
            bound,
            limit,
        }
    }

    fn reset(&mut self) -> f64 {
        self.x = 0.0;
        self.steps = 0;
        self.x
    }

    /// One step: the tuple, and whether the episode is over.
    fn step(&mut self) -> (RlTuple, bool) {
        let state = self.x;
        let action = if self.rng.unit() < 0.5 { -1.0 } else { 1.0 };
        self.x += action;
        self.steps += 1;
        let terminal = self.x.abs() >= self.bound;
        let timeout = !terminal && self.steps >= self.limit;
        let tuple = RlTuple {
            state: vec![state, self.steps as f64 * 0.5].into(),
            action: action.into(),
            reward: (-self.x.abs()).into(),
            info: Map::from_iter([("x".to_string(), json!(self.x))]),
            terminal,
            timeout,
        };
        (tuple, terminal || timeout)
    }
}

/// Runs `episodes` episodes of the walk through `recorder`; returns each
/// episode's key and tuple count, in the order they ended.
async fn run_walk(
    recorder: &mut EpisodeRecorder,
    walk: &mut RandomWalk,
    episodes: usize,
) -> Vec<(String, usize)> {
    let mut ended = Vec::with_capacity(episodes);
    for episode in 0..episodes {
        walk.reset();
        let mut n = 0;
        loop {
            let (tuple, done) = walk.step();
            recorder.push(tuple).await.unwrap();
            assert!(recorder.held_tuples() <= recorder.capacity());
            n += 1;
            if done {
                let metadata = Map::from_iter([("episode".to_string(), json!(episode))]);
                ended.push((recorder.end_episode(metadata).unwrap(), n));
                break;
            }
        }
    }
    ended
}

/// A client of `url` that gives up reading after `read_timeout` and retries
/// its own safe requests briefly.
fn client(url: &str, read_timeout: Duration) -> TupliApiClient {
    TupliApiClient::builder()
        .url(url)
        .read_timeout(read_timeout)
        .connect_timeout(Duration::from_secs(5))
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_backoff(Duration::from_millis(5), Duration::from_millis(20)),
        )
        .build()
        .unwrap()
}

/// A quick policy for tests.
fn quick(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(max_attempts)
        .with_backoff(Duration::from_millis(5), Duration::from_millis(20))
}

/// Captures what is logged on this thread (every level) while the guard
/// lives.
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = Captured(Arc::clone(&buffer));
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    (buffer, tracing::subscriber::set_default(subscriber))
}

fn text(buffer: &Arc<Mutex<Vec<u8>>>) -> String {
    String::from_utf8_lossy(&buffer.lock().unwrap()).into_owned()
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
