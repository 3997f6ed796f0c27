//! `cargo xtask spec diff`: compares `openapi.yaml` with a server's own OpenAPI
//! document (3.1 as FastAPI emits it) after normalizing both.
//!
//! - `shape.rs`: a document normalized, operation by operation;
//! - `compare.rs`: two normalized documents compared, each difference a
//!   [`Drift`];
//! - `allowlist.rs`: the intended differences ([`Allowed`]) and their globs.

mod allowlist;
mod compare;
mod shape;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde_json::Value;

pub use allowlist::Allowed;
use compare::{compare_operation, Out};
use shape::read_operations;

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// `METHOD /path`.
    pub operation: String,
    /// Where in the operation: `operation`, `parameter query.x`,
    /// `request body.field.sub`, `responses.200[].field`, ….
    pub location: String,
    /// What differs; "openapi.yaml" is always named first.
    pub message: String,
}

/// Every difference between ours (`openapi.yaml`) and theirs (the server's).
pub fn diff(ours: &Value, theirs: &Value) -> Vec<Drift> {
    let ours = read_operations(ours);
    let theirs = read_operations(theirs);
    let mut drifts = Vec::new();
    let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    for key in keys {
        let mut out = Out {
            operation: key,
            drifts: &mut drifts,
        };
        match (ours.get(key), theirs.get(key)) {
            (Some(a), Some(b)) => compare_operation(&mut out, a, b),
            (Some(_), None) => out.push("operation", "only in openapi.yaml"),
            (None, Some(_)) => out.push("operation", "only in the server's document"),
            (None, None) => {}
        }
    }
    drifts
}
