//! Appending to and reading the event log.
//!
//! An append is one `BEGIN IMMEDIATE … COMMIT`: the sequence number is taken, the rules
//! are checked and the row is written under the write lock, so two processes appending
//! at once get distinct sequence numbers and a refused event leaves nothing behind. The
//! full-text index is not touched by an append (see `search.rs`).

use crate::error::StoreError;
use crate::store::Store;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use firebreak_core::event::{Event, EventBody, NewEvent};
use firebreak_core::ids::{DeviceId, EventId, IncidentId};
use firebreak_core::rules;
use firebreak_core::sync::MAX_EVENT_BYTES;
use rusqlite::{OptionalExtension, Row, Transaction, TransactionBehavior, params};

/// The columns every event query selects, in the order `event_from_row` reads them.
pub(crate) const EVENT_COLUMNS: &str = "id, incident_id, device_id, seq, author, recorded_at, occurred_at, kind, body, amends, private";

/// Timestamps are stored as RFC 3339 in UTC with microseconds, so that text order is
/// time order.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_time(id: &str, text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.to_utc())
        .map_err(|e| StoreError::CorruptEvent {
            id: id.to_string(),
            reason: format!("bad time {text:?}: {e}"),
        })
}

fn parse_id<T: std::str::FromStr>(id: &str, what: &str, text: &str) -> Result<T, StoreError> {
    text.parse().map_err(|_| StoreError::CorruptEvent {
        id: id.to_string(),
        reason: format!("bad {what} {text:?}"),
    })
}

/// Raw columns of one event row, read without interpretation.
pub(crate) struct EventRow {
    id: String,
    incident: String,
    device: String,
    seq: i64,
    author: String,
    recorded_at: String,
    occurred_at: Option<String>,
    body: String,
    amends: Option<String>,
    private: bool,
}

pub(crate) fn read_row(row: &Row<'_>) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        id: row.get(0)?,
        incident: row.get(1)?,
        device: row.get(2)?,
        seq: row.get(3)?,
        author: row.get(4)?,
        recorded_at: row.get(5)?,
        occurred_at: row.get(6)?,
        body: row.get(8)?,
        amends: row.get(9)?,
        private: row.get(10)?,
    })
}

pub(crate) fn decode(raw: EventRow) -> Result<Event, StoreError> {
    let id = raw.id.as_str();
    let body: EventBody =
        serde_json::from_str(&raw.body).map_err(|e| StoreError::CorruptEvent {
            id: id.to_string(),
            reason: format!("bad body: {e}"),
        })?;
    Ok(Event {
        id: parse_id::<EventId>(id, "id", id)?,
        incident: parse_id::<IncidentId>(id, "incident", &raw.incident)?,
        author: raw.author.clone(),
        device: parse_id::<DeviceId>(id, "device", &raw.device)?,
        seq: u64::try_from(raw.seq).map_err(|_| StoreError::CorruptEvent {
            id: id.to_string(),
            reason: format!("bad sequence number {}", raw.seq),
        })?,
        recorded_at: parse_time(id, &raw.recorded_at)?,
        occurred_at: raw
            .occurred_at
            .as_deref()
            .map(|t| parse_time(id, t))
            .transpose()?,
        amends: raw
            .amends
            .as_deref()
            .map(|t| parse_id::<EventId>(id, "amends", t))
            .transpose()?,
        private: raw.private,
        body,
    })
}

