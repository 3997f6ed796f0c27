//! The generated client's hooks: bearer injection and error-body normalization.
//!
//! Retrying and token refresh live in the facade (`client.rs`), where a
//! request can be rebuilt and a typed error returned; these hooks only shape
//! single requests and responses.

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{
    HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE,
};

use crate::auth::AuthHandle;
use crate::client::GenError;
use crate::generated::{types::ApiError, Client};

/// The longest error body read; the rest of a longer one is dropped.
pub(crate) const MAX_ERROR_BODY: usize = 1 << 20;

/// Set on a normalized error response whose body was not `{"detail": …}`.
pub(crate) const SYNTHESIZED: HeaderName = HeaderName::from_static("x-tupli-synthesized-detail");

impl ClientHooks<AuthHandle> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().remove(AUTHORIZATION);
        if let Some(bearer) = self.inner.bearer_for(info.operation_id) {
            request.headers_mut().insert(AUTHORIZATION, bearer);
        }
        if info.operation_id == "load_artifact" {
            // PyTupli 1.2.9 fails in a background task after every download and
            // then drops the kept-alive connection; a pooled reuse would race it.
            request
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
        tracing::trace!(
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            "sending"
        );
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client.execute(request).await?;
        let status = response.status();
        if status.is_client_error() || status.is_server_error() {
            normalize_error(response).await
        } else {
            Ok(response)
        }
    }
}

/// Sends a hand-built request the way generated operations do (hooks, the
/// `api-version` header, status handling) and returns the raw 200 answer,
/// for bodies or answers progenitor cannot stream.
pub(crate) async fn send(
    api: &Client,
    info: OperationInfo,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, GenError> {
    let mut request = request
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .header("api-version", Client::api_version())
        .build()?;
    api.pre(&mut request, &info).await?;
    let response = api.exec(request, &info).await?;
    match response.status().as_u16() {
        200 => Ok(response),
        400..=599 => Err(progenitor_client::Error::ErrorResponse(
            ResponseValue::from_response(response).await?,
        )),
        _ => Err(progenitor_client::Error::UnexpectedResponse(response)),
    }
}

/// Makes every error body a valid `ApiError` so the generated code never
/// fails to decode it: a foreign body (HTML from a proxy, an empty body,
/// a body too large) becomes `{"detail": <excerpt>}`, marked with
/// [`SYNTHESIZED`]. The status and other headers are kept.
pub(crate) async fn normalize_error(
    mut response: reqwest::Response,
) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let mut headers = response.headers().clone();
    let (body, complete) = read_capped(&mut response, MAX_ERROR_BODY).await?;
    let body = if complete && serde_json::from_slice::<ApiError>(&body).is_ok() {
        body
    } else {
        let detail = if body.iter().all(u8::is_ascii_whitespace) {
            String::new()
        } else {
            crate::error::excerpt(&body)
        };
        headers.insert(SYNTHESIZED, HeaderValue::from_static("1"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        Bytes::from(serde_json::json!({ "detail": detail }).to_string())
    };
    headers.remove(CONTENT_LENGTH);
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}

/// Reads at most `cap` bytes of a body; `complete` is false when more followed.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap - buf.len();
        if chunk.len() > room {
            buf.extend_from_slice(&chunk[..room]);
            return Ok((buf.freeze(), false));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((buf.freeze(), true))
}
