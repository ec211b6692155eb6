//! Where the store lives: `--home DIR`, else `$FIREBREAK_HOME`, else the platform's
//! data directory (`$XDG_DATA_HOME/firebreak` on Linux, `~/Library/Application
//! Support/firebreak` on macOS, `%APPDATA%\firebreak` on Windows).

use std::path::{Path, PathBuf};

/// The store's file name inside its home directory.
pub const STORE_FILE: &str = "firebreak.db";

/// The environment variable that moves the home directory.
pub const HOME_ENV: &str = "FIREBREAK_HOME";

/// Resolves the home directory. `explicit` is `--home`; `env` is the value of
/// `FIREBREAK_HOME`, passed in so that the rule is tested without touching the
/// process environment.
pub fn resolve_home(explicit: Option<&Path>, env: Option<&str>) -> Option<PathBuf> {
    if let Some(dir) = explicit {
        return Some(dir.to_path_buf());
    }
    if let Some(dir) = env.filter(|d| !d.trim().is_empty()) {
        return Some(PathBuf::from(dir));
    }
    dirs::data_dir().map(|d| d.join("firebreak"))
}

/// The store file inside `home`.
pub fn store_file(home: &Path) -> PathBuf {
    home.join(STORE_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_beats_env_beats_platform() {
        let explicit = Path::new("/tmp/a");
        assert_eq!(
            resolve_home(Some(explicit), Some("/tmp/b")),
            Some(PathBuf::from("/tmp/a"))
        );
        assert_eq!(
            resolve_home(None, Some("/tmp/b")),
            Some(PathBuf::from("/tmp/b"))
        );
        let platform = resolve_home(None, None);
        if let Some(p) = platform {
            assert!(p.ends_with("firebreak"));
        }
        assert_eq!(resolve_home(None, Some("  ")), resolve_home(None, None));
    }
}
