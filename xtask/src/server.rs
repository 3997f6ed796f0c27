//! `cargo xtask server`: the reference server, the real PyTupli 1.2.9 in a
//! venv under `target/`, started through `xtask/reference-server/launcher.py`
//! (in-memory MongoDB).

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use crate::project_root;
use crate::venv::{self, check};

/// How long a server may take to answer `GET /` after start.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Subcommand)]
pub enum Action {
    /// Start a server in the background and print its URL.
    Start(StartArgs),
    /// Stop a server started by `start` (by its recorded PID only).
    Stop {
        /// Which server.
        #[arg(long, default_value = "main")]
        name: String,
    },
    /// Say which servers are running.
    Status,
}

#[derive(Args, Clone)]
pub struct StartArgs {
    /// A name for this server, so several can run side by side.
    #[arg(long, default_value = "main")]
    pub name: String,
    /// Port on 127.0.0.1 (default: a free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Access-token lifetime in minutes (server default 30).
    #[arg(long)]
    pub access_token_minutes: Option<f64>,
    /// Refresh-token lifetime in minutes (server default 12600).
    #[arg(long)]
    pub refresh_token_minutes: Option<f64>,
    /// Count requests per path, answered at `GET /__stats`.
    #[arg(long)]
    pub stats: bool,
}

impl StartArgs {
    pub fn named(name: &str) -> Self {
        StartArgs {
            name: name.into(),
            port: None,
            access_token_minutes: None,
            refresh_token_minutes: None,
            stats: false,
        }
    }
}

pub fn run(action: Action) -> Result<()> {
    match action {
        Action::Start(args) => {
            let url = start(&args)?;
            println!("{url}");
            Ok(())
        }
        Action::Stop { name } => stop(&name),
        Action::Status => {
            let dir = state_dir().join("servers");
            let mut any = false;
            for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "url") {
                    let name = path
                        .file_stem()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    let url = fs::read_to_string(&path).unwrap_or_default();
                    let alive = pid_of(&name).is_some_and(is_alive);
                    println!(
                        "{name}: {} {url}",
                        if alive { "running" } else { "stopped" }
                    );
                    any = true;
                }
            }
            if !any {
                println!("no reference server started");
            }
            Ok(())
        }
    }
}

/// Everything the reference server leaves on disk; `cargo clean` removes it.
fn state_dir() -> PathBuf {
    crate::target_dir().join("tupli-reference")
}

fn server_file(name: &str, ext: &str) -> PathBuf {
    state_dir().join("servers").join(format!("{name}.{ext}"))
}

/// The pinned requirements: the server's, then the test tools' (what the
/// live tests read dataset exports with).
const REQUIREMENTS: [&str; 2] = [
    "xtask/reference-server/requirements.txt",
    "xtask/reference-server/test-requirements.txt",
];

/// The reference-server venv, made anew when the pinned requirements (or
/// the interpreter) changed since it was made.
pub fn ensure_venv() -> Result<PathBuf> {
    let requirements: Vec<PathBuf> = REQUIREMENTS
        .iter()
        .map(|f| project_root().join(f))
        .collect();
    venv::ensure(
        &state_dir().join("venv"),
        &venv::system_python(),
        &requirements,
        "xtask: creating the reference-server venv (about a minute)…",
    )
}

pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts a server and waits until it answers; returns its URL.
pub fn start(args: &StartArgs) -> Result<String> {
    if let Some(pid) = pid_of(&args.name).filter(|&p| is_alive(p)) {
        bail!(
            "server {:?} already runs (pid {pid}); stop it first",
            args.name
        );
    }
    let python = ensure_venv()?;
    let port = match args.port {
        Some(p) => p,
        None => free_port()?,
    };
    fs::create_dir_all(state_dir().join("servers"))?;
    let pid_file = server_file(&args.name, "pid");
    let log_file = server_file(&args.name, "log");
    let _ = fs::remove_file(&pid_file);
    let log = fs::File::create(&log_file)?;
    let mut command = Command::new(python);
    command
        .arg(project_root().join("xtask/reference-server/launcher.py"))
        .args(["--port", &port.to_string()])
        // PyTupli's own default: requests without a token are guests.
        .arg("--open-access")
        .arg("--pid-file")
        .arg(&pid_file)
        .current_dir(state_dir())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    if let Some(m) = args.access_token_minutes {
        command.args(["--access-token-minutes", &m.to_string()]);
    }
    if let Some(m) = args.refresh_token_minutes {
        command.args(["--refresh-token-minutes", &m.to_string()]);
    }
    if args.stats {
        command.arg("--stats");
    }
    let mut child = command.spawn().context("could not start the launcher")?;
    let url = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        if answers(port) && pid_file.exists() {
            break;
        }
        if let Some(status) = child.try_wait()? {
            bail!(
                "the reference server exited ({status}) before answering; log tail:\n{}",
                tail(&log_file)
            );
        }
        if started.elapsed() > START_TIMEOUT {
            let _ = child.kill();
            bail!(
                "the reference server did not answer within {START_TIMEOUT:?}; log tail:\n{}",
                tail(&log_file)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    fs::write(server_file(&args.name, "url"), &url)?;
    Ok(url)
}

/// Stops the named server when dropped, so a failing run never leaves one behind.
pub struct StopOnDrop(pub String);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Err(e) = stop(&self.0) {
            eprintln!("xtask: stopping {}: {e:#}", self.0);
        }
    }
}

/// Stops a server by the PID its launcher recorded, and nothing else.
pub fn stop(name: &str) -> Result<()> {
    let Some(pid) = pid_of(name) else {
        eprintln!("xtask: no pid file for server {name:?}; nothing to stop");
        return Ok(());
    };
    if is_alive(pid) {
        check(
            Command::new("kill")
                .arg(pid.to_string())
                .stderr(Stdio::null()),
            "kill",
        )?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while is_alive(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        if is_alive(pid) {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    }
    let _ = fs::remove_file(server_file(name, "pid"));
    let _ = fs::remove_file(server_file(name, "url"));
    Ok(())
}

fn pid_of(name: &str) -> Option<u32> {
    fs::read_to_string(server_file(name, "pid"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

fn is_alive(pid: u32) -> bool {
    // A zombie (exited, not yet reaped) counts as gone.
    fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.split(") ").nth(1).is_some_and(|s| s.starts_with('Z')))
        .unwrap_or(false)
}

/// Whether `GET /` on the port answers 200.
fn answers(port: u16) -> bool {
    crate::http::get(&format!("http://127.0.0.1:{port}/")).is_ok_and(|(status, _)| status == 200)
}

fn tail(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
