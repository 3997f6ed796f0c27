//! One episode element to rows of numbers: straight from its bytes when it
//! has the common shape, else decoded in full and converted value by value —
//! integers become floats when exact, and anything that is not a number or a
//! flat array of numbers is an [`Error::Shape`] naming the episode, the step
//! and the field.

use serde_json::Value;

use crate::decode::{decode, episode_rows, EpisodeRows};
use crate::error::{Error, Result};
use crate::models::{EpisodeHeader, EpisodeItem, RlTuple};
use crate::tuple::TupleValue;

/// Decides per tuple whether it stays in the dataset.
pub(crate) type TupleFilter = std::sync::Arc<dyn Fn(&RlTuple) -> bool + Send + Sync>;

/// One episode as rows: all its tuples (the next observation of a tuple is
/// the episode's next one, whether kept or not) and which of them are kept.
#[derive(Debug, Default)]
pub(crate) struct Episode {
    /// The episode's header.
    pub(crate) header: Option<EpisodeHeader>,
    /// Every tuple of the episode.
    pub(crate) rows: EpisodeRows,
    /// Per tuple, whether it is kept; empty means all are.
    pub(crate) keep: Vec<bool>,
}

impl Episode {
    /// Reads element `index` of a list answer into `self`.
    pub(crate) fn read(
        &mut self,
        bytes: &[u8],
        index: usize,
        filter: Option<&TupleFilter>,
    ) -> Result<()> {
        self.keep.clear();
        if filter.is_none() {
            if let Some(header) = episode_rows(bytes, &mut self.rows) {
                self.header = Some(header);
                return Ok(());
            }
        }
        let item: EpisodeItem = decode(bytes, index)?;
        self.rows.clear();
        for (step, tuple) in item.tuples.iter().enumerate() {
            push_tuple(&item.id, step, tuple, &mut self.rows)?;
        }
        if let Some(filter) = filter {
            self.keep.extend(item.tuples.iter().map(|t| filter(t)));
        }
        self.header = Some(item.into());
        Ok(())
    }

    /// Whether tuple `step` is kept.
    pub(crate) fn kept(&self, step: usize) -> bool {
        self.keep.get(step).copied().unwrap_or(self.keep.is_empty())
    }

    /// The number of kept tuples.
    pub(crate) fn kept_len(&self) -> usize {
        if self.keep.is_empty() {
            self.rows.len()
        } else {
            self.keep.iter().filter(|k| **k).count()
        }
    }
}

fn push_tuple(episode: &str, step: usize, tuple: &RlTuple, rows: &mut EpisodeRows) -> Result<()> {
    let first = step == 0;
    let width = numbers(&tuple.state, &mut rows.observations)
        .map_err(|reason| shape(episode, step, "state", reason))?;
    check_width(episode, step, "state", width, &mut rows.obs_width, first)?;
    let width = numbers(&tuple.action, &mut rows.actions)
        .map_err(|reason| shape(episode, step, "action", reason))?;
    check_width(episode, step, "action", width, &mut rows.act_width, first)?;
    let mut reward = Vec::with_capacity(1);
    match numbers(&tuple.reward, &mut reward) {
        Ok(1) => rows.rewards.extend(reward),
        Ok(n) => {
            return Err(shape(
                episode,
                step,
                "reward",
                format!("has {n} values, not one number"),
            ))
        }
        Err(reason) => return Err(shape(episode, step, "reward", reason)),
    }
    rows.terminals.push(tuple.terminal);
    rows.timeouts.push(tuple.timeout);
    Ok(())
}

fn check_width(
    episode: &str,
    step: usize,
    field: &'static str,
    width: usize,
    expected: &mut usize,
    first: bool,
) -> Result<()> {
    if first {
        *expected = width;
        Ok(())
    } else if width == *expected {
        Ok(())
    } else {
        Err(shape(
            episode,
            step,
            field,
            format!(
                "has {width} values where the episode's first tuple has {expected}",
                expected = *expected
            ),
        ))
    }
}

pub(crate) fn shape(episode: &str, step: usize, field: &'static str, reason: String) -> Error {
    Error::Shape {
        episode_id: episode.to_string(),
        step,
        field,
        reason,
    }
}

/// A number (width 1) or a non-empty flat array of numbers, appended to
/// `out`; answers the width, or why the value is not that.
fn numbers(value: &TupleValue, out: &mut Vec<f64>) -> std::result::Result<usize, String> {
    match value {
        TupleValue::Floats(floats) => {
            out.extend_from_slice(floats);
            Ok(floats.len())
        }
        TupleValue::Float(f) => {
            out.push(*f);
            Ok(1)
        }
        TupleValue::Json(Value::Array(items)) if items.is_empty() => {
            Err("is an empty array, not numbers".into())
        }
        TupleValue::Json(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                out.push(number(item).map_err(|reason| format!("[{i}] {reason}"))?);
            }
            Ok(items.len())
        }
        TupleValue::Json(other) => {
            out.push(number(other)?);
            Ok(1)
        }
    }
}

