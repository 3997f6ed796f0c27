//! What a user sees if the tool ever panics: one line asking for a report,
//! not a Rust panic message. `RUST_BACKTRACE=1` still shows the details.

/// Exit code after an internal error (`EX_SOFTWARE` from sysexits).
pub(crate) const INTERNAL: u8 = 70;

/// Set to make the tool panic at start, so tests can check what users see.
pub(crate) const TEST_PANIC_ENV: &str = "TUPLI_TEST_PANIC";

/// Replaces the panic message with one line; the default hook still runs
/// when `RUST_BACKTRACE` asks for details.
pub(crate) fn install() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let details = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
        if details {
            default(info);
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        eprintln!(
            "internal error: {what} (tupli {}); please report it{}",
            env!("CARGO_PKG_VERSION"),
            if details {
                ""
            } else {
                ", with the output of the same command under RUST_BACKTRACE=1"
            }
        );
    }));
}
