//! `--where KEY OP VALUE`: the friendly form of a filter comparison.
//!
//! | form | filter |
//! | --- | --- |
//! | `key=value` (or `key==value`) | `EQ` |
//! | `key!=value` | `NE` |
//! | `key>=value`, `key<=value` | `GEQ`, `LEQ` |
//! | `key>value`, `key<value` | `GT`, `LT` |
//! | `key~=a,b,c` | `IN` with the comma-separated values |
//! | `key in [json array]` | `IN` with the array's values |
//!
//! The key is everything before the first operator character (`= ! < > ~`),
//! white space around key and value is trimmed. A value is JSON when it
//! parses as JSON (`3`, `2.5`, `true`, `"1.0"`, `[1,2]`, `{"a":1}`), else the
//! text itself as a string; quote a string that looks like JSON (`"1.0"`) or
//! has to keep its outer white space (`" a "`). `null` is rejected: the server
//! refuses comparisons with null.

use serde_json::Value;
use tupli::Filter;

/// Operators, longest first so that `>=` wins over `>`.
const OPERATORS: [(&str, Op); 8] = [
    ("==", Op::Eq),
    ("!=", Op::Ne),
    (">=", Op::Geq),
    ("<=", Op::Leq),
    ("~=", Op::In),
    ("=", Op::Eq),
    (">", Op::Gt),
    ("<", Op::Lt),
];

const OPERATOR_CHARS: &[char] = &['=', '!', '<', '>', '~'];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Eq,
    Ne,
    Geq,
    Leq,
    Gt,
    Lt,
    In,
}

/// Parses one `--where` condition into a comparison filter the client accepts
/// (the library's own checks run here, so a key with control characters is
/// refused as a usage error).
pub(crate) fn parse(condition: &str) -> Result<Filter, String> {
    let filter = parse_unchecked(condition)?;
    filter.validate().map_err(|e| e.to_string())?;
    Ok(filter)
}

fn parse_unchecked(condition: &str) -> Result<Filter, String> {
    let condition = condition.trim();
    if let Some((key, list)) = split_in_form(condition) {
        let value: Value = serde_json::from_str(list).map_err(|e| {
            format!("`{key} in …` needs a JSON array after `in`, like `[1, \"a\"]` ({e})")
        })?;
        let Value::Array(values) = value else {
            return Err(format!("`{key} in …` needs a JSON array after `in`"));
        };
        if values.iter().any(Value::is_null) {
            return Err(null_rejected(key));
        }
        return Ok(Filter::in_(key, values));
    }

    let Some(at) = condition.find(OPERATOR_CHARS) else {
        return Err(format!(
            "`{condition}` has no operator: use KEY=VALUE, KEY!=VALUE, KEY>=VALUE, KEY<=VALUE, \
             KEY>VALUE, KEY<VALUE, KEY~=A,B or KEY in [JSON]"
        ));
    };
    let key = condition[..at].trim();
    if key.is_empty() {
        return Err(format!("`{condition}` has no key before the operator"));
    }
    let rest = &condition[at..];
    let (symbol, op) = OPERATORS
        .iter()
        .find(|(symbol, _)| rest.starts_with(symbol))
        .ok_or_else(|| {
            format!("`{condition}`: unknown operator (use = != >= <= > < ~= or `in`)")
        })?;
    let text = rest[symbol.len()..].trim();
    let filter = match op {
        Op::In => {
            let values = text
                .split(',')
                .map(|item| value(key, item.trim()))
                .collect::<Result<Vec<_>, _>>()?;
            Filter::in_(key, values)
        }
        Op::Eq => Filter::eq(key, value(key, text)?),
        Op::Ne => Filter::ne(key, value(key, text)?),
        Op::Geq => Filter::geq(key, value(key, text)?),
        Op::Leq => Filter::leq(key, value(key, text)?),
        Op::Gt => Filter::gt(key, value(key, text)?),
        Op::Lt => Filter::lt(key, value(key, text)?),
    };
    Ok(filter)
}

