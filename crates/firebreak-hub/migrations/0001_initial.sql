-- The hub's first schema. Migrations are append-only: never edit a file once it has
-- shipped; add the next one instead.

-- People with access. A name is never reused for someone else: revoking keeps the row.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    created_at TEXT    NOT NULL
) STRICT;

-- Bearer tokens, as the hex SHA-256 of the token; the token itself is shown once.
CREATE TABLE tokens (
    hash       TEXT    PRIMARY KEY NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT    NOT NULL,
    revoked_at TEXT
) STRICT;

CREATE INDEX tokens_by_user ON tokens (user_id);

-- A device belongs to the user whose token first pushed its events, for good.
CREATE TABLE devices (
    device_id TEXT    PRIMARY KEY NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users (id),
    bound_at  TEXT    NOT NULL,
    last_seen TEXT    NOT NULL
) STRICT;

CREATE INDEX devices_by_user ON devices (user_id);

-- Every device's events, each once, exactly as pushed (JSON). `cursor` is the hub's
-- insertion counter that pulls page by.
CREATE TABLE events (
    cursor      INTEGER PRIMARY KEY,
    id          TEXT    NOT NULL UNIQUE,
    device_id   TEXT    NOT NULL REFERENCES devices (device_id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    incident_id TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    UNIQUE (device_id, seq)
) STRICT;

CREATE INDEX events_by_incident ON events (incident_id, cursor);
CREATE INDEX incident_starts ON events (incident_id) WHERE kind = 'incident_started';

CREATE TRIGGER events_are_never_updated BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused');
END;

CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is refused');
END;

-- A clash aborts the whole batch rather than being skipped: the push rules have
-- already refused every clash, so reaching this is a bug to hear about.
CREATE TRIGGER events_are_never_replaced BEFORE INSERT ON events
WHEN EXISTS (
    SELECT 1 FROM events
    WHERE id = NEW.id OR (device_id = NEW.device_id AND seq = NEW.seq)
)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: an event with this id or device sequence number exists');
END;

-- Sequence numbers of events their devices keep private: announced, never sent, so
-- that a device's high-water mark can pass them and a gap is still a gap.
CREATE TABLE private_seqs (
    device_id   TEXT    NOT NULL REFERENCES devices (device_id),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    received_at TEXT    NOT NULL,
    PRIMARY KEY (device_id, seq)
) STRICT;

CREATE TRIGGER private_seqs_are_never_updated BEFORE UPDATE ON private_seqs
BEGIN
    SELECT RAISE(ABORT, 'private sequence numbers are append-only: UPDATE is refused');
END;

CREATE TRIGGER private_seqs_are_never_deleted BEFORE DELETE ON private_seqs
BEGIN
    SELECT RAISE(ABORT, 'private sequence numbers are append-only: DELETE is refused');
END;

-- The recent clock samples of each device (the hub keeps the last few).
CREATE TABLE clock_samples (
    id          INTEGER PRIMARY KEY,
    device_id   TEXT    NOT NULL REFERENCES devices (device_id),
    offset_ms   INTEGER NOT NULL,
    rtt_ms      INTEGER NOT NULL CHECK (rtt_ms >= 0),
    received_at TEXT    NOT NULL
) STRICT;

CREATE INDEX clock_samples_by_device ON clock_samples (device_id, id);
