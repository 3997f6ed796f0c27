//! The call pipeline every operation goes through: a fresh token first, one
//! refresh and one resend on 401, and retries of safe operations after
//! transient failures, as the [`RetryPolicy`](crate::RetryPolicy) says.

use std::future::Future;

use bytes::Bytes;
use progenitor_client::ResponseValue;
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::auth::IssuedToken;
use crate::client::TupliApiClient;
use crate::error::{self, path_of, Detail, Error, GenError, Result};
use crate::generated;
use crate::hooks::send;
use crate::retry::Retry;

/// Why one attempt of a call failed: an answer or transport problem seen by
/// the generated client's machinery, or one of the crate's own errors.
pub(crate) enum Failure {
    Api(GenError),
    Local(Error),
}

impl From<GenError> for Failure {
    fn from(e: GenError) -> Self {
        Failure::Api(e)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Local(e)
    }
}

impl From<reqwest::Error> for Failure {
    fn from(e: reqwest::Error) -> Self {
        Failure::Local(e.into())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Self {
        Failure::Local(e.into())
    }
}

impl Failure {
    async fn into_error(self, path: fn(&[u8]) -> String) -> Error {
        match self {
            Failure::Api(e) => error::from_generated(e, path).await,
            Failure::Local(e) => e,
        }
    }
}

impl TupliApiClient {
    /// Runs a generated operation through the pipeline. `call` is invoked
    /// again for every attempt, so it rebuilds the request from scratch.
    pub(crate) async fn call<T, F, Fut>(&self, retry: Retry, call: F) -> Result<T>
    where
        T: DeserializeOwned,
        F: Fn(generated::Client) -> Fut,
        Fut: Future<Output = std::result::Result<ResponseValue<T>, GenError>>,
    {
        self.call_raw(retry, call, path_of::<T>)
            .await
            .map(ResponseValue::into_inner)
    }

    /// [`Self::call`] for hand-built requests and answers that are not JSON:
    /// `call` may fail with a generated-client error or one of the crate's;
    /// `path` locates a decode error in a success body.
    pub(crate) async fn call_raw<R, E, F, Fut>(
        &self,
        retry: Retry,
        call: F,
        path: fn(&[u8]) -> String,
    ) -> Result<R>
    where
        E: Into<Failure>,
        F: Fn(generated::Client) -> Fut,
        Fut: Future<Output = std::result::Result<R, E>>,
    {
        let policy = self.retry_policy();
        let mut attempt: u32 = 1;
        loop {
            let span = tracing::debug_span!("tupli.call", attempt);
            match self.authenticated(&call, path).instrument(span).await {
                Err(error) if policy.retries(retry, attempt, &error) => {
                    tracing::info!(attempt, %error, "retrying");
                    let pause = policy.pause(attempt, error)?;
                    tracing::debug!(attempt, backoff_ms = pause.as_millis(), "waiting to retry");
                    tokio::time::sleep(pause).await;
                    attempt = attempt.saturating_add(1);
                }
                result => return result,
            }
        }
    }

    /// One attempt: a fresh token first, and on 401 one refresh and one resend.
    async fn authenticated<R, E, F, Fut>(&self, call: &F, path: fn(&[u8]) -> String) -> Result<R>
    where
        E: Into<Failure>,
        F: Fn(generated::Client) -> Fut,
        Fut: Future<Output = std::result::Result<R, E>>,
    {
        let api = self.api();
        self.auth().check_sendable()?;
        if let Some(generation) = self.auth().stale() {
            self.refresh(&api, generation).await?;
        }
        let generation = self.auth().generation();
        let first = match call(api.clone()).await {
            Ok(value) => return Ok(value),
            Err(e) => e.into().into_error(path).await,
        };
        if first.status() != Some(StatusCode::UNAUTHORIZED) {
            return Err(first);
        }
        if self.auth().tokens().is_none() {
            return Err(Error::NotLoggedIn {
                detail: first.detail().cloned().unwrap_or(Detail::Empty),
            });
        }
        self.refresh(&api, generation).await?;
        match call(api).await {
            Ok(value) => Ok(value),
            Err(e) => Err(e.into().into_error(path).await),
        }
    }

    /// Refreshes the access token once for all tasks that saw `generation`.
    async fn refresh(&self, api: &generated::Client, generation: u64) -> Result<()> {
        self.auth()
            .refresh(generation, || async {
                match api.refresh_token().send().await {
                    Ok(token) => Ok(token.into_inner()),
                    Err(e) => Err(error::from_generated(e, path_of::<IssuedToken>).await),
                }
            })
            .await
    }
}

/// A hand-built `POST` of a serialized JSON body, through the usual hooks.
pub(crate) async fn post_json(
    api: &generated::Client,
    path: &str,
    operation_id: &'static str,
    body: Bytes,
) -> std::result::Result<reqwest::Response, GenError> {
    let request = api
        .client
        .post(format!("{}{path}", api.baseurl))
        .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(body);
    send(api, operation_id, request).await
}

/// `value` as a JSON request body, written into a buffer of about the right
/// size up front (growing a large body by doubling would copy it over and over).
pub(crate) fn json_body(
    value: &impl serde::Serialize,
    size_hint: usize,
    argument: &'static str,
) -> Result<Bytes> {
    let mut buffer = Vec::with_capacity(size_hint);
    serde_json::to_writer(&mut buffer, value)
        .map(|()| Bytes::from(buffer))
        .map_err(|e| Error::invalid(argument, e.to_string()))
}
