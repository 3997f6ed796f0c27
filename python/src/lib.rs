//! The Python module `tupli._tupli`: the Rust core under the package
//! `tupli` (python/tupli/), which wraps it in pytupli's API.
//!
//! Layers, bottom up: [`runtime`] (the I/O threads, and waiting on a call
//! with the GIL released), [`errors`], [`convert`] and [`objects`] (tupli's
//! errors and values as Python's, episodes as the package's objects) and [`progress`] (a Python callable observing), then
//! what the package calls: [`storage`] (a server or a folder), [`dataset`]
//! (columns as numpy arrays), [`tables`] (exports, and Arrow tables without
//! copies), [`copy`], [`recorder`] (episodes stored in the background) and
//! [`cli_main`].

mod convert;
mod copy;
mod dataset;
mod errors;
mod inputs;
mod objects;
mod progress;
mod recorder;
mod runtime;
mod storage;
mod tables;

use pyo3::prelude::*;

/// Runs the `tupli` command line with the process's `sys.argv` (the script's
/// name first) and answers its exit code; the `tupli` script installed with
/// the wheel exits with it. The GIL is released while it runs.
#[pyfunction]
fn cli_main(py: Python<'_>) -> PyResult<u8> {
    // OsString: arguments that are not UTF-8 come back as their bytes.
    let argv: Vec<std::ffi::OsString> = py.import("sys")?.getattr("argv")?.extract()?;
    Ok(py.detach(move || tupli_cli::main(argv)))
}

/// The module: `__version__` (the workspace's version), the classes and
/// `cli_main`.
#[pymodule]
fn _tupli(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_function(wrap_pyfunction!(cli_main, module)?)?;
    module.add_class::<storage::Storage>()?;
    module.add_class::<storage::EpisodeIterator>()?;
    module.add_function(wrap_pyfunction!(dataset::preview, module)?)?;
    module.add_function(wrap_pyfunction!(dataset::load_columns, module)?)?;
    module.add_class::<recorder::Recorder>()?;
    module.add_function(wrap_pyfunction!(tables::export, module)?)?;
    module.add_function(wrap_pyfunction!(tables::arrow_table, module)?)?;
    module.add_class::<tables::ArrowTable>()?;
    module.add_function(wrap_pyfunction!(copy::copy, module)?)?;
    Ok(())
}
