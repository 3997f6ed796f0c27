//! Filters evaluated on documents read from files, giving the answers of the
//! reference server.
//!
//! The server turns a filter into a MongoDB query (`{key: value}` for `EQ`,
//! `{key: {"$gte": value}}` for `GEQ`, … `$in` for `IN`, `$and`/`$or` for
//! the combinations, `{}` for an empty one) and runs it on mongomock. This
//! module is a port of what mongomock 4.3 does with exactly those queries:
//!
//! - **Paths**: a dotted key walks objects; through an array it collects the
//!   field from every object element (a missing one counts as missing); a
//!   numeric component indexes an array (negative ones from the end, as
//!   Python does); a path that runs into anything else has no value at all.
//! - **`EQ`**: Python's `==` on the value; an array also matches when one
//!   of its elements is equal. `1 == 1.0`, and `true == 1` (Python's `bool`
//!   is an `int`); objects compare regardless of key order.
//! - **`GT`, `GEQ`, `LT`, `LEQ`**: only values of the same kind compare
//!   (numbers, strings, booleans, objects, arrays, `null`); an array field
//!   matches when one element does, unless the value is an array too (then
//!   the arrays are compared element by element).
//! - **`NE`**: not equal for every value the path reaches; a missing field,
//!   or a path that reaches nothing, matches.
//! - **`IN`**: the field (or any element of an array field) equals one of
//!   the values; a `null` among them matches a missing field.
//! - **`AND`/`OR`** of no filters match everything.
//! - A negative component that reaches before the start of an array in any
//!   document makes the whole listing empty (mongomock's `IndexError` ends
//!   its cursor).

use std::sync::LazyLock;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::filter::{Filter, FilterType};

mod compare;

use compare::{bson_compare, py_eq, Op};

/// What the keys of a filter are relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    /// The whole document (benchmarks, episodes).
    Document,
    /// An artifact's metadata (the server prefixes every key with `metadata.`).
    Metadata,
}

/// Refuses what the server would reject, and what it would read as a query
/// operator rather than as a value (which a folder cannot evaluate).
pub(super) fn check(filter: &Filter, scope: Scope) -> Result<()> {
    filter.validate()?;
    check_at(filter, scope, "filter")
}

