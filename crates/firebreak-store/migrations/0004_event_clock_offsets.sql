-- The clock offset the hub stamped on each event when it stored it (hub clock minus
-- the event's device's clock, in milliseconds), as pulls serve it: the same for every
-- device that pulls the event, so every device corrects the event's times alike.
-- Bookkeeping beside the log, never part of it: an event's row in `events` is the same
-- however it arrived (a handoff bundle carries no offsets). The first stamp heard is
-- kept (the hub never changes one), so rows are only inserted, never replaced.
CREATE TABLE event_clock_offsets (
    event_id  TEXT    PRIMARY KEY NOT NULL,
    offset_ms INTEGER NOT NULL
) STRICT;
