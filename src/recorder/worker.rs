//! The background task: takes the queued episodes and stores each one,
//! retrying transient failures and looking for it by key when a failed
//! request may have stored it.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::{FutureExt, StreamExt};
use tokio::sync::{mpsc, Semaphore};

use super::lookup::{find, may_have_arrived};
use super::state::{Job, Outcome, Shared};
use crate::error::{Error, Result};
use crate::retry::RetryPolicy;
use crate::storage::TupliStorage;

/// The background task: stores the queued episodes, `concurrency` at a
/// time, until the recorder closes the queue and it is empty.
pub(super) async fn work(
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
                    let shown = error.with_sources();
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
                let shown = error.with_sources();
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

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
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
