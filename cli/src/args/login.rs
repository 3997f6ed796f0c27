//! `login`, `logout`, `whoami`, `set-url`: the subcommands about the stored
//! login itself.

use clap::Subcommand;

use super::common::PasswordArgs;

/// The login state: log in, log out, show it, switch servers.
#[derive(Debug, Subcommand)]
pub(crate) enum LoginCommand {
    /// Log in and store the URL and tokens (or print the refresh token)
    Login {
        /// User name
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
        /// Print the refresh token on standard output (one line) instead of storing the login;
        /// nothing is written. For CI: export TUPLI_REFRESH_TOKEN=$(tupli login USER
        /// --print-token)
        #[arg(long)]
        print_token: bool,
    },
    /// Forget the stored tokens (the URL stays)
    Logout,
    /// Show the logged-in user and when the tokens expire (from the token; nothing is sent)
    Whoami,
    /// Store the server URL (forgets tokens issued by another server)
    SetUrl {
        /// The server's base URL, e.g. http://localhost:8080
        #[arg(value_name = "URL")]
        new_url: String,
    },
}
