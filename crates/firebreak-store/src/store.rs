//! Opening the store: one SQLite file, readable by its user only, in WAL mode with
//! `synchronous=FULL` so that an append is durable when it returns.

use crate::error::StoreError;
use crate::migrations::{MIGRATIONS, Migration, migrate};
use crate::paths::store_file;
use firebreak_core::ids::DeviceId;
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
        // Refuse a foreign file before changing anything in it, journal mode included.
        check_is_ours(&conn, path).map_err(|e| match e {
            StoreError::Sqlite(source) => open_err(source),
            other => other,
        })?;
        // WAL: readers never block the writer, so the desktop app and the CLI can share
        // the file. FULL: the WAL is fsynced at every commit, so an append that returned
        // survives a power cut, not only a crash.
        set_wal(&conn).map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        // Checkpoints copy the WAL into the database and cost an append that triggers
        // one tens of milliseconds. A larger threshold makes them rare; the CLI's
        // connection checkpoints when it closes, and the desktop app calls
        // `checkpoint()` when idle.
        conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)
            .map_err(open_err)?;
        let device = if is_ready(&conn, migrations.len() as i64)? {
            read_device(&conn)?
        } else {
            // Everything a new or old store needs happens in one write transaction, with
            // the checks repeated inside it: a crash or a second process opening the
            // same new store at the same moment leaves either nothing or everything.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            check_is_ours(&tx, path)?;
            migrate(&tx, path, migrations)?;
            tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            let device = ensure_device(&tx)?;
            tx.commit()?;
            device
        };
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            device,
        })
    }

    /// Copies the WAL into the database file now, if no reader is in the way. The
    /// desktop app calls it when idle so that appends rarely pay for a checkpoint.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
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

/// Pages of WAL after which an append checkpoints by itself (32 MiB of 4 KiB pages).
pub const WAL_AUTOCHECKPOINT_PAGES: i64 = 8192;

/// The WAL file is truncated back to this size after a checkpoint (bytes).
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// What the file says about itself, read in one statement so that it is one snapshot
/// (three separate reads could straddle another process's commit of a new store).
struct Identity {
    application_id: i64,
    schema_version: i64,
    tables: i64,
    has_device: bool,
}

fn identity(conn: &Connection) -> Result<Identity, StoreError> {
    Ok(conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id()),
                (SELECT user_version FROM pragma_user_version()),
                (SELECT count(*) FROM sqlite_master),
                (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |r| {
            Ok(Identity {
                application_id: r.get(0)?,
                schema_version: r.get(1)?,
                tables: r.get(2)?,
                has_device: r.get::<_, i64>(3)? > 0,
            })
        },
    )?)
}

/// Refuses a SQLite file that some other program owns: one with another application
/// id, or with tables or a schema version but no application id.
fn check_is_ours(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let id = identity(conn)?;
    if id.application_id == APPLICATION_ID {
        return Ok(());
    }
    if id.application_id != 0 || id.schema_version != 0 || id.tables > 0 {
        return Err(StoreError::NotAStore {
            path: path.to_path_buf(),
            found: id.application_id,
        });
    }
    Ok(())
}

/// Whether the store is fully set up at this build's schema, so that opening it needs
/// no write at all (the common case).
fn is_ready(conn: &Connection, known: i64) -> Result<bool, StoreError> {
    let id = identity(conn)?;
    if id.application_id != APPLICATION_ID || id.schema_version != known || !id.has_device {
        return Ok(false);
    }
    // The schema and the device id commit together, so a store at this version has one;
    // checked anyway, because reading it is the next thing `open` does.
    let has_device: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM meta WHERE key = 'device_id')",
        [],
        |r| r.get(0),
    )?;
    Ok(has_device)
}

/// Switches to WAL. Changing the journal mode takes an exclusive lock and SQLite does
/// not wait for it through the busy handler, so a second process opening a brand-new
/// store at the same moment retries here for up to the busy timeout.
fn set_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(_) => return Ok(()),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            Err(e) => return Err(e),
        }
    }
}

fn parse_device(text: &str) -> Result<DeviceId, StoreError> {
    text.parse().map_err(|e| StoreError::CorruptEvent {
        id: "device_id".into(),
        reason: format!("{e}"),
    })
}

fn read_device(conn: &Connection) -> Result<DeviceId, StoreError> {
    let text: String =
        conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })?;
    parse_device(&text)
}

/// The store's device id, made on first open.
fn ensure_device(conn: &Connection) -> Result<DeviceId, StoreError> {
    let existing: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(text) = existing {
        return parse_device(&text);
    }
    let device = DeviceId::new_v7();
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('device_id', ?1)",
        [device.to_string()],
    )?;
    Ok(device)
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