/// The `--where` condition that parses back to `filter`, when there is one:
/// a comparison whose key has no operator characters and no outer white
/// space. Values are written as JSON, so they come back as they were. (For
/// the round-trip checks of the tests and the fuzz target.)
#[cfg(any(test, fuzzing))]
pub(crate) fn render(filter: &Filter) -> Option<String> {
    let key = filter.key.as_deref()?;
    let value = filter.value.as_ref()?;
    if key.is_empty() || key.trim() != key || key.contains(OPERATOR_CHARS) {
        return None;
    }
    if filter.filters.as_ref().is_some_and(|f| !f.is_empty()) {
        return None;
    }
    use tupli::FilterType;
    let symbol = match filter.kind {
        FilterType::Eq => "=",
        FilterType::Ne => "!=",
        FilterType::Geq => ">=",
        FilterType::Leq => "<=",
        FilterType::Gt => ">",
        FilterType::Lt => "<",
        FilterType::In if !key.contains(char::is_whitespace) && value.is_array() => {
            return Some(format!("{key} in {value}"));
        }
        _ => return None,
    };
    Some(format!("{key}{symbol}{value}"))
}

/// `key in [...]`: a key without operator characters, the word `in`, the
/// rest. A condition with an operator is the `in` form only when a `[`
/// follows the `in` (so `a in b=1` compares the key `a in b`).
fn split_in_form(condition: &str) -> Option<(&str, &str)> {
    let (key, rest) = condition.split_once(char::is_whitespace)?;
    let rest = rest.trim_start().strip_prefix("in")?;
    if key.contains(OPERATOR_CHARS) || !(rest.is_empty() || rest.starts_with([' ', '\t', '['])) {
        return None;
    }
    let rest = rest.trim();
    if condition.contains(OPERATOR_CHARS) && !rest.starts_with('[') {
        return None;
    }
    Some((key, rest))
}

/// A value: JSON when it parses, else the text as a string; never null.
fn value(key: &str, text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Null) => Err(null_rejected(key)),
        Ok(value) => Ok(value),
        Err(_) => Ok(Value::String(text.to_string())),
    }
}

