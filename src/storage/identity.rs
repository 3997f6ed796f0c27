//! How an episode is recognised in any storage, whatever id the storage gave
//! it: a key in its metadata, set once before it is first stored.

/// The metadata key that holds an episode's key.
pub(crate) const EPISODE_KEY: &str = "tupli_key";

/// A fresh episode key: a random UUID (version 4) in lower-case hex, without dashes.
pub(crate) fn new_episode_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