fn check_at(filter: &Filter, scope: Scope, at: &str) -> Result<()> {
    match filter.kind {
        FilterType::And | FilterType::Or => {
            for (i, sub) in filter.filters.iter().flatten().enumerate() {
                check_at(sub, scope, &format!("{at}.filters[{i}]"))?;
            }
        }
        kind => {
            let key = filter.key.as_deref().unwrap_or_default();
            if scope == Scope::Document && key.starts_with('$') {
                return Err(Error::invalid(
                    "filter",
                    format!(
                        "{at}: a key starting with `$` is a query operator for MongoDB, \
                         not a field"
                    ),
                ));
            }
            match (kind, &filter.value) {
                (FilterType::Eq, Some(Value::Object(map)))
                    if map.keys().any(|k| k.starts_with('$')) =>
                {
                    return Err(Error::invalid(
                        "filter",
                        format!(
                            "{at}: an EQ value with keys starting with `$` is a query \
                             operator for MongoDB; FileStorage compares values only"
                        ),
                    ));
                }
                (FilterType::In, Some(value)) if !value.is_array() => {
                    return Err(Error::invalid(
                        "filter",
                        format!("{at}: an IN filter needs an array of values"),
                    ));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A negative key component reached before the start of an array. In
/// mongomock this raises an `IndexError`, which its cursor takes for the end
/// of the results: the whole listing answers nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct PastStart;

/// Whether `filter` has a key component that indexes from the end (so that
/// it can meet [`PastStart`]).
pub(super) fn indexes_from_end(filter: &Filter) -> bool {
    let key = filter.key.as_deref().unwrap_or_default();
    let own = !matches!(filter.kind, FilterType::And | FilterType::Or)
        && key
            .split('.')
            .any(|part| python_int(part).is_some_and(|i| i < 0));
    own || match filter.kind {
        FilterType::And | FilterType::Or => filter.filters.iter().flatten().any(indexes_from_end),
        _ => false,
    }
}

/// Whether `document` matches `filter` (which passed [`check`]).
pub(super) fn matches(filter: &Filter, document: &Value) -> Result<bool, PastStart> {
    match filter.kind {
        FilterType::And => {
            for sub in filter.filters.iter().flatten() {
                if !matches(sub, document)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        FilterType::Or => {
            let mut any = false;
            for sub in filter.filters.iter().flatten() {
                if matches(sub, document)? {
                    any = true;
                    break;
                }
            }
            // `{}` (no filters) matches everything.
            Ok(any || filter.filters.as_ref().is_none_or(Vec::is_empty))
        }
        kind => {
            let key = filter.key.as_deref().unwrap_or_default();
            let value = filter.value.as_ref().unwrap_or(&Value::Null);
            let parts: Vec<&str> = key.split('.').collect();
            let mut found = Vec::new();
            candidates(&parts, document, &mut found)?;
            Ok(field_matches(kind, value, &found))
        }
    }
}

/// One value a path reaches, or the absence of the field.
#[derive(Clone, Copy, Debug)]
enum Candidate<'a> {
    Missing,
    Found(&'a Value),
}

/// What mongomock reads for a missing object field along a path: `{}`.
static EMPTY_OBJECT: LazyLock<Value> = LazyLock::new(|| Value::Object(serde_json::Map::new()));

/// The values `parts` (a split key) reach in `doc` (mongomock's
/// `iter_key_candidates`).
fn candidates<'a>(
    parts: &[&str],
    doc: &'a Value,
    out: &mut Vec<Candidate<'a>>,
) -> Result<(), PastStart> {
    // A key that joins to "" is the document itself.
    if parts.is_empty() || parts == [""] {
        out.push(Candidate::Found(doc));
        return Ok(());
    }
    match doc {
        Value::Array(items) => array_candidates(parts, items, out),
        Value::Object(map) => {
            let (first, rest) = match parts {
                [first, rest @ ..] => (*first, rest),
                [] => return Ok(()),
            };
            if rest.is_empty() {
                out.push(map.get(first).map_or(Candidate::Missing, Candidate::Found));
                Ok(())
            } else {
                let next = map.get(first).unwrap_or(&EMPTY_OBJECT);
                candidates(rest, next, out)
            }
        }
        // `null`, numbers, strings, booleans: the path ends here, empty.
        _ => Ok(()),
    }
}

fn array_candidates<'a>(
    parts: &[&str],
    items: &'a [Value],
    out: &mut Vec<Candidate<'a>>,
) -> Result<(), PastStart> {
    let (first, rest) = match parts {
        [first, rest @ ..] => (*first, rest),
        [] => return Ok(()),
    };
    let Some(index) = python_int(first) else {
        for item in items {
            if let Value::Object(map) = item {
                match map.get(first) {
                    Some(value) => candidates(rest, value, out)?,
                    None => out.push(Candidate::Missing),
                }
            }
        }
        return Ok(());
    };
    let len = items.len() as i128;
    if index >= len {
        return Ok(());
    }
    let position = if index < 0 { len + index } else { index };
    let Some(item) = usize::try_from(position).ok().and_then(|i| items.get(i)) else {
        return Err(PastStart);
    };
    if rest.is_empty() {
        out.push(Candidate::Found(item));
        Ok(())
    } else {
        candidates(rest, item, out)
    }
}

/// Python's `int(text)` for what can be a key component: white space around,
/// a sign, ASCII digits with single underscores between them. (Python also
/// takes other scripts' decimal digits; keys do not use them.) Values past
/// `i128` saturate, which only matters for being past every array's end.
fn python_int(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let mut value: i128 = 0;
    let mut underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if underscore {
                return None;
            }
            underscore = true;
            continue;
        }
        underscore = false;
        let digit = c.to_digit(10)?;
        value = value.saturating_mul(10).saturating_add(i128::from(digit));
    }
    Some(if negative { -value } else { value })
}

/// The server's verdict for one comparison on the values its key reaches
/// (mongomock's `_Filterer.apply` for a one-field query).
fn field_matches(kind: FilterType, value: &Value, found: &[Candidate<'_>]) -> bool {
    // `NE` (`$ne`) needs every value to differ; the others one to match.
    let negative = kind == FilterType::Ne;
    // A query that is `{key: {}}` asks nothing positive: it fails only on
    // a value that is there and not equal.
    let positive = match kind {
        FilterType::Ne => false,
        FilterType::Eq => !matches!(value, Value::Object(map) if map.is_empty()),
        _ => true,
    };
    let mut is_match = false;
    let mut present = false;
    for &candidate in found {
        present |= matches!(candidate, Candidate::Found(_));
        is_match = test(kind, value, candidate);
        if negative && !is_match {
            return false;
        }
        if is_match && !negative {
            break;
        }
    }
    is_match || !(present || positive)
}

/// One comparison of one reached value.
fn test(kind: FilterType, value: &Value, candidate: Candidate<'_>) -> bool {
    let found = match candidate {
        Candidate::Found(found) => found,
        Candidate::Missing => {
            return match kind {
                FilterType::Ne => true,
                FilterType::In => value.as_array().is_some_and(|v| v.contains(&Value::Null)),
                _ => false,
            };
        }
    };
    match kind {
        FilterType::Eq => match found {
            Value::Array(items) => items.iter().any(|x| py_eq(x, value)) || py_eq(found, value),
            _ => py_eq(found, value),
        },
        FilterType::Ne => match (found, value) {
            (Value::Array(items), v) if !v.is_array() => items.iter().all(|x| !py_eq(x, v)),
            _ => !py_eq(found, value),
        },
        FilterType::In => {
            let options = value.as_array().map(Vec::as_slice).unwrap_or_default();
            let is_option = |x: &Value| options.iter().any(|o| py_eq(x, o));
            match found {
                Value::Array(items) => items.iter().any(is_option),
                other => is_option(other),
            }
        }
        FilterType::Gt | FilterType::Geq | FilterType::Lt | FilterType::Leq => {
            let op = Op(kind);
            match (found, value) {
                (Value::Array(items), v) if !v.is_array() => {
                    items.iter().any(|x| bson_compare(op, x, v, false))
                }
                _ => bson_compare(op, found, value, false),
            }
        }
        FilterType::And | FilterType::Or => false,
    }
}

#[cfg(test)]
mod tests;
