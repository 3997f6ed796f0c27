//! Groups and their members.

use crate::client::TupliApiClient;
use crate::error::Result;
use crate::models::{Group, GroupMembershipQuery, GroupWithMembers};
use crate::retry::Retry;
use crate::validate;

fn check_members(query: &GroupMembershipQuery) -> Result<()> {
    validate::name("group_name", &query.group_name)?;
    for member in &query.members {
        validate::name("members.user", &member.user)?;
        for role in member.roles.iter().flatten() {
            validate::name("members.roles", role)?;
        }
    }
    Ok(())
}

impl TupliApiClient {
    /// Creates a group; the caller becomes its admin.
    pub async fn create_group(&self, group: &Group) -> Result<Group> {
        validate::name("group.name", &group.name)?;
        self.call(Retry::Never, |api| async move {
            api.create_group().body(group.clone()).send().await
        })
        .await
    }

    /// Lists all groups.
    pub async fn list_groups(&self) -> Result<Vec<Group>> {
        self.call(
            Retry::Safe,
            |api| async move { api.list_groups().send().await },
        )
        .await
    }

    /// Reads a group with its members.
    pub async fn read_group(&self, group_name: &str) -> Result<GroupWithMembers> {
        validate::name("group_name", group_name)?;
        self.call(Retry::Safe, |api| async move {
            api.read_group().group_name(group_name).send().await
        })
        .await
    }

    /// Deletes a group.
    pub async fn delete_group(&self, group_name: &str) -> Result<()> {
        validate::name("group_name", group_name)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_group().group_name(group_name).send().await
        })
        .await
    }

    /// Adds users (with roles) to a group.
    pub async fn add_group_members(
        &self,
        query: &GroupMembershipQuery,
    ) -> Result<GroupWithMembers> {
        check_members(query)?;
        self.call(Retry::Never, |api| async move {
            api.add_group_members().body(query.clone()).send().await
        })
        .await
    }

    /// Removes roles or memberships of users in a group.
    pub async fn remove_group_members(
        &self,
        query: &GroupMembershipQuery,
    ) -> Result<GroupWithMembers> {
        check_members(query)?;
        self.call(Retry::Never, |api| async move {
            api.remove_group_members().body(query.clone()).send().await
        })
        .await
    }
}
