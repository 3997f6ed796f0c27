//! The Python venvs xtask makes (the reference server's, the Python tests',
//! the bench's, the wheel check's throwaway one): made from an interpreter,
//! with pinned requirements and a stamp of them, and a wheel installed.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

/// The stamp file in a venv: the interpreter it was made from and the
/// requirements it was made with.
const STAMP: &str = "installed-requirements.txt";

/// The interpreter venvs are made from: `$PYTHON`, else `python3`.
pub fn system_python() -> PathBuf {
    std::env::var_os("PYTHON").map_or_else(|| "python3".into(), PathBuf::from)
}

/// The venv at `dir`, made from `python` with the `requirements` files
/// installed, and its Python. It is made anew (`announce` printed first)
/// only when the stamp differs: the interpreter, and the text of every
/// requirements file and of the files they include (`-r FILE`). The stamp
/// is written last, so a venv whose install failed is made again.
pub fn ensure(
    dir: &Path,
    python: &Path,
    requirements: &[PathBuf],
    announce: &str,
) -> Result<PathBuf> {
    let venv_python = python_in(dir);
    let mut wanted = format!("{}\n", python.display());
    for file in requirements {
        wanted.push_str(&expanded(file, 0)?);
    }
    let stamp = dir.join(STAMP);
    if venv_python.exists() && fs::read_to_string(&stamp).ok().as_deref() == Some(&wanted) {
        return Ok(venv_python);
    }
    eprintln!("{announce}");
    fresh(dir, python)?;
    let mut args: Vec<&OsStr> = Vec::new();
    for file in requirements {
        args.extend([OsStr::new("-r"), file.as_os_str()]);
    }
    let names: Vec<String> = requirements
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    pip_install(
        &venv_python,
        args,
        &format!("pip install -r {}", names.join(" -r ")),
    )?;
    fs::write(&stamp, wanted).with_context(|| format!("write {}", stamp.display()))?;
    Ok(venv_python)
}

/// A new venv at `dir` (whatever was there removed first) made from
/// `python`, with nothing installed; its Python.
pub fn fresh(dir: &Path, python: &Path) -> Result<PathBuf> {
    if dir.exists() {
        fs::remove_dir_all(dir).with_context(|| format!("remove {}", dir.display()))?;
    }
    check(
        Command::new(python).args(["-m", "venv"]).arg(dir),
        &format!("{} -m venv", python.display()),
    )?;
    Ok(python_in(dir))
}

/// `python -m pip install --quiet --disable-pip-version-check ARGS`; an
/// error naming `what` unless it succeeds.
pub fn pip_install<I, S>(python: &Path, args: I, what: &str) -> Result<()>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    check(
        Command::new(python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(args),
        what,
    )
}

/// Installs `wheel` into the venv of `python` over whatever version is
/// there, without its dependencies (the pinned requirements hold them).
pub fn install_wheel(python: &Path, wheel: &Path, what: &str) -> Result<()> {
    pip_install(
        python,
        [
            OsStr::new("--no-deps"),
            OsStr::new("--force-reinstall"),
            wheel.as_os_str(),
        ],
        what,
    )
}

/// Runs `command`; an error naming `what` unless it succeeds.
pub fn check(command: &mut Command, what: &str) -> Result<()> {
    let status = command
        .status()
        .with_context(|| format!("could not run {what}"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

/// The Python of the venv at `dir`.
fn python_in(dir: &Path) -> PathBuf {
    dir.join("bin").join("python")
}

/// The text of a requirements file followed by the files it includes
/// (`-r FILE`, relative to it), so that a change to any of them shows.
fn expanded(path: &Path, depth: usize) -> Result<String> {
    if depth > 8 {
        bail!("requirements include each other: {}", path.display());
    }
    let text = fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let mut all = text.clone();
    for line in text.lines() {
        if let Some(included) = line.trim().strip_prefix("-r ") {
            let folder = path.parent().unwrap_or(Path::new("."));
            all.push_str(&expanded(&folder.join(included.trim()), depth + 1)?);
        }
    }
    Ok(all)
}
