//! Groups: `create-group`, `list-groups`, `read-group`, `delete-group`,
//! `add-group-members`, `remove-group-members`.

use tupli::models::{Group, GroupMembership, GroupMembershipQuery};
use tupli::TupliApiClient;

use crate::args::GroupCommand;
use crate::error::CliError;
use crate::output;

pub(crate) async fn run(c: &TupliApiClient, command: GroupCommand) -> Result<(), CliError> {
    match command {
        GroupCommand::CreateGroup { name, description } => {
            output::one(&c.create_group(&Group { name, description }).await?)
        }
        GroupCommand::ListGroups => output::list(&c.list_groups().await?, "groups"),
        GroupCommand::ReadGroup { name } => output::one(&c.read_group(&name).await?),
        GroupCommand::DeleteGroup { name, .. } => {
            c.delete_group(&name).await?;
            output::say(&format!("Deleted group {name}."))
        }
        GroupCommand::AddGroupMembers {
            group,
            users,
            roles,
        } => {
            let query = membership(group, users, Some(roles));
            output::one(&c.add_group_members(&query).await?)
        }
        GroupCommand::RemoveGroupMembers { group, users } => {
            let query = membership(group, users, None);
            output::one(&c.remove_group_members(&query).await?)
        }
    }
}

/// Every user named, with the same roles (none: for a removal).
fn membership(
    group: String,
    users: Vec<String>,
    roles: Option<Vec<String>>,
) -> GroupMembershipQuery {
    GroupMembershipQuery {
        group_name: group,
        members: users
            .into_iter()
            .map(|user| GroupMembership {
                user,
                roles: roles.clone(),
            })
            .collect(),
    }
}
