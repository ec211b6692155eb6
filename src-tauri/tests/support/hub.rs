//! A real `firebreak-hub` process on 127.0.0.1 (port 0) with a temporary data
//! directory, and tokens from its own `user add`. Nothing here talks to any address but
//! loopback. The binary is another crate's: it is looked for beside this test's
//! (`target/<profile>/firebreak-hub`) and built with cargo when it is not there.

use super::harness::workspace_bin;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

fn binary() -> PathBuf {
    let bin = workspace_bin("firebreak-hub");
    if !bin.is_file() {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "firebreak-hub"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build -p firebreak-hub");
        assert!(status.success(), "cargo build -p firebreak-hub failed");
    }
    bin
}

/// A running hub; dropping it kills it.
pub struct Hub {
    pub url: String,
    child: Child,
    _stdout: BufReader<ChildStdout>,
}

impl Hub {
    /// `serve --listen 127.0.0.1:0` on `data`; waits for its `listening on URL` line.
    pub fn start(data: &Path) -> Hub {
        let log = data.with_extension("log");
        let log_file = std::fs::File::create(&log).expect("hub log");
        let mut child = Command::new(binary())
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
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

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
