//! Datasets: `export-episodes`, the tuples of the selected episodes written
//! to a file in one of the library's [`Format`]s by the library's exporter.

use std::path::Path;

use serde::Serialize;
use tupli::dataset::{Dataset, Dtype, ExportSummary, Format};
use tupli::storage::TupliStorage;

use crate::args::{self, DatasetCommand, ExportArgs, ExportDtype};
use crate::error::CliError;
use crate::interrupt::until_interrupted;
use crate::output;
use crate::progress::ExportIndicator;

/// What a failed export says about the file.
const NOTHING_WRITTEN: &str = "no file was written";

pub(crate) async fn run<S: TupliStorage + Clone + 'static>(
    c: &S,
    command: DatasetCommand,
) -> Result<(), CliError> {
    match command {
        DatasetCommand::ExportEpisodes(args) => {
            let ExportArgs {
                output,
                file_format,
                dtype,
                benchmarks,
                episodes,
            } = *args;
            // Both checked before anything is sent.
            let format = match file_format.or_else(|| Format::from_extension(&output)) {
                Some(format) => format,
                None => {
                    return Err(CliError::Usage(format!(
                        "cannot tell the format from the name {}: give --file-format {}, or a \
                         file name ending in {}",
                        output.display(),
                        args::file_format_names(),
                        args::file_extensions()
                    )))
                }
            };
            check_output(&output)?;
            let mut dataset = Dataset::new(c.clone()).with_benchmark_filter(benchmarks.combined());
            if let Some(filter) = episodes.given() {
                dataset = dataset.with_episode_filter(filter);
            }
            let progress = ExportIndicator::new(&output);
            let export = dataset
                .export(format)
                .dtype(library_dtype(dtype))
                .progress(progress.clone())
                .to_path(&output);
            // On Ctrl-C the export is dropped, which removes its temporary file.
            let summary = until_interrupted(
                async { export.await.map_err(|e| failed(e, &output)) },
                || format!("interrupted: {NOTHING_WRITTEN} to {}", output.display()),
            )
            .await?;
            progress.clear();
            let summary = Summary::new(&summary, format, dtype);
            if output::machine() {
                output::object(&summary)
            } else {
                output::line(&summary.sentence())
            }
        }
    }
}

/// Refuses, before anything is sent, an output path that cannot become a file.
fn check_output(path: &Path) -> Result<(), CliError> {
    if path.is_dir() || path.file_name().is_none() {
        return Err(CliError::Usage(format!(
            "{} is a directory: give the name of the file to write",
            path.display()
        )));
    }
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(CliError::Local(format!(
            "cannot write {}: there is no directory {}",
            path.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// An export's error as the tool reports it: each says that no file was written.
fn failed(e: tupli::Error, path: &Path) -> CliError {
    match e {
        tupli::Error::EmptySelection => CliError::NothingMatched(format!(
            "nothing matched: no episode with tuples matches the selection; {NOTHING_WRITTEN}"
        )),
        tupli::Error::Io { source } => CliError::Noted(
            Box::new(CliError::Local(format!(
                "cannot write {}: {source}",
                path.display()
            ))),
            NOTHING_WRITTEN.into(),
        ),
        e => CliError::Noted(Box::new(CliError::Api(e)), NOTHING_WRITTEN.into()),
    }
}

fn library_dtype(dtype: ExportDtype) -> Dtype {
    match dtype {
        ExportDtype::F32 => Dtype::F32,
        ExportDtype::F64 => Dtype::F64,
    }
}

/// What `export-episodes` reports: the library's summary, with the format
/// and the float type (and the path as text, whatever its bytes).
#[derive(Debug, Serialize)]
struct Summary {
    path: String,
    format: &'static str,
    dtype: &'static str,
    episodes: usize,
    tuples: usize,
    obs_dim: usize,
    act_dim: usize,
    bytes: u64,
}

impl Summary {
    fn new(summary: &ExportSummary, format: Format, dtype: ExportDtype) -> Summary {
        Summary {
            path: summary.path.display().to_string(),
            format: format.name(),
            dtype: match dtype {
                ExportDtype::F32 => "f32",
                ExportDtype::F64 => "f64",
            },
            episodes: summary.episodes,
            tuples: summary.tuples,
            obs_dim: summary.obs_dim,
            act_dim: summary.act_dim,
            bytes: summary.bytes,
        }
    }

    /// `Exported 3 episodes, 120 tuples (obs_dim 4, act_dim 1), 12.3 KiB, to x.npz.`
    fn sentence(&self) -> String {
        format!(
            "Exported {}, {} (obs_dim {}, act_dim {}), {}, to {}.",
            output::count(self.episodes, "episode"),
            output::count(self.tuples, "tuple"),
            self.obs_dim,
            self.act_dim,
            output::bytes(self.bytes),
            self.path
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_reads_as_one_sentence() {
        let summary = Summary {
            path: "out/cartpole.npz".into(),
            format: "npz",
            dtype: "f32",
            episodes: 1,
            tuples: 120,
            obs_dim: 4,
            act_dim: 1,
            bytes: 12_600,
        };
        assert_eq!(
            summary.sentence(),
            "Exported 1 episode, 120 tuples (obs_dim 4, act_dim 1), 12.3 KiB, to out/cartpole.npz."
        );
    }

    #[test]
    fn output_paths_are_checked_before_sending() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_output(&dir.path().join("x.npz")).is_ok());
        let is_dir = check_output(dir.path()).unwrap_err();
        assert_eq!(is_dir.exit_code(), crate::error::USAGE, "{is_dir}");
        let missing = check_output(&dir.path().join("no/x.npz")).unwrap_err();
        assert_eq!(missing.exit_code(), crate::error::OTHER);
        assert!(
            missing.to_string().contains("there is no directory"),
            "{missing}"
        );
        assert!(
            check_output(Path::new("x.npz")).is_ok(),
            "the current directory"
        );
    }

    #[test]
    fn errors_say_that_no_file_was_written() {
        let path = Path::new("x.npz");
        let empty = failed(tupli::Error::EmptySelection, path);
        assert_eq!(empty.exit_code(), crate::error::NOT_FOUND);
        assert!(empty.to_string().starts_with("nothing matched"), "{empty}");
        assert!(empty.to_string().contains(NOTHING_WRITTEN), "{empty}");
        let io = failed(std::io::Error::other("disk full").into(), path);
        assert_eq!(io.exit_code(), crate::error::OTHER);
        assert_eq!(
            io.to_string(),
            "cannot write x.npz: disk full (no file was written)"
        );
    }
}
