//! The crate's one error type, and the whole path from a server's answer to it.
//!
//! This is the bottom layer: it depends on no other module of the crate.
//! Every error body the server sends is read (capped) and parsed once, by
//! [`Detail::parse`] (in `detail.rs`); reading an answer is in `response.rs`,
//! and the generated client only ever sees the canonical form
//! `progenitor.rs` writes back.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;

mod detail;
mod progenitor;
mod response;

pub(crate) use detail::excerpt;
pub use detail::{Detail, ValidationError, ValidationErrorLocItem};
pub(crate) use progenitor::{from_generated, normalize, path_of, ApiError, GenError};

/// Result alias used by every fallible method of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to a Tupli server.
///
/// No variant ever contains a password or token: error bodies are the
/// server's, and request details are limited to method-independent facts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error("the server answered {status}: {detail}{}", RetryAfterNote(*retry_after))]
    #[non_exhaustive]
    Api {
        /// HTTP status of the answer.
        status: StatusCode,
        /// The server's `detail`: a message or FastAPI's validation errors.
        detail: Detail,
        /// How long the server asked to wait before trying again
        /// (`Retry-After`, in seconds or as a date), when it said.
        retry_after: Option<Duration>,
    },

    /// The server asked to wait longer before a retry than the
    /// [`RetryPolicy`](crate::RetryPolicy) allows, so the request was not
    /// repeated.
    #[error(
        "the server asks to retry after {} s, longer than the retry policy waits ({} s): {source}",
        retry_after.as_secs(),
        allowed.as_secs()
    )]
    RetryAfterTooLong {
        /// What the server asked for.
        retry_after: Duration,
        /// The policy's `max_retry_after`.
        allowed: Duration,
        /// The answer that asked.
        #[source]
        source: Box<Error>,
    },

    /// The server rejected the request as unauthenticated (401) and there is
    /// no refresh token to recover with: log in first.
    #[error("not logged in: call login() first (the server answered 401: {detail})")]
    NotLoggedIn {
        /// The server's `detail`.
        detail: Detail,
    },

    /// The refresh token was rejected or has expired; the stored tokens were
    /// cleared. Log in again.
    #[error("the session has expired and the tokens were cleared: log in again ({detail})")]
    SessionExpired {
        /// Why the session ended (the server's `detail`, or the local check).
        detail: Detail,
    },

    /// The request could not be sent or the answer not received
    /// (connection refused or reset, timeout, TLS, body cut short).
    #[error("transport error{}: {source}", UrlNote(source.url()))]
    Transport {
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },

    /// The server's answer did not have the expected shape.
    #[error(
        "could not decode the server's answer at `{path}`: {message}; body starts with: {excerpt}"
    )]
    Decode {
        /// JSON path of the first mismatch (`.` for the root).
        path: String,
        /// What serde reported.
        message: String,
        /// The start of the body, lossily decoded as UTF-8.
        excerpt: String,
    },

    /// An argument was rejected before anything was sent.
    #[error("invalid argument `{argument}`: {reason}")]
    InvalidInput {
        /// Name of the offending argument.
        argument: &'static str,
        /// Why it was rejected.
        reason: String,
    },

    /// Downloaded bytes do not match the hash the server recorded.
    #[error("integrity check failed for artifact {artifact_id}: expected sha256 {expected}, got {actual}")]
    Integrity {
        /// The artifact that failed the check.
        artifact_id: String,
        /// Hash recorded by the server.
        expected: String,
        /// Hash of what was received.
        actual: String,
    },

    /// An episode cannot become columns of numbers: a value is not a number
    /// or a flat array of numbers of the dataset's width (a nested array, an
    /// object, text, an integer too large for a float, a width other than
    /// the first tuple's, …).
    #[error("episode {episode_id}, step {step}: `{field}` {reason}")]
    Shape {
        /// The episode.
        episode_id: String,
        /// The tuple's index in the episode (0-based).
        step: usize,
        /// `state`, `action` or `reward`.
        field: &'static str,
        /// What the value is, and what was expected.
        reason: String,
    },

    /// No episode matched the selection, so there is nothing to write.
    #[error("no episode matches the selection: nothing was written")]
    EmptySelection,

    /// A local storage (a [`FileStorage`](crate::storage::FileStorage)) holds
    /// no object with this id. A server answers 404 instead ([`Error::Api`]);
    /// [`Error::is_not_found`] is true for both.
    #[error("no {kind} with id {id:?} in {storage}")]
    NotFound {
        /// `benchmark`, `artifact` or `episode`.
        kind: &'static str,
        /// The id asked for.
        id: String,
        /// Which storage ([`TupliStorage::describe`](crate::storage::TupliStorage::describe)).
        storage: String,
    },

    /// Reading or writing a local file failed.
    #[error("I/O error: {source}")]
    Io {
        /// The underlying I/O error.
        #[from]
        source: std::io::Error,
    },

    /// A thread or blocking task this crate ran work on panicked, or
    /// stopped before it answered (the runtime shut down first): a bug in
    /// this crate or its dependencies, not the server, the input or the disk.
    #[error(
        "the {task} worker {}",
        if *panicked { "panicked" } else { "stopped before it answered" }
    )]
    #[non_exhaustive]
    Worker {
        /// Which worker: `tupli-write` (writes a downloaded file), `tupli-sync`
        /// (flushes a file to disk), `tupli-hash` (hashes a transfer's bytes),
        /// `tupli-decode` (decodes a large episode), `tupli-export` (writes a
        /// dataset file) or `tupli-file` (a [`FileStorage`](crate::FileStorage) file task).
        task: &'static str,
        /// Whether it panicked; else it ended without an answer. What a panic
        /// said is never kept.
        panicked: bool,
    },

    /// The writer of a dataset file failed on what it was given (the file's
    /// layout, the format's limits, its encoder), not on the disk: that is
    /// [`Error::Io`]. No file was written.
    #[error("the {format} writer failed: {source}")]
    #[non_exhaustive]
    Export {
        /// The writer: `npz`, `arrow` (also building a Parquet file's
        /// batches) or `parquet`.
        format: &'static str,
        /// What the writer reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl Error {
    /// Returns the message followed by those of its sources that add
    /// something, each once (`transport error (http://…): error sending
    /// request: client error (Connect): … Connection refused`): what a report
    /// shows, where the message alone would hide the cause.
    pub fn with_sources(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let said = cause.to_string();
            if !text.contains(&said) {
                text.push_str(": ");
                text.push_str(&said);
            }
            source = cause.source();
        }
        text
    }

    /// Returns the HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::RetryAfterTooLong { source, .. } => source.status(),
            Error::NotLoggedIn { .. } | Error::SessionExpired { .. } => {
                Some(StatusCode::UNAUTHORIZED)
            }
            Error::Transport { source } => source.status(),
            _ => None,
        }
    }

    /// Returns the server's `detail`, when it sent one.
    pub fn detail(&self) -> Option<&Detail> {
        match self {
            Error::Api { detail, .. }
            | Error::NotLoggedIn { detail }
            | Error::SessionExpired { detail } => Some(detail),
            Error::RetryAfterTooLong { source, .. } => source.detail(),
            _ => None,
        }
    }

    /// Returns whether repeating the same request may succeed: a connection
    /// that failed or broke before an answer came (refused, reset, a timeout,
    /// a kept-alive connection the server had closed), 429 (too many
    /// requests) and 502/503/504. This is the rule automatic retries follow,
    /// for the operations that are safe to repeat (see the crate docs).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { source } => {
                source.is_connect() || source.is_timeout() || source.is_request()
            }
            Error::Api { status, .. } => matches!(status.as_u16(), 429 | 502..=504),
            _ => false,
        }
    }

    /// How long the server asked to wait before a retry, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Api { retry_after, .. } => *retry_after,
            Error::RetryAfterTooLong { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    /// Returns whether the error is about authentication or permissions (401, 403).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::NotLoggedIn { .. } | Error::SessionExpired { .. }
        ) || matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// Returns whether the object does not exist: the server answered 404,
    /// or a local storage has no object with that id ([`Error::NotFound`]).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. }) || self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Returns whether the server answered 409 (the object exists).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    pub(crate) fn invalid(argument: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            argument,
            reason: reason.into(),
        }
    }

    pub(crate) fn decode(bytes: &[u8], path: String, message: impl fmt::Display) -> Self {
        Error::Decode {
            path,
            message: message.to_string(),
            excerpt: excerpt(bytes),
        }
    }

    /// The worker `task` (a thread or blocking task of ours) panicked, or
    /// stopped before it answered.
    pub(crate) fn worker(task: &'static str, panicked: bool) -> Self {
        Error::Worker { task, panicked }
    }

    /// The blocking task `task` did not answer: it panicked, or the runtime
    /// shut down before it ran.
    pub(crate) fn joined(task: &'static str, error: &tokio::task::JoinError) -> Self {
        Error::worker(task, error.is_panic())
    }

    /// The writer of a dataset file in `format` failed on what it was given
    /// (not on the disk: that is [`Error::Io`]).
    #[cfg(any(feature = "npz", feature = "arrow", feature = "parquet"))]
    pub(crate) fn export(
        format: &'static str,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Error::Export {
            format,
            source: source.into(),
        }
    }
}

impl From<reqwest::Error> for Error {
    /// Keeps where the request went (scheme, host, port and path) for the
    /// message, never its query (ids, filters), user info or fragment.
    fn from(mut source: reqwest::Error) -> Self {
        if let Some(url) = source.url_mut() {
            url.set_query(None);
            url.set_fragment(None);
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        Error::Transport { source }
    }
}

/// ", asked to retry after N s" after an error message, when the server said.
struct RetryAfterNote(Option<Duration>);

/// ` (url)` after "transport error" when the request's URL is known: the
/// message names where the connection was tried (reqwest's own message
/// does not).
struct UrlNote<'a>(Option<&'a reqwest::Url>);

impl fmt::Display for UrlNote<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(url) => write!(f, " ({url})"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for RetryAfterNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(wait) => write!(f, " (it asks to retry after {} s)", wait.as_secs()),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
