//! Filters for listing benchmarks, artifacts and episodes.
//!
//! A [`Filter`] is either a comparison of one document field (`key`, a dotted
//! path such as `metadata.name`) with a JSON value, or an `AND`/`OR` of other
//! filters. It serializes exactly like pytupli's `BaseFilter.model_dump()`.
//!
//! ```
//! use tupli::Filter;
//! use serde_json::json;
//!
//! let f = Filter::eq("metadata.name", "cartpole") & Filter::geq("metadata.difficulty", 3);
//! assert_eq!(
//!     serde_json::to_value(&f).unwrap(),
//!     json!({"type": "AND", "key": null, "value": null, "filters": [
//!         {"type": "EQ", "key": "metadata.name", "value": "cartpole", "filters": []},
//!         {"type": "GEQ", "key": "metadata.difficulty", "value": 3, "filters": []},
//!     ]})
//! );
//! ```

use std::ops::{BitAnd, BitOr};

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use crate::error::{Error, Result};

/// Ids in one `id IN [...]` request when listing many objects by id (a
/// dataset's episodes, a copy's reads), so no request grows with the
/// selection.
pub(crate) const ID_BATCH: usize = 100;

/// What a [`Filter`] does: one of seven comparisons, or `AND`/`OR` of sub-filters.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum FilterType {
    /// `key == value`.
    #[serde(rename = "EQ")]
    Eq,
    /// `key >= value`.
    #[serde(rename = "GEQ")]
    Geq,
    /// `key <= value`.
    #[serde(rename = "LEQ")]
    Leq,
    /// `key > value`.
    #[serde(rename = "GT")]
    Gt,
    /// `key < value`.
    #[serde(rename = "LT")]
    Lt,
    /// `key != value`.
    #[serde(rename = "NE")]
    Ne,
    /// `key` is one of the values (an array).
    #[serde(rename = "IN")]
    In,
    /// All sub-filters match.
    #[serde(rename = "AND")]
    And,
    /// Any sub-filter matches (none: everything).
    #[serde(rename = "OR")]
    Or,
}

impl FilterType {
    /// Returns the name on the wire: `EQ`, `GEQ`, … `AND`, `OR`.
    pub fn as_str(self) -> &'static str {
        match self {
            FilterType::Eq => "EQ",
            FilterType::Geq => "GEQ",
            FilterType::Leq => "LEQ",
            FilterType::Gt => "GT",
            FilterType::Lt => "LT",
            FilterType::Ne => "NE",
            FilterType::In => "IN",
            FilterType::And => "AND",
            FilterType::Or => "OR",
        }
    }
}

