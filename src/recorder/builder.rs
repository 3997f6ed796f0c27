//! [`RecorderBuilder`]: a recorder's settings and their defaults, checked
//! when it starts.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};

use super::state::Shared;
use super::worker::work;
use super::EpisodeRecorder;
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
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

/// Builds an [`EpisodeRecorder`] with settings other than the defaults.
pub struct RecorderBuilder {
    pub(super) storage: Arc<dyn TupliStorage>,
    pub(super) benchmark_id: String,
    pub(super) capacity: usize,
    pub(super) concurrency: usize,
    pub(super) retry_policy: RetryPolicy,
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
