//! The declared minimum Rust version (`rust-version` in Cargo.toml), checked
//! without a second toolchain: every dependency the library builds with (all
//! features, build dependencies included) must declare no newer one, and the
//! toolchain in use must be at least as new. Our own code's use of newer std
//! APIs is clippy's `incompatible_msrv` lint, which reads the same field.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use serde_json::Value;

use crate::steps::cargo;

/// A version as `(major, minor, patch)`.
type Version = (u64, u64, u64);

fn parse(text: &str) -> Option<Version> {
    let mut parts = text.trim().split('.').map(|p| p.parse::<u64>().ok());
    let major = parts.next()??;
    let minor = parts.next().flatten().unwrap_or(0);
    let patch = parts.next().flatten().unwrap_or(0);
    Some((major, minor, patch))
}

/// Runs the check for the package `name`.
pub fn run(name: &str) -> Result<()> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--all-features"])
        .output()
        .context("cargo metadata")?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let metadata: Value = serde_json::from_slice(&output.stdout)?;
    let offenders = check(&metadata, name)?;
    let declared = declared(&metadata, name)?;
    let toolchain = toolchain()?;
    if toolchain < declared {
        bail!("the toolchain {toolchain:?} is older than the declared rust-version {declared:?}");
    }
    if !offenders.is_empty() {
        bail!(
            "dependencies need a newer Rust than {name}'s rust-version {}.{}: {}",
            declared.0,
            declared.1,
            offenders.join(", ")
        );
    }
    eprintln!(
        "msrv: {name} declares {}.{}; every dependency agrees; the toolchain is {}.{}.{}",
        declared.0, declared.1, toolchain.0, toolchain.1, toolchain.2
    );
    Ok(())
}

fn declared(metadata: &Value, name: &str) -> Result<Version> {
    let package = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name)
        .with_context(|| format!("no package {name}"))?;
    package["rust_version"]
        .as_str()
        .and_then(parse)
        .with_context(|| format!("{name} declares no rust-version"))
}

/// The dependencies of `name` (normal and build, all features) that declare
/// a newer rust-version than it does, as `name version (needs x.y)`.
fn check(metadata: &Value, name: &str) -> Result<Vec<String>> {
    let ours = declared(metadata, name)?;
    let packages: BTreeMap<&str, &Value> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: BTreeMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let root = packages
        .iter()
        .find(|(_, p)| p["name"] == name)
        .map(|(id, _)| *id)
        .with_context(|| format!("no package {name}"))?;
    let mut seen = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        for dep in nodes
            .get(id)
            .and_then(|n| n["deps"].as_array())
            .into_iter()
            .flatten()
        {
            let kinds = dep["dep_kinds"].as_array().into_iter().flatten();
            let used = kinds
                .clone()
                .any(|k| k["kind"].is_null() || k["kind"] == "build");
            if used {
                if let Some(pkg) = dep["pkg"].as_str() {
                    stack.push(pkg);
                }
            }
        }
    }
    let mut offenders = Vec::new();
    for id in seen {
        let Some(package) = packages.get(id) else {
            continue;
        };
        if let Some(needs) = package["rust_version"].as_str().and_then(parse) {
            if needs > ours {
                offenders.push(format!(
                    "{} {} (needs {}.{})",
                    package["name"].as_str().unwrap_or("?"),
                    package["version"].as_str().unwrap_or("?"),
                    needs.0,
                    needs.1
                ));
            }
        }
    }
    Ok(offenders)
}

fn toolchain() -> Result<Version> {
    let output = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .context("rustc --version")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace()
        .nth(1)
        .and_then(|v| parse(v.split('-').next().unwrap_or(v)))
        .with_context(|| format!("cannot read the version in {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn metadata(dep_needs: &str) -> Value {
        json!({
            "packages": [
                {"id": "a", "name": "tupli", "version": "0.1.0", "rust_version": "1.89"},
                {"id": "b", "name": "dep", "version": "1.0.0", "rust_version": dep_needs},
                {"id": "c", "name": "devdep", "version": "1.0.0", "rust_version": "1.99"},
            ],
            "resolve": {"nodes": [
                {"id": "a", "deps": [
                    {"pkg": "b", "dep_kinds": [{"kind": null}]},
                    {"pkg": "c", "dep_kinds": [{"kind": "dev"}]},
                ]},
                {"id": "b", "deps": []},
                {"id": "c", "deps": []},
            ]}
        })
    }

    #[test]
    fn a_dependency_needing_a_newer_rust_is_named() {
        assert!(check(&metadata("1.88"), "tupli").unwrap().is_empty());
        assert!(check(&metadata("1.89.0"), "tupli").unwrap().is_empty());
        assert_eq!(
            check(&metadata("1.90"), "tupli").unwrap(),
            ["dep 1.0.0 (needs 1.90)"],
            "dev-dependencies do not count"
        );
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert!(parse("1.100").unwrap() > parse("1.99.9").unwrap());
        assert_eq!(parse("1.89"), Some((1, 89, 0)));
    }
}
