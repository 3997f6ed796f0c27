//! Roles: create, list, delete.

use tupli::models::{Right, UserRole};

use crate::{admin, api_status, unique};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn roles_create_list_delete() {
    let admin = admin().await;
    let role = unique("role reader & #1");
    let created = admin
        .create_role(&UserRole {
            role: role.clone(),
            rights: vec![Right::BenchmarkRead, Right::EpisodeRead],
            description: Some("live suite".into()),
        })
        .await
        .unwrap();
    assert_eq!(created.role, role);
    let roles = admin.list_roles().await.unwrap();
    let listed = roles.iter().find(|r| r.role == role).expect("listed");
    assert_eq!(
        listed.rights,
        vec![Right::BenchmarkRead, Right::EpisodeRead]
    );
    let duplicate = admin
        .create_role(&UserRole {
            role: role.clone(),
            rights: vec![],
            description: None,
        })
        .await
        .unwrap_err();
    assert_eq!(api_status(&duplicate), 409);
    admin.delete_role(&role).await.unwrap();
    assert!(!admin
        .list_roles()
        .await
        .unwrap()
        .iter()
        .any(|r| r.role == role));
}
