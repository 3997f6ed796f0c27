//! Groups with awkward names, and their members.

use tupli::models::{Group, GroupMembership, GroupMembershipQuery};

use crate::{admin, unique, TestUser};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn groups_with_awkward_names_and_members() {
    let admin = admin().await;
    let member = TestUser::new("member").await;
    for prefix in ["R&D team", "a+b", "#hash", "sp ace", "ümlaut/ß"] {
        let name = unique(prefix);
        let group = admin
            .create_group(&Group {
                name: name.clone(),
                description: Some("live".into()),
            })
            .await
            .unwrap();
        assert_eq!(group.name, name);
        assert!(admin
            .list_groups()
            .await
            .unwrap()
            .iter()
            .any(|g| g.name == name));

        let after_add = admin
            .add_group_members(&GroupMembershipQuery {
                group_name: name.clone(),
                members: vec![GroupMembership {
                    user: member.name.clone(),
                    roles: Some(vec!["member".into()]),
                }],
            })
            .await
            .unwrap();
        assert!(after_add.members.contains(&member.name), "{after_add:?}");
        let read = admin.read_group(&name).await.unwrap();
        assert_eq!(read.name, name);
        assert!(read.members.contains(&member.name));

        let after_remove = admin
            .remove_group_members(&GroupMembershipQuery {
                group_name: name.clone(),
                members: vec![GroupMembership {
                    user: member.name.clone(),
                    roles: None,
                }],
            })
            .await
            .unwrap();
        assert!(
            !after_remove.members.contains(&member.name),
            "{after_remove:?}"
        );

        admin.delete_group(&name).await.unwrap();
        let err = admin.read_group(&name).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
    }
    member.delete(&admin).await;
}
