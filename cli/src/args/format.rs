//! `--format` and `--json`: the output formats (this tool's), the file
//! formats of `export-episodes` (the library's [`Format`], so a new one needs
//! no change here), and how the two settle into one output format.

use std::sync::OnceLock;

use clap::builder::PossibleValue;
use clap::ValueEnum;
use tupli::dataset::Format;

use super::{ApiCommand, Cli, Command, DatasetCommand};

/// How results are printed on standard output (`--format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned tables and key/value records, for people
    Table,
    /// The API's JSON, one document (indented on a terminal or with --pretty)
    Json,
    /// JSON Lines: one compact JSON object a line
    Jsonl,
    /// Comma-separated values with a header line, quoted where needed
    Csv,
}

/// What the global `--format` takes: an output format, or (for
/// `export-episodes` only, and not listed in the global help) a file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormatArg {
    /// How results are printed.
    Output(OutputFormat),
    /// The file `export-episodes` writes.
    File(Format),
}

/// The output formats, then the library's file formats (hidden).
impl ValueEnum for FormatArg {
    fn value_variants<'a>() -> &'a [Self] {
        static ALL: OnceLock<Vec<FormatArg>> = OnceLock::new();
        ALL.get_or_init(|| {
            let outputs = OutputFormat::value_variants().iter().copied();
            let files = Format::ALL.iter().copied();
            outputs
                .map(FormatArg::Output)
                .chain(files.map(FormatArg::File))
                .collect()
        })
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        match self {
            FormatArg::Output(format) => format.to_possible_value(),
            FormatArg::File(format) => Some(
                PossibleValue::new(format.name())
                    .help(format!("export-episodes: {}", format.description()))
                    .hide(true),
            ),
        }
    }
}

/// The global `--format`'s help.
pub(super) fn help() -> String {
    format!(
        "How results are printed on standard output: aligned tables and records for people, the \
         API's JSON (one document), JSON Lines (one object a line; lists print as they arrive) or \
         CSV (the table's columns, a header line first). For export-episodes, {} give the file's \
         format instead (as --file-format does)",
        file_format_names()
    )
}

/// The file formats' names: `npz, arrow or parquet`.
pub(crate) fn file_format_names() -> String {
    either(Format::ALL.iter().map(|f| f.name().to_string()), "or")
}

/// The extensions that give a file format, the usual one of each with the
/// others in brackets: `.npz, .arrow (.feather, .ipc) or .parquet`.
pub(crate) fn file_extensions() -> String {
    let each = Format::ALL.iter().map(|format| {
        let dotted: Vec<String> = format
            .extensions()
            .iter()
            .map(|e| format!(".{e}"))
            .collect();
        match dotted.split_first() {
            Some((usual, [])) => usual.clone(),
            Some((usual, others)) => format!("{usual} ({})", others.join(", ")),
            None => String::new(),
        }
    });
    either(each, "or")
}

