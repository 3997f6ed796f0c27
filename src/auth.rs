//! Login state: secret types for credentials and tokens, JWT expiry, and the
//! single-flight refresh gate.
//!
//! This module sends nothing itself: the refresh request is handed in by the
//! call pipeline, so the login state sits below the HTTP layers.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Detail, Error, Result};

/// Refresh proactively when the access token expires within this window
/// (a quarter of the token's lifetime when that is shorter).
pub(crate) const REFRESH_AHEAD: Duration = Duration::from_secs(30);

/// An access token and a refresh token, as issued by `login`.
///
/// Both are held as [`SecretString`]s (zeroized on drop) and never shown by
/// `Debug`. Use [`Tokens::access_token`] / [`Tokens::refresh_token`] with
/// [`ExposeSecret`] to persist them.
#[derive(Clone)]
pub struct Tokens {
    access: SecretString,
    refresh: SecretString,
    /// When this client got the access token from the server (to judge its
    /// lifetime); unknown for tokens handed in.
    received: Option<SystemTime>,
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
    fn lacks_access(&self) -> bool {
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
    fn refresh_window(&self) -> Duration {
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
    token: SecretString,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IssuedToken([REDACTED])")
    }
}

/// The answer to a login (the API's `TokenPair`), held as secrets.
#[derive(Deserialize, Debug)]
pub struct TokenPair {
    access_token: IssuedToken,
    refresh_token: IssuedToken,
}

/// The claims this client reads, checked: an `exp` that is not a number of
/// seconds fitting a `SystemTime` (text, negative, 1e30, …) counts as
/// unknown, and so does an issuer that is not text.
struct Claims {
    expires_at: Option<SystemTime>,
    issuer: Option<String>,
}

/// Reads a JWT's payload without checking its signature (the server does that).
fn claims(jwt: &str) -> Option<Claims> {
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
fn sendable(token: &SecretString) -> bool {
    HeaderValue::try_from(format!("Bearer {}", token.expose_secret())).is_ok()
}

/// Whether `at` is known and no later than `window` from now.
fn expires_within(at: Option<SystemTime>, window: Duration) -> bool {
    let Some(at) = at else {
        return false;
    };
    match SystemTime::now().checked_add(window) {
        Some(limit) => at <= limit,
        None => true,
    }
}

/// Which stored token a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bearer {
    /// The access token: every operation but login and refresh.
    Access,
    /// The refresh token: only the refresh operation.
    Refresh,
}

#[derive(Default)]
struct Slot {
    tokens: Option<Tokens>,
    /// Bumped on every change, so a task can tell whether someone else
    /// already replaced the token it saw fail.
    generation: u64,
}

#[derive(Default)]
struct AuthState {
    slot: RwLock<Slot>,
    /// Held while a refresh is in flight: concurrent tasks wait here and then
    /// reuse the new token instead of refreshing again.
    refresh_gate: tokio::sync::Mutex<()>,
}

/// Shared login state of a client and all its clones; the generated client's
/// inner type.
#[derive(Clone, Default)]
pub struct AuthHandle(Arc<AuthState>);

impl fmt::Debug for AuthHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHandle")
            .field("logged_in", &self.tokens().is_some())
            .finish()
    }
}

impl AuthHandle {
    pub(crate) fn tokens(&self) -> Option<Tokens> {
        self.read().tokens.clone()
    }

    pub(crate) fn generation(&self) -> u64 {
        self.read().generation
    }

