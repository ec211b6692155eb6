//! Events recorded on other devices, arriving from the hub or in a handoff bundle. They
//! are stored as they are (same id, device, sequence number and times), once: the same
//! event arriving twice — by file, then by the hub — is recognised and skipped.

use crate::error::StoreError;
use crate::events::{EVENT_COLUMNS, insert_event, query_events};
use crate::runbooks::adopt_runbook;
use firebreak_core::event::{Event, EventBody};
use firebreak_core::ids::DeviceId;
use firebreak_core::runbook::content_hash;
use rusqlite::{Transaction, params};

/// Where foreign events came from, for the error that names a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrival {
    Hub,
    Bundle,
}

impl Arrival {
    pub fn as_str(self) -> &'static str {
        match self {
            Arrival::Hub => "the hub",
            Arrival::Bundle => "the handoff bundle",
        }
    }
}

/// What merging did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Merged {
    pub inserted: usize,
    pub already_present: usize,
    /// Runbook versions carried by `runbook_run_started` events that were new here.
    pub runbooks_adopted: usize,
}

/// Inserts the events this store does not have, inside the caller's transaction. This
/// device's own events are skipped: its log is the authority on them. An event already
/// here is skipped when it is the same event and refused when it is not: two different
/// events under one id, or under one `(device, seq)`, mean someone rewrote history, and
/// the caller rolls everything back.
pub(crate) fn merge_foreign(
    tx: &Transaction<'_>,
    own: DeviceId,
    events: &[Event],
    arrival: Arrival,
) -> Result<Merged, StoreError> {
    let mut merged = Merged::default();
    for event in events {
        if event.device == own {
            merged.already_present += 1;
            continue;
        }
        let existing = query_events(
            tx,
            &format!(
                "SELECT {EVENT_COLUMNS} FROM events
                 WHERE id = ?1 OR (device_id = ?2 AND seq = ?3) LIMIT 2"
            ),
            params![
                event.id.to_string(),
                event.device.to_string(),
                i64::try_from(event.seq).map_err(|_| StoreError::CorruptEvent {
                    id: event.id.to_string(),
                    reason: format!("sequence number {} is out of range", event.seq),
                })?
            ],
        )?;
        if existing.is_empty() {
            insert_event(tx, event)?;
            merged.inserted += 1;
            merged.runbooks_adopted += adopt_carried_runbook(tx, event)?;
            continue;
        }
        if existing.iter().all(|stored| same_event(stored, event)) {
            merged.already_present += 1;
            continue;
        }
        return Err(StoreError::SyncConflict {
            id: event.id.to_string(),
            device: event.device.to_string(),
            seq: event.seq,
            from: arrival.as_str(),
        });
    }
    Ok(merged)
}

/// Keeps the runbook version a run pins when its event carries the source, so that the
/// run's checklist can be followed here. A source that does not match its hash, or does
/// not parse, is not kept (the run then shows as missing its runbook, as before).
fn adopt_carried_runbook(tx: &Transaction<'_>, event: &Event) -> Result<usize, StoreError> {
    let EventBody::RunbookRunStarted {
        runbook_id,
        content_hash: hash,
        source: Some(source),
        ..
    } = &event.body
    else {
        return Ok(0);
    };
    if content_hash(source) != *hash {
        return Ok(0);
    }
    let origin = format!("shared by {}", event.author);
    adopt_runbook(tx, runbook_id, source, &origin)
}

fn same_event(stored: &Event, pulled: &Event) -> bool {
    stored.id == pulled.id
        && stored.incident == pulled.incident
        && stored.device == pulled.device
        && stored.seq == pulled.seq
        && stored.recorded_at == pulled.recorded_at
        && stored.occurred_at == pulled.occurred_at
        && stored.amends == pulled.amends
        && stored.private == pulled.private
        && stored.body == pulled.body
}
