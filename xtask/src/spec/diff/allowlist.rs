//! The intended differences of `xtask/spec-allowlist.yaml`, and the globs
//! they are written with.

use serde::Deserialize;

use super::Drift;

/// An intended difference, from `xtask/spec-allowlist.yaml`.
#[derive(Debug, Deserialize)]
pub struct Allowed {
    /// Glob (`*`) over `METHOD /path`.
    pub operation: String,
    /// Glob over the location.
    pub location: String,
    /// Glob over the message; default `*`.
    #[serde(default = "star")]
    pub message: String,
    /// Why the difference is intended.
    pub reason: String,
}

fn star() -> String {
    "*".into()
}

impl Allowed {
    pub fn matches(&self, drift: &Drift) -> bool {
        glob(&self.operation, &drift.operation)
            && glob(&self.location, &drift.location)
            && glob(&self.message, &drift.message)
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}
