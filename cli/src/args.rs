//! The command line (clap, derive): one subcommand per documented operation,
//! named like it in kebab-case, plus `logout`, `whoami` and `set-url`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use tupli::models::Right;
use tupli::Filter;

use crate::where_parser;

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

    /// How results are printed on standard output: aligned tables and records for people, the
    /// API's JSON (one document), JSON Lines (one object a line; lists print as they arrive) or
    /// CSV (the table's columns, a header line first). For export-episodes, npz, arrow or
    /// parquet give the file's format instead (as --file-format does)
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
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

/// What `copy` copies, from where to where.
#[derive(Debug, Args)]
pub(crate) struct CopyArgs {
    /// The source: a server URL (http://… or https://…) or a folder
    #[arg(long, value_name = "URL|DIR")]
    pub(crate) from: String,
    /// The destination: a server URL (you must be logged in there) or a folder (made when
    /// missing)
    #[arg(long, value_name = "URL|DIR")]
    pub(crate) to: String,
    /// List what would be copied and what is already there; write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// How many episodes (or artifacts) are written at a time
    #[arg(long, value_name = "N", default_value_t = 4,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub(crate) concurrency: u16,
    #[command(
        flatten,
        next_help_heading = "Benchmarks (copied with their episodes and artifacts)"
    )]
    pub(crate) benchmarks: BenchmarkFilterArgs,
    #[command(flatten, next_help_heading = "Episodes (of those benchmarks)")]
    pub(crate) episodes: FilterArgs,
}

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

