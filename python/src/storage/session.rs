//! A server's session: its URL, logging in and signing up, and the tokens
//! the package keeps where pytupli keeps them (Python's keyring).

use pyo3::prelude::*;
use tupli::{ExposeSecret, Tokens};

use super::Storage;
use crate::convert;
use crate::runtime::wait;

#[pymethods]
impl Storage {
    /// The server's URL.
    fn url(&self) -> PyResult<String> {
        Ok(self.server("url")?.url())
    }

    /// Points the client at another server (forgetting the tokens when the
    /// URL changes); the URL is checked first.
    fn set_url(&self, py: Python<'_>, url: &str) -> PyResult<()> {
        self.server("set_url")?
            .set_url(url)
            .map_err(|e| crate::errors::raise(py, e))
    }

    /// Logs in; the tokens are kept by the client.
    fn login(&self, py: Python<'_>, username: String, password: String) -> PyResult<()> {
        let client = self.server("login")?;
        wait(py, async move { client.login(&username, &password).await })
    }

    /// Creates a user; answers it without its password.
    fn signup<'py>(
        &self,
        py: Python<'py>,
        username: String,
        password: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let client = self.server("signup")?;
        let user = wait(py, async move { client.signup(&username, &password).await })?;
        convert::to_py(py, &user)
    }

    /// The tokens, as `(access, refresh)`, or `None` when not logged in: for
    /// the package to persist after a login or a refresh, never to show.
    fn tokens(&self) -> PyResult<Option<(String, String)>> {
        Ok(self.server("tokens")?.tokens().map(|t| {
            (
                t.access_token().expose_secret().to_owned(),
                t.refresh_token().expose_secret().to_owned(),
            )
        }))
    }

    /// Installs tokens read back from where they were kept (an empty access
    /// token: the first call refreshes), or with `None` forgets them.
    #[pyo3(signature = (access=None, refresh=None))]
    fn set_tokens(&self, access: Option<String>, refresh: Option<String>) -> PyResult<()> {
        let client = self.server("set_tokens")?;
        client.set_tokens(refresh.map(|refresh| Tokens::new(access.unwrap_or_default(), refresh)));
        Ok(())
    }

    /// Whether tokens are held (they may have expired).
    fn is_logged_in(&self) -> PyResult<bool> {
        Ok(self.server("is_logged_in")?.is_logged_in())
    }
}
