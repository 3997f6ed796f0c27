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

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use serde_json::{Map, Value};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::models::{Episode, RlTuple};
use crate::retry::RetryPolicy;
use crate::storage::identity::{new_episode_key, EPISODE_KEY};
use crate::storage::TupliStorage;
use crate::validate;

/// How many tuples a recorder holds at most by default (see
/// [`RecorderBuilder::capacity`]).
pub const DEFAULT_CAPACITY: usize = 100_000;

/// How many episodes a recorder stores at once by default (see
/// [`RecorderBuilder::concurrency`]).
pub const DEFAULT_CONCURRENCY: usize = 1;

/// How a recorder retries by default: 8 attempts in all, the waits between
/// them doubling from 0.5 s up to 30 s, each drawn at random between half and
/// all of that (so about 30 s to 60 s of waiting before an episode is given
/// up); a server's `Retry-After` of up to 2 minutes is waited for instead.
/// The client's own default ([`RetryPolicy::default`]: 3 attempts, up to 5 s
/// apart, `Retry-After` up to 30 s) gives up sooner, as suits a call someone
/// is waiting for.
pub const DEFAULT_RETRY_POLICY: RetryPolicy = RetryPolicy {
    max_attempts: 8,
    initial_backoff: Duration::from_millis(500),
    max_backoff: Duration::from_secs(30),
    max_retry_after: Duration::from_secs(120),
};

/// The largest capacity (tuples are counted with 32-bit permits).
const MAX_CAPACITY: usize = u32::MAX as usize;

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

/// Builds an [`EpisodeRecorder`] with settings other than the defaults.
pub struct RecorderBuilder {
    storage: Arc<dyn TupliStorage>,
    benchmark_id: String,
    capacity: usize,
    concurrency: usize,
    retry_policy: RetryPolicy,
}

impl fmt::Debug for RecorderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecorderBuilder")
            .field("storage", &self.storage.describe())
            .field("benchmark_id", &self.benchmark_id)
            .field("capacity", &self.capacity)
            .field("concurrency", &self.concurrency)
            .field("retry_policy", &self.retry_policy)
            .finish()
    }
}

impl RecorderBuilder {
    /// The most tuples held at once (default [`DEFAULT_CAPACITY`]): the
    /// episode being pushed plus the ended ones not yet stored. Memory is
    /// about this many tuples; [`push`](EpisodeRecorder::push) waits when the
    /// recorder is full, and no episode may be longer. At least 1.
    pub fn capacity(mut self, tuples: usize) -> Self {
        self.capacity = tuples;
        self
    }

    /// How many episodes are stored at once (default
    /// [`DEFAULT_CONCURRENCY`], which stores them in the order they ended).
    /// At least 1.
    pub fn concurrency(mut self, episodes: usize) -> Self {
        self.concurrency = episodes;
        self
    }

    /// How transient failures are retried (default
    /// [`DEFAULT_RETRY_POLICY`]). `max_attempts` counts every failed request
    /// for an episode, sends and key look-ups alike.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry_policy = policy;
        self
    }

    /// Starts the recorder and its background task on the current Tokio
    /// runtime.
    ///
    /// Fails with [`Error::InvalidInput`] for an empty benchmark id, a
    /// capacity or concurrency of 0 (or a capacity over `u32::MAX`), or when
    /// called outside a Tokio runtime.
    pub fn build(self) -> Result<EpisodeRecorder> {
        validate::name("benchmark_id", &self.benchmark_id)?;
        if self.capacity == 0 || self.capacity > MAX_CAPACITY {
            return Err(Error::invalid(
                "capacity",
                format!("must be between 1 and {MAX_CAPACITY} tuples"),
            ));
        }
        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            Error::invalid(
                "runtime",
                "an EpisodeRecorder stores episodes on a Tokio task: build it inside a Tokio runtime",
            )
        })?;
        let room = Arc::new(Semaphore::new(self.capacity));
        // Every queued episode holds at least one tuple of room, so the
        // channel never fills before the room runs out.
        let (sender, receiver) = mpsc::channel(self.capacity);
        let shared = Arc::new(Shared::default());
        let worker = runtime.spawn(work(
            self.storage,
            receiver,
            Arc::clone(&room),
            Arc::clone(&shared),
            self.retry_policy,
            self.concurrency,
        ));
        Ok(EpisodeRecorder {
            benchmark_id: self.benchmark_id,
            capacity: self.capacity,
            tuples: Vec::new(),
            room,
            jobs: Some(sender),
            worker: Some(worker),
            shared,
        })
    }
}