/// Users: sign-up, listing, passwords, deletion.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user (open sign-up)
    Signup {
        /// User name
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// List all users with their memberships
    ListUsers,
    /// Set a new password for a user
    ChangePassword {
        /// User name
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Delete a user
    DeleteUser {
        /// User name
        username: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
}

/// Groups and their members.
#[derive(Debug, Subcommand)]
pub(crate) enum GroupCommand {
    /// Create a group (you become its admin)
    CreateGroup {
        /// Group name
        name: String,
        /// Description
        #[arg(long)]
        description: Option<String>,
    },
    /// List all groups
    ListGroups,
    /// Show a group with its members
    ReadGroup {
        /// Group name
        name: String,
    },
    /// Delete a group
    DeleteGroup {
        /// Group name
        name: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Add users to a group with roles (replacing their roles there)
    AddGroupMembers {
        /// Group name
        group: String,
        /// User names
        #[arg(required = true, value_name = "USER")]
        users: Vec<String>,
        /// A role every user named gets (repeatable; at least one)
        #[arg(long = "role", value_name = "ROLE", required = true)]
        roles: Vec<String>,
    },
    /// Remove users from a group
    RemoveGroupMembers {
        /// Group name
        group: String,
        /// User names
        #[arg(required = true, value_name = "USER")]
        users: Vec<String>,
    },
}

/// Roles: named bundles of rights.
#[derive(Debug, Subcommand)]
pub(crate) enum RoleCommand {
    /// List all roles
    ListRoles,
    /// Create a role: a named bundle of rights
    CreateRole {
        /// Role name
        name: String,
        /// A right the role grants (repeatable), e.g. benchmark_read
        #[arg(long = "right", value_name = "RIGHT", value_parser = parse_right)]
        rights: Vec<Right>,
        /// Description
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a role
    DeleteRole {
        /// Role name
        name: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
}

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchmarkCommand {
    /// Store a benchmark from a JSON file: {"hash", "serialized", "metadata": {"name", …}}
    StoreBenchmark {
        /// The benchmark as JSON (`-`: standard input)
        file: PathBuf,
    },
    /// Show a benchmark with its serialized environment
    LoadBenchmark {
        /// Benchmark id
        id: String,
    },
    /// List benchmarks
    ListBenchmarks {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Delete a benchmark
    DeleteBenchmark {
        /// Benchmark id
        id: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Publish a benchmark in a group
    PublishBenchmark {
        /// Benchmark id
        id: String,
        #[command(flatten)]
        group: PublishArgs,
    },
    /// Withdraw a benchmark from a group
    UnpublishBenchmark {
        /// Benchmark id
        id: String,
        #[command(flatten)]
        group: UnpublishArgs,
    },
}

/// Artifacts: files with metadata.
#[derive(Debug, Subcommand)]
pub(crate) enum ArtifactCommand {
    /// Upload a file as an artifact
    StoreArtifact {
        /// The file to upload
        file: PathBuf,
        /// Name (default: the file's name)
        #[arg(long)]
        name: Option<String>,
        /// Description
        #[arg(long, default_value = "")]
        description: String,
        /// The benchmark the file belongs to
        #[arg(long, value_name = "ID")]
        benchmark_id: Option<String>,
        /// Further metadata, a JSON object
        #[arg(long, value_name = "JSON", value_parser = parse_object)]
        extra: Option<serde_json::Map<String, serde_json::Value>>,
    },
    /// Download an artifact (checked against its recorded hash)
    LoadArtifact {
        /// Artifact id
        id: String,
        /// Write the bytes to this file instead of standard output (`-`: standard output, even
        /// binary data to a terminal, which is refused without it)
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// List artifacts (keys are relative to the metadata: name, extra.source, …)
    ListArtifacts {
        #[command(flatten)]
        filter: FilterArgs,
    },
    /// Delete an artifact
    DeleteArtifact {
        /// Artifact id
        id: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Publish an artifact in a group
    PublishArtifact {
        /// Artifact id
        id: String,
        #[command(flatten)]
        group: PublishArgs,
    },
    /// Withdraw an artifact from a group
    UnpublishArtifact {
        /// Artifact id
        id: String,
        #[command(flatten)]
        group: UnpublishArgs,
    },
}

/// Episodes: recorded tuples of a benchmark.
#[derive(Debug, Subcommand)]
pub(crate) enum EpisodeCommand {
    /// Record an episode from a JSON file: {"benchmark_id", "metadata", "tuples": […]}
    RecordEpisode {
        /// The episode as JSON (`-`: standard input)
        file: PathBuf,
    },
    /// List episodes
    ListEpisodes {
        #[command(flatten)]
        filter: FilterArgs,
        /// Include each episode's tuples in --json (a table shows each episode's header and
        /// tuple count only, so no tuples are asked for)
        #[arg(long)]
        include_tuples: bool,
    },
    /// Delete an episode
    DeleteEpisode {
        /// Episode id
        id: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
    /// Publish an episode in a group
    PublishEpisode {
        /// Episode id
        id: String,
        #[command(flatten)]
        group: PublishArgs,
    },
    /// Withdraw an episode from a group
    UnpublishEpisode {
        /// Episode id
        id: String,
        #[command(flatten)]
        group: UnpublishArgs,
    },
}

/// Datasets: the tuples of stored episodes as training arrays.
#[derive(Debug, Subcommand)]
pub(crate) enum DatasetCommand {
    /// Write the tuples of the selected episodes to an .npz, Arrow or Parquet file
    ///
    /// Selects the episodes of the benchmarks matching --benchmark-where/--benchmark-filter
    /// (all benchmarks when neither is given) that also match --where/--filter, and writes one
    /// row per tuple with D4RL's column names: observations, actions, next_observations,
    /// rewards, terminals, timeouts (and each row's episode and step). The file appears only
    /// when complete: it is written under a temporary name beside FILE and renamed into place.
    /// Ends with one line: episodes, tuples, widths, size and path (--json: as JSON).
    ///
    /// Exit codes: 4 when nothing matched (no file is written), 5 when a value is not a
    /// number or a flat array of numbers of one width (the message names the episode, the step
    /// and the field), 130 on Ctrl-C (the temporary file is removed).
    ExportEpisodes(Box<ExportArgs>),
}

/// What `export-episodes` selects and writes.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The file to write (an existing one is replaced only once the new one is complete)
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// File format [default: from FILE's extension: .npz; .arrow, .feather or .ipc; .parquet];
    /// --format npz|arrow|parquet says the same (--format table|json|jsonl|csv is the
    /// summary's output format)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub(crate) file_format: Option<ExportFormat>,
    /// Element type of observations, actions, next_observations and rewards (f32: each
    /// value rounded to nearest, as numpy.float32 rounds)
    #[arg(long, value_enum, value_name = "DTYPE", default_value = "f64")]
    pub(crate) dtype: ExportDtype,
    #[command(
        flatten,
        next_help_heading = "Benchmarks (whose episodes are selected)"
    )]
    pub(crate) benchmarks: BenchmarkFilterArgs,
    #[command(flatten, next_help_heading = "Episodes (of those benchmarks)")]
    pub(crate) episodes: FilterArgs,
}

/// How results are printed on standard output (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned tables and key/value records, for people
    Table,
    /// The API's JSON, one document (indented on a terminal or with --pretty)
    Json,
    /// JSON Lines: one compact JSON object a line
    Jsonl,
    /// Comma-separated values with a header line, quoted where needed
    Csv,
}

/// What the global `--format` takes: an output format, or (for
/// `export-episodes` only, and not listed in the global help) a file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FormatArg {
    /// Aligned tables and key/value records, for people
    Table,
    /// The API's JSON, one document (indented on a terminal or with --pretty)
    Json,
    /// JSON Lines: one compact JSON object a line
    Jsonl,
    /// Comma-separated values with a header line, quoted where needed
    Csv,
    /// export-episodes: a NumPy .npz file
    #[value(hide = true)]
    Npz,
    /// export-episodes: an Arrow IPC file
    #[value(hide = true)]
    Arrow,
    /// export-episodes: a Parquet file
    #[value(hide = true)]
    Parquet,
}

impl FormatArg {
    /// The output format this is, or the file format.
    fn split(self) -> Result<OutputFormat, ExportFormat> {
        match self {
            FormatArg::Table => Ok(OutputFormat::Table),
            FormatArg::Json => Ok(OutputFormat::Json),
            FormatArg::Jsonl => Ok(OutputFormat::Jsonl),
            FormatArg::Csv => Ok(OutputFormat::Csv),
            FormatArg::Npz => Err(ExportFormat::Npz),
            FormatArg::Arrow => Err(ExportFormat::Arrow),
            FormatArg::Parquet => Err(ExportFormat::Parquet),
        }
    }
}

/// A value's name on the command line.
fn value_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

impl Cli {
    /// Settles the global `--format`: a file format (`npz`, `arrow`,
    /// `parquet`) goes to `export-episodes` as its `--file-format` (an error
    /// for other commands, or when `--file-format` says otherwise); then the
    /// output format, as [`Cli::output_format`] says.
    pub(crate) fn settle_formats(&mut self) -> Result<OutputFormat, String> {
        if let Some(Err(file_format)) = self.format.map(FormatArg::split) {
            let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) =
                &mut self.command
            else {
                return Err(format!(
                    "--format {} is a file format, for export-episodes only; the output formats \
                     are table, json, jsonl and csv",
                    value_name(file_format)
                ));
            };
            match args.file_format {
                Some(given) if given != file_format => {
                    return Err(format!(
                        "--format {} and --file-format {} disagree",
                        value_name(file_format),
                        value_name(given)
                    ))
                }
                _ => args.file_format = Some(file_format),
            }
            self.format = None;
        }
        self.output_format()
    }

    /// The output format `--format` and `--json` ask for (a table when neither is
    /// given); an error when they disagree.
    fn output_format(&self) -> Result<OutputFormat, String> {
        let format = match self.format.map(FormatArg::split) {
            Some(Ok(format)) => Some(format),
            _ => None,
        };
        match (format, self.json) {
            (None, false) => Ok(OutputFormat::Table),
            (None, true) | (Some(OutputFormat::Json), _) => Ok(OutputFormat::Json),
            (Some(format), false) => Ok(format),
            (Some(format), true) => Err(format!(
                "--json is short for --format json, but --format {} was given too",
                value_name(format)
            )),
        }
    }
}

/// The file formats `export-episodes` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// NumPy: one .npy array per column, for numpy.load
    Npz,
    /// Arrow IPC (Feather v2), for pyarrow, pandas.read_feather, polars
    Arrow,
    /// Parquet, zstd-compressed, for pandas, polars, DuckDB
    Parquet,
}

impl ExportFormat {
    /// The format a file name's extension stands for.
    pub(crate) fn from_extension(path: &std::path::Path) -> Option<ExportFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "npz" => Some(ExportFormat::Npz),
            "arrow" | "feather" | "ipc" => Some(ExportFormat::Arrow),
            "parquet" => Some(ExportFormat::Parquet),
            _ => None,
        }
    }
}

/// The element types `export-episodes` writes floats as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportDtype {
    /// 32-bit floats
    F32,
    /// 64-bit floats: exactly what was stored
    F64,
}