impl std::fmt::Display for FilterType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A filter on stored documents (pytupli's `BaseFilter`).
#[derive(Clone, Debug, PartialEq, Deserialize, schemars::JsonSchema)]
pub struct Filter {
    /// The comparison, or `AND`/`OR`.
    #[serde(rename = "type", default = "or_type")]
    pub kind: FilterType,
    /// Dotted field path; required for comparisons.
    #[serde(default)]
    pub key: Option<String>,
    /// Value to compare with; required (and not `null`) for comparisons.
    #[serde(default)]
    pub value: Option<Value>,
    /// Sub-filters of `AND`/`OR`.
    #[serde(default = "empty_filters")]
    pub filters: Option<Vec<Filter>>,
}

fn or_type() -> FilterType {
    FilterType::Or
}

fn empty_filters() -> Option<Vec<Filter>> {
    Some(Vec::new())
}

impl Default for Filter {
    /// The empty `OR`, which the server treats as "everything".
    fn default() -> Self {
        Filter::all()
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        // pytupli's model_dump(): all four fields, in this order, nulls included.
        let mut s = serializer.serialize_struct("BaseFilter", 4)?;
        s.serialize_field("type", &self.kind)?;
        s.serialize_field("key", &self.key)?;
        s.serialize_field("value", &self.value)?;
        s.serialize_field("filters", &self.filters)?;
        s.end()
    }
}

impl Filter {
    fn compare(kind: FilterType, key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter {
            kind,
            key: Some(key.into()),
            value: Some(value.into()),
            filters: Some(Vec::new()),
        }
    }

    fn combine(kind: FilterType, filters: impl IntoIterator<Item = Filter>) -> Self {
        Filter {
            kind,
            key: None,
            value: None,
            filters: Some(filters.into_iter().collect()),
        }
    }

    /// Creates the filter that matches everything: the empty `OR` (what
    /// pytupli sends for no filter).
    pub fn all() -> Self {
        Filter::combine(FilterType::Or, [])
    }

    /// Creates `key == value`.
    pub fn eq(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::compare(FilterType::Eq, key, value)
    }

    /// Creates `key != value`.
    pub fn ne(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::compare(FilterType::Ne, key, value)
    }

    /// Creates `key >= value`.
    pub fn geq(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::compare(FilterType::Geq, key, value)
    }

    /// Creates `key <= value`.
    pub fn leq(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::compare(FilterType::Leq, key, value)
    }

    /// Creates `key > value`.
    pub fn gt(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::compare(FilterType::Gt, key, value)
    }

    /// Creates `key < value`.
    pub fn lt(key: impl Into<String>, value: impl Into<Value>) -> Self {
        Filter::compare(FilterType::Lt, key, value)
    }

    /// Creates "`key` is one of `values`".
    pub fn in_<V: Into<Value>>(
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        Filter::compare(FilterType::In, key, values)
    }

    /// Creates the `AND` of `filters`: all must match.
    pub fn and(filters: impl IntoIterator<Item = Filter>) -> Self {
        Filter::combine(FilterType::And, filters)
    }

    /// Creates the `OR` of `filters`: any must match (none given: everything).
    pub fn or(filters: impl IntoIterator<Item = Filter>) -> Self {
        Filter::combine(FilterType::Or, filters)
    }

    /// Checks what the server (pytupli's validator) would reject, recursively:
    /// comparisons need a non-empty key and a non-null value.
    pub fn validate(&self) -> Result<()> {
        self.validate_at("filter")
    }

    fn validate_at(&self, at: &str) -> Result<()> {
        if !matches!(self.kind, FilterType::And | FilterType::Or) {
            let kind = self.kind;
            let key = self.key.as_deref().unwrap_or_default();
            if key.trim().is_empty() {
                return Err(Error::invalid(
                    "filter",
                    format!("{at}: a {kind} filter needs a non-empty key"),
                ));
            }
            if key.chars().any(char::is_control) {
                return Err(Error::invalid(
                    "filter",
                    format!("{at}: the key contains control characters"),
                ));
            }
            if self.value.as_ref().is_none_or(Value::is_null) {
                return Err(Error::invalid(
                    "filter",
                    format!(
                        "{at}: a {kind} filter needs a value that is not null \
                         (NaN and infinities also become null)"
                    ),
                ));
            }
        }
        // The server validates every sub-filter, also those of a comparison.
        for (i, sub) in self.filters.iter().flatten().enumerate() {
            sub.validate_at(&format!("{at}.filters[{i}]"))?;
        }
        Ok(())
    }
}

impl BitAnd for Filter {
    type Output = Filter;

    /// `a & b`, flattening like pytupli: an `AND` on either side absorbs the other.
    fn bitand(self, other: Filter) -> Filter {
        flatten(FilterType::And, self, other)
    }
}

impl BitOr for Filter {
    type Output = Filter;

    /// `a | b`, flattening like pytupli: an `OR` on either side absorbs the other.
    fn bitor(self, other: Filter) -> Filter {
        flatten(FilterType::Or, self, other)
    }
}

fn flatten(kind: FilterType, left: Filter, right: Filter) -> Filter {
    if left.kind == kind {
        let mut filters = left.filters.unwrap_or_default();
        filters.push(right);
        Filter::combine(kind, filters)
    } else if right.kind == kind {
        let mut filters = vec![left];
        filters.extend(right.filters.unwrap_or_default());
        Filter::combine(kind, filters)
    } else {
        Filter::combine(kind, [left, right])
    }
}

/// Body of `POST /episodes/list`: a filter plus whether to send the tuples.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EpisodesListRequest {
    /// Which episodes.
    #[serde(flatten)]
    pub filter: Filter,
    /// Whether to include each episode's tuples.
    #[serde(default)]
    pub include_tuples: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattening_matches_pytupli() {
        let (a, b, c) = (Filter::eq("a", 1), Filter::eq("b", 2), Filter::eq("c", 3));
        let left = (a.clone() & b.clone()) & c.clone();
        assert_eq!(left, Filter::and([a.clone(), b.clone(), c.clone()]));
        let right = a.clone() & (b.clone() & c.clone());
        assert_eq!(right, Filter::and([a.clone(), b.clone(), c.clone()]));
        let mixed = (a.clone() | b.clone()) & c.clone();
        assert_eq!(mixed, Filter::and([Filter::or([a, b]), c]));
    }

    #[test]
    fn validation_names_the_place() {
        let bad = Filter::and([Filter::eq("a", 1), Filter::eq("b", Value::Null)]);
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("filter.filters[1]"), "{err}");
        assert!(Filter::eq(" ", 1).validate().is_err());
        assert!(Filter::eq("x", f64::NAN).validate().is_err());
        assert!(Filter::all().validate().is_ok());
    }

    #[test]
    fn episodes_request_flattens() {
        let r = EpisodesListRequest {
            filter: Filter::all(),
            include_tuples: true,
        };
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"type":"OR","key":null,"value":null,"filters":[],"include_tuples":true}"#
        );
        let back: EpisodesListRequest =
            serde_json::from_value(json!({"include_tuples": true})).unwrap();
        assert_eq!(back, r);
    }
}
