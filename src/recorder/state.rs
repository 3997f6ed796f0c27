//! What the recorder and its background task share: the queued [`Job`]s,
//! how each ended ([`Outcome`]), and the counts and failures so far.

use std::sync::{Mutex, MutexGuard, PoisonError};

use super::FailedEpisode;
use crate::error::Error;
use crate::models::Episode;

/// An ended episode on its way to the storage.
pub(super) struct Job {
    pub(super) episode: Episode,
    pub(super) key: String,
    /// The key was given, not made here: look for it before the first send.
    pub(super) check_first: bool,
}

/// How one episode ended.
pub(super) enum Outcome {
    Stored {
        found_by_key: bool,
    },
    Failed {
        error: Error,
        attempts: u32,
        maybe_stored: bool,
    },
}

/// What the recorder and its task share.
#[derive(Default)]
pub(super) struct Shared {
    state: Mutex<State>,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) stored: usize,
    pub(super) found_by_key: usize,
    /// Ended, not yet stored or failed.
    pub(super) pending: usize,
    pub(super) failed: Vec<FailedEpisode>,
    /// The recorder was dropped without close(): nobody collects failures.
    pub(super) detached: bool,
}

/// What was left when nobody would collect the failures any more
/// ([`Shared::detach`]).
pub(super) struct Detached {
    /// Episodes still being stored.
    pub(super) pending: usize,
    /// Failed episodes not collected, now logged as lost.
    pub(super) failed: usize,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a job's outcome.
    pub(super) fn finish(&self, job: Job, outcome: Outcome) {
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
                        error = %failed.error.with_sources(),
                        "episode not stored; EpisodeRecorder::close reports it"
                    );
                    state.failed.push(failed);
                }
            }
        }
    }

    /// Nobody will collect failures any more (the recorder, or its
    /// `close()`, was dropped): the ones to come are logged as they happen,
    /// and those not yet collected are logged now.
    pub(super) fn detach(&self) -> Detached {
        let mut state = self.lock();
        state.detached = true;
        let failed = std::mem::take(&mut state.failed);
        let pending = state.pending;
        drop(state);
        for failure in &failed {
            log_lost(failure);
        }
        Detached {
            pending,
            failed: failed.len(),
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
        error = %failed.error.with_sources(),
        "episode not stored and lost: the EpisodeRecorder was dropped without close()"
    );
}
