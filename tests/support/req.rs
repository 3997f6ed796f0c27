//! Expected requests, matched exactly.

use httpmock::When;
use serde_json::Value;

use super::ACCESS;

/// One expected request: method, path, exact (decoded) query, exact JSON body,
/// and the bearer token (by default [`ACCESS`]; `None`: no `Authorization`).
#[derive(Clone, Debug)]
pub struct Req {
    method: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
    bearer: Option<String>,
}

fn request(method: &'static str, path: &str) -> Req {
    Req {
        method,
        path: path.to_string(),
        query: Vec::new(),
        body: None,
        bearer: Some(ACCESS.to_string()),
    }
}

pub fn get(path: &str) -> Req {
    request("GET", path)
}

pub fn post(path: &str) -> Req {
    request("POST", path)
}

pub fn put(path: &str) -> Req {
    request("PUT", path)
}

pub fn delete(path: &str) -> Req {
    request("DELETE", path)
}

impl Req {
    /// One more query parameter (the query must hold exactly these).
    pub fn query(mut self, key: &'static str, value: &str) -> Self {
        self.query.push((key, value.to_string()));
        self
    }

    /// The exact JSON body (without one: no body and no content type).
    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    pub fn bearer(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_string());
        self
    }

    /// No `Authorization` header.
    pub fn anonymous(mut self) -> Self {
        self.bearer = None;
        self
    }

    /// The path under a base URL's path `prefix`.
    pub fn at(mut self, prefix: &str) -> Self {
        self.path = format!("{prefix}{}", self.path);
        self
    }

    /// Sets `when` to match exactly this request; more conditions can follow.
    pub fn apply(self, when: When) -> When {
        let mut when = when.method(self.method).path(self.path).query_param_count(
            ".*",
            ".*",
            self.query.len(),
        );
        for (key, value) in self.query {
            // httpmock compares the decoded value: the client must have encoded it.
            when = when.query_param(key, value);
        }
        when = match self.body {
            Some(body) => when
                .header("content-type", "application/json")
                .json_body(body),
            // (httpmock refuses `body("")` on a GET.)
            None => when
                .header_missing("content-type")
                .is_true(|req| req.body_ref().is_empty()),
        };
        match self.bearer {
            Some(token) => when.header("authorization", format!("Bearer {token}")),
            None => when.header_missing("authorization"),
        }
    }
}
