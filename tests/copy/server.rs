//! A mocked server as the destination: exactly what is asked and sent, the
//! 409 when the benchmark's hash is there, an episode found by its key, and
//! a dry run that only asks.

use serde_json::{json, Value};
use tupli::copy::{copy, Kind, Outcome, Selection, Status};
use tupli::prelude::*;

use super::support::*;
use super::*;

/// A folder with one benchmark and one episode of two tuples (no artifact).
async fn small_source() -> (tempfile::TempDir, FileStorage, String, EpisodeItem) {
    let (dir, source) = folder();
    let b = source
        .store_benchmark(&benchmark("hash-s", "server bench"))
        .await
        .unwrap()
        .id;
    let e = source.record_episode(&episode(&b, 2, 1)).await.unwrap();
    let item = source
        .list_episode_items(&Filter::eq("id", e.id.as_str()))
        .await
        .unwrap()
        .remove(0);
    (dir, source, b, item)
}

fn header_json(id: &str, hash: &str) -> Value {
    json!({
        "id": id, "hash": hash, "created_by": USER, "created_at": "2025-01-02T03:04:05",
        "metadata": {"name": "server bench"},
    })
}

/// The question about the episodes' keys, as sent.
fn holding(benchmark_id: &str, keys: &[&str]) -> Value {
    json!({"type": "AND", "key": null, "value": null, "include_tuples": false, "filters": [
        {"type": "EQ", "key": "benchmark_id", "value": benchmark_id, "filters": []},
        {"type": "OR", "key": null, "value": null, "filters": [
            {"type": "IN", "key": "id", "value": keys, "filters": []},
            {"type": "IN", "key": "metadata.tupli_key", "value": keys, "filters": []},
        ]},
    ]})
}

fn hash_in(hash: &str) -> Value {
    json!({"type": "IN", "key": "hash", "value": [hash], "filters": []})
}

#[tokio::test]
async fn a_409_finds_the_benchmark_by_its_hash_and_its_episodes_go_there() {
    let (_dir, source, _b, episode) = small_source().await;
    let api = Mocked::start_async().await;
    let dest = api.restored_client();

    // Not visible when asked first (stored meanwhile by someone else).
    let asked = api
        .expect_async(post("/benchmarks/list").json(hash_in("hash-s")), |then| {
            json_reply(then, 200, json!([]))
        })
        .await;
    let stored = api
        .expect_async(
            post("/benchmarks/create").json(json!({
                "hash": "hash-s",
                "serialized": benchmark("hash-s", "server bench").serialized,
                "metadata": serde_json::to_value(benchmark("hash-s", "server bench").metadata).unwrap(),
            })),
            |then| json_reply(then, 409, json!({"detail": "Benchmark already exists"})),
        )
        .await;
    let found = api
        .expect_async(
            post("/benchmarks/list")
                .json(json!({"type": "EQ", "key": "hash", "value": "hash-s", "filters": []})),
            |then| json_reply(then, 200, json!([header_json("dest-b", "hash-s")])),
        )
        .await;
    let keys = api
        .expect_async(
            post("/episodes/list").json(holding("dest-b", &[&episode.id])),
            |then| json_reply(then, 200, json!([])),
        )
        .await;
    let mut metadata = episode.metadata.clone();
    metadata.insert("tupli_key".into(), json!(episode.id));
    let recorded = api
        .expect_async(
            post("/episodes/record").json(json!({
                "benchmark_id": "dest-b",
                "metadata": metadata,
                "tuples": serde_json::to_value(&episode.tuples).unwrap(),
            })),
            |then| {
                let mut reply = episode_header_json("dest-e", 2);
                reply["benchmark_id"] = json!("dest-b");
                json_reply(then, 200, reply)
            },
        )
        .await;
    let report = copy(&source, &dest, Selection::all()).await.unwrap();
    assert!(failures(&report).is_empty(), "{:?}", failures(&report));
    let bench = report
        .items_with(Kind::Benchmark, Status::Skipped)
        .next()
        .unwrap();
    assert_eq!(
        skip_reason(bench),
        "already there (storing it answered 409 Conflict)"
    );
    assert!(matches!(
        &bench.outcome,
        Outcome::Skipped { destination_id: Some(id), .. } if id == "dest-b"
    ));
    let copied = report
        .items_with(Kind::Episode, Status::Copied)
        .next()
        .unwrap();
    assert!(matches!(
        &copied.outcome,
        Outcome::Copied { destination_id: Some(id) } if id == "dest-e"
    ));
    for mock in [&asked, &stored, &found, &keys, &recorded] {
        mock.assert_calls_async(1).await;
    }
    api.done_async().await;
}

