//! `-v`/`-vv`/`-vvv` and `RUST_LOG`: the library's tracing spans and events
//! on standard error. The library logs operations, methods, paths, statuses
//! and times, never a password, a token or a query string.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// The filter `-v` flags stand for: the tool's and the library's events (both
/// log under `tupli`) from this level up; nothing from other crates.
fn directive(verbose: u8, quiet: bool) -> &'static str {
    match (quiet, verbose) {
        (true, _) => "tupli=error",
        (false, 0) => "tupli=warn",
        (false, 1) => "tupli=info",
        (false, 2) => "tupli=debug",
        (false, _) => "tupli=trace",
    }
}

/// Sends log events to standard error: those `RUST_LOG` selects when it is
/// set (and valid), else those the `-v`/`-q` flags select.
pub(crate) fn init(verbose: u8, quiet: bool) {
    let from_env = std::env::var("RUST_LOG")
        .ok()
        .filter(|value| !value.trim().is_empty());
    let filter = match from_env.map(EnvFilter::try_new) {
        Some(Ok(filter)) => filter,
        Some(Err(e)) => {
            eprintln!("tupli: warning: RUST_LOG is not a valid filter ({e}); using the flags'");
            EnvFilter::new(directive(verbose, quiet))
        }
        None => EnvFilter::new(directive(verbose, quiet)),
    };
    // Another subscriber cannot be installed before this one: the result is
    // only an error when one was, and then that one logs.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_timer(tracing_subscriber::fmt::time::uptime())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn more_vs_mean_more_detail_and_quiet_only_errors() {
        assert_eq!(directive(0, false), "tupli=warn");
        assert_eq!(directive(1, false), "tupli=info");
        assert_eq!(directive(2, false), "tupli=debug");
        assert_eq!(directive(3, false), "tupli=trace");
        assert_eq!(directive(9, false), "tupli=trace");
        assert_eq!(directive(0, true), "tupli=error");
        for verbose in 0..4 {
            EnvFilter::try_new(directive(verbose, false)).unwrap();
        }
    }
}
