-- Sync with the team's hub (issue 5). None of this is evidence: it is this device's
-- bookkeeping, so it lives in ordinary tables that may be updated, never in `events`.

-- The hub this store syncs with: one row at most. The token is not here: it is kept in
-- `hub-token` beside the store file, readable by its user only.
--
-- `acknowledged_seq` is the hub's high-water mark for this device as last heard; it may
-- lag the hub (a lost answer) and that is harmless, because a re-sent event is a no-op.
-- `pull_cursor` is the hub's insertion counter up to which everyone's events are stored
-- here; it moves only in the transaction that stores the events it covers.
-- `pull_cursor_event` is the id of the hub's event at that cursor, so that a round can
-- tell a hub restored from a backup (its log differs at that cursor) and pull again.
CREATE TABLE hub_connection (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    url              TEXT    NOT NULL,
    connected_at     TEXT    NOT NULL,
    acknowledged_seq INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged_seq >= 0),
    pull_cursor      INTEGER NOT NULL DEFAULT 0 CHECK (pull_cursor >= 0),
    pull_cursor_event TEXT,
    last_attempt_at  TEXT,
    last_success_at  TEXT,
    last_error_kind  TEXT,
    last_error       TEXT
) STRICT;

-- Recent clock measurements against the hub (offset and round trip), newest kept.
CREATE TABLE hub_clock_samples (
    received_at TEXT    NOT NULL,
    offset_ms   INTEGER NOT NULL,
    rtt_ms      INTEGER NOT NULL CHECK (rtt_ms >= 0)
) STRICT;
