//! Runs a parsed command: the login commands on the credentials file, every
//! other one through a [`Session`], handed to the module of its API area.

mod artifacts;
mod benchmarks;
mod datasets;
mod episodes;
mod groups;
mod login;
mod roles;
mod users;

use tupli::TupliApiClient;

use crate::args::{ApiCommand, Cli, Command};
use crate::config::Store;
use crate::error::CliError;
use crate::session::Session;

/// Runs `cli` to completion.
pub(crate) async fn run(cli: Cli) -> Result<(), CliError> {
    let store = Store::locate().map_err(CliError::local)?;
    let stored = store.load().map_err(CliError::local)?;
    let url = cli.url.filter(|u| !u.trim().is_empty());
    let json = cli.json;
    let command = match cli.command {
        Command::Login(command) => return login::run(command, store, stored, url, json).await,
        Command::Api(command) => command,
    };
    let session = Session::open(store, &stored, url)?;
    let result = api(session.client(), command, json).await;
    // Also after a failure: a refresh may have happened before it, or the
    // session may have expired (and the tokens been cleared).
    let saved = session.write_back();
    result.and(saved)
}

async fn api(client: &TupliApiClient, command: ApiCommand, json: bool) -> Result<(), CliError> {
    match command {
        ApiCommand::Users(command) => users::run(client, command, json).await,
        ApiCommand::Groups(command) => groups::run(client, command, json).await,
        ApiCommand::Roles(command) => roles::run(client, command, json).await,
        ApiCommand::Benchmarks(command) => benchmarks::run(client, command, json).await,
        ApiCommand::Artifacts(command) => artifacts::run(client, command, json).await,
        ApiCommand::Episodes(command) => episodes::run(client, command, json).await,
        ApiCommand::Datasets(command) => datasets::run(client, command, json).await,
    }
}
