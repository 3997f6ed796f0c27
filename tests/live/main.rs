//! End-to-end tests against a real PyTupli 1.2.9 server.
//!
//! Ignored by default (listed as `ignored` by name); `cargo xtask test` starts
//! reference servers and runs them with `--ignored` and `TUPLI_TEST_URL` set.
//! Every test makes its own uniquely named users, groups and objects and
//! cleans up, so tests run in parallel against a shared server.

mod artifacts;
mod auth;
mod benchmarks;
mod cli;
mod copy;
#[cfg(all(feature = "npz", feature = "arrow", feature = "parquet"))]
mod datasets;
mod episodes;
mod errors;
mod groups;
mod recorder;
mod roles;
mod storage;
mod users;

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{json, Map, Value};
use tupli::models::{BenchmarkMetadata, BenchmarkQuery, RlTuple};
use tupli::{Error, TupliApiClient};

const NEEDS: &str = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)";

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// The `tupli` command that `cli/` builds, at the path `TUPLI_TEST_CLI` names
/// (`cargo xtask test` sets it).
fn tupli_command() -> assert_cmd::Command {
    let path = std::env::var_os("TUPLI_TEST_CLI").unwrap_or_else(|| {
        panic!("needs the tupli command: TUPLI_TEST_CLI (set by `cargo xtask test`)")
    });
    assert_cmd::Command::new(path)
}

fn url() -> String {
    std::env::var("TUPLI_TEST_URL").unwrap_or_else(|_| panic!("{NEEDS}"))
}

/// A name no other test (or earlier run against the same server) uses.
fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

async fn admin() -> TupliApiClient {
    let client = TupliApiClient::with_url(url()).unwrap();
    client
        .login(
            &env_or("TUPLI_TEST_ADMIN_USER", "admin"),
            &env_or("TUPLI_TEST_ADMIN_PASSWORD", "pytupli"),
        )
        .await
        .expect("admin login");
    client
}

/// A new user (signed up anonymously) and a client logged in as it.
struct TestUser {
    name: String,
    client: TupliApiClient,
}

impl TestUser {
    async fn new(prefix: &str) -> TestUser {
        let name = unique(prefix);
        let client = TupliApiClient::with_url(url()).unwrap();
        client.signup(&name, "pw-1").await.expect("signup");
        client.login(&name, "pw-1").await.expect("login");
        TestUser { name, client }
    }

    async fn delete(self, admin: &TupliApiClient) {
        admin.delete_user(&self.name).await.expect("delete user");
    }
}

fn tuple(state: Value, action: Value, reward: Value) -> RlTuple {
    RlTuple::new(state, action, reward)
}

fn benchmark(name: &str, difficulty: &str) -> BenchmarkQuery {
    let mut extra = Map::new();
    extra.insert("level".into(), json!(difficulty.len()));
    BenchmarkQuery {
        hash: unique("hash"),
        serialized: json!({"env": name}).to_string(),
        metadata: BenchmarkMetadata {
            name: name.to_string(),
            description: "made by the live suite".into(),
            difficulty: Some(difficulty.into()),
            version: Some("1".into()),
            extra,
        },
    }
}

fn api_status(err: &Error) -> u16 {
    err.status().map(|s| s.as_u16()).unwrap_or(0)
}
