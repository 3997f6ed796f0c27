//! JWT-shaped tokens.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{json, Value};

/// A JWT with `payload` (unsigned: the client never checks signatures, only
/// reads the payload).
pub fn jwt(payload: Value) -> String {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        enc.encode(payload.to_string())
    )
}

/// A token of `user` that expires `exp_from_now` seconds from now (negative: expired).
pub fn jwt_expiring(user: &str, exp_from_now: i64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    jwt(json!({"issuer": user, "exp": now + exp_from_now}))
}
