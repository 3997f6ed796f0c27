//! The sizes of one bench run: the full plan, or the `--quick` one, and the
//! rounds `--runs` asks for.

/// Sizes of one benchmark run.
pub(super) struct Plan {
    /// Episodes in the decode and dataset payload.
    pub(super) episodes: usize,
    /// Tuples in each of them.
    pub(super) tuples_per_episode: usize,
    /// Tuples in the episode encode records.
    pub(super) encode_tuples: usize,
    /// Size of the artifact uploaded and downloaded.
    pub(super) artifact_bytes: u64,
    /// Episodes e2e records into the reference server.
    pub(super) e2e_episodes: usize,
    /// Tuples in each of them.
    pub(super) e2e_tuples: usize,
    /// How many e2e keeps in flight at once.
    pub(super) e2e_concurrency: usize,
    /// Rounds: how many times each program runs.
    pub(super) runs: usize,
}

impl Plan {
    /// The full plan, or the quick one; `runs` rounds if given.
    pub(super) fn new(quick: bool, runs: Option<usize>) -> Plan {
        let plan = if quick {
            Plan {
                episodes: 20,
                tuples_per_episode: 1800,
                encode_tuples: 10_000,
                artifact_bytes: 64 << 20,
                e2e_episodes: 8,
                e2e_tuples: 1000,
                e2e_concurrency: 4,
                runs: 1,
            }
        } else {
            Plan {
                episodes: 200,
                tuples_per_episode: 1800,
                encode_tuples: 100_000,
                artifact_bytes: 1 << 30,
                e2e_episodes: 64,
                e2e_tuples: 1000,
                e2e_concurrency: 16,
                runs: 3,
            }
        };
        Plan {
            runs: runs.unwrap_or(plan.runs),
            ..plan
        }
    }

    /// Tuples in the decode and dataset payload.
    pub(super) fn rows(&self) -> usize {
        self.episodes * self.tuples_per_episode
    }
}
