//! Artifacts: upload, download with hash verification, list, delete
//! (publishing: publish.rs; streaming to and from files: transfers.rs).

use std::sync::{Arc, Mutex};
use tupli::prelude::*;

use httpmock::{HttpMockRequest, Mock};
use serde_json::{json, Value};
use tupli::models::{ArtifactMetadata, ArtifactMetadataItem};
use tupli::Error;

use crate::support::*;

/// Mocks the download of [`ID`]: `bytes`, with `x-metadata` when given.
pub(crate) async fn mock_download<'a>(
    api: &'a Mocked,
    bytes: &[u8],
    metadata: Option<String>,
) -> Mock<'a> {
    let bytes = bytes.to_vec();
    api.expect_async(
        get("/artifacts/download").query("artifact_id", ID),
        move |then| {
            let then = then
                .status(200)
                .header("content-type", "application/octet-stream")
                .body(bytes);
            if let Some(metadata) = metadata {
                then.header("x-metadata", metadata);
            }
        },
    )
    .await
}

#[tokio::test]
async fn store_artifact_is_multipart() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    // Binary data, including CRLF, NUL and bytes that are not UTF-8.
    let data: Vec<u8> = b"\x00\x01\r\n--not-a-boundary\r\n\xff\xfe payload ".to_vec();
    let metadata = ArtifactMetadata {
        name: "weights ü.bin".into(),
        description: "d".into(),
        benchmark_id: Some("b1".into()),
        extra: serde_json::from_value(json!({"source": "unit test"})).unwrap(),
    };
    let hash = tupli::artifact_hash(&data, USER);

    let seen: Arc<Mutex<Option<HttpMockRequest>>> = Arc::default();
    let recorder = seen.clone();
    let mock = api
        .mock_async(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .query_param_count(".*", ".*", 0)
                .header("authorization", format!("Bearer {ACCESS}"))
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes(r#"Content-Disposition: form-data; name="data"; filename="data""#)
                .body_includes(r#"Content-Disposition: form-data; name="metadata""#)
                .body_includes("payload")
                .is_true(move |req| {
                    *recorder.lock().unwrap() = Some(req.clone());
                    true
                });
            json_reply(then, 200, artifact_item_json(&hash));
        })
        .await;
    let item = client.store_artifact(data.clone().into(), &metadata).await;
    mock.assert_calls_async(1).await;
    let item = item.unwrap();
    assert_eq!(item.id, ID);
    assert_eq!(item.hash, hash);
    assert_eq!(
        client.artifact_hash(),
        tupli::storage::ArtifactHash::WithCreator
    );
    assert_eq!(item.hash, client.artifact_hash().of(&data, USER));
    assert_eq!(item.created_by, USER);
    assert_eq!(item.encoding, "utf-8");

    let req = seen
        .lock()
        .unwrap()
        .take()
        .expect("the upload was recorded");
    let parts = multipart_parts(&req);
    assert_eq!(parts.len(), 2, "{parts:?}");
    let (data_headers, data_content) = &parts[0];
    assert!(
        data_headers.contains(r#"form-data; name="data"; filename="data""#),
        "{data_headers}"
    );
    assert_eq!(
        data_content, &data,
        "the file part holds the bytes unchanged"
    );
    let (meta_headers, meta_content) = &parts[1];
    assert_eq!(
        meta_headers,
        r#"Content-Disposition: form-data; name="metadata""#
    );
    let sent: Value = serde_json::from_slice(meta_content).unwrap();
    assert_eq!(
        sent,
        json!({"name": "weights ü.bin", "description": "d", "benchmark_id": "b1", "extra": {"source": "unit test"}})
    );
    api.done_async().await;
}

#[tokio::test]
async fn load_artifact_verifies_the_hash_from_the_header() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let data = b"\x00model \xff bytes".to_vec();
    let good = tupli::artifact_hash(&data, USER);

    // Matching hash (the header is ASCII JSON, as Python's json.dumps writes it).
    let header = ascii_json(&artifact_item_json(&good));
    assert!(header.is_ascii() && header.contains(r"\u00fc"));
    let mock = mock_download(&api, &data, Some(header)).await;
    let bytes = client.load_artifact(ID).await.unwrap();
    assert_eq!(bytes.as_ref(), data.as_slice());
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    // Upper-case hex is the same hash.
    let header = ascii_json(&artifact_item_json(&good.to_uppercase()));
    let mock = mock_download(&api, &data, Some(header)).await;
    assert_eq!(
        client.load_artifact(ID).await.unwrap().as_ref(),
        data.as_slice()
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    // Bytes that do not match the recorded hash.
    let header = ascii_json(&artifact_item_json(&good));
    let mock = mock_download(&api, b"tampered", Some(header)).await;
    match client.load_artifact(ID).await {
        Err(Error::Integrity {
            artifact_id,
            expected,
            actual,
        }) => {
            assert_eq!(artifact_id, ID);
            assert_eq!(expected, good);
            assert_eq!(actual, tupli::artifact_hash(b"tampered", USER));
        }
        other => panic!("expected Integrity, got {other:?}"),
    }
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    api.done_async().await;
}

#[tokio::test]
async fn load_artifact_without_header_looks_the_metadata_up() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let data = b"file contents".to_vec();
    let good = tupli::artifact_hash(&data, USER);
    let by_id = json!({"type": "EQ", "key": "id", "value": ID, "filters": []});

    // No header, an unreadable header, and the metadata of another artifact:
    // each falls back to POST /artifacts/list with `id == ID`.
    let mut other = artifact_item_json(&good);
    other["id"] = json!("other");
    for header in [None, Some("not json".to_string()), Some(other.to_string())] {
        let download = mock_download(&api, &data, header).await;
        let bytes = api
            .ok(
                post("/artifacts/list").json(by_id.clone()),
                json!([artifact_item_json(&good)]),
                client.load_artifact(ID),
            )
            .await;
        assert_eq!(bytes.as_ref(), data.as_slice());
        download.assert_calls_async(1).await;
        download.delete_async().await;
    }

    // The looked-up hash does not match.
    let download = mock_download(&api, &data, None).await;
    let err = api
        .err(
            post("/artifacts/list").json(by_id.clone()),
            |then| json_reply(then, 200, json!([artifact_item_json("00")])),
            client.load_artifact(ID),
        )
        .await;
    assert!(
        matches!(&err, Error::Integrity { expected, .. } if expected == "00"),
        "{err:?}"
    );
    download.delete_async().await;

    // The server does not list the artifact it sent.
    let download = mock_download(&api, &data, None).await;
    let err = api
        .err(
            post("/artifacts/list").json(by_id),
            |then| json_reply(then, 200, json!([])),
            client.load_artifact(ID),
        )
        .await;
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    download.delete_async().await;
    api.done_async().await;
}

