//! The store's side of sync: which hub, the token, how far pushes and pulls have got,
//! clock samples, and storing other devices' events with the pull cursor in one
//! transaction, beside the clock offsets the hub stamped on the page's events.
//!
//! The protocol and its decisions live in `firebreak_core::sync`; the HTTP client and
//! the sync round in `firebreak-sync`. This module only keeps state, so that a sync
//! interrupted anywhere (a reset connection, SIGKILL) resumes from what is on disk.

use crate::error::StoreError;
use crate::events::{EVENT_COLUMNS, query_events, time_text};
use crate::foreign::{Arrival, merge_foreign};
use crate::store::Store;
use chrono::{DateTime, Utc};
use firebreak_core::event::Event;
use firebreak_core::ids::{EventId, IncidentId};
use firebreak_core::sync::PulledPage;
use firebreak_core::sync::clock::{ClockSample, RECENT_SAMPLES, RecordedSample};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file beside the store that holds the hub token.
pub const TOKEN_FILE: &str = "hub-token";

/// The hub a store syncs with and how far it has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConnection {
    /// The hub's base URL, as given to `hub connect` (no trailing slash).
    pub url: String,
    pub connected_at: DateTime<Utc>,
    /// The hub's high-water mark for this device, as last heard.
    pub acknowledged_seq: u64,
    /// Everyone's events up to this hub cursor are in this store.
    pub pull_cursor: u64,
    /// The hub's event at `pull_cursor`, when known: a round checks the hub still has
    /// it there, and pulls everything again when not (a hub restored from a backup).
    pub pull_cursor_event: Option<EventId>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Set when the last round failed: a short kind (`unreachable`, `unauthorized`,
    /// `refused`, …) and a sentence.
    pub last_error: Option<SyncFailure>,
}

/// Why the last sync round failed, as kept in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncFailure {
    pub kind: String,
    pub message: String,
}

/// What a pulled page did to this store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoredPage {
    /// Events new to this store.
    pub inserted: usize,
    /// Events it already had (a page pulled again after a lost answer).
    pub already_present: usize,
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| StoreError::CorruptSyncState(format!("bad time {text:?}: {e}")))
}

fn to_u64(n: i64, what: &str) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::CorruptSyncState(format!("negative {what} {n}")))
}

fn to_i64(n: u64, what: &str) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::CorruptSyncState(format!("{what} {n} is too large")))
}

