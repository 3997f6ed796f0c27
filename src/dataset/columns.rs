//! Training arrays: contiguous, row-major columns named as D4RL names them,
//! and how episodes are appended to them.

use std::fmt;

use super::convert::{shape, Episode};
use crate::error::Result;
use crate::models::EpisodeHeader;

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The element type of a dataset's float columns: `f64` (exactly what was
/// stored) or `f32` (rounded to nearest, as `numpy.float32` rounds).
pub trait Float:
    Copy + PartialEq + fmt::Debug + Send + Sync + 'static + sealed::Sealed + bytemuck::Pod
{
    /// The NumPy type string of this type (`<f8`, `<f4`).
    const NUMPY: &'static str;

    /// Converts a stored value (rounding to nearest for `f32`).
    fn from_f64(value: f64) -> Self;

    /// The value as an `f64` (exact).
    fn to_f64(self) -> f64;

    /// Appends the little-endian bytes of `values` to `out`.
    fn extend_le(values: &[Self], out: &mut Vec<u8>);
}

impl Float for f64 {
    const NUMPY: &'static str = "<f8";

    fn from_f64(value: f64) -> Self {
        value
    }

    fn to_f64(self) -> f64 {
        self
    }

    fn extend_le(values: &[Self], out: &mut Vec<u8>) {
        out.reserve(values.len() * 8);
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

impl Float for f32 {
    const NUMPY: &'static str = "<f4";

    fn from_f64(value: f64) -> Self {
        // Round to nearest, ties to even: what numpy's astype(float32) does.
        value as f32
    }

    fn to_f64(self) -> f64 {
        f64::from(self)
    }

    fn extend_le(values: &[Self], out: &mut Vec<u8>) {
        out.reserve(values.len() * 4);
        for v in values {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

/// A column of rows of `width` values each, stored row after row.
#[derive(Clone, PartialEq)]
pub struct Column<T> {
    values: Vec<T>,
    width: usize,
}

impl<T> Column<T> {
    fn new(width: usize) -> Self {
        Column {
            values: Vec::new(),
            width,
        }
    }

    /// Returns every value, row after row (`len() × width()` of them).
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// Returns the number of values per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Returns the number of rows.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.width).unwrap_or(0)
    }

    /// Returns whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Returns row `i`, if there is one.
    pub fn row(&self, i: usize) -> Option<&[T]> {
        let start = i.checked_mul(self.width)?;
        self.values.get(start..start.checked_add(self.width)?)
    }

    /// Returns the rows one by one.
    pub fn rows(&self) -> impl ExactSizeIterator<Item = &[T]> + '_ {
        self.values.chunks_exact(self.width.max(1))
    }

    /// Returns the values, row after row.
    pub fn into_values(self) -> Vec<T> {
        self.values
    }
}

impl<T: fmt::Debug> fmt::Debug for Column<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Column")
            .field(
                "rows",
                &self.values.len().checked_div(self.width).unwrap_or(0),
            )
            .field("width", &self.width)
            .finish_non_exhaustive()
    }
}

/// How `next_observations` and `terminals` are made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Layout {
    /// As D4RL means them: `next_observations` within each episode (an
    /// episode's last step repeats its own observation), `terminals` and
    /// `timeouts` apart.
    #[default]
    D4rl,
    /// As pytupli 1.2.9's `convert_to_d4rl_format` makes them, for
    /// comparison with its results only: `next_observations` shifted across
    /// the whole dataset (an episode's last step points at the next
    /// episode's first observation) and `terminals` = `terminal OR timeout`.
    Pytupli,
}

/// A dataset's tuples as columns, one row per tuple, episodes one after
/// another in the order the storage answered them.
#[derive(Clone, PartialEq)]
pub struct Columns<T> {
    pub(crate) observations: Column<T>,
    pub(crate) actions: Column<T>,
    pub(crate) next_observations: Column<T>,
    pub(crate) rewards: Vec<T>,
    pub(crate) terminals: Vec<bool>,
    pub(crate) timeouts: Vec<bool>,
    pub(crate) steps: Vec<u32>,
    pub(crate) episode_index: Vec<u32>,
    pub(crate) episodes: Vec<EpisodeHeader>,
    pub(crate) episode_starts: Vec<usize>,
}

