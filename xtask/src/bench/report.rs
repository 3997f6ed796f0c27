//! The bench's figures: runs taken in turns, min/median/max of each figure,
//! the printed table, and the goals.

use anyhow::{Context, Result};
use serde_json::{json, Value};

use super::Run;

/// One program's measurement, run once per call.
pub type Step<'a> = Box<dyn FnMut() -> Result<Run> + 'a>;

/// Runs every step once per round, in turns (A B C A B C …), for `runs`
/// rounds; the runs of each step, in its order.
pub fn interleave(runs: usize, mut steps: Vec<(String, Step<'_>)>) -> Result<Vec<Series>> {
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
pub struct Stat {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Stat {
    /// Of at least one value (an even count's median is the mean of the two
    /// middle ones).
    pub fn of(values: impl IntoIterator<Item = f64>) -> Stat {
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

    pub fn json(&self) -> Value {
        json!({"min": self.min, "median": self.median, "max": self.max})
    }
}

/// Every run of one program.
pub struct Series {
    pub label: String,
    pub runs: Vec<Run>,
}

impl Series {
    pub fn cpu(&self) -> Stat {
        Stat::of(self.runs.iter().map(|r| r.cpu))
    }

    pub fn wall(&self) -> Stat {
        Stat::of(self.runs.iter().map(|r| r.wall))
    }

    pub fn rss(&self) -> Stat {
        Stat::of(self.runs.iter().map(|r| r.rss))
    }

    pub fn json(&self) -> Value {
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

enum Line {
    Section(String),
    /// A process that does nothing measured: its peak RSS only.
    Baseline {
        label: String,
        rss: Stat,
    },
    Row {
        label: String,
        cpu: Stat,
        wall: Stat,
        rss: Stat,
        /// Median peak RSS less the baseline process's.
        net: Option<f64>,
    },
    Note(String),
}

/// The printed table, built section by section.
#[derive(Default)]
pub struct Table {
    lines: Vec<Line>,
}

impl Table {
    pub fn section(&mut self, title: &str) {
        self.lines.push(Line::Section(title.to_string()));
    }

    /// A program's row; `baseline`: the median peak RSS of its side's
    /// baseline process, for the net figure.
    pub fn row(&mut self, series: &Series, baseline: Option<f64>) {
        let rss = series.rss();
        self.lines.push(Line::Row {
            label: series.label.clone(),
            cpu: series.cpu(),
            wall: series.wall(),
            rss,
            net: baseline.map(|b| rss.median - b),
        });
    }

    /// A baseline process's row: what it carries before any operation.
    pub fn baseline(&mut self, series: &Series) {
        self.lines.push(Line::Baseline {
            label: series.label.clone(),
            rss: series.rss(),
        });
    }

    pub fn note(&mut self, text: &str) {
        self.lines.push(Line::Note(text.to_string()));
    }

    pub fn render(&self, runs: usize) -> String {
        let mut out = format!(
            "{:<52} {:>25} {:>25} {:>17} {:>8}\n",
            format!("median [min–max] of {runs} run(s)"),
            "CPU s",
            "wall s",
            "peak RSS MB",
            "net MB"
        );
        for line in &self.lines {
            match line {
                Line::Section(title) => out.push_str(&format!("{title}\n")),
                Line::Note(text) => out.push_str(&format!("    {text}\n")),
                Line::Baseline { label, rss } => out.push_str(&format!(
                    "  {label:<50} {:>25} {:>25} {:>17}\n",
                    "",
                    "",
                    megabytes(rss)
                )),
                Line::Row {
                    label,
                    cpu,
                    wall,
                    rss,
                    net,
                } => {
                    let seconds = |s: &Stat| format!("{:.3} [{:.3}–{:.3}]", s.median, s.min, s.max);
                    let mb = megabytes(rss);
                    let net = net.map_or(String::new(), |n| format!("{:.0}", n / 1e6));
                    out.push_str(&format!(
                        "  {label:<50} {:>25} {:>25} {mb:>17} {net:>8}\n",
                        seconds(cpu),
                        seconds(wall)
                    ));
                }
            }
        }
        out
    }
}

fn megabytes(rss: &Stat) -> String {
    format!(
        "{:.0} [{:.0}–{:.0}]",
        rss.median / 1e6,
        rss.min / 1e6,
        rss.max / 1e6
    )
}

/// A goal, judged on medians.
pub struct Goal {
    name: String,
    value: f64,
    target: f64,
    kind: Kind,
}

enum Kind {
    AtLeast,
    AtMost,
    /// Met when `value ≥ target`, or else when this value ≥ its target.
    Either {
        value: f64,
        target: f64,
    },
}

impl Goal {
    pub fn at_least(name: &str, value: f64, target: f64) -> Goal {
        Goal {
            name: name.into(),
            value,
            target,
            kind: Kind::AtLeast,
        }
    }

    pub fn at_most(name: &str, value: f64, target: f64) -> Goal {
        Goal {
            name: name.into(),
            value,
            target,
            kind: Kind::AtMost,
        }
    }

    pub fn either(name: &str, value: f64, target: f64, other: f64, other_target: f64) -> Goal {
        Goal {
            name: name.into(),
            value,
            target,
            kind: Kind::Either {
                value: other,
                target: other_target,
            },
        }
    }

    pub fn met(&self) -> bool {
        match self.kind {
            Kind::AtLeast => self.value >= self.target,
            Kind::AtMost => self.value <= self.target,
            Kind::Either { value, target } => self.value >= self.target || value >= target,
        }
    }

    fn describe(&self) -> String {
        let (value, target) = (self.value, short(self.target));
        match self.kind {
            Kind::AtLeast => format!("{value:.3} (goal ≥ {target})"),
            Kind::AtMost => format!("{value:.3} (goal ≤ {target})"),
            Kind::Either {
                value: other,
                target: other_target,
            } => format!(
                "{value:.3} (goal ≥ {target}), or {other:.3} (goal ≥ {})",
                short(other_target)
            ),
        }
    }

    pub fn json(&self) -> Value {
        let mut value = json!({
            "goal": self.name, "value": self.value, "target": self.target, "met": self.met(),
        });
        match self.kind {
            Kind::AtLeast => value["at_least"] = json!(true),
            Kind::AtMost => value["at_most"] = json!(true),
            Kind::Either { value: v, target } => {
                value["or_value"] = json!(v);
                value["or_target"] = json!(target);
            }
        }
        value
    }
}

/// A target as written: `20`, `1.2`, `75.6`.
fn short(target: f64) -> String {
    let text = format!("{target:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_string)
}

pub fn render_goals(goals: &[Goal]) -> String {
    if goals.is_empty() {
        return String::new();
    }
    let mut out = String::from("goals, on the medians:\n");
    for goal in goals {
        out.push_str(&format!(
            "  {} {}: {}\n",
            if goal.met() { "met    " } else { "NOT MET" },
            goal.name,
            goal.describe()
        ));
    }
    out
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

    #[test]
    fn a_missing_figure_fails() {
        let error = Run::parse(json!({"user": 1.0, "sys": 0.0, "wall": 1.0, "count": 1}))
            .err()
            .unwrap();
        assert!(error.to_string().contains("peak_rss"));
        assert!(Run::parse(
            json!({"user": 1.0, "sys": null, "wall": 1.0, "peak_rss": 1, "count": 1})
        )
        .is_err());
    }

    #[test]
    fn goals() {
        assert!(Goal::at_least("x", 20.0, 20.0).met());
        assert!(!Goal::at_most("x", 2.1, 2.0).met());
        assert!(Goal::either("x", 0.5, 1.0, 0.9, 0.8).met());
        assert!(!Goal::either("x", 0.5, 1.0, 0.7, 0.8).met());
        assert_eq!(Goal::at_most("x", 1.0, 2.0).json()["met"], json!(true));
        assert_eq!(short(20.0), "20");
        assert_eq!(short(75.604), "75.6");
    }
}
