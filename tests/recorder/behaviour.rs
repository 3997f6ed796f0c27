//! The recorder's rules one by one: the queue bound, what is retried and
//! what is reported, the key look-up after lost answers, resubmission,
//! order, dropping without `close`, bad input, and a `FileStorage`.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tupli::prelude::*;

use serde_json::{json, Map, Value};
use tupli::models::{BenchmarkMetadata, BenchmarkQuery, RlTuple};
use tupli::storage::{FileStorage, TupliStorage};
use tupli::{EpisodeRecorder, Error, Filter};

use crate::server::{Endpoint, Fault, FlakyServer};
use crate::{capture_logs, chance, client, quick, run_walk, text, RandomWalk, BENCH};

fn tuple(step: usize) -> RlTuple {
    RlTuple::new(vec![step as f64, 0.5], 1.0, -0.25)
}

/// Pushes `len` tuples and ends the episode with `metadata`; returns its key.
async fn episode(recorder: &mut EpisodeRecorder, len: usize, metadata: Value) -> String {
    for step in 0..len {
        recorder.push(tuple(step)).await.unwrap();
    }
    let Value::Object(metadata) = metadata else {
        panic!("metadata is an object")
    };
    recorder.end_episode(metadata).unwrap()
}

/// Waits (up to 20 s) until `done()`.
async fn until(mut done: impl FnMut() -> bool) {
    for _ in 0..2_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting");
}

fn recorder_for(server: &FlakyServer, benchmark: &str, attempts: u32) -> EpisodeRecorder {
    EpisodeRecorder::builder(
        Arc::new(client(&server.url(), Duration::from_secs(1))),
        benchmark,
    )
    .retry_policy(quick(attempts))
    .build()
    .unwrap()
}

/// A stalled server and a capacity of 30 tuples: the producer stops after
/// 30 tuples (one episode in flight, two queued) until the server answers,
/// and the recorder never holds more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_waits_while_the_recorder_is_full() {
    const CAPACITY: usize = 30;
    let server = FlakyServer::start(&[BENCH], |_, _| Fault::Stall);
    let mut recorder = EpisodeRecorder::builder(
        Arc::new(client(&server.url(), Duration::from_secs(30))),
        BENCH,
    )
    .capacity(CAPACITY)
    .build()
    .unwrap();
    let pushed = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut producer = tokio::spawn({
        let (pushed, peak) = (Arc::clone(&pushed), Arc::clone(&peak));
        async move {
            let mut keys = Vec::new();
            for _ in 0..20 {
                for step in 0..10 {
                    recorder.push(tuple(step)).await.unwrap();
                    pushed.fetch_add(1, Ordering::SeqCst);
                    peak.fetch_max(recorder.held_tuples(), Ordering::SeqCst);
                }
                keys.push(recorder.end_episode(Map::new()).unwrap());
            }
            (recorder, keys)
        }
    });

    let waited = tokio::time::timeout(Duration::from_millis(700), &mut producer).await;
    assert!(
        waited.is_err(),
        "the producer ran ahead of a stalled server"
    );
    assert_eq!(pushed.load(Ordering::SeqCst), CAPACITY);
    assert_eq!(server.records(), 1, "one episode in flight");

    server.release();
    let (recorder, keys) = tokio::time::timeout(Duration::from_secs(30), producer)
        .await
        .expect("the producer goes on once the server answers")
        .unwrap();
    assert!(peak.load(Ordering::SeqCst) <= CAPACITY);
    assert_eq!(pushed.load(Ordering::SeqCst), 200);
    let report = recorder.close().await;
    assert!(report.is_complete(), "{report}");
    assert_eq!(report.stored, 20);
    let counts = server.count_by_key();
    assert!(keys.iter().all(|k| counts[k] == 1));
}

