//! The groups' subcommands: groups and their members.

use clap::Subcommand;

use super::common::ConfirmArgs;

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
        #[command(flatten)]
        confirm: ConfirmArgs,
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
