//! `cargo xtask …`: the project's automation. Run `cargo xtask --help`.

mod server;
mod tasks;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "tupli project automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// fmt check, clippy, docs, offline tests, then the live suite against
    /// reference servers started (and stopped) here.
    Test,
    /// Start a local reference server, run `examples/tour.rs` against it, stop it.
    Demo,
    /// Manage a reference PyTupli server (venv under target/, in-memory MongoDB).
    Server {
        #[command(subcommand)]
        action: server::Action,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Test => tasks::test(),
        Command::Demo => tasks::demo(),
        Command::Server { action } => server::run(action),
    }
}
