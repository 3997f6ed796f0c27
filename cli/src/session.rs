//! The client for one server in one run: signed in with credentials from
//! the environment (never written anywhere), else opened from the
//! credentials file (with the login stored for that server's URL, and only
//! that one), its tokens written back.

use tupli::{ExposeSecret, Tokens, TupliApiClient, DEFAULT_URL};

use crate::config::{Credentials, Store};
use crate::env_auth::EnvLogin;
use crate::error::CliError;

/// The client for this run, and what it was opened from.
pub(crate) struct Session {
    client: TupliApiClient,
    store: Store,
    /// The login stored for this server when the run started (`None` for a
    /// session signed in from the environment: nothing is written back).
    stored: Option<Tokens>,
    /// Set when the credentials came from the environment.
    env: Option<EnvLogin>,
}

/// Credentials from the environment and the server they are for: the run's
/// server (`--url`, else `TUPLI_URL`, else the stored default, else the
/// library's default), normalized.
#[derive(Clone)]
pub(crate) struct EnvScope {
    /// The normalized URL the credentials are sent to, and only that one.
    pub(crate) url: String,
    /// The credentials.
    pub(crate) login: EnvLogin,
}

impl EnvScope {
    /// The environment's credentials, for the server `url` (else the stored
    /// default, else the library's default); `None` without any.
    pub(crate) fn find(
        stored: &Credentials,
        url: Option<&str>,
    ) -> Result<Option<EnvScope>, CliError> {
        let Some(login) = EnvLogin::from_env()? else {
            return Ok(None);
        };
        let url = url
            .or(stored.url.as_deref())
            .unwrap_or(DEFAULT_URL)
            .to_string();
        let url = TupliApiClient::with_url(url)?.url();
        Ok(Some(EnvScope { url, login }))
    }
}

impl Session {
    /// The URL is `--url`/`TUPLI_URL`, else the stored default, else the
    /// library's default. Credentials from the environment (`env`) come
    /// first; else the login stored for that URL is installed, and a note
    /// says so when there is none there but one at the default server.
    pub(crate) async fn open(
        store: Store,
        stored: &Credentials,
        url: Option<String>,
        env: Option<EnvScope>,
    ) -> Result<Session, CliError> {
        if let Some(env) = env {
            return Session::signed_in(store, env).await;
        }
        let url = url
            .or_else(|| stored.url.clone())
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        let session = Session::at(store, stored, &url)?;
        if session.stored.is_none() && stored.tokens.is_some() {
            crate::output::note(&format!(
                "tupli: note: not sending the stored tokens to {}: they were issued by {}",
                session.client.url(),
                stored.url.as_deref().unwrap_or("another server")
            ));
        }
        Ok(session)
    }

    /// The server at `url`, with the login stored for it (if any), silently.
    pub(crate) fn at(store: Store, stored: &Credentials, url: &str) -> Result<Session, CliError> {
        let client = TupliApiClient::builder().url(url).build()?;
        // Looked up by the normalized URL: tokens only go where they came from.
        let tokens = stored.tokens_for(&client.url()).cloned();
        client.set_tokens(tokens.clone());
        Ok(Session {
            client,
            store,
            stored: tokens,
            env: None,
        })
    }

    /// The server at `url`: with the environment's credentials when they are
    /// for it, else with the login stored for it (if any).
    pub(crate) async fn at_with(
        store: Store,
        stored: &Credentials,
        url: &str,
        env: Option<&EnvScope>,
    ) -> Result<Session, CliError> {
        let session = Session::at(store, stored, url)?;
        match env {
            Some(env) if env.url == session.client.url() => {
                Session::signed_in(session.store, env.clone()).await
            }
            _ => Ok(session),
        }
    }

    /// The server `env` is for, signed in with its credentials; nothing of
    /// the credentials file is read or written.
    async fn signed_in(store: Store, env: EnvScope) -> Result<Session, CliError> {
        let client = TupliApiClient::builder().url(env.url).build()?;
        env.login.sign_in(&client).await?;
        Ok(Session {
            client,
            store,
            stored: None,
            env: Some(env.login),
        })
    }

    /// `e` as this session reports it: an authentication failure says where
    /// environment credentials came from.
    pub(crate) fn explain(&self, e: CliError) -> CliError {
        match &self.env {
            Some(login) => login.noted(e),
            None => e,
        }
    }

    /// The client, with the stored login when there is one for its server.
    pub(crate) fn client(&self) -> &TupliApiClient {
        &self.client
    }

    /// Whether a login for this server was stored or is in the environment.
    pub(crate) fn has_login(&self) -> bool {
        self.stored.is_some() || self.env.is_some()
    }

    /// Stores the client's tokens for its URL, which becomes the default
    /// server (after a login); logins at other servers are kept.
    pub(crate) fn save_login(&self) -> Result<(), CliError> {
        let url = self.client.url();
        let tokens = self.client.tokens();
        self.store
            .update(|credentials| {
                credentials.make_default(&url);
                credentials.set_tokens_for(&url, tokens);
            })
            .map_err(CliError::local)
    }

    /// Saves the client's tokens when they differ from the stored ones (a
    /// refresh happened, or the session expired and they were cleared);
    /// never those of a session signed in from the environment.
    pub(crate) fn write_back(&self) -> Result<(), CliError> {
        let now = self.client.tokens();
        if self.stored.is_none() || same_tokens(&now, &self.stored) {
            return Ok(());
        }
        let url = self.client.url();
        self.store
            .update(|credentials| credentials.set_tokens_for(&url, now))
            .map_err(CliError::local)
    }
}

fn same_tokens(a: &Option<Tokens>, b: &Option<Tokens>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            a.access_token().expose_secret() == b.access_token().expose_secret()
                && a.refresh_token().expose_secret() == b.refresh_token().expose_secret()
        }
        _ => false,
    }
}
