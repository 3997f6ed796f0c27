//! One measured run: a program started, the JSON line it printed last read
//! back, and its figures checked against the plan.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

/// One measured run, as the program reported it.
#[derive(Clone, Debug)]
pub(super) struct Run {
    /// CPU seconds, user + sys.
    pub(super) cpu: f64,
    /// Wall seconds.
    pub(super) wall: f64,
    /// Peak RSS, bytes.
    pub(super) rss: f64,
    /// What the operation counted (episodes, tuples, bytes…).
    pub(super) count: f64,
    /// A checksum of the floats (or the digest of the bytes) it handled.
    pub(super) checksum: Option<String>,
    /// Everything the program printed.
    pub(super) report: Value,
}

impl Run {
    /// Reads a program's report; every figure must be there.
    pub(super) fn parse(report: Value) -> Result<Run> {
        let number = |k: &str| {
            report
                .get(k)
                .and_then(Value::as_f64)
                .filter(|v| v.is_finite())
                .with_context(|| format!("the report lacks a number {k:?}: {report}"))
        };
        Ok(Run {
            cpu: number("user")? + number("sys")?,
            wall: number("wall")?,
            rss: number("peak_rss")?,
            count: number("count")?,
            checksum: report
                .get("checksum")
                .and_then(Value::as_str)
                .map(str::to_string),
            report,
        })
    }

    /// A number the program reported beside the figures.
    pub(super) fn number(&self, key: &str) -> Result<f64> {
        self.report
            .get(key)
            .and_then(Value::as_f64)
            .with_context(|| format!("the report lacks a number {key:?}: {}", self.report))
    }

    /// Fails unless the run counted `expected`.
    pub(super) fn expect_count(&self, expected: usize, what: &str) -> Result<()> {
        ensure!(
            self.count == expected as f64,
            "{what}: {} where the plan has {expected}",
            self.count
        );
        Ok(())
    }

    /// Fails unless the run reported `expected` as `key`.
    pub(super) fn expect_number(&self, key: &str, expected: usize, what: &str) -> Result<()> {
        let got = self.number(key)?;
        ensure!(
            got == expected as f64,
            "{what}: {key} {got} where the plan has {expected}"
        );
        Ok(())
    }

    /// Fails unless the run's checksum is `expected`, bit for bit.
    pub(super) fn expect_checksum(&self, expected: &str, what: &str) -> Result<()> {
        match &self.checksum {
            Some(c) if c == expected => Ok(()),
            other => bail!("{what}: checksum {other:?}, expected {expected} (not bit-exact)"),
        }
    }
}

/// Runs a program and reads its report.
pub(super) fn client(program: &Path, args: &[&str]) -> Result<Run> {
    Run::parse(output(program, args)?).with_context(|| format!("{} {args:?}", program.display()))
}

/// What a program printed last: one JSON line.
pub(super) fn output(program: &Path, args: &[&str]) -> Result<Value> {
    let output = Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("run {}", program.display()))?;
    if !output.status.success() {
        bail!(
            "{} {args:?} failed: {}",
            program.display(),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or("");
    serde_json::from_str(line)
        .with_context(|| format!("{} {args:?} printed {text:?}", program.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_missing_figure_fails() {
        let error = Run::parse(json!({"user": 1.0, "sys": 0.0, "wall": 1.0, "count": 1}))
            .err()
            .unwrap();
        assert!(error.to_string().contains("peak_rss"));
        assert!(Run::parse(
            json!({"user": 1.0, "sys": null, "wall": 1.0, "peak_rss": 1, "count": 1})
        )
        .is_err());
    }
}
