//! The file formats a dataset can be written in: [`Format`], its names,
//! extensions and descriptions (and `clap::ValueEnum`), and how much each
//! format's writer takes at a time.

use std::path::Path;

/// Bytes of column data per batch handed to the Arrow writer (a record
/// batch each).
#[cfg(feature = "arrow")]
const BATCH_BYTES: usize = 8 << 20;
/// The same for Parquet, whose writer holds a whole row group (one batch)
/// encoded and compressed in memory besides the batch itself.
#[cfg(feature = "parquet")]
const PARQUET_BATCH_BYTES: usize = 4 << 20;
/// The same for `.npz`, whose arrays are contiguous in the file whatever
/// the batches: small ones, whose memory is reused while still in cache.
#[cfg(feature = "npz")]
const NPZ_BATCH_BYTES: usize = 1 << 20;

/// A file format a dataset can be written in.
///
/// Each format is behind a cargo feature of its own. [`Format::ALL`] lists
/// those of this build, with their [names](Format::name), the
/// [extensions](Format::extensions) that stand for them
/// ([`Format::from_extension`]) and a [description](Format::description) for
/// people; with the `clap` feature the type is a `clap::ValueEnum` built from
/// them, so a command line takes the formats by name as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// A NumPy `.npz` archive: one array per D4RL key (`numpy.load`).
    #[cfg(feature = "npz")]
    Npz,
    /// An Arrow IPC file (`pyarrow.ipc.open_file`, `pandas.read_feather`,
    /// `polars.read_ipc`).
    #[cfg(feature = "arrow")]
    Arrow,
    /// A Parquet file, zstd-compressed (`pandas.read_parquet`,
    /// `polars.read_parquet`, DuckDB).
    #[cfg(feature = "parquet")]
    Parquet,
}

impl Format {
    /// Every format this build writes (one per enabled feature), in the
    /// order they are listed to people.
    pub const ALL: &'static [Format] = &[
        #[cfg(feature = "npz")]
        Format::Npz,
        #[cfg(feature = "arrow")]
        Format::Arrow,
        #[cfg(feature = "parquet")]
        Format::Parquet,
    ];

    /// Returns the format's name, lower-case: `npz`, `arrow`, `parquet` (as a
    /// command line takes it).
    pub fn name(self) -> &'static str {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => "npz",
            #[cfg(feature = "arrow")]
            Format::Arrow => "arrow",
            #[cfg(feature = "parquet")]
            Format::Parquet => "parquet",
        }
    }

    /// Returns the format's usual file extension (the first of
    /// [`Format::extensions`]).
    pub fn extension(self) -> &'static str {
        match self.extensions() {
            [usual, ..] => usual,
            [] => self.name(),
        }
    }

    /// Returns every file extension that stands for the format, lower-case
    /// and without the dot, the usual one ([`Format::extension`]) first:
    /// Arrow IPC files are also `.feather` (Feather v2 is Arrow IPC) and `.ipc`.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => &["npz"],
            #[cfg(feature = "arrow")]
            Format::Arrow => &["arrow", "feather", "ipc"],
            #[cfg(feature = "parquet")]
            Format::Parquet => &["parquet"],
        }
    }

    /// Returns the format whose [extensions](Format::extensions) include
    /// `path`'s, in any case (`A.NPZ` is an `.npz` file); `None` when it has
    /// none or another one. A name that only starts with a dot (`.npz`) has no
    /// extension.
    ///
    /// ```
    /// # #[cfg(feature = "arrow")] {
    /// use std::path::Path;
    /// use tupli::dataset::Format;
    ///
    /// assert_eq!(Format::from_extension(Path::new("runs/a.Feather")), Some(Format::Arrow));
    /// assert_eq!(Format::from_extension(Path::new("a.csv")), None);
    /// # }
    /// ```
    pub fn from_extension(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Format::ALL
            .iter()
            .copied()
            .find(|format| format.extensions().contains(&extension.as_str()))
    }

    /// Returns one line for people on what the format is and what reads it,
    /// e.g. for a command line's help.
    pub fn description(self) -> &'static str {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => "NumPy: one .npy array per column, for numpy.load",
            #[cfg(feature = "arrow")]
            Format::Arrow => "Arrow IPC (Feather v2), for pyarrow, pandas.read_feather, polars",
            #[cfg(feature = "parquet")]
            Format::Parquet => "Parquet, zstd-compressed, for pandas, polars, DuckDB",
        }
    }

    /// Bytes of column data per batch handed to this format's writer.
    pub(super) fn batch_bytes(self) -> usize {
        match self {
            #[cfg(feature = "npz")]
            Format::Npz => NPZ_BATCH_BYTES,
            #[cfg(feature = "parquet")]
            Format::Parquet => PARQUET_BATCH_BYTES,
            #[cfg(feature = "arrow")]
            Format::Arrow => BATCH_BYTES,
        }
    }
}

/// By hand, not derived: clap's derive lists every variant, also those whose
/// feature is off. The values are [`Format::ALL`], by [`Format::name`], with
/// [`Format::description`] as their help.
#[cfg(feature = "clap")]
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.description()))
    }
}

#[cfg(all(test, feature = "npz", feature = "arrow", feature = "parquet"))]
mod tests;
