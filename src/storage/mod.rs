//! One storage interface for every backend: [`TupliStorage`], the
//! operations of pytupli's `TupliStorage` base class — store, load, list,
//! delete and publish benchmarks, artifacts and episodes.
//!
//! The operations are defined once, by resource, in [`BenchmarkStorage`],
//! [`ArtifactStorage`] and [`EpisodeStorage`]; [`TupliStorage`] is the three
//! together, plus a description for messages. A backend implements all four:
//! [`TupliApiClient`](crate::TupliApiClient) (a server) and [`FileStorage`]
//! (a local folder laid out as pytupli's `FileStorage` lays it out) do.
//! Code written against the trait, as a generic or as `&dyn TupliStorage`,
//! runs on any backend; bring the traits into scope with
//! `use tupli::storage::*` (or `tupli::prelude::*`):
//!
//! ```no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::storage::*;
//! use tupli::Filter;
//!
//! async fn count(storage: &dyn TupliStorage) -> tupli::Result<usize> {
//!     Ok(storage.list_benchmarks(&Filter::all()).await?.len())
//! }
//! println!("{} benchmarks", count(&client).await?);
//! # Ok(()) }
//! ```
//!
//! **Passing a storage.** `&S`, `Box<S>` and `Arc<S>` are storages too (`S`
//! may be `dyn TupliStorage`), so every entry point takes a storage the same
//! way, by value: [`copy`](crate::copy::copy) borrows it for the call (pass
//! `&storage`), a [`Dataset`](crate::dataset::Dataset) and an
//! [`EpisodeRecorder`](crate::EpisodeRecorder) keep it (pass a clone — a
//! client's clones share one session — or an `Arc`).
//!
//! **A backend of your own** implements the four traits with
//! [`async_trait`](macro@async_trait), re-exported here:
//!
//! ```
//! use tupli::storage::*;
//!
//! /// A folder that logs every episode it records.
//! struct Logged(FileStorage);
//!
//! #[async_trait]
//! impl EpisodeStorage for Logged {
//!     async fn record_episode(&self, episode: &tupli::models::Episode) -> tupli::Result<tupli::models::EpisodeHeader> {
//!         let header = self.0.record_episode(episode).await?;
//!         println!("recorded {}", header.id);
//!         Ok(header)
//!     }
//!     // …and the other required methods, forwarded to `self.0`.
//! #   async fn stream_episode_json(&self, f: &tupli::Filter, t: bool) -> tupli::Result<tupli::EpisodeJsonStream> { self.0.stream_episode_json(f, t).await }
//! #   async fn delete_episode(&self, id: &str) -> tupli::Result<()> { self.0.delete_episode(id).await }
//! #   async fn publish_episode(&self, id: &str, g: &str) -> tupli::Result<()> { self.0.publish_episode(id, g).await }
//! #   async fn unpublish_episode(&self, id: &str, g: &str) -> tupli::Result<()> { self.0.unpublish_episode(id, g).await }
//! }
//! ```
//!
//! # FileStorage
//!
//! [`FileStorage`] keeps everything in a folder, **interchangeable with
//! pytupli 1.2.9's `FileStorage`**: a folder written by one is read by the
//! other (the live suite proves it both ways, field by field and float by
//! float, and with pytupli's `TupliDataset` over tupli's folder). [Its own
//! documentation](FileStorage) gives the folder's layout and its rules one by
//! one: ids, times and creator as pytupli makes them, files written as
//! pytupli writes them and never half-written, benchmarks deduplicated by
//! hash, artifacts streamed and hashed as pytupli hashes them, episodes
//! needing their benchmark, a missing id, publishing, bad files, concurrency.
//!
//! ```rust,no_run
//! # async fn demo() -> tupli::Result<()> {
//! use tupli::dataset::Dataset;
//! use tupli::storage::*;
//! use tupli::Filter;
//!
//! let storage = FileStorage::create("runs/local")?; // FileStorage::open wants it to exist
//! let cartpoles = Filter::eq("metadata.name", "cartpole");
//! println!("{} benchmarks", storage.list_benchmarks(&cartpoles).await?.len());
//! let columns = Dataset::new(storage).with_benchmark_filter(cartpoles).columns().await?;
//! # Ok(()) }
//! ```
//!
//! What its documentation leaves to this page:
//!
//! - **Spelling.** Each file is pytupli's model as `json.dumps(…, indent=2)`
//!   writes it: the same fields in the same order (unset ones as `null`),
//!   non-ASCII escaped (`\u00e9`), floats spelled as Python's `repr`
//!   (`1e-07`, `1e+16`, `0.0001`, `100.0`), integers as integers. The one
//!   difference: keys inside free-form maps (`metadata`, `extra`, `info`) are
//!   in sorted order, not in the order they were built; readers go by value.
//! - **Crash-safe, in order.** No half-written file is ever visible, not
//!   after a crash, an I/O error or a dropped future (the temporary file is
//!   then removed). An artifact's bytes are in place before its metadata,
//!   which is what makes it visible.
//! - **Streamed.** Episode listings read one file at a time (memory is
//!   bounded by the largest episode). An episode whose benchmark is not in
//!   the folder is refused with [`Error::NotFound`](crate::Error::NotFound).
//! - **Bad input** gets an error that says what and where, and leaves nothing
//!   behind: a missing folder ([`open`](FileStorage::open);
//!   [`create`](FileStorage::create) makes it), an unknown id
//!   ([`Error::NotFound`](crate::Error::NotFound), for which `is_not_found()`
//!   is true), a file of ours that does not parse
//!   ([`Error::Io`](crate::Error::Io) naming the file; listings skip it with
//!   a `tracing` warning naming it, and list the rest). Files that are not
//!   ours — other names, hidden and temporary files, folders — are passed
//!   over without a word.
//! - **Non-finite floats.** pytupli writes `NaN` and `Infinity` for
//!   non-finite floats, which is not JSON: tupli reports such a file as not
//!   valid (and refuses non-finite floats when recording, as with a server).
//!
//! | | server ([`TupliApiClient`](crate::TupliApiClient)) | [`FileStorage`] | pytupli's `FileStorage` |
//! | --- | --- | --- | --- |
//! | storing a hash that is there | 409 | the stored header | the stored header |
//! | artifact hash | `sha256(bytes ++ creator)` | `sha256(bytes)` | `sha256(bytes)` |
//! | deleting a missing id | `200` | `Error::NotFound` | raises |
//! | publishing | adds the group | checks the id only | ignores it |
//! | filters | MongoDB (mongomock) | **the server's answers** | its own evaluator ([below](#filters-in-pytuplis-filestorage)) |
//!
//! # Filters on a folder
//!
//! Filters are evaluated in the folder and answer what the reference server
//! answers, for every operator (`EQ`, `NE`, `GEQ`, `LEQ`, `GT`, `LT`, `IN`),
//! nested `AND`/`OR`, and dotted keys — through objects and arrays of
//! objects, with numeric components indexing arrays. Artifact keys are
//! relative to the metadata, as on a server. The live suite loads the same
//! benchmarks, episodes and artifacts into a folder and into the reference
//! server and compares the ids each of 254 filters lists (mixed
//! int/float/string/bool/null/array/object values, missing keys, arrays in
//! documents): tupli agrees with the server on every one. What the server
//! would take for a MongoDB operator — a key starting with `$`, an `EQ` value
//! with `$` keys — is refused with
//! [`Error::InvalidInput`](crate::Error::InvalidInput), as is an `IN` whose
//! value is not an array (the server answers 500).
//!
//! The server's semantics, which a folder follows:
//!
//! - `EQ` on an array field matches the whole array or any element; numbers
//!   compare by value (`1 == 1.0`); objects compare regardless of key order.
//!   The reference server runs mongomock, which compares as Python does, so
//!   `true == 1` there (a real MongoDB disagrees).
//! - `GT`, `GEQ`, `LT`, `LEQ` compare values of the same kind only (numbers,
//!   strings, booleans, arrays, objects); on an array field, any element may
//!   match.
//! - `NE` matches when no value the key reaches is equal — a missing field
//!   included.
//! - `IN` matches a field (or any element of an array field) equal to one of
//!   the values; `null` among them matches a missing field.
//! - `AND` and `OR` of nothing match everything, nested too.
//! - A negative numeric component counts from the end (`tuples.-1.terminal`);
//!   when it reaches before the start of an array in any document, the
//!   server's listing is empty, and so is the folder's.
//!
//! pytupli's own `FileStorage` evaluates filters its own way and disagrees
//! with its server on 179 of those 254 filters: see
//! [below](#filters-in-pytuplis-filestorage).
//!
//! # Filters in pytupli's `FileStorage`
//!
//! pytupli's own `FileStorage` evaluates filters its own way and disagrees
//! with its server (and so with tupli's
//! [`FileStorage`](#filters-on-a-folder)) on 179 of the 254 filters the live
//! suite compares. By kind of case (`v` is a field of the documents):
//!
//! | case | example | server and tupli | pytupli's `FileStorage` |
//! | --- | --- | --- | --- |
//! | an element of an array field | `v EQ 1` on `[1, 2, 3]` | matches | does not |
//! | comparing an array field | `v GT 1` on `[1, 2, 3]` | matches | skips the file (Python `TypeError`) |
//! | `NE` on a missing field | `v NE 1` without `v` | matches | does not |
//! | `NE` on an array field | `v NE 1` on `[1, 2, 3]` | does not | matches |
//! | booleans against numbers | `v GEQ 1` on `true`; `v GT false` on `2.5` | do not | match (`bool` is an `int`) |
//! | `EQ {}` on a missing field | `v EQ {}` without `v` | matches | does not |
//! | comparing objects | `v GT {"a": 1}` on `{"a": 2}` | matches | skips the file |
//! | comparing arrays of mixed types | `v GT [1]` on `[[1, 2], [3]]` | matches (BSON type order) | skips the file |
//! | `IN` | any | evaluated | raises (unknown filter type) |
//! | keys through arrays of objects | `v.a EQ 1` on `[{"a": 1}]`; `tuples.reward GT 5` | match | do not |
//! | numeric components | `v.0 EQ 1` on `[1, 2, 3]`; `tuples.0.state` | match | do not |
//! | empty `OR` | `OR []`, `AND [OR [], …]` | everything (`{}`) | nothing |

