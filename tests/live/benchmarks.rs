//! Benchmarks: storing, loading, filters, visibility by publishing.

use serde_json::json;
use tupli::models::{Group, GroupMembership, GroupMembershipQuery};
use tupli::prelude::*;
use tupli::{Detail, Filter, TupliApiClient};

use crate::{admin, api_status, benchmark, unique, TestUser};

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn benchmarks_store_load_list_filters_delete() {
    let admin = admin().await;
    let tag = unique("bench");
    let easy = admin
        .store_benchmark(&benchmark(&format!("{tag} easy"), "easy"))
        .await
        .unwrap();
    let hard_query = benchmark(&format!("{tag} hard & #+"), "hardest");
    let hard = admin.store_benchmark(&hard_query).await.unwrap();

    // The same hash again, by the same user: a conflict, and no copy.
    let again = admin.store_benchmark(&hard_query).await.unwrap_err();
    assert!(again.is_conflict(), "{again}");
    assert!(matches!(again.detail(), Some(Detail::Message(m)) if m.contains("already exists")));
    let same_hash = Filter::eq("hash", hard.hash.clone());
    assert_eq!(admin.list_benchmarks(&same_hash).await.unwrap().len(), 1);

    let loaded = admin.load_benchmark(&hard.id).await.unwrap();
    assert_eq!(loaded.metadata.name, format!("{tag} hard & #+"));
    assert_eq!(
        loaded.serialized,
        json!({"env": format!("{tag} hard & #+")}).to_string()
    );

    let ids = |list: Vec<tupli::models::BenchmarkHeader>| {
        let mut ids: Vec<String> = list.into_iter().map(|b| b.id).collect();
        ids.sort();
        ids
    };
    let mut both = vec![easy.id.clone(), hard.id.clone()];
    both.sort();
    let mine = Filter::in_(
        "metadata.name",
        [format!("{tag} easy"), format!("{tag} hard & #+")],
    );
    assert_eq!(ids(admin.list_benchmarks(&mine).await.unwrap()), both);
    let only_hard = mine.clone() & Filter::geq("metadata.extra.level", 5);
    assert_eq!(
        ids(admin.list_benchmarks(&only_hard).await.unwrap()),
        vec![hard.id.clone()]
    );
    let by_eq = Filter::eq("metadata.name", format!("{tag} easy"));
    assert_eq!(
        ids(admin.list_benchmarks(&by_eq).await.unwrap()),
        vec![easy.id.clone()]
    );
    let either = by_eq | Filter::eq("metadata.difficulty", "hardest");
    let found = ids(admin
        .list_benchmarks(&(either & mine.clone()))
        .await
        .unwrap());
    assert_eq!(found, both);
    // Everything listed (other tests' objects too, on a shared server): of
    // those named with this test's tag, exactly the two it stored.
    let everything = admin.list_benchmarks(&tupli::Filter::all()).await.unwrap();
    let tagged: Vec<_> = everything
        .into_iter()
        .filter(|b| b.metadata.name.starts_with(&tag))
        .collect();
    assert_eq!(ids(tagged), both);

    admin.delete_benchmark(&easy.id).await.unwrap();
    admin.delete_benchmark(&hard.id).await.unwrap();
    assert!(admin.list_benchmarks(&mine).await.unwrap().is_empty());
    assert!(admin
        .load_benchmark(&hard.id)
        .await
        .unwrap_err()
        .is_not_found());
}

#[tokio::test]
#[ignore = "needs a live server: TUPLI_TEST_URL (run by `cargo xtask test`)"]
async fn benchmark_visibility_follows_publish_and_unpublish() {
    let admin = admin().await;
    let owner = TestUser::new("owner").await;
    let reader = TestUser::new("reader").await;
    let group = unique("share & care");
    owner
        .client
        .create_group(&Group {
            name: group.clone(),
            description: None,
        })
        .await
        .unwrap();
    owner
        .client
        .add_group_members(&GroupMembershipQuery {
            group_name: group.clone(),
            members: vec![GroupMembership {
                user: reader.name.clone(),
                roles: Some(vec!["member".into()]),
            }],
        })
        .await
        .unwrap();
    // Unpublishing needs `benchmark_delete` in the group, which the group's
    // creator does not get by default.
    admin
        .add_group_members(&GroupMembershipQuery {
            group_name: group.clone(),
            members: vec![GroupMembership {
                user: owner.name.clone(),
                roles: Some(vec!["content_admin".into()]),
            }],
        })
        .await
        .unwrap();
    let stored = owner
        .client
        .store_benchmark(&benchmark(&unique("private"), "easy"))
        .await
        .unwrap();
    let by_id = Filter::eq("id", stored.id.clone());
    let visible =
        |c: TupliApiClient, f: Filter| async move { c.list_benchmarks(&f).await.unwrap().len() };

    assert_eq!(visible(reader.client.clone(), by_id.clone()).await, 0);
    // Not visible: PyTupli answers 403 (not 404) for another user's benchmark.
    let not_allowed = |err: tupli::Error| {
        assert_eq!(api_status(&err), 403, "{err:?}");
        assert_eq!(
            err.detail(),
            Some(&Detail::Message(
                "You do not have sufficient permissions for this operation.".into()
            )),
            "{err:?}"
        );
    };
    not_allowed(reader.client.load_benchmark(&stored.id).await.unwrap_err());

    owner
        .client
        .publish_benchmark(&stored.id, &group)
        .await
        .unwrap();
    assert_eq!(visible(reader.client.clone(), by_id.clone()).await, 1);
    let loaded = reader.client.load_benchmark(&stored.id).await.unwrap();
    assert!(loaded.published_in.contains(&group));

    owner
        .client
        .unpublish_benchmark(&stored.id, &group)
        .await
        .unwrap();
    assert_eq!(visible(reader.client.clone(), by_id.clone()).await, 0);
    not_allowed(reader.client.load_benchmark(&stored.id).await.unwrap_err());

    owner.client.delete_benchmark(&stored.id).await.unwrap();
    // Deleting a group needs `group_delete` globally, which sign-ups lack.
    admin.delete_group(&group).await.unwrap();
    owner.delete(&admin).await;
    reader.delete(&admin).await;
}