impl EpisodeRecorder {
    /// Starts a recorder of episodes of `benchmark_id` into `storage`, with
    /// the default settings (see [`EpisodeRecorder::builder`]). Any storage
    /// works: `Arc::new(client)`, `Arc::new(file_storage)`, or an
    /// `Arc<dyn TupliStorage>` you hold already.
    ///
    /// Fails as [`RecorderBuilder::build`] does.
    pub fn new(
        storage: Arc<dyn TupliStorage>,
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
    /// let recorder = EpisodeRecorder::builder(Arc::new(storage), "a3f…")
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
        storage: Arc<dyn TupliStorage>,
        benchmark_id: impl Into<String>,
    ) -> RecorderBuilder {
        RecorderBuilder {
            storage,
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
        check_finite(&tuple, self.tuples.len())?;
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
        validate::name("episode.benchmark_id", &episode.benchmark_id)?;
        if episode.tuples.is_empty() {
            return Err(Error::invalid(
                "episode.tuples",
                "an episode needs at least one tuple",
            ));
        }
        for (step, tuple) in episode.tuples.iter().enumerate() {
            check_finite(tuple, step)?;
        }
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

    /// Waits until every ended episode is stored or has failed, stops the
    /// background task, and reports: how many were stored, each that was not
    /// (with its error and its tuples), and the tuples of an episode that was
    /// never ended (which are not stored).
    ///
    /// If this future is dropped before it completes, the background task
    /// goes on as after dropping the recorder (see the [module docs](self)),
    /// and the failures so far are logged.
    pub async fn close(mut self) -> RecorderReport {
        let unended = std::mem::take(&mut self.tuples);
        if !unended.is_empty() {
            tracing::warn!(
                tuples = unended.len(),
                "EpisodeRecorder closed with an unended episode: its tuples are not stored \
                 (they are in the report's `unended`)"
            );
            self.room.add_permits(unended.len());
        }
        // Closing the channel lets the task end once the queue is empty.
        self.jobs = None;
        let worker = self.worker.take();
        let shared = Arc::clone(&self.shared);
        drop(self);
        let mut watch = CloseWatch {
            shared: &shared,
            done: false,
        };
        if let Some(worker) = worker {
            match worker.await {
                Ok(()) => {}
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => tracing::error!(
                    "the EpisodeRecorder's background task was cancelled (its Tokio runtime \
                     shut down): episodes still queued were not stored"
                ),
            }
        }
        watch.done = true;
        let mut state = shared.lock();
        RecorderReport {
            stored: state.stored,
            found_by_key: state.found_by_key,
            failed: std::mem::take(&mut state.failed),
            unended,
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

    /// Queues a job; gives it back when the task is gone.
    fn enqueue(&self, job: Job) -> std::result::Result<(), Job> {
        let Some(jobs) = &self.jobs else {
            return Err(job);
        };
        self.shared.lock().pending += 1;
        jobs.try_send(job).map_err(|e| {
            self.shared.lock().pending -= 1;
            match e {
                mpsc::error::TrySendError::Full(job) | mpsc::error::TrySendError::Closed(job) => {
                    job
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

impl Drop for EpisodeRecorder {
    fn drop(&mut self) {
        if self.worker.is_none() {
            return; // closed
        }
        let mut state = self.shared.lock();
        state.detached = true;
        let failed = std::mem::take(&mut state.failed);
        let pending = state.pending;
        drop(state);
        for failure in &failed {
            log_lost(failure);
        }
        let unended = self.tuples.len();
        if pending == 0 && failed.is_empty() && unended == 0 {
            tracing::debug!("EpisodeRecorder dropped without close(), with nothing pending");
            return;
        }
        tracing::warn!(
            pending_episodes = pending,
            held_tuples = self.held_tuples(),
            failed_episodes = failed.len(),
            unended_tuples = unended,
            "EpisodeRecorder dropped without close(): {pending} episode(s) are still being \
             stored in the background while the Tokio runtime runs, and failures will only be \
             logged; {} failed episode(s) and {unended} tuple(s) of an unended episode are \
             discarded. Call `recorder.close().await` to wait for every episode and get the \
             failed ones back.",
            failed.len()
        );
    }
}

/// What [`EpisodeRecorder::close`] reports.
#[derive(Debug)]
#[non_exhaustive]
pub struct RecorderReport {
    /// Episodes stored.
    pub stored: usize,
    /// Of those, episodes found in the storage by their key instead of being
    /// confirmed by an answer (the answer was lost, or an episode passed to
    /// [`record`](EpisodeRecorder::record) was stored already).
    pub found_by_key: usize,
    /// Every episode that could not be stored (less those taken with
    /// [`take_failures`](EpisodeRecorder::take_failures)).
    pub failed: Vec<FailedEpisode>,
    /// The tuples of an episode pushed but never ended (not stored).
    pub unended: Vec<RlTuple>,
}

impl RecorderReport {
    /// Whether every episode was stored and none was left unended.
    pub fn is_complete(&self) -> bool {
        self.failed.is_empty() && self.unended.is_empty()
    }
}

impl fmt::Display for RecorderReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} episode(s) stored ({} found by key), {} failed",
            self.stored,
            self.found_by_key,
            self.failed.len()
        )?;
        if !self.unended.is_empty() {
            write!(f, ", {} tuple(s) of an unended episode", self.unended.len())?;
        }
        Ok(())
    }
}

/// An episode the recorder could not store.
#[derive(Debug)]
#[non_exhaustive]
pub struct FailedEpisode {
    /// The episode's key (also in `episode.metadata["tupli_key"]`).
    pub key: String,
    /// The episode, whole: pass it to [`EpisodeRecorder::record`] (or
    /// [`TupliStorage::record_episode`]) to try again later.
    pub episode: Episode,
    /// Why it failed: the last error of sending it (or of looking for it).
    pub error: Error,
    /// The requests that failed for it (sends and key look-ups).
    pub attempts: u32,
    /// Whether the storage may hold it all the same: a request may have
    /// reached the storage and the look-up by key could not be made. Look for
    /// `metadata.tupli_key` before storing it again, or pass it to
    /// [`EpisodeRecorder::record`], which does. When false, the storage does
    /// not hold it.
    pub maybe_stored: bool,
}

impl fmt::Display for FailedEpisode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "episode {} ({} tuples) not stored after {} failed request(s): {}",
            self.key,
            self.episode.tuples.len(),
            self.attempts,
            Chain(&self.error)
        )?;
        if self.maybe_stored {
            write!(
                f,
                " (it may be stored all the same: look for metadata.{EPISODE_KEY} = {})",
                self.key
            )?;
        }
        Ok(())
    }
}

/// An ended episode on its way to the storage.
struct Job {
    episode: Episode,
    key: String,
    /// The key was given, not made here: look for it before the first send.
    check_first: bool,
}

/// What the recorder and its task share.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    stored: usize,
    found_by_key: usize,
    /// Ended, not yet stored or failed.
    pending: usize,
    failed: Vec<FailedEpisode>,
    /// The recorder was dropped without close(): nobody collects failures.
    detached: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a job's outcome.
    fn finish(&self, job: Job, outcome: Outcome) {
        let mut state = self.lock();
        state.pending = state.pending.saturating_sub(1);
        match outcome {
            Outcome::Stored { found_by_key } => {
                state.stored += 1;
                state.found_by_key += usize::from(found_by_key);
                tracing::debug!(key = %job.key, found_by_key, "episode stored");
            }
            Outcome::Failed {
                error,
                attempts,
                maybe_stored,
            } => {
                let failed = FailedEpisode {
                    key: job.key,
                    episode: job.episode,
                    error,
                    attempts,
                    maybe_stored,
                };
                if state.detached {
                    log_lost(&failed);
                } else {
                    tracing::warn!(
                        key = %failed.key,
                        tuples = failed.episode.tuples.len(),
                        attempts,
                        maybe_stored,
                        error = %Chain(&failed.error),
                        "episode not stored; EpisodeRecorder::close reports it"
                    );
                    state.failed.push(failed);
                }
            }
        }
    }
}

/// Logs a failed episode nobody will collect.
fn log_lost(failed: &FailedEpisode) {
    tracing::error!(
        key = %failed.key,
        tuples = failed.episode.tuples.len(),
        attempts = failed.attempts,
        maybe_stored = failed.maybe_stored,
        error = %Chain(&failed.error),
        "episode not stored and lost: the EpisodeRecorder was dropped without close()"
    );
}

/// Warns when `close()` is dropped before it is done.
struct CloseWatch<'a> {
    shared: &'a Shared,
    done: bool,
}

impl Drop for CloseWatch<'_> {
    fn drop(&mut self) {
        if !self.done {
            let mut state = self.shared.lock();
            state.detached = true;
            let failed = std::mem::take(&mut state.failed);
            let pending = state.pending;
            drop(state);
            for failure in &failed {
                log_lost(failure);
            }
            tracing::warn!(
                pending_episodes = pending,
                "EpisodeRecorder::close() was dropped before it completed: the episodes still \
                 pending are stored in the background while the Tokio runtime runs, and \
                 failures will only be logged"
            );
        }
    }
}

