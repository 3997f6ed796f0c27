//! Roles: named bundles of rights.

use crate::client::TupliApiClient;
use crate::error::Result;
use crate::models::UserRole;
use crate::retry::Retry;
use crate::validate;

impl TupliApiClient {
    /// Lists all roles.
    pub async fn list_roles(&self) -> Result<Vec<UserRole>> {
        self.call(
            Retry::Safe,
            |api| async move { api.list_roles().send().await },
        )
        .await
    }

    /// Creates a role (needs `role_management`).
    pub async fn create_role(&self, role: &UserRole) -> Result<UserRole> {
        validate::name("role.role", &role.role)?;
        self.call(Retry::Never, |api| async move {
            api.create_role().body(role.clone()).send().await
        })
        .await
    }

    /// Deletes a role.
    pub async fn delete_role(&self, role_name: &str) -> Result<()> {
        validate::name("role_name", role_name)?;
        self.call(Retry::Safe, |api| async move {
            api.delete_role().role_name(role_name).send().await
        })
        .await
    }
}
