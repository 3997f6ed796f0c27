//! `Filter` serializes exactly like pytupli's `BaseFilter.model_dump()`.
//!
//! `tests/fixtures/pytupli_filters.json` was produced by pytupli 1.2.9 itself
//! (`FilterEQ(...) & FilterGEQ(...)` etc., `model_dump(mode="json")`).

use serde_json::{json, Value};
use tupli::filter::EpisodesListRequest;
use tupli::Filter;

fn fixtures() -> Value {
    serde_json::from_str(include_str!("../fixtures/pytupli_filters.json")).unwrap()
}

#[test]
fn every_case_matches_pytupli() {
    let a = Filter::eq("metadata.name", "cart pole & co");
    let b = Filter::geq("metadata.difficulty", 3);
    let c = Filter::in_(
        "metadata.tags",
        [json!("x"), json!(1), json!(2.5), Value::Null, json!(true)],
    );
    let d = Filter::lt("n_tuples", 1.0000000000000002);
    let e = Filter::ne("metadata.extra.k", json!({"nested": [1, {"x": -0.0}]}));
    let f = Filter::gt("x", -1.4207009740446641);
    let cases: Vec<(&str, Value)> = vec![
        ("eq", json!(a)),
        ("geq", json!(b)),
        ("in", json!(c)),
        ("lt", json!(d)),
        ("ne", json!(e)),
        ("gt", json!(f)),
        ("a_and_b", json!(a.clone() & b.clone())),
        ("ab_and_c", json!((a.clone() & b.clone()) & c.clone())),
        ("a_and_bc", json!(a.clone() & (b.clone() & c.clone()))),
        ("a_or_b", json!(a.clone() | b.clone())),
        ("ab_or_c", json!((a.clone() | b.clone()) | c.clone())),
        ("a_or_bc", json!(a.clone() | (b.clone() | c.clone()))),
        ("ab_or_c_and", json!((a.clone() & b.clone()) | c.clone())),
        (
            "mixed",
            json!((a.clone() | b.clone()) & (c.clone() | d.clone())),
        ),
        ("default", json!(Filter::default())),
        (
            "episodes_request",
            json!(EpisodesListRequest {
                filter: a.clone() & b.clone(),
                include_tuples: true
            }),
        ),
    ];
    let expected = fixtures();
    assert_eq!(cases.len(), expected.as_object().unwrap().len());
    for (name, actual) in cases {
        assert_eq!(actual, expected[name], "case {name}");
    }
}

#[test]
fn pytupli_json_parses_back_into_equal_filters() {
    for (name, value) in fixtures().as_object().unwrap() {
        if name == "episodes_request" {
            let back: EpisodesListRequest = serde_json::from_value(value.clone()).unwrap();
            assert_eq!(&json!(back), value, "case {name}");
        } else {
            let back: Filter = serde_json::from_value(value.clone()).unwrap();
            back.validate().unwrap();
            assert_eq!(&json!(back), value, "case {name}");
        }
    }
}

#[test]
fn field_order_is_pytupli_s() {
    assert_eq!(
        serde_json::to_string(&Filter::eq("k", 1)).unwrap(),
        r#"{"type":"EQ","key":"k","value":1,"filters":[]}"#
    );
}
