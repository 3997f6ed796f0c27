//! Credentials from the environment, for CI and other runs without a
//! credentials file: `TUPLI_REFRESH_TOKEN`, or `TUPLI_USER` with
//! `TUPLI_PASSWORD`. They are only ever held in secret types and never
//! written anywhere.

use std::fmt;

use tupli::{ExposeSecret, SecretString, Tokens, TupliApiClient};

use crate::error::CliError;

/// A refresh token (e.g. from `tupli login USER --print-token`).
pub(crate) const REFRESH_TOKEN_ENV: &str = "TUPLI_REFRESH_TOKEN";
/// A user name to log in with, together with [`PASSWORD_ENV`].
pub(crate) const USER_ENV: &str = "TUPLI_USER";
/// The password of [`USER_ENV`].
pub(crate) const PASSWORD_ENV: &str = "TUPLI_PASSWORD";

/// Credentials found in the environment. `Debug` never shows the secret.
#[derive(Clone)]
pub(crate) enum EnvLogin {
    /// `TUPLI_REFRESH_TOKEN`: the session starts with a refresh.
    RefreshToken(SecretString),
    /// `TUPLI_USER` and `TUPLI_PASSWORD`: the session starts with a login.
    Password {
        username: String,
        password: SecretString,
    },
}

impl fmt::Debug for EnvLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EnvLogin::RefreshToken(_) => f.write_str("RefreshToken([REDACTED])"),
            EnvLogin::Password { username, .. } => f
                .debug_struct("Password")
                .field("username", username)
                .field("password", &"[REDACTED]")
                .finish(),
        }
    }
}

impl EnvLogin {
    /// What the environment holds: `TUPLI_REFRESH_TOKEN` first, else
    /// `TUPLI_USER` with `TUPLI_PASSWORD`; an empty variable counts as unset.
    /// One of the two without the other is a usage error (naming the
    /// variables, never their values).
    pub(crate) fn from_env() -> Result<Option<EnvLogin>, CliError> {
        EnvLogin::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<EnvLogin>, CliError> {
        if let Some(token) = lookup(REFRESH_TOKEN_ENV) {
            let token = token.trim().to_string();
            return Ok(Some(EnvLogin::RefreshToken(SecretString::from(token))));
        }
        match (lookup(USER_ENV), lookup(PASSWORD_ENV)) {
            (Some(username), Some(password)) => Ok(Some(EnvLogin::Password {
                username,
                password: SecretString::from(password),
            })),
            (None, None) => Ok(None),
            (Some(_), None) => Err(CliError::Usage(format!(
                "{USER_ENV} is set but {PASSWORD_ENV} is not: set both (or neither)"
            ))),
            (None, Some(_)) => Err(CliError::Usage(format!(
                "{PASSWORD_ENV} is set but {USER_ENV} is not: set both (or neither)"
            ))),
        }
    }

    /// The variables these credentials came from, for messages.
    pub(crate) fn source(&self) -> String {
        match self {
            EnvLogin::RefreshToken(_) => REFRESH_TOKEN_ENV.to_string(),
            EnvLogin::Password { .. } => format!("{USER_ENV} and {PASSWORD_ENV}"),
        }
    }

    /// Installs the credentials in `client`: the refresh token (the first
    /// call refreshes it into an access token), or a login.
    pub(crate) async fn sign_in(&self, client: &TupliApiClient) -> Result<(), CliError> {
        match self {
            EnvLogin::RefreshToken(token) => {
                client.set_tokens(Some(Tokens::from_refresh_token(token.expose_secret())));
                Ok(())
            }
            EnvLogin::Password { username, password } => client
                .login(username, password.expose_secret())
                .await
                .map_err(|e| self.noted(e.into())),
        }
    }

    /// `e`, with a note naming where the credentials came from when it is
    /// about them (a 401, a 403, a rejected refresh).
    pub(crate) fn noted(&self, e: CliError) -> CliError {
        if e.exit_code() == crate::error::AUTH {
            CliError::Noted(
                Box::new(e),
                format!("with the credentials from {}", self.source()),
            )
        } else {
            e
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_refresh_token_comes_first() {
        let found = EnvLogin::from_lookup(lookup(&[
            (REFRESH_TOKEN_ENV, " tok-1\n"),
            (USER_ENV, "ann"),
            (PASSWORD_ENV, "pw"),
        ]))
        .unwrap();
        let Some(EnvLogin::RefreshToken(token)) = found else {
            panic!("{found:?}")
        };
        assert_eq!(
            token.expose_secret(),
            "tok-1",
            "a pasted line break is dropped"
        );
    }

    #[test]
    fn user_and_password_go_together() {
        let found =
            EnvLogin::from_lookup(lookup(&[(USER_ENV, "ann"), (PASSWORD_ENV, "pw-secret")]))
                .unwrap();
        let Some(EnvLogin::Password { username, password }) = &found else {
            panic!("{found:?}")
        };
        assert_eq!(
            (username.as_str(), password.expose_secret()),
            ("ann", "pw-secret")
        );
        let shown = format!("{found:?}");
        assert!(
            shown.contains("ann") && !shown.contains("pw-secret"),
            "{shown}"
        );

        assert!(EnvLogin::from_lookup(lookup(&[])).unwrap().is_none());
        for vars in [[(USER_ENV, "ann")], [(PASSWORD_ENV, "pw-secret")]] {
            let e = EnvLogin::from_lookup(lookup(&vars)).unwrap_err();
            let message = e.to_string();
            assert_eq!(e.exit_code(), crate::error::USAGE);
            assert!(message.contains("set both"), "{message}");
            assert!(!message.contains("pw-secret"), "{message}");
        }
    }

    #[test]
    fn debug_hides_the_refresh_token() {
        let shown = format!(
            "{:?}",
            EnvLogin::RefreshToken(SecretString::from("tok-secret"))
        );
        assert!(!shown.contains("tok-secret"), "{shown}");
    }
}
