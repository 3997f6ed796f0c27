//! `cargo xtask wheel`: the Python package `tupli` as one abi3 wheel, built
//! by maturin from `python/` (PyO3, see `pyproject.toml`), so that `pip
//! install` gives researchers `import tupli` and the `tupli` command without
//! a Rust toolchain; and the check `cargo xtask test` runs: a fresh venv
//! installs the wheel, the command it puts on PATH works against a live
//! server, and so do the module and `python -m tupli`.

use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};

use crate::venv::{self, check};
use crate::{project_root, server, target_dir};

/// The reference server's administrator (its launcher's default password).
pub const ADMIN_USER: &str = "admin";
/// The password `ADMIN_USER` has on a reference server.
pub const ADMIN_PASSWORD: &str = "pytupli";

/// Builds the wheel into `out` (emptied first, so it holds just this one) and
/// returns its path. `dev` builds with the dev profile, as the tests do, which
/// reuses most of their build; a wheel to hand out is built in release.
pub fn build(out: &Path, dev: bool) -> Result<PathBuf> {
    let python = server::ensure_venv()?;
    let maturin = python.with_file_name("maturin");
    if out.exists() {
        fs::remove_dir_all(out).with_context(|| format!("empty {}", out.display()))?;
    }
    let mut command = Command::new(&maturin);
    command
        .current_dir(project_root())
        .arg("build")
        .arg("--out")
        .arg(out);
    if dev {
        command.args(["--profile", "dev"]);
    } else {
        command.args(["--release", "--strip"]);
    }
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        command.env("CARGO_TARGET_DIR", project_root().join(dir));
    }
    check(&mut command, "maturin build")?;
    let wheels: Vec<PathBuf> = fs::read_dir(out)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "whl"))
        .collect();
    match wheels.as_slice() {
        [wheel] => Ok(wheel.clone()),
        other => bail!("maturin left {} wheels in {}", other.len(), out.display()),
    }
}

/// `cargo xtask wheel`: a wheel in `target/wheels/`, checked against the
/// server at `check` when given.
pub fn run(dev: bool, check: Option<&str>) -> Result<()> {
    let wheel = build(&target_dir().join("wheels"), dev)?;
    if let Some(url) = check {
        check_installs(&wheel, url, ADMIN_USER, ADMIN_PASSWORD)?;
    }
    println!("{}", wheel.display());
    Ok(())
}

/// Installs `wheel` into a new venv (no index, no dependencies: the command needs none)
/// and runs the command it installs: `--version`, then a login, `whoami` and
/// `list-benchmarks` against the server at `url`, with a config directory of
/// its own.
pub fn check_installs(wheel: &Path, url: &str, user: &str, password: &str) -> Result<()> {
    let scratch = target_dir().join("wheel-check");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)?;
    }
    let python = venv::fresh(&scratch.join("venv"), &venv::system_python())?;
    venv::pip_install(
        &python,
        [
            OsStr::new("--no-index"),
            // The command and `import tupli` need none of the dependencies
            // (numpy is imported when a dataset is loaded).
            OsStr::new("--no-deps"),
            wheel.as_os_str(),
        ],
        "pip install the wheel",
    )?;
    let tupli = python.with_file_name("tupli");
    ensure!(
        tupli.is_file(),
        "the wheel installed no {}",
        tupli.display()
    );
    let config = scratch.join("config");
    let command = |args: &[&str]| {
        let mut command = Command::new(&tupli);
        command
            .args(args)
            .env("TUPLI_CONFIG_DIR", &config)
            .env_remove("TUPLI_URL")
            .env_remove("TUPLI_STORAGE");
        command
    };

    let version = output(&mut command(&["--version"]), None)?
        .trim()
        .to_string();
    let expected = format!("tupli {}", package_version()?);
    ensure!(
        version == expected,
        "`tupli --version` printed {version:?}, not {expected:?}"
    );
    let login = output(
        &mut command(&["login", user, "--password-stdin", "--url", url]),
        Some(&format!("{password}\n")),
    )?;
    ensure!(
        login.starts_with("Logged in to "),
        "login printed {login:?}"
    );
    let whoami = output(&mut command(&["whoami"]), None)?;
    ensure!(
        whoami
            .lines()
            .next()
            .is_some_and(|l| l.split_whitespace().eq(["user", user])),
        "whoami printed {whoami:?}"
    );
    let listed = output(&mut command(&["list-benchmarks", "--json"]), None)?;
    let listed: serde_json::Value =
        serde_json::from_str(&listed).context("list-benchmarks --json printed no JSON")?;
    ensure!(listed.is_array(), "list-benchmarks --json printed {listed}");
    check_module(&python, &config, &whoami)?;
    eprintln!(
        "the wheel ({}) installs into a fresh venv; {version} logs in to {url}, answers whoami and lists {} benchmark(s); `import tupli` and `python -m tupli` work",
        wheel.file_name().unwrap_or_default().to_string_lossy(),
        listed.as_array().map_or(0, Vec::len),
    );
    Ok(())
}

