//! Every operation of the storage trait, through `&dyn TupliStorage`.

use bytes::Bytes;
use futures::TryStreamExt;
use tupli::dataset::Dataset;
use tupli::models::EpisodeItem;
use tupli::storage::*;
use tupli::Filter;

use super::{artifact, benchmark, episode, files_under, storage};

#[tokio::test]
async fn benchmarks_round_trip_and_are_deduplicated_by_hash() {
    let (dir, storage) = storage();
    let store: &dyn TupliStorage = &storage;
    assert_eq!(store.describe(), dir.path().display().to_string());
    let query = benchmark("h1");
    let header = store.store_benchmark(&query).await.unwrap();
    assert_eq!(header.id.len(), 32);
    assert_eq!(header.created_by, "local_storage");
    assert_eq!(header.published_in, ["local_storage"]);
    assert_eq!(header.hash, "h1");
    assert_eq!(header.metadata, query.metadata);

    let again = store.store_benchmark(&query).await.unwrap();
    assert_eq!(again, header, "the same hash answers the stored header");
    let other = store.store_benchmark(&benchmark("h2")).await.unwrap();
    assert_ne!(other.id, header.id);

    let loaded = store.load_benchmark(&header.id).await.unwrap();
    assert_eq!(loaded.serialized, query.serialized);
    assert_eq!(loaded.metadata, query.metadata);
    assert_eq!(
        (&loaded.id, &loaded.created_at, &loaded.hash),
        (&header.id, &header.created_at, &header.hash)
    );

    let all = store.list_benchmarks(&Filter::all()).await.unwrap();
    assert_eq!(all.len(), 2);
    let one = store
        .list_benchmarks(&Filter::eq("hash", "h2"))
        .await
        .unwrap();
    assert_eq!(one, std::slice::from_ref(&other));

    store.publish_benchmark(&header.id, "global").await.unwrap();
    store
        .unpublish_benchmark(&header.id, "global")
        .await
        .unwrap();
    assert_eq!(
        store.load_benchmark(&header.id).await.unwrap().published_in,
        ["local_storage"],
        "publishing changes nothing in a folder"
    );

    store.delete_benchmark(&header.id).await.unwrap();
    assert!(store
        .load_benchmark(&header.id)
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(
        files_under(dir.path()),
        [format!("benchmarks/{}.json", other.id)]
    );
}

#[tokio::test]
async fn artifacts_round_trip_in_memory_and_through_files() {
    let (dir, storage) = storage();
    let store: &dyn TupliStorage = &storage;
    let bytes = Bytes::from_static(b"policy weights \x00\xff");
    let item = store
        .store_artifact(bytes.clone(), &artifact("policy.bin"))
        .await
        .unwrap();
    assert_eq!(item.name, "policy.bin");
    assert_eq!(item.created_by, "local_storage");
    assert_eq!(item.encoding, "utf-8");
    assert_eq!(
        item.hash,
        sha256_hex(&bytes),
        "pytupli's FileStorage hashes the bytes alone"
    );
    assert_eq!(store.artifact_hash(), ArtifactHash::Content);
    assert_eq!(
        item.hash,
        store.artifact_hash().of(&bytes, &item.created_by)
    );
    assert_eq!(store.load_artifact(&item.id).await.unwrap(), bytes);

    let again = store
        .store_artifact(bytes.clone(), &artifact("another name"))
        .await
        .unwrap();
    assert_eq!(again, item, "the same bytes answer the first record");

    let source = dir.path().join("source.bin");
    std::fs::write(&source, b"from a file").unwrap();
    let from_path = store
        .store_artifact_from_path(&source, &artifact("file.bin"))
        .await
        .unwrap();
    let target = dir.path().join("copy.bin");
    let downloaded = store
        .download_artifact_to_path(&from_path.id, &target)
        .await
        .unwrap();
    assert_eq!(downloaded, from_path);
    assert_eq!(std::fs::read(&target).unwrap(), b"from a file");

    let listed = store
        .list_artifacts(&Filter::eq("extra.source", "suite"))
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);
    let by_name = store
        .list_artifacts(&Filter::eq("name", "file.bin"))
        .await
        .unwrap();
    assert_eq!(by_name, std::slice::from_ref(&from_path));

    store.publish_artifact(&item.id, "global").await.unwrap();
    store.unpublish_artifact(&item.id, "global").await.unwrap();
    store.delete_artifact(&item.id).await.unwrap();
    assert!(store
        .load_artifact(&item.id)
        .await
        .unwrap_err()
        .is_not_found());
    let mut expected = vec![
        "copy.bin".to_string(),
        format!("artifacts/{}", from_path.id),
        format!("artifacts/{}.metadata.json", from_path.id),
        "source.bin".to_string(),
    ];
    expected.sort();
    assert_eq!(files_under(dir.path()), expected);
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

#[tokio::test]
async fn episodes_are_recorded_listed_streamed_and_deleted() {
    let (_dir, storage) = storage();
    let store: &dyn TupliStorage = &storage;
    let bench = store.store_benchmark(&benchmark("e")).await.unwrap();
    let first = episode(&bench.id, 3, 1);
    let header = store.record_episode(&first).await.unwrap();
    assert_eq!(header.n_tuples, 3);
    assert!(header.terminated && !header.timeout);
    assert_eq!(header.benchmark_id, bench.id);
    assert_eq!(header.metadata, first.metadata);
    let second = store
        .record_episode(&episode(&bench.id, 5, 2))
        .await
        .unwrap();

    let headers = store.list_episode_headers(&Filter::all()).await.unwrap();
    assert_eq!(headers.len(), 2);
    assert!(headers.contains(&header) && headers.contains(&second));

    let items: Vec<EpisodeItem> = store
        .list_episode_items(&Filter::eq("metadata.mark", 1))
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].tuples, first.tuples);
    assert_eq!(items[0].id, header.id);

    let streamed: Vec<_> = store
        .stream_episode_headers(&Filter::gt("n_tuples", 4))
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(streamed, std::slice::from_ref(&second));
    let raw: Vec<Bytes> = store
        .stream_episode_json(&Filter::eq("id", second.id.as_str()), false)
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(&raw[0]).unwrap();
    assert!(value.get("tuples").is_none(), "headers come without tuples");

    store.publish_episode(&header.id, "global").await.unwrap();
    store.unpublish_episode(&header.id, "global").await.unwrap();
    store.delete_episode(&header.id).await.unwrap();
    assert_eq!(
        store.list_episode_headers(&Filter::all()).await.unwrap(),
        [second]
    );
}

