//! `--format table|json|jsonl|csv` and `--pretty`: every format of a list, of
//! one object and of a summary; lists streamed as they arrive.

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;
use crate::{parse, Cli};

/// Two benchmarks, the second with a description CSV must quote.
fn two_benchmarks() -> Value {
    let mut awkward = benchmark_header_json("b-2", "pole, \"cart\"");
    awkward["metadata"]["description"] = json!("line one, with \"quotes\"\nline two");
    json!([benchmark_header_json("b-1", "cartpole"), awkward])
}

/// Runs `args` against one `POST /benchmarks/list` answered with `reply`.
fn list_benchmarks(cli: &Cli, reply: Value, args: &[&str]) -> crate::Run {
    let mut mock = cli.expect(post("/benchmarks/list").json(all_filter()), |then| {
        json_reply(then, 200, reply)
    });
    let run = cli.run(&[&["list-benchmarks"][..], args].concat());
    mock.assert_calls(1);
    mock.delete();
    run
}

#[test]
fn a_list_in_every_format() {
    let cli = Cli::logged_in();
    let reply = two_benchmarks();

    // json: one compact document to a pipe, indented with --pretty; --json is the same.
    let compact = list_benchmarks(&cli, reply.clone(), &["--format", "json"]).ok();
    assert_eq!(crate::compact(&compact), reply);
    assert_eq!(
        list_benchmarks(&cli, reply.clone(), &["--json"]).ok(),
        compact
    );
    let pretty = list_benchmarks(&cli, reply.clone(), &["--json", "--pretty"]).ok();
    assert_eq!(parse(&pretty), reply);
    assert!(pretty.starts_with("[\n  {\n    \""), "indented: {pretty}");

    // jsonl: one compact object a line.
    let lines = list_benchmarks(&cli, reply.clone(), &["--format", "jsonl"]).ok();
    let objects: Vec<Value> = lines.lines().map(parse).collect();
    assert_eq!(Value::Array(objects), reply);
    assert_eq!(lines.lines().count(), 2, "{lines}");

    // csv: the table's columns, values in full (nothing elided), quoted where needed.
    let csv = list_benchmarks(&cli, reply.clone(), &["--format", "csv"]).ok();
    assert!(
        csv.contains("\"line one, with \"\"quotes\"\"\nline two\""),
        "RFC 4180 quoting: {csv}"
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "name",
            "difficulty",
            "version",
            "description",
            "created_by",
            "created_at",
            "published_in",
            "hash"
        ]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1],
        [
            "b-2",
            "pole, \"cart\"",
            "easy",
            "",
            "line one, with \"quotes\"\nline two",
            USER,
            "2025-01-02T03:04:05.678901",
            &format!("global, {GROUP}"),
            "5f0c8d7e4b1a9c2d3e4f5a6b7c8d9e0f",
        ]
    );

    // table: as before, the description elided and its line break escaped.
    let table = list_benchmarks(&cli, reply.clone(), &["--format", "table"]).ok();
    assert!(table.starts_with("id   name"), "{table}");
    assert!(
        table.contains("line one, with \"quotes\"\\nline…"),
        "{table}"
    );
    assert_eq!(table, list_benchmarks(&cli, reply, &[]).ok());
    cli.done();
}

#[test]
fn an_empty_list_in_every_format() {
    let cli = Cli::logged_in();
    for (args, stdout, stderr) in [
        (&[][..], "", "No benchmarks.\n"),
        (&["-q"][..], "", ""),
        (&["--format", "json"][..], "[]\n", ""),
        (&["--format", "jsonl"][..], "", ""),
        (&["--format", "csv"][..], "", ""),
    ] {
        let run = list_benchmarks(&cli, json!([]), args);
        assert_eq!(
            (run.ok().as_str(), run.stderr.as_str()),
            (stdout, stderr),
            "{args:?}"
        );
    }
    cli.done();
}

#[test]
fn one_object_in_every_format() {
    let cli = Cli::logged_in();
    let mut reply = benchmark_header_json(ID, "cartpole");
    reply["serialized"] = json!("{\"env\": \"CartPole-v1\"}");
    let mut mock = cli.expect(get("/benchmarks/load").query("benchmark_id", ID), |then| {
        json_reply(then, 200, reply.clone())
    });

    let line = cli.run(&["load-benchmark", ID, "--format", "jsonl"]).ok();
    assert_eq!(crate::compact(&line), reply);
    let document = cli.run(&["load-benchmark", ID, "--json"]).ok();
    assert_eq!(document, line, "compact to a pipe");

    let csv = cli.run(&["load-benchmark", ID, "--format", "csv"]).ok();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "a header and one row: {csv}");
    let field = |name: &str| {
        let i = header.iter().position(|h| h == name).unwrap();
        rows[0][i].to_string()
    };
    assert_eq!(field("id"), ID);
    assert_eq!(field("serialized"), "{\"env\": \"CartPole-v1\"}");
    assert_eq!(field("extra"), "{\"level\":3}");
    mock.assert_calls(3);
    mock.delete();
    cli.done();
}

