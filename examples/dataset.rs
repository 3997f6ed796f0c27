//! From stored episodes to training arrays: select the episodes of some
//! benchmarks, read them into D4RL-named columns, draw shuffled minibatches,
//! and write the same selection to a Parquet file for Python.
//!
//! Run against a server with data (e.g. after `cargo xtask demo`):
//! `TUPLI_URL=… cargo run --example dataset --features parquet`.

use tupli::dataset::{Dataset, Format};
use tupli::{Filter, TupliApiClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = TupliApiClient::new()?;
    let user = std::env::var("TUPLI_USER").unwrap_or_else(|_| "admin".into());
    let password = std::env::var("TUPLI_PASSWORD").unwrap_or_else(|_| "pytupli".into());
    client.login(&user, &password).await?;

    let data = Dataset::new(client.clone())
        .with_benchmark_filter(Filter::ne("metadata.name", "scratch"))
        .with_tuple_filter(|tuple| !tuple.timeout);
    let headers = data.preview().await?;
    println!("{} episodes selected", headers.len());

    let columns = data.columns().await?;
    println!(
        "{} rows: observations {}×{}, actions {}×{}",
        columns.len(),
        columns.observations().len(),
        columns.obs_dim(),
        columns.actions().len(),
        columns.act_dim()
    );
    if let Some(batch) = columns.minibatches(256, 42).next() {
        println!("a minibatch of {} rows", batch.rows.len());
    }

    let summary = data
        .export(Format::Parquet)
        .to_path("episodes.parquet")
        .await?;
    println!(
        "wrote {} tuples to {}",
        summary.tuples,
        summary.path.display()
    );
    Ok(())
}
