//! Sign-up, login, and user administration.

use crate::auth::Tokens;
use crate::client::TupliApiClient;
use crate::error::{Error, Result};
use crate::models::{User, UserOut};
use crate::retry::Retry;
use crate::validate;
use zeroize::Zeroize;

/// The credentials to send; the password copy is wiped when dropped. (The
/// copies serialized into request bodies belong to the HTTP client, which
/// cannot wipe them.)
struct Credentials(User);

impl Drop for Credentials {
    fn drop(&mut self) {
        self.0.password.zeroize();
    }
}

fn credentials(username: &str, password: &str) -> Result<Credentials> {
    validate::name("username", username)?;
    validate::password("password", password)?;
    Ok(Credentials(User {
        username: username.to_string(),
        password: password.to_string(),
    }))
}

impl TupliApiClient {
    /// Creates a user. Works logged in or not (open sign-up); with stored
    /// tokens that the server rejects, it signs up anonymously.
    pub async fn signup(&self, username: &str, password: &str) -> Result<UserOut> {
        let user = credentials(username, password)?;
        let had_tokens = self.is_logged_in();
        let attempt = self
            .call(Retry::Never, |api| {
                let user = user.0.clone();
                async move { api.signup().body(user).send().await }
            })
            .await;
        match attempt {
            Err(Error::SessionExpired { .. } | Error::NotLoggedIn { .. }) if had_tokens => {
                self.call(Retry::Never, |api| {
                    let user = user.0.clone();
                    async move { api.signup().body(user).send().await }
                })
                .await
            }
            other => other,
        }
    }

    /// Logs in and stores the tokens for every later call. With `url`, first
    /// points the client at that server (see [`TupliApiClient::set_url`]).
    pub async fn login(&self, username: &str, password: &str, url: Option<&str>) -> Result<()> {
        let user = credentials(username, password)?;
        if let Some(url) = url {
            self.set_url(url)?;
        }
        let api = self.api();
        let answer = api.login().body(user.0.clone()).send().await;
        let pair = match answer {
            Ok(pair) => pair.into_inner(),
            Err(e) => {
                return Err(crate::client::map_error(
                    e,
                    crate::client::path_of::<crate::models::TokenPair>,
                )
                .await)
            }
        };
        self.set_tokens(Some(Tokens::issued(
            pair.access_token.token,
            pair.refresh_token.token,
        )));
        Ok(())
    }

    /// All users with their memberships (needs `user_read`).
    pub async fn list_users(&self) -> Result<Vec<UserOut>> {
        self.call(
            Retry::Safe,
            |api| async move { api.list_users().send().await },
        )
        .await
    }

    /// Sets a new password for `username`.
    pub async fn change_password(&self, username: &str, new_password: &str) -> Result<()> {
        let user = credentials(username, new_password)?;
        self.call(Retry::Safe, |api| {
            let user = user.0.clone();
            async move { api.change_password().body(user).send().await }
        })
        .await
    }

    /// Deletes a user.
    pub async fn delete_user(&self, username: &str) -> Result<()> {
        validate::name("username", username)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_user().username(username).send().await
        })
        .await
    }
}
