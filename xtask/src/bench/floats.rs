//! What an episode body holds, read by a strict JSON parser of its own:
//! numbers by Rust's correctly rounded `f64` parser, independent of any
//! client's; its tuples counted and its floats hashed by their bits.

use anyhow::{bail, Result};

/// What an episode body holds: its tuples, and a hash of every float of
/// every tuple (state, action, reward, in that order whatever the order of
/// the keys; integers as the float they are), by their bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Floats {
    /// How many tuples.
    pub(super) tuples: u64,
    /// How many floats, in all of them.
    pub(super) floats: u64,
    /// The hash of those floats.
    pub(super) hash: u64,
    /// Whether the last tuple is terminal.
    pub(super) terminal: bool,
}

impl Floats {
    fn add(&mut self, value: f64) {
        let bits = value.to_bits() ^ self.floats.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.hash = (self.hash ^ splitmix(bits))
            .wrapping_mul(0x0000_0100_0000_01B3)
            .rotate_left(23);
        self.floats += 1;
    }

    /// The hash, as hex.
    pub(super) fn hex(&self) -> String {
        format!("{:016x}", self.hash)
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// Parses an episode (`{"tuples": [{"state": …, "action": …, "reward": …}, …], …}`).
pub(super) fn episode_floats(body: &[u8]) -> Result<Floats> {
    let mut p = Parser { bytes: body, at: 0 };
    let mut floats = Floats {
        tuples: 0,
        floats: 0,
        hash: 0,
        terminal: false,
    };
    let mut seen_tuples = false;
    p.object(|p, key| {
        if key != b"tuples" {
            return p.value(&mut None);
        }
        seen_tuples = true;
        p.array(|p| {
            let mut fields: [Vec<f64>; 3] = Default::default();
            let mut present = [false; 3];
            let mut terminal = false;
            p.object(|p, key| {
                let field = match key {
                    b"state" => 0,
                    b"action" => 1,
                    b"reward" => 2,
                    b"terminal" => {
                        terminal = p.literal()? == Some(true);
                        return Ok(());
                    }
                    _ => return p.value(&mut None),
                };
                present[field] = true;
                p.value(&mut Some(&mut fields[field]))
            })?;
            if present != [true; 3] {
                bail!("tuple {} lacks state, action or reward", floats.tuples);
            }
            fields.iter().flatten().for_each(|&f| floats.add(f));
            floats.tuples += 1;
            floats.terminal = terminal;
            Ok(())
        })
    })?;
    p.ws();
    if p.at != body.len() {
        bail!("trailing bytes at {}", p.at);
    }
    if !seen_tuples {
        bail!("no tuples");
    }
    Ok(floats)
}

/// A strict JSON reader that keeps only numbers.
struct Parser<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<()> {
        self.ws();
        if self.peek() != Some(byte) {
            bail!("expected {:?} at byte {}", byte as char, self.at);
        }
        self.at += 1;
        Ok(())
    }

    /// `{ "key": value, … }`, each value read by `member`.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &[u8]) -> Result<()>) -> Result<()> {
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.ws();
            let key = self.string()?;
            self.expect(b':')?;
            member(self, key)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => bail!("expected , or }} at byte {}", self.at),
            }
        }
    }

    /// `[ value, … ]`, each element read by `element`.
    fn array(&mut self, mut element: impl FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.expect(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            element(self)?;
            self.ws();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(());
                }
                _ => bail!("expected , or ] at byte {}", self.at),
            }
        }
    }

    /// A string's raw bytes (escapes left as they are).
    fn string(&mut self) -> Result<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    let bytes: &'a [u8] = self.bytes;
                    return Ok(&bytes[start..self.at - 1]);
                }
                Some(b'\\') => self.at += 2,
                Some(c) if c < 0x20 => bail!("control character in a string at {}", self.at),
                Some(_) => self.at += 1,
                None => bail!("unterminated string"),
            }
        }
    }

    /// `true`, `false` or `null` (`None`).
    fn literal(&mut self) -> Result<Option<bool>> {
        self.ws();
        for (word, value) in [
            (&b"true"[..], Some(true)),
            (b"false", Some(false)),
            (b"null", None),
        ] {
            if self.bytes[self.at..].starts_with(word) {
                self.at += word.len();
                return Ok(value);
            }
        }
        bail!("expected a literal at byte {}", self.at)
    }

    /// Any value; its numbers, arrays flattened, go to `numbers` if given.
    fn value(&mut self, numbers: &mut Option<&mut Vec<f64>>) -> Result<()> {
        self.ws();
        match self.peek() {
            Some(b'{') => self.object(|p, _| p.value(&mut None)),
            Some(b'[') => self.array(|p| p.value(numbers)),
            Some(b'"') => self.string().map(drop),
            Some(b'-' | b'0'..=b'9') => {
                let n = self.number()?;
                if let Some(numbers) = numbers {
                    numbers.push(n);
                }
                Ok(())
            }
            _ => self.literal().map(drop),
        }
    }

    /// A number in JSON's grammar, converted by Rust's correctly rounded parser.
    fn number(&mut self) -> Result<f64> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.at += 1;
            }
            p.at - from
        };
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        let int = self.at;
        let n = digits(self);
        if n == 0 || (n > 1 && self.bytes[int] == b'0') {
            bail!("bad number at byte {start}");
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                bail!("bad fraction at byte {start}");
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                bail!("bad exponent at byte {start}");
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.at])?;
        Ok(text.parse()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(body: &str) -> Result<Floats> {
        episode_floats(body.as_bytes())
    }

    #[test]
    fn counts_tuples_and_hashes_floats_in_field_order() {
        let a = floats(
            r#"{"benchmark_id":"b","metadata":{"x":[1,2]},"tuples":[
                {"state":[1.5,-0.0],"action":[2],"reward":0.25,"info":{},"terminal":false},
                {"reward":3,"action":[1e2],"state":[5e-324, 1E5],"terminal":true}]}"#,
        )
        .unwrap();
        assert_eq!((a.tuples, a.floats, a.terminal), (2, 8, true));
        // Keys in another order, the same values spelled otherwise: the same hash.
        let b = floats(
            r#"{"tuples":[{"action":[2.0],"state":[15e-1,-0e0],"reward":2.5e-1,"terminal":false},
                {"state":[4.9406564584124654e-324,100000],"action":[100],"reward":3.0,"terminal":true}]}"#,
        )
        .unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn a_different_bit_or_order_changes_the_hash() {
        let base = floats(r#"{"tuples":[{"state":[0.0,1.0],"action":[],"reward":1}]}"#).unwrap();
        for other in [
            r#"{"tuples":[{"state":[-0.0,1.0],"action":[],"reward":1}]}"#,
            r#"{"tuples":[{"state":[1.0,0.0],"action":[],"reward":1}]}"#,
            r#"{"tuples":[{"state":[0.0,1.0000000000000002],"action":[],"reward":1}]}"#,
        ] {
            assert_ne!(floats(other).unwrap().hash, base.hash, "{other}");
        }
    }

    #[test]
    fn malformed_bodies_fail() {
        for bad in [
            r#"{"tuples":[{"state":[01],"action":[],"reward":1}]}"#,
            r#"{"tuples":[{"state":[1.],"action":[],"reward":1}]}"#,
            r#"{"tuples":[{"state":[1],"action":[]}]}"#,
            r#"{"tuples":[{"state":[1],"action":[],"reward":1}]} x"#,
            r#"{"tuples":[{"state":[1],"action":[],"reward":1}"#,
            r#"{"episodes":[]}"#,
        ] {
            assert!(floats(bad).is_err(), "{bad}");
        }
    }
}
