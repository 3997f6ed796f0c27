//! `login`, `logout`, `whoami` and `set-url`: the commands about the stored
//! login itself (only `login` talks to the server).

use serde::Serialize;
use tupli::{ExposeSecret, TupliApiClient, DEFAULT_URL};

use crate::args::{LoginCommand, PasswordArgs};
use crate::config::{Credentials, Store};
use crate::env_auth::EnvLogin;
use crate::error::CliError;
use crate::output;
use crate::password::{self, Confirm};
use crate::session::Session;

/// Runs a login command; `url` is `--url`/`TUPLI_URL`.
pub(crate) async fn run(
    command: LoginCommand,
    store: Store,
    stored: Credentials,
    url: Option<String>,
) -> Result<(), CliError> {
    match command {
        LoginCommand::Login {
            username,
            password,
            print_token,
        } => {
            // (No note about another server's tokens: this logs in here.)
            let url = url
                .or_else(|| stored.url.clone())
                .unwrap_or_else(|| DEFAULT_URL.to_string());
            let session = Session::at(store, &stored, &url)?;
            if print_token {
                print_refresh_token(&session, &username, &password).await
            } else {
                login(&session, &username, &password).await
            }
        }
        LoginCommand::Logout => logout(&store, stored),
        LoginCommand::Whoami => whoami(&stored, url),
        LoginCommand::SetUrl { new_url } => set_url(&store, stored, &new_url),
    }
}

async fn login(session: &Session, username: &str, args: &PasswordArgs) -> Result<(), CliError> {
    let url = session.client().url();
    let prompt = format!("Password for {username} at {url}: ");
    let password = password::read(args, &prompt, Confirm::Once)?;
    session.client().login(username, &password).await?;
    session.save_login()?;
    output::say(&format!("Logged in to {url} as {username}."))
}

/// Logs in and prints the refresh token, one line on standard output (the
/// only place a token is ever shown); stores nothing.
async fn print_refresh_token(
    session: &Session,
    username: &str,
    args: &PasswordArgs,
) -> Result<(), CliError> {
    let url = session.client().url();
    let prompt = format!("Password for {username} at {url}: ");
    let password = password::read(args, &prompt, Confirm::Once)?;
    session.client().login(username, &password).await?;
    let tokens = session
        .client()
        .tokens()
        .ok_or_else(|| CliError::NotLoggedIn("the login issued no tokens".into()))?;
    output::line(tokens.refresh_token().expose_secret())
}

/// Forgets the login at the default server (those at other servers stay).
fn logout(store: &Store, stored: Credentials) -> Result<(), CliError> {
    if stored.tokens.is_none() {
        return output::say("Not logged in.");
    }
    store
        .save(&Credentials {
            tokens: None,
            ..stored
        })
        .map_err(CliError::local)?;
    output::say("Logged out.")
}

/// Makes `url` the default server. The login at the old default is
/// forgotten; a login stored for `url` is kept and used.
fn set_url(store: &Store, mut stored: Credentials, url: &str) -> Result<(), CliError> {
    let url = TupliApiClient::with_url(url)?.url();
    let same = stored.url.as_deref() == Some(url.as_str());
    let forgot = !same && stored.tokens.is_some();
    if !same {
        stored.tokens = None;
        stored.make_default(&url);
    }
    let logged_in = stored.tokens.is_some();
    store.save(&stored).map_err(CliError::local)?;
    let message = match (logged_in, forgot) {
        (false, true) => {
            format!("Server set to {url}; log in there (the old login was forgotten).")
        }
        (true, true) => format!(
            "Server set to {url}, with its stored login (the old server's login was forgotten)."
        ),
        (true, false) if !same => format!("Server set to {url}, with its stored login."),
        _ => format!("Server set to {url}."),
    };
    output::say(&message)
}

/// `whoami --json`.
#[derive(Serialize)]
struct WhoAmI {
    username: Option<String>,
    url: String,
    access_expires_at: Option<String>,
    refresh_expires_at: Option<String>,
}

fn whoami(stored: &Credentials, url: Option<String>) -> Result<(), CliError> {
    // Environment credentials are only used by a command's run: say so.
    if let Ok(Some(env)) = EnvLogin::from_env() {
        eprintln!(
            "tupli: note: commands use the credentials in {}, not the stored login shown here",
            env.source()
        );
    }
    let not_logged_in = || CliError::NotLoggedIn("not logged in: run `tupli login` first".into());
    let default = stored
        .url
        .clone()
        .unwrap_or_else(|| DEFAULT_URL.to_string());
    let (server, tokens) = match url {
        Some(url) => {
            let wanted = TupliApiClient::with_url(url)?.url();
            match stored.tokens_for(&wanted) {
                Some(tokens) => (wanted, tokens),
                None if stored.tokens.is_some() => {
                    return Err(CliError::NotLoggedIn(format!(
                        "not logged in to {wanted} (the stored login is for {default})"
                    )))
                }
                None => return Err(not_logged_in()),
            }
        }
        None => (default, stored.tokens.as_ref().ok_or_else(not_logged_in)?),
    };
    let access = tokens.access_expires_at();
    let refresh = tokens.refresh_expires_at();
    if output::machine() {
        return output::object(&WhoAmI {
            username: tokens.username(),
            url: server,
            access_expires_at: access.map(output::rfc3339),
            refresh_expires_at: refresh.map(output::rfc3339),
        });
    }
    // A token may carry no readable `exp` (or `issuer`): say so, rather
    // than print something that could pass for a date or a user's name.
    let when = |at: Option<std::time::SystemTime>| match at {
        Some(at) => format!("{} ({})", output::rfc3339(at), output::relative(at)),
        None => "unknown (the token has no readable expiry)".to_string(),
    };
    output::emit(&format!(
        "user                   {}\nserver                 {server}\naccess token expires   {}\nrefresh token expires  {}\n",
        tokens
            .username()
            .as_deref()
            .unwrap_or("unknown (the token does not name one)"),
        when(access),
        when(refresh),
    ))
}
