-- 0004_unparsed_index.sql — a partial index for "unparsed lines by program".
--
-- The documented query (docs/schema.md, docs/querying.md) counts the lines
-- whose syslog header did not parse, by program.  Without an index it reads
-- every row of messages (5.8 s on 17 M rows, docs/performance.md).  Only
-- rows with parse_status <> 0 enter this index, so an insert of a parsed
-- line (nearly all of them) does not touch it, and the query reads the
-- failed lines alone.  (program, parse_status) makes it a covering index
-- for both documented forms (by program, and by program and status).
--
-- SQLite uses a partial index only when the query's WHERE names the
-- indexed condition itself: `m.parse_status <> 0` on messages.  The name
-- filter through v_messages (`parse_status <> 'ok'`) comes from a joined
-- table and cannot use it, which is why the documented query reads
-- messages (tests/integration/t_unparsed_index.sh checks the plan).

CREATE INDEX messages_unparsed ON messages(program, parse_status) WHERE parse_status <> 0;
