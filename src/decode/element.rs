//! Decoding one element of a list answer: the fast path where a type has
//! one, serde_json (with the JSON path of any mismatch) otherwise.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// An element type of a streamed list, with an optional faster decoder.
pub(crate) trait Element: DeserializeOwned {
    /// Decodes `bytes` without serde, or `None` to use serde_json.
    fn fast(_bytes: &[u8]) -> Option<Self> {
        None
    }
}

impl Element for crate::models::EpisodeHeader {}

impl Element for crate::models::EpisodeItem {
    fn fast(bytes: &[u8]) -> Option<Self> {
        super::episode::episode_item(bytes)
    }
}

/// Decodes one element: the fast path first, then serde_json.
pub(crate) fn decode<T: Element>(bytes: &[u8], index: usize) -> Result<T> {
    match T::fast(bytes) {
        Some(item) => Ok(item),
        None => decode_element(bytes, index),
    }
}

/// Decodes one element with serde_json, naming its index and the path inside it on failure.
pub(crate) fn decode_element<T: DeserializeOwned>(bytes: &[u8], index: usize) -> Result<T> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let inner = e.path().to_string();
        let path = if inner == "." {
            format!("[{index}]")
        } else {
            format!("[{index}].{inner}")
        };
        Error::decode(bytes, path, e.inner())
    })?;
    de.end()
        .map_err(|e| Error::decode(bytes, format!("[{index}]"), e))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn element_errors_name_index_and_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Item {
            n: u32,
        }
        let err = decode_element::<Item>(br#"{"n":"x"}"#, 7).unwrap_err();
        assert!(
            matches!(&err, Error::Decode { path, .. } if path == "[7].n"),
            "{err:?}"
        );
    }
}