fn null_rejected(key: &str) -> String {
    format!(
        "`{key}`: null cannot be compared (the server rejects it); \
         write \"null\" in quotes for the string"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(condition: &str) -> Filter {
        parse(condition).unwrap_or_else(|e| panic!("{condition}: {e}"))
    }

    #[test]
    fn every_operator() {
        assert_eq!(ok("metadata.name=foo"), Filter::eq("metadata.name", "foo"));
        assert_eq!(ok("metadata.name==foo"), Filter::eq("metadata.name", "foo"));
        assert_eq!(ok("a!=b"), Filter::ne("a", "b"));
        assert_eq!(
            ok("metadata.difficulty>=3"),
            Filter::geq("metadata.difficulty", 3)
        );
        assert_eq!(ok("n<=2.5"), Filter::leq("n", 2.5));
        assert_eq!(ok("n>-1"), Filter::gt("n", -1));
        assert_eq!(ok("n<1e3"), Filter::lt("n", 1000.0));
        assert_eq!(
            ok("tag~=a,2,true"),
            Filter::in_("tag", [json!("a"), json!(2), json!(true)])
        );
        assert_eq!(
            ok("tag in [\"a\", 2]"),
            Filter::in_("tag", [json!("a"), json!(2)])
        );
        assert_eq!(ok("tag in[1]"), Filter::in_("tag", [1]));
    }

    #[test]
    fn values_are_json_when_they_parse() {
        assert_eq!(ok("k=true"), Filter::eq("k", true));
        assert_eq!(ok("k=[1,2]"), Filter::eq("k", json!([1, 2])));
        assert_eq!(ok(r#"k={"a":1}"#), Filter::eq("k", json!({"a": 1})));
        assert_eq!(ok(r#"k="1.0""#), Filter::eq("k", "1.0"));
        assert_eq!(ok("k=1.0"), Filter::eq("k", 1.0));
        assert_eq!(ok(r#"k=" padded ""#), Filter::eq("k", " padded "));
        assert_eq!(ok("k=NaN"), Filter::eq("k", "NaN"));
        assert_eq!(ok("k=R&D #1 + ü"), Filter::eq("k", "R&D #1 + ü"));
        assert_eq!(ok("k="), Filter::eq("k", ""));
    }

    #[test]
    fn white_space_is_trimmed_and_the_value_keeps_operators() {
        assert_eq!(ok("  name = a b  "), Filter::eq("name", "a b"));
        assert_eq!(ok("formula=a=b"), Filter::eq("formula", "a=b"));
        assert_eq!(ok("x>=<3"), Filter::geq("x", "<3"));
        assert_eq!(ok("name=x in y"), Filter::eq("name", "x in y"));
        assert_eq!(ok("a in b=1"), Filter::eq("a in b", 1));
    }

    #[test]
    fn errors_say_what_is_wrong() {
        for (bad, says) in [
            ("name", "no operator"),
            ("=foo", "no key"),
            ("  >= 3", "no key"),
            ("a!b", "unknown operator"),
            ("a~b", "unknown operator"),
            ("k=null", "null cannot be compared"),
            ("k~=a,null", "null cannot be compared"),
            ("k in [1, null]", "null cannot be compared"),
            ("k in 3", "JSON array"),
            ("k in [1", "JSON array"),
        ] {
            let err = parse(bad).expect_err(bad);
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert_eq!(ok(r#"k="null""#), Filter::eq("k", "null"));
    }

    use proptest::prelude::*;

    /// Keys as users write them: dotted paths of letters, digits, `_`, `-`,
    /// spaces inside, and any other printable character but the operators.
    fn key() -> impl Strategy<Value = String> {
        "[a-zA-Z_][a-zA-Z0-9_. ü&#+/-]{0,12}[a-zA-Z0-9_]"
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            "\\PC{0,10}".prop_map(Value::String),
        ];
        leaf.prop_recursive(2, 8, 3, |inner| {
            prop::collection::vec(inner, 0..3).prop_map(Value::Array)
        })
    }

    fn operator() -> impl Strategy<Value = (&'static str, fn(String, Value) -> Filter)> {
        prop::sample::select(vec![
            (
                "=",
                (|k, v| Filter::eq(k, v)) as fn(String, Value) -> Filter,
            ),
            ("==", |k, v| Filter::eq(k, v)),
            ("!=", |k, v| Filter::ne(k, v)),
            (">=", |k, v| Filter::geq(k, v)),
            ("<=", |k, v| Filter::leq(k, v)),
            (">", |k, v| Filter::gt(k, v)),
            ("<", |k, v| Filter::lt(k, v)),
        ])
    }

    proptest! {
        /// An independent oracle: the filter is built from the parts the
        /// condition was written from, never from the parser's own output.
        #[test]
        fn conditions_mean_what_they_say(
            key in key(),
            (symbol, build) in operator(),
            value in json_value(),
            pad in "[ \t]{0,2}",
        ) {
            let text = format!("{pad}{key}{pad}{symbol}{pad}{value}{pad}");
            prop_assert_eq!(parse(&text), Ok(build(key.clone(), value.clone())), "{}", text);
        }

        #[test]
        fn in_lists_mean_what_they_say(
            key in "[a-zA-Z_][a-zA-Z0-9_.]{0,12}",
            values in prop::collection::vec(json_value(), 0..4),
        ) {
            let text = format!("{key} in {}", Value::Array(values.clone()));
            prop_assert_eq!(parse(&text), Ok(Filter::in_(key, values)));
        }

        #[test]
        fn what_is_rendered_parses_back(
            key in key(),
            (_, build) in operator(),
            value in json_value(),
        ) {
            let filter = build(key, value);
            let text = render(&filter).expect("a plain key renders");
            prop_assert_eq!(parse(&text), Ok(filter));
        }
    }

    #[test]
    fn keys_a_condition_cannot_hold_do_not_render() {
        assert_eq!(render(&Filter::eq("a=b", 1)), None);
        assert_eq!(render(&Filter::eq(" a", 1)), None);
        assert_eq!(render(&Filter::and([Filter::eq("a", 1)])), None);
        assert_eq!(render(&Filter::in_("a b", [1])), None);
        assert_eq!(render(&Filter::in_("a", [1])).as_deref(), Some("a in [1]"));
    }

    #[test]
    fn control_characters_in_keys_are_refused() {
        assert!(parse("k\u{0}ey=1").is_err());
        assert!(parse("k\ney=1").is_err());
    }
}
