//! Folder to folder: a whole copy, twice, a copy of a copy, selections, dry
//! runs, keys shared in the source, and what the destination is asked.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tupli::prelude::*;

use serde_json::json;
use tupli::copy::{copy, CopyProgress, Item, Kind, Outcome, Selection, Status};
use tupli::storage::TupliStorage;
use tupli::Filter;

use super::faulty::{Faults, Faulty};
use super::*;

/// Counts what a copy reports as it goes.
#[derive(Default)]
struct Seen {
    found: Mutex<BTreeMap<Kind, usize>>,
    done: AtomicUsize,
    bytes: AtomicU64,
}

impl CopyProgress for Seen {
    fn found(&self, kind: Kind, count: usize) {
        *self.found.lock().unwrap().entry(kind).or_default() += count;
    }

    fn done(&self, _item: &Item) {
        self.done.fetch_add(1, Ordering::SeqCst);
    }

    fn bytes(&self, bytes: u64) {
        self.bytes.fetch_add(bytes, Ordering::SeqCst);
    }
}

#[tokio::test]
async fn a_folder_is_copied_whole_and_a_second_run_copies_nothing() {
    let (_s, source) = folder();
    let (dest_dir, dest) = folder();
    let ids = fill(&source).await;

    let seen = Arc::new(Seen::default());
    let report = copy(&source, &dest, Selection::all())
        .progress(Arc::clone(&seen))
        .await
        .unwrap();
    assert!(failures(&report).is_empty(), "{:?}", failures(&report));
    assert_eq!(counts(&report, Kind::Benchmark), (2, 0, 0));
    assert_eq!(counts(&report, Kind::Episode), (7, 0, 0));
    assert_eq!(
        counts(&report, Kind::Artifact),
        (3, 0, 0),
        "not the loose one"
    );
    assert!(!report.dry_run);
    assert_eq!(report.from, source.describe());
    assert_eq!(report.to, dest.describe());
    assert_copied(&source, &dest).await;

    // The observer saw every item, and the bytes the report counts.
    assert_eq!(
        *seen.found.lock().unwrap(),
        BTreeMap::from([
            (Kind::Benchmark, 2),
            (Kind::Episode, 7),
            (Kind::Artifact, 3)
        ])
    );
    assert_eq!(seen.done.load(Ordering::SeqCst), report.items.len());
    assert_eq!(seen.bytes.load(Ordering::SeqCst), report.bytes());
    assert!(report.bytes() > 301_010, "{}", report.bytes());

    // Every copy's id is in the report; episodes and artifacts name their
    // source benchmark.
    let copied: BTreeMap<String, String> = report
        .items
        .iter()
        .map(|item| match &item.outcome {
            Outcome::Copied {
                destination_id: Some(id),
            } => (item.source_id.clone(), id.clone()),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(copied.len(), 12);
    for item in report.items_with(Kind::Episode, Status::Copied) {
        let of = item.benchmark_id.as_deref().unwrap();
        assert!(of == ids.a || of == ids.b);
        assert!(item.label.ends_with(" tuples"), "{}", item.label);
        assert!(item.bytes > 0);
    }

    // Again: nothing is written, everything is found where it was put.
    let before = snapshot(dest_dir.path());
    let again = copy(&source, &dest, Selection::all()).await.unwrap();
    assert_eq!(counts(&again, Kind::Benchmark), (0, 2, 0));
    assert_eq!(counts(&again, Kind::Episode), (0, 7, 0));
    assert_eq!(counts(&again, Kind::Artifact), (0, 3, 0));
    assert_eq!(snapshot(dest_dir.path()), before, "nothing written");
    for item in &again.items {
        assert_eq!(skip_reason(item), "already there");
        let Outcome::Skipped { destination_id, .. } = &item.outcome else {
            unreachable!()
        };
        assert_eq!(destination_id.as_ref(), Some(&copied[&item.source_id]));
    }
    assert_eq!(again.bytes(), 0, "nothing is read for what is there");
}

#[tokio::test]
async fn a_copy_of_a_copy_keeps_the_first_key() {
    let (_s, source) = folder();
    let (_b, second) = folder();
    let (third_dir, third) = folder();
    fill(&source).await;
    copy(&source, &second, Selection::all()).await.unwrap();
    let report = copy(&second, &third, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Episode), (7, 0, 0));
    // The third holds the source's ids as keys: a copy of the source there
    // copies nothing.
    assert_copied(&source, &third).await;
    let originals = source.list_episode_headers(&Filter::all()).await.unwrap();
    let keys: Vec<_> = third
        .list_episode_headers(&Filter::all())
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.metadata["tupli_key"].as_str().unwrap().to_string())
        .collect();
    for original in &originals {
        assert!(keys.contains(&original.id), "{}", original.id);
    }
    let before = snapshot(third_dir.path());
    let again = copy(&source, &third, Selection::all()).await.unwrap();
    assert_eq!(again.count(None, Status::Copied), 0);
    assert_eq!(snapshot(third_dir.path()), before);

    // And back: the source holds each key as an id.
    let back = copy(&third, &source, Selection::all()).await.unwrap();
    assert_eq!(back.count(None, Status::Copied), 0, "{:?}", back.items);
    assert_eq!(counts(&back, Kind::Episode), (0, 7, 0));
}

