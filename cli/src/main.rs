//! `tupli`: every Tupli API operation from the shell, with a persistent login.
//!
//! The crate tupli-cli (cli/ in the workspace): `cargo install --path cli`.

mod args;
mod binary_output;
mod commands;
mod completions;
mod config;
mod confirm;
mod env_auth;
mod error;
mod input;
mod interrupt;
mod logging;
mod output;
mod panic;
mod password;
mod progress;
mod session;
mod where_parser;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::CommandFactory;

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
    let (mut cli, name) = args::Cli::parse_named();
    configure(&mut cli);
    if let args::Command::Completions { shell } = cli.command {
        return finish(completions::print(shell));
    }
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
    finish(runtime.block_on(commands::run(cli, &name)))
}

/// Sets the output mode and the logging from the global options; exits with
/// a usage error (2) when `--json` and `--format` disagree.
fn configure(cli: &mut args::Cli) {
    let format = match cli.settle_formats() {
        Ok(format) => format,
        Err(message) => args::Cli::command()
            .error(clap::error::ErrorKind::ArgumentConflict, message)
            .exit(),
    };
    output::set_mode(output::Mode {
        format,
        pretty: cli.pretty || std::io::stdout().is_terminal(),
        quiet: cli.quiet,
        // Log lines would tear a progress bar apart.
        progress: !cli.quiet && cli.verbose == 0,
    });
    logging::init(cli.verbose, cli.quiet);
}

/// The exit code of a run's result, with its error printed.
fn finish(result: Result<(), error::CliError>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
