//! Compile-time guarantees: the client is shareable across tasks and every
//! operation's future can be spawned on a multi-threaded runtime.

use tupli::models::{
    ArtifactMetadata, ArtifactMetadataItem, BenchmarkQuery, Episode, Group, GroupMembershipQuery,
    UserRole,
};
use tupli::prelude::*;
use tupli::{EpisodeHeaderStream, EpisodeStream, Error, Filter, Tokens, TupliApiClient};

fn shareable<T: Clone + Send + Sync + 'static>() {}
/// A future (or a [`tupli::Transfer`]: its `.into_future()`) that can be spawned.
fn spawnable<F: std::future::IntoFuture<IntoFuture: Send>>(_: F) {}
/// A stream that can be moved to another task and polled without pinning.
fn movable_stream<S: futures::Stream + Send + Unpin + 'static>() {}

#[test]
fn public_types_are_send_sync() {
    shareable::<TupliApiClient>();
    shareable::<Tokens>();
    shareable::<Filter>();
    fn error_is_std_error<E: std::error::Error + Send + Sync + 'static>() {}
    error_is_std_error::<Error>();
    movable_stream::<EpisodeStream>();
    movable_stream::<EpisodeHeaderStream>();
}

#[allow(dead_code, clippy::too_many_arguments)]
fn futures_are_send(
    c: TupliApiClient,
    group: Group,
    members: GroupMembershipQuery,
    role: UserRole,
    benchmark: BenchmarkQuery,
    metadata: ArtifactMetadata,
    item: ArtifactMetadataItem,
    episode: Episode,
    filter: Filter,
    mut writer: Vec<u8>,
) {
    spawnable(c.signup("u", "p"));
    spawnable(c.login("u", "p"));
    spawnable(c.list_users());
    spawnable(c.change_password("u", "p"));
    spawnable(c.delete_user("u"));
    spawnable(c.create_group(&group));
    spawnable(c.list_groups());
    spawnable(c.read_group("g"));
    spawnable(c.delete_group("g"));
    spawnable(c.add_group_members(&members));
    spawnable(c.remove_group_members(&members));
    spawnable(c.list_roles());
    spawnable(c.create_role(&role));
    spawnable(c.delete_role("r"));
    spawnable(c.store_benchmark(&benchmark));
    spawnable(c.load_benchmark("b"));
    spawnable(c.list_benchmarks(&filter));
    spawnable(c.delete_benchmark("b"));
    spawnable(c.publish_benchmark("b", tupli::GLOBAL_GROUP));
    spawnable(c.unpublish_benchmark("b", "g"));
    spawnable(c.store_artifact(Vec::new().into(), &metadata));
    spawnable(c.store_artifact_from_path(std::path::Path::new("a.bin"), &metadata));
    spawnable(c.store_artifact_from_reader(|| std::io::Cursor::new(Vec::new()), 0, &metadata));
    spawnable(c.store_artifact(Vec::new().into(), &metadata).progress(()));
    spawnable(c.load_artifact("a"));
    spawnable(c.load_artifact_with(&item));
    spawnable(c.download_artifact_to("a", &mut writer));
    spawnable(c.download_artifact_to_path("a", std::path::Path::new("a.bin")));
    spawnable(c.list_artifacts(&tupli::Filter::all()));
    spawnable(c.delete_artifact("a"));
    spawnable(c.publish_artifact("a", tupli::GLOBAL_GROUP));
    spawnable(c.unpublish_artifact("a", "g"));
    spawnable(c.record_episode(&episode));
    spawnable(c.publish_episode("e", tupli::GLOBAL_GROUP));
    spawnable(c.unpublish_episode("e", "g"));
    spawnable(c.list_episodes(&filter, true));
    spawnable(c.list_episode_headers(&tupli::Filter::all()));
    spawnable(c.list_episode_items(&tupli::Filter::all()));
    spawnable(c.stream_episodes(&filter));
    spawnable(c.stream_episode_headers(&filter));
    spawnable(c.delete_episode("e"));
}