/// Logs what is lost when the task is dropped before its queue is empty
/// (the runtime shut down).
struct WorkerWatch {
    shared: Arc<Shared>,
    done: bool,
}

impl Drop for WorkerWatch {
    fn drop(&mut self) {
        let state = self.shared.lock();
        if !self.done && state.pending > 0 {
            tracing::error!(
                pending_episodes = state.pending,
                "the EpisodeRecorder's background task stopped (its Tokio runtime shut down) \
                 with {} episode(s) not stored: they are lost",
                state.pending
            );
        }
    }
}

/// How one episode ended.
enum Outcome {
    Stored {
        found_by_key: bool,
    },
    Failed {
        error: Error,
        attempts: u32,
        maybe_stored: bool,
    },
}

/// The background task: stores the queued episodes, `concurrency` at a
/// time, until the recorder closes the queue and it is empty.
async fn work(
    storage: Arc<dyn TupliStorage>,
    mut jobs: mpsc::Receiver<Job>,
    room: Arc<Semaphore>,
    shared: Arc<Shared>,
    policy: RetryPolicy,
    concurrency: usize,
) {
    let mut watch = WorkerWatch {
        shared: Arc::clone(&shared),
        done: false,
    };
    futures::stream::poll_fn(|cx| jobs.poll_recv(cx))
        .for_each_concurrent(concurrency, |job| {
            let (storage, room, shared, policy) = (&storage, &room, &shared, &policy);
            async move {
                let tuples = job.episode.tuples.len();
                // A storage of your own that panics fails the episode, not the task.
                let outcome = AssertUnwindSafe(store(storage.as_ref(), &job, policy))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|panic| Outcome::Failed {
                        error: Error::Io {
                            source: std::io::Error::other(format!(
                                "the storage panicked while recording the episode: {}",
                                panic_message(panic.as_ref())
                            )),
                        },
                        attempts: 1,
                        maybe_stored: true,
                    });
                shared.finish(job, outcome);
                room.add_permits(tuples);
            }
        })
        .await;
    watch.done = true;
    let state = shared.lock();
    if state.detached {
        tracing::info!(
            stored = state.stored,
            "the background task of a dropped EpisodeRecorder is done"
        );
    }
}

