//! The files as pytupli's `FileStorage` writes them: its models' fields in
//! their order (unset optional fields as `null`), written the way CPython's
//! `json.dumps(…, indent=2)` writes them — two-space indentation, every
//! character outside printable ASCII escaped (`ensure_ascii`), floats spelled
//! as `repr` spells them (`1e-07`, `1e+16`, `0.0001`, `100.0`).
//!
//! Keys inside free-form maps (`metadata`, `extra`, `info`) come in tupli's
//! order (sorted), not in the order they were built: pytupli reads them by
//! value, so nothing depends on it.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter, PrettyFormatter};
use serde_json::{Map, Value};

use crate::models::{ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery, Episode, RlTuple};

/// A benchmark file: pytupli's `Benchmark` model.
#[derive(Serialize)]
pub(super) struct BenchmarkRecord<'a> {
    pub(super) id: &'a str,
    pub(super) created_by: &'a str,
    pub(super) published_in: [&'a str; 1],
    pub(super) created_at: &'a str,
    pub(super) hash: &'a str,
    pub(super) metadata: BenchmarkMetadataRecord<'a>,
    pub(super) serialized: &'a str,
}

/// pytupli's `BenchmarkMetadata`, unset fields as `null`.
#[derive(Serialize)]
pub(super) struct BenchmarkMetadataRecord<'a> {
    name: &'a str,
    description: &'a str,
    difficulty: Option<&'a str>,
    version: Option<&'a str>,
    extra: &'a Map<String, Value>,
}

impl<'a> BenchmarkRecord<'a> {
    pub(super) fn new(stamp: &'a Stamp, query: &'a BenchmarkQuery) -> Self {
        let BenchmarkMetadata {
            name,
            description,
            difficulty,
            version,
            extra,
        } = &query.metadata;
        BenchmarkRecord {
            id: &stamp.id,
            created_by: super::CREATED_BY,
            published_in: [super::CREATED_BY],
            created_at: &stamp.created_at,
            hash: &query.hash,
            metadata: BenchmarkMetadataRecord {
                name,
                description,
                difficulty: difficulty.as_deref(),
                version: version.as_deref(),
                extra,
            },
            serialized: &query.serialized,
        }
    }
}

/// An artifact's metadata file: pytupli's `ArtifactMetadataItem`.
#[derive(Serialize)]
pub(super) struct ArtifactRecord<'a> {
    name: &'a str,
    description: &'a str,
    benchmark_id: Option<&'a str>,
    extra: &'a Map<String, Value>,
    id: &'a str,
    created_by: &'a str,
    published_in: [&'a str; 1],
    created_at: &'a str,
    hash: &'a str,
    encoding: &'a str,
}

impl<'a> ArtifactRecord<'a> {
    pub(super) fn new(stamp: &'a Stamp, metadata: &'a ArtifactMetadata, hash: &'a str) -> Self {
        ArtifactRecord {
            name: &metadata.name,
            description: &metadata.description,
            benchmark_id: metadata.benchmark_id.as_deref(),
            extra: &metadata.extra,
            id: &stamp.id,
            created_by: super::CREATED_BY,
            published_in: [super::CREATED_BY],
            created_at: &stamp.created_at,
            hash,
            encoding: "utf-8",
        }
    }
}

/// An episode file: pytupli's `EpisodeItem`.
#[derive(Serialize)]
pub(super) struct EpisodeRecord<'a> {
    id: &'a str,
    created_by: &'a str,
    published_in: [&'a str; 1],
    created_at: &'a str,
    benchmark_id: &'a str,
    metadata: &'a Map<String, Value>,
    n_tuples: usize,
    terminated: bool,
    timeout: bool,
    tuples: &'a [RlTuple],
}

impl<'a> EpisodeRecord<'a> {
    /// The record of a non-empty episode (the last tuple says how it ended).
    pub(super) fn new(stamp: &'a Stamp, episode: &'a Episode) -> Self {
        let last = episode.tuples.last();
        EpisodeRecord {
            id: &stamp.id,
            created_by: super::CREATED_BY,
            published_in: [super::CREATED_BY],
            created_at: &stamp.created_at,
            benchmark_id: &episode.benchmark_id,
            metadata: &episode.metadata,
            n_tuples: episode.tuples.len(),
            terminated: last.is_some_and(|t| t.terminal),
            timeout: last.is_some_and(|t| t.timeout),
            tuples: &episode.tuples,
        }
    }
}

/// A new object's id and creation time, as pytupli's `DBItem.create_new`
/// makes them: `uuid4().hex`, and `datetime.now().isoformat()` (local time,
/// no zone, microseconds unless they are zero).
pub(super) struct Stamp {
    pub(super) id: String,
    pub(super) created_at: String,
}

impl Stamp {
    pub(super) fn new() -> Self {
        Stamp {
            id: uuid::Uuid::new_v4().simple().to_string(),
            created_at: isoformat(chrono::Local::now().naive_local()),
        }
    }
}

