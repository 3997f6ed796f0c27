//! Recording episodes from an environment loop: [`EpisodeRecorder`], the
//! Rust counterpart of the recording done by pytupli's `TupliEnvWrapper`.
//!
//! The loop [`push`](EpisodeRecorder::push)es one tuple per step and calls
//! [`end_episode`](EpisodeRecorder::end_episode) when the episode terminates or
//! is cut off; a background task stores each ended episode on any
//! [`TupliStorage`] while the loop goes on. [`close`](EpisodeRecorder::close)
//! waits for the last one and reports every episode that could not be stored,
//! with its tuples, so nothing is lost.
//!
//! ```no_run
//! # async fn demo(client: tupli::TupliApiClient, benchmark_id: &str) -> tupli::Result<()> {
//! use std::sync::Arc;
//! use serde_json::{json, Map};
//! use tupli::models::RlTuple;
//! use tupli::EpisodeRecorder;
//!
//! let mut recorder = EpisodeRecorder::new(Arc::new(client), benchmark_id)?;
//! for episode in 0..100 {
//!     let mut x = 0.0_f64;
//!     for step in 0..200 {
//!         let action = if (episode + step) % 3 == 0 { -1.0 } else { 1.0 };
//!         x += action;
//!         let mut tuple = RlTuple::new(vec![x], action, -x.abs());
//!         tuple.terminal = x.abs() >= 10.0;
//!         tuple.timeout = step == 199 && !tuple.terminal;
//!         let done = tuple.terminal || tuple.timeout;
//!         recorder.push(tuple).await?; // waits while the queue is full
//!         if done {
//!             recorder.end_episode(Map::from_iter([("episode".to_string(), json!(episode))]))?;
//!             break;
//!         }
//!     }
//! }
//! let report = recorder.close().await;
//! for failed in &report.failed {
//!     eprintln!("{failed}"); // failed.episode holds its tuples and metadata
//! }
//! # Ok(()) }
//! ```
//!
//! # What it guarantees
//!
//! - **Bounded memory.** The recorder holds at most
//!   [`capacity`](RecorderBuilder::capacity) tuples: those of the episode being
//!   pushed plus those of the ended episodes not yet stored. When it is full,
//!   [`push`](EpisodeRecorder::push) waits until an episode has been stored, so
//!   a slow storage slows the loop down instead of filling memory. An episode
//!   longer than the capacity is refused at the `push` that would exceed it.
//! - **Retries.** The client's rules: a failure [`Error::is_retryable`]
//!   accepts (a connection that failed or broke before an answer, a timeout,
//!   429, 502/503/504) is retried after the server's `Retry-After`, when it
//!   gives one and the [`RetryPolicy`] allows that long, else after the
//!   policy's jittered backoff. The default, [`DEFAULT_RETRY_POLICY`], is 8
//!   attempts with waits doubling from 0.5 s up to 30 s and `Retry-After` up
//!   to 2 minutes: a background recorder can afford more patience than a call
//!   someone waits for. Other failures (an unknown benchmark, a refused
//!   login, invalid input, a longer `Retry-After`) are not retried: the
//!   episode is reported.
//! - **Exactly once.** Recording an episode is not idempotent: when an answer
//!   is lost after the storage stored the episode, sending it again would
//!   store it twice. So before its first attempt each episode gets a key, a
//!   random UUID in hex, in its metadata under `tupli_key`. After a failure
//!   whose request may have reached the storage (anything but a refused
//!   connection or a 4xx), the recorder first asks the storage for an episode of that
//!   benchmark with that key and sends again only if there is none. An
//!   episode found that way counts as stored
//!   ([`RecorderReport::found_by_key`]). A failure that is not retried but may
//!   have reached the storage (a 500, a cut connection) is looked up the same
//!   way before it is reported.
//! - **Nothing lost silently.** [`close`](EpisodeRecorder::close) returns a
//!   [`RecorderReport`]: how many episodes were stored, and each one that was
//!   not ([`FailedEpisode`]: key, error, the whole episode to store again
//!   later, and whether it may be stored anyway because the last look-up failed
//!   too). Tuples pushed but never ended come back in the report as well.
//!
//! If `metadata` already holds a string `tupli_key` (for instance an episode
//! of an earlier report, passed to [`record`](EpisodeRecorder::record)), that
//! key is kept and the storage is asked for it *before* the first attempt, so
//! resubmitting an episode that was stored after all does not store it twice.
//! Keys you set yourself must be unique per benchmark. (A look-up is one
//! list request to a server; a [`FileStorage`](crate::FileStorage) reads its
//! episode files for it.)
//!
//! # Order
//!
//! With [`concurrency`](RecorderBuilder::concurrency) 1 (the default),
//! episodes are stored one after the other in the order they ended (a retried
//! episode holds back the ones behind it). With more, several are stored at
//! once and may arrive in any order. A storage does not promise to list
//! episodes in the order they arrived anyway: use metadata to order them.
//!
//! # Dropping without `close`
//!
//! Dropping an [`EpisodeRecorder`] without calling
//! [`close`](EpisodeRecorder::close) logs a `tracing` warning saying how many
//! episodes are still being stored and that `close().await` waits for them.
//! The background task goes on storing the queued episodes as long as the
//! Tokio runtime runs; episodes that then fail are logged as errors (key,
//! tuple count, error), failures not yet collected are logged at once, and
//! so are the tuples of an unended episode, which are discarded. If the
//! runtime shuts down first, the episodes still queued are logged as lost.
//!
//! # Defaults and failures
//!
//! `examples/record.rs` runs such a loop into a folder
//! (`cargo run --example record -- runs/walk`) or to a server
//! (`… -- --server`, with `TUPLI_URL`, `TUPLI_USER`, `TUPLI_PASSWORD`).
//!
//! The capacity defaults to [`DEFAULT_CAPACITY`] (100,000 tuples), and NaN
//! and infinite floats, which JSON cannot carry, are refused at `push`
//! ([`Error::InvalidInput`]), as is an episode
//! longer than the capacity. Its retry policy, [`DEFAULT_RETRY_POLICY`], is
//! more patient than the client's. A failed episode can be stored again later
//! with [`recorder.record(failed.episode)`](EpisodeRecorder::record), which
//! keeps its key and looks for it first; failures are also logged (`tracing`)
//! when they happen, and [`take_failures()`](EpisodeRecorder::take_failures)
//! collects them during a long run. The test suite records 1,000 episodes
//! through a server that is slow, twice down, answers 503s and loses answers
//! after storing: each episode arrives exactly once or is reported (and then
//! is not on the server).
//!
//! # What differs from pytupli's `TupliEnvWrapper`
//!
//! | | pytupli `TupliEnvWrapper` | tupli `EpisodeRecorder` |
//! | --- | --- | --- |
//! | when an episode is stored | inside `step`, the loop waits for the server | in the background; `push` waits only when `capacity` tuples are held |
//! | ending an episode | on `terminated` or `truncated` | `end_episode(metadata)`, called by the loop |
//! | metadata | a callback called at every step; its answer at the last step | the map given to `end_episode` (plus `tupli_key`) |
//! | a failure | an exception out of `step`; the tuples stay buffered and go out with the next episode's | retried if transient, else reported with the episode |
//! | a lost answer | — (no retries) | found by key, never stored twice |

