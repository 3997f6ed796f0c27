//! `cargo xtask …`: the command line, one subcommand per file. Run `cargo xtask --help`.

mod bench;
mod codegen;
mod demo;
#[path = "../../build/generate.rs"]
mod generate;
mod http;
mod msrv;
mod pytests;
mod server;
mod soak;
mod spec;
mod steps;
mod test;
#[cfg(test)]
mod tidy;
mod venv;
mod wheel;

use std::path::{Path, PathBuf};

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
    /// Everything CI checks: fmt, the codegen snapshot, the spec, clippy,
    /// docs, offline and tidy tests, then the live suite, the wheel, the
    /// Python suite and a short soak against reference servers started (and
    /// stopped) here.
    Test,
    /// Start a local reference server, run `examples/tour.rs` against it, stop it.
    Demo,
    /// Validate openapi.yaml, diff it against a server, fetch a server's document.
    Spec {
        #[command(subcommand)]
        action: spec::Action,
    },
    /// Rewrite build/generated.rs.snapshot, the code build.rs generates,
    /// committed for review.
    Codegen {
        /// Write it here instead.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Write nothing; fail if the snapshot (or --out) is not what
        /// openapi.yaml and build/generate.rs generate now.
        #[arg(long)]
        check: bool,
    },
    /// Benchmark the client against pytupli's on the same bytes, and both
    /// against the machine's limits measured in the same run; writes
    /// target/bench/summary.json.
    Bench {
        /// A scaled-down run (under a minute once built).
        #[arg(long)]
        quick: bool,
        /// Rounds: each program runs this many times, in turns with the
        /// others; figures are min/median/max. Default 3, or 1 with --quick;
        /// use at least 5 for published figures (docs/performance.md).
        #[arg(long)]
        runs: Option<usize>,
        /// Only these sections (decode, encode, artifacts, e2e, dataset,
        /// python); default all.
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
        /// Also record every run of the Rust client with `perf record -g`,
        /// one file per run in DIR (needs `perf`). Its figures then carry
        /// perf's overhead: for profiles, not for publishing.
        #[arg(long, value_name = "DIR")]
        profile: Option<PathBuf>,
    },
    /// Many tasks, one client, a mixed workload for a while, against a server
    /// whose access tokens live 3 s: no errors, one refresh per token
    /// lifetime, flat memory.
    Soak {
        /// How long (1–3600).
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Concurrent tasks (1–256).
        #[arg(long, default_value_t = 16)]
        tasks: usize,
    },
    /// Build the `tupli` command as a Python wheel (maturin) into
    /// target/wheels/: `pip install` it to get the command without Rust.
    Wheel {
        /// Build with the dev profile (quicker, larger; for tests) instead of release.
        #[arg(long)]
        dev: bool,
        /// Then install it into a fresh venv and run it against this server
        /// (as its `admin`, password `pytupli`), as `cargo xtask test` does.
        #[arg(long, value_name = "URL")]
        check: Option<String>,
    },
    /// Run the Python suite (python/tests/, pytest) against running reference
    /// servers: builds the wheel (dev profile), installs it into the suite's
    /// venv under target/ and runs pytest there.
    Pytest(pytests::Args),
    /// Manage a reference PyTupli server (venv under target/, in-memory MongoDB).
    Server {
        #[command(subcommand)]
        action: server::Action,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Test => test::run(),
        Command::Demo => demo::run(),
        Command::Server { action } => server::run(action),
        Command::Spec { action } => spec::run(action),
        Command::Soak { seconds, tasks } => soak::run(seconds, tasks),
        Command::Bench {
            quick,
            runs,
            only,
            profile,
        } => bench::run(quick, runs, &only, profile),
        Command::Codegen { out, check } => codegen::run(out, check),
        Command::Wheel { dev, check } => wheel::run(dev, check.as_deref()),
        Command::Pytest(args) => pytests::run(args),
    }
}

/// The workspace root (the parent of `xtask/`): every path xtask uses is
/// relative to it, whatever the current directory.
pub fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set (relative to the
/// project root, where xtask runs cargo), else `target/` in the project root.
pub fn target_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
    project_root().join(dir)
}
