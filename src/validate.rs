//! Argument checks that run before anything goes on the wire.

use crate::error::{Error, Result};
use crate::models::{Episode, RlTuple};

/// A name or id: not empty, not only white space, no NUL or other control characters.
pub(crate) fn name(argument: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(
            argument,
            "must not be empty or only white space",
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(Error::invalid(
            argument,
            format!("must not contain control characters (found {c:?})"),
        ));
    }
    Ok(())
}

/// A password: not empty, no NUL. (Its value never appears in the error.)
pub(crate) fn password(argument: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(argument, "must not be empty"));
    }
    if value.contains('\0') {
        return Err(Error::invalid(argument, "must not contain NUL"));
    }
    Ok(())
}

/// A server base URL: absolute http(s), no user-info, query or fragment.
/// Returns it without a trailing slash.
pub(crate) fn base_url(value: &str) -> Result<String> {
    let parsed = url::Url::parse(value.trim())
        .map_err(|e| Error::invalid("url", format!("not a valid absolute URL ({e})")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::invalid(
            "url",
            format!("scheme must be http or https, not {:?}", parsed.scheme()),
        ));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid("url", "has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        // The URL itself is not repeated: it holds credentials.
        return Err(Error::invalid(
            "url",
            "must not contain user-info (user:password@); log in with login() instead",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::invalid("url", "must not have a query or fragment"));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

/// An episode as every storage takes it: a benchmark id, at least one
/// tuple, and floats JSON can carry.
pub(crate) fn episode(episode: &Episode) -> Result<()> {
    name("episode.benchmark_id", &episode.benchmark_id)?;
    if episode.tuples.is_empty() {
        return Err(Error::invalid(
            "episode.tuples",
            "an episode needs at least one tuple",
        ));
    }
    for (i, tuple) in episode.tuples.iter().enumerate() {
        if let Some(at) = tuple.first_non_finite() {
            return Err(non_finite("episode", format!("tuples[{i}].{at}")));
        }
    }
    Ok(())
}

/// The tuple at `step` of an episode being recorded: floats JSON can carry.
pub(crate) fn tuple(step: usize, tuple: &RlTuple) -> Result<()> {
    match tuple.first_non_finite() {
        Some(at) => Err(non_finite("tuple", format!("step {step}: {at}"))),
        None => Ok(()),
    }
}

/// NaN and infinities have no JSON form (serde_json would silently write
/// `null`): refused, naming where they are.
fn non_finite(argument: &'static str, place: String) -> Error {
    Error::invalid(
        argument,
        format!("{place} is NaN or infinite, which JSON cannot carry"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(base_url("http://h:8080/").unwrap(), "http://h:8080");
        assert_eq!(base_url("https://h/api/").unwrap(), "https://h/api");
        for bad in [
            "",
            "h:8080",
            "ftp://h",
            "http://u:p@h",
            "http://h/?x=1",
            "http://h/#f",
            "file:///x",
        ] {
            assert!(base_url(bad).is_err(), "{bad}");
        }
        let err = base_url("http://user:hunter2@h").unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn names() {
        assert!(name("group_name", "R&D team #1 + ü").is_ok());
        for bad in ["", "  ", "a\0b", "a\nb"] {
            assert!(name("group_name", bad).is_err(), "{bad:?}");
        }
    }
}
