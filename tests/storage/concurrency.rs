//! Many tasks on one storage (and its clones) at once.

use std::collections::HashSet;
use tupli::prelude::*;

use bytes::Bytes;
use tupli::Filter;

use super::{artifact, benchmark, episode, storage};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_benchmark_stored_at_once_makes_one_file() {
    let (dir, storage) = storage();
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let storage = storage.clone();
            tokio::spawn(async move { storage.store_benchmark(&benchmark("same")).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 1, "every task answers the one stored benchmark");
    assert_eq!(
        std::fs::read_dir(dir.path().join("benchmarks"))
            .unwrap()
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_bytes_stored_at_once_make_one_artifact() {
    let (dir, storage) = storage();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let storage = storage.clone();
            tokio::spawn(async move {
                storage
                    .store_artifact(
                        Bytes::from(vec![42u8; 100_000]),
                        &artifact(&format!("copy {i}")),
                    )
                    .await
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 1);
    assert_eq!(
        std::fs::read_dir(dir.path().join("artifacts"))
            .unwrap()
            .count(),
        2,
        "one file and its metadata, no temporary file left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_episodes_recorded_at_once_are_all_there() {
    let (_dir, storage) = storage();
    let bench = storage.store_benchmark(&benchmark("b")).await.unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let storage = storage.clone();
            let episode = episode(&bench.id, 1 + i % 7, i as i64);
            tokio::spawn(async move { storage.record_episode(&episode).await })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 64);
    let listed = storage.list_episode_items(&Filter::all()).await.unwrap();
    assert_eq!(listed.len(), 64);
    let marks: HashSet<i64> = listed
        .iter()
        .map(|e| e.metadata["mark"].as_i64().unwrap())
        .collect();
    assert_eq!(marks, (0..64).collect());
    for item in &listed {
        let mark = item.metadata["mark"].as_i64().unwrap() as usize;
        assert_eq!(item.tuples.len(), 1 + mark % 7);
    }
}
