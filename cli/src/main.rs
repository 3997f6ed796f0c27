//! The `tupli` binary: the command line of [`tupli_cli::main`].

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(tupli_cli::main(std::env::args_os()))
}
