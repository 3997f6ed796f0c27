//! Roles: `list-roles`, `create-role`, `delete-role`.

use tupli::models::UserRole;
use tupli::TupliApiClient;

use crate::args::RoleCommand;
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(c: &TupliApiClient, command: RoleCommand) -> Result<(), CliError> {
    match command {
        RoleCommand::ListRoles => output::list(&c.list_roles().await?, "roles"),
        RoleCommand::CreateRole {
            name,
            rights,
            description,
        } => {
            let role = UserRole {
                role: name,
                rights,
                description,
            };
            output::one(&c.create_role(&role).await?)
        }
        RoleCommand::DeleteRole { name, .. } => {
            c.delete_role(&name).await?;
            output::say(&format!("Deleted role {name}."))
        }
    }
}
