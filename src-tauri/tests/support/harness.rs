//! Everything a desktop end-to-end test stands on: a virtual display (Xvfb, unless one
//! is already there), tauri-driver on a free loopback port (it starts WebKitWebDriver,
//! which starts the app), a private home for the app's store and window state, and the
//! `firebreak` CLI working on the same store.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Harness {
    pub dir: tempfile::TempDir,
    xvfb: Option<Child>,
    driver: Child,
    pub port: u16,
    display: String,
    pub app: PathBuf,
    pub screenshots: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let from_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    });
    from_path.or_else(|| {
        let home = std::env::var_os("HOME")?;
        let p = Path::new(&home).join(".cargo/bin").join(name);
        p.is_file().then_some(p)
    })
}

/// The target directory's profile folder (target/debug), from this test's own path.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>")
        .to_path_buf()
}

/// Starts Xvfb on a display it picks itself, and returns it with its display name.
fn start_xvfb() -> (Child, String) {
    let mut child = Command::new("Xvfb")
        .args([
            "-displayfd",
            "1",
            "-screen",
            "0",
            "1440x900x24",
            "-nolisten",
            "tcp",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("Xvfb (Debian package xvfb) must be installed: scripts/test.sh installs it");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("Xvfb prints its display number");
    let display = format!(":{}", line.trim());
    (child, display)
}

impl Harness {
    /// The app as alice, on a new store.
    pub fn start() -> Harness {
        Harness::start_as("alice")
    }

    /// The app as `author` (`FIREBREAK_AUTHOR`), on a new store: another responder's
    /// laptop when a test needs two.
    pub fn start_as(author: &str) -> Harness {
        let app = PathBuf::from(env!("CARGO_BIN_EXE_firebreak-desktop"));
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["home", "config", "data", "cache"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        let (xvfb, display) = match std::env::var("DISPLAY") {
            Ok(d) if !d.is_empty() && std::env::var_os("FIREBREAK_E2E_OWN_DISPLAY").is_none() => {
                (None, d)
            }
            _ => {
                let (child, display) = start_xvfb();
                (Some(child), display)
            }
        };
        let port = free_port();
        let native_port = free_port();
        let driver_bin = find_on_path("tauri-driver")
            .expect("tauri-driver must be installed (cargo install tauri-driver): scripts/test.sh installs it");
        assert!(
            find_on_path("WebKitWebDriver").is_some(),
            "WebKitWebDriver (Debian package webkit2gtk-driver) must be installed: scripts/test.sh installs it"
        );
        // The app inherits this environment through tauri-driver and WebKitWebDriver.
        // Its own process group: tauri-driver does not stop WebKitWebDriver (nor
        // WebKitWebDriver the app) when it is killed, so the whole group is killed.
        let driver = Command::new(driver_bin)
            .process_group(0)
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("DISPLAY", &display)
            .env("FIREBREAK_HOME", dir.path().join("home"))
            .env("FIREBREAK_AUTHOR", author)
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("XDG_DATA_HOME", dir.path().join("data"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            // WebKitWebDriver takes screenshots through WebKit's compositor, which the
            // app switches off by default (src/rendering.rs); the pixels are the same.
            .env("FIREBREAK_GPU_COMPOSITING", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start tauri-driver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let screenshots = profile_dir().join("../e2e-screenshots");
        std::fs::create_dir_all(&screenshots).expect("screenshot dir");
        Harness {
            dir,
            xvfb,
            driver,
            port,
            display,
            app,
            screenshots,
        }
    }

    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// The `firebreak` CLI on the app's store, as a second process would use it.
    pub fn cli(&self, args: &[&str]) -> String {
        cli_at(&self.home(), "bob", args)
    }

    pub fn cli_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = args.to_vec();
        all.push("--json");
        serde_json::from_str(&self.cli(&all)).expect("CLI JSON")
    }

    pub fn save_screenshot(&self, png: &[u8], name: &str) -> PathBuf {
        let path = self.screenshots.join(format!("{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    pub fn display(&self) -> &str {
        &self.display
    }
}

/// The `firebreak` CLI on the store in `home`, recording as `author`: another
/// responder's laptop when `home` is not the app's.
pub fn cli_at(home: &Path, author: &str, args: &[&str]) -> String {
    let bin = firebreak_testkit::binaries::cli();
    let out = Command::new(bin)
        .arg("--home")
        .arg(home)
        .args(args)
        .env("FIREBREAK_AUTHOR", author)
        .output()
        .unwrap_or_else(|e| panic!("run {} (build it with the workspace): {e}", bin.display()));
    assert!(
        out.status.success(),
        "firebreak {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl Drop for Harness {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        if let Some(x) = self.xvfb.as_mut() {
            let _ = x.kill();
            let _ = x.wait();
        }
    }
}
