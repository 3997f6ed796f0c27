//! The printed table: sections, baseline rows, one row per program with its
//! median [min–max] figures, and notes.

use super::series::{Series, Stat};

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
pub(super) struct Table {
    lines: Vec<Line>,
}

impl Table {
    pub(super) fn section(&mut self, title: &str) {
        self.lines.push(Line::Section(title.to_string()));
    }

    /// A program's row; `baseline`: the median peak RSS of its side's
    /// baseline process, for the net figure.
    pub(super) fn row(&mut self, series: &Series, baseline: Option<f64>) {
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
    pub(super) fn baseline(&mut self, series: &Series) {
        self.lines.push(Line::Baseline {
            label: series.label.clone(),
            rss: series.rss(),
        });
    }

    pub(super) fn note(&mut self, text: &str) {
        self.lines.push(Line::Note(text.to_string()));
    }

    pub(super) fn render(&self, runs: usize) -> String {
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
