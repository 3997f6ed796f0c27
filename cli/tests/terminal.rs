//! What the tool does only on a terminal, run under a real pseudo-terminal
//! (rexpect): the question before a deletion, and the refusal to write binary
//! data to the screen. (Without a terminal, the other suites show, the tool
//! deletes without asking and writes any bytes.)

use rexpect::process::WaitStatus;
use rexpect::session::PtySession;
use serde_json::Value;

use crate::support::*;
use crate::Cli;

/// The tool with `args` on a new pseudo-terminal (standard input, output
/// and error all on it).
fn spawn(cli: &Cli, args: &[&str]) -> PtySession {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("tupli"));
    command
        .args(args)
        .env("TUPLI_CONFIG_DIR", cli.config.path())
        .env("TUPLI_URL", cli.url())
        .env_remove("TUPLI_REFRESH_TOKEN")
        .env_remove("TUPLI_USER")
        .env_remove("TUPLI_PASSWORD");
    rexpect::session::spawn_command(command, Some(30_000)).unwrap()
}

/// Everything the tool still prints, and its exit code.
fn finish(mut session: PtySession) -> (String, i32) {
    let rest = session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => (rest, code),
        other => panic!("the tool did not exit: {other:?}; output: {rest}"),
    }
}

#[test]
fn a_deletion_on_a_terminal_is_asked_about() {
    let cli = Cli::logged_in();
    let mock = cli.expect(
        delete("/benchmarks/delete").query("benchmark_id", "b-1"),
        |then| json_reply(then, 200, Value::Null),
    );

    let mut session = spawn(&cli, &["delete-benchmark", "b-1"]);
    session.exp_string("Delete benchmark b-1? [y/N] ").unwrap();
    session.send_line("y").unwrap();
    let (out, code) = finish(session);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Deleted benchmark b-1."), "{out}");
    mock.assert_calls(1);

    for answer in ["n", "", "nope", "yess"] {
        let mut session = spawn(&cli, &["delete-benchmark", "b-1"]);
        session.exp_string("Delete benchmark b-1? [y/N] ").unwrap();
        session.send_line(answer).unwrap();
        let (out, code) = finish(session);
        assert_eq!(code, 7, "{answer:?}: {out}");
        assert!(
            out.contains("error: cancelled: benchmark b-1 was not deleted"),
            "{answer:?}: {out}"
        );
        assert!(!out.contains("Deleted"), "{out}");
    }
    mock.assert_calls(1);

    for yes in ["--yes", "-y"] {
        let session = spawn(&cli, &["delete-benchmark", "b-1", yes]);
        let (out, code) = finish(session);
        assert_eq!(code, 0, "{out}");
        assert!(!out.contains("[y/N]"), "no question with {yes}: {out}");
        assert!(out.contains("Deleted benchmark b-1."), "{out}");
    }
    mock.assert_calls(3);
    cli.done();
}

#[test]
fn binary_data_is_not_written_to_a_terminal_unless_forced() {
    let cli = Cli::logged_in();
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR MARK-1 ".to_vec();
    binary.extend([0xffu8, 0xfe, 0x00, 0x01]);
    let hash = tupli::artifact_hash(&binary, USER);
    let metadata = ascii_json(&artifact_item_json(&hash));
    let mock = cli.expect(
        get("/artifacts/download").query("artifact_id", ID),
        move |then| {
            then.status(200)
                .header("content-type", "application/octet-stream")
                .header("x-metadata", metadata)
                .body(binary);
        },
    );

    let (out, code) = finish(spawn(&cli, &["load-artifact", ID]));
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("-o FILE"), "{out}");
    assert!(!out.contains("MARK-1"), "nothing of the data: {out}");

    let (out, code) = finish(spawn(&cli, &["load-artifact", ID, "-o", "-"]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("MARK-1"), "forced: {out}");
    assert!(!std::path::Path::new("-").exists(), "no file named -");
    mock.assert_calls(2);

    // Through a pipe, as before: the bytes, unchanged (also with `-o -`).
    let run = cli.run(&["load-artifact", ID, "-o", "-"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.starts_with(b"\x89PNG") && run.stdout.ends_with(&[0xff, 0xfe, 0, 1]));
    mock.assert_calls(3);
    cli.done();
}

#[test]
fn text_is_written_to_a_terminal() {
    let cli = Cli::logged_in();
    let text = "a plain text artifact, grüße\n";
    let hash = tupli::artifact_hash(text.as_bytes(), USER);
    let metadata = ascii_json(&artifact_item_json(&hash));
    let mock = cli.expect(
        get("/artifacts/download").query("artifact_id", ID),
        move |then| {
            then.status(200)
                .header("content-type", "application/octet-stream")
                .header("x-metadata", metadata)
                .body(text);
        },
    );
    let (out, code) = finish(spawn(&cli, &["load-artifact", ID]));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("a plain text artifact"), "{out}");
    mock.assert_calls(1);
    cli.done();
}
