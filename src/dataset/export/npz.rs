//! The `.npz` writer: one `.npy` array per column, in a ZIP archive that
//! `numpy.load` reads.
//!
//! When the number of rows is known before the first tuple arrives (the
//! episode headers announce it), every per-row array is laid out in the file
//! as soon as the first batch gives the widths, and each batch is written
//! straight to its place in every array: memory holds one batch, whatever
//! the dataset's size. With a tuple filter the count is only known at the
//! end, so the batches are held until then (memory: the arrays).
//!
//! | entry | dtype | shape |
//! |---|---|---|
//! | `observations.npy`, `next_observations.npy` | `<f8` / `<f4` | `(N, obs_dim)` |
//! | `actions.npy` | `<f8` / `<f4` | `(N, act_dim)` |
//! | `rewards.npy` | `<f8` / `<f4` | `(N,)` |
//! | `terminals.npy`, `timeouts.npy` | `\|b1` | `(N,)` |
//! | `steps.npy`, `episode_index.npy` | `<i4` | `(N,)` |
//! | `episode_starts.npy` | `<i8` | `(E,)` |
//! | `episode_ids.npy` | `<U…` | `(E,)` |
//! | `episodes.json` | JSON text | every episode's header, metadata included |

use std::fs::File;

use super::npy::header;
use super::writer::{BatchWriter, EpisodeIndex, Plan};
use super::zip::ZipWriter;
use crate::dataset::columns::{Columns, Float};
use crate::error::{Error, Result};

/// The per-row arrays, in file order.
const ROW_ARRAYS: [&str; 8] = [
    "observations",
    "actions",
    "next_observations",
    "rewards",
    "terminals",
    "timeouts",
    "steps",
    "episode_index",
];

/// Writes an `.npz` batch by batch.
pub(crate) struct NpzWriter<T> {
    file: Option<File>,
    zip: Option<ZipWriter>,
    /// The rows the file is laid out for; `None` until known.
    rows: Option<usize>,
    /// The zip entries of [`ROW_ARRAYS`], once laid out.
    entries: Vec<usize>,
    /// Batches held until the row count is known.
    held: Vec<Columns<T>>,
    /// Rows written so far (episode indices continue across batches).
    episodes_before: u32,
    scratch: Vec<u8>,
}

impl<T: Float> NpzWriter<T> {
    /// A writer into `file`, for the rows of `plan` when they are known now.
    pub(crate) fn new(file: File, plan: Plan) -> Self {
        NpzWriter {
            file: Some(file),
            zip: None,
            rows: plan.rows,
            entries: Vec::new(),
            held: Vec::new(),
            episodes_before: 0,
            scratch: Vec::new(),
        }
    }

    /// Lays out the per-row arrays for `rows` rows of these widths.
    fn lay_out(&mut self, rows: usize, obs_dim: usize, act_dim: usize) -> Result<()> {
        let file = self
            .file
            .take()
            .ok_or_else(|| Error::export("npz", "the archive was laid out twice"))?;
        let mut zip = ZipWriter::new(file);
        let float = std::mem::size_of::<T>();
        for name in ROW_ARRAYS {
            let (descr, shape, item) = match name {
                "observations" | "next_observations" => (T::NUMPY, vec![rows, obs_dim], float),
                "actions" => (T::NUMPY, vec![rows, act_dim], float),
                "rewards" => (T::NUMPY, vec![rows], float),
                "terminals" | "timeouts" => ("|b1", vec![rows], 1),
                _ => ("<i4", vec![rows], 4),
            };
            let head = header(descr, &shape);
            let data = shape.iter().product::<usize>() as u64 * item as u64;
            let entry = zip.add(&format!("{name}.npy"), head.len() as u64 + data)?;
            zip.write(entry, &head)?;
            self.entries.push(entry);
        }
        self.zip = Some(zip);
        Ok(())
    }

