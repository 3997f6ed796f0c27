//! The python section's programs: a venv of the bench's own, made from the
//! reference-server venv's interpreter with the reference server's pinned
//! requirements (pytupli 1.2.9, numpy, gymnasium, jsonpickle…) and the
//! freshly built release wheel of `tupli`, so that pytupli's client
//! (`xtask/bench/pytupli_client.py`) and tupli's (`xtask/bench/tupli_python.py`)
//! run on the same Python and the same numpy.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use super::dir;
use super::measured::Run;
use crate::{project_root, venv};

/// The pinned requirements the venv is made with, from the project root.
const REQUIREMENTS: &str = "xtask/reference-server/requirements.txt";

/// The two Python programs, in the bench venv.
pub(super) struct PyPrograms {
    /// The bench venv's Python.
    python: PathBuf,
    /// `xtask/bench/tupli_python.py`.
    tupli: PathBuf,
    /// `xtask/bench/pytupli_client.py`.
    pytupli: PathBuf,
}

impl PyPrograms {
    /// A measured run of tupli's Python package.
    pub(super) fn tupli(&self, args: &[&str]) -> Result<Run> {
        run(&self.python, &self.tupli, args)
    }

    /// A measured run of pytupli's client.
    pub(super) fn pytupli(&self, args: &[&str]) -> Result<Run> {
        run(&self.python, &self.pytupli, args)
    }
}

/// Makes (or reuses) the venv, builds the release wheel and installs it.
pub(super) fn prepare(reference_python: &Path) -> Result<PyPrograms> {
    let python = ensure_venv(reference_python)?;
    eprintln!("xtask bench: building the tupli wheel (release)…");
    let wheel = crate::wheel::build(&dir().join("python-wheel"), false)?;
    venv::install_wheel(&python, &wheel, "pip install the tupli wheel")?;
    let bench = project_root().join("xtask/bench");
    Ok(PyPrograms {
        python,
        tupli: bench.join("tupli_python.py"),
        pytupli: bench.join("pytupli_client.py"),
    })
}

/// The venv, made anew when the requirements (or the interpreter it is made
/// from) changed since it was made.
fn ensure_venv(reference_python: &Path) -> Result<PathBuf> {
    venv::ensure(
        &dir().join("python-venv"),
        reference_python,
        &[project_root().join(REQUIREMENTS)],
        "xtask bench: creating the python section's venv (about a minute)…",
    )
}

/// Runs `script ARGS` in the venv and reads the JSON line it printed last.
fn run(python: &Path, script: &Path, args: &[&str]) -> Result<Run> {
    let output = Command::new(python)
        .arg(script)
        .args(args)
        // The installed package only; no __pycache__ beside the scripts
        // (tupli_python.py imports pytupli_client.py).
        .env_remove("PYTHONPATH")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env_remove("TUPLI_URL")
        .env_remove("TUPLI_STORAGE")
        .output()
        .with_context(|| format!("run {}", script.display()))?;
    let name = script.file_name().unwrap_or_default().to_string_lossy();
    if !output.status.success() {
        bail!(
            "{name} {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or("");
    let report: Value =
        serde_json::from_str(line).with_context(|| format!("{name} {args:?} printed {text:?}"))?;
    Run::parse(report).with_context(|| format!("{name} {args:?}"))
}
