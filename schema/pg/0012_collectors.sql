-- schema/pg/0012_collectors.sql — several collectors on one database
-- (docs/scale-out.md, "Several collectors").
--
-- Each collector stores what it receives; only the one that holds the
-- derive lock resolves devices and tunnels and decides incidents.  A line
-- another collector stored waits with pending = true until the deriving
-- collector derives it (or drops it as the copy of a line it has).
--
-- A line is the same line when host, device time, text hash and its
-- occurrence in that second (copy) agree.  The index is not UNIQUE on
-- purpose: with a unique index, a collector's insert waits for the other
-- collector's open transaction that holds the same line, and two batches
-- holding two shared lines in the opposite order deadlock.  Instead each
-- insert skips a line whose twin is committed, and the deriving collector
-- deletes the pending copies of lines it has, so each line ends up stored
-- once within a pass of the deriving collector.
DROP INDEX messages_once;
ALTER TABLE messages ADD COLUMN pending BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX messages_twin ON messages(hostname_id, device_us, line_hash, copy)
    WHERE line_hash IS NOT NULL;
CREATE INDEX messages_pending ON messages(message_id) WHERE pending;
