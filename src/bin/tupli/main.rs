//! `tupli`: every Tupli API operation from the shell, with a persistent login.
//!
//! Built with the `cli` feature: `cargo install --path . --features cli`.

mod args;
mod binary_output;
mod commands;
mod config;
mod confirm;
mod env_auth;
mod error;
mod input;
mod interrupt;
mod output;
mod panic;
mod password;
mod progress;
mod session;
mod where_parser;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    panic::install();
    // A panic unwinds to here (so temporary files are removed on the way)
    // and ends the tool with one line and its own exit code.
    std::panic::catch_unwind(run).unwrap_or(ExitCode::from(panic::INTERNAL))
}

fn run() -> ExitCode {
    if std::env::var_os(panic::TEST_PANIC_ENV).is_some() {
        panic!("{} is set", panic::TEST_PANIC_ENV);
    }
    // Usage errors exit 2 (clap's code); --help and --version exit 0.
    let cli = args::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(error::OTHER);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
