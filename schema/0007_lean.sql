-- 0007_lean.sql — write once, lean rows: messages keeps the raw line once.
--
-- Before this step a messages row held the syslog header twice: sender,
-- hostname, program and pid as text beside raw, facility and severity in
-- two columns, and every row had an entry in the messages_received index
-- (docs/performance.md, "Disk per raw byte": ~1.6 × the raw bytes for
-- messages and that index, before events).  Now:
--
--  - sender, hostname and program are small ids into three dictionaries
--    (dict_senders, dict_hostnames, dict_programs), written by
--    storage/store.c through bounded caches;
--  - pid is where it lies in raw: pid_span = byte offset × 1024 + length
--    (a PROCID is at most 256 bytes, storage/store.c), NULL when none;
--  - facility and severity are the PRI they come from: pri = facility × 8
--    + severity, NULL when the line had neither;
--  - the per-row index on received_us is replaced by receive_marks, one
--    row per second of arrival (the first message of each new second), from
--    which retention and time-range queries find a message_id bound
--    (docs/schema.md, "Arrival time");
--  - raw is the last column, so reading the small ones stops before it.
--
-- v_messages keeps every column with the same meaning: it joins the
-- dictionaries back and slices pid out of raw.  v_events and
-- v_transport_events read messages(message_id, raw) only and are left as
-- they are: legacy_alter_table keeps the rename below from rewriting (or
-- refusing over) the views that name messages.
--
-- The copy rewrites the whole table inside the migration's transaction: it
-- needs free disk about the size of messages, and the old pages go to the
-- free list (reused by new rows; VACUUM returns them to the file system).

DROP VIEW v_messages;

CREATE TABLE dict_senders (
    sender_id     INTEGER PRIMARY KEY,
    addr          TEXT NOT NULL UNIQUE    -- "192.0.2.1:514", "[2001:db8::1]:514"
);
CREATE TABLE dict_hostnames (
    hostname_id   INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE    -- the syslog HOST as seen
);
CREATE TABLE dict_programs (
    program_id    INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE    -- the syslog TAG / APP-NAME as seen
);

-- In order of first appearance.
INSERT INTO dict_senders(addr)
    SELECT sender FROM messages WHERE sender IS NOT NULL
     GROUP BY sender ORDER BY min(message_id);
INSERT INTO dict_hostnames(name)
    SELECT hostname FROM messages WHERE hostname IS NOT NULL
     GROUP BY hostname ORDER BY min(message_id);
INSERT INTO dict_programs(name)
    SELECT program FROM messages WHERE program IS NOT NULL
     GROUP BY program ORDER BY min(message_id);

CREATE TABLE messages_lean (
    message_id    INTEGER PRIMARY KEY,
    received_us   INTEGER NOT NULL,       -- receive time, µs since epoch, UTC
    device_us     INTEGER,                -- device time, µs since epoch, UTC; NULL if none
    sender_id     INTEGER,                -- dict_senders; NULL for imported lines
    hostname_id   INTEGER,                -- dict_hostnames; as seen, never guessed
    program_id    INTEGER,                -- dict_programs
    pid_span      INTEGER,                -- offset × 1024 + length of the pid in raw
    pri           INTEGER,                -- facility × 8 + severity; NULL if unknown
    transport     INTEGER NOT NULL,       -- 1 udp, 2 tcp, 3 import
    parse_status  INTEGER NOT NULL,       -- 0 ok, 1 no_header, 2 bad_pri, 3 bad_time
    flags         INTEGER NOT NULL DEFAULT 0,  -- 1 truncated, 2 escaped, 4 octet-counted
    import_id     INTEGER,                -- imports.import_id for imported lines
    msg_off       INTEGER NOT NULL,       -- byte offset of the message text in raw
    raw           TEXT NOT NULL           -- the line as received (control bytes escaped as #ooo)
);

-- The old pid was a slice of raw: any place its bytes occur gives the same
-- text back (the first is taken).
INSERT INTO messages_lean
SELECT m.message_id, m.received_us, m.device_us, s.sender_id, h.hostname_id,
       p.program_id,
       CASE WHEN m.pid IS NULL OR instr(CAST(m.raw AS BLOB), CAST(m.pid AS BLOB)) = 0
            THEN NULL
            ELSE (instr(CAST(m.raw AS BLOB), CAST(m.pid AS BLOB)) - 1) * 1024
                 + length(CAST(m.pid AS BLOB)) END,
       CASE WHEN m.facility IS NULL OR m.severity IS NULL THEN NULL
            ELSE m.facility * 8 + m.severity END,
       m.transport, m.parse_status, m.flags, m.import_id, m.msg_off, m.raw
  FROM messages m
  LEFT JOIN dict_senders s ON s.addr = m.sender
  LEFT JOIN dict_hostnames h ON h.name = m.hostname
  LEFT JOIN dict_programs p ON p.name = m.program
 ORDER BY m.message_id;

PRAGMA legacy_alter_table = ON;
DROP TABLE messages;                      -- with messages_received, messages_unparsed
ALTER TABLE messages_lean RENAME TO messages;
PRAGMA legacy_alter_table = OFF;

-- 0004's partial index, on the program's id.
CREATE INDEX messages_unparsed ON messages(program_id, parse_status) WHERE parse_status <> 0;

-- Arrival time.  A row for each second in which a message arrived later
-- than every message before it (received_s greater than every earlier
-- mark): (received_s, the first such message's id).  Marks grow in both
-- columns, so for any second X the first mark at or after X bounds the
-- past: every message with a smaller id was received before X, even when
-- the wall clock stepped back in between.  Retention deletes below that
-- id; a time-range query starts there (docs/schema.md).
CREATE TABLE receive_marks (
    received_s    INTEGER PRIMARY KEY,    -- seconds since epoch, UTC
    message_id    INTEGER NOT NULL
);
INSERT INTO receive_marks(received_s, message_id)
SELECT s, message_id FROM
    (SELECT message_id, received_us / 1000000 AS s,
            max(received_us / 1000000) OVER (ORDER BY message_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
       FROM messages)
 WHERE before IS NULL OR s > before;

CREATE VIEW v_messages AS
SELECT m.message_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', m.received_us / 1000000, 'unixepoch') AS received_at,
       ds.addr AS sender,
       CASE m.transport WHEN 1 THEN 'udp' WHEN 2 THEN 'tcp' ELSE 'import' END AS transport,
       f.name AS facility,
       s.name AS severity,
       strftime('%Y-%m-%dT%H:%M:%SZ', m.device_us / 1000000, 'unixepoch') AS device_time,
       dh.name AS hostname,
       dp.name AS program,
       CAST(substr(CAST(m.raw AS BLOB), (m.pid_span >> 10) + 1, m.pid_span & 1023) AS TEXT) AS pid,
       CAST(substr(CAST(m.raw AS BLOB), m.msg_off + 1) AS TEXT) AS text,
       p.name AS parse_status,
       m.flags & 1 AS truncated,
       m.raw,
       m.received_us,
       m.device_us
  FROM messages m
  LEFT JOIN dict_senders ds ON ds.sender_id = m.sender_id
  LEFT JOIN facility_names f ON f.code = m.pri >> 3
  LEFT JOIN severity_names s ON s.code = m.pri & 7
  LEFT JOIN dict_hostnames dh ON dh.hostname_id = m.hostname_id
  LEFT JOIN dict_programs dp ON dp.program_id = m.program_id
  LEFT JOIN parse_status_names p ON p.code = m.parse_status;
