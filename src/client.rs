//! `TupliApiClient`: construction, configuration, and the authenticated call path.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use progenitor_client::ResponseValue;
use serde::de::DeserializeOwned;

use crate::auth::{AuthHandle, Tokens};
use crate::error::{Detail, Error, Result};
use crate::generated;
use crate::hooks::SYNTHESIZED;
use crate::retry::{Retry, RetryPolicy};
use crate::validate;

/// The server a client talks to when neither the builder nor `TUPLI_URL` says otherwise.
pub const DEFAULT_URL: &str = "http://localhost:8080";

/// Environment variable that overrides [`DEFAULT_URL`].
pub const URL_ENV: &str = "TUPLI_URL";

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default longest pause between two reads of a response (an idle timeout,
/// so large transfers are not cut off while data keeps flowing).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

pub(crate) type GenError = progenitor_client::Error<generated::types::ApiError>;

/// An async client for the Tupli API.
///
/// Cheap to clone: clones share the connection pool, the server URL and the
/// login state, so a token refreshed by one task serves all of them.
///
/// ```no_run
/// # async fn demo() -> tupli::Result<()> {
/// let client = tupli::TupliApiClient::new()?; // TUPLI_URL or http://localhost:8080
/// client.login("admin", "pytupli", None).await?;
/// for b in client.list_benchmarks(None).await? {
///     println!("{} {}", b.id, b.metadata.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TupliApiClient {
    inner: Arc<Inner>,
}

struct Inner {
    api: RwLock<generated::Client>,
    http: reqwest::Client,
    auth: AuthHandle,
    retry: RetryPolicy,
}

impl fmt::Debug for TupliApiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TupliApiClient")
            .field("url", &self.url())
            .field("logged_in", &self.is_logged_in())
            .finish()
    }
}

/// Configures a [`TupliApiClient`].
#[derive(Default)]
#[must_use]
pub struct TupliApiClientBuilder {
    url: Option<String>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    tokens: Option<Tokens>,
    retry: Option<RetryPolicy>,
}

impl fmt::Debug for TupliApiClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TupliApiClientBuilder")
            .field("url", &self.url)
            .field("connect_timeout", &self.connect_timeout)
            .field("read_timeout", &self.read_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("custom_http_client", &self.http.is_some())
            .field("tokens", &self.tokens.as_ref().map(|_| "[REDACTED]"))
            .field("retry", &self.retry)
            .finish()
    }
}

impl TupliApiClientBuilder {
    /// Base URL of the server (`http` or `https`, optionally with a path prefix).
    /// Default: `TUPLI_URL`, else [`DEFAULT_URL`].
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Time allowed to connect. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Longest pause between reads. Default [`DEFAULT_READ_TIMEOUT`].
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Total time allowed for one request, body included. Default: none
    /// (the read timeout still catches a stalled server).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// `User-Agent` header. Default `tupli-rust/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Use this `reqwest::Client` (its own timeouts, proxies, TLS roots);
    /// the builder's timeout and user-agent settings are then not applied.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// How safe requests are retried after connection failures and
    /// 502/503/504 answers. Default [`RetryPolicy::default`];
    /// [`RetryPolicy::none`] switches retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Start logged in with tokens saved earlier.
    pub fn tokens(mut self, tokens: Tokens) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// Validates the settings and builds the client. Nothing is sent.
    pub fn build(self) -> Result<TupliApiClient> {
        let url = match self.url {
            Some(url) => url,
            None => std::env::var(URL_ENV).unwrap_or_else(|_| DEFAULT_URL.to_string()),
        };
        let url = validate::base_url(&url)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut b = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .read_timeout(self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT))
                    .user_agent(self.user_agent.unwrap_or_else(|| {
                        concat!("tupli-rust/", env!("CARGO_PKG_VERSION")).into()
                    }));
                if let Some(t) = self.timeout {
                    b = b.timeout(t);
                }
                b.build()?
            }
        };
        let auth = AuthHandle::default();
        auth.set(self.tokens);
        let api = generated::Client::new_with_client(&url, http.clone(), auth.clone());
        Ok(TupliApiClient {
            inner: Arc::new(Inner {
                api: RwLock::new(api),
                http,
                auth,
                retry: self.retry.unwrap_or_default(),
            }),
        })
    }
}