/// A JSON number as a float, refusing integers a float cannot hold exactly.
fn number(value: &Value) -> std::result::Result<f64, String> {
    /// 2⁵³: every integer up to it is exact in an f64.
    const EXACT: u64 = 1 << 53;
    match value {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i.unsigned_abs() <= EXACT {
                    // Exact: at most 2^53 in magnitude.
                    return Ok(i as f64);
                }
            } else if let Some(u) = n.as_u64() {
                if u <= EXACT {
                    return Ok(u as f64);
                }
            } else if let Some(f) = n.as_f64() {
                return Ok(f);
            }
            Err(format!(
                "is the integer {n}, which a float cannot hold exactly"
            ))
        }
        Value::Array(_) => Err("is a nested array, not a number".into()),
        Value::Object(_) => Err("is an object, not a number".into()),
        Value::String(_) => Err("is text, not a number".into()),
        Value::Bool(_) => Err("is a boolean, not a number".into()),
        Value::Null => Err("is null, not a number".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(tuples: &str) -> String {
        format!(
            r#"{{"id":"e7","created_by":"u","created_at":"t","benchmark_id":"b","metadata":{{}},
            "n_tuples":2,"terminated":false,"timeout":true,"tuples":{tuples}}}"#
        )
    }

    fn read(tuples: &str) -> Result<Episode> {
        let mut e = Episode::default();
        e.read(episode(tuples).as_bytes(), 0, None).map(|()| e)
    }

    #[test]
    fn integers_become_floats_when_exact() {
        let e = read(r#"[{"state":[1,2],"action":3,"reward":-4},{"state":[0.5,9007199254740992],"action":1,"reward":0}]"#)
            .unwrap();
        assert_eq!(e.rows.observations, [1.0, 2.0, 0.5, 9007199254740992.0]);
        assert_eq!(e.rows.actions, [3.0, 1.0]);
        assert_eq!(e.rows.rewards, [-4.0, 0.0]);
        assert_eq!((e.rows.obs_width, e.rows.act_width), (2, 1));
        assert_eq!(e.header.unwrap().id, "e7");
    }

    #[test]
    fn what_is_not_numbers_is_named() {
        for (tuples, step, field, says) in [
            (
                r#"[{"state":[[1.0]],"action":1.0,"reward":1.0}]"#,
                0,
                "state",
                "[0] is a nested array",
            ),
            (
                r#"[{"state":{"x":1},"action":1.0,"reward":1.0}]"#,
                0,
                "state",
                "is an object",
            ),
            (
                r#"[{"state":[1.0],"action":"left","reward":1.0}]"#,
                0,
                "action",
                "is text",
            ),
            (
                r#"[{"state":[1.0],"action":1.0,"reward":[1.0,2.0]}]"#,
                0,
                "reward",
                "has 2 values",
            ),
            (
                r#"[{"state":[1.0],"action":1.0,"reward":1.0},{"state":[1.0,2.0],"action":1.0,"reward":1.0}]"#,
                1,
                "state",
                "has 2 values where",
            ),
            (
                r#"[{"state":[],"action":1.0,"reward":1.0}]"#,
                0,
                "state",
                "is an empty array",
            ),
            (
                r#"[{"state":[9007199254740993],"action":1.0,"reward":1.0}]"#,
                0,
                "state",
                "cannot hold exactly",
            ),
            (
                r#"[{"state":null,"action":1.0,"reward":1.0}]"#,
                0,
                "state",
                "is null",
            ),
            (
                r#"[{"state":[true],"action":1.0,"reward":1.0}]"#,
                0,
                "state",
                "is a boolean",
            ),
        ] {
            match read(tuples) {
                Err(Error::Shape {
                    episode_id,
                    step: s,
                    field: f,
                    reason,
                }) => {
                    assert_eq!((episode_id.as_str(), s, f), ("e7", step, field), "{tuples}");
                    assert!(reason.contains(says), "{reason} for {tuples}");
                }
                other => panic!("{tuples}: {other:?}"),
            }
        }
    }

    #[test]
    fn both_paths_give_the_same_rows() {
        let common = r#"[{"state":[0.5,-0.0],"action":[1.5],"reward":2.0,"terminal":true},{"state":[1e-7,3.0],"action":[0.0],"reward":-1.0,"timeout":true}]"#;
        let fast = read(common).unwrap();
        let mut slow = Episode::default();
        let keep_all: TupleFilter = std::sync::Arc::new(|_| true);
        slow.read(episode(common).as_bytes(), 0, Some(&keep_all))
            .unwrap();
        assert_eq!(fast.rows, slow.rows);
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&fast.rows.observations), bits(&slow.rows.observations));
        assert_eq!(slow.keep, [true, true]);
        assert_eq!(fast.kept_len(), 2);
    }
}
