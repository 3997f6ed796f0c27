//! `cargo xtask spec diff`: compares `openapi.yaml` with a server's own OpenAPI
//! document (3.1 as FastAPI emits it) after normalizing both.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::operations;

/// One difference between the two documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Drift {
    /// `METHOD /path`.
    pub operation: String,
    /// Where in the operation: `operation`, `parameter query.x`,
    /// `request body.field.sub`, `responses.200[].field`, ….
    pub location: String,
    /// What differs; "openapi.yaml" is always named first.
    pub message: String,
}

/// An intended difference, from `xtask/spec-allowlist.yaml`.
#[derive(Debug, Deserialize)]
pub struct Allowed {
    /// Glob (`*`) over `METHOD /path`.
    pub operation: String,
    /// Glob over the location.
    pub location: String,
    /// Glob over the message; default `*`.
    #[serde(default = "star")]
    pub message: String,
    /// Why the difference is intended.
    pub reason: String,
}

fn star() -> String {
    "*".into()
}

impl Allowed {
    pub fn matches(&self, drift: &Drift) -> bool {
        glob(&self.operation, &drift.operation)
            && glob(&self.location, &drift.location)
            && glob(&self.message, &drift.message)
    }
}

/// `*` matches any run of characters; everything else matches itself.
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

/// A schema reduced to what the diff compares: names, types, required,
/// nullable, enums. `$ref`s are resolved; names of schemas do not matter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Shape {
    Any,
    Null,
    Boolean,
    Integer,
    Number,
    String {
        binary: bool,
    },
    Enum(Vec<String>),
    Array(Box<Shape>),
    Object {
        fields: BTreeMap<String, (Shape, bool)>,
        additional: Option<Box<Shape>>,
    },
    Nullable(Box<Shape>),
    Union(Vec<Shape>),
    /// A schema that contains itself (the filter); compared by position only.
    Recursive,
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Shape::Any => f.write_str("any"),
            Shape::Null => f.write_str("null"),
            Shape::Boolean => f.write_str("boolean"),
            Shape::Integer => f.write_str("integer"),
            Shape::Number => f.write_str("number"),
            Shape::String { binary: true } => f.write_str("binary"),
            Shape::String { binary: false } => f.write_str("string"),
            Shape::Enum(values) => write!(f, "enum [{}]", values.join(", ")),
            Shape::Array(items) => write!(f, "array of {items}"),
            Shape::Object { fields, additional } => {
                let names: Vec<&str> = fields.keys().map(String::as_str).collect();
                write!(f, "object {{{}}}", names.join(", "))?;
                match additional {
                    Some(extra) => write!(f, " + map of {extra}"),
                    None => Ok(()),
                }
            }
            Shape::Nullable(inner) => write!(f, "{inner} or null"),
            Shape::Union(variants) => {
                let shown: Vec<String> = variants.iter().map(ToString::to_string).collect();
                write!(f, "one of ({})", shown.join(" | "))
            }
            Shape::Recursive => f.write_str("(recursive)"),
        }
    }
}

/// Reads schemas of one document, resolving `$ref`s against it.
struct Reader<'a> {
    doc: &'a Value,
    stack: Vec<String>,
}

