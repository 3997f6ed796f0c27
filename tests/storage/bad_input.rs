//! Bad input gets a clear error and leaves nothing behind.

use bytes::Bytes;
use serde_json::json;
use tupli::prelude::*;
use tupli::storage::{FileStorage, TupliStorage};
use tupli::{Error, Filter};

use super::{artifact, benchmark, capture_logs, episode, files_under, logs, storage};

#[test]
fn a_missing_folder_is_not_opened_but_created_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not/there");
    let err = FileStorage::open(&missing).unwrap_err();
    assert!(
        matches!(&err, Error::Io { source } if source.kind() == std::io::ErrorKind::NotFound),
        "{err}"
    );
    assert!(err.to_string().contains("not/there"), "{err}");
    assert!(!missing.exists(), "open makes nothing");
    let file = dir.path().join("file");
    std::fs::write(&file, b"x").unwrap();
    let err = FileStorage::open(&file).unwrap_err();
    assert!(err.to_string().contains("is not a folder"), "{err}");
    let created = FileStorage::create(&missing).unwrap();
    assert!(missing.is_dir());
    assert_eq!(created.path(), missing);
}

#[tokio::test]
async fn unknown_ids_are_not_found_everywhere() {
    let (dir, storage) = storage();
    let store: &dyn TupliStorage = &storage;
    let unknown = "0123456789abcdef0123456789abcdef";
    let bench = store.store_benchmark(&benchmark("b")).await.unwrap();
    for id in [
        unknown,
        "not-an-id",
        "../benchmarks/x",
        &bench.id.to_uppercase(),
    ] {
        let errors = [
            store.delete_benchmark(id).await.err(),
            store.delete_artifact(id).await.err(),
            store.delete_episode(id).await.err(),
            store.load_artifact(id).await.err(),
            store.publish_benchmark(id, "g").await.err(),
            store.unpublish_artifact(id, "g").await.err(),
            store.publish_episode(id, "g").await.err(),
            store
                .download_artifact_to_path(id, &dir.path().join("out"))
                .await
                .err(),
        ];
        for err in errors {
            let err = err.expect("an error");
            assert!(err.is_not_found(), "{id}: {err}");
            assert!(matches!(err, Error::NotFound { .. }), "{err}");
        }
        let err = store.load_benchmark(id).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("no benchmark with id {id:?} in {}", dir.path().display())
        );
    }
    let err = store
        .record_episode(&episode(unknown, 1, 0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NotFound {
                kind: "benchmark",
                ..
            }
        ),
        "{err}"
    );
    for bad in ["", " ", "a\nb"] {
        let err = store.load_benchmark(bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    }
    assert_eq!(
        files_under(dir.path()),
        [format!("benchmarks/{}.json", bench.id)]
    );
}

#[tokio::test]
async fn invalid_episodes_are_refused_before_writing() {
    let (dir, storage) = storage();
    let bench = storage.store_benchmark(&benchmark("b")).await.unwrap();
    let mut empty = episode(&bench.id, 1, 0);
    empty.tuples.clear();
    let err = storage.record_episode(&empty).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    let mut nan = episode(&bench.id, 2, 0);
    nan.tuples[1].reward = f64::NAN.into();
    let err = storage.record_episode(&nan).await.unwrap_err();
    assert!(err.to_string().contains("tuples[1].reward"), "{err}");
    assert!(!dir.path().join("episodes").exists());
}

