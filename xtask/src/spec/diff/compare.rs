//! Comparing two normalized documents operation by operation: parameters,
//! request bodies and responses, field by field, each difference a
//! [`Drift`].

use std::collections::{BTreeMap, BTreeSet};

use super::shape::{Operation, Shape};
use super::Drift;

/// Where the differences of one operation go.
pub(super) struct Out<'a> {
    pub(super) operation: &'a str,
    pub(super) drifts: &'a mut Vec<Drift>,
}

impl Out<'_> {
    pub(super) fn push(&mut self, location: &str, message: impl Into<String>) {
        self.drifts.push(Drift {
            operation: self.operation.to_string(),
            location: location.to_string(),
            message: message.into(),
        });
    }
}

pub(super) fn compare_operation(out: &mut Out<'_>, ours: &Operation, theirs: &Operation) {
    let names: BTreeSet<&String> = ours
        .parameters
        .keys()
        .chain(theirs.parameters.keys())
        .collect();
    for name in names {
        let location = format!("parameter {name}");
        match (ours.parameters.get(name), theirs.parameters.get(name)) {
            (Some((ra, a)), Some((rb, b))) => {
                if ra != rb {
                    out.push(
                        &location,
                        format!("required: {ra} in openapi.yaml, {rb} in the server's"),
                    );
                }
                compare_shape(out, &location, a, b);
            }
            (Some(_), None) => out.push(&location, "only in openapi.yaml"),
            (None, Some(_)) => out.push(&location, "only in the server's document"),
            (None, None) => {}
        }
    }
    match (&ours.body, &theirs.body) {
        (Some((ra, a)), Some((rb, b))) => {
            if ra != rb {
                out.push(
                    "request body",
                    format!("required: {ra} in openapi.yaml, {rb} in the server's"),
                );
            }
            compare_contents(out, "request body", a, b);
        }
        (Some(_), None) => out.push("request body", "only in openapi.yaml"),
        (None, Some(_)) => out.push("request body", "only in the server's document"),
        (None, None) => {}
    }
    let statuses: BTreeSet<&String> = ours
        .responses
        .keys()
        .chain(theirs.responses.keys())
        .collect();
    for status in statuses {
        let location = format!("responses.{status}");
        match (ours.responses.get(status), theirs.responses.get(status)) {
            (Some(a), Some(b)) => compare_contents(out, &location, a, b),
            (Some(_), None) => out.push(&location, "only in openapi.yaml"),
            (None, Some(_)) => out.push(&location, "only in the server's document"),
            (None, None) => {}
        }
    }
}

fn compare_contents(
    out: &mut Out<'_>,
    location: &str,
    ours: &BTreeMap<String, Shape>,
    theirs: &BTreeMap<String, Shape>,
) {
    let media = |m: &BTreeMap<String, Shape>| {
        if m.is_empty() {
            "(no content)".to_string()
        } else {
            m.iter()
                .map(|(media, shape)| format!("{media}: {shape}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    if ours.keys().ne(theirs.keys()) {
        out.push(
            location,
            format!(
                "content: {} in openapi.yaml, {} in the server's",
                media(ours),
                media(theirs)
            ),
        );
    }
    for (media_type, a) in ours {
        if let Some(b) = theirs.get(media_type) {
            compare_shape(out, location, a, b);
        }
    }
}

fn compare_shape(out: &mut Out<'_>, location: &str, ours: &Shape, theirs: &Shape) {
    if ours == theirs {
        return;
    }
    match (ours, theirs) {
        (Shape::Nullable(a), b) if !matches!(b, Shape::Nullable(_)) => {
            out.push(location, "nullable in openapi.yaml, not in the server's");
            compare_shape(out, location, a, b);
        }
        (a, Shape::Nullable(b)) if !matches!(a, Shape::Nullable(_)) => {
            out.push(location, "nullable in the server's, not in openapi.yaml");
            compare_shape(out, location, a, b);
        }
        (Shape::Nullable(a), Shape::Nullable(b)) => compare_shape(out, location, a, b),
        (Shape::Array(a), Shape::Array(b)) => compare_shape(out, &format!("{location}[]"), a, b),
        (Shape::Enum(a), Shape::Enum(b)) => {
            let only_ours: Vec<&String> = a.iter().filter(|v| !b.contains(v)).collect();
            let only_theirs: Vec<&String> = b.iter().filter(|v| !a.contains(v)).collect();
            out.push(
                location,
                format!("enum values only in openapi.yaml: {only_ours:?}; only in the server's: {only_theirs:?}"),
            );
        }
        (
            Shape::Object {
                fields: fa,
                additional: aa,
            },
            Shape::Object {
                fields: fb,
                additional: ab,
            },
        ) => {
            let names: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
            for name in names {
                let here = format!("{location}.{name}");
                match (fa.get(name), fb.get(name)) {
                    (Some((a, ra)), Some((b, rb))) => {
                        if ra != rb {
                            out.push(
                                &here,
                                format!("required: {ra} in openapi.yaml, {rb} in the server's"),
                            );
                        }
                        compare_shape(out, &here, a, b);
                    }
                    (Some((a, _)), None) => {
                        out.push(&here, format!("field ({a}) only in openapi.yaml"))
                    }
                    (None, Some((b, _))) => {
                        out.push(&here, format!("field ({b}) only in the server's document"))
                    }
                    (None, None) => {}
                }
            }
            if aa != ab {
                let show = |x: &Option<Box<Shape>>| {
                    x.as_ref().map_or("none".to_string(), |s| s.to_string())
                };
                out.push(
                    location,
                    format!(
                        "additional properties: {} in openapi.yaml, {} in the server's",
                        show(aa),
                        show(ab)
                    ),
                );
            }
        }
        (a, b) => out.push(
            location,
            format!("type: {a} in openapi.yaml, {b} in the server's"),
        ),
    }
}
