//! A tour of the Tupli API: log in, share through a group, store a benchmark,
//! record and filter episodes, move an artifact both ways, publish, clean up.
//!
//! Run it against a local reference server with `cargo xtask demo`, or against
//! any server with `TUPLI_URL=… TUPLI_USER=… TUPLI_PASSWORD=… cargo run --example tour`.

use serde_json::{json, Map};
use tupli::models::{
    ArtifactMetadata, BenchmarkMetadata, BenchmarkQuery, Episode, Group, GroupMembership,
    GroupMembershipQuery, RlTuple,
};
use tupli::prelude::*;
use tupli::{Filter, TupliApiClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = TupliApiClient::new()?;
    let user = std::env::var("TUPLI_USER").unwrap_or_else(|_| "admin".into());
    let password = std::env::var("TUPLI_PASSWORD").unwrap_or_else(|_| "pytupli".into());
    let run = std::process::id();

    client.login(&user, &password).await?;
    println!("logged in to {} as {user}", client.url());

    let group = client
        .create_group(&Group {
            name: format!("tour team {run}"),
            description: Some("made by examples/tour.rs".into()),
        })
        .await?;
    println!("created group {:?}", group.name);
    // A group's creator may publish into it; withdrawing content needs a role
    // with delete rights there too.
    let group_now = client
        .add_group_members(&GroupMembershipQuery {
            group_name: group.name.clone(),
            members: vec![GroupMembership {
                user: user.clone(),
                roles: Some(vec!["content_admin".into()]),
            }],
        })
        .await?;
    println!("members of {:?}: {:?}", group_now.name, group_now.members);

    let benchmark = client
        .store_benchmark(&BenchmarkQuery {
            hash: format!("tour-{run}"),
            serialized: json!({"env": "MountainCar-v0", "max_steps": 200}).to_string(),
            metadata: BenchmarkMetadata {
                name: format!("mountain car {run}"),
                description: "the tour's benchmark".into(),
                difficulty: Some("easy".into()),
                version: Some("1".into()),
                extra: Map::new(),
            },
        })
        .await?;
    println!(
        "stored benchmark {} ({})",
        benchmark.id, benchmark.metadata.name
    );

    for (policy, steps) in [("random", 3), ("ppo", 5)] {
        let tuples = (0..steps)
            .map(|t| RlTuple {
                terminal: t == steps - 1,
                ..RlTuple::new(vec![-0.5 + 0.01 * t as f64, 0.0], json!(t % 3), -1.0)
            })
            .collect();
        let header = client
            .record_episode(&Episode {
                benchmark_id: benchmark.id.clone(),
                metadata: Map::from_iter([("policy".to_string(), json!(policy))]),
                tuples,
            })
            .await?;
        println!(
            "recorded a {policy} episode of {} tuples: {}",
            header.n_tuples, header.id
        );
    }

    let ppo =
        Filter::eq("benchmark_id", benchmark.id.clone()) & Filter::eq("metadata.policy", "ppo");
    let episodes = client.list_episode_items(&ppo).await?;
    println!(
        "filter benchmark_id & policy=ppo: {} episode(s), first reward {}",
        episodes.len(),
        episodes[0].tuples[0].reward
    );

    let data = b"step,reward\n0,-1.0\n1,-1.0\n".to_vec();
    let artifact = client
        .store_artifact(
            data.clone().into(),
            &ArtifactMetadata {
                name: format!("rewards-{run}.csv"),
                description: "a tiny CSV".into(),
                benchmark_id: Some(benchmark.id.clone()),
                extra: Map::new(),
            },
        )
        .await?;
    let downloaded = client.load_artifact(&artifact.id).await?;
    assert_eq!(downloaded[..], data[..]);
    println!(
        "uploaded and downloaded artifact {} ({} bytes, sha256 verified)",
        artifact.id,
        downloaded.len()
    );

    client.publish_benchmark(&benchmark.id, &group.name).await?;
    let shared = client.load_benchmark(&benchmark.id).await?;
    println!(
        "published the benchmark in {:?}: {:?}",
        group.name, shared.published_in
    );
    client
        .unpublish_benchmark(&benchmark.id, &group.name)
        .await?;
    println!("withdrew it from {:?} again", group.name);

    for episode in client
        .list_episode_headers(&Filter::eq("benchmark_id", benchmark.id.clone()))
        .await?
    {
        client.delete_episode(&episode.id).await?;
    }
    client.delete_artifact(&artifact.id).await?;
    client.delete_benchmark(&benchmark.id).await?;
    client.delete_group(&group.name).await?;
    println!("cleaned up; bye");
    Ok(())
}
