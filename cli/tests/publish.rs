//! Deleting, publishing and withdrawing: the same commands, answers and
//! queries for every resource.

use serde_json::Value;

use crate::support::*;
use crate::Cli;

/// Each resource: the noun in its commands, its path prefix, and the name of
/// its id in the query.
const RESOURCES: [(&str, &str, &str); 3] = [
    ("benchmark", "/benchmarks", "benchmark_id"),
    ("artifact", "/artifacts", "artifact_id"),
    ("episode", "/episodes", "episode_id"),
];

#[test]
fn delete_publish_unpublish_benchmarks_artifacts_and_episodes() {
    let cli = Cli::logged_in();
    for (noun, path, id) in RESOURCES {
        let (human, json) = cli.both(
            delete(&format!("{path}/delete")).query(id, ID),
            Value::Null,
            &[&format!("delete-{noun}"), ID],
        );
        assert_eq!(
            (human, json),
            (format!("Deleted {noun} {ID}.\n"), String::new())
        );

        let publish = format!("publish-{noun}");
        // Without --in: the global group.
        let (human, json) = cli.both(
            put(&format!("{path}/publish"))
                .query(id, ID)
                .query("publish_in", "global"),
            Value::Null,
            &[&publish, ID],
        );
        assert_eq!(
            (human, json),
            (format!("Published {noun} {ID} in global.\n"), String::new())
        );
        let (human, json) = cli.both(
            put(&format!("{path}/publish"))
                .query(id, ID)
                .query("publish_in", GROUP),
            Value::Null,
            &[&publish, ID, "--in", GROUP],
        );
        assert_eq!(
            (human, json),
            (
                format!("Published {noun} {ID} in {GROUP}.\n"),
                String::new()
            )
        );

        let unpublish = format!("unpublish-{noun}");
        let (human, json) = cli.both(
            put(&format!("{path}/unpublish"))
                .query(id, ID)
                .query("unpublish_from", GROUP),
            Value::Null,
            &[&unpublish, ID, "--from", GROUP],
        );
        assert_eq!(
            (human, json),
            (
                format!("Withdrew {noun} {ID} from {GROUP}.\n"),
                String::new()
            )
        );
        // --from is required.
        cli.run(&[&unpublish, ID]).fails(2);
    }
    cli.done();
}
