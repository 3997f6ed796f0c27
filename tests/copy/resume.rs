//! Failures and interruptions: a failing item is reported and the others
//! copied; a copy that failed half-way or was dropped half-way completes
//! on the next run, without duplicates.

use std::future::IntoFuture;
use std::time::Duration;
use tupli::prelude::*;

use tupli::copy::{copy, Kind, Outcome, Selection, Status};
use tupli::Filter;

use super::faulty::{Faults, Faulty};
use super::*;

#[tokio::test]
async fn a_failing_episode_does_not_stop_the_others() {
    let (_s, source) = folder();
    let (_d, dest) = folder();
    fill(&source).await;
    let faulty = Faulty::new(
        dest.clone(),
        Faults {
            fail_mark: Some(2),
            ..Faults::default()
        },
    );
    let report = copy(&source, &faulty, Selection::all())
        .concurrency(2)
        .await
        .unwrap();
    assert_eq!(counts(&report, Kind::Benchmark), (2, 0, 0));
    assert_eq!(counts(&report, Kind::Episode), (6, 0, 1));
    assert_eq!(counts(&report, Kind::Artifact), (3, 0, 0));
    assert!(report.has_failures());
    let failed: Vec<_> = report.items_with(Kind::Episode, Status::Failed).collect();
    let Outcome::Failed { error } = &failed[0].outcome else {
        unreachable!()
    };
    assert!(
        error.to_string().contains("episode 2 is refused"),
        "{error}"
    );
    assert!(!failed[0].listing);

    // The next run copies it, and nothing else.
    let report = copy(&source, &dest, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Episode), (1, 6, 0));
    assert_copied(&source, &dest).await;
}

#[tokio::test]
async fn a_failing_listing_is_reported_and_the_rest_copied() {
    let (_s, source) = folder();
    let (_d, dest) = folder();
    let ids = fill(&source).await;
    let faulty = Faulty::new(
        source.clone(),
        Faults {
            fail_episode_listing: Some(ids.a.clone()),
            ..Faults::default()
        },
    );
    let report = copy(&faulty, &dest, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Benchmark), (2, 0, 0));
    assert_eq!(counts(&report, Kind::Episode), (2, 0, 1));
    assert_eq!(counts(&report, Kind::Artifact), (3, 0, 0));
    let failed: Vec<_> = report.items_with(Kind::Episode, Status::Failed).collect();
    assert!(failed[0].listing);
    assert_eq!(failed[0].source_id, ids.a);
    assert_eq!(failed[0].label, "the episodes of benchmark cartpole");

    let report = copy(&source, &dest, Selection::all()).await.unwrap();
    assert_eq!(counts(&report, Kind::Episode), (5, 2, 0));
    assert_copied(&source, &dest).await;
}

/// Whatever write fails first — a benchmark, an episode, an artifact — the
/// failures are reported, and the next run completes the copy without a
/// duplicate.
#[tokio::test]
async fn a_copy_that_fails_half_way_resumes_without_duplicates() {
    let (_s, source) = folder();
    fill(&source).await;
    for fail_after in [0, 1, 2, 4, 6, 9, 11] {
        let (_d, dest) = folder();
        let faulty = Faulty::new(
            dest.clone(),
            Faults {
                fail_after: Some(fail_after),
                ..Faults::default()
            },
        );
        let report = copy(&source, &faulty, Selection::all()).await.unwrap();
        assert!(report.has_failures(), "after {fail_after}");
        for text in failures(&report) {
            assert!(text.contains("injected: the disk is full"), "{text}");
        }
        assert_eq!(report.count(None, Status::Copied), fail_after);
        if fail_after == 0 {
            // No benchmark: nothing of theirs is looked at.
            assert_eq!(counts(&report, Kind::Benchmark), (0, 0, 2));
            assert_eq!(report.items.len(), 2);
        }

        let report = copy(&source, &dest, Selection::all()).await.unwrap();
        assert!(!report.has_failures(), "{:?}", failures(&report));
        assert_eq!(
            report.count(None, Status::Skipped),
            fail_after,
            "after {fail_after}"
        );
        assert_copied(&source, &dest).await;
    }
}

/// Dropped while writes are in flight (a destination that stops answering
/// after some writes), the copy leaves whole objects only; the next run
/// completes it without a duplicate, and no temporary file is left.
#[tokio::test]
async fn a_dropped_copy_resumes_without_duplicates() {
    let (_s, source) = folder();
    fill(&source).await;
    let temp = tempfile::tempdir().unwrap();
    for hang_after in [0, 1, 3, 5, 8, 10, 11] {
        let (_d, dest) = folder();
        let faulty = Faulty::new(
            dest.clone(),
            Faults {
                hang_after: Some(hang_after),
                ..Faults::default()
            },
        );
        // Boxed, so that `drop(run)` below drops the copy itself.
        let mut run = Box::pin(
            copy(&source, &faulty, Selection::all())
                .temp_dir(temp.path())
                .into_future(),
        );
        tokio::select! {
            report = &mut run => panic!("after {hang_after}: it should hang, but ended: {report:?}"),
            () = faulty.hung.notified() => {}
        }
        // The writes let through before the hang finish (the copy goes on
        // meanwhile; every later write hangs), then the copy is dropped.
        while faulty.in_flight.load(std::sync::atomic::Ordering::SeqCst) > 0 {
            tokio::select! {
                report = &mut run => panic!("after {hang_after}: it should hang, but ended: {report:?}"),
                () = tokio::time::sleep(Duration::from_millis(1)) => {}
            }
        }
        drop(run);
        assert_eq!(
            faulty.writes.load(std::sync::atomic::Ordering::SeqCst),
            hang_after
        );
        assert_eq!(
            dest.list_benchmarks(&Filter::all()).await.unwrap().len(),
            hang_after.min(2)
        );

        let report = copy(&source, &dest, Selection::all())
            .temp_dir(temp.path())
            .await
            .unwrap();
        assert!(!report.has_failures(), "{:?}", failures(&report));
        assert_eq!(report.count(None, Status::Skipped), hang_after);
        assert_copied(&source, &dest).await;
        assert_eq!(
            std::fs::read_dir(temp.path()).unwrap().count(),
            0,
            "no temporary file is left"
        );
    }
}
