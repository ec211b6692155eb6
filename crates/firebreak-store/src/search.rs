//! Full-text search over what the log says.
//!
//! The index is derived data, kept out of the durable append: tokenising text and
//! merging FTS5 segments inside every append would double its tail latency, and only
//! search reads the index. Instead every search first indexes the events appended since
//! the last one, in one transaction, up to a high-water mark kept in `meta`. A crash
//! cannot make the index disagree with the log: the mark and the rows it covers commit
//! together, and whatever is past the mark is indexed next time.

use crate::error::StoreError;
use crate::events::{EVENT_COLUMNS, decode, read_row};
use crate::runbooks::fts_query;
use crate::store::Store;
use firebreak_core::event::Event;
use firebreak_core::event::EventBody;
use firebreak_core::ids::IncidentId;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

/// A finding that matched, with the matched words between `[` and `]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingHit {
    pub event: Event,
    pub snippet: String,
}

impl Store {
    /// Events whose text matches every typed word (the last as a prefix), newest first.
    /// Newest first rather than by rank: during an incident the latest entry about a
    /// thing is the one that matters, and FTS5 walks rowids backwards without scoring
    /// every match, which keeps the search fast on a large log. Every event's text is
    /// indexed: findings, and also steps, status changes and roles.
    pub fn search_findings(
        &self,
        typed: &str,
        incident: Option<IncidentId>,
        limit: usize,
    ) -> Result<Vec<FindingHit>, StoreError> {
        let Some(query) = fts_query(typed) else {
            return Ok(Vec::new());
        };
        self.update_search_index()?;
        let columns = EVENT_COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {columns}, snippet(events_fts, 0, '[', ']', '…', 16)
             FROM events_fts JOIN events e ON e.rowid = events_fts.rowid
             WHERE events_fts MATCH ?1 AND (?2 IS NULL OR e.incident_id = ?2)
             ORDER BY events_fts.rowid DESC LIMIT ?3"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(
                params![query, incident.map(|i| i.to_string()), limit as i64],
                |row| Ok((read_row(row)?, row.get::<_, String>(11)?)),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(raw, snippet)| {
                Ok(FindingHit {
                    event: decode(raw)?,
                    snippet,
                })
            })
            .collect()
    }

    /// Indexes every event appended since the last search; returns how many. Cheap when
    /// there is nothing new (two indexed reads, no write lock).
    pub fn update_search_index(&self) -> Result<usize, StoreError> {
        let newest: i64 =
            self.conn
                .query_row("SELECT COALESCE(MAX(rowid), 0) FROM events", [], |r| {
                    r.get(0)
                })?;
        if newest <= indexed_up_to(&self.conn)? {
            return Ok(0);
        }
        // `&self` because a search is a read to its callers. IMMEDIATE: take the write
        // lock up front rather than upgrading a read, which could not wait its turn.
        let tx = Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let from = indexed_up_to(&tx)?;
        let mut stmt = tx
            .prepare_cached("SELECT rowid, id, body FROM events WHERE rowid > ?1 ORDER BY rowid")?;
        let rows = stmt
            .query_map([from], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        drop(stmt);
        let mut insert =
            tx.prepare_cached("INSERT INTO events_fts (rowid, text) VALUES (?1, ?2)")?;
        let mut last = from;
        for (rowid, id, body) in &rows {
            let body: EventBody =
                serde_json::from_str(body).map_err(|e| StoreError::CorruptEvent {
                    id: id.clone(),
                    reason: format!("bad body: {e}"),
                })?;
            insert.execute(params![rowid, body.text()])?;
            last = *rowid;
        }
        drop(insert);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![INDEXED_UP_TO, last.to_string()],
        )?;
        tx.commit()?;
        Ok(rows.len())
    }
}

/// The `meta` key holding the highest events rowid already in `events_fts`.
const INDEXED_UP_TO: &str = "search_indexed_up_to";

fn indexed_up_to(conn: &rusqlite::Connection) -> Result<i64, StoreError> {
    let text: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = ?1",
            [INDEXED_UP_TO],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.and_then(|t| t.parse().ok()).unwrap_or(0))
}
