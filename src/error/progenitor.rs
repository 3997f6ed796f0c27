//! The generated client's view of error answers: [`normalize`] rewrites each
//! one into the canonical [`ApiError`] the client decodes, and
//! [`from_generated`] turns the client's errors back into [`Error`]s.

use bytes::Bytes;
use reqwest::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::response::{read_capped, retry_after, MAX_ERROR_BODY};
use super::{Detail, Error};

/// The generated client's error type: an error answer after [`normalize`]
/// has parsed it. Never built from a server's bytes directly.
// progenitor limit: the error type of every operation must be a model it
// decodes from the body, so the parsed `Detail` travels in a canonical form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiError {
    #[serde(with = "canonical")]
    #[schemars(with = "serde_json::Value")]
    pub(super) detail: Detail,
}

/// The canonical, lossless JSON form of a [`Detail`] between [`normalize`]
/// and the generated client.
mod canonical {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::error::{Detail, ValidationError};

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

/// The JSON path at which `bytes` stop matching `T` (for decode errors).
pub(crate) fn path_of<T: DeserializeOwned>(bytes: &[u8]) -> String {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => e.path().to_string(),
        Ok(_) => ".".to_string(),
    }
}
