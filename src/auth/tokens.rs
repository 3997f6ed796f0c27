//! Credentials and tokens as secret types: what login sends and the server
//! issues, never shown by `Debug`, and the JWT claims read from them (expiry,
//! user) without checking signatures.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, Result};

/// Refresh proactively when the access token expires within this window
/// (a quarter of the token's lifetime when that is shorter).
pub(super) const REFRESH_AHEAD: Duration = Duration::from_secs(30);

/// An access token and a refresh token, as issued by `login`.
///
/// Both are held as [`SecretString`]s (zeroized on drop) and never shown by
/// `Debug`. Use [`Tokens::access_token`] / [`Tokens::refresh_token`] with
/// [`ExposeSecret`] to persist them.
#[derive(Clone)]
pub struct Tokens {
    pub(super) access: SecretString,
    pub(super) refresh: SecretString,
    /// When this client got the access token from the server (to judge its
    /// lifetime); unknown for tokens handed in.
    pub(super) received: Option<SystemTime>,
}

impl Tokens {
    /// Wraps tokens obtained elsewhere (e.g. read back from a credentials file).
    pub fn new(access_token: impl Into<String>, refresh_token: impl Into<String>) -> Self {
        Tokens {
            access: SecretString::from(access_token.into()),
            refresh: SecretString::from(refresh_token.into()),
            received: None,
        }
    }

    /// Tokens from a refresh token alone, e.g. one handed to a CI job: there
    /// is no access token yet, so the first call refreshes (once, for all
    /// concurrent calls) before it sends anything else. Until then
    /// [`Tokens::access_token`] is empty.
    ///
    /// ```no_run
    /// # async fn demo() -> tupli::Result<()> {
    /// use tupli::prelude::*;
    ///
    /// let refresh = std::env::var("TUPLI_REFRESH_TOKEN").unwrap_or_default();
    /// let client = tupli::TupliApiClient::builder()
    ///     .url("http://localhost:8080")
    ///     .tokens(tupli::Tokens::from_refresh_token(refresh))
    ///     .build()?;
    /// let benchmarks = client.list_benchmarks(&tupli::Filter::all()).await?;
    /// # Ok(()) }
    /// ```
    pub fn from_refresh_token(refresh_token: impl Into<String>) -> Self {
        Tokens::new(String::new(), refresh_token)
    }

    /// Whether there is no access token yet (see [`Tokens::from_refresh_token`]).
    pub(super) fn lacks_access(&self) -> bool {
        self.access.expose_secret().is_empty()
    }

    /// Tokens the server has just issued; an error when they cannot be sent
    /// back in a header.
    pub(crate) fn issued(pair: TokenPair) -> Result<Self> {
        if !sendable(&pair.access_token.token) || !sendable(&pair.refresh_token.token) {
            return Err(Error::Decode {
                path: ".".into(),
                message: "the server issued a token an HTTP header cannot carry".into(),
                excerpt: String::new(),
            });
        }
        Ok(Tokens {
            access: pair.access_token.token,
            refresh: pair.refresh_token.token,
            received: Some(SystemTime::now()),
        })
    }

    /// How long before the access token's expiry it is refreshed: 30 s, or a
    /// quarter of its lifetime for tokens issued to this client that live
    /// less than two minutes (else such a token would be refreshed at once).
    pub(super) fn refresh_window(&self) -> Duration {
        let lifetime = self
            .received
            .zip(self.access_expires_at())
            .and_then(|(received, exp)| exp.duration_since(received).ok())
            .unwrap_or(REFRESH_AHEAD * 4);
        REFRESH_AHEAD.min(lifetime / 4)
    }

    /// Returns the access token (sent as `Authorization: Bearer`).
    pub fn access_token(&self) -> &SecretString {
        &self.access
    }

    /// Returns the refresh token (sent only to the refresh endpoint).
    pub fn refresh_token(&self) -> &SecretString {
        &self.refresh
    }

    /// Returns when the access token expires, read from its JWT `exp` claim; `None`
    /// when the token has no usable `exp` (then only a 401 tells).
    pub fn access_expires_at(&self) -> Option<SystemTime> {
        claims(self.access.expose_secret()).and_then(|c| c.expires_at)
    }

    /// Returns when the refresh token expires, read from its JWT `exp` claim.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        claims(self.refresh.expose_secret()).and_then(|c| c.expires_at)
    }

    /// Returns the user the tokens were issued to (the JWT `issuer` claim).
    pub fn username(&self) -> Option<String> {
        claims(self.access.expose_secret()).and_then(|c| c.issuer)
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tokens")
            .field("access_token", &"[REDACTED]")
            .field("refresh_token", &"[REDACTED]")
            .field("access_expires_at", &self.access_expires_at())
            .finish()
    }
}

/// A username and password, as sign-up, login and password change send them
/// (the API's `User`). The password is a secret: wiped on drop, never shown.
// progenitor limit: generated models derive `Debug` over plain `String`s, so
// the credentials are a hand-written replacement (see build/generate.rs).
#[derive(Clone)]
pub struct Credentials {
    username: String,
    password: SecretString,
}

impl Credentials {
    pub(crate) fn new(username: &str, password: &str) -> Self {
        Credentials {
            username: username.to_string(),
            password: SecretString::from(password),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"[REDACTED]")
            .finish()
    }
}

impl Serialize for Credentials {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("User", 2)?;
        s.serialize_field("password", self.password.expose_secret())?;
        s.serialize_field("username", &self.username)?;
        s.end()
    }
}

/// One token as the server issues it (the API's `Token`), held as a secret.
#[derive(Deserialize)]
pub struct IssuedToken {
    pub(super) token: SecretString,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IssuedToken([REDACTED])")
    }
}

/// The answer to a login (the API's `TokenPair`), held as secrets.
#[derive(Deserialize, Debug)]
pub struct TokenPair {
    pub(super) access_token: IssuedToken,
    pub(super) refresh_token: IssuedToken,
}

/// The claims this client reads, checked: an `exp` that is not a number of
/// seconds fitting a `SystemTime` (text, negative, 1e30, …) counts as
/// unknown, and so does an issuer that is not text.
pub(super) struct Claims {
    pub(super) expires_at: Option<SystemTime>,
    pub(super) issuer: Option<String>,
}

/// Reads a JWT's payload without checking its signature (the server does that).
pub(super) fn claims(jwt: &str) -> Option<Claims> {
    let mut parts = jwt.split('.');
    let (_header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let mut raw: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).ok()?;
    let expires_at = raw
        .get("exp")
        .and_then(serde_json::Value::as_f64)
        .filter(|seconds| *seconds >= 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .and_then(|offset| UNIX_EPOCH.checked_add(offset));
    let issuer = match raw.remove("issuer") {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    Some(Claims { expires_at, issuer })
}

/// Whether a token can be sent in an `Authorization` header.
pub(super) fn sendable(token: &SecretString) -> bool {
    HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).is_ok()
}