/// An episode longer than the capacity is refused at the push that would
/// exceed it, instead of waiting for room that never comes.
#[tokio::test]
async fn an_episode_longer_than_the_capacity_is_refused() {
    let server = FlakyServer::start(&[BENCH], |_, _| Fault::None);
    let mut recorder = EpisodeRecorder::builder(
        Arc::new(client(&server.url(), Duration::from_secs(5))),
        BENCH,
    )
    .capacity(5)
    .build()
    .unwrap();
    for step in 0..5 {
        recorder.push(tuple(step)).await.unwrap();
    }
    let error = recorder.push(tuple(5)).await.unwrap_err();
    assert!(
        matches!(&error, Error::InvalidInput { argument: "tuple", reason } if reason.contains("capacity")),
        "{error}"
    );
    assert_eq!(recorder.episode_len(), 5);
    recorder.end_episode(Map::new()).unwrap();
    let report = recorder.close().await;
    assert_eq!(report.stored, 1);
    assert_eq!(server.stored()[0].n_tuples, 5);
}

/// A 404 (unknown benchmark) is not retried: each episode is sent once and
/// reported, whole, with its error.
#[tokio::test]
async fn failures_that_are_not_transient_are_reported_not_retried() {
    let server = FlakyServer::start(&[BENCH], |_, _| Fault::None);
    let mut recorder = recorder_for(&server, "no-such-benchmark", 8);
    let mut keys = Vec::new();
    for i in 0..3 {
        keys.push(episode(&mut recorder, 2 + i, json!({"run": i})).await);
    }
    let report = recorder.close().await;
    assert_eq!(report.stored, 0);
    assert_eq!(report.failed.len(), 3);
    for (i, failed) in report.failed.iter().enumerate() {
        assert_eq!(failed.key, keys[i]);
        assert!(failed.error.is_not_found(), "{}", failed.error);
        assert_eq!(failed.attempts, 1);
        assert!(!failed.maybe_stored);
        assert_eq!(failed.episode.tuples.len(), 2 + i);
        assert_eq!(failed.episode.benchmark_id, "no-such-benchmark");
        assert_eq!(failed.episode.metadata["run"], json!(i));
        assert_eq!(failed.episode.metadata["tupli_key"], json!(keys[i]));
        let shown = failed.to_string();
        assert!(shown.contains(&keys[i]) && shown.contains("404"), "{shown}");
    }
    assert_eq!(server.records(), 3, "sent once each");
    assert_eq!(server.lists(), 0, "a 404 stored nothing: no look-up");
    assert!(server.stored().is_empty());
}

/// A 500 may come after the episode was stored: the recorder looks for it
/// once, does not send it again, and reports it when it is not there.
#[tokio::test]
async fn a_500_is_looked_up_then_reported_not_resent() {
    let server = FlakyServer::start(&[BENCH], |endpoint, _| match endpoint {
        Endpoint::Record => Fault::Broken,
        Endpoint::List => Fault::None,
    });
    let mut recorder = recorder_for(&server, BENCH, 8);
    let key = episode(&mut recorder, 3, json!({})).await;
    let report = recorder.close().await;
    let [failed] = &report.failed[..] else {
        panic!("one failure: {report}")
    };
    assert_eq!(failed.key, key);
    assert_eq!(failed.error.status().map(|s| s.as_u16()), Some(500));
    assert!(!failed.maybe_stored, "the look-up found nothing");
    assert_eq!((server.records(), server.lists()), (1, 1));
}

/// Transient failures are retried as the policy says, then reported: a
/// refused connection never reached the server, so the episode is not
/// there.
#[tokio::test]
async fn transient_failures_are_retried_then_reported() {
    let url = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let mut recorder =
        EpisodeRecorder::builder(Arc::new(client(&url, Duration::from_secs(1))), BENCH)
            .retry_policy(quick(4))
            .build()
            .unwrap();
    let key = episode(&mut recorder, 1, json!({})).await;
    let report = recorder.close().await;
    let [failed] = &report.failed[..] else {
        panic!("one failure: {report}")
    };
    assert_eq!(failed.key, key);
    assert!(failed.error.is_retryable(), "{}", failed.error);
    assert_eq!(failed.attempts, 4);
    assert!(!failed.maybe_stored, "refused connections store nothing");
}

