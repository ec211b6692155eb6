//! Opening the store: one SQLite file, readable by its user only, in WAL mode with
//! `synchronous=FULL` so that an append is durable when it returns.

use crate::error::StoreError;
use crate::migrations::{MIGRATIONS, Migration, migrate};
use crate::paths::store_file;
use firebreak_core::ids::DeviceId;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `PRAGMA application_id` of a Firebreak store ("FBRK"), so that pointing `--home` at a
/// directory holding some other SQLite file fails clearly instead of writing into it.
pub const APPLICATION_ID: i64 = 0x4642_524B;

/// How long a writer waits for another process (the desktop app and the CLI share the
/// store) to finish its transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The local store: the event log and the runbook library.
#[derive(Debug)]
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
    device: DeviceId,
}

impl Store {
    /// Opens (creating if needed) the store in `home`.
    pub fn open(home: &Path) -> Result<Store, StoreError> {
        create_private_dir(home)?;
        Self::open_file(&store_file(home))
    }

    /// Opens (creating if needed) the store file at `path`.
    pub fn open_file(path: &Path) -> Result<Store, StoreError> {
        Self::open_file_with(path, MIGRATIONS)
    }

    /// As `open_file`, with a given migration list (tests use it to show that a failed
    /// migration changes nothing).
    pub fn open_file_with(path: &Path, migrations: &[Migration]) -> Result<Store, StoreError> {
        create_private_file(path)?;
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let app_id: i64 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(open_err)?;
        let user_version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        if app_id != APPLICATION_ID && (app_id != 0 || user_version != 0 || has_tables(&conn)?) {
            return Err(StoreError::NotAStore {
                path: path.to_path_buf(),
                found: app_id,
            });
        }
        // WAL: readers never block the writer, so the desktop app and the CLI can share
        // the file. FULL: the WAL is fsynced at every commit, so an append that returned
        // survives a power cut, not only a crash.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        migrate(&mut conn, path, migrations)?;
        if app_id != APPLICATION_ID {
            conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        let device = ensure_device(&conn)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            device,
        })
    }

    /// The store file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// This store's device id: every event appended here carries it.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// A number that changes whenever another connection commits to the store. The
    /// desktop app polls it to refresh when the CLI writes, without re-reading the log.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// A stored setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Stores a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// `PRAGMA integrity_check`, for tests and `firebreak doctor`-style checks.
    pub fn integrity_check(&self) -> Result<String, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

fn has_tables(conn: &Connection) -> Result<bool, StoreError> {
    let n: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    Ok(n > 0)
}

fn ensure_device(conn: &Connection) -> Result<DeviceId, StoreError> {
    let existing: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(text) = existing {
        return text.parse().map_err(|e| StoreError::CorruptEvent {
            id: "device_id".into(),
            reason: format!("{e}"),
        });
    }
    let device = DeviceId::new_v7();
    // INSERT OR IGNORE + re-read: two processes opening a new store at once agree.
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?1)",
        [device.to_string()],
    )?;
    let text: String =
        conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })?;
    text.parse().map_err(|e| StoreError::CorruptEvent {
        id: "device_id".into(),
        reason: format!("{e}"),
    })
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })
}

/// Creates the file with mode 0600 before SQLite opens it; SQLite then gives its `-wal`
/// and `-shm` files the same mode.
#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    if path.exists() {
        return Ok(());
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(StoreError::CreateFile {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<(), StoreError> {
    Ok(())
}
