//! What commands print on standard output: aligned tables (like pytupli's
//! `tabulate` output), key/value records, and JSON.

use std::io::{self, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use serde_json::Value;
use tupli::models::{
    ArtifactMetadataItem, Benchmark, BenchmarkHeader, EpisodeHeader, EpisodeItem, Group,
    GroupWithMembers, UserOut, UserRole,
};
use unicode_width::UnicodeWidthChar;

use crate::error::CliError;

/// Widest a table cell gets by default before it is elided with `…`.
const CELL_WIDTH: usize = 40;
/// Widest a value in a key/value record gets.
const RECORD_WIDTH: usize = 100;

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

/// How a cell is aligned.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Align {
    Left,
    Right,
}

/// One formatted field of a row.
#[derive(Clone, Debug)]
pub(crate) struct Cell {
    text: String,
    align: Align,
    /// Widest the cell may be in a table.
    width: usize,
}

impl Cell {
    /// Text, elided past [`CELL_WIDTH`].
    fn text(text: impl AsRef<str>) -> Cell {
        Cell {
            text: printable(text.as_ref()),
            align: Align::Left,
            width: CELL_WIDTH,
        }
    }

    /// Text that is never elided in a table (ids, names).
    fn full(text: impl AsRef<str>) -> Cell {
        Cell {
            width: usize::MAX,
            ..Cell::text(text)
        }
    }

    /// Text elided past `width`.
    fn narrow(text: impl AsRef<str>, width: usize) -> Cell {
        Cell {
            width,
            ..Cell::text(text)
        }
    }

    /// A number, right-aligned.
    fn number(n: impl ToString) -> Cell {
        Cell {
            text: n.to_string(),
            align: Align::Right,
            width: usize::MAX,
        }
    }

    /// ✓ or ✗.
    fn flag(b: bool) -> Cell {
        Cell::full(if b { "✓" } else { "✗" })
    }

    fn optional(text: Option<&str>) -> Cell {
        Cell::text(text.unwrap_or(""))
    }

    fn list(items: &[String]) -> Cell {
        Cell::text(items.join(", "))
    }

    fn json(value: &serde_json::Map<String, Value>) -> Cell {
        if value.is_empty() {
            Cell::text("")
        } else {
            Cell::text(Value::Object(value.clone()).to_string())
        }
    }

    fn time(iso: &str) -> Cell {
        // Seconds are enough in a table; --json has the rest.
        Cell::full(iso.split('.').next().unwrap_or(iso))
    }
}

/// A value shown as a table row or a key/value record.
pub(crate) trait Row {
    /// Column names and cells, in display order.
    fn fields(&self) -> Vec<(&'static str, Cell)>;
}

impl Row for BenchmarkHeader {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("id", Cell::full(&self.id)),
            ("name", Cell::text(&self.metadata.name)),
            (
                "difficulty",
                Cell::optional(self.metadata.difficulty.as_deref()),
            ),
            ("version", Cell::optional(self.metadata.version.as_deref())),
            ("description", Cell::narrow(&self.metadata.description, 30)),
            ("created_by", Cell::text(&self.created_by)),
            ("created_at", Cell::time(&self.created_at)),
            ("published_in", Cell::list(&self.published_in)),
            ("hash", Cell::narrow(&self.hash, 12)),
        ]
    }
}

impl Row for Benchmark {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        let header = BenchmarkHeader {
            created_at: self.created_at.clone(),
            created_by: self.created_by.clone(),
            hash: self.hash.clone(),
            id: self.id.clone(),
            metadata: self.metadata.clone(),
            published_in: self.published_in.clone(),
        };
        let mut fields = header.fields();
        fields.push(("extra", Cell::json(&self.metadata.extra)));
        fields.push(("serialized", Cell::text(&self.serialized)));
        fields
    }
}

