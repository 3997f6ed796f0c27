//! Login tokens: secret storage, JWT expiry, and single-flight refresh.

use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Detail, Error, Result};
use crate::generated;

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

    /// Tokens the server has just issued.
    pub(crate) fn issued(access_token: String, refresh_token: String) -> Self {
        Tokens {
            received: Some(SystemTime::now()),
            ..Tokens::new(access_token, refresh_token)
        }
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

    /// The access token (sent as `Authorization: Bearer`).
    pub fn access_token(&self) -> &SecretString {
        &self.access
    }

    /// The refresh token (sent only to the refresh endpoint).
    pub fn refresh_token(&self) -> &SecretString {
        &self.refresh
    }

    /// When the access token expires, read from its JWT `exp` claim.
    pub fn access_expires_at(&self) -> Option<SystemTime> {
        claims(self.access.expose_secret()).and_then(|c| c.expires_at())
    }

    /// When the refresh token expires, read from its JWT `exp` claim.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        claims(self.refresh.expose_secret()).and_then(|c| c.expires_at())
    }

    /// The user the tokens were issued to (the JWT `issuer` claim).
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

#[derive(serde::Deserialize)]
struct Claims {
    exp: Option<f64>,
    issuer: Option<String>,
}

impl Claims {
    fn expires_at(&self) -> Option<SystemTime> {
        let exp = self.exp?;
        (exp.is_finite() && exp >= 0.0).then(|| UNIX_EPOCH + Duration::from_secs_f64(exp))
    }
}

/// Reads a JWT's payload without checking its signature (the server does that).
fn claims(jwt: &str) -> Option<Claims> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn expires_within(at: Option<SystemTime>, window: Duration) -> bool {
    at.is_some_and(|at| at <= SystemTime::now() + window)
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
        slot.generation += 1;
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Slot> {
        // A panic while holding the lock cannot leave the slot half-written.
        self.0.slot.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Slot> {
        self.0.slot.write().unwrap_or_else(|e| e.into_inner())
    }

    /// The `Authorization` header for an operation, marked sensitive.
    pub(crate) fn bearer_for(&self, operation_id: &str) -> Option<HeaderValue> {
        let slot = self.read();
        let tokens = slot.tokens.as_ref()?;
        let token = match operation_id {
            "login" => return None,
            "refresh_token" => tokens.refresh.expose_secret(),
            _ => tokens.access.expose_secret(),
        };
        let mut value = HeaderValue::try_from(format!("Bearer {token}")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// Before a request: refresh when the access token is about to expire.
    pub(crate) async fn ensure_fresh(&self, api: &generated::Client) -> Result<()> {
        let (generation, stale) = {
            let slot = self.read();
            let Some(tokens) = &slot.tokens else {
                return Ok(());
            };
            (
                slot.generation,
                expires_within(tokens.access_expires_at(), tokens.refresh_window()),
            )
        };
        if stale {
            self.refresh(api, generation).await?;
        }
        Ok(())
    }

    /// Replaces the access token, unless another task already did so since
    /// `seen_generation`. Exactly one refresh request runs at a time.
    pub(crate) async fn refresh(
        &self,
        api: &generated::Client,
        seen_generation: u64,
    ) -> Result<()> {
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
        tracing::debug!("refreshing the access token");
        let answer = api.refresh_token().send().await;
        match answer {
            Ok(token) => {
                let mut slot = self.write();
                if let Some(tokens) = slot.tokens.as_mut() {
                    tokens.access = SecretString::from(token.into_inner().token);
                    tokens.received = Some(SystemTime::now());
                    slot.generation += 1;
                }
                Ok(())
            }
            Err(e) => {
                let error =
                    crate::client::map_error(e, crate::client::path_of::<generated::types::Token>)
                        .await;
                match error.status() {
                    Some(s) if s.as_u16() == 401 || s.as_u16() == 403 => {
                        self.set(None);
                        Err(Error::SessionExpired {
                            detail: error
                                .detail()
                                .cloned()
                                .unwrap_or(Detail::Message("refresh rejected".into())),
                        })
                    }
                    _ => Err(error),
                }
            }
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
            assert!(claims(token).is_none_or(|c| c.exp.is_none()), "{token}");
        }
    }

    #[test]
    fn short_lived_tokens_refresh_late_enough_to_be_used() {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let short = Tokens::issued(jwt(&format!(r#"{{"exp":{}}}"#, now + 4)), "r".into());
        assert!(short.refresh_window() <= Duration::from_secs(1));
        let long = Tokens::issued(jwt(&format!(r#"{{"exp":{}}}"#, now + 1800)), "r".into());
        assert_eq!(long.refresh_window(), REFRESH_AHEAD);
        // Handed-in tokens: their lifetime is unknown, so the full window.
        let restored = Tokens::new(jwt(&format!(r#"{{"exp":{}}}"#, now + 4)), "r");
        assert_eq!(restored.refresh_window(), REFRESH_AHEAD);
    }

    #[test]
    fn debug_redacts() {
        let t = Tokens::new("secret-access", "secret-refresh");
        let shown = format!("{t:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
