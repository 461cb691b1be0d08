-- 0011_relp.sql — RELP (serve --relp, docs/operations.md "RELP").
--
-- messages.transport 5 is RELP (rsyslog's omrelp).  senders keeps the
-- transport of the last line stored from each address (1 udp, 2 tcp,
-- 4 tls, 5 relp; NULL before this version), shown by name in v_senders.

ALTER TABLE senders ADD COLUMN transport INTEGER;

DROP VIEW v_senders;
CREATE VIEW v_senders AS
SELECT sender_ip, received, unparsed, truncated,
       strftime('%Y-%m-%dT%H:%M:%SZ', first_us / 1000000, 'unixepoch') AS first_seen,
       strftime('%Y-%m-%dT%H:%M:%SZ', last_us / 1000000, 'unixepoch') AS last_seen,
       last_hostname, forged, peer_identity,
       CASE transport WHEN 1 THEN 'udp' WHEN 2 THEN 'tcp' WHEN 4 THEN 'tls'
            WHEN 5 THEN 'relp' END AS transport
  FROM senders;

DROP VIEW v_messages;
CREATE VIEW v_messages AS
SELECT m.message_id,
       strftime('%Y-%m-%dT%H:%M:%SZ', m.received_us / 1000000, 'unixepoch') AS received_at,
       ds.addr AS sender,
       CASE m.transport WHEN 1 THEN 'udp' WHEN 2 THEN 'tcp' WHEN 4 THEN 'tls'
            WHEN 5 THEN 'relp' ELSE 'import' END AS transport,
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
       m.device_us,
       (m.flags & 8) <> 0 AS forged
  FROM messages m
  LEFT JOIN dict_senders ds ON ds.sender_id = m.sender_id
  LEFT JOIN facility_names f ON f.code = m.pri >> 3
  LEFT JOIN severity_names s ON s.code = m.pri & 7
  LEFT JOIN dict_hostnames dh ON dh.hostname_id = m.hostname_id
  LEFT JOIN dict_programs dp ON dp.program_id = m.program_id
  LEFT JOIN parse_status_names p ON p.code = m.parse_status;
