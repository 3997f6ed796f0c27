//! The command line (clap, derive): one subcommand per documented operation,
//! named like it in kebab-case, plus `logout`, `whoami` and `set-url`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use tupli::models::Right;
use tupli::Filter;

use crate::where_parser;

/// Command-line client for a Tupli (PyTupli 1.2.9) server.
///
/// `tupli login USER` stores the server URL and the login tokens in
/// $TUPLI_CONFIG_DIR/credentials.json (else the platform's config directory +
/// tupli/); later commands use them, and refreshed tokens are written back.
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

    /// Print the API's JSON instead of tables
    #[arg(long, global = true)]
    pub(crate) json: bool,

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
}

/// The login state: log in, log out, show it, switch servers.
#[derive(Debug, Subcommand)]
pub(crate) enum LoginCommand {
    /// Log in and store the URL and tokens
    Login {
        /// User name
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
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
        /// Write the bytes to this file instead of standard output
        #[arg(long, short)]
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
        /// Include each episode's tuples (shown with --json)
        #[arg(long)]
        include_tuples: bool,
    },
    /// Delete an episode
    DeleteEpisode {
        /// Episode id
        id: String,
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
        self.filter
            .iter()
            .chain(&self.conditions)
            .cloned()
            .reduce(|all, next| all & next)
            .unwrap_or_default()
    }
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

/// The rights the API knows, read from the generated schema.
pub(crate) fn right_names() -> Vec<String> {
    let schema = schemars::schema_for!(Right);
    schema
        .schema
        .enum_values
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn parse_right(text: &str) -> Result<Right, String> {
    text.parse::<Right>()
        .map_err(|_| format!("unknown right; one of: {}", right_names().join(", ")))
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
        let names = right_names();
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
