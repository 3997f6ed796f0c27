//! The generated client's hooks: which token a request carries, and error
//! answers rewritten into the canonical form the generated code decodes.
//!
//! `generated::Client` holds an [`AuthHandle`] as its inner type and calls
//! these hooks: the one dependency loop left in the crate, which progenitor's
//! design forces (the generated code and its hooks refer to each other).
//!
//! Retrying and token refresh live in the call pipeline (`call.rs`), where a
//! request can be rebuilt and a typed error returned; these hooks only shape
//! single requests and responses.

use std::time::Instant;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONNECTION};
use tracing::Instrument;

use crate::auth::{AuthHandle, Bearer};
use crate::error::{self, GenError};
use crate::generated::Client;
use crate::operation_id;

impl ClientHooks<AuthHandle> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        request.headers_mut().remove(AUTHORIZATION);
        let bearer = match info.operation_id {
            operation_id::LOGIN => Ok(None),
            operation_id::REFRESH_TOKEN => self.inner.bearer(Bearer::Refresh),
            _ => self.inner.bearer(Bearer::Access),
        };
        let bearer = bearer.map_err(|e| progenitor_client::Error::InvalidRequest(e.to_string()))?;
        if let Some(bearer) = bearer {
            request.headers_mut().insert(AUTHORIZATION, bearer);
        }
        if info.operation_id == operation_id::LOAD_ARTIFACT {
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
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        // One span per request: what was asked (never the query string,
        // which can hold names) and what came back, at INFO: one line per
        // request is what a user asks for first (`tupli -v`).
        let span = tracing::info_span!(
            "tupli.request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
        );
        let started = Instant::now();
        let result = self.client.execute(request).instrument(span.clone()).await;
        let elapsed_ms = started.elapsed().as_millis();
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                // The error's own text names the URL, query included: only its kind.
                tracing::info!(parent: &span, elapsed_ms, failure = failure_kind(&error), "no answer");
                return Err(error);
            }
        };
        let status = response.status();
        tracing::info!(parent: &span, status = status.as_u16(), elapsed_ms, "answered");
        if status.is_client_error() || status.is_server_error() {
            error::normalize(response).await
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
    operation_id: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<reqwest::Response, GenError> {
    let info = OperationInfo { operation_id };
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

/// What kind of transport failure `error` is, for logs.
fn failure_kind(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else if error.is_redirect() {
        "redirect"
    } else if error.is_body() || error.is_decode() {
        "body"
    } else {
        "request"
    }
}
