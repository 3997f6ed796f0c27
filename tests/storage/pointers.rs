//! A storage lent, boxed or shared is a storage: `&S`, `Box<S>` and
//! `Arc<S>`, with `S` a backend or `dyn TupliStorage`, reach the backend's
//! own operations.

use std::sync::Arc;

use tupli::storage::TupliStorage;
use tupli::Filter;

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