#[tokio::test]
async fn load_artifact_with_known_metadata() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let data = b"file contents".to_vec();
    let item = artifact_item(&tupli::artifact_hash(&data, USER));

    // No x-metadata and no list request: the caller's metadata is used.
    let mock = mock_download(&api, &data, None).await;
    assert_eq!(
        client.load_artifact_with(&item).await.unwrap().as_ref(),
        data.as_slice()
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    // The caller's metadata wins over the header.
    let header = ascii_json(&artifact_item_json("ffff"));
    let mock = mock_download(&api, &data, Some(header)).await;
    assert_eq!(
        client.load_artifact_with(&item).await.unwrap().as_ref(),
        data.as_slice()
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;

    let mock = mock_download(&api, b"other bytes", None).await;
    let err = client.load_artifact_with(&item).await.unwrap_err();
    assert!(
        matches!(&err, Error::Integrity { artifact_id, .. } if artifact_id == ID),
        "{err:?}"
    );
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    api.done_async().await;
}

#[tokio::test]
async fn list_and_delete_artifact() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;

    // Without a benchmark (the field is absent).
    let mut item = artifact_item_json("abc");
    item.as_object_mut().unwrap().remove("benchmark_id");
    let items = api
        .ok(
            post("/artifacts/list").json(all_filter()),
            json!([item.clone()]),
            client.list_artifacts(&tupli::Filter::all()),
        )
        .await;
    let expected: ArtifactMetadataItem = serde_json::from_value(item).unwrap();
    assert_eq!(items, [expected]);
    assert_eq!(items[0].extra["source"], "unit test");
    assert_eq!(items[0].benchmark_id, None);
    let (filter, wire) = sample_filter();
    let items = api
        .ok(
            post("/artifacts/list").json(wire),
            json!([]),
            client.list_artifacts(&filter),
        )
        .await;
    assert!(items.is_empty());

    api.ok(
        delete("/artifacts/delete").query("artifact_id", ID),
        Value::Null,
        client.delete_artifact(ID),
    )
    .await;
    api.done_async().await;
}
