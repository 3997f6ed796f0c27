//! Roles: list, create, delete.

use serde_json::{json, Value};
use tupli::models::{Right, UserRole};

use crate::support::*;

#[tokio::test]
async fn list_create_delete_role() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;

    let roles = api
        .ok(
            get("/access/roles/list"),
            json!([
                {"role": "guest", "rights": ["benchmark_read", "artifact_read", "episode_read"]},
                {"role": "admin", "description": "all", "rights": ["role_management", "user_delete"]},
            ]),
            client.list_roles(),
        )
        .await;
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0].role, "guest");
    assert_eq!(
        roles[0].rights,
        [
            Right::BenchmarkRead,
            Right::ArtifactRead,
            Right::EpisodeRead
        ]
    );
    assert_eq!(roles[1].description.as_deref(), Some("all"));
    assert_eq!(roles[1].rights, [Right::RoleManagement, Right::UserDelete]);

    let role = UserRole {
        role: "reader & co/ü".into(),
        description: None,
        rights: vec![Right::BenchmarkRead, Right::GroupUpdate],
    };
    let created = api
        .ok(
            post("/access/roles/create").json(
                json!({"role": "reader & co/ü", "rights": ["benchmark_read", "group_update"]}),
            ),
            json!({"role": "reader & co/ü", "rights": ["benchmark_read", "group_update"]}),
            client.create_role(&role),
        )
        .await;
    assert_eq!(created, role);

    api.ok(
        delete("/access/roles/delete").query("role_name", "reader & co/ü"),
        Value::Null,
        client.delete_role("reader & co/ü"),
    )
    .await;
    api.done_async().await;
}
