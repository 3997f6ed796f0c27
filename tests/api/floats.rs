//! Numbers survive exactly: floats decode to the same bits CPython's `json.loads` gives.

use tupli::models::{EpisodeItem, RlTuple};
use tupli::prelude::*;

/// Floats where a fast, inexact parser lands one ULP off (measured against
/// CPython), plus edge cases.
const TRICKY: &[&str] = &[
    "-1.4207009740446641",
    "0.1",
    "0.30000000000000004",
    "1.0000000000000002",
    "2.2250738585072014e-308",
    "4.9406564584124654e-324",
    "1.7976931348623157e+308",
    "-0.0",
    "9007199254740993.0",
    "0.8147236863931789",
    "123456789.12345679",
    "3.141592653589793",
    "6.02214076e+23",
    "1e-7",
];

#[test]
fn tricky_floats_round_trip_bit_exactly() {
    for text in TRICKY {
        let expected: f64 = text.parse().unwrap(); // Rust's std parser is correctly rounded
        let json = format!(r#"{{"state":[{text}],"action":{text},"reward":{text}}}"#);
        let tuple: RlTuple = serde_json::from_str(&json).unwrap();
        let state = tuple
            .state
            .as_floats()
            .expect("a flat float array is kept unboxed")[0];
        for got in [
            state,
            tuple.action.as_f64().unwrap(),
            tuple.reward.as_f64().unwrap(),
        ] {
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{text} decoded as {got:?}"
            );
        }
        // ...and re-encoding then decoding again changes nothing.
        let again: RlTuple = serde_json::from_str(&serde_json::to_string(&tuple).unwrap()).unwrap();
        assert_eq!(again.reward.as_f64().unwrap().to_bits(), expected.to_bits());
    }
}

#[test]
fn any_json_survives_in_tuple_values() {
    let json = r#"{"id":"e","created_by":"u","created_at":"t","benchmark_id":"b",
        "metadata":{"k":[1,"x",null,{"y":-0.0}]},"n_tuples":1,"terminated":true,"timeout":false,
        "published_in":["u"],
        "tuples":[{"state":{"pos":[0.1,0.2],"img":[[1,2],[3,4]]},"action":"left","reward":null,
                   "info":{"deep":{"er":[true]}},"terminal":true,"timeout":false}]}"#;
    let item: EpisodeItem = serde_json::from_str(json).unwrap();
    let original: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_value(&item).unwrap(), original);
}

#[test]
fn serde_json_would_silently_write_null_for_non_finite_floats() {
    // Why the client checks: serde_json turns NaN and infinities into `null`.
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(serde_json::to_string(&f).unwrap(), "null");
    }
}

#[tokio::test]
async fn non_finite_floats_are_refused_before_anything_is_sent() {
    // Nothing listens on port 9: a request that went out would be a transport error.
    let client = tupli::TupliApiClient::with_url("http://127.0.0.1:9").unwrap();
    let good = RlTuple::new(vec![0.5, 1.5], 1.0, 0.0);
    for (i, field, bad) in [
        (
            1,
            "state[2]",
            RlTuple::new(vec![0.5, 1.5, f64::NAN], 1.0, 0.0),
        ),
        (1, "action", RlTuple::new(vec![0.5], f64::INFINITY, 0.0)),
        (1, "reward", RlTuple::new(vec![0.5], 1.0, f64::NEG_INFINITY)),
    ] {
        let episode = tupli::models::Episode {
            benchmark_id: "b".into(),
            metadata: Default::default(),
            tuples: vec![good.clone(), bad],
        };
        let err = client.record_episode(&episode).await.unwrap_err();
        let expected = format!("tuples[{i}].{field} is NaN or infinite");
        assert!(
            matches!(&err, tupli::Error::InvalidInput { argument: "episode", reason } if reason.contains(&expected)),
            "{err}"
        );
    }
}
