//! Users, groups and roles: the operations only a server has.

use pyo3::prelude::*;
use tupli::models::{Group, GroupMembershipQuery, UserRole};

use super::Storage;
use crate::convert::{self, from_py};
use crate::runtime::wait;

#[pymethods]
impl Storage {
    /// Lists the users (without passwords).
    fn list_users<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.server("list_users")?;
        let users = wait(py, async move { client.list_users().await })?;
        Ok(convert::list_to_py(py, &users)?.into_any())
    }

    /// Changes a user's password.
    fn change_password(
        &self,
        py: Python<'_>,
        username: String,
        new_password: String,
    ) -> PyResult<()> {
        let client = self.server("change_password")?;
        wait(py, async move {
            client.change_password(&username, &new_password).await
        })
    }

    /// Deletes a user.
    fn delete_user(&self, py: Python<'_>, username: String) -> PyResult<()> {
        let client = self.server("delete_user")?;
        wait(py, async move { client.delete_user(&username).await })
    }

    /// Lists the roles.
    fn list_roles<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.server("list_roles")?;
        let roles = wait(py, async move { client.list_roles().await })?;
        Ok(convert::list_to_py(py, &roles)?.into_any())
    }

    /// Creates a role (a `UserRole`'s dump).
    fn create_role<'py>(
        &self,
        py: Python<'py>,
        role: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let role: UserRole = from_py(role, "role")?;
        let client = self.server("create_role")?;
        let role = wait(py, async move { client.create_role(&role).await })?;
        convert::to_py(py, &role)
    }

    /// Deletes a role.
    fn delete_role(&self, py: Python<'_>, role_name: String) -> PyResult<()> {
        let client = self.server("delete_role")?;
        wait(py, async move { client.delete_role(&role_name).await })
    }

    /// Creates a group (a `Group`'s dump).
    fn create_group<'py>(
        &self,
        py: Python<'py>,
        group: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let group: Group = from_py(group, "group")?;
        let client = self.server("create_group")?;
        let group = wait(py, async move { client.create_group(&group).await })?;
        convert::to_py(py, &group)
    }

    /// Lists the groups.
    fn list_groups<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = self.server("list_groups")?;
        let groups = wait(py, async move { client.list_groups().await })?;
        Ok(convert::list_to_py(py, &groups)?.into_any())
    }

    /// Reads a group with its members.
    fn read_group<'py>(&self, py: Python<'py>, group_name: String) -> PyResult<Bound<'py, PyAny>> {
        let client = self.server("read_group")?;
        let group = wait(py, async move { client.read_group(&group_name).await })?;
        convert::to_py(py, &group)
    }

    /// Deletes a group.
    fn delete_group(&self, py: Python<'_>, group_name: String) -> PyResult<()> {
        let client = self.server("delete_group")?;
        wait(py, async move { client.delete_group(&group_name).await })
    }

    /// Adds members (a `GroupMembershipQuery`'s dump) to a group.
    fn add_group_members<'py>(
        &self,
        py: Python<'py>,
        group_membership_query: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let query: GroupMembershipQuery =
            from_py(group_membership_query, "group_membership_query")?;
        let client = self.server("add_group_members")?;
        let group = wait(py, async move { client.add_group_members(&query).await })?;
        convert::to_py(py, &group)
    }

    /// Removes members (a `GroupMembershipQuery`'s dump) from a group.
    fn remove_group_members<'py>(
        &self,
        py: Python<'py>,
        group_membership_query: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let query: GroupMembershipQuery =
            from_py(group_membership_query, "group_membership_query")?;
        let client = self.server("remove_group_members")?;
        let group = wait(py, async move { client.remove_group_members(&query).await })?;
        convert::to_py(py, &group)
    }
}
