//! A storage lent, boxed or shared is a storage: `&S`, `Box<S>` and
//! `Arc<S>`, with `S` a backend or `dyn TupliStorage`, reach the backend's
//! own operations; and `Dataset`, `EpisodeRecorder` and `copy` take every
//! one of them the same way.

use std::sync::Arc;

use tupli::copy::{copy, Kind, Selection, Status};
use tupli::dataset::Dataset;
use tupli::storage::*;
use tupli::{EpisodeRecorder, Filter};

use super::{benchmark, episode, storage};

/// Stores a benchmark and an episode through `store`, reads them back and
/// deletes them; answers what `describe` said.
async fn round_trip<S: TupliStorage>(store: S, hash: &str) -> String {
    let header = store.store_benchmark(&benchmark(hash)).await.unwrap();
    let listed = store
        .list_benchmarks(&Filter::eq("hash", hash))
        .await
        .unwrap();
    assert_eq!(listed, std::slice::from_ref(&header));
    let recorded = store
        .record_episode(&episode(&header.id, 3, 1))
        .await
        .unwrap();
    let of_it = Filter::eq("benchmark_id", header.id.as_str());
    let headers = store.list_episode_headers(&of_it).await.unwrap();
    assert_eq!(headers, std::slice::from_ref(&recorded));
    let items = store.list_episode_items(&of_it).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].tuples.len(), 3);
    store.delete_episode(&recorded.id).await.unwrap();
    store.delete_benchmark(&header.id).await.unwrap();
    assert!(store
        .list_benchmarks(&Filter::all())
        .await
        .unwrap()
        .is_empty());
    store.describe()
}

#[tokio::test]
async fn references_boxes_and_arcs_are_storages() {
    let (dir, folder) = storage();
    let described = dir.path().display().to_string();
    let shared: Arc<dyn TupliStorage> = Arc::new(folder.clone());
    let boxed: Box<dyn TupliStorage> = Box::new(folder.clone());
    let lent: &dyn TupliStorage = &folder;
    assert_eq!(round_trip(&folder, "by-ref").await, described);
    assert_eq!(round_trip(Box::new(folder.clone()), "box").await, described);
    assert_eq!(round_trip(Arc::new(folder.clone()), "arc").await, described);
    assert_eq!(round_trip(shared.clone(), "arc-dyn").await, described);
    assert_eq!(round_trip(&shared, "ref-arc-dyn").await, described);
    assert_eq!(round_trip(boxed, "box-dyn").await, described);
    assert_eq!(round_trip(lent, "ref-dyn").await, described);
}

/// Records one episode with a recorder given `kept`, then reads every
/// episode of the benchmark with a dataset given `kept`: both keep their
/// storage, whichever way it is passed.
async fn record_then_read<S: TupliStorage + Clone + 'static>(kept: S, benchmark_id: &str) -> usize {
    let mut recorder = EpisodeRecorder::new(kept.clone(), benchmark_id).unwrap();
    recorder.record(episode(benchmark_id, 2, 0)).await.unwrap();
    let report = recorder.close().await;
    assert!(report.is_complete() && report.stored == 1, "{report}");
    Dataset::new(kept).columns().await.unwrap().len()
}

#[tokio::test]
async fn dataset_recorder_and_copy_take_storages_alike() {
    let (_dir, folder) = storage();
    let id = folder
        .store_benchmark(&benchmark("alike"))
        .await
        .unwrap()
        .id;
    let shared: Arc<dyn TupliStorage> = Arc::new(folder.clone());
    assert_eq!(record_then_read(folder.clone(), &id).await, 2);
    assert_eq!(record_then_read(Arc::new(folder.clone()), &id).await, 4);
    assert_eq!(record_then_read(shared.clone(), &id).await, 6);

    // `copy` borrows: a reference to a backend, to an `Arc`, or a `dyn`.
    let (_other_dir, other) = storage();
    let first = copy(&folder, &other, Selection::all()).await.unwrap();
    assert_eq!(first.count(Some(Kind::Episode), Status::Copied), 3);
    let lent: &dyn TupliStorage = &other;
    for again in [
        copy(&shared, lent, Selection::all()).await.unwrap(),
        copy(shared.clone(), Box::new(other.clone()), Selection::all())
            .await
            .unwrap(),
    ] {
        assert_eq!(again.count(None, Status::Copied), 0, "{again:?}");
        assert_eq!(again.count(Some(Kind::Episode), Status::Skipped), 3);
    }
}
