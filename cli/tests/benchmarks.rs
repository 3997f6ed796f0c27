//! Benchmarks: store, load, list with filters (delete and publishing: publish.rs).

use serde_json::json;

use crate::support::*;
use crate::{parse, Cli};

#[test]
fn store_benchmark_from_a_file_and_from_stdin() {
    let cli = Cli::logged_in();
    let query = json!({
        "hash": "h1",
        "serialized": "{\"env\": \"CartPole-v1\"}",
        "metadata": {"name": "cart pole", "description": "", "difficulty": "easy", "extra": {"level": 3}},
    });
    let file = cli.config.path().join("benchmark.json");
    std::fs::write(&file, query.to_string()).unwrap();
    let reply = benchmark_header_json(ID, "cart pole");
    let (human, json) = cli.both(
        post("/benchmarks/create").json(query.clone()),
        reply.clone(),
        &["store-benchmark", file.to_str().unwrap()],
    );
    assert_eq!(
        human,
        format!(
            "\
id            {ID}
name          cart pole
difficulty    easy
version
description   balance a pole on a cart, for a long while
created_by    ann
created_at    2025-01-02T03:04:05
published_in  global, {GROUP}
hash          5f0c8d7e4b1a9c2d3e4f5a6b7c8d9e0f
"
        )
    );
    assert_eq!(parse(&json), reply);

    let mut mock = cli.expect(post("/benchmarks/create").json(query.clone()), |then| {
        json_reply(then, 200, reply.clone())
    });
    let out = cli
        .run_command(
            cli.command(&["store-benchmark", "-", "--json"])
                .write_stdin(query.to_string()),
        )
        .ok();
    assert_eq!(parse(&out), reply);
    mock.assert_calls(1);
    mock.delete();

    // A conflict: the server's detail, exit 5.
    let file = file.to_str().unwrap();
    cli.fails(
        post("/benchmarks/create").json(query),
        409,
        "Benchmark already exists",
        &["store-benchmark", file],
        5,
    );
    cli.done();
}

#[test]
fn load_benchmark() {
    let cli = Cli::logged_in();
    let mut reply = benchmark_header_json(ID, "cart pole");
    reply["serialized"] = json!("{\"env\": \"CartPole-v1\", \"x\": 1}");
    let (human, json) = cli.both(
        get("/benchmarks/load").query("benchmark_id", ID),
        reply.clone(),
        &["load-benchmark", ID],
    );
    assert_eq!(
        human,
        format!(
            "\
id            {ID}
name          cart pole
difficulty    easy
version
description   balance a pole on a cart, for a long while
created_by    ann
created_at    2025-01-02T03:04:05
published_in  global, {GROUP}
hash          5f0c8d7e4b1a9c2d3e4f5a6b7c8d9e0f
extra         {{\"level\":3}}
serialized    {{\"env\": \"CartPole-v1\", \"x\": 1}}
"
        )
    );
    assert_eq!(parse(&json), reply);
    cli.done();
}

#[test]
fn list_benchmarks_with_filters() {
    let cli = Cli::logged_in();
    let reply = json!([
        benchmark_header_json("b-1", "cart pole"),
        benchmark_header_json("b-22", "mountain car ü"),
    ]);
    let (human, json) = cli.both(
        post("/benchmarks/list").json(all_filter()),
        reply.clone(),
        &["list-benchmarks"],
    );
    assert_eq!(
        human,
        format!(
            "\
id    name            difficulty  version  description                     created_by  created_at           published_in               hash
----  --------------  ----------  -------  ------------------------------  ----------  -------------------  -------------------------  ------------
b-1   cart pole       easy                 balance a pole on a cart, for…  ann         2025-01-02T03:04:05  global, {GROUP}  5f0c8d7e4b1…
b-22  mountain car ü  easy                 balance a pole on a cart, for…  ann         2025-01-02T03:04:05  global, {GROUP}  5f0c8d7e4b1…
"
        )
    );
    assert_eq!(parse(&json), reply);

    // --where: an AND of comparisons; values are JSON when they parse.
    let wheres = json!({"type": "AND", "key": null, "value": null, "filters": [
        {"type": "EQ", "key": "metadata.name", "value": "cart pole", "filters": []},
        {"type": "GEQ", "key": "metadata.extra.level", "value": 3, "filters": []},
        {"type": "IN", "key": "metadata.difficulty", "value": ["easy", "hard"], "filters": []},
        {"type": "NE", "key": "metadata.version", "value": "1.0", "filters": []},
    ]});
    let run = cli.both(
        post("/benchmarks/list").json(wheres),
        json!([]),
        &[
            "list-benchmarks",
            "--where",
            "metadata.name=cart pole",
            "--where",
            "metadata.extra.level>=3",
            "--where",
            "metadata.difficulty~=easy,hard",
            "--where",
            "metadata.version!=\"1.0\"",
        ],
    );
    assert_eq!(run, (String::new(), "[]\n".to_string()));

    // --filter as JSON, combined with --where.
    let filter = json!({"type": "OR", "key": null, "value": null, "filters": [
        {"type": "LT", "key": "metadata.extra.level", "value": 2, "filters": []},
        {"type": "GT", "key": "metadata.extra.level", "value": 8, "filters": []},
    ]});
    let combined = json!({"type": "AND", "key": null, "value": null, "filters": [
        filter.clone(),
        {"type": "IN", "key": "created_by", "value": [USER, "bob"], "filters": []},
    ]});
    let run = cli.both(
        post("/benchmarks/list").json(combined),
        json!([]),
        &[
            "list-benchmarks",
            "--filter",
            &filter.to_string(),
            "--where",
            "created_by in [\"ann\", \"bob\"]",
        ],
    );
    // Nothing found: nothing on stdout (a note on stderr), `[]` with --json.
    assert_eq!(run, (String::new(), "[]\n".to_string()));
    let mock = cli.expect(post("/benchmarks/list").json(all_filter()), |then| {
        json_reply(then, 200, json!([]))
    });
    assert_eq!(cli.run(&["list-benchmarks"]).stderr, "No benchmarks.\n");
    mock.assert_calls(1);
    cli.done();
}
