//! Tests of the filter port: mongomock's comparisons, refused operators,
//! Python's ints, exact int-float ordering.

use std::cmp::Ordering;

use serde_json::json;

use super::compare::number_cmp;
use super::*;

fn doc() -> Value {
    json!({
        "n": 3, "f": 2.5, "s": "abc", "t": true, "z": null,
        "l": [1, 2, 3], "objs": [{"a": 1}, {"a": 5}, {"b": 1}, 7],
        "m": {"x": 1, "y": {"z": "deep"}},
        "big": 9007199254740993u64,
    })
}

fn hit(filter: Filter) -> bool {
    check(&filter, Scope::Document).unwrap();
    matches(&filter, &doc()).unwrap()
}

#[test]
fn comparisons_follow_mongomock() {
    assert!(hit(Filter::eq("n", 3.0)));
    assert!(hit(Filter::eq("t", 1)), "Python: True == 1");
    assert!(!hit(Filter::geq("t", 1)), "bool and number do not compare");
    assert!(hit(Filter::eq("l", 2)));
    assert!(hit(Filter::eq("l", json!([1.0, 2, 3]))));
    assert!(!hit(Filter::in_("l", [json!([1, 2, 3])])));
    assert!(hit(Filter::gt("l", 2)));
    assert!(hit(Filter::gt("l", json!([1, 1]))));
    assert!(hit(Filter::eq("objs.a", 5)));
    assert!(hit(Filter::ne("objs.a", 9)));
    assert!(!hit(Filter::ne("objs.a", 1)));
    assert!(hit(Filter::ne("missing", 1)));
    assert!(
        hit(Filter::ne("s.x", 1)),
        "a path through a string reaches nothing"
    );
    assert!(hit(Filter::eq("l.-1", 3)));
    assert!(hit(Filter::eq("l. 0", 1)));
    assert!(!hit(Filter::eq("l.1_0", 1)));
    assert!(hit(Filter::eq("m.y.z", "deep")));
    assert!(hit(Filter::eq("m", json!({"y": {"z": "deep"}, "x": 1.0}))));
    assert!(hit(Filter::eq("nothing", json!({}))));
    assert!(!hit(Filter::eq("m", json!({}))));
    assert!(hit(Filter::gt("big", 9007199254740992.0)));
    assert!(!hit(Filter::eq("big", 9007199254740992.0)));
    assert!(!hit(Filter::geq("z", json!([]))));
    assert!(hit(Filter::in_("missing", [Value::Null])));
    assert!(hit(Filter::and([])));
    assert!(hit(Filter::or([Filter::eq("n", 0), Filter::and([])])));
    assert!(!hit(Filter::or([Filter::eq("n", 0)])));
}

#[test]
fn what_the_server_reads_as_operators_is_refused() {
    for bad in [
        Filter::eq("$where", 1),
        Filter::eq("a", json!({"$gt": 1})),
        Filter::in_("a", Vec::<Value>::new()) & Filter::eq("b", json!({"$ne": 1, "x": 2})),
        Filter {
            value: Some(json!(1)),
            ..Filter::in_("a", [1])
        },
    ] {
        assert!(check(&bad, Scope::Document).is_err(), "{bad:?}");
    }
    assert!(check(&Filter::eq("$x", 1), Scope::Metadata).is_ok());
    let past_start = Filter::eq("l.-9", 1);
    assert_eq!(matches(&past_start, &doc()), Err(PastStart));
    assert!(indexes_from_end(&Filter::or([past_start])));
    assert!(!indexes_from_end(&Filter::eq("l.9", 1)));
}

#[test]
fn python_ints() {
    assert_eq!(python_int("12"), Some(12));
    assert_eq!(python_int(" -1 "), Some(-1));
    assert_eq!(python_int("1_000"), Some(1000));
    for bad in ["", "-", "_1", "1_", "1__0", "1.0", "x", "0x1"] {
        assert_eq!(python_int(bad), None, "{bad}");
    }
}

#[test]
fn ints_and_floats_compare_exactly() {
    let n = |v: Value| match v {
        Value::Number(n) => n,
        _ => unreachable!(),
    };
    assert_eq!(
        number_cmp(
            &n(json!(9007199254740993u64)),
            &n(json!(9007199254740992.0))
        ),
        Ordering::Greater
    );
    assert_eq!(number_cmp(&n(json!(-1)), &n(json!(-0.5))), Ordering::Less);
    assert_eq!(
        number_cmp(&n(json!(-1)), &n(json!(-1.5))),
        Ordering::Greater
    );
    assert_eq!(
        number_cmp(&n(json!(u64::MAX)), &n(json!(1e300))),
        Ordering::Less
    );
    assert_eq!(number_cmp(&n(json!(2)), &n(json!(2.0))), Ordering::Equal);
}