mod artifacts;
mod benchmarks;
mod episodes;
mod file;
pub(crate) mod identity;
mod pointers;

pub use crate::artifact_hash::ArtifactHash;
pub use artifacts::ArtifactStorage;
pub use async_trait::async_trait;
pub use benchmarks::BenchmarkStorage;
pub use episodes::EpisodeStorage;
pub use file::FileStorage;

/// Where benchmarks, artifacts and episodes are stored: a Tupli server, a
/// local folder, or a backend of your own. Every method's future is `Send`.
///
/// Behaviour shared by every backend: benchmarks are deduplicated by their
/// hash, artifacts by their content, an episode needs its benchmark, and a
/// listing of episodes streams. What may differ is documented by each
/// backend (who may read what, how a missing id is answered, what
/// publishing means):
///
/// | | [`TupliApiClient`](crate::TupliApiClient) (a server) | [`FileStorage`] (a folder) |
/// | --- | --- | --- |
/// | who reads what | the caller's groups | whoever reads the folder |
/// | storing a benchmark hash again | 409 ([`Error::is_conflict`](crate::Error::is_conflict)) | the stored header |
/// | artifact hash ([`ArtifactStorage::artifact_hash`]) | `sha256(bytes ++ creator)` | `sha256(bytes)` |
/// | loading a missing id | 404 ([`Error::is_not_found`](crate::Error::is_not_found)) | [`Error::NotFound`](crate::Error::NotFound) (also `is_not_found`) |
/// | deleting a missing id | `Ok(())` | [`Error::NotFound`](crate::Error::NotFound) |
/// | publishing | adds the group to `published_in` | checks the id, changes nothing |
pub trait TupliStorage: BenchmarkStorage + ArtifactStorage + EpisodeStorage {
    /// Describes the storage for messages: a URL or a folder.
    fn describe(&self) -> String;
}