#[test]
fn a_summary_in_every_format() {
    // whoami sends nothing: its summary is read from the stored token.
    let cli = Cli::start();
    let access = jwt(json!({"issuer": USER, "exp": 4_102_444_800u64}));
    cli.write_credentials(
        json!({"url": cli.url(), "access_token": access, "refresh_token": REFRESH}),
    );

    let csv = cli.run(&["whoami", "--format", "csv"]).ok();
    assert_eq!(
        csv,
        format!(
            "username,url,access_expires_at,refresh_expires_at\n{USER},{},2100-01-01T00:00:00Z,\n",
            cli.url()
        ),
        "the refresh token has no readable expiry: empty"
    );
    let line = cli.run(&["whoami", "--format", "jsonl"]).ok();
    assert_eq!(line.lines().count(), 1, "{line}");
    assert_eq!(parse(&line)["access_expires_at"], "2100-01-01T00:00:00Z");
    let pretty = cli.run(&["whoami", "--json", "--pretty"]).ok();
    assert!(
        pretty.starts_with("{\n  \"username\": \"ann\",\n"),
        "{pretty}"
    );
    assert_eq!(parse(&pretty), parse(&line));
    cli.done();
}

#[test]
fn json_and_a_different_format_are_a_usage_error() {
    let cli = Cli::logged_in();
    let stderr = cli.run(&["list-roles", "--json", "--format", "csv"]).stderr;
    assert!(
        stderr.contains("--json is short for --format json, but --format csv was given too"),
        "{stderr}"
    );
    assert_eq!(
        cli.run(&["list-roles", "--json", "--format", "csv"]).code,
        Some(2)
    );
    // Saying the same twice is fine.
    let mut mock = cli.expect(get("/access/roles/list"), |then| {
        json_reply(then, 200, json!([]))
    });
    assert_eq!(
        cli.run(&["list-roles", "--json", "--format", "json"]).ok(),
        "[]\n"
    );
    mock.assert_calls(1);
    mock.delete();
    let stderr = cli.run(&["list-roles", "--format", "yaml"]).stderr;
    assert!(
        stderr.contains("[possible values: table, json, jsonl, csv]"),
        "{stderr}"
    );
    cli.done();
}

/// The first episode of a listing whose answer then stalls: with jsonl and
/// csv it is on standard output before the answer ends.
#[test]
fn streamed_lists_print_each_element_as_it_arrives() {
    let first = episode_header_json("e-1", 3);
    let sent = format!("[{first},").into_bytes();
    let server = RawServer::start(move |request| match request.path.as_str() {
        "/episodes/list" => RawReply::Partial {
            headers: "content-type: application/json\r\n".into(),
            announced: 1 << 20,
            sent: sent.clone(),
            stall: true,
        },
        _ => RawReply::Status(599, json!({"detail": "unexpected"})),
    });
    let config = tempfile::tempdir().unwrap();
    std::fs::write(
        config.path().join("credentials.json"),
        json!({"url": server.url(), "access_token": ACCESS, "refresh_token": REFRESH}).to_string(),
    )
    .unwrap();
    for (format, expected) in [
        ("jsonl", format!("{first}")),
        ("csv", "id,benchmark_id,n_tuples,terminated,timeout,created_by,created_at,published_in,metadata".to_string()),
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tupli"))
            .args(["list-episodes", "--format", format])
            .env("TUPLI_CONFIG_DIR", config.path())
            .env_remove("TUPLI_URL")
            .env_remove("TUPLI_STORAGE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (lines, arrived) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if lines.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        let line = arrived.recv_timeout(Duration::from_secs(30));
        // Still waiting for the rest of the answer.
        let still_running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        let line = line.unwrap_or_else(|e| panic!("{format}: no line ({e})"));
        match format {
            "jsonl" => assert_eq!(parse(&line), parse(&expected), "{format}"),
            _ => assert_eq!(line, expected, "{format}"),
        }
        assert!(still_running, "{format}: the answer had not ended");
    }
    assert!(server.requests().iter().all(|r| r.path == "/episodes/list"));
}
