//! The programs the bench starts (the Rust client, the parse limits, the
//! Python client), how they are built, and how a Rust client run is
//! profiled with `perf`.

use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context, Result};

use super::measured::{client, output, Run};
use crate::steps::cargo;
use crate::{project_root, target_dir};

/// The programs a run starts.
pub(super) struct Programs {
    rust: PathBuf,
    limits: PathBuf,
    /// The reference-server venv's Python.
    pub(super) python: PathBuf,
    py_client: PathBuf,
    /// Where `perf record` puts a profile of each Rust client run, if asked.
    pub(super) profile: Option<PathBuf>,
    /// Rust client runs so far (numbers the profiles).
    rust_runs: std::cell::Cell<usize>,
}

impl Programs {
    /// A run of the Rust client (under `perf record` with `--profile`).
    pub(super) fn rust(&self, args: &[&str]) -> Result<Run> {
        let Some(dir) = &self.profile else {
            return client(&self.rust, args);
        };
        let n = self.rust_runs.get() + 1;
        self.rust_runs.set(n);
        let data = dir.join(profile_name(args, n));
        let mut full = vec![
            "record",
            "-g",
            "--quiet",
            "-o",
            path_str(&data)?,
            "--",
            path_str(&self.rust)?,
        ];
        full.extend_from_slice(args);
        let run = client(Path::new("perf"), &full)?;
        eprintln!("xtask bench: profile in {}", data.display());
        Ok(run)
    }

    /// The Rust client's program, for a program that starts it itself.
    pub(super) fn rust_path(&self) -> &Path {
        &self.rust
    }

    /// A run of the parse limits.
    pub(super) fn limits(&self, args: &[&str]) -> Result<Run> {
        client(&self.limits, args)
    }

    /// A run of the Python client.
    pub(super) fn py(&self, args: &[&str]) -> Result<Run> {
        let mut full = vec![path_str(&self.py_client)?];
        full.extend_from_slice(args);
        client(&self.python, &full)
    }

    /// A check in Python (no measurement): the count and the checksum it
    /// printed.
    pub(super) fn py_check(&self, args: &[&str]) -> Result<(usize, String)> {
        let mut full = vec![path_str(&self.py_client)?];
        full.extend_from_slice(args);
        let report = output(&self.python, &full)?;
        let count = report["count"].as_u64();
        let checksum = report["checksum"].as_str();
        match (count, checksum) {
            (Some(count), Some(checksum)) => Ok((count as usize, checksum.to_string())),
            _ => bail!("{full:?} printed no count or checksum: {report}"),
        }
    }

    /// The sha256 of a file (through `bench-client sha256`).
    pub(super) fn sha256(&self, path: &Path) -> Result<String> {
        self.rust(&["sha256", path_str(path)?])?
            .checksum
            .context("sha256: no digest")
    }
}

/// A path as a program argument.
pub(super) fn path_str(path: &Path) -> Result<&str> {
    path.to_str()
        .with_context(|| format!("not UTF-8: {}", path.display()))
}

/// Builds bench-client (as users build the client) and bench-limits (for
/// this CPU).
pub(super) fn build(python: PathBuf) -> Result<Programs> {
    eprintln!("xtask bench: building the Rust client (release)…");
    let status = cargo()
        .args([
            "build",
            "--release",
            "--quiet",
            "--package",
            "tupli-harness",
        ])
        .args(["--bin", "bench-client"])
        .status()?;
    ensure!(status.success(), "building bench-client failed");
    eprintln!("xtask bench: building the parse limits (release, target-cpu=native)…");
    let limits_dir = target_dir().join("bench-limits");
    let status = cargo()
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(project_root().join("xtask/harness/limits/Cargo.toml"))
        .arg("--target-dir")
        .arg(&limits_dir)
        .env("RUSTFLAGS", "-C target-cpu=native")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .status()?;
    ensure!(status.success(), "building bench-limits failed");
    Ok(Programs {
        rust: target_dir().join("release/bench-client"),
        limits: limits_dir.join("release/bench-limits"),
        python,
        py_client: project_root().join("xtask/bench/pytupli_client.py"),
        profile: None,
        rust_runs: std::cell::Cell::new(0),
    })
}

/// The file name of the `n`th Rust client run's profile: its mode, and for
/// an export the format, e.g. `3-dataset-export-parquet.data`.
fn profile_name(args: &[&str], n: usize) -> String {
    let mut name = format!("{n}");
    let words = args
        .iter()
        .enumerate()
        // The URL and file arguments say nothing a reader needs.
        .filter(|(i, a)| *i == 0 || !(a.contains('/') || a.contains(':')))
        .map(|(_, a)| *a);
    for word in words {
        name.push('-');
        name.extend(word.chars().map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        }));
    }
    name + ".data"
}

#[cfg(test)]
mod tests {
    use super::profile_name;

    #[test]
    fn profiles_are_named_by_run_mode_and_format() {
        assert_eq!(
            profile_name(&["decode-vec", "http://127.0.0.1:4000"], 1),
            "1-decode-vec.data"
        );
        assert_eq!(
            profile_name(
                &[
                    "dataset-export",
                    "http://127.0.0.1:4000",
                    "parquet",
                    "/tmp/x/out.parquet"
                ],
                12
            ),
            "12-dataset-export-parquet.data"
        );
        assert_eq!(
            profile_name(&["encode", "target/bench/episode.json"], 3),
            "3-encode.data"
        );
    }
}
