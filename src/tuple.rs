//! RL tuples with a compact, lossless representation of their values.
//!
//! The API types `state`, `action` and `reward` as any JSON. Held as
//! `serde_json::Value`, every number costs 32 bytes and an enum match; real
//! episodes are mostly flat arrays of floats. [`TupleValue`] keeps exactly
//! those as `Vec<f64>` (8 bytes a number) and anything else as JSON, without
//! ever changing what goes over the wire: a float stays a float, an integer
//! stays an integer.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

/// A tuple's `state`, `action` or `reward`: any JSON value.
///
/// Build one with `From`: `TupleValue::from(vec![0.5, -1.0])`,
/// `TupleValue::from(0.25)`, `TupleValue::from(json!({"x": 1}))`. Values
/// that are floats, or flat arrays of floats, are stored unboxed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum TupleValue {
    /// A non-empty array whose elements are all JSON floats.
    Floats(Vec<f64>),
    /// One JSON float.
    Float(f64),
    /// Any other JSON (integers, strings, objects, nested arrays, null, …).
    Json(Value),
}

impl TupleValue {
    /// Returns the floats, when the value is a flat array of floats.
    pub fn as_floats(&self) -> Option<&[f64]> {
        match self {
            TupleValue::Floats(v) => Some(v),
            _ => None,
        }
    }

    /// Returns the value as one number, when it is one (integer or float).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            TupleValue::Float(f) => Some(*f),
            TupleValue::Json(v) => v.as_f64(),
            TupleValue::Floats(_) => None,
        }
    }

    /// Converts the value to `serde_json::Value` (allocates for float arrays).
    pub fn to_json(&self) -> Value {
        match self {
            TupleValue::Floats(v) => Value::Array(v.iter().map(|&f| float(f)).collect()),
            TupleValue::Float(f) => float(*f),
            TupleValue::Json(v) => v.clone(),
        }
    }

    /// Where the first float that JSON cannot carry (NaN, ±infinity) is:
    /// `Some("")` for the value itself, `Some("[3]")` in an array.
    pub(crate) fn first_non_finite(&self) -> Option<String> {
        match self {
            TupleValue::Float(f) if !f.is_finite() => Some(String::new()),
            TupleValue::Floats(v) => v
                .iter()
                .position(|f| !f.is_finite())
                .map(|i| format!("[{i}]")),
            _ => None,
        }
    }
}

/// A JSON number from a float; `null` for what JSON cannot hold (never
/// produced from decoded data).
fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

impl Default for TupleValue {
    fn default() -> Self {
        TupleValue::Json(Value::Null)
    }
}

impl From<Value> for TupleValue {
    /// Stores floats and flat arrays of floats unboxed.
    fn from(value: Value) -> Self {
        match value {
            Value::Number(n) if n.is_f64() => TupleValue::Float(n.as_f64().unwrap_or_default()),
            Value::Array(items) if !items.is_empty() && items.iter().all(is_float) => {
                TupleValue::Floats(items.iter().filter_map(Value::as_f64).collect())
            }
            other => TupleValue::Json(other),
        }
    }
}

fn is_float(v: &Value) -> bool {
    matches!(v, Value::Number(n) if n.is_f64())
}

impl From<Vec<f64>> for TupleValue {
    fn from(floats: Vec<f64>) -> Self {
        if floats.is_empty() {
            TupleValue::Json(Value::Array(Vec::new()))
        } else {
            TupleValue::Floats(floats)
        }
    }
}

impl From<&[f64]> for TupleValue {
    fn from(floats: &[f64]) -> Self {
        TupleValue::from(floats.to_vec())
    }
}

impl From<f64> for TupleValue {
    fn from(f: f64) -> Self {
        TupleValue::Float(f)
    }
}

impl From<TupleValue> for Value {
    fn from(value: TupleValue) -> Self {
        match value {
            TupleValue::Json(v) => v,
            other => other.to_json(),
        }
    }
}

impl PartialEq<Value> for TupleValue {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (TupleValue::Json(a), b) => a == b,
            (TupleValue::Float(a), Value::Number(n)) => n.is_f64() && n.as_f64() == Some(*a),
            (TupleValue::Floats(a), Value::Array(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|(x, y)| is_float(y) && y.as_f64() == Some(*x))
            }
            _ => false,
        }
    }
}

impl fmt::Display for TupleValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match serde_json::to_string(self) {
            Ok(text) => f.write_str(&text),
            Err(_) => f.write_str("<not representable as JSON>"),
        }
    }
}

impl Serialize for TupleValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            TupleValue::Floats(v) => {
                let mut seq = serializer.serialize_seq(Some(v.len()))?;
                for f in v {
                    seq.serialize_element(f)?;
                }
                seq.end()
            }
            TupleValue::Float(f) => serializer.serialize_f64(*f),
            TupleValue::Json(v) => v.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for TupleValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TupleValueVisitor)
    }
}

struct TupleValueVisitor;

