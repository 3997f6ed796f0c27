//! Credentials from the environment (`TUPLI_REFRESH_TOKEN`, `TUPLI_USER` with
//! `TUPLI_PASSWORD`) and `login --print-token`: each source, their
//! precedence over the credentials file, nothing written to disk, and no
//! secret in any output but the deliberate `--print-token` line.

use serde_json::json;

use crate::support::*;
use crate::{Cli, Run};

const ENV_REFRESH: &str = "env-refresh-token-E";
const ENV_ACCESS: &str = "env-access-token-E";
const ENV_PASSWORD: &str = "env pw #2&+ü";

/// Asserts that none of the environment's secrets shows in `run`'s output.
fn shows_no_env_secret(run: &Run) {
    let stdout = String::from_utf8_lossy(&run.stdout);
    for secret in [ENV_REFRESH, ENV_ACCESS, ENV_PASSWORD] {
        assert!(!stdout.contains(secret), "{secret} on stdout: {stdout}");
        assert!(
            !run.stderr.contains(secret),
            "{secret} on stderr: {}",
            run.stderr
        );
    }
}

/// `list-roles` with `vars` set; its output checked for secrets.
fn list_roles(cli: &Cli, vars: &[(&str, &str)]) -> Run {
    let mut command = cli.command(&["list-roles"]);
    for (name, value) in vars {
        command.env(name, value);
    }
    let run = cli.run_command(&mut command);
    shows_no_env_secret(&run);
    run
}

fn roles_reply() -> serde_json::Value {
    json!([{"role": "guest", "rights": ["benchmark_read"]}])
}

#[test]
fn a_refresh_token_from_the_environment_writes_nothing() {
    let cli = Cli::start();
    let refresh = cli.mocked.expect_refresh(ENV_REFRESH, ENV_ACCESS);
    let roles = cli.expect(get("/access/roles/list").bearer(ENV_ACCESS), |then| {
        json_reply(then, 200, roles_reply())
    });
    let run = list_roles(&cli, &[("TUPLI_REFRESH_TOKEN", ENV_REFRESH)]);
    assert!(run.ok().contains("guest  benchmark_read"));
    assert_eq!(run.stderr, "");
    refresh.assert_calls(1);
    roles.assert_calls(1);
    assert!(
        cli.config_entries().is_empty(),
        "{:?}",
        cli.config_entries()
    );
    cli.done();
}

#[test]
fn the_environment_comes_before_the_stored_login_which_stays_unchanged() {
    let cli = Cli::logged_in();
    let before = std::fs::read(cli.credentials_path()).unwrap();
    // The stored ACCESS token is never sent: the catch-all would answer it.
    let refresh = cli.mocked.expect_refresh(ENV_REFRESH, ENV_ACCESS);
    let login = cli.mocked.expect_login(
        "env-user",
        ENV_PASSWORD,
        token_pair(ENV_ACCESS, ENV_REFRESH),
    );
    let roles = cli.expect(get("/access/roles/list").bearer(ENV_ACCESS), |then| {
        json_reply(then, 200, roles_reply())
    });

    // A refresh token comes before a user and password.
    list_roles(
        &cli,
        &[
            ("TUPLI_REFRESH_TOKEN", ENV_REFRESH),
            ("TUPLI_USER", "env-user"),
            ("TUPLI_PASSWORD", ENV_PASSWORD),
        ],
    )
    .ok();
    assert_eq!((refresh.calls(), login.calls(), roles.calls()), (1, 0, 1));

    // A user and password come before the stored login.
    list_roles(
        &cli,
        &[("TUPLI_USER", "env-user"), ("TUPLI_PASSWORD", ENV_PASSWORD)],
    )
    .ok();
    assert_eq!((refresh.calls(), login.calls(), roles.calls()), (1, 1, 2));

    // An empty variable counts as unset: the stored login.
    let stored = cli.expect(get("/access/roles/list").bearer(ACCESS), |then| {
        json_reply(then, 200, roles_reply())
    });
    list_roles(&cli, &[("TUPLI_REFRESH_TOKEN", "")]).ok();
    stored.assert_calls(1);

    assert_eq!(std::fs::read(cli.credentials_path()).unwrap(), before);
    assert_eq!(cli.config_entries(), ["credentials.json"]);
    cli.done();
}

