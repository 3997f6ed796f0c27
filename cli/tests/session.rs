//! The session: login, whoami, logout, set-url, the credentials file.

use serde_json::json;

#[cfg(unix)]
use crate::mode;
use crate::support::*;
use crate::{parse, Cli};

#[test]
fn login_reads_the_password_from_stdin_and_stores_a_private_file() {
    let cli = Cli::start();
    let access = jwt(json!({"issuer": USER, "exp": 4_102_444_800u64}));
    let login = cli
        .mocked
        .expect_login(USER, PASSWORD, token_pair(&access, REFRESH));
    let run = cli.run_command(
        cli.command(&["login", USER, "--password-stdin"])
            .write_stdin(format!("{PASSWORD}\n")),
    );
    assert_eq!(run.ok(), format!("Logged in to {} as {USER}.\n", cli.url()));
    assert_eq!(run.stderr, "");
    login.assert_calls(1);

    assert_eq!(
        cli.credentials(),
        json!({"url": cli.url(), "access_token": access, "refresh_token": REFRESH})
    );
    #[cfg(unix)]
    {
        // (The directory existed: only directories the tool creates are made 0700.)
        assert_eq!(mode(&cli.credentials_path()), 0o600);
    }
    let names: Vec<_> = std::fs::read_dir(cli.config.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["credentials.json"], "no temporary file is left");

    // --json prints nothing for a login (it has no API answer to show).
    let run = cli.run_command(
        cli.command(&["login", USER, "--password-stdin", "--json"])
            .write_stdin(PASSWORD),
    );
    assert_eq!(run.ok(), "");
    login.assert_calls(2);
    cli.done();
}

#[test]
fn login_into_a_nested_config_dir_creates_it_private() {
    let cli = Cli::start();
    let nested = cli.config.path().join("a/b");
    cli.mocked
        .expect_login(USER, PASSWORD, token_pair(ACCESS, REFRESH));
    cli.run_command(
        cli.command(&["login", USER, "--password-stdin"])
            .env("TUPLI_CONFIG_DIR", &nested)
            .write_stdin(PASSWORD),
    )
    .ok();
    #[cfg(unix)]
    {
        assert_eq!(mode(&nested), 0o700);
        assert_eq!(mode(&nested.join("credentials.json")), 0o600);
    }
    cli.done();
}

#[test]
fn a_rejected_login_exits_3_and_stores_nothing() {
    let cli = Cli::start();
    let mock = cli
        .mocked
        .expect_login_rejected(USER, "wrong", "Invalid username or password");
    let stderr = cli
        .run_command(
            cli.command(&["login", USER, "--password-stdin"])
                .write_stdin("wrong"),
        )
        .fails(3);
    assert_eq!(
        stderr,
        "error: the server answered 401 Unauthorized: Invalid username or password\n"
    );
    mock.assert_calls(1);
    assert!(!cli.credentials_path().exists());
    cli.done();
}

#[test]
fn passwords_are_never_arguments() {
    let cli = Cli::start();
    let stderr = cli
        .run(&["login", USER, PASSWORD.replace(' ', "").as_str()])
        .fails(2);
    assert!(stderr.contains("unexpected argument"), "{stderr}");
    let stderr = cli.run(&["login", USER, "--password", "x"]).fails(2);
    assert!(stderr.contains("--password"), "{stderr}");
    // An empty password on stdin is refused before anything is sent.
    let stderr = cli
        .run_command(
            cli.command(&["login", USER, "--password-stdin"])
                .write_stdin("\n"),
        )
        .fails(2);
    assert!(stderr.contains("empty"), "{stderr}");
    cli.done();
}

/// Without `--password-stdin` the password is asked for on the terminal;
/// without one (here: a new session with no controlling terminal) that is a
/// usage error that points at `--password-stdin`.
///
/// `setsid` (util-linux, part of every Linux system) starts the tool in a new
/// session; without it the test fails rather than passing unchecked.
#[cfg(target_os = "linux")]
#[test]
fn without_a_terminal_the_prompt_is_a_usage_error() {
    let setsid = which("setsid").expect(
        "setsid (util-linux) not found on PATH: it starts the tool without a controlling terminal",
    );
    let cli = Cli::start();
    let mut command = assert_cmd::Command::new(setsid);
    command
        .arg("--wait")
        .arg(assert_cmd::cargo::cargo_bin("tupli"))
        .args(["login", USER])
        .env("TUPLI_CONFIG_DIR", cli.config.path())
        .env("TUPLI_URL", cli.url())
        .timeout(std::time::Duration::from_secs(60));
    let stderr = cli.run_command(&mut command).fails(2);
    assert!(stderr.contains("--password-stdin"), "{stderr}");
    cli.done();
}

#[cfg(target_os = "linux")]
fn which(name: &str) -> Result<std::path::PathBuf, ()> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or(())
}

