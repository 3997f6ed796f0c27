//! A cursor over one JSON document's bytes for hand-written decoders: it
//! reads the few shapes they specialise in and hands any other value to
//! serde_json on that value's own bytes. Every method answers `None` for
//! input it does not expect, so a caller can give up and let serde_json
//! decode (and judge) the whole document instead.

use serde::de::DeserializeOwned;

use super::float;

/// Where a walk through an object's members or an array's elements is.
pub(crate) struct Members {
    first: bool,
}

/// A position in a JSON document.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, at: 0 }
    }

    /// What is left from the current position.
    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.at..).unwrap_or_default()
    }

    /// The current position, to come back to it.
    pub(crate) fn mark(&self) -> usize {
        self.at
    }

    /// Goes back to a position from [`Cursor::mark`].
    pub(crate) fn reset(&mut self, mark: usize) {
        self.at = mark;
    }

    /// Skips white space.
    pub(crate) fn ws(&mut self) {
        let skipped = self
            .rest()
            .iter()
            .position(|b| !matches!(b, b' ' | b'\n' | b'\r' | b'\t'))
            .unwrap_or(self.rest().len());
        self.at += skipped;
    }

    /// Whether only white space is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.ws();
        self.rest().is_empty()
    }

    /// The next byte that is not white space, without taking it.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.rest().first().copied()
    }

    /// Takes `byte` when it comes next.
    pub(crate) fn eat(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.ws();
        self.rest().starts_with(word).then(|| self.at += word.len())
    }

    /// `true` or `false`.
    pub(crate) fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.literal(b"true").map(|()| true),
            b'f' => self.literal(b"false").map(|()| false),
            _ => None,
        }
    }

    /// A string; one with escapes is decoded by serde_json.
    pub(crate) fn string(&mut self) -> Option<String> {
        let start = self.mark();
        self.eat(b'"')?;
        let rest = self.rest();
        let end = rest
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        if rest.get(end) == Some(&b'"') {
            self.at += end + 1;
            return std::str::from_utf8(rest.get(..end)?)
                .ok()
                .map(str::to_owned);
        }
        self.reset(start);
        self.serde_value()
    }

    /// `"key":` of an object member; `None` for a key with escapes.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let rest = self.rest();
        let len = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.at += len + 1;
        self.eat(b':')?;
        rest.get(..len)
    }

    /// Opens an object; then [`Cursor::next_key`] until it answers `Some(None)`.
    pub(crate) fn open_object(&mut self) -> Option<Members> {
        self.eat(b'{')?;
        Some(Members { first: true })
    }

    /// The key of the object's next member, whose value comes next; `Some(None)`
    /// after the closing brace.
    pub(crate) fn next_key(&mut self, members: &mut Members) -> Option<Option<&'a [u8]>> {
        if self.next(members, b'}')? {
            self.key().map(Some)
        } else {
            Some(None)
        }
    }

    /// Opens an array; then [`Cursor::next_element`] until it answers `Some(false)`.
    pub(crate) fn open_array(&mut self) -> Option<Members> {
        self.eat(b'[')?;
        Some(Members { first: true })
    }

    /// Whether the array has another element, which comes next; `Some(false)`
    /// after the closing bracket.
    pub(crate) fn next_element(&mut self, elements: &mut Members) -> Option<bool> {
        self.next(elements, b']')
    }

    /// Past the separator before the next member, or past `close`.
    fn next(&mut self, members: &mut Members, close: u8) -> Option<bool> {
        let first = std::mem::replace(&mut members.first, false);
        match self.peek()? {
            b if b == close => {
                self.at += 1;
                Some(false)
            }
            b',' if !first => {
                self.at += 1;
                Some(true)
            }
            _ if first => Some(true),
            _ => None,
        }
    }

    /// The end of the JSON value starting here (structure only: serde_json
    /// validates what it is then given).
    fn skip(&mut self) -> Option<usize> {
        self.ws();
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        let start = self.at;
        let rest = self.rest();
        for (i, &b) in rest.iter().enumerate() {
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
        (depth == 0 && !in_string && !rest.is_empty()).then_some(self.bytes.len())
    }

    /// The value starting here, decoded by serde_json from its own bytes.
    pub(crate) fn serde_value<T: DeserializeOwned>(&mut self) -> Option<T> {
        self.ws();
        let start = self.at;
        let end = self.skip()?;
        self.at = end;
        serde_json::from_slice(self.bytes.get(start..end)?).ok()
    }

    /// A flat array of JSON floats, appended to `out` (the commonest value
    /// of an episode, read in one loop); `None` for anything else, with
    /// `out` and the position then unspecified.
    pub(crate) fn floats(&mut self, out: &mut Vec<f64>) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let (value, len) = float::parse(self.rest())?;
            out.push(value);
            self.at += len;
            // Compact JSON has the separator right after the number.
            let next = match self.bytes.get(self.at) {
                Some(&b) if b == b',' || b == b']' => b,
                _ => self.peek()?,
            };
            self.at += 1;
            match next {
                b',' => {}
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// A JSON float (fraction or exponent), converted exactly; `None` (and
    /// nothing taken) for integers and anything else.
    pub(crate) fn float(&mut self) -> Option<f64> {
        self.ws();
        let (value, len) = float::parse(self.rest())?;
        self.at += len;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floats(text: &str) -> Option<(Vec<f64>, usize)> {
        let mut cursor = Cursor::new(text.as_bytes());
        let mut out = vec![-1.0];
        cursor.floats(&mut out)?;
        Some((out.split_off(1), cursor.mark()))
    }

    #[test]
    fn float_arrays_in_any_spacing() {
        for text in [
            "[0.5,-2.25,1e3]",
            " [ 0.5 , -2.25 ,\n1e3 ] ",
            "[0.5,\t-2.25,1e3\r\n]",
        ] {
            let (values, end) = floats(text).expect(text);
            assert_eq!(values, [0.5, -2.25, 1000.0], "{text}");
            assert_eq!(&text[end..].trim(), &"", "{text}");
        }
        assert_eq!(floats("[]").map(|(v, n)| (v.len(), n)), Some((0, 2)));
        assert_eq!(floats("[ ] ,").map(|(v, n)| (v.len(), n)), Some((0, 3)));
        assert_eq!(floats("[0.5],[1.5]").map(|(_, n)| n), Some(5));
    }

    #[test]
    fn what_is_not_a_float_array_is_refused() {
        for text in [
            "0.5",
            "[1]",
            "[0.5,1]",
            "[0.5,]",
            "[,0.5]",
            "[0.5 0.5]",
            "[0.5",
            "[0.5,",
            "[0.5;1.5]",
            "[\"a\"]",
            "[[0.5]]",
            "[0.5}",
        ] {
            assert!(floats(text).is_none(), "{text}");
        }
    }
}
