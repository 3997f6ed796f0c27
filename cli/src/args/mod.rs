//! The command line (clap, derive): the global options and the list of
//! subcommands, one per documented operation, named like it in kebab-case,
//! plus `logout`, `whoami`, `set-url`, `copy` and `completions`. Each area's
//! subcommands are in a file of their own, as their handlers are in
//! `commands/`.

mod artifacts;
mod benchmarks;
mod common;
mod copy;
mod datasets;
mod episodes;
mod format;
mod groups;
mod login;
mod roles;
mod selection;
mod users;

use std::path::PathBuf;

use clap::{ArgMatches, CommandFactory, FromArgMatches, Parser, Subcommand};

pub(crate) use artifacts::ArtifactCommand;
pub(crate) use benchmarks::BenchmarkCommand;
pub(crate) use common::{ConfirmArgs, PasswordArgs};
pub(crate) use copy::CopyArgs;
pub(crate) use datasets::{DatasetCommand, ExportArgs, ExportDtype};
pub(crate) use episodes::EpisodeCommand;
pub(crate) use format::{file_extensions, file_format_names, FormatArg, OutputFormat};
pub(crate) use groups::GroupCommand;
pub(crate) use login::LoginCommand;
pub(crate) use roles::RoleCommand;
pub(crate) use users::UserCommand;

