//! Each check must catch what it is for, at the right place: mutated copies of
//! openapi.yaml, validated and diffed against the saved server document.

use serde_json::{json, Value};

use super::diff::{diff, Drift};
use super::{load_allowlist, validate::validate, Problem};
use crate::project_root;

fn spec() -> Value {
    let text = std::fs::read_to_string(project_root().join("openapi.yaml")).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn server() -> Value {
    let text =
        std::fs::read_to_string(project_root().join("xtask/fixtures/pytupli-1.2.9.openapi.json"))
            .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Validates a (mutated) document; JSON is valid YAML.
fn problems(doc: &Value) -> Vec<Problem> {
    validate(&doc.to_string(), &project_root().join("src"))
}

/// Drifts the allow-list does not cover.
fn drifts(doc: &Value) -> Vec<Drift> {
    let allowlist = load_allowlist(&project_root().join("xtask/spec-allowlist.yaml")).unwrap();
    diff(doc, &server())
        .into_iter()
        .filter(|d| !allowlist.iter().any(|a| a.matches(d)))
        .collect()
}

fn has_problem(problems: &[Problem], pointer: &str, needle: &str) -> bool {
    problems
        .iter()
        .any(|p| p.pointer == pointer && p.message.contains(needle))
}

fn has_drift(drifts: &[Drift], operation: &str, location: &str, needle: &str) -> bool {
    drifts
        .iter()
        .any(|d| d.operation == operation && d.location == location && d.message.contains(needle))
}

#[test]
fn the_committed_spec_passes_both_checks() {
    let doc = spec();
    assert_eq!(problems(&doc), vec![]);
    assert_eq!(drifts(&doc), vec![]);
}

#[test]
fn a_removed_operation_is_reported() {
    let mut doc = spec();
    doc["paths"]["/benchmarks/load"]
        .as_object_mut()
        .unwrap()
        .remove("get");
    let found = problems(&doc);
    assert!(
        has_problem(
            &found,
            "/paths",
            "\"load_benchmark\", which openapi.yaml does not have"
        ),
        "{found:?}"
    );
    let found = drifts(&doc);
    assert!(
        has_drift(
            &found,
            "GET /benchmarks/load",
            "operation",
            "only in the server's document"
        ),
        "{found:?}"
    );
}

#[test]
fn a_renamed_parameter_is_reported() {
    let mut doc = spec();
    doc["paths"]["/access/groups/read"]["get"]["parameters"][0]["name"] = json!("group");
    let found = drifts(&doc);
    let op = "GET /access/groups/read";
    assert!(
        has_drift(&found, op, "parameter query.group", "only in openapi.yaml"),
        "{found:?}"
    );
    assert!(
        has_drift(
            &found,
            op,
            "parameter query.group_name",
            "only in the server's"
        ),
        "{found:?}"
    );
}

#[test]
fn a_dangling_ref_is_reported_where_it_is() {
    let mut doc = spec();
    doc["paths"]["/benchmarks/load"]["get"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["$ref"] = json!("#/components/schemas/Nope");
    let found = problems(&doc);
    let pointer =
        "/paths/~1benchmarks~1load/get/responses/200/content/application~1json/schema/$ref";
    assert!(
        has_problem(&found, pointer, "does not resolve"),
        "{found:?}"
    );
}

#[test]
fn a_changed_field_type_is_reported() {
    let mut doc = spec();
    doc["components"]["schemas"]["EpisodeHeader"]["properties"]["n_tuples"]["type"] =
        json!("string");
    let found = drifts(&doc);
    assert!(
        has_drift(
            &found,
            "POST /episodes/record",
            "responses.200.n_tuples",
            "type: string in openapi.yaml, integer in the server's"
        ),
        "{found:?}"
    );
}

#[test]
fn a_changed_nullability_and_requiredness_is_reported() {
    let mut doc = spec();
    let group = &mut doc["components"]["schemas"]["Group"];
    group["properties"]["description"]
        .as_object_mut()
        .unwrap()
        .remove("nullable");
    group["required"] = json!(["name", "description"]);
    let found = drifts(&doc);
    let op = "POST /access/groups/create";
    assert!(
        has_drift(
            &found,
            op,
            "request body.description",
            "nullable in the server's"
        ),
        "{found:?}"
    );
    assert!(
        has_drift(&found, op, "request body.description", "required: true"),
        "{found:?}"
    );
}

#[test]
fn a_changed_enum_is_reported() {
    let mut doc = spec();
    doc["components"]["schemas"]["Right"]["enum"][0] = json!("benchmark_make");
    let found = drifts(&doc);
    assert!(
        has_drift(
            &found,
            "POST /access/roles/create",
            "request body.rights[]",
            "benchmark_make"
        ),
        "{found:?}"
    );
}

#[test]
fn a_duplicate_operation_id_is_reported() {
    let mut doc = spec();
    doc["paths"]["/access/roles/list"]["get"]["operationId"] = json!("list_users");
    let found = problems(&doc);
    // Reported at the later of the two in sorted path order, naming the other.
    assert!(
        has_problem(
            &found,
            "/paths/~1access~1users~1list/get",
            "\"list_users\" is used twice (also at /paths/~1access~1roles~1list/get)"
        ),
        "{found:?}"
    );
}

#[test]
fn version_tags_descriptions_and_unused_schemas_are_checked() {
    let mut doc = spec();
    doc["openapi"] = json!("3.1.0");
    let op = &mut doc["paths"]["/access/roles/list"]["get"];
    op.as_object_mut().unwrap().remove("tags");
    op["description"] = json!("  ");
    doc["components"]["schemas"]["Orphan"] = json!({"type": "string"});
    let found = problems(&doc);
    assert!(has_problem(&found, "/openapi", "not 3.0.x"), "{found:?}");
    assert!(
        has_problem(&found, "/paths/~1access~1roles~1list/get", "no tag"),
        "{found:?}"
    );
    assert!(
        has_problem(&found, "/paths/~1access~1roles~1list/get", "no description"),
        "{found:?}"
    );
    assert!(
        has_problem(&found, "/components/schemas/Orphan", "not used"),
        "{found:?}"
    );
}

#[test]
fn an_operation_progenitor_cannot_generate_is_named() {
    let mut doc = spec();
    // A second error type next to ApiError: progenitor asserts one error type.
    doc["paths"]["/benchmarks/load"]["get"]["responses"]["422"] = json!({
        "description": "validation",
        "content": {"application/json": {"schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}}
    });
    let found = problems(&doc);
    assert!(
        has_problem(
            &found,
            "/paths/~1benchmarks~1load/get",
            "progenitor cannot generate it"
        ),
        "{found:?}"
    );
    assert_eq!(found.len(), 1, "only that operation fails: {found:?}");
}
