-- schema/pg/0011_relp.sql — PostgreSQL twin of schema/0011_relp.sql: RELP
-- (transport 5) in v_messages, and senders.transport (the transport of
-- the last line stored from the address) shown by name in v_senders.

ALTER TABLE senders ADD COLUMN transport INTEGER;

CREATE OR REPLACE VIEW v_senders AS
SELECT sender_ip, received, unparsed, truncated,
       tw_utc(first_us) AS first_seen,
       tw_utc(last_us) AS last_seen,
       last_hostname, forged, peer_identity,
       CASE transport WHEN 1 THEN 'udp' WHEN 2 THEN 'tcp' WHEN 4 THEN 'tls'
            WHEN 5 THEN 'relp' END AS transport
  FROM senders;

CREATE OR REPLACE VIEW v_messages AS
SELECT m.message_id,
       tw_utc(m.received_us) AS received_at,
       ds.addr AS sender,
       CASE m.transport WHEN 1 THEN 'udp' WHEN 2 THEN 'tcp' WHEN 4 THEN 'tls'
            WHEN 5 THEN 'relp' ELSE 'import' END AS transport,
       f.name AS facility,
       s.name AS severity,
       tw_utc(m.device_us) AS device_time,
       dh.name AS hostname,
       dp.name AS program,
       CASE WHEN m.pid_span IS NULL THEN NULL ELSE
           convert_from(substring(convert_to(m.raw, 'UTF8')
               FROM (m.pid_span >> 10) + 1 FOR m.pid_span & 1023), 'UTF8') END AS pid,
       convert_from(substring(convert_to(m.raw, 'UTF8') FROM m.msg_off + 1), 'UTF8') AS text,
       p.name AS parse_status,
       m.flags & 1 AS truncated,
       m.raw,
       m.received_us,
       m.device_us,
       CASE WHEN (m.flags & 8) <> 0 THEN 1 ELSE 0 END AS forged
  FROM messages m
  LEFT JOIN dict_senders ds ON ds.sender_id = m.sender_id
  LEFT JOIN facility_names f ON f.code = m.pri >> 3
  LEFT JOIN severity_names s ON s.code = m.pri & 7
  LEFT JOIN dict_hostnames dh ON dh.hostname_id = m.hostname_id
  LEFT JOIN dict_programs dp ON dp.program_id = m.program_id
  LEFT JOIN parse_status_names p ON p.code = m.parse_status;