/// 503s and refused connections for a while, then the server is back: the
/// episode is stored once.
#[tokio::test]
async fn a_server_down_for_a_while_gets_the_episode_once_back_up() {
    let server = FlakyServer::start(&[BENCH], |endpoint, n| match (endpoint, n) {
        (Endpoint::Record, 0) => Fault::Unavailable,
        (Endpoint::Record, 1) => Fault::Down(Duration::from_millis(300)),
        _ => Fault::None,
    });
    let mut recorder = EpisodeRecorder::builder(
        Arc::new(client(&server.url(), Duration::from_secs(5))),
        BENCH,
    )
    .retry_policy(
        tupli::RetryPolicy::default()
            .with_max_attempts(10)
            .with_backoff(Duration::from_millis(20), Duration::from_millis(200)),
    )
    .build()
    .unwrap();
    let key = episode(&mut recorder, 4, json!({})).await;
    let report = recorder.close().await;
    assert!(report.is_complete(), "{report}");
    assert_eq!(server.count_by_key()[&key], 1);
    assert_eq!(server.refusals(), 1);
    assert!(server.records() >= 3);
}

/// A server's `Retry-After` is waited for (not the short backoff), up to the
/// policy's limit; a longer one ends the retries and the episode is reported
/// (a 429 stored nothing; after a 503 the episode is looked for first).
#[tokio::test]
async fn retry_after_is_honoured_up_to_the_policy() {
    let server = FlakyServer::start(&[BENCH], |endpoint, n| match (endpoint, n) {
        (Endpoint::Record, 0) => Fault::RetryAfter(429, 1),
        (Endpoint::Record, 2) => Fault::RetryAfter(429, 600),
        (Endpoint::Record, 3) => Fault::RetryAfter(503, 600),
        _ => Fault::None,
    });
    let mut recorder = recorder_for(&server, BENCH, 5);
    let started = std::time::Instant::now();
    let waited = episode(&mut recorder, 2, json!({})).await;
    until(|| recorder.pending_episodes() == 0).await;
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 waited for, not the 5 ms backoff: {:?}",
        started.elapsed()
    );
    let too_long = episode(&mut recorder, 2, json!({})).await;
    let looked_up = episode(&mut recorder, 2, json!({})).await;
    let report = recorder.close().await;
    assert_eq!(report.stored, 1, "{report}");
    assert_eq!(server.count_by_key()[&waited], 1);
    let [first, second] = &report.failed[..] else {
        panic!("two failures: {report}")
    };
    assert_eq!(first.key, too_long);
    assert!(
        matches!(first.error, Error::RetryAfterTooLong { .. }),
        "{}",
        first.error
    );
    assert_eq!((first.attempts, first.maybe_stored), (1, false));
    assert_eq!(second.key, looked_up);
    assert_eq!(second.error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!((second.attempts, second.maybe_stored), (1, false));
    assert_eq!(
        server.records(),
        4,
        "no resends after a Retry-After too long"
    );
    assert_eq!(server.lists(), 1, "only the 503 is looked for");
}

/// Each way an answer can be lost after the server stored the episode: the
/// recorder finds the episode by its key and does not send it again.
#[tokio::test]
async fn an_answer_lost_after_storing_is_found_by_key_not_sent_again() {
    for fault in [
        Fault::StoreThen504,
        Fault::StoreThen500,
        Fault::StoreThenHold(Duration::from_millis(1_500)),
        Fault::StoreThenCut,
    ] {
        let server = FlakyServer::start(&[BENCH], move |endpoint, n| match (endpoint, n) {
            (Endpoint::Record, 0) => fault,
            (Endpoint::List, 0) => Fault::Unavailable,
            _ => Fault::None,
        });
        let mut recorder = recorder_for(&server, BENCH, 8);
        let key = episode(&mut recorder, 3, json!({})).await;
        let report = recorder.close().await;
        assert!(report.is_complete(), "{fault:?}: {report}");
        assert_eq!(
            (report.stored, report.found_by_key),
            (1, 1),
            "{fault:?}: {report}"
        );
        assert_eq!(server.count_by_key()[&key], 1, "{fault:?}");
        assert_eq!(server.records(), 1, "{fault:?}: sent again");
        assert_eq!(server.lost_answers(), [key], "{fault:?}");
    }
}

