//! `TupliApiClient`: the shared state behind every call (connection pool,
//! server URL, login) and the accessors for it. Calls go through `call.rs`;
//! the documented operations are in `ops/`.

use std::fmt;
use std::sync::{Arc, RwLock};

use crate::auth::{AuthHandle, Tokens};
use crate::config::TupliApiClientBuilder;
use crate::error::Result;
use crate::generated;
use crate::retry::RetryPolicy;
use crate::validate;

/// An async client for the Tupli API.
///
/// Cheap to clone: clones share the connection pool, the server URL and the
/// login state, so a token refreshed by one task serves all of them.
///
/// ```no_run
/// # async fn demo() -> tupli::Result<()> {
/// use tupli::prelude::*; // the storage operations, TupliApiClient, Filter
///
/// let client = TupliApiClient::new()?; // TUPLI_URL or http://localhost:8080
/// client.login("admin", "pytupli").await?;
/// for b in client.list_benchmarks(&Filter::all()).await? {
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

impl TupliApiClientBuilder {
    /// Validates the settings and builds the client. Nothing is sent.
    pub fn build(mut self) -> Result<TupliApiClient> {
        let url = validate::base_url(&self.chosen_url())?;
        let http = self.http_client_or_default()?;
        let auth = AuthHandle::default();
        auth.set(self.tokens.take());
        let api = generated::Client::new_with_client(&url, http.clone(), auth.clone());
        Ok(TupliApiClient {
            inner: Arc::new(Inner {
                api: RwLock::new(api),
                http,
                auth,
                retry: self.retry.take().unwrap_or_default(),
            }),
        })
    }
}

impl TupliApiClient {
    /// Creates a client for `TUPLI_URL`, or [`DEFAULT_URL`](crate::DEFAULT_URL) when it is unset.
    pub fn new() -> Result<Self> {
        Self::builder().build()
    }

    /// Creates a client for `url`.
    pub fn with_url(url: impl Into<String>) -> Result<Self> {
        Self::builder().url(url).build()
    }

    /// Starts configuring a client: timeouts, user agent, HTTP client, retries,
    /// saved tokens.
    pub fn builder() -> TupliApiClientBuilder {
        TupliApiClientBuilder::default()
    }

    /// Returns the base URL requests go to.
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

    /// Returns the current tokens, to persist a login.
    pub fn tokens(&self) -> Option<Tokens> {
        self.inner.auth.tokens()
    }

    /// Replaces (or with `None` forgets) the tokens.
    pub fn set_tokens(&self, tokens: Option<Tokens>) {
        self.inner.auth.set(tokens);
    }

    /// Returns this client with `tokens` installed.
    pub fn with_tokens(self, tokens: Tokens) -> Self {
        self.set_tokens(Some(tokens));
        self
    }

    /// Returns whether tokens are stored (they may still have expired).
    pub fn is_logged_in(&self) -> bool {
        self.inner.auth.tokens().is_some()
    }

    /// Forgets the tokens. The server keeps no sessions, so nothing is sent.
    pub fn logout(&self) {
        self.inner.auth.set(None);
    }

    /// The generated client for the current URL.
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

    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }
}
