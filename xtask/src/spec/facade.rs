//! Which facade method serves which operation of `openapi.yaml`, and the check
//! that the table, the spec and `src/` agree both ways.

use std::collections::BTreeSet;
use std::path::Path;

/// operationId → the `TupliApiClient` method that calls it (`refresh` is the
/// internal one behind every call's 401 handling).
pub const FACADE: &[(&str, &str)] = &[
    ("signup", "signup"),
    ("login", "login"),
    ("refresh_token", "refresh"),
    ("list_users", "list_users"),
    ("change_password", "change_password"),
    ("delete_user", "delete_user"),
    ("create_group", "create_group"),
    ("list_groups", "list_groups"),
    ("read_group", "read_group"),
    ("delete_group", "delete_group"),
    ("add_group_members", "add_group_members"),
    ("remove_group_members", "remove_group_members"),
    ("list_roles", "list_roles"),
    ("create_role", "create_role"),
    ("delete_role", "delete_role"),
    ("store_benchmark", "store_benchmark"),
    ("load_benchmark", "load_benchmark"),
    ("list_benchmarks", "list_benchmarks"),
    ("delete_benchmark", "delete_benchmark"),
    ("publish_benchmark", "publish_benchmark"),
    ("unpublish_benchmark", "unpublish_benchmark"),
    ("store_artifact", "store_artifact"),
    ("load_artifact", "load_artifact"),
    ("list_artifacts", "list_artifacts"),
    ("delete_artifact", "delete_artifact"),
    ("publish_artifact", "publish_artifact"),
    ("unpublish_artifact", "unpublish_artifact"),
    ("record_episode", "record_episode"),
    ("list_episodes", "list_episodes"),
    ("delete_episode", "delete_episode"),
    ("publish_episode", "publish_episode"),
    ("unpublish_episode", "unpublish_episode"),
];

/// Where hand-built requests name their operation: one constant per id.
const OPERATION_IDS_FILE: &str = "operation_id.rs";

/// A disagreement between the table, the spec and `src/`, about one operation.
#[derive(Debug)]
pub struct FacadeProblem {
    /// The operationId concerned.
    pub operation: String,
    pub message: String,
}

/// Problems between the table, the spec's operationIds and the facade source
/// (all `.rs` files under `src_dir`, except the generated module). An
/// operation is called either through the generated client (`.op()`) or by a
/// hand-built request naming its constant in `src/operation_id.rs`.
pub fn check(operation_ids: &BTreeSet<String>, src_dir: &Path) -> Vec<FacadeProblem> {
    let source = read_sources(src_dir);
    let constants = operation_id_constants(src_dir);
    let mut problems = Vec::new();
    let mut problem = |op: &str, message: String| {
        problems.push(FacadeProblem {
            operation: op.to_string(),
            message,
        })
    };
    let table: BTreeSet<&str> = FACADE.iter().map(|(op, _)| *op).collect();
    for op in operation_ids {
        if !table.contains(op.as_str()) {
            problem(
                op,
                format!(
                    "operation {op:?} has no facade method (add it to xtask/src/spec/facade.rs)"
                ),
            );
        }
    }
    for (op, method) in FACADE {
        if !operation_ids.contains(*op) {
            problem(
                op,
                format!("facade table names operation {op:?}, which openapi.yaml does not have"),
            );
            continue;
        }
        let defined = ["(", "<"]
            .iter()
            .any(|open| source.contains(&format!("fn {method}{open}")));
        if !defined {
            problem(
                op,
                format!("facade method `{method}` (for {op:?}) is not defined in src/"),
            );
        }
        let generated_call = format!(".{op}()");
        let hand_written = constants
            .iter()
            .find(|(_, id)| id == op)
            .is_some_and(|(name, _)| source.contains(&format!("operation_id::{name}")));
        if !source.contains(&generated_call) && !hand_written {
            problem(op, format!("no code in src/ calls operation {op:?}"));
        }
    }
    problems
}

/// `(NAME, "op")` for every `const NAME: &str = "op";` in `src/operation_id.rs`.
fn operation_id_constants(src_dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(src_dir.join(OPERATION_IDS_FILE)).unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("pub(crate) const ")?;
            let (name, value) = rest.split_once(": &str = \"")?;
            let value = value.strip_suffix("\";")?;
            Some((name.to_string(), value.to_string()))
        })
        .collect()
}

fn read_sources(dir: &Path) -> String {
    let mut all = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && path
                    .file_name()
                    .is_some_and(|n| n != "generated.rs" && n != OPERATION_IDS_FILE)
            {
                all.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
            }
        }
    }
    all
}
