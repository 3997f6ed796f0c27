//! Offline tests of the `tupli` command-line tool: the built binary runs
//! against httpmock, with `TUPLI_CONFIG_DIR` in a temporary directory and
//! `TUPLI_URL` pointing at the mock server.
//!
//! As in `tests/api/`, the mock server keeps a catch-all registered *after*
//! the specific mocks, so a request no test expects is answered 599;
//! `done()` checks it was never hit.

#[path = "../../tests/support/mod.rs"]
mod support;

mod artifacts;
mod benchmarks;
mod completions;
mod copy;
mod env_auth;
mod episodes;
mod exit_codes;
mod export;
mod groups;
mod logging;
mod output;
mod publish;
mod roles;
mod session;
mod storage;
#[cfg(unix)]
mod terminal;
mod users;

use std::path::PathBuf;
use std::time::Duration;

use assert_cmd::Command;
use httpmock::{Mock, Then, When};
use serde_json::{json, Value};
use support::*;

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

/// A mock server (with its catch-all) and a config directory.
struct Cli {
    mocked: Mocked,
    config: tempfile::TempDir,
}

impl Cli {
    /// Nothing stored yet.
    fn start() -> Cli {
        Cli {
            mocked: Mocked::start(),
            config: tempfile::tempdir().unwrap(),
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
        self.mocked.url()
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

    /// The binary with `args`, the config directory and `TUPLI_URL` set, `RUST_LOG` unset.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::cargo_bin("tupli").unwrap();
        command
            .args(args)
            .env("TUPLI_CONFIG_DIR", self.config.path())
            .env("TUPLI_URL", self.url())
            // Credentials of the environment the tests run in are not the tests'.
            .env_remove("TUPLI_REFRESH_TOKEN")
            .env_remove("TUPLI_USER")
            .env_remove("TUPLI_PASSWORD")
            // Logging is what the test's flags ask for, whatever the shell running the tests says.
            .env_remove("RUST_LOG")
            .timeout(Duration::from_secs(60));
        command
    }

    /// The names in the config directory (none: nothing was written there).
    fn config_entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.config.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
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

    /// Registers a mock ahead of the catch-all.
    fn mock(&self, spec: impl FnOnce(When, Then)) -> Mock<'_> {
        self.mocked.mock(spec)
    }

    /// Mocks `req`, answering with `reply`.
    fn expect(&self, req: Req, reply: impl FnOnce(Then)) -> Mock<'_> {
        self.mocked.expect(req, reply)
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

    /// Asserts that no request reached the catch-all (a test that does not
    /// call this panics at its end).
    fn done(&self) {
        self.mocked.done();
    }
}

fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// What the tool printed as one compact JSON document on one line, parsed
/// (objects compare by their keys and values, whatever their order).
fn compact(printed: &str) -> Value {
    assert!(
        printed.ends_with('\n') && printed.lines().count() == 1,
        "one line: {printed}"
    );
    parse(printed)
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
