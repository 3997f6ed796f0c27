//! The Arrow IPC writer, and the record batches the Parquet writer shares.
//!
//! One row per tuple:
//!
//! | column | Arrow type |
//! |---|---|
//! | `episode_id` | `Utf8` |
//! | `step` | `Int32`: the tuple's index in its episode |
//! | `observations`, `next_observations` | `FixedSizeList<Float64 or Float32>[obs_dim]` |
//! | `actions` | `FixedSizeList<Float64 or Float32>[act_dim]` |
//! | `rewards` | `Float64` or `Float32` |
//! | `terminals`, `timeouts` | `Boolean` |
//!
//! Episode headers, metadata included, are a side table: a JSON array under
//! the key `tupli.episodes` of the file's metadata (the schema's, for Arrow;
//! the footer's key-value metadata, for Parquet).

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::sync::Arc;

use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{
    Array, ArrayRef, ArrowPrimitiveType, BooleanArray, FixedSizeListArray, Int32Array,
    PrimitiveArray, RecordBatch, StringArray,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};

use super::writer::{BatchWriter, EpisodeIndex, Plan};
use crate::dataset::columns::{Column, Columns, Float};
use crate::error::{Error, Result};

/// The metadata key of the episode side table.
pub(crate) const EPISODES_KEY: &str = "tupli.episodes";

/// A float column type and its Arrow counterpart.
pub(crate) trait ArrowFloat: Float {
    /// The Arrow primitive type of `Self`.
    type Arrow: ArrowPrimitiveType<Native = Self>;
}

impl ArrowFloat for f64 {
    type Arrow = Float64Type;
}

impl ArrowFloat for f32 {
    type Arrow = Float32Type;
}

/// An Arrow error: the file's own I/O error as [`Error::Io`], anything else
/// as the Arrow writer's failure (also when it builds a Parquet file's
/// batches).
pub(crate) fn arrow_error(e: ArrowError) -> Error {
    match e {
        ArrowError::IoError(_, source) => Error::Io { source },
        e => Error::export("arrow", e),
    }
}

/// The schema of a dataset with these widths; `episodes` (JSON) goes in its
/// metadata when given.
pub(crate) fn schema<T: ArrowFloat>(
    obs_dim: usize,
    act_dim: usize,
    episodes: Option<String>,
) -> Result<SchemaRef> {
    let float = T::Arrow::DATA_TYPE;
    let list = |width: usize| -> Result<DataType> {
        let width = i32::try_from(width).map_err(|_| Error::invalid("dataset", "too wide"))?;
        Ok(DataType::FixedSizeList(
            Arc::new(Field::new("item", float.clone(), false)),
            width,
        ))
    };
    let fields = vec![
        Field::new("episode_id", DataType::Utf8, false),
        Field::new("step", DataType::Int32, false),
        Field::new("observations", list(obs_dim)?, false),
        Field::new("actions", list(act_dim)?, false),
        Field::new("next_observations", list(obs_dim)?, false),
        Field::new("rewards", float.clone(), false),
        Field::new("terminals", DataType::Boolean, false),
        Field::new("timeouts", DataType::Boolean, false),
    ];
    let metadata: HashMap<String, String> = episodes
        .map(|json| HashMap::from([(EPISODES_KEY.to_string(), json)]))
        .unwrap_or_default();
    Ok(Arc::new(Schema::new_with_metadata(fields, metadata)))
}

fn floats<T: ArrowFloat>(values: Vec<T>) -> PrimitiveArray<T::Arrow> {
    PrimitiveArray::from_iter_values(values)
}

fn list<T: ArrowFloat>(column: Column<T>) -> Result<ArrayRef> {
    let width = i32::try_from(column.width()).map_err(|_| Error::invalid("dataset", "too wide"))?;
    let values: ArrayRef = Arc::new(floats(column.into_values()));
    let field = Arc::new(Field::new("item", T::Arrow::DATA_TYPE, false));
    let array = FixedSizeListArray::try_new(field, width, values, None).map_err(arrow_error)?;
    Ok(Arc::new(array))
}

