//! Tidy tests: house rules checked over every Rust source of the repository
//! by `cargo test` (so CI runs them), each failure as `file:line: rule: …`.
//!
//! The rules: a file opens with a `//!` line saying what it is for; no
//! trailing whitespace, no tabs; no debugging leftovers or placeholder macros;
//! no to-do markers (an issue, or the change itself, says what is left); the
//! facade table agrees with `openapi.yaml` and `src/`; every module and test
//! folder is named in CONTRIBUTING.md's maps, and every path they name exists
//! (`maps.rs`).

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::project_root;
use crate::spec::{self, facade};

mod maps;

/// Where the Rust sources are, relative to the project root.
const ROOTS: &[&str] = &[
    "src/",
    "cli/",
    "python/",
    "tests/",
    "examples/",
    "xtask/",
    "build/",
    "build.rs",
    "fuzz/",
];

/// Files that break a rule today and are being fixed in another branch:
/// (rule, file, why). A rule's test fails once such a file follows it, so
/// the entry goes when the fix lands.
const PENDING: &[(Rule, &str, &str)] = &[];

/// Written in two halves so that this file does not trip its own rules.
const LEFTOVERS: &[&str] = &[
    concat!("dbg", "!("),
    concat!("todo", "!("),
    concat!("unimplemented", "!("),
];
const MARKERS: &[&str] = &[
    concat!("TO", "DO"),
    concat!("FIX", "ME"),
    concat!("XX", "X"),
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Rule {
    ModuleDoc,
    Whitespace,
    Leftover,
    Marker,
    Facade,
    Map,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::ModuleDoc => "module doc",
            Rule::Whitespace => "whitespace",
            Rule::Leftover => "debugging leftover",
            Rule::Marker => "to-do marker",
            Rule::Facade => "facade table",
            Rule::Map => "module map",
        })
    }
}

/// One broken rule, at a line of a file.
#[derive(Debug)]
struct Violation {
    file: String,
    line: usize,
    rule: Rule,
    message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (file, line, rule, message) = (&self.file, self.line, self.rule, &self.message);
        write!(f, "{file}:{line}: {rule}: {message}")
    }
}

fn violation(file: &str, line: usize, rule: Rule, message: impl Into<String>) -> Violation {
    Violation {
        file: file.to_string(),
        line,
        rule,
        message: message.into(),
    }
}

/// A Rust source: its path from the project root, and its text.
struct Source {
    path: String,
    text: String,
}

/// Every Rust source under [`ROOTS`]: those git tracks, and new ones it does
/// not ignore; without git, every `.rs` file outside `target/` directories.
fn sources() -> Vec<Source> {
    let root = project_root();
    let mut paths = git_files(&root, &["*.rs"])
        .unwrap_or_else(|| walk_files(&root, |name| name.ends_with(".rs")));
    paths.retain(|p| ROOTS.iter().any(|r| p == r || p.starts_with(r)));
    paths.sort();
    paths.dedup();
    let sources: Vec<Source> = paths
        .into_iter()
        .filter_map(|path| {
            // A file deleted but not yet staged is still listed by git.
            let text = std::fs::read_to_string(root.join(&path)).ok()?;
            Some(Source { path, text })
        })
        .collect();
    assert!(
        sources.iter().any(|s| s.path == "src/lib.rs"),
        "tidy found no sources"
    );
    sources
}

/// The files git tracks, and new ones it does not ignore, that match the
/// pathspecs; `None` without git.
fn git_files(root: &Path, pathspecs: &[&str]) -> Option<Vec<String>> {
    let output = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .arg("--")
        .args(pathspecs)
        .current_dir(root)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let listing = String::from_utf8(output.stdout).ok()?;
    Some(
        listing
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(String::from)
            .collect(),
    )
}

/// Every file under `root` whose name `keep` accepts, outside hidden and
/// `target/` directories and fuzzing output.
fn walk_files(root: &Path, keep: fn(&str) -> bool) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !name.starts_with('.') && !["target", "corpus", "artifacts"].contains(&&*name) {
                    stack.push(path);
                }
            } else if keep(&name) {
                if let Ok(relative) = path.strip_prefix(root) {
                    found.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
    }
    found
}

fn module_doc(file: &str, text: &str) -> Vec<Violation> {
    let first = text.lines().next().unwrap_or("");
    // A crate root may take its docs from a file (`#![doc = include_str!(…)]`).
    if first.starts_with("//!") || first.starts_with("#![doc = include_str!(") {
        return vec![];
    }
    vec![violation(
        file,
        1,
        Rule::ModuleDoc,
        format!(
            "the file must open with a `//!` line (or, for a crate root, \
             `#![doc = include_str!(…)]`) saying what it is for, not {first:?}"
        ),
    )]
}

fn whitespace(file: &str, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.ends_with([' ', '\t']) {
            found.push(violation(
                file,
                i + 1,
                Rule::Whitespace,
                "trailing whitespace",
            ));
        }
        if line.contains('\t') {
            found.push(violation(
                file,
                i + 1,
                Rule::Whitespace,
                "tab character (indent with spaces; write `\\t` in strings)",
            ));
        }
    }
    found
}

