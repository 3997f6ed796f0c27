//! Decoding list answers: the array splitter finds each element's bytes as
//! they arrive, and each element is decoded on its own — episode items by an
//! exact hand-written walker over a JSON cursor, anything else (and anything
//! the walker is unsure of) by serde_json.

mod cursor;
mod element;
mod episode;
mod float;
#[cfg(test)]
mod proptests;
mod rows;
mod splitter;

#[cfg(fuzzing)]
pub(crate) use element::decode_element;
pub(crate) use element::{decode, Element};
#[cfg(fuzzing)]
pub(crate) use episode::{episode_item, identical};
pub(crate) use rows::{episode_rows, EpisodeRows};
pub(crate) use splitter::ArraySplitter;
