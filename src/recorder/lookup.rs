//! Looking for an episode by its key: whether the storage holds it, and
//! whether a failed request may have stored it, so that it is worth asking.

use serde_json::Value;

use super::state::Job;
use crate::error::{Error, Result};
use crate::filter::Filter;
use crate::storage::identity::EPISODE_KEY;
use crate::storage::TupliStorage;

/// Whether the storage holds an episode of the job's benchmark with its key.
pub(super) async fn find(storage: &dyn TupliStorage, job: &Job) -> Result<bool> {
    let filter = Filter::eq(format!("metadata.{EPISODE_KEY}"), job.key.as_str());
    let headers = storage.list_episode_headers(&filter).await?;
    Ok(headers.iter().any(|header| {
        header.benchmark_id == job.episode.benchmark_id
            && header.metadata.get(EPISODE_KEY).and_then(Value::as_str) == Some(job.key.as_str())
    }))
}

/// Whether a failed request may have stored the episode all the same: it
/// may have reached the storage, unless the connection was refused or the
/// answer says it was rejected.
pub(super) fn may_have_arrived(error: &Error) -> bool {
    match error {
        Error::Transport { source } => !source.is_connect(),
        // A 500 may come after the episode was written; a gateway's 502/504
        // may come while the server goes on.
        Error::Api { status, .. } => status.is_server_error(),
        Error::RetryAfterTooLong { source, .. } => may_have_arrived(source),
        // The answer arrived but was not understood: it was probably stored.
        Error::Decode { .. } => true,
        // A local write may fail after the file is in place.
        Error::Io { .. } => true,
        // So may a local write whose thread then panicked.
        Error::Worker { .. } => true,
        Error::NotLoggedIn { .. }
        | Error::SessionExpired { .. }
        | Error::InvalidInput { .. }
        | Error::Integrity { .. }
        | Error::Shape { .. }
        | Error::EmptySelection
        | Error::NotFound { .. }
        | Error::Export { .. } => false,
    }
}
