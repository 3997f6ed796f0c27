//! Lists decoded as they arrive: `stream_episodes`, `stream_episode_headers`.

use serde_json::{json, Value};
use tupli::models::EpisodeHeader;
use tupli::prelude::*;
use tupli::Error;

use crate::support::*;

#[tokio::test]
async fn stream_episodes_yields_the_same_items_as_the_vec_api() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let mut items: Vec<Value> = (0..5)
        .map(|i| {
            let mut item = episode_item_json(ID);
            item["id"] = json!(format!("episode {i}"));
            item["tuples"][0]["state"] = json!([i as f64 / 3.0, -0.0, 1e-7]);
            item
        })
        .collect();
    items[2]["metadata"] = json!({"text": "a ] , [ { \" } inside a string"});
    let body = json!(items);
    let mock = api
        .expect_async(
            post("/episodes/list").json(list_episodes_body(all_filter(), true)),
            |then| json_reply(then, 200, body),
        )
        .await;
    let collected = client
        .list_episode_items(&tupli::Filter::all())
        .await
        .unwrap();
    let mut streamed = Vec::new();
    let mut stream = Box::pin(client.stream_episodes(&tupli::Filter::all()).await.unwrap());
    while let Some(item) = futures::StreamExt::next(&mut stream).await {
        streamed.push(item.unwrap());
    }
    mock.assert_calls_async(2).await;
    assert_eq!(streamed, collected);
    assert_eq!(serde_json::to_value(&streamed).unwrap(), json!(items));
    api.done_async().await;
}

#[tokio::test]
async fn a_bad_element_ends_the_stream_after_the_good_ones() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let body = json!([episode_header_json(ID, 1), {"id": 1}, episode_header_json(ID, 1)]);
    api.expect_async(
        post("/episodes/list").json(list_episodes_body(all_filter(), false)),
        |then| json_reply(then, 200, body),
    )
    .await;
    let results: Vec<_> = futures::StreamExt::collect(
        client
            .stream_episode_headers(&tupli::Filter::all())
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(results.len(), 2, "the stream stops at the first error");
    let first: EpisodeHeader = serde_json::from_value(episode_header_json(ID, 1)).unwrap();
    assert_eq!(results[0].as_ref().unwrap(), &first);
    assert_eq!(first.id, ID);
    assert_eq!(first.n_tuples, 1);
    assert!(
        matches!(&results[1], Err(Error::Decode { path, .. }) if path == "[1].id"),
        "{:?}",
        results[1]
    );
    api.done_async().await;
}
