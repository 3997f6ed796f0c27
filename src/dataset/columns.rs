//! Training arrays: contiguous, row-major columns named as D4RL names them
//! (how episodes are appended to them is in `builder.rs`).

use std::fmt;

use crate::models::EpisodeHeader;

mod builder;

pub(crate) use builder::ColumnsBuilder;

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

    /// Returns the columns as owned parts, without copying a value: for
    /// handing the buffers to another owner (numpy arrays in Python).
    pub fn into_parts(self) -> ColumnParts<T> {
        ColumnParts {
            observations: self.observations,
            actions: self.actions,
            next_observations: self.next_observations,
            rewards: self.rewards,
            terminals: self.terminals,
            timeouts: self.timeouts,
            steps: self.steps,
            episode_index: self.episode_index,
            episodes: self.episodes,
            episode_starts: self.episode_starts,
        }
    }
}

/// [`Columns`] taken apart by [`Columns::into_parts`]: each field is what
/// the method of the same name returns.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ColumnParts<T> {
    /// `[rows × obs_dim]`.
    pub observations: Column<T>,
    /// `[rows × act_dim]`.
    pub actions: Column<T>,
    /// `[rows × obs_dim]`, made as the dataset's [`Layout`] says.
    pub next_observations: Column<T>,
    /// One per row.
    pub rewards: Vec<T>,
    /// One per row, made as the dataset's [`Layout`] says.
    pub terminals: Vec<bool>,
    /// One per row.
    pub timeouts: Vec<bool>,
    /// Each row's step within its episode.
    pub steps: Vec<u32>,
    /// Each row's episode, an index into `episodes`.
    pub episode_index: Vec<u32>,
    /// The episodes' headers, in row order.
    pub episodes: Vec<EpisodeHeader>,
    /// Each episode's first row.
    pub episode_starts: Vec<usize>,
}

#[cfg(test)]
mod tests;
