//! A typed, async Rust client for the **Tupli API**: the [PyTupli](https://pypi.org/project/pytupli/)
//! 1.2.9 server (FastAPI + MongoDB) for offline reinforcement-learning research. It stores
//! benchmarks, recorded episodes of RL tuples, artifacts (files), and users, groups and roles with
//! publish/unpublish rights.
//!
//! [`TupliApiClient`] offers every method of pytupli's `TupliAPIClient` under the same name, plus
//! login tokens that really refresh, percent-encoded queries, integrity-checked downloads, bit-exact
//! floats, streaming in bounded memory and one typed [`Error`]. Around it: one storage interface
//! for servers and local folders ([`storage`], [`FileStorage`]), copies between storages
//! ([`copy`]), a recorder for environment loops ([`EpisodeRecorder`]) and datasets for training,
//! as arrays or files ([`dataset`]).
//!
//! ```rust,no_run
//! use tupli::prelude::*; // the storage operations, TupliApiClient, Filter
//!
//! #[tokio::main]
//! async fn main() -> tupli::Result<()> {
//!     let client = TupliApiClient::new()?; // TUPLI_URL, else http://localhost:8080
//!     client.login("admin", "pytupli").await?;
//!     let easy = Filter::eq("metadata.difficulty", "easy") | Filter::eq("metadata.difficulty", "medium");
//!     for benchmark in client.list_benchmarks(&easy).await? {
//!         println!("{} {}", benchmark.id, benchmark.metadata.name);
//!     }
//!     Ok(())
//! }
//! ```
//!
//! In the repository, `examples/tour.rs` walks through groups, benchmarks, episodes, artifacts and
//! publishing (`cargo xtask demo` runs it against a local reference server), `examples/record.rs`
//! records episodes from a loop and `examples/dataset.rs` turns them into training arrays and a
//! Parquet file. The `tupli` command-line tool is a crate of its own, `tupli-cli`, in `cli/` (its
//! manual is `cli/README.md`).
//!
//! This page is the library's guide, one topic per section: [logging in](#logging-in),
//! [filters](#filters), [errors](#errors), [large data](#large-data), [timeouts and
//! retries](#timeouts-and-retries), [storages](#storages) (with [`FileStorage`](#filestorage)),
//! [copying](#copying-between-storages), [recording](#recording-from-an-environment-loop),
//! [datasets](#datasets) and [export](#export), [what differs from
//! pytupli](#what-differs-from-pytupli) and [cargo features](#cargo-features). A topic that belongs
//! to a public module is told in full in that module's documentation ([`storage`], [`copy`],
//! [`recorder`], [`dataset`]); its section here is an overview with links. What the PyTupli server
//! itself does that surprises a client is in the repository's `docs/server-behaviour.md`,
//! performance figures in `docs/performance.md`.
//!
//! # Logging in
//!
//! [`login`](TupliApiClient::login) stores an access and a refresh token in the client, shared by
//! all its clones (a client is cheap to clone and `Send + Sync`). Tokens are refreshed 30 s before
//! they expire (a quarter of their lifetime for tokens that live less than two minutes) and once
//! more when the server answers 401; concurrent calls share a single refresh. When the refresh
//! token is rejected or has expired, calls fail with [`Error::SessionExpired`] and the tokens are
//! cleared: log in again.
//!
//! ```rust,no_run
//! # async fn demo() -> tupli::Result<()> {
//! use tupli::{ExposeSecret, Tokens, TupliApiClient};
//!
//! let client = TupliApiClient::with_url("http://localhost:8080")?;
//! client.login("admin", "pytupli").await?;
//! let saved = client.tokens().expect("logged in");
//! let (access, refresh) = (saved.access_token().expose_secret(), saved.refresh_token().expose_secret());
//! // … persist them, and later:
//! let again = TupliApiClient::builder()
//!     .url("http://localhost:8080")
//!     .tokens(Tokens::new(access, refresh))
//!     .build()?;
//! # Ok(()) }
//! ```
//!
//! A refresh token alone is enough to start from (e.g. one a CI job was given):
//! [`Tokens::from_refresh_token`] holds no access token yet, so the first call refreshes before it
//! sends anything else.
//!
//! Passwords and tokens are held as secrets ([`SecretString`], wiped when dropped) and never appear
//! in `Debug` output, logs or error messages. [`set_url`](TupliApiClient::set_url) points a client
//! at another server and forgets its tokens, so they never reach a server that did not issue them.
//!
//! # Filters
//!
//! Listing benchmarks, artifacts and episodes takes a [`Filter`], serialized exactly like
//! pytupli's `BaseFilter` (the [`filter`] module shows the JSON). Keys are dotted paths into the
//! stored document (`metadata.name`, and for artifacts paths relative to the metadata such as
//! `extra.source`); `&` and `|` combine filters; [`Filter::all()`] matches everything.
//!
//! ```rust
//! use tupli::Filter;
//!
//! let hard_cartpoles = Filter::eq("metadata.name", "cartpole") & Filter::geq("metadata.extra.level", 3);
//! let either = Filter::in_("metadata.difficulty", ["easy", "medium"]) | Filter::ne("metadata.version", "v0");
//! assert!(hard_cartpoles.validate().is_ok() && either.validate().is_ok());
//! ```
//!
//! A filter the server would reject (a comparison without a key, a `null` value, control
//! characters in a key) is refused with [`Error::InvalidInput`] before anything is sent.
//!
//! # Errors
//!
//! Every fallible method returns [`tupli::Result<T>`](Result) with one error type, [`Error`]:
//!
//! | variant | when |
//! | --- | --- |
//! | `Api { status, detail, retry_after }` | the server answered an error status; `detail` is its message, FastAPI's validation errors, or the start of a body that was not `{"detail": …}`; `retry_after` its `Retry-After`, when it sent one |
//! | `RetryAfterTooLong` | the server asked to wait longer before a retry than the retry policy allows (the answer is its `source`) |
//! | `NotLoggedIn`, `SessionExpired` | a 401 without tokens; a refresh that failed (the tokens were cleared) |
//! | `Transport` | connection refused or reset, timeout, TLS, a body cut short |
//! | `Decode { path, message, excerpt }` | an answer that does not have the expected shape, with the JSON path of the first mismatch |
//! | `InvalidInput { argument, reason }` | an argument refused before anything was sent |
//! | `Integrity` | downloaded bytes that do not match the hash the server recorded |
//! | `Shape { episode_id, step, field, reason }` | a dataset value that cannot be a column of numbers (see [Datasets](#datasets)) |
//! | `EmptySelection` | a dataset export whose selection holds no episode: nothing was written |
//! | `NotFound { kind, id, storage }` | a local storage ([`FileStorage`]) has no object with that id |
//! | `Io` | a local file that cannot be read or written |
//! | `Worker { task, panicked }` | a thread or blocking task of tupli's (writing, syncing or hashing a file, decoding an episode, writing an export) panicked or ended without an answer |
//! | `Export { format, source }` | a dataset file's writer (npz, Arrow, Parquet) failed on what it was given, not on the disk: nothing was written |
//!
//! [`status()`](Error::status), [`detail()`](Error::detail), [`is_auth()`](Error::is_auth),
//! [`is_not_found()`](Error::is_not_found) (a 404 or `NotFound`),
//! [`is_conflict()`](Error::is_conflict) and [`is_retryable()`](Error::is_retryable) answer the
//! usual questions without matching on variants.
//!
//! # Large data
//!
//! The API has no pagination: an episode listing with tuples is the whole dataset in one JSON
//! array, and artifacts are whole files. Nothing here holds more than it must.
//!
//! | method | what it does |
//! | --- | --- |
//! | `stream_episodes(&filter)`, `stream_episode_headers(&filter)` | an [`EpisodeStream`] / [`EpisodeHeaderStream`] of episodes decoded one at a time as the answer arrives: memory is bounded by the largest episode |
//! | `list_episode_items`, `list_episode_headers`, `list_episodes` | the same decoder, collected: the raw answer is never held whole |
//! | `download_artifact_to(id, writer)`, `download_artifact_to_path(id, path)` | streamed, with sha256 computed on the way; the path variant writes a temporary file beside the target (on a thread of its own, synced to disk as it grows) and renames it only once verified and synced, else removes it |
//! | `store_artifact_from_path(path, &metadata)`, `store_artifact_from_reader(open, len, &metadata)` | a streamed upload; a retry after a token refresh reads the file (or a new reader) again; the bytes sent are hashed and checked against the server's record |
//! | `record_episode(&episode)` | serialized once, straight into the request body |
//!
//! Artifact transfers can report their progress: give the [`Transfer`] they return a [`Progress`]
//! observer before awaiting it.
//!
//! ```rust,no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use tupli::prelude::*;
//!
//! #[derive(Default)]
//! struct Bytes(AtomicU64);
//!
//! impl tupli::Progress for Bytes {
//!     fn advance(&self, bytes: u64) {
//!         self.0.fetch_add(bytes, Ordering::Relaxed);
//!     }
//! }
//!
//! let item = client
//!     .download_artifact_to_path("0123abcd", std::path::Path::new("policy.zip"))
//!     .progress(Bytes::default())
//!     .await?;
//! println!("{} verified", item.name);
//! # Ok(()) }
//! ```
//!
//! `state`, `action` and `reward` are any JSON, held as [`TupleValue`](models::TupleValue): floats
//! and flat arrays of floats unboxed (`Vec<f64>`, 8 bytes a number instead of `serde_json::Value`'s
//! 32), anything else as JSON; a float stays a float and an integer an integer. Floats decode to
//! exactly what CPython's `json.loads` gives. NaN and infinities, which JSON cannot carry, are
//! refused before sending with [`Error::InvalidInput`] naming the tuple and field.
//!
//! # Timeouts and retries
//!
//! | setting ([builder](TupliApiClientBuilder)) | default |
//! | --- | --- |
//! | `connect_timeout` | 10 s |
//! | `read_timeout`: longest pause between two reads (so large transfers are not cut while data flows) | 60 s |
//! | `timeout`: total time for one request, body included | none |
//! | `retry_policy` | 3 attempts, backoff 200 ms doubling to at most 5 s, with jitter, `Retry-After` honoured up to 30 s; [`RetryPolicy::none()`] switches it off |
//!
//! Retries happen only where repeating is safe, and only after a failure
//! [`Error::is_retryable()`] accepts: a connection that failed or broke before an answer came
//! (refused, reset, a timeout, a kept-alive connection the server had closed), 429 and
//! 502/503/504. When the server says how long to wait (`Retry-After`, seconds or a date), that is
//! the pause, up to the policy's `max_retry_after` (30 s by default); a longer one is not waited
//! for: the call fails at once with [`Error::RetryAfterTooLong`], which says so.
//!
//! | operations | retried |
//! | --- | --- |
//! | reads: `list_*`, `load_*`, `read_group`, `stream_*`, `download_artifact_*` | yes |
//! | `PUT`/`DELETE`: `publish_*`, `unpublish_*`, `delete_*`, `change_password` | yes |
//! | `store_benchmark` (the server deduplicates by hash: a repeat after a lost answer is a 409, never a copy) | yes |
//! | `signup`, `login`, `create_group`, `create_role`, `add_group_members`, `remove_group_members`, `record_episode`, `store_artifact*` | never |
//!
//! A 401 is different: the token is refreshed and the request sent once more, for every operation
//! (the server rejected it before doing anything). Redirects are followed; the `Authorization`
//! header is dropped when one leads to another origin.
//!
//! # Storages
//!
//! Every storage operation — store, load, list, delete and publish benchmarks, artifacts and
//! episodes, and the episode streams — is defined once, in a trait per resource
//! ([`BenchmarkStorage`](storage::BenchmarkStorage), [`ArtifactStorage`](storage::ArtifactStorage),
//! [`EpisodeStorage`](storage::EpisodeStorage)); [`storage::TupliStorage`] is the three together,
//! as pytupli's storage base class is. [`TupliApiClient`] implements them, and so does
//! [`FileStorage`], a local folder; `use tupli::prelude::*` brings them into scope. Code written
//! against the trait (`&dyn TupliStorage` or a generic), datasets included, runs on either, and
//! [`Dataset`](dataset::Dataset), [`EpisodeRecorder`] and [`copy`](copy::copy) take a storage the
//! same way; the [`storage`] module shows how.
//!
//! ## FileStorage
//!
//! [`FileStorage`] keeps everything in a folder, **interchangeable with pytupli 1.2.9's
//! `FileStorage`**: a folder written by one is read by the other (the live suite proves it both
//! ways). The [`storage`](storage#filestorage) module tells how its files are spelled, why they are
//! never half-written, how it streams, what bad input and non-finite floats get, and where a
//! folder, a server and pytupli's `FileStorage` differ; the type's own documentation gives the
//! folder's layout and its rules one by one. Its [filters](storage#filters-on-a-folder) answer what
//! the server answers, operator by operator (the live suite compares 254 of them).
//!
//! # Copying between storages
//!
//! [`copy::copy(from, to, selection)`](copy::copy) copies benchmarks with their episodes and
//! artifacts from any storage to any other — a server to a folder, a folder to a server, one
//! server to another — and can be run again and again: what the destination already holds is
//! skipped, so a second run copies nothing and an interrupted one picks up where it stopped. The
//! [`copy`] module says what is copied, how each kind of object is found in the destination,
//! failures, interruptions, memory and dry runs; the [`CopyReport`](copy::CopyReport) lists every
//! item with its outcome.
//!
//! # Recording from an environment loop
//!
//! [`EpisodeRecorder`] is the counterpart of the recording done by pytupli's `TupliEnvWrapper`: the
//! loop pushes a tuple per step and ends the episode when it terminates or is cut off; a background
//! task stores it on any storage ([`TupliApiClient`], [`FileStorage`], your own) while the loop goes
//! on. The [`recorder`] module gives its guarantees — bounded memory, retries, each episode stored
//! exactly once (found by its `tupli_key` after a lost answer), nothing lost — what happens to
//! order and to a recorder dropped without [`close`](EpisodeRecorder::close), its defaults
//! and what `push` refuses.
//!
//! ```rust,no_run
//! # async fn demo(client: tupli::TupliApiClient, benchmark_id: &str) -> tupli::Result<()> {
//! use std::sync::Arc;
//! use serde_json::{json, Map};
//! use tupli::{models::RlTuple, EpisodeRecorder};
//!
//! let mut recorder = EpisodeRecorder::new(Arc::new(client), benchmark_id)?;
//! for episode in 0..1_000 {
//!     let mut x = 0.0_f64;
//!     loop {
//!         let action = if x > 0.0 { -1.0 } else { 1.0 };
//!         x += action * 1.5;
//!         let mut tuple = RlTuple::new(vec![x], action, -x.abs());
//!         tuple.terminal = x.abs() > 3.0;
//!         let done = tuple.terminal;
//!         recorder.push(tuple).await?; // waits only while the recorder is full
//!         if done {
//!             recorder.end_episode(Map::from_iter([("episode".into(), json!(episode))]))?;
//!             break;
//!         }
//!     }
//! }
//! let report = recorder.close().await; // waits for the rest
//! println!("{report}"); // "1000 episode(s) stored (0 found by key), 0 failed"
//! for failed in &report.failed {
//!     eprintln!("{failed}"); // key, error; failed.episode holds the whole episode
//! }
//! # Ok(()) }
//! ```
//!
//! `examples/record.rs` runs such a loop into a folder (`cargo run --example record -- runs/walk`)
//! or to a server (`… -- --server`, with `TUPLI_URL`, `TUPLI_USER`, `TUPLI_PASSWORD`).
//!
//! # Datasets
//!
//! [`dataset`] turns stored episodes into training arrays, as pytupli's `TupliDataset` does, in
//! bounded memory and without its data bugs (see [what
//! differs](dataset#what-differs-from-pytuplis-tuplidataset)). Select the episodes of some
//! benchmarks, read them into columns named as D4RL names them; the module says what can be a
//! column ([`Error::Shape`] otherwise, naming the episode, the step and the field), and how to
//! [select, read and batch](dataset#selecting-reading-batching) them.
//!
//! ```rust,no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::{dataset::Dataset, Filter};
//!
//! let data = Dataset::new(client.clone()).with_benchmark_filter(Filter::eq("metadata.name", "cartpole"));
//! let columns = data.columns().await?; // observations, actions, next_observations, rewards, terminals, timeouts
//! for batch in columns.minibatches(256, 42) { /* train on batch.observations, … */ }
//! # Ok(()) }
//! ```
//!
//! ## Export
//!
//! With the features `npz`, `arrow` and `parquet` (each compiles its own dependencies; the
//! `tupli-cli` crate turns on all three), a dataset is written to a file in bounded memory, and the
//! file appears only when complete. An empty selection is [`Error::EmptySelection`] and writes
//! nothing. The [`dataset`](dataset#export) module tells what each format's file holds, how numpy,
//! pandas, pyarrow, polars and DuckDB read it, and how the `tupli` command writes the same files.
//!
//! ```rust,no_run
//! # #[cfg(feature = "parquet")]
//! # async fn demo(data: tupli::dataset::Dataset) -> tupli::Result<()> {
//! use tupli::dataset::{Dtype, Format};
//!
//! let summary = data.export(Format::Parquet).dtype(Dtype::F32).to_path("cartpole.parquet").await?;
//! # Ok(()) }
//! ```
//!
//! # What differs from pytupli
//!
//! ## The client: `TupliAPIClient`
//!
//! | | pytupli `TupliAPIClient` | `tupli` |
//! | --- | --- | --- |
//! | the 32 documented methods | yes | yes, same names; `list_episodes` answers an enum, plus `list_episode_headers` / `list_episode_items` and streams |
//! | token refresh on 401 | reads a field the server does not send, then wipes the tokens | refresh once and retry once; proactive refresh before `exp`; one refresh for any number of concurrent calls |
//! | expired session | generic error | `Error::SessionExpired` ("log in again"), tokens cleared |
//! | query values with `& + # space /` | sent raw: wrong object or 404 | percent-encoded |
//! | artifact download | bytes, unchecked | checked against the server's `sha256(bytes ++ creator)` |
//! | floats | CPython `json` | bit-exact with CPython |
//! | errors | one exception with a message | `tupli::Error`: status, the server's `detail` (message or validation list), `is_retryable()`, `is_auth()`, … |
//! | bad input (empty names, NUL, invalid filters, bad URLs) | sent to the server | `Error::InvalidInput` before anything is sent |
//! | secrets | keyring | held as secrets, never in `Debug`, logs or errors; `Authorization` marked sensitive |
//! | concurrency | blocking `requests` | async, `Clone + Send + Sync`, shared connection pool and login |
//!
//! ## Datasets, recording and folders
//!
//! pytupli 1.2.9's `TupliDataset` shifts `next_observations` across episodes, counts timeouts as
//! `terminals` and selects every episode when no benchmark matches, among others: the
//! [`dataset`](dataset#what-differs-from-pytuplis-tuplidataset) module lists each difference
//! ([`Layout::Pytupli`](dataset::Layout::Pytupli) reproduces its layout, for comparisons). The
//! [`recorder`](recorder#what-differs-from-pytuplis-tuplienvwrapper) module compares
//! [`EpisodeRecorder`] with the recording of pytupli's `TupliEnvWrapper`, point by point, and the
//! [`storage`](storage#filters-in-pytuplis-filestorage) module lists the cases where pytupli's own
//! `FileStorage` evaluates filters differently from its server (and so from tupli's
//! [`FileStorage`]): 179 of the 254 filters the live suite compares.
//!
//! # Cargo features
//!
//! - `rustls` (default): TLS through rustls with the aws-lc-rs provider and the platform's
//!   certificate verifier.
//! - `native-tls`: TLS through the platform's library (OpenSSL on Linux, Secure Transport,
//!   SChannel).
//! - `rustls-no-provider`: rustls without a crypto provider; install one with
//!   `rustls::crypto::CryptoProvider::install_default`.
//! - `npz`, `arrow`, `parquet`: dataset [export](#export) to NumPy `.npz`, Arrow IPC and Parquet
//!   files (`parquet` includes `arrow`).
//! - `clap`: `clap::ValueEnum` for the export formats, so a command line takes them as they are
//!   (the `tupli` command does).

