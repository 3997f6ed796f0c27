//! Offline tests of the `tupli` command-line tool: the built binary runs
//! against httpmock, with `TUPLI_CONFIG_DIR` in a temporary directory and
//! `TUPLI_URL` pointing at the mock server.
//!
//! As in `tests/operations.rs`, a catch-all mock stays registered *after* the
//! specific ones (httpmock answers with the first-registered match), so a
//! request no test expects is answered 599; `done()` checks it was never hit.
#![cfg(feature = "cli")]

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

use assert_cmd::Command;
use base64::Engine as _;
use httpmock::{HttpMockRequest, Mock, MockServer, Then, When};
use serde_json::{json, Value};

const ACCESS: &str = "access-token-A";
const REFRESH: &str = "refresh-token-R";
/// An id that needs percent-encoding in a query.
const ID: &str = "id ü/1&x=2#3+4 %20";
/// A group name just as awkward.
const GROUP: &str = "R&D team #1 + ü/x";
const USER: &str = "ann";
const PASSWORD: &str = "pw #1&+ü";

// ---------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------

/// A mock server, a config directory, and a catch-all that stays last.
struct Cli {
    server: MockServer,
    config: tempfile::TempDir,
    catch_all: Cell<usize>,
    done: Cell<bool>,
}

fn register_catch_all(server: &MockServer) -> usize {
    server
        .mock(|when, then| {
            when.any_request();
            then.status(599)
                .json_body(json!({"detail": "httpmock catch-all: no mock expected this request"}));
        })
        .id
}

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("UTF-8 on standard output")
    }

    /// Asserts success; the standard output.
    fn ok(&self) -> String {
        assert_eq!(
            self.code,
            Some(0),
            "expected success; stderr: {}; stdout: {}",
            self.stderr,
            String::from_utf8_lossy(&self.stdout)
        );
        self.stdout()
    }

    /// Asserts failure with `code` and an `error: …` line; the standard error.
    fn fails(&self, code: i32) -> String {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code}; stderr: {}; stdout: {}",
            self.stderr,
            String::from_utf8_lossy(&self.stdout)
        );
        assert!(
            self.stderr.starts_with("error: ") || self.stderr.contains("\nerror: "),
            "{}",
            self.stderr
        );
        self.stderr.clone()
    }
}

impl Cli {
    /// Nothing stored yet.
    fn start() -> Cli {
        let server = MockServer::start();
        let id = register_catch_all(&server);
        Cli {
            server,
            config: tempfile::tempdir().unwrap(),
            catch_all: Cell::new(id),
            done: Cell::new(false),
        }
    }

    /// Logged in at the mock server with [`ACCESS`] and [`REFRESH`].
    fn logged_in() -> Cli {
        let cli = Cli::start();
        cli.write_credentials(json!({
            "url": cli.url(),
            "access_token": ACCESS,
            "refresh_token": REFRESH,
        }));
        cli
    }

    fn url(&self) -> String {
        self.server.base_url()
    }

    fn credentials_path(&self) -> PathBuf {
        self.config.path().join("credentials.json")
    }

    fn write_credentials(&self, value: Value) {
        std::fs::write(self.credentials_path(), value.to_string()).unwrap();
    }

