//! Schema migrations: SQL files compiled into the binary, applied in order, all pending
//! ones in one transaction. `PRAGMA user_version` records how many have been applied.
//!
//! The list is append-only. A store whose version is higher than this build knows was
//! written by a newer Firebreak and is refused rather than misread.

use crate::error::StoreError;
use rusqlite::{Connection, Transaction};
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
        sql: include_str!("../migrations/0001_initial.sql"),
    },
    Migration {
        name: "0002_probe_approvals",
        sql: include_str!("../migrations/0002_probe_approvals.sql"),
    },
    Migration {
        name: "0003_sync",
        sql: include_str!("../migrations/0003_sync.sql"),
    },
    Migration {
        name: "0004_event_clock_offsets",
        sql: include_str!("../migrations/0004_event_clock_offsets.sql"),
    },
];

/// Brings the schema up to date with `migrations` inside the caller's transaction, so
/// that the migrations and whatever else the caller does in it (the application id, the
/// device id) commit together or not at all. Returns the number applied.
pub fn migrate(
    tx: &Transaction<'_>,
    path: &Path,
    migrations: &[Migration],
) -> Result<usize, StoreError> {
    let current = schema_version(tx)?;
    let known = migrations.len() as i64;
    if current > known {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found: current,
            known,
        });
    }
    let pending = &migrations[current as usize..];
    for (offset, migration) in pending.iter().enumerate() {
        let version = current + offset as i64 + 1;
        tx.execute_batch(migration.sql)
            .map_err(|source| StoreError::Migration {
                path: path.to_path_buf(),
                name: migration.name,
                source,
            })?;
        // PRAGMA takes no parameters; `version` is an integer we computed.
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
    }
    Ok(pending.len())
}

/// `PRAGMA user_version`: how many migrations the store has had.
pub fn schema_version(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}
