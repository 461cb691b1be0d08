-- 0002_domain.sql — devices, tunnels and events (what the lines mean).
--
-- A device is identified by its system-ip once an FTMD line reveals it,
-- else by hostname.  Every name it is seen under (syslog HOST, the host in
-- the Viptela tag, host-name:"…", the sender address) is an alias; an
-- alias belongs to one device.  A tunnel belongs to a device and is named
-- by its interface (ipsec2) when known, else by the IKE connection name,
-- else "peer:<ip>"; when the interface becomes known the records merge.

CREATE TABLE devices (
    device_id     INTEGER PRIMARY KEY,
    system_ip     TEXT UNIQUE,            -- NULL until an FTMD line shows it
    hostname      TEXT,                   -- the syslog HOST last seen
    first_us      INTEGER,                -- device time of the first line
    last_us       INTEGER
);

CREATE TABLE device_aliases (
    kind          TEXT NOT NULL,          -- hostname | tag_host | host_name | sender
    value         TEXT NOT NULL,
    device_id     INTEGER NOT NULL REFERENCES devices(device_id),
    first_us      INTEGER,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;
CREATE INDEX device_aliases_device ON device_aliases(device_id);

CREATE TABLE tunnels (
    tunnel_id     INTEGER PRIMARY KEY,
    device_id     INTEGER NOT NULL REFERENCES devices(device_id),
    name          TEXT NOT NULL,          -- ipsec2 | connection name | peer:<ip>
    interface     TEXT,                   -- ipsec2 once known
    conn_name     TEXT,                   -- IKE_SA name without the unique id
    local_ip      TEXT,                   -- tunnel-source
    peer_ip       TEXT,                   -- tunnel-destination
    first_us      INTEGER,
    last_us       INTEGER,
    merged_into   INTEGER,                -- set when merged into another tunnel
    UNIQUE (device_id, name)
);

-- IKE_SA unique ids seen on a tunnel: charon lines that carry only the id
-- (`<conn|uid>` prefix, `IKE_SA x[uid]`) are tied to the tunnel through it.
CREATE TABLE ike_sas (
    device_id     INTEGER NOT NULL,
    ike_uid       INTEGER NOT NULL,
    tunnel_id     INTEGER NOT NULL,
    PRIMARY KEY (device_id, ike_uid)
) WITHOUT ROWID;

-- One row per understood line.  Typed columns for what the correlator
-- reads; the rest of the parsed event is in detail (JSON).
CREATE TABLE events (
    event_id      INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL,       -- messages.message_id
    device_id     INTEGER,
    tunnel_id     INTEGER,                -- NULL when no tunnel could be tied
    device_us     INTEGER,                -- device time, µs UTC
    kind          TEXT NOT NULL,          -- see docs/schema.md
    source        TEXT NOT NULL,          -- charon | viptela
    ike_name      TEXT,                   -- IKE_SA / connection name (ipsec2_1)
    ike_uid       INTEGER,                -- IKE_SA unique id
    child_name    TEXT,
    msg_id        INTEGER,                -- IKE message ID
    local_ip      TEXT,
    peer_ip       TEXT,
    count         INTEGER,                -- retransmit n, give-up n, tries
    new_state     TEXT,                   -- up | down (FTMD)
    thread        INTEGER,                -- charon thread number
    detail        TEXT                    -- JSON
);
CREATE INDEX events_tunnel_time ON events(tunnel_id, device_us);

-- charon often logs a line twice (two syslog facilities): the copy is
-- recorded here instead of becoming a second event.
CREATE TABLE duplicates (
    message_id    INTEGER PRIMARY KEY,
    event_id      INTEGER NOT NULL
);

CREATE VIEW v_devices AS
SELECT d.device_id,
       d.hostname,
       d.system_ip,
       (SELECT json_group_array(value) FROM
           (SELECT DISTINCT value FROM device_aliases a
             WHERE a.device_id = d.device_id AND a.kind <> 'file'
             ORDER BY value)) AS aliases,
       strftime('%Y-%m-%dT%H:%M:%SZ', d.first_us / 1000000, 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', d.last_us / 1000000, 'unixepoch') AS last_seen
  FROM devices d;

CREATE VIEW v_events AS
SELECT e.event_id,
       e.message_id,
       d.hostname,
       d.system_ip,
       t.name AS tunnel,
       strftime('%Y-%m-%dT%H:%M:%SZ', e.device_us / 1000000, 'unixepoch') AS device_time,
       e.kind,
       e.source,
       e.ike_name, e.ike_uid, e.msg_id, e.local_ip, e.peer_ip, e.count, e.new_state,
       e.detail,
       m.raw AS line,               -- NULL once the raw message is pruned
       e.device_us,
       e.tunnel_id,
       e.device_id
  FROM events e
  LEFT JOIN devices d ON d.device_id = e.device_id
  LEFT JOIN tunnels t ON t.tunnel_id = e.tunnel_id
  LEFT JOIN messages m ON m.message_id = e.message_id;
