//! The episode recorder against the reference server: 50 episodes of a small
//! environment arrive exactly once, and an episode resubmitted with its key
//! is found, not stored again.

use std::collections::HashMap;
use std::sync::Arc;
use tupli::prelude::*;

use serde_json::{json, Map};
use tupli::models::{Episode, RlTuple};
use tupli::{EpisodeRecorder, Filter};

use crate::{admin, benchmark, TestUser};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn recorder_stores_fifty_episodes_exactly_once() {
    let admin = admin().await;
    let user = TestUser::new("recorder").await;
    let bench = user
        .client
        .store_benchmark(&benchmark("recorder walk", "easy"))
        .await
        .unwrap();

    let mut recorder = EpisodeRecorder::builder(Arc::new(user.client.clone()), &bench.id)
        .concurrency(4)
        .build()
        .unwrap();
    // A walk on the integers from 0, cut off after 3 to 12 steps.
    let mut expected = HashMap::new();
    for episode in 0..50_usize {
        let (mut x, len) = (0_i64, 3 + episode % 10);
        for step in 0..len {
            let action = if (episode * 7 + step * 3) % 5 < 2 {
                -1
            } else {
                1
            };
            let mut tuple = RlTuple::new(vec![x as f64, step as f64], json!(action), -0.5);
            x += action;
            tuple.timeout = step + 1 == len;
            recorder.push(tuple).await.unwrap();
        }
        let metadata = Map::from_iter([("episode".to_string(), json!(episode))]);
        let key = recorder.end_episode(metadata).unwrap();
        expected.insert(key, (episode, len));
    }
    let report = recorder.close().await;
    assert!(report.is_complete(), "{report}");
    assert_eq!((report.stored, report.found_by_key), (50, 0));

    let of_bench = Filter::eq("benchmark_id", bench.id.as_str());
    let headers = user.client.list_episode_headers(&of_bench).await.unwrap();
    assert_eq!(headers.len(), 50);
    let mut seen = HashMap::new();
    for header in &headers {
        let key = header.metadata["tupli_key"].as_str().unwrap().to_string();
        let (episode, len) = expected[&key];
        assert_eq!(header.metadata["episode"], json!(episode));
        assert_eq!(header.n_tuples, len as i64);
        assert!(header.timeout && !header.terminated);
        *seen.entry(key).or_insert(0) += 1;
    }
    assert_eq!(seen.len(), 50, "every key once");

    // Resubmitted with its key, a stored episode is found by the server's
    // filter on metadata.tupli_key and not stored again.
    let item = user
        .client
        .list_episode_items(&Filter::eq(
            "metadata.tupli_key",
            headers[0].metadata["tupli_key"].clone(),
        ))
        .await
        .unwrap()
        .remove(0);
    let mut again = EpisodeRecorder::new(Arc::new(user.client.clone()), &bench.id).unwrap();
    again
        .record(Episode {
            benchmark_id: item.benchmark_id,
            metadata: item.metadata,
            tuples: item.tuples,
        })
        .await
        .unwrap();
    let report = again.close().await;
    assert_eq!((report.stored, report.found_by_key), (1, 1), "{report}");
    assert_eq!(
        user.client
            .list_episode_headers(&of_bench)
            .await
            .unwrap()
            .len(),
        50
    );

    for header in headers {
        user.client.delete_episode(&header.id).await.unwrap();
    }
    user.client.delete_benchmark(&bench.id).await.unwrap();
    user.delete(&admin).await;
}
