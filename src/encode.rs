//! Writing an episode as a request body: the floats of every tuple go
//! straight into the buffer with the shortest exact spelling (the formatter
//! serde_json itself uses), with no serializer in between; everything else
//! (names, metadata, `info`, values that are not floats) is written by
//! serde_json. The bytes are exactly what `serde_json::to_vec` writes.

use serde_json::Value;

use crate::models::Episode;
use crate::tuple::{RlTuple, TupleValue};

/// Appends `episode` as JSON to `out`.
pub(crate) fn episode(episode: &Episode, out: &mut Vec<u8>) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"benchmark_id\":");
    serde_json::to_writer(&mut *out, &episode.benchmark_id)?;
    out.extend_from_slice(b",\"metadata\":");
    serde_json::to_writer(&mut *out, &episode.metadata)?;
    out.extend_from_slice(b",\"tuples\":[");
    let mut floats = zmij::Buffer::new();
    for (i, tuple) in episode.tuples.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        self::tuple(tuple, out, &mut floats)?;
    }
    out.extend_from_slice(b"]}");
    Ok(())
}

fn tuple(tuple: &RlTuple, out: &mut Vec<u8>, floats: &mut zmij::Buffer) -> serde_json::Result<()> {
    out.extend_from_slice(b"{\"state\":");
    value(&tuple.state, out, floats)?;
    out.extend_from_slice(b",\"action\":");
    value(&tuple.action, out, floats)?;
    out.extend_from_slice(b",\"reward\":");
    value(&tuple.reward, out, floats)?;
    out.extend_from_slice(b",\"info\":");
    if tuple.info.is_empty() {
        out.extend_from_slice(b"{}");
    } else {
        serde_json::to_writer(&mut *out, &tuple.info)?;
    }
    out.extend_from_slice(if tuple.terminal {
        b",\"terminal\":true"
    } else {
        b",\"terminal\":false"
    });
    out.extend_from_slice(if tuple.timeout {
        b",\"timeout\":true}"
    } else {
        b",\"timeout\":false}"
    });
    Ok(())
}

fn value(
    value: &TupleValue,
    out: &mut Vec<u8>,
    floats: &mut zmij::Buffer,
) -> serde_json::Result<()> {
    match value {
        TupleValue::Floats(values) => {
            out.push(b'[');
            for (i, &f) in values.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                float(f, out, floats);
            }
            out.push(b']');
        }
        TupleValue::Float(f) => float(*f, out, floats),
        TupleValue::Json(json) => serde_json::to_writer(&mut *out, json)?,
    }
    Ok(())
}

/// A float as serde_json writes it: the shortest exact spelling, `null` for
/// what JSON cannot hold (never sent: episodes with NaN or infinities are
/// refused before they are encoded).
fn float(f: f64, out: &mut Vec<u8>, floats: &mut zmij::Buffer) {
    if f.is_finite() {
        out.extend_from_slice(floats.format_finite(f).as_bytes());
    } else {
        out.extend_from_slice(Value::Null.to_string().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Map};

    #[test]
    fn the_bytes_are_serde_jsons() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for round in 0..200 {
            let mut random_float = || {
                let bits = next();
                let f = f64::from_bits(bits);
                if f.is_finite() {
                    f
                } else {
                    -0.0
                }
            };
            let tuples = (0..round % 7 + 1)
                .map(|t| RlTuple {
                    state: (0..round % 5 + 1)
                        .map(|_| random_float())
                        .collect::<Vec<_>>()
                        .into(),
                    action: if t % 2 == 0 {
                        TupleValue::from(random_float())
                    } else {
                        TupleValue::from(json!([1, "a", {"k": [0.5, null]}]))
                    },
                    reward: TupleValue::from(json!(3)),
                    info: if t % 3 == 0 {
                        Map::new()
                    } else {
                        Map::from_iter([("é\"\\n".to_string(), json!([1.5e300, -0.0]))])
                    },
                    terminal: t % 2 == 1,
                    timeout: t % 3 == 2,
                })
                .collect();
            let episode = Episode {
                benchmark_id: format!("b\u{1}\"{round}"),
                metadata: Map::from_iter([("seed".to_string(), json!(round))]),
                tuples,
            };
            let mut ours = Vec::new();
            self::episode(&episode, &mut ours).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&episode).unwrap()
            );
        }
    }
}
