-- 0008_heartbeat.sql — a tunnel's pulse: its chatter counted per minute.
--
-- Chatter (packets, NAT-T keep-alives, routine kernel lines) stays in
-- messages, every line of it, but is no longer an events row: the
-- resolver (storage/resolve.c) counts it here, per tunnel and minute of
-- device time, together with the DPD exchanges and retransmits it sees
-- (those are still events too).  docs/schema.md, "The pulse".
--
-- A database made before this migration keeps its old packet events; new
-- lines are counted here from now on (the old events are not converted:
-- they are pruned by retention_events like any other).

CREATE TABLE heartbeat (
    tunnel_id      INTEGER NOT NULL,      -- tunnels.tunnel_id
    minute_us      INTEGER NOT NULL,      -- device time of the minute's start, µs UTC
    first_us       INTEGER NOT NULL,      -- first and last counted line in the minute
    last_us        INTEGER NOT NULL,
    dpd_probes     INTEGER NOT NULL DEFAULT 0,  -- "sending DPD request"
    dpd_requests   INTEGER NOT NULL DEFAULT 0,  -- "generating INFORMATIONAL request n [ ]"
    dpd_answers    INTEGER NOT NULL DEFAULT 0,  -- "parsed INFORMATIONAL response n [ ]"
    peer_dpd       INTEGER NOT NULL DEFAULT 0,  -- the peer's: "parsed INFORMATIONAL request n [ ]"
    peer_dpd_answered INTEGER NOT NULL DEFAULT 0, -- "generating INFORMATIONAL response n [ ]"
    retransmits    INTEGER NOT NULL DEFAULT 0,  -- "retransmit n of request"
    packets_out    INTEGER NOT NULL DEFAULT 0,
    packets_in     INTEGER NOT NULL DEFAULT 0,
    bytes_out      INTEGER NOT NULL DEFAULT 0,
    bytes_in       INTEGER NOT NULL DEFAULT 0,
    keepalives     INTEGER NOT NULL DEFAULT 0,  -- NAT-T keep-alives sent
    kernel_lines   INTEGER NOT NULL DEFAULT 0,  -- rekey/delete jobs, policies, routes
    PRIMARY KEY (tunnel_id, minute_us)
) WITHOUT ROWID;

CREATE VIEW v_heartbeat AS
SELECT d.hostname,
       d.system_ip,
       t.name AS tunnel,
       t.peer_ip,
       strftime('%Y-%m-%dT%H:%MZ', h.minute_us / 1000000, 'unixepoch') AS minute,
       max(h.dpd_probes, h.dpd_requests) AS dpd_sent,
       h.dpd_answers AS dpd_answered,
       h.peer_dpd,
       h.peer_dpd_answered,
       h.retransmits,
       h.packets_in, h.packets_out, h.bytes_in, h.bytes_out,
       h.keepalives,
       h.kernel_lines,
       -- the minute in words, for timelines: only what happened
       rtrim(
         CASE WHEN max(h.dpd_probes, h.dpd_requests) > 0
              THEN printf('DPD %d sent, %d answered; ', max(h.dpd_probes, h.dpd_requests),
                          h.dpd_answers) ELSE '' END ||
         CASE WHEN h.peer_dpd > 0
              THEN printf('peer DPD %d, %d answered; ', h.peer_dpd, h.peer_dpd_answered)
              ELSE '' END ||
         CASE WHEN h.retransmits > 0 THEN printf('%d retransmits; ', h.retransmits)
              ELSE '' END ||
         CASE WHEN h.packets_in + h.packets_out > 0
              THEN printf('packets %d in / %d out (%d / %d bytes); ', h.packets_in,
                          h.packets_out, h.bytes_in, h.bytes_out) ELSE '' END ||
         CASE WHEN h.keepalives > 0 THEN printf('%d NAT-T keep-alives; ', h.keepalives)
              ELSE '' END ||
         CASE WHEN h.kernel_lines > 0 THEN printf('%d kernel lines; ', h.kernel_lines)
              ELSE '' END, '; ') AS summary,
       h.minute_us,
       h.first_us,
       h.last_us,
       h.tunnel_id,
       t.device_id
  FROM heartbeat h
  JOIN tunnels t ON t.tunnel_id = h.tunnel_id
  JOIN devices d ON d.device_id = t.device_id;
