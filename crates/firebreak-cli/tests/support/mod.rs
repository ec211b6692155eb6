//! What the probe tests share: the `firebreak` binary over a store in a temporary
//! directory, and small loopback servers on std threads.
//!
//! Network rule: everything here binds or connects to 127.0.0.1 only. Nothing in the
//! tests may send a packet anywhere else, not even to provoke a timeout (the silent
//! listener below is for that).

#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::time::Duration;
use tempfile::TempDir;

/// A store of its own, and the binary run against it as one responder.
pub struct Fb {
    pub home: TempDir,
    /// Who records (`FIREBREAK_AUTHOR`).
    pub author: String,
}

impl Fb {
    /// Alice's laptop.
    pub fn new() -> Fb {
        Fb::named("alice")
    }

    /// The laptop of the responder `author`.
    pub fn named(author: &str) -> Fb {
        Fb {
            home: tempfile::tempdir().expect("temp dir"),
            author: author.to_string(),
        }
    }

    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_firebreak"));
        cmd.arg("--home")
            .arg(self.home.path())
            .env_remove("FIREBREAK_HOME")
            .env("FIREBREAK_AUTHOR", &self.author);
        cmd
    }

    /// A std command for the binary, for runs the test must interact with while they go.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_firebreak"));
        cmd.arg("--home")
            .arg(self.home.path())
            .env_remove("FIREBREAK_HOME")
            .env("FIREBREAK_AUTHOR", &self.author);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run firebreak")
    }

    /// Runs and expects exit code `code`; returns (stdout, stderr).
    pub fn expect(&self, code: i32, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        let (stdout, stderr) = texts(&out);
        assert_eq!(
            out.status.code(),
            Some(code),
            "firebreak {args:?}: expected exit {code}\nstdout: {stdout}\nstderr: {stderr}"
        );
        (stdout, stderr)
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.expect(0, args).0
    }

    /// Runs and expects exit 1; returns stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        self.expect(1, args).1
    }

    /// Runs with `--json` added, expects exit `code`, parses stdout.
    pub fn json_with(&self, code: i32, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let (stdout, _) = self.expect(code, &all);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    }

    pub fn json(&self, args: &[&str]) -> Value {
        self.json_with(0, args)
    }

    /// Starts an incident running `runbooks`, with `--var` arguments; returns its id.
    pub fn start(&self, title: &str, runbooks: &[&str], vars: &[&str]) -> String {
        let mut args = vec!["incident", "start", title];
        for r in runbooks {
            args.extend(["--runbook", r]);
        }
        for v in vars {
            args.extend(["--var", v]);
        }
        let v = self.json(&args);
        v["id"].as_str().expect("id").to_string()
    }

    /// The open incident's events, as `log --json` gives them.
    pub fn log(&self) -> Vec<Value> {
        self.json(&["log"]).as_array().expect("array").clone()
    }

    /// The open incident's events of kind `probe`.
    pub fn probe_events(&self) -> Vec<Value> {
        self.log()
            .into_iter()
            .filter(|e| e["kind"] == "probe")
            .collect()
    }

    /// Writes `profiles/NAME.toml` beside the store.
    pub fn profile(&self, name: &str, text: &str) -> PathBuf {
        let dir = self.home.path().join("profiles");
        std::fs::create_dir_all(&dir).expect("profiles dir");
        let path = dir.join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("write profile");
        path
    }

    /// Writes a file in the store's directory (for runbooks to import).
    pub fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }
}

pub fn texts(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The host of a planned target as `probe run --dry-run --json` gives it.
fn host_of(kind: &str, target: &str) -> String {
    let authority = match kind {
        "http" => {
            let rest = target
                .strip_prefix("http://")
                .or_else(|| target.strip_prefix("https://"))
                .unwrap_or_else(|| panic!("not an http URL: {target}"));
            rest.split(['/', '?', '#']).next().unwrap_or_default()
        }
        "tcp" | "tls" => target,
        other => panic!("the tests run no {other} probe of a runbook: {target}"),
    };
    assert!(!authority.contains('@'), "no user info in tests: {target}");
    match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host.to_string(),
        _ => authority.to_string(),
    }
}

/// Asserts that every probe of a dry-run plan is filled and aims at loopback only:
/// checked before any runbook probe really runs.
pub fn assert_loopback_only(plan: &Value) {
    let probes = plan["probes"].as_array().expect("probes");
    assert!(!probes.is_empty(), "empty plan: {plan}");
    for p in probes {
        assert_eq!(p["missing"], serde_json::json!([]), "unfilled probe: {p}");
        let host = host_of(
            p["kind"].as_str().expect("kind"),
            p["target"].as_str().expect("target"),
        );
        assert!(
            host == "127.0.0.1" || host == "[::1]",
            "a planned probe aims at {host}, not loopback: {p}"
        );
        let spec = p["spec"].to_string();
        assert!(
            !spec.contains("example."),
            "an example host is left: {spec}"
        );
    }
}

/// An HTTP/1.1 server on 127.0.0.1 answering every request with one status and body.
/// The status can be changed while it runs; it counts the requests it answered.
pub struct HttpServer {
    pub port: u16,
    status: Arc<AtomicU16>,
    hits: Arc<AtomicUsize>,
}

impl HttpServer {
    pub fn start(status: u16, body: &'static str) -> HttpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        let status = Arc::new(AtomicU16::new(status));
        let hits = Arc::new(AtomicUsize::new(0));
        let (s, h) = (status.clone(), hits.clone());
        // Lives until the test process ends; the OS closes the socket then.
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (s, h) = (s.clone(), h.clone());
                std::thread::spawn(move || answer(stream, &s, &h, body));
            }
        });
        HttpServer { port, status, hits }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn set_status(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    /// HTTP requests answered so far (bare TCP connects are not counted).
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn answer(mut stream: TcpStream, status: &AtomicU16, hits: &AtomicUsize, body: &str) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut request = Vec::new();
    let mut chunk = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    }
    hits.fetch_add(1, Ordering::SeqCst);
    let status = status.load(Ordering::SeqCst);
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        503 => "Service Unavailable",
        _ => "Whatever",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// A loopback port nothing listens on: bound, then let go, so connecting is refused.
pub fn refused_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    listener.local_addr().expect("addr").port()
}

/// A loopback listener that accepts connections and never says a word: an HTTP probe
/// of it times out (a TCP probe passes: the connection is made).
pub struct Silent {
    pub port: u16,
}

impl Silent {
    pub fn start() -> Silent {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().expect("addr").port();
        std::thread::spawn(move || {
            // Held open, so the peer sees silence rather than a close.
            let mut held = Vec::new();
            for stream in listener.incoming().flatten() {
                held.push(stream);
            }
        });
        Silent { port }
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

/// Waits until `f` holds, up to `limit`.
pub fn wait_until(limit: Duration, f: impl Fn() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f()
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}