impl Row for ArtifactMetadataItem {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("id", Cell::full(&self.id)),
            ("name", Cell::text(&self.name)),
            ("description", Cell::narrow(&self.description, 30)),
            ("benchmark_id", Cell::optional(self.benchmark_id.as_deref())),
            ("created_by", Cell::text(&self.created_by)),
            ("created_at", Cell::time(&self.created_at)),
            ("published_in", Cell::list(&self.published_in)),
            ("hash", Cell::narrow(&self.hash, 12)),
        ]
    }
}

impl Row for EpisodeHeader {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        episode_fields(EpisodeView {
            id: &self.id,
            benchmark_id: &self.benchmark_id,
            n_tuples: self.n_tuples,
            terminated: self.terminated,
            timeout: self.timeout,
            created_by: &self.created_by,
            created_at: &self.created_at,
            published_in: &self.published_in,
            metadata: &self.metadata,
        })
    }
}

impl Row for EpisodeItem {
    /// The header's fields; the tuples are left to `--json`.
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        episode_fields(EpisodeView {
            id: &self.id,
            benchmark_id: &self.benchmark_id,
            n_tuples: self.n_tuples,
            terminated: self.terminated,
            timeout: self.timeout,
            created_by: &self.created_by,
            created_at: &self.created_at,
            published_in: &self.published_in,
            metadata: &self.metadata,
        })
    }
}

/// What an episode's row shows, borrowed from a header or an item.
struct EpisodeView<'a> {
    id: &'a str,
    benchmark_id: &'a str,
    n_tuples: i64,
    terminated: bool,
    timeout: bool,
    created_by: &'a str,
    created_at: &'a str,
    published_in: &'a [String],
    metadata: &'a serde_json::Map<String, Value>,
}

fn episode_fields(e: EpisodeView<'_>) -> Vec<(&'static str, Cell)> {
    vec![
        ("id", Cell::full(e.id)),
        ("benchmark_id", Cell::full(e.benchmark_id)),
        ("n_tuples", Cell::number(e.n_tuples)),
        ("terminated", Cell::flag(e.terminated)),
        ("timeout", Cell::flag(e.timeout)),
        ("created_by", Cell::text(e.created_by)),
        ("created_at", Cell::time(e.created_at)),
        ("published_in", Cell::list(e.published_in)),
        ("metadata", Cell::json(e.metadata)),
    ]
}

impl Row for UserOut {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        let memberships: Vec<String> = self
            .memberships
            .iter()
            .map(|m| format!("{}: {}", m.group, m.roles.join(", ")))
            .collect();
        vec![
            ("username", Cell::full(&self.username)),
            ("memberships", Cell::narrow(memberships.join("; "), 60)),
        ]
    }
}

impl Row for UserRole {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        let rights: Vec<String> = self.rights.iter().map(ToString::to_string).collect();
        vec![
            ("role", Cell::full(&self.role)),
            ("rights", Cell::narrow(rights.join(", "), 60)),
            ("description", Cell::optional(self.description.as_deref())),
        ]
    }
}

impl Row for Group {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("name", Cell::full(&self.name)),
            ("description", Cell::optional(self.description.as_deref())),
        ]
    }
}

impl Row for GroupWithMembers {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("name", Cell::full(&self.name)),
            ("description", Cell::optional(self.description.as_deref())),
            ("members", Cell::list(&self.members)),
        ]
    }
}