/// An episode reported as maybe stored (its answer was lost and the
/// look-ups failed too) can be passed to `record` later: it is looked for
/// first, so it is stored exactly once whether or not it was stored.
#[tokio::test]
async fn resubmitting_a_reported_episode_stores_it_once() {
    let healthy = Arc::new(AtomicBool::new(false));
    let server = FlakyServer::start(&[BENCH], {
        let healthy = Arc::clone(&healthy);
        move |endpoint, n| match (endpoint, n, healthy.load(Ordering::SeqCst)) {
            (_, _, true) => Fault::None,
            (Endpoint::Record, 0, _) => Fault::StoreThenCut, // stored
            (Endpoint::Record, _, _) => Fault::Unavailable,  // not stored
            (Endpoint::List, _, _) => Fault::Unavailable,
        }
    });
    let mut recorder = recorder_for(&server, BENCH, 3);
    let stored = episode(&mut recorder, 2, json!({"which": "stored"})).await;
    let absent = episode(&mut recorder, 3, json!({"which": "absent"})).await;
    let report = recorder.close().await;
    assert_eq!(report.failed.len(), 2, "{report}");
    assert!(report.failed.iter().all(|f| f.maybe_stored), "{report}");
    assert!(report.failed[0].to_string().contains("may be stored"));
    assert_eq!(server.count_by_key().get(&stored), Some(&1));
    assert_eq!(server.count_by_key().get(&absent), None);

    healthy.store(true, Ordering::SeqCst);
    let records_before = server.records();
    let mut again = recorder_for(&server, BENCH, 3);
    for failed in report.failed {
        let key = again.record(failed.episode).await.unwrap();
        assert_eq!(key, failed.key);
    }
    let report = again.close().await;
    assert!(report.is_complete(), "{report}");
    assert_eq!((report.stored, report.found_by_key), (2, 1));
    assert_eq!(server.count_by_key()[&stored], 1);
    assert_eq!(server.count_by_key()[&absent], 1);
    assert_eq!(
        server.records() - records_before,
        1,
        "only the absent one is sent"
    );
}

/// With concurrency 1, episodes arrive in the order they ended, retries
/// and lost answers included.
#[tokio::test]
async fn one_at_a_time_keeps_the_order() {
    let server = FlakyServer::start(&[BENCH], |endpoint, n| {
        let r = chance(99, n);
        match endpoint {
            Endpoint::Record if r < 0.2 => Fault::Unavailable,
            Endpoint::Record if r < 0.4 => Fault::StoreThen504,
            Endpoint::Record if r < 0.5 => Fault::Slow(Duration::from_millis(5)),
            _ => Fault::None,
        }
    });
    let mut recorder = recorder_for(&server, BENCH, 10);
    let mut walk = RandomWalk::new(5, 3.0, 12);
    let ended = run_walk(&mut recorder, &mut walk, 40).await;
    let report = recorder.close().await;
    assert!(report.is_complete(), "{report}");
    let arrived: Vec<String> = server
        .stored()
        .into_iter()
        .map(|s| s.key.unwrap())
        .collect();
    let ended: Vec<String> = ended.into_iter().map(|(k, _)| k).collect();
    assert_eq!(arrived, ended);
    assert!(report.found_by_key > 0, "the plan loses answers");
}