/// Runs an event query and decodes its rows.
pub(crate) fn query_events(
    conn: &rusqlite::Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Event>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(params, read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter().map(decode).collect()
}

impl Store {
    /// Appends one event by `author` on this device and returns it as stored. When this
    /// returns `Ok`, the event is on disk.
    pub fn append(&mut self, author: &str, new: NewEvent) -> Result<Event, StoreError> {
        self.append_at(author, new, Utc::now())
    }

    /// As `append`, with the recording time given (tests and imports use it).
    pub fn append_at(
        &mut self,
        author: &str,
        new: NewEvent,
        recorded_at: DateTime<Utc>,
    ) -> Result<Event, StoreError> {
        let mut events = self.append_all_at(author, vec![new], recorded_at)?;
        events.pop().ok_or_else(|| StoreError::CorruptEvent {
            id: "append".into(),
            reason: "no event was appended".into(),
        })
    }

    /// Appends several events in one transaction: all of them, or (if any is refused)
    /// none. Starting an incident with its runbooks uses it, so a refused runbook leaves
    /// no half-started incident behind.
    pub fn append_all(
        &mut self,
        author: &str,
        new: Vec<NewEvent>,
    ) -> Result<Vec<Event>, StoreError> {
        self.append_all_at(author, new, Utc::now())
    }

    fn append_all_at(
        &mut self,
        author: &str,
        new: Vec<NewEvent>,
        recorded_at: DateTime<Utc>,
    ) -> Result<Vec<Event>, StoreError> {
        for event in &new {
            rules::check_body(&event.body)?;
            rules::check_target_presence(&event.body, event.amends.is_some())?;
        }
        // The store keeps microseconds; the returned events must equal the stored ones.
        let recorded_at = recorded_at.trunc_subsecs(6);
        let device = self.device();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut seq: i64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM events WHERE device_id = ?1",
            [device.to_string()],
            |r| r.get(0),
        )?;
        let mut appended = Vec::with_capacity(new.len());
        for new in new {
            check_against_log(&tx, &new)?;
            seq += 1;
            let event = Event {
                id: EventId::new_v7(),
                incident: new.incident,
                author: author.to_string(),
                device,
                seq: seq as u64,
                recorded_at,
                occurred_at: new.occurred_at.map(|t| t.trunc_subsecs(6)),
                amends: new.amends,
                private: new.private,
                body: new.body,
            };
            check_size(&event)?;
            insert_event(&tx, &event)?;
            appended.push(event);
        }
        tx.commit()?;
        Ok(appended)
    }

    /// Every event of one incident, in the order they were stored.
    pub fn incident_events(&self, incident: IncidentId) -> Result<Vec<Event>, StoreError> {
        query_events(
            &self.conn,
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE incident_id = ?1 ORDER BY rowid"),
            [incident.to_string()],
        )
    }

    /// One event by its full id.
    pub fn event(&self, id: EventId) -> Result<Option<Event>, StoreError> {
        Ok(query_events(
            &self.conn,
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"),
            [id.to_string()],
        )?
        .into_iter()
        .next())
    }

    /// Finds an event by its full id, or by a unique prefix or suffix of it (people type
    /// the short ids `firebreak log` prints: the last eight hex digits).
    pub fn find_event(&self, query: &str) -> Result<Event, StoreError> {
        let needle = query.trim().to_ascii_lowercase();
        if needle.len() < 4 || !needle.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
            return Err(StoreError::UnknownEvent(query.to_string()));
        }
        let matches = query_events(
            &self.conn,
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE id = ?1 OR id LIKE ?1 || '%' OR replace(id, '-', '') LIKE ?2 || '%'
                    OR replace(id, '-', '') LIKE '%' || ?2
                 LIMIT 3"
            ),
            params![needle, needle.replace('-', "")],
        )?;
        match matches.len() {
            0 => Err(StoreError::UnknownEvent(query.to_string())),
            1 => Ok(matches
                .into_iter()
                .next()
                .ok_or_else(|| StoreError::UnknownEvent(query.to_string()))?),
            n => Err(StoreError::AmbiguousEvent {
                query: query.to_string(),
                count: n,
            }),
        }
    }

    /// The number of events in the store.
    pub fn event_count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

/// Rules that need the log: the incident exists, an amendment's target is a live
/// finding of the same incident.
fn check_against_log(tx: &Transaction<'_>, new: &NewEvent) -> Result<(), StoreError> {
    let starts_incident = matches!(new.body, EventBody::IncidentStarted { .. });
    if !starts_incident {
        let known: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM events WHERE incident_id = ?1 AND kind = 'incident_started')",
            [new.incident.to_string()],
            |r| r.get(0),
        )?;
        if !known {
            return Err(StoreError::UnknownIncident(new.incident.to_string()));
        }
    }
    if let Some(target_id) = new.amends {
        let target = query_events(
            tx,
            &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"),
            [target_id.to_string()],
        )?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::UnknownEvent(target_id.to_string()))?;
        if target.incident != new.incident {
            return Err(rules::Rejection::OtherIncident {
                event: target.id.to_string(),
                incident: target.incident.to_string(),
            }
            .into());
        }
        let retracted: bool = tx
            .query_row(
                "SELECT 1 FROM events WHERE amends = ?1 AND kind = 'retracted' LIMIT 1",
                [target_id.to_string()],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .is_some();
        rules::check_amendment(&new.body, &target, retracted)?;
    }
    if let EventBody::PostmortemEdited { edit } = &new.body {
        for id in edit.references() {
            let referenced = query_events(
                tx,
                &format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = ?1"),
                [id.to_string()],
            )?
            .into_iter()
            .next()
            .ok_or_else(|| StoreError::UnknownEvent(id.to_string()))?;
            if referenced.incident != new.incident {
                return Err(rules::Rejection::OtherIncident {
                    event: referenced.id.to_string(),
                    incident: referenced.incident.to_string(),
                }
                .into());
            }
            rules::check_postmortem_reference(edit, &referenced)?;
        }
    }
    Ok(())
}

/// Refuses an event the hub would refuse for its size: it could never be pushed, and
/// every later event of this device would wait behind it.
fn check_size(event: &Event) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(event).map_or(usize::MAX, |json| json.len());
    if bytes > MAX_EVENT_BYTES {
        return Err(StoreError::EventTooLarge {
            bytes,
            limit: MAX_EVENT_BYTES,
        });
    }
    Ok(())
}

/// Inserts one event. The caller owns the transaction.
pub(crate) fn insert_event(tx: &Transaction<'_>, event: &Event) -> Result<(), StoreError> {
    let body = serde_json::to_string(&event.body).map_err(|e| StoreError::CorruptEvent {
        id: event.id.to_string(),
        reason: format!("cannot encode body: {e}"),
    })?;
    tx.execute(
        "INSERT INTO events (id, incident_id, device_id, seq, author, recorded_at, occurred_at,
                             kind, body, amends, private)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            event.id.to_string(),
            event.incident.to_string(),
            event.device.to_string(),
            event.seq as i64,
            event.author,
            time_text(event.recorded_at),
            event.occurred_at.map(time_text),
            event.kind().as_str(),
            body,
            event.amends.map(|a| a.to_string()),
            event.private,
        ],
    )?;
    // No search-index work here: see `Store::update_search_index`.
    Ok(())
}
