//! A fast, exact decoder for the common shape of an episode item.
//!
//! Episode lists are mostly floats in flat arrays. This parser reads an
//! [`EpisodeItem`] straight from its bytes, converting floats with an exact
//! (correctly rounded) parser, and hands every part it does not specialise in
//! (metadata, info objects, strings with escapes, anything unusual) to
//! serde_json on that part's bytes. When the input is not exactly what it
//! expects — including any invalid JSON — it gives up and the caller decodes
//! the whole element with serde_json, which then also reports the error. So
//! its result is always what serde_json would produce, only sooner.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::models::EpisodeItem;
use crate::tuple::{RlTuple, TupleValue};

/// Decodes `bytes` (one JSON object) as an episode item, or `None` to say
/// "use serde_json instead".
pub(crate) fn episode_item(bytes: &[u8]) -> Option<EpisodeItem> {
    let mut p = Parser {
        bytes,
        at: 0,
        scratch: Vec::new(),
    };
    let item = p.item()?;
    p.ws();
    (p.at == bytes.len()).then_some(item)
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

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
    scratch: Vec<f64>,
}

/// One key of an object, to reject duplicates as serde's derive does.
#[derive(Default)]
struct Seen(u32);

impl Seen {
    fn first(&mut self, bit: u32) -> Option<()> {
        (self.0 & (1 << bit) == 0).then(|| self.0 |= 1 << bit)
    }
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while let Some(b) = self.bytes.get(self.at) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                break;
            }
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.ws();
        self.bytes[self.at..]
            .starts_with(word)
            .then(|| self.at += word.len())
    }

    fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| true),
            b'f' => self.literal(b"false").map(|()| false),
            _ => None,
        }
    }

    /// A string without escapes; with escapes, serde_json decodes it.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let start = self.at;
        let rest = &self.bytes[start..];
        let end = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest[end] == b'"' {
            self.at = start + end + 1;
            return std::str::from_utf8(&rest[..end]).ok().map(str::to_owned);
        }
        self.at = start - 1;
        self.serde_value()
    }

    /// `"key":` of an object member.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.at;
        let len = self.bytes[start..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\')?;
        if self.bytes[start + len] != b'"' {
            return None; // escaped key: leave it to serde
        }
        self.at = start + len + 1;
        self.eat(b':')?;
        Some(&self.bytes[start..start + len])
    }

    /// Walks an object: `member` is called for each key after the colon.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let key = self.key()?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// The end of the JSON value starting here (structure only: serde_json
    /// validates what it is then given).
    fn skip(&mut self) -> Option<usize> {
        self.ws();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let start = self.at;
        for (i, &b) in self.bytes[start..].iter().enumerate() {
            if in_string {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_string = false;
                    if depth == 0 {
                        return Some(start + i + 1);
                    }
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => return (i > 0).then_some(start + i),
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(start + i + 1);
                    }
                }
                b',' | b' ' | b'\n' | b'\r' | b'\t' if depth == 0 => {
                    return (i > 0).then_some(start + i)
                }
                _ => {}
            }
        }
        (depth == 0 && !in_string && self.at < self.bytes.len()).then_some(self.bytes.len())
    }

    /// The value starting here, decoded by serde_json from its own bytes.
    fn serde_value<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.ws();
        let start = self.at;
        let end = self.skip()?;
        self.at = end;
        serde_json::from_slice(&self.bytes[start..end]).ok()
    }

    /// A JSON number token that is a float (has a fraction or an exponent),
    /// converted exactly (correctly rounded); `None` for integers and for
    /// anything that is not a JSON number.
    fn float(&mut self) -> Option<f64> {
        self.ws();
        let rest = &self.bytes[self.at..];
        let digit = |i: usize| {
            rest.get(i)
                .filter(|b| b.is_ascii_digit())
                .map(|b| u64::from(b - b'0'))
        };
        let negative = rest.first() == Some(&b'-');
        let mut i = usize::from(negative);
        let (mut mantissa, mut digits, mut exponent) = (0u64, 0u32, 0i32);
        // Integer part: JSON allows no leading zeros.
        let int_start = i;
        while let Some(d) = digit(i) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
            digits += 1;
            i += 1;
        }
        if i == int_start || (rest[int_start] == b'0' && i - int_start > 1) {
            return None;
        }
        let mut is_float = false;
        if rest.get(i) == Some(&b'.') {
            i += 1;
            let frac_start = i;
            while let Some(d) = digit(i) {
                mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
                digits += 1;
                i += 1;
            }
            if i == frac_start {
                return None;
            }
            exponent -= (i - frac_start) as i32;
            is_float = true;
        }
        if matches!(rest.get(i), Some(b'e' | b'E')) {
            i += 1;
            let sign = match rest.get(i) {
                Some(b'-') => {
                    i += 1;
                    -1
                }
                Some(b'+') => {
                    i += 1;
                    1
                }
                _ => 1,
            };
            let exp_start = i;
            let mut e = 0i32;
            while let Some(d) = digit(i) {
                e = e.saturating_mul(10).saturating_add(d as i32);
                i += 1;
            }
            if i == exp_start {
                return None;
            }
            exponent = exponent.saturating_add(sign * e);
            is_float = true;
        }
        if !is_float {
            return None;
        }
        // Clinger's fast path: both factors exact, one correctly rounded operation.
        let value = if digits <= 19 && mantissa <= 1 << 53 && (-22..=22).contains(&exponent) {
            let m = mantissa as f64;
            let scaled = if exponent >= 0 {
                m * POW10[exponent as usize]
            } else {
                m / POW10[(-exponent) as usize]
            };
            if negative {
                -scaled
            } else {
                scaled
            }
        } else {
            fast_float2::parse(&rest[..i]).ok()?
        };
        // serde_json refuses what does not fit an f64.
        if !value.is_finite() {
            return None;
        }
        self.at += i;
        Some(value)
    }

    /// `state`, `action` or `reward`.
    fn tuple_value(&mut self) -> Option<TupleValue> {
        let start = self.at;
        match self.peek()? {
            b'[' => {
                self.at += 1;
                // Collected in a reused buffer, then copied to an exact-size Vec.
                let mut floats = std::mem::take(&mut self.scratch);
                floats.clear();
                if self.eat(b']').is_none() {
                    loop {
                        match self.float() {
                            Some(f) => floats.push(f),
                            None => {
                                self.at = start;
                                return self.serde_value();
                            }
                        }
                        match self.peek()? {
                            b',' => self.at += 1,
                            b']' => {
                                self.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                let value = TupleValue::from(floats.as_slice());
                self.scratch = floats;
                Some(value)
            }
            b'-' | b'0'..=b'9' => match self.float() {
                Some(f) => Some(TupleValue::Float(f)),
                None => {
                    self.at = start;
                    self.serde_value()
                }
            },
            _ => self.serde_value(),
        }
    }

    fn map(&mut self) -> Option<Map<String, Value>> {
        if self.peek()? == b'{' {
            let at = self.at;
            self.at += 1;
            if self.eat(b'}').is_some() {
                return Some(Map::new());
            }
            self.at = at;
        }
        self.serde_value()
    }

    fn tuple(&mut self) -> Option<RlTuple> {
        let (mut state, mut action, mut reward) = (None, None, None);
        let mut tuple = RlTuple::default();
        let mut seen = Seen::default();
        self.object(|p, key| match key {
            b"state" => member!(seen, 0, state = Some(p.tuple_value()?)),
            b"action" => member!(seen, 1, action = Some(p.tuple_value()?)),
            b"reward" => member!(seen, 2, reward = Some(p.tuple_value()?)),
            b"info" => member!(seen, 3, tuple.info = p.map()?),
            b"terminal" => member!(seen, 4, tuple.terminal = p.boolean()?),
            b"timeout" => member!(seen, 5, tuple.timeout = p.boolean()?),
            // Unknown keys: serde_json checks them (and their values) for validity.
            _ => None,
        })?;
        tuple.state = state?;
        tuple.action = action?;
        tuple.reward = reward?;
        Some(tuple)
    }

    fn item(&mut self) -> Option<EpisodeItem> {
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
        self.object(|p, key| match key {
            b"id" => member!(seen, 0, id = Some(p.string()?)),
            b"created_by" => member!(seen, 1, created_by = Some(p.string()?)),
            b"created_at" => member!(seen, 2, created_at = Some(p.string()?)),
            b"benchmark_id" => member!(seen, 3, benchmark_id = Some(p.string()?)),
            b"metadata" => member!(seen, 4, metadata = Some(p.serde_value()?)),
            b"n_tuples" => member!(seen, 5, n_tuples = Some(p.serde_value()?)),
            b"terminated" => member!(seen, 6, terminated = Some(p.boolean()?)),
            b"timeout" => member!(seen, 7, timeout = Some(p.boolean()?)),
            b"published_in" => member!(seen, 8, published_in = p.serde_value()?),
            b"tuples" => seen.first(9).and_then(|()| {
                p.eat(b'[')?;
                let mut list = Vec::new();
                if p.eat(b']').is_none() {
                    loop {
                        list.push(p.tuple()?);
                        match p.peek()? {
                            b',' => p.at += 1,
                            b']' => {
                                p.at += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                tuples = Some(list);
                Some(())
            }),
            // Unknown keys: serde_json checks them (and their values) for validity.
            _ => None,
        })?;
        Some(EpisodeItem {
            id: id?,
            created_by: created_by?,
            created_at: created_at?,
            benchmark_id: benchmark_id?,
            metadata: metadata?,
            n_tuples: n_tuples?,
            terminated: terminated?,
            timeout: timeout?,
            published_in,
            tuples: tuples?,
        })
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
        assert_eq!(Some(&fast), slow.as_ref());
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
                assert_eq!(Some(fast), slow, "disagrees on {text}");
            }
        }
    }

    #[test]
    fn floats_are_exact_in_every_spelling() {
        // Random bit patterns (all magnitudes), in the spellings Python and Rust write.
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        for n in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = if n % 2 == 0 {
                f64::from_bits(x)
            } else {
                (x >> 11) as f64 / (1u64 << 53) as f64 * 20.0 - 10.0
            };
            if !f.is_finite() {
                continue;
            }
            for text in [
                format!("{f:?}"),
                format!("{f:e}"),
                format!("{f:E}"),
                format!("{f:.3}"),
            ] {
                let mut p = Parser {
                    bytes: text.as_bytes(),
                    at: 0,
                    scratch: Vec::new(),
                };
                let expected: f64 = text.parse().unwrap();
                match p.float() {
                    Some(got) => {
                        assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
                        assert_eq!(p.at, text.len(), "{text}");
                    }
                    // Only integers in disguise ("5e0" is a float; "5" is not) give up.
                    None => assert!(!text.contains(['.', 'e', 'E']), "{text}"),
                }
            }
        }
    }

    #[test]
    fn every_truncation_gives_up_or_agrees() {
        for end in 0..ITEM.len() {
            let text = &ITEM[..end];
            let (fast, slow) = both(text);
            assert!(fast.is_none() || fast == slow, "{text}");
        }
    }
}
