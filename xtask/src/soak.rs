//! `cargo xtask soak`: a bounded mixed workload against a reference server
//! whose access tokens live seconds, checked from the server's side.

use std::collections::BTreeMap;
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
    // What the server saw before the client ran (its start-up probes).
    let before = stats(&url)?;
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
    let seen = stats(&url)?.since(&before);
    let ops = report["ops"].as_u64().unwrap_or(0);
    let errors = report["errors"].as_u64().unwrap_or(u64::MAX);
    let elapsed = report["elapsed_secs"].as_f64().unwrap_or(0.0);
    let lifetimes: Vec<f64> = report["token_lifetimes_secs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    let rss: Vec<u64> = report["rss_samples"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let check = Check {
        ops,
        errors,
        elapsed,
        lifetime: mean(&lifetimes).unwrap_or(ACCESS_SECONDS),
        logins: seen.count(LOGIN),
        refreshes: seen.count(REFRESH),
        unauthorized: seen.count(UNAUTHORIZED),
        requests: seen.total() - seen.count(UNAUTHORIZED),
        tasks: tasks as u64,
    };
    let (early, late) = rss_halves(&rss);
    println!("soak: {ops} operations by {tasks} tasks in {elapsed:.1} s, {errors} errors");
    println!(
        "soak: server saw {} requests: {} login(s), {} answered 401, {} refresh(es) for {:.1} token lifetimes of {:.2} s (allowed {}..={})",
        check.requests,
        check.logins,
        check.unauthorized,
        check.refreshes,
        check.lifetimes(),
        check.lifetime,
        check.fewest_refreshes(),
        check.most_refreshes()
    );
    println!(
        "soak: client RSS {:.1} MB early, {:.1} MB late",
        early as f64 / 1e6,
        late as f64 / 1e6
    );
    let mut problems = check.problems();
    if errors != 0 {
        problems.push(format!("first errors: {}", report["first_errors"]));
    }
    if lifetimes.is_empty() {
        problems.push("the client saw no access token with an expiry".into());
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

/// The login path, as the server counts it.
const LOGIN: &str = "/access/users/token";
/// The refresh path, as the server counts it.
const REFRESH: &str = "/access/users/refresh-token";
/// Where the launcher's `/__stats` counts 401 answers (a key no path has).
const UNAUTHORIZED: &str = "status 401";

/// Requests per path, as the launcher's `GET /__stats` answers them.
struct Stats(BTreeMap<String, u64>);

fn stats(url: &str) -> Result<Stats> {
    let (status, body) = crate::http::get(&format!("{url}/__stats"))?;
    if status != 200 {
        bail!("GET /__stats answered {status}");
    }
    Ok(Stats(
        serde_json::from_slice(&body).context("GET /__stats")?,
    ))
}

impl Stats {
    /// The requests made since `before`.
    fn since(&self, before: &Stats) -> Stats {
        Stats(
            self.0
                .iter()
                .map(|(path, n)| (path.clone(), n.saturating_sub(before.count(path))))
                .collect(),
        )
    }

    fn count(&self, path: &str) -> u64 {
        self.0.get(path).copied().unwrap_or(0)
    }

    fn total(&self) -> u64 {
        self.0.values().sum()
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// What one soak run did, as the client reports it and the server saw it.
#[derive(Debug)]
struct Check {
    /// Operations completed (setup and teardown included, the login not).
    ops: u64,
    errors: u64,
    /// Seconds from the login to the last answer.
    elapsed: f64,
    /// Mean lifetime of the access tokens, in seconds (the server writes
    /// whole seconds into `exp`, so a "3 s" token lives 2 to 3 s).
    lifetime: f64,
    logins: u64,
    refreshes: u64,
    /// 401 answers.
    unauthorized: u64,
    /// Requests to every path.
    requests: u64,
    /// Concurrent tasks.
    tasks: u64,
}

impl Check {
    /// Token lifetimes that passed during the run.
    fn lifetimes(&self) -> f64 {
        self.elapsed / self.lifetime
    }

    /// A token is renewed a quarter of its lifetime early, so about 4/3
    /// refreshes per lifetime; 1.5 leaves room for timing, and a second
    /// refresh of one token (two tasks refreshing at once) exceeds it.
    fn most_refreshes(&self) -> u64 {
        (1.5 * self.lifetimes()).floor() as u64
    }

    /// At least one refresh for each lifetime that passed, minus one.
    fn fewest_refreshes(&self) -> u64 {
        (self.lifetimes().floor() as u64).saturating_sub(1)
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.errors != 0 {
            problems.push(format!("{} errors", self.errors));
        }
        if self.ops == 0 {
            problems.push("no operation completed".into());
        }
        if !(self.elapsed > 0.0 && self.lifetime > 0.0) {
            problems.push(format!(
                "the client reported {} s elapsed and tokens living {} s",
                self.elapsed, self.lifetime
            ));
        }
        if self.logins != 1 {
            problems.push(format!("{} logins, expected exactly 1", self.logins));
        }
        if !(self.fewest_refreshes()..=self.most_refreshes()).contains(&self.refreshes) {
            problems.push(format!(
                "{} refreshes for {:.1} token lifetimes of {:.2} s (allowed {}..={})",
                self.refreshes,
                self.lifetimes(),
                self.lifetime,
                self.fewest_refreshes(),
                self.most_refreshes()
            ));
        }
        // Every operation is one request, plus a resend for each 401 (a
        // request that reached a slow server after its token expired): any
        // other retry shows up here.
        let expected = self.ops + self.refreshes + self.logins + self.unauthorized;
        if self.errors == 0 && self.requests != expected {
            problems.push(format!(
                "the server saw {} requests, but {} operations + {} refreshes + {} logins + {} \
                 401s make {expected}",
                self.requests, self.ops, self.refreshes, self.logins, self.unauthorized
            ));
        }
        // Tokens are renewed before they expire: a 401 is only a request
        // that was in flight at the expiry. Without the early refresh, every
        // task would get one per token.
        let most_unauthorized = (self.tasks as f64 * self.lifetimes() / 2.0).floor() as u64;
        if self.unauthorized > most_unauthorized {
            problems.push(format!(
                "{} 401s for {} tasks over {:.1} token lifetimes (allowed {most_unauthorized}): \
                 tokens are not renewed before they expire",
                self.unauthorized,
                self.tasks,
                self.lifetimes()
            ));
        }
        problems
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A run as the client should go: 20 s of 2.5 s tokens, one refresh
    /// every 3/4 of a lifetime, one request per operation.
    fn good() -> Check {
        Check {
            ops: 5000,
            errors: 0,
            elapsed: 20.0,
            lifetime: 2.5,
            logins: 1,
            refreshes: 10,
            unauthorized: 0,
            requests: 5011,
            tasks: 16,
        }
    }

    #[test]
    fn a_good_run_passes() {
        assert_eq!(good().problems(), Vec::<String>::new());
        // Requests that reached the server after their token expired, each
        // sent again after the 401.
        let slow = Check {
            unauthorized: 28,
            requests: 5011 + 28,
            ..good()
        };
        assert_eq!(slow.problems(), Vec::<String>::new());
        assert_eq!(
            (good().fewest_refreshes(), good().most_refreshes()),
            (7, 12)
        );
    }

    #[test]
    fn each_flaw_is_named() {
        let cases: Vec<(Check, &str)> = vec![
            // Two tasks refreshing the same token: twice the refreshes.
            (
                Check {
                    refreshes: 20,
                    requests: 5021,
                    ..good()
                },
                "20 refreshes",
            ),
            // No proactive refresh: too few (and 401s, below).
            (
                Check {
                    refreshes: 5,
                    requests: 5006,
                    ..good()
                },
                "5 refreshes",
            ),
            (
                Check {
                    logins: 2,
                    requests: 5012,
                    ..good()
                },
                "2 logins",
            ),
            (
                Check {
                    logins: 0,
                    requests: 5010,
                    ..good()
                },
                "0 logins",
            ),
            // A 401 and its resend for each of 16 tasks per token.
            (
                Check {
                    unauthorized: 128,
                    requests: 5011 + 128,
                    ..good()
                },
                "128 401s for 16 tasks over 8.0 token lifetimes (allowed 64)",
            ),
            // A retry, or a request sent twice, without a 401.
            (
                Check {
                    requests: 5011 + 3,
                    ..good()
                },
                "the server saw 5014 requests",
            ),
            (
                Check {
                    errors: 3,
                    ..good()
                },
                "3 errors",
            ),
            (
                Check {
                    ops: 0,
                    requests: 11,
                    ..good()
                },
                "no operation completed",
            ),
        ];
        for (check, flaw) in cases {
            let problems = check.problems().join("; ");
            assert!(problems.contains(flaw), "{check:?}: {problems}");
        }
    }

    #[test]
    fn stats_count_only_the_requests_since_a_baseline() {
        let before = Stats(BTreeMap::from([("/".to_string(), 3)]));
        let after = Stats(BTreeMap::from([
            ("/".to_string(), 3),
            (LOGIN.to_string(), 1),
            (REFRESH.to_string(), 4),
        ]));
        let seen = after.since(&before);
        assert_eq!(
            (seen.total(), seen.count(LOGIN), seen.count(REFRESH)),
            (5, 1, 4)
        );
    }
}
