//! The crate's one error type.

use std::fmt;

use reqwest::StatusCode;

use crate::generated::types::{ApiErrorDetail, ValidationError};

/// Result alias used by every fallible method of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many bytes of an unexpected response body an error keeps.
pub(crate) const EXCERPT_LEN: usize = 512;

/// Everything that can go wrong talking to a Tupli server.
///
/// No variant ever contains a password or token: error bodies are the
/// server's, and request details are limited to method-independent facts.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error("the server answered {status}: {detail}")]
    Api {
        /// HTTP status of the answer.
        status: StatusCode,
        /// The server's `detail`: a message or FastAPI's validation errors.
        detail: Detail,
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
    #[error("transport error: {source}")]
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

    /// Reading or writing a local file failed.
    #[error("I/O error: {source}")]
    Io {
        /// The underlying I/O error.
        #[from]
        source: std::io::Error,
    },
}

impl Error {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api { status, .. } => Some(*status),
            Error::NotLoggedIn { .. } | Error::SessionExpired { .. } => {
                Some(StatusCode::UNAUTHORIZED)
            }
            Error::Transport { source } => source.status(),
            _ => None,
        }
    }

    /// The server's `detail`, when it sent one.
    pub fn detail(&self) -> Option<&Detail> {
        match self {
            Error::Api { detail, .. }
            | Error::NotLoggedIn { detail }
            | Error::SessionExpired { detail } => Some(detail),
            _ => None,
        }
    }

    /// Whether repeating the same request may succeed: connection failures,
    /// timeouts, and 502/503/504 answers. (Whether repeating it is *safe* is
    /// another matter: see the retry policy in the crate docs.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { source } => source.is_connect() || source.is_timeout(),
            Error::Api { status, .. } => matches!(
                *status,
                StatusCode::BAD_GATEWAY
                    | StatusCode::SERVICE_UNAVAILABLE
                    | StatusCode::GATEWAY_TIMEOUT
            ),
            _ => false,
        }
    }

    /// What automatic retries react to: the request never reached the server
    /// (connection failure), or a gateway said the server was unavailable.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            Error::Transport { source } => source.is_connect(),
            Error::Api { status, .. } => matches!(status.as_u16(), 502..=504),
            _ => false,
        }
    }

    /// Whether the error is about authentication or permissions (401, 403).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            Error::NotLoggedIn { .. } | Error::SessionExpired { .. }
        ) || matches!(
            self.status(),
            Some(StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN)
        )
    }

    /// Whether the server answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the server answered 409 (the object exists).
    pub fn is_conflict(&self) -> bool {
        self.status() == Some(StatusCode::CONFLICT)
    }

    /// Reads an error answer obtained outside this client (e.g. a raw
    /// `reqwest` call to the same server) into an [`Error`]: the status and
    /// the server's `detail`. At most 1 MiB of the body is read.
    pub async fn from_response(mut response: reqwest::Response) -> Self {
        let status = response.status();
        match crate::hooks::read_capped(&mut response, crate::hooks::MAX_ERROR_BODY).await {
            Ok((body, _)) if !status.is_success() => Error::Api {
                status,
                detail: Detail::from_body(&body),
            },
            Ok((body, _)) => {
                Error::decode(&body, ".".into(), format!("unexpected status {status}"))
            }
            Err(e) => e.into(),
        }
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
}

impl From<reqwest::Error> for Error {
    fn from(source: reqwest::Error) -> Self {
        Error::Transport {
            source: source.without_url(),
        }
    }
}

/// The `detail` of an error answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Detail {
    /// A plain message.
    Message(String),
    /// FastAPI's request validation errors (422).
    Validation(Vec<ValidationError>),
    /// The body was not a `{"detail": …}` document; this is its start.
    Body(String),
    /// There was no body.
    Empty,
}

impl Detail {
    /// The detail as one line of text.
    pub fn message(&self) -> String {
        self.to_string()
    }

    pub(crate) fn from_body(bytes: &[u8]) -> Self {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Detail::Empty;
        }
        match serde_json::from_slice::<crate::generated::types::ApiError>(bytes) {
            Ok(api) => api.detail.into(),
            Err(_) => Detail::Body(excerpt(bytes)),
        }
    }
}

impl From<ApiErrorDetail> for Detail {
    fn from(detail: ApiErrorDetail) -> Self {
        match detail {
            ApiErrorDetail::String(s) => Detail::Message(s),
            ApiErrorDetail::Array(v) => Detail::Validation(v),
        }
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Detail::Message(m) => f.write_str(m),
            Detail::Body(b) => write!(f, "unexpected body: {b}"),
            Detail::Empty => f.write_str("no details given"),
            Detail::Validation(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    let loc: Vec<String> = e
                        .loc
                        .iter()
                        .map(|l| match l {
                            crate::generated::types::ValidationErrorLocItem::String(s) => s.clone(),
                            crate::generated::types::ValidationErrorLocItem::Integer(n) => {
                                n.to_string()
                            }
                        })
                        .collect();
                    write!(f, "{}: {}", loc.join("."), e.msg)?;
                }
                Ok(())
            }
        }
    }
}

/// The start of a body as text, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(EXCERPT_LEN)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > EXCERPT_LEN {
        s.push_str(&format!("… ({} bytes in all)", bytes.len()));
    }
    s
}
