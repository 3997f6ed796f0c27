//! The files themselves: pytupli's layout, fields, order and formatting.

use bytes::Bytes;
use serde_json::{json, Map};
use tupli::models::{Episode, RlTuple};
use tupli::prelude::*;

use super::{artifact, benchmark, files_under, storage};

/// `created_at` as `datetime.now().isoformat()` writes it.
fn assert_isoformat(text: &str) {
    let (seconds, micros) = text.split_once('.').unwrap_or((text, "000001"));
    let b = seconds.as_bytes();
    assert_eq!(b.len(), 19, "{text}");
    for (i, c) in b.iter().enumerate() {
        match i {
            4 | 7 => assert_eq!(*c, b'-', "{text}"),
            10 => assert_eq!(*c, b'T', "{text}"),
            13 | 16 => assert_eq!(*c, b':', "{text}"),
            _ => assert!(c.is_ascii_digit(), "{text}"),
        }
    }
    assert!(micros.len() == 6 && micros.bytes().all(|c| c.is_ascii_digit()));
}

#[tokio::test]
async fn a_benchmark_file_is_written_as_pytupli_writes_it() {
    let (dir, storage) = storage();
    let header = storage.store_benchmark(&benchmark("h1")).await.unwrap();
    assert_isoformat(&header.created_at);
    let text =
        std::fs::read_to_string(dir.path().join(format!("benchmarks/{}.json", header.id))).unwrap();
    let expected = r#"{
  "id": "ID",
  "created_by": "local_storage",
  "published_in": [
    "local_storage"
  ],
  "created_at": "AT",
  "hash": "h1",
  "metadata": {
    "name": "bench h1",
    "description": "made by the storage suite",
    "difficulty": "easy",
    "version": null,
    "extra": {
      "level": 3,
      "tags": [
        "a",
        "\u00fc"
      ]
    }
  },
  "serialized": "{\"env\":\"h1\"}"
}"#
    .replace("ID", &header.id)
    .replace("AT", &header.created_at);
    assert_eq!(text, expected);
}

#[tokio::test]
async fn an_artifact_is_its_bytes_and_a_metadata_file() {
    let (dir, storage) = storage();
    let item = storage
        .store_artifact(Bytes::from_static(b"abc"), &artifact("a.txt"))
        .await
        .unwrap();
    assert_eq!(
        files_under(dir.path()),
        [
            format!("artifacts/{}", item.id),
            format!("artifacts/{}.metadata.json", item.id)
        ]
    );
    assert_eq!(
        std::fs::read(dir.path().join(format!("artifacts/{}", item.id))).unwrap(),
        b"abc"
    );
    let text = std::fs::read_to_string(
        dir.path()
            .join(format!("artifacts/{}.metadata.json", item.id)),
    )
    .unwrap();
    let expected = r#"{
  "name": "a.txt",
  "description": "an artifact",
  "benchmark_id": null,
  "extra": {
    "source": "suite"
  },
  "id": "ID",
  "created_by": "local_storage",
  "published_in": [
    "local_storage"
  ],
  "created_at": "AT",
  "hash": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  "encoding": "utf-8"
}"#
    .replace("ID", &item.id)
    .replace("AT", &item.created_at);
    assert_eq!(text, expected);
}

#[tokio::test]
async fn an_episode_file_keeps_floats_and_integers_apart() {
    let (dir, storage) = storage();
    let bench = storage.store_benchmark(&benchmark("e")).await.unwrap();
    let episode = Episode {
        benchmark_id: bench.id.clone(),
        metadata: Map::from_iter([("note".to_string(), json!("é"))]),
        tuples: vec![RlTuple {
            state: vec![1e-7, 1e16, -0.0].into(),
            action: json!(2).into(),
            reward: 0.5.into(),
            info: Map::new(),
            terminal: false,
            timeout: true,
        }],
    };
    let header = storage.record_episode(&episode).await.unwrap();
    assert!(header.timeout && !header.terminated);
    let text =
        std::fs::read_to_string(dir.path().join(format!("episodes/{}.json", header.id))).unwrap();
    let expected = r#"{
  "id": "ID",
  "created_by": "local_storage",
  "published_in": [
    "local_storage"
  ],
  "created_at": "AT",
  "benchmark_id": "BENCH",
  "metadata": {
    "note": "\u00e9"
  },
  "n_tuples": 1,
  "terminated": false,
  "timeout": true,
  "tuples": [
    {
      "state": [
        1e-07,
        1e+16,
        -0.0
      ],
      "action": 2,
      "reward": 0.5,
      "info": {},
      "terminal": false,
      "timeout": true
    }
  ]
}"#
    .replace("BENCH", &bench.id)
    .replace("ID", &header.id)
    .replace("AT", &header.created_at);
    assert_eq!(text, expected);
}
