//! Arbitrary text as a `tupli --where` condition: no panic, and every
//! condition it accepts means one filter: written back as a condition (when
//! the key allows one), it parses to the same filter.
#![no_main]

#[path = "../../cli/src/where_parser.rs"]
#[allow(dead_code)]
mod where_parser;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = where_parser::parse(text) else {
        return;
    };
    if let Some(again) = where_parser::render(&filter) {
        assert_eq!(
            where_parser::parse(&again),
            Ok(filter),
            "{text:?} rendered as {again:?}"
        );
    }
});
