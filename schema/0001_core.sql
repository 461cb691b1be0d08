-- 0001_core.sql — raw messages, imports, counters.
--
-- Applied once by storage/migrate.c inside a transaction; PRAGMA
-- user_version records it.  Never edit a released migration: add a new
-- numbered file.  The v_* views are the public contract (docs/schema.md).
--
-- Write speed shapes this table: rows arrive in receive order, so the only
-- secondary index is on received_us, an always-increasing key (appends touch
-- one index page per transaction).  Per-host lookups go through the small
-- `senders` table and the events tables, never a (host, time) index here.

CREATE TABLE messages (
    message_id    INTEGER PRIMARY KEY,
    received_us   INTEGER NOT NULL,       -- receive time, µs since epoch, UTC
    sender        TEXT,                   -- "192.0.2.1:514", "[2001:db8::1]:514", or "file"
    transport     INTEGER NOT NULL,       -- 1 udp, 2 tcp, 3 import
    facility      INTEGER,                -- RFC 5424 code, NULL if unknown
    severity      INTEGER,
    device_us     INTEGER,                -- device time, µs since epoch, UTC; NULL if none
    hostname      TEXT,                   -- as seen, never guessed
    program       TEXT,
    pid           TEXT,
    raw           TEXT NOT NULL,          -- the line as received (control bytes escaped as #ooo)
    msg_off       INTEGER NOT NULL,       -- byte offset of the message text in raw
    parse_status  INTEGER NOT NULL,       -- 0 ok, 1 no_header, 2 bad_pri, 3 bad_time
    flags         INTEGER NOT NULL DEFAULT 0,  -- 1 truncated, 2 escaped, 4 octet-counted
    import_id     INTEGER                 -- imports.import_id for imported lines
);
CREATE INDEX messages_received ON messages(received_us);

CREATE TABLE facility_names (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO facility_names VALUES
    (0,'kern'),(1,'user'),(2,'mail'),(3,'daemon'),(4,'auth'),(5,'syslog'),
    (6,'lpr'),(7,'news'),(8,'uucp'),(9,'cron'),(10,'authpriv'),(11,'ftp'),
    (12,'ntp'),(13,'security'),(14,'console'),(15,'solaris-cron'),
    (16,'local0'),(17,'local1'),(18,'local2'),(19,'local3'),(20,'local4'),
    (21,'local5'),(22,'local6'),(23,'local7');
CREATE TABLE severity_names (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO severity_names VALUES
    (0,'emerg'),(1,'alert'),(2,'crit'),(3,'err'),(4,'warning'),(5,'notice'),
    (6,'info'),(7,'debug');
CREATE TABLE parse_status_names (code INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO parse_status_names VALUES
    (0,'ok'),(1,'no_header'),(2,'bad_pri'),(3,'bad_time');

-- One row per imported file: how far it was imported and a fingerprint of
-- that prefix, so re-importing (or importing it again after rotation under
-- another name) skips what is already stored.
CREATE TABLE imports (
    import_id     INTEGER PRIMARY KEY,
    path          TEXT NOT NULL,          -- as given on the command line
    head_hash     TEXT NOT NULL,          -- FNV-1a 64 of the first line
    bytes         INTEGER NOT NULL,       -- uncompressed bytes imported
    prefix_hash   TEXT NOT NULL,          -- FNV-1a 64 of those bytes
    lines         INTEGER NOT NULL,
    imported_us   INTEGER NOT NULL
);
CREATE INDEX imports_head ON imports(head_hash);

-- Counters, a row per counter per interval (written by the writer thread).
CREATE TABLE stats (
    at_us   INTEGER NOT NULL,
    name    TEXT NOT NULL,
    value   INTEGER NOT NULL
);
CREATE INDEX stats_at ON stats(at_us);

-- Per sender address: totals since the collector started using this db.
CREATE TABLE senders (
    sender_ip     TEXT PRIMARY KEY,
    received      INTEGER NOT NULL DEFAULT 0,
    unparsed      INTEGER NOT NULL DEFAULT 0,
    truncated     INTEGER NOT NULL DEFAULT 0,
    first_us      INTEGER,
    last_us       INTEGER,
    last_hostname TEXT
);

-- Small key/value store for the collector's own progress markers.
CREATE TABLE meta (key TEXT PRIMARY KEY, value);

CREATE VIEW v_messages AS
SELECT m.message_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', m.received_us / 1000000, 'unixepoch') AS received_at,
       m.sender,
       CASE m.transport WHEN 1 THEN 'udp' WHEN 2 THEN 'tcp' ELSE 'import' END AS transport,
       f.name AS facility,
       s.name AS severity,
       strftime('%Y-%m-%dT%H:%M:%SZ', m.device_us / 1000000, 'unixepoch') AS device_time,
       m.hostname,
       m.program,
       m.pid,
       CAST(substr(CAST(m.raw AS BLOB), m.msg_off + 1) AS TEXT) AS text,
       p.name AS parse_status,
       m.flags & 1 AS truncated,
       m.raw,
       m.received_us,
       m.device_us
  FROM messages m
  LEFT JOIN facility_names f ON f.code = m.facility
  LEFT JOIN severity_names s ON s.code = m.severity
  LEFT JOIN parse_status_names p ON p.code = m.parse_status;

CREATE VIEW v_stats AS
SELECT strftime('%Y-%m-%dT%H:%M:%SZ', at_us / 1000000, 'unixepoch') AS at,
       name AS counter, value
  FROM stats;

CREATE VIEW v_senders AS
SELECT sender_ip, received, unparsed, truncated,
       strftime('%Y-%m-%dT%H:%M:%SZ', first_us / 1000000, 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', last_us / 1000000, 'unixepoch') AS last_seen,
       last_hostname
  FROM senders;
