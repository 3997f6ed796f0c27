//! Comparing JSON values as the reference server does: Python's `==`
//! (numbers across ints, floats and booleans, exactly) and mongomock's
//! `bson_compare` (by BSON type rank, arrays and objects element by element).

use std::cmp::Ordering;

use serde_json::{Number, Value};

use crate::filter::FilterType;

/// A comparison operator, applied to an ordering.
#[derive(Clone, Copy)]
pub(super) struct Op(pub(super) FilterType);

impl Op {
    fn holds(self, ordering: Ordering) -> bool {
        match self.0 {
            FilterType::Gt => ordering == Ordering::Greater,
            FilterType::Geq => ordering != Ordering::Less,
            FilterType::Lt => ordering == Ordering::Less,
            FilterType::Leq => ordering != Ordering::Greater,
            _ => false,
        }
    }
}

/// mongomock's rank of a value's type for comparisons (BSON's order).
fn type_rank(value: &Value) -> u8 {
    match value {
        Value::Null => 5,
        Value::Number(_) => 10,
        Value::String(_) => 15,
        Value::Object(_) => 20,
        Value::Array(_) => 25,
        Value::Bool(_) => 40,
    }
}

/// mongomock's `bson_compare`: values of different types compare only
/// inside arrays and objects (by type rank); arrays element by element
/// from the first pair Python calls unequal, then by length; objects as
/// lists of (type rank, key, value) in their order.
pub(super) fn bson_compare(op: Op, a: &Value, b: &Value, across_types: bool) -> bool {
    let (rank_a, rank_b) = (type_rank(a), type_rank(b));
    if rank_a != rank_b {
        return across_types && op.holds(rank_a.cmp(&rank_b));
    }
    match (a, b) {
        (Value::Array(xs), Value::Array(ys)) => {
            for (x, y) in xs.iter().zip(ys) {
                if !py_eq(x, y) {
                    return bson_compare(op, x, y, true);
                }
            }
            op.holds(xs.len().cmp(&ys.len()))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            for ((kx, vx), (ky, vy)) in xs.iter().zip(ys) {
                let (tx, ty) = (type_rank(vx), type_rank(vy));
                if tx != ty {
                    return op.holds(tx.cmp(&ty));
                }
                if kx != ky {
                    return op.holds(kx.as_str().cmp(ky.as_str()));
                }
                if !py_eq(vx, vy) {
                    return bson_compare(op, vx, vy, true);
                }
            }
            op.holds(xs.len().cmp(&ys.len()))
        }
        (Value::Number(x), Value::Number(y)) => op.holds(number_cmp(x, y)),
        (Value::String(x), Value::String(y)) => op.holds(x.as_str().cmp(y.as_str())),
        (Value::Bool(x), Value::Bool(y)) => op.holds(x.cmp(y)),
        _ => op.holds(Ordering::Equal),
    }
}

/// Python's `==` on values parsed from JSON: numbers by value across ints
/// and floats, booleans as the integers 0 and 1, arrays element-wise,
/// objects by keys and values in any order.
pub(super) fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| py_eq(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| py_eq(x, y)))
        }
        (Value::Number(_) | Value::Bool(_), Value::Number(_) | Value::Bool(_)) => {
            match (as_number(a), as_number(b)) {
                (Some(x), Some(y)) => number_cmp(&x, &y) == Ordering::Equal,
                _ => false,
            }
        }
        _ => false,
    }
}

fn as_number(value: &Value) -> Option<Number> {
    match value {
        Value::Number(n) => Some(n.clone()),
        Value::Bool(b) => Some(Number::from(u8::from(*b))),
        _ => None,
    }
}

/// Python's exact ordering of ints and floats (no rounding of the int).
pub(super) fn number_cmp(a: &Number, b: &Number) -> Ordering {
    match (int_of(a), int_of(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(x), None) => int_float_cmp(x, b.as_f64().unwrap_or(0.0)),
        (None, Some(y)) => int_float_cmp(y, a.as_f64().unwrap_or(0.0)).reverse(),
        (None, None) => {
            let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
            x.partial_cmp(&y).unwrap_or(Ordering::Equal)
        }
    }
}

fn int_of(n: &Number) -> Option<i128> {
    n.as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from))
}

/// An integer against a finite float, exactly.
fn int_float_cmp(int: i128, float: f64) -> Ordering {
    // 2^64 and -2^63 bound every integer JSON gives us (u64 / i64).
    const TWO_64: f64 = 18_446_744_073_709_551_616.0;
    if float >= TWO_64 {
        return Ordering::Less;
    }
    if float < -TWO_64 {
        return Ordering::Greater;
    }
    let whole = float.trunc();
    // Exact: |whole| < 2^64 and it has no fraction.
    let truncated = whole as i128;
    match int.cmp(&truncated) {
        Ordering::Equal => {
            let fraction = float - whole;
            if fraction > 0.0 {
                Ordering::Less
            } else if fraction < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        other => other,
    }
}
