//! Ending a recorder: [`close`](EpisodeRecorder::close), dropping it without
//! `close`, and a `close` dropped before it is done.

use std::sync::Arc;

use super::state::{Detached, Shared};
use super::{EpisodeRecorder, RecorderReport};

impl EpisodeRecorder {
    /// Waits until every ended episode is stored or has failed, stops the
    /// background task, and reports: how many were stored, each that was not
    /// (with its error and its tuples), and the tuples of an episode that was
    /// never ended (which are not stored).
    ///
    /// If this future is dropped before it completes, the background task
    /// goes on as after dropping the recorder (see the [module
    /// docs](crate::recorder)), and the failures so far are logged.
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
}

impl Drop for EpisodeRecorder {
    fn drop(&mut self) {
        if self.worker.is_none() {
            return; // closed
        }
        let Detached { pending, failed } = self.shared.detach();
        let unended = self.tuples.len();
        if pending == 0 && failed == 0 && unended == 0 {
            tracing::debug!("EpisodeRecorder dropped without close(), with nothing pending");
            return;
        }
        tracing::warn!(
            pending_episodes = pending,
            held_tuples = self.held_tuples(),
            failed_episodes = failed,
            unended_tuples = unended,
            "EpisodeRecorder dropped without close(): {pending} episode(s) are still being \
             stored in the background while the Tokio runtime runs, and failures will only be \
             logged; {} failed episode(s) and {unended} tuple(s) of an unended episode are \
             discarded. Call `recorder.close().await` to wait for every episode and get the \
             failed ones back.",
            failed
        );
    }
}

/// Warns when `close()` is dropped before it is done.
struct CloseWatch<'a> {
    shared: &'a Shared,
    done: bool,
}

impl Drop for CloseWatch<'_> {
    fn drop(&mut self) {
        if !self.done {
            let pending = self.shared.detach().pending;
            tracing::warn!(
                pending_episodes = pending,
                "EpisodeRecorder::close() was dropped before it completed: the episodes still \
                 pending are stored in the background while the Tokio runtime runs, and \
                 failures will only be logged"
            );
        }
    }
}
