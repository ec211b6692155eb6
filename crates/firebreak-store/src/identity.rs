//! Who is recording, and the store a front end opens by default. Shared by the CLI and
//! the desktop app so that both agree on the author and the home directory.

use crate::bundled::BUNDLED_RUNBOOKS;
use crate::error::StoreError;
use crate::paths::{HOME_ENV, resolve_home};
use crate::store::Store;
use std::path::Path;

/// The setting that names the default author.
pub const AUTHOR_KEY: &str = "author";

/// The environment variable that names the author.
pub const AUTHOR_ENV: &str = "FIREBREAK_AUTHOR";

impl Store {
    /// Opens the store a front end means: `explicit_home` (`--home`), else
    /// `$FIREBREAK_HOME`, else the platform's data directory; and makes sure the bundled
    /// runbooks are in it.
    pub fn open_default(explicit_home: Option<&Path>) -> Result<Store, StoreError> {
        let env_home = std::env::var(HOME_ENV).ok();
        let home = resolve_home(explicit_home, env_home.as_deref()).ok_or(StoreError::NoHome)?;
        let mut store = Store::open(&home)?;
        store.install_bundled(BUNDLED_RUNBOOKS)?;
        Ok(store)
    }

    /// Who is recording: `explicit` (`--as`), else `$FIREBREAK_AUTHOR`, else the stored
    /// `author` setting, else `$USER`, else "unknown".
    pub fn author(&self, explicit: Option<&str>) -> Result<String, StoreError> {
        let candidates = [
            explicit.map(str::to_string),
            std::env::var(AUTHOR_ENV).ok(),
            self.setting(AUTHOR_KEY)?,
            std::env::var("USER").ok(),
            std::env::var("USERNAME").ok(),
        ];
        Ok(candidates
            .into_iter()
            .flatten()
            .map(|name| name.trim().to_string())
            .find(|name| !name.is_empty())
            .unwrap_or_else(|| "unknown".to_string()))
    }
}
