//! Tests of building columns: both layouts, kept tuples, widths, f32, minibatches.

use super::*;
use crate::dataset::convert::Episode;
use crate::error::{Error, Result};

/// An episode of `n` tuples: state `[id, t]`, action `[t]`, reward `t`,
/// the last one terminal or cut off.
fn episode(id: u8, n: usize, timeout: bool) -> Episode {
    let mut e = Episode {
        header: Some(
            serde_json::from_value(
                serde_json::json!({"id": format!("e{id}"), "created_by": "u",
                "created_at": "t", "benchmark_id": "b", "metadata": {}, "n_tuples": n,
                "terminated": !timeout, "timeout": timeout}),
            )
            .unwrap(),
        ),
        ..Episode::default()
    };
    for t in 0..n {
        e.rows.observations.extend([f64::from(id), t as f64]);
        e.rows.actions.push(t as f64);
        e.rows.rewards.push(t as f64);
        e.rows.terminals.push(t + 1 == n && !timeout);
        e.rows.timeouts.push(t + 1 == n && timeout);
    }
    e.rows.obs_width = 2;
    e.rows.act_width = 1;
    e
}

fn build(layout: Layout, episodes: &[Episode]) -> Result<Columns<f64>> {
    let mut builder = ColumnsBuilder::new(layout, 4);
    for e in episodes {
        builder.push(e)?;
    }
    Ok(builder.finish())
}

#[test]
fn next_observations_stay_within_each_episode() {
    let c = build(Layout::D4rl, &[episode(1, 3, false), episode(2, 2, true)]).unwrap();
    assert_eq!(c.len(), 5);
    assert_eq!((c.obs_dim(), c.act_dim()), (2, 1));
    let next: Vec<&[f64]> = c.next_observations().rows().collect();
    // Episode 1's last step repeats its own observation, never episode 2's first.
    assert_eq!(
        next,
        [
            &[1.0, 1.0][..],
            &[1.0, 2.0],
            &[1.0, 2.0],
            &[2.0, 1.0],
            &[2.0, 1.0]
        ]
    );
    assert_eq!(c.terminals(), [false, false, true, false, false]);
    assert_eq!(c.timeouts(), [false, false, false, false, true]);
    assert_eq!(c.steps(), [0, 1, 2, 0, 1]);
    assert_eq!(c.episode_index(), [0, 0, 0, 1, 1]);
    assert_eq!(c.episode_starts(), [0, 3]);
    assert_eq!(c.episodes()[1].id, "e2");
}

#[test]
fn the_pytupli_layout_shifts_across_episodes_and_merges_flags() {
    let c = build(
        Layout::Pytupli,
        &[episode(1, 3, false), episode(2, 2, true)],
    )
    .unwrap();
    let next: Vec<&[f64]> = c.next_observations().rows().collect();
    assert_eq!(
        next,
        [
            &[1.0, 1.0][..],
            &[1.0, 2.0],
            &[2.0, 0.0],
            &[2.0, 1.0],
            &[2.0, 1.0]
        ]
    );
    assert_eq!(c.terminals(), [false, false, true, false, true]);
    assert_eq!(c.timeouts(), [false, false, false, false, true]);
}

#[test]
fn a_kept_tuple_keeps_its_step_and_its_true_successor() {
    let mut e = episode(1, 4, false);
    e.keep = vec![true, false, true, false];
    let c = build(Layout::D4rl, &[e]).unwrap();
    assert_eq!(c.steps(), [0, 2]);
    let next: Vec<&[f64]> = c.next_observations().rows().collect();
    assert_eq!(next, [&[1.0, 1.0][..], &[1.0, 3.0]]);
    let mut none = episode(2, 2, false);
    none.keep = vec![false, false];
    let c = build(Layout::D4rl, &[none, episode(3, 1, false)]).unwrap();
    assert_eq!(c.episodes().len(), 1, "an episode without rows is left out");
    assert_eq!(c.episode_starts(), [0]);
}

#[test]
fn an_episode_of_another_width_is_named() {
    let mut wide = episode(2, 2, false);
    wide.rows.observations = vec![0.0; 6];
    wide.rows.obs_width = 3;
    match build(Layout::D4rl, &[episode(1, 1, false), wide]) {
        Err(Error::Shape {
            episode_id,
            step,
            field,
            reason,
        }) => {
            assert_eq!((episode_id.as_str(), step, field), ("e2", 0, "state"));
            assert!(reason.contains("has 3 values where the dataset's first episode has 2"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn f32_rounds_to_nearest() {
    let mut e = episode(1, 1, false);
    e.rows.observations = vec![0.1, 16_777_217.0];
    let mut builder = ColumnsBuilder::<f32>::new(Layout::D4rl, 1);
    builder.push(&e).unwrap();
    let c = builder.finish();
    assert_eq!(c.observations().values(), [0.1f32, 16_777_216.0]);
}

#[test]
fn minibatches_cover_every_row_once() {
    let c = build(Layout::D4rl, &[episode(1, 5, false), episode(2, 4, true)]).unwrap();
    let batches: Vec<_> = c.minibatches(4, 3).collect();
    assert_eq!(
        batches.iter().map(|b| b.rows.len()).collect::<Vec<_>>(),
        [4, 4, 1]
    );
    let mut rows: Vec<usize> = batches.iter().flat_map(|b| b.rows.clone()).collect();
    rows.sort_unstable();
    assert_eq!(rows, (0..9).collect::<Vec<_>>());
    let b = &batches[0];
    for (i, &r) in b.rows.iter().enumerate() {
        assert_eq!(
            &b.observations[i * 2..i * 2 + 2],
            c.observations().row(r).unwrap()
        );
        assert_eq!(b.rewards[i], c.rewards()[r]);
    }
    assert_eq!(c.minibatches(4, 3).next(), Some(batches[0].clone()));
}
