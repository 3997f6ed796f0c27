//! The roles' subcommands, and how a right is read from the command line.

use clap::Subcommand;
use tupli::models::Right;

use super::common::ConfirmArgs;

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

fn parse_right(text: &str) -> Result<Right, String> {
    text.parse::<Right>()
        .map_err(|_| format!("unknown right; one of: {}", Right::names().join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_right_parses() {
        let names = Right::names();
        assert_eq!(names.len(), 18);
        for name in names {
            parse_right(&name).unwrap();
        }
        assert!(parse_right("fly").unwrap_err().contains("benchmark_read"));
    }
}
