//! Exit codes (usage, auth, not found, API, transport), help and version.

use crate::support::*;
use crate::Cli;

#[test]
fn exit_codes_tell_usage_auth_not_found_api_and_transport_apart() {
    let cli = Cli::logged_in();
    // 2: usage.
    for args in [
        &["no-such-command"][..],
        &["load-benchmark"],
        &["list-benchmarks", "--where", "metadata.name"],
        &["list-benchmarks", "--where", "k=null"],
        &[
            "list-benchmarks",
            "--filter",
            "{\"type\": \"EQ\", \"key\": \"a\"}",
        ],
        &["publish-benchmark", "x", "--in"],
        &["create-role", "r", "--right", "fly"],
        &["add-group-members", "g", "bob"],
    ] {
        cli.run(args).fails(2);
    }
    // 2: invalid input, caught before sending.
    let stderr = cli.run(&["delete-benchmark", " "]).fails(2);
    assert!(
        stderr.contains("invalid argument `benchmark_id`"),
        "{stderr}"
    );
    let stderr = cli.run(&["record-episode", "/no/such/file.json"]).fails(2);
    assert!(
        stderr.contains("cannot read /no/such/file.json"),
        "{stderr}"
    );
    let bad = cli.config.path().join("bad.json");
    std::fs::write(
        &bad,
        r#"{"benchmark_id": "b", "metadata": {}, "tuples": [{"state": 1}]}"#,
    )
    .unwrap();
    let stderr = cli.run(&["record-episode", bad.to_str().unwrap()]).fails(2);
    assert!(
        stderr.contains("is not an episode: at `tuples[0]`"),
        "{stderr}"
    );
    assert!(stderr.contains("missing field `action`"), "{stderr}");

    // 3: 401 without a session, 403.
    cli.fails(
        get("/access/users/list"),
        403,
        "Insufficient rights",
        &["list-users"],
        3,
    );
    // 4: not found.
    let stderr = cli.fails(
        get("/benchmarks/load").query("benchmark_id", "nope"),
        404,
        "Benchmark not found",
        &["load-benchmark", "nope"],
        4,
    );
    assert_eq!(
        stderr,
        "error: the server answered 404 Not Found: Benchmark not found\n"
    );
    // 5: other answers.
    cli.fails(
        delete("/access/roles/delete").query("role_name", "admin"),
        409,
        "Role in use",
        &["delete-role", "admin"],
        5,
    );
    cli.fails(
        get("/access/groups/list"),
        500,
        "Internal Server Error",
        &["list-groups"],
        5,
    );
    let mut mock = cli.expect(get("/access/groups/list"), |then| {
        then.status(200).body("not json");
    });
    let stderr = cli.run(&["list-groups"]).fails(5);
    assert!(stderr.contains("could not decode"), "{stderr}");
    mock.assert_calls(1);
    mock.delete();
    // 6: transport (a port nothing listens on).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let stderr = cli
        .run(&["list-groups", "--url", &format!("http://127.0.0.1:{port}")])
        .fails(6);
    assert!(stderr.contains("error: transport error"), "{stderr}");
    cli.done();
}

#[test]
fn a_guest_that_is_told_to_log_in_exits_3() {
    let cli = Cli::start();
    let stderr = cli.fails(
        get("/access/users/list").anonymous(),
        401,
        "Not authenticated",
        &["list-users"],
        3,
    );
    assert_eq!(
        stderr,
        "error: not logged in: run `tupli login` first (the server answered 401: Not authenticated)\n"
    );
    cli.done();
}

#[test]
fn help_and_version_exit_0() {
    let cli = Cli::start();
    let help = cli.run(&["--help"]).ok();
    for command in [
        "login",
        "logout",
        "whoami",
        "set-url",
        "signup",
        "list-users",
        "change-password",
        "delete-user",
        "create-group",
        "list-groups",
        "read-group",
        "delete-group",
        "add-group-members",
        "remove-group-members",
        "list-roles",
        "create-role",
        "delete-role",
        "store-benchmark",
        "load-benchmark",
        "list-benchmarks",
        "delete-benchmark",
        "publish-benchmark",
        "unpublish-benchmark",
        "store-artifact",
        "load-artifact",
        "list-artifacts",
        "delete-artifact",
        "publish-artifact",
        "unpublish-artifact",
        "record-episode",
        "list-episodes",
        "delete-episode",
        "publish-episode",
        "unpublish-episode",
    ] {
        assert!(
            help.contains(&format!("  {command} ")),
            "{command} missing: {help}"
        );
    }
    let version = cli.run(&["--version"]).ok();
    assert_eq!(version, format!("tupli {}\n", env!("CARGO_PKG_VERSION")));
    cli.done();
}

/// A panic (forced with `TUPLI_TEST_PANIC`) shows users one line asking for
/// a report, with the version, and exits 70; `RUST_BACKTRACE=1` adds the
/// details (the test's own environment may set it: each run sets or removes it).
#[test]
fn a_panic_is_one_line_asking_for_a_report_and_exits_70() {
    let cli = Cli::start();
    let version = env!("CARGO_PKG_VERSION");
    for backtrace in [None, Some("0")] {
        let mut command = cli.command(&["list-roles"]);
        command.env("TUPLI_TEST_PANIC", "1");
        match backtrace {
            Some(value) => command.env("RUST_BACKTRACE", value),
            None => command.env_remove("RUST_BACKTRACE"),
        };
        let run = cli.run_command(&mut command);
        assert_eq!(
            run.code,
            Some(70),
            "RUST_BACKTRACE={backtrace:?}: {}",
            run.stderr
        );
        assert_eq!(run.stdout(), "");
        assert_eq!(
            run.stderr,
            format!(
                "internal error: TUPLI_TEST_PANIC is set (tupli {version}); please report it, \
                 with the output of the same command under RUST_BACKTRACE=1\n"
            ),
            "RUST_BACKTRACE={backtrace:?}"
        );
        assert!(!run.stderr.contains("panicked at"), "{}", run.stderr);
    }

    let run = cli.run_command(
        cli.command(&["list-roles"])
            .env("TUPLI_TEST_PANIC", "1")
            .env("RUST_BACKTRACE", "1"),
    );
    assert_eq!(run.code, Some(70), "{}", run.stderr);
    assert_eq!(run.stdout(), "");
    // The details: where, what, and the backtrace.
    assert!(run.stderr.contains("panicked at "), "{}", run.stderr);
    assert!(
        run.stderr.contains("\nTUPLI_TEST_PANIC is set\n"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("stack backtrace:"), "{}", run.stderr);
    // Still exactly one line for users, the last one.
    let ours: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("internal error:"))
        .collect();
    assert_eq!(
        ours,
        [format!(
            "internal error: TUPLI_TEST_PANIC is set (tupli {version}); please report it"
        )],
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().last(), Some(ours[0]), "{}", run.stderr);
    cli.done();
}
