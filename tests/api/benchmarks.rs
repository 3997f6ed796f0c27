//! Benchmarks: store, load, list, delete (publishing: publish.rs).

use serde_json::{json, Value};
use tupli::models::{BenchmarkMetadata, BenchmarkQuery};
use tupli::prelude::*;

use crate::support::*;

#[tokio::test]
async fn store_load_list_delete_benchmark() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;

    let query = BenchmarkQuery {
        hash: "h1".into(),
        serialized: r#"{"env": "CartPole-v1"}"#.into(),
        metadata: BenchmarkMetadata {
            name: "cart pole ü".into(),
            description: String::new(),
            difficulty: Some("easy".into()),
            version: None,
            extra: serde_json::from_value(json!({"k": 1})).unwrap(),
        },
    };
    let metadata_json =
        json!({"name": "cart pole ü", "description": "", "difficulty": "easy", "extra": {"k": 1}});
    // The header of what this test stores.
    let mut reply = benchmark_header_json(ID, "cart pole ü");
    reply["hash"] = json!("h1");
    reply["metadata"] = metadata_json.clone();
    let header = api
        .ok(
            post("/benchmarks/create").json(json!({
                "hash": "h1",
                "serialized": r#"{"env": "CartPole-v1"}"#,
                "metadata": metadata_json,
            })),
            reply.clone(),
            client.store_benchmark(&query),
        )
        .await;
    assert_eq!(header.id, ID);
    assert_eq!(header.hash, "h1");
    assert_eq!(header.created_by, USER);
    assert_eq!(header.published_in, ["global", GROUP]);
    assert_eq!(header.metadata, query.metadata);

    let mut full = reply.clone();
    full["serialized"] = json!(r#"{"env": "CartPole-v1"}"#);
    let benchmark = api
        .ok(
            get("/benchmarks/load").query("benchmark_id", ID),
            full,
            client.load_benchmark(ID),
        )
        .await;
    assert_eq!(benchmark.id, ID);
    assert_eq!(benchmark.serialized, query.serialized);
    assert_eq!(benchmark.metadata.difficulty.as_deref(), Some("easy"));

    let all = api
        .ok(
            post("/benchmarks/list").json(all_filter()),
            json!([reply]),
            client.list_benchmarks(&tupli::Filter::all()),
        )
        .await;
    assert_eq!(all, std::slice::from_ref(&header));
    let (filter, wire) = sample_filter();
    let none = api
        .ok(
            post("/benchmarks/list").json(wire),
            json!([]),
            client.list_benchmarks(&filter),
        )
        .await;
    assert!(none.is_empty());

    api.ok(
        delete("/benchmarks/delete").query("benchmark_id", ID),
        Value::Null,
        client.delete_benchmark(ID),
    )
    .await;
    api.done_async().await;
}
