//! The JSON documents commands take (a benchmark, an episode), read from a
//! file or standard input and decoded with the path of the first mistake.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::CliError;

/// Reads a JSON document from `path` (`-`: standard input); `what` names it
/// in errors ("a benchmark").
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path, what: &str) -> Result<T, CliError> {
    let name = path.display();
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| CliError::Usage(format!("cannot read standard input: {e}")))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| CliError::Usage(format!("cannot read {name}: {e}")))?
    };
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let at = e.path().to_string();
        CliError::Usage(format!(
            "{name} is not {what}: at `{at}`: {}",
            e.into_inner()
        ))
    })
}
