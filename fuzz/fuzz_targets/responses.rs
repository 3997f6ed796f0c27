//! Any answer from a server, to any operation: `Ok` or a typed error, in
//! bounded time, with bounded error messages, leaving no file behind (the
//! harness is shared with `tests/hostile/`).
#![no_main]

#[path = "../../tests/hostile/harness.rs"]
mod harness;

use std::sync::OnceLock;

static HARNESS: OnceLock<harness::Harness> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Some(case) = harness::Case::from_bytes(data) {
        HARNESS.get_or_init(harness::Harness::new).run(&case);
    }
});
