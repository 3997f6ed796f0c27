//! Tests of the login state: JWT claims (and absurd ones), refresh windows,
//! a refresh token alone, redaction, the API's User.

use std::time::UNIX_EPOCH;

use base64::Engine as _;
use secrecy::SecretString;

use super::tokens::{claims, REFRESH_AHEAD};
use super::*;

fn jwt(payload: &str) -> String {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    format!(
        "{}.{}.sig",
        enc.encode(r#"{"alg":"HS256","typ":"JWT"}"#),
        enc.encode(payload)
    )
}

#[test]
fn reads_exp_and_issuer() {
    let t = Tokens::new(jwt(r#"{"issuer":"ann","exp":2000000000}"#), "r");
    assert_eq!(t.username().as_deref(), Some("ann"));
    assert_eq!(
        t.access_expires_at(),
        Some(UNIX_EPOCH + Duration::from_secs(2_000_000_000))
    );
    assert_eq!(t.refresh_expires_at(), None);
}

#[test]
fn garbage_tokens_have_no_claims() {
    for token in [
        "",
        "a.b.c",
        "x.!!!.y",
        &jwt("[1]"),
        &jwt(r#"{"exp":"soon"}"#),
    ] {
        assert!(
            claims(token).is_none_or(|c| c.expires_at.is_none()),
            "{token}"
        );
    }
}

/// Claims that cannot be a time: the expiry is unknown (never a panic),
/// so no proactive refresh happens and a 401 decides.
#[test]
fn absurd_expiry_claims_count_as_unknown() {
    let enc = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = enc.encode(r#"{"alg":"HS256"}"#);
    let shapes = [
        jwt(r#"{"exp":1e30}"#),
        jwt(r#"{"exp":1.8e19}"#),
        jwt(r#"{"exp":18446744073709551615}"#),
        jwt(r#"{"exp":1e308}"#),
        jwt(r#"{"exp":-1}"#),
        jwt(r#"{"exp":"tomorrow"}"#),
        jwt(r#"{"exp":null}"#),
        jwt(r#"{"issuer":"ann"}"#),
        format!("{header}.!!!.sig"),
        format!("{header}.{}.sig", enc.encode("not json")),
        "only.two".into(),
        "a.b.c.d".into(),
        String::new(),
    ];
    for shape in &shapes {
        let tokens = Tokens::new(shape.clone(), shape.clone());
        assert_eq!(tokens.access_expires_at(), None, "{shape}");
        assert_eq!(tokens.refresh_expires_at(), None, "{shape}");
        let _ = (tokens.username(), format!("{tokens:?}"));
        let handle = AuthHandle::default();
        handle.set(Some(tokens));
        // An empty access token is none at all: refreshed first (see
        // `a_refresh_token_alone_is_refreshed_first`).
        let expected = shape.is_empty().then_some(handle.generation());
        assert_eq!(handle.stale(), expected, "{shape}");
    }
    // Far but representable expiries are kept.
    let far = Tokens::new(jwt(r#"{"exp":253402300799}"#), "r");
    assert!(far.access_expires_at().is_some());
}

#[test]
fn short_lived_tokens_refresh_late_enough_to_be_used() {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let pair = |exp: u64| TokenPair {
        access_token: IssuedToken {
            token: SecretString::from(jwt(&format!(r#"{{"exp":{exp}}}"#))),
        },
        refresh_token: IssuedToken {
            token: SecretString::from("r"),
        },
    };
    let short = Tokens::issued(pair(now + 4)).unwrap();
    assert!(short.refresh_window() <= Duration::from_secs(1));
    let long = Tokens::issued(pair(now + 1800)).unwrap();
    assert_eq!(long.refresh_window(), REFRESH_AHEAD);
    // Handed-in tokens: their lifetime is unknown, so the full window.
    let restored = Tokens::new(jwt(&format!(r#"{{"exp":{}}}"#, now + 4)), "r");
    assert_eq!(restored.refresh_window(), REFRESH_AHEAD);
}

#[test]
fn a_refresh_token_alone_is_refreshed_first() {
    let tokens = Tokens::from_refresh_token("secret-refresh");
    assert_eq!(tokens.access_token().expose_secret(), "");
    assert_eq!(tokens.refresh_token().expose_secret(), "secret-refresh");
    assert!(!format!("{tokens:?}").contains("secret"));
    let handle = AuthHandle::default();
    handle.set(Some(tokens));
    assert_eq!(handle.stale(), Some(handle.generation()));
    // Once refreshed, the new access token is used until it expires.
    handle.set(Some(Tokens::new(jwt(r#"{"exp":4102444800}"#), "r")));
    assert_eq!(handle.stale(), None);
}

#[test]
fn debug_redacts() {
    let t = Tokens::new("secret-access", "secret-refresh");
    let shown = format!("{t:?}");
    assert!(!shown.contains("secret"), "{shown}");
    let c = Credentials::new("ann", "hunter2");
    let shown = format!("{c:?}");
    assert!(
        shown.contains("ann") && !shown.contains("hunter2"),
        "{shown}"
    );
    let pair: TokenPair = serde_json::from_str(
        r#"{"access_token":{"token":"sa","token_type":"bearer"},
            "refresh_token":{"token":"sr","token_type":"bearer"}}"#,
    )
    .unwrap();
    let shown = format!("{pair:?}");
    assert!(!shown.contains("sa") && !shown.contains("sr"), "{shown}");
}

#[test]
fn credentials_serialize_as_the_api_user() {
    let c = Credentials::new("ann", "pw");
    assert_eq!(
        serde_json::to_value(&c).unwrap(),
        serde_json::json!({"username": "ann", "password": "pw"})
    );
}