    fn credentials(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.credentials_path()).unwrap()).unwrap()
    }

    /// The binary with `args`, the config directory and `TUPLI_URL` set.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("tupli").unwrap();
        command
            .args(args)
            .env("TUPLI_CONFIG_DIR", self.config.path())
            .env("TUPLI_URL", self.url())
            .timeout(Duration::from_secs(60));
        command
    }

    /// Runs `command`; checks that no token ever shows.
    fn run_command(&self, command: &mut Command) -> Run {
        let output = command.output().unwrap();
        let run = Run {
            code: output.status.code(),
            stdout: output.stdout,
            stderr: String::from_utf8(output.stderr).unwrap(),
        };
        let stdout = String::from_utf8_lossy(&run.stdout);
        for secret in [ACCESS, REFRESH, "new-access-token", PASSWORD] {
            assert!(!stdout.contains(secret), "{secret} on stdout: {stdout}");
            assert!(
                !run.stderr.contains(secret),
                "{secret} on stderr: {}",
                run.stderr
            );
        }
        run
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_command(&mut self.command(args))
    }

    fn catch_all(&self) -> Mock<'_> {
        Mock::new(self.catch_all.get(), &self.server)
    }

    /// Registers a mock ahead of the catch-all (re-registered behind it).
    fn mock(&self, spec: impl FnOnce(When, Then)) -> Mock<'_> {
        let mut old = self.catch_all();
        old.assert_calls(0);
        old.delete();
        let mock = self.server.mock(spec);
        self.catch_all.set(register_catch_all(&self.server));
        mock
    }

    fn expect(&self, req: Req, reply: impl FnOnce(Then)) -> Mock<'_> {
        self.mock(|when, then| {
            req.apply(when);
            reply(then);
        })
    }

    /// `req` answered 200 with `reply`; runs `args` for people and with
    /// `--json`, each sending `req` once. Returns both standard outputs.
    fn both(&self, req: Req, reply: Value, args: &[&str]) -> (String, String) {
        let mut mock = self.expect(req, |then| json_reply(then, 200, reply));
        let human = self.run(args).ok();
        let json_args: Vec<&str> = args.iter().copied().chain(["--json"]).collect();
        let json = self.run(&json_args).ok();
        mock.assert_calls(2);
        mock.delete();
        (human, json)
    }

    /// `req` answered `status` with `detail`: `args` fail with `code`.
    fn fails(&self, req: Req, status: u16, detail: &str, args: &[&str], code: i32) -> String {
        let mut mock = self.expect(req, |then| {
            json_reply(then, status, json!({ "detail": detail }))
        });
        let stderr = self.run(args).fails(code);
        mock.assert_calls(1);
        mock.delete();
        assert!(stderr.contains(detail), "{stderr}");
        stderr
    }

    /// Asserts that no request reached the catch-all.
    fn done(&self) {
        self.catch_all().assert_calls(0);
        self.done.set(true);
    }
}

impl Drop for Cli {
    fn drop(&mut self) {
        if !self.done.get() && !std::thread::panicking() {
            panic!("test ended without Cli::done(): the catch-all was not checked");
        }
    }
}

fn json_reply(then: Then, status: u16, body: Value) {
    then.status(status).json_body(body);
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A JWT (unsigned: only the payload matters to the client).
fn jwt(payload: Value) -> String {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        enc.encode(payload.to_string())
    )
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

// ---------------------------------------------------------------------------
// Expected requests
// ---------------------------------------------------------------------------

/// One expected request: method, path, exact (decoded) query, exact JSON
/// body, and the bearer token (by default [`ACCESS`]; `None`: none sent).
struct Req {
    method: &'static str,
    path: &'static str,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    bearer: Option<String>,
}

fn request(method: &'static str, path: &'static str) -> Req {
    Req {
        method,
        path,
        query: Vec::new(),
        body: None,
        bearer: Some(ACCESS.to_string()),
    }
}

fn get(path: &'static str) -> Req {
    request("GET", path)
}

fn post(path: &'static str) -> Req {
    request("POST", path)
}

fn put(path: &'static str) -> Req {
    request("PUT", path)
}

fn delete(path: &'static str) -> Req {
    request("DELETE", path)
}

impl Req {
    fn query(mut self, key: &'static str, value: &str) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    fn bearer(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_string());
        self
    }

    fn anonymous(mut self) -> Self {
        self.bearer = None;
        self
    }

    fn apply(self, when: When) {
        let mut when = when.method(self.method).path(self.path).query_param_count(
            ".*",
            ".*",
            self.query.len(),
        );
        for (key, value) in self.query {
            when = when.query_param(key, value);
        }
        when = match self.body {
            Some(body) => when
                .header("content-type", "application/json")
                .json_body(body),
            None => when
                .header_missing("content-type")
                .is_true(|req| req.body_ref().is_empty()),
        };
        match self.bearer {
            Some(token) => when.header("authorization", format!("Bearer {token}")),
            None => when.header_missing("authorization"),
        };
    }
}

// ---------------------------------------------------------------------------
// Sample documents
// ---------------------------------------------------------------------------

fn all_filter() -> Value {
    json!({"type": "OR", "key": null, "value": null, "filters": []})
}

fn token_pair(access: &str) -> Value {
    json!({
        "access_token": {"token": access, "token_type": "bearer"},
        "refresh_token": {"token": REFRESH, "token_type": "bearer"},
    })
}

fn benchmark_header_json(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "hash": "5f0c8d7e4b1a9c2d3e4f5a6b7c8d9e0f",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05.678901",
        "published_in": ["global", GROUP],
        "metadata": {"name": name, "description": "balance a pole on a cart, for a long while", "difficulty": "easy", "extra": {"level": 3}},
    })
}

