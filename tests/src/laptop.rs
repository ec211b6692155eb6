//! A responder's laptop driven through the real `firebreak` CLI.
//!
//! Each laptop is a store directory (`--home`) whose responder set their name once
//! (`config set author NAME`); every call runs the CLI binary as its own process,
//! exactly as a person would, so the sync tests cover argument parsing, exit codes and
//! JSON output as well as the sync client, and a client can be SIGKILLed mid-sync.
//! Exit codes are returned, never assumed: the refusal tests assert them.
//!
//! The name is a setting rather than `--as NAME` on every command because `--as`
//! also filters `firebreak log` to that author's events (see `sync_cli.rs`,
//! `the_global_as_flag_does_not_filter_the_log`).

use crate::binaries;
use crate::child::ChildGuard;
use firebreak_store::Store;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// `firebreak sync` exit codes (see `firebreak sync --help`).
pub const EXIT_OK: i32 = 0;
pub const EXIT_OTHER: i32 = 1;
pub const EXIT_UNREACHABLE: i32 = 4;
pub const EXIT_UNAUTHORIZED: i32 = 5;
pub const EXIT_REFUSED: i32 = 6;

/// One finished CLI run.
#[derive(Debug, Clone)]
pub struct CliRun {
    pub args: Vec<String>,
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl CliRun {
    /// Insists on exit code `code`.
    pub fn expect_code(self, code: i32) -> CliRun {
        assert_eq!(
            self.code,
            Some(code),
            "`firebreak {}` exited {:?}, not {code}\nstdout: {}\nstderr: {}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Insists on success.
    pub fn ok(self) -> CliRun {
        self.expect_code(EXIT_OK)
    }

    /// Stdout as JSON (the whole of it, or its last line for one-line outputs).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .or_else(|_| serde_json::from_str(self.stdout.lines().last().unwrap_or_default()))
            .unwrap_or_else(|e| {
                panic!(
                    "`firebreak {}` printed no JSON ({e}):\n{}\nstderr: {}",
                    self.args.join(" "),
                    self.stdout,
                    self.stderr
                )
            })
    }
}

/// A store directory and the name its responder types as.
#[derive(Debug)]
pub struct Laptop {
    pub name: String,
    home: PathBuf,
    _dir: Option<TempDir>,
}

impl Laptop {
    /// A new laptop with a home of its own (a temporary directory, removed on drop
    /// unless `FIREBREAK_TEST_KEEP` is set, for looking at a failure's stores).
    pub fn new(name: &str) -> Laptop {
        let dir = tempfile::tempdir().expect("a temporary home");
        let mut laptop = Laptop::at(&dir.path().join("home"), name);
        if std::env::var_os("FIREBREAK_TEST_KEEP").is_some() {
            println!("{name}'s home: {}", dir.keep().join("home").display());
        } else {
            laptop._dir = Some(dir);
        }
        laptop
    }

    /// A laptop whose store is in `home` (which the caller owns), its author set to
    /// `name` (creating the store if there is none).
    pub fn at(home: &Path, name: &str) -> Laptop {
        let laptop = Laptop {
            name: name.to_string(),
            home: home.to_path_buf(),
            _dir: None,
        };
        laptop.run(&["config", "set", "author", name]).ok();
        laptop
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    /// `firebreak --home HOME ARGS…`, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(binaries::cli());
        cmd.arg("--home")
            .arg(&self.home)
            .args(args)
            .env_remove("FIREBREAK_HOME")
            .env_remove("FIREBREAK_AUTHOR")
            .stdin(Stdio::null());
        cmd
    }

    /// Runs the CLI to completion.
    pub fn run(&self, args: &[&str]) -> CliRun {
        let started = Instant::now();
        let out = self.command(args).output().expect("run firebreak");
        CliRun {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: started.elapsed(),
        }
    }

    /// Starts the CLI and returns at once; the guard kills it if the test does not.
    pub fn spawn(&self, args: &[&str]) -> ChildGuard {
        let child = self
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start firebreak");
        ChildGuard::new(child)
    }

    /// `hub connect URL --token TOKEN`.
    pub fn connect(&self, url: &str, token: &str) -> CliRun {
        self.run(&["hub", "connect", url, "--token", token])
    }

    /// `sync --json`: the exit code and the JSON line it printed.
    pub fn sync(&self) -> (i32, Value) {
        let run = self.run(&["sync", "--json"]);
        let code = run.code.unwrap_or(-1);
        (code, run.json())
    }

    /// `sync`, insisting on success; the report.
    pub fn sync_ok(&self) -> Value {
        self.run(&["sync", "--json"]).ok().json()
    }

    /// `sync --status --json`.
    pub fn status(&self) -> Value {
        self.run(&["sync", "--status", "--json"]).ok().json()
    }

    /// `incident start TITLE`: the new incident's id.
    pub fn start_incident(&self, title: &str) -> String {
        let started = self
            .run(&["incident", "start", title, "--json"])
            .ok()
            .json();
        started["id"].as_str().expect("an incident id").to_string()
    }

    /// `note TEXT` in `incident`: the event as printed.
    pub fn note(&self, incident: &str, text: &str) -> Value {
        self.run(&["note", text, "--incident", incident, "--json"])
            .ok()
            .json()
    }

    /// `note --private TEXT` in `incident`.
    pub fn private_note(&self, incident: &str, text: &str) -> Value {
        self.run(&["note", text, "--private", "--incident", incident, "--json"])
            .ok()
            .json()
    }

    /// `amend ID TEXT`: the output as printed.
    pub fn amend(&self, id: &str, text: &str) -> Value {
        self.run(&["amend", id, text, "--json"]).ok().json()
    }

    /// `retract ID --reason REASON`: the output as printed.
    pub fn retract(&self, id: &str, reason: &str) -> Value {
        self.run(&["retract", id, "--reason", reason, "--json"])
            .ok()
            .json()
    }

    /// `log --incident ID --json`: every event of the incident, in log order.
    pub fn log(&self, incident: &str) -> Vec<Value> {
        match self
            .run(&["log", "--incident", incident, "--json"])
            .ok()
            .json()
        {
            Value::Array(events) => events,
            other => panic!("log --json printed {other}"),
        }
    }

    /// `incident list --json`.
    pub fn incidents(&self) -> Vec<Value> {
        match self.run(&["incident", "list", "--json"]).ok().json() {
            Value::Array(incidents) => incidents,
            other => panic!("incident list --json printed {other}"),
        }
    }

    /// The store itself, opened in this process (for what the CLI does not print).
    pub fn open_store(&self) -> Store {
        Store::open(&self.home).expect("open the laptop's store")
    }
}
