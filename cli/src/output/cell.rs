//! One formatted field of a row, as tables, records and CSV show it.

use serde_json::Value;

use super::format;

/// Widest a table cell gets by default before it is elided with `…`.
const CELL_WIDTH: usize = 40;

/// How a cell is aligned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Align {
    Left,
    Right,
}

/// One formatted field of a row: what a table shows, and the value CSV gets.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    /// Shown in tables and records (control characters escaped).
    pub(super) text: String,
    /// The value itself (unescaped, never elided; flags as `true`/`false`, times in full).
    data: String,
    pub(super) align: Align,
    /// Widest the cell may be in a table.
    pub(super) width: usize,
}

impl Cell {
    /// Text, elided past [`CELL_WIDTH`].
    pub(crate) fn text(text: impl AsRef<str>) -> Cell {
        let data = text.as_ref().to_string();
        Cell {
            text: printable(&data),
            data,
            align: Align::Left,
            width: CELL_WIDTH,
        }
    }

    /// Text that is never elided in a table (ids, names).
    pub(crate) fn full(text: impl AsRef<str>) -> Cell {
        Cell {
            width: usize::MAX,
            ..Cell::text(text)
        }
    }

    /// Text elided past `width`.
    pub(crate) fn narrow(text: impl AsRef<str>, width: usize) -> Cell {
        Cell {
            width,
            ..Cell::text(text)
        }
    }

    /// A number, right-aligned.
    pub(crate) fn number(n: impl ToString) -> Cell {
        let text = n.to_string();
        Cell {
            data: text.clone(),
            text,
            align: Align::Right,
            width: usize::MAX,
        }
    }

    /// ✓ or ✗.
    pub(crate) fn flag(b: bool) -> Cell {
        Cell {
            data: b.to_string(),
            ..Cell::full(format::flag(b))
        }
    }

    /// Text, or empty.
    pub(crate) fn optional(text: Option<&str>) -> Cell {
        Cell::text(text.unwrap_or(""))
    }

    /// Items joined with `, `.
    pub(crate) fn list(items: &[String]) -> Cell {
        Cell::text(items.join(", "))
    }

    /// A JSON object on one line; empty when it is.
    pub(crate) fn json(value: &serde_json::Map<String, Value>) -> Cell {
        if value.is_empty() {
            Cell::text("")
        } else {
            Cell::text(Value::Object(value.clone()).to_string())
        }
    }

    /// A server time, to the second (in full in CSV).
    pub(crate) fn time(iso: &str) -> Cell {
        Cell {
            data: iso.to_string(),
            ..Cell::full(format::to_the_second(iso))
        }
    }

    /// The value itself, as CSV prints it.
    pub(crate) fn data(&self) -> &str {
        &self.data
    }
}

/// Control characters (which would break the alignment) shown escaped.
fn printable(text: &str) -> String {
    if !text.chars().any(char::is_control) {
        return text.to_string();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\nb\tc"), "a\\nb\\tc");
        assert_eq!(Cell::text("a\nb").text, "a\\nb");
        assert_eq!(Cell::text("a\nb").data(), "a\nb");
    }
}
