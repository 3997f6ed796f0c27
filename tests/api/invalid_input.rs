//! Invalid input is rejected before anything is sent (the catch-all would
//! count any request).

use serde_json::Value;
use tupli::models::{
    ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery, Group, GroupMembership,
    GroupMembershipQuery, UserRole,
};
use tupli::prelude::*;
use tupli::{Error, Filter, TupliApiClient};

use crate::support::*;

macro_rules! assert_invalid {
    ($call:expr, $argument:expr) => {
        match $call.await {
            Err(Error::InvalidInput { argument, .. }) => {
                assert_eq!(argument, $argument, "{}", stringify!($call))
            }
            other => panic!(
                "{}: expected InvalidInput, got {other:?}",
                stringify!($call)
            ),
        }
    };
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let api = Mocked::start_async().await;
    let client = api.logged_in_client().await;
    let null_filter = || Filter::eq("k", Value::Null);
    let group = |name: &str| Group {
        name: name.into(),
        description: None,
    };
    let members = |user: &str, role: &str| GroupMembershipQuery {
        group_name: GROUP.into(),
        members: vec![GroupMembership {
            user: user.into(),
            roles: Some(vec![role.into()]),
        }],
    };
    let role = |name: &str| UserRole {
        role: name.into(),
        description: None,
        rights: vec![],
    };
    let benchmark = |hash: &str, name: &str| BenchmarkQuery {
        hash: hash.into(),
        serialized: "{}".into(),
        metadata: BenchmarkMetadata {
            name: name.into(),
            description: String::new(),
            difficulty: None,
            version: None,
            extra: Default::default(),
        },
    };
    let artifact = |name: &str| ArtifactMetadata {
        name: name.into(),
        description: String::new(),
        benchmark_id: None,
        extra: Default::default(),
    };

    // Users.
    assert_invalid!(client.signup("", PASSWORD), "username");
    assert_invalid!(client.signup("  ", PASSWORD), "username");
    assert_invalid!(client.signup("ann", ""), "password");
    assert_invalid!(client.login("a\0b", PASSWORD), "username");
    assert_invalid!(client.login(USER, "p\0w"), "password");
    assert_invalid!(client.change_password(USER, ""), "password");
    assert_invalid!(client.delete_user(" \t"), "username");
    // Groups and roles.
    assert_invalid!(client.create_group(&group("")), "group.name");
    assert_invalid!(client.create_group(&group("a\0b")), "group.name");
    assert_invalid!(client.read_group("   "), "group_name");
    assert_invalid!(client.delete_group("x\ny"), "group_name");
    assert_invalid!(client.add_group_members(&members("", "r")), "members.user");
    assert_invalid!(
        client.remove_group_members(&members("bob", " ")),
        "members.roles"
    );
    assert_invalid!(client.create_role(&role("")), "role.role");
    assert_invalid!(client.delete_role("\0"), "role_name");
    // Benchmarks.
    assert_invalid!(
        client.store_benchmark(&benchmark("", "n")),
        "benchmark.hash"
    );
    assert_invalid!(
        client.store_benchmark(&benchmark("h", " ")),
        "benchmark.metadata.name"
    );
    assert_invalid!(client.load_benchmark(""), "benchmark_id");
    assert_invalid!(client.list_benchmarks(&null_filter()), "filter");
    assert_invalid!(
        client.list_benchmarks(&Filter::and([Filter::eq("a", 1), Filter::eq("", 2)])),
        "filter"
    );
    assert_invalid!(client.delete_benchmark("a\0"), "benchmark_id");
    assert_invalid!(
        client.publish_benchmark("", tupli::GLOBAL_GROUP),
        "benchmark_id"
    );
    assert_invalid!(client.publish_benchmark(ID, " "), "publish_in");
    assert_invalid!(client.unpublish_benchmark(ID, ""), "unpublish_from");
    // Artifacts.
    assert_invalid!(
        client.store_artifact(b"x".to_vec().into(), &artifact(" ")),
        "metadata.name"
    );
    assert_invalid!(client.load_artifact(""), "artifact_id");
    let mut item = artifact_item("h");
    item.id = "a\0b".into();
    assert_invalid!(client.load_artifact_with(&item), "artifact_id");
    assert_invalid!(client.list_artifacts(&null_filter()), "filter");
    assert_invalid!(client.delete_artifact(" "), "artifact_id");
    assert_invalid!(client.publish_artifact(ID, "g\0"), "publish_in");
    assert_invalid!(client.unpublish_artifact("", GROUP), "artifact_id");
    // Episodes.
    let mut empty = sample_episode();
    empty.tuples.clear();
    assert_invalid!(client.record_episode(&empty), "episode.tuples");
    let mut no_benchmark = sample_episode();
    no_benchmark.benchmark_id = " ".into();
    assert_invalid!(client.record_episode(&no_benchmark), "episode.benchmark_id");
    assert_invalid!(client.list_episodes(&null_filter(), false), "filter");
    assert_invalid!(client.list_episodes(&null_filter(), true), "filter");
    assert_invalid!(client.list_episode_headers(&null_filter()), "filter");
    assert_invalid!(client.list_episode_items(&null_filter()), "filter");
    assert_invalid!(client.delete_episode(""), "episode_id");
    assert_invalid!(
        client.publish_episode("\0", tupli::GLOBAL_GROUP),
        "episode_id"
    );
    assert_invalid!(client.unpublish_episode(ID, "\t"), "unpublish_from");
    // URLs.
    assert_invalid!(async { client.set_url("ftp://x") }, "url");
    assert_invalid!(async { client.set_url("http://user:password@h") }, "url");
    assert_invalid!(
        async { TupliApiClient::with_url("http://user:password@h") },
        "url"
    );
    assert_invalid!(
        async { TupliApiClient::with_url("https://:secret@h") },
        "url"
    );
    assert_eq!(client.url(), api.url());
    assert!(client.is_logged_in());
    api.done_async().await;
}