#[test]
fn an_environment_session_refreshed_midway_is_not_written_back() {
    let cli = Cli::start();
    let first = jwt_expiring("env", 1800);
    let login = cli
        .mocked
        .expect_login("env-user", ENV_PASSWORD, token_pair(&first, ENV_REFRESH));
    let rejected = cli.expect(get("/access/roles/list").bearer(&first), |then| {
        json_reply(then, 401, json!({"detail": "Token expired"}))
    });
    let refresh = cli.mocked.expect_refresh(ENV_REFRESH, ENV_ACCESS);
    let roles = cli.expect(get("/access/roles/list").bearer(ENV_ACCESS), |then| {
        json_reply(then, 200, roles_reply())
    });
    let run = list_roles(
        &cli,
        &[("TUPLI_USER", "env-user"), ("TUPLI_PASSWORD", ENV_PASSWORD)],
    );
    assert!(run.stdout().contains("guest"));
    assert!(!run.stdout().contains(&first) && !run.stderr.contains(&first));
    for mock in [&login, &rejected, &refresh, &roles] {
        mock.assert_calls(1);
    }
    assert!(
        cli.config_entries().is_empty(),
        "{:?}",
        cli.config_entries()
    );
    cli.done();
}

#[test]
fn rejected_environment_credentials_say_where_they_came_from_and_not_what_they_are() {
    let cli = Cli::start();
    let refresh = cli
        .mocked
        .expect_refresh_rejected(ENV_REFRESH, "Could not validate credentials");
    let stderr = list_roles(&cli, &[("TUPLI_REFRESH_TOKEN", ENV_REFRESH)]).fails(3);
    assert!(stderr.contains("TUPLI_REFRESH_TOKEN"), "{stderr}");
    refresh.assert_calls(1);

    let login = cli.mocked.expect_login_rejected(
        "env-user",
        ENV_PASSWORD,
        "Incorrect username or password",
    );
    let stderr = list_roles(
        &cli,
        &[("TUPLI_USER", "env-user"), ("TUPLI_PASSWORD", ENV_PASSWORD)],
    )
    .fails(3);
    assert!(
        stderr.contains("Incorrect username or password"),
        "{stderr}"
    );
    assert!(stderr.contains("TUPLI_USER and TUPLI_PASSWORD"), "{stderr}");
    login.assert_calls(1);

    // Half a pair is a usage error; nothing is sent.
    for var in [("TUPLI_USER", "env-user"), ("TUPLI_PASSWORD", ENV_PASSWORD)] {
        let stderr = list_roles(&cli, &[var]).fails(2);
        assert!(stderr.contains("set both"), "{stderr}");
    }
    assert!(
        cli.config_entries().is_empty(),
        "{:?}",
        cli.config_entries()
    );
    cli.done();
}

#[test]
fn environment_credentials_go_to_the_run_s_server_only() {
    let cli = Cli::start();
    let other = Cli::start();
    let refresh = other.mocked.expect_refresh(ENV_REFRESH, ENV_ACCESS);
    let roles = other.expect(get("/access/roles/list").bearer(ENV_ACCESS), |then| {
        json_reply(then, 200, roles_reply())
    });
    // --url comes before TUPLI_URL (the mock server `cli`, which would
    // answer anything with its catch-all).
    let mut command = cli.command(&["list-roles", "--url", &other.url()]);
    command.env("TUPLI_REFRESH_TOKEN", ENV_REFRESH);
    let run = cli.run_command(&mut command);
    shows_no_env_secret(&run);
    run.ok();
    refresh.assert_calls(1);
    roles.assert_calls(1);
    assert!(cli.config_entries().is_empty());
    cli.done();
    other.done();
}

#[test]
fn login_print_token_prints_one_line_and_stores_nothing() {
    let cli = Cli::start();
    let login = cli
        .mocked
        .expect_login(USER, PASSWORD, token_pair(ENV_ACCESS, ENV_REFRESH));
    for extra in [&[][..], &["--json"]] {
        let args: Vec<&str> = ["login", USER, "--password-stdin", "--print-token"]
            .into_iter()
            .chain(extra.iter().copied())
            .collect();
        let run = cli.run_command(cli.command(&args).write_stdin(PASSWORD));
        assert_eq!(run.ok(), format!("{ENV_REFRESH}\n"));
        assert_eq!(run.stderr, "");
    }
    login.assert_calls(2);
    assert!(
        cli.config_entries().is_empty(),
        "{:?}",
        cli.config_entries()
    );

    // With a stored login: it stays as it was.
    let cli2 = Cli::logged_in();
    let before = std::fs::read(cli2.credentials_path()).unwrap();
    let login = cli2
        .mocked
        .expect_login(USER, PASSWORD, token_pair(ENV_ACCESS, ENV_REFRESH));
    let run = cli2.run_command(
        cli2.command(&["login", USER, "--password-stdin", "--print-token"])
            .write_stdin(PASSWORD),
    );
    assert_eq!(run.ok(), format!("{ENV_REFRESH}\n"));
    login.assert_calls(1);
    assert_eq!(std::fs::read(cli2.credentials_path()).unwrap(), before);
    cli.done();
    cli2.done();
}
