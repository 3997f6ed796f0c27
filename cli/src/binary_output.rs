//! Binary data and the terminal: bytes that are not text are not written to
//! a terminal (where they garble the screen) unless asked for with `-o -`.

use std::io::IsTerminal;

use crate::error::CliError;

/// How much of the data is looked at.
const SNIFFED: usize = 8 * 1024;

/// Whether the first few KiB of `bytes` hold a NUL byte or are not UTF-8
/// (a character cut off at the end of that window is not held against them).
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    let head = bytes.get(..SNIFFED).unwrap_or(bytes);
    if head.contains(&0) {
        return true;
    }
    match std::str::from_utf8(head) {
        Ok(_) => false,
        // `error_len() == None`: it ends inside a character, which is text
        // only when the window cut it (the data goes on).
        Err(e) => e.error_len().is_some() || head.len() == bytes.len(),
    }
}

/// Refuses to write binary `bytes` to standard output when it is a terminal,
/// unless `forced` (`-o -`).
pub(crate) fn check_stdout(bytes: &[u8], forced: bool) -> Result<(), CliError> {
    if forced || !std::io::stdout().is_terminal() || !looks_binary(bytes) {
        return Ok(());
    }
    Err(CliError::Usage(
        "not writing binary data to the terminal: save it with -o FILE (or force it with -o -)"
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_not_binary() {
        assert!(!looks_binary(b""));
        assert!(!looks_binary(b"hello\nworld\t\r\n"));
        assert!(!looks_binary("grüße, 世界".as_bytes()));
        // A character cut by the window's end is still text.
        let mut text = "a".repeat(SNIFFED - 1).into_bytes();
        text.extend_from_slice("ü and more".as_bytes());
        assert!(!looks_binary(&text));
    }

    #[test]
    fn nul_bytes_and_invalid_utf8_are_binary() {
        assert!(looks_binary(b"abc\0def"));
        assert!(looks_binary(&[0xff, b'a']));
        assert!(
            looks_binary(&[b'a', 0xc3]),
            "a character cut off at the very end"
        );
        let mut late = "a".repeat(100).into_bytes();
        late.push(0);
        assert!(looks_binary(&late));
        // Past the window nothing is looked at.
        let mut beyond = "a".repeat(SNIFFED).into_bytes();
        beyond.push(0);
        assert!(!looks_binary(&beyond));
    }
}
