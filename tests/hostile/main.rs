//! No server answer can crash the client: every operation against a server
//! that answers anything (see `harness.rs`) ends in `Ok` or a typed error, in
//! bounded time, with bounded error messages, leaving no file behind.
//!
//! Runs a fixed set of generated cases, then replays `corpus/` (inputs kept
//! from fuzzing with `fuzz/fuzz_targets/responses.rs`, findings included).

mod harness;

use harness::{Case, Harness};

/// Generated cases per run (each a handful of loopback round trips).
const CASES: usize = 256;

/// A small, fixed pseudo-random generator: the same cases on every run.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self) -> Vec<u8> {
        let len = 16 + (self.next() % 2048) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn generated_answers_to_every_operation() {
    let harness = Harness::new();
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut ran = 0;
    while ran < CASES {
        if let Some(case) = Case::from_bytes(&rng.bytes()) {
            harness.run(&case);
            ran += 1;
        }
    }
}

#[test]
fn the_corpus_replays() {
    let harness = Harness::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile/corpus");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/hostile/corpus") {
        let path = entry.expect("a corpus entry").path();
        let data = std::fs::read(&path).expect("a corpus file");
        if let Some(case) = Case::from_bytes(&data) {
            harness.run(&case);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "the corpus in {} is empty", dir.display());
}
