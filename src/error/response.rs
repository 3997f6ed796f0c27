//! Reading a server's answer into an [`Error`]: its body (capped), its
//! `Retry-After`, its `detail`.

use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, RETRY_AFTER};

use super::{Detail, Error};

/// The longest error body read; the rest of a longer one is dropped.
pub(super) const MAX_ERROR_BODY: usize = 1 << 20;

impl Error {
    /// Reads an error answer obtained outside this client (e.g. a raw
    /// `reqwest` call to the same server) into an [`Error`]: the status and
    /// the server's `detail`. At most 1 MiB of the body is read.
    pub async fn from_response(mut response: reqwest::Response) -> Self {
        let retry_after = retry_after(response.headers());
        let status = response.status();
        match read_capped(&mut response, MAX_ERROR_BODY).await {
            Ok((body, _)) if !status.is_success() => Error::Api {
                status,
                detail: Detail::parse(&body),
                retry_after,
            },
            Ok((body, _)) => {
                Error::decode(&body, ".".into(), format!("unexpected status {status}"))
            }
            Err(e) => e.into(),
        }
    }
}

/// `Retry-After`: seconds, or an HTTP date (counted from now; a past date
/// is no wait). Anything else is ignored.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Reads at most `cap` bytes of a body; `complete` is false when more followed.
pub(super) async fn read_capped(
    response: &mut reqwest::Response,
    cap: usize,
) -> reqwest::Result<(Bytes, bool)> {
    let mut buf = BytesMut::new();
    while let Some(chunk) = response.chunk().await? {
        let room = cap.saturating_sub(buf.len());
        if chunk.len() > room {
            buf.extend_from_slice(chunk.get(..room).unwrap_or_default());
            return Ok((buf.freeze(), false));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok((buf.freeze(), true))
}
