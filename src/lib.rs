#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod auth;
mod client;
mod error;
mod fastpath;
pub mod filter;
#[cfg(fuzzing)]
#[doc(hidden)]
pub mod fuzzing;
mod generated;
mod hooks;
pub mod models;
mod ops;
#[cfg(test)]
mod proptests;
mod retry;
mod stream;
mod tuple;
mod validate;

pub use auth::Tokens;
pub use client::{
    TupliApiClient, TupliApiClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
    DEFAULT_URL, URL_ENV,
};
pub use error::{Detail, Error, Result};
pub use filter::{Filter, FilterType};
pub use ops::artifact_hash;
pub use ops::GLOBAL_GROUP;
pub use retry::RetryPolicy;
pub use secrecy::{ExposeSecret, SecretString};
