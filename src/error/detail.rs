//! The `detail` of an error answer: read from what the server sent, cut to a
//! size an error message can carry, and shown as one line.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How many bytes of an unexpected response body an error keeps.
pub(super) const EXCERPT_LEN: usize = 512;

/// The longest message kept from a server's `detail` (in bytes).
pub(super) const MAX_DETAIL_MESSAGE: usize = 4096;

/// The most validation errors kept from a server's `detail`.
pub(super) const MAX_VALIDATION_ERRORS: usize = 32;

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
