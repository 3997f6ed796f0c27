//! The options that commands of several areas share: a deletion's
//! confirmation, a password's source, the group to publish in or withdraw from.

use clap::Args;

/// Whether a deletion is confirmed up front.
#[derive(Debug, Args)]
pub(crate) struct ConfirmArgs {
    /// Delete without asking. Without it, the command asks `Delete … ? [y/N]` when standard
    /// input and standard error are a terminal (anything but y or yes cancels, exit code 7);
    /// otherwise (scripts, pipes) it deletes without asking
    #[arg(long, short)]
    pub(crate) yes: bool,
}

/// How a password is given; never as an argument.
#[derive(Debug, Args)]
pub(crate) struct PasswordArgs {
    /// Read the password from standard input (else it is asked for without echo)
    #[arg(long)]
    pub(crate) password_stdin: bool,
}

/// Which group to publish in.
#[derive(Debug, Args)]
pub(crate) struct PublishArgs {
    /// The group to publish in
    #[arg(long = "in", value_name = "GROUP", default_value = tupli::GLOBAL_GROUP)]
    pub(crate) group: String,
}

/// Which group to withdraw from.
#[derive(Debug, Args)]
pub(crate) struct UnpublishArgs {
    /// The group to withdraw from
    #[arg(long = "from", value_name = "GROUP")]
    pub(crate) group: String,
}
