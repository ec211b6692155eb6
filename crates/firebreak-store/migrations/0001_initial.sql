-- The first schema. Migrations are append-only: never edit a file once it has shipped;
-- add the next one instead.

-- Facts about this store: its device id and the default author.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

-- The event log. Rows are inserted, never updated or deleted (see the triggers).
CREATE TABLE events (
    rowid       INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    incident_id TEXT    NOT NULL,
    device_id   TEXT    NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    author      TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    occurred_at TEXT,
    kind        TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    amends      TEXT,
    private     INTEGER NOT NULL CHECK (private IN (0, 1)),
    UNIQUE (device_id, seq)
) STRICT;

-- Few indexes on purpose: every index is one more page written per durable append.
CREATE INDEX events_by_incident ON events (incident_id, rowid);
CREATE INDEX incident_starts ON events (incident_id) WHERE kind = 'incident_started';
CREATE INDEX events_by_amends ON events (amends) WHERE amends IS NOT NULL;

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END;

CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END;

-- INSERT OR REPLACE deletes the clashing row without firing DELETE triggers (unless
-- recursive_triggers is on), so a clash is refused before it can replace anything.
CREATE TRIGGER events_are_never_replaced BEFORE INSERT ON events
WHEN EXISTS (
    SELECT 1 FROM events
    WHERE id = NEW.id OR (device_id = NEW.device_id AND seq = NEW.seq) OR rowid = NEW.rowid
)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: an event with this id or device sequence number exists');
END;

-- Full-text search over what events say. rowid = events.rowid. No per-document sizes
-- (columnsize=0): findings are searched newest first, not ranked, and it saves a page
-- write on every append.
CREATE VIRTUAL TABLE events_fts USING fts5 (
    text,
    tokenize = 'unicode61 remove_diacritics 2',
    columnsize = 0
);

-- Every version of every runbook ever imported, kept whole. A run pins a version by
-- its content hash, so versions are never removed.
CREATE TABLE runbook_versions (
    runbook_id   TEXT    NOT NULL,
    content_hash TEXT    NOT NULL,
    title        TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    origin       TEXT    NOT NULL,
    step_count   INTEGER NOT NULL,
    imported_at  TEXT    NOT NULL,
    PRIMARY KEY (runbook_id, content_hash)
) STRICT;

CREATE INDEX runbook_versions_by_hash ON runbook_versions (content_hash);

-- The current version of each runbook: the one last imported.
CREATE TABLE runbooks (
    runbook_id   TEXT PRIMARY KEY NOT NULL,
    content_hash TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    FOREIGN KEY (runbook_id, content_hash) REFERENCES runbook_versions (runbook_id, content_hash)
) STRICT;

-- Full-text search over the current version of each runbook.
CREATE VIRTUAL TABLE runbooks_fts USING fts5 (
    runbook_id UNINDEXED,
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 2'
);
