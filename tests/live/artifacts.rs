//! Artifacts: every byte value, 20 MiB, through memory and files.

use serde_json::{json, Map};
use tupli::models::ArtifactMetadata;
use tupli::prelude::*;
use tupli::Filter;

use crate::{admin, unique};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn artifacts_round_trip_every_byte_and_20_mib() {
    let admin = admin().await;
    let every_byte: Vec<u8> = (0..=255u8).cycle().take(256 * 17).collect();
    let big: Vec<u8> = (0..20 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for (label, mut data) in [("every byte Größe", every_byte), ("20 MiB", big)] {
        let name = unique(label);
        // The server deduplicates a user's uploads by content: make it new.
        data.extend_from_slice(name.as_bytes());
        let item = admin
            .store_artifact(
                data.clone().into(),
                &ArtifactMetadata {
                    name: name.clone(),
                    description: "live".into(),
                    benchmark_id: None,
                    extra: Map::from_iter([("label".to_string(), json!(label))]),
                },
            )
            .await
            .unwrap();
        assert_eq!(item.hash, tupli::artifact_hash(&data, "admin"));
        // The rule the client reports is the real server's.
        assert_eq!(item.hash, admin.artifact_hash().of(&data, &item.created_by));
        let listed = admin
            .list_artifacts(&Filter::eq("name", name.clone()))
            .await
            .unwrap();
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(listed[0].id, item.id);

        let loaded = admin.load_artifact(&item.id).await.unwrap();
        assert!(loaded[..] == data[..], "{label}: download differs");
        let again = admin.load_artifact_with(&listed[0]).await.unwrap();
        assert!(
            again[..] == data[..],
            "{label}: load_artifact_with differs ({} bytes of {})",
            again.len(),
            data.len()
        );

        // Streamed both ways through files.
        let dir = tempfile::tempdir().unwrap();
        let (source, target) = (dir.path().join("up.bin"), dir.path().join("down.bin"));
        std::fs::write(&source, &data).unwrap();
        let again_item = admin
            .store_artifact_from_path(
                &source,
                &ArtifactMetadata {
                    name: name.clone(),
                    description: String::new(),
                    benchmark_id: None,
                    extra: Map::new(),
                },
            )
            .await
            .unwrap();
        assert_eq!(
            again_item.id, item.id,
            "same bytes, same user: the same record"
        );
        let downloaded = admin
            .download_artifact_to_path(&item.id, &target)
            .await
            .unwrap();
        assert_eq!(downloaded.hash, item.hash);
        assert!(std::fs::read(&target).unwrap() == data);

        admin
            .publish_artifact(&item.id, tupli::GLOBAL_GROUP)
            .await
            .unwrap();
        let published = admin
            .list_artifacts(&Filter::eq("id", item.id.clone()))
            .await
            .unwrap();
        assert!(published[0].published_in.iter().any(|g| g == "global"));
        admin.unpublish_artifact(&item.id, "global").await.unwrap();
        admin.delete_artifact(&item.id).await.unwrap();
        assert!(admin
            .list_artifacts(&Filter::eq("id", item.id.clone()))
            .await
            .unwrap()
            .is_empty());
    }
}
