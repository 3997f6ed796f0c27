//! `--format csv`: the table's columns as comma-separated values, a header line first, each
//! field quoted when it holds a comma, a quote or a line break (RFC 4180).

use serde::de::{Deserialize, Deserializer, MapAccess};
use serde::Serialize;
use serde_json::Value;

use crate::error::CliError;

use super::cell::Cell;

/// Rows printed one at a time: the header before the first.
#[derive(Default)]
pub(crate) struct CsvRows {
    started: bool,
}

impl CsvRows {
    /// The lines for the next row: its header too when it is the first.
    pub(crate) fn next(&mut self, fields: &[(&'static str, Cell)]) -> Result<String, CliError> {
        let mut text = String::new();
        if !self.started {
            self.started = true;
            text.push_str(&line(fields.iter().map(|(name, _)| *name))?);
        }
        text.push_str(&line(fields.iter().map(|(_, cell)| cell.data()))?);
        Ok(text)
    }
}

/// One CSV record, ending in `\n`.
pub(crate) fn line<'a>(fields: impl IntoIterator<Item = &'a str>) -> Result<String, CliError> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let encoding = |e: csv::Error| CliError::Local(format!("encoding CSV: {e}"));
    writer.write_record(fields).map_err(encoding)?;
    let bytes = writer
        .into_inner()
        .map_err(|e| CliError::Local(format!("encoding CSV: {}", e.error())))?;
    String::from_utf8(bytes).map_err(|e| CliError::Local(format!("encoding CSV: {e}")))
}

/// An object's top-level fields, in the order they are serialized, as a
/// header and one row: strings as they are, `null` empty, anything else as
/// compact JSON. Not an object: one column, `value`.
pub(crate) fn object(value: &impl Serialize) -> Result<String, CliError> {
    // Through the text, since a `Value` would sort the keys.
    let text = serde_json::to_string(value).map_err(super::encoding)?;
    let fields = match serde_json::from_str::<Fields>(&text) {
        Ok(Fields(fields)) => fields,
        Err(_) => {
            let value: Value = serde_json::from_str(&text).map_err(super::encoding)?;
            vec![("value".to_string(), value)]
        }
    };
    let mut out = line(fields.iter().map(|(name, _)| name.as_str()))?;
    let values: Vec<String> = fields.iter().map(|(_, value)| plain(value)).collect();
    out.push_str(&line(values.iter().map(String::as_str))?);
    Ok(out)
}

/// A JSON object's fields in their order.
struct Fields(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Fields, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Fields;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut fields = Vec::new();
                while let Some(field) = map.next_entry()? {
                    fields.push(field);
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(line(["a", "b c", ""]).unwrap(), "a,b c,\n");
        assert_eq!(line(["x,y"]).unwrap(), "\"x,y\"\n");
        assert_eq!(
            line([r#"say "hi""#, "two\nlines", "cr\rlf"]).unwrap(),
            "\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rlf\"\n"
        );
        assert_eq!(line(["日本", "✓"]).unwrap(), "日本,✓\n");
    }

    #[test]
    fn the_header_comes_once() {
        let mut rows = CsvRows::default();
        let row = |n: i64| vec![("name", Cell::text("a,b")), ("n", Cell::number(n))];
        assert_eq!(rows.next(&row(1)).unwrap(), "name,n\n\"a,b\",1\n");
        assert_eq!(rows.next(&row(2)).unwrap(), "\"a,b\",2\n");
    }

    #[test]
    fn an_object_is_a_header_and_a_row() {
        #[derive(Serialize)]
        struct Summary {
            z: &'static str,
            b: Option<u8>,
            c: u8,
            d: Value,
        }
        let value = Summary {
            z: "x",
            b: None,
            c: 3,
            d: serde_json::json!({"e": [1, "f"]}),
        };
        assert_eq!(
            object(&value).unwrap(),
            "z,b,c,d\nx,,3,\"{\"\"e\"\":[1,\"\"f\"\"]}\"\n",
            "in the struct's order"
        );
        assert_eq!(object(&serde_json::json!(7)).unwrap(), "value\n7\n");
    }
}
