//! `cargo xtask spec validate`: structural checks of `openapi.yaml`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::{escape, operations, Problem};
use crate::generate;

/// Every check; problems come back with the JSON pointer they concern.
pub fn validate(spec_text: &str, src_dir: &Path) -> Vec<Problem> {
    let doc: Value = match serde_saphyr::from_str(spec_text) {
        Ok(doc) => doc,
        Err(e) => return vec![Problem::new("", format!("does not parse as YAML: {e}"))],
    };
    let mut problems = Vec::new();
    check_version(&doc, &mut problems);
    check_refs(&doc, &mut problems);
    let ids = check_operations(&doc, &mut problems);
    check_unused_schemas(&doc, &mut problems);
    check_generation(spec_text, &doc, &mut problems);
    // At the operation when the spec has it, else at the paths.
    let pointers: BTreeMap<&str, String> = operations(&doc)
        .into_iter()
        .filter_map(|op| Some((op.value.get("operationId")?.as_str()?, op.at)))
        .collect();
    for problem in super::facade::check(&ids, src_dir) {
        let at = pointers
            .get(problem.operation.as_str())
            .map_or("/paths", |p| p);
        problems.push(Problem::new(at, problem.message));
    }
    problems
}

fn check_version(doc: &Value, problems: &mut Vec<Problem>) {
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => problems.push(Problem::new(
            "/openapi",
            format!("version {v} is not 3.0.x (progenitor reads 3.0 only)"),
        )),
        None => problems.push(Problem::new("/openapi", "missing")),
    }
}

/// Every `$ref`, with the pointer of the object holding it.
pub fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let here = format!("{at}/{}", escape(key));
                if key == "$ref" {
                    if let Some(target) = child.as_str() {
                        out.push((here, target.to_string()));
                    }
                } else {
                    refs(child, &here, out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn check_refs(doc: &Value, problems: &mut Vec<Problem>) {
    let mut all = Vec::new();
    refs(doc, "", &mut all);
    for (at, target) in all {
        let resolves = target
            .strip_prefix('#')
            .is_some_and(|pointer| doc.pointer(pointer).is_some());
        if !resolves {
            problems.push(Problem::new(
                &at,
                format!("$ref {target:?} does not resolve"),
            ));
        }
    }
}

fn check_operations(doc: &Value, problems: &mut Vec<Problem>) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for op in operations(doc) {
        let (at, operation) = (op.at, op.value);
        match operation.get("operationId").and_then(Value::as_str) {
            None => problems.push(Problem::new(&at, "operation has no operationId")),
            Some(id) => {
                if let Some(first) = seen.insert(id.to_string(), at.clone()) {
                    problems.push(Problem::new(
                        &at,
                        format!("operationId {id:?} is used twice (also at {first})"),
                    ));
                }
            }
        }
        let tags = operation.get("tags").and_then(Value::as_array);
        if tags.is_none_or(|t| t.is_empty()) {
            problems.push(Problem::new(&at, "operation has no tag"));
        }
        let description = operation.get("description").and_then(Value::as_str);
        if description.is_none_or(|d| d.trim().is_empty()) {
            problems.push(Problem::new(&at, "operation has no description"));
        }
    }
    seen.into_keys().collect()
}

/// Schemas reachable from the paths, following `$ref`s through components.
fn check_unused_schemas(doc: &Value, problems: &mut Vec<Problem>) {
    let mut reached = BTreeSet::new();
    let mut queue = Vec::new();
    if let Some(paths) = doc.get("paths") {
        refs(paths, "/paths", &mut queue);
    }
    while let Some((_, target)) = queue.pop() {
        if !reached.insert(target.clone()) {
            continue;
        }
        if let Some(node) = target.strip_prefix('#').and_then(|p| doc.pointer(p)) {
            refs(node, "", &mut queue);
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (name, _) in schemas {
        let pointer = format!("/components/schemas/{}", escape(name));
        if !reached.contains(&format!("#{pointer}")) {
            problems.push(Problem::new(
                &pointer,
                "schema is not used by any operation",
            ));
        }
    }
}

/// Generates each operation on its own, so a failure names the operation.
fn check_generation(spec_text: &str, doc: &Value, problems: &mut Vec<Problem>) {
    let Ok(full) = generate::parse(spec_text) else {
        problems.push(Problem::new("", "openapiv3 cannot read the document"));
        return;
    };
    let mut preprocessed = full.clone();
    generate::preprocess(&mut preprocessed);
    for op in operations(doc) {
        let (at, operation) = (op.at, op.value);
        let id = operation
            .get("operationId")
            .and_then(Value::as_str)
            .unwrap_or("");
        if generate::HAND_WRITTEN_OPERATIONS.contains(&id) {
            continue;
        }
        let mut single = preprocessed.clone();
        retain_operation(&mut single, id);
        if let Err(message) = quietly(|| generate::generate_from(&single)) {
            problems.push(Problem::new(
                &at,
                format!("progenitor cannot generate it: {message}"),
            ));
        }
    }
}

fn retain_operation(spec: &mut openapiv3::OpenAPI, id: &str) {
    spec.paths.paths.retain(|_, item| {
        let openapiv3::ReferenceOr::Item(item) = item else {
            return false;
        };
        for op in generate::operations_mut(item) {
            if op.as_ref().and_then(|o| o.operation_id.as_deref()) != Some(id) {
                *op = None;
            }
        }
        item.iter().next().is_some()
    });
}

/// Runs generation, turning progenitor's panics (it asserts on some inputs)
/// into errors without printing them.
fn quietly<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    std::panic::set_hook(hook);
    match result {
        Ok(r) => r,
        Err(panic) => Err(panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panicked".into())),
    }
}