/// Dropping the recorder with episodes pending warns, says how many and that
/// `close().await` waits for them; the background task goes on storing them.
#[tokio::test]
async fn dropping_without_close_warns_and_the_task_goes_on() {
    let (logs, _guard) = capture_logs();
    let server = FlakyServer::start(&[BENCH], |_, _| Fault::Stall);
    let mut recorder = recorder_for(&server, BENCH, 3);
    for _ in 0..3 {
        episode(&mut recorder, 5, json!({})).await;
    }
    recorder.push(tuple(0)).await.unwrap();
    recorder.push(tuple(1)).await.unwrap();
    until(|| server.records() == 1).await;
    drop(recorder);

    let logged = text(&logs);
    assert!(logged.contains("WARN"), "{logged}");
    for needle in [
        "EpisodeRecorder dropped without close()",
        "3 episode(s) are still being stored in the background",
        "2 tuple(s) of an unended episode are discarded",
        "recorder.close().await",
    ] {
        assert!(logged.contains(needle), "{needle:?} not in {logged}");
    }

    server.release();
    until(|| server.stored().len() == 3).await;
    until(|| text(&logs).contains("background task of a dropped EpisodeRecorder is done")).await;
    assert_eq!(server.count_by_key().len(), 3);
}

/// After a drop, failures nobody will collect are logged as errors with
/// their keys: those that happened before the drop at once, the later ones
/// when they happen.
#[tokio::test]
async fn failures_after_a_drop_are_logged_with_their_keys() {
    let (logs, _guard) = capture_logs();
    let server = FlakyServer::start(
        &[BENCH],
        |_, n| {
            if n == 0 {
                Fault::None
            } else {
                Fault::Stall
            }
        },
    );
    let mut recorder = recorder_for(&server, "no-such-benchmark", 3);
    let early = episode(&mut recorder, 1, json!({})).await;
    until(|| recorder.pending_episodes() == 0).await;
    let late = episode(&mut recorder, 1, json!({})).await;
    until(|| server.records() == 2).await;
    drop(recorder);
    let logged = text(&logs);
    assert!(
        logged.contains("ERROR") && logged.contains(&early) && logged.contains("lost"),
        "{logged}"
    );
    assert!(logged.contains("1 failed episode(s)"), "{logged}");
    server.release();
    until(|| text(&logs).matches("episode not stored and lost").count() == 2).await;
    assert!(text(&logs).contains(&late));
}

/// `close` hands back the tuples of an episode that was never ended.
#[tokio::test]
async fn close_reports_an_unended_episode() {
    let server = FlakyServer::start(&[BENCH], |_, _| Fault::None);
    let mut recorder = recorder_for(&server, BENCH, 3);
    episode(&mut recorder, 2, json!({})).await;
    recorder.push(tuple(7)).await.unwrap();
    let report = recorder.close().await;
    assert_eq!(report.stored, 1);
    assert_eq!(report.unended, [tuple(7)]);
    assert!(!report.is_complete());
    assert!(report
        .to_string()
        .contains("1 tuple(s) of an unended episode"));
}

/// Bad input is refused where it is given, and changes nothing.
#[tokio::test]
async fn bad_input_is_refused_at_once() {
    let server = FlakyServer::start(&[BENCH], |_, _| Fault::None);
    let storage: Arc<dyn TupliStorage> = Arc::new(client(&server.url(), Duration::from_secs(5)));
    for (builder, argument) in [
        (
            EpisodeRecorder::builder(Arc::clone(&storage), BENCH).capacity(0),
            "capacity",
        ),
        (
            EpisodeRecorder::builder(Arc::clone(&storage), BENCH).concurrency(0),
            "concurrency",
        ),
        (
            EpisodeRecorder::builder(Arc::clone(&storage), " "),
            "benchmark_id",
        ),
    ] {
        let error = builder.build().unwrap_err();
        assert!(
            matches!(error, Error::InvalidInput { argument: a, .. } if a == argument),
            "{error}"
        );
    }

    let mut recorder = EpisodeRecorder::new(storage, BENCH).unwrap();
    let error = recorder.end_episode(Map::new()).unwrap_err();
    assert!(error.to_string().contains("at least one tuple"), "{error}");

    let nan = RlTuple::new(vec![0.0, f64::NAN], 1.0, 0.0);
    let error = recorder.push(nan).await.unwrap_err();
    assert!(error.to_string().contains("state[1] is NaN"), "{error}");
    let inf = RlTuple::new(0.0, 1.0, f64::INFINITY);
    assert!(recorder.push(inf).await.is_err());
    assert_eq!(recorder.episode_len(), 0, "refused tuples are not added");

    recorder.push(tuple(0)).await.unwrap();
    let bad_key = Map::from_iter([("tupli_key".to_string(), json!(42))]);
    let error = recorder.end_episode(bad_key).unwrap_err();
    assert!(error.to_string().contains("tupli_key"), "{error}");
    assert_eq!(recorder.episode_len(), 1, "the episode is still there");
    recorder.end_episode(Map::new()).unwrap();

    let report = recorder.close().await;
    assert!(report.is_complete(), "{report}");
    assert_eq!(server.stored().len(), 1);
}

