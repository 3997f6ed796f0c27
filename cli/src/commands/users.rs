//! Users: `signup`, `list-users`, `change-password`, `delete-user`.

use tupli::TupliApiClient;

use crate::args::UserCommand;
use crate::error::CliError;
use crate::output;
use crate::password::{self, Confirm};

pub(crate) async fn run(
    c: &TupliApiClient,
    command: UserCommand,
    json: bool,
) -> Result<(), CliError> {
    match command {
        UserCommand::Signup { username, password } => {
            let prompt = format!("Password for the new user {username}: ");
            let password = password::read(&password, &prompt, Confirm::Twice)?;
            output::one(&c.signup(&username, &password).await?, json)
        }
        UserCommand::ListUsers => output::list(&c.list_users().await?, json, "users"),
        UserCommand::ChangePassword { username, password } => {
            let prompt = format!("New password for {username}: ");
            let password = password::read(&password, &prompt, Confirm::Twice)?;
            c.change_password(&username, &password).await?;
            output::say(json, &format!("Changed the password of {username}."))
        }
        UserCommand::DeleteUser { username, .. } => {
            c.delete_user(&username).await?;
            output::say(json, &format!("Deleted user {username}."))
        }
    }
}