#[tokio::test]
async fn the_selection_chooses_benchmarks_and_episodes() {
    let (_s, source) = folder();
    let (_d, dest) = folder();
    let ids = fill(&source).await;
    let cartpole = Selection::all()
        .with_benchmark_filter(Filter::eq("metadata.name", "cartpole"))
        .with_episode_filter(Filter::geq("metadata.mark", 2));
    let report = copy(&source, &dest, cartpole).await.unwrap();
    assert_eq!(counts(&report, Kind::Benchmark), (1, 0, 0));
    assert_eq!(counts(&report, Kind::Episode), (3, 0, 0));
    assert_eq!(
        counts(&report, Kind::Artifact),
        (2, 0, 0),
        "the episode filter is not theirs"
    );
    for item in report.items_with(Kind::Episode, Status::Copied) {
        assert_eq!(item.benchmark_id.as_deref(), Some(ids.a.as_str()));
    }
    let copied = dest.list_episode_items(&Filter::all()).await.unwrap();
    let mut marks: Vec<_> = copied
        .iter()
        .map(|e| e.metadata["mark"].as_i64().unwrap())
        .collect();
    marks.sort();
    assert_eq!(marks, [2, 3, 4]);

    // Everything now: the rest is copied, what is there skipped.
    let report = copy(&source, &dest, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Benchmark), (1, 1, 0));
    assert_eq!(counts(&report, Kind::Episode), (4, 3, 0));
    assert_eq!(counts(&report, Kind::Artifact), (1, 2, 0));
    assert_copied(&source, &dest).await;

    // Nothing selected: nothing done.
    let none = Selection::all().with_benchmark_filter(Filter::eq("metadata.name", "nothing"));
    let report = copy(&source, &dest, none).await.unwrap();
    assert!(report.items.is_empty());
}

