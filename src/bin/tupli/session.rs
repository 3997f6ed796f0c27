//! The client for one server in one run: opened from the credentials file
//! (with the login stored for that server's URL, and only that one), its
//! tokens written back.

use tupli::{ExposeSecret, Tokens, TupliApiClient, DEFAULT_URL};

use crate::config::{Credentials, Store};
use crate::error::CliError;

/// The client for this run, and what it was opened from.
pub(crate) struct Session {
    client: TupliApiClient,
    store: Store,
    /// The login stored for this server when the run started.
    stored: Option<Tokens>,
}

impl Session {
    /// The URL is `--url`/`TUPLI_URL`, else the stored default, else the
    /// library's default. The login stored for that URL is installed; a
    /// note says so when there is none there but one at the default server.
    pub(crate) fn open(
        store: Store,
        stored: &Credentials,
        url: Option<String>,
    ) -> Result<Session, CliError> {
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
        })
    }

    /// The client, with the stored login when there is one for its server.
    pub(crate) fn client(&self) -> &TupliApiClient {
        &self.client
    }

    /// Whether a login for this server was stored.
    pub(crate) fn has_login(&self) -> bool {
        self.stored.is_some()
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
    /// refresh happened, or the session expired and they were cleared).
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
