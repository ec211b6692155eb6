-- Each event's clock stamp: the device's offset (hub clock minus device clock, in
-- milliseconds) that the hub had measured when it stored the event, after the clock
-- sample carried by that same push. NULL when the hub knew none then, and for the
-- events stored before this migration. Written once, with the event's row: the
-- append-only triggers refuse any later UPDATE, so a re-push or a newer sample never
-- changes it, and every reader (the hub's timeline, every laptop) corrects the event's
-- times by the same amount.
ALTER TABLE events ADD COLUMN offset_ms INTEGER;
