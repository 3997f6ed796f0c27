//! Episodes: record, list with and without tuples, delete (publishing:
//! publish.rs; streaming lists: streams.rs).

use serde_json::{json, Value};
use tupli::models::{EpisodeHeader, EpisodeList, RlTuple, TupleValue};
use tupli::prelude::*;
use tupli::Error;

use crate::support::*;

#[tokio::test]
async fn record_episode() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    // Not published anywhere yet (the field is absent).
    let mut reply = episode_header_json(ID, 1);
    reply.as_object_mut().unwrap().remove("published_in");
    let header = api
        .ok(
            post("/episodes/record").json(json!({
                "benchmark_id": "b1",
                "metadata": {"seed": 7},
                "tuples": [tuple_json()],
            })),
            reply,
            client.record_episode(&sample_episode()),
        )
        .await;
    assert_eq!(header.id, ID);
    assert_eq!(header.benchmark_id, "b1");
    assert_eq!(header.n_tuples, 1);
    assert!(header.terminated && !header.timeout);
    assert_eq!(header.metadata["seed"], 7);
    assert!(header.published_in.is_empty());
    api.done_async().await;
}

#[tokio::test]
async fn list_episodes_with_and_without_tuples() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let (filter, wire) = sample_filter();

    let list = api
        .ok(
            post("/episodes/list").json(list_episodes_body(all_filter(), false)),
            json!([episode_header_json(ID, 1)]),
            client.list_episodes(&tupli::Filter::all(), false),
        )
        .await;
    let header: EpisodeHeader = serde_json::from_value(episode_header_json(ID, 1)).unwrap();
    assert_eq!(list, EpisodeList::Headers(vec![header.clone()]));
    assert_eq!(list.len(), 1);

    let list = api
        .ok(
            post("/episodes/list").json(list_episodes_body(wire.clone(), true)),
            json!([episode_item_json(ID)]),
            client.list_episodes(&filter, true),
        )
        .await;
    match list {
        EpisodeList::Items(items) => {
            assert_eq!(items.len(), 1);
            assert_eq!(items[0].tuples, sample_episode().tuples);
            assert_eq!(EpisodeHeader::from(items[0].clone()), header);
        }
        other => panic!("expected items, got {other:?}"),
    }

    // The typed variants.
    let headers = api
        .ok(
            post("/episodes/list").json(list_episodes_body(wire.clone(), false)),
            json!([episode_header_json(ID, 1)]),
            client.list_episode_headers(&filter),
        )
        .await;
    assert_eq!(headers, std::slice::from_ref(&header));
    // Items where headers were asked for lose their tuples.
    let headers = api
        .ok(
            post("/episodes/list").json(list_episodes_body(all_filter(), false)),
            json!([episode_item_json(ID)]),
            client.list_episode_headers(&tupli::Filter::all()),
        )
        .await;
    assert_eq!(headers, [header]);
    // Two tuples of different shapes: each decoded to its own values, in order.
    let mut item = episode_item_json(ID);
    item["n_tuples"] = json!(2);
    item["tuples"] = json!([
        tuple_json(),
        {"state": [-0.0, 1e-7, 2.5], "action": [0, 1], "reward": 2.5, "info": {}, "terminal": false, "timeout": true},
    ]);
    let items = api
        .ok(
            post("/episodes/list").json(list_episodes_body(all_filter(), true)),
            json!([item]),
            client.list_episode_items(&tupli::Filter::all()),
        )
        .await;
    let expected = vec![
        RlTuple {
            state: TupleValue::Json(json!([0.5, 1])),
            action: TupleValue::Json(json!(1)),
            reward: TupleValue::Float(-1.5),
            info: serde_json::from_value(json!({"k": "v"})).unwrap(),
            terminal: true,
            timeout: false,
        },
        RlTuple {
            state: TupleValue::Floats(vec![-0.0, 1e-7, 2.5]),
            action: TupleValue::Json(json!([0, 1])),
            reward: TupleValue::Float(2.5),
            info: Default::default(),
            terminal: false,
            timeout: true,
        },
    ];
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].tuples, expected);
    // `==` takes -0.0 for 0.0: the sign must survive too.
    let state = items[0].tuples[1].state.as_floats().unwrap();
    assert_eq!(state[0].to_bits(), (-0.0f64).to_bits());
    assert_eq!(EpisodeHeader::from(items[0].clone()).n_tuples, 2);
    let items = api
        .ok(
            post("/episodes/list").json(list_episodes_body(wire, true)),
            json!([]),
            client.list_episode_items(&filter),
        )
        .await;
    assert!(items.is_empty());

    // Headers where tuples were asked for: a decode error.
    let err = api
        .err(
            post("/episodes/list").json(list_episodes_body(all_filter(), true)),
            |then| json_reply(then, 200, json!([episode_header_json(ID, 1)])),
            client.list_episode_items(&tupli::Filter::all()),
        )
        .await;
    assert!(
        matches!(&err, Error::Decode { path, message, .. } if path == "[0]" && message.contains("missing field `tuples`")),
        "{err:?}"
    );
    api.done_async().await;
}

#[tokio::test]
async fn delete_episode() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    api.ok(
        delete("/episodes/delete").query("episode_id", ID),
        Value::Null,
        client.delete_episode(ID),
    )
    .await;
    api.done_async().await;
}
