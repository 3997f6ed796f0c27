//! The client for one run: opened from the credentials file (the stored
//! tokens only for the server that issued them), its tokens written back.

use tupli::{ExposeSecret, Tokens, TupliApiClient, DEFAULT_URL};

use crate::config::{Credentials, Store};
use crate::error::CliError;

/// The client for this run, and what it was opened from.
pub(crate) struct Session {
    client: TupliApiClient,
    store: Store,
    stored: Credentials,
    /// Whether the stored tokens belong to the server this run talks to.
    own_server: bool,
}

impl Session {
    /// The URL is `--url`/`TUPLI_URL`, else the stored one, else the default.
    /// Stored tokens are only installed for the server that issued them.
    pub(crate) fn open(
        store: Store,
        stored: Credentials,
        url: Option<String>,
    ) -> Result<Session, CliError> {
        let url = url
            .or_else(|| stored.url.clone())
            .unwrap_or_else(|| DEFAULT_URL.to_string());
        let client = TupliApiClient::builder().url(url).build()?;
        let own_server = stored.url.as_deref() == Some(client.url().as_str());
        match &stored.tokens {
            Some(tokens) if own_server => client.set_tokens(Some(tokens.clone())),
            Some(_) => eprintln!(
                "tupli: note: not sending the stored tokens to {}: they were issued by {}",
                client.url(),
                stored.url.as_deref().unwrap_or("another server")
            ),
            None => {}
        }
        Ok(Session {
            client,
            store,
            stored,
            own_server,
        })
    }

    /// The client, with the stored tokens when they are this server's.
    pub(crate) fn client(&self) -> &TupliApiClient {
        &self.client
    }

    /// Stores the client's URL and tokens (after a login).
    pub(crate) fn save_login(&self) -> Result<(), CliError> {
        self.store
            .save(&Credentials {
                url: Some(self.client.url()),
                tokens: self.client.tokens(),
            })
            .map_err(CliError::local)
    }

    /// Saves the client's tokens when they differ from the stored ones (a
    /// refresh happened, or the session expired and they were cleared).
    pub(crate) fn write_back(&self) -> Result<(), CliError> {
        let now = self.client.tokens();
        if !self.own_server || same_tokens(&now, &self.stored.tokens) {
            return Ok(());
        }
        self.store
            .save(&Credentials {
                url: self.stored.url.clone(),
                tokens: now,
            })
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
