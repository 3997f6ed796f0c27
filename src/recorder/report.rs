//! What a recorder reports: [`RecorderReport`], each [`FailedEpisode`], and
//! how their errors are shown.

use std::fmt;

#[cfg(doc)]
use super::EpisodeRecorder;
use crate::error::Error;
use crate::models::{Episode, RlTuple};
use crate::storage::identity::EPISODE_KEY;
#[cfg(doc)]
use crate::storage::TupliStorage;

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
    /// [`EpisodeStorage::record_episode`](crate::storage::EpisodeStorage::record_episode)) to try again later.
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
            self.error.with_sources()
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
