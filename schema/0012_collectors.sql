-- 0012_collectors.sql — twin of schema/pg/0012_collectors.sql, so that both
-- backends report the same schema version.  Several collectors share only
-- a PostgreSQL database (docs/scale-out.md); a SQLite file has one writer
-- (DB.lock), so nothing changes here.
SELECT 1;
