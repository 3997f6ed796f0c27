//! Filters on a folder: the server's answers on a few documents (the full
//! table runs against the live server in `tests/live/storage.rs`).

use serde_json::{json, Map, Value};
use tupli::models::{ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery};
use tupli::prelude::*;
use tupli::storage::TupliStorage;
use tupli::Filter;

use super::{episode, storage};

async fn names(storage: &dyn TupliStorage, filter: Filter) -> Vec<String> {
    let mut names: Vec<String> = storage
        .list_benchmarks(&filter)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.metadata.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn documents_are_matched_as_mongodb_matches_them() {
    let (_dir, storage) = storage();
    let docs: [(&str, Option<Value>); 6] = [
        ("int", Some(json!(1))),
        ("float", Some(json!(1.0))),
        ("bool", Some(json!(true))),
        ("list", Some(json!([1, 5]))),
        ("objects", Some(json!([{"a": 1}, {"b": 2}]))),
        ("none", None),
    ];
    for (name, v) in docs {
        let mut extra = Map::new();
        if let Some(v) = v {
            extra.insert("v".into(), v);
        }
        storage
            .store_benchmark(&BenchmarkQuery {
                hash: name.into(),
                serialized: "{}".into(),
                metadata: BenchmarkMetadata {
                    name: name.into(),
                    description: String::new(),
                    difficulty: None,
                    version: None,
                    extra,
                },
            })
            .await
            .unwrap();
    }
    let k = "metadata.extra.v";
    assert_eq!(
        names(&storage, Filter::eq(k, 1)).await,
        ["bool", "float", "int", "list"]
    );
    assert_eq!(names(&storage, Filter::gt(k, 1)).await, ["list"]);
    assert_eq!(names(&storage, Filter::geq(k, true)).await, ["bool"]);
    assert_eq!(
        names(&storage, Filter::ne(k, 1)).await,
        ["none", "objects"],
        "NE matches a missing field"
    );
    assert_eq!(names(&storage, Filter::in_(k, [5, 7])).await, ["list"]);
    assert_eq!(
        names(&storage, Filter::eq("metadata.extra.v.a", 1)).await,
        ["objects"]
    );
    assert_eq!(
        names(&storage, Filter::eq("metadata.extra.v.1", 5)).await,
        ["list"]
    );
    assert_eq!(names(&storage, Filter::or([])).await.len(), 6);
    assert_eq!(
        names(
            &storage,
            Filter::and([Filter::or([]), Filter::eq("hash", "int")])
        )
        .await,
        ["int"]
    );
    // `v.-1` reaches the last element; before the start of an array, it
    // ends the listing on the server: nothing at all.
    assert_eq!(
        names(&storage, Filter::eq("metadata.extra.v.-1", 5)).await,
        ["list"]
    );
    assert!(names(&storage, Filter::eq("metadata.extra.v.-3", 1))
        .await
        .is_empty());
    assert_eq!(
        names(
            &storage,
            Filter::eq("metadata.extra.v.-2", 1) & Filter::eq("hash", "list")
        )
        .await,
        ["list"]
    );
}

#[tokio::test]
async fn episode_and_artifact_keys_are_where_the_server_has_them() {
    let (_dir, storage) = storage();
    let bench = storage
        .store_benchmark(&super::benchmark("b"))
        .await
        .unwrap();
    for (n, mark) in [(1, 0), (3, 1), (5, 2)] {
        storage
            .record_episode(&episode(&bench.id, n, mark))
            .await
            .unwrap();
    }
    let count = |filter: Filter| {
        let storage = storage.clone();
        async move { storage.list_episode_headers(&filter).await.unwrap().len() }
    };
    assert_eq!(count(Filter::gt("tuples.reward", 0.75)).await, 1);
    assert_eq!(count(Filter::eq("tuples.2.info.t", 2)).await, 2);
    assert_eq!(count(Filter::eq("metadata.nested.k", "x")).await, 3);
    assert_eq!(
        count(Filter::eq("tuples.-3.action", 0)).await,
        0,
        "a short episode ends it"
    );
    assert_eq!(count(Filter::eq("tuples.-1.terminal", true)).await, 3);

    storage
        .store_artifact(
            bytes::Bytes::from_static(b"x"),
            &ArtifactMetadata {
                name: "x".into(),
                description: String::new(),
                benchmark_id: Some(bench.id.clone()),
                extra: Map::from_iter([("k".to_string(), json!([1, 2]))]),
            },
        )
        .await
        .unwrap();
    let found = storage
        .list_artifacts(&(Filter::eq("extra.k", 2) & Filter::eq("benchmark_id", bench.id.as_str())))
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert!(storage
        .list_artifacts(&Filter::eq("metadata.name", "x"))
        .await
        .unwrap()
        .is_empty());
}
