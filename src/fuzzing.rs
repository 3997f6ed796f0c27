//! Entry points for the cargo-fuzz targets in `fuzz/` (compiled only with
//! `--cfg fuzzing`, which cargo-fuzz sets).

// A fuzz target reports a broken property by panicking.
#![allow(clippy::panic)]

use std::collections::VecDeque;

use bytes::Bytes;

use crate::decode::{decode_element, episode_item, identical, ArraySplitter};
use crate::error::Detail;
use crate::models::{EpisodeHeader, EpisodeItem};

/// `data[0]` is a chunk size, the rest an answer body.
pub fn decode_episode_list(data: &[u8]) {
    let chunk = usize::from(data.first().copied().unwrap_or(1)).max(1);
    let body = data.get(1..).unwrap_or_default();
    let chunked = split(body, chunk);
    let whole = split(body, body.len().max(1));
    match (&chunked, &whole) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "chunking changed the elements"),
        (Err(_), Err(_)) => {}
        _ => panic!("chunking changed whether the body splits: {chunked:?} vs {whole:?}"),
    }
    if let Ok(elements) = chunked {
        for (i, element) in elements.iter().enumerate() {
            let slow = decode_element::<EpisodeItem>(element, i).ok();
            if let Some(fast) = episode_item(element) {
                assert!(
                    slow.as_ref().is_some_and(|slow| identical(&fast, slow)),
                    "the fast path disagrees with serde_json"
                );
            }
            let _ = decode_element::<EpisodeHeader>(element, i);
        }
    }
    let _ = Detail::parse(body).to_string();
}

/// The elements, or the error (whose excerpt depends on the chunking).
fn split(body: &[u8], chunk: usize) -> crate::Result<Vec<Bytes>> {
    let mut splitter = ArraySplitter::new();
    let mut out = VecDeque::new();
    for piece in body.chunks(chunk) {
        splitter.push(piece, &mut out)?;
    }
    splitter.finish()?;
    Ok(out.into())
}
