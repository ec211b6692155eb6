//! The embedded storage: one SQLite file, `hub.db`, in the hub's data directory
//! (`0700`; the file `0600`), in WAL mode with `synchronous=FULL`, so that a push is on
//! disk when it is acknowledged and a `kill -9` loses nothing acknowledged.
//!
//! One connection writes (behind a mutex: SQLite has one writer anyway, and pushes
//! queue there in arrival order, which also makes cursor order commit order); reads
//! (pulls, the stream, timelines, token checks) use a small pool of other connections
//! so that they never wait for a push's fsync.

use crate::error::StorageError;
use crate::push_rules::{Existing, Held, Refusal, ValidBatch, decide};
use crate::storage::migrations::migrate;
use crate::storage::{
    AddUser, DeviceRecord, HubStorage, PushError, PushOutcome, User, UserSummary,
};
use crate::token::TokenHash;
use chrono::{DateTime, SecondsFormat, Utc};
use firebreak_core::event::Event;
use firebreak_core::ids::{DeviceId, IncidentId};
use firebreak_core::sync::clock::{RECENT_SAMPLES, RecordedSample};
use firebreak_core::sync::{ClockSample, HubEvent, best_estimate};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// The database file inside the data directory.
pub const DB_FILE: &str = "hub.db";

/// `PRAGMA application_id` of a hub database ("FBHB"), so that `--data` pointed at a
/// directory holding another SQLite file (a Firebreak store, say) fails clearly.
pub const APPLICATION_ID: i64 = 0x4642_4842;

/// How long a writer waits for another process (`firebreak-hub user add` while the
/// server runs) to finish its transaction.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Idle read connections kept open.
const IDLE_READERS: usize = 4;