fn leftovers(file: &str, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for leftover in LEFTOVERS {
            if line.contains(leftover) {
                found.push(violation(
                    file,
                    i + 1,
                    Rule::Leftover,
                    format!("`{leftover}` must not be committed"),
                ));
            }
        }
    }
    found
}

fn markers(file: &str, text: &str) -> Vec<Violation> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for marker in MARKERS {
            if line.contains(marker) {
                found.push(violation(
                    file,
                    i + 1,
                    Rule::Marker,
                    format!("`{marker}`: finish it, or open an issue and leave the code clean"),
                ));
            }
        }
    }
    found
}

/// Runs one per-file rule over every source; fails with every violation.
fn check_all(rule: Rule, check: fn(&str, &str) -> Vec<Violation>) {
    let found = sources()
        .iter()
        .flat_map(|s| check(&s.path, &s.text))
        .collect();
    report(rule, found);
}

/// Fails with the violations not in [`PENDING`], and with pending entries
/// that no longer break the rule.
fn report(rule: Rule, found: Vec<Violation>) {
    let pending: Vec<&str> = PENDING
        .iter()
        .filter(|(r, _, _)| *r == rule)
        .map(|(_, file, _)| *file)
        .collect();
    let mut problems: Vec<String> = found
        .iter()
        .filter(|v| !pending.contains(&v.file.as_str()))
        .map(ToString::to_string)
        .collect();
    for file in pending {
        if !found.iter().any(|v| v.file == file) {
            problems.push(format!(
                "{file}: {rule}: follows the rule now; remove it from PENDING in xtask/src/tidy.rs"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "tidy: {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The 1-based number of the first line `matches` (1 if none does).
fn line_where(text: &str, matches: impl Fn(&str) -> bool) -> usize {
    text.lines().position(matches).unwrap_or(0) + 1
}

#[test]
fn every_file_opens_with_a_module_doc_line() {
    check_all(Rule::ModuleDoc, module_doc);
}

#[test]
fn no_trailing_whitespace_or_tabs() {
    check_all(Rule::Whitespace, whitespace);
}

#[test]
fn no_debugging_leftovers() {
    check_all(Rule::Leftover, leftovers);
}

#[test]
fn no_to_do_markers() {
    check_all(Rule::Marker, markers);
}

/// The check `cargo xtask spec validate` runs, with each problem placed at
/// the table's row for the operation, or at its operationId in the spec.
#[test]
fn the_facade_table_matches_the_spec_and_src() {
    let root = project_root();
    let spec_text = std::fs::read_to_string(root.join("openapi.yaml")).unwrap();
    let table_file = "xtask/src/spec/facade.rs";
    let table_text = std::fs::read_to_string(root.join(table_file)).unwrap();
    let doc: Value = serde_saphyr::from_str(&spec_text).unwrap();
    let ids: BTreeSet<String> = spec::operations(&doc)
        .iter()
        .filter_map(|op| op.value.get("operationId")?.as_str().map(String::from))
        .collect();
    let found = facade::check(&ids, &root.join("src"))
        .into_iter()
        .map(|p| {
            let in_table = facade::FACADE.iter().any(|(op, _)| *op == p.operation);
            let (file, line) = if in_table {
                let row = format!("(\"{}\",", p.operation);
                (table_file, line_where(&table_text, |l| l.contains(&row)))
            } else {
                let at = format!("operationId: {}", p.operation);
                ("openapi.yaml", line_where(&spec_text, |l| l.trim() == at))
            };
            violation(file, line, Rule::Facade, p.message)
        })
        .collect();
    report(Rule::Facade, found);
}

/// Each rule reports what it is for, at the right line.
#[test]
fn the_rules_bite() {
    let bad = [
        "use std::fmt;",
        "fn f() { ",
        "\tlet x = 1;",
        concat!("    dbg", "!(x);"),
        concat!("    // TO", "DO: later"),
        concat!("    unimplemented", "!()"),
        "}",
    ]
    .join("\n");
    let lines = |v: Vec<Violation>| -> Vec<String> { v.iter().map(ToString::to_string).collect() };
    let opening = lines(module_doc("x.rs", &bad));
    assert_eq!(opening.len(), 1);
    assert!(
        opening[0].starts_with("x.rs:1: module doc: "),
        "{opening:?}"
    );
    assert_eq!(
        lines(whitespace("x.rs", &bad)),
        [
            "x.rs:2: whitespace: trailing whitespace",
            "x.rs:3: whitespace: tab character (indent with spaces; write `\\t` in strings)",
        ]
    );
    let leftover = lines(leftovers("x.rs", &bad));
    assert_eq!(leftover.len(), 2, "{leftover:?}");
    assert!(leftover[0].starts_with("x.rs:4: debugging leftover: `dbg"));
    assert!(leftover[1].starts_with("x.rs:6: debugging leftover: `unimplemented"));
    let marker = lines(markers("x.rs", &bad));
    assert_eq!(marker.len(), 1, "{marker:?}");
    assert!(
        marker[0].starts_with("x.rs:5: to-do marker: "),
        "{marker:?}"
    );
    assert!(module_doc("y.rs", "//! What this is for.\nfn f() {}\n").is_empty());
}
