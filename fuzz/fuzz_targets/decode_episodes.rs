//! Arbitrary bytes as a streamed episode-list answer (and as an error body):
//! no panic, chunking never changes the result, and the fast path agrees
//! with serde_json whenever it answers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tupli::fuzzing::decode_episode_list(data));
