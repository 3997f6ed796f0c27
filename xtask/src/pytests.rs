//! `cargo xtask pytest`, and the "python tests" step of `cargo xtask test`:
//! the Python suite in `python/tests/` (pytest), run in a venv of its own
//! under `target/` with the pinned requirements of
//! `python/tests/requirements.txt` (pytupli 1.2.9 and everything it needs,
//! pytest, pyarrow, keyrings.alt) and the freshly built wheel, against
//! running reference servers, with a keyring in a private folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::venv::{self, check};
use crate::{project_root, target_dir};

/// The suite's pinned requirements, from the project root.
const REQUIREMENTS: &str = "python/tests/requirements.txt";

/// The keyring backend the tests use: a plain file (under `XDG_DATA_HOME`),
/// so that pytupli and tupli share a login without a desktop keyring.
const KEYRING_BACKEND: &str = "keyrings.alt.file.PlaintextKeyring";

/// `cargo xtask pytest`'s arguments.
#[derive(clap::Args)]
pub struct Args {
    /// The main reference server (normal tokens), as `cargo xtask server
    /// start` prints it.
    #[arg(long, value_name = "URL")]
    pub url: String,
    /// A server with short-lived tokens (`cargo xtask server start --name
    /// short --access-token-minutes 0.05 --refresh-token-minutes 0.2`); the
    /// tests that need one are skipped without it.
    #[arg(long, value_name = "URL")]
    pub short_url: Option<String>,
    /// The access-token lifetime of the short-token server, in seconds.
    #[arg(long, default_value_t = crate::test::SHORT_ACCESS_MINUTES * 60.0)]
    pub short_access_secs: f64,
    /// The refresh-token lifetime of the short-token server, in seconds.
    #[arg(long, default_value_t = crate::test::SHORT_REFRESH_MINUTES * 60.0)]
    pub short_refresh_secs: f64,
    /// Test this wheel instead of building one.
    #[arg(long, value_name = "FILE")]
    pub wheel: Option<PathBuf>,
    /// Arguments for pytest (after `--`), such as `-k tokens` or `-x`.
    #[arg(last = true)]
    pub pytest_args: Vec<String>,
}

/// The servers the suite runs against.
pub struct Servers {
    /// The main server's URL (`TUPLI_TEST_URL`).
    pub main: String,
    /// The short-token server's URL (`TUPLI_TEST_SHORT_URL`), if there is one.
    pub short: Option<String>,
    /// Its access-token lifetime in seconds.
    pub short_access_secs: f64,
    /// Its refresh-token lifetime in seconds.
    pub short_refresh_secs: f64,
}

/// `cargo xtask pytest`: builds the wheel (dev profile) into its own folder,
/// unless one is given, and runs the suite against the servers.
pub fn run(args: Args) -> Result<()> {
    let wheel = match args.wheel {
        Some(wheel) => wheel,
        None => crate::wheel::build(&target_dir().join("pytest-dist"), true)?,
    };
    let servers = Servers {
        main: args.url,
        short: args.short_url,
        short_access_secs: args.short_access_secs,
        short_refresh_secs: args.short_refresh_secs,
    };
    run_suite(&wheel, &servers, &args.pytest_args)
}

/// Installs `wheel` into the suite's venv (made or renewed first) and runs
/// `python -m pytest python/tests -q` there with `extra` arguments; fails
/// when pytest does.
pub fn run_suite(wheel: &Path, servers: &Servers, extra: &[String]) -> Result<()> {
    let python = ensure_venv()?;
    venv::install_wheel(&python, wheel, "pip install the wheel")?;
    // A fresh private home for every run: the keyring file, and anything
    // else a library would write under the user's folders.
    let scratch = state_dir().join("run");
    if scratch.exists() {
        fs::remove_dir_all(&scratch).with_context(|| format!("empty {}", scratch.display()))?;
    }
    for dir in ["home", "data", "config"] {
        fs::create_dir_all(scratch.join(dir))?;
    }
    let mut pytest = Command::new(&python);
    pytest
        .args(["-m", "pytest", "python/tests", "-q"])
        .args(extra)
        .current_dir(project_root())
        .env("TUPLI_TEST_URL", &servers.main)
        .env(
            "TUPLI_TEST_SHORT_ACCESS_SECS",
            servers.short_access_secs.to_string(),
        )
        .env(
            "TUPLI_TEST_SHORT_REFRESH_SECS",
            servers.short_refresh_secs.to_string(),
        )
        .env("TUPLI_TEST_ADMIN_USER", crate::wheel::ADMIN_USER)
        .env("TUPLI_TEST_ADMIN_PASSWORD", crate::wheel::ADMIN_PASSWORD)
        .env("PYTHON_KEYRING_BACKEND", KEYRING_BACKEND)
        .env("HOME", scratch.join("home"))
        .env("XDG_DATA_HOME", scratch.join("data"))
        .env("XDG_CONFIG_HOME", scratch.join("config"))
        .env("TUPLI_CONFIG_DIR", scratch.join("config").join("tupli"))
        // No __pycache__ in the work tree, and the installed package only.
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("PYTHONPATH")
        .env_remove("TUPLI_URL")
        .env_remove("TUPLI_STORAGE");
    match &servers.short {
        Some(url) => pytest.env("TUPLI_TEST_SHORT_URL", url),
        None => pytest.env_remove("TUPLI_TEST_SHORT_URL"),
    };
    check(&mut pytest, "the Python tests (pytest)")
}

/// Everything the suite leaves on disk; `cargo clean` removes it.
fn state_dir() -> PathBuf {
    target_dir().join("tupli-pytests")
}

/// The suite's venv, made anew when the pinned requirements (or the
/// interpreter) changed since it was made.
fn ensure_venv() -> Result<PathBuf> {
    venv::ensure(
        &state_dir().join("venv"),
        &venv::system_python(),
        &[project_root().join(REQUIREMENTS)],
        "xtask: creating the Python tests' venv (a minute or two)…",
    )
}