/// The extensions that give a file format, by format: `.npz; .arrow,
/// .feather or .ipc; .parquet`.
pub(super) fn extensions_by_format() -> String {
    Format::ALL
        .iter()
        .map(|format| either(format.extensions().iter().map(|e| format!(".{e}")), "or"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Every value `T` takes, joined with `separator`: `table|json|jsonl|csv`.
pub(super) fn names<T: ValueEnum>(separator: &str) -> String {
    T::value_variants()
        .iter()
        .filter_map(|value| value.to_possible_value())
        .map(|value| value.get_name().to_string())
        .collect::<Vec<_>>()
        .join(separator)
}

/// `a`, `a or b`, `a, b or c` (with `and` instead of `or` as asked).
pub(super) fn either(items: impl IntoIterator<Item = String>, conjunction: &str) -> String {
    let mut items: Vec<String> = items.into_iter().collect();
    let Some(last) = items.pop() else {
        return String::new();
    };
    if items.is_empty() {
        return last;
    }
    format!("{} {conjunction} {last}", items.join(", "))
}

/// A value's name on the command line.
fn value_name(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

impl Cli {
    /// Settles the global `--format`: a file format (`npz`, `arrow`, …)
    /// goes to `export-episodes` as its `--file-format` (an error for other
    /// commands, or when `--file-format` says otherwise); then the output
    /// format, as [`Cli::output_format`] says.
    pub(crate) fn settle_formats(&mut self) -> Result<OutputFormat, String> {
        if let Some(FormatArg::File(file_format)) = self.format {
            let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) =
                &mut self.command
            else {
                let outputs = OutputFormat::value_variants()
                    .iter()
                    .map(|f| value_name(*f));
                return Err(format!(
                    "--format {} is a file format, for export-episodes only; the output formats \
                     are {}",
                    file_format.name(),
                    either(outputs, "and")
                ));
            };
            match args.file_format {
                Some(given) if given != file_format => {
                    return Err(format!(
                        "--format {} and --file-format {} disagree",
                        file_format.name(),
                        given.name()
                    ))
                }
                _ => args.file_format = Some(file_format),
            }
            self.format = None;
        }
        self.output_format()
    }

    /// The output format `--format` and `--json` ask for (a table when neither is
    /// given); an error when they disagree.
    fn output_format(&self) -> Result<OutputFormat, String> {
        let format = match self.format {
            Some(FormatArg::Output(format)) => Some(format),
            _ => None,
        };
        match (format, self.json) {
            (None, false) => Ok(OutputFormat::Table),
            (None, true) | (Some(OutputFormat::Json), _) => Ok(OutputFormat::Json),
            (Some(format), false) => Ok(format),
            (Some(format), true) => Err(format!(
                "--json is short for --format json, but --format {} was given too",
                value_name(format)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn lists_read_as_prose() {
        let items = |n: usize| ["a", "b", "c"][..n].iter().map(|s| s.to_string());
        assert_eq!(either(items(0), "or"), "");
        assert_eq!(either(items(1), "or"), "a");
        assert_eq!(either(items(2), "or"), "a or b");
        assert_eq!(either(items(3), "and"), "a, b and c");
        assert_eq!(file_format_names(), "npz, arrow or parquet");
        assert_eq!(
            file_extensions(),
            ".npz, .arrow (.feather, .ipc) or .parquet"
        );
        assert_eq!(
            extensions_by_format(),
            ".npz; .arrow, .feather or .ipc; .parquet"
        );
        assert_eq!(names::<OutputFormat>("|"), "table|json|jsonl|csv");
        assert_eq!(names::<Format>("|"), "npz|arrow|parquet");
    }

    #[test]
    fn format_takes_the_output_formats_then_every_file_format() {
        let values = FormatArg::value_variants();
        let outputs = OutputFormat::value_variants().len();
        assert_eq!(values.len(), outputs + Format::ALL.len());
        let mut names: Vec<String> = values.iter().map(|v| value_name(*v)).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), values.len(), "no name is taken twice");
        for &format in Format::ALL {
            let value = FormatArg::from_str(format.name(), false).unwrap();
            assert_eq!(value, FormatArg::File(format));
            assert!(value.to_possible_value().unwrap().is_hide_set());
            let mut cli =
                Cli::try_parse_from(["tupli", "--format", format.name(), "list-roles"]).unwrap();
            let error = cli.settle_formats().unwrap_err();
            assert!(
                error.ends_with("the output formats are table, json, jsonl and csv"),
                "{error}"
            );
        }
        for &format in OutputFormat::value_variants() {
            let value = FormatArg::from_str(&value_name(format), false).unwrap();
            assert_eq!(value, FormatArg::Output(format));
        }
    }

    #[test]
    fn a_file_format_goes_to_the_export() {
        let mut cli =
            Cli::try_parse_from(["tupli", "export-episodes", "--format", "parquet", "-o", "x"])
                .unwrap();
        assert_eq!(cli.settle_formats(), Ok(OutputFormat::Table));
        let Command::Api(ApiCommand::Datasets(DatasetCommand::ExportEpisodes(args))) = cli.command
        else {
            panic!("parsed as {:?}", cli.command)
        };
        assert_eq!(args.file_format, Some(Format::Parquet));
    }
}
