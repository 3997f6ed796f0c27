//! Property tests: any JSON in `state`, `action`, `reward`, `info` and
//! `metadata` survives encoding and every decoding path — serde_json, the
//! fast path, and the streaming splitter at any chunk size — unchanged, with
//! floats equal to the bit and integers staying integers.

use std::collections::VecDeque;

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::element::{decode_element, Element};
use super::episode::{episode_item, identical};
use super::splitter::ArraySplitter;
use crate::models::{Episode, EpisodeItem, RlTuple};
use crate::tuple::TupleValue;

/// Any finite float, with the edge cases drawn often: signed zeros,
/// subnormals, the extremes, and integral values.
fn finite() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()),
        1 => prop::sample::select(vec![
            0.0,
            -0.0,
            f64::from_bits(1),
            -f64::from_bits(1),
            f64::MIN_POSITIVE / 3.0,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            1.0,
            -2.0,
            9_007_199_254_740_992.0,
            1e22,
            1e23,
        ]),
        1 => (-1_000_000i64..1_000_000).prop_map(|i| i as f64),
    ]
}

/// How a float is written: every spelling is exact (it parses back to the
/// same bits), as long decimal expansions and exponent forms are.
#[derive(Clone, Copy, Debug)]
enum Spelling {
    Shortest,
    LowerExponent,
    UpperExponentPlus,
    LongExponent,
    LongFixed,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    prop::sample::select(vec![
        Spelling::Shortest,
        Spelling::LowerExponent,
        Spelling::UpperExponentPlus,
        Spelling::LongExponent,
        Spelling::LongFixed,
    ])
}

fn spell_float(f: f64, spelling: Spelling) -> String {
    let text = match spelling {
        Spelling::Shortest => format!("{f:?}"),
        Spelling::LowerExponent => format!("{f:e}"),
        Spelling::UpperExponentPlus => format!("{f:E}").replace("E", "E+").replace("E+-", "E-"),
        Spelling::LongExponent => format!("{f:.25e}"),
        Spelling::LongFixed => format!("{f:.30}"),
    };
    // JSON floats need a fraction or an exponent.
    let text = if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    };
    // A fixed spelling of a tiny number can lose it: only exact spellings.
    match text.parse::<f64>() {
        Ok(back) if back.to_bits() == f.to_bits() => text,
        _ => format!("{f:.25e}"),
    }
}

/// `value` as JSON text with its floats in `spelling`.
fn spell(value: &Value, spelling: Spelling) -> String {
    match value {
        Value::Number(n) if n.is_f64() => spell_float(n.as_f64().unwrap(), spelling),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(|v| spell(v, spelling)).collect();
            format!("[{}]", parts.join(","))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), spell(v, spelling)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        other => other.to_string(),
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        finite().prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        prop::collection::vec(finite(), 1..24).prop_map(|v| json!(v)),
    ];
    leaf.prop_recursive(3, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("\\PC{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn object() -> impl Strategy<Value = Map<String, Value>> {
    prop::collection::btree_map("\\PC{0,8}", json_value(), 0..5)
        .prop_map(|m| m.into_iter().collect())
}

fn tuple_json() -> impl Strategy<Value = Value> {
    (
        json_value(),
        json_value(),
        json_value(),
        object(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(state, action, reward, info, terminal, timeout)| {
            json!({"state": state, "action": action, "reward": reward, "info": info,
                   "terminal": terminal, "timeout": timeout})
        })
}

fn item_json() -> impl Strategy<Value = Value> {
    (
        object(),
        prop::collection::vec(tuple_json(), 1..5),
        "\\PC{0,10}",
    )
        .prop_map(|(metadata, tuples, id)| {
            json!({"id": id, "created_by": "u", "published_in": ["u"], "created_at": "t",
                   "benchmark_id": "b", "metadata": metadata, "n_tuples": tuples.len(),
                   "terminated": false, "timeout": false, "tuples": tuples})
        })
}

/// Equal, with floats compared by their bits and integers kept apart from floats.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            _ if x.is_f64() != y.is_f64() => false,
            (Some(p), Some(q)) if x.is_f64() => p.to_bits() == q.to_bits(),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn check_item(decoded: &EpisodeItem, original: &Value) -> Result<(), TestCaseError> {
    prop_assert!(same(
        &Value::Object(decoded.metadata.clone()),
        &original["metadata"]
    ));
    let tuples = original["tuples"].as_array().unwrap();
    prop_assert_eq!(decoded.tuples.len(), tuples.len());
    for (got, want) in decoded.tuples.iter().zip(tuples) {
        prop_assert!(
            same(&got.state.to_json(), &want["state"]),
            "state {:?} vs {}",
            got.state,
            want["state"]
        );
        prop_assert!(same(&got.action.to_json(), &want["action"]));
        prop_assert!(same(&got.reward.to_json(), &want["reward"]));
        prop_assert!(same(&Value::Object(got.info.clone()), &want["info"]));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_decoder_returns_what_was_sent(
        item in item_json(),
        chunk in 1usize..64,
        spelling in spelling(),
    ) {
        let text = spell(&item, spelling);
        let by_serde: EpisodeItem = serde_json::from_str(&text).unwrap();
        check_item(&by_serde, &item)?;
        if let Some(fast) = episode_item(text.as_bytes()) {
            prop_assert!(identical(&fast, &by_serde), "{text}");
        }
        // Streamed: two copies in one array, fed in small chunks.
        let array = format!("[{text},{text}]");
        let mut splitter = ArraySplitter::new();
        let mut elements = VecDeque::new();
        for piece in array.as_bytes().chunks(chunk) {
            splitter.push(piece, &mut elements).unwrap();
        }
        splitter.finish().unwrap();
        prop_assert_eq!(elements.len(), 2);
        for (i, bytes) in elements.iter().enumerate() {
            let decoded = match EpisodeItem::fast(bytes) {
                Some(item) => item,
                None => decode_element::<EpisodeItem>(bytes, i).unwrap(),
            };
            prop_assert!(identical(&decoded, &by_serde));
        }
    }

    #[test]
    fn encoding_an_episode_keeps_every_value(tuples in prop::collection::vec(tuple_json(), 1..5), metadata in object()) {
        let episode = Episode {
            benchmark_id: "b".into(),
            metadata: metadata.clone(),
            tuples: tuples
                .iter()
                .map(|t| RlTuple {
                    state: TupleValue::from(t["state"].clone()),
                    action: TupleValue::from(t["action"].clone()),
                    reward: TupleValue::from(t["reward"].clone()),
                    info: t["info"].as_object().cloned().unwrap_or_default(),
                    terminal: t["terminal"].as_bool().unwrap_or_default(),
                    timeout: t["timeout"].as_bool().unwrap_or_default(),
                })
                .collect(),
        };
        let by_serde = serde_json::to_vec(&episode).unwrap();
        let mut body = Vec::new();
        crate::encode::episode(&episode, &mut body).unwrap();
        prop_assert_eq!(&body, &by_serde, "the request body is serde_json's, byte for byte");
        let sent: Value = serde_json::from_slice(&body).unwrap();
        prop_assert!(same(&sent["metadata"], &Value::Object(metadata)));
        for (got, want) in sent["tuples"].as_array().unwrap().iter().zip(&tuples) {
            for field in ["state", "action", "reward"] {
                prop_assert!(same(&got[field], &want[field]), "{field}: {} vs {}", got[field], want[field]);
            }
        }
    }
}