#[tokio::test]
async fn datasets_read_a_folder() {
    let (_dir, storage) = storage();
    let bench = storage.store_benchmark(&benchmark("d")).await.unwrap();
    for (n, mark) in [(4, 1), (2, 2)] {
        storage
            .record_episode(&episode(&bench.id, n, mark))
            .await
            .unwrap();
    }
    let other = storage.store_benchmark(&benchmark("other")).await.unwrap();
    storage
        .record_episode(&episode(&other.id, 7, 3))
        .await
        .unwrap();
    let data = Dataset::new(storage.clone()).with_benchmark_filter(Filter::eq("hash", "d"));
    assert_eq!(data.preview().await.unwrap().len(), 2);
    let columns = data.columns().await.unwrap();
    assert_eq!(columns.len(), 6);
    assert_eq!(columns.obs_dim(), 3);
    let narrowed = data.with_episode_filter(Filter::eq("metadata.mark", 2));
    assert_eq!(narrowed.columns().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_clone_is_the_same_storage_and_open_finds_what_was_written() {
    let (dir, storage) = storage();
    let clone = storage.clone();
    let header = clone.store_benchmark(&benchmark("c")).await.unwrap();
    let reopened = FileStorage::open(dir.path()).unwrap();
    assert_eq!(reopened.path(), dir.path());
    assert_eq!(
        reopened.list_benchmarks(&Filter::all()).await.unwrap(),
        [header]
    );
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    send_sync::<FileStorage>();
}
