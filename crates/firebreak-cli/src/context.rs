//! What every command needs: the store, the author, the time.

use anyhow::Result;
use chrono::{DateTime, Local, Utc};
use firebreak_store::Store;
use std::path::PathBuf;

pub use firebreak_store::AUTHOR_KEY;

pub struct Context {
    pub store: Store,
    author_override: Option<String>,
}

impl Context {
    pub fn open(home: Option<PathBuf>, author: Option<String>) -> Result<Context> {
        Ok(Context {
            store: Store::open_default(home.as_deref())?,
            author_override: author,
        })
    }

    /// Who is recording: `--as`, `$FIREBREAK_AUTHOR`, the stored setting, `$USER`.
    pub fn author(&self) -> Result<String> {
        Ok(self.store.author(self.author_override.as_deref())?)
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// The local UTC offset now, for reading typed times.
    pub fn local_offset(&self) -> chrono::FixedOffset {
        *Local::now().offset()
    }
}