mod builder;
mod close;
mod input;
mod lookup;
mod report;
mod state;
#[cfg(test)]
mod tests;
mod worker;

use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::models::{Episode, RlTuple};
#[cfg(doc)]
use crate::retry::RetryPolicy;
use crate::storage::TupliStorage;
use crate::validate;

pub use builder::{RecorderBuilder, DEFAULT_CAPACITY, DEFAULT_CONCURRENCY, DEFAULT_RETRY_POLICY};
pub use report::{FailedEpisode, RecorderReport};

use input::{episode_key, stopped};
use state::{Job, Shared};

/// Records episodes from an environment loop into a [`TupliStorage`] in the
/// background: [`push`](Self::push) a tuple per step,
/// [`end_episode`](Self::end_episode) when the episode is over,
/// [`close`](Self::close) at the end. See the [module docs](self) for the
/// guarantees (bounded memory, retries, exactly once, nothing lost).
///
/// Must be built inside a Tokio runtime, which runs the background task.
pub struct EpisodeRecorder {
    benchmark_id: String,
    capacity: usize,
    /// The episode being pushed.
    tuples: Vec<RlTuple>,
    /// One permit per tuple of room: taken by `push` (or `record`), given
    /// back once the episode holding the tuple is stored or reported.
    room: Arc<Semaphore>,
    /// `None` once closed.
    jobs: Option<mpsc::Sender<Job>>,
    /// `None` once closed.
    worker: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl EpisodeRecorder {
    /// Starts a recorder of episodes of `benchmark_id` into `storage`, with
    /// the default settings (see [`EpisodeRecorder::builder`]). The
    /// recorder keeps the storage: pass a clone (a client's clones share one
    /// session), an `Arc`, or the storage itself.
    ///
    /// Fails as [`RecorderBuilder::build`] does.
    pub fn new(
        storage: impl TupliStorage + 'static,
        benchmark_id: impl Into<String>,
    ) -> Result<EpisodeRecorder> {
        EpisodeRecorder::builder(storage, benchmark_id).build()
    }

    /// A builder for a recorder with its own capacity, concurrency or retry
    /// policy.
    ///
    /// ```no_run
    /// # async fn demo(storage: tupli::FileStorage) -> tupli::Result<()> {
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use tupli::{EpisodeRecorder, RetryPolicy};
    ///
    /// let recorder = EpisodeRecorder::builder(storage, "a3f…")
    ///     .capacity(1_000_000) // tuples held at most
    ///     .concurrency(4) // episodes stored at once (in any order)
    ///     .retry_policy(
    ///         RetryPolicy::default()
    ///             .with_max_attempts(20)
    ///             .with_backoff(Duration::from_secs(1), Duration::from_secs(60))
    ///             .with_max_retry_after(Duration::from_secs(600)),
    ///     )
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder(
        storage: impl TupliStorage + 'static,
        benchmark_id: impl Into<String>,
    ) -> RecorderBuilder {
        RecorderBuilder {
            storage: Arc::new(storage),
            benchmark_id: benchmark_id.into(),
            capacity: DEFAULT_CAPACITY,
            concurrency: DEFAULT_CONCURRENCY,
            retry_policy: DEFAULT_RETRY_POLICY,
        }
    }

    /// Adds a step to the current episode, waiting while the recorder is full
    /// (see [`RecorderBuilder::capacity`]).
    ///
    /// Refuses, with [`Error::InvalidInput`] and without adding the tuple, a
    /// NaN or infinite float in `state`, `action` or `reward` (JSON cannot
    /// carry them), and a tuple that would make the episode longer than the
    /// capacity. If the future is dropped before it completes, the tuple is
    /// not added.
    pub async fn push(&mut self, tuple: RlTuple) -> Result<()> {
        validate::tuple(self.tuples.len(), &tuple)?;
        if self.tuples.len() >= self.capacity {
            return Err(Error::invalid(
                "tuple",
                format!(
                    "the episode already has {} tuples, the recorder's capacity: end it, or \
                     build the recorder with a larger capacity",
                    self.tuples.len()
                ),
            ));
        }
        let permit = self.room.acquire().await.map_err(|_| stopped())?;
        permit.forget();
        self.tuples.push(tuple);
        Ok(())
    }

    /// Ends the current episode: it is queued to be stored in the background
    /// with `metadata` (to which its key is added, see the [module
    /// docs](self)), and the next [`push`](Self::push) starts a new episode.
    /// Returns the episode's key.
    ///
    /// Does not wait. Fails with [`Error::InvalidInput`], changing nothing,
    /// when no tuple was pushed since the last episode (an episode needs at
    /// least one), or when `metadata` holds a `tupli_key` that is not a
    /// non-empty string.
    pub fn end_episode(&mut self, mut metadata: Map<String, Value>) -> Result<String> {
        if self.tuples.is_empty() {
            return Err(Error::invalid(
                "episode.tuples",
                "an episode needs at least one tuple: push one first",
            ));
        }
        let (key, given) = episode_key(&mut metadata)?;
        let episode = Episode {
            benchmark_id: self.benchmark_id.clone(),
            metadata,
            tuples: std::mem::take(&mut self.tuples),
        };
        match self.enqueue(Job {
            episode,
            key: key.clone(),
            check_first: given,
        }) {
            Ok(()) => Ok(key),
            Err(job) => {
                self.tuples = job.episode.tuples;
                Err(stopped())
            }
        }
    }

    /// Queues a whole episode (of any benchmark), waiting while the recorder
    /// lacks room for its tuples; returns its key. Meant for episodes built
    /// elsewhere, such as a [`FailedEpisode`]'s `episode` from an earlier
    /// report: its `tupli_key` is kept and looked for before the first
    /// attempt, so it is stored at most once.
    ///
    /// Fails with [`Error::InvalidInput`] as [`push`](Self::push) and
    /// [`end_episode`](Self::end_episode) do, and when the episode has more
    /// tuples than the room left beside the episode being pushed. If the
    /// future is dropped before it completes, the episode is not queued.
    pub async fn record(&mut self, mut episode: Episode) -> Result<String> {
        validate::episode(&episode)?;
        let n = episode.tuples.len();
        let room = self.capacity - self.tuples.len();
        if n > room {
            return Err(Error::invalid(
                "episode.tuples",
                format!(
                    "the episode has {n} tuples and the recorder room for {room} (capacity {}, \
                     less {} of the episode being pushed)",
                    self.capacity,
                    self.tuples.len()
                ),
            ));
        }
        let (key, given) = episode_key(&mut episode.metadata)?;
        // n <= capacity <= u32::MAX.
        let permits = u32::try_from(n).unwrap_or(u32::MAX);
        self.room
            .acquire_many(permits)
            .await
            .map_err(|_| stopped())?
            .forget();
        match self.enqueue(Job {
            episode,
            key: key.clone(),
            check_first: given,
        }) {
            Ok(()) => Ok(key),
            Err(_) => {
                self.room.add_permits(n);
                Err(stopped())
            }
        }
    }

    /// The episodes ended and not yet stored or reported (queued, or being
    /// stored).
    pub fn pending_episodes(&self) -> usize {
        self.shared.lock().pending
    }

    /// The tuples held: those of the episode being pushed plus those of the
    /// pending episodes. Never more than the capacity.
    pub fn held_tuples(&self) -> usize {
        self.capacity - self.room.available_permits().min(self.capacity)
    }

    /// The tuples pushed to the current episode so far.
    pub fn episode_len(&self) -> usize {
        self.tuples.len()
    }

    /// The capacity, in tuples (see [`RecorderBuilder::capacity`]).
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Takes the episodes that failed so far, for a long run that handles
    /// them as it goes (each failure is also logged when it happens). They
    /// are not in [`close`](Self::close)'s report then. The recorder's
    /// capacity does not count failed episodes: they are kept until taken or
    /// reported.
    pub fn take_failures(&self) -> Vec<FailedEpisode> {
        std::mem::take(&mut self.shared.lock().failed)
    }

    /// Queues a job; gives it back (boxed: a job is large) when the task is
    /// gone.
    fn enqueue(&self, job: Job) -> std::result::Result<(), Box<Job>> {
        let Some(jobs) = &self.jobs else {
            return Err(Box::new(job));
        };
        self.shared.lock().pending += 1;
        jobs.try_send(job).map_err(|e| {
            self.shared.lock().pending -= 1;
            match e {
                mpsc::error::TrySendError::Full(job) | mpsc::error::TrySendError::Closed(job) => {
                    Box::new(job)
                }
            }
        })
    }
}

impl fmt::Debug for EpisodeRecorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EpisodeRecorder")
            .field("benchmark_id", &self.benchmark_id)
            .field("capacity", &self.capacity)
            .field("episode_len", &self.tuples.len())
            .field("held_tuples", &self.held_tuples())
            .field("pending_episodes", &self.pending_episodes())
            .finish_non_exhaustive()
    }
}