/// Whether a deletion is confirmed up front.
#[derive(Debug, Args)]
pub(crate) struct ConfirmArgs {
    /// Delete without asking. Without it, the command asks `Delete … ? [y/N]` when standard
    /// input and standard error are a terminal (anything but y or yes cancels, exit code 7);
    /// otherwise (scripts, pipes) it deletes without asking
    #[arg(long, short)]
    pub(crate) yes: bool,
}

/// How a password is given; never as an argument.
#[derive(Debug, Args)]
pub(crate) struct PasswordArgs {
    /// Read the password from standard input (else it is asked for without echo)
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

/// Which group to publish in.
#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The group to publish in
    #[arg(long = "in", value_name = "GROUP", default_value = tupli::GLOBAL_GROUP)]
    pub(crate) group: String,
}

/// Which group to withdraw from.
#[derive(Debug, Args)]
pub(crate) struct UnpublishArgs {
    /// The group to withdraw from
    #[arg(long = "from", value_name = "GROUP")]
    pub(crate) group: String,
}

/// Which objects a listing shows.
#[derive(Debug, Args)]
pub(crate) struct FilterArgs {
    /// A filter as pytupli's JSON, e.g. '{"type": "EQ", "key": "metadata.name", "value": "x"}'
    #[arg(long, value_name = "JSON", value_parser = parse_filter)]
    pub(crate) filter: Option<Filter>,
    /// KEY=VALUE, KEY!=VALUE, KEY>=VALUE, KEY<=VALUE, KEY>VALUE, KEY<VALUE, KEY~=A,B or
    /// 'KEY in [JSON]'; repeatable, all must hold (values are JSON when they parse, else strings)
    #[arg(long = "where", value_name = "CONDITION", value_parser = where_parser::parse)]
    pub(crate) conditions: Vec<Filter>,
}

