//! `export-episodes`: what it selects and writes. Its help names the file
//! formats, so it is built from the library's [`Format`].

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use tupli::dataset::Format;

use super::format::{either, extensions_by_format, names, OutputFormat};
use super::selection::{BenchmarkFilterArgs, FilterArgs};

/// Datasets: the tuples of stored episodes as training arrays.
#[derive(Debug, Subcommand)]
pub(crate) enum DatasetCommand {
    // Write the tuples of the selected episodes to a file: see `about` and
    // `long_about` (built, as they name the formats).
    #[command(about = about(), long_about = long_about())]
    ExportEpisodes(Box<ExportArgs>),
}

/// `export-episodes`' help after its first line.
const DETAILS: &str = "\
Selects the episodes of the benchmarks matching --benchmark-where/--benchmark-filter (all \
benchmarks when neither is given) that also match --where/--filter, and writes one row per tuple \
with D4RL's column names: observations, actions, next_observations, rewards, terminals, timeouts \
(and each row's episode and step). The file appears only when complete: it is written under a \
temporary name beside FILE and renamed into place. Ends with one line: episodes, tuples, widths, \
size and path (--json: as JSON).

Exit codes: 4 when nothing matched (no file is written), 5 when a value is not a number or a flat \
array of numbers of one width (the message names the episode, the step and the field), 130 on \
Ctrl-C (the temporary file is removed).";

/// `export-episodes`' first help line: `… to an .npz, .arrow or .parquet file`.
fn about() -> String {
    let usual = Format::ALL.iter().map(|f| format!(".{}", f.extension()));
    format!(
        "Write the tuples of the selected episodes to an {} file",
        either(usual, "or")
    )
}

fn long_about() -> String {
    format!("{}\n\n{DETAILS}", about())
}

/// `--file-format`'s help.
fn file_format_help() -> String {
    format!(
        "File format [default: from FILE's extension: {}]; --format {} says the same (--format {} \
         is the summary's output format)",
        extensions_by_format(),
        names::<Format>("|"),
        names::<OutputFormat>("|"),
    )
}

/// What `export-episodes` selects and writes.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// The file to write (an existing one is replaced only once the new one is complete)
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: PathBuf,
    // The file's format; from the extension when not given.
    #[arg(long, value_enum, value_name = "FORMAT", help = file_format_help())]
    pub(crate) file_format: Option<Format>,
    /// Element type of observations, actions, next_observations and rewards (f32: each
    /// value rounded to nearest, as numpy.float32 rounds)
    #[arg(long, value_enum, value_name = "DTYPE", default_value = "f64")]
    pub(crate) dtype: ExportDtype,
    #[command(
        flatten,
        next_help_heading = "Benchmarks (whose episodes are selected)"
    )]
    pub(crate) benchmarks: BenchmarkFilterArgs,
    #[command(flatten, next_help_heading = "Episodes (of those benchmarks)")]
    pub(crate) episodes: FilterArgs,
}

/// The element types `export-episodes` writes floats as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportDtype {
    /// 32-bit floats
    F32,
    /// 64-bit floats: exactly what was stored
    F64,
}

#[cfg(test)]
mod tests {
    use super::super::{ApiCommand, Cli, Command};
    use super::*;
    use clap::{CommandFactory, Parser};
    use tupli::Filter;

    #[test]
    fn an_export_filters_benchmarks_and_episodes_apart() {
        let cli = Cli::try_parse_from([
            "tupli",
            "export-episodes",
            "-o",
            "x.npz",
            "--benchmark-where",
            "metadata.name=cartpole",
            "--benchmark-filter",
            r#"{"type": "EQ", "key": "hash", "value": "h"}"#,
            "--where",
            "n_tuples>=3",
        ])
        .unwrap();
        let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) = cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        let ExportArgs {
            benchmarks,
            episodes,
            file_format,
            dtype,
            output,
        } = *args;
        assert_eq!(
            benchmarks.combined(),
            Filter::eq("hash", "h") & Filter::eq("metadata.name", "cartpole")
        );
        assert_eq!(episodes.given(), Some(Filter::geq("n_tuples", 3)));
        assert_eq!(
            (file_format, dtype, output),
            (None, ExportDtype::F64, PathBuf::from("x.npz"))
        );

        let cli = Cli::try_parse_from(["tupli", "export-episodes", "--output", "x"]).unwrap();
        let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) = cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(args.benchmarks.combined(), Filter::all(), "every benchmark");
        assert_eq!(args.episodes.given(), None, "no episode filter at all");
    }

    #[test]
    fn the_help_names_every_format() {
        let mut command = Cli::command();
        let export = command.find_subcommand_mut("export-episodes").unwrap();
        let help = export.render_long_help().to_string();
        for &format in Format::ALL {
            assert!(help.contains(format.name()), "{help}");
            assert!(help.contains(format.description()), "{help}");
            for extension in format.extensions() {
                assert!(help.contains(&format!(".{extension}")), "{help}");
            }
        }
        assert!(
            help.contains("Exit codes: 4 when nothing matched"),
            "{help}"
        );
    }
}
