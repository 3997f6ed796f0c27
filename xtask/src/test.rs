//! `cargo xtask test`: every check CI runs, in one command — fmt, the codegen
//! snapshot, the spec, clippy, docs, offline tests, the fuzz targets'
//! compilation, then the live suite, the wheel, the Python suite and a short
//! soak against reference servers started (and stopped) here.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::project_root;
use crate::server::{self, StartArgs, StopOnDrop};
use crate::spec;
use crate::steps::{cargo, Steps};

/// Access-token lifetime of the short-lived test server, in minutes (3 s).
pub(crate) const SHORT_ACCESS_MINUTES: f64 = 0.05;
/// Refresh-token lifetime of the short-lived test server, in minutes (12 s).
pub(crate) const SHORT_REFRESH_MINUTES: f64 = 0.2;
/// Length of the soak run, in seconds.
const SOAK_SECONDS: u64 = 15;
/// The offline tests. The live suite is the `live` executable this builds,
/// run directly: `cargo test --test live` would resolve features over the
/// `tupli` package alone, which unifies them differently and compiles the
/// library a second time.
const TESTS: &[&str] = &["test", "--workspace", "--all-features"];

pub fn run() -> Result<()> {
    // One feature set everywhere (`--all-features`, which includes the `cli`
    // binary), so the offline tests, the live suite and the soak client share
    // one build of the library.
    let mut steps = Steps::default();
    steps.command(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    );
    steps.task("codegen --check", || crate::codegen::run(None, true));
    steps.task("spec validate", || {
        spec::run(spec::Action::Validate {
            spec: "openapi.yaml".into(),
        })
    });
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
    steps.command("offline tests", cargo().args(TESTS));
    // The library as users with no features (no TLS, no exports) build it.
    steps.command(
        "library without features",
        cargo().args([
            "test",
            "--package",
            "tupli",
            "--no-default-features",
            "--lib",
            "--tests",
        ]),
    );
    steps.task("declared rust-version", || crate::msrv::run("tupli"));
    steps.command(
        "cargo package --list",
        cargo().args([
            "package",
            "--list",
            "--package",
            "tupli",
            "--allow-dirty",
            "--quiet",
        ]),
    );
    // The fuzz targets and `src/fuzzing.rs` (compiled only with
    // `--cfg fuzzing`) are checked, not run, so they cannot rot. `fuzz/` is
    // its own workspace with its own target directory.
    steps.command(
        "fuzz targets compile",
        cargo()
            .args(["check", "--manifest-path", "fuzz/Cargo.toml", "--bins"])
            .env("RUSTFLAGS", "--cfg fuzzing"),
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
    let python = server::ensure_venv()?;
    steps.task("live suite", || {
        let status = Command::new(built_executable("live", "test")?)
            .arg("--ignored")
            .current_dir(project_root())
            .env("TUPLI_TEST_URL", &main_url)
            .env("TUPLI_TEST_PYTHON", &python)
            .env("TUPLI_TEST_CLI", built_executable("tupli", "bin")?)
            .env("TUPLI_TEST_SHORT_URL", &short_url)
            .env(
                "TUPLI_TEST_SHORT_ACCESS_SECS",
                (SHORT_ACCESS_MINUTES * 60.0).to_string(),
            )
            .env(
                "TUPLI_TEST_SHORT_REFRESH_SECS",
                (SHORT_REFRESH_MINUTES * 60.0).to_string(),
            )
            .status()?;
        if !status.success() {
            bail!("the live suite failed ({status})");
        }
        Ok(())
    });
    // The wheel, built with the tests' profile (most of its build is theirs).
    let mut built_wheel = None;
    steps.task("the wheel installs and runs", || {
        let wheel = crate::wheel::build(&crate::target_dir().join("wheel-check-dist"), true)?;
        built_wheel = Some(wheel.clone());
        crate::wheel::check_installs(
            &wheel,
            &main_url,
            crate::wheel::ADMIN_USER,
            crate::wheel::ADMIN_PASSWORD,
        )
    });
    // The Python suite (python/tests/) on that wheel, while the servers run.
    steps.task("python tests", || {
        let wheel = built_wheel.context("the wheel was not built")?;
        crate::pytests::run_suite(
            &wheel,
            &crate::pytests::Servers {
                main: main_url.clone(),
                short: Some(short_url.clone()),
                short_access_secs: SHORT_ACCESS_MINUTES * 60.0,
                short_refresh_secs: SHORT_REFRESH_MINUTES * 60.0,
            },
            &[],
        )
    });
    drop(servers);
    steps.task("short soak", || crate::soak::run(SOAK_SECONDS, 16));
    steps.finish("xtask test")
}

/// The executable of the target `name` of `kind` (`test`, `bin`), as `cargo
/// test --workspace --all-features` builds it (nothing is compiled when the
/// offline tests ran).
fn built_executable(name: &str, kind: &str) -> Result<PathBuf> {
    let output = cargo()
        .args(TESTS)
        .args(["--no-run", "--message-format=json-render-diagnostics"])
        .stderr(Stdio::inherit())
        .output()
        .context("run cargo test --no-run")?;
    if !output.status.success() {
        bail!("building the tests failed ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|m| {
            m["reason"] == "compiler-artifact"
                && m["target"]["name"] == name
                && m["target"]["kind"][0] == kind
                // A binary's own unit tests are a `bin` target too.
                && (kind == "test" || m["profile"]["test"] == false)
        })
        .and_then(|m| m["executable"].as_str().map(PathBuf::from))
        .with_context(|| format!("cargo test built no {kind} named {name:?}"))
}
