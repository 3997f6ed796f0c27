//! The episode walker: a fast, exact decoder for the common shape of an
//! episode item.
//!
//! Episode lists are mostly floats in flat arrays. This reads an
//! [`EpisodeItem`] straight from its bytes with the [`Cursor`], converting
//! floats exactly, and hands every part it does not specialise in (metadata,
//! info objects, strings with escapes, anything unusual) to serde_json on
//! that part's bytes. When the input is not exactly what it expects —
//! including any invalid JSON — it gives up and the caller decodes the whole
//! element with serde_json, which then also reports the error. So its result
//! is always what serde_json would produce, only sooner.

use serde_json::{Map, Value};

use super::cursor::Cursor;
use crate::models::{EpisodeHeader, EpisodeItem};
use crate::tuple::{RlTuple, TupleValue};

/// Decodes `bytes` (one JSON object) as an episode item, or `None` to say
/// "use serde_json instead".
pub(crate) fn episode_item(bytes: &[u8]) -> Option<EpisodeItem> {
    let (header, tuples) = walk(bytes, Walker::tuples)?;
    Some(EpisodeItem {
        id: header.id,
        created_by: header.created_by,
        created_at: header.created_at,
        benchmark_id: header.benchmark_id,
        metadata: header.metadata,
        n_tuples: header.n_tuples,
        terminated: header.terminated,
        timeout: header.timeout,
        published_in: header.published_in,
        tuples,
    })
}

/// Walks one episode object: its header fields, and its `tuples` array with
/// `read_tuples` (which must read the whole array). `None` to say "use
/// serde_json instead".
pub(crate) fn walk<'a, T>(
    bytes: &'a [u8],
    read_tuples: impl FnMut(&mut Walker<'a>) -> Option<T>,
) -> Option<(EpisodeHeader, T)> {
    let mut walker = Walker {
        json: Cursor::new(bytes),
        scratch: Vec::new(),
    };
    let episode = walker.episode(read_tuples)?;
    walker.json.at_end().then_some(episode)
}

/// Whether two items are the same to the bit: equal, and with the same JSON
/// spelling (which tells `-0.0` from `0.0`, and every float bit pattern apart).
#[cfg(any(test, fuzzing))]
pub(crate) fn identical(a: &EpisodeItem, b: &EpisodeItem) -> bool {
    a == b && serde_json::to_vec(a).ok() == serde_json::to_vec(b).ok()
}

/// One member of an object: refused when its key came before (as serde's
/// derive does), else assigned.
macro_rules! member {
    ($seen:ident, $bit:expr, $assign:expr) => {{
        $seen.first($bit)?;
        $assign;
        Some(())
    }};
}

/// The keys of an object seen so far, to reject duplicates as serde's derive does.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    fn first(&mut self, bit: u32) -> Option<()> {
        (self.0 & (1 << bit) == 0).then(|| self.0 |= 1 << bit)
    }
}

/// A walk through one episode object.
pub(crate) struct Walker<'a> {
    /// Where the walk is.
    pub(crate) json: Cursor<'a>,
    /// Reused for every float array, then copied to an exact-size `Vec`.
    scratch: Vec<f64>,
}

impl<'a> Walker<'a> {
    /// `state`, `action` or `reward`.
    fn tuple_value(&mut self) -> Option<TupleValue> {
        let start = self.json.mark();
        match self.json.peek()? {
            b'[' => match self.float_array() {
                Some(value) => Some(value),
                None => {
                    self.json.reset(start);
                    self.json.serde_value()
                }
            },
            b'-' | b'0'..=b'9' => match self.json.float() {
                Some(f) => Some(TupleValue::Float(f)),
                None => self.json.serde_value(),
            },
            _ => self.json.serde_value(),
        }
    }

    /// A flat array of floats, collected in the scratch buffer.
    fn float_array(&mut self) -> Option<TupleValue> {
        self.scratch.clear();
        self.json.floats(&mut self.scratch)?;
        Some(TupleValue::from(self.scratch.as_slice()))
    }

    /// An `info` object: `{}` read here, anything else by serde_json.
    pub(crate) fn map(&mut self) -> Option<Map<String, Value>> {
        let start = self.json.mark();
        if self.json.eat(b'{').is_some() && self.json.eat(b'}').is_some() {
            return Some(Map::new());
        }
        self.json.reset(start);
        self.json.serde_value()
    }

    fn tuple(&mut self) -> Option<RlTuple> {
        let (mut state, mut action, mut reward) = (None, None, None);
        let mut tuple = RlTuple::default();
        let mut seen = Seen::default();
        let mut members = self.json.open_object()?;
        while let Some(key) = self.json.next_key(&mut members)? {
            match key {
                b"state" => member!(seen, 0, state = Some(self.tuple_value()?)),
                b"action" => member!(seen, 1, action = Some(self.tuple_value()?)),
                b"reward" => member!(seen, 2, reward = Some(self.tuple_value()?)),
                b"info" => member!(seen, 3, tuple.info = self.map()?),
                b"terminal" => member!(seen, 4, tuple.terminal = self.json.boolean()?),
                b"timeout" => member!(seen, 5, tuple.timeout = self.json.boolean()?),
                // Unknown keys: serde_json checks them (and their values) for validity.
                _ => None,
            }?;
        }
        tuple.state = state?;
        tuple.action = action?;
        tuple.reward = reward?;
        Some(tuple)
    }

    /// The `tuples` array as `RlTuple`s.
    fn tuples(&mut self) -> Option<Vec<RlTuple>> {
        let mut list = Vec::new();
        let mut elements = self.json.open_array()?;
        while self.json.next_element(&mut elements)? {
            list.push(self.tuple()?);
        }
        Some(list)
    }