impl TupliApiClient {
    /// A client for `TUPLI_URL`, or [`DEFAULT_URL`] when it is unset.
    pub fn new() -> Result<Self> {
        Self::builder().build()
    }

    /// A client for `url`.
    pub fn with_url(url: impl Into<String>) -> Result<Self> {
        Self::builder().url(url).build()
    }

    /// Configure timeouts, user agent, HTTP client, saved tokens.
    pub fn builder() -> TupliApiClientBuilder {
        TupliApiClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn url(&self) -> String {
        self.api().baseurl.clone()
    }

    /// Points this client (and its clones) at another server.
    ///
    /// Unlike pytupli, changing the URL forgets the stored tokens, so they are
    /// never sent to a server that did not issue them.
    pub fn set_url(&self, url: &str) -> Result<()> {
        let url = validate::base_url(url)?;
        let mut api = self.inner.api.write().unwrap_or_else(|e| e.into_inner());
        if api.baseurl != url {
            self.inner.auth.set(None);
            *api = generated::Client::new_with_client(
                &url,
                self.inner.http.clone(),
                self.inner.auth.clone(),
            );
        }
        Ok(())
    }

    /// The current tokens, to persist a login.
    pub fn tokens(&self) -> Option<Tokens> {
        self.inner.auth.tokens()
    }

    /// Replaces (or with `None` forgets) the tokens.
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        self.inner.auth.set(tokens);
    }

    /// This client with `tokens` installed.
    pub fn with_tokens(self, tokens: Tokens) -> Self {
        self.set_tokens(Some(tokens));
        self
    }

    /// Whether tokens are stored (they may still have expired).
    pub fn is_logged_in(&self) -> bool {
        self.inner.auth.tokens().is_some()
    }

    /// Forgets the tokens. The server keeps no sessions, so nothing is sent.
    pub fn logout(&self) {
        self.inner.auth.set(None);
    }

    pub(crate) fn api(&self) -> generated::Client {
        self.inner
            .api
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn auth(&self) -> &AuthHandle {
        &self.inner.auth
    }

    /// Runs a generated operation with a fresh token, refreshing once and
    /// retrying once on 401, and retrying `Retry::Safe` operations after
    /// transient failures as the [`RetryPolicy`] says. `call` is invoked
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
    /// `call` may fail with a generated-client error or one of the crate's.
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
        let policy = &self.inner.retry;
        let mut attempt = 1;
        loop {
            match self.authenticated(&call, path).await {
                Err(error) if policy.retries(retry, attempt, &error) => {
                    let pause = policy.backoff(attempt);
                    tracing::debug!(attempt, ?pause, %error, "retrying");
                    tokio::time::sleep(pause).await;
                    attempt += 1;
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
        let auth = self.auth();
        auth.ensure_fresh(&api).await?;
        let generation = auth.generation();
        let first = match call(api.clone()).await {
            Ok(value) => return Ok(value),
            Err(e) => e.into().into_error(path).await,
        };
        if first.status() != Some(reqwest::StatusCode::UNAUTHORIZED) {
            return Err(first);
        }
        if auth.tokens().is_none() {
            return Err(Error::NotLoggedIn {
                detail: first.detail().cloned().unwrap_or(Detail::Empty),
            });
        }
        auth.refresh(&api, generation).await?;
        match call(api).await {
            Ok(value) => Ok(value),
            Err(e) => Err(e.into().into_error(path).await),
        }
    }
}

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
            Failure::Api(e) => map_error(e, path).await,
            Failure::Local(e) => e,
        }
    }
}

/// Turns a generated-client error into the crate's error.
pub(crate) async fn map_error(error: GenError, path: fn(&[u8]) -> String) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::ErrorResponse(value) => {
            let status = value.status();
            let synthesized = value.headers().contains_key(SYNTHESIZED);
            let detail: Detail = value.into_inner().detail.into();
            let detail = match detail {
                Detail::Message(m) if synthesized && m.is_empty() => Detail::Empty,
                Detail::Message(m) if synthesized => Detail::Body(m),
                other => other,
            };
            Error::Api { status, detail }
        }
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
