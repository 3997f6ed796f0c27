//! Normalizing a document for `spec diff`: every operation's parameters,
//! request body and responses read into [`Shape`]s, `$ref`s resolved and
//! `anyOf`-with-null read as nullable, so the two documents' spellings of the
//! same thing compare equal.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use crate::spec::operations;

/// A schema reduced to what the diff compares: names, types, required,
/// nullable, enums. `$ref`s are resolved; names of schemas do not matter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Shape {
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
pub(super) struct Reader<'a> {
    pub(super) doc: &'a Value,
    pub(super) stack: Vec<String>,
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

    pub(super) fn shape(&mut self, schema: &Value) -> Shape {
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
pub(super) struct Operation {
    pub(super) parameters: BTreeMap<String, (bool, Shape)>,
    pub(super) body: Option<(bool, BTreeMap<String, Shape>)>,
    pub(super) responses: BTreeMap<String, BTreeMap<String, Shape>>,
}

pub(super) fn read_operations(doc: &Value) -> BTreeMap<String, Operation> {
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
