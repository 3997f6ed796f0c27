//! Episodes: recording, listing, streaming, publishing, the size limit.

use futures::TryStreamExt;
use serde_json::{json, Map};
use tupli::models::{Episode, EpisodeList, RlTuple};
use tupli::{Error, Filter};

use crate::{admin, benchmark, tuple, unique};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn episodes_record_list_publish_delete() {
    let admin = admin().await;
    let bench = admin
        .store_benchmark(&benchmark(&unique("ep-bench"), "easy"))
        .await
        .unwrap();
    let tag = unique("run");
    let metadata =
        |n: u64| Map::from_iter([("tag".to_string(), json!(tag)), ("n".to_string(), json!(n))]);

    let one = Episode {
        benchmark_id: bench.id.clone(),
        metadata: metadata(1),
        tuples: vec![tuple(
            json!([0.1, -1.4207009740446641]),
            json!(1),
            json!(0.5),
        )],
    };
    let nested_tuple = RlTuple {
        info: Map::from_iter([("deep".to_string(), json!({"list": [1, {"x": null}]}))]),
        terminal: true,
        ..tuple(
            json!({"pos": [1.5, 2.5], "grid": [[0, 1], [1, 0]], "label": "ü & #"}),
            json!({"steer": -0.25, "gear": [1, 2]}),
            json!(-1.0000000000000002),
        )
    };
    let nested = Episode {
        benchmark_id: bench.id.clone(),
        metadata: metadata(2),
        tuples: vec![nested_tuple.clone()],
    };
    let long = Episode {
        benchmark_id: bench.id.clone(),
        metadata: metadata(10_000),
        tuples: (0..10_000)
            .map(|i| {
                tuple(
                    json!([i as f64 / 7.0, (i as f64).sqrt()]),
                    json!(i % 3),
                    json!(1.0 / (i as f64 + 3.0)),
                )
            })
            .collect(),
    };

    let h1 = admin.record_episode(&one).await.unwrap();
    assert_eq!(h1.n_tuples, 1);
    let h2 = admin.record_episode(&nested).await.unwrap();
    assert!(h2.terminated);
    let h3 = admin.record_episode(&long).await.unwrap();
    assert_eq!(h3.n_tuples, 10_000);

    let mine = Filter::eq("metadata.tag", tag.clone());
    let headers = admin.list_episode_headers(&mine).await.unwrap();
    assert_eq!(headers.len(), 3);
    let items = admin
        .list_episode_items(&(mine.clone() & Filter::leq("metadata.n", 2)))
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    let back = items.iter().find(|i| i.id == h2.id).unwrap();
    assert_eq!(back.tuples, vec![nested_tuple]);
    let back_one = items.iter().find(|i| i.id == h1.id).unwrap();
    assert_eq!(
        back_one.tuples, one.tuples,
        "floats must survive bit-exactly"
    );

    // The stream yields what the Vec API does.
    let mut listed = admin.list_episode_items(&mine).await.unwrap();
    let mut streamed: Vec<_> = admin
        .stream_episodes(&mine)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    listed.sort_by(|a, b| a.id.cmp(&b.id));
    streamed.sort_by(|a, b| a.id.cmp(&b.id));
    assert_eq!(streamed, listed);

    match admin
        .list_episodes(&Filter::eq("id", h3.id.clone()), true)
        .await
        .unwrap()
    {
        EpisodeList::Items(items) => assert_eq!(items[0].tuples, long.tuples),
        other => panic!("asked for items, got {other:?}"),
    }
    match admin.list_episodes(&mine, false).await.unwrap() {
        EpisodeList::Headers(h) => assert_eq!(h.len(), 3),
        other => panic!("asked for headers, got {other:?}"),
    }

    admin
        .publish_episode(&h1.id, tupli::GLOBAL_GROUP)
        .await
        .unwrap();
    let published = admin
        .list_episode_headers(&Filter::eq("id", h1.id.clone()))
        .await
        .unwrap();
    assert!(published[0].published_in.iter().any(|g| g == "global"));
    admin.unpublish_episode(&h1.id, "global").await.unwrap();
    let unpublished = admin
        .list_episode_headers(&Filter::eq("id", h1.id.clone()))
        .await
        .unwrap();
    assert!(!unpublished[0].published_in.iter().any(|g| g == "global"));

    for h in [&h1, &h2, &h3] {
        admin.delete_episode(&h.id).await.unwrap();
    }
    assert!(admin.list_episode_headers(&mine).await.unwrap().is_empty());
    admin.delete_benchmark(&bench.id).await.unwrap();
}

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn an_episode_over_16_mib_is_a_typed_500() {
    let admin = admin().await;
    let bench = admin
        .store_benchmark(&benchmark(&unique("huge"), "easy"))
        .await
        .unwrap();
    let blob = "x".repeat(1024 * 1024);
    let huge = Episode {
        benchmark_id: bench.id.clone(),
        metadata: Map::new(),
        tuples: (0..17)
            .map(|_| tuple(json!(blob), json!(0), json!(0)))
            .collect(),
    };
    let err = admin.record_episode(&huge).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if status.as_u16() == 500),
        "{err}"
    );
    admin.delete_benchmark(&bench.id).await.unwrap();
}
