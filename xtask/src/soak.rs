//! `cargo xtask soak`: a bounded mixed workload against a reference server
//! whose access tokens live seconds, checked from the server's side.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::server::{self, StartArgs};
use crate::steps::cargo;
use crate::target_dir;

/// Access-token lifetime of the soak server, in seconds.
const ACCESS_SECONDS: f64 = 3.0;

pub fn run(seconds: u64, tasks: usize) -> Result<()> {
    if seconds == 0 || seconds > 3600 || tasks == 0 || tasks > 256 {
        bail!("soak: --seconds must be 1..=3600 and --tasks 1..=256");
    }
    let client = build_client()?;
    let _stop = server::StopOnDrop("soak".into());
    let url = server::start(&StartArgs {
        access_token_minutes: Some(ACCESS_SECONDS / 60.0),
        stats: true,
        ..StartArgs::named("soak")
    })?;
    eprintln!("xtask soak: {tasks} tasks for {seconds} s against {url} (access tokens live {ACCESS_SECONDS} s)");
    let output = Command::new(client)
        .args([url.as_str(), &seconds.to_string(), &tasks.to_string()])
        .output()
        .context("run soak-client")?;
    if !output.status.success() {
        bail!(
            "the soak client failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let report: Value = serde_json::from_slice(output.stdout.trim_ascii_end())
        .with_context(|| format!("soak output: {}", String::from_utf8_lossy(&output.stdout)))?;
    let (status, body) = crate::http::get(&format!("{url}/__stats"))?;
    if status != 200 {
        bail!("GET /__stats answered {status}");
    }
    let seen: Value = serde_json::from_slice(&body)?;
    let count = |path: &str| seen[path].as_u64().unwrap_or(0);
    let refreshes = count("/access/users/refresh-token");
    let logins = count("/access/users/token");
    let ops = report["ops"].as_u64().unwrap_or(0);
    let errors = report["errors"].as_u64().unwrap_or(u64::MAX);
    let rss: Vec<u64> = report["rss_samples"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();

    // One refresh per token lifetime (at most two, as each token is renewed
    // a quarter-lifetime early), however many tasks share the client.
    let windows = seconds as f64 / ACCESS_SECONDS;
    let most_refreshes = (windows * 2.0).ceil() as u64 + 2;
    let (early, late) = rss_halves(&rss);
    println!("soak: {ops} operations by {tasks} tasks in {seconds} s, {errors} errors");
    println!("soak: server saw {logins} login(s) and {refreshes} refresh(es) for ~{windows:.0} token lifetimes (at most {most_refreshes} allowed)");
    println!(
        "soak: client RSS {:.1} MB early, {:.1} MB late",
        early as f64 / 1e6,
        late as f64 / 1e6
    );
    let mut problems = Vec::new();
    if errors != 0 {
        problems.push(format!(
            "{errors} errors, first: {}",
            report["first_errors"]
        ));
    }
    if ops == 0 {
        problems.push("no operation completed".into());
    }
    if refreshes > most_refreshes || (seconds as f64 > 2.0 * ACCESS_SECONDS && refreshes == 0) {
        problems.push(format!(
            "{refreshes} refreshes for ~{windows:.0} token lifetimes"
        ));
    }
    if late > early + early / 4 + (4 << 20) {
        problems.push(format!("client memory grew from {early} to {late} bytes"));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!("soak failed: {}", problems.join("; "))
    }
}

/// Builds `xtask/harness`'s soak-client; returns the executable.
///
/// Built with the profile and the feature set of `cargo xtask test`'s
/// `cargo test --workspace --all-features` (`--tests` switches on the
/// dev-dependencies' features, as testing does), so the library compiled for
/// the tests is the one linked here, not a second build of it.
fn build_client() -> Result<PathBuf> {
    let status = cargo()
        .args([
            "build",
            "--quiet",
            "--workspace",
            "--all-features",
            "--tests",
        ])
        .args(["--bin", "soak-client"])
        .status()
        .context("run cargo build")?;
    if !status.success() {
        bail!("building soak-client failed ({status})");
    }
    Ok(target_dir().join("debug/soak-client"))
}

/// Peak RSS in the first and the last third of the run (after warm-up).
fn rss_halves(samples: &[u64]) -> (u64, u64) {
    let third = (samples.len() / 3).max(1);
    let early = samples
        .iter()
        .skip(1)
        .take(third)
        .max()
        .copied()
        .unwrap_or(0);
    let late = samples.iter().rev().take(third).max().copied().unwrap_or(0);
    (early, late)
}
