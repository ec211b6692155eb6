//! A real `firebreak-hub` process on a loopback port.
//!
//! The sync tests need the hub as people run it — its own process, its own SQLite
//! file, killable with SIGKILL and restartable on the same data directory and port — so
//! that "acknowledged means durable" is tested across a real crash, not a dropped
//! struct. Users and tokens come from the hub's own `user add` / `user revoke`
//! commands, run as separate processes against the same data directory while it
//! serves. Only 127.0.0.1 is ever listened on.
//!
//! The process is killed and reaped when the `HubProcess` is dropped, so a failed
//! assertion does not leak a hub.

use crate::binaries;
use crate::child::ChildGuard;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// How long a hub may take to print `listening on`.
const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How long a restart keeps trying to bind the port the hub had before.
const REBIND_TIMEOUT: Duration = Duration::from_secs(5);

/// The hub's log filter; `FIREBREAK_TEST_HUB_LOG` overrides it.
fn log_filter() -> String {
    std::env::var("FIREBREAK_TEST_HUB_LOG").unwrap_or_else(|_| "info".to_string())
}

/// A running (or killed, restartable) hub.
#[derive(Debug)]
pub struct HubProcess {
    data: PathBuf,
    log: PathBuf,
    addr: SocketAddr,
    serve_args: Vec<String>,
    child: Arc<Mutex<Option<ChildGuard>>>,
    /// The temporary directory holding `data` and the log, when the hub owns it.
    _dir: Option<TempDir>,
}

/// Kills a hub from another thread (a kill timed to land mid-sync).
#[derive(Debug, Clone)]
pub struct HubKiller {
    child: Arc<Mutex<Option<ChildGuard>>>,
}

impl HubKiller {
    /// SIGKILL and reap; `false` when it was not running.
    pub fn kill(&self) -> bool {
        lock(&self.child).take().map(|mut c| c.kill()).is_some()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl HubProcess {
    /// A hub with a fresh data directory of its own, on a port the OS picks.
    /// `serve_args` are extra `serve` options (`--rate-burst`, …).
    pub fn start_fresh(serve_args: &[&str]) -> HubProcess {
        let dir = tempfile::tempdir().expect("a temporary directory for the hub");
        let mut hub = HubProcess::start(&dir.path().join("hub-data"), serve_args);
        hub._dir = Some(dir);
        hub
    }

    /// A hub serving `data` (created if needed) on a port the OS picks. Its log goes
    /// to `DATA.log`.
    pub fn start(data: &Path, serve_args: &[&str]) -> HubProcess {
        let mut hub = HubProcess {
            data: data.to_path_buf(),
            log: data.with_extension("log"),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            serve_args: serve_args.iter().map(|s| s.to_string()).collect(),
            child: Arc::new(Mutex::new(None)),
            _dir: None,
        };
        let (child, addr) = hub
            .spawn_serve(0)
            .unwrap_or_else(|why| panic!("the hub did not start: {why}"));
        hub.addr = addr;
        *lock(&hub.child) = Some(child);
        hub
    }

    /// Starts `serve` on `port`; the child and the address it printed, or why not.
    fn spawn_serve(&self, port: u16) -> Result<(ChildGuard, SocketAddr), String> {
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("cannot open the hub log {}: {e}", self.log.display()))?;
        let child = Command::new(binaries::hub())
            .arg("--data")
            .arg(&self.data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(&self.serve_args)
            .env("FIREBREAK_HUB_LOG", log_filter())
            .env_remove("FIREBREAK_HUB_DATA")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", binaries::hub().display()))?;
        let mut child = ChildGuard::new(child);
        let stdout = child.child_mut().stdout.take().expect("the hub's stdout");
        // The first line is read on a thread so that a hub that hangs cannot hang the
        // test; the thread then drains stdout until the hub exits.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let first = reader.read_line(&mut line).map(|_| line);
            let _ = tx.send(first);
            let mut rest = String::new();
            while matches!(reader.read_line(&mut rest), Ok(n) if n > 0) {
                rest.clear();
            }
        });
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(format!("reading its first line: {e}")),
            Err(_) => return Err(format!("no `listening on` line in {START_TIMEOUT:?}")),
        };
        // On an error return the guard is dropped, which kills the child.
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .ok_or_else(|| format!("first line {line:?}; log:\n{}", self.log_tail()))?;
        let addr: SocketAddr = url
            .strip_prefix("http://")
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("not a loopback http URL: {url:?}"))?;
        assert!(addr.ip().is_loopback(), "the hub listens on {addr}");
        Ok((child, addr))
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn data(&self) -> &Path {
        &self.data
    }

    pub fn is_running(&self) -> bool {
        lock(&self.child)
            .as_mut()
            .is_some_and(|c| c.try_wait().is_none())
    }

    /// A handle that can SIGKILL this hub from another thread.
    pub fn killer(&self) -> HubKiller {
        HubKiller {
            child: Arc::clone(&self.child),
        }
    }

    /// SIGKILL, no goodbye: no graceful stop, no SQLite close.
    pub fn kill(&self) {
        self.killer().kill();
    }

    /// Starts the hub again on the same data directory, on the same port when it can be
    /// bound again within a few seconds, else on a new one (see `addr`). Kills the old
    /// process first if it still runs.
    pub fn restart(&mut self) {
        self.kill();
        let deadline = Instant::now() + REBIND_TIMEOUT;
        let (child, addr) = loop {
            match self.spawn_serve(self.addr.port()) {
                Ok(started) => break started,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(why) => {
                    eprintln!(
                        "the hub could not bind port {} again ({why}); using a new port",
                        self.addr.port()
                    );
                    break self
                        .spawn_serve(0)
                        .unwrap_or_else(|why| panic!("the hub did not restart: {why}"));
                }
            }
        };
        self.addr = addr;
        *lock(&self.child) = Some(child);
    }

    /// Runs `firebreak-hub --data DATA ARGS…` to completion.
    pub fn admin(&self, args: &[&str]) -> Output {
        admin(&self.data, args)
    }

    /// `user add NAME`: the new token (the last line printed).
    pub fn add_user(&self, name: &str) -> String {
        add_user(&self.data, name)
    }

    /// `user revoke NAME`.
    pub fn revoke_user(&self, name: &str) {
        let out = self.admin(&["user", "revoke", name]);
        assert!(
            out.status.success(),
            "user revoke {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The end of the hub's log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let start = text.len().saturating_sub(4000);
        let start = (start..text.len())
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(text.len());
        text[start..].to_string()
    }
}

/// Runs `firebreak-hub --data DATA ARGS…` to completion, whether or not a hub serves
/// `data` (the hub's user commands work beside a running server).
pub fn admin(data: &Path, args: &[&str]) -> Output {
    Command::new(binaries::hub())
        .arg("--data")
        .arg(data)
        .args(args)
        .env_remove("FIREBREAK_HUB_DATA")
        .stdin(Stdio::null())
        .output()
        .expect("run firebreak-hub")
}

/// `firebreak-hub --data DATA user add NAME`: the new token (the last line printed).
pub fn add_user(data: &Path, name: &str) -> String {
    let out = admin(data, &["user", "add", name]);
    assert!(
        out.status.success(),
        "user add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .expect("a token line")
        .trim()
        .to_string()
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
