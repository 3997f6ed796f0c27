//! Checking what is pushed or recorded: the episode's key, finite floats,
//! and the error when the background task is gone.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::models::RlTuple;
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

/// NaN and infinities have no JSON form: refuse them, naming where they are.
pub(super) fn check_finite(tuple: &RlTuple, step: usize) -> Result<()> {
    match tuple.first_non_finite() {
        Some(at) => Err(Error::invalid(
            "tuple",
            format!("step {step}: {at} is NaN or infinite, which JSON cannot carry"),
        )),
        None => Ok(()),
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
