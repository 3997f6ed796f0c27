//! Users: signup, list-users, change-password, delete-user.

use serde_json::{json, Value};

use crate::support::*;
use crate::{parse, Cli};

#[test]
fn signup() {
    let cli = Cli::logged_in();
    let reply = json!({"username": "bob", "memberships": [{"group": "global", "roles": ["guest", "contributor"]}]});
    let mock = cli.expect(
        post("/access/users/create").json(json!({"username": "bob", "password": PASSWORD})),
        |then| json_reply(then, 200, reply.clone()),
    );
    let human = cli
        .run_command(
            cli.command(&["signup", "bob", "--password-stdin"])
                .write_stdin(PASSWORD),
        )
        .ok();
    assert_eq!(
        human,
        "username     bob\nmemberships  global: guest, contributor\n"
    );
    let json = cli
        .run_command(
            cli.command(&["signup", "bob", "--password-stdin", "--json"])
                .write_stdin(PASSWORD),
        )
        .ok();
    assert_eq!(parse(&json), reply);
    mock.assert_calls(2);
    cli.done();
}

#[test]
fn list_users() {
    let cli = Cli::logged_in();
    let reply = json!([
        {"username": USER, "memberships": [{"group": GROUP, "roles": ["admin", "guest"]}]},
        {"username": "bob", "memberships": []},
    ]);
    let (human, json) = cli.both(get("/access/users/list"), reply.clone(), &["list-users"]);
    assert_eq!(
        human,
        "\
username  memberships
--------  -------------------------------
ann       R&D team #1 + ü/x: admin, guest
bob
"
    );
    assert_eq!(parse(&json), json!([reply[0], {"username": "bob"}]));
    cli.done();
}

#[test]
fn change_password_and_delete_user() {
    let cli = Cli::logged_in();
    let mock = cli.expect(
        put("/access/users/change-password")
            .json(json!({"username": "bob", "password": "new #2&ü"})),
        |then| json_reply(then, 200, Value::Null),
    );
    let out = cli
        .run_command(
            cli.command(&["change-password", "bob", "--password-stdin"])
                .write_stdin("new #2&ü\r\n"),
        )
        .ok();
    assert_eq!(out, "Changed the password of bob.\n");
    mock.assert_calls(1);

    let (human, json) = cli.both(
        delete("/access/users/delete").query("username", "bob & co"),
        Value::Null,
        &["delete-user", "bob & co"],
    );
    assert_eq!(human, "Deleted user bob & co.\n");
    assert_eq!(json, "");
    cli.done();
}
