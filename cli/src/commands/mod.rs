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
    OutputFormat,
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
        json: bool,
        kind: &str,
        id: &str,
        verb: &str,
        preposition: &str,
        group: &str,
    ) -> Result<(), CliError> {
        if self.client.is_some() {
            output::say(json, &format!("{verb} {kind} {id} {preposition} {group}."))
        } else {
            output::say(
                json,
                &format!(
                    "Nothing to do: {kind} {id} is in the folder, which has no groups (publishing \
                     changes nothing there)."
                ),
            )
        }
    }
}

/// Runs `cli` to completion.
pub(crate) async fn run(cli: Cli) -> Result<(), CliError> {
    let store = Store::locate().map_err(CliError::local)?;
    let stored = store.load().map_err(CliError::local)?;
    let url = cli.url.filter(|u| !u.trim().is_empty());
    let folder = cli.storage.filter(|dir| !dir.as_os_str().is_empty());
    // `json`, here and in every command: machine-readable output (any
    // --format but table), printed in the format the output mode names.
    let json = output::mode().format != OutputFormat::Table;
    let command = match cli.command {
        Command::Login(command @ LoginCommand::Login { .. }) if folder.is_some() => {
            return Err(needs_server(&command, folder.as_deref()))
        }
        Command::Login(command) => return login::run(command, store, stored, url, json).await,
        Command::Copy(args) => {
            let env = EnvScope::find(&stored, url.as_deref())?;
            return copy::run(*args, store, stored, env, json).await;
        }
        Command::Api(command) => command,
        // Printed before anything else runs (see main).
        Command::Completions { shell } => return crate::completions::print(shell),
    };
    // Asked before anything is sent (or a folder opened).
    confirm::deletion(&command)?;
    if let Some(dir) = folder {
        return on_folder(&dir, command, json).await;
    }
    let env = EnvScope::find(&stored, url.as_deref())?;
    let session = Session::open(store, &stored, url, env).await?;
    let result = api(session.client(), command, json)
        .await
        .map_err(|e| session.explain(e));
    // Also after a failure: a refresh may have happened before it, or the
    // session may have expired (and the tokens been cleared).
    let saved = session.write_back();
    result.and(saved)
}

async fn api(client: &TupliApiClient, command: ApiCommand, json: bool) -> Result<(), CliError> {
    let target = Target {
        storage: client,
        client: Some(client),
    };
    match command {
        ApiCommand::Users(command) => users::run(client, command, json).await,
        ApiCommand::Groups(command) => groups::run(client, command, json).await,
        ApiCommand::Roles(command) => roles::run(client, command, json).await,
        ApiCommand::Benchmarks(command) => benchmarks::run(target, command, json).await,
        ApiCommand::Artifacts(command) => artifacts::run(target, command, json).await,
        ApiCommand::Episodes(command) => episodes::run(target, command, json).await,
        ApiCommand::Datasets(command) => datasets::run(client, command, json).await,
    }
}

/// Runs a storage command on the folder `dir`; users, groups and roles
/// need a server.
async fn on_folder(dir: &Path, command: ApiCommand, json: bool) -> Result<(), CliError> {
    let writes = match &command {
        ApiCommand::Users(command) => return Err(needs_server(command, Some(dir))),
        ApiCommand::Groups(command) => return Err(needs_server(command, Some(dir))),
        ApiCommand::Roles(command) => return Err(needs_server(command, Some(dir))),
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
        ApiCommand::Benchmarks(command) => benchmarks::run(target, command, json).await,
        ApiCommand::Artifacts(command) => artifacts::run(target, command, json).await,
        ApiCommand::Episodes(command) => episodes::run(target, command, json).await,
        ApiCommand::Datasets(command) => datasets::run(&folder, command, json).await,
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

/// The usage error of a command that only a server can run, given a folder.
fn needs_server(command: &impl std::fmt::Debug, dir: Option<&Path>) -> CliError {
    let name = command_name(&format!("{command:?}"));
    let dir = dir.map(PathBuf::from).unwrap_or_default();
    CliError::Usage(format!(
        "`{name}` needs a server: users, groups, roles and logins are a server's, and \
         --storage (or TUPLI_STORAGE) names the folder {}; run it without --storage",
        dir.display()
    ))
}

/// A subcommand's name from its variant's `Debug` form: `ListUsers { .. }`
/// is `list-users`, as clap names it.
fn command_name(debug: &str) -> String {
    let mut name = String::new();
    for c in debug.chars().take_while(char::is_ascii_alphanumeric) {
        if c.is_ascii_uppercase() && !name.is_empty() {
            name.push('-');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{GroupCommand, RoleCommand, UserCommand};
    use clap::CommandFactory;

    #[test]
    fn command_names_are_clap_names() {
        let names: Vec<String> = crate::args::Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_string())
            .collect();
        for debug in [
            format!("{:?}", UserCommand::ListUsers),
            format!("{:?}", GroupCommand::ListGroups),
            format!(
                "{:?}",
                RoleCommand::DeleteRole {
                    name: "x".into(),
                    confirm: crate::args::ConfirmArgs { yes: false }
                }
            ),
            format!(
                "{:?}",
                GroupCommand::AddGroupMembers {
                    group: "g".into(),
                    users: vec![],
                    roles: vec![]
                }
            ),
        ] {
            let name = command_name(&debug);
            assert!(names.contains(&name), "{name} from {debug}");
        }
        assert_eq!(command_name("ListUsers"), "list-users");
        assert_eq!(command_name("Signup { username: \"a\" }"), "signup");
    }
}