    /// Writes a batch's rows after those before.
    fn write_rows(&mut self, batch: &Columns<T>) -> Result<()> {
        let zip = self
            .zip
            .as_mut()
            .ok_or_else(|| Error::export("npz", "the archive is not laid out"))?;
        let before = self.episodes_before;
        for (name, &entry) in ROW_ARRAYS.iter().zip(&self.entries) {
            let out = &mut self.scratch;
            out.clear();
            match *name {
                "observations" => {
                    zip.write(entry, &le_bytes(batch.observations().values(), out))?
                }
                "actions" => zip.write(entry, &le_bytes(batch.actions().values(), out))?,
                "next_observations" => {
                    zip.write(entry, &le_bytes(batch.next_observations().values(), out))?
                }
                "rewards" => zip.write(entry, &le_bytes(batch.rewards(), out))?,
                "terminals" => zip.write(entry, flags(batch.terminals()))?,
                "timeouts" => zip.write(entry, flags(batch.timeouts()))?,
                "steps" => {
                    out.extend(
                        batch
                            .steps()
                            .iter()
                            .flat_map(|&s| i32::try_from(s).unwrap_or(i32::MAX).to_le_bytes()),
                    );
                    zip.write(entry, out)?;
                }
                _ => {
                    out.extend(batch.episode_index().iter().flat_map(|&e| {
                        i32::try_from(e.saturating_add(before))
                            .unwrap_or(i32::MAX)
                            .to_le_bytes()
                    }));
                    zip.write(entry, out)?;
                }
            }
        }
        let episodes = u32::try_from(batch.episodes().len()).unwrap_or(u32::MAX);
        self.episodes_before = self.episodes_before.saturating_add(episodes);
        Ok(())
    }
}

/// The little-endian bytes of `values`: the values' own memory on a
/// little-endian machine, else converted into `scratch`.
fn le_bytes<'a, T: Float>(values: &'a [T], scratch: &'a mut Vec<u8>) -> std::borrow::Cow<'a, [u8]> {
    if cfg!(target_endian = "little") {
        std::borrow::Cow::Borrowed(bytemuck::cast_slice(values))
    } else {
        T::extend_le(values, scratch);
        std::borrow::Cow::Borrowed(scratch.as_slice())
    }
}

/// NumPy's booleans are one byte each, 0 or 1: what a `bool` is in memory.
fn flags(values: &[bool]) -> &[u8] {
    bytemuck::cast_slice(values)
}

impl<T: Float> BatchWriter<T> for NpzWriter<T> {
    fn batch(&mut self, batch: Columns<T>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        match self.rows {
            Some(rows) => {
                if self.zip.is_none() {
                    self.lay_out(rows, batch.obs_dim(), batch.act_dim())?;
                }
                self.write_rows(&batch)
            }
            None => {
                self.held.push(batch);
                Ok(())
            }
        }
    }

    fn finish(mut self: Box<Self>, index: EpisodeIndex) -> Result<File> {
        if self.zip.is_none() {
            self.lay_out(index.rows, index.obs_dim, index.act_dim)?;
            for batch in std::mem::take(&mut self.held) {
                self.write_rows(&batch)?;
            }
        }
        let mut zip = self
            .zip
            .take()
            .ok_or_else(|| Error::export("npz", "the archive is not laid out"))?;
        let count = index.episodes.len();
        let mut starts = header("<i8", &[count]);
        for &s in &index.starts {
            starts.extend_from_slice(&i64::try_from(s).unwrap_or(i64::MAX).to_le_bytes());
        }
        zip.add_whole("episode_starts.npy", &starts)?;
        // NumPy's fixed-width text: UTF-32LE code points, zero-padded.
        let width = index
            .episodes
            .iter()
            .map(|e| e.id.chars().count())
            .max()
            .unwrap_or(0)
            .max(1);
        let mut ids = header(&format!("<U{width}"), &[count]);
        for episode in &index.episodes {
            let mut chars = 0;
            for c in episode.id.chars() {
                ids.extend_from_slice(&u32::from(c).to_le_bytes());
                chars += 1;
            }
            ids.resize(ids.len() + (width - chars) * 4, 0);
        }
        zip.add_whole("episode_ids.npy", &ids)?;
        let episodes = serde_json::to_vec(&index.episodes).map_err(|e| Error::export("npz", e))?;
        zip.add_whole("episodes.json", &episodes)?;
        zip.finish()
    }
}
