#![doc = include_str!("../README.md")]
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
