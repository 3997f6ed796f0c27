//! The array splitter: finds the elements of a JSON array answer as its bytes
//! arrive, so each can be decoded on its own and memory is bounded by the
//! largest element, not the answer.

use std::collections::VecDeque;

use bytes::{Buf, Bytes, BytesMut};

use crate::error::{Error, Result};

/// Where the splitter is in the top-level array.
#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// Before the opening `[`.
    Start,
    /// Right after `[`: an element or `]`.
    First,
    /// After `,`: an element.
    BeforeElement,
    /// Inside an element.
    InElement,
    /// After an element: `,` or `]`.
    AfterElement,
    /// After the closing `]`: only white space may follow.
    Done,
}

/// Bytes that matter to the splitter outside strings, at the array's own level
/// (where commas and white space end a scalar element) and inside an element.
const TOP_LEVEL: ByteSet = ByteSet::of(b"\"{}[], \n\r\t");
const NESTED: ByteSet = ByteSet::of(b"\"{}[]");

/// A set of bytes, looked up in a table with one entry per byte value.
struct ByteSet([bool; 256]);

impl ByteSet {
    // Evaluated at compile time; `i < bytes.len()` is checked and a `u8` is
    // below 256, the table's length.
    #[allow(clippy::indexing_slicing)]
    const fn of(bytes: &[u8]) -> Self {
        let mut table = [false; 256];
        let mut i = 0;
        while i < bytes.len() {
            table[bytes[i] as usize] = true;
            i += 1;
        }
        ByteSet(table)
    }

    // A `u8` is below 256, the table's length.
    #[allow(clippy::indexing_slicing)]
    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b)]
    }
}