impl<'a> Reader<'a> {
    fn resolve(&self, value: &'a Value) -> &'a Value {
        let mut value = value;
        for _ in 0..16 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(target) => match target.strip_prefix('#').and_then(|p| self.doc.pointer(p)) {
                    Some(next) => value = next,
                    None => return &Value::Null,
                },
                None => break,
            }
        }
        value
    }

    fn shape(&mut self, schema: &Value) -> Shape {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            if self.stack.iter().any(|s| s == target) {
                return Shape::Recursive;
            }
            self.stack.push(target.to_string());
            let resolved = self.resolve(schema);
            let shape = self.shape(resolved);
            self.stack.pop();
            return shape;
        }
        let Some(map) = schema.as_object() else {
            return Shape::Any;
        };
        let shape = self.plain_shape(map);
        if map.get("nullable").and_then(Value::as_bool) == Some(true) {
            nullable(shape)
        } else {
            shape
        }
    }

    fn plain_shape(&mut self, map: &Map<String, Value>) -> Shape {
        for key in ["anyOf", "oneOf"] {
            if let Some(variants) = map.get(key).and_then(Value::as_array) {
                let shapes = variants.iter().map(|v| self.shape(v)).collect();
                return union(shapes);
            }
        }
        if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
            if parts.len() == 1 {
                return self.shape(&parts[0]);
            }
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            let mut values: Vec<String> = values
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
                .collect();
            values.sort();
            return Shape::Enum(values);
        }
        match map.get("type") {
            Some(Value::Array(types)) => {
                let shapes = types
                    .iter()
                    .map(|t| {
                        let mut single = map.clone();
                        single.insert("type".into(), t.clone());
                        self.plain_shape(&single)
                    })
                    .collect();
                union(shapes)
            }
            Some(Value::String(t)) => match t.as_str() {
                "null" => Shape::Null,
                "boolean" => Shape::Boolean,
                "integer" => Shape::Integer,
                "number" => Shape::Number,
                "string" => Shape::String {
                    binary: map.get("format").and_then(Value::as_str) == Some("binary"),
                },
                "array" => Shape::Array(Box::new(
                    map.get("items")
                        .map_or(Shape::Any, |items| self.shape(items)),
                )),
                "object" => self.object(map),
                _ => Shape::Any,
            },
            _ if map.contains_key("properties") => self.object(map),
            _ => Shape::Any,
        }
    }

    fn object(&mut self, map: &Map<String, Value>) -> Shape {
        let required: BTreeSet<&str> = map
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = BTreeMap::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                let shape = self.shape(schema);
                fields.insert(name.clone(), (shape, required.contains(name.as_str())));
            }
        }
        let additional = match map.get("additionalProperties") {
            Some(Value::Bool(true)) => Some(Box::new(Shape::Any)),
            Some(schema @ Value::Object(_)) => Some(Box::new(self.shape(schema))),
            _ => None,
        };
        Shape::Object { fields, additional }
    }
}

fn nullable(shape: Shape) -> Shape {
    match shape {
        Shape::Nullable(_) | Shape::Null => shape,
        other => Shape::Nullable(Box::new(other)),
    }
}

/// `anyOf`/`oneOf`: null variants become nullability; order does not matter.
fn union(shapes: Vec<Shape>) -> Shape {
    let has_null = shapes.contains(&Shape::Null);
    let mut rest: Vec<Shape> = shapes.into_iter().filter(|s| *s != Shape::Null).collect();
    rest.sort();
    rest.dedup();
    let shape = match rest.len() {
        0 => Shape::Null,
        1 => rest.remove(0),
        _ => Shape::Union(rest),
    };
    if has_null {
        nullable(shape)
    } else {
        shape
    }
}

/// What the diff compares of one operation.
#[derive(Default)]
struct Operation {
    parameters: BTreeMap<String, (bool, Shape)>,
    body: Option<(bool, BTreeMap<String, Shape>)>,
    responses: BTreeMap<String, BTreeMap<String, Shape>>,
}

fn read_operations(doc: &Value) -> BTreeMap<String, Operation> {
    let mut reader = Reader {
        doc,
        stack: Vec::new(),
    };
    let mut result = BTreeMap::new();
    for op in operations(doc) {
        let key = format!("{} {}", op.method.to_uppercase(), op.path);
        let mut operation = Operation::default();
        let value = op.value;
        for param in value
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let param = reader.resolve(param);
            let name = param.get("name").and_then(Value::as_str).unwrap_or("?");
            let place = param.get("in").and_then(Value::as_str).unwrap_or("?");
            let required = param
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let shape = param.get("schema").map_or(Shape::Any, |s| reader.shape(s));
            operation
                .parameters
                .insert(format!("{place}.{name}"), (required, shape));
        }
        if let Some(body) = value.get("requestBody") {
            let body = reader.resolve(body);
            let required = body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            operation.body = Some((required, contents(&mut reader, body)));
        }
        for (status, response) in value
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let response = reader.resolve(response);
            operation
                .responses
                .insert(status.clone(), contents(&mut reader, response));
        }
        result.insert(key, operation);
    }
    result
}

