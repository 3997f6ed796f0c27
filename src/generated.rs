//! Code progenitor generates from `openapi.yaml` in `build.rs`. Never edited by hand;
//! its reviewed copy is `build/generated.rs.snapshot` (`cargo xtask codegen`).

#![allow(
    missing_docs,
    unused_imports,
    dead_code,
    clippy::all,
    clippy::pedantic,
    // The generated code is not ours to change (its unused `Client::new`
    // unwraps a builder result); the crate's panic lints hold for our code.
    clippy::restriction,
    rustdoc::all
)]

include!(concat!(env!("OUT_DIR"), "/tupli_generated.rs"));
