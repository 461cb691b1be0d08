-- 0009_trail.sql — DPD lines without events rows: their minute's trail.
--
-- The DPD exchanges (sending DPD request, an INFORMATIONAL request or
-- response with no payload, either way) were still events rows after
-- 0008; they are most of a debug-level log's events.  From now on they are
-- counted in heartbeat as before and listed in the minute's `trail` (one
-- entry per line: device time, event id, message id; v_trail lists them with their raw lines;
-- storage/pulse.c), from which the correlator reads them again when
-- it must; `v_messages` still has every line.  docs/schema.md, "The pulse".
--
-- The DPD events of a database made before this migration stay events
-- rows; the correlator reads both.

ALTER TABLE heartbeat ADD COLUMN trail TEXT;    -- JSON: [[offset µs, event id, message id], ...]

-- Evidence lines that have no events row (DPD lines) carry their own
-- device time and kind; the others still find theirs through event_id.
ALTER TABLE incident_evidence ADD COLUMN device_us INTEGER;
ALTER TABLE incident_evidence ADD COLUMN kind TEXT;

-- The DPD lines of each tunnel, one row per line, as v_events has its
-- events (kind: dpd_request, message_generated or message_parsed, read
-- from the line; NULL once the raw message is pruned).
CREATE VIEW v_trail AS
SELECT json_extract(j.value, '$[1]') AS event_id,
       json_extract(j.value, '$[2]') AS message_id,
       d.hostname,
       d.system_ip,
       t.name AS tunnel,
       strftime('%Y-%m-%dT%H:%M:%SZ', (h.minute_us + json_extract(j.value, '$[0]')) / 1000000,
                'unixepoch') AS device_time,
       CASE WHEN m.raw LIKE '%sending DPD request%' THEN 'dpd_request'
            WHEN m.raw LIKE '%generating INFORMATIONAL%' THEN 'message_generated'
            WHEN m.raw LIKE '%parsed INFORMATIONAL%' THEN 'message_parsed' END AS kind,
       m.raw AS line,
       h.minute_us + json_extract(j.value, '$[0]') AS device_us,
       h.tunnel_id,
       t.device_id
  FROM heartbeat h
  JOIN json_each(h.trail) j
  JOIN tunnels t ON t.tunnel_id = h.tunnel_id
  LEFT JOIN devices d ON d.device_id = t.device_id
  LEFT JOIN messages m ON m.message_id = json_extract(j.value, '$[2]')
 WHERE h.trail IS NOT NULL;