fn contents(reader: &mut Reader<'_>, holder: &Value) -> BTreeMap<String, Shape> {
    holder
        .get("content")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(media, content)| {
            let shape = content
                .get("schema")
                .map_or(Shape::Any, |s| reader.shape(s));
            (media.clone(), shape)
        })
        .collect()
}

/// Every difference between ours (`openapi.yaml`) and theirs (the server's).
pub fn diff(ours: &Value, theirs: &Value) -> Vec<Drift> {
    let ours = read_operations(ours);
    let theirs = read_operations(theirs);
    let mut drifts = Vec::new();
    let keys: BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    for key in keys {
        let mut out = Out {
            operation: key,
            drifts: &mut drifts,
        };
        match (ours.get(key), theirs.get(key)) {
            (Some(a), Some(b)) => compare_operation(&mut out, a, b),
            (Some(_), None) => out.push("operation", "only in openapi.yaml"),
            (None, Some(_)) => out.push("operation", "only in the server's document"),
            (None, None) => {}
        }
    }
    drifts
}

struct Out<'a> {
    operation: &'a str,
    drifts: &'a mut Vec<Drift>,
}

impl Out<'_> {
    fn push(&mut self, location: &str, message: impl Into<String>) {
        self.drifts.push(Drift {
            operation: self.operation.to_string(),
            location: location.to_string(),
            message: message.into(),
        });
    }
}

fn compare_operation(out: &mut Out<'_>, ours: &Operation, theirs: &Operation) {
    let names: BTreeSet<&String> = ours
        .parameters
        .keys()
        .chain(theirs.parameters.keys())
        .collect();
    for name in names {
        let location = format!("parameter {name}");
        match (ours.parameters.get(name), theirs.parameters.get(name)) {
            (Some((ra, a)), Some((rb, b))) => {
                if ra != rb {
                    out.push(
                        &location,
                        format!("required: {ra} in openapi.yaml, {rb} in the server's"),
                    );
                }
                compare_shape(out, &location, a, b);
            }
            (Some(_), None) => out.push(&location, "only in openapi.yaml"),
            (None, Some(_)) => out.push(&location, "only in the server's document"),
            (None, None) => {}
        }
    }
    match (&ours.body, &theirs.body) {
        (Some((ra, a)), Some((rb, b))) => {
            if ra != rb {
                out.push(
                    "request body",
                    format!("required: {ra} in openapi.yaml, {rb} in the server's"),
                );
            }
            compare_contents(out, "request body", a, b);
        }
        (Some(_), None) => out.push("request body", "only in openapi.yaml"),
        (None, Some(_)) => out.push("request body", "only in the server's document"),
        (None, None) => {}
    }
    let statuses: BTreeSet<&String> = ours
        .responses
        .keys()
        .chain(theirs.responses.keys())
        .collect();
    for status in statuses {
        let location = format!("responses.{status}");
        match (ours.responses.get(status), theirs.responses.get(status)) {
            (Some(a), Some(b)) => compare_contents(out, &location, a, b),
            (Some(_), None) => out.push(&location, "only in openapi.yaml"),
            (None, Some(_)) => out.push(&location, "only in the server's document"),
            (None, None) => {}
        }
    }
}

