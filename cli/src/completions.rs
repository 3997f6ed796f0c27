//! `tupli completions SHELL`: the shell's completion script, generated from
//! the command line's own definition, on standard output.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::args::Cli;
use crate::error::CliError;
use crate::output;

/// Prints the completion script for `shell`.
pub(crate) fn print(shell: Shell) -> Result<(), CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "tupli", &mut script);
    output::emit_bytes(&script)
}