/// The module the wheel installed: `import tupli` gives the package's
/// version, its stubs and `py.typed` are there for type checkers, and
/// `python -m tupli whoami` (the CLI in process, through the module) answers
/// as the script did (`whoami`), with the same exit code 0; a command that
/// fails exits with the CLI's code (3, not logged in, in a fresh config).
fn check_module(python: &Path, config: &Path, whoami: &str) -> Result<()> {
    let probe = "import pathlib, tupli\n\
                 here = pathlib.Path(tupli.__file__).parent\n\
                 missing = [f for f in ('py.typed', '_tupli.pyi', 'schema.py') if not (here / f).is_file()]\n\
                 print(tupli.__version__, *missing)";
    let printed = output(Command::new(python).args(["-c", probe]), None)?;
    let expected = package_version()?;
    ensure!(
        printed.trim() == expected,
        "`import tupli` printed {printed:?} (the version, then any missing typing file), not {expected:?}"
    );
    let as_module = output(
        Command::new(python)
            .args(["-m", "tupli", "whoami"])
            .env("TUPLI_CONFIG_DIR", config),
        None,
    )?;
    ensure!(
        without_countdowns(&as_module) == without_countdowns(whoami),
        "`python -m tupli whoami` printed {as_module:?}, the script {whoami:?}"
    );
    let fresh = config.with_file_name("fresh-config");
    let status = Command::new(python)
        .args(["-m", "tupli", "whoami"])
        .env("TUPLI_CONFIG_DIR", &fresh)
        .env_remove("TUPLI_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    ensure!(
        status.code() == Some(3),
        "`python -m tupli whoami` without a login exited {status}, not 3"
    );
    interrupt_ends_it(python, &fresh)
}

/// Ctrl-C ends the command run through the module as it ends the binary:
/// a login waiting for its password on standard input ends by SIGINT at
/// once, instead of waiting for Python's handler (which runs only after
/// the command returns).
fn interrupt_ends_it(python: &Path, config: &Path) -> Result<()> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = Command::new(python)
        .args(["-m", "tupli", "login", "admin", "--password-stdin"])
        .args(["--url", "http://127.0.0.1:9"])
        .env("TUPLI_CONFIG_DIR", config)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // Long enough for the interpreter to start and the CLI to read stdin.
    std::thread::sleep(std::time::Duration::from_secs(2));
    check(
        Command::new("kill").args(["-INT", &child.id().to_string()]),
        "kill -INT",
    )?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait()? {
            ensure!(
                status.signal() == Some(2),
                "`python -m tupli login` ended {status} on Ctrl-C, not by SIGINT"
            );
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            child.kill()?;
            bail!("`python -m tupli login` went on 10 s after Ctrl-C");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The `version` of the `tupli` package in the root Cargo.toml.
fn package_version() -> Result<String> {
    let manifest = fs::read_to_string(project_root().join("Cargo.toml"))?;
    manifest
        .lines()
        .skip_while(|line| line.trim() != "[package]")
        .find_map(|line| line.strip_prefix("version = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_string)
        .context("no version in Cargo.toml's [package]")
}

/// The command's stdout, `stdin` written to it; an error with its stderr when
/// it fails.
fn output(command: &mut Command, stdin: Option<&str>) -> Result<String> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not run {command:?}"))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(text.as_bytes())?;
    }
    let done = child.wait_with_output()?;
    ensure!(
        done.status.success(),
        "{:?} failed ({}): {}",
        command.get_args().collect::<Vec<_>>(),
        done.status,
        String::from_utf8_lossy(&done.stderr)
    );
    Ok(String::from_utf8(done.stdout)?)
}

/// `whoami`'s answer without its countdowns (`(in 29m 58s)`): two runs a
/// second apart say the same thing.
fn without_countdowns(text: &str) -> String {
    text.lines()
        .map(|line| line.split(" (in ").next().unwrap_or(line))
        .collect::<Vec<_>>()
        .join("\n")
}
