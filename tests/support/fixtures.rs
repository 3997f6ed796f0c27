//! Models as the server sends them, and sample values to send.
//!
//! Every object was made by [`USER`]; ids are [`ID`] unless a test says otherwise.

use serde_json::{json, Value};
use tupli::models::{ArtifactMetadata, ArtifactMetadataItem, Episode, RlTuple};
use tupli::Filter;

use super::{GROUP, ID, USER};

/// A login answer.
pub fn token_pair(access: &str, refresh: &str) -> Value {
    json!({
        "access_token": {"token": access, "token_type": "bearer"},
        "refresh_token": {"token": refresh, "token_type": "bearer"},
    })
}

/// `Filter::all()` on the wire.
pub fn all_filter() -> Value {
    json!({"type": "OR", "key": null, "value": null, "filters": []})
}

/// A filter with awkward strings, and its wire form.
pub fn sample_filter() -> (Filter, Value) {
    let filter = Filter::eq("metadata.name", GROUP) & Filter::geq("metadata.extra.size", 3);
    let wire = json!({"type": "AND", "key": null, "value": null, "filters": [
        {"type": "EQ", "key": "metadata.name", "value": GROUP, "filters": []},
        {"type": "GEQ", "key": "metadata.extra.size", "value": 3, "filters": []},
    ]});
    (filter, wire)
}

/// The body of `POST /episodes/list`: a filter and `include_tuples`.
pub fn list_episodes_body(filter: Value, include_tuples: bool) -> Value {
    let mut body = filter;
    body["include_tuples"] = json!(include_tuples);
    body
}

/// A benchmark header (a created_at with microseconds, a description long
/// enough to be cut in a table).
pub fn benchmark_header_json(id: &str, name: &str) -> Value {
    json!({
        "id": id,
        "hash": "5f0c8d7e4b1a9c2d3e4f5a6b7c8d9e0f",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05.678901",
        "published_in": ["global", GROUP],
        "metadata": {"name": name, "description": "balance a pole on a cart, for a long while", "difficulty": "easy", "extra": {"level": 3}},
    })
}

/// The metadata of artifact [`ID`] whose content hashes to `hash`.
pub fn artifact_item_json(hash: &str) -> Value {
    json!({
        "id": ID,
        "name": "weights.bin",
        "description": "d",
        "benchmark_id": "b1",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05",
        "hash": hash,
        "encoding": "utf-8",
        "extra": {"source": "unit test"},
        "published_in": [USER],
    })
}

/// An artifact's metadata with only a name: no description, benchmark or extra.
pub fn plain_artifact(name: &str) -> ArtifactMetadata {
    ArtifactMetadata {
        name: name.into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    }
}

pub fn artifact_item(hash: &str) -> ArtifactMetadataItem {
    serde_json::from_value(artifact_item_json(hash)).unwrap()
}

pub fn tuple_json() -> Value {
    json!({"state": [0.5, 1], "action": 1, "reward": -1.5, "info": {"k": "v"}, "terminal": true, "timeout": false})
}

/// An episode header with `n_tuples` tuples, of benchmark `b1`.
pub fn episode_header_json(id: &str, n_tuples: u64) -> Value {
    json!({
        "id": id,
        "benchmark_id": "b1",
        "created_by": USER,
        "created_at": "2025-01-02T03:04:05.5",
        "metadata": {"seed": 7},
        "n_tuples": n_tuples,
        "terminated": true,
        "timeout": false,
        "published_in": [USER],
    })
}

/// An episode with its one tuple, [`tuple_json`].
pub fn episode_item_json(id: &str) -> Value {
    let mut item = episode_header_json(id, 1);
    item["tuples"] = json!([tuple_json()]);
    item
}

/// The episode [`episode_item_json`] describes, as recorded.
pub fn sample_episode() -> Episode {
    Episode {
        benchmark_id: "b1".into(),
        metadata: serde_json::from_value(json!({"seed": 7})).unwrap(),
        tuples: vec![serde_json::from_value::<RlTuple>(tuple_json()).unwrap()],
    }
}
