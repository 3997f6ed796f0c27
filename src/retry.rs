//! Automatic retries of requests that are safe to repeat.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::error::Error;

/// Whether an operation may be sent again after a transient failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads, `PUT`/`DELETE`, and the hash-deduplicated `store_benchmark`:
    /// repeating them cannot create anything twice.
    Safe,
    /// Operations that create something (`record_episode`, `store_artifact`,
    /// `signup`, …): never repeated blindly.
    Never,
}

/// How often and how patiently safe requests are retried after a failure
/// [`Error::is_retryable`] accepts (a broken connection, 429, 502/503/504).
///
/// The delay before retry *n* is drawn at random between half and all of
/// `min(initial_backoff × 2ⁿ⁻¹, max_backoff)` ("jitter"), so clients that
/// failed together do not retry together. When the server says how long to
/// wait (`Retry-After`), that is the delay instead, up to `max_retry_after`;
/// a longer one is not waited for: the call fails with
/// [`Error::RetryAfterTooLong`].
///
/// ```
/// use std::time::Duration;
/// let patient = tupli::RetryPolicy::default()
///     .with_max_attempts(6)
///     .with_backoff(Duration::from_millis(500), Duration::from_secs(20));
/// assert_eq!(patient.max_attempts, 6);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 switches retries off.
    pub max_attempts: u32,
    /// Delay before the first retry.
    pub initial_backoff: Duration,
    /// Longest delay between two attempts.
    pub max_backoff: Duration,
    /// Longest `Retry-After` waited for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backing off from 200 ms up to 5 s; a `Retry-After` of up
    /// to 30 s is waited for.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Creates a policy without automatic retries.
    pub fn none() -> Self {
        RetryPolicy::default().with_max_attempts(1)
    }

    /// Returns this policy with `attempts` attempts in all (1: no retries).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Returns this policy backing off from `initial` up to `max`.
    pub fn with_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max;
        self
    }

    /// Returns this policy waiting for a `Retry-After` of up to `max`.
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Whether attempt number `attempt` (1-based) that failed with `error`
    /// is followed by another.
    pub(crate) fn retries(&self, retry: Retry, attempt: u32, error: &Error) -> bool {
        retry == Retry::Safe && attempt < self.max_attempts && error.is_retryable()
    }

    /// The pause before the attempt after `attempt`, which failed with
    /// `error`: the server's `Retry-After`, else the backoff; an error when
    /// the server asks for longer than `max_retry_after`.
    pub(crate) fn pause(&self, attempt: u32, error: Error) -> Result<Duration, Error> {
        match error.retry_after() {
            Some(wait) if wait > self.max_retry_after => Err(Error::RetryAfterTooLong {
                retry_after: wait,
                allowed: self.max_retry_after,
                source: Box::new(error),
            }),
            Some(wait) => Ok(wait),
            None => Ok(self.backoff(attempt)),
        }
    }

    /// The pause before attempt `attempt + 1`.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self
            .initial_backoff
            .saturating_mul(doubling)
            .min(self.max_backoff);
        // Full jitter over the upper half, from a per-call random seed.
        let random = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        let fraction = 0.5 + (random % 1_000) as f64 / 2_000.0;
        ceiling.mul_f64(fraction)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// The documented band of the delay before retry `attempt + 1`:
    /// `[ceiling / 2, ceiling]` with `ceiling = min(initial × 2ⁿ⁻¹, max)`.
    fn band(policy: &RetryPolicy, attempt: u32) -> (Duration, Duration) {
        let ceiling = policy
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt - 1))
            .min(policy.max_backoff);
        (ceiling / 2, ceiling)
    }

    /// Every delay lies in its band, the ceiling doubles up to `max_backoff`,
    /// and the delays really are random: many distinct values, spread over
    /// the whole band (a constant, or a jitter stuck in a corner, fails).
    #[test]
    fn backoff_is_jittered_across_the_documented_band() {
        const DRAWS: usize = 2_000;
        const BINS: usize = 10;
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let (low, high) = band(&policy, attempt);
            assert_eq!(
                high,
                (Duration::from_millis(200) * 2u32.pow(attempt - 1)).min(Duration::from_secs(5)),
                "attempt {attempt}"
            );
            let draws: Vec<Duration> = (0..DRAWS).map(|_| policy.backoff(attempt)).collect();
            for d in &draws {
                assert!(
                    (low..=high).contains(d),
                    "attempt {attempt}: {d:?} outside {low:?}..={high:?}"
                );
            }
            let distinct: BTreeSet<Duration> = draws.iter().copied().collect();
            assert!(
                distinct.len() >= DRAWS / 4,
                "attempt {attempt}: only {} distinct delays in {DRAWS} draws",
                distinct.len()
            );
            // Each tenth of the band gets a fair share (10% expected; at
            // least 5% allowed, which a uniform draw misses with a
            // probability far below 1e-9).
            let width = (high - low).as_secs_f64();
            let mut bins = [0usize; BINS];
            for d in &draws {
                let at = (d.as_secs_f64() - low.as_secs_f64()) / width;
                bins[((at * BINS as f64) as usize).min(BINS - 1)] += 1;
            }
            for (i, &n) in bins.iter().enumerate() {
                assert!(
                    n >= DRAWS / BINS / 2,
                    "attempt {attempt}: tenth {i} of the band got {n} of {DRAWS} draws: {bins:?}"
                );
            }
        }
    }

    /// Two clients that failed together do not retry in step: delays drawn
    /// one after the other differ.
    #[test]
    fn consecutive_delays_differ() {
        let policy = RetryPolicy::default();
        let draws: Vec<Duration> = (0..200).map(|_| policy.backoff(1)).collect();
        let repeats = draws.windows(2).filter(|w| w[0] == w[1]).count();
        assert!(repeats <= 5, "{repeats} repeated delays in a row");
    }

    /// The server's `Retry-After` is the pause when the policy allows it;
    /// a longer one ends the retries with an error that says so.
    #[test]
    fn retry_after_is_waited_for_up_to_the_limit() {
        let asked = |seconds| Error::Api {
            status: reqwest::StatusCode::TOO_MANY_REQUESTS,
            detail: crate::error::Detail::Empty,
            retry_after: Some(Duration::from_secs(seconds)),
        };
        let policy = RetryPolicy::default();
        assert_eq!(policy.pause(1, asked(7)).unwrap(), Duration::from_secs(7));
        match policy.pause(1, asked(31)) {
            Err(Error::RetryAfterTooLong {
                retry_after,
                allowed,
                source,
            }) => {
                assert_eq!((retry_after.as_secs(), allowed.as_secs()), (31, 30));
                assert_eq!(source.status().map(|s| s.as_u16()), Some(429));
            }
            other => panic!("{other:?}"),
        }
        let message = policy.pause(1, asked(120)).unwrap_err().to_string();
        assert!(
            message.contains("retry after 120 s, longer than the retry policy waits (30 s)"),
            "{message}"
        );
        let without = Error::Api {
            status: reqwest::StatusCode::SERVICE_UNAVAILABLE,
            detail: crate::error::Detail::Empty,
            retry_after: None,
        };
        assert!(policy.pause(2, without).unwrap() <= policy.max_backoff);
    }

    /// Extreme policies stay in their band and never panic.
    #[test]
    fn extreme_policies_stay_in_band() {
        for policy in [
            RetryPolicy::default()
                .with_max_attempts(u32::MAX)
                .with_backoff(Duration::MAX, Duration::MAX),
            RetryPolicy::default()
                .with_max_attempts(u32::MAX)
                .with_backoff(Duration::from_nanos(1), Duration::from_secs(u64::MAX / 2)),
            RetryPolicy::default().with_backoff(Duration::ZERO, Duration::ZERO),
        ] {
            for attempt in [1, 2, 31, 32, 33, 64, u32::MAX] {
                let (low, high) = band(&policy, attempt);
                let d = policy.backoff(attempt);
                assert!(
                    (low..=high).contains(&d),
                    "{policy:?}, attempt {attempt}: {d:?}"
                );
            }
        }
    }
}
