//! The crate's one error type, and the whole path from a server's answer to it.
//!
//! This is the bottom layer: it depends on no other module of the crate.
//! Every error body the server sends is read (capped) and parsed here, once,
//! by [`Detail::parse`]; the generated client only ever sees the canonical
//! form [`normalize`] writes back.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Result alias used by every fallible method of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many bytes of an unexpected response body an error keeps.
pub(crate) const EXCERPT_LEN: usize = 512;

/// The longest error body read; the rest of a longer one is dropped.
pub(crate) const MAX_ERROR_BODY: usize = 1 << 20;

/// The longest message kept from a server's `detail` (in bytes).
const MAX_DETAIL_MESSAGE: usize = 4096;

/// The most validation errors kept from a server's `detail`.
const MAX_VALIDATION_ERRORS: usize = 32;

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
}

impl Error {
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

    /// Reads an error answer obtained outside this client (e.g. a raw
    /// `reqwest` call to the same server) into an [`Error`]: the status and
    /// the server's `detail`. At most 1 MiB of the body is read.
    pub async fn from_response(mut response: reqwest::Response) -> Self {
        let retry_after = retry_after(response.headers());
        let status = response.status();
        match read_capped(&mut response, MAX_ERROR_BODY).await {
            Ok((body, _)) if !status.is_success() => Error::Api {
                status,
                detail: Detail::parse(&body),
                retry_after,
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
    /// Returns the detail as one line of text.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Reads an error body: `{"detail": …}` as the server sends it, anything
    /// else as an excerpt. The one place error bodies are parsed. What a
    /// server sends is cut to a size an error message can carry: messages to
    /// 4 KiB, validation lists to 32 entries.
    pub(crate) fn parse(body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Answer {
            detail: ServerDetail,
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum ServerDetail {
            Message(String),
            Validation(Vec<ValidationError>),
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            return Detail::Empty;
        }
        match serde_json::from_slice::<Answer>(body) {
            Ok(Answer {
                detail: ServerDetail::Message(m),
            }) => Detail::Message(shorten(m, MAX_DETAIL_MESSAGE)),
            Ok(Answer {
                detail: ServerDetail::Validation(v),
            }) => Detail::Validation(shorten_validation(v)),
            Err(_) => Detail::Body(excerpt(body)),
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
                    for (j, part) in e.loc.iter().enumerate() {
                        if j > 0 {
                            f.write_str(".")?;
                        }
                        write!(f, "{part}")?;
                    }
                    write!(f, ": {}", e.msg)?;
                }
                Ok(())
            }
        }
    }
}

/// One request validation error, as FastAPI reports it (in a 422's `detail`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ValidationError {
    /// Where the error is (`body`, then field names or list indices).
    pub loc: Vec<ValidationErrorLocItem>,
    /// Human-readable message.
    pub msg: String,
    /// Machine-readable error kind.
    #[serde(rename = "type")]
    pub type_: String,
}

/// One step of a [`ValidationError`]'s location: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ValidationErrorLocItem {
    /// A field name.
    String(String),
    /// A list index.
    Integer(i64),
}

impl fmt::Display for ValidationErrorLocItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationErrorLocItem::String(s) => f.write_str(s),
            ValidationErrorLocItem::Integer(n) => write!(f, "{n}"),
        }
    }
}

/// The generated client's error type: an error answer after [`normalize`]
/// has parsed it. Never built from a server's bytes directly.
// progenitor limit: the error type of every operation must be a model it
// decodes from the body, so the parsed `Detail` travels in a canonical form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiError {
    #[serde(with = "canonical")]
    #[schemars(with = "serde_json::Value")]
    detail: Detail,
}

/// The canonical, lossless JSON form of a [`Detail`] between [`normalize`]
/// and the generated client.
mod canonical {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::{Detail, ValidationError};

    #[derive(Serialize, Deserialize)]
    enum Canonical {
        Message(String),
        Validation(Vec<ValidationError>),
        Body(String),
        Empty,
    }

    pub(super) fn serialize<S: Serializer>(detail: &Detail, s: S) -> Result<S::Ok, S::Error> {
        match detail.clone() {
            Detail::Message(m) => Canonical::Message(m),
            Detail::Validation(v) => Canonical::Validation(v),
            Detail::Body(b) => Canonical::Body(b),
            Detail::Empty => Canonical::Empty,
        }
        .serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Detail, D::Error> {
        Ok(match Canonical::deserialize(d)? {
            Canonical::Message(m) => Detail::Message(m),
            Canonical::Validation(v) => Detail::Validation(v),
            Canonical::Body(b) => Detail::Body(b),
            Canonical::Empty => Detail::Empty,
        })
    }
}

/// The generated client's error, as operations return it.
pub(crate) type GenError = progenitor_client::Error<ApiError>;

/// Rewrites an error answer for the generated client: its body, read up to
/// [`MAX_ERROR_BODY`] and parsed by [`Detail::parse`], becomes the canonical
/// [`ApiError`], so decoding it cannot fail. Status and headers are kept.
pub(crate) async fn normalize(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let mut headers = response.headers().clone();
    let (body, _) = read_capped(&mut response, MAX_ERROR_BODY).await?;
    let canonical = ApiError {
        detail: Detail::parse(&body),
    };
    // Serializing a tree of strings into memory cannot fail.
    let body = serde_json::to_vec(&canonical).unwrap_or_default();
    headers.remove(CONTENT_LENGTH);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let mut rebuilt = http::Response::new(Bytes::from(body));
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

/// Turns a generated-client error into the crate's error; `path` finds where
/// a success body stopped matching its type.
pub(crate) async fn from_generated(error: GenError, path: fn(&[u8]) -> String) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::ErrorResponse(value) => Error::Api {
            status: value.status(),
            retry_after: retry_after(value.headers()),
            detail: value.into_inner().detail,
        },
        E::InvalidResponsePayload(bytes, e) => Error::decode(&bytes, path(&bytes), e),
        E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => e.into(),
        E::UnexpectedResponse(response) => Error::from_response(response).await,
        E::InvalidRequest(reason) | E::Custom(reason) => Error::InvalidInput {
            argument: "request",
            reason,
        },
    }
}

