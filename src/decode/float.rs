//! Exact conversion of a JSON float token to `f64`: correctly rounded, so it
//! agrees bit for bit with serde_json's `float_roundtrip` and CPython.

use std::cmp::Ordering;

/// Powers of ten that are exact in an f64.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Powers of ten up to 10^19, the largest below 2^64, for the exact
/// comparisons: a product with a 54-bit number fits 128 bits.
// Evaluated at compile time, where an index out of range cannot pass.
#[allow(clippy::indexing_slicing)]
const POW10_INT: [u64; 20] = {
    let mut table = [1u64; 20];
    let mut i = 1;
    while i < table.len() {
        table[i] = table[i - 1] * 10;
        i += 1;
    }
    table
};

/// 1/10^k for k in 1..=19 as 128-bit fixed point with the top bit set:
/// `floor(2^(127 + b) / 10^k)`, b the bit length of 10^k (index 0 unused).
// Evaluated at compile time, where an index out of range cannot pass.
#[allow(clippy::indexing_slicing)]
const RECIPROCALS: [u128; 20] = {
    let mut table = [0u128; 20];
    let mut k = 1;
    while k < table.len() {
        let divisor = POW10_INT[k] as u128;
        let bits = 128 - divisor.leading_zeros();
        // Long division of 2^(127 + bits), one bit at a time.
        let (mut quotient, mut remainder) = (0u128, 0u128);
        let mut i = 0;
        while i <= 127 + bits {
            remainder = (remainder << 1) | (i == 0) as u128;
            quotient <<= 1;
            if remainder >= divisor {
                remainder -= divisor;
                quotient |= 1;
            }
            i += 1;
        }
        table[k] = quotient;
        k += 1;
    }
    table
};

