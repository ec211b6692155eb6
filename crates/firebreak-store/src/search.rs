//! Full-text search over what the log says.

use crate::error::StoreError;
use crate::events::{EVENT_COLUMNS, query_events};
use crate::runbooks::fts_query;
use crate::store::Store;
use firebreak_core::event::Event;
use firebreak_core::ids::IncidentId;
use serde::Serialize;

/// A finding that matched, with the matched words between `[` and `]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingHit {
    pub event: Event,
    pub snippet: String,
}

impl Store {
    /// Events whose text matches every typed word (the last as a prefix), newest first.
    /// Newest first rather than by rank: during an incident the latest finding about a
    /// thing is the one that matters, and FTS5 walks rowids backwards without scoring
    /// every match, which keeps the search fast on a large log.
    pub fn search_findings(
        &self,
        typed: &str,
        incident: Option<IncidentId>,
        limit: usize,
    ) -> Result<Vec<FindingHit>, StoreError> {
        let Some(query) = fts_query(typed) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT rowid, snippet(events_fts, 0, '[', ']', '…', 16)
             FROM events_fts WHERE events_fts MATCH ?1 ORDER BY rowid DESC",
        )?;
        let mut rows = stmt.query([&query])?;
        let mut hits = Vec::new();
        let incident_text = incident.map(|i| i.to_string());
        while let Some(row) = rows.next()? {
            let rowid: i64 = row.get(0)?;
            let snippet: String = row.get(1)?;
            let event = query_events(
                &self.conn,
                &format!("SELECT {EVENT_COLUMNS} FROM events WHERE rowid = ?1"),
                [rowid],
            )?
            .into_iter()
            .next();
            let Some(event) = event else { continue };
            if incident_text
                .as_deref()
                .is_some_and(|want| event.incident.to_string() != want)
            {
                continue;
            }
            hits.push(FindingHit { event, snippet });
            if hits.len() >= limit {
                break;
            }
        }
        Ok(hits)
    }
}
