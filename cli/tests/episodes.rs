//! Episodes: record, list (delete and publishing: publish.rs).

use serde_json::json;

use crate::support::*;
use crate::{parse, Cli};

#[test]
fn record_episode_from_a_file_and_from_stdin() {
    let cli = Cli::logged_in();
    let episode = json!({"benchmark_id": "b1", "metadata": {"seed": 7}, "tuples": [tuple_json()]});
    let file = cli.config.path().join("episode.json");
    std::fs::write(&file, episode.to_string()).unwrap();
    let reply = episode_header_json(ID, 1);
    let (human, json) = cli.both(
        post("/episodes/record").json(episode.clone()),
        reply.clone(),
        &["record-episode", file.to_str().unwrap()],
    );
    assert_eq!(
        human,
        format!(
            "\
id            {ID}
benchmark_id  b1
n_tuples      1
terminated    ✓
timeout       ✗
created_by    ann
created_at    2025-01-02T03:04:05
published_in  ann
metadata      {{\"seed\":7}}
"
        )
    );
    assert_eq!(parse(&json), reply);

    let mut mock = cli.expect(post("/episodes/record").json(episode.clone()), |then| {
        json_reply(then, 200, reply.clone())
    });
    let out = cli
        .run_command(
            cli.command(&["record-episode", "-"])
                .write_stdin(episode.to_string()),
        )
        .ok();
    assert_eq!(out, human, "the same episode, from a file or stdin");
    mock.assert_calls(1);
    mock.delete();

    // No tuples: refused before sending.
    let empty = json!({"benchmark_id": "b1", "metadata": {}, "tuples": []});
    let stderr = cli
        .run_command(
            cli.command(&["record-episode", "-"])
                .write_stdin(empty.to_string()),
        )
        .fails(2);
    assert!(stderr.contains("at least one tuple"), "{stderr}");
    cli.done();
}

#[test]
fn list_episodes_with_and_without_tuples() {
    let cli = Cli::logged_in();
    let headers = json!([
        episode_header_json("e-1", 1),
        episode_header_json("e-22", 12345)
    ]);
    let (human, json) = cli.both(
        post("/episodes/list").json(list_episodes_body(all_filter(), false)),
        headers.clone(),
        &["list-episodes"],
    );
    assert_eq!(
        human,
        "\
id    benchmark_id  n_tuples  terminated  timeout  created_by  created_at           published_in  metadata
----  ------------  --------  ----------  -------  ----------  -------------------  ------------  ----------
e-1   b1                   1  ✓           ✗        ann         2025-01-02T03:04:05  ann           {\"seed\":7}
e-22  b1               12345  ✓           ✗        ann         2025-01-02T03:04:05  ann           {\"seed\":7}
"
    );
    // To a pipe, JSON is one compact document.
    assert_eq!(crate::compact(&json), headers);

    let filter = json!({"type": "AND", "key": null, "value": null, "filters": [
        {"type": "EQ", "key": "metadata.seed", "value": 7, "filters": []},
        {"type": "LEQ", "key": "n_tuples", "value": 10, "filters": []},
    ]});
    let args = [
        "list-episodes",
        "--include-tuples",
        "--where",
        "metadata.seed=7",
        "--where",
        "n_tuples<=10",
    ];
    // --json: the tuples are asked for and printed.
    let items = json!([episode_item_json("e-1"), episode_item_json("e-2")]);
    let mut with_tuples = cli.expect(
        post("/episodes/list").json(list_episodes_body(filter.clone(), true)),
        |then| json_reply(then, 200, items.clone()),
    );
    let json_args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
    assert_eq!(
        parse(&cli.run(&json_args).ok()),
        items,
        "--json has the tuples"
    );
    with_tuples.assert_calls(1);
    with_tuples.delete();

    // A table shows no tuples: only the headers are asked for (the request
    // with tuples would reach the catch-all), however many tuples there are.
    let headers = json!([
        episode_header_json("e-1", 1),
        episode_header_json("e-2", 12_345_678)
    ]);
    let mut without_tuples = cli.expect(
        post("/episodes/list").json(list_episodes_body(filter, false)),
        |then| json_reply(then, 200, headers),
    );
    let human = cli.run(&args).ok();
    without_tuples.assert_calls(1);
    without_tuples.delete();
    assert_eq!(
        human,
        "\
id   benchmark_id  n_tuples  terminated  timeout  created_by  created_at           published_in  metadata
---  ------------  --------  ----------  -------  ----------  -------------------  ------------  ----------
e-1  b1                   1  ✓           ✗        ann         2025-01-02T03:04:05  ann           {\"seed\":7}
e-2  b1            12345678  ✓           ✗        ann         2025-01-02T03:04:05  ann           {\"seed\":7}
"
    );

    let mut empty = cli.expect(
        post("/episodes/list").json(list_episodes_body(all_filter(), true)),
        |then| json_reply(then, 200, json!([])),
    );
    let json = cli
        .run(&["list-episodes", "--include-tuples", "--json"])
        .ok();
    assert_eq!(json, "[]\n");
    empty.assert_calls(1);
    empty.delete();
    cli.done();
}
