//! Groups: create, list, read, delete, members.

use serde_json::{json, Value};
use tupli::models::{Group, GroupMembership, GroupMembershipQuery};

use crate::support::*;

fn group_with_members_json() -> Value {
    json!({"name": GROUP, "description": "research ü", "members": [USER, "bob"]})
}

#[tokio::test]
async fn create_list_read_delete_group() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;

    let group = Group {
        name: GROUP.into(),
        description: Some("research ü".into()),
    };
    let created = api
        .ok(
            post("/access/groups/create").json(json!({"name": GROUP, "description": "research ü"})),
            json!({"name": GROUP, "description": "research ü"}),
            client.create_group(&group),
        )
        .await;
    assert_eq!(created, group);

    let groups = api
        .ok(
            get("/access/groups/list"),
            json!([{"name": "global"}, {"name": GROUP, "description": "research ü"}]),
            client.list_groups(),
        )
        .await;
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].name, "global");
    assert_eq!(groups[0].description, None);
    assert_eq!(groups[1], group);

    let read = api
        .ok(
            get("/access/groups/read").query("group_name", GROUP),
            group_with_members_json(),
            client.read_group(GROUP),
        )
        .await;
    assert_eq!(read.name, GROUP);
    assert_eq!(read.description.as_deref(), Some("research ü"));
    assert_eq!(read.members, [USER, "bob"]);

    api.ok(
        delete("/access/groups/delete").query("group_name", GROUP),
        Value::Null,
        client.delete_group(GROUP),
    )
    .await;
    api.done_async().await;
}

#[tokio::test]
async fn add_and_remove_group_members() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let query = GroupMembershipQuery {
        group_name: GROUP.into(),
        members: vec![
            GroupMembership {
                user: "bob".into(),
                roles: Some(vec!["contributor".into(), "guest".into()]),
            },
            GroupMembership {
                user: USER.into(),
                roles: None,
            },
        ],
    };
    let wire = json!({"group_name": GROUP, "members": [
        {"user": "bob", "roles": ["contributor", "guest"]},
        {"user": USER},
    ]});

    let added = api
        .ok(
            post("/access/groups/add-members").json(wire.clone()),
            group_with_members_json(),
            client.add_group_members(&query),
        )
        .await;
    assert_eq!(added.members, [USER, "bob"]);

    let removed = api
        .ok(
            post("/access/groups/remove-members").json(wire),
            json!({"name": GROUP}),
            client.remove_group_members(&query),
        )
        .await;
    assert_eq!(removed.name, GROUP);
    assert!(removed.members.is_empty());
    api.done_async().await;
}
