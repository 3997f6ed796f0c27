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

/// How often and how patiently safe requests are retried after a connection
/// failure or a 502/503/504 answer.
///
/// The delay before retry *n* is drawn at random between half and all of
/// `min(initial_backoff × 2ⁿ⁻¹, max_backoff)` ("jitter"), so clients that
/// failed together do not retry together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; 1 switches retries off.
    pub max_attempts: u32,
    /// Delay before the first retry.
    pub initial_backoff: Duration,
    /// Longest delay between two attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, backing off from 200 ms up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Creates a policy without automatic retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Whether attempt number `attempt` (1-based) that failed with `error`
    /// is followed by another.
    pub(crate) fn retries(&self, retry: Retry, attempt: u32, error: &Error) -> bool {
        retry == Retry::Safe && attempt < self.max_attempts && error.is_transient()
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
    use super::*;

    #[test]
    fn backoff_doubles_within_bounds_with_jitter() {
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let ceiling = (policy.initial_backoff * 2u32.pow(attempt - 1)).min(policy.max_backoff);
            for _ in 0..20 {
                let d = policy.backoff(attempt);
                assert!(d <= ceiling && d >= ceiling / 2, "attempt {attempt}: {d:?}");
            }
        }
    }
}
