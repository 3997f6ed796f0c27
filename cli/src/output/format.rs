//! How single values read to people: times, durations, byte counts, counts of things, booleans.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The last second humantime formats (it panics after it, and before the epoch).
const LAST_FORMATTABLE: Duration = Duration::from_secs(253_402_300_799);

/// A time as RFC 3339 in UTC, to the second; times before 1970 or after 9999
/// (a token's `exp` can say anything) are shown as the nearest of those.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    let at = at.clamp(UNIX_EPOCH, UNIX_EPOCH + LAST_FORMATTABLE);
    humantime::format_rfc3339_seconds(at).to_string()
}

/// A server time (ISO 8601) to the second: `2025-01-02T03:04:05.123456` →
/// `2025-01-02T03:04:05`. Seconds are enough in a table; `--json` has the rest.
pub(crate) fn to_the_second(iso: &str) -> &str {
    iso.split('.').next().unwrap_or(iso)
}

/// `in 14m 3s` / `expired 3s ago`, relative to now.
pub(crate) fn relative(at: SystemTime) -> String {
    match at.duration_since(SystemTime::now()) {
        Ok(ahead) => format!("in {}", short_duration(ahead)),
        Err(e) => format!("expired {} ago", short_duration(e.duration())),
    }
}

fn short_duration(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d {}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A byte count for people: `812 B`, `3.4 MiB`.
pub(crate) fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `1 item`, `2 items`: a count of `noun` (singular; the plural adds an s).
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// ✓ or ✗.
pub(crate) fn flag(b: bool) -> &'static str {
    if b {
        "✓"
    } else {
        "✗"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_sizes() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(2_000_000_000)),
            "2033-05-18T03:33:20Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "2000-02-29T00:00:00Z"
        );
        let before = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(rfc3339(before), "1970-01-01T00:00:00Z");
        let far = UNIX_EPOCH + Duration::from_secs(1 << 40);
        assert_eq!(rfc3339(far), "9999-12-31T23:59:59Z");
        assert_eq!(
            to_the_second("2025-01-02T03:04:05.123456"),
            "2025-01-02T03:04:05"
        );
        assert_eq!(to_the_second("2025-01-02T03:04:05"), "2025-01-02T03:04:05");
        assert_eq!(short_duration(Duration::from_secs(843)), "14m 3s");
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(3 * 1024 * 1024 + 400 * 1024), "3.4 MiB");
        assert_eq!((flag(true), flag(false)), ("✓", "✗"));
        assert_eq!(
            (count(1, "item"), count(0, "item")),
            ("1 item".into(), "0 items".into())
        );
    }
}
