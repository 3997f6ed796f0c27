//! What commands print on standard output: a table, record or sentence for
//! people, or with `--json` the API's JSON.

mod format;
mod rows;
mod table;

use std::io::{self, Write};

use serde::Serialize;

use crate::error::CliError;

pub(crate) use format::{bytes, relative, rfc3339};
pub(crate) use rows::Row;

/// A human confirmation on standard output; nothing with `--json`.
pub(crate) fn say(json: bool, message: &str) -> Result<(), CliError> {
    if json {
        Ok(())
    } else {
        line(message)
    }
}

/// One object: its JSON, or a key/value record.
pub(crate) fn one<T: Row + Serialize>(value: &T, json: bool) -> Result<(), CliError> {
    if json {
        self::json(value)
    } else {
        emit(&table::record(value))
    }
}

/// A list: its JSON, or a table (an empty one says so on standard error).
pub(crate) fn list<T: Row + Serialize>(
    values: &[T],
    json: bool,
    noun: &str,
) -> Result<(), CliError> {
    if json {
        self::json(&values)
    } else if values.is_empty() {
        eprintln!("No {noun}.");
        Ok(())
    } else {
        emit(&table::table(values))
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

/// Prints `value` as (pretty) JSON.
pub(crate) fn json(value: &impl Serialize) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Local(format!("encoding JSON: {e}")))?;
    line(&text)
}

/// A JSON array printed element by element, exactly as
/// `serde_json::to_string_pretty` prints the whole array.
#[derive(Default)]
pub(crate) struct JsonArray {
    started: bool,
}

impl JsonArray {
    /// Prints the next element.
    pub(crate) fn push(&mut self, value: &impl Serialize) -> Result<(), CliError> {
        let text = self.next(value)?;
        emit(&text)
    }

    /// Closes the array (`[]` when nothing was pushed).
    pub(crate) fn finish(self) -> Result<(), CliError> {
        emit(self.end())
    }

    fn next(&mut self, value: &impl Serialize) -> Result<String, CliError> {
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| CliError::Local(format!("encoding JSON: {e}")))?;
        // Strings never hold a raw line break, so every line can be indented.
        let lead = if self.started { ",\n  " } else { "[\n  " };
        self.started = true;
        Ok(format!("{lead}{}", text.replace('\n', "\n  ")))
    }

    fn end(&self) -> &'static str {
        if self.started {
            "\n]\n"
        } else {
            "[]\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_streamed_array_matches_the_pretty_printer() {
        let values = [
            json!({"a": [1, {"b": "x\ny"}], "c": {}}),
            json!(2),
            json!([]),
        ];
        for n in 0..=values.len() {
            let mut array = JsonArray::default();
            let mut text = String::new();
            for v in &values[..n] {
                text.push_str(&array.next(v).unwrap());
            }
            text.push_str(array.end());
            let whole = serde_json::to_string_pretty(&values[..n]).unwrap();
            assert_eq!(text, format!("{whole}\n"));
        }
    }
}