/// The first of `"{}[]` in `bytes` (or its length): eight bytes at a time,
/// since inside an episode most bytes are the digits of long float arrays.
fn nested_structural(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // Marks the bytes of `word` equal to `byte` (exact for the lowest mark,
    // which is the one used).
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let word = u64::from_le_bytes(chunk);
        // `|0x20` folds `[` onto `{` and `]` onto `}`, and nothing else onto them.
        let folded = word | (ONES * 0x20);
        let marks = equal(folded, b'{') | equal(folded, b'}') | equal(word, b'"');
        if marks != 0 {
            return at + (marks.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    let tail = bytes.get(at..).unwrap_or_default();
    at + tail
        .iter()
        .position(|&c| NESTED.contains(c))
        .unwrap_or(tail.len())
}

/// Splits a byte stream holding one JSON array into the raw bytes of its
/// elements. Strings and nesting are tracked so that brackets and commas
/// inside elements are not mistaken for the array's own.
#[derive(Debug)]
pub(crate) struct ArraySplitter {
    buf: BytesMut,
    /// How far the element at the start of `buf` has been scanned.
    scanned: usize,
    state: State,
    depth: usize,
    in_string: bool,
    escaped: bool,
    /// Bytes of the answer dropped before `buf[0]` (for error positions).
    offset: usize,
}

impl ArraySplitter {
    pub(crate) fn new() -> Self {
        ArraySplitter {
            buf: BytesMut::new(),
            scanned: 0,
            state: State::Start,
            depth: 0,
            in_string: false,
            escaped: false,
            offset: 0,
        }
    }

    /// Feeds bytes; complete elements are appended to `out`.
    pub(crate) fn push(&mut self, chunk: &[u8], out: &mut VecDeque<Bytes>) -> Result<()> {
        self.buf.extend_from_slice(chunk);
        // While in an element, it starts at buf[0] and `scanned` bytes of it are known.
        let mut i = if self.state == State::InElement {
            self.scanned
        } else {
            0
        };
        while let Some(&b) = self.buf.get(i) {
            match self.state {
                State::InElement if !self.in_string && !self.structural(b) => {
                    // Numbers, literals, and inside containers also commas and
                    // white space: skip the whole run at once.
                    let rest = self.buf.get(i..).unwrap_or_default();
                    let run = if self.depth == 0 {
                        rest.iter()
                            .position(|&c| TOP_LEVEL.contains(c))
                            .unwrap_or(rest.len())
                    } else {
                        nested_structural(rest)
                    };
                    i += run;
                    continue;
                }
                // Not right after a backslash: the escaped byte is scanned
                // on its own, so that `escaped` is cleared.
                State::InElement if self.in_string && !self.escaped && !b"\"\\".contains(&b) => {
                    let rest = self.buf.get(i..).unwrap_or_default();
                    let run = rest
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\')
                        .unwrap_or(rest.len());
                    i += run;
                    continue;
                }
                State::InElement => {
                    let scalar_end = self.depth == 0
                        && !self.in_string
                        && (b == b',' || b == b']' || b.is_ascii_whitespace());
                    if scalar_end {
                        out.push_back(self.take(i));
                        self.state = State::AfterElement;
                        i = 0;
                        continue;
                    }
                    self.scan_byte(b);
                    if self.closes(b) {
                        out.push_back(self.take(i + 1));
                        self.state = State::AfterElement;
                        i = 0;
                        continue;
                    }
                }
                _ if b.is_ascii_whitespace() => {}
                State::Start if b == b'[' => self.state = State::First,
                State::First if b == b']' => self.state = State::Done,
                State::First | State::BeforeElement if b != b']' && b != b',' => {
                    // An element starts here: drop what precedes it.
                    self.drop_front(i);
                    i = 0;
                    self.state = State::InElement;
                    self.depth = 0;
                    self.in_string = false;
                    self.escaped = false;
                    self.scan_byte(b);
                }
                State::AfterElement if b == b',' => self.state = State::BeforeElement,
                State::AfterElement if b == b']' => self.state = State::Done,
                _ => return Err(self.syntax(i, b)),
            }
            i += 1;
        }
        if self.state == State::InElement {
            self.scanned = self.buf.len();
        } else {
            let all = self.buf.len();
            self.drop_front(all);
        }
        Ok(())
    }

    fn structural(&self, b: u8) -> bool {
        if self.depth == 0 {
            TOP_LEVEL.contains(b)
        } else {
            NESTED.contains(b)
        }
    }

    /// Called at the end of the body.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.state == State::Done {
            Ok(())
        } else {
            Err(Error::Decode {
                path: ".".into(),
                message: format!(
                    "the answer ended inside the JSON array (after {} bytes)",
                    self.offset + self.buf.len()
                ),
                excerpt: crate::error::excerpt(&self.buf),
            })
        }
    }

    fn scan_byte(&mut self, b: u8) {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
        } else {
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
    }

    /// Whether the byte just scanned closed the element (container or string).
    fn closes(&self, b: u8) -> bool {
        self.depth == 0 && !self.in_string && (b == b'}' || b == b']' || b == b'"')
    }

    /// Splits the element `buf[..end]` off.
    fn take(&mut self, end: usize) -> Bytes {
        self.offset += end;
        self.scanned = 0;
        let element = self.buf.split_to(end).freeze();
        // Room for a next element as large as this one: growing into it
        // chunk by chunk would copy it again at every doubling.
        self.buf.reserve(end);
        element
    }

    fn drop_front(&mut self, n: usize) {
        self.buf.advance(n);
        self.offset += n;
    }

    fn syntax(&self, i: usize, b: u8) -> Error {
        Error::Decode {
            path: ".".into(),
            message: format!(
                "expected a JSON array, found {:?} at byte {}",
                char::from(b),
                self.offset + i
            ),
            excerpt: crate::error::excerpt(self.buf.get(i..).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn split_in_pieces(text: &str, piece: usize) -> Result<Vec<String>> {
        let mut splitter = ArraySplitter::new();
        let mut out = VecDeque::new();
        for chunk in text.as_bytes().chunks(piece.max(1)) {
            splitter.push(chunk, &mut out)?;
        }
        splitter.finish()?;
        Ok(out
            .into_iter()
            .map(|b| String::from_utf8(b.to_vec()).unwrap())
            .collect())
    }

    /// Split in pieces of every size, `text`'s elements read as serde_json
    /// reads the whole array.
    fn splits_as_serde_reads(text: &str) {
        let expected: Vec<Value> = serde_json::from_str(text).unwrap();
        for piece in 1..=text.len() {
            let parts = split_in_pieces(text, piece).unwrap();
            let decoded: Vec<Value> = parts
                .iter()
                .map(|p| serde_json::from_str(p).unwrap())
                .collect();
            assert_eq!(decoded, expected, "piece size {piece}: {parts:?}");
        }
    }

    #[test]
    fn splits_any_element_kinds_at_any_chunk_size() {
        let text = r#" [ {"a":[1,{"b":"]},\"["}]} , [1,[2]] ,"s,]\\\"",12.5e3, true ,null,{}] "#;
        splits_as_serde_reads(text);
    }

    #[test]
    fn every_escape_in_strings_at_any_chunk_size() {
        let text =
            r#"[{"m":"a\nb\tc\rd\be\ff\/g\u00e9h\\i\"j","n":1},"\n\"x\\",{"k\t":["\u0000"]}]"#;
        splits_as_serde_reads(text);
    }

    #[test]
    fn memory_is_bounded_by_the_largest_element() {
        let element = format!(r#"{{"tuples":[{}]}}"#, vec!["0.123456789"; 500].join(","));
        let body = format!("[{}]", vec![element.as_str(); 2_000].join(","));
        let mut splitter = ArraySplitter::new();
        let mut out = VecDeque::new();
        let mut seen = 0;
        for chunk in body.as_bytes().chunks(8 * 1024) {
            splitter.push(chunk, &mut out).unwrap();
            assert!(
                splitter.buf.len() <= element.len() + 8 * 1024,
                "buffered {} bytes",
                splitter.buf.len()
            );
            seen += out.len();
            out.clear();
        }
        splitter.finish().unwrap();
        assert_eq!(seen, 2_000);
    }

    #[test]
    fn the_word_scan_finds_the_first_structural_byte() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 40) as usize;
            // Mostly digits and separators, sometimes a structural byte or a
            // byte next to one in value.
            let bytes: Vec<u8> = (0..len)
                .map(|i| {
                    let r = x.rotate_left(i as u32 * 7);
                    match r % 23 {
                        0 => b"\"{}[]"[(r >> 8) as usize % 5],
                        1 => b"ZzYy\\|^_`~\x7f\xfb\xdd"[(r >> 8) as usize % 13],
                        _ => b"0123456789.,-eE "[(r >> 8) as usize % 16],
                    }
                })
                .collect();
            let expected = bytes
                .iter()
                .position(|&c| NESTED.contains(c))
                .unwrap_or(bytes.len());
            assert_eq!(nested_structural(&bytes), expected, "{bytes:?}");
        }
    }

    #[test]
    fn empty_arrays() {
        for text in ["[]", " [ ] ", "[\n]"] {
            for piece in 1..=text.len() {
                assert!(split_in_pieces(text, piece).unwrap().is_empty(), "{text:?}");
            }
        }
    }

    #[test]
    fn rejects_what_is_not_one_array() {
        for text in ["{}", "null", "[1,2", "[1 2]", "[1,2]]", "[1,2] x", ""] {
            assert!(split_in_pieces(text, 3).is_err(), "{text:?}");
        }
    }
}
