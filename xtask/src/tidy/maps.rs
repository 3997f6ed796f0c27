//! The maps rule: every module and test folder is named in one of
//! CONTRIBUTING.md's maps, and every path a map names exists.
//!
//! What must be named, for each map's folders ([`MAPS`]): every `.rs` and
//! `.py` file but `mod.rs`, `main.rs`, `lib.rs` and `__init__.py`, and every
//! folder, at any depth; for
//! the test folders, only what sits right in them (each top-level test file
//! and folder). A file `x.rs` and a folder `x/` are one module, `x`: naming
//! either names both. Files git ignores (`target/`, where progenitor writes
//! its output) are not looked at; the generated snapshot lies outside the
//! mapped folders.
//!
//! How a map names a path. In a list map, a list item names the paths it
//! writes in backticks, ending in `/` (a folder) or `.rs` (a file), each
//! read from the project root (`src/storage/file/`), from the map's folder
//! (`storage/file/`) or from the folder the item is about, written before
//! its ` — ` (`matcher/compare.rs` in the item of `src/storage/file/`; the
//! item of `src/auth.rs` is about `src/auth/`). In a tree map (a `text`
//! block), each line names its first word, under the folders it is
//! indented below. A named path that is none of these is a stale entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{git_files, report, violation, Rule, Violation};
use crate::project_root;

/// The file the maps are in.
const FILE: &str = "CONTRIBUTING.md";

/// One map: its heading, the folders whose modules it names, how it is
/// written, and how deep it goes.
struct Map {
    heading: &'static str,
    roots: &'static [&'static str],
    form: Form,
    depth: Depth,
}

#[derive(Clone, Copy, PartialEq)]
enum Form {
    /// List items, each about the paths before its ` — `.
    List,
    /// A `text` block drawing the folder tree, one path a line.
    Tree,
}

#[derive(Clone, Copy, PartialEq)]
enum Depth {
    /// Every module, however deep.
    All,
    /// What sits right in the folder: its test files and folders.
    Top,
}

const MAPS: &[Map] = &[
    Map {
        heading: "## Layout of the library",
        roots: &["src/"],
        form: Form::List,
        depth: Depth::All,
    },
    Map {
        heading: "## Layout of the command-line tool",
        roots: &["cli/src/"],
        form: Form::List,
        depth: Depth::All,
    },
    Map {
        heading: "## Layout of the Python package",
        roots: &["python/src/", "python/tupli/"],
        form: Form::List,
        depth: Depth::All,
    },
    Map {
        heading: "## Tests",
        roots: &["tests/", "cli/tests/", "python/tests/"],
        form: Form::List,
        depth: Depth::Top,
    },
    Map {
        heading: "## Layout of `xtask/`",
        roots: &["xtask/src/", "xtask/harness/src/"],
        form: Form::Tree,
        depth: Depth::All,
    },
];

/// Crate, module and package roots, named by their folder rather than on
/// their own.
const ROOT_FILES: &[&str] = &["mod.rs", "main.rs", "lib.rs", "__init__.py"];

/// The source files a map names: Rust's, and the Python package's.
fn is_source(name: &str) -> bool {
    name.ends_with(".rs") || name.ends_with(".py")
}

/// A module's key: its path without a trailing `/` or `.rs`.
fn key(path: &str) -> &str {
    path.strip_suffix('/')
        .or_else(|| path.strip_suffix(".rs"))
        .or_else(|| path.strip_suffix(".py"))
        .unwrap_or(path)
}

/// What a map must name: module key → the path shown (the file if there is
/// one, else the folder).
fn required(map: &Map, files: &[String]) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for root in map.roots {
        for file in files {
            let Some(relative) = file.strip_prefix(root) else {
                continue;
            };
            let parts: Vec<&str> = relative.split('/').collect();
            let Some((name, folders)) = parts.split_last() else {
                continue;
            };
            let folders = match map.depth {
                Depth::All => folders,
                Depth::Top => &folders[..folders.len().min(1)],
            };
            for i in 1..=folders.len() {
                let folder = format!("{root}{}/", folders[..i].join("/"));
                found.entry(key(&folder).to_string()).or_insert(folder);
            }
            let file_counts = map.depth == Depth::All || folders.is_empty();
            if file_counts && is_source(name) && !ROOT_FILES.contains(name) {
                found.insert(key(file).to_string(), file.clone());
            }
        }
    }
    found
}

/// A path a map names: where, as written, and what it may mean.
struct Named {
    line: usize,
    written: String,
    candidates: Vec<String>,
}

/// A backticked word that reads as a path: a folder or a source file.
fn is_path(word: &str) -> bool {
    (word.ends_with('/') || is_source(word))
        && word.len() > 1
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./".contains(c))
}

/// The paths written in backticks in `text`, each with its line (`first` is
/// the line `text` starts on).
fn backticked(text: &str, first: usize) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut line = first;
    for (i, piece) in text.split('`').enumerate() {
        if i % 2 == 1 && is_path(piece) {
            found.push((line, piece.to_string()));
        }
        line += piece.matches('\n').count();
    }
    found
}