#[test]
fn whoami_reads_the_token_and_sends_nothing() {
    let cli = Cli::start();
    let access = jwt(json!({"issuer": "ann & co", "exp": 2_000_000_000u64}));
    let refresh = jwt(json!({"issuer": "ann & co", "exp": 4_102_444_800u64}));
    cli.write_credentials(
        json!({"url": cli.url(), "access_token": access, "refresh_token": refresh}),
    );
    let out = cli.run(&["whoami"]).ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "user                   ann & co");
    assert_eq!(lines[1], format!("server                 {}", cli.url()));
    assert!(
        lines[2].starts_with("access token expires   2033-05-18T03:33:20Z ("),
        "{out}"
    );
    assert!(
        lines[3].starts_with("refresh token expires  2100-01-01T00:00:00Z (in "),
        "{out}"
    );
    assert!(!out.contains(&access) && !out.contains(&refresh));

    let json = parse(&cli.run(&["whoami", "--json"]).ok());
    assert_eq!(
        json,
        json!({
            "username": "ann & co",
            "url": cli.url(),
            "access_expires_at": "2033-05-18T03:33:20Z",
            "refresh_expires_at": "2100-01-01T00:00:00Z",
        })
    );

    // Asked about another server: not logged in there.
    let stderr = cli
        .run_command(
            cli.command(&["whoami"])
                .env("TUPLI_URL", "http://other.example:1"),
        )
        .fails(3);
    assert!(
        stderr.contains("not logged in to http://other.example:1"),
        "{stderr}"
    );
    cli.done();
}

#[test]
fn logout_forgets_the_tokens_and_keeps_the_url() {
    let cli = Cli::logged_in();
    assert_eq!(cli.run(&["logout"]).ok(), "Logged out.\n");
    assert_eq!(cli.credentials(), json!({"url": cli.url()}));
    #[cfg(unix)]
    assert_eq!(mode(&cli.credentials_path()), 0o600);
    let stderr = cli.run(&["whoami"]).fails(3);
    assert!(stderr.contains("tupli login"), "{stderr}");
    assert_eq!(cli.run(&["logout"]).ok(), "Not logged in.\n");
    assert_eq!(cli.run(&["logout", "--json"]).ok(), "");
    cli.done();
}

#[test]
fn set_url_stores_the_server_and_forgets_other_servers_tokens() {
    let cli = Cli::logged_in();
    // The same server (normalized): the login stays.
    let same = format!("{}/", cli.url());
    assert_eq!(
        cli.run(&["set-url", &same]).ok(),
        format!("Server set to {}.\n", cli.url())
    );
    assert_eq!(cli.credentials()["access_token"], ACCESS);

    let out = cli.run(&["set-url", "https://tupli.example/api/"]).ok();
    assert_eq!(
        out,
        "Server set to https://tupli.example/api; log in there (the old login was forgotten).\n"
    );
    assert_eq!(
        cli.credentials(),
        json!({"url": "https://tupli.example/api"})
    );

    for bad in ["ftp://x", "not a url", "http://user:secret@h"] {
        let stderr = cli.run(&["set-url", bad]).fails(2);
        assert!(stderr.contains("invalid argument `url`"), "{stderr}");
        assert!(!stderr.contains("secret"), "{stderr}");
    }
    assert_eq!(cli.run(&["set-url", &cli.url(), "--json"]).ok(), "");
    cli.done();
}

#[test]
fn the_stored_url_is_used_without_tupli_url_and_overridden_by_it() {
    let cli = Cli::logged_in();
    let mut roles = cli.expect(get("/access/roles/list"), |then| {
        json_reply(then, 200, json!([]))
    });
    let run = cli.run_command(cli.command(&["list-roles"]).env_remove("TUPLI_URL"));
    assert_eq!(run.ok(), "");
    assert_eq!(run.stderr, "No roles.\n");
    roles.assert_calls(1);
    roles.delete();

    // Another spelling of the server is another server: no tokens sent there.
    let other = cli.url().replace("127.0.0.1", "localhost");
    let anonymous = cli.expect(get("/access/roles/list").anonymous(), |then| {
        json_reply(then, 200, json!([]))
    });
    let run = cli.run(&["list-roles", "--url", &other]);
    assert_eq!(run.ok(), "");
    assert_eq!(
        run.stderr,
        format!(
            "tupli: note: not sending the stored tokens to {other}: they were issued by {}\nNo roles.\n",
            cli.url()
        )
    );
    anonymous.assert_calls(1);
    assert_eq!(cli.credentials()["access_token"], ACCESS, "file untouched");
    cli.done();
}

