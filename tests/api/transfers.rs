//! Artifacts streamed to and from files, writers and readers, with their
//! hashes verified.

use std::sync::{Arc, Mutex};
use tupli::prelude::*;

use httpmock::HttpMockRequest;
use serde_json::json;
use tupli::Error;

use crate::artifacts::mock_download;
use crate::support::*;

#[tokio::test]
async fn download_to_path_writes_only_verified_bytes() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("weights.bin");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let header = ascii_json(&artifact_item_json(&tupli::artifact_hash(&data, USER)));
    let mock = mock_download(&api, &data, Some(header)).await;
    let item = client.download_artifact_to_path(ID, &target).await.unwrap();
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    assert_eq!(item.id, ID);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no partial file left"
    );

    // A mismatch: the existing file stays as it was and nothing partial remains.
    let tampered = [data.as_slice(), b"!"].concat();
    let header = ascii_json(&artifact_item_json(&tupli::artifact_hash(&data, USER)));
    let mock = mock_download(&api, &tampered, Some(header)).await;
    let err = client
        .download_artifact_to_path(ID, &target)
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    assert!(matches!(err, Error::Integrity { .. }), "{err:?}");
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    api.done_async().await;
}

#[tokio::test]
async fn download_to_a_writer_streams_and_verifies() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let data = b"streamed bytes".to_vec();
    let hash = tupli::artifact_hash(&data, USER);
    let header = ascii_json(&artifact_item_json(&hash));
    let mock = mock_download(&api, &data, Some(header.clone())).await;
    let mut sink = Vec::new();
    let item = client.download_artifact_to(ID, &mut sink).await.unwrap();
    mock.assert_calls_async(1).await;
    mock.delete_async().await;
    assert_eq!(sink, data);
    assert_eq!(item, artifact_item(&hash));

    // Bytes that do not match the recorded hash: an integrity error naming
    // both hashes (the writer got bytes it must not trust).
    let tampered = b"streamed bytes!".to_vec();
    let mock = mock_download(&api, &tampered, Some(header)).await;
    let mut sink = Vec::new();
    let err = client
        .download_artifact_to(ID, &mut sink)
        .await
        .unwrap_err();
    mock.assert_calls_async(1).await;
    match err {
        Error::Integrity {
            artifact_id,
            expected,
            actual,
        } => {
            assert_eq!(artifact_id, ID);
            assert_eq!(expected, hash);
            assert_eq!(actual, tupli::artifact_hash(&tampered, USER));
        }
        other => panic!("expected Integrity, got {other:?}"),
    }
    api.done_async().await;
}

#[tokio::test]
async fn upload_from_path_is_resent_whole_after_a_token_refresh() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
    std::fs::write(&path, &data).unwrap();
    let hash = tupli::artifact_hash(&data, USER);

    let bodies: Arc<Mutex<Vec<Vec<u8>>>> = Arc::default();
    let record = |bodies: &Arc<Mutex<Vec<Vec<u8>>>>| {
        let bodies = bodies.clone();
        move |req: &HttpMockRequest| {
            let parts = multipart_parts(req);
            bodies.lock().unwrap().push(parts[0].1.clone());
            true
        }
    };
    let rejected = api
        .mock_async(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .header("authorization", format!("Bearer {ACCESS}"))
                .is_true(record(&bodies));
            json_reply(
                then,
                401,
                json!({"detail": "Could not validate credentials"}),
            );
        })
        .await;
    let refresh = api.expect_refresh_async(REFRESH, "B").await;
    let accepted = api
        .mock_async(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .header("authorization", "Bearer B")
                .is_true(record(&bodies));
            json_reply(then, 200, artifact_item_json(&hash));
        })
        .await;
    let metadata = plain_artifact("data.bin");
    let item = client
        .store_artifact_from_path(&path, &metadata)
        .await
        .unwrap();
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    assert_eq!(item.hash, hash);
    let bodies = bodies.lock().unwrap().clone();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies.iter().all(|b| *b == data),
        "both attempts sent the whole file"
    );
    api.done_async().await;
}

#[tokio::test]
async fn an_upload_the_server_recorded_differently_is_an_integrity_error() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let wrong = tupli::artifact_hash(b"other bytes", USER);
    let reader_data = b"from a reader".to_vec();
    let metadata = plain_artifact("r");
    // The upload itself is as it should be: the bearer, the reader's bytes,
    // the metadata.
    let (expected_data, expected_metadata) = (reader_data.clone(), json!(metadata));
    let upload = api
        .mock_async(|when, then| {
            when.method("POST")
                .path("/artifacts/upload")
                .query_param_count(".*", ".*", 0)
                .header("authorization", format!("Bearer {ACCESS}"))
                .header_includes("content-type", "multipart/form-data; boundary=")
                .is_true(move |req| {
                    // (Also asked about other requests when httpmock looks for the closest.)
                    let multipart = req.headers().get("content-type").is_some_and(|v| {
                        v.as_bytes().starts_with(b"multipart/form-data; boundary=")
                    });
                    if !multipart {
                        return false;
                    }
                    let parts = multipart_parts(req);
                    parts.len() == 2
                        && parts[0].1 == expected_data
                        && serde_json::from_slice::<serde_json::Value>(&parts[1].1).ok()
                            == Some(expected_metadata.clone())
                });
            json_reply(then, 200, artifact_item_json(&wrong));
        })
        .await;
    let err = client
        .store_artifact_from_reader(
            || std::io::Cursor::new(reader_data.clone()),
            reader_data.len() as u64,
            &metadata,
        )
        .await
        .unwrap_err();
    upload.assert_calls_async(1).await;
    match err {
        Error::Integrity {
            artifact_id,
            expected,
            actual,
        } => {
            assert_eq!(artifact_id, ID);
            assert_eq!(expected, wrong);
            assert_eq!(actual, tupli::artifact_hash(&reader_data, USER));
        }
        other => panic!("expected Integrity, got {other:?}"),
    }
    api.done_async().await;
}

/// A runtime with a single blocking thread still completes uploads from and
/// downloads to paths of many chunks (more than any queue between the
/// threads holds): the threads that read, write and hash for a whole
/// transfer are not the blocking pool's, so they cannot take every pool
/// thread and wait for ever on work that needs one.
#[test]
fn transfers_complete_with_a_single_blocking_thread() {
    let runtime = runtime_with_one_blocking_thread();
    let within = |seconds| std::time::Duration::from_secs(seconds);
    runtime.block_on(async {
        let api = Mocked::start_async().await;
        let client = api.logged_in_client().await;
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..16u32 << 20).map(|i| (i % 253) as u8).collect();
        let hash = tupli::artifact_hash(&data, USER);

        let target = dir.path().join("down.bin");
        let header = ascii_json(&artifact_item_json(&hash));
        let mock = mock_download(&api, &data, Some(header)).await;
        let download = client.download_artifact_to_path(ID, &target);
        tokio::time::timeout(within(60), download)
            .await
            .expect("the download completes")
            .unwrap();
        mock.assert_calls_async(1).await;
        mock.delete_async().await;
        assert!(std::fs::read(&target).unwrap() == data);

        let upload = api
            .mock_async(|when, then| {
                when.method("POST").path("/artifacts/upload");
                json_reply(then, 200, artifact_item_json(&hash));
            })
            .await;
        let metadata = plain_artifact("down.bin");
        let item = tokio::time::timeout(
            within(60),
            client.store_artifact_from_path(&target, &metadata),
        )
        .await
        .expect("the upload completes")
        .unwrap();
        upload.assert_calls_async(1).await;
        assert_eq!(item.hash, hash);
        api.done_async().await;
    });
}