impl FilterArgs {
    /// `--filter` and every `--where`, combined with AND; everything when none is given.
    pub(crate) fn combined(&self) -> Filter {
        self.given().unwrap_or_default()
    }

    /// `--filter` and every `--where`, combined with AND; `None` when none is given.
    pub(crate) fn given(&self) -> Option<Filter> {
        all_of(self.filter.as_ref(), &self.conditions)
    }
}

/// Which benchmarks a dataset's episodes come from: `FilterArgs` for benchmarks.
#[derive(Debug, Args)]
pub(crate) struct BenchmarkFilterArgs {
    /// A filter on benchmarks as pytupli's JSON, e.g. '{"type": "EQ", "key": "metadata.name",
    /// "value": "cartpole"}'
    #[arg(long, value_name = "JSON", value_parser = parse_filter)]
    pub(crate) benchmark_filter: Option<Filter>,
    /// A condition on benchmarks, in --where's forms, e.g. metadata.name=cartpole; repeatable,
    /// all must hold
    #[arg(long = "benchmark-where", value_name = "CONDITION", value_parser = where_parser::parse)]
    pub(crate) benchmark_conditions: Vec<Filter>,
}

impl BenchmarkFilterArgs {
    /// `--benchmark-filter` and every `--benchmark-where`, combined with AND;
    /// everything when none is given.
    pub(crate) fn combined(&self) -> Filter {
        all_of(self.benchmark_filter.as_ref(), &self.benchmark_conditions).unwrap_or_default()
    }
}

/// `filter` and `conditions`, combined with AND; `None` when there are none.
fn all_of(filter: Option<&Filter>, conditions: &[Filter]) -> Option<Filter> {
    filter
        .into_iter()
        .chain(conditions)
        .cloned()
        .reduce(|all, next| all & next)
}

fn parse_filter(text: &str) -> Result<Filter, String> {
    let filter: Filter =
        serde_json::from_str(text).map_err(|e| format!("not a filter in JSON: {e}"))?;
    filter.validate().map_err(|e| e.to_string())?;
    Ok(filter)
}

fn parse_object(text: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    serde_json::from_str(text).map_err(|e| format!("not a JSON object: {e}"))
}

