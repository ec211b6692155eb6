//! What every command needs: the store, the author, the time.

use anyhow::{Context as _, Result, anyhow};
use chrono::{DateTime, Local, Utc};
use firebreak_store::paths::{HOME_ENV, resolve_home};
use firebreak_store::{BUNDLED_RUNBOOKS, Store};
use std::path::PathBuf;

/// The setting that names the default author.
pub const AUTHOR_KEY: &str = "author";

pub struct Context {
    pub store: Store,
    author_override: Option<String>,
}

impl Context {
    pub fn open(home: Option<PathBuf>, author: Option<String>) -> Result<Context> {
        let env_home = std::env::var(HOME_ENV).ok();
        let home = resolve_home(home.as_deref(), env_home.as_deref()).ok_or_else(|| {
            anyhow!("cannot tell where to keep the store: pass --home DIR or set {HOME_ENV}")
        })?;
        let mut store = Store::open(&home)?;
        store
            .install_bundled(BUNDLED_RUNBOOKS)
            .context("installing the bundled runbooks")?;
        Ok(Context {
            store,
            author_override: author,
        })
    }

    /// Who is recording: `--as`, `$FIREBREAK_AUTHOR`, the stored setting, `$USER`.
    pub fn author(&self) -> Result<String> {
        let candidates = [
            self.author_override.clone(),
            std::env::var("FIREBREAK_AUTHOR").ok(),
            self.store.setting(AUTHOR_KEY)?,
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

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// The local UTC offset now, for reading typed times.
    pub fn local_offset(&self) -> chrono::FixedOffset {
        *Local::now().offset()
    }
}
