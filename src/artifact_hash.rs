//! The rule by which a storage derives an artifact's `hash` from its bytes
//! ([`ArtifactHash`]), and the integrity check built on it.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::models::ArtifactMetadataItem;

/// How a storage derives an artifact's `hash` from its bytes, as each
/// storage reports it ([`ArtifactStorage::artifact_hash`](crate::storage::ArtifactStorage::artifact_hash)).
///
/// ```
/// use tupli::storage::ArtifactHash;
///
/// let server = ArtifactHash::WithCreator.of(b"bytes", "alice");
/// let folder = ArtifactHash::Content.of(b"bytes", "alice");
/// assert_eq!(server, tupli::artifact_hash(b"bytes", "alice"));
/// assert_ne!(server, folder);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ArtifactHash {
    /// Hex `sha256(bytes ++ utf8(created_by))`: a Tupli server's rule, so
    /// the same bytes stored by two users have two hashes.
    WithCreator,
    /// Hex `sha256(bytes)`: pytupli's `FileStorage` rule.
    Content,
}

impl ArtifactHash {
    /// The hash of `bytes` stored by `created_by`.
    pub fn of(self, bytes: &[u8], created_by: &str) -> String {
        self.finish(Sha256::new().chain_update(bytes), created_by)
    }

    /// The hash, given the running sha256 of the bytes.
    pub(crate) fn finish(self, content: Sha256, created_by: &str) -> String {
        let digest = match self {
            ArtifactHash::WithCreator => content.chain_update(created_by.as_bytes()).finalize(),
            ArtifactHash::Content => content.finalize(),
        };
        hex::encode(digest)
    }

    /// Checks the running sha256 of the bytes received against `item`'s
    /// record: a mismatch is [`Error::Integrity`].
    pub(crate) fn verify(self, item: &ArtifactMetadataItem, content: Sha256) -> Result<()> {
        let actual = self.finish(content, &item.created_by);
        if actual.eq_ignore_ascii_case(&item.hash) {
            Ok(())
        } else {
            Err(Error::Integrity {
                artifact_id: item.id.clone(),
                expected: item.hash.clone(),
                actual,
            })
        }
    }
}

/// A Tupli server's artifact hash: hex `sha256(bytes ++ utf8(created_by))`
/// ([`ArtifactHash::WithCreator`]).
pub fn artifact_hash(bytes: &[u8], created_by: &str) -> String {
    ArtifactHash::WithCreator.of(bytes, created_by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(hash: &str, created_by: &str) -> ArtifactMetadataItem {
        serde_json::from_value(serde_json::json!({
            "id": "a1", "name": "n", "hash": hash, "created_by": created_by,
            "created_at": "2026-01-01T00:00:00", "published_in": [], "encoding": "utf-8",
        }))
        .unwrap()
    }

    #[test]
    fn each_rule_checks_the_hash_it_makes_and_refuses_the_other() {
        for (rule, other) in [
            (ArtifactHash::WithCreator, ArtifactHash::Content),
            (ArtifactHash::Content, ArtifactHash::WithCreator),
        ] {
            let running = Sha256::new().chain_update(b"bytes");
            let stored = item(&rule.of(b"bytes", "alice").to_uppercase(), "alice");
            rule.verify(&stored, running.clone()).unwrap();
            match other.verify(&stored, running).unwrap_err() {
                Error::Integrity {
                    artifact_id,
                    actual,
                    ..
                } => {
                    assert_eq!(artifact_id, "a1");
                    assert_eq!(actual, other.of(b"bytes", "alice"));
                }
                e => panic!("{e:?}"),
            }
        }
        assert_eq!(
            ArtifactHash::Content.of(b"bytes", "alice"),
            ArtifactHash::Content.of(b"bytes", "bob")
        );
    }
}
