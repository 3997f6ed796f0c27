//! `tupli`: every Tupli API operation from the shell, with a persistent login.
//!
//! The crate tupli-cli (cli/ in the workspace): `cargo install --path cli`.
//! The command is [`main`]'s, run by the `tupli` binary (`src/main.rs`) and,
//! in process, by the Python module's `tupli` script (`python/`), so the
//! wheel carries the library's code once. Everything else is private: the
//! command line is the interface.

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

use std::ffi::OsString;
use std::io::IsTerminal;

use clap::CommandFactory;

/// Runs the command line `args` (the program's name first, as
/// [`std::env::args_os`] gives it) and answers the exit code. Usage errors,
/// `--help` and `--version` end the process as clap ends it (exit 2, 0).
///
/// Once per process: the output mode and the logging are set for the
/// process's lifetime.
pub fn main(args: impl IntoIterator<Item = OsString>) -> u8 {
    panic::install();
    let args: Vec<OsString> = args.into_iter().collect();
    // A panic unwinds to here (so temporary files are removed on the way)
    // and ends the tool with one line and its own exit code.
    std::panic::catch_unwind(move || run(args)).unwrap_or(panic::INTERNAL)
}

fn run(args: Vec<OsString>) -> u8 {
    if std::env::var_os(panic::TEST_PANIC_ENV).is_some() {
        panic!("{} is set", panic::TEST_PANIC_ENV);
    }
    // Usage errors exit 2 (clap's code); --help and --version exit 0.
    let (mut cli, name) = args::Cli::parse_named(args);
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
            return error::OTHER;
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
fn finish(result: Result<(), error::CliError>) -> u8 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}
