//! The documented operations, one file per API area, as `impl TupliApiClient` blocks.

mod artifacts;
mod benchmarks;
pub(crate) mod episodes;
mod groups;
mod roles;
mod users;
