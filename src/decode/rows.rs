//! One episode's tuples as columns, read straight from the answer's bytes:
//! the floats of `state`, `action` and `reward` go from the JSON text into
//! flat buffers, with no value built per tuple.
//!
//! Like the episode walker, it only takes the common shape — every `state`
//! a flat array of floats of one width (or a single float), the same for
//! `action`, `reward` a float — and answers `None` for anything else, so the
//! caller can decode the episode in full and convert (or refuse) it there.

use super::episode::{walk, Walker};
use crate::models::EpisodeHeader;

/// One episode's tuples, column by column, in reusable buffers.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct EpisodeRows {
    /// `state`s, row after row (`obs_width` values each).
    pub(crate) observations: Vec<f64>,
    /// `action`s, row after row (`act_width` values each).
    pub(crate) actions: Vec<f64>,
    /// `reward`s.
    pub(crate) rewards: Vec<f64>,
    /// `terminal`s.
    pub(crate) terminals: Vec<bool>,
    /// `timeout`s.
    pub(crate) timeouts: Vec<bool>,
    /// Values per `state`.
    pub(crate) obs_width: usize,
    /// Values per `action`.
    pub(crate) act_width: usize,
}

impl EpisodeRows {
    /// Empties the buffers, keeping their capacity.
    pub(crate) fn clear(&mut self) {
        self.observations.clear();
        self.actions.clear();
        self.rewards.clear();
        self.terminals.clear();
        self.timeouts.clear();
        self.obs_width = 0;
        self.act_width = 0;
    }

    /// The number of tuples.
    pub(crate) fn len(&self) -> usize {
        self.rewards.len()
    }
}

/// Reads one episode object into `rows` (cleared first) and answers its
/// header; `None` when the episode is not of the common shape, or not
/// exactly valid JSON (then `rows` holds nothing meaningful).
pub(crate) fn episode_rows(bytes: &[u8], rows: &mut EpisodeRows) -> Option<EpisodeHeader> {
    rows.clear();
    walk(bytes, |walker| read_tuples(walker, rows)).map(|(header, ())| header)
}

fn read_tuples(walker: &mut Walker<'_>, rows: &mut EpisodeRows) -> Option<()> {
    let mut tuples = walker.json.open_array()?;
    let mut first = true;
    while walker.json.next_element(&mut tuples)? {
        read_tuple(walker, rows, first)?;
        first = false;
    }
    Some(())
}

/// One tuple object; the keys as `RlTuple` has them, each at most once.
fn read_tuple(walker: &mut Walker<'_>, rows: &mut EpisodeRows, first: bool) -> Option<()> {
    let (mut state, mut action, mut reward, mut info) = (false, false, false, false);
    let (mut terminal, mut timeout) = (None, None);
    let mut members = walker.json.open_object()?;
    while let Some(key) = walker.json.next_key(&mut members)? {
        match key {
            b"state" if !state => {
                state = true;
                let width = floats(walker, &mut rows.observations)?;
                if first {
                    rows.obs_width = width;
                } else if width != rows.obs_width {
                    return None;
                }
            }
            b"action" if !action => {
                action = true;
                let width = floats(walker, &mut rows.actions)?;
                if first {
                    rows.act_width = width;
                } else if width != rows.act_width {
                    return None;
                }
            }
            b"reward" if !reward => {
                reward = true;
                rows.rewards.push(walker.json.float()?);
            }
            b"info" if !info => {
                info = true;
                // Read (and so validated) like every other path does, then dropped.
                walker.map()?;
            }
            b"terminal" if terminal.is_none() => terminal = Some(walker.json.boolean()?),
            b"timeout" if timeout.is_none() => timeout = Some(walker.json.boolean()?),
            // A repeated or unknown key: serde_json decides.
            _ => return None,
        }
    }
    if !(state && action && reward) {
        return None;
    }
    rows.terminals.push(terminal.unwrap_or(false));
    rows.timeouts.push(timeout.unwrap_or(false));
    Some(())
}

/// A single float (width 1) or a non-empty flat array of floats, appended
/// to `column`; answers the width.
fn floats(walker: &mut Walker<'_>, column: &mut Vec<f64>) -> Option<usize> {
    if walker.json.peek()? != b'[' {
        column.push(walker.json.float()?);
        return Some(1);
    }
    let before = column.len();
    walker.json.floats(column)?;
    let width = column.len() - before;
    (width > 0).then_some(width)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPISODE: &str = r#"{"id":"e1","created_by":"ann","created_at":"t","benchmark_id":"b",
        "metadata":{"k":1},"n_tuples":2,"terminated":true,"timeout":false,"tuples":[
        {"state":[0.5,-0.0],"action":[1.0],"reward":-1.5,"info":{},"terminal":false,"timeout":false},
        {"state":[1e-7,2.5E+3],"action":0.25,"reward":3.0,"info":{"a":[1]},"terminal":true}]}"#;

    #[test]
    fn floats_go_straight_into_columns() {
        let mut rows = EpisodeRows::default();
        let header = episode_rows(EPISODE.as_bytes(), &mut rows).expect("the common shape");
        assert_eq!(header.id, "e1");
        assert_eq!(header.n_tuples, 2);
        assert_eq!(
            rows.observations
                .iter()
                .map(|f| f.to_bits())
                .collect::<Vec<_>>(),
            [0.5, -0.0, 1e-7, 2500.0].map(f64::to_bits)
        );
        assert_eq!((rows.obs_width, rows.act_width), (2, 1));
        assert_eq!(rows.actions, [1.0, 0.25]);
        assert_eq!(rows.rewards, [-1.5, 3.0]);
        assert_eq!(rows.terminals, [false, true]);
        assert_eq!(rows.timeouts, [false, false]);
    }

    #[test]
    fn anything_else_is_left_to_the_full_decoder() {
        for variation in [
            EPISODE.replace("[0.5,-0.0]", "[0.5]"),
            EPISODE.replace("[0.5,-0.0]", "[1,2]"),
            EPISODE.replace("[0.5,-0.0]", "[]"),
            EPISODE.replace("[0.5,-0.0]", "{\"x\":1}"),
            EPISODE.replace("-1.5", "[-1.5]"),
            EPISODE.replace("-1.5", "1"),
            EPISODE.replace("\"info\":{}", "\"info\":{},\"info\":{}"),
            EPISODE.replace("\"info\":{}", "\"extra\":1"),
            EPISODE.replace("\"reward\":3.0,", ""),
            EPISODE.replace("{\"a\":[1]}", "{\"a\":tru}"),
            EPISODE.replace("}]}", "}]} x"),
        ] {
            let mut rows = EpisodeRows::default();
            assert!(
                episode_rows(variation.as_bytes(), &mut rows).is_none(),
                "{variation}"
            );
        }
    }
}
