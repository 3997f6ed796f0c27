//! Arbitrary text as a `tupli --where` condition: no panic, and every filter
//! it accepts is one the client would send.
#![no_main]

#[path = "../../src/bin/tupli/where_parser.rs"]
#[allow(dead_code)]
mod where_parser;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(filter) = where_parser::parse(text) {
            filter.validate().expect("an accepted condition is a valid filter");
            serde_json::to_string(&filter).expect("an accepted condition serializes");
        }
    }
});
