//! Artifacts: store, load with hash verification, list (delete and publishing: publish.rs).

use httpmock::{HttpMockRequest, Mock};
use serde_json::{json, Value};

use crate::support::*;
use crate::{parse, Cli};

/// Mocks an upload answered with `reply`; records the requests.
fn mock_upload<'a>(
    cli: &'a Cli,
    reply: Value,
    seen: &std::sync::Arc<std::sync::Mutex<Vec<HttpMockRequest>>>,
) -> Mock<'a> {
    let recorder = seen.clone();
    cli.mock(move |when, then| {
        when.method("POST")
            .path("/artifacts/upload")
            .query_param_count(".*", ".*", 0)
            .header("authorization", format!("Bearer {ACCESS}"))
            .header_includes("content-type", "multipart/form-data; boundary=")
            .is_true(move |req| {
                recorder.lock().unwrap().push(req.clone());
                true
            });
        json_reply(then, 200, reply);
    })
}

#[test]
fn store_artifact_uploads_the_file_with_its_metadata() {
    let cli = Cli::logged_in();
    let data: Vec<u8> = (0..70_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let file = cli.config.path().join("weights.bin");
    std::fs::write(&file, &data).unwrap();
    let item = artifact_item_json(&tupli::artifact_hash(&data, USER));
    let seen = std::sync::Arc::default();
    let mut mock = mock_upload(&cli, item.clone(), &seen);
    let file = file.to_str().unwrap();
    let args = [
        "store-artifact",
        file,
        "--description",
        "d",
        "--benchmark-id",
        "b1",
        "--extra",
        r#"{"source": "cli"}"#,
    ];
    let human = cli.run(&args).ok();
    assert_eq!(
        human,
        format!(
            "\
id            {ID}
name          weights.bin
description   d
benchmark_id  b1
created_by    ann
created_at    2025-01-02T03:04:05
published_in  ann
hash          {}
",
            tupli::artifact_hash(&data, USER)
        )
    );
    let json = cli.run(&[&args[..], &["--json"]].concat()).ok();
    assert_eq!(parse(&json), item);
    mock.assert_calls(2);
    mock.delete();

    for req in seen.lock().unwrap().iter() {
        let parts = multipart_parts(req);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[0].0.contains(r#"name="data""#), "{}", parts[0].0);
        assert!(
            parts[0].1 == data,
            "the file part holds the bytes unchanged"
        );
        assert!(parts[1].0.contains(r#"name="metadata""#), "{}", parts[1].0);
        assert_eq!(
            serde_json::from_slice::<Value>(&parts[1].1).unwrap(),
            json!({"name": "weights.bin", "description": "d", "benchmark_id": "b1", "extra": {"source": "cli"}})
        );
    }

    // --name instead of the file's name; no description given.
    seen.lock().unwrap().clear();
    let mock = mock_upload(&cli, item, &seen);
    cli.run(&["store-artifact", file, "--name", "model v2"])
        .ok();
    mock.assert_calls(1);
    let parts = multipart_parts(&seen.lock().unwrap()[0]);
    assert_eq!(
        serde_json::from_slice::<Value>(&parts[1].1).unwrap(),
        json!({"name": "model v2", "description": ""})
    );

    // A missing file is a usage error; nothing is sent.
    let stderr = cli.run(&["store-artifact", "/no/such/file"]).fails(2);
    assert!(stderr.contains("cannot read /no/such/file"), "{stderr}");
    cli.done();
}

/// Mocks the download of [`ID`]: `bytes`, with the metadata header.
fn mock_download<'a>(cli: &'a Cli, bytes: &[u8], hash: &str) -> Mock<'a> {
    let bytes = bytes.to_vec();
    let metadata = ascii_json(&artifact_item_json(hash));
    cli.expect(
        get("/artifacts/download").query("artifact_id", ID),
        move |then| {
            then.status(200)
                .header("content-type", "application/octet-stream")
                .header("x-metadata", metadata)
                .body(bytes);
        },
    )
}

#[test]
fn load_artifact_to_stdout_and_to_a_file() {
    let cli = Cli::logged_in();
    let data: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    let hash = tupli::artifact_hash(&data, USER);
    let mut mock = mock_download(&cli, &data, &hash);

    let run = cli.run(&["load-artifact", ID]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout == data, "the bytes, unchanged, on stdout");
    assert_eq!(run.stderr, "");

    let out = cli.config.path().join("out.bin");
    let out_arg = out.to_str().unwrap();
    let run = cli.run(&["load-artifact", ID, "--output", out_arg]);
    assert_eq!(run.ok(), "");
    assert_eq!(
        run.stderr,
        format!("Wrote 4.9 KiB to {out_arg} (hash verified).\n")
    );
    assert!(std::fs::read(&out).unwrap() == data);

    std::fs::remove_file(&out).unwrap();
    let run = cli.run(&["load-artifact", ID, "-o", out_arg, "--json"]);
    assert_eq!((run.ok(), run.stderr.as_str()), (String::new(), ""));
    assert!(std::fs::read(&out).unwrap() == data);
    mock.assert_calls(3);
    mock.delete();
    cli.done();
}

#[test]
fn a_tampered_download_fails_and_leaves_nothing() {
    let cli = Cli::logged_in();
    let hash = tupli::artifact_hash(b"the real bytes", USER);
    let mut mock = mock_download(&cli, b"tampered", &hash);

    let run = cli.run(&["load-artifact", ID]);
    let stderr = run.fails(5);
    assert!(stderr.contains("integrity check failed"), "{stderr}");
    assert!(run.stdout.is_empty(), "nothing unverified reaches stdout");

    let out = cli.config.path().join("out.bin");
    std::fs::write(&out, "previous").unwrap();
    cli.run(&["load-artifact", ID, "--output", out.to_str().unwrap()])
        .fails(5);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "previous");
    let mut names: Vec<_> = std::fs::read_dir(cli.config.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["credentials.json", "out.bin"],
        "no partial file left"
    );
    mock.assert_calls(2);
    mock.delete();

    cli.fails(
        get("/artifacts/download").query("artifact_id", ID),
        404,
        "Artifact not found",
        &["load-artifact", ID],
        4,
    );
    cli.done();
}

#[test]
fn list_artifacts_with_a_filter() {
    let cli = Cli::logged_in();
    let reply = json!([artifact_item_json("0123456789abcdef0123")]);
    let (human, json) = cli.both(
        post("/artifacts/list")
            .json(json!({"type": "EQ", "key": "name", "value": "weights.bin", "filters": []})),
        reply.clone(),
        &["list-artifacts", "--where", "name=weights.bin"],
    );
    assert_eq!(
        human,
        format!(
            "\
id                  name         description  benchmark_id  created_by  created_at           published_in  hash
------------------  -----------  -----------  ------------  ----------  -------------------  ------------  ------------
{ID}  weights.bin  d            b1            ann         2025-01-02T03:04:05  ann           0123456789a…
"
        )
    );
    assert_eq!(parse(&json), reply);

    cli.done();
}
