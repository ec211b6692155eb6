//! The hub database's schema migrations: SQL compiled into the binary, applied in
//! order, all pending ones in one transaction; `PRAGMA user_version` counts them. A
//! database from a newer hub is refused rather than misread.

use crate::error::StorageError;
use rusqlite::Transaction;
use std::path::Path;

/// One migration: its name (for errors) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration this build knows, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_initial",
        sql: include_str!("../../migrations/0001_initial.sql"),
    },
    Migration {
        name: "0002_event_offsets",
        sql: include_str!("../../migrations/0002_event_offsets.sql"),
    },
];

/// Brings the schema up to date inside the caller's transaction; returns how many
/// migrations ran.
pub fn migrate(tx: &Transaction<'_>, path: &Path) -> Result<usize, StorageError> {
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StorageError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            known,
        });
    }
    let pending = MIGRATIONS.get(current.max(0) as usize..).unwrap_or(&[]);
    for (offset, migration) in pending.iter().enumerate() {
        tx.execute_batch(migration.sql)
            .map_err(|source| StorageError::Migration {
                path: path.to_path_buf(),
                name: migration.name,
                source,
            })?;
        // PRAGMA takes no parameters; the version is an integer computed here.
        let version = current + offset as i64 + 1;
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    }
    Ok(pending.len())
}
