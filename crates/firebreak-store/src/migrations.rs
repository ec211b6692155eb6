//! Schema migrations: SQL files compiled into the binary, applied in order, all pending
//! ones in one transaction. `PRAGMA user_version` records how many have been applied.
//!
//! The list is append-only. A store whose version is higher than this build knows was
//! written by a newer Firebreak and is refused rather than misread.

use crate::error::StoreError;
use rusqlite::Connection;
use std::path::Path;

/// One migration: its name (for errors) and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration this build knows, oldest first. Append only.
pub const MIGRATIONS: &[Migration] = &[Migration {
    name: "0001_initial",
    sql: include_str!("../migrations/0001_initial.sql"),
}];

/// Brings the schema up to date with `migrations`, all or nothing. Returns the number
/// applied.
pub fn migrate(
    conn: &mut Connection,
    path: &Path,
    migrations: &[Migration],
) -> Result<usize, StoreError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
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
    tx.commit()?;
    Ok(pending.len())
}
