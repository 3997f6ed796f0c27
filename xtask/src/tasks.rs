//! `cargo xtask test` and `cargo xtask demo`.

use std::process::Command;

use anyhow::{bail, Result};

use crate::server::{self, StartArgs, StopOnDrop};
use crate::spec;

/// Access-token lifetime of the short-lived test server, in minutes (3 s).
const SHORT_ACCESS_MINUTES: f64 = 0.05;
/// Length of the soak run in `cargo xtask test`.
const SOAK_SECONDS: u64 = 15;

/// Refresh-token lifetime of the short-lived test server, in minutes (12 s).
const SHORT_REFRESH_MINUTES: f64 = 0.2;

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(server::root());
    c
}

/// Runs a command as a step, printing a header; records a failure instead of stopping.
fn step(failures: &mut Vec<String>, name: &str, command: &mut Command) {
    eprintln!("\n== xtask: {name}");
    match command.status() {
        Ok(s) if s.success() => {}
        Ok(s) => failures.push(format!("{name} ({s})")),
        Err(e) => failures.push(format!("{name} (could not run: {e})")),
    }
}

/// Runs an in-process task as a step, like [`step`].
fn task(failures: &mut Vec<String>, name: &str, run: impl FnOnce() -> Result<()>) {
    eprintln!("\n== xtask: {name}");
    if let Err(e) = run() {
        eprintln!("{e:#}");
        failures.push(name.to_string());
    }
}

pub fn test() -> Result<()> {
    // One feature set everywhere (`--all-features`, which includes the `cli`
    // binary), so clippy, doc, the offline tests and the live suite share one
    // build instead of compiling the crate twice.
    let mut failures = Vec::new();
    step(
        &mut failures,
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    );
    step(
        &mut failures,
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    );
    step(
        &mut failures,
        "cargo doc",
        cargo()
            .args(["doc", "--no-deps", "--all-features", "--package", "tupli"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    );
    task(&mut failures, "spec validate", || {
        spec::run(spec::Action::Validate {
            spec: "openapi.yaml".into(),
        })
    });
    step(
        &mut failures,
        "offline tests",
        cargo().args(["test", "--workspace", "--all-features"]),
    );

    eprintln!("\n== xtask: starting reference servers");
    let servers = [
        StopOnDrop("test-main".into()),
        StopOnDrop("test-short".into()),
    ];
    let main_url = server::start(&StartArgs::named("test-main"))?;
    let short_url = server::start(&StartArgs {
        access_token_minutes: Some(SHORT_ACCESS_MINUTES),
        refresh_token_minutes: Some(SHORT_REFRESH_MINUTES),
        ..StartArgs::named("test-short")
    })?;
    eprintln!("main: {main_url}\nshort-lived tokens: {short_url}");
    task(&mut failures, "spec diff against the live server", || {
        spec::run(spec::Action::Diff {
            server: Some(main_url.clone()),
            file: None,
            spec: "openapi.yaml".into(),
            allowlist: "xtask/spec-allowlist.yaml".into(),
            verbose: false,
        })
    });
    step(
        &mut failures,
        "live suite",
        cargo()
            .args([
                "test",
                "--all-features",
                "--test",
                "live",
                "--",
                "--ignored",
            ])
            .env("TUPLI_TEST_URL", &main_url)
            .env("TUPLI_TEST_SHORT_URL", &short_url)
            .env(
                "TUPLI_TEST_SHORT_ACCESS_SECS",
                (SHORT_ACCESS_MINUTES * 60.0).to_string(),
            )
            .env(
                "TUPLI_TEST_SHORT_REFRESH_SECS",
                (SHORT_REFRESH_MINUTES * 60.0).to_string(),
            ),
    );
    drop(servers);
    task(&mut failures, "short soak", || {
        crate::soak::run(SOAK_SECONDS, 16)
    });

    if failures.is_empty() {
        eprintln!("\nxtask test: all steps passed");
        Ok(())
    } else {
        bail!("failed steps: {}", failures.join(", "))
    }
}

pub fn demo() -> Result<()> {
    let servers = StopOnDrop("demo".into());
    let url = server::start(&StartArgs::named("demo"))?;
    eprintln!("xtask: reference server at {url}");
    let status = cargo()
        .args(["run", "--quiet", "--example", "tour"])
        .env("TUPLI_URL", &url)
        .status()?;
    drop(servers);
    if !status.success() {
        bail!("the tour failed ({status})");
    }
    Ok(())
}