/// Stores one episode: sends it, retries transient failures, and looks for
/// it by key whenever a failed request may have stored it.
async fn store(storage: &dyn TupliStorage, job: &Job, policy: &RetryPolicy) -> Outcome {
    let mut attempts: u32 = 0;
    // The storage may hold the episode: look before sending.
    let mut uncertain = job.check_first;
    // The error that ended the sending; the episode is only looked for now.
    let mut gave_up: Option<Error> = None;
    loop {
        if uncertain {
            match find(storage, job).await {
                Ok(true) => return Outcome::Stored { found_by_key: true },
                Ok(false) => {
                    // Not there: send it (unless sending has ended).
                    if let Some(error) = gave_up {
                        return Outcome::Failed {
                            error,
                            attempts,
                            maybe_stored: false,
                        };
                    }
                }
                Err(error) => {
                    attempts = attempts.saturating_add(1);
                    let shown = Chain(&error).to_string();
                    match pause_after(policy, attempts, error) {
                        Ok(pause) => {
                            tracing::debug!(key = %job.key, attempts, pause_ms = pause.as_millis(),
                                error = %shown, "looking for the episode failed; trying again");
                            tokio::time::sleep(pause).await;
                            continue;
                        }
                        Err(error) => {
                            if gave_up.is_some() {
                                tracing::debug!(key = %job.key, error = %shown, "looking for the episode failed");
                            }
                            return Outcome::Failed {
                                error: gave_up.unwrap_or(error),
                                attempts,
                                maybe_stored: true,
                            };
                        }
                    }
                }
            }
        }
        match storage.record_episode(&job.episode).await {
            Ok(_) => {
                return Outcome::Stored {
                    found_by_key: false,
                }
            }
            Err(error) => {
                attempts = attempts.saturating_add(1);
                uncertain = may_have_arrived(&error);
                let shown = Chain(&error).to_string();
                match pause_after(policy, attempts, error) {
                    Ok(pause) => {
                        tracing::debug!(key = %job.key, attempts, pause_ms = pause.as_millis(),
                            may_have_arrived = uncertain, error = %shown,
                            "recording the episode failed; trying again");
                        tokio::time::sleep(pause).await;
                    }
                    // Not sent again; look for it once more before reporting it.
                    Err(error) if uncertain => gave_up = Some(error),
                    Err(error) => {
                        return Outcome::Failed {
                            error,
                            attempts,
                            maybe_stored: false,
                        }
                    }
                }
            }
        }
    }
}