/// The SQLite implementation of [`HubStorage`].
#[derive(Debug)]
pub struct SqliteStorage {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

impl SqliteStorage {
    /// Opens (creating if needed) the hub database in `data_dir`.
    pub fn open(data_dir: &Path) -> Result<SqliteStorage, StorageError> {
        create_private_dir(data_dir)?;
        let path = data_dir.join(DB_FILE);
        create_private_file(&path)?;
        let mut conn = connect(&path)?;
        // Refuse a foreign file before changing anything in it, journal mode included.
        check_is_ours(&conn, &path)?;
        // WAL: pulls read while a push writes. FULL: the WAL is fsynced at each commit,
        // so an acknowledged push survives a power cut, not only a crash.
        set_wal(&conn).map_err(|source| StorageError::Open {
            path: path.clone(),
            source,
        })?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        check_is_ours(&tx, &path)?;
        migrate(&tx, &path)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
        Ok(SqliteStorage {
            path,
            writer: Mutex::new(conn),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A panic while a connection was held dropped its transaction (rolled back), so
    /// the connection is fine to use again.
    fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on an idle read connection, opening one if none is idle.
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let idle = self
            .readers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => connect(&self.path)?,
        };
        let result = f(&conn);
        let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if readers.len() < IDLE_READERS {
            readers.push(conn);
        }
        result
    }
}

fn connect(path: &Path) -> Result<Connection, StorageError> {
    let open_err = |source| StorageError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(open_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(open_err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(open_err)?;
    Ok(conn)
}

/// Refuses a SQLite file some other program owns: another application id, or tables or
/// a schema version without ours.
fn check_is_ours(conn: &Connection, path: &Path) -> Result<(), StorageError> {
    let (application_id, schema_version, tables): (i64, i64, i64) = conn.query_row(
        "SELECT (SELECT application_id FROM pragma_application_id()),
                (SELECT user_version FROM pragma_user_version()),
                (SELECT count(*) FROM sqlite_master)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if application_id == APPLICATION_ID {
        return Ok(());
    }
    if application_id != 0 || schema_version != 0 || tables > 0 {
        return Err(StorageError::NotAHub {
            path: path.to_path_buf(),
            found: application_id,
        });
    }
    Ok(())
}

/// Switches to WAL, retrying while another process holds the lock it needs (SQLite
/// does not wait for it through the busy handler).
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

/// Times are stored as RFC 3339 in UTC with microseconds, so that text order is time
/// order.
fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(cursor: i64, text: &str) -> Result<DateTime<Utc>, StorageError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| StorageError::Corrupt {
            cursor,
            reason: format!("bad time {text:?}: {e}"),
        })
}

fn decode_event(cursor: i64, json: &str) -> Result<Event, StorageError> {
    serde_json::from_str(json).map_err(|e| StorageError::Corrupt {
        cursor,
        reason: format!("bad event JSON: {e}"),
    })
}

/// SQLite integers are signed; `validate` refuses sequence numbers above `i64::MAX`, so
/// saturating never changes a value that reaches the database.
fn sql_int(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn to_u64(cursor: i64, what: &str, v: i64) -> Result<u64, StorageError> {
    u64::try_from(v).map_err(|_| StorageError::Corrupt {
        cursor,
        reason: format!("negative {what} {v}"),
    })
}

/// The columns `hub_event` reads, joined to the device's user.
const HUB_EVENT_SELECT: &str = "SELECT e.cursor, e.received_at, e.event, u.name, e.offset_ms
     FROM events e
     JOIN devices d ON d.device_id = e.device_id
     JOIN users u ON u.id = d.user_id";

struct RawHubEvent {
    cursor: i64,
    received_at: String,
    event: String,
    user: String,
    offset_ms: Option<i64>,
}

fn raw_hub_event(row: &Row<'_>) -> rusqlite::Result<RawHubEvent> {
    Ok(RawHubEvent {
        cursor: row.get(0)?,
        received_at: row.get(1)?,
        event: row.get(2)?,
        user: row.get(3)?,
        offset_ms: row.get(4)?,
    })
}

/// An event as served: the author is the device's user; the device's own is kept.
fn hub_event(raw: RawHubEvent) -> Result<HubEvent, StorageError> {
    let mut event = decode_event(raw.cursor, &raw.event)?;
    let device_author = std::mem::replace(&mut event.author, raw.user);
    Ok(HubEvent {
        cursor: to_u64(raw.cursor, "cursor", raw.cursor)?,
        received_at: parse_time(raw.cursor, &raw.received_at)?,
        offset_ms: raw.offset_ms,
        device_author,
        event,
    })
}

fn query_hub_events(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<HubEvent>, StorageError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params, raw_hub_event)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(hub_event).collect()
}

/// The device's high-water mark: the highest sequence number stored or announced
/// private (batches are contiguous, so everything below it is there).
fn high_water(conn: &Connection, device: &str) -> Result<u64, StorageError> {
    let events: i64 = conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM events WHERE device_id = ?1",
        [device],
        |r| r.get(0),
    )?;
    let private: i64 = conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM private_seqs WHERE device_id = ?1",
        [device],
        |r| r.get(0),
    )?;
    to_u64(0, "sequence number", events.max(private))
}

fn head(conn: &Connection) -> Result<u64, StorageError> {
    let head: i64 = conn.query_row("SELECT COALESCE(MAX(cursor), 0) FROM events", [], |r| {
        r.get(0)
    })?;
    to_u64(head, "cursor", head)
}

/// The device's owner: (user id, name).
fn owner(conn: &Connection, device: &str) -> Result<Option<(i64, String)>, StorageError> {
    Ok(conn
        .query_row(
            "SELECT d.user_id, u.name FROM devices d JOIN users u ON u.id = d.user_id
             WHERE d.device_id = ?1",
            [device],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Keeps a clock sample, and only the device's most recent few.
fn insert_clock(
    conn: &Connection,
    device: &str,
    sample: ClockSample,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    conn.prepare_cached(
        "INSERT INTO clock_samples (device_id, offset_ms, rtt_ms, received_at)
         VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        device,
        sample.offset_ms,
        i64::try_from(sample.rtt_ms).unwrap_or(i64::MAX),
        time_text(now)
    ])?;
    conn.prepare_cached(
        "DELETE FROM clock_samples WHERE device_id = ?1 AND id <= (
             SELECT id FROM clock_samples WHERE device_id = ?1
             ORDER BY id DESC LIMIT 1 OFFSET ?2)",
    )?
    .execute(params![device, RECENT_SAMPLES as i64])?;
    Ok(())
}

fn recent_samples(conn: &Connection, device: &str) -> Result<Vec<RecordedSample>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT offset_ms, rtt_ms, received_at FROM clock_samples
         WHERE device_id = ?1 ORDER BY id DESC LIMIT ?2",
    )?;
    let rows = stmt
        .query_map(params![device, RECENT_SAMPLES as i64], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(offset_ms, rtt_ms, at)| {
            Ok(RecordedSample {
                sample: ClockSample {
                    offset_ms,
                    rtt_ms: to_u64(0, "round trip", rtt_ms)?,
                },
                received_at: parse_time(0, &at)?,
            })
        })
        .collect()
}

