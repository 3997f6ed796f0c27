//! The documented operations, one file per API area, as `impl TupliApiClient` blocks.

mod artifacts;
mod benchmarks;
mod episodes;
mod groups;
mod roles;
mod users;

pub use artifacts::artifact_hash;

/// The group that makes published content visible to everyone.
pub const GLOBAL_GROUP: &str = "global";