impl<'de> Visitor<'de> for TupleValueVisitor {
    type Value = TupleValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TupleValue, E> {
        Ok(TupleValue::Float(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::from(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::Bool(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<TupleValue, E> {
        Ok(TupleValue::Json(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<TupleValue, D::Error> {
        TupleValue::deserialize(d)
    }

    /// Collects floats unboxed while every element is a float; at the first
    /// element that is not, switches to JSON values for the rest, without
    /// going back over the input.
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TupleValue, A::Error> {
        let mut floats = Vec::with_capacity(seq.size_hint().unwrap_or(16).min(4096));
        let mut values: Vec<Value> = loop {
            match seq.next_element::<Value>()? {
                None if floats.is_empty() => return Ok(TupleValue::Json(Value::Array(Vec::new()))),
                None => {
                    floats.shrink_to_fit();
                    return Ok(TupleValue::Floats(floats));
                }
                Some(Value::Number(n)) if n.is_f64() => floats.push(n.as_f64().unwrap_or_default()),
                Some(other) => {
                    let mut values: Vec<Value> = floats.iter().map(|&f| float(f)).collect();
                    values.push(other);
                    break values;
                }
            }
        };
        while let Some(value) = seq.next_element::<Value>()? {
            values.push(value);
        }
        Ok(TupleValue::Json(Value::Array(values)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TupleValue, A::Error> {
        let object = Map::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(TupleValue::Json(Value::Object(object)))
    }
}

impl schemars::JsonSchema for TupleValue {
    fn schema_name() -> String {
        "TupleValue".into()
    }

    fn json_schema(_: &mut schemars::gen::SchemaGenerator) -> schemars::schema::Schema {
        // Any JSON value.
        schemars::schema::Schema::Bool(true)
    }
}

/// One step of an episode (pytupli's `RLTuple`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RlTuple {
    /// The observation.
    pub state: TupleValue,
    /// The action taken.
    pub action: TupleValue,
    /// The reward received.
    pub reward: TupleValue,
    /// Extra information from the environment.
    #[serde(default)]
    pub info: Map<String, Value>,
    /// Whether the episode ended in a terminal state here.
    #[serde(default)]
    pub terminal: bool,
    /// Whether the episode was cut off here (truncated).
    #[serde(default)]
    pub timeout: bool,
}

impl RlTuple {
    /// Where the tuple's first float that JSON cannot carry (NaN, ±infinity)
    /// is: `state[3]`, `action`, `reward`.
    pub(crate) fn first_non_finite(&self) -> Option<String> {
        [
            ("state", &self.state),
            ("action", &self.action),
            ("reward", &self.reward),
        ]
        .into_iter()
        .find_map(|(field, value)| value.first_non_finite().map(|at| format!("{field}{at}")))
    }

    /// Creates a tuple of `state`, `action` and `reward`, neither terminal nor
    /// cut off.
    pub fn new(
        state: impl Into<TupleValue>,
        action: impl Into<TupleValue>,
        reward: impl Into<TupleValue>,
    ) -> Self {
        RlTuple {
            state: state.into(),
            action: action.into(),
            reward: reward.into(),
            ..RlTuple::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(text: &str) -> (TupleValue, String) {
        let value: TupleValue = serde_json::from_str(text).unwrap();
        let back = serde_json::to_string(&value).unwrap();
        (value, back)
    }

    #[test]
    fn floats_are_unboxed_and_everything_survives() {
        for (text, floats) in [
            ("[0.5,-1.25,1e-7]", true),
            ("[1.0,2.0]", true),
            ("[1,2.5]", false),
            ("[0.5,1]", false),
            ("[0.5,\"x\"]", false),
            ("[[0.5],[1.5]]", false),
            ("[]", false),
            ("0.25", false),
            ("3", false),
            ("null", false),
            ("{\"a\":[1.5]}", false),
        ] {
            let (value, back) = round_trip(text);
            assert_eq!(value.as_floats().is_some(), floats, "{text}");
            let original: Value = serde_json::from_str(text).unwrap();
            let again: Value = serde_json::from_str(&back).unwrap();
            assert_eq!(again, original, "{text} came back as {back}");
            assert_eq!(value, original, "{text}");
            assert_eq!(TupleValue::from(original.clone()), value, "{text}");
        }
    }

    #[test]
    fn integers_stay_integers() {
        assert_eq!(round_trip("[1,2,3]").1, "[1,2,3]");
        assert_eq!(round_trip("7").1, "7");
        assert_eq!(round_trip("[2.0,3.0]").1, "[2.0,3.0]");
    }

    #[test]
    fn non_finite_values_are_found() {
        assert_eq!(
            TupleValue::from(vec![0.0, f64::NAN])
                .first_non_finite()
                .as_deref(),
            Some("[1]")
        );
        assert_eq!(
            TupleValue::from(f64::INFINITY)
                .first_non_finite()
                .as_deref(),
            Some("")
        );
        assert_eq!(TupleValue::from(json!([1.5])).first_non_finite(), None);
    }
}
