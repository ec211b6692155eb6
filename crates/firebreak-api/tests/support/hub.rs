//! A real `firebreak-hub` process on 127.0.0.1 with a temporary data directory, and
//! tokens from its own `user add`. Nothing here talks to any address but loopback.
//!
//! The binary is another crate's, so `CARGO_BIN_EXE_…` cannot name it: it is looked
//! for beside this test's own target directory (`target/<profile>/firebreak-hub`) and
//! built with cargo when it is not there.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;

/// `target/<profile>/firebreak-hub`, built first if missing.
pub fn binary() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("test executable path");
        // target/<profile>/deps/<test>
        let profile = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>/deps/<test>")
            .to_path_buf();
        let bin = profile.join("firebreak-hub");
        if !bin.is_file() {
            let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
            let mut build = Command::new(cargo);
            build.args(["build", "-p", "firebreak-hub"]);
            if profile.file_name().is_some_and(|p| p == "release") {
                build.arg("--release");
            }
            let status = build
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .status()
                .expect("run cargo build -p firebreak-hub");
            assert!(status.success(), "cargo build -p firebreak-hub failed");
        }
        assert!(bin.is_file(), "no hub binary at {}", bin.display());
        bin
    })
}

/// `firebreak-hub --data DIR user add NAME`: the token is the last line printed.
pub fn add_user(data: &Path, name: &str) -> String {
    let out = Command::new(binary())
        .arg("--data")
        .arg(data)
        .args(["user", "add", name])
        .output()
        .expect("run firebreak-hub user add");
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

/// A running hub. Dropping it kills it.
pub struct Hub {
    pub url: String,
    child: Child,
    _stdout: BufReader<ChildStdout>,
}

impl Hub {
    /// `serve --listen 127.0.0.1:PORT` (0: any free port) on `data`; waits for its
    /// `listening on URL` line.
    pub fn start(data: &Path, port: u16) -> Hub {
        let log = data.with_extension("log");
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("hub log");
        let mut child = Command::new(binary())
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("start the hub");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("the hub's first line");
        let url = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "the hub did not start: {line:?}\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            })
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Hub {
            url,
            child,
            _stdout: stdout,
        }
    }

    /// The port it listens on, to start it again at the same address.
    pub fn port(&self) -> u16 {
        self.url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in the URL")
    }

    /// SIGKILL: the hub vanishes mid-whatever, as a crashed server would.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}
