//! 1,000 episodes of a simulated environment through a server that is slow,
//! twice down for a while, answers 503s, and loses answers after storing:
//! every episode arrives exactly once, or is reported by `close()` (and then
//! it is not on the server).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tupli::{EpisodeRecorder, FailedEpisode, RetryPolicy};

use crate::server::{Endpoint, Fault, FlakyServer};
use crate::{capture_logs, chance, client, run_walk, text, RandomWalk, BENCH};

const EPISODES: usize = 1_000;
const SEED: u64 = 0x007E_571D;
/// The client gives up reading after this; held answers last longer.
const READ_TIMEOUT: Duration = Duration::from_secs(1);

/// What the server does with each request.
fn plan(endpoint: Endpoint, n: u64) -> Fault {
    let r = chance(SEED ^ endpoint as u64, n);
    match endpoint {
        Endpoint::Record => match n {
            250 => Fault::Down(Duration::from_millis(600)),
            700 => Fault::Down(Duration::from_millis(1_000)),
            _ if r < 0.05 => Fault::Unavailable,
            _ if r < 0.09 => Fault::StoreThen504,
            _ if r < 0.11 => Fault::StoreThenHold(READ_TIMEOUT * 3 / 2),
            _ if r < 0.13 => Fault::StoreThenCut,
            _ if r < 0.135 => Fault::Broken,
            _ if r < 0.14 => Fault::StoreThen500,
            _ if r < 0.30 => Fault::Slow(Duration::from_millis(1 + (r * 1e4) as u64 % 30)),
            _ => Fault::None,
        },
        Endpoint::List => match r {
            _ if r < 0.10 => Fault::Unavailable,
            _ if r < 0.20 => Fault::Slow(Duration::from_millis(10)),
            _ => Fault::None,
        },
    }
}

// One thread, so that the background task logs where `capture_logs` listens.
#[tokio::test]
async fn a_thousand_episodes_arrive_exactly_once_or_are_reported() {
    let (logs, _guard) = capture_logs();
    let server = FlakyServer::start(&[BENCH], plan);
    let policy = RetryPolicy::default()
        .with_max_attempts(12)
        .with_backoff(Duration::from_millis(20), Duration::from_millis(500));
    let mut recorder =
        EpisodeRecorder::builder(Arc::new(client(&server.url(), READ_TIMEOUT)), BENCH)
            .capacity(400)
            .concurrency(4)
            .retry_policy(policy.clone())
            .build()
            .unwrap();
    let started = Instant::now();
    let mut walk = RandomWalk::new(SEED, 6.0, 40);
    let ended = run_walk(&mut recorder, &mut walk, EPISODES).await;
    let report = recorder.close().await;
    let elapsed = started.elapsed();

    let counts = server.count_by_key();
    let stored: HashMap<String, usize> = server
        .stored()
        .into_iter()
        .map(|s| (s.key.unwrap(), s.n_tuples))
        .collect();
    let failed: HashMap<&str, &FailedEpisode> =
        report.failed.iter().map(|f| (f.key.as_str(), f)).collect();
    assert_eq!(ended.len(), EPISODES);
    let (mut once, mut reported_absent, mut reported_maybe) = (0, 0, 0);
    for (key, n) in &ended {
        let on_server = counts.get(key).copied().unwrap_or(0);
        match failed.get(key.as_str()) {
            None => {
                assert_eq!(
                    on_server, 1,
                    "episode {key} is on the server {on_server} times"
                );
                assert_eq!(stored[key], *n, "episode {key}: tuples");
                once += 1;
            }
            Some(f) if !f.maybe_stored => {
                assert_eq!(on_server, 0, "reported episode {key} is on the server");
                assert_eq!(f.episode.tuples.len(), *n, "reported episode {key}: tuples");
                assert_eq!(f.episode.metadata["tupli_key"], key.as_str());
                reported_absent += 1;
            }
            Some(f) => {
                assert!(
                    on_server <= 1,
                    "episode {key} is on the server {on_server} times"
                );
                assert_eq!(f.episode.tuples.len(), *n);
                reported_maybe += 1;
            }
        }
    }
    for f in &report.failed {
        assert!(
            !f.error.is_retryable() || f.attempts >= policy.max_attempts,
            "{f}: a transient failure reported before the attempts ran out"
        );
    }
    assert_eq!(counts.len(), server.stored().len(), "a key stored twice");
    assert!(
        counts.keys().all(|k| ended.iter().any(|(e, _)| e == k)),
        "an episode nobody ended"
    );
    assert_eq!(report.stored, once);
    assert_eq!(report.stored + report.failed.len(), EPISODES);
    assert!(report.unended.is_empty());

    // The faults happened: answers were lost after storing (each would have
    // been a duplicate if resent blindly), and the server was down twice.
    let lost = server.lost_answers();
    let lost_not_reported = lost
        .iter()
        .filter(|k| !failed.contains_key(k.as_str()))
        .count();
    assert!(lost.len() >= 30, "only {} lost answers", lost.len());
    assert_eq!(
        report.found_by_key, lost_not_reported,
        "every stored episode whose answer was lost was found by its key"
    );
    assert_eq!(server.refusals(), 2);
    // While it was down, connections were refused (the only failures that
    // cannot have reached it), and held answers timed out.
    let logged = text(&logs);
    let retries = |what: &str| {
        logged
            .lines()
            .filter(|l| {
                l.contains("recording the episode failed; trying again") && l.contains(what)
            })
            .count()
    };
    // A send refused is logged as not having arrived; a look-up refused (the
    // first thing after the "going down" answer, which may have stored the
    // episode) names the failed connect.
    let lookups_refused = logged
        .lines()
        .filter(|l| {
            l.contains("looking for the episode failed; trying again") && l.contains("(Connect)")
        })
        .count();
    let (refused, timed_out) = (
        retries("may_have_arrived=false") + lookups_refused,
        retries("timed out"),
    );
    assert!(
        refused > 0 && timed_out > 0,
        "{refused} refused, {timed_out} timed out"
    );
    assert!(
        reported_absent >= 1,
        "the plan's 500s before storing are reported"
    );
    eprintln!(
        "{EPISODES} episodes ({} tuples) in {elapsed:.1?}: {once} stored exactly once ({} found by \
         key after {} lost answers), {reported_absent} reported and not on the server, \
         {reported_maybe} reported as maybe stored; the server got {} record and {} look-up \
         requests, was down twice ({refused} sends and look-ups refused) and held {timed_out} answers past \
         the read timeout",
        ended.iter().map(|(_, n)| n).sum::<usize>(),
        report.found_by_key,
        lost.len(),
        server.records(),
        server.lists(),
    );
}
