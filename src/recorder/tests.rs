//! Unit tests of the recorder's pieces; the behaviour as a whole is tested in
//! `tests/recorder/`.

use std::time::Duration;

use serde_json::{Map, Value};

use super::input::episode_key;
use super::lookup::may_have_arrived;
use super::{EpisodeRecorder, FailedEpisode, RecorderBuilder, RecorderReport};
use crate::error::Error;
use crate::models::RlTuple;
use crate::storage::identity::EPISODE_KEY;
use crate::validate;

#[test]
fn the_recorder_and_its_report_cross_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<EpisodeRecorder>();
    send_sync::<RecorderBuilder>();
    send_sync::<RecorderReport>();
    send_sync::<FailedEpisode>();
}

#[test]
fn keys_are_made_once_and_given_keys_kept() {
    let mut metadata = Map::new();
    let (key, given) = episode_key(&mut metadata).unwrap();
    assert!(!given);
    assert_eq!(key.len(), 32);
    assert!(key.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(metadata[EPISODE_KEY], Value::String(key.clone()));
    assert_eq!(episode_key(&mut metadata).unwrap(), (key, true));
    for bad in [Value::from(7), Value::String(" ".into()), Value::Null] {
        let mut metadata = Map::from_iter([(EPISODE_KEY.to_string(), bad.clone())]);
        assert!(episode_key(&mut metadata).is_err(), "{bad}");
    }
}

#[test]
fn non_finite_values_are_named() {
    let tuple = RlTuple::new(vec![0.0, f64::NAN], 1.0, 0.0);
    let error = validate::tuple(4, &tuple).unwrap_err().to_string();
    assert!(error.contains("step 4: state[1] is NaN"), "{error}");
    let tuple = RlTuple::new(vec![0.0], 1.0, f64::NEG_INFINITY);
    let error = validate::tuple(0, &tuple).unwrap_err().to_string();
    assert!(error.contains("reward is NaN or infinite"), "{error}");
}

#[test]
fn errors_are_shown_with_their_sources_once() {
    let error = Error::from(std::io::Error::other("disk full"));
    assert_eq!(error.with_sources(), "I/O error: disk full");
}

#[test]
fn refused_answers_did_not_arrive() {
    let api = |status: u16| Error::Api {
        status: reqwest::StatusCode::from_u16(status).unwrap(),
        detail: crate::Detail::Empty,
        retry_after: None,
    };
    assert!(may_have_arrived(&api(500)));
    assert!(may_have_arrived(&api(504)));
    assert!(!may_have_arrived(&api(404)));
    assert!(!may_have_arrived(&api(422)));
    assert!(!may_have_arrived(&api(429)));
    let too_long = |status| Error::RetryAfterTooLong {
        retry_after: Duration::from_secs(600),
        allowed: Duration::from_secs(120),
        source: Box::new(api(status)),
    };
    assert!(may_have_arrived(&too_long(503)));
    assert!(!may_have_arrived(&too_long(429)));
    assert!(!may_have_arrived(&Error::invalid("x", "y")));
}
