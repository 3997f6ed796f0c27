//! Exact conversion of a JSON float token to `f64`: correctly rounded, so it
//! agrees bit for bit with serde_json's `float_roundtrip` and CPython.

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Reads the JSON number at the start of `text` when it is a float (has a
/// fraction or an exponent) and finite; answers its value and length.
/// `None` for integers, for what does not fit an f64, and for anything that
/// is not a JSON number.
pub(crate) fn parse(text: &[u8]) -> Option<(f64, usize)> {
    let digit = |i: usize| {
        text.get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| u64::from(b - b'0'))
    };
    let negative = text.first() == Some(&b'-');
    let mut i = usize::from(negative);
    let (mut mantissa, mut digits, mut exponent) = (0u64, 0u32, 0i32);
    // Integer part: JSON allows no leading zeros.
    let int_start = i;
    while let Some(d) = digit(i) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
        digits = digits.saturating_add(1);
        i += 1;
    }
    if i == int_start || (text.get(int_start) == Some(&b'0') && i - int_start > 1) {
        return None;
    }
    let mut is_float = false;
    if text.get(i) == Some(&b'.') {
        i += 1;
        let frac_start = i;
        while let Some(d) = digit(i) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(d);
            digits = digits.saturating_add(1);
            i += 1;
        }
        if i == frac_start {
            return None;
        }
        let fraction = i32::try_from(i - frac_start).unwrap_or(i32::MAX);
        exponent = exponent.saturating_sub(fraction);
        is_float = true;
    }
    if matches!(text.get(i), Some(b'e' | b'E')) {
        i += 1;
        let sign = match text.get(i) {
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
            // A digit is below 10, so the cast is exact.
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
    let token = text.get(..i)?;
    let value =
        clinger(mantissa, digits, exponent, negative).or_else(|| fast_float2::parse(token).ok())?;
    // serde_json refuses what does not fit an f64.
    value.is_finite().then_some((value, i))
}

/// Clinger's fast path: when the mantissa and the power of ten are both
/// exact in an f64, one correctly rounded operation gives the exact result.
fn clinger(mantissa: u64, digits: u32, exponent: i32, negative: bool) -> Option<f64> {
    if digits > 19 || mantissa > 1 << 53 {
        return None;
    }
    let power = *POW10.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
    // At most 2^53: exact in an f64.
    let m = mantissa as f64;
    let scaled = if exponent >= 0 { m * power } else { m / power };
    Some(if negative { -scaled } else { scaled })
}

#[cfg(test)]
mod tests {
    use super::*;

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
                let expected: f64 = text.parse().unwrap();
                match parse(text.as_bytes()) {
                    Some((got, len)) => {
                        assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
                        assert_eq!(len, text.len(), "{text}");
                    }
                    // Only integers in disguise ("5e0" is a float; "5" is not) give up.
                    None => assert!(!text.contains(['.', 'e', 'E']), "{text}"),
                }
            }
        }
    }

    #[test]
    fn what_is_not_a_json_float_is_refused() {
        for text in [
            "", "-", "01.5", "1.", ".5", "1e", "1e+", "NaN", "inf", "12", "-0", "1e999",
        ] {
            assert!(parse(text.as_bytes()).is_none(), "{text}");
        }
        assert_eq!(
            parse(b"-0.0,").map(|(f, n)| (f.to_bits(), n)),
            Some(((-0.0f64).to_bits(), 4))
        );
    }
}
