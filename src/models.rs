//! The API's data types (generated from `openapi.yaml`) and a few of the
//! facade's own: every type a method takes or returns, and their parts.

pub use crate::error::{ValidationError, ValidationErrorLocItem};
pub use crate::generated::types::{
    ArtifactMetadata, ArtifactMetadataItem, Benchmark, BenchmarkHeader, BenchmarkMetadata,
    BenchmarkQuery, Episode, EpisodeHeader, EpisodeItem, Group, GroupMembership,
    GroupMembershipQuery, GroupWithMembers, Membership, Right, UserOut, UserRole,
};
pub use crate::tuple::{RlTuple, TupleValue};

/// pytupli's name for [`RlTuple`].
pub type RLTuple = RlTuple;

/// What [`list_episodes`](crate::storage::EpisodeStorage::list_episodes) answers:
/// pytupli's `list[EpisodeHeader] | list[EpisodeItem]`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EpisodeList {
    /// Without tuples (`include_tuples = false`).
    Headers(Vec<EpisodeHeader>),
    /// With tuples (`include_tuples = true`).
    Items(Vec<EpisodeItem>),
}

impl EpisodeList {
    /// Returns the number of episodes.
    pub fn len(&self) -> usize {
        match self {
            EpisodeList::Headers(v) => v.len(),
            EpisodeList::Items(v) => v.len(),
        }
    }

    /// Returns whether no episode matched.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<EpisodeItem> for EpisodeHeader {
    /// Drops the tuples.
    fn from(item: EpisodeItem) -> Self {
        EpisodeHeader {
            benchmark_id: item.benchmark_id,
            created_at: item.created_at,
            created_by: item.created_by,
            id: item.id,
            metadata: item.metadata,
            n_tuples: item.n_tuples,
            published_in: item.published_in,
            terminated: item.terminated,
            timeout: item.timeout,
        }
    }
}

impl Right {
    /// Returns the wire name of every right the API knows (`"benchmark_create"`,
    /// …), in the order the spec lists them: what [`str::parse`] accepts.
    pub fn names() -> Vec<String> {
        let schema = schemars::schema_for!(Right);
        schema
            .schema
            .enum_values
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }
}
