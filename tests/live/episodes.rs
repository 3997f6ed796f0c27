//! Episodes: recording, listing, streaming, publishing, the size limit.

use futures::TryStreamExt;
use serde_json::{json, Map};
use tupli::models::{Episode, EpisodeList, RlTuple};
use tupli::prelude::*;
use tupli::{Error, Filter};

use crate::{admin, benchmark, tuple, unique};

/// Floats that are easy to lose on the way: signed zero, subnormals, the
/// extremes, and values whose shortest spelling has 17 digits, some of them
/// read from much longer spellings.
fn awkward_floats() -> Vec<f64> {
    let long: Vec<f64> = [
        "0.1000000000000000055511151231257827021181583404541015625",
        "2.2250738585072011e-308",
        "-0.30000000000000004440892098500626161694526672363281250",
        "1.00000000000000011102230246251565404236316680908203125",
    ]
    .iter()
    .map(|s| serde_json::from_str(s).unwrap())
    .collect();
    [
        -0.0,
        0.0,
        5e-324,
        -5e-324,
        f64::from_bits(0x000f_ffff_ffff_ffff), // the largest subnormal
        f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        0.1 + 0.2,
        -1.4207009740446641,
        1e21,
        123456789.12345678,
    ]
    .into_iter()
    .chain(long)
    .collect()
}

/// The bits of every float in a tuple's `state`, `action` and `reward`.
fn float_bits(tuple: &RlTuple) -> Vec<Vec<u64>> {
    [&tuple.state, &tuple.action, &tuple.reward]
        .into_iter()
        .map(|value| match value.as_floats() {
            Some(floats) => floats.iter().map(|f| f.to_bits()).collect(),
            None => value.as_f64().map(f64::to_bits).into_iter().collect(),
        })
        .collect()
}

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
        tuples: vec![
            RlTuple::new(awkward_floats(), 1.0, -0.0),
            tuple(json!([0.1, -1.4207009740446641]), json!(1), json!(5e-324)),
        ],
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
    assert_eq!(h1.n_tuples, 2);
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
    assert_eq!(back_one.tuples, one.tuples);
    // `==` takes -0.0 for 0.0: the bits must survive too.
    assert_eq!(
        back_one.tuples.iter().map(float_bits).collect::<Vec<_>>(),
        one.tuples.iter().map(float_bits).collect::<Vec<_>>(),
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
