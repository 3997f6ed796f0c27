//! Roles: list, create, delete.

use serde_json::{json, Value};

use crate::support::*;
use crate::{parse, Cli};

#[test]
fn list_create_delete_role() {
    let cli = Cli::logged_in();
    let roles = json!([
        {"role": "reader", "rights": ["benchmark_read", "episode_read"], "description": "reads"},
        {"role": "empty", "rights": []},
    ]);
    let (human, json) = cli.both(get("/access/roles/list"), roles.clone(), &["list-roles"]);
    assert_eq!(
        human,
        "\
role    rights                        description
------  ----------------------------  -----------
reader  benchmark_read, episode_read  reads
empty
"
    );
    assert_eq!(parse(&json), roles);

    let role = json!({"role": "reader", "rights": ["benchmark_read", "episode_read"], "description": "reads"});
    let (human, json) = cli.both(
        post("/access/roles/create").json(role.clone()),
        role.clone(),
        &[
            "create-role",
            "reader",
            "--right",
            "benchmark_read",
            "--right",
            "episode_read",
            "--description",
            "reads",
        ],
    );
    assert_eq!(
        human,
        "role         reader\nrights       benchmark_read, episode_read\ndescription  reads\n"
    );
    assert_eq!(parse(&json), role);

    let (human, json) = cli.both(
        delete("/access/roles/delete").query("role_name", "reader"),
        Value::Null,
        &["delete-role", "reader"],
    );
    assert_eq!(human, "Deleted role reader.\n");
    assert_eq!(json, "");
    cli.done();
}