impl Store {
    /// The directory the store file is in; the token file and profiles live there.
    fn home_dir(&self) -> PathBuf {
        self.path()
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// Where this store keeps its hub token.
    pub fn token_path(&self) -> PathBuf {
        self.home_dir().join(TOKEN_FILE)
    }

    /// Connects this store to a hub: keeps the URL here and the token in a file only its
    /// user can read. Connecting again to the same URL keeps the progress (a new token
    /// for the same hub); another URL starts over, because cursors and high-water marks
    /// of one hub mean nothing to another.
    pub fn connect_hub(&self, url: &str, token: &str) -> Result<(), StoreError> {
        let url = url.trim().trim_end_matches('/');
        write_private_file(&self.token_path(), token.trim())?;
        let now = time_text(Utc::now());
        let same: bool = self
            .conn
            .query_row(
                "SELECT url = ?1 FROM hub_connection WHERE id = 1",
                [url],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        if same {
            self.conn.execute(
                "UPDATE hub_connection SET connected_at = ?1, last_error_kind = NULL,
                        last_error = NULL WHERE id = 1",
                [&now],
            )?;
        } else {
            let tx =
                rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
            tx.execute("DELETE FROM hub_connection", [])?;
            tx.execute("DELETE FROM hub_clock_samples", [])?;
            tx.execute(
                "INSERT INTO hub_connection (id, url, connected_at) VALUES (1, ?1, ?2)",
                params![url, now],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Forgets the hub and its token. The events stay: they are the log.
    pub fn disconnect_hub(&self) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM hub_connection", [])?;
        self.conn.execute("DELETE FROM hub_clock_samples", [])?;
        let path = self.token_path();
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StoreError::TokenFile { path, source }),
        }
    }

    /// The hub this store syncs with, if any.
    pub fn hub_connection(&self) -> Result<Option<HubConnection>, StoreError> {
        let row = self
            .conn
            .query_row(
                "SELECT url, connected_at, acknowledged_seq, pull_cursor, last_attempt_at,
                        last_success_at, last_error_kind, last_error, pull_cursor_event
                 FROM hub_connection WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                        r.get::<_, Option<String>>(8)?,
                    ))
                },
            )
            .optional()?;
        let Some((url, connected, ack, cursor, attempt, success, kind, message, cursor_event)) =
            row
        else {
            return Ok(None);
        };
        Ok(Some(HubConnection {
            url,
            connected_at: parse_time(&connected)?,
            acknowledged_seq: to_u64(ack, "acknowledged sequence number")?,
            pull_cursor: to_u64(cursor, "pull cursor")?,
            pull_cursor_event: cursor_event
                .map(|text| {
                    text.parse::<EventId>().map_err(|_| {
                        StoreError::CorruptSyncState(format!("bad cursor event id {text:?}"))
                    })
                })
                .transpose()?,
            last_attempt_at: attempt.as_deref().map(parse_time).transpose()?,
            last_success_at: success.as_deref().map(parse_time).transpose()?,
            last_error: kind.map(|kind| SyncFailure {
                kind,
                message: message.unwrap_or_default(),
            }),
        }))
    }

    /// The hub token, read from the token file.
    pub fn hub_token(&self) -> Result<Option<String>, StoreError> {
        let path = self.token_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text.trim().to_string()).filter(|t| !t.is_empty())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StoreError::TokenFile { path, source }),
        }
    }

    /// This device's newest sequence number (0 before its first event).
    pub fn own_last_seq(&self) -> Result<u64, StoreError> {
        let seq: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE device_id = ?1",
            [self.device().to_string()],
            |r| r.get(0),
        )?;
        to_u64(seq, "sequence number")
    }

    /// This device's events after `seq`, in sequence order, at most `limit`; private
    /// ones included (a push names them by number only).
    pub fn own_events_after(&self, seq: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        query_events(
            &self.conn,
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE device_id = ?1 AND seq > ?2
                 ORDER BY seq LIMIT ?3"
            ),
            params![
                self.device().to_string(),
                to_i64(seq, "sequence number")?,
                i64::try_from(limit).unwrap_or(i64::MAX)
            ],
        )
    }

    /// This device's shared events the hub has not acknowledged (as last heard). Private
    /// events are not counted: they never leave.
    pub fn pending_push_count(&self) -> Result<u64, StoreError> {
        let acknowledged = self.hub_connection()?.map_or(0, |hub| hub.acknowledged_seq);
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM events WHERE device_id = ?1 AND seq > ?2 AND private = 0",
            params![
                self.device().to_string(),
                to_i64(acknowledged, "sequence number")?
            ],
            |r| r.get(0),
        )?;
        to_u64(n, "count")
    }

    /// Records the hub's high-water mark for this device from a push answer. It only
    /// moves forward: two syncs of one store (the desktop app and the CLI) may finish
    /// in either order.
    ///
    /// Every progress update names the hub it came from (`hub_url`) and changes nothing
    /// if the store has since been connected elsewhere: one hub's numbers must never
    /// land on another's row.
    pub fn record_acknowledged(&self, hub_url: &str, seq: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE hub_connection SET acknowledged_seq = max(acknowledged_seq, ?1)
             WHERE id = 1 AND url = ?2",
            params![to_i64(seq, "sequence number")?, hub_url],
        )?;
        Ok(())
    }

    /// Sets the high-water mark to what the hub says it is, lower or not: the hub lost
    /// events (restored from a backup) and says where to push from.
    pub fn reset_acknowledged(&self, hub_url: &str, seq: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE hub_connection SET acknowledged_seq = ?1 WHERE id = 1 AND url = ?2",
            params![to_i64(seq, "sequence number")?, hub_url],
        )?;
        Ok(())
    }

    /// Moves the pull cursor back (to 0 to pull everything again) when the hub's log
    /// no longer matches it: a hub restored from a backup. Pulling again duplicates
    /// nothing, because stored events are skipped.
    pub fn reset_pull_cursor(&self, hub_url: &str, cursor: u64) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE hub_connection SET pull_cursor = ?1, pull_cursor_event = NULL
             WHERE id = 1 AND url = ?2",
            params![to_i64(cursor, "cursor")?, hub_url],
        )?;
        Ok(())
    }

    /// Stores a page pulled from the hub, as `core::sync::accept_pull` made it: other
    /// devices' events and the cursor after them (see [`Store::store_pulled`]), and, in
    /// the same transaction, the clock offset the hub stamped on each of the page's
    /// events that has one, this device's own events included. An offset already kept
    /// for an event stays (the first heard; the hub never changes a stamp). Offsets are
    /// bookkeeping beside the log (`event_clock_offsets`), never part of it.
    pub fn store_pulled_page(
        &mut self,
        hub_url: &str,
        page: &PulledPage,
    ) -> Result<StoredPage, StoreError> {
        self.store_page(
            hub_url,
            &page.events,
            &page.offsets,
            page.cursor,
            page.cursor_event,
        )
    }

    /// Stores a pulled page of other devices' events and the cursor after it (with the
    /// id of the hub's event at that cursor, when the page had one), in one
    /// transaction: a crash leaves both or neither. An event already here (by id) is
    /// skipped when it is the same event, and refused loudly when it is not: two
    /// different events under one id, or under one `(device, seq)`, would mean someone
    /// rewrote history. The cursor never moves back. An empty page that does not move
    /// the cursor writes nothing, so an idle sync does not wake every reader of the
    /// store. No clock offsets are kept: [`Store::store_pulled_page`] keeps them.
    pub fn store_pulled(
        &mut self,
        hub_url: &str,
        events: &[Event],
        cursor: u64,
        cursor_event: Option<EventId>,
    ) -> Result<StoredPage, StoreError> {
        self.store_page(hub_url, events, &[], cursor, cursor_event)
    }

    fn store_page(
        &mut self,
        hub_url: &str,
        events: &[Event],
        offsets: &[(EventId, i64)],
        cursor: u64,
        cursor_event: Option<EventId>,
    ) -> Result<StoredPage, StoreError> {
        let own = self.device();
        let mut page = StoredPage::default();
        if events.is_empty() && offsets.is_empty() {
            let hub = self.hub_connection()?.ok_or(StoreError::NotConnected)?;
            if hub.url != hub_url {
                return Err(StoreError::HubChanged);
            }
            if cursor <= hub.pull_cursor {
                return Ok(page);
            }
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let merged = merge_foreign(&tx, own, events, Arrival::Hub)?;
        page.inserted = merged.inserted;
        page.already_present = merged.already_present;
        {
            let mut keep = tx.prepare_cached(
                "INSERT OR IGNORE INTO event_clock_offsets (event_id, offset_ms) VALUES (?1, ?2)",
            )?;
            for (id, offset_ms) in offsets {
                keep.execute(params![id.to_string(), offset_ms])?;
            }
        }
        let moved = tx.execute(
            "UPDATE hub_connection SET pull_cursor = ?1, pull_cursor_event = ?3
             WHERE id = 1 AND url = ?2 AND pull_cursor < ?1",
            params![
                to_i64(cursor, "cursor")?,
                hub_url,
                cursor_event.map(|id| id.to_string())
            ],
        )?;
        if moved == 0 {
            // Not moved: an older page (fine, the cursor never goes back), or the store
            // left this hub (dropping the transaction rolls the page back).
            match self_hub_url(&tx)? {
                None => return Err(StoreError::NotConnected),
                Some(url) if url != hub_url => return Err(StoreError::HubChanged),
                Some(_) => {}
            }
        }
        tx.commit()?;
        Ok(page)
    }

    /// The clock offsets the hub stamped on this incident's events (hub clock minus
    /// the event's device's clock, in milliseconds), by event, as pulled: the same map
    /// on every device that pulled the incident's events. Events the hub stored without
    /// a stamp, or that never came through a pull, are not in it.
    pub fn event_clock_offsets(
        &self,
        incident: IncidentId,
    ) -> Result<HashMap<EventId, i64>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.event_id, o.offset_ms FROM event_clock_offsets o
             JOIN events e ON e.id = o.event_id
             WHERE e.incident_id = ?1",
        )?;
        let rows = stmt
            .query_map([incident.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, offset_ms)| {
                let id = id.parse::<EventId>().map_err(|_| {
                    StoreError::CorruptSyncState(format!("bad event id {id:?} in clock offsets"))
                })?;
                Ok((id, offset_ms))
            })
            .collect()
    }

    /// Notes how a sync round that started at `attempted_at` ended: `None` for success.
    pub fn record_sync_outcome(
        &self,
        hub_url: &str,
        attempted_at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
        failure: Option<&SyncFailure>,
    ) -> Result<(), StoreError> {
        match failure {
            None => self.conn.execute(
                "UPDATE hub_connection SET last_attempt_at = ?1, last_success_at = ?2,
                        last_error_kind = NULL, last_error = NULL
                 WHERE id = 1 AND url = ?3",
                params![time_text(attempted_at), time_text(ended_at), hub_url],
            )?,
            Some(failure) => self.conn.execute(
                "UPDATE hub_connection SET last_attempt_at = ?1, last_error_kind = ?2,
                        last_error = ?3
                 WHERE id = 1 AND url = ?4",
                params![
                    time_text(attempted_at),
                    failure.kind,
                    failure.message,
                    hub_url
                ],
            )?,
        };
        Ok(())
    }

    /// Keeps a clock measurement against the hub; only the most recent few are kept.
    pub fn record_clock_sample(&self, sample: RecordedSample) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO hub_clock_samples (received_at, offset_ms, rtt_ms) VALUES (?1, ?2, ?3)",
            params![
                time_text(sample.received_at),
                sample.sample.offset_ms,
                to_i64(sample.sample.rtt_ms, "round trip")?
            ],
        )?;
        self.conn.execute(
            "DELETE FROM hub_clock_samples WHERE rowid NOT IN
                 (SELECT rowid FROM hub_clock_samples ORDER BY received_at DESC LIMIT ?1)",
            [RECENT_SAMPLES as i64],
        )?;
        Ok(())
    }

    /// The recent clock measurements against the hub, newest first.
    pub fn clock_samples(&self) -> Result<Vec<RecordedSample>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT received_at, offset_ms, rtt_ms FROM hub_clock_samples ORDER BY received_at DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(at, offset_ms, rtt)| {
                Ok(RecordedSample {
                    sample: ClockSample {
                        offset_ms,
                        rtt_ms: to_u64(rtt, "round trip")?,
                    },
                    received_at: parse_time(&at)?,
                })
            })
            .collect()
    }
}

