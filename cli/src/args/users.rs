//! The users' subcommands: sign-up, listing, passwords, deletion.

use clap::Subcommand;

use super::common::{ConfirmArgs, PasswordArgs};

/// Users: sign-up, listing, passwords, deletion.
#[derive(Debug, Subcommand)]
pub(crate) enum UserCommand {
    /// Create a user (open sign-up)
    Signup {
        /// User name
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// List all users with their memberships
    ListUsers,
    /// Set a new password for a user
    ChangePassword {
        /// User name
        username: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
    /// Delete a user
    DeleteUser {
        /// User name
        username: String,
        #[command(flatten)]
        confirm: ConfirmArgs,
    },
}
