//! Users: `signup`, `list-users`, `change-password`, `delete-user`.

use tupli::TupliApiClient;

use crate::args::UserCommand;
use crate::error::CliError;
use crate::output;
use crate::password::{self, Confirm};

pub(crate) async fn run(c: &TupliApiClient, command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Signup { username, password } => {
            let prompt = format!("Password for the new user {username}: ");
            let password = password::read(&password, &prompt, Confirm::Twice)?;
            output::one(&c.signup(&username, &password).await?)
        }
        UserCommand::ListUsers => output::list(&c.list_users().await?, "users"),
        UserCommand::ChangePassword { username, password } => {
            let prompt = format!("New password for {username}: ");
            let password = password::read(&password, &prompt, Confirm::Twice)?;
            c.change_password(&username, &password).await?;
            output::say(&format!("Changed the password of {username}."))
        }
        UserCommand::DeleteUser { username, .. } => {
            c.delete_user(&username).await?;
            output::say(&format!("Deleted user {username}."))
        }
    }
}