/// The URL of the hub the store is connected to now, read inside a transaction.
fn self_hub_url(tx: &rusqlite::Transaction<'_>) -> Result<Option<String>, StoreError> {
    Ok(tx
        .query_row("SELECT url FROM hub_connection WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Whether a stored event and a pulled one are the same event. The author is left out:
/// the hub names a device's events by its user, which a store may have under the name
/// the device gave (an event that came by another route, such as a handoff file).
/// Writes `text` to `path` readable by its user only, replacing any older file whole
/// (a temporary file renamed over it), so a crash leaves the old token or the new one.
fn write_private_file(path: &Path, text: &str) -> Result<(), StoreError> {
    let err = |source| StoreError::TokenFile {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(err)?;
    // An older temporary file keeps its mode through `open`; set it again.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(err)?;
    }
    file.write_all(text.as_bytes()).map_err(err)?;
    file.write_all(b"\n").map_err(err)?;
    file.sync_all().map_err(err)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SubsecRound;
    use firebreak_core::event::{EventBody, FindingKind, NewEvent};
    use firebreak_core::ids::DeviceId;

    const HUB: &str = "http://127.0.0.1:4000";

    fn note(text: &str) -> EventBody {
        EventBody::Finding {
            finding: FindingKind::Note,
            text: text.into(),
        }
    }

    /// An event as another device recorded it.
    fn foreign(device: DeviceId, seq: u64, incident: IncidentId, text: &str) -> Event {
        Event {
            id: EventId::new_v7(),
            incident,
            author: "bob".into(),
            device,
            seq,
            recorded_at: Utc::now().trunc_subsecs(6),
            occurred_at: None,
            amends: None,
            private: false,
            body: note(text),
        }
    }

    fn page(events: Vec<Event>, offsets: Vec<(EventId, i64)>, cursor: u64) -> PulledPage {
        PulledPage {
            cursor_event: events.last().map(|e| e.id),
            events,
            cursor,
            more: false,
            offsets,
        }
    }

    #[test]
    fn pulled_offsets_are_kept_ignored_when_absent_and_read_back_per_incident() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("a")).expect("open");
        store.connect_hub(HUB, "token").expect("connect");
        let incident = IncidentId::new_v7();
        let own = store
            .append(
                "alice",
                NewEvent::new(
                    incident,
                    EventBody::IncidentStarted {
                        title: "Checkout down".into(),
                        severity: None,
                    },
                ),
            )
            .expect("start");
        let unstamped_own = store
            .append("alice", NewEvent::new(incident, note("mine, no stamp")))
            .expect("note");
        assert!(
            store
                .event_clock_offsets(incident)
                .expect("read")
                .is_empty(),
            "nothing pulled yet"
        );

        let (bob, carol) = (DeviceId::new_v7(), DeviceId::new_v7());
        let elsewhere = IncidentId::new_v7();
        let b1 = foreign(bob, 1, incident, "bob stamped");
        let b2 = foreign(bob, 2, incident, "bob unstamped");
        let c1 = foreign(carol, 1, elsewhere, "carol, another incident");
        // As accept_pull hands it over: own events left out of `events`, not of
        // `offsets`; b2 was stored by the hub without a stamp.
        let first = page(
            vec![b1.clone(), b2.clone(), c1.clone()],
            vec![(own.id, -40), (b1.id, 120_000), (c1.id, 5)],
            5,
        );
        let stored = store.store_pulled_page(HUB, &first).expect("store");
        assert_eq!(stored.inserted, 3);
        let hub = store.hub_connection().expect("read").expect("connected");
        assert_eq!(hub.pull_cursor, 5);

        let offsets = store.event_clock_offsets(incident).expect("read");
        assert_eq!(offsets, HashMap::from([(own.id, -40), (b1.id, 120_000)]));
        assert!(
            !offsets.contains_key(&b2.id),
            "absent on the wire, absent here"
        );
        assert!(!offsets.contains_key(&unstamped_own.id));
        assert_eq!(
            store.event_clock_offsets(elsewhere).expect("read"),
            HashMap::from([(c1.id, 5)])
        );
        assert!(
            store
                .event_clock_offsets(IncidentId::new_v7())
                .expect("read")
                .is_empty()
        );

        // Pulled again from the start: the first stamp heard stays, a new one is kept.
        store.reset_pull_cursor(HUB, 0).expect("reset");
        let again = page(
            vec![b1.clone(), b2.clone()],
            vec![(own.id, 999), (b1.id, 1), (b2.id, 7)],
            5,
        );
        let stored = store.store_pulled_page(HUB, &again).expect("again");
        assert_eq!((stored.inserted, stored.already_present), (0, 2));
        assert_eq!(
            store.event_clock_offsets(incident).expect("read"),
            HashMap::from([(own.id, -40), (b1.id, 120_000), (b2.id, 7)])
        );

        // A page of this device's own events only still keeps their stamps.
        let own_only = page(vec![], vec![(unstamped_own.id, 30)], 6);
        store.store_pulled_page(HUB, &own_only).expect("own only");
        assert_eq!(
            store.event_clock_offsets(incident).expect("read")[&unstamped_own.id],
            30
        );

        // A refused page keeps none of its offsets: one transaction with the events.
        let mut altered = b1.clone();
        altered.body = note("rewritten");
        let b3 = foreign(bob, 3, incident, "bob later");
        let refused = page(vec![b3.clone(), altered], vec![(b3.id, 11)], 9);
        assert!(matches!(
            store.store_pulled_page(HUB, &refused),
            Err(StoreError::SyncConflict { .. })
        ));
        assert!(
            !store
                .event_clock_offsets(incident)
                .expect("read")
                .contains_key(&b3.id)
        );
        // So does a page that fails after its offsets were written: it came from a hub
        // this store is no longer connected to.
        let late = page(vec![b3.clone()], vec![(b3.id, 11)], 9);
        assert!(matches!(
            store.store_pulled_page("http://127.0.0.1:5000", &late),
            Err(StoreError::HubChanged)
        ));
        assert!(
            !store
                .event_clock_offsets(incident)
                .expect("read")
                .contains_key(&b3.id)
        );
        assert_eq!(
            store
                .hub_connection()
                .expect("read")
                .expect("hub")
                .pull_cursor,
            6
        );

        // The plain entry point keeps events and no offsets.
        let b4 = foreign(bob, 3, incident, "bob, plain");
        store
            .store_pulled(HUB, std::slice::from_ref(&b4), 10, Some(b4.id))
            .expect("plain");
        assert!(
            !store
                .event_clock_offsets(incident)
                .expect("read")
                .contains_key(&b4.id)
        );
    }

    #[test]
    fn clock_offsets_live_beside_the_log_not_in_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = Store::open(&dir.path().join("a")).expect("open");
        store.connect_hub(HUB, "token").expect("connect");
        let incident = IncidentId::new_v7();
        let b1 = foreign(DeviceId::new_v7(), 1, incident, "bob");
        let before = store
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0));
        store
            .store_pulled_page(HUB, &page(vec![b1.clone()], vec![(b1.id, 3)], 1))
            .expect("store");
        let after = store
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0));
        assert_eq!(after.expect("count"), before.expect("count") + 1);
        let columns: Vec<String> = store
            .conn
            .prepare("SELECT name FROM pragma_table_info('events')")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("columns");
        assert!(!columns.iter().any(|c| c.contains("offset")), "{columns:?}");
        assert_eq!(
            store.event_clock_offsets(incident).expect("read"),
            HashMap::from([(b1.id, 3)])
        );
    }
}