fn parse_right(text: &str) -> Result<Right, String> {
    text.parse::<Right>()
        .map_err(|_| format!("unknown right; one of: {}", Right::names().join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_right_parses() {
        let names = Right::names();
        assert_eq!(names.len(), 18);
        for name in names {
            parse_right(&name).unwrap();
        }
        assert!(parse_right("fly").unwrap_err().contains("benchmark_read"));
    }

    #[test]
    fn filters_combine_with_and() {
        let cli = Cli::try_parse_from([
            "tupli",
            "list-benchmarks",
            "--filter",
            r#"{"type": "EQ", "key": "a", "value": 1}"#,
            "--where",
            "b>=2",
            "--where",
            "c=x",
        ])
        .unwrap();
        let Command::Api(ApiCommand::Benchmarks(BenchmarkCommand::ListBenchmarks { filter })) =
            cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(
            filter.combined(),
            Filter::and([
                Filter::eq("a", 1),
                Filter::geq("b", 2),
                Filter::eq("c", "x")
            ])
        );
    }

    #[test]
    fn an_export_filters_benchmarks_and_episodes_apart() {
        let cli = Cli::try_parse_from([
            "tupli",
            "export-episodes",
            "-o",
            "x.npz",
            "--benchmark-where",
            "metadata.name=cartpole",
            "--benchmark-filter",
            r#"{"type": "EQ", "key": "hash", "value": "h"}"#,
            "--where",
            "n_tuples>=3",
        ])
        .unwrap();
        let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) = cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        let ExportArgs {
            benchmarks,
            episodes,
            file_format,
            dtype,
            output,
        } = *args;
        assert_eq!(
            benchmarks.combined(),
            Filter::eq("hash", "h") & Filter::eq("metadata.name", "cartpole")
        );
        assert_eq!(episodes.given(), Some(Filter::geq("n_tuples", 3)));
        assert_eq!(
            (file_format, dtype, output),
            (None, ExportDtype::F64, PathBuf::from("x.npz"))
        );

        let cli = Cli::try_parse_from(["tupli", "export-episodes", "--output", "x"]).unwrap();
        let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) = cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(args.benchmarks.combined(), Filter::all(), "every benchmark");
        assert_eq!(args.episodes.given(), None, "no episode filter at all");
    }

    #[test]
    fn a_copy_filters_benchmarks_and_episodes_apart() {
        let cli = Cli::try_parse_from([
            "tupli",
            "copy",
            "--from",
            "./runs",
            "--to",
            "http://h:1",
            "--benchmark-where",
            "metadata.name=cartpole",
            "--where",
            "n_tuples>=3",
            "--dry-run",
        ])
        .unwrap();
        let Command::Copy(args) = cli.command else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(
            (args.from.as_str(), args.to.as_str()),
            ("./runs", "http://h:1")
        );
        assert!(args.dry_run);
        assert_eq!(args.concurrency, 4);
        assert_eq!(
            args.benchmarks.combined(),
            Filter::eq("metadata.name", "cartpole")
        );
        assert_eq!(args.episodes.given(), Some(Filter::geq("n_tuples", 3)));
        for bad in ["0", "65", "x"] {
            let parsed = Cli::try_parse_from([
                "tupli",
                "copy",
                "--from",
                "a",
                "--to",
                "b",
                "--concurrency",
                bad,
            ]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    #[test]
    fn export_formats_follow_the_extension() {
        for (name, format) in [
            ("a.npz", Some(ExportFormat::Npz)),
            ("dir.d/A.NPZ", Some(ExportFormat::Npz)),
            ("a.arrow", Some(ExportFormat::Arrow)),
            ("a.feather", Some(ExportFormat::Arrow)),
            ("a.ipc", Some(ExportFormat::Arrow)),
            ("a.parquet", Some(ExportFormat::Parquet)),
            ("a.csv", None),
            ("a", None),
            (".npz", None),
            ("npz.d/a", None),
        ] {
            let path = std::path::Path::new(name);
            assert_eq!(ExportFormat::from_extension(path), format, "{name}");
        }
    }

    #[test]
    fn one_condition_is_not_wrapped() {
        let cli = Cli::try_parse_from(["tupli", "list-episodes", "--where", "n<3"]).unwrap();
        let Command::Api(ApiCommand::Episodes(EpisodeCommand::ListEpisodes { filter, .. })) =
            cli.command
        else {
            panic!()
        };
        assert_eq!(filter.combined(), Filter::lt("n", 3));
    }
}
