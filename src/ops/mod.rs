//! The documented operations, one file per API area: the storage traits
//! (benchmarks, artifacts, episodes) implemented for the client, and its
//! own `impl TupliApiClient` blocks (users, groups, roles, and the artifact
//! transfers only a server has).

mod artifacts;
mod benchmarks;
mod episodes;
mod groups;
mod roles;
mod users;

use crate::client::TupliApiClient;
use crate::storage::TupliStorage;

impl TupliStorage for TupliApiClient {
    /// The server's URL.
    fn describe(&self) -> String {
        self.url()
    }
}