fn artifact_item_json(hash: &str) -> Value {
    json!({
        "id": ID,
        "name": "weights.bin",
        "description": "d",
        "benchmark_id": "b1",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05",
        "hash": hash,
        "encoding": "utf-8",
        "extra": {"source": "cli"},
        "published_in": [USER],
    })
}

fn tuple_json() -> Value {
    json!({"state": [0.5, 1], "action": 1, "reward": -1.5, "info": {"k": "v"}, "terminal": true, "timeout": false})
}

fn episode_header_json(id: &str, n: u64) -> Value {
    json!({
        "id": id,
        "benchmark_id": "b1",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05.5",
        "metadata": {"seed": 7},
        "n_tuples": n,
        "terminated": true,
        "timeout": false,
        "published_in": [USER],
    })
}

fn episode_item_json(id: &str) -> Value {
    let mut item = episode_header_json(id, 1);
    item["tuples"] = json!([tuple_json()]);
    item
}

// ---------------------------------------------------------------------------
// Session: login, whoami, logout, set-url, the credentials file
// ---------------------------------------------------------------------------

#[test]
fn login_reads_the_password_from_stdin_and_stores_a_private_file() {
    let cli = Cli::start();
    let access = jwt(json!({"issuer": USER, "exp": 4_102_444_800u64}));
    let login = cli.expect(
        post("/access/users/token")
            .anonymous()
            .json(json!({"username": USER, "password": PASSWORD})),
        |then| json_reply(then, 200, token_pair(&access)),
    );
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
    cli.expect(
        post("/access/users/token")
            .anonymous()
            .json(json!({"username": USER, "password": PASSWORD})),
        |then| json_reply(then, 200, token_pair(ACCESS)),
    );
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
    let mock = cli.expect(
        post("/access/users/token")
            .anonymous()
            .json(json!({"username": USER, "password": "wrong"})),
        |then| json_reply(then, 401, json!({"detail": "Invalid username or password"})),
    );
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
        .stderr;
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
#[cfg(unix)]
#[test]
fn without_a_terminal_the_prompt_is_a_usage_error() {
    let Ok(setsid) = which("setsid") else {
        eprintln!("setsid not found: skipped");
        Cli::start().done();
        return;
    };
    let cli = Cli::start();
    let mut command = Command::new(setsid);
    command
        .arg("--wait")
        .arg(assert_cmd::cargo::cargo_bin("tupli"))
        .args(["login", USER])
        .env("TUPLI_CONFIG_DIR", cli.config.path())
        .env("TUPLI_URL", cli.url())
        .timeout(Duration::from_secs(60));
    let stderr = cli.run_command(&mut command).fails(2);
    assert!(stderr.contains("--password-stdin"), "{stderr}");
    cli.done();
}

#[cfg(unix)]
fn which(name: &str) -> Result<PathBuf, ()> {
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
    run.ok();
    assert!(
        run.stderr.contains("not sending the stored tokens"),
        "{}",
        run.stderr
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
    let refresh = cli.expect(
        post("/access/users/refresh-token").bearer(REFRESH),
        |then| {
            json_reply(
                then,
                200,
                json!({"token": "new-access-token", "token_type": "bearer"}),
            )
        },
    );
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
    cli.expect(
        post("/access/users/refresh-token").bearer(REFRESH),
        |then| json_reply(then, 401, json!({"detail": "Refresh token expired"})),
    );
    let stderr = cli.run(&["list-roles"]).fails(3);
    assert_eq!(
        stderr,
        "error: the session has expired: run `tupli login` again (Refresh token expired)\n"
    );
    assert_eq!(cli.credentials(), json!({"url": cli.url()}));
    cli.done();
}

// ---------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Users
// ---------------------------------------------------------------------------

#[test]
fn signup() {
    let cli = Cli::logged_in();
    let reply = json!({"username": "bob", "memberships": [{"group": "global", "roles": ["guest", "contributor"]}]});
    let mock = cli.expect(
        post("/access/users/create").json(json!({"username": "bob", "password": PASSWORD})),
        |then| json_reply(then, 200, reply.clone()),
    );
    let human = cli
        .run_command(
            cli.command(&["signup", "bob", "--password-stdin"])
                .write_stdin(PASSWORD),
        )
        .ok();
    assert_eq!(
        human,
        "username     bob\nmemberships  global: guest, contributor\n"
    );
    let json = cli
        .run_command(
            cli.command(&["signup", "bob", "--password-stdin", "--json"])
                .write_stdin(PASSWORD),
        )
        .ok();
    assert_eq!(parse(&json), reply);
    mock.assert_calls(2);
    cli.done();
}

#[test]
fn list_users() {
    let cli = Cli::logged_in();
    let reply = json!([
        {"username": USER, "memberships": [{"group": GROUP, "roles": ["admin", "guest"]}]},
        {"username": "bob", "memberships": []},
    ]);
    let (human, json) = cli.both(get("/access/users/list"), reply.clone(), &["list-users"]);
    assert_eq!(
        human,
        "\
username  memberships
--------  -------------------------------
ann       R&D team #1 + ü/x: admin, guest
bob
"
    );
    assert_eq!(parse(&json), json!([reply[0], {"username": "bob"}]));
    cli.done();
}

#[test]
fn change_password_and_delete_user() {
    let cli = Cli::logged_in();
    let mock = cli.expect(
        put("/access/users/change-password")
            .json(json!({"username": "bob", "password": "new #2&ü"})),
        |then| json_reply(then, 200, Value::Null),
    );
    let out = cli
        .run_command(
            cli.command(&["change-password", "bob", "--password-stdin"])
                .write_stdin("new #2&ü\r\n"),
        )
        .ok();
    assert_eq!(out, "Changed the password of bob.\n");
    mock.assert_calls(1);

    let (human, json) = cli.both(
        delete("/access/users/delete").query("username", "bob & co"),
        Value::Null,
        &["delete-user", "bob & co"],
    );
    assert_eq!(human, "Deleted user bob & co.\n");
    assert_eq!(json, "");
    cli.done();
}

// ---------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------

#[test]
fn create_list_read_delete_group() {
    let cli = Cli::logged_in();
    let group = json!({"name": GROUP, "description": "research"});
    let (human, json) = cli.both(
        post("/access/groups/create").json(group.clone()),
        group.clone(),
        &["create-group", GROUP, "--description", "research"],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription  research\n")
    );
    assert_eq!(parse(&json), group);

    let reply = json!([group, {"name": "global"}]);
    let (human, json) = cli.both(get("/access/groups/list"), reply.clone(), &["list-groups"]);
    assert_eq!(
        human,
        format!("name               description\n-----------------  -----------\n{GROUP}  research\nglobal\n")
    );
    assert_eq!(parse(&json), reply);

    let with_members = json!({"name": GROUP, "description": "research", "members": [USER, "bob"]});
    let (human, json) = cli.both(
        get("/access/groups/read").query("group_name", GROUP),
        with_members.clone(),
        &["read-group", GROUP],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription  research\nmembers      ann, bob\n")
    );
    assert_eq!(parse(&json), with_members);

    let (human, json) = cli.both(
        delete("/access/groups/delete").query("group_name", GROUP),
        Value::Null,
        &["delete-group", GROUP],
    );
    assert_eq!(human, format!("Deleted group {GROUP}.\n"));
    assert_eq!(json, "");
    cli.done();
}

#[test]
fn add_and_remove_group_members() {
    let cli = Cli::logged_in();
    let answer = json!({"name": GROUP, "members": [USER, "bob", "cy"]});
    let (human, json) = cli.both(
        post("/access/groups/add-members").json(json!({"group_name": GROUP, "members": [
            {"user": "bob", "roles": ["contributor", "guest"]},
            {"user": "cy", "roles": ["contributor", "guest"]},
        ]})),
        answer.clone(),
        &[
            "add-group-members",
            GROUP,
            "bob",
            "cy",
            "--role",
            "contributor",
            "--role",
            "guest",
        ],
    );
    assert_eq!(
        human,
        format!("name         {GROUP}\ndescription\nmembers      ann, bob, cy\n")
    );
    assert_eq!(parse(&json), answer);

    let answer = json!({"name": GROUP, "members": [USER]});
    let (human, json) = cli.both(
        post("/access/groups/remove-members").json(json!({"group_name": GROUP, "members": [
            {"user": "bob"}, {"user": "cy"},
        ]})),
        answer.clone(),
        &["remove-group-members", GROUP, "bob", "cy"],
    );
    assert!(human.ends_with("members      ann\n"), "{human}");
    assert_eq!(parse(&json), answer);
    cli.done();
}

// ---------------------------------------------------------------------------
// Roles
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

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
    assert!(
        human.starts_with(&format!("id            {ID}\n")),
        "{human}"
    );
    assert!(
        human.ends_with(
            "extra         {\"level\":3}\nserialized    {\"env\": \"CartPole-v1\", \"x\": 1}\n"
        ),
        "{human}"
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
    cli.both(
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

#[test]
fn delete_publish_unpublish_benchmark() {
    let cli = Cli::logged_in();
    let (human, json) = cli.both(
        delete("/benchmarks/delete").query("benchmark_id", ID),
        Value::Null,
        &["delete-benchmark", ID],
    );
    assert_eq!(
        (human, json),
        (format!("Deleted benchmark {ID}.\n"), String::new())
    );

    let (human, _) = cli.both(
        put("/benchmarks/publish")
            .query("benchmark_id", ID)
            .query("publish_in", "global"),
        Value::Null,
        &["publish-benchmark", ID],
    );
    assert_eq!(human, format!("Published benchmark {ID} in global.\n"));
    let (human, json) = cli.both(
        put("/benchmarks/publish")
            .query("benchmark_id", ID)
            .query("publish_in", GROUP),
        Value::Null,
        &["publish-benchmark", ID, "--in", GROUP],
    );
    assert_eq!(
        (human, json),
        (
            format!("Published benchmark {ID} in {GROUP}.\n"),
            String::new()
        )
    );

    let (human, json) = cli.both(
        put("/benchmarks/unpublish")
            .query("benchmark_id", ID)
            .query("unpublish_from", GROUP),
        Value::Null,
        &["unpublish-benchmark", ID, "--from", GROUP],
    );
    assert_eq!(
        (human, json),
        (
            format!("Withdrew benchmark {ID} from {GROUP}.\n"),
            String::new()
        )
    );
    // --from is required.
    cli.run(&["unpublish-benchmark", ID]).fails(2);
    cli.done();
}

// ---------------------------------------------------------------------------
// Artifacts
// ---------------------------------------------------------------------------

/// The parts of a `multipart/form-data` request: (headers, content).
fn multipart_parts(req: &HttpMockRequest) -> Vec<(String, Vec<u8>)> {
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart boundary")
        .trim_matches('"')
        .to_string();
    let delimiter = format!("\r\n--{boundary}");
    let body = [b"\r\n".as_slice(), req.body_ref()].concat();
    let mut parts = Vec::new();
    let mut rest = body.as_slice();
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let part_and_rest = rest.strip_prefix(b"\r\n".as_slice()).expect("CRLF");
        let end = find(part_and_rest, delimiter.as_bytes()).expect("closing boundary");
        let part = &part_and_rest[..end];
        let split = find(part, b"\r\n\r\n").expect("part headers");
        let headers = String::from_utf8(part[..split].to_vec()).unwrap();
        parts.push((headers, part[split + 4..].to_vec()));
        rest = &part_and_rest[end..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

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

/// JSON as Python's `json.dumps` writes it (non-ASCII as `\u` escapes), as
/// the server does for the `x-metadata` header.
fn ascii_json(value: &Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
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
fn list_delete_publish_unpublish_artifact() {
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

    let (human, json) = cli.both(
        delete("/artifacts/delete").query("artifact_id", ID),
        Value::Null,
        &["delete-artifact", ID],
    );
    assert_eq!(
        (human, json),
        (format!("Deleted artifact {ID}.\n"), String::new())
    );
    let (human, _) = cli.both(
        put("/artifacts/publish")
            .query("artifact_id", ID)
            .query("publish_in", "global"),
        Value::Null,
        &["publish-artifact", ID],
    );
    assert_eq!(human, format!("Published artifact {ID} in global.\n"));
    let (human, _) = cli.both(
        put("/artifacts/publish")
            .query("artifact_id", ID)
            .query("publish_in", GROUP),
        Value::Null,
        &["publish-artifact", ID, "--in", GROUP],
    );
    assert_eq!(human, format!("Published artifact {ID} in {GROUP}.\n"));
    let (human, json) = cli.both(
        put("/artifacts/unpublish")
            .query("artifact_id", ID)
            .query("unpublish_from", GROUP),
        Value::Null,
        &["unpublish-artifact", ID, "--from", GROUP],
    );
    assert_eq!(
        (human, json),
        (
            format!("Withdrew artifact {ID} from {GROUP}.\n"),
            String::new()
        )
    );
    cli.done();
}

// ---------------------------------------------------------------------------
// Episodes
// ---------------------------------------------------------------------------

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
    assert!(out.contains("n_tuples      1"), "{out}");
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

fn episodes_request(filter: Value, include_tuples: bool) -> Value {
    let mut body = filter;
    body["include_tuples"] = json!(include_tuples);
    body
}

#[test]
fn list_episodes_with_and_without_tuples() {
    let cli = Cli::logged_in();
    let headers = json!([
        episode_header_json("e-1", 1),
        episode_header_json("e-22", 12345)
    ]);
    let (human, json) = cli.both(
        post("/episodes/list").json(episodes_request(all_filter(), false)),
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
    assert_eq!(
        json,
        format!("{}\n", serde_json::to_string_pretty(&headers).unwrap())
    );

    let items = json!([episode_item_json("e-1"), episode_item_json("e-2")]);
    let filter = json!({"type": "AND", "key": null, "value": null, "filters": [
        {"type": "EQ", "key": "metadata.seed", "value": 7, "filters": []},
        {"type": "LEQ", "key": "n_tuples", "value": 10, "filters": []},
    ]});
    let (human, json) = cli.both(
        post("/episodes/list").json(episodes_request(filter, true)),
        items.clone(),
        &[
            "list-episodes",
            "--include-tuples",
            "--where",
            "metadata.seed=7",
            "--where",
            "n_tuples<=10",
        ],
    );
    assert!(human.starts_with("id   benchmark_id  n_tuples"), "{human}");
    assert_eq!(human.lines().count(), 4, "{human}");
    assert_eq!(parse(&json), items, "--json has the tuples");

    let (human, json) = cli.both(
        post("/episodes/list").json(episodes_request(all_filter(), true)),
        json!([]),
        &["list-episodes", "--include-tuples"],
    );
    assert_eq!((human, json), (String::new(), "[]\n".to_string()));
    cli.done();
}

#[test]
fn delete_publish_unpublish_episode() {
    let cli = Cli::logged_in();
    let (human, json) = cli.both(
        delete("/episodes/delete").query("episode_id", ID),
        Value::Null,
        &["delete-episode", ID],
    );
    assert_eq!(
        (human, json),
        (format!("Deleted episode {ID}.\n"), String::new())
    );
    let (human, _) = cli.both(
        put("/episodes/publish")
            .query("episode_id", ID)
            .query("publish_in", "global"),
        Value::Null,
        &["publish-episode", ID],
    );
    assert_eq!(human, format!("Published episode {ID} in global.\n"));
    let (human, _) = cli.both(
        put("/episodes/publish")
            .query("episode_id", ID)
            .query("publish_in", GROUP),
        Value::Null,
        &["publish-episode", ID, "--in", GROUP],
    );
    assert_eq!(human, format!("Published episode {ID} in {GROUP}.\n"));
    let (human, json) = cli.both(
        put("/episodes/unpublish")
            .query("episode_id", ID)
            .query("unpublish_from", GROUP),
        Value::Null,
        &["unpublish-episode", ID, "--from", GROUP],
    );
    assert_eq!(
        (human, json),
        (
            format!("Withdrew episode {ID} from {GROUP}.\n"),
            String::new()
        )
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