/// Outside a Tokio runtime there is nothing to run the background task.
#[test]
fn building_outside_a_runtime_is_an_error() {
    let storage = FileStorage::create(tempfile::tempdir().unwrap().path().join("x")).unwrap();
    let error = EpisodeRecorder::new(Arc::new(storage), BENCH).unwrap_err();
    assert!(error.to_string().contains("Tokio runtime"), "{error}");
}

/// The same recorder on a folder: every episode there once, with its
/// metadata; a resubmitted one is found by key; an unknown benchmark is
/// reported at once.
#[tokio::test]
async fn a_file_storage_works_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let storage = FileStorage::create(dir.path().join("runs")).unwrap();
    let benchmark = storage
        .store_benchmark(&BenchmarkQuery {
            hash: "walk".into(),
            serialized: json!({"env": "walk"}).to_string(),
            metadata: BenchmarkMetadata {
                name: "random walk".into(),
                description: "the recorder suite's".into(),
                difficulty: None,
                version: None,
                extra: Map::new(),
            },
        })
        .await
        .unwrap();
    let mut recorder = EpisodeRecorder::builder(Arc::new(storage.clone()), &benchmark.id)
        .concurrency(3)
        .build()
        .unwrap();
    let mut walk = RandomWalk::new(11, 4.0, 30);
    let ended = run_walk(&mut recorder, &mut walk, 25).await;
    let report = recorder.close().await;
    assert!(report.is_complete(), "{report}");
    assert_eq!((report.stored, report.found_by_key), (25, 0));

    let headers = storage.list_episode_headers(&Filter::all()).await.unwrap();
    assert_eq!(headers.len(), 25);
    let keys: HashSet<&str> = headers
        .iter()
        .map(|h| h.metadata["tupli_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys.len(), 25);
    for (i, (key, n)) in ended.iter().enumerate() {
        let header = headers
            .iter()
            .find(|h| h.metadata["tupli_key"] == json!(key))
            .unwrap();
        assert_eq!(header.n_tuples, *n as i64);
        assert_eq!(header.metadata["episode"], json!(i));
    }

    // Resubmitting a stored episode finds it by key in the folder.
    let first = storage
        .list_episode_items(&Filter::eq("metadata.tupli_key", ended[0].0.as_str()))
        .await
        .unwrap()
        .remove(0);
    let mut again = EpisodeRecorder::new(Arc::new(storage.clone()), &benchmark.id).unwrap();
    again
        .record(tupli::models::Episode {
            benchmark_id: first.benchmark_id,
            metadata: first.metadata,
            tuples: first.tuples,
        })
        .await
        .unwrap();
    let report = again.close().await;
    assert_eq!((report.stored, report.found_by_key), (1, 1));
    assert_eq!(
        storage
            .list_episode_headers(&Filter::all())
            .await
            .unwrap()
            .len(),
        25
    );

    // A benchmark the folder does not have.
    let mut missing = EpisodeRecorder::new(Arc::new(storage.clone()), "0123abcd").unwrap();
    let key = episode(&mut missing, 2, json!({})).await;
    let report = missing.close().await;
    let [failed] = &report.failed[..] else {
        panic!("one failure: {report}")
    };
    assert_eq!(failed.key, key);
    assert!(failed.error.is_not_found(), "{}", failed.error);
    assert_eq!(failed.attempts, 1);
    assert!(!failed.maybe_stored);
}