/// `datetime.isoformat()` of a naive time.
fn isoformat(time: chrono::NaiveDateTime) -> String {
    use chrono::Timelike;
    // A leap second shows as nanoseconds past 1e9; Python has none.
    let micros = (time.nanosecond() / 1000).min(999_999);
    let seconds = time.format("%Y-%m-%dT%H:%M:%S");
    if micros == 0 {
        seconds.to_string()
    } else {
        format!("{seconds}.{micros:06}")
    }
}

/// Writes `value` as CPython's `json.dumps(value, indent=2)` would.
pub(super) fn to_writer<W: io::Write, T: Serialize + ?Sized>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(writer, PyFormatter::new());
    value.serialize(&mut serializer)
}

/// [`to_writer`] into memory.
pub(super) fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    to_writer(&mut out, value)?;
    Ok(out)
}

/// serde_json's pretty printer with two spaces, plus CPython's spelling of
/// floats and its `ensure_ascii` escapes.
struct PyFormatter {
    pretty: PrettyFormatter<'static>,
}

impl PyFormatter {
    fn new() -> Self {
        PyFormatter {
            pretty: PrettyFormatter::with_indent(b"  "),
        }
    }
}

impl Formatter for PyFormatter {
    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        writer.write_all(python_repr(value).as_bytes())
    }

    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        self.write_f64(writer, f64::from(value))
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json has escaped `"`, `\` and control characters already;
        // the rest of what is not printable ASCII is escaped here.
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if (' '..='~').contains(&c) {
                continue;
            }
            writer.write_all(fragment.get(start..at).unwrap_or_default().as_bytes())?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            start = at + c.len_utf8();
        }
        writer.write_all(fragment.get(start..).unwrap_or_default().as_bytes())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        self.pretty.write_char_escape(writer, escape)
    }

    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }
}

/// CPython's `repr` of a finite float: the shortest digits that read back
/// to it, in positional notation when the decimal exponent is in
/// `-4 ..= 15`, else as `d.ddde±XX`.
pub(super) fn python_repr(value: f64) -> String {
    // Rust's `{:e}` gives the same shortest, correctly rounded digits.
    let shortest = format!("{:e}", value.abs());
    let (mantissa, exponent) = shortest.split_once('e').unwrap_or((&shortest, "0"));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let sign = if value.is_sign_negative() { "-" } else { "" };
    // The decimal point sits after `point` digits.
    let point = exponent + 1;
    let count = digits.len() as i32;
    if !(-3..=16).contains(&point) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let dot = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{exp_sign}{:02}", exponent.abs());
    }
    if point <= 0 {
        let zeros = "0".repeat(point.unsigned_abs() as usize);
        format!("{sign}0.{zeros}{digits}")
    } else if point < count {
        let (whole, fraction) = digits.split_at(point as usize);
        format!("{sign}{whole}.{fraction}")
    } else {
        let zeros = "0".repeat((point - count) as usize);
        format!("{sign}{digits}{zeros}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_are_spelled_as_cpython_spells_them() {
        // Each pair is (value, repr(value)) as CPython 3.11 prints it.
        for (value, python) in [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (0.5, "0.5"),
            (-2.5, "-2.5"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e-7, "1e-07"),
            (1.5e-7, "1.5e-07"),
            (123456.789, "123456.789"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (1e22, "1e+22"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (-2.2250738585072014e-308, "-2.2250738585072014e-308"),
            (0.30000000000000004, "0.30000000000000004"),
            (9007199254740993.0, "9007199254740992.0"),
            (1e100, "1e+100"),
            (123e-20, "1.23e-18"),
        ] {
            assert_eq!(python_repr(value), python, "{value:?}");
        }
    }

    #[test]
    fn strings_are_escaped_as_ensure_ascii_does() {
        let text = to_vec(&json!("a\"\\\n\t\u{1}\u{7f}é\u{2028}😀")).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            r#""a\"\\\n\t\u0001\u007f\u00e9\u2028\ud83d\ude00""#
        );
    }

    #[test]
    fn layout_is_json_dumps_indent_2() {
        let text =
            to_vec(&json!({"a": [1, 2.5, {}], "b": {"c": [], "d": null, "e": true}})).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "{\n  \"a\": [\n    1,\n    2.5,\n    {}\n  ],\n  \"b\": {\n    \"c\": [],\n    \"d\": null,\n    \"e\": true\n  }\n}"
        );
    }

    #[test]
    fn times_are_isoformat() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
            .unwrap()
            .and_hms_micro_opt(9, 5, 7, 42)
            .unwrap();
        assert_eq!(isoformat(at), "2026-11-25T09:05:07.000042");
        let whole = chrono::NaiveDate::from_ymd_opt(2026, 1, 2)
            .unwrap()
            .and_hms_opt(3, 4, 5)
            .unwrap();
        assert_eq!(isoformat(whole), "2026-01-02T03:04:05");
        let stamp = Stamp::new();
        assert_eq!(stamp.id.len(), 32);
        assert!(stamp
            .id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    }
}