/// `Retry-After`: seconds, or an HTTP date (counted from now; a past date
/// is no wait). Anything else is ignored.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// ", asked to retry after N s" after an error message, when the server said.
struct RetryAfterNote(Option<Duration>);

impl fmt::Display for RetryAfterNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(wait) => write!(f, " (it asks to retry after {} s)", wait.as_secs()),
            None => Ok(()),
        }
    }
}

/// The JSON path at which `bytes` stop matching `T` (for decode errors).
pub(crate) fn path_of<T: DeserializeOwned>(bytes: &[u8]) -> String {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => e.path().to_string(),
        Ok(_) => ".".to_string(),
    }
}

/// Reads at most `cap` bytes of a body; `complete` is false when more followed.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap.saturating_sub(buf.len());
        if chunk.len() > room {
            buf.extend_from_slice(chunk.get(..room).unwrap_or_default());
            return Ok((buf.freeze(), false));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((buf.freeze(), true))
}

/// `text` cut to at most `max` bytes (at a character boundary), saying so.
fn shorten(mut text: String, max: usize) -> String {
    if text.len() > max {
        let total = text.len();
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str(&format!("… ({total} bytes in all)"));
    }
    text
}

/// A validation list cut to [`MAX_VALIDATION_ERRORS`] entries of bounded
/// size; a last entry says how many were left out.
fn shorten_validation(errors: Vec<ValidationError>) -> Vec<ValidationError> {
    let total = errors.len();
    let mut kept: Vec<ValidationError> = errors
        .into_iter()
        .take(MAX_VALIDATION_ERRORS)
        .map(|e| ValidationError {
            loc: e.loc.into_iter().take(MAX_VALIDATION_ERRORS).collect(),
            msg: shorten(e.msg, EXCERPT_LEN),
            type_: shorten(e.type_, EXCERPT_LEN),
        })
        .collect();
    if total > MAX_VALIDATION_ERRORS {
        kept.push(ValidationError {
            loc: Vec::new(),
            msg: format!("… and {} more", total - MAX_VALIDATION_ERRORS),
            type_: "tupli.truncated".into(),
        });
    }
    kept
}

/// The start of a body as text, for error messages.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let cut = bytes.get(..EXCERPT_LEN).unwrap_or(bytes);
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if bytes.len() > EXCERPT_LEN {
        s.push_str(&format!("… ({} bytes in all)", bytes.len()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_parsed_into_their_kind() {
        assert_eq!(
            Detail::parse(br#"{"detail":"no"}"#),
            Detail::Message("no".into())
        );
        assert!(matches!(
            Detail::parse(br#"{"detail":[{"loc":["body",0],"msg":"m","type":"t"}]}"#),
            Detail::Validation(v) if v.len() == 1 && v[0].loc[1] == ValidationErrorLocItem::Integer(0)
        ));
        assert_eq!(Detail::parse(b"  \n"), Detail::Empty);
        assert_eq!(Detail::parse(b"<html>"), Detail::Body("<html>".into()));
        assert_eq!(
            Detail::parse(br#"{"error":"x"}"#),
            Detail::Body(r#"{"error":"x"}"#.into())
        );
    }

    #[test]
    fn what_a_server_sends_is_cut_to_size() {
        let long = format!(r#"{{"detail":"{}"}}"#, "ü".repeat(10_000));
        let Detail::Message(m) = Detail::parse(long.as_bytes()) else {
            panic!("a message")
        };
        assert!(m.len() < MAX_DETAIL_MESSAGE + 64, "{}", m.len());
        assert!(
            m.ends_with("(20000 bytes in all)"),
            "{}",
            &m[m.len() - 40..]
        );
        let many: Vec<_> = (0..100)
            .map(
                |i| serde_json::json!({"loc": ["body", i], "msg": "x".repeat(10_000), "type": "t"}),
            )
            .collect();
        let body = serde_json::json!({ "detail": many }).to_string();
        let Detail::Validation(v) = Detail::parse(body.as_bytes()) else {
            panic!("a validation list")
        };
        assert_eq!(v.len(), MAX_VALIDATION_ERRORS + 1);
        assert_eq!(v[MAX_VALIDATION_ERRORS].msg, "… and 68 more");
        assert!(v.iter().all(|e| e.msg.len() < EXCERPT_LEN + 64));
    }

    #[test]
    fn the_canonical_form_keeps_every_kind() {
        for detail in [
            Detail::Message("m".into()),
            Detail::Validation(vec![ValidationError {
                loc: vec![ValidationErrorLocItem::String("body".into())],
                msg: "x".into(),
                type_: "t".into(),
            }]),
            Detail::Body("<p>".into()),
            Detail::Empty,
        ] {
            let wire = serde_json::to_vec(&ApiError {
                detail: detail.clone(),
            })
            .unwrap();
            let back: ApiError = serde_json::from_slice(&wire).unwrap();
            assert_eq!(back.detail, detail);
        }
    }

    #[test]
    fn excerpts_are_cut_and_say_so() {
        let long = vec![b'a'; EXCERPT_LEN + 10];
        let text = excerpt(&long);
        assert!(text.ends_with(&format!("({} bytes in all)", EXCERPT_LEN + 10)));
        assert_eq!(excerpt(b"short"), "short");
    }
}
