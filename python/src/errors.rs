//! tupli's errors as Python exceptions: each kind of [`tupli::Error`] is
//! raised as its class from `tupli.errors` (where the hierarchy, under
//! pytupli's `TupliStorageError`, is defined once), with `status` and
//! `detail` set.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;
use tupli::{Detail, Error};

/// The module the classes are defined in.
static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The name, in `tupli.errors`, of the class `error` is raised as.
fn class_name(error: &Error) -> &'static str {
    match error {
        Error::Api { status, .. } => match status.as_u16() {
            401 => "AuthenticationError",
            403 => "PermissionDeniedError",
            404 => "NotFoundError",
            409 => "ConflictError",
            422 => "ServerValidationError",
            429 => "RateLimitedError",
            500..=599 => "ServerError",
            _ => "ApiError",
        },
        Error::RetryAfterTooLong { .. } => "RateLimitedError",
        Error::NotLoggedIn { .. } => "AuthenticationError",
        Error::SessionExpired { .. } => "SessionExpiredError",
        Error::Transport { .. } => "TransportError",
        Error::Decode { .. } => "DecodeError",
        Error::InvalidInput { .. } => "InvalidInputError",
        Error::Shape { .. } => "ShapeError",
        Error::Integrity { .. } => "IntegrityError",
        Error::EmptySelection => "EmptySelectionError",
        Error::NotFound { .. } => "NotFoundError",
        Error::Io { .. } => "StorageIOError",
        Error::Worker { .. } => "WorkerError",
        Error::Export { .. } => "ExportError",
        _ => "TupliStorageError",
    }
}

/// The server's `detail` as Python sees it: a message as `str`, validation
/// errors as a list of dicts, nothing as `None`.
fn detail<'py>(py: Python<'py>, detail: Option<&Detail>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match detail {
        None | Some(Detail::Empty) => py.None().into_bound(py),
        Some(Detail::Validation(errors)) => pythonize::pythonize(py, errors)?,
        Some(other) => other.message().into_pyobject(py)?.into_any(),
    })
}

/// The Python exception for `error`.
pub fn raise(py: Python<'_>, error: Error) -> PyErr {
    build(py, &error).unwrap_or_else(|failure| failure)
}

/// Builds the exception; an error on the way (the package not importable)
/// is answered instead.
fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let status = error.status().map(|s| s.as_u16()).or(match error {
        Error::NotLoggedIn { .. } | Error::SessionExpired { .. } => Some(401),
        _ => None,
    });
    let instance = of_class(py, class_name(error), error.with_sources())?;
    instance.setattr("status", status)?;
    instance.setattr("detail", detail(py, error.detail())?)?;
    Ok(PyErr::from_value(instance))
}

/// An instance of `tupli.errors.<class>` with `message`.
fn of_class<'py>(py: Python<'py>, class: &str, message: String) -> PyResult<Bound<'py, PyAny>> {
    let module = ERRORS.get_or_try_init(py, || {
        PyModule::import(py, "tupli.errors").map(Bound::unbind)
    })?;
    module.bind(py).getattr(class)?.call1((message,))
}

/// An `InvalidInputError` naming the argument, for an input refused before
/// anything is sent.
pub fn invalid_input(py: Python<'_>, argument: &str, reason: impl std::fmt::Display) -> PyErr {
    let message = format!("invalid argument `{argument}`: {reason}");
    match of_class(py, "InvalidInputError", message) {
        Ok(instance) => PyErr::from_value(instance),
        Err(failure) => failure,
    }
}

/// A `RuntimeError` for a state the module cannot be in.
pub fn internal(what: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(format!("tupli: {what}"))
}
