//! JWT-shaped tokens, and tokens that only look like one.

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

/// Tokens whose expiry cannot be read (a claim that is no time, or no claims
/// at all), and the user each names: (what, access token, user).
pub fn tokens_without_a_usable_expiry() -> Vec<(&'static str, String, Option<&'static str>)> {
    let b64 = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
    let header = b64(r#"{"alg":"HS256","typ":"JWT"}"#);
    vec![
        (
            "exp 1e30",
            jwt(json!({"issuer": "ann", "exp": 1e30})),
            Some("ann"),
        ),
        (
            "exp 1.8e19",
            jwt(json!({"issuer": "ann", "exp": 1.8e19})),
            Some("ann"),
        ),
        (
            "exp -1",
            jwt(json!({"issuer": "ann", "exp": -1})),
            Some("ann"),
        ),
        (
            "exp text",
            jwt(json!({"issuer": "ann", "exp": "tomorrow"})),
            Some("ann"),
        ),
        (
            "exp null",
            jwt(json!({"issuer": "ann", "exp": null})),
            Some("ann"),
        ),
        ("no exp", jwt(json!({"issuer": "ann"})), Some("ann")),
        ("payload not base64", format!("{header}.!!!.sig"), None),
        (
            "payload not JSON",
            format!("{header}.{}.sig", b64("not json")),
            None,
        ),
        (
            "two parts",
            format!("{header}.{}", b64(r#"{"exp":1}"#)),
            None,
        ),
        (
            "four parts",
            format!("{header}.{}.sig.extra", b64(r#"{"exp":1}"#)),
            None,
        ),
    ]
}