/// The paths a list map's items name. `lines` are the section's, from the
/// line numbered `first`.
fn list_names(map: &Map, lines: &[&str], first: usize) -> Vec<Named> {
    // Each item: the line it starts on, and its text.
    let mut items: Vec<(usize, String)> = Vec::new();
    let mut open = false;
    let mut fenced = false;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            open = false;
        } else if fenced || line.trim().is_empty() {
            open = false;
        } else if line.trim_start().starts_with("- ") {
            items.push((first + i, line.to_string()));
            open = true;
        } else if open && line.starts_with(' ') {
            if let Some((_, text)) = items.last_mut() {
                text.push('\n');
                text.push_str(line);
            }
        } else {
            open = false;
        }
    }
    let mut named = Vec::new();
    for (start, text) in items {
        let head = text.split(" — ").next().unwrap_or("");
        let bases: Vec<String> = backticked(head, start)
            .into_iter()
            .map(|(_, p)| format!("{}/", key(&p)))
            .collect();
        for (line, written) in backticked(&text, start) {
            let mut candidates = vec![written.clone()];
            for base in map.roots.iter().copied().chain(bases.iter().map(|b| &**b)) {
                candidates.push(format!("{base}{written}"));
            }
            candidates.dedup();
            named.push(Named {
                line,
                written,
                candidates,
            });
        }
    }
    named
}

/// The paths a tree map's first `text` block draws, by indentation.
fn tree_names(lines: &[&str], first: usize) -> Vec<Named> {
    let mut named = Vec::new();
    // The open folders: (indentation, path).
    let mut folders: Vec<(usize, String)> = Vec::new();
    let mut inside = false;
    for (i, line) in lines.iter().enumerate() {
        if line.trim_start().starts_with("```") {
            if inside {
                break;
            }
            inside = true;
            continue;
        }
        let Some(word) = line.split_whitespace().next().filter(|_| inside) else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        while folders.last().is_some_and(|(at, _)| *at >= indent) {
            folders.pop();
        }
        let path = format!("{}{word}", folders.last().map_or("", |(_, p)| &**p));
        if word.ends_with('/') {
            folders.push((indent, path.clone()));
        }
        named.push(Named {
            line: first + i,
            written: path.clone(),
            candidates: vec![path],
        });
    }
    named
}

/// Every module missing from its map, and every named path that is not
/// there: `files` are the project's (paths from its root), `exists` tells
/// whether a path (a folder if it ends in `/`) is there.
fn check(
    text: &str,
    maps: &[Map],
    files: &[String],
    exists: &dyn Fn(&str) -> bool,
) -> Vec<Violation> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for map in maps {
        let Some(at) = lines.iter().position(|l| l.trim_end() == map.heading) else {
            found.push(violation(
                FILE,
                1,
                Rule::Map,
                format!(
                    "no section `{}`: the maps rule needs it (xtask/src/tidy/maps.rs)",
                    map.heading
                ),
            ));
            continue;
        };
        let end = lines[at + 1..]
            .iter()
            .position(|l| l.starts_with("# ") || l.starts_with("## "))
            .map_or(lines.len(), |n| at + 1 + n);
        let section = &lines[at + 1..end];
        let named = match map.form {
            Form::List => list_names(map, section, at + 2),
            Form::Tree => tree_names(section, at + 2),
        };
        let mut keys = BTreeSet::new();
        for n in &named {
            let there: Vec<&String> = n.candidates.iter().filter(|c| exists(c)).collect();
            if !there.is_empty() {
                keys.extend(there.into_iter().map(|c| key(c).to_string()));
            } else {
                found.push(violation(
                    FILE,
                    n.line,
                    Rule::Map,
                    format!(
                        "`{}` names nothing that exists (looked for {}): correct or remove the entry",
                        n.written,
                        n.candidates.join(", ")
                    ),
                ));
            }
        }
        let title = map.heading.trim_start_matches('#').trim();
        for (module, shown) in required(map, files) {
            if !keys.contains(&module) {
                found.push(violation(
                    FILE,
                    at + 1,
                    Rule::Map,
                    format!("`{shown}` is in no map: name it in \"{title}\""),
                ));
            }
        }
    }
    found
}

/// The files under the maps' folders: those git tracks (and still exist),
/// and new ones it does not ignore; without git, all outside `target/`.
fn mapped_files(root: &Path) -> Vec<String> {
    let roots: Vec<&str> = MAPS.iter().flat_map(|m| m.roots.iter().copied()).collect();
    let files = git_files(root, &roots).unwrap_or_else(|| super::walk_files(root, |_| true));
    files
        .into_iter()
        .filter(|f| roots.iter().any(|r| f.starts_with(r)))
        .filter(|f| !f.split('/').any(|part| part == "target"))
        .filter(|f| root.join(f).is_file())
        .collect()
}

