//! What the destination already holds of artifacts ([`Present`]), listed
//! once, to tell whether it holds some bytes.

use std::collections::{BTreeSet, HashMap, HashSet};

use sha2::Sha256;

use super::run::Run;
use crate::error::Result;
use crate::filter::Filter;
use crate::models::ArtifactMetadataItem;
use crate::storage::ArtifactHash;

/// The destination's artifacts, to tell whether it holds some bytes.
#[derive(Default)]
pub(super) struct Present {
    /// Hash → (id, creator) of the artifacts with that hash.
    by_hash: HashMap<String, Vec<(String, String)>>,
    /// Every creator (a server's hash appends it to the bytes).
    creators: BTreeSet<String>,
    /// The artifacts there before the copy.
    pub(super) before: HashSet<String>,
    /// The artifacts the copy made.
    pub(super) copied: HashSet<String>,
}

impl Present {
    pub(super) fn add(&mut self, item: &ArtifactMetadataItem) {
        self.by_hash
            .entry(item.hash.to_ascii_lowercase())
            .or_default()
            .push((item.id.clone(), item.created_by.clone()));
        self.creators.insert(item.created_by.clone());
    }

    /// The artifact holding the bytes whose running hash is `content`,
    /// by the destination's rule: the hash of the bytes alone, or of the
    /// bytes with each creator appended.
    pub(super) fn find(&self, content: &Sha256, rule: ArtifactHash) -> Option<String> {
        let creators: Vec<&str> = match rule {
            // The creator is not part of the hash: any will do.
            ArtifactHash::Content => vec![""],
            ArtifactHash::WithCreator => self.creators.iter().map(String::as_str).collect(),
        };
        creators.into_iter().find_map(|creator| {
            let hash = rule.finish(content.clone(), creator);
            self.by_hash
                .get(&hash)?
                .iter()
                .find(|(_, by)| rule == ArtifactHash::Content || by == creator)
                .map(|(id, _)| id.clone())
        })
    }
}

impl Run<'_> {
    /// Lists the destination's artifacts, once.
    pub(super) async fn load_present(&self) -> Result<()> {
        let mut present = self.present.lock().await;
        if present.is_none() {
            let listed = self.to.list_artifacts(&Filter::all()).await?;
            let mut loaded = Present::default();
            for item in &listed {
                loaded.before.insert(item.id.clone());
                loaded.add(item);
            }
            *present = Some(loaded);
        }
        Ok(())
    }

    pub(super) async fn destination_has_no_artifacts(&self) -> bool {
        self.present
            .lock()
            .await
            .as_ref()
            .is_some_and(|present| present.by_hash.is_empty())
    }
}
