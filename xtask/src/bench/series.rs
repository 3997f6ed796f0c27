//! The runner of repeated runs: every program's step taken in turns, round
//! after round, and the min/median/max of each figure over its runs.

use anyhow::{Context, Result};
use serde_json::{json, Value};

use super::measured::Run;

/// One program's measurement, run once per call.
pub(super) type Step<'a> = Box<dyn FnMut() -> Result<Run> + 'a>;

/// Runs every step once per round, in turns (A B C A B C …), for `runs`
/// rounds; the runs of each step, in its order.
pub(super) fn interleave(runs: usize, mut steps: Vec<(String, Step<'_>)>) -> Result<Vec<Series>> {
    let mut series: Vec<Series> = steps
        .iter()
        .map(|(label, _)| Series {
            label: label.clone(),
            runs: Vec::with_capacity(runs),
        })
        .collect();
    for round in 1..=runs {
        for ((label, step), series) in steps.iter_mut().zip(&mut series) {
            let run = step().with_context(|| format!("{label} (run {round} of {runs})"))?;
            eprintln!(
                "  {round}/{runs} {label:<50} CPU {:>8.3} s  wall {:>8.3} s  RSS {:>6.0} MB",
                run.cpu,
                run.wall,
                run.rss / 1e6
            );
            series.runs.push(run);
        }
    }
    Ok(series)
}

/// Smallest, median and largest of some figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Stat {
    /// The smallest.
    pub(super) min: f64,
    /// The median.
    pub(super) median: f64,
    /// The largest.
    pub(super) max: f64,
}

impl Stat {
    /// Of at least one value (an even count's median is the mean of the two
    /// middle ones).
    pub(super) fn of(values: impl IntoIterator<Item = f64>) -> Stat {
        let mut v: Vec<f64> = values.into_iter().collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        if n == 0 {
            return Stat {
                min: f64::NAN,
                median: f64::NAN,
                max: f64::NAN,
            };
        }
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Stat {
            min: v[0],
            median,
            max: v[n - 1],
        }
    }

    pub(super) fn json(&self) -> Value {
        json!({"min": self.min, "median": self.median, "max": self.max})
    }
}

/// Every run of one program.
pub(super) struct Series {
    /// What the program does, as the table says it.
    pub(super) label: String,
    /// Its runs, in order.
    pub(super) runs: Vec<Run>,
}

impl Series {
    pub(super) fn cpu(&self) -> Stat {
        Stat::of(self.runs.iter().map(|r| r.cpu))
    }

    pub(super) fn wall(&self) -> Stat {
        Stat::of(self.runs.iter().map(|r| r.wall))
    }

    pub(super) fn rss(&self) -> Stat {
        Stat::of(self.runs.iter().map(|r| r.rss))
    }

    pub(super) fn json(&self) -> Value {
        json!({
            "label": self.label,
            "runs": self.runs.len(),
            "cpu_s": self.cpu().json(),
            "wall_s": self.wall().json(),
            "peak_rss_bytes": self.rss().json(),
            "per_run": self.runs.iter().map(|r| json!({
                "cpu_s": r.cpu, "wall_s": r.wall, "peak_rss_bytes": r.rss,
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cpu: f64, wall: f64, rss: f64) -> Run {
        Run::parse(json!({"user": cpu, "sys": 0.0, "wall": wall, "peak_rss": rss, "count": 1}))
            .unwrap()
    }

    #[test]
    fn stats_are_per_figure() {
        assert_eq!(
            Stat::of([3.0, 1.0, 2.0]),
            Stat {
                min: 1.0,
                median: 2.0,
                max: 3.0
            }
        );
        assert_eq!(Stat::of([4.0, 1.0, 2.0, 3.0]).median, 2.5);
        let s = Series {
            label: "x".into(),
            runs: vec![run(1.0, 9.0, 5.0), run(2.0, 8.0, 4.0), run(3.0, 7.0, 6.0)],
        };
        assert_eq!(s.cpu().median, 2.0);
        assert_eq!(s.wall().median, 8.0);
        assert_eq!(s.rss().median, 5.0);
        assert_eq!(s.json()["per_run"].as_array().unwrap().len(), 3);
    }

    #[test]
    fn steps_take_turns_and_errors_name_the_run() {
        let order = std::cell::RefCell::new(Vec::new());
        let step = |name: &'static str| -> Step<'_> {
            let order = &order;
            Box::new(move || {
                order.borrow_mut().push(name);
                Ok(run(1.0, 1.0, 1.0))
            })
        };
        let series = interleave(3, vec![("a".into(), step("a")), ("b".into(), step("b"))]).unwrap();
        assert_eq!(*order.borrow(), ["a", "b", "a", "b", "a", "b"]);
        assert_eq!(series[1].runs.len(), 3);
        let mut calls = 0;
        let failing: Step = Box::new(|| {
            calls += 1;
            if calls == 2 {
                anyhow::bail!("broken")
            }
            Ok(run(1.0, 1.0, 1.0))
        });
        let error = interleave(3, vec![("c".into(), failing)]).err().unwrap();
        assert!(format!("{error:#}").contains("c (run 2 of 3): broken"));
    }
}
