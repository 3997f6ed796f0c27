//! The Python module `tupli._tupli`: the Rust core, as the `tupli` package
//! (python/tupli/) imports it.

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

/// The module: `__version__` (the workspace's version) and `cli_main`.
#[pymodule]
fn _tupli(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    module.add_function(wrap_pyfunction!(cli_main, module)?)?;
    Ok(())
}
