//! Groups: create, list, read, delete, members.

use serde_json::{json, Value};

use crate::support::*;
use crate::{parse, Cli};

#[test]
fn create_list_read_delete_group() {
    let cli = Cli::logged_in();
    let group = json!({"name": GROUP, "description": "research"});
    let (human, json) = cli.both(
        post("/access/groups/create").json(group.clone()),
        group.clone(),
        &["create-group", GROUP, "--description", "research"],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription  research\n")
    );
    assert_eq!(parse(&json), group);

    let reply = json!([group, {"name": "global"}]);
    let (human, json) = cli.both(get("/access/groups/list"), reply.clone(), &["list-groups"]);
    assert_eq!(
        human,
        format!("name               description\n-----------------  -----------\n{GROUP}  research\nglobal\n")
    );
    assert_eq!(parse(&json), reply);

    let with_members = json!({"name": GROUP, "description": "research", "members": [USER, "bob"]});
    let (human, json) = cli.both(
        get("/access/groups/read").query("group_name", GROUP),
        with_members.clone(),
        &["read-group", GROUP],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription  research\nmembers      ann, bob\n")
    );
    assert_eq!(parse(&json), with_members);

    let (human, json) = cli.both(
        delete("/access/groups/delete").query("group_name", GROUP),
        Value::Null,
        &["delete-group", GROUP],
    );
    assert_eq!(human, format!("Deleted group {GROUP}.\n"));
    assert_eq!(json, "");
    cli.done();
}

#[test]
fn add_and_remove_group_members() {
    let cli = Cli::logged_in();
    let answer = json!({"name": GROUP, "members": [USER, "bob", "cy"]});
    let (human, json) = cli.both(
        post("/access/groups/add-members").json(json!({"group_name": GROUP, "members": [
            {"user": "bob", "roles": ["contributor", "guest"]},
            {"user": "cy", "roles": ["contributor", "guest"]},
        ]})),
        answer.clone(),
        &[
            "add-group-members",
            GROUP,
            "bob",
            "cy",
            "--role",
            "contributor",
            "--role",
            "guest",
        ],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription\nmembers      ann, bob, cy\n")
    );
    assert_eq!(parse(&json), answer);

    let answer = json!({"name": GROUP, "members": [USER]});
    let (human, json) = cli.both(
        post("/access/groups/remove-members").json(json!({"group_name": GROUP, "members": [
            {"user": "bob"}, {"user": "cy"},
        ]})),
        answer.clone(),
        &["remove-group-members", GROUP, "bob", "cy"],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription\nmembers      ann\n")
    );
    assert_eq!(parse(&json), answer);
    cli.done();
}
