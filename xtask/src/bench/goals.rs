//! The goals: each judged on medians, printed after the table and listed in
//! summary.json.

use serde_json::{json, Value};

/// A goal, judged on medians.
pub(super) struct Goal {
    name: String,
    value: f64,
    target: f64,
    kind: Kind,
    /// What this machine allows at best, and how that was measured.
    limit: Option<(f64, String)>,
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
    pub(super) fn at_least(name: &str, value: f64, target: f64) -> Goal {
        Goal {
            name: name.into(),
            value,
            target,
            kind: Kind::AtLeast,
            limit: None,
        }
    }

    pub(super) fn at_most(name: &str, value: f64, target: f64) -> Goal {
        Goal {
            name: name.into(),
            value,
            target,
            kind: Kind::AtMost,
            limit: None,
        }
    }

    pub(super) fn either(
        name: &str,
        value: f64,
        target: f64,
        other: f64,
        other_target: f64,
    ) -> Goal {
        Goal {
            name: name.into(),
            value,
            target,
            kind: Kind::Either {
                value: other,
                target: other_target,
            },
            limit: None,
        }
    }

    /// The same goal, with the best value this machine allows (as measured
    /// in the same run, `how`), for a goal that lies beyond it.
    pub(super) fn with_limit(self, limit: f64, how: &str) -> Goal {
        Goal {
            limit: Some((limit, how.to_string())),
            ..self
        }
    }

    fn met(&self) -> bool {
        match self.kind {
            Kind::AtLeast => self.value >= self.target,
            Kind::AtMost => self.value <= self.target,
            Kind::Either { value, target } => self.value >= self.target || value >= target,
        }
    }

    fn describe(&self) -> String {
        let (value, target) = (self.value, short(self.target));
        let described = match self.kind {
            Kind::AtLeast => format!("{value:.3} (goal ≥ {target})"),
            Kind::AtMost => format!("{value:.3} (goal ≤ {target})"),
            Kind::Either {
                value: other,
                target: other_target,
            } => format!(
                "{value:.3} (goal ≥ {target}), or {other:.3} (goal ≥ {})",
                short(other_target)
            ),
        };
        match &self.limit {
            Some((limit, how)) => format!("{described}; the limit here {limit:.3} ({how})"),
            None => described,
        }
    }

    pub(super) fn json(&self) -> Value {
        let mut value = json!({
            "goal": self.name, "value": self.value, "target": self.target, "met": self.met(),
        });
        if let Some((limit, how)) = &self.limit {
            value["limit"] = json!(limit);
            value["limit_how"] = json!(how);
        }
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

pub(super) fn render_goals(goals: &[Goal]) -> String {
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

    #[test]
    fn goals() {
        assert!(Goal::at_least("x", 20.0, 20.0).met());
        assert!(!Goal::at_most("x", 2.1, 2.0).met());
        assert!(Goal::either("x", 0.5, 1.0, 0.9, 0.8).met());
        assert!(!Goal::either("x", 0.5, 1.0, 0.7, 0.8).met());
        assert_eq!(Goal::at_most("x", 1.0, 2.0).json()["met"], json!(true));
        let limited = Goal::at_least("x", 0.5, 0.8).with_limit(0.55, "apart");
        assert!(limited
            .describe()
            .ends_with("; the limit here 0.550 (apart)"));
        assert_eq!(limited.json()["limit"], json!(0.55));
        assert_eq!(short(20.0), "20");
        assert_eq!(short(75.604), "75.6");
    }
}