    pub(crate) fn set(&self, tokens: Option<Tokens>) {
        let mut slot = self.write();
        slot.tokens = tokens;
        slot.generation = slot.generation.wrapping_add(1);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Slot> {
        // A panic while holding the lock cannot leave the slot half-written.
        self.0.slot.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Slot> {
        self.0.slot.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The `Authorization` header carrying a stored token, marked sensitive;
    /// `Ok(None)` without tokens, an error when the token cannot go in a
    /// header (it holds characters a header cannot carry).
    pub(crate) fn bearer(&self, which: Bearer) -> Result<Option<HeaderValue>> {
        let slot = self.read();
        let Some(tokens) = slot.tokens.as_ref() else {
            return Ok(None);
        };
        let token = match which {
            Bearer::Access => tokens.access.expose_secret(),
            Bearer::Refresh => tokens.refresh.expose_secret(),
        };
        let mut value = HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| {
            Error::invalid(
                "tokens",
                "a stored token holds characters an HTTP header cannot carry; log in again",
            )
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// Checks that the stored tokens can be sent in a header, so a request
    /// that would carry them fails before anything goes on the wire.
    pub(crate) fn check_sendable(&self) -> Result<()> {
        self.bearer(Bearer::Access)?;
        self.bearer(Bearer::Refresh)?;
        Ok(())
    }

    /// The generation to refresh from when the access token is about to
    /// expire, or when there is only a refresh token; `None` when it is
    /// fresh, unknown, or there are no tokens.
    pub(crate) fn stale(&self) -> Option<u64> {
        let slot = self.read();
        let tokens = slot.tokens.as_ref()?;
        (tokens.lacks_access()
            || expires_within(tokens.access_expires_at(), tokens.refresh_window()))
        .then_some(slot.generation)
    }

    /// Replaces the access token with what `request` obtains, unless another
    /// task already did so since `seen_generation`. Exactly one refresh runs
    /// at a time. A rejected refresh (401/403) or an expired refresh token
    /// ends the session: the tokens are cleared.
    pub(crate) async fn refresh<F, Fut>(&self, seen_generation: u64, request: F) -> Result<()>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<IssuedToken>>,
    {
        let _gate = self.0.refresh_gate.lock().await;
        let (generation, refresh_expiry) = {
            let slot = self.read();
            match &slot.tokens {
                None => {
                    return Err(Error::NotLoggedIn {
                        detail: Detail::Message("no refresh token stored".into()),
                    })
                }
                Some(t) => (slot.generation, t.refresh_expires_at()),
            }
        };
        if generation != seen_generation {
            return Ok(());
        }
        if expires_within(refresh_expiry, Duration::ZERO) {
            self.set(None);
            return Err(Error::SessionExpired {
                detail: Detail::Message("the refresh token has expired".into()),
            });
        }
        tracing::info!("refreshing the access token");
        let answer = request().await;
        match &answer {
            Ok(_) => tracing::info!("access token refreshed"),
            Err(error) => tracing::info!(%error, "the refresh failed"),
        }
        match answer {
            Ok(token) if !sendable(&token.token) => {
                self.set(None);
                Err(Error::SessionExpired {
                    detail: Detail::Message(
                        "the server issued an access token an HTTP header cannot carry".into(),
                    ),
                })
            }
            Ok(token) => {
                let mut slot = self.write();
                if let Some(tokens) = slot.tokens.as_mut() {
                    tokens.access = token.token;
                    tokens.received = Some(SystemTime::now());
                    slot.generation = slot.generation.wrapping_add(1);
                }
                Ok(())
            }
            Err(error) if error.is_auth() => {
                self.set(None);
                Err(Error::SessionExpired {
                    detail: error
                        .detail()
                        .cloned()
                        .unwrap_or(Detail::Message("refresh rejected".into())),
                })
            }
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(payload: &str) -> String {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
            enc.encode(payload)
        )
    }

    #[test]
    fn reads_exp_and_issuer() {
        let t = Tokens::new(jwt(r#"{"issuer":"ann","exp":2000000000}"#), "r");
        assert_eq!(t.username().as_deref(), Some("ann"));
        assert_eq!(
            t.access_expires_at(),
            Some(UNIX_EPOCH + Duration::from_secs(2_000_000_000))
        );
        assert_eq!(t.refresh_expires_at(), None);
    }

    #[test]
    fn garbage_tokens_have_no_claims() {
        for token in [
            "",
            "a.b.c",
            "x.!!!.y",
            &jwt("[1]"),
            &jwt(r#"{"exp":"soon"}"#),
        ] {
            assert!(
                claims(token).is_none_or(|c| c.expires_at.is_none()),
                "{token}"
            );
        }
    }

    /// Claims that cannot be a time: the expiry is unknown (never a panic),
    /// so no proactive refresh happens and a 401 decides.
    #[test]
    fn absurd_expiry_claims_count_as_unknown() {
        let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = enc.encode(r#"{"alg":"HS256"}"#);
        let shapes = [
            jwt(r#"{"exp":1e30}"#),
            jwt(r#"{"exp":1.8e19}"#),
            jwt(r#"{"exp":18446744073709551615}"#),
            jwt(r#"{"exp":1e308}"#),
            jwt(r#"{"exp":-1}"#),
            jwt(r#"{"exp":"tomorrow"}"#),
            jwt(r#"{"exp":null}"#),
            jwt(r#"{"issuer":"ann"}"#),
            format!("{header}.!!!.sig"),
            format!("{header}.{}.sig", enc.encode("not json")),
            "only.two".into(),
            "a.b.c.d".into(),
            String::new(),
        ];
        for shape in &shapes {
            let tokens = Tokens::new(shape.clone(), shape.clone());
            assert_eq!(tokens.access_expires_at(), None, "{shape}");
            assert_eq!(tokens.refresh_expires_at(), None, "{shape}");
            let _ = (tokens.username(), format!("{tokens:?}"));
            let handle = AuthHandle::default();
            handle.set(Some(tokens));
            // An empty access token is none at all: refreshed first (see
            // `a_refresh_token_alone_is_refreshed_first`).
            let expected = shape.is_empty().then_some(handle.generation());
            assert_eq!(handle.stale(), expected, "{shape}");
        }
        // Far but representable expiries are kept.
        let far = Tokens::new(jwt(r#"{"exp":253402300799}"#), "r");
        assert!(far.access_expires_at().is_some());
    }

    #[test]
    fn short_lived_tokens_refresh_late_enough_to_be_used() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let pair = |exp: u64| TokenPair {
            access_token: IssuedToken {
                token: SecretString::from(jwt(&format!(r#"{{"exp":{exp}}}"#))),
            },
            refresh_token: IssuedToken {
                token: SecretString::from("r"),
            },
        };
        let short = Tokens::issued(pair(now + 4)).unwrap();
        assert!(short.refresh_window() <= Duration::from_secs(1));
        let long = Tokens::issued(pair(now + 1800)).unwrap();
        assert_eq!(long.refresh_window(), REFRESH_AHEAD);
        // Handed-in tokens: their lifetime is unknown, so the full window.
        let restored = Tokens::new(jwt(&format!(r#"{{"exp":{}}}"#, now + 4)), "r");
        assert_eq!(restored.refresh_window(), REFRESH_AHEAD);
    }

    #[test]
    fn a_refresh_token_alone_is_refreshed_first() {
        let tokens = Tokens::from_refresh_token("secret-refresh");
        assert_eq!(tokens.access_token().expose_secret(), "");
        assert_eq!(tokens.refresh_token().expose_secret(), "secret-refresh");
        assert!(!format!("{tokens:?}").contains("secret"));
        let handle = AuthHandle::default();
        handle.set(Some(tokens));
        assert_eq!(handle.stale(), Some(handle.generation()));
        // Once refreshed, the new access token is used until it expires.
        handle.set(Some(Tokens::new(jwt(r#"{"exp":4102444800}"#), "r")));
        assert_eq!(handle.stale(), None);
    }

    #[test]
    fn debug_redacts() {
        let t = Tokens::new("secret-access", "secret-refresh");
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
        let c = Credentials::new("ann", "hunter2");
        let shown = format!("{c:?}");
        assert!(
            shown.contains("ann") && !shown.contains("hunter2"),
            "{shown}"
        );
        let pair: TokenPair = serde_json::from_str(
            r#"{"access_token":{"token":"sa","token_type":"bearer"},
                "refresh_token":{"token":"sr","token_type":"bearer"}}"#,
        )
        .unwrap();
        let shown = format!("{pair:?}");
        assert!(!shown.contains("sa") && !shown.contains("sr"), "{shown}");
    }

    #[test]
    fn credentials_serialize_as_the_api_user() {
        let c = Credentials::new("ann", "pw");
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            serde_json::json!({"username": "ann", "password": "pw"})
        );
    }
}