/// Rows as an aligned table: a header line, dashes, one line per row, columns
/// two spaces apart; text left-aligned, numbers right-aligned.
pub(crate) fn table<R: Row>(rows: &[R]) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let headers: Vec<&str> = first.fields().iter().map(|(name, _)| *name).collect();
    let cells: Vec<Vec<Cell>> = rows
        .iter()
        .map(|r| r.fields().into_iter().map(|(_, c)| c).collect())
        .collect();
    let shown: Vec<Vec<(String, Align)>> = cells
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| (elide(&c.text, c.width), c.align))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| {
            shown
                .iter()
                .map(|row| width(&row[i].0))
                .chain([width(headers[i])])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let aligns: Vec<Align> = shown[0].iter().map(|(_, a)| *a).collect();

    let mut out = String::new();
    let render = |out: &mut String, cells: Vec<(&str, Align)>| {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|((text, align), w)| pad(text, *w, *align))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    };
    render(
        &mut out,
        headers.iter().zip(&aligns).map(|(h, a)| (*h, *a)).collect(),
    );
    let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    out.push_str(&dashes.join("  "));
    out.push('\n');
    for row in &shown {
        render(
            &mut out,
            row.iter().map(|(t, a)| (t.as_str(), *a)).collect(),
        );
    }
    out
}

/// One value as `key  value` lines, keys aligned.
pub(crate) fn record(row: &impl Row) -> String {
    let fields = row.fields();
    let key_width = fields.iter().map(|(k, _)| width(k)).max().unwrap_or(0);
    let mut out = String::new();
    for (key, cell) in fields {
        let value = elide(&cell.text, RECORD_WIDTH);
        let line = format!("{}  {value}", pad(key, key_width, Align::Left));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
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

/// Display width (wide characters count two columns).
fn width(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `text` cut to at most `max` columns, ending in `…` when cut.
pub(crate) fn elide(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

fn pad(text: &str, to: usize, align: Align) -> String {
    let fill = " ".repeat(to.saturating_sub(width(text)));
    match align {
        Align::Left => format!("{text}{fill}"),
        Align::Right => format!("{fill}{text}"),
    }
}

/// A time as RFC 3339 in UTC, to the second.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let secs = at.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Howard Hinnant's days-since-epoch to (year, month, day).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `in 14m 3s` / `3s ago`, relative to now.
pub(crate) fn relative(at: SystemTime) -> String {
    match at.duration_since(SystemTime::now()) {
        Ok(ahead) => format!("in {}", short_duration(ahead)),
        Err(e) => format!("expired {} ago", short_duration(e.duration())),
    }
}

fn short_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A byte count for people: `812 B`, `3.4 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn episode(id: &str, n: i64, terminated: bool) -> EpisodeHeader {
        serde_json::from_value(json!({
            "id": id, "benchmark_id": "b", "created_by": "ann",
            "created_at": "2025-01-02T03:04:05.123456", "metadata": {},
            "n_tuples": n, "terminated": terminated, "timeout": false,
        }))
        .unwrap()
    }

    #[test]
    fn tables_align_like_tabulate() {
        let shown = table(&[episode("e1", 7, true), episode("episode-2", 12345, false)]);
        let expected = "\
id         benchmark_id  n_tuples  terminated  timeout  created_by  created_at           published_in  metadata
---------  ------------  --------  ----------  -------  ----------  -------------------  ------------  --------
e1         b                    7  ✓           ✗        ann         2025-01-02T03:04:05
episode-2  b                12345  ✗           ✗        ann         2025-01-02T03:04:05
";
        assert_eq!(shown, expected);
        assert_eq!(table::<EpisodeHeader>(&[]), "");
    }

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

    #[test]
    fn long_and_odd_text_is_elided_and_escaped() {
        assert_eq!(elide("abcdef", 4), "abc…");
        assert_eq!(elide("abcd", 4), "abcd");
        assert_eq!(elide("日本語です", 5), "日本…");
        assert_eq!(width("日本"), 4);
        assert_eq!(printable("a\nb\tc"), "a\\nb\\tc");
    }

    #[test]
    fn records_align_keys() {
        let group: GroupWithMembers =
            serde_json::from_value(json!({"name": "g", "members": ["a", "b"]})).unwrap();
        assert_eq!(
            record(&group),
            "name         g\ndescription\nmembers      a, b\n"
        );
    }

    #[test]
    fn times_and_sizes() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(2_000_000_000)),
            "2033-05-18T03:33:20Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(short_duration(Duration::from_secs(843)), "14m 3s");
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
    }
}
