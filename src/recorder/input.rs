//! Checking what is pushed or recorded: the episode's key (the floats are
//! checked by `validate`), and the error when the background task is gone.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::storage::identity::{new_episode_key, EPISODE_KEY};
use crate::validate;

/// The episode's key: the string already in `metadata` (`true`), or a new
/// one added to it (`false`).
pub(super) fn episode_key(metadata: &mut Map<String, Value>) -> Result<(String, bool)> {
    match metadata.get(EPISODE_KEY) {
        None => {
            let key = new_episode_key();
            metadata.insert(EPISODE_KEY.to_string(), Value::String(key.clone()));
            Ok((key, false))
        }
        Some(Value::String(key)) => {
            validate::name("metadata.tupli_key", key)?;
            Ok((key.clone(), true))
        }
        Some(other) => Err(Error::invalid(
            "metadata.tupli_key",
            format!("is the episode's key and must be a string, not {other}"),
        )),
    }
}

/// The error when the background task is gone (its runtime shut down).
pub(super) fn stopped() -> Error {
    Error::invalid(
        "recorder",
        "the background task that stores episodes has stopped (its Tokio runtime shut down); \
         nothing was queued",
    )
}