/// After failed attempt number `attempts`, by the client's rules: the pause
/// before the next attempt (the server's `Retry-After` up to the policy's
/// limit, else the jittered backoff), or the error that ends the retries (not
/// retryable, no attempts left, or a `Retry-After` longer than the limit).
fn pause_after(policy: &RetryPolicy, attempts: u32, error: Error) -> Result<Duration> {
    if error.is_retryable() && attempts < policy.max_attempts.max(1) {
        policy.pause(attempts, error)
    } else {
        Err(error)
    }
}

/// Whether the storage holds an episode of the job's benchmark with its key.
async fn find(storage: &dyn TupliStorage, job: &Job) -> Result<bool> {
    let filter = Filter::eq(format!("metadata.{EPISODE_KEY}"), job.key.as_str());
    let headers = storage.list_episode_headers(&filter).await?;
    Ok(headers.iter().any(|header| {
        header.benchmark_id == job.episode.benchmark_id
            && header.metadata.get(EPISODE_KEY).and_then(Value::as_str) == Some(job.key.as_str())
    }))
}

/// Whether a failed request may have stored the episode all the same: it
/// may have reached the storage, unless the connection was refused or the
/// answer says it was rejected.
fn may_have_arrived(error: &Error) -> bool {
    match error {
        Error::Transport { source } => !source.is_connect(),
        // A 500 may come after the episode was written; a gateway's 502/504
        // may come while the server goes on.
        Error::Api { status, .. } => status.is_server_error(),
        Error::RetryAfterTooLong { source, .. } => may_have_arrived(source),
        // The answer arrived but was not understood: it was probably stored.
        Error::Decode { .. } => true,
        // A local write may fail after the file is in place.
        Error::Io { .. } => true,
        Error::NotLoggedIn { .. }
        | Error::SessionExpired { .. }
        | Error::InvalidInput { .. }
        | Error::Integrity { .. }
        | Error::Shape { .. }
        | Error::EmptySelection
        | Error::NotFound { .. } => false,
    }
}

