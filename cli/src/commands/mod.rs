//! Runs a parsed command: the login commands on the credentials file,
//! `copy` between its two sides, and every other one through a [`Session`]
//! (or on the folder `--storage` names), handed to the module of its area.

mod artifacts;
mod benchmarks;
mod copy;
mod datasets;
mod episodes;
mod groups;
mod login;
mod roles;
mod users;

use std::io;
use std::path::{Path, PathBuf};

use tupli::storage::{FileStorage, TupliStorage};
use tupli::TupliApiClient;

use crate::args::{
    ApiCommand, ArtifactCommand, BenchmarkCommand, Cli, Command, EpisodeCommand, LoginCommand,
};
use crate::config::Store;
use crate::confirm;
use crate::error::CliError;
use crate::output;
use crate::session::{EnvScope, Session};

/// Where a benchmark, artifact or episode command runs: a server or a folder.
#[derive(Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The storage, either way.
    pub(crate) storage: &'a dyn TupliStorage,
    /// The client, on a server.
    pub(crate) client: Option<&'a TupliApiClient>,
}

impl Target<'_> {
    /// Says that `kind` `id` was published in (or withdrawn from) `group`;
    /// on a folder, which has no groups, that this changed nothing.
    pub(crate) fn published(
        &self,
        kind: &str,
        id: &str,
        verb: &str,
        preposition: &str,
        group: &str,
    ) -> Result<(), CliError> {
        if self.client.is_some() {
            output::say(&format!("{verb} {kind} {id} {preposition} {group}."))
        } else {
            output::say(&format!(
                "Nothing to do: {kind} {id} is in the folder, which has no groups (publishing \
                 changes nothing there)."
            ))
        }
    }
}

/// Runs `cli` to completion; `name` is its subcommand's (as clap matched it).
pub(crate) async fn run(cli: Cli, name: &str) -> Result<(), CliError> {
    let store = Store::locate().map_err(CliError::local)?;
    let stored = store.load().map_err(CliError::local)?;
    let url = cli.url.filter(|u| !u.trim().is_empty());
    let folder = cli.storage.filter(|dir| !dir.as_os_str().is_empty());
    let command = match cli.command {
        Command::Login(LoginCommand::Login { .. }) if folder.is_some() => {
            return Err(needs_server(name, folder.as_deref()))
        }
        Command::Login(command) => return login::run(command, store, stored, url).await,
        Command::Copy(args) => {
            let env = EnvScope::find(&stored, url.as_deref())?;
            return copy::run(*args, store, stored, env).await;
        }
        Command::Api(command) => command,
        // Printed before anything else runs (see main).
        Command::Completions { shell } => return crate::completions::print(shell),
    };
    // Asked before anything is sent (or a folder opened).
    confirm::deletion(&command)?;
    if let Some(dir) = folder {
        return on_folder(&dir, command, name).await;
    }
    let env = EnvScope::find(&stored, url.as_deref())?;
    let session = Session::open(store, &stored, url, env).await?;
    let result = api(session.client(), command)
        .await
        .map_err(|e| session.explain(e));
    // Also after a failure: a refresh may have happened before it, or the
    // session may have expired (and the tokens been cleared).
    let saved = session.write_back();
    result.and(saved)
}

async fn api(client: &TupliApiClient, command: ApiCommand) -> Result<(), CliError> {
    let target = Target {
        storage: client,
        client: Some(client),
    };
    match command {
        ApiCommand::Users(command) => users::run(client, command).await,
        ApiCommand::Groups(command) => groups::run(client, command).await,
        ApiCommand::Roles(command) => roles::run(client, command).await,
        ApiCommand::Benchmarks(command) => benchmarks::run(target, command).await,
        ApiCommand::Artifacts(command) => artifacts::run(target, command).await,
        ApiCommand::Episodes(command) => episodes::run(target, command).await,
        ApiCommand::Datasets(command) => datasets::run(client, command).await,
    }
}

/// Runs a storage command (`name`) on the folder `dir`; users, groups and
/// roles need a server.
async fn on_folder(dir: &Path, command: ApiCommand, name: &str) -> Result<(), CliError> {
    let writes = match &command {
        ApiCommand::Users(_) | ApiCommand::Groups(_) | ApiCommand::Roles(_) => {
            return Err(needs_server(name, Some(dir)))
        }
        ApiCommand::Benchmarks(command) => {
            matches!(command, BenchmarkCommand::StoreBenchmark { .. })
        }
        ApiCommand::Artifacts(command) => matches!(command, ArtifactCommand::StoreArtifact { .. }),
        ApiCommand::Episodes(command) => matches!(command, EpisodeCommand::RecordEpisode { .. }),
        ApiCommand::Datasets(_) => false,
    };
    // Stores make the folder; everything else wants it to exist.
    let folder = open_folder(dir, writes)?;
    let target = Target {
        storage: &folder,
        client: None,
    };
    match command {
        ApiCommand::Users(_) | ApiCommand::Groups(_) | ApiCommand::Roles(_) => Ok(()),
        ApiCommand::Benchmarks(command) => benchmarks::run(target, command).await,
        ApiCommand::Artifacts(command) => artifacts::run(target, command).await,
        ApiCommand::Episodes(command) => episodes::run(target, command).await,
        ApiCommand::Datasets(command) => datasets::run(&folder, command).await,
    }
}

/// The storage in folder `dir`, made when `create` (and missing).
pub(crate) fn open_folder(dir: &Path, create: bool) -> Result<FileStorage, CliError> {
    let opened = if create {
        FileStorage::create(dir)
    } else {
        FileStorage::open(dir)
    };
    opened.map_err(|e| match e {
        tupli::Error::Io { source } if source.kind() == io::ErrorKind::NotFound => {
            CliError::Usage(format!("there is no folder {}", dir.display()))
        }
        tupli::Error::Io { source } if source.kind() == io::ErrorKind::NotADirectory => {
            CliError::Usage(format!("{} is not a folder", dir.display()))
        }
        tupli::Error::Io { source } => CliError::Local(format!(
            "cannot open the folder {}: {source}",
            dir.display()
        )),
        e => CliError::Api(e),
    })
}

/// The usage error of a command (`name`) that only a server can run, given a folder.
fn needs_server(name: &str, dir: Option<&Path>) -> CliError {
    let dir = dir.map(PathBuf::from).unwrap_or_default();
    CliError::Usage(format!(
        "`{name}` needs a server: users, groups, roles and logins are a server's, and \
         --storage (or TUPLI_STORAGE) names the folder {}; run it without --storage",
        dir.display()
    ))
}
