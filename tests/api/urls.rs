//! Server URLs and query strings: percent-encoding, `set_url`, a base URL
//! with a path.

use std::sync::{Arc, Mutex};
use tupli::prelude::*;

use serde_json::{json, Value};
use tupli::{Error, TupliApiClient};

use crate::support::*;

/// The query as sent: every reserved character percent-encoded (space as `+`,
/// as form encoding has it), so the server decodes exactly the names given.
#[tokio::test]
async fn query_strings_are_percent_encoded() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let raw: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorder = raw.clone();
    let mock = api
        .mock_async(|when, then| {
            when.method("PUT")
                .path("/benchmarks/publish")
                .query_param("benchmark_id", ID)
                .query_param("publish_in", GROUP)
                .is_true(move |req| {
                    let query = req.uri().query().unwrap_or_default().to_string();
                    recorder.lock().unwrap().push(query);
                    true
                });
            json_reply(then, 200, Value::Null);
        })
        .await;
    client.publish_benchmark(ID, GROUP).await.unwrap();
    mock.assert_calls_async(1).await;
    let raw = raw.lock().unwrap().pop().expect("recorded");
    assert_eq!(
        raw,
        "benchmark_id=id+%C3%BC%2F1%26x%3D2%233%2B4+%2520&publish_in=R%26D+team+%231+%2B+%C3%BC%2Fx"
    );
    api.done_async().await;
}

#[tokio::test]
async fn set_url_moves_requests_and_forgets_tokens() {
    let one = Mocked::start_async().await;
    let two = Mocked::start_async().await;
    let client = one.logged_in_client().await;
    let clone = client.clone();

    // The same server (spelled with a trailing slash) keeps the login.
    client.set_url(&format!("{}/", one.url())).unwrap();
    assert!(client.is_logged_in());

    client.set_url(&two.url()).unwrap();
    assert_eq!(client.url(), two.url());
    assert!(!client.is_logged_in());
    assert!(client.tokens().is_none());
    assert_eq!(clone.url(), two.url(), "clones share the URL");
    assert!(!clone.is_logged_in(), "clones share the login state");
    let groups = two
        .ok(
            get("/access/groups/list").anonymous(),
            json!([{"name": "global"}]),
            clone.list_groups(),
        )
        .await;
    assert_eq!(groups[0].name, "global");

    // set_url moves back; login logs in there.
    client.set_url(&one.url()).unwrap();
    one.ok(
        login_request(USER, PASSWORD),
        token_pair(ACCESS, REFRESH),
        client.login(USER, PASSWORD),
    )
    .await;
    assert_eq!(client.url(), one.url());
    one.ok(get("/access/groups/list"), json!([]), client.list_groups())
        .await;

    // Rejected URLs change nothing.
    for bad in [
        "ftp://x",
        "http://user:hunter2@h",
        "not a url",
        "http://h/?q=1",
    ] {
        match client.set_url(bad) {
            Err(Error::InvalidInput { argument, reason }) => {
                assert_eq!(argument, "url");
                assert!(!reason.contains("hunter2"), "{reason}");
            }
            other => panic!("{bad}: expected InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(client.url(), one.url());
    assert!(client.is_logged_in());
    one.done_async().await;
    two.done_async().await;
}

#[tokio::test]
async fn base_url_with_a_path_prefix() {
    let api = Mocked::start_async().await;
    let client = TupliApiClient::with_url(format!("{}/api/v1/", api.url())).unwrap();
    assert_eq!(client.url(), format!("{}/api/v1", api.url()));
    api.ok(
        get("/access/groups/read")
            .at("/api/v1")
            .anonymous()
            .query("group_name", GROUP),
        json!({"name": GROUP}),
        client.read_group(GROUP),
    )
    .await;
    api.ok(
        post("/artifacts/list")
            .at("/api/v1")
            .anonymous()
            .json(all_filter()),
        json!([]),
        client.list_artifacts(&tupli::Filter::all()),
    )
    .await;
    api.done_async().await;
}
