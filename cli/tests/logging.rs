//! `-v`, `-vv`, `-q` and `RUST_LOG`: what the tool logs on standard error,
//! and that no password or token is ever among it.

use serde_json::json;

use crate::support::*;
use crate::Cli;

/// `GET /access/roles/list` answered with one role.
fn roles(cli: &Cli) -> httpmock::Mock<'_> {
    cli.expect(get("/access/roles/list"), |then| {
        json_reply(
            then,
            200,
            json!([{"role": "guest", "rights": ["benchmark_read"]}]),
        )
    })
}

#[test]
fn verbose_logs_one_line_per_request() {
    let cli = Cli::logged_in();
    let mut mock = roles(&cli);

    let quiet = cli.run(&["list-roles"]);
    assert_eq!(quiet.stderr, "", "no flag: nothing logged");
    let table = quiet.ok();

    let run = cli.run(&["list-roles", "-v"]);
    assert_eq!(run.ok(), table, "standard output is the same");
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line per request: {}", run.stderr);
    for part in [
        "INFO",
        "tupli.request{",
        "operation=\"list_roles\"",
        "method=GET",
        "path=\"/access/roles/list\"",
        "answered status=200 elapsed_ms=",
    ] {
        assert!(lines[0].contains(part), "{part}: {}", lines[0]);
    }
    // The call's span (which attempt) is debugging detail.
    assert!(!run.stderr.contains("tupli.call{"), "{}", run.stderr);

    let run = cli.run(&["list-roles", "-vv"]);
    assert_eq!(run.ok(), table);
    assert!(
        run.stderr.contains("tupli.call{attempt=1}:tupli.request{"),
        "{}",
        run.stderr
    );
    mock.assert_calls(3);
    mock.delete();
    cli.done();
}

#[test]
fn rust_log_decides_when_set() {
    let cli = Cli::logged_in();
    let mut mock = roles(&cli);

    let run = cli.run_command(cli.command(&["list-roles"]).env("RUST_LOG", "tupli=debug"));
    run.ok();
    assert!(
        run.stderr.contains("tupli.call{attempt=1}"),
        "debug without -v: {}",
        run.stderr
    );

    let run = cli.run_command(cli.command(&["list-roles", "-vv"]).env("RUST_LOG", "off"));
    run.ok();
    assert_eq!(run.stderr, "", "RUST_LOG=off silences -vv");

    // Not a filter: said once, and the flags decide.
    let run = cli.run_command(
        cli.command(&["list-roles", "-v"])
            .env("RUST_LOG", "tupli=loud"),
    );
    run.ok();
    assert!(
        run.stderr
            .starts_with("tupli: warning: RUST_LOG is not a valid filter"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("answered status=200"), "{}", run.stderr);
    mock.assert_calls(3);
    mock.delete();
    cli.done();
}

#[test]
fn quiet_silences_notes_but_not_errors() {
    let cli = Cli::logged_in();
    let mut mock = cli.expect(get("/access/roles/list"), |then| {
        json_reply(then, 200, json!([]))
    });
    assert_eq!(cli.run(&["list-roles"]).stderr, "No roles.\n");
    let run = cli.run(&["list-roles", "--quiet"]);
    assert_eq!((run.ok().as_str(), run.stderr.as_str()), ("", ""));
    mock.assert_calls(2);
    mock.delete();

    // Tokens stored for another server: the note that they are not sent goes too.
    let other = format!("{}/", cli.url());
    cli.write_credentials(json!({
        "url": "http://elsewhere.invalid:1", "access_token": ACCESS, "refresh_token": REFRESH,
    }));
    let mut anonymous = cli.expect(get("/access/roles/list").anonymous(), |then| {
        json_reply(then, 200, json!([]))
    });
    let run = cli.run(&["list-roles", "--url", &other]);
    assert!(
        run.stderr
            .contains("tupli: note: not sending the stored tokens"),
        "{}",
        run.stderr
    );
    let run = cli.run(&["list-roles", "-q", "--url", &other]);
    assert_eq!(run.stderr, "");
    anonymous.assert_calls(2);
    anonymous.delete();

    // An error is still said.
    let stderr = cli.fails(
        get("/access/roles/list").anonymous(),
        403,
        "Not allowed",
        &["list-roles", "-q", "--url", &other],
        3,
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");

    let stderr = cli.run(&["list-roles", "-q", "-v"]).stderr;
    assert!(stderr.contains("cannot be used with"), "{stderr}");
    cli.done();
}

#[test]
fn the_most_verbose_logs_hold_no_password_and_no_token() {
    let cli = Cli::start();
    let access = jwt(json!({"issuer": USER, "exp": 4_102_444_800u64, "n": "first-access"}));
    let refresh = jwt(json!({"issuer": USER, "exp": 4_102_444_900u64, "n": "the-refresh"}));
    let renewed = jwt(json!({"issuer": USER, "exp": 4_102_445_000u64, "n": "renewed-access"}));
    let secrets = [
        PASSWORD,
        access.as_str(),
        refresh.as_str(),
        renewed.as_str(),
    ];
    // The claims segment alone would give a token away as well.
    let payloads: Vec<&str> = secrets[1..]
        .iter()
        .map(|token| token.split('.').nth(1).unwrap())
        .collect();
    let assert_clean = |run: &crate::Run, what: &str| {
        let stdout = run.stdout();
        for secret in secrets.iter().chain(&payloads) {
            assert!(
                !run.stderr.contains(secret),
                "{what}: {secret} in {}",
                run.stderr
            );
            assert!(!stdout.contains(secret), "{what}: {secret} in {stdout}");
        }
    };

    let login = cli
        .mocked
        .expect_login(USER, PASSWORD, token_pair(&access, &refresh));
    let run = cli.run_command(
        cli.command(&["login", USER, "--password-stdin", "-vv"])
            .write_stdin(format!("{PASSWORD}\n")),
    );
    run.ok();
    assert!(run.stderr.contains("operation=\"login\""), "{}", run.stderr);
    assert_clean(&run, "login");
    login.assert_calls(1);

    let rejected = cli.expect(get("/access/roles/list").bearer(&access), |then| {
        json_reply(then, 401, json!({"detail": "Token expired"}))
    });
    let refreshed = cli.mocked.expect_refresh(&refresh, &renewed);
    let accepted = cli.expect(get("/access/roles/list").bearer(&renewed), |then| {
        json_reply(then, 200, json!([]))
    });
    for flags in ["-vv", "-vvv"] {
        // Each run starts from the login's tokens.
        cli.write_credentials(
            json!({"url": cli.url(), "access_token": access, "refresh_token": refresh}),
        );
        let run = cli.run(&["list-roles", flags]);
        run.ok();
        for step in [
            "status=401",
            "refreshing the access token",
            "operation=\"refresh_token\"",
            "access token refreshed",
            "status=200",
        ] {
            assert!(run.stderr.contains(step), "{flags}: {step}: {}", run.stderr);
        }
        assert_clean(&run, flags);
    }
    rejected.assert_calls(2);
    refreshed.assert_calls(2);
    accepted.assert_calls(2);
    cli.done();
}
