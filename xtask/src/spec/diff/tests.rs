//! Unit tests of the diff: globs, and the normalized forms of nullability.

use serde_json::Value;

use super::allowlist::glob;
use super::shape::Reader;

#[test]
fn globs() {
    assert!(glob("*", "anything"));
    assert!(glob("responses.*", "responses.422"));
    assert!(glob("PUT /*/publish", "PUT /benchmarks/publish"));
    assert!(!glob("PUT /*/publish", "PUT /benchmarks/unpublish"));
    assert!(glob(
        "*no content*",
        "content: (no content) in openapi.yaml"
    ));
    assert!(!glob("a*b", "ab-c"));
    assert!(glob("exact", "exact"));
}

#[test]
fn nullable_forms_are_equal() {
    let ours: Value = serde_json::json!({"type": "string", "nullable": true});
    let theirs: Value = serde_json::json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
    let doc = Value::Null;
    let mut r = Reader {
        doc: &doc,
        stack: vec![],
    };
    assert_eq!(r.shape(&ours), r.shape(&theirs));
    let any_null: Value = serde_json::json!({"anyOf": [{}, {"type": "null"}]});
    assert_eq!(
        r.shape(&any_null),
        r.shape(&serde_json::json!({"nullable": true}))
    );
}
