//! An episode's stable identity across storages: its *key*.
//!
//! Ids are made by each storage, so a copied episode gets a new one; the key
//! stays. An episode's key is the string in its metadata under
//! [`EPISODE_KEY`] (`tupli_key`) when it has one (not empty), else its own
//! `id`. Whoever writes an episode that stands for another one — a copy
//! ([`crate::copy`]), a recorder assigning a fresh key — writes the key into
//! its metadata under [`EPISODE_KEY`], so a copy of a copy keeps the
//! original's key. A storage already holds an episode when one of its
//! episodes (under the benchmark in question) has that key as its `id` or as
//! its `metadata.tupli_key`: [`holding`] asks exactly that, for many keys at
//! once.

use serde_json::{Map, Value};

use crate::filter::Filter;
use crate::models::EpisodeHeader;

/// The metadata key under which an episode's key is written.
pub(crate) const EPISODE_KEY: &str = "tupli_key";

/// A fresh episode key: a random UUID (version 4) in lower-case hex, without dashes.
pub(crate) fn new_episode_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The key of an episode with this `id` and `metadata`: `metadata.tupli_key`
/// when it is a non-empty string, else `id`.
pub(crate) fn key_of<'a>(id: &'a str, metadata: &'a Map<String, Value>) -> &'a str {
    match metadata.get(EPISODE_KEY) {
        Some(Value::String(key)) if !key.is_empty() => key,
        _ => id,
    }
}

/// The key of the episode `header` describes.
pub(crate) fn episode_key(header: &EpisodeHeader) -> &str {
    key_of(&header.id, &header.metadata)
}

/// The keys an episode answers to: its `id`, and its `metadata.tupli_key`
/// when that is a non-empty string (another one than the id).
pub(crate) fn keys_answered(header: &EpisodeHeader) -> impl Iterator<Item = &str> {
    let key = episode_key(header);
    std::iter::once(header.id.as_str()).chain((key != header.id).then_some(key))
}

/// `metadata` with `key` written under [`EPISODE_KEY`] (replacing whatever
/// was there).
pub(crate) fn with_key(mut metadata: Map<String, Value>, key: &str) -> Map<String, Value> {
    metadata.insert(EPISODE_KEY.to_string(), Value::String(key.to_string()));
    metadata
}

/// The filter on episodes that finds, among the episodes of benchmark
/// `benchmark_id`, those answering to one of `keys` (by `id` or by
/// `metadata.tupli_key`).
pub(crate) fn holding(benchmark_id: &str, keys: &[&str]) -> Filter {
    let keys: Vec<Value> = keys.iter().map(|k| Value::from(*k)).collect();
    Filter::eq("benchmark_id", benchmark_id)
        & Filter::or([
            Filter::in_("id", keys.clone()),
            Filter::in_(format!("metadata.{EPISODE_KEY}"), keys),
        ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn header(id: &str, metadata: Value) -> EpisodeHeader {
        EpisodeHeader {
            benchmark_id: "b".into(),
            created_at: "t".into(),
            created_by: "u".into(),
            id: id.into(),
            metadata: serde_json::from_value(metadata).unwrap(),
            n_tuples: 1,
            published_in: Vec::new(),
            terminated: false,
            timeout: false,
        }
    }

    #[test]
    fn the_key_is_the_metadata_key_else_the_id() {
        assert_eq!(episode_key(&header("e1", json!({}))), "e1");
        assert_eq!(episode_key(&header("e1", json!({"tupli_key": "k"}))), "k");
        // Not a usable key: the id.
        for bad in [json!(""), json!(7), json!(null), json!(["k"])] {
            assert_eq!(
                episode_key(&header("e1", json!({ "tupli_key": bad }))),
                "e1"
            );
        }
        let keyed = header("e1", json!({"tupli_key": "k"}));
        assert_eq!(keys_answered(&keyed).collect::<Vec<_>>(), ["e1", "k"]);
        let own = header("e1", json!({"tupli_key": "e1"}));
        assert_eq!(keys_answered(&own).collect::<Vec<_>>(), ["e1"]);
    }

    #[test]
    fn a_copy_keeps_the_key_and_the_rest() {
        let metadata: Map<String, Value> =
            serde_json::from_value(json!({"seed": 3, "tupli_key": 9})).unwrap();
        let copied = with_key(metadata, "k");
        assert_eq!(Value::Object(copied), json!({"seed": 3, "tupli_key": "k"}));
    }

    #[test]
    fn the_question_is_one_filter() {
        let filter = serde_json::to_value(holding("b", &["k1", "k2"])).unwrap();
        assert_eq!(
            filter,
            json!({"type": "AND", "key": null, "value": null, "filters": [
                {"type": "EQ", "key": "benchmark_id", "value": "b", "filters": []},
                {"type": "OR", "key": null, "value": null, "filters": [
                    {"type": "IN", "key": "id", "value": ["k1", "k2"], "filters": []},
                    {"type": "IN", "key": "metadata.tupli_key", "value": ["k1", "k2"], "filters": []},
                ]},
            ]})
        );
    }
}
