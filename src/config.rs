//! How a client is configured: the builder's settings and their defaults.
//! The client itself is built from them in `client.rs`.

use std::fmt;
use std::time::Duration;

use crate::auth::Tokens;
use crate::retry::RetryPolicy;

/// The server a client talks to when neither the builder nor `TUPLI_URL` says otherwise.
pub const DEFAULT_URL: &str = "http://localhost:8080";

/// Environment variable that overrides [`DEFAULT_URL`].
pub const URL_ENV: &str = "TUPLI_URL";

/// Default time allowed to establish a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Default longest pause between two reads of a response (an idle timeout,
/// so large transfers are not cut off while data keeps flowing).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Configures a [`TupliApiClient`](crate::TupliApiClient); made by
/// [`TupliApiClient::builder`](crate::TupliApiClient::builder).
#[derive(Default)]
#[must_use]
pub struct TupliApiClientBuilder {
    pub(crate) url: Option<String>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) user_agent: Option<String>,
    pub(crate) http: Option<reqwest::Client>,
    pub(crate) tokens: Option<Tokens>,
    pub(crate) retry: Option<RetryPolicy>,
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
    /// Sets the base URL of the server (`http` or `https`, optionally with a
    /// path prefix).
    /// Default: `TUPLI_URL`, else [`DEFAULT_URL`].
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the time allowed to connect. Default [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Sets the longest pause between reads. Default [`DEFAULT_READ_TIMEOUT`].
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// Sets the total time allowed for one request, body included. Default: none
    /// (the read timeout still catches a stalled server).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the `User-Agent` header. Default `tupli-rust/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Uses this `reqwest::Client` (its own timeouts, proxies, TLS roots);
    /// the builder's timeout and user-agent settings are then not applied.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Sets how safe requests are retried after connection failures and
    /// 502/503/504 answers. Default [`RetryPolicy::default`];
    /// [`RetryPolicy::none`] switches retries off.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Starts logged in with tokens saved earlier.
    pub fn tokens(mut self, tokens: Tokens) -> Self {
        self.tokens = Some(tokens);
        self
    }

    /// The URL to use: the one set, else `TUPLI_URL`, else [`DEFAULT_URL`].
    pub(crate) fn chosen_url(&self) -> String {
        match &self.url {
            Some(url) => url.clone(),
            None => std::env::var(URL_ENV).unwrap_or_else(|_| DEFAULT_URL.to_string()),
        }
    }

    /// The HTTP client to use: the one handed in, else one with these settings.
    pub(crate) fn http_client_or_default(&mut self) -> reqwest::Result<reqwest::Client> {
        if let Some(http) = self.http.take() {
            return Ok(http);
        }
        let user_agent = self
            .user_agent
            .take()
            .unwrap_or_else(|| concat!("tupli-rust/", env!("CARGO_PKG_VERSION")).into());
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
            .read_timeout(self.read_timeout.unwrap_or(DEFAULT_READ_TIMEOUT))
            .user_agent(user_agent);
        if let Some(t) = self.timeout {
            builder = builder.timeout(t);
        }
        builder.build()
    }
}