#[tokio::test]
async fn what_the_server_holds_is_not_sent_again() {
    let (_dir, source, _b, episode) = small_source().await;
    let api = Mocked::start_async().await;
    let dest = api.restored_client();
    let asked = api
        .expect_async(post("/benchmarks/list").json(hash_in("hash-s")), |then| {
            json_reply(then, 200, json!([header_json("dest-b", "hash-s")]))
        })
        .await;
    // The server holds a copy of the episode: its key is in its metadata.
    let keys = api
        .expect_async(
            post("/episodes/list").json(holding("dest-b", &[&episode.id])),
            |then| {
                let mut held = episode_header_json("dest-e", 2);
                held["benchmark_id"] = json!("dest-b");
                held["metadata"] = json!({"mark": 1, "tupli_key": episode.id});
                json_reply(then, 200, json!([held]))
            },
        )
        .await;

    for dry_run in [false, true] {
        let report = copy(&source, &dest, Selection::all())
            .dry_run(dry_run)
            .await
            .unwrap();
        assert_eq!(counts(&report, Kind::Benchmark), (0, 1, 0));
        assert_eq!(counts(&report, Kind::Episode), (0, 1, 0));
        let item = report
            .items_with(Kind::Episode, Status::Skipped)
            .next()
            .unwrap();
        assert!(matches!(
            &item.outcome,
            Outcome::Skipped { destination_id: Some(id), reason } if id == "dest-e" && reason == "already there"
        ));
    }
    asked.assert_calls_async(2).await;
    keys.assert_calls_async(2).await;
    api.done_async().await;
}

/// A dry run into a server asks and never writes (a write would reach the
/// catch-all).
#[tokio::test]
async fn a_dry_run_only_asks() {
    let (_dir, source, _b, _episode) = small_source().await;
    let api = Mocked::start_async().await;
    let dest = api.restored_client();
    let asked = api
        .expect_async(post("/benchmarks/list").json(hash_in("hash-s")), |then| {
            json_reply(then, 200, json!([]))
        })
        .await;
    let report = copy(&source, &dest, Selection::all())
        .dry_run(true)
        .await
        .unwrap();
    assert_eq!(counts(&report, Kind::Benchmark), (1, 0, 0));
    assert_eq!(counts(&report, Kind::Episode), (1, 0, 0));
    asked.assert_calls_async(1).await;
    api.done_async().await;
}

/// What fails before anything is copied is the copy's error: here, the
/// destination refuses the first question.
#[tokio::test]
async fn an_unreachable_destination_fails_the_copy() {
    let (_dir, source, _b, _episode) = small_source().await;
    let api = Mocked::start_async().await;
    let dest = api.restored_client();
    let asked = api
        .expect_async(post("/benchmarks/list").json(hash_in("hash-s")), |then| {
            json_reply(then, 403, json!({"detail": "Not allowed"}))
        })
        .await;
    let error = copy(&source, &dest, Selection::all()).await.unwrap_err();
    assert!(error.is_auth(), "{error}");
    asked.assert_calls_async(1).await;
    api.done_async().await;
}