/// What the hub holds that the batch touches: its sequence numbers up to the
/// high-water mark, and its ids anywhere.
fn existing(conn: &Connection, batch: &ValidBatch, device: &str) -> Result<Existing, StorageError> {
    let mut existing = Existing {
        high_water: high_water(conn, device)?,
        ..Existing::default()
    };
    let Some(range) = &batch.range else {
        return Ok(existing);
    };
    if *range.start() <= existing.high_water {
        let (low, high) = (*range.start(), existing.high_water.min(*range.end()));
        let mut stmt = conn.prepare_cached(
            "SELECT cursor, seq, event FROM events
             WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3",
        )?;
        let rows = stmt
            .query_map(params![device, sql_int(low), sql_int(high)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (cursor, seq, json) in rows {
            let event = decode_event(cursor, &json)?;
            existing.by_seq.insert(
                to_u64(cursor, "sequence number", seq)?,
                Held::Event(Box::new(event)),
            );
        }
        let mut stmt = conn.prepare_cached(
            "SELECT seq FROM private_seqs WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3",
        )?;
        let seqs = stmt
            .query_map(params![device, sql_int(low), sql_int(high)], |r| {
                r.get::<_, i64>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for seq in seqs {
            existing
                .by_seq
                .insert(to_u64(0, "sequence number", seq)?, Held::Private);
        }
    }
    let mut stmt = conn.prepare_cached("SELECT cursor, event FROM events WHERE id = ?1")?;
    for incoming in &batch.events {
        let id = incoming.event.id;
        let row = stmt
            .query_row([id.to_string()], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .optional()?;
        if let Some((cursor, json)) = row {
            existing.by_id.insert(id, decode_event(cursor, &json)?);
        }
    }
    Ok(existing)
}

impl HubStorage for SqliteStorage {
    fn add_user(
        &self,
        name: &str,
        token: &TokenHash,
        now: DateTime<Utc>,
    ) -> Result<AddUser, StorageError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let now = time_text(now);
        let found: Option<i64> = tx
            .query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        let (user_id, outcome) = match found {
            None => {
                let id: i64 = tx.query_row(
                    "INSERT INTO users (name, created_at) VALUES (?1, ?2) RETURNING id",
                    params![name, now],
                    |r| r.get(0),
                )?;
                (id, AddUser::Created)
            }
            Some(id) => {
                let live: i64 = tx.query_row(
                    "SELECT COUNT(*) FROM tokens WHERE user_id = ?1 AND revoked_at IS NULL",
                    [id],
                    |r| r.get(0),
                )?;
                if live > 0 {
                    return Ok(AddUser::HasToken);
                }
                (id, AddUser::Reissued)
            }
        };
        tx.execute(
            "INSERT INTO tokens (hash, user_id, created_at) VALUES (?1, ?2, ?3)",
            params![token.hex(), user_id, now],
        )?;
        tx.commit()?;
        Ok(outcome)
    }

    fn revoke_user(&self, name: &str, now: DateTime<Utc>) -> Result<Option<usize>, StorageError> {
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found: Option<i64> = tx
            .query_row("SELECT id FROM users WHERE name = ?1", [name], |r| r.get(0))
            .optional()?;
        let Some(id) = found else {
            return Ok(None);
        };
        let revoked = tx.execute(
            "UPDATE tokens SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL",
            params![id, time_text(now)],
        )?;
        tx.commit()?;
        Ok(Some(revoked))
    }

    fn users(&self) -> Result<Vec<UserSummary>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT u.name, u.created_at,
                    (SELECT COUNT(*) FROM tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL),
                    (SELECT COUNT(*) FROM devices d WHERE d.user_id = u.id),
                    (SELECT MAX(d.last_seen) FROM devices d WHERE d.user_id = u.id)
                 FROM users u ORDER BY u.name",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.into_iter()
                .map(|(name, created, live, devices, seen)| {
                    Ok(UserSummary {
                        name,
                        created_at: parse_time(0, &created)?,
                        active: live > 0,
                        devices: to_u64(0, "device count", devices)?,
                        last_seen: seen.as_deref().map(|t| parse_time(0, t)).transpose()?,
                    })
                })
                .collect()
        })
    }

    fn authenticate(&self, token: &TokenHash) -> Result<Option<User>, StorageError> {
        let hash = token.hex();
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT u.id, u.name FROM tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.hash = ?1 AND t.revoked_at IS NULL",
                )?
                .query_row([hash], |r| {
                    Ok(User {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                })
                .optional()?)
        })
    }

    fn push(
        &self,
        user: &User,
        batch: &ValidBatch,
        now: DateTime<Utc>,
    ) -> Result<PushOutcome, PushError> {
        let device = batch.device.to_string();
        let mut conn = self.writer();
        // IMMEDIATE: the write lock is taken before the first read, so what `decide`
        // sees cannot change before the commit.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let owner = owner(&tx, &device)?;
        if let Some((owner_id, owner_name)) = &owner
            && *owner_id != user.id
        {
            return Err(Refusal::DeviceOfAnotherUser {
                device: batch.device,
                owner: owner_name.clone(),
            }
            .into());
        }
        let existing = existing(&tx, batch, &device)?;
        let decision = decide(batch, &existing)?;
        let now_text = time_text(now);
        let bound = match owner {
            Some(_) => {
                tx.execute(
                    "UPDATE devices SET last_seen = ?2 WHERE device_id = ?1",
                    params![device, now_text],
                )?;
                true
            }
            // A device is bound by its first batch, not by an empty push: asking for the
            // high-water mark claims nothing.
            None if batch.range.is_some() => {
                tx.execute(
                    "INSERT INTO devices (device_id, user_id, bound_at, last_seen)
                     VALUES (?1, ?2, ?3, ?3)",
                    params![device, user.id, now_text],
                )?;
                true
            }
            None => false,
        };
        // The push's own sample first: the events it carries are stamped with the
        // device's offset as the hub holds it with that sample counted.
        if bound && let Some(sample) = batch.clock {
            insert_clock(&tx, &device, sample, now)?;
        }
        let offset_ms = if decision.new_events.is_empty() {
            None
        } else {
            best_estimate(&recent_samples(&tx, &device)?).map(|best| best.sample.offset_ms)
        };
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events
                     (id, device_id, seq, incident_id, kind, received_at, event, offset_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT DO NOTHING",
            )?;
            for incoming in &decision.new_events {
                let event = &incoming.event;
                let inserted = insert.execute(params![
                    event.id.to_string(),
                    device,
                    sql_int(event.seq),
                    event.incident.to_string(),
                    event.kind().as_str(),
                    now_text,
                    incoming.json,
                    offset_ms,
                ])?;
                if inserted != 1 {
                    // `decide` saw no clash under the write lock; one now is a bug, and
                    // the batch is dropped whole rather than stored in part.
                    return Err(Refusal::Altered {
                        id: event.id,
                        what: "it clashed on insert".into(),
                    }
                    .into());
                }
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO private_seqs (device_id, seq, received_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT DO NOTHING",
            )?;
            for seq in &decision.new_private_seqs {
                insert.execute(params![device, sql_int(*seq), now_text])?;
            }
        }
        let head = head(&tx)?;
        tx.commit()?;
        Ok(PushOutcome {
            acknowledged_seq: decision.acknowledged_seq,
            stored: decision.new_events.len(),
            already_stored: decision.already_stored,
            head,
        })
    }

    fn record_clock(
        &self,
        user: &User,
        device: DeviceId,
        sample: ClockSample,
        now: DateTime<Utc>,
    ) -> Result<(), PushError> {
        let device_text = device.to_string();
        let mut conn = self.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        match owner(&tx, &device_text)? {
            None => return Ok(()),
            Some((owner_id, owner_name)) if owner_id != user.id => {
                return Err(Refusal::DeviceOfAnotherUser {
                    device,
                    owner: owner_name,
                }
                .into());
            }
            Some(_) => {}
        }
        tx.execute(
            "UPDATE devices SET last_seen = ?2 WHERE device_id = ?1",
            params![device_text, time_text(now)],
        )?;
        insert_clock(&tx, &device_text, sample, now)?;
        tx.commit()?;
        Ok(())
    }

    fn events_after(&self, cursor: u64, limit: usize) -> Result<Vec<HubEvent>, StorageError> {
        let sql = format!("{HUB_EVENT_SELECT} WHERE e.cursor > ?1 ORDER BY e.cursor LIMIT ?2");
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = i64::try_from(cursor).unwrap_or(i64::MAX);
        self.read(|conn| query_hub_events(conn, &sql, params![after, limit]))
    }

    fn head(&self) -> Result<u64, StorageError> {
        self.read(head)
    }

    fn device(&self, device: DeviceId) -> Result<Option<DeviceRecord>, StorageError> {
        let id = device.to_string();
        self.read(|conn| {
            // One snapshot for the device, its high-water mark and its clock.
            let tx = conn.unchecked_transaction()?;
            let row = tx
                .query_row(
                    "SELECT u.name, d.bound_at, d.last_seen
                     FROM devices d JOIN users u ON u.id = d.user_id WHERE d.device_id = ?1",
                    [&id],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                        ))
                    },
                )
                .optional()?;
            let Some((user, bound_at, last_seen)) = row else {
                return Ok(None);
            };
            let record = DeviceRecord {
                device,
                user,
                bound_at: parse_time(0, &bound_at)?,
                last_seen: parse_time(0, &last_seen)?,
                acknowledged_seq: high_water(&tx, &id)?,
                clock: best_estimate(&recent_samples(&tx, &id)?),
            };
            tx.finish()?;
            Ok(Some(record))
        })
    }

    fn started_incidents(&self) -> Result<Vec<IncidentId>, StorageError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT DISTINCT incident_id FROM events WHERE kind = 'incident_started'",
            )?;
            let ids = stmt
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter()
                .map(|text| {
                    text.parse().map_err(|_| StorageError::Corrupt {
                        cursor: 0,
                        reason: format!("bad incident id {text:?}"),
                    })
                })
                .collect()
        })
    }

    fn incident_events(&self, incident: IncidentId) -> Result<Vec<HubEvent>, StorageError> {
        let sql = format!("{HUB_EVENT_SELECT} WHERE e.incident_id = ?1 ORDER BY e.cursor");
        self.read(|conn| query_hub_events(conn, &sql, [incident.to_string()]))
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), StorageError> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| StorageError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), StorageError> {
    std::fs::create_dir_all(dir).map_err(|source| StorageError::CreateDir {
        path: dir.to_path_buf(),
        source,
    })
}

