//! The table engine: aligned tables (like pytupli's `tabulate` output) and
//! key/value records, measured in display columns.

use console::Alignment;

use super::cell::{Align, Cell};
use super::rows::Row;

/// Widest a value in a key/value record gets.
const RECORD_WIDTH: usize = 100;

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

/// Display width (wide characters count two columns).
fn width(text: &str) -> usize {
    console::measure_text_width(text)
}

/// `text` cut to at most `max` columns, ending in `…` when cut.
fn elide(text: &str, max: usize) -> String {
    console::truncate_str(text, max, "…").into_owned()
}

/// `text` padded with spaces to `to` columns.
fn pad(text: &str, to: usize, align: Align) -> String {
    let align = match align {
        Align::Left => Alignment::Left,
        Align::Right => Alignment::Right,
    };
    console::pad_str(text, to, align, None).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tupli::models::{EpisodeHeader, GroupWithMembers};

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
    fn long_and_odd_text_is_elided_and_escaped() {
        assert_eq!(elide("abcdef", 4), "abc…");
        assert_eq!(elide("abcd", 4), "abcd");
        assert_eq!(elide("日本語です", 5), "日本…");
        assert_eq!(elide("日本語です", 6), "日本…");
        assert_eq!(width("日本"), 4);
        assert_eq!(pad("日本", 6, Align::Left), "日本  ");
        assert_eq!(pad("7", 3, Align::Right), "  7");
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
}