/// Command-line client for a Tupli (PyTupli 1.2.9) server, or for a folder laid out as pytupli's
/// FileStorage lays it out.
///
/// `tupli login USER` stores the server URL and the login tokens in
/// $TUPLI_CONFIG_DIR/credentials.json (else the platform's config directory +
/// tupli/); later commands use them, and refreshed tokens are written back.
/// Logins at several servers are kept, each used only for its own server.
/// `--storage DIR` runs the benchmark, artifact and episode commands on a folder instead.
///
/// Where the server and the credentials come from, first match wins:
///
/// - server: --url, else $TUPLI_URL, else the stored default server;
///
/// - credentials (no flag carries one): $TUPLI_REFRESH_TOKEN (e.g. from `tupli login USER
///   --print-token`), else $TUPLI_USER with $TUPLI_PASSWORD, else the login stored for that
///   server. Credentials from the environment are sent only to that server and never written
///   to disk: the credentials file is neither created nor changed, refreshed tokens are not
///   kept.
///
/// Exit codes: 0 success, 2 usage, 3 authentication, 4 not found, 5 other errors, 6 transport,
/// 7 cancelled at a confirmation prompt, 130 Ctrl-C.
#[derive(Debug, Parser)]
#[command(
    name = "tupli",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    /// Server URL, instead of the stored one (stored tokens are only sent to the
    /// server that issued them)
    #[arg(long, global = true, env = "TUPLI_URL", value_name = "URL")]
    pub(crate) url: Option<String>,

    /// Run the benchmark, artifact and episode commands on this folder (a FileStorage,
    /// pytupli's layout) instead of a server; takes precedence over --url
    #[arg(long, global = true, env = "TUPLI_STORAGE", value_name = "DIR")]
    pub(crate) storage: Option<PathBuf>,

    // How results are printed, or export-episodes' file format; the help
    // names the library's formats, so it is built (see `format::help`).
    #[arg(long, global = true, value_enum, value_name = "FORMAT", help = format::help())]
    pub(crate) format: Option<FormatArg>,

    /// Short for --format json
    #[arg(long, global = true)]
    pub(crate) json: bool,

    /// Indent JSON (the default only when standard output is a terminal; to a pipe or file it
    /// is compact)
    #[arg(long, global = true)]
    pub(crate) pretty: bool,

    /// Log what the client does on standard error: -v one line per request (operation,
    /// method, path, status, time) and token refreshes and retries, -vv debugging detail,
    /// -vvv everything (RUST_LOG, when set, decides instead)
    #[arg(long, short, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub(crate) verbose: u8,

    /// No progress indicators and no notes on standard error; errors are still printed
    #[arg(long, short, global = true)]
    pub(crate) quiet: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands: the login state, then the API operations by area (each
/// area its own enum, flattened, so the names and their order stay one list).
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    // login, logout, whoami, set-url: they work on the credentials file.
    #[command(flatten)]
    Login(LoginCommand),
    // Everything else: an API call through the stored login.
    #[command(flatten)]
    Api(ApiCommand),
    /// Copy benchmarks with their episodes and artifacts from one storage to another
    ///
    /// Each side is a server URL (http:// or https://; its stored login is used) or a folder.
    /// Copies the benchmarks matching --benchmark-where/--benchmark-filter (all when neither
    /// is given) with their episodes matching --where/--filter and their artifacts. Idempotent:
    /// what the destination holds is skipped — a benchmark of the same hash, an episode of the
    /// same key (its metadata.tupli_key, else its id; written into each copy), an artifact of
    /// the same bytes — so a second run copies nothing and an interrupted one resumes.
    ///
    /// Ends with a summary: copied, skipped and failed, per kind, with reasons. Exit codes: 0
    /// when everything was copied or skipped, 5 when an item failed (the others are copied; run
    /// it again to retry), 130 on Ctrl-C (run it again to finish).
    Copy(Box<CopyArgs>),
    /// Print a completion script for a shell on standard output
    ///
    /// The script completes subcommands, options and their values. Load it from your shell's
    /// start-up files once.
    #[command(after_long_help = COMPLETIONS_INSTALL)]
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// How to install each shell's completion script (`completions --help`).
const COMPLETIONS_INSTALL: &str = "\
Installing (then open a new shell):
  bash        tupli completions bash > ~/.local/share/bash-completion/completions/tupli
              (needs the bash-completion package; without it, add to ~/.bashrc:
              source <(tupli completions bash))
  zsh         mkdir -p ~/.zfunc && tupli completions zsh > ~/.zfunc/_tupli
              and in ~/.zshrc, before compinit runs: fpath=(~/.zfunc $fpath)
  fish        tupli completions fish > ~/.config/fish/completions/tupli.fish
  powershell  add to the file $PROFILE names:
              tupli completions powershell | Out-String | Invoke-Expression
  elvish      tupli completions elvish >> ~/.config/elvish/rc.elv";

/// The API operations, by area.
#[derive(Debug, Subcommand)]
pub(crate) enum ApiCommand {
    #[command(flatten)]
    Users(UserCommand),
    #[command(flatten)]
    Groups(GroupCommand),
    #[command(flatten)]
    Roles(RoleCommand),
    #[command(flatten)]
    Benchmarks(BenchmarkCommand),
    #[command(flatten)]
    Artifacts(ArtifactCommand),
    #[command(flatten)]
    Episodes(EpisodeCommand),
    #[command(flatten)]
    Datasets(DatasetCommand),
}

impl Cli {
    /// The process's command line, read as [`Parser::parse`] reads it
    /// (exiting on a usage error, `--help` or `--version`), with the name of
    /// the subcommand given as clap matched it (`list-users`).
    pub(crate) fn parse_named(args: Vec<std::ffi::OsString>) -> (Cli, String) {
        // Named as the binary even when run as `python -m tupli`.
        let matches = Cli::command().bin_name("tupli").get_matches_from(args);
        match Cli::from_matches(&matches) {
            Ok(parsed) => parsed,
            Err(e) => e.format(&mut Cli::command()).exit(),
        }
    }

    /// The command line `matches` holds, and its subcommand's name.
    fn from_matches(matches: &ArgMatches) -> Result<(Cli, String), clap::Error> {
        let cli = Cli::from_arg_matches(matches)?;
        let name = matches.subcommand_name().unwrap_or_default().to_string();
        Ok((cli, name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn the_subcommand_is_named_as_clap_names_it() {
        for (args, expected) in [
            (&["list-users"][..], "list-users"),
            (&["signup", "a"], "signup"),
            (&["delete-role", "x", "--yes"], "delete-role"),
            (
                &["add-group-members", "g", "u", "--role", "r"],
                "add-group-members",
            ),
            (&["--json", "whoami"], "whoami"),
            (&["export-episodes", "-o", "x.npz"], "export-episodes"),
        ] {
            let matches = Cli::command()
                .try_get_matches_from(["tupli"].iter().chain(args))
                .unwrap();
            let (_, name) = Cli::from_matches(&matches).unwrap();
            assert_eq!(name, expected, "{args:?}");
        }
    }
}
