//! `cargo xtask test`: every check CI runs, in one command — fmt, clippy,
//! docs, the spec, offline tests, then the live suite and a short soak
//! against reference servers started (and stopped) here.

use anyhow::Result;

use crate::server::{self, StartArgs, StopOnDrop};
use crate::spec;
use crate::steps::{cargo, Steps};

/// Access-token lifetime of the short-lived test server, in minutes (3 s).
const SHORT_ACCESS_MINUTES: f64 = 0.05;
/// Refresh-token lifetime of the short-lived test server, in minutes (12 s).
const SHORT_REFRESH_MINUTES: f64 = 0.2;
/// Length of the soak run, in seconds.
const SOAK_SECONDS: u64 = 15;

pub fn run() -> Result<()> {
    // One feature set everywhere (`--all-features`, which includes the `cli`
    // binary), so clippy, doc, the offline tests and the live suite share one
    // build instead of compiling the crate twice.
    let mut steps = Steps::default();
    steps.command(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    );
    steps.command(
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
    steps.command(
        "cargo doc",
        cargo()
            .args(["doc", "--no-deps", "--all-features", "--package", "tupli"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    );
    steps.task("spec validate", || {
        spec::run(spec::Action::Validate {
            spec: "openapi.yaml".into(),
        })
    });
    steps.command(
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
    steps.task("spec diff against the live server", || {
        spec::run(spec::Action::Diff {
            server: Some(main_url.clone()),
            file: None,
            spec: "openapi.yaml".into(),
            allowlist: "xtask/spec-allowlist.yaml".into(),
            verbose: false,
        })
    });
    steps.command(
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
    steps.task("short soak", || crate::soak::run(SOAK_SECONDS, 16));
    steps.finish("xtask test")
}