#[tokio::test]
async fn a_dry_run_writes_nothing_and_says_what_would_be_copied() {
    let (_s, source) = folder();
    let (dest_dir, dest) = folder();
    let ids = fill(&source).await;

    // Into an empty folder: everything would be copied.
    let report = copy(&source, &dest, Selection::all())
        .dry_run(true)
        .await
        .unwrap();
    assert!(report.dry_run);
    assert!(snapshot(dest_dir.path()).is_empty(), "nothing written");
    assert_eq!(counts(&report, Kind::Benchmark), (2, 0, 0));
    assert_eq!(counts(&report, Kind::Episode), (7, 0, 0));
    assert_eq!(counts(&report, Kind::Artifact), (3, 0, 0));
    for item in &report.items {
        assert!(
            matches!(
                item.outcome,
                Outcome::Copied {
                    destination_id: None
                }
            ),
            "{item:?}"
        );
    }

    // After a partial copy, the dry run tells what is there from what is not.
    let cartpole = Selection::all()
        .with_benchmark_filter(Filter::eq("metadata.name", "cartpole"))
        .with_episode_filter(Filter::lt("metadata.mark", 2));
    copy(&source, &dest, cartpole).await.unwrap();
    let before = snapshot(dest_dir.path());
    let report = copy(&source, &dest, Selection::all())
        .dry_run(true)
        .await
        .unwrap();
    assert_eq!(snapshot(dest_dir.path()), before, "nothing written");
    assert_eq!(counts(&report, Kind::Benchmark), (1, 1, 0));
    assert_eq!(counts(&report, Kind::Episode), (5, 2, 0));
    assert_eq!(counts(&report, Kind::Artifact), (1, 2, 0));
    let would: Vec<_> = report
        .items_with(Kind::Benchmark, Status::Copied)
        .map(|i| i.source_id.clone())
        .collect();
    assert_eq!(would, std::slice::from_ref(&ids.b));

    // The real run does what the dry run said.
    let real = copy(&source, &dest, Selection::all()).await.unwrap();
    for kind in Kind::ALL {
        assert_eq!(counts(&real, kind), counts(&report, kind), "{kind}");
    }
    assert_copied(&source, &dest).await;
}

#[tokio::test]
async fn episodes_sharing_a_key_are_copied_once() {
    let (_s, source) = folder();
    let (_d, dest) = folder();
    let b = source
        .store_benchmark(&benchmark("h", "shared"))
        .await
        .unwrap()
        .id;
    let first = source.record_episode(&episode(&b, 2, 1)).await.unwrap();
    // A copy of `first` made earlier into the same folder (it has its key).
    let mut again = episode(&b, 2, 1);
    again.metadata.insert("tupli_key".into(), json!(first.id));
    let copy_of_first = source.record_episode(&again).await.unwrap();
    // An episode whose key is a fresh one (as a recorder writes).
    let mut keyed = episode(&b, 1, 2);
    keyed.metadata.insert(
        "tupli_key".into(),
        json!("0123456789abcdef0123456789abcdef"),
    );
    source.record_episode(&keyed).await.unwrap();

    let report = copy(&source, &dest, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Episode), (2, 1, 0));
    let skipped: Vec<&Item> = report.items_with(Kind::Episode, Status::Skipped).collect();
    assert!(
        skipped[0].source_id == first.id || skipped[0].source_id == copy_of_first.id,
        "one of the two"
    );
    assert!(
        skip_reason(skipped[0]).contains("has the same key"),
        "{}",
        skip_reason(skipped[0])
    );
    let keys: Vec<String> = dest
        .list_episode_headers(&Filter::all())
        .await
        .unwrap()
        .into_iter()
        .map(|h| h.metadata["tupli_key"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.contains(&first.id));
    assert!(keys.contains(&"0123456789abcdef0123456789abcdef".to_string()));
}

/// The destination is asked which keys it holds with one filter per batch
/// of keys, never once per episode.
#[tokio::test]
async fn the_destination_is_asked_in_batches() {
    let (_s, source) = folder();
    let (_d, dest) = folder();
    let b = source
        .store_benchmark(&benchmark("h", "many"))
        .await
        .unwrap()
        .id;
    for mark in 0..250 {
        source.record_episode(&episode(&b, 1, mark)).await.unwrap();
    }
    let watched = Faulty::new(dest.clone(), Faults::default());
    let report = copy(&source, &watched, Selection::all())
        .concurrency(16)
        .await
        .unwrap();
    assert_eq!(counts(&report, Kind::Episode), (250, 0, 0));
    let asked = watched.episode_filters.lock().unwrap().clone();
    assert_eq!(asked.len(), 2, "two batches: {asked:?}");
    for filter in &asked {
        assert!(filter.contains(r#""key":"metadata.tupli_key""#), "{filter}");
        assert!(filter.contains(r#""type":"IN""#), "{filter}");
    }

    let watched = Faulty::new(dest, Faults::default());
    let report = copy(&source, &watched, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Episode), (0, 250, 0));
    assert_eq!(watched.episode_filters.lock().unwrap().len(), 2);
}
