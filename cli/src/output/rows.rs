//! How each API model becomes named cells: the columns of its table row and
//! the lines of its key/value record.

use serde_json::Value;
use tupli::models::{
    ArtifactMetadataItem, Benchmark, BenchmarkHeader, EpisodeHeader, EpisodeItem, Group,
    GroupWithMembers, UserOut, UserRole,
};

use super::cell::Cell;

/// A value shown as a table row or a key/value record.
pub(crate) trait Row {
    /// Column names and cells, in display order.
    fn fields(&self) -> Vec<(&'static str, Cell)>;
}

impl<R: Row + ?Sized> Row for &R {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        (**self).fields()
    }
}

impl Row for BenchmarkHeader {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("id", Cell::full(&self.id)),
            ("name", Cell::text(&self.metadata.name)),
            (
                "difficulty",
                Cell::optional(self.metadata.difficulty.as_deref()),
            ),
            ("version", Cell::optional(self.metadata.version.as_deref())),
            ("description", Cell::narrow(&self.metadata.description, 30)),
            ("created_by", Cell::text(&self.created_by)),
            ("created_at", Cell::time(&self.created_at)),
            ("published_in", Cell::list(&self.published_in)),
            ("hash", Cell::narrow(&self.hash, 12)),
        ]
    }
}

impl Row for Benchmark {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        let header = BenchmarkHeader {
            created_at: self.created_at.clone(),
            created_by: self.created_by.clone(),
            hash: self.hash.clone(),
            id: self.id.clone(),
            metadata: self.metadata.clone(),
            published_in: self.published_in.clone(),
        };
        let mut fields = header.fields();
        fields.push(("extra", Cell::json(&self.metadata.extra)));
        fields.push(("serialized", Cell::text(&self.serialized)));
        fields
    }
}

impl Row for ArtifactMetadataItem {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("id", Cell::full(&self.id)),
            ("name", Cell::text(&self.name)),
            ("description", Cell::narrow(&self.description, 30)),
            ("benchmark_id", Cell::optional(self.benchmark_id.as_deref())),
            ("created_by", Cell::text(&self.created_by)),
            ("created_at", Cell::time(&self.created_at)),
            ("published_in", Cell::list(&self.published_in)),
            ("hash", Cell::narrow(&self.hash, 12)),
        ]
    }
}

impl Row for EpisodeHeader {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        episode_fields(EpisodeView {
            id: &self.id,
            benchmark_id: &self.benchmark_id,
            n_tuples: self.n_tuples,
            terminated: self.terminated,
            timeout: self.timeout,
            created_by: &self.created_by,
            created_at: &self.created_at,
            published_in: &self.published_in,
            metadata: &self.metadata,
        })
    }
}

impl Row for EpisodeItem {
    /// The header's fields; the tuples are left to `--json`.
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        episode_fields(EpisodeView {
            id: &self.id,
            benchmark_id: &self.benchmark_id,
            n_tuples: self.n_tuples,
            terminated: self.terminated,
            timeout: self.timeout,
            created_by: &self.created_by,
            created_at: &self.created_at,
            published_in: &self.published_in,
            metadata: &self.metadata,
        })
    }
}

/// What an episode's row shows, borrowed from a header or an item.
struct EpisodeView<'a> {
    id: &'a str,
    benchmark_id: &'a str,
    n_tuples: i64,
    terminated: bool,
    timeout: bool,
    created_by: &'a str,
    created_at: &'a str,
    published_in: &'a [String],
    metadata: &'a serde_json::Map<String, Value>,
}

fn episode_fields(e: EpisodeView<'_>) -> Vec<(&'static str, Cell)> {
    vec![
        ("id", Cell::full(e.id)),
        ("benchmark_id", Cell::full(e.benchmark_id)),
        ("n_tuples", Cell::number(e.n_tuples)),
        ("terminated", Cell::flag(e.terminated)),
        ("timeout", Cell::flag(e.timeout)),
        ("created_by", Cell::text(e.created_by)),
        ("created_at", Cell::time(e.created_at)),
        ("published_in", Cell::list(e.published_in)),
        ("metadata", Cell::json(e.metadata)),
    ]
}

impl Row for UserOut {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        let memberships: Vec<String> = self
            .memberships
            .iter()
            .map(|m| format!("{}: {}", m.group, m.roles.join(", ")))
            .collect();
        vec![
            ("username", Cell::full(&self.username)),
            ("memberships", Cell::narrow(memberships.join("; "), 60)),
        ]
    }
}

impl Row for UserRole {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        let rights: Vec<String> = self.rights.iter().map(ToString::to_string).collect();
        vec![
            ("role", Cell::full(&self.role)),
            ("rights", Cell::narrow(rights.join(", "), 60)),
            ("description", Cell::optional(self.description.as_deref())),
        ]
    }
}

impl Row for Group {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("name", Cell::full(&self.name)),
            ("description", Cell::optional(self.description.as_deref())),
        ]
    }
}

impl Row for GroupWithMembers {
    fn fields(&self) -> Vec<(&'static str, Cell)> {
        vec![
            ("name", Cell::full(&self.name)),
            ("description", Cell::optional(self.description.as_deref())),
            ("members", Cell::list(&self.members)),
        ]
    }
}
