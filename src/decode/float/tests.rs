//! Tests of the float conversion: every spelling, long mantissas and ties,
//! the reciprocal quotient, the eight-digit words, what is refused.

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
fn long_mantissas_round_exactly_including_ties() {
    // 16 to 19 significant digits at every exponent the exact path
    // covers, and the halfway cases between neighbouring floats.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut texts = Vec::new();
    for n in 0..300_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let digits = 16 + (n % 4) as u32;
        let mantissa = 10u64.pow(digits - 1) + x % (9 * 10u64.pow(digits - 1));
        let exponent = (x >> 40) as i32 % 26 - 13;
        texts.push(format!("{mantissa}e{exponent}"));
        let split = (n % u64::from(digits)) as usize;
        let m = mantissa.to_string();
        texts.push(format!("{}.{}", &m[..split.max(1)], &m[split.max(1)..]));
    }
    for k in 0..2_000u64 {
        // Exactly halfway above 2^53 + 2k: a tie, broken to even.
        let halfway = (1u128 << 53) + 2 * u128::from(k) + 1;
        texts.push(format!("{halfway}.0"));
        texts.push(format!("{}e-3", halfway * 1000));
    }
    for power in -30..30 {
        // Just below a power of two, where the step down is half the
        // step up: 17 digits between the two midpoints below it.
        let p = 2f64.powi(power);
        for t in [0.6, 0.75, 0.9, 1.1, 1.5, 1.9] {
            let below = p * (1.0 - t * 2f64.powi(-54));
            texts.push(format!("{below:.16e}"));
            texts.push(format!("{:.16e}", p * (1.0 + t * 2f64.powi(-53))));
        }
    }
    texts.push("0.99999999999999994".into());
    for text in &texts {
        let expected: f64 = text.parse().unwrap();
        let (got, len) = parse(text.as_bytes()).expect(text);
        assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
        assert_eq!(len, text.len(), "{text}");
    }
}

#[test]
fn the_reciprocal_quotient_is_the_nearest_float_but_at_ties() {
    // Checked against Rust's correctly rounded parser: the quotient
    // rounds ties up, so it may differ on an exact tie (where the exact
    // check picks the even neighbour), and nowhere else.
    let mut x: u64 = 0xD1B5_4A32_D192_ED03;
    let (mut ties, mut near_ties) = (0, 0);
    for n in 0..200_000u64 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mantissa = (1u64 << 53) + x % (u64::MAX - (1 << 53));
        let k = 1 + (n % 19) as i32;
        let expected: f64 = format!("{mantissa}e-{k}").parse().unwrap();
        let (got, near_tie) = match quotient(mantissa, -k).unwrap() {
            Quotient::Nearest(q) => (q, false),
            Quotient::NearTie(q) => (q, true),
        };
        if near_tie {
            // Flagged only for an exact tie with a neighbour.
            let down = f64::from_bits(got.to_bits() - 1);
            assert!(
                [got, down]
                    .iter()
                    .any(|r| versus_midpoint(mantissa, -k, *r) == Some(Ordering::Equal)),
                "{mantissa}e-{k}"
            );
            near_ties += 1;
        }
        if got.to_bits() != expected.to_bits() {
            assert!(near_tie, "{mantissa}e-{k}");
            // Only a tie: the decimal is the midpoint of the two.
            ties += 1;
            assert_eq!(
                got.to_bits().abs_diff(expected.to_bits()),
                1,
                "{mantissa}e-{k}"
            );
            let below = got.min(expected);
            assert_eq!(
                versus_midpoint(mantissa, -k, below),
                Some(Ordering::Equal),
                "{mantissa}e-{k}"
            );
        }
    }
    assert!(
        ties <= near_ties && near_ties < 200,
        "{near_ties} near, {ties} ties"
    );
    for (k, reciprocal) in RECIPROCALS.iter().enumerate().skip(1) {
        assert_eq!(reciprocal >> 127, 1, "10^-{k}");
    }
    assert_eq!(quotient(1, -20), None);
    assert_eq!(quotient(1, 0), None);
    assert_eq!(quotient(0, -3), None);
}

#[test]
fn the_common_spelling_and_its_neighbours() {
    for text in [
        "1.23456789",
        "1.2345678,",
        "9.695511508970835]",
        "-2.5832753819941434,",
        "-2.58327538199414345,",
        "0.21945652235362845,",
        "-0.39296434091331744]",
        "0.999999999999999944",
        "9.99999999999999999,",
        "0.12345678901234567e-3,",
        "2.5832753819941434e1,",
        "2.58327538E-3,",
        "0.12345678901234567890123",
        "12.345678901234567,",
        "0.0000000000000001,",
    ] {
        let expected: f64 = text.trim_end_matches([',', ']']).parse().unwrap();
        let (got, len) = parse(text.as_bytes()).expect(text);
        assert_eq!(got.to_bits(), expected.to_bits(), "{text}");
        assert_eq!(len, text.trim_end_matches([',', ']']).len(), "{text}");
    }
}

#[test]
fn eight_digit_words() {
    let word = |text: &[u8; 8]| u64::from_le_bytes(*text);
    for (text, n) in [
        (b"01234567", 8),
        (b"0123456.", 7),
        (b"9.695511", 1),
        (b".6955115", 0),
        (b"12\xff45678", 2),
        (b"12:45678", 2),
        (b"12/45678", 2),
    ] {
        assert_eq!(
            leading_digits(word(&text[..8].try_into().unwrap())),
            n,
            "{text:?}"
        );
    }
    assert_eq!(value_of_eight(word(b"01234567")), 1_234_567);
    assert_eq!(value_of_eight(word(b"99999999")), 99_999_999);
    for text in [
        b"0123456.",
        b"/1234567",
        b":1234567",
        b"1234567e",
        b" 1234567",
    ] {
        assert!(leading_digits(word(text)) < 8);
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
