//! Reading and writing bodies as they travel: multipart uploads, and JSON as
//! Python writes it.

use httpmock::HttpMockRequest;
use serde_json::Value;

/// The parts of a `multipart/form-data` request: (headers, content).
pub fn multipart_parts(req: &HttpMockRequest) -> Vec<(String, Vec<u8>)> {
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let boundary = content_type
        .split("boundary=")
        .nth(1)
        .expect("a multipart boundary")
        .trim_matches('"');
    let delimiter = format!("\r\n--{boundary}");
    // Prefix CRLF so the first delimiter looks like the others.
    let body = [b"\r\n".as_slice(), req.body_ref()].concat();
    let mut parts = Vec::new();
    let mut rest = body.as_slice();
    while let Some(start) = find(rest, delimiter.as_bytes()) {
        rest = &rest[start + delimiter.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let rest_part = rest
            .strip_prefix(b"\r\n".as_slice())
            .expect("CRLF after boundary");
        let end = find(rest_part, delimiter.as_bytes()).expect("closing boundary");
        let part = &rest_part[..end];
        let split = find(part, b"\r\n\r\n").expect("part headers");
        let headers = String::from_utf8(part[..split].to_vec()).unwrap();
        parts.push((headers, part[split + 4..].to_vec()));
        rest = &rest_part[end..];
    }
    parts
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// JSON as Python's `json.dumps` writes it (non-ASCII as `\u` escapes), as
/// the server does for the `x-metadata` header.
pub fn ascii_json(value: &Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}
