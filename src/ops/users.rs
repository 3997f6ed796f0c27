//! Sign-up, login, and user administration.

use crate::auth::{Credentials, Tokens};
use crate::client::TupliApiClient;
use crate::error::{self, path_of, Error, Result};
use crate::models::UserOut;
use crate::retry::Retry;
use crate::validate;

fn credentials(username: &str, password: &str) -> Result<Credentials> {
    validate::name("username", username)?;
    validate::password("password", password)?;
    Ok(Credentials::new(username, password))
}

impl TupliApiClient {
    /// Creates a user. Works logged in or not (open sign-up); with stored
    /// tokens that the server rejects, it signs up anonymously.
    pub async fn signup(&self, username: &str, password: &str) -> Result<UserOut> {
        let user = credentials(username, password)?;
        let had_tokens = self.is_logged_in();
        let attempt = || {
            self.call(Retry::Never, |api| {
                let user = user.clone();
                async move { api.signup().body(user).send().await }
            })
        };
        match attempt().await {
            Err(Error::SessionExpired { .. } | Error::NotLoggedIn { .. }) if had_tokens => {
                attempt().await
            }
            other => other,
        }
    }

    /// Logs in and stores the tokens for every later call (and the client's
    /// clones). To log in elsewhere, [`set_url`](Self::set_url) first.
    pub async fn login(&self, username: &str, password: &str) -> Result<()> {
        let user = credentials(username, password)?;
        let pair = match self.api().login().body(user).send().await {
            Ok(pair) => pair.into_inner(),
            Err(e) => return Err(error::from_generated(e, path_of::<crate::auth::TokenPair>).await),
        };
        self.set_tokens(Some(Tokens::issued(pair)?));
        Ok(())
    }

    /// Lists all users with their memberships (needs `user_read`).
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
            let user = user.clone();
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