#[tokio::test]
async fn filters_the_server_would_refuse_or_read_as_operators_are_refused() {
    let (_dir, storage) = storage();
    for bad in [
        Filter::eq("", 1),
        Filter::eq("a", serde_json::Value::Null),
        Filter::eq("$where", "1"),
        Filter::or([Filter::eq("metadata", json!({"$gt": 1}))]),
        Filter {
            value: Some(json!("x")),
            ..Filter::in_("a", ["x"])
        },
    ] {
        let err = storage.list_benchmarks(&bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{bad:?}: {err}");
        assert!(storage.list_episode_headers(&bad).await.is_err());
    }
    // Artifact keys are under `metadata.` on a server: `$x` is a field there.
    assert!(storage
        .list_artifacts(&Filter::eq("$x", 1))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn corrupt_files_are_named_and_skipped_in_listings() {
    capture_logs();
    let (dir, storage) = storage();
    let good = storage.store_benchmark(&benchmark("good")).await.unwrap();
    let bad_id = "00000000000000000000000000000bad";
    let bad = dir.path().join(format!("benchmarks/{bad_id}.json"));
    std::fs::write(&bad, b"{\"id\": \"00000000000000000000000000000bad\", ").unwrap();
    let err = storage.load_benchmark(bad_id).await.unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert!(
        err.to_string().contains(&bad.display().to_string()),
        "{err}"
    );
    assert_eq!(
        storage.list_benchmarks(&Filter::all()).await.unwrap(),
        std::slice::from_ref(&good)
    );
    assert!(logs().contains(&bad.display().to_string()), "{}", logs());
    // Dedup passes over it too.
    assert_eq!(
        storage.store_benchmark(&benchmark("good")).await.unwrap(),
        good
    );

    // A file under another id's name, and one that is not a benchmark.
    let renamed = dir
        .path()
        .join(format!("benchmarks/{}.json", "1".repeat(32)));
    std::fs::copy(
        dir.path().join(format!("benchmarks/{}.json", good.id)),
        &renamed,
    )
    .unwrap();
    let err = storage.load_benchmark(&"1".repeat(32)).await.unwrap_err();
    assert!(
        err.to_string().contains("not the one its name says"),
        "{err}"
    );
    std::fs::write(
        dir.path()
            .join(format!("benchmarks/{}.json", "2".repeat(32))),
        br#"{"id": "22222222222222222222222222222222", "hash": 5}"#,
    )
    .unwrap();
    assert_eq!(
        storage.list_benchmarks(&Filter::all()).await.unwrap(),
        std::slice::from_ref(&good)
    );

    let bench = good.id;
    let episode_ok = storage
        .record_episode(&episode(&bench, 2, 1))
        .await
        .unwrap();
    let broken = dir.path().join(format!("episodes/{}.json", "3".repeat(32)));
    std::fs::write(&broken, b"[1, 2").unwrap();
    let wrong_tuples = dir.path().join(format!("episodes/{}.json", "4".repeat(32)));
    let mut value = serde_json::to_value(&episode_ok).unwrap();
    value["id"] = json!("4".repeat(32));
    value["tuples"] = json!([{"state": 1}]);
    std::fs::write(&wrong_tuples, serde_json::to_vec(&value).unwrap()).unwrap();
    let items = storage.list_episode_items(&Filter::all()).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id, episode_ok.id);
    assert!(logs().contains(&broken.display().to_string()));
    assert!(logs().contains(&wrong_tuples.display().to_string()));
    // Without tuples, the header of the second one is fine.
    assert_eq!(
        storage
            .list_episode_headers(&Filter::all())
            .await
            .unwrap()
            .len(),
        2
    );

    let metadata = dir
        .path()
        .join(format!("artifacts/{}.metadata.json", "5".repeat(32)));
    std::fs::create_dir_all(metadata.parent().unwrap()).unwrap();
    std::fs::write(&metadata, b"not json").unwrap();
    let item = storage
        .store_artifact(Bytes::from_static(b"x"), &artifact("x"))
        .await
        .unwrap();
    assert_eq!(
        storage.list_artifacts(&Filter::all()).await.unwrap(),
        [item]
    );
    let err = storage.load_artifact(&"5".repeat(32)).await.unwrap_err();
    assert!(
        err.to_string().contains(&metadata.display().to_string()),
        "{err}"
    );
}

#[tokio::test]
async fn files_that_are_not_ours_are_passed_over_silently() {
    capture_logs();
    let (dir, storage) = storage();
    let bench = storage.store_benchmark(&benchmark("b")).await.unwrap();
    let header = storage
        .record_episode(&episode(&bench.id, 1, 0))
        .await
        .unwrap();
    for name in [
        "benchmarks/notes.txt",
        "benchmarks/README.json",
        "benchmarks/.hidden.json",
        "episodes/backup.json",
        "episodes/0123.json",
        "artifacts/foreign.bin",
        "artifacts/foreign.metadata.json",
        "stray.json",
    ] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"{}").unwrap();
    }
    std::fs::create_dir(dir.path().join("episodes/sub")).unwrap();
    let before = logs();
    assert_eq!(
        storage.list_benchmarks(&Filter::all()).await.unwrap(),
        [bench]
    );
    assert_eq!(
        storage.list_episode_headers(&Filter::all()).await.unwrap(),
        [header]
    );
    assert!(storage
        .list_artifacts(&Filter::all())
        .await
        .unwrap()
        .is_empty());
    assert!(
        !logs()[before.len()..].contains(&dir.path().display().to_string()),
        "no warning for foreign files"
    );
}

#[tokio::test]
async fn a_large_artifact_is_streamed_both_ways() {
    let (dir, storage) = storage();
    let source = dir.path().join("big.bin");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&source).unwrap());
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..(50 << 20) / 8 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            std::io::Write::write_all(&mut file, &seed.to_le_bytes()).unwrap();
        }
    }
    #[derive(Default)]
    struct Count(std::sync::atomic::AtomicU64);
    impl tupli::Progress for Count {
        fn advance(&self, bytes: u64) {
            self.0
                .fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
        }
    }
    let counted = std::sync::Arc::new(Count::default());
    let item = storage
        .store_artifact_from_path(&source, &artifact("big.bin"))
        .progress(std::sync::Arc::clone(&counted))
        .await
        .unwrap();
    assert_eq!(
        counted.0.load(std::sync::atomic::Ordering::Relaxed),
        50 << 20
    );
    let target = dir.path().join("copy.bin");
    storage
        .download_artifact_to_path(&item.id, &target)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&target).unwrap(),
        std::fs::read(&source).unwrap()
    );
    assert_eq!(
        storage.load_artifact(&item.id).await.unwrap().len(),
        50 << 20
    );
}