// On docs.rs (all features), each item gated behind a feature says which.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

// Layers, bottom up (each module uses only those before it; the generated
// client and its hooks are the one loop, which progenitor forces):
//   error ← {retry, validate, filter, tuple, decode, atomic_file} ← auth
//   ← generated/hooks ← config/client ← call ← transfer/streams ← ops
//   ← storage ← {dataset, copy, recorder} (the data layer)

mod artifact_hash;
mod atomic_file;
mod auth;
mod call;
mod client;
mod config;
pub mod copy;
pub mod dataset;
mod decode;
mod encode;
mod error;
mod file_reader;
mod file_writer;
pub mod filter;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod generated;
mod hooks;
pub mod models;
mod operation_id;
mod ops;
pub mod recorder;
mod retry;
pub mod storage;
mod streams;
mod transfer;
mod tuple;
mod validate;
mod worker;

pub use artifact_hash::artifact_hash;
pub use auth::Tokens;
pub use client::TupliApiClient;
pub use config::{
    TupliApiClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_URL, URL_ENV,
};
pub use error::{Detail, Error, Result};
pub use filter::{Filter, FilterType};
pub use recorder::{EpisodeRecorder, FailedEpisode, RecorderReport};
/// The HTTP client crate, whose types appear in this crate's API
/// ([`TupliApiClientBuilder::http_client`], [`Error::from_response`], status codes).
pub use reqwest;
pub use retry::RetryPolicy;
pub use secrecy::{ExposeSecret, SecretString};
pub use storage::FileStorage;
pub use streams::{EpisodeHeaderStream, EpisodeJsonStream, EpisodeStream};
pub use transfer::{Progress, Transfer};

/// The storage traits and the types most code names, to glob-import:
/// `use tupli::prelude::*;` puts the storage operations (`store_benchmark`,
/// `list_episodes`, …) in scope on a client, a folder or any storage.
pub mod prelude {
    pub use crate::storage::{
        ArtifactStorage, BenchmarkStorage, EpisodeStorage, FileStorage, TupliStorage,
    };
    pub use crate::{Filter, TupliApiClient};
}

/// The group that makes published content visible to everyone.
pub const GLOBAL_GROUP: &str = "global";
