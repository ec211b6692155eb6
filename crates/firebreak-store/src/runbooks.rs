//! The runbook library: every imported version kept, one current version per id.

use crate::error::StoreError;
use crate::events::time_text;
use crate::store::Store;
use chrono::Utc;
use firebreak_core::runbook::{Runbook, parse};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use serde::Serialize;

/// What putting a runbook into the library did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PutOutcome {
    /// A runbook id the library did not have.
    Added,
    /// A new version of a known runbook; it is now the current one.
    NewVersion,
    /// A version the library already had became current again.
    Restored,
    /// Exactly the current version: nothing changed.
    Unchanged,
}

/// A runbook in the library, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunbookSummary {
    pub id: String,
    pub title: String,
    pub content_hash: String,
    /// Steps, sub-steps included.
    pub steps: usize,
    /// Where the current version came from: a file path, or `bundled:NAME`.
    pub origin: String,
    pub updated_at: String,
    pub versions: usize,
}

/// A runbook search hit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunbookHit {
    pub id: String,
    pub title: String,
    /// Matching text with the matched words between `[` and `]`.
    pub snippet: String,
}

/// Turns what a person typed into an FTS5 query: every word must match, the last one
/// as a prefix (search as you type). Quoting each word keeps FTS5 syntax characters a
/// person might type (`-`, `:`, `"`) from being read as operators.
pub(crate) fn fts_query(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

impl Store {
    /// Adds a runbook version to the library and makes it current. (Its transactions,
    /// like the others here, take the write lock first: one that read before writing
    /// would fail with `database is locked` as soon as another connection — the sync
    /// worker, the CLI — wrote in between, instead of waiting its turn.)
    pub fn put_runbook(
        &mut self,
        runbook: &Runbook,
        origin: &str,
    ) -> Result<PutOutcome, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let outcome = put_in(&tx, runbook, origin, true)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Adds many runbooks in one transaction (one disk sync for the whole import).
    pub fn put_runbooks<'a>(
        &mut self,
        runbooks: impl IntoIterator<Item = (&'a Runbook, &'a str)>,
    ) -> Result<Vec<PutOutcome>, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut outcomes = Vec::new();
        for (runbook, origin) in runbooks {
            outcomes.push(put_in(&tx, runbook, origin, true)?);
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// Installs Firebreak's bundled runbooks. A bundled version becomes current only
    /// where the team has not imported its own version of that runbook.
    pub fn install_bundled(&mut self, bundled: &[(&str, &str)]) -> Result<(), StoreError> {
        // Fast path: every bundled version is already here (the common case on every
        // start), so nothing is parsed and no write lock is taken.
        let mut missing = Vec::new();
        for (name, source) in bundled {
            let hash = firebreak_core::runbook::content_hash(source);
            let present: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM runbook_versions WHERE content_hash = ?1)",
                [&hash],
                |r| r.get(0),
            )?;
            if !present {
                missing.push((*name, *source));
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for (name, source) in missing {
            let stem = name.trim_end_matches(".md");
            let runbook = parse(source, stem).map_err(|e| StoreError::CorruptRunbook {
                id: name.to_string(),
                reason: e.to_string(),
            })?;
            let head_origin: Option<String> = tx
                .query_row(
                    "SELECT v.origin FROM runbooks r JOIN runbook_versions v
                       ON v.runbook_id = r.runbook_id AND v.content_hash = r.content_hash
                     WHERE r.runbook_id = ?1",
                    [&runbook.id],
                    |r| r.get(0),
                )
                .optional()?;
            let make_current = head_origin.is_none_or(|o| o.starts_with("bundled:"));
            put_in(&tx, &runbook, &format!("bundled:{name}"), make_current)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The current version of every runbook, by title.
    pub fn runbooks(&self) -> Result<Vec<RunbookSummary>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.runbook_id, v.title, r.content_hash, v.step_count, v.origin, r.updated_at,
                    (SELECT count(*) FROM runbook_versions w WHERE w.runbook_id = r.runbook_id)
             FROM runbooks r JOIN runbook_versions v
               ON v.runbook_id = r.runbook_id AND v.content_hash = r.content_hash
             ORDER BY v.title COLLATE NOCASE, r.runbook_id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RunbookSummary {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    content_hash: r.get(2)?,
                    steps: r.get::<_, i64>(3)? as usize,
                    origin: r.get(4)?,
                    updated_at: r.get(5)?,
                    versions: r.get::<_, i64>(6)? as usize,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The current version of a runbook.
    pub fn runbook(&self, id: &str) -> Result<Runbook, StoreError> {
        let hash: String = self
            .conn
            .query_row(
                "SELECT content_hash FROM runbooks WHERE runbook_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbook(id.to_string()))?;
        self.runbook_version(id, &hash)
    }

    /// One version of a runbook, parsed from its stored source.
    pub fn runbook_version(&self, id: &str, hash: &str) -> Result<Runbook, StoreError> {
        let source: String = self
            .conn
            .query_row(
                "SELECT source FROM runbook_versions WHERE runbook_id = ?1 AND content_hash = ?2",
                [id, hash],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::UnknownRunbookVersion(format!("{id}@{hash}")))?;
        let mut runbook = parse(&source, id).map_err(|e| StoreError::CorruptRunbook {
            id: id.to_string(),
            reason: e.to_string(),
        })?;
        // The id is the library's key; the file name it was derived from is gone.
        runbook.id = id.to_string();
        Ok(runbook)
    }

    /// Full-text search over the current versions, best match first.
    pub fn search_runbooks(
        &self,
        typed: &str,
        limit: usize,
    ) -> Result<Vec<RunbookHit>, StoreError> {
        let Some(query) = fts_query(typed) else {
            return Ok(Vec::new());
        };
        let mut stmt = self.conn.prepare_cached(
            "SELECT runbook_id, title, snippet(runbooks_fts, 2, '[', ']', '…', 12)
             FROM runbooks_fts WHERE runbooks_fts MATCH ?1
             ORDER BY bm25(runbooks_fts, 0.0, 5.0, 1.0) LIMIT ?2",
        )?;
        let hits = stmt
            .query_map(params![query, limit as i64], |r| {
                Ok(RunbookHit {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    snippet: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(hits)
    }
}

fn put_in(
    tx: &Transaction<'_>,
    runbook: &Runbook,
    origin: &str,
    make_current: bool,
) -> Result<PutOutcome, StoreError> {
    let now = time_text(Utc::now());
    let head: Option<String> = tx
        .query_row(
            "SELECT content_hash FROM runbooks WHERE runbook_id = ?1",
            [&runbook.id],
            |r| r.get(0),
        )
        .optional()?;
    if head.as_deref() == Some(runbook.content_hash.as_str()) {
        return Ok(PutOutcome::Unchanged);
    }
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO runbook_versions
           (runbook_id, content_hash, title, source, origin, step_count, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            runbook.id,
            runbook.content_hash,
            runbook.title,
            runbook.source,
            origin,
            runbook.step_count() as i64,
            now
        ],
    )? == 1;
    if !make_current {
        return Ok(if inserted {
            PutOutcome::NewVersion
        } else {
            PutOutcome::Unchanged
        });
    }
    tx.execute(
        "INSERT INTO runbooks (runbook_id, content_hash, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (runbook_id) DO UPDATE SET content_hash = excluded.content_hash,
                                               updated_at = excluded.updated_at",
        params![runbook.id, runbook.content_hash, now],
    )?;
    tx.execute(
        "DELETE FROM runbooks_fts WHERE runbook_id = ?1",
        [&runbook.id],
    )?;
    tx.execute(
        "INSERT INTO runbooks_fts (runbook_id, title, body) VALUES (?1, ?2, ?3)",
        params![runbook.id, runbook.title, runbook.source],
    )?;
    Ok(match (head, inserted) {
        (None, _) => PutOutcome::Added,
        (Some(_), true) => PutOutcome::NewVersion,
        (Some(_), false) => PutOutcome::Restored,
    })
}

/// Keeps a runbook version that another responder's run pins, without making it the
/// library's current version (the team's own import decides that). Returns 1 when the
/// version was new here. A source that does not parse is not kept.
pub(crate) fn adopt_runbook(
    tx: &Transaction<'_>,
    runbook_id: &str,
    source: &str,
    origin: &str,
) -> Result<usize, StoreError> {
    let hash = firebreak_core::runbook::content_hash(source);
    let present: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM runbook_versions WHERE runbook_id = ?1 AND content_hash = ?2)",
        params![runbook_id, hash],
        |r| r.get(0),
    )?;
    if present {
        return Ok(0);
    }
    let Ok(mut runbook) = parse(source, runbook_id) else {
        return Ok(0);
    };
    runbook.id = runbook_id.to_string();
    put_in(tx, &runbook, origin, false)?;
    Ok(1)
}

impl Store {
    /// The title and Markdown of one pinned version, if this store has it.
    pub fn runbook_version_source(
        &self,
        id: &str,
        hash: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT title, source FROM runbook_versions WHERE runbook_id = ?1 AND content_hash = ?2",
                [id, hash],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn typed_text_becomes_a_safe_prefix_query() {
        assert_eq!(
            fts_query("db primary").as_deref(),
            Some("\"db\" \"primary\"*")
        );
        assert_eq!(
            fts_query("rs.status() -- \"x").as_deref(),
            Some("\"rs\" \"status\" \"x\"*")
        );
        assert_eq!(fts_query("  -- "), None);
    }
}
