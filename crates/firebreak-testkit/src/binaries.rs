//! Where the `firebreak` and `firebreak-hub` binaries are.
//!
//! Cargo gives an integration test `CARGO_BIN_EXE_*` only for its own package's
//! binaries, and the sync tests need two binaries of other packages: the CLI (a real
//! client process that can be SIGKILLed mid-sync) and the hub. Both are found in the
//! target directory this test executable runs from (`target/<profile>/deps/…` →
//! `target/<profile>/`). `cargo test -p firebreak-system-tests` does not build them,
//! and a binary left from an earlier build may predate the code under test, so when
//! either is missing or older than a source file of the workspace's crates, the first
//! call in a process runs `cargo build -p firebreak-cli -p firebreak-hub` with the same
//! profile. A workspace run (`cargo nextest run --workspace`) builds both binaries
//! itself, after the sources, so it never gets there — which matters, because a build
//! of two packages resolves features differently from a workspace build and would
//! relink them. `FIREBREAK_TEST_NO_BUILD=1` never builds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::SystemTime;

/// The CLI's binary name.
pub const CLI: &str = "firebreak";
/// The hub's binary name.
pub const HUB: &str = "firebreak-hub";

struct Binaries {
    cli: PathBuf,
    hub: PathBuf,
}

static BINARIES: OnceLock<Binaries> = OnceLock::new();

/// The `firebreak` binary, built if needed.
pub fn cli() -> &'static Path {
    &binaries().cli
}

/// The `firebreak-hub` binary, built if needed.
pub fn hub() -> &'static Path {
    &binaries().hub
}

fn binaries() -> &'static Binaries {
    BINARIES.get_or_init(|| {
        let profile_dir = profile_dir();
        let cli = profile_dir.join(CLI);
        let hub = profile_dir.join(HUB);
        let built = [&cli, &hub].iter().map(|p| modified(p)).min().flatten();
        let stale = match (built, newest_source(workspace())) {
            (None, _) => true,
            (Some(built), Some(source)) => source > built,
            (Some(_), None) => false,
        };
        if stale && std::env::var_os("FIREBREAK_TEST_NO_BUILD").is_none() {
            build(&profile_dir, built.is_some());
        }
        for path in [&cli, &hub] {
            assert!(
                path.is_file(),
                "{} is missing; build it with `cargo build -p firebreak-cli -p firebreak-hub`",
                path.display()
            );
        }
        Binaries { cli, hub }
    })
}

/// The workspace root: this crate is `crates/firebreak-testkit`.
fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace root")
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The newest modification time of the files the binaries are built from: the
/// workspace's crates (sources, migrations, manifests), the bundled runbooks and the
/// lock file. A few hundred files; hidden directories and `target` are skipped.
fn newest_source(workspace: &Path) -> Option<SystemTime> {
    fn walk(path: &Path, newest: &mut Option<SystemTime>) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        if meta.is_dir() {
            let Ok(entries) = std::fs::read_dir(path) else {
                return;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    walk(&entry.path(), newest);
                }
            }
        } else if let Ok(at) = meta.modified() {
            *newest = (*newest).max(Some(at));
        }
    }
    let mut newest = None;
    for part in ["crates", "runbooks", "Cargo.toml", "Cargo.lock"] {
        walk(&workspace.join(part), &mut newest);
    }
    newest
}

/// `target/<profile>`: the directory holding `deps/` with this test executable in it.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.ancestors()
        .skip(1)
        .find(|dir| dir.join("deps").is_dir())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("no target directory above {}", exe.display()))
}

/// Builds both binaries into `profile_dir`. A failed build is fatal unless older
/// binaries are there (other crates may be mid-edit); then it is reported and the
/// existing binaries are used.
fn build(profile_dir: &Path, have_old: bool) {
    let profile = profile_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("debug");
    let target_dir = profile_dir.parent().expect("target directory");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace())
        .args([
            "build",
            "--quiet",
            "-p",
            "firebreak-cli",
            "-p",
            "firebreak-hub",
        ])
        .arg("--target-dir")
        .arg(target_dir);
    match profile {
        "debug" => {}
        "release" => {
            cmd.arg("--release");
        }
        other => {
            cmd.args(["--profile", other]);
        }
    }
    let output = cmd.output();
    let failure = match &output {
        Ok(out) if out.status.success() => return,
        Ok(out) => format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr)),
        Err(e) => e.to_string(),
    };
    assert!(
        have_old,
        "cannot build firebreak-cli and firebreak-hub: {failure}"
    );
    eprintln!(
        "warning: `cargo build -p firebreak-cli -p firebreak-hub` failed; using the binaries already in {}: {failure}",
        profile_dir.display()
    );
}
