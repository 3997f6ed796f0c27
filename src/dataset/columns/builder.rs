//! Appending episodes to columns: the widths fixed by the first episode with
//! rows, room reserved once, `next_observations` and `terminals` made as the
//! [`Layout`] says.

use super::{Column, Columns, Float, Layout};
use crate::dataset::convert::{shape, Episode};
use crate::error::Result;

/// Appends episodes to columns.
pub(crate) struct ColumnsBuilder<T> {
    columns: Columns<T>,
    layout: Layout,
    /// Rows expected in all, to reserve once the widths are known.
    expected_rows: usize,
    /// Whether the widths are known (from the first episode with rows).
    shaped: bool,
}

impl<T: Float> ColumnsBuilder<T> {
    /// A builder expecting about `expected_rows` rows.
    pub(crate) fn new(layout: Layout, expected_rows: usize) -> Self {
        ColumnsBuilder {
            columns: Columns {
                observations: Column::new(0),
                actions: Column::new(0),
                next_observations: Column::new(0),
                rewards: Vec::new(),
                terminals: Vec::new(),
                timeouts: Vec::new(),
                steps: Vec::new(),
                episode_index: Vec::new(),
                episodes: Vec::new(),
                episode_starts: Vec::new(),
            },
            layout,
            expected_rows,
            shaped: false,
        }
    }

    /// A builder for the rows after this one's: the same layout, and held to
    /// the widths this one has fixed.
    #[cfg(any(feature = "npz", feature = "arrow", feature = "parquet"))]
    pub(crate) fn next_batch(&self) -> Self {
        let mut next = ColumnsBuilder::new(self.layout, 0);
        if self.shaped {
            next.shaped = true;
            next.columns.observations.width = self.columns.observations.width;
            next.columns.next_observations.width = self.columns.next_observations.width;
            next.columns.actions.width = self.columns.actions.width;
            // Batches are alike: room for as many rows as this one holds.
            next.reserve(self.columns.rewards.len());
        }
        next
    }

    /// About how many bytes the columns hold so far.
    #[cfg(any(feature = "npz", feature = "arrow", feature = "parquet"))]
    pub(crate) fn approx_bytes(&self) -> usize {
        let c = &self.columns;
        let floats = c.observations.values.len()
            + c.next_observations.values.len()
            + c.actions.values.len()
            + c.rewards.len();
        floats * std::mem::size_of::<T>() + c.rewards.len() * 10
    }

    /// Appends the kept tuples of `episode` (none: the episode is left out).
    pub(crate) fn push(&mut self, episode: &Episode) -> Result<()> {
        let rows = &episode.rows;
        let Some(header) = &episode.header else {
            return Ok(());
        };
        if episode.kept_len() == 0 {
            return Ok(());
        }
        self.shape_for(&header.id, rows.obs_width, rows.act_width)?;
        let columns = &mut self.columns;
        let index = u32::try_from(columns.episodes.len()).unwrap_or(u32::MAX);
        columns.episode_starts.push(columns.rewards.len());
        columns.episodes.push(header.clone());
        let (obs_w, act_w) = (rows.obs_width, rows.act_width);
        let n = rows.len();
        for step in (0..n).filter(|&s| episode.kept(s)) {
            let next = if step + 1 < n { step + 1 } else { step };
            extend(
                &mut columns.observations.values,
                &rows.observations,
                step,
                obs_w,
            );
            extend(&mut columns.actions.values, &rows.actions, step, act_w);
            if self.layout == Layout::D4rl {
                extend(
                    &mut columns.next_observations.values,
                    &rows.observations,
                    next,
                    obs_w,
                );
            }
            let reward = rows.rewards.get(step).copied().unwrap_or_default();
            columns.rewards.push(T::from_f64(reward));
            let terminal = rows.terminals.get(step).copied().unwrap_or_default();
            let timeout = rows.timeouts.get(step).copied().unwrap_or_default();
            columns.terminals.push(match self.layout {
                Layout::D4rl => terminal,
                Layout::Pytupli => terminal || timeout,
            });
            columns.timeouts.push(timeout);
            columns.steps.push(u32::try_from(step).unwrap_or(u32::MAX));
            columns.episode_index.push(index);
        }
        Ok(())
    }

    /// Room for `rows` more rows at the fixed widths; a count the memory
    /// cannot hold (a server may claim anything) reserves nothing and the
    /// columns grow as rows come.
    fn reserve(&mut self, rows: usize) {
        let c = &mut self.columns;
        let (obs, act) = (c.observations.width, c.actions.width);
        let _ = c.observations.values.try_reserve(rows.saturating_mul(obs));
        let _ = c
            .next_observations
            .values
            .try_reserve(rows.saturating_mul(obs));
        let _ = c.actions.values.try_reserve(rows.saturating_mul(act));
        let _ = c.rewards.try_reserve(rows);
        let _ = c.terminals.try_reserve(rows);
        let _ = c.timeouts.try_reserve(rows);
        let _ = c.steps.try_reserve(rows);
        let _ = c.episode_index.try_reserve(rows);
    }

    /// Fixes the widths with the first episode, and holds later ones to them.
    fn shape_for(&mut self, episode: &str, obs: usize, act: usize) -> Result<()> {
        if !self.shaped {
            self.shaped = true;
            let c = &mut self.columns;
            c.observations.width = obs;
            c.next_observations.width = obs;
            c.actions.width = act;
            // Reserved once, so large columns are never copied while they
            // grow.
            self.reserve(self.expected_rows);
            return Ok(());
        }
        for (field, width, expected) in [
            ("state", obs, self.columns.observations.width),
            ("action", act, self.columns.actions.width),
        ] {
            if width != expected {
                return Err(shape(
                    episode,
                    0,
                    field,
                    format!("has {width} values where the dataset's first episode has {expected}"),
                ));
            }
        }
        Ok(())
    }

    /// The columns, with pytupli's `next_observations` filled in for
    /// [`Layout::Pytupli`]: each row's successor in the whole dataset, the
    /// last row's own.
    pub(crate) fn finish(mut self) -> Columns<T> {
        if self.layout == Layout::Pytupli {
            let width = self.columns.observations.width;
            let values = &self.columns.observations.values;
            let next = &mut self.columns.next_observations.values;
            next.clear();
            next.extend_from_slice(values.get(width.min(values.len())..).unwrap_or_default());
            let last = values.len().saturating_sub(width);
            next.extend_from_slice(values.get(last..).unwrap_or_default());
        }
        self.columns
    }
}

/// Appends row `row` of a `width`-wide buffer, converted.
fn extend<T: Float>(column: &mut Vec<T>, values: &[f64], row: usize, width: usize) {
    let start = row * width;
    if let Some(values) = values.get(start..start + width) {
        column.extend(values.iter().map(|&v| T::from_f64(v)));
    }
}
