//! Publishing and withdrawing: the same two queries for every resource.

use futures::future::LocalBoxFuture;
use serde_json::Value;
use tupli::prelude::*;
use tupli::TupliApiClient;

use crate::support::*;

/// `publish_*(id, group)` or `unpublish_*(id, group)`.
type Call =
    for<'a> fn(&'a TupliApiClient, &'a str, &'a str) -> LocalBoxFuture<'a, tupli::Result<()>>;

/// A resource that can be published: its path prefix, the name of its id in
/// the query, and its two calls.
struct Publishable {
    path: &'static str,
    id: &'static str,
    publish: Call,
    unpublish: Call,
}

fn publishable() -> [Publishable; 3] {
    [
        Publishable {
            path: "/benchmarks",
            id: "benchmark_id",
            publish: |c, id, group| Box::pin(c.publish_benchmark(id, group)),
            unpublish: |c, id, group| Box::pin(c.unpublish_benchmark(id, group)),
        },
        Publishable {
            path: "/artifacts",
            id: "artifact_id",
            publish: |c, id, group| Box::pin(c.publish_artifact(id, group)),
            unpublish: |c, id, group| Box::pin(c.unpublish_artifact(id, group)),
        },
        Publishable {
            path: "/episodes",
            id: "episode_id",
            publish: |c, id, group| Box::pin(c.publish_episode(id, group)),
            unpublish: |c, id, group| Box::pin(c.unpublish_episode(id, group)),
        },
    ]
}

#[tokio::test]
async fn publish_and_unpublish_benchmarks_artifacts_and_episodes() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    for resource in publishable() {
        for (publish_in, sent) in [(tupli::GLOBAL_GROUP, "global"), (GROUP, GROUP)] {
            api.ok(
                put(&format!("{}/publish", resource.path))
                    .query(resource.id, ID)
                    .query("publish_in", sent),
                Value::Null,
                (resource.publish)(&client, ID, publish_in),
            )
            .await;
        }
        api.ok(
            put(&format!("{}/unpublish", resource.path))
                .query(resource.id, ID)
                .query("unpublish_from", GROUP),
            Value::Null,
            (resource.unpublish)(&client, ID, GROUP),
        )
        .await;
    }
    api.done_async().await;
}