impl<T: fmt::Debug> fmt::Debug for Columns<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Columns")
            .field("rows", &self.rewards.len())
            .field("episodes", &self.episodes.len())
            .field("obs_dim", &self.observations.width)
            .field("act_dim", &self.actions.width)
            .finish_non_exhaustive()
    }
}

impl<T> Columns<T> {
    /// Returns the number of rows (tuples).
    pub fn len(&self) -> usize {
        self.rewards.len()
    }

    /// Returns whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rewards.is_empty()
    }

    /// Returns `observations` (`len() × obs_dim`): each tuple's `state`.
    pub fn observations(&self) -> &Column<T> {
        &self.observations
    }

    /// Returns `actions` (`len() × act_dim`): each tuple's `action`.
    pub fn actions(&self) -> &Column<T> {
        &self.actions
    }

    /// Returns `next_observations` (`len() × obs_dim`): the observation that
    /// followed each tuple's in its episode; an episode's last step repeats
    /// its own (see [`Layout`] for pytupli's variant).
    pub fn next_observations(&self) -> &Column<T> {
        &self.next_observations
    }

    /// Returns `rewards`: each tuple's `reward`.
    pub fn rewards(&self) -> &[T] {
        &self.rewards
    }

    /// Returns `terminals`: whether each tuple ended its episode in a
    /// terminal state.
    pub fn terminals(&self) -> &[bool] {
        &self.terminals
    }

    /// Returns `timeouts`: whether each tuple's episode was cut off there
    /// (truncated).
    pub fn timeouts(&self) -> &[bool] {
        &self.timeouts
    }

    /// Returns each row's step: its tuple's index in its episode.
    pub fn steps(&self) -> &[u32] {
        &self.steps
    }

    /// Returns each row's episode, as an index into [`Columns::episodes`].
    pub fn episode_index(&self) -> &[u32] {
        &self.episode_index
    }

    /// Returns the episodes, in row order (those with at least one row).
    pub fn episodes(&self) -> &[EpisodeHeader] {
        &self.episodes
    }

    /// Returns each episode's first row.
    pub fn episode_starts(&self) -> &[usize] {
        &self.episode_starts
    }

    /// Returns the number of values per observation.
    pub fn obs_dim(&self) -> usize {
        self.observations.width
    }

    /// Returns the number of values per action.
    pub fn act_dim(&self) -> usize {
        self.actions.width
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// An episode of `n` tuples: state `[id, t]`, action `[t]`, reward `t`,
    /// the last one terminal or cut off.
    fn episode(id: u8, n: usize, timeout: bool) -> Episode {
        let mut e = Episode {
            header: Some(
                serde_json::from_value(
                    serde_json::json!({"id": format!("e{id}"), "created_by": "u",
                    "created_at": "t", "benchmark_id": "b", "metadata": {}, "n_tuples": n,
                    "terminated": !timeout, "timeout": timeout}),
                )
                .unwrap(),
            ),
            ..Episode::default()
        };
        for t in 0..n {
            e.rows.observations.extend([f64::from(id), t as f64]);
            e.rows.actions.push(t as f64);
            e.rows.rewards.push(t as f64);
            e.rows.terminals.push(t + 1 == n && !timeout);
            e.rows.timeouts.push(t + 1 == n && timeout);
        }
        e.rows.obs_width = 2;
        e.rows.act_width = 1;
        e
    }

    fn build(layout: Layout, episodes: &[Episode]) -> Result<Columns<f64>> {
        let mut builder = ColumnsBuilder::new(layout, 4);
        for e in episodes {
            builder.push(e)?;
        }
        Ok(builder.finish())
    }

    #[test]
    fn next_observations_stay_within_each_episode() {
        let c = build(Layout::D4rl, &[episode(1, 3, false), episode(2, 2, true)]).unwrap();
        assert_eq!(c.len(), 5);
        assert_eq!((c.obs_dim(), c.act_dim()), (2, 1));
        let next: Vec<&[f64]> = c.next_observations().rows().collect();
        // Episode 1's last step repeats its own observation, never episode 2's first.
        assert_eq!(
            next,
            [
                &[1.0, 1.0][..],
                &[1.0, 2.0],
                &[1.0, 2.0],
                &[2.0, 1.0],
                &[2.0, 1.0]
            ]
        );
        assert_eq!(c.terminals(), [false, false, true, false, false]);
        assert_eq!(c.timeouts(), [false, false, false, false, true]);
        assert_eq!(c.steps(), [0, 1, 2, 0, 1]);
        assert_eq!(c.episode_index(), [0, 0, 0, 1, 1]);
        assert_eq!(c.episode_starts(), [0, 3]);
        assert_eq!(c.episodes()[1].id, "e2");
    }

    #[test]
    fn the_pytupli_layout_shifts_across_episodes_and_merges_flags() {
        let c = build(
            Layout::Pytupli,
            &[episode(1, 3, false), episode(2, 2, true)],
        )
        .unwrap();
        let next: Vec<&[f64]> = c.next_observations().rows().collect();
        assert_eq!(
            next,
            [
                &[1.0, 1.0][..],
                &[1.0, 2.0],
                &[2.0, 0.0],
                &[2.0, 1.0],
                &[2.0, 1.0]
            ]
        );
        assert_eq!(c.terminals(), [false, false, true, false, true]);
        assert_eq!(c.timeouts(), [false, false, false, false, true]);
    }

    #[test]
    fn a_kept_tuple_keeps_its_step_and_its_true_successor() {
        let mut e = episode(1, 4, false);
        e.keep = vec![true, false, true, false];
        let c = build(Layout::D4rl, &[e]).unwrap();
        assert_eq!(c.steps(), [0, 2]);
        let next: Vec<&[f64]> = c.next_observations().rows().collect();
        assert_eq!(next, [&[1.0, 1.0][..], &[1.0, 3.0]]);
        let mut none = episode(2, 2, false);
        none.keep = vec![false, false];
        let c = build(Layout::D4rl, &[none, episode(3, 1, false)]).unwrap();
        assert_eq!(c.episodes().len(), 1, "an episode without rows is left out");
        assert_eq!(c.episode_starts(), [0]);
    }

    #[test]
    fn an_episode_of_another_width_is_named() {
        let mut wide = episode(2, 2, false);
        wide.rows.observations = vec![0.0; 6];
        wide.rows.obs_width = 3;
        match build(Layout::D4rl, &[episode(1, 1, false), wide]) {
            Err(Error::Shape {
                episode_id,
                step,
                field,
                reason,
            }) => {
                assert_eq!((episode_id.as_str(), step, field), ("e2", 0, "state"));
                assert!(reason.contains("has 3 values where the dataset's first episode has 2"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn f32_rounds_to_nearest() {
        let mut e = episode(1, 1, false);
        e.rows.observations = vec![0.1, 16_777_217.0];
        let mut builder = ColumnsBuilder::<f32>::new(Layout::D4rl, 1);
        builder.push(&e).unwrap();
        let c = builder.finish();
        assert_eq!(c.observations().values(), [0.1f32, 16_777_216.0]);
    }

    #[test]
    fn minibatches_cover_every_row_once() {
        let c = build(Layout::D4rl, &[episode(1, 5, false), episode(2, 4, true)]).unwrap();
        let batches: Vec<_> = c.minibatches(4, 3).collect();
        assert_eq!(
            batches.iter().map(|b| b.rows.len()).collect::<Vec<_>>(),
            [4, 4, 1]
        );
        let mut rows: Vec<usize> = batches.iter().flat_map(|b| b.rows.clone()).collect();
        rows.sort_unstable();
        assert_eq!(rows, (0..9).collect::<Vec<_>>());
        let b = &batches[0];
        for (i, &r) in b.rows.iter().enumerate() {
            assert_eq!(
                &b.observations[i * 2..i * 2 + 2],
                c.observations().row(r).unwrap()
            );
            assert_eq!(b.rewards[i], c.rewards()[r]);
        }
        assert_eq!(c.minibatches(4, 3).next(), Some(batches[0].clone()));
    }
}