/// Reads the JSON number at the start of `text` when it is a float (has a
/// fraction or an exponent) and finite; answers its value and length.
/// `None` for integers, for what does not fit an f64, and for anything that
/// is not a JSON number.
pub(crate) fn parse(text: &[u8]) -> Option<(f64, usize)> {
    let negative = text.first() == Some(&b'-');
    let mut i = usize::from(negative);
    if let Some((mantissa, fraction, end)) = common_spelling(text, i) {
        if let Some(m) = exact(mantissa, -fraction) {
            return Some((if negative { -m } else { m }, end));
        }
    }
    let (mut mantissa, mut digits, mut exponent) = (0u64, 0u32, 0i32);
    // Integer part: JSON allows no leading zeros.
    let int_start = i;
    i = digit_run(text, i, &mut mantissa, &mut digits);
    if i == int_start || (text.get(int_start) == Some(&b'0') && i - int_start > 1) {
        return None;
    }
    let mut is_float = false;
    if text.get(i) == Some(&b'.') {
        let frac_start = i + 1;
        i = digit_run(text, frac_start, &mut mantissa, &mut digits);
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
        while let Some(d) = text.get(i).filter(|b| b.is_ascii_digit()) {
            e = e.saturating_mul(10).saturating_add(i32::from(d - b'0'));
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
    let magnitude = if digits <= 19 {
        exact(mantissa, exponent)
    } else {
        None
    };
    let value = match magnitude {
        Some(m) if negative => -m,
        Some(m) => m,
        None => fast_float2::parse(text.get(..i)?).ok()?,
    };
    // serde_json refuses what does not fit an f64.
    value.is_finite().then_some((value, i))
}

/// Adds the decimal digits starting at `text[i]` to `mantissa` (wrapping:
/// `digits` says when it can no longer be trusted) and answers where they
/// end. Eight bytes at a time: a run's last digits are read from the same
/// word as the byte that ends it, without a branch per digit.
fn digit_run(text: &[u8], mut i: usize, mantissa: &mut u64, digits: &mut u32) -> usize {
    while let Some(word) = word_at(text, i) {
        let n = leading_digits(word);
        if n == 8 {
            *mantissa = mantissa
                .wrapping_mul(100_000_000)
                .wrapping_add(value_of_eight(word));
            *digits = digits.saturating_add(8);
            i += 8;
            continue;
        }
        *mantissa = mantissa
            .wrapping_mul(POW10_INT.get(n as usize).copied().unwrap_or(0))
            .wrapping_add(value_of_first(word, n));
        *digits = digits.saturating_add(n);
        return i + n as usize;
    }
    while let Some(d) = text.get(i).filter(|b| b.is_ascii_digit()) {
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        *digits = digits.saturating_add(1);
        i += 1;
    }
    i
}

/// The most common spelling of a float, as CPython and Rust write one of
/// magnitude below 10: one integer digit, a point and 8 to 17 more digits,
/// no exponent. Answers its digits as one integer, how many follow the
/// point, and where it ends; `None` for any other spelling.
fn common_spelling(text: &[u8], i: usize) -> Option<(u64, i32, usize)> {
    let head = *text.get(i)?;
    if !head.is_ascii_digit() || text.get(i + 1) != Some(&b'.') {
        return None;
    }
    let first = word_at(text, i + 2)?;
    let second = word_at(text, i + 10)?;
    if leading_digits(first) != 8 {
        return None;
    }
    let n = leading_digits(second);
    let mut end = i + 10 + n as usize;
    let scale = *POW10_INT.get(n as usize)?;
    let mut mantissa = (u64::from(head - b'0') * 100_000_000 + value_of_eight(first)) * scale
        + value_of_first(second, n);
    let mut fraction = 8 + n as i32;
    // A 17th fraction digit (CPython's spelling of many floats below 1):
    // 18 digits still fit the integer.
    if n == 8 {
        if let Some(&digit @ b'0'..=b'9') = text.get(end) {
            mantissa = mantissa * 10 + u64::from(digit - b'0');
            fraction += 1;
            end += 1;
        }
    }
    if text
        .get(end)
        .is_some_and(|b| matches!(b, b'0'..=b'9' | b'e' | b'E'))
    {
        return None;
    }
    Some((mantissa, fraction, end))
}

/// The eight bytes of `text` from `i`, as a little-endian word.
fn word_at(text: &[u8], i: usize) -> Option<u64> {
    text.get(i..i + 8)
        .and_then(|bytes| <[u8; 8]>::try_from(bytes).ok())
        .map(u64::from_le_bytes)
}

/// The number written by the first `n` bytes of `word` (all digits).
#[inline(always)]
fn value_of_first(word: u64, n: u32) -> u64 {
    match n {
        0 => 0,
        8 => value_of_eight(word),
        _ => {
            // The n digits moved to the top of the word, '0's below them.
            let shift = 8 * (8 - n);
            value_of_eight((word << shift) | (0x3030_3030_3030_3030 >> (64 - shift)))
        }
    }
}

/// How many of the eight bytes of `word`, from the first, are ASCII digits.
fn leading_digits(word: u64) -> u32 {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let v = word ^ 0x3030_3030_3030_3030;
    // A digit is 0..=9 after the xor: adding 0x76 leaves its high bit clear.
    // Masking to seven bits first keeps carries inside each byte.
    let not_digit = ((v & !HIGHS).wrapping_add(0x7676_7676_7676_7676) | v) & HIGHS;
    not_digit.trailing_zeros() / 8
}

/// The number written by eight ASCII digits (the first in the lowest byte),
/// combining pairs, then fours, then the two halves.
fn value_of_eight(word: u64) -> u64 {
    const LOW_BYTES: u64 = 0x0000_00FF_0000_00FF;
    let v = word.wrapping_sub(0x3030_3030_3030_3030);
    let pairs = v.wrapping_mul(10).wrapping_add(v >> 8);
    let high = (pairs & LOW_BYTES).wrapping_mul(100 + (1_000_000 << 32));
    let low = ((pairs >> 16) & LOW_BYTES).wrapping_mul(1 + (10_000 << 32));
    high.wrapping_add(low) >> 32
}

/// The f64 nearest `mantissa`·10^`exponent` (ties to even), when an exact
/// path covers it: `None` sends the token to the general parser.
fn exact(mantissa: u64, exponent: i32) -> Option<f64> {
    let power = *POW10.get(usize::try_from(exponent.unsigned_abs()).ok()?)?;
    // Clinger's fast path: a mantissa and a power of ten both exact in an
    // f64 give the exact result in one correctly rounded operation.
    if mantissa <= 1 << 53 {
        let m = mantissa as f64;
        return Some(if exponent >= 0 { m * power } else { m / power });
    }
    let approx = match quotient(mantissa, exponent) {
        Some(Quotient::Nearest(q)) => return Some(q),
        Some(Quotient::NearTie(q)) => q,
        // Within two units in the last place of the answer; the exact
        // comparisons below find it.
        None if exponent >= 0 => mantissa as f64 * power,
        None => mantissa as f64 / power,
    };
    nearest(mantissa, exponent, approx)
}

/// A quotient rounded from its product with a reciprocal.
#[derive(Debug, PartialEq)]
enum Quotient {
    /// The nearest float, certainly.
    Nearest(f64),
    /// The decimal is within the product's error of a midpoint (an exact
    /// tie, in practice): one of the two neighbours, for the exact check.
    NearTie(f64),
}

/// `mantissa`/10^k for `exponent` = -k in -19..=-1, without a division:
/// rounded from the top 128 bits of its product with the reciprocal, which
/// are less than two units below the exact product's. `None` outside those
/// exponents and beyond the normal range.
fn quotient(mantissa: u64, exponent: i32) -> Option<Quotient> {
    let k = usize::try_from(exponent.checked_neg()?).ok()?;
    let reciprocal = *RECIPROCALS.get(k).filter(|r| **r != 0)?;
    if mantissa == 0 {
        return None;
    }
    let shift = mantissa.leading_zeros();
    let normal = u128::from(mantissa << shift);
    // Both truncations (the reciprocal's, the low part's) err low, by less
    // than one unit each.
    let top = normal * (reciprocal >> 64) + ((normal * (reciprocal & u128::from(u64::MAX))) >> 64);
    // The quotient is top·2^(64 - shift - 127 - b), b the bit length of
    // 10^k; top has 127 or 128 bits, of which 53 are kept, rounded.
    let dropped = 74 + u32::from(top >> 127 == 1);
    let half = 1u128 << (dropped - 1);
    let low = top & ((half << 1) - 1);
    let rounded = ((top >> (dropped - 1)) + 1) >> 1;
    let (m, carry) = if rounded >> 53 == 1 {
        (rounded >> 1, 1)
    } else {
        (rounded, 0)
    };
    let b = 64 - POW10_INT.get(k)?.leading_zeros();
    let power = i64::from(dropped + carry) - 63 - i64::from(shift) - i64::from(b);
    // m·2^power with m of 53 bits: biased exponent power + 52 + 1023.
    let biased = u64::try_from(power + 1075)
        .ok()
        .filter(|e| (1..0x7FF).contains(e))?;
    let m = u64::try_from(m).ok()?;
    let value = f64::from_bits((biased << 52) | (m & ((1 << 52) - 1)));
    // The exact product lies in [top, top + 2): the rounding is certain
    // unless that range reaches the midpoint.
    Some(if low + 2 <= half || low > half {
        Quotient::Nearest(value)
    } else {
        Quotient::NearTie(value)
    })
}

/// Walks from `approx` to the f64 nearest the decimal, deciding each step
/// by comparing the decimal exactly with the midpoints between neighbours.
fn nearest(mantissa: u64, exponent: i32, approx: f64) -> Option<f64> {
    if let Some(r) = settled(mantissa, exponent, approx) {
        return Some(r);
    }
    let mut r = approx;
    for _ in 0..4 {
        let up = f64::from_bits(r.to_bits().checked_add(1)?);
        match versus_midpoint(mantissa, exponent, r)? {
            Ordering::Greater => r = up,
            Ordering::Equal => return Some(even(r, up)),
            Ordering::Less => {
                let down = f64::from_bits(r.to_bits().checked_sub(1)?);
                match versus_midpoint(mantissa, exponent, down)? {
                    Ordering::Less => r = down,
                    Ordering::Equal => return Some(even(down, r)),
                    Ordering::Greater => return Some(r),
                }
            }
        }
    }
    None
}

/// The usual case in one product: a decimal fraction already nearest to
/// `r` (or halfway to a neighbour), decided by its exact distance from `r`
/// in half steps of `r`. `None` sends it to the walk: the decimal is a
/// neighbour's, `r` is a power of two (whose lower step is shorter), or the
/// numbers do not fit.
fn settled(mantissa: u64, exponent: i32, r: f64) -> Option<f64> {
    let (m, half_step) = halves(r)?;
    if exponent >= 0 || m == 1 << 52 || half_step >= 0 {
        return None;
    }
    // Scaled by 10^k·2^(1-e), the decimal is mantissa·2^(1-e), r is
    // 2m·10^k and a half step is 10^k.
    let ten = power_of_ten(exponent)?;
    let decimal = shift_left(u128::from(mantissa), half_step.unsigned_abs())?;
    let here = u128::from(2 * m) * ten;
    let bits = r.to_bits();
    let (distance, above) = if decimal >= here {
        (decimal - here, true)
    } else {
        (here - decimal, false)
    };
    match distance.cmp(&ten) {
        Ordering::Less => Some(r),
        Ordering::Equal if above => Some(even(r, f64::from_bits(bits.checked_add(1)?))),
        Ordering::Equal => Some(even(f64::from_bits(bits.checked_sub(1)?), r)),
        Ordering::Greater => None,
    }
}

/// Of two neighbouring positive floats, the one with an even last bit.
fn even(a: f64, b: f64) -> f64 {
    if a.to_bits() & 1 == 0 {
        a
    } else {
        b
    }
}

/// Compares `mantissa`·10^`exponent` with the midpoint between the positive
/// normal float `r` and the next one up, both scaled to integers: `None`
/// when they do not fit 128 bits.
fn versus_midpoint(mantissa: u64, exponent: i32, r: f64) -> Option<Ordering> {
    // The midpoint is (2m+1)·2^(e-1).
    let (m, half_step) = halves(r)?;
    let ten = power_of_ten(exponent)?;
    // One 64×64-bit product: both factors are below 2^64.
    let (mut decimal, mut midpoint) = if exponent >= 0 {
        (u128::from(mantissa) * ten, u128::from(2 * m + 1))
    } else {
        (u128::from(mantissa), u128::from(2 * m + 1) * ten)
    };
    if half_step >= 0 {
        midpoint = shift_left(midpoint, half_step.unsigned_abs())?;
    } else {
        decimal = shift_left(decimal, half_step.unsigned_abs())?;
    }
    Some(decimal.cmp(&midpoint))
}

/// A positive normal float r = m·2^e as its 53-bit `m` and the exponent
/// of its half step, e-1; `None` for zero, subnormals, infinity and NaN.
fn halves(r: f64) -> Option<(u64, i32)> {
    let bits = r.to_bits();
    let biased = i32::try_from(bits >> 52).ok()?;
    if biased == 0 || biased >= 0x7FF {
        return None;
    }
    Some(((bits & ((1 << 52) - 1)) | (1 << 52), biased - 1075 - 1))
}

/// 10^|exponent| as an integer, up to 10^19.
fn power_of_ten(exponent: i32) -> Option<u128> {
    let k = usize::try_from(exponent.unsigned_abs()).ok()?;
    POW10_INT.get(k).copied().map(u128::from)
}

/// `value << shift`, or `None` when bits would be lost.
fn shift_left(value: u128, shift: u32) -> Option<u128> {
    (shift < 128 && shift <= value.leading_zeros()).then(|| value << shift)
}

#[cfg(test)]
mod tests;
