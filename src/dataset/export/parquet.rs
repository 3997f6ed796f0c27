//! The Parquet writer: the Arrow writer's record batches (see `arrow.rs` for
//! the columns), one row group per batch, zstd-compressed; the episode side
//! table in the footer's key-value metadata under `tupli.episodes`.

use std::fs::File;

use parquet::basic::{Compression, ZstdLevel};
use parquet::errors::ParquetError;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use parquet::schema::types::ColumnPath;

use super::arrow::{record_batch, schema, ArrowFloat, EPISODES_KEY};
use super::writer::{BatchWriter, EpisodeIndex, Plan};
use crate::dataset::columns::Columns;
use crate::error::{Error, Result};

/// The Parquet writer's error: the file's own I/O error as [`Error::Io`],
/// anything else as the writer's failure.
fn parquet_error(e: ParquetError) -> Error {
    match e {
        ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => Error::Io { source: *io },
            Err(inner) => Error::export("parquet", inner),
        },
        e => Error::export("parquet", e),
    }
}

/// Writes a Parquet file batch by batch.
pub(crate) struct ParquetWriter<T> {
    file: Option<File>,
    episodes: Option<String>,
    writer: Option<parquet::arrow::ArrowWriter<File>>,
    schema: Option<arrow_schema::SchemaRef>,
    _marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> ParquetWriter<T> {
    /// A writer into `file`; the plan's episodes go in the footer.
    pub(crate) fn new(file: File, plan: Plan) -> Self {
        ParquetWriter {
            file: Some(file),
            episodes: Some(plan.episodes),
            writer: None,
            schema: None,
            _marker: std::marker::PhantomData,
        }
    }
}

impl<T: ArrowFloat> BatchWriter<T> for ParquetWriter<T> {
    fn batch(&mut self, batch: Columns<T>) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        if self.writer.is_none() {
            let schema = schema::<T>(batch.obs_dim(), batch.act_dim(), None)?;
            let file = self
                .file
                .take()
                .ok_or_else(|| Error::invalid("dataset", "no file"))?;
            let properties = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                // Floats measured in an environment hardly ever repeat: a
                // dictionary would be built and thrown away for every page.
                // Episode ids repeat on every row of an episode: they keep one.
                .set_dictionary_enabled(false)
                .set_column_dictionary_enabled(ColumnPath::from("episode_id"), true)
                // Row groups end where batches end (see `batch` below).
                .set_max_row_group_row_count(Some(usize::MAX))
                .build();
            let mut writer =
                parquet::arrow::ArrowWriter::try_new(file, schema.clone(), Some(properties))
                    .map_err(parquet_error)?;
            if let Some(episodes) = self.episodes.take() {
                writer.append_key_value_metadata(KeyValue::new(EPISODES_KEY.into(), episodes));
            }
            self.writer = Some(writer);
            self.schema = Some(schema);
        }
        let (Some(writer), Some(schema)) = (self.writer.as_mut(), self.schema.as_ref()) else {
            return Ok(());
        };
        writer
            .write(&record_batch(schema, batch)?)
            .map_err(parquet_error)?;
        // One row group per batch: what is buffered stays one batch.
        writer.flush().map_err(parquet_error)
    }

    fn finish(self: Box<Self>, _index: EpisodeIndex) -> Result<File> {
        let writer = self
            .writer
            .ok_or_else(|| Error::invalid("dataset", "nothing was written"))?;
        writer.into_inner().map_err(parquet_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_own_errors_stay_io_errors() {
        let full = std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full");
        match parquet_error(ParquetError::from(full)) {
            Error::Io { source } => assert_eq!(source.kind(), std::io::ErrorKind::StorageFull),
            other => panic!("{other}"),
        }
        let error = parquet_error(ParquetError::General("bad row group".into()));
        assert!(
            matches!(
                error,
                Error::Export {
                    format: "parquet",
                    ..
                }
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(
            message.contains("parquet writer failed") && message.contains("bad row group"),
            "{message}"
        );
    }
}
