//! Login state: the stored tokens shared by a client and its clones, and the
//! single-flight refresh gate (the token types are in `tokens.rs`).
//!
//! This module sends nothing itself: the refresh request is handed in by the
//! call pipeline, so the login state sits below the HTTP layers.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;
use secrecy::ExposeSecret;

use crate::error::{Detail, Error, Result};

mod tokens;

use tokens::sendable;
pub use tokens::{Credentials, IssuedToken, TokenPair, Tokens};

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
mod tests;