    /// The episode object: header fields, and the tuples by `read_tuples`.
    fn episode<T>(
        &mut self,
        mut read_tuples: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<(EpisodeHeader, T)> {
        let mut id = None;
        let mut created_by = None;
        let mut created_at = None;
        let mut benchmark_id = None;
        let mut metadata = None;
        let mut n_tuples = None;
        let mut terminated = None;
        let mut timeout = None;
        let mut tuples = None;
        let mut published_in = Vec::new();
        let mut seen = Seen::default();
        let mut members = self.json.open_object()?;
        while let Some(key) = self.json.next_key(&mut members)? {
            let json = &mut self.json;
            match key {
                b"id" => member!(seen, 0, id = Some(json.string()?)),
                b"created_by" => member!(seen, 1, created_by = Some(json.string()?)),
                b"created_at" => member!(seen, 2, created_at = Some(json.string()?)),
                b"benchmark_id" => member!(seen, 3, benchmark_id = Some(json.string()?)),
                b"metadata" => member!(seen, 4, metadata = Some(json.serde_value()?)),
                b"n_tuples" => member!(seen, 5, n_tuples = Some(json.serde_value()?)),
                b"terminated" => member!(seen, 6, terminated = Some(json.boolean()?)),
                b"timeout" => member!(seen, 7, timeout = Some(json.boolean()?)),
                b"published_in" => member!(seen, 8, published_in = json.serde_value()?),
                b"tuples" => member!(seen, 9, tuples = Some(read_tuples(self)?)),
                // Unknown keys: serde_json checks them (and their values) for validity.
                _ => None,
            }?;
        }
        let header = EpisodeHeader {
            id: id?,
            created_by: created_by?,
            created_at: created_at?,
            benchmark_id: benchmark_id?,
            metadata: metadata?,
            n_tuples: n_tuples?,
            terminated: terminated?,
            timeout: timeout?,
            published_in,
        };
        Some((header, tuples?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str) -> (Option<EpisodeItem>, Option<EpisodeItem>) {
        (
            episode_item(text.as_bytes()),
            serde_json::from_str(text).ok(),
        )
    }

    const ITEM: &str = r#"{"id":"e1","created_by":"ann","published_in":["ann","g"],
        "created_at":"2026-01-01T00:00:00","benchmark_id":"b","metadata":{"k":[1,{"x":null}]},
        "n_tuples":2,"terminated":true,"timeout":false,"tuples":[
        {"state":[0.1,-1.4207009740446641,1e-7,2.5E+3],"action":[1.0],"reward":-0.0,"info":{},"terminal":false,"timeout":false},
        {"state":[1,2],"action":"left","reward":3,"info":{"a":"b\"c"},"terminal":true,"timeout":false}]}"#;

    #[test]
    fn agrees_with_serde_json_on_a_typical_item() {
        let (fast, slow) = both(ITEM);
        let fast = fast.expect("the fast path takes a typical item");
        assert!(identical(&fast, slow.as_ref().unwrap()));
        assert!(fast.tuples[0].state.as_floats().is_some());
        assert_eq!(fast.tuples[1].state, serde_json::json!([1, 2]));
    }

    #[test]
    fn gives_up_or_agrees_on_variations() {
        let variations = [
            ITEM.replace("\"id\":\"e1\"", "\"id\":\"e\\u00fc1\""),
            ITEM.replace("\"reward\":-0.0", "\"reward\":-0.0,\"extra\":[1,{\"]\":2}]"),
            ITEM.replace("\"reward\":-0.0", "\"reward\":-0.0,\"extra\":tru"),
            ITEM.replace("\"published_in\"", "\"published_\u{fb}n\""),
            ITEM.replace("\"published_in\":[\"ann\",\"g\"],", ""),
            ITEM.replace("2.5E+3", "01.5"),
            ITEM.replace("2.5E+3", "1."),
            ITEM.replace("2.5E+3", "1e999"),
            ITEM.replace("2.5E+3", "NaN"),
            ITEM.replace("\"n_tuples\":2", "\"n_tuples\":2.5"),
            ITEM.replace("\"n_tuples\":2", "\"n_tuples\":2,\"n_tuples\":3"),
            ITEM.replace("\"terminal\":false", "\"terminal\":0"),
            ITEM.replace("\"action\":[1.0]", "\"action\":[]"),
            ITEM.replace("\"action\":[1.0]", "\"action\":[1.0,[2.0]]"),
            ITEM.replace("\"info\":{}", "\"info\":null"),
            ITEM.replace("\"tuples\":[", "\"tuples\":[ "),
            ITEM.replace("}]}", "}]} x"),
            ITEM.replace("}]}", "}]"),
            ITEM.replace("\"reward\":3", "\"reward\":3.0e0"),
            ITEM.replace("\"created_by\":\"ann\"", "\"created_by\":\"a\tb\""),
        ];
        for text in &variations {
            let (fast, slow) = both(text);
            if let Some(fast) = fast {
                assert!(
                    slow.as_ref().is_some_and(|slow| identical(&fast, slow)),
                    "disagrees on {text}"
                );
            }
        }
    }

    #[test]
    fn every_truncation_gives_up_or_agrees() {
        for end in 0..ITEM.len() {
            let text = &ITEM[..end];
            let (fast, slow) = both(text);
            assert!(
                fast.is_none_or(|fast| slow.as_ref().is_some_and(|slow| identical(&fast, slow))),
                "{text}"
            );
        }
    }
}
