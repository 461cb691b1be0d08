-- 0003_correlator.sql — tunnel state, incidents, evidence, fleet events.
--
-- Written by the correlator (storage/correlator.c), a stage of the writer.
-- tunnel_state.machine holds the state machine's own memory as JSON so a
-- restart resumes where it stopped; the typed columns are what views read.

CREATE TABLE tunnel_state (
    tunnel_id       INTEGER PRIMARY KEY,
    state           TEXT NOT NULL DEFAULT 'unknown',  -- up | down | negotiating | unknown
    state_since_us  INTEGER,
    cursor_us       INTEGER,         -- events up to (cursor_us, cursor_event) are applied
    cursor_event    INTEGER,
    last_us         INTEGER,         -- device time of the newest event applied
    flapping        INTEGER NOT NULL DEFAULT 0,
    flap_score      REAL NOT NULL DEFAULT 0,
    machine         TEXT             -- JSON, internal
);

CREATE TABLE incidents (
    incident_id     INTEGER PRIMARY KEY,
    tunnel_id       INTEGER NOT NULL,
    device_id       INTEGER NOT NULL,
    peer_ip         TEXT,
    symptom         TEXT NOT NULL,   -- never_established | flap | stuck | down | degraded
    root_cause      TEXT NOT NULL,   -- dpd_timeout | peer_not_responding | ... | unknown
    summary         TEXT NOT NULL,
    started_us      INTEGER NOT NULL,
    ended_us        INTEGER,         -- NULL while ongoing
    fleet_event_id  INTEGER,
    detected_us     INTEGER NOT NULL -- wall clock when first recorded
);
CREATE INDEX incidents_tunnel ON incidents(tunnel_id, started_us);
CREATE INDEX incidents_peer ON incidents(peer_ip, started_us);
CREATE INDEX incidents_started ON incidents(started_us);

-- The evidence keeps its own copy of each line: raw messages are pruned
-- long before incidents are (retention_messages vs retention_events).
CREATE TABLE incident_evidence (
    incident_id     INTEGER NOT NULL,
    seq             INTEGER NOT NULL,
    event_id        INTEGER NOT NULL,
    line            TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
) WITHOUT ROWID;

CREATE TABLE fleet_events (
    fleet_event_id  INTEGER PRIMARY KEY,
    peer_ip         TEXT NOT NULL,
    started_us      INTEGER NOT NULL,
    ended_us        INTEGER,
    devices         INTEGER NOT NULL,
    tunnels         INTEGER NOT NULL,
    root_cause      TEXT NOT NULL,
    summary         TEXT NOT NULL
);
CREATE INDEX fleet_events_peer ON fleet_events(peer_ip, started_us);

CREATE VIEW v_tunnels AS
SELECT t.tunnel_id,
       d.hostname,
       d.system_ip,
       t.name AS tunnel,
       t.local_ip,
       t.peer_ip,
       coalesce(s.state, 'unknown') AS state,
       strftime('%Y-%m-%dT%H:%M:%SZ', s.state_since_us / 1000000, 'unixepoch') AS state_since,
       (SELECT count(*) FROM incidents i
         WHERE i.tunnel_id = t.tunnel_id AND i.symptom = 'flap'
           AND i.started_us > coalesce(s.last_us, 0) - 86400000000) AS flaps_24h,
       coalesce(s.flapping, 0) AS flapping,
       round(coalesce(s.flap_score, 0), 1) AS flap_score
  FROM tunnels t
  JOIN devices d ON d.device_id = t.device_id
  LEFT JOIN tunnel_state s ON s.tunnel_id = t.tunnel_id
 WHERE t.merged_into IS NULL;

CREATE VIEW v_incidents AS
SELECT i.incident_id,
       d.hostname,
       d.system_ip,
       t.name AS tunnel,
       i.peer_ip,
       i.symptom,
       i.root_cause,
       i.summary,
       strftime('%Y-%m-%dT%H:%M:%SZ', i.started_us / 1000000, 'unixepoch') AS started_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', i.ended_us / 1000000, 'unixepoch') AS ended_at,
       CASE WHEN i.ended_us IS NULL THEN NULL
            ELSE (i.ended_us - i.started_us) / 1000000 END AS duration_s,
       i.fleet_event_id,
       (SELECT json_group_array(line) FROM
           (SELECT ev.line FROM incident_evidence ev
             WHERE ev.incident_id = i.incident_id ORDER BY ev.seq)) AS evidence,
       i.started_us,
       i.ended_us,
       i.tunnel_id
  FROM incidents i
  JOIN devices d ON d.device_id = i.device_id
  JOIN tunnels t ON t.tunnel_id = i.tunnel_id;

CREATE VIEW v_fleet_events AS
SELECT f.fleet_event_id,
       f.peer_ip,
       strftime('%Y-%m-%dT%H:%M:%SZ', f.started_us / 1000000, 'unixepoch') AS started_at,
       strftime('%Y-%m-%dT%H:%M:%SZ', f.ended_us / 1000000, 'unixepoch') AS ended_at,
       f.devices,
       f.tunnels,
       f.root_cause,
       f.summary
  FROM fleet_events f;