/// The episode's key: the string already in `metadata` (`true`), or a new
/// one added to it (`false`).
fn episode_key(metadata: &mut Map<String, Value>) -> Result<(String, bool)> {
    match metadata.get(EPISODE_KEY) {
        None => {
            let key = new_episode_key();
            metadata.insert(EPISODE_KEY.to_string(), Value::String(key.clone()));
            Ok((key, false))
        }
        Some(Value::String(key)) => {
            validate::name("metadata.tupli_key", key)?;
            Ok((key.clone(), true))
        }
        Some(other) => Err(Error::invalid(
            "metadata.tupli_key",
            format!("is the episode's key and must be a string, not {other}"),
        )),
    }
}

/// NaN and infinities have no JSON form: refuse them, naming where they are.
fn check_finite(tuple: &RlTuple, step: usize) -> Result<()> {
    match tuple.first_non_finite() {
        Some(at) => Err(Error::invalid(
            "tuple",
            format!("step {step}: {at} is NaN or infinite, which JSON cannot carry"),
        )),
        None => Ok(()),
    }
}

/// An error with its sources (`transport error: error sending request: …:
/// Connection refused`), each said once.
struct Chain<'a>(&'a Error);

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = self.0.to_string();
        let mut source = std::error::Error::source(self.0);
        while let Some(cause) = source {
            let said = cause.to_string();
            if !text.ends_with(&said) {
                text.push_str(": ");
                text.push_str(&said);
            }
            source = cause.source();
        }
        f.write_str(&text)
    }
}

/// The error when the background task is gone (its runtime shut down).
fn stopped() -> Error {
    Error::invalid(
        "recorder",
        "the background task that stores episodes has stopped (its Tokio runtime shut down); \
         nothing was queued",
    )
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorder_and_its_report_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<EpisodeRecorder>();
        send_sync::<RecorderBuilder>();
        send_sync::<RecorderReport>();
        send_sync::<FailedEpisode>();
    }

    #[test]
    fn keys_are_made_once_and_given_keys_kept() {
        let mut metadata = Map::new();
        let (key, given) = episode_key(&mut metadata).unwrap();
        assert!(!given);
        assert_eq!(key.len(), 32);
        assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(metadata[EPISODE_KEY], Value::String(key.clone()));
        assert_eq!(episode_key(&mut metadata).unwrap(), (key, true));
        for bad in [Value::from(7), Value::String(" ".into()), Value::Null] {
            let mut metadata = Map::from_iter([(EPISODE_KEY.to_string(), bad.clone())]);
            assert!(episode_key(&mut metadata).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_finite_values_are_named() {
        let tuple = RlTuple::new(vec![0.0, f64::NAN], 1.0, 0.0);
        let error = check_finite(&tuple, 4).unwrap_err().to_string();
        assert!(error.contains("step 4: state[1] is NaN"), "{error}");
        let tuple = RlTuple::new(vec![0.0], 1.0, f64::NEG_INFINITY);
        let error = check_finite(&tuple, 0).unwrap_err().to_string();
        assert!(error.contains("reward is NaN or infinite"), "{error}");
    }

    #[test]
    fn errors_are_shown_with_their_sources_once() {
        let error = Error::from(std::io::Error::other("disk full"));
        assert_eq!(Chain(&error).to_string(), "I/O error: disk full");
    }

    #[test]
    fn refused_answers_did_not_arrive() {
        let api = |status: u16| Error::Api {
            status: reqwest::StatusCode::from_u16(status).unwrap(),
            detail: crate::Detail::Empty,
            retry_after: None,
        };
        assert!(may_have_arrived(&api(500)));
        assert!(may_have_arrived(&api(504)));
        assert!(!may_have_arrived(&api(404)));
        assert!(!may_have_arrived(&api(422)));
        assert!(!may_have_arrived(&api(429)));
        let too_long = |status| Error::RetryAfterTooLong {
            retry_after: Duration::from_secs(600),
            allowed: Duration::from_secs(120),
            source: Box::new(api(status)),
        };
        assert!(may_have_arrived(&too_long(503)));
        assert!(!may_have_arrived(&too_long(429)));
        assert!(!may_have_arrived(&Error::invalid("x", "y")));
    }
}