/// Creates the file with mode 0600 before SQLite opens it; SQLite gives its `-wal` and
/// `-shm` files the same mode. The database holds token hashes and everyone's log.
#[cfg(unix)]
fn create_private_file(path: &Path) -> Result<(), StorageError> {
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
        Err(source) => Err(StorageError::CreateFile {
            path: path.to_path_buf(),
            source,
        }),
    }
}

#[cfg(not(unix))]
fn create_private_file(_path: &Path) -> Result<(), StorageError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HubConfig;
    use crate::push_rules::validate;
    use crate::storage::MIGRATIONS;
    use crate::token::hash_token;
    use chrono::TimeZone;
    use firebreak_core::event::{EventBody, FindingKind};
    use firebreak_core::ids::EventId;
    use firebreak_core::sync::{ErrorCode, PushRequest};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, 13, 0, 0)
            .single()
            .expect("time")
    }

    fn user(storage: &SqliteStorage, name: &str) -> User {
        let token = format!("token-of-{name}");
        assert_eq!(
            storage
                .add_user(name, &hash_token(&token), now())
                .expect("add"),
            AddUser::Created
        );
        storage
            .authenticate(&hash_token(&token))
            .expect("auth")
            .expect("known")
    }

    fn events(
        device: DeviceId,
        incident: IncidentId,
        seqs: std::ops::RangeInclusive<u64>,
    ) -> Vec<Event> {
        seqs.map(|seq| Event {
            id: EventId::new_v7(),
            incident,
            author: "laptop-user".into(),
            device,
            seq,
            recorded_at: now(),
            occurred_at: None,
            amends: None,
            private: false,
            body: EventBody::Finding {
                finding: FindingKind::Note,
                text: format!("note {seq}"),
            },
        })
        .collect()
    }

    fn batch(device: DeviceId, events: Vec<Event>, private_seqs: Vec<u64>) -> ValidBatch {
        validate(
            PushRequest {
                device,
                events,
                private_seqs,
                clock: Some(ClockSample {
                    offset_ms: 1500,
                    rtt_ms: 8,
                }),
            },
            &HubConfig::default(),
        )
        .expect("valid")
    }

    #[test]
    fn push_binds_stores_once_and_serves_the_users_name() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(dir.path()).expect("open");
        let alice = user(&storage, "alice");
        let (device, incident) = (DeviceId::new_v7(), IncidentId::new_v7());
        let evs = events(device, incident, 1..=3);
        let first = storage
            .push(&alice, &batch(device, evs.clone(), vec![4]), now())
            .expect("push");
        assert_eq!(
            (first.acknowledged_seq, first.stored, first.head),
            (4, 3, 3)
        );
        let again = storage
            .push(&alice, &batch(device, evs.clone(), vec![4]), now())
            .expect("re-send");
        assert_eq!(
            (again.acknowledged_seq, again.stored, again.already_stored),
            (4, 0, 3)
        );

        let pulled = storage.events_after(0, 10).expect("pull");
        assert_eq!(pulled.len(), 3);
        assert_eq!(pulled[0].event.author, "alice");
        assert_eq!(pulled[0].device_author, "laptop-user");
        assert_eq!(storage.events_after(2, 10).expect("pull").len(), 1);

        let record = storage.device(device).expect("device").expect("bound");
        assert_eq!(
            (record.user.as_str(), record.acknowledged_seq),
            ("alice", 4)
        );
        assert_eq!(record.clock.map(|c| c.sample.offset_ms), Some(1500));

        let bob = user(&storage, "bob");
        let stolen = storage
            .push(
                &bob,
                &batch(device, events(device, incident, 5..=5), vec![]),
                now(),
            )
            .expect_err("not bob's");
        assert!(matches!(
            stolen,
            PushError::Refused(Refusal::DeviceOfAnotherUser { .. })
        ));
    }

    fn clocked(device: DeviceId, events: Vec<Event>, clock: Option<(i64, u64)>) -> ValidBatch {
        validate(
            PushRequest {
                device,
                events,
                private_seqs: vec![],
                clock: clock.map(|(offset_ms, rtt_ms)| ClockSample { offset_ms, rtt_ms }),
            },
            &HubConfig::default(),
        )
        .expect("valid")
    }

    /// Each stored event's stamp, by sequence number, as pulls serve it.
    fn stamps(storage: &SqliteStorage, device: DeviceId) -> Vec<(u64, Option<i64>)> {
        storage
            .events_after(0, 100)
            .expect("pull")
            .into_iter()
            .filter(|e| e.event.device == device)
            .map(|e| (e.event.seq, e.offset_ms))
            .collect()
    }

    #[test]
    fn events_are_stamped_with_the_offset_at_arrival_for_good() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(dir.path()).expect("open");
        let alice = user(&storage, "alice");
        let (device, incident) = (DeviceId::new_v7(), IncidentId::new_v7());
        let evs = events(device, incident, 1..=6);

        // The first push has no sample and the hub knows none: no stamp.
        storage
            .push(&alice, &clocked(device, evs[0..2].to_vec(), None), now())
            .expect("push 1-2");
        // The next one carries a sample: it counts for its own events.
        storage
            .push(
                &alice,
                &clocked(device, evs[2..4].to_vec(), Some((1_500, 8))),
                now(),
            )
            .expect("push 3-4");
        let expected = vec![(1, None), (2, None), (3, Some(1_500)), (4, Some(1_500))];
        assert_eq!(stamps(&storage, device), expected);

        // A pull brings a better sample (shorter round trip): the device's clock is
        // now -90 s, and what is stored keeps the stamp it got.
        storage
            .record_clock(
                &alice,
                device,
                ClockSample {
                    offset_ms: -90_000,
                    rtt_ms: 2,
                },
                now(),
            )
            .expect("clock");
        let record = storage.device(device).expect("device").expect("bound");
        assert_eq!(record.clock.map(|c| c.sample.offset_ms), Some(-90_000));
        assert_eq!(stamps(&storage, device), expected);

        // A re-push of everything with yet another sample (a worse round trip, so the
        // estimate stays -90 s) stores only the new event, stamped with the estimate
        // as it stands, not with the push's sample; the others keep theirs.
        let outcome = storage
            .push(
                &alice,
                &clocked(device, evs[0..5].to_vec(), Some((777, 50))),
                now(),
            )
            .expect("re-push 1-5");
        assert_eq!((outcome.stored, outcome.already_stored), (1, 4));
        let mut expected = expected;
        expected.push((5, Some(-90_000)));
        assert_eq!(stamps(&storage, device), expected);

        // The incident's events (the timeline's input) carry the same stamps.
        let served: Vec<(u64, Option<i64>)> = storage
            .incident_events(incident)
            .expect("incident")
            .into_iter()
            .map(|e| (e.event.seq, e.offset_ms))
            .collect();
        assert_eq!(served, expected);

        // Another device's stamps are its own.
        let bob = user(&storage, "bob");
        let bobs = DeviceId::new_v7();
        storage
            .push(
                &bob,
                &clocked(bobs, events(bobs, incident, 1..=1), Some((-300_000, 4))),
                now(),
            )
            .expect("bob");
        assert_eq!(stamps(&storage, bobs), [(1, Some(-300_000))]);
        assert_eq!(stamps(&storage, device), expected);

        // And the stamp is part of the append-only row.
        let conn = storage.writer();
        assert!(
            conn.execute("UPDATE events SET offset_ms = 0", []).is_err(),
            "a stamp is never rewritten"
        );
    }

    #[test]
    fn a_hub_of_the_first_schema_migrates_and_its_events_have_no_stamp() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DB_FILE);
        let (device, incident) = (DeviceId::new_v7(), IncidentId::new_v7());
        let old = events(device, incident, 1..=2);
        {
            let conn = Connection::open(&path).expect("open");
            conn.execute_batch(MIGRATIONS[0].sql).expect("first schema");
            conn.execute_batch(&format!(
                "PRAGMA user_version = 1; PRAGMA application_id = {APPLICATION_ID};"
            ))
            .expect("pragmas");
            conn.execute(
                "INSERT INTO users (id, name, created_at) VALUES (1, 'alice', ?1)",
                [time_text(now())],
            )
            .expect("user");
            conn.execute(
                "INSERT INTO tokens (hash, user_id, created_at) VALUES (?1, 1, ?2)",
                params![hash_token("token-of-alice").hex(), time_text(now())],
            )
            .expect("token");
            conn.execute(
                "INSERT INTO devices (device_id, user_id, bound_at, last_seen)
                 VALUES (?1, 1, ?2, ?2)",
                params![device.to_string(), time_text(now())],
            )
            .expect("device");
            for event in &old {
                conn.execute(
                    "INSERT INTO events (id, device_id, seq, incident_id, kind, received_at, event)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                    params![
                        event.id.to_string(),
                        device.to_string(),
                        sql_int(event.seq),
                        incident.to_string(),
                        event.kind().as_str(),
                        time_text(now()),
                        serde_json::to_string(event).expect("json"),
                    ],
                )
                .expect("event");
            }
        }
        let storage = SqliteStorage::open(dir.path()).expect("migrates");
        let version: i64 = storage
            .writer()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, MIGRATIONS.len() as i64);
        assert_eq!(stamps(&storage, device), [(1, None), (2, None)]);
        let alice = storage
            .authenticate(&hash_token("token-of-alice"))
            .expect("auth")
            .expect("known");
        storage
            .push(
                &alice,
                &clocked(device, events(device, incident, 3..=3), Some((250, 3))),
                now(),
            )
            .expect("push after the migration");
        assert_eq!(
            stamps(&storage, device),
            [(1, None), (2, None), (3, Some(250))]
        );
    }

    #[test]
    fn a_refused_batch_leaves_nothing_behind() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(dir.path()).expect("open");
        let alice = user(&storage, "alice");
        let (device, incident) = (DeviceId::new_v7(), IncidentId::new_v7());
        let evs = events(device, incident, 1..=2);
        storage
            .push(&alice, &batch(device, evs.clone(), vec![]), now())
            .expect("push");
        // Two new events, then an altered copy of a stored one: all refused.
        let mut next = evs.clone();
        next[1].body = EventBody::Finding {
            finding: FindingKind::Note,
            text: "rewritten".into(),
        };
        next.extend(events(device, incident, 3..=4));
        let refused = storage
            .push(&alice, &batch(device, next, vec![]), now())
            .expect_err("altered");
        match refused {
            PushError::Refused(r) => assert_eq!(r.code(), ErrorCode::EventConflict),
            other => panic!("{other}"),
        }
        assert_eq!(storage.head().expect("head"), 2);
        assert_eq!(
            storage
                .device(device)
                .expect("device")
                .expect("bound")
                .acknowledged_seq,
            2
        );
    }

    #[test]
    fn the_events_table_refuses_updates_and_deletes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(dir.path()).expect("open");
        let alice = user(&storage, "alice");
        let device = DeviceId::new_v7();
        storage
            .push(
                &alice,
                &batch(device, events(device, IncidentId::new_v7(), 1..=1), vec![]),
                now(),
            )
            .expect("push");
        let conn = storage.writer();
        assert!(conn.execute("UPDATE events SET kind = 'x'", []).is_err());
        assert!(conn.execute("DELETE FROM events", []).is_err());
        assert!(
            conn.execute("DELETE FROM private_seqs", []).is_ok(),
            "empty table: nothing to refuse"
        );
    }

    #[test]
    fn users_are_added_revoked_and_reissued() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = SqliteStorage::open(dir.path()).expect("open");
        let (one, two) = (hash_token("one"), hash_token("two"));
        assert_eq!(
            storage.add_user("alice", &one, now()).expect("add"),
            AddUser::Created
        );
        assert_eq!(
            storage.add_user("alice", &two, now()).expect("add"),
            AddUser::HasToken
        );
        assert!(
            storage.authenticate(&two).expect("auth").is_none(),
            "not issued"
        );
        assert_eq!(
            storage.revoke_user("alice", now()).expect("revoke"),
            Some(1)
        );
        assert!(storage.authenticate(&one).expect("auth").is_none());
        assert_eq!(storage.revoke_user("nobody", now()).expect("revoke"), None);
        assert_eq!(
            storage.add_user("alice", &two, now()).expect("add"),
            AddUser::Reissued
        );
        assert!(storage.authenticate(&two).expect("auth").is_some());
        let users = storage.users().expect("users");
        assert_eq!(users.len(), 1);
        assert!(users[0].active);
    }

    #[test]
    fn a_foreign_sqlite_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let conn = Connection::open(dir.path().join(DB_FILE)).expect("open");
        conn.execute_batch("CREATE TABLE other (x); PRAGMA application_id = 7;")
            .expect("foreign");
        drop(conn);
        assert!(matches!(
            SqliteStorage::open(dir.path()),
            Err(StorageError::NotAHub { found: 7, .. })
        ));
    }
}