#[test]
fn refreshed_tokens_are_written_back_atomically() {
    let cli = Cli::logged_in();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let path = cli.credentials_path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    // A second name for the old file: an in-place rewrite would change it too.
    let link = cli.config.path().join("old-credentials");
    std::fs::hard_link(cli.credentials_path(), &link).unwrap();
    let before = std::fs::read(&link).unwrap();

    let rejected = cli.expect(get("/access/roles/list").bearer(ACCESS), |then| {
        json_reply(then, 401, json!({"detail": "Token expired"}))
    });
    let refresh = cli.mocked.expect_refresh(REFRESH, "new-access-token");
    let accepted = cli.expect(
        get("/access/roles/list").bearer("new-access-token"),
        |then| {
            json_reply(
                then,
                200,
                json!([{"role": "guest", "rights": ["benchmark_read"]}]),
            )
        },
    );
    let out = cli.run(&["list-roles"]).ok();
    assert!(out.contains("guest  benchmark_read"), "{out}");
    rejected.assert_calls(1);
    refresh.assert_calls(1);
    accepted.assert_calls(1);

    assert_eq!(
        cli.credentials(),
        json!({"url": cli.url(), "access_token": "new-access-token", "refresh_token": REFRESH})
    );
    assert_eq!(
        std::fs::read(&link).unwrap(),
        before,
        "replaced, not rewritten"
    );
    #[cfg(unix)]
    assert_eq!(mode(&cli.credentials_path()), 0o600);
    let mut names: Vec<_> = std::fs::read_dir(cli.config.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["credentials.json", "old-credentials"]);

    // The next run sends the new token straight away.
    let out = cli.run(&["list-roles", "--json"]).ok();
    assert_eq!(
        parse(&out),
        json!([{"role": "guest", "rights": ["benchmark_read"]}])
    );
    accepted.assert_calls(2);
    rejected.assert_calls(1);
    cli.done();
}

#[test]
fn an_expired_session_clears_the_stored_tokens_and_exits_3() {
    let cli = Cli::logged_in();
    cli.expect(get("/access/roles/list"), |then| {
        json_reply(then, 401, json!({"detail": "Token expired"}))
    });
    cli.mocked
        .expect_refresh_rejected(REFRESH, "Refresh token expired");
    let stderr = cli.run(&["list-roles"]).fails(3);
    assert_eq!(
        stderr,
        "error: the session has expired: run `tupli login` again (Refresh token expired)\n"
    );
    assert_eq!(cli.credentials(), json!({"url": cli.url()}));
    cli.done();
}

/// Stored tokens whose expiry cannot be read: `whoami` says so (and who,
/// when the token names a user) and exits 0; a command sends them as they
/// are and works.
#[test]
fn stored_tokens_without_a_usable_expiry() {
    for (what, access, user) in tokens_without_a_usable_expiry() {
        let cli = Cli::start();
        let refresh = format!("{access}R");
        cli.write_credentials(
            json!({"url": cli.url(), "access_token": access, "refresh_token": refresh}),
        );
        let run = cli.run(&["whoami"]);
        assert_eq!(
            run.ok(),
            format!(
                "user                   {}\nserver                 {}\n\
                 access token expires   unknown (the token has no readable expiry)\n\
                 refresh token expires  unknown (the token has no readable expiry)\n",
                user.unwrap_or("unknown (the token does not name one)"),
                cli.url()
            ),
            "{what}"
        );
        assert_eq!(run.stderr, "", "{what}");
        assert_eq!(
            parse(&cli.run(&["whoami", "--json"]).ok()),
            json!({
                "username": user,
                "url": cli.url(),
                "access_expires_at": null,
                "refresh_expires_at": null,
            }),
            "{what}"
        );

        let roles = json!([{"role": "guest", "rights": ["benchmark_read"]}]);
        let mock = cli.expect(get("/access/roles/list").bearer(&access), |then| {
            json_reply(then, 200, roles.clone())
        });
        let run = cli.run(&["list-roles", "--json"]);
        assert_eq!(parse(&run.ok()), roles, "{what}");
        mock.assert_calls(1);
        for shown in [run.stdout(), run.stderr.clone()] {
            assert!(!shown.contains(&access), "{what}: {shown}");
        }
        assert_eq!(
            cli.credentials()["access_token"],
            access,
            "{what}: nothing refreshed"
        );
        cli.done();
    }
}

/// A stored token no HTTP header can carry (a hand-edited file): `whoami`
/// still answers; a command fails with a typed error before sending
/// anything, never with a panic.
#[test]
fn a_stored_token_no_header_can_carry_is_a_typed_error() {
    for bad in ["abc\r\ndef", "nul\0byte"] {
        for (access, refresh) in [(bad, REFRESH), (ACCESS, bad)] {
            let cli = Cli::start();
            cli.write_credentials(
                json!({"url": cli.url(), "access_token": access, "refresh_token": refresh}),
            );
            cli.run(&["whoami"]).ok();
            let stderr = cli.run(&["list-roles"]).fails(2);
            assert_eq!(
                stderr,
                "error: invalid argument `tokens`: a stored token holds characters an HTTP header cannot carry; log in again\n",
                "{bad:?}"
            );
            assert_eq!(
                cli.credentials()["access_token"],
                access,
                "the file is left as it was"
            );
            cli.done();
        }
    }
}