fn compare_contents(
    out: &mut Out<'_>,
    location: &str,
    ours: &BTreeMap<String, Shape>,
    theirs: &BTreeMap<String, Shape>,
) {
    let media = |m: &BTreeMap<String, Shape>| {
        if m.is_empty() {
            "(no content)".to_string()
        } else {
            m.iter()
                .map(|(media, shape)| format!("{media}: {shape}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    if ours.keys().ne(theirs.keys()) {
        out.push(
            location,
            format!(
                "content: {} in openapi.yaml, {} in the server's",
                media(ours),
                media(theirs)
            ),
        );
    }
    for (media_type, a) in ours {
        if let Some(b) = theirs.get(media_type) {
            compare_shape(out, location, a, b);
        }
    }
}

fn compare_shape(out: &mut Out<'_>, location: &str, ours: &Shape, theirs: &Shape) {
    if ours == theirs {
        return;
    }
    match (ours, theirs) {
        (Shape::Nullable(a), b) if !matches!(b, Shape::Nullable(_)) => {
            out.push(location, "nullable in openapi.yaml, not in the server's");
            compare_shape(out, location, a, b);
        }
        (a, Shape::Nullable(b)) if !matches!(a, Shape::Nullable(_)) => {
            out.push(location, "nullable in the server's, not in openapi.yaml");
            compare_shape(out, location, a, b);
        }
        (Shape::Nullable(a), Shape::Nullable(b)) => compare_shape(out, location, a, b),
        (Shape::Array(a), Shape::Array(b)) => compare_shape(out, &format!("{location}[]"), a, b),
        (Shape::Enum(a), Shape::Enum(b)) => {
            let only_ours: Vec<&String> = a.iter().filter(|v| !b.contains(v)).collect();
            let only_theirs: Vec<&String> = b.iter().filter(|v| !a.contains(v)).collect();
            out.push(
                location,
                format!("enum values only in openapi.yaml: {only_ours:?}; only in the server's: {only_theirs:?}"),
            );
        }
        (
            Shape::Object {
                fields: fa,
                additional: aa,
            },
            Shape::Object {
                fields: fb,
                additional: ab,
            },
        ) => {
            let names: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
            for name in names {
                let here = format!("{location}.{name}");
                match (fa.get(name), fb.get(name)) {
                    (Some((a, ra)), Some((b, rb))) => {
                        if ra != rb {
                            out.push(
                                &here,
                                format!("required: {ra} in openapi.yaml, {rb} in the server's"),
                            );
                        }
                        compare_shape(out, &here, a, b);
                    }
                    (Some((a, _)), None) => {
                        out.push(&here, format!("field ({a}) only in openapi.yaml"))
                    }
                    (None, Some((b, _))) => {
                        out.push(&here, format!("field ({b}) only in the server's document"))
                    }
                    (None, None) => {}
                }
            }
            if aa != ab {
                let show = |x: &Option<Box<Shape>>| {
                    x.as_ref().map_or("none".to_string(), |s| s.to_string())
                };
                out.push(
                    location,
                    format!(
                        "additional properties: {} in openapi.yaml, {} in the server's",
                        show(aa),
                        show(ab)
                    ),
                );
            }
        }
        (a, b) => out.push(
            location,
            format!("type: {a} in openapi.yaml, {b} in the server's"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob("*", "anything"));
        assert!(glob("responses.*", "responses.422"));
        assert!(glob("PUT /*/publish", "PUT /benchmarks/publish"));
        assert!(!glob("PUT /*/publish", "PUT /benchmarks/unpublish"));
        assert!(glob(
            "*no content*",
            "content: (no content) in openapi.yaml"
        ));
        assert!(!glob("a*b", "ab-c"));
        assert!(glob("exact", "exact"));
    }

    #[test]
    fn nullable_forms_are_equal() {
        let ours: Value = serde_json::json!({"type": "string", "nullable": true});
        let theirs: Value = serde_json::json!({"anyOf": [{"type": "string"}, {"type": "null"}]});
        let doc = Value::Null;
        let mut r = Reader {
            doc: &doc,
            stack: vec![],
        };
        assert_eq!(r.shape(&ours), r.shape(&theirs));
        let any_null: Value = serde_json::json!({"anyOf": [{}, {"type": "null"}]});
        assert_eq!(
            r.shape(&any_null),
            r.shape(&serde_json::json!({"nullable": true}))
        );
    }
}
