//! `cargo xtask spec …`: keep `openapi.yaml` honest (validate, diff, fetch).

pub mod diff;
pub mod facade;
pub mod validate;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use serde_json::Value;

use crate::project_root;

#[derive(Subcommand)]
pub enum Action {
    /// Check openapi.yaml: version, $refs, operationIds, tags, descriptions,
    /// progenitor generation per operation, facade coverage, unused schemas.
    Validate {
        /// The spec to check.
        #[arg(long, default_value = "openapi.yaml")]
        spec: PathBuf,
    },
    /// Compare openapi.yaml with a server's own OpenAPI document.
    Diff {
        /// Base URL of a running server (its /openapi.json is read).
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        server: Option<String>,
        /// A saved copy of a server's /openapi.json.
        #[arg(long)]
        file: Option<PathBuf>,
        /// Our spec.
        #[arg(long, default_value = "openapi.yaml")]
        spec: PathBuf,
        /// Intended differences.
        #[arg(long, default_value = "xtask/spec-allowlist.yaml")]
        allowlist: PathBuf,
        /// Also list the allowed differences.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Save a server's /openapi.json, pretty-printed, for review.
    Fetch {
        /// Base URL of a running server.
        #[arg(long)]
        server: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
    },
}

/// A problem found in a document, at a JSON pointer.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub pointer: String,
    pub message: String,
}

impl Problem {
    pub fn new(pointer: &str, message: impl Into<String>) -> Self {
        Problem {
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.message)
    }
}

/// Escapes a key for a JSON pointer (RFC 6901).
pub fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// One operation of a document.
pub struct OperationRef<'a> {
    /// JSON pointer, e.g. `/paths/~1benchmarks~1load/get`.
    pub at: String,
    pub method: String,
    pub path: String,
    pub value: &'a Value,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

/// Every operation under `/paths`, in path order.
pub fn operations(doc: &Value) -> Vec<OperationRef<'_>> {
    let mut result = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for method in METHODS {
            if let Some(value) = item.get(*method) {
                result.push(OperationRef {
                    at: format!("/paths/{}/{method}", escape(path)),
                    method: method.to_string(),
                    path: path.clone(),
                    value,
                });
            }
        }
    }
    // In path order whatever order the document's map keeps (serde_json's
    // `preserve_order` is on in the workspace), so reports are stable.
    result.sort_by(|a, b| a.path.cmp(&b.path));
    result
}

fn read(path: &Path) -> Result<String> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        project_root().join(path)
    };
    std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))
}

/// Reads the server's document from a URL or a file.
pub fn server_document(server: Option<&str>, file: Option<&Path>) -> Result<Value> {
    let text = match (server, file) {
        (Some(url), _) => {
            let url = format!("{}/openapi.json", url.trim_end_matches('/'));
            let (status, body) = crate::http::get(&url)?;
            if status != 200 {
                bail!("GET {url} answered {status}");
            }
            String::from_utf8(body).context("the document is not UTF-8")?
        }
        (None, Some(file)) => read(file)?,
        (None, None) => bail!("give --server URL or --file PATH"),
    };
    serde_json::from_str(&text).context("the server's document is not JSON")
}

/// Runs a diff and prints the report; returns the number of drifts not allowed.
pub fn report_diff(
    ours: &Value,
    theirs: &Value,
    allowlist: &[diff::Allowed],
    verbose: bool,
) -> usize {
    let drifts = diff::diff(ours, theirs);
    let mut current = String::new();
    let mut allowed = 0;
    let mut drifted = 0;
    for drift in &drifts {
        let reason = allowlist
            .iter()
            .find(|a| a.matches(drift))
            .map(|a| a.reason.as_str());
        if reason.is_some() {
            allowed += 1;
            if !verbose {
                continue;
            }
        } else {
            drifted += 1;
        }
        if drift.operation != current {
            println!("{}", drift.operation);
            current = drift.operation.clone();
        }
        match reason {
            Some(reason) => println!(
                "  {}: {}  [allowed: {reason}]",
                drift.location, drift.message
            ),
            None => println!("  {}: {}", drift.location, drift.message),
        }
    }
    println!("spec diff: {drifted} drift(s), {allowed} allowed difference(s)");
    drifted
}

pub fn load_allowlist(path: &Path) -> Result<Vec<diff::Allowed>> {
    serde_saphyr::from_str(&read(path)?).with_context(|| format!("parse {}", path.display()))
}

pub fn run(action: Action) -> Result<()> {
    match action {
        Action::Validate { spec } => {
            let problems = validate::validate(&read(&spec)?, &project_root().join("src"));
            for p in &problems {
                println!("{p}");
            }
            if !problems.is_empty() {
                bail!(
                    "spec validate: {} problem(s) in {}",
                    problems.len(),
                    spec.display()
                );
            }
            println!("spec validate: {} is fine", spec.display());
            Ok(())
        }
        Action::Diff {
            server,
            file,
            spec,
            allowlist,
            verbose,
        } => {
            let ours: Value = serde_saphyr::from_str(&read(&spec)?)?;
            let theirs = server_document(server.as_deref(), file.as_deref())?;
            let allowlist = load_allowlist(&allowlist)?;
            if report_diff(&ours, &theirs, &allowlist, verbose) > 0 {
                bail!("spec diff: openapi.yaml has drifted from the server");
            }
            Ok(())
        }
        Action::Fetch { server, out } => {
            let doc = server_document(Some(&server), None)?;
            std::fs::write(&out, serde_json::to_string_pretty(&doc)? + "\n")?;
            println!("wrote {}", out.display());
            Ok(())
        }
    }
}
