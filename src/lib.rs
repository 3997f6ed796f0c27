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
//! use tupli::{Filter, TupliApiClient};
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
//! This page is the library's guide, one topic per section:
//! [logging in](#logging-in), [filters](#filters), [errors](#errors),
//! [large data](#large-data), [timeouts and retries](#timeouts-and-retries),
//! [storages](#storages) (with [`FileStorage`](#filestorage) and
//! [filters on a folder](#filters-on-a-folder)), [copying](#copying-between-storages),
//! [recording](#recording-from-an-environment-loop), [datasets](#datasets) and
//! [export](#export), [what differs from pytupli](#what-differs-from-pytupli) and
//! [cargo features](#cargo-features). What the PyTupli server itself does that surprises a client
//! is in the repository's `docs/server-behaviour.md`, performance figures in
//! `docs/performance.md`.
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
//!     .download_artifact_to_path("0123abcd", "policy.zip")
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
//! episodes, and the episode streams — is one trait, [`storage::TupliStorage`], as in pytupli.
//! [`TupliApiClient`] implements it, and so does [`FileStorage`], a local folder. Code written
//! against the trait (`&dyn TupliStorage` or a generic), datasets included, runs on either; the
//! [`storage`] module shows how.
//!
//! ## FileStorage
//!
//! [`FileStorage`] keeps everything in a folder, **interchangeable with pytupli 1.2.9's
//! `FileStorage`**: a folder written by one is read by the other (the live suite proves it both
//! ways, field by field and float by float, and with pytupli's `TupliDataset` over tupli's folder).
//! Its own documentation gives the folder's layout and its rules one by one: ids, times and
//! creator as pytupli makes them, files written as pytupli writes them and never half-written,
//! benchmarks deduplicated by hash, artifacts streamed and hashed as pytupli hashes them, episodes
//! needing their benchmark, a missing id, publishing, bad files, concurrency.
//!
//! ```rust,no_run
//! # async fn demo() -> tupli::Result<()> {
//! use tupli::dataset::Dataset;
//! use tupli::storage::{FileStorage, TupliStorage};
//! use tupli::Filter;
//!
//! let storage = FileStorage::create("runs/local")?; // FileStorage::open wants it to exist
//! let cartpoles = Filter::eq("metadata.name", "cartpole");
//! println!("{} benchmarks", storage.list_benchmarks(&cartpoles).await?.len());
//! let columns = Dataset::new(&storage).with_benchmark_filter(cartpoles).columns().await?;
//! # Ok(()) }
//! ```
//!
//! What its documentation leaves to this guide:
//!
//! - **Spelling.** Each file is pytupli's model as `json.dumps(…, indent=2)` writes it: the same
//!   fields in the same order (unset ones as `null`), non-ASCII escaped (`\u00e9`), floats spelled
//!   as Python's `repr` (`1e-07`, `1e+16`, `0.0001`, `100.0`), integers as integers. The one
//!   difference: keys inside free-form maps (`metadata`, `extra`, `info`) are in sorted order, not
//!   in the order they were built; readers go by value.
//! - **Crash-safe, in order.** No half-written file is ever visible, not after a crash, an I/O
//!   error or a dropped future (the temporary file is then removed). An artifact's bytes are in
//!   place before its metadata, which is what makes it visible.
//! - **Streamed.** Episode listings read one file at a time (memory is bounded by the largest
//!   episode). An episode whose benchmark is not in the folder is refused with
//!   [`Error::NotFound`].
//! - **Bad input** gets an error that says what and where, and leaves nothing behind: a missing
//!   folder ([`open`](FileStorage::open); [`create`](FileStorage::create) makes it), an unknown id
//!   ([`Error::NotFound`], for which `is_not_found()` is true), a file of ours that does not parse
//!   ([`Error::Io`] naming the file; listings skip it with a `tracing` warning naming it, and list
//!   the rest). Files that are not ours — other names, hidden and temporary files, folders — are
//!   passed over without a word.
//! - **Non-finite floats.** pytupli writes `NaN` and `Infinity` for non-finite floats, which is not
//!   JSON: tupli reports such a file as not valid (and refuses non-finite floats when recording, as
//!   with a server).
//!
//! | | server ([`TupliApiClient`]) | [`FileStorage`] | pytupli's `FileStorage` |
//! | --- | --- | --- | --- |
//! | storing a hash that is there | 409 | the stored header | the stored header |
//! | artifact hash | `sha256(bytes ++ creator)` | `sha256(bytes)` | `sha256(bytes)` |
//! | deleting a missing id | `200` | `Error::NotFound` | raises |
//! | publishing | adds the group | checks the id only | ignores it |
//! | filters | MongoDB (mongomock) | **the server's answers** | its own evaluator ([below](#filters-in-pytuplis-filestorage)) |
//!
//! ## Filters on a folder
//!
//! Filters are evaluated in the folder and answer what the reference server answers, for every
//! operator (`EQ`, `NE`, `GEQ`, `LEQ`, `GT`, `LT`, `IN`), nested `AND`/`OR`, and dotted keys —
//! through objects and arrays of objects, with numeric components indexing arrays. Artifact keys
//! are relative to the metadata, as on a server. The live suite loads the same benchmarks,
//! episodes and artifacts into a folder and into the reference server and compares the ids each of
//! 254 filters lists (mixed int/float/string/bool/null/array/object values, missing keys, arrays in
//! documents): tupli agrees with the server on every one. What the server would take for a MongoDB
//! operator — a key starting with `$`, an `EQ` value with `$` keys — is refused with
//! [`Error::InvalidInput`], as is an `IN` whose value is not an array (the server answers 500).
//!
//! The server's semantics, which a folder follows:
//!
//! - `EQ` on an array field matches the whole array or any element; numbers compare by value
//!   (`1 == 1.0`); objects compare regardless of key order. The reference server runs mongomock,
//!   which compares as Python does, so `true == 1` there (a real MongoDB disagrees).
//! - `GT`, `GEQ`, `LT`, `LEQ` compare values of the same kind only (numbers, strings, booleans,
//!   arrays, objects); on an array field, any element may match.
//! - `NE` matches when no value the key reaches is equal — a missing field included.
//! - `IN` matches a field (or any element of an array field) equal to one of the values; `null`
//!   among them matches a missing field.
//! - `AND` and `OR` of nothing match everything, nested too.
//! - A negative numeric component counts from the end (`tuples.-1.terminal`); when it reaches
//!   before the start of an array in any document, the server's listing is empty, and so is the
//!   folder's.
//!
//! pytupli's own `FileStorage` evaluates filters its own way and disagrees with its server on 179
//! of those 254 filters: see [below](#filters-in-pytuplis-filestorage).
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
//! ```rust,no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::copy::{copy, Kind, Selection, Status};
//! use tupli::storage::FileStorage;
//! use tupli::Filter;
//!
//! let backup = FileStorage::create("runs/backup")?;
//! let cartpole = Selection::all()
//!     .with_benchmark_filter(Filter::eq("metadata.name", "cartpole"))
//!     .with_episode_filter(Filter::geq("metadata.seed", 3));
//! let report = copy(&client, &backup, cartpole).concurrency(8).await?;
//! println!(
//!     "{} episodes copied, {} already there, {} failed",
//!     report.count(Some(Kind::Episode), Status::Copied),
//!     report.count(Some(Kind::Episode), Status::Skipped),
//!     report.count(Some(Kind::Episode), Status::Failed),
//! );
//! # Ok(()) }
//! ```
//!
//! Worth knowing besides: an artifact of no benchmark is not copied, and one whose bytes the
//! destination holds is not copied again, whatever benchmark its record there names (a record the
//! destination answers for bytes it deduplicated is reported as already there). The destination
//! is asked for episodes with one filter per batch of keys and benchmark
//! (`benchmark_id EQ … AND (id IN [...] OR metadata.tupli_key IN [...])`), never one request per
//! episode. Because a copied episode carries its original's key (`metadata.tupli_key`, else the original's id), copying back
//! to where an episode came from finds it by its id, and nothing is copied twice; whatever records
//! episodes can give each one a fresh key the same way, as the [recorder](#recording-from-an-environment-loop)
//! does.
//!
//! # Recording from an environment loop
//!
//! [`EpisodeRecorder`] is the counterpart of the recording done by pytupli's `TupliEnvWrapper`: the
//! loop pushes a tuple per step and ends the episode when it terminates or is cut off; a background
//! task stores it on any storage ([`TupliApiClient`], [`FileStorage`], your own) while the loop goes
//! on. The [`recorder`] module gives its guarantees — bounded memory, retries, each episode stored
//! exactly once (found by its `tupli_key` after a lost answer), nothing lost — and what happens to
//! order and to a recorder dropped without [`close`](EpisodeRecorder::close).
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
//! Worth knowing besides: the capacity defaults to [`recorder::DEFAULT_CAPACITY`] (100,000
//! tuples), and NaN and infinite floats, which JSON cannot carry, are refused at `push`
//! ([`Error::InvalidInput`]), as is an episode longer than the capacity. Its retry policy,
//! [`recorder::DEFAULT_RETRY_POLICY`], is more patient than the client's. A failed episode can be
//! stored again later with [`recorder.record(failed.episode)`](EpisodeRecorder::record), which keeps its
//! key and looks for it first; failures are also logged (`tracing`) when they happen, and
//! [`take_failures()`](EpisodeRecorder::take_failures) collects them during a long run. The test
//! suite records 1,000 episodes through a server that is slow, twice down, answers 503s and loses
//! answers after storing: each episode arrives exactly once or is reported (and then is not on the
//! server).
//!
//! # Datasets
//!
//! [`dataset`] turns stored episodes into training arrays, as pytupli's `TupliDataset` does, in
//! bounded memory and without its data bugs (see [what differs](#datasets-tuplidataset)). Select the episodes
//! of some benchmarks, read them into columns named as D4RL names them; the module says what can
//! be a column ([`Error::Shape`] otherwise, naming the episode, the step and the field).
//!
//! ```rust,no_run
//! # async fn demo(client: tupli::TupliApiClient) -> tupli::Result<()> {
//! use tupli::{dataset::Dataset, Filter};
//!
//! let data = Dataset::new(&client).with_benchmark_filter(Filter::eq("metadata.name", "cartpole"));
//! let columns = data.columns().await?; // observations, actions, next_observations, rewards, terminals, timeouts
//! for batch in columns.minibatches(256, 42) { /* train on batch.observations, … */ }
//! # Ok(()) }
//! ```
//!
//! - **Selection**: [`with_benchmark_filter`](dataset::Dataset::with_benchmark_filter) (the
//!   episodes of the benchmarks matching it), [`with_episode_filter`](dataset::Dataset::with_episode_filter)
//!   (AND a filter on the episodes), [`with_tuple_filter`](dataset::Dataset::with_tuple_filter) (a
//!   predicate on tuples); [`preview()`](dataset::Dataset::preview) lists the episode headers
//!   without downloading a tuple; [`sample_episodes(n, seed)`](dataset::Dataset::sample_episodes)
//!   draws episodes reproducibly.
//! - **Columns** ([`Columns<f64>`](dataset::Columns), or
//!   [`columns_as::<f32>()`](dataset::Dataset::columns_as)): contiguous and row-major:
//!   `observations` `[N × obs_dim]`, `actions` `[N × act_dim]`, `next_observations`, `rewards`,
//!   `terminals`, `timeouts`, and per row its `steps()` and `episode_index()` (with `episodes()` and
//!   `episode_starts()`).
//! - **[`minibatches(batch_size, seed)`](dataset::Columns::minibatches)**: every row once,
//!   shuffled reproducibly (SplitMix64 + Fisher–Yates), each batch's rows gathered into contiguous
//!   arrays.
//!
//! ## Export
//!
//! With the features `npz`, `arrow` and `parquet` (each compiles its own dependencies; the
//! `tupli-cli` crate turns on all three), a dataset is written to a file in bounded memory:
//! episodes stream in, a few MiB at a time go to a writer on a thread of its own, and the file
//! appears only when complete (temporary file, then rename; nothing is left behind on any
//! failure). An empty selection is [`Error::EmptySelection`] and writes nothing.
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
//! The `tupli` command writes the same files:
//!
//! ```console
//! $ tupli export-episodes --benchmark-where metadata.name=cartpole -o cartpole.npz
//! Exported 5 episodes, 350 tuples (obs_dim 4, act_dim 1), 35.6 KiB, to cartpole.npz.
//! ```
//!
//! | format | one file holds | episode headers (metadata included) |
//! | --- | --- | --- |
//! | `npz` | one `.npy` per column: `observations`, `actions`, `next_observations`, `rewards`, `terminals`, `timeouts`, `steps`, `episode_index` (per row); `episode_starts`, `episode_ids` (per episode) | `episodes.json` in the archive, in `episode_ids` order |
//! | `arrow` (Arrow IPC) | one row per tuple: `episode_id`, `step`, `observations`, `actions`, `next_observations` (fixed-size lists), `rewards`, `terminals`, `timeouts` | JSON under `tupli.episodes` in the schema's metadata |
//! | `parquet` (zstd) | the same columns, a row group per batch of about 4 MiB of columns (so the writer's peak memory stays under 64 MiB) | JSON under `tupli.episodes` in the footer's key-value metadata |
//!
//! In Python:
//!
//! ```python
//! import json, numpy as np, pandas as pd, pyarrow as pa, pyarrow.parquet as pq
//!
//! npz = np.load("cartpole.npz")                     # npz["observations"], npz["terminals"], …
//! episodes = json.loads(npz["episodes.json"])       # headers, in npz["episode_ids"] order
//!
//! frame = pd.read_parquet("cartpole.parquet")       # or pd.read_feather("cartpole.arrow")
//! obs = np.stack(frame["observations"].to_numpy())  # [N × obs_dim]
//! meta = json.loads(pq.read_metadata("cartpole.parquet").metadata[b"tupli.episodes"])
//! table = pa.ipc.open_file("cartpole.arrow").read_all()  # table.schema.metadata[b"tupli.episodes"]
//! ```
//!
//! Polars (`pl.read_parquet`, `pl.read_ipc`) and DuckDB (`select … from 'cartpole.parquet'`) read
//! them too; the live suite checks every format with numpy, pandas, pyarrow, polars and DuckDB
//! against pytupli's own `TupliDataset` on the same data.
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
//! ## Datasets: `TupliDataset`
//!
//! | | pytupli 1.2.9 `TupliDataset` | `tupli::dataset` |
//! | --- | --- | --- |
//! | `next_observations` | shifted across the whole dataset: an episode's last step points at the *next episode's* first observation | within each episode; the last step repeats its own observation (D4RL's convention) |
//! | `terminals` | `terminal OR timeout`: truncations look like terminal states | `terminals` and `timeouts` apart, as D4RL keeps them |
//! | a benchmark filter that matches no benchmark | selects *every* episode (it sends an empty `OR`, which the server reads as "all") | selects nothing |
//! | a tuple filter | the next observation of a kept tuple is the next *kept* tuple's | it is the episode's real next observation; `steps()` keeps the original step |
//! | float width | converts everything to float32 | f64 (exactly what was stored) by default; f32 on request, rounded as numpy rounds |
//! | ragged or nested values | numpy errors or object arrays | `Error::Shape` naming episode, step and field |
//! | randomness | the global `random` state | explicit seeds, the same result on every platform |
//!
//! [`.with_layout(Layout::Pytupli)`](dataset::Layout::Pytupli) reproduces pytupli's
//! `next_observations` and `terminals`, for comparisons only; the values are otherwise the same
//! (bit for bit in f64, and in f32 against pytupli's float32 arrays).
//!
//! ## Recording: `TupliEnvWrapper`
//!
//! | | pytupli `TupliEnvWrapper` | tupli `EpisodeRecorder` |
//! | --- | --- | --- |
//! | when an episode is stored | inside `step`, the loop waits for the server | in the background; `push` waits only when `capacity` tuples are held |
//! | ending an episode | on `terminated` or `truncated` | `end_episode(metadata)`, called by the loop |
//! | metadata | a callback called at every step; its answer at the last step | the map given to `end_episode` (plus `tupli_key`) |
//! | a failure | an exception out of `step`; the tuples stay buffered and go out with the next episode's | retried if transient, else reported with the episode |
//! | a lost answer | — (no retries) | found by key, never stored twice |
//!
//! ## Filters in pytupli's `FileStorage`
//!
//! pytupli's own `FileStorage` evaluates filters its own way and disagrees with its server (and so
//! with tupli's [`FileStorage`](#filters-on-a-folder)) on 179 of the 254 filters the live suite
//! compares. By kind of case (`v` is a field of the documents):
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
pub use transfer::{artifact_hash, Progress, Transfer};

/// The group that makes published content visible to everyone.
pub const GLOBAL_GROUP: &str = "global";
