-- 0006_overlay.sql — the device's own transport: BFD sessions and transport events.
--
-- Written by storage/overlay.c for every FTMD line of a known device that
-- is about the transport side (docs/schema.md, "The device's own
-- transport"): a VPN 0 interface going down or up, a BFD session changing
-- state, a control connection going down or up.  The correlator asks
-- overlay_transport_near() whether a device's uplink was down when its
-- IPsec tunnels dropped (root cause local_transport_down).
--
-- transport_events is the history (the judgement "every BFD session of a
-- color is down at time T" is read from it, so lines that arrive late or a
-- re-derivation of an old outage see the state of that time);
-- bfd_sessions is the current state of each session, folded from it.

CREATE TABLE transport_events (
    transport_event_id INTEGER PRIMARY KEY,
    device_id        INTEGER NOT NULL,       -- devices.device_id
    event_id         INTEGER,                -- events.event_id of the line
    device_us        INTEGER NOT NULL,       -- device time, µs UTC
    kind             TEXT NOT NULL,          -- if_down | if_up | bfd_down | bfd_up
                                             -- | control_down | control_up
    if_name          TEXT,                   -- if_*: the VPN 0 interface (ge0/0)
    color            TEXT,                   -- bfd_*: local-color; control_*: src-color
    remote_system_ip TEXT,                   -- bfd_*: remote-system-ip; control_*: peer-system-ip
    remote_color     TEXT,                   -- bfd_*, control_*: remote-color
    reason           TEXT,                   -- bfd_*: flap-reason; control_*: peer-type
    deleted          INTEGER NOT NULL DEFAULT 0  -- bfd_down with deleted:true
);
-- The window of one device (overlay_transport_near, v_transport_events).
CREATE INDEX transport_events_device ON transport_events(device_id, device_us);
-- The history of one BFD session: its state at a time, its refold.
CREATE INDEX transport_events_session ON transport_events(device_id, color,
    remote_system_ip, remote_color, device_us);

CREATE TABLE bfd_sessions (
    device_id        INTEGER NOT NULL,
    local_color      TEXT NOT NULL,          -- '' when the line had none
    remote_system_ip TEXT NOT NULL,
    remote_color     TEXT NOT NULL,
    state            TEXT NOT NULL,          -- up | down
    state_since_us   INTEGER,                -- device time of the last change
    flaps            INTEGER NOT NULL DEFAULT 0,  -- down then up again
    last_flap_reason TEXT,                   -- flap-reason of the last down (timeout, ...)
    last_down_us     INTEGER,
    deleted          INTEGER NOT NULL DEFAULT 0,  -- the last down was a deletion
    first_us         INTEGER,
    last_us          INTEGER,                -- device time of the newest line
    PRIMARY KEY (device_id, local_color, remote_system_ip, remote_color)
) WITHOUT ROWID;

CREATE VIEW v_bfd_sessions AS
SELECT d.hostname,
       d.system_ip,
       b.local_color,
       b.remote_system_ip,
       b.remote_color,
       b.state,
       strftime('%Y-%m-%dT%H:%M:%SZ', b.state_since_us / 1000000, 'unixepoch') AS state_since,
       b.flaps,
       b.last_flap_reason,
       strftime('%Y-%m-%dT%H:%M:%SZ', b.last_down_us / 1000000, 'unixepoch') AS last_down,
       b.deleted,
       strftime('%Y-%m-%dT%H:%M:%SZ', b.first_us / 1000000, 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', b.last_us / 1000000, 'unixepoch') AS last_seen,
       b.device_id,
       b.state_since_us,
       b.last_down_us
  FROM bfd_sessions b
  JOIN devices d ON d.device_id = b.device_id;

CREATE VIEW v_transport_events AS
SELECT t.transport_event_id,
       d.hostname,
       d.system_ip,
       strftime('%Y-%m-%dT%H:%M:%SZ', t.device_us / 1000000, 'unixepoch') AS device_time,
       t.kind,
       t.if_name,
       t.color,
       t.remote_system_ip,
       t.remote_color,
       t.reason,
       t.deleted,
       t.event_id,
       e.message_id,
       m.raw AS line,               -- NULL once the raw message is pruned
       t.device_us,
       t.device_id
  FROM transport_events t
  JOIN devices d ON d.device_id = t.device_id
  LEFT JOIN events e ON e.event_id = t.event_id
  LEFT JOIN messages m ON m.message_id = e.message_id;