#[test]
fn every_module_is_in_a_map_and_every_map_entry_exists() {
    let root = project_root();
    let text = std::fs::read_to_string(root.join(FILE)).unwrap();
    let exists = |path: &str| {
        let at = root.join(path);
        if path.ends_with('/') {
            at.is_dir()
        } else {
            at.exists()
        }
    };
    let files = mapped_files(&root);
    assert!(
        files.iter().any(|f| f == "src/lib.rs"),
        "tidy found no sources"
    );
    report(Rule::Map, check(&text, MAPS, &files, &exists));
}

/// Missing modules and stale entries are found in both forms of map, at
/// their lines, and a complete map passes.
#[test]
fn the_maps_rule_bites() {
    const TEST_MAPS: &[Map] = &[
        Map {
            heading: "## Library",
            roots: &["src/"],
            form: Form::List,
            depth: Depth::All,
        },
        Map {
            heading: "## Tests",
            roots: &["tests/"],
            form: Form::List,
            depth: Depth::Top,
        },
        Map {
            heading: "## Tree",
            roots: &["xtask/src/"],
            form: Form::Tree,
            depth: Depth::All,
        },
    ];
    let files: Vec<String> = [
        "src/lib.rs",
        "src/a.rs",
        "src/a/inner.rs",
        "src/b/mod.rs",
        "src/b/c.rs",
        "src/b/d.rs",
        "src/b/deep/e.rs",
        "tests/t.rs",
        "tests/suite/main.rs",
        "tests/suite/x.rs",
        "tests/data/f.json",
        "xtask/src/main.rs",
        "xtask/src/k.rs",
        "xtask/src/k/inner.rs",
    ]
    .map(String::from)
    .to_vec();
    let exists = |path: &str| {
        files.iter().any(|f| f == path)
            || (path.ends_with('/') && files.iter().any(|f| f.starts_with(path)))
    };
    let text = |library: &str, tests: &str, tree: &str| {
        format!("# Guide\n\n## Library\n\n{library}\n## Tests\n\n{tests}\n## Tree\n\n```text\n{tree}```\n## After\n\n- `src/x.rs` is not a map\n")
    };
    let lines = |v: Vec<Violation>| -> Vec<String> { v.iter().map(ToString::to_string).collect() };
    let partial = text(
        "- `src/a.rs`, `src/a/` — a: `inner.rs`.\n- `src/b/` — b: `c.rs`, and\n  `gone.rs`, `deep/`.\n",
        "- `tests/suite/` — a suite (`cli.rs` in it is gone).\n",
        "xtask/\n  src/\n    main.rs   cli\n    old.rs    gone\n",
    );
    assert_eq!(
        lines(check(&partial, TEST_MAPS, &files, &exists)),
        [
            "CONTRIBUTING.md:7: module map: `gone.rs` names nothing that exists \
             (looked for gone.rs, src/gone.rs, src/b/gone.rs): correct or remove the entry",
            "CONTRIBUTING.md:3: module map: `src/b/d.rs` is in no map: name it in \"Library\"",
            "CONTRIBUTING.md:3: module map: `src/b/deep/e.rs` is in no map: name it in \"Library\"",
            "CONTRIBUTING.md:11: module map: `cli.rs` names nothing that exists \
             (looked for cli.rs, tests/cli.rs, tests/suite/cli.rs): correct or remove the entry",
            "CONTRIBUTING.md:9: module map: `tests/data/` is in no map: name it in \"Tests\"",
            "CONTRIBUTING.md:9: module map: `tests/t.rs` is in no map: name it in \"Tests\"",
            "CONTRIBUTING.md:19: module map: `xtask/src/old.rs` names nothing that exists \
             (looked for xtask/src/old.rs): correct or remove the entry",
            "CONTRIBUTING.md:13: module map: `xtask/src/k.rs` is in no map: name it in \"Tree\"",
            "CONTRIBUTING.md:13: module map: `xtask/src/k/inner.rs` is in no map: name it in \"Tree\"",
        ]
    );
    let complete = text(
        "- `src/a.rs` — a: `a/inner.rs`.\n- `src/b/` — b: `c.rs`, `d.rs`,\n  `deep/`: `deep/e.rs`.\n",
        "- `tests/suite/` — a suite.\n- `tests/t.rs` — one test; `data/` — its data.\n",
        "xtask/\n  src/\n    main.rs   cli\n    k.rs      k\n    k/\n      inner.rs  k's own\n",
    );
    assert_eq!(
        lines(check(&complete, TEST_MAPS, &files, &exists)),
        Vec::<String>::new()
    );
    assert_eq!(
        lines(check("# Guide\n", &TEST_MAPS[..1], &files, &exists)),
        ["CONTRIBUTING.md:1: module map: no section `## Library`: the maps rule needs it (xtask/src/tidy/maps.rs)"]
    );
}