/// A batch's rows as a record batch of `schema` (its columns moved, not copied).
pub(crate) fn record_batch<T: ArrowFloat>(
    schema: &SchemaRef,
    batch: Columns<T>,
) -> Result<RecordBatch> {
    let ids: StringArray = batch
        .episode_index
        .iter()
        .map(|&e| batch.episodes.get(e as usize).map(|h| h.id.as_str()))
        .collect();
    let steps: Int32Array = batch
        .steps
        .iter()
        .map(|&s| i32::try_from(s).unwrap_or(i32::MAX))
        .collect();
    let columns: Vec<ArrayRef> = vec![
        Arc::new(ids),
        Arc::new(steps),
        list(batch.observations)?,
        list(batch.actions)?,
        list(batch.next_observations)?,
        Arc::new(floats(batch.rewards)),
        Arc::new(BooleanArray::from(batch.terminals)),
        Arc::new(BooleanArray::from(batch.timeouts)),
    ];
    if let Some(nulls) = columns.first().map(|c| c.null_count()).filter(|n| *n > 0) {
        return Err(Error::invalid(
            "dataset",
            format!("{nulls} rows name no episode"),
        ));
    }
    RecordBatch::try_new(Arc::clone(schema), columns).map_err(arrow_error)
}

/// Writes an Arrow IPC file batch by batch.
pub(crate) struct ArrowWriter<T> {
    file: Option<File>,
    episodes: Option<String>,
    writer: Option<arrow_ipc::writer::FileWriter<BufWriter<File>>>,
    schema: Option<SchemaRef>,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> ArrowWriter<T> {
    /// A writer into `file`; the plan's episodes go in the schema's metadata.
    pub(crate) fn new(file: File, plan: Plan) -> Self {
        ArrowWriter {
            file: Some(file),
            episodes: Some(plan.episodes),
            writer: None,
            schema: None,
            _marker: std::marker::PhantomData,
        }
    }
}

impl<T: ArrowFloat> BatchWriter<T> for ArrowWriter<T> {
    fn batch(&mut self, batch: Columns<T>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if self.writer.is_none() {
            let schema = schema::<T>(batch.obs_dim(), batch.act_dim(), self.episodes.take())?;
            let file = self
                .file
                .take()
                .ok_or_else(|| Error::invalid("dataset", "no file"))?;
            let writer = arrow_ipc::writer::FileWriter::try_new_buffered(file, &schema)
                .map_err(arrow_error)?;
            self.writer = Some(writer);
            self.schema = Some(schema);
        }
        let (Some(writer), Some(schema)) = (self.writer.as_mut(), self.schema.as_ref()) else {
            return Ok(());
        };
        let batch = record_batch(schema, batch)?;
        writer.write(&batch).map_err(arrow_error)
    }

    fn finish(self: Box<Self>, _index: EpisodeIndex) -> Result<File> {
        let mut writer = self
            .writer
            .ok_or_else(|| Error::invalid("dataset", "nothing was written"))?;
        writer.finish().map_err(arrow_error)?;
        let buffered = writer.into_inner().map_err(arrow_error)?;
        buffered.into_inner().map_err(|e| Error::Io {
            source: e.into_error(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_own_errors_stay_io_errors() {
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        match arrow_error(ArrowError::IoError("disk full".into(), full)) {
            Error::Io { source } => assert_eq!(source.kind(), std::io::ErrorKind::StorageFull),
            other => panic!("{other}"),
        }
        let error = arrow_error(ArrowError::InvalidArgumentError("bad width".into()));
        assert!(
            matches!(
                error,
                Error::Export {
                    format: "arrow",
                    ..
                }
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("arrow writer failed") && message.contains("bad width"),
            "{message}"
        );
    }
}

/// Columns as one Arrow record batch, for handing to Arrow in memory (the
/// Python module's tables): the export's schema, the episode headers as
/// JSON under `tupli.episodes` in its metadata, the buffers moved, not
/// copied.
macro_rules! into_record_batch {
    ($($float:ty),*) => {$(
        impl Columns<$float> {
            /// Returns the columns as one Arrow record batch with the Arrow
            /// export's schema (see [`Format::Arrow`](crate::dataset::Format)),
            /// the episode headers as JSON under `tupli.episodes` in the
            /// schema's metadata. The value buffers are moved, not copied.
            pub fn into_record_batch(self) -> Result<RecordBatch> {
                let episodes = serde_json::to_string(&self.episodes)
                    .map_err(|e| Error::export("arrow", e))?;
                let schema = schema::<$float>(self.obs_dim(), self.act_dim(), Some(episodes))?;
                record_batch(&schema, self)
            }
        }
    )*};
}

into_record_batch!(f32, f64);
