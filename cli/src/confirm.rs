//! The question before a deletion: `Delete benchmark X? [y/N]`, asked only
//! when standard input and standard error are a terminal and `--yes` is not
//! given; scripts and pipes delete without being asked, as before.

use std::io::{BufRead, IsTerminal, Write};

use crate::args::{
    ApiCommand, ArtifactCommand, BenchmarkCommand, ConfirmArgs, EpisodeCommand, GroupCommand,
    RoleCommand, UserCommand,
};
use crate::error::CliError;

/// What a command deletes, and whether it was confirmed up front.
struct Deletion<'a> {
    kind: &'static str,
    name: &'a str,
    confirm: &'a ConfirmArgs,
}

/// Asks before a `delete-*` command (when there is someone to ask); any
/// other command passes. Anything but `y` or `yes` is
/// [`CliError::Cancelled`].
pub(crate) fn deletion(command: &ApiCommand) -> Result<(), CliError> {
    let Some(deletion) = what_is_deleted(command) else {
        return Ok(());
    };
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if deletion.confirm.yes || !interactive {
        return Ok(());
    }
    let question = format!("Delete {} {}? [y/N] ", deletion.kind, deletion.name);
    let mut stderr = std::io::stderr().lock();
    // The answer decides; a prompt that could not be shown reads as no.
    let _ = stderr.write_all(question.as_bytes());
    let _ = stderr.flush();
    drop(stderr);
    let mut answer = String::new();
    let read = std::io::stdin().lock().read_line(&mut answer);
    if read.is_ok() && is_yes(&answer) {
        Ok(())
    } else {
        Err(CliError::Cancelled(format!(
            "cancelled: {} {} was not deleted (--yes deletes without asking)",
            deletion.kind, deletion.name
        )))
    }
}

/// `y` or `yes`, in any case, with surrounding blanks.
fn is_yes(answer: &str) -> bool {
    let answer = answer.trim();
    answer.eq_ignore_ascii_case("y") || answer.eq_ignore_ascii_case("yes")
}

fn what_is_deleted(command: &ApiCommand) -> Option<Deletion<'_>> {
    let (kind, name, confirm) = match command {
        ApiCommand::Users(UserCommand::DeleteUser { username, confirm }) => {
            ("user", username, confirm)
        }
        ApiCommand::Groups(GroupCommand::DeleteGroup { name, confirm }) => ("group", name, confirm),
        ApiCommand::Roles(RoleCommand::DeleteRole { name, confirm }) => ("role", name, confirm),
        ApiCommand::Benchmarks(BenchmarkCommand::DeleteBenchmark { id, confirm }) => {
            ("benchmark", id, confirm)
        }
        ApiCommand::Artifacts(ArtifactCommand::DeleteArtifact { id, confirm }) => {
            ("artifact", id, confirm)
        }
        ApiCommand::Episodes(EpisodeCommand::DeleteEpisode { id, confirm }) => {
            ("episode", id, confirm)
        }
        _ => return None,
    };
    Some(Deletion {
        kind,
        name,
        confirm,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::{Cli, Command};
    use clap::Parser;

    #[test]
    fn only_y_and_yes_confirm() {
        for yes in ["y", "Y", "yes", "YES", " yes \n", "y\r\n"] {
            assert!(is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yess", "ye", "sure", "y y"] {
            assert!(!is_yes(no), "{no:?}");
        }
    }

    #[test]
    fn every_delete_command_is_asked_about() {
        for (args, kind) in [
            (&["delete-user", "x"][..], "user"),
            (&["delete-group", "x"], "group"),
            (&["delete-role", "x"], "role"),
            (&["delete-benchmark", "x"], "benchmark"),
            (&["delete-artifact", "x", "-y"], "artifact"),
            (&["delete-episode", "--yes", "x"], "episode"),
        ] {
            let cli = Cli::try_parse_from(["tupli"].iter().chain(args)).unwrap();
            let Command::Api(command) = cli.command else {
                panic!("{args:?}")
            };
            let deletion = what_is_deleted(&command).unwrap();
            assert_eq!((deletion.kind, deletion.name), (kind, "x"));
            assert_eq!(deletion.confirm.yes, args.len() == 3, "{args:?}");
        }
        let cli = Cli::try_parse_from(["tupli", "list-benchmarks"]).unwrap();
        let Command::Api(command) = cli.command else {
            panic!()
        };
        assert!(what_is_deleted(&command).is_none());
    }
}
