//! What commands print on standard output: a table, record or sentence for
//! people, or in the `--format` asked for (JSON, JSON Lines, CSV) the data.

mod cell;
mod csv;
mod format;
mod mode;
mod rows;
mod table;

use std::io::{self, Write};

use serde::Serialize;

use crate::args::OutputFormat;
use crate::error::CliError;

pub(crate) use format::{bytes, count, relative, rfc3339};
pub(crate) use mode::{get as mode, set as set_mode, Mode};
pub(crate) use rows::Row;

/// Whether standard output gets data for programs (any `--format` but
/// `table`) rather than tables and sentences for people.
pub(crate) fn machine() -> bool {
    mode().format != OutputFormat::Table
}

/// A human confirmation on standard output; nothing when [`machine`].
pub(crate) fn say(message: &str) -> Result<(), CliError> {
    if machine() {
        Ok(())
    } else {
        line(message)
    }
}

/// A note for people on standard error; nothing with `--quiet`.
pub(crate) fn note(message: &str) {
    if !mode().quiet {
        eprintln!("{message}");
    }
}

/// One object: a key/value record, or in the run's other formats its JSON (a
/// document or one line) or a CSV header and row.
pub(crate) fn one<T: Row + Serialize>(value: &T) -> Result<(), CliError> {
    match mode().format {
        OutputFormat::Table => emit(&table::record(value)),
        OutputFormat::Csv => emit(&csv::CsvRows::default().next(&value.fields())?),
        OutputFormat::Jsonl => json_line(value),
        OutputFormat::Json => document(value),
    }
}

/// A list: a table (an empty one says so on standard error), or in the run's
/// other formats a JSON array, one JSON line per element, or CSV.
pub(crate) fn list<T: Row + Serialize>(values: &[T], noun: &str) -> Result<(), CliError> {
    let mut list = List::new(noun);
    for value in values {
        list.push(value)?;
    }
    list.finish()
}

/// An object that has no table form (a summary): its JSON, one JSON line, or
/// its top-level fields as a CSV header and row (nested values as JSON).
pub(crate) fn object(value: &impl Serialize) -> Result<(), CliError> {
    match mode().format {
        OutputFormat::Csv => emit(&csv::object(value)?),
        OutputFormat::Jsonl => json_line(value),
        OutputFormat::Table | OutputFormat::Json => document(value),
    }
}

/// A list printed element by element as it arrives: JSON, JSON Lines and CSV
/// as they come, a table once everything is there.
pub(crate) struct List<'a, T> {
    printer: Printer<T>,
    noun: &'a str,
}

enum Printer<T> {
    Table(Vec<T>),
    Json(JsonArray),
    Lines,
    Csv(csv::CsvRows),
}

impl<'a, T: Row + Serialize> List<'a, T> {
    /// A list of `noun` (plural), in the run's format.
    pub(crate) fn new(noun: &'a str) -> List<'a, T> {
        let mode = mode();
        let printer = match mode.format {
            OutputFormat::Table => Printer::Table(Vec::new()),
            OutputFormat::Json => Printer::Json(JsonArray::new(mode.pretty)),
            OutputFormat::Jsonl => Printer::Lines,
            OutputFormat::Csv => Printer::Csv(csv::CsvRows::default()),
        };
        List { printer, noun }
    }

    /// The next element: printed now, or kept for the table.
    pub(crate) fn push(&mut self, value: T) -> Result<(), CliError> {
        match &mut self.printer {
            Printer::Table(all) => {
                all.push(value);
                Ok(())
            }
            Printer::Json(array) => array.push(&value),
            Printer::Lines => json_line(&value),
            Printer::Csv(rows) => emit(&rows.next(&value.fields())?),
        }
    }

    /// Ends the list: the table, or the JSON array's end.
    pub(crate) fn finish(self) -> Result<(), CliError> {
        match self.printer {
            Printer::Table(all) if all.is_empty() => {
                note(&format!("No {}.", self.noun));
                Ok(())
            }
            Printer::Table(all) => emit(&table::table(&all)),
            Printer::Json(array) => array.finish(),
            Printer::Lines | Printer::Csv(_) => Ok(()),
        }
    }
}

/// Writes to standard output; a closed pipe (`tupli … | head`) ends quietly.
pub(crate) fn emit(text: &str) -> Result<(), CliError> {
    emit_bytes(text.as_bytes())
}

/// Writes raw bytes to standard output, like [`emit`].
pub(crate) fn emit_bytes(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Local(format!("writing to standard output: {e}"))),
    }
}

/// Writes a line to standard output.
pub(crate) fn line(text: &str) -> Result<(), CliError> {
    emit(&format!("{text}\n"))
}

/// Prints `value` as one JSON document: indented on a terminal or with
/// `--pretty`, else compact.
fn document(value: &impl Serialize) -> Result<(), CliError> {
    line(&to_json(value, mode().pretty)?)
}

/// Prints `value` as one line of compact JSON.
fn json_line(value: &impl Serialize) -> Result<(), CliError> {
    line(&to_json(value, false)?)
}

fn to_json(value: &impl Serialize, pretty: bool) -> Result<String, CliError> {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    text.map_err(encoding)
}

pub(crate) fn encoding(e: serde_json::Error) -> CliError {
    CliError::Local(format!("encoding JSON: {e}"))
}

/// A JSON array printed element by element, exactly as serde_json prints the
/// whole array (indented or compact).
struct JsonArray {
    pretty: bool,
    started: bool,
}

impl JsonArray {
    fn new(pretty: bool) -> JsonArray {
        JsonArray {
            pretty,
            started: false,
        }
    }

    /// Prints the next element.
    fn push(&mut self, value: &impl Serialize) -> Result<(), CliError> {
        let text = self.next(value)?;
        emit(&text)
    }

    /// Closes the array (`[]` when nothing was pushed).
    fn finish(self) -> Result<(), CliError> {
        emit(self.end())
    }

    fn next(&mut self, value: &impl Serialize) -> Result<String, CliError> {
        let text = to_json(value, self.pretty)?;
        let first = !self.started;
        self.started = true;
        if !self.pretty {
            let lead = if first { "[" } else { "," };
            return Ok(format!("{lead}{text}"));
        }
        // Strings never hold a raw line break, so every line can be indented.
        let lead = if first { "[\n  " } else { ",\n  " };
        Ok(format!("{lead}{}", text.replace('\n', "\n  ")))
    }

    fn end(&self) -> &'static str {
        match (self.started, self.pretty) {
            (false, _) => "[]\n",
            (true, true) => "\n]\n",
            (true, false) => "]\n",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_streamed_array_matches_serde_json() {
        let values = [
            json!({"a": [1, {"b": "x\ny"}], "c": {}}),
            json!(2),
            json!([]),
        ];
        for pretty in [true, false] {
            for n in 0..=values.len() {
                let mut array = JsonArray::new(pretty);
                let mut text = String::new();
                for v in &values[..n] {
                    text.push_str(&array.next(v).unwrap());
                }
                text.push_str(array.end());
                let whole = to_json(&&values[..n], pretty).unwrap();
                assert_eq!(text, format!("{whole}\n"), "pretty: {pretty}, {n} elements");
            }
        }
    }
}
