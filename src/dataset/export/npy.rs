//! The `.npy` format's header (version 1.0, or 2.0 for a long header): the
//! dtype, order and shape of the array that follows, padded so the data
//! starts on a 64-byte boundary, as NumPy writes it.

/// The header of a C-order array of `descr` elements with `shape`.
pub(crate) fn header(descr: &str, shape: &[usize]) -> Vec<u8> {
    let dims = match shape {
        [one] => format!("({one},)"),
        more => format!(
            "({})",
            more.iter()
                .map(usize::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {dims}, }}");
    // magic (6) + version (2) + length (2 or 4) + dict + padding + '\n'.
    let (version, length_bytes) = if dict.len() + 11 < 65_536 {
        (1u8, 2)
    } else {
        (2u8, 4)
    };
    let unpadded = 6 + 2 + length_bytes + dict.len() + 1;
    dict.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    dict.push('\n');
    let mut out = Vec::with_capacity(unpadded + 64);
    out.extend_from_slice(b"\x93NUMPY");
    out.push(version);
    out.push(0);
    if version == 1 {
        out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(dict.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_aligned_and_readable() {
        for (descr, shape, dims) in [
            ("<f8", vec![3, 17], "(3, 17)"),
            ("|b1", vec![5], "(5,)"),
            ("<U32", vec![0], "(0,)"),
        ] {
            let h = header(descr, &shape);
            assert_eq!(h.len() % 64, 0, "{descr}");
            assert!(h.starts_with(b"\x93NUMPY\x01\x00"));
            let text = String::from_utf8_lossy(&h[10..]);
            assert!(text.contains(&format!("'shape': {dims}")), "{text}");
            assert!(text.ends_with('\n'));
            assert_eq!(u16::from_le_bytes([h[8], h[9]]) as usize, h.len() - 10);
        }
    }
}
