/*
 * store.c — the writer's connection, pragmas, prepared statements, row
 * inserts, on either backend of storage/db.h: a SQLite file (the default)
 * or a PostgreSQL server (docs/scale-out.md).  Statements go through db.h
 * (a pass-through on SQLite); what only SQLite has (pragmas, the WAL and
 * its checkpointer) is done on SQLite only, and where the dialects differ
 * (INSERT OR REPLACE, an upsert's column names, parameter types in a
 * SELECT list, the new row's id) the PostgreSQL text stands beside the
 * SQLite one.  On PostgreSQL a batch is one transaction of prepared
 * statements, as on SQLite; the writer's one-writer rule is an advisory
 * lock (store_lock_writer()).
 *
 * WAL mode lets readers (a user's sqlite3 session, the report, the
 * correlator's reads) run beside the single writer without blocking it.
 * synchronous=NORMAL in WAL keeps the database consistent after a crash or
 * kill -9; a power loss can lose the last transactions, never corrupt.
 * By default SQLite checkpoints the WAL inside the committing thread every
 * STORE_AUTOCHECKPOINT pages; `serve` moves that to a thread of its own
 * (store_use_checkpointer(), storage/checkpoint.c).
 *
 * A messages row stores the raw line once (schema/0007_lean.sql): sender,
 * hostname and program are ids into dictionaries, found through bounded
 * in-memory caches (a miss reads, then adds, the dictionary row); pid is a
 * span of raw; the first message of each new second of arrival gets a
 * receive_marks row.  The caches hold what the current transaction added
 * too: when it does not commit, they are dropped (store_begin,
 * store_rollback), so a replayed batch never uses an id that was rolled
 * back.
 */
#include "store.h"
#include "checkpoint.h"
#include "db.h"
#include "ingest.h"
#include "log.h"
#include "migrate.h"
#include "pgbulk.h"
#include "strmap.h"
#include "twin.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Pages in the WAL before a commit checkpoints it (about 40 MiB at 16 KiB
 * pages; serve checkpoints on its own thread instead). */
#define STORE_AUTOCHECKPOINT 2500
#define STORE_PAGE_SIZE "16384"

/* Entries per dictionary cache; a full cache is cleared and refilled from
 * the dictionary (a new TCP connection is a new sender "ip:port"). */
#define STORE_DICT_CACHE 4096
/* pid_span = offset * STORE_PID_SPAN + length (a PROCID is at most 256
 * bytes, syslog_hdr.c PROCID_MAX). */
#define STORE_PID_SPAN 1024

enum { DICT_SENDER, DICT_HOSTNAME, DICT_PROGRAM, DICT_MAX };

enum {
	SQL_INSERT_MSG,
	SQL_INSERT_STAT,
	SQL_UPSERT_SENDER,
	SQL_META_GET,
	SQL_META_SET,
	SQL_DICT_GET,                  /* DICT_MAX statements from here */
	SQL_DICT_ADD = SQL_DICT_GET + DICT_MAX,
	SQL_MARK = SQL_DICT_ADD + DICT_MAX,
	SQL_ID_BLOCK,                  /* PostgreSQL only, from here */
	SQL_BULK_MSG,
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_MAX
};

static const char *const store_sql[SQL_MAX] = {
	[SQL_INSERT_MSG] =
	    "INSERT INTO messages(received_us, device_us, sender_id, hostname_id,"
	    " program_id, pid_span, pri, transport, parse_status, flags, import_id,"
	    " msg_off, raw) VALUES (:recv, :device, :sender, :host, :program, :pid,"
	    " :pri, :transport, :status, :flags, :import, :msg_off, :raw)",
	[SQL_INSERT_STAT] = "INSERT INTO stats(at_us, name, value) VALUES (:at, :name, :value)",
	[SQL_UPSERT_SENDER] =
	    "INSERT INTO senders(sender_ip, received, unparsed, truncated, first_us,"
	    " last_us, last_hostname, forged, peer_identity, transport) VALUES (:ip, :rx,"
	    " :unparsed, :trunc, :first, :last, :host, :forged, :peer, :transport)"
	    " ON CONFLICT(sender_ip) DO UPDATE SET"
	    " received = received + excluded.received,"
	    " unparsed = unparsed + excluded.unparsed,"
	    " truncated = truncated + excluded.truncated,"
	    " forged = forged + excluded.forged,"
	    " peer_identity = coalesce(excluded.peer_identity, peer_identity),"
	    " last_us = max(coalesce(last_us, 0), excluded.last_us),"
	    " last_hostname = coalesce(excluded.last_hostname, last_hostname),"
	    " transport = coalesce(excluded.transport, transport)",
	[SQL_META_GET] = "SELECT value FROM meta WHERE key = :key",
	[SQL_META_SET] = "INSERT OR REPLACE INTO meta(key, value) VALUES (:key, :value)",
	[SQL_DICT_GET + DICT_SENDER] = "SELECT sender_id FROM dict_senders WHERE addr = ?1",
	[SQL_DICT_GET + DICT_HOSTNAME] =
	    "SELECT hostname_id FROM dict_hostnames WHERE name = ?1",
	[SQL_DICT_GET + DICT_PROGRAM] = "SELECT program_id FROM dict_programs WHERE name = ?1",
	[SQL_DICT_ADD + DICT_SENDER] =
	    "INSERT INTO dict_senders(addr) VALUES (?1) ON CONFLICT DO NOTHING",
	[SQL_DICT_ADD + DICT_HOSTNAME] =
	    "INSERT INTO dict_hostnames(name) VALUES (?1) ON CONFLICT DO NOTHING",
	[SQL_DICT_ADD + DICT_PROGRAM] =
	    "INSERT INTO dict_programs(name) VALUES (?1) ON CONFLICT DO NOTHING",
	/* Only a second later than every mark (schema/0007_lean.sql): the
	 * cache below spares the statement, this keeps marks increasing
	 * whatever another process wrote. */
	[SQL_MARK] =
	    ("INSERT INTO receive_marks(received_s, message_id) SELECT ?1, ?2"
	    " WHERE NOT EXISTS (SELECT 1 FROM receive_marks WHERE received_s >= ?1)"),
	[SQL_BEGIN] = "BEGIN IMMEDIATE",
	[SQL_COMMIT] = "COMMIT",
};

/* The PostgreSQL texts where the dialects differ (NULL: the same text).
 * The new row's id comes back with RETURNING (lastval() would be a second
 * round trip per row); an upsert names the target's columns with the
 * table (unqualified they are ambiguous with excluded's); a parameter in
 * a SELECT list needs its type; BEGIN and COMMIT are db_begin/db_commit. */
static const char *const store_pg_sql[SQL_MAX] = {
	/* Several collectors (docs/scale-out.md): a line whose twin (the same
	 * host, device time, text hash and copy) is committed already is not
	 * stored again — for a pending row (this collector does not derive),
	 * any twin; for a derived one, a twin that was derived (a pending twin
	 * is deleted by the derive pass, which sees this row).  No row comes
	 * back then.  :hash is NULL where there is no key (no host or time). */
	[SQL_INSERT_MSG] =
	    "INSERT INTO messages(received_us, device_us, sender_id, hostname_id,"
	    " program_id, pid_span, pri, transport, parse_status, flags, import_id,"
	    " msg_off, raw, line_hash, copy, pending)"
	    " SELECT :recv::bigint, :device::bigint, :sender::bigint, :host::bigint,"
	    " :program::bigint, :pid::bigint, :pri::bigint, :transport::bigint,"
	    " :status::bigint, :flags::bigint, :import::bigint, :msg_off::bigint,"
	    " :raw::text, :hash::bigint, coalesce(:copy::bigint, 0), :pending::boolean"
	    " WHERE :hash::bigint IS NULL OR NOT EXISTS (SELECT 1 FROM messages t"
	    " WHERE t.hostname_id = :host::bigint AND t.device_us = :device::bigint"
	    " AND t.line_hash = :hash::bigint AND t.copy = coalesce(:copy::bigint, 0)"
	    " AND (:pending::boolean OR NOT t.pending))"
	    " RETURNING message_id",
	[SQL_UPSERT_SENDER] =
	    "INSERT INTO senders(sender_ip, received, unparsed, truncated, first_us,"
	    " last_us, last_hostname, forged, peer_identity, transport) VALUES (:ip, :rx,"
	    " :unparsed, :trunc, :first, :last, :host, :forged, :peer, :transport)"
	    " ON CONFLICT(sender_ip) DO UPDATE SET"
	    " received = senders.received + excluded.received,"
	    " unparsed = senders.unparsed + excluded.unparsed,"
	    " truncated = senders.truncated + excluded.truncated,"
	    " forged = senders.forged + excluded.forged,"
	    " peer_identity = coalesce(excluded.peer_identity, senders.peer_identity),"
	    " last_us = greatest(coalesce(senders.last_us, 0), excluded.last_us),"
	    " last_hostname = coalesce(excluded.last_hostname, senders.last_hostname),"
	    " transport = coalesce(excluded.transport, senders.transport)",
	[SQL_META_SET] =
	    "INSERT INTO meta(key, value) VALUES (:key, :value)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[SQL_DICT_ADD + DICT_SENDER] =
	    "INSERT INTO dict_senders(addr) VALUES (?1) ON CONFLICT DO NOTHING"
	    " RETURNING sender_id",
	[SQL_DICT_ADD + DICT_HOSTNAME] =
	    "INSERT INTO dict_hostnames(name) VALUES (?1) ON CONFLICT DO NOTHING"
	    " RETURNING hostname_id",
	[SQL_DICT_ADD + DICT_PROGRAM] =
	    "INSERT INTO dict_programs(name) VALUES (?1) ON CONFLICT DO NOTHING"
	    " RETURNING program_id",
	/* Message ids in blocks, so that rows can go in one statement. */
	[SQL_ID_BLOCK] =
	    "SELECT nextval(pg_get_serial_sequence('messages', 'message_id'))"
	    " FROM generate_series(1, ?1::integer)",
	/* The rows of a batch as one statement (storage/pgbulk.h); ?18: a
	 * collector that only stores skips lines with a committed twin. */
	[SQL_BULK_MSG] =
	    "INSERT INTO messages(message_id, received_us, device_us, sender_id,"
	    " hostname_id, program_id, pid_span, pri, transport, parse_status, flags,"
	    " import_id, msg_off, raw, line_hash, copy, pending)"
	    " SELECT u.* FROM unnest(?1::bigint[], ?2::bigint[], ?3::bigint[],"
	    " ?4::bigint[], ?5::bigint[], ?6::bigint[], ?7::bigint[], ?8::bigint[],"
	    " ?9::bigint[], ?10::bigint[], ?11::bigint[], ?12::bigint[], ?13::bigint[],"
	    " ?14::text[], ?15::bigint[], ?16::bigint[], ?17::boolean[])"
	    " AS u(id, recv, dev, sender, host, program, pid, pri, transport, status,"
	    " flags, import, msg_off, raw, hash, copy, pending)"
	    " WHERE NOT ?18::boolean OR u.hash IS NULL OR NOT EXISTS (SELECT 1"
	    " FROM messages t WHERE t.hostname_id = u.host AND t.device_us = u.dev"
	    " AND t.line_hash = u.hash AND t.copy = u.copy)",
	/* Several collectors may mark the same second: the first one's
	 * mark stands (a conflict would abort the batch). */
	[SQL_MARK] =
	    ("INSERT INTO receive_marks(received_s, message_id)"
	    " SELECT ?1::bigint, ?2::bigint"
	    " WHERE NOT EXISTS (SELECT 1 FROM receive_marks WHERE received_s >= ?1::bigint)"
	    " ON CONFLICT DO NOTHING"),
};

/* The one-writer lock on PostgreSQL: pg_try_advisory_lock(key1, key2),
 * session level (docs/scale-out.md). */
#define STORE_PG_LOCK_K1 "7478"         /* tunnelwatch's (arbitrary) */
#define STORE_PG_LOCK_K2 "1"            /* the writer */

/* Parameter positions of SQL_INSERT_MSG, resolved by name once (the last
 * three are PostgreSQL's only: 0 on SQLite). */
enum { P_RECV, P_DEVICE, P_SENDER, P_HOST, P_PROGRAM, P_PID, P_PRI, P_TRANSPORT,
	P_STATUS, P_FLAGS, P_IMPORT, P_MSGOFF, P_RAW, P_HASH, P_COPY, P_PENDING, P_MAX };
static const char *const store_msg_params[P_MAX] = {
	":recv", ":device", ":sender", ":host", ":program", ":pid", ":pri", ":transport",
	":status", ":flags", ":import", ":msg_off", ":raw", ":hash", ":copy", ":pending",
};

/* The derive lock (docs/scale-out.md): session level, held by the one
 * collector that resolves and decides; the others store only.  A storer
 * tries to take it this often. */
#define STORE_DERIVE_RETRY_US (1000 * 1000LL)


/* The pending rows one derive pass reads at most. */
#define STORE_PENDING_MAX 2000

/* PostgreSQL: message rows go as one statement of at most this many rows
 * or bytes (storage/pgbulk.h), under ids taken this many at a time. */
#define STORE_BULK_ROWS   1000
#define STORE_BULK_BYTES  (4u << 20)
#define STORE_ID_BLOCK    1024
/* After taking the derive lock, lines received up to this long after it
 * are checked one by one for a twin the previous holder derived. */
#define STORE_TAKEOVER_CHECK_US (10 * 1000 * 1000LL)

struct store {
	sqlite3 *db;                /* NULL on PostgreSQL */
	struct db *dbh;             /* the connection through db.h */
	int pg;                     /* PostgreSQL */
	struct db_stmt *stmt[SQL_MAX];
	uint64_t lock_session;      /* PostgreSQL: the session the writer lock
	                             * was taken on (0: not wanted) */
	char lock_cmd[16];
	char *pgraw;                /* PostgreSQL: raw made valid UTF-8 */
	size_t pgraw_cap;
	uint64_t pg_bytes_replaced; /* bytes stored as '?' (logged) */
	int msg_param[P_MAX];
	struct ckpt *ckpt;          /* background checkpointer, or NULL */
	struct strmap dict[DICT_MAX];   /* value -> id, bounded */
	int64_t mark_s;             /* receive_marks holds a mark at or after this
	                             * second (INT64_MIN: not known) */
	int uncommitted;            /* the caches hold what an open transaction added */
	/* Several collectors (PostgreSQL serve): store_lock_writer("serve"). */
	int shared;                 /* other collectors may store beside this one */
	int deriving;               /* this session holds the derive lock */
	int64_t derive_try_us;      /* a storer's next try for it */
	struct twin *copies;        /* copy numbers (twin.h), once shared */
	struct db_stmt *pend_scan, *pend_done, *pend_drop;
	int64_t check_until_us;     /* received before: checked one by one */
	/* PostgreSQL: rows waiting for one multi-row insert, and their ids. */
	struct pgbulk bulk;
	int64_t ids[STORE_ID_BLOCK];
	int id_count, id_next;
	uint64_t txn_dups;          /* lines the bulk insert skipped, this txn */
	uint64_t dups;              /* ... committed, not yet taken */
	int careful;                /* a statement per row (store_set_careful) */
};

static void store_copies_settle(struct store *st, int committed);
static int store_bulk_flush(struct store *st);

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

struct db *
store_dbh(struct store *st)
{
	return st->dbh;
}

static const char *
store_text(const struct store *st, int which)
{
	if (st->pg && store_pg_sql[which] != NULL)
		return store_pg_sql[which];
	return store_sql[which];
}

static void
store_log_error(struct store *st, int which, int rc)
{
	log_warnx("%s: %s (%d) in: %s", st->pg ? "postgresql" : "sqlite",
	    db_errmsg(st->dbh), rc, store_text(st, which));
}

/* A new database is made here, 0640 (SQLite would make it 0644 less the
 * umask, readable by everyone under umask 022), 0640 less the umask; an empty file is a valid
 * new database, and the -wal and -shm files SQLite makes take its mode. */
static int
store_precreate(const char *path, char *err, size_t errsz)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EEXIST)
		return 0;       /* SQLite opens it (or says why it cannot) */
	snprintf(err, errsz, "%s: cannot create the database: %s", path, strerror(errno));
	return -1;
}

/* Prepares every statement and finds the message insert's parameters. */
static int
store_prepare_all(struct store *st, char *err, size_t errsz)
{
	int i, rc;

	for (i = 0; i < SQL_MAX; i++) {
		if (st->pg && (i == SQL_BEGIN || i == SQL_COMMIT))
			continue;       /* db_begin, db_commit */
		if (store_text(st, i) == NULL)
			continue;       /* PostgreSQL's only */
		rc = db_prepare(st->dbh, store_text(st, i), &st->stmt[i]);
		if (rc != SQLITE_OK) {
			snprintf(err, errsz, "preparing \"%s\": %s", store_text(st, i),
			    db_errmsg(st->dbh));
			return -1;
		}
	}
	for (i = 0; i < P_MAX; i++)
		st->msg_param[i] = db_bind_index(st->stmt[SQL_INSERT_MSG],
		    store_msg_params[i]);
	return 0;
}

/* PostgreSQL: connects and migrates (schema/pg), or for STORE_RDONLY
 * checks the schema's version.  No pragmas, no WAL. */
static int
store_open_pg(struct store *st, const char *target, int flags, char *err, size_t errsz)
{
	int ver = 0;

	st->pg = 1;
	if (pgbulk_init(&st->bulk, 1 + P_MAX) != 0) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (db_open(target, 0, &st->dbh, err, errsz) != 0)
		return -1;
	if (!(flags & STORE_RDONLY))
		return migrate_run_pg(st->dbh, err, errsz) != 0 ? -1 :
		    store_prepare_all(st, err, errsz);
	if (migrate_pg_version(st->dbh, &ver, err, errsz) != 0)
		return -1;
	if (ver == 0) {
		snprintf(err, errsz, "the PostgreSQL database has no tunnelwatch schema");
		return -1;
	}
	if (ver > migrate_pg_latest()) {
		snprintf(err, errsz, "schema version %d is newer than this tunnelwatch "
		    "understands (%d): upgrade tunnelwatch", ver, migrate_pg_latest());
		return -1;
	}
	return 0;
}

int
store_open(const char *path, int flags, struct store **out, char *err, size_t errsz)
{
	struct store *st;
	int rc, i, oflags;
	char *emsg = NULL;

	*out = NULL;
	if ((st = calloc(1, sizeof *st)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (i = 0; i < DICT_MAX; i++)
		strmap_init(&st->dict[i], STORE_DICT_CACHE);
	st->mark_s = INT64_MIN;
	if (db_target_is_postgres(path)) {
		if (store_open_pg(st, path, flags, err, errsz) != 0)
			goto fail;
		*out = st;
		return 0;
	}
	oflags = (flags & STORE_RDONLY) ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (!(flags & STORE_RDONLY) && store_precreate(path, err, errsz) != 0)
		goto fail;
	rc = sqlite3_open_v2(path, &st->db, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		struct stat sb;
		if ((flags & STORE_RDONLY) && stat(path, &sb) != 0 && errno == ENOENT)
			/* SQLite only says "unable to open database file" */
			snprintf(err, errsz, "%s: no such database; give --db PATH (serve and "
			    "import create one; the service's is "
			    "/var/lib/tunnelwatch/tunnelwatch.db)", path);
		else
			snprintf(err, errsz, "%s: %s", path,
			    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
		goto fail;
	}
	if ((st->dbh = db_wrap_sqlite(st->db)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, 5000);
	sqlite3_extended_result_codes(st->db, 0);
	if (!(flags & STORE_RDONLY)) {
		/* 16 KiB pages (a new database only; an existing one keeps its
		 * own): fewer B-tree pages to split and to copy per row on this
		 * append-mostly workload — the writer spends ~10 % less CPU than
		 * with 4 KiB (docs/performance.md). */
		if (sqlite3_exec(st->db,
		    "PRAGMA page_size=" STORE_PAGE_SIZE "; PRAGMA journal_mode=WAL;"
		    " PRAGMA synchronous=NORMAL;"
		    " PRAGMA foreign_keys=ON;", NULL, NULL, &emsg) != SQLITE_OK) {
			snprintf(err, errsz, "%s: %s", path, emsg);
			sqlite3_free(emsg);
			goto fail;
		}
		sqlite3_wal_autocheckpoint(st->db, STORE_AUTOCHECKPOINT);
		if (migrate_run(st->db, err, errsz) != 0)
			goto fail;
	} else {
		int ver = 0;
		sqlite3_stmt *s = NULL;
		if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			ver = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
		if (ver == 0) {
			snprintf(err, errsz, "%s: not a tunnelwatch database (or empty)", path);
			goto fail;
		}
		if (ver > migrate_latest()) {
			snprintf(err, errsz, "%s: schema version %d is newer than this "
			    "tunnelwatch understands (%d): upgrade tunnelwatch", path, ver,
			    migrate_latest());
			goto fail;
		}
		*out = st;
		return 0;
	}
	/* A bigger page cache: the writer re-reads index pages of events and
	 * small tables constantly.  No memory-mapped reads: they made the
	 * process's RSS grow with the database (up to the map size) while
	 * gaining nothing measurable in serve and ~5 % in import
	 * (docs/performance.md); the page cache alone keeps it bounded. */
	sqlite3_exec(st->db, "PRAGMA cache_size=-131072; PRAGMA mmap_size=0;",
	    NULL, NULL, NULL);
	if (store_prepare_all(st, err, errsz) != 0)
		goto fail;
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

int
store_is_postgres(const struct store *st)
{
	return st->pg;
}

/* Takes the advisory lock on this session: 1; 0 when another session
 * holds it (err names it); -1 when the query failed (err says why). */
static int
store_pg_try_lock(struct store *st, char *err, size_t errsz)
{
	struct db_stmt *s = NULL;
	int rc, got = 0;

	rc = db_prepare(st->dbh, "SELECT pg_try_advisory_lock(" STORE_PG_LOCK_K1 ", "
	    STORE_PG_LOCK_K2 "), pg_backend_pid()", &s);
	if (rc == SQLITE_OK && (rc = db_step(s)) == DB_ROW)
		got = db_column_int64(s, 0) != 0;
	if (rc != DB_ROW) {
		snprintf(err, errsz, "PostgreSQL: taking the writer lock: %s",
		    db_errmsg(st->dbh));
		db_finalize(s);
		return -1;
	}
	db_finalize(s);
	if (got) {
		st->lock_session = db_session(st->dbh);
		st->deriving = 1;
		st->check_until_us = util_now_us() + STORE_TAKEOVER_CHECK_US;
		return 1;
	}
	{
		long pid = 0;
		char app[64] = "";
		/* Who holds it, for the message: its backend and application. */
		if (db_prepare(st->dbh, "SELECT l.pid, coalesce(a.application_name, '')"
		    " FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid"
		    " WHERE l.locktype = 'advisory' AND l.granted"
		    " AND l.classid = " STORE_PG_LOCK_K1 " AND l.objid = " STORE_PG_LOCK_K2
		    " AND l.objsubid = 2 LIMIT 1", &s) == SQLITE_OK && db_step(s) == DB_ROW) {
			pid = (long)db_column_int64(s, 0);
			snprintf(app, sizeof app, "%s", db_column_text(s, 1) != NULL ?
			    db_column_text(s, 1) : "");
		}
		db_finalize(s);
		snprintf(err, errsz, "the PostgreSQL database is in use by another "
		    "tunnelwatch writer (%s%sserver backend pid %ld holds its advisory "
		    "lock " STORE_PG_LOCK_K1 "/" STORE_PG_LOCK_K2 ")", app, app[0] ? ", " : "",
		    pid);
	}
	return 0;
}

/* The statements of the derive pass (store_pending_scan), PostgreSQL's
 * only.  A pending row with a twin that was derived, or an older pending
 * twin, is a copy: dropped. */
static int
store_prepare_pending(struct store *st, char *err, size_t errsz)
{
	static const char *const sql[3] = {
	    "SELECT p.message_id, p.received_us, p.device_us, p.flags, p.transport,"
	    " p.raw, ds.addr, EXISTS (SELECT 1 FROM messages t"
	    " WHERE p.line_hash IS NOT NULL AND t.hostname_id = p.hostname_id"
	    " AND t.device_us = p.device_us AND t.line_hash = p.line_hash"
	    " AND t.copy = p.copy AND t.message_id <> p.message_id"
	    " AND (NOT t.pending OR t.message_id < p.message_id))"
	    " FROM messages p LEFT JOIN dict_senders ds ON ds.sender_id = p.sender_id"
	    " WHERE p.pending ORDER BY p.message_id LIMIT ?1",
	    "UPDATE messages SET pending = false WHERE message_id = ANY(CAST(?1 AS bigint[]))",
	    "DELETE FROM messages WHERE message_id = ANY(CAST(?1 AS bigint[])) AND pending",
	};
	struct db_stmt **out[3] = { &st->pend_scan, &st->pend_done, &st->pend_drop };
	int i;

	for (i = 0; i < 3; i++) {
		if (db_prepare(st->dbh, sql[i], out[i]) != SQLITE_OK) {
			snprintf(err, errsz, "preparing \"%s\": %s", sql[i], db_errmsg(st->dbh));
			return -1;
		}
	}
	return 0;
}

int
store_lock_writer(struct store *st, const char *command, char *err, size_t errsz)
{
	if (!st->pg)
		return 0;       /* the file lock (base/dblock.c) does it */
	char sql[64];
	int got;

	snprintf(st->lock_cmd, sizeof st->lock_cmd, "%s", command);
	/* Names this session in pg_stat_activity, for the refusal above. */
	snprintf(sql, sizeof sql, "SET application_name = 'tunnelwatch %s'", st->lock_cmd);
	(void)db_exec(st->dbh, sql);
	if (strcmp(command, "serve") != 0)
		return store_pg_try_lock(st, err, errsz) == 1 ? 0 : -1;
	/* serve: several collectors may store into one database; the lock
	 * only says which of them derives. */
	if ((st->copies = twin_new()) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (store_prepare_pending(st, err, errsz) != 0 ||
	    (got = store_pg_try_lock(st, err, errsz)) < 0)
		return -1;
	st->shared = 1;
	if (got)
		log_info("PostgreSQL: this collector derives (holds the derive lock "
		    STORE_PG_LOCK_K1 "/" STORE_PG_LOCK_K2 "): it resolves devices and decides "
		    "incidents for the whole fleet");
	else
		log_info("PostgreSQL: another collector derives (%s): this one stores "
		    "what it receives, and takes over when that one stops", err);
	return 0;
}

int
store_deriving(const struct store *st)
{
	return !st->pg || !st->shared || st->deriving;
}

void
store_close(struct store *st)
{
	int i;

	if (st == NULL)
		return;
	for (i = 0; i < SQL_MAX; i++)
		db_finalize(st->stmt[i]);
	db_finalize(st->pend_scan);
	db_finalize(st->pend_done);
	db_finalize(st->pend_drop);
	twin_free(st->copies);
	pgbulk_free(&st->bulk);
	for (i = 0; i < DICT_MAX; i++)
		strmap_free(&st->dict[i]);
	free(st->pgraw);
	db_close(st->dbh);         /* SQLite: a wrapper, leaves st->db open */
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("sqlite: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

static int
store_step_done(struct store *st, int which)
{
	struct db_stmt *s = st->stmt[which];
	int rc = db_step(s);

	db_reset(s);
	db_clear_bindings(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return SQLITE_OK;
	/* sqlite3_reset returns the same code; step's is the one to report. */
	if (!store_is_transient(rc))
		store_log_error(st, which, rc);
	return rc;
}

/*
 * Steps an INSERT and gives the new row's id: SQLite's last rowid, or the
 * RETURNING column on PostgreSQL.  *id = 0 when no row was inserted (ON
 * CONFLICT DO NOTHING).  Returns SQLITE_OK or the failing code.
 */
static int
store_step_insert(struct store *st, int which, int64_t *id)
{
	struct db_stmt *s = st->stmt[which];
	int rc;

	if (!st->pg) {
		if ((rc = store_step_done(st, which)) != SQLITE_OK)
			return rc;
		*id = sqlite3_changes(st->db) == 1 ? sqlite3_last_insert_rowid(st->db) : 0;
		return SQLITE_OK;
	}
	rc = db_step(s);
	*id = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_reset(s);
	db_clear_bindings(s);
	if (rc == DB_DONE || rc == DB_ROW)
		return SQLITE_OK;
	if (!store_is_transient(rc))
		store_log_error(st, which, rc);
	return rc;
}

int
store_is_transient(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_NOMEM:
	case SQLITE_CANTOPEN:
		return 1;
	}
	return 0;
}

/* Forgets what the caches learnt since the last commit (all of it: the
 * caches do not know which entries are older). */
static void
store_forget_uncommitted(struct store *st)
{
	int i;

	if (!st->uncommitted)
		return;
	for (i = 0; i < DICT_MAX; i++)
		strmap_clear(&st->dict[i]);
	store_copies_settle(st, 0);
	if (st->pg)
		pgbulk_clear(&st->bulk);
	st->txn_dups = 0;
	st->mark_s = INT64_MIN;
	st->uncommitted = 0;
}

/* PostgreSQL: a session re-established after a break has lost the
 * writer lock with the old one; take it again before writing (another
 * collector may have taken it meanwhile: then no write, SQLITE_BUSY,
 * retried by the writer). */
static int
store_pg_relock(struct store *st)
{
	char err[512];

	if (st->lock_session == 0 || db_session(st->dbh) == st->lock_session)
		return SQLITE_OK;
	if (store_pg_try_lock(st, err, sizeof err) == 1) {
		log_info("PostgreSQL: session re-established; writer lock taken again");
		return SQLITE_OK;
	}
	log_warnx("PostgreSQL: session re-established but %s; not writing until it is "
	    "free", err);
	return SQLITE_BUSY;
}

/*
 * Several collectors: is this session still the one that holds the derive
 * lock (a session re-established after a break has lost it), and if it
 * does not hold it, may it take it now (once a STORE_DERIVE_RETRY_US)?
 * The caller (the writer) sees the change through store_deriving().
 */
static void
store_pg_derive(struct store *st)
{
	char err[512];
	int64_t now;

	if (st->deriving && db_session(st->dbh) == st->lock_session)
		return;
	if (st->deriving) {
		st->deriving = 0;
		st->derive_try_us = 0;
		log_warnx("PostgreSQL: session re-established; the derive lock went with "
		    "the old one");
	}
	if ((now = util_mono_us()) < st->derive_try_us)
		return;
	st->derive_try_us = now + STORE_DERIVE_RETRY_US;
	if (store_pg_try_lock(st, err, sizeof err) == 1)
		log_info("PostgreSQL: this collector took the derive lock: it now "
		    "resolves devices and decides incidents for the whole fleet");
}

void
store_try_derive(struct store *st)
{
	if (st->pg && st->shared)
		store_pg_derive(st);
}

int
store_begin(struct store *st)
{
	int rc;

	/* The previous transaction did not commit through store_commit (an
	 * error SQLite rolled back by itself, or a ROLLBACK elsewhere). */
	store_forget_uncommitted(st);
	if (!st->pg)
		return store_step_done(st, SQL_BEGIN);
	if ((rc = db_begin(st->dbh, 1)) != SQLITE_OK)
		return rc;
	/* The session may be new since the last batch: the begin above is
	 * what re-established it. */
	if (st->shared) {
		store_pg_derive(st);
		return SQLITE_OK;
	}
	if ((rc = store_pg_relock(st)) != SQLITE_OK)
		db_rollback(st->dbh);
	return rc;
}

int
store_commit(struct store *st)
{
	int rc;

	/* PostgreSQL aborts the whole transaction at a failed statement and
	 * its COMMIT then rolls back while saying COMMIT: that must not pass
	 * for a commit (the batch would count as stored, the spool let go). */
	if (st->pg && db_txn_failed(st->dbh)) {
		log_warnx("postgresql: a statement of this batch failed (%s), so "
		    "PostgreSQL rolled the batch back; it is kept and tried again",
		    db_errmsg(st->dbh));
		return SQLITE_ERROR;
	}
	if (st->pg && (rc = store_bulk_flush(st)) != SQLITE_OK)
		return rc;
	rc = st->pg ? db_commit(st->dbh) : store_step_done(st, SQL_COMMIT);

	if (rc == SQLITE_OK) {
		if (st->uncommitted)
			store_copies_settle(st, 1);
		st->uncommitted = 0;
		st->dups += st->txn_dups;
		st->txn_dups = 0;
	}
	if (rc == SQLITE_OK && st->ckpt != NULL)
		ckpt_after_commit(st->ckpt, st->db);
	return rc;
}

void
store_use_checkpointer(struct store *st, struct ckpt *c)
{
	if (st->pg)
		return;         /* no WAL of ours to checkpoint */
	st->ckpt = c;
	sqlite3_wal_autocheckpoint(st->db, c != NULL ? 0 : STORE_AUTOCHECKPOINT);
}

void
store_rollback(struct store *st)
{
	if (st->pg)
		db_rollback(st->dbh);
	else if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	store_forget_uncommitted(st);
}

/*
 * The id of value[0..len) in dictionary d: from the cache, else read, else
 * added.  Returns SQLITE_OK or the failing result code.
 */
static int
store_dict_id(struct store *st, int d, const char *value, size_t len, int64_t *id)
{
	struct db_stmt *get = st->stmt[SQL_DICT_GET + d];
	int rc, pass;

	if (strmap_get(&st->dict[d], value, len, id))
		return SQLITE_OK;
	for (pass = 0; pass < 2; pass++) {
		db_bind_text_ref(get, 1, value, (int)len);
		rc = db_step(get);
		if (rc == SQLITE_ROW)
			*id = db_column_int64(get, 0);
		db_reset(get);
		db_clear_bindings(get);
		if (rc == SQLITE_ROW)
			break;
		if (rc != SQLITE_DONE) {
			if (!store_is_transient(rc))
				store_log_error(st, SQL_DICT_GET + d, rc);
			return rc;
		}
		if (pass == 1) {        /* added, yet not found: cannot happen */
			store_log_error(st, SQL_DICT_GET + d, SQLITE_INTERNAL);
			return SQLITE_INTERNAL;
		}
		db_bind_text_ref(st->stmt[SQL_DICT_ADD + d], 1, value, (int)len);
		if ((rc = store_step_insert(st, SQL_DICT_ADD + d, id)) != SQLITE_OK)
			return rc;
		st->uncommitted = 1;
		if (*id != 0)
			break;
		/* Another connection added it since the read: read it again. */
	}
	if (strmap_put(&st->dict[d], value, len, *id) != 0) {
		strmap_clear(&st->dict[d]);
		(void)strmap_put(&st->dict[d], value, len, *id);
	}
	return SQLITE_OK;
}

/* FNV-1a, 64 bits, of the line as stored: the twin key's hash. */
static int64_t
store_line_hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
	return (int64_t)h;
}

/* The copy counts follow the transaction: kept at a commit, undone at a
 * rollback (a replayed batch numbers its lines as the first attempt did). */
static void
store_copies_settle(struct store *st, int committed)
{
	if (st->copies != NULL)
		twin_settle(st->copies, committed);
}

/* The first message of a second later than every mark gets one
 * (schema/0007_lean.sql, receive_marks). */
static int
store_mark(struct store *st, int64_t recv_us, int64_t id)
{
	struct db_stmt *s = st->stmt[SQL_MARK];
	int64_t sec = recv_us / 1000000;
	int rc;

	if (sec <= st->mark_s)
		return SQLITE_OK;
	db_bind_int64(s, 1, sec);
	db_bind_int64(s, 2, id);
	if ((rc = store_step_done(st, SQL_MARK)) != SQLITE_OK)
		return rc;
	st->uncommitted = 1;
	st->mark_s = sec;
	return SQLITE_OK;
}

/* Length of the valid UTF-8 sequence at p[0..n) (no NUL, no overlong
 * form, no surrogate, at most U+10FFFF), or 0 when the byte at p starts
 * none. */
static size_t
store_utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * PostgreSQL's text holds UTF-8 without NUL, SQLite's any bytes: a line
 * with other bytes would fail its insert, and with it the whole
 * transaction.  Each such byte is stored as '?' — one byte for one, so
 * the spans into raw (msg_off, pid_span) stay true.  Returns raw itself
 * when it is valid, else st->pgraw, or NULL when out of memory.
 */
static const char *
store_pg_text(struct store *st, const char *raw, size_t len)
{
	const unsigned char *p = (const unsigned char *)raw;
	size_t i = 0, k, bad = 0;

	while (i < len && (k = store_utf8_len(p + i, len - i)) > 0)
		i += k;
	if (i == len)
		return raw;
	if (len + 1 > st->pgraw_cap) {
		char *nb = realloc(st->pgraw, len + 1);
		if (nb == NULL)
			return NULL;
		st->pgraw = nb;
		st->pgraw_cap = len + 1;
	}
	memcpy(st->pgraw, raw, len);
	while (i < len) {
		if ((k = store_utf8_len(p + i, len - i)) > 0) {
			i += k;
			continue;
		}
		st->pgraw[i++] = '?';
		bad++;
	}
	st->pgraw[len] = '\0';
	if (st->pg_bytes_replaced == 0)
		log_warnx("postgresql: a line holds bytes that are not UTF-8 (or NUL): "
		    "stored as '?' (PostgreSQL text cannot hold them; a SQLite "
		    "database keeps them); logged once");
	st->pg_bytes_replaced += bad;
	return st->pgraw;
}

/* A message row's values, by SQL_INSERT_MSG parameter; a bit of null is
 * set for each SQL NULL.  raw is apart (text). */
struct store_vals {
	int64_t v[P_MAX];
	unsigned null;
	const char *raw;
	size_t raw_len;
};

/* Takes the next id of the block, reserving a new block when it is used up
 * (one round trip per STORE_ID_BLOCK rows).  SQLITE_OK or the error. */
static int
store_next_id(struct store *st, int64_t *id)
{
	struct db_stmt *s = st->stmt[SQL_ID_BLOCK];
	int rc;

	if (st->id_next >= st->id_count) {
		st->id_count = st->id_next = 0;
		db_bind_int64(s, 1, STORE_ID_BLOCK);
		while ((rc = db_step(s)) == DB_ROW && st->id_count < STORE_ID_BLOCK)
			st->ids[st->id_count++] = db_column_int64(s, 0);
		db_reset(s);
		db_clear_bindings(s);
		if (rc != DB_DONE && rc != DB_ROW) {
			st->id_count = 0;
			if (!store_is_transient(rc))
				store_log_error(st, SQL_ID_BLOCK, rc);
			return rc;
		}
		if (st->id_count == 0)
			return SQLITE_INTERNAL;
	}
	*id = st->ids[st->id_next++];
	return SQLITE_OK;
}

/*
 * Sends the gathered rows as one INSERT … SELECT FROM unnest (storage/
 * pgbulk.h).  A collector that only stores skips the lines whose twin is
 * committed already, and counts them.  SQLITE_OK or the error.
 */
static int
store_bulk_flush(struct store *st)
{
	struct db_stmt *s = st->stmt[SQL_BULK_MSG];
	int i, rc, n = st->bulk.nrows;

	if (n == 0)
		return SQLITE_OK;
	for (i = 0; i < 1 + P_MAX; i++) {
		const char *a = pgbulk_array(&st->bulk, i);
		if (a == NULL) {
			db_clear_bindings(s);
			pgbulk_clear(&st->bulk);
			return SQLITE_NOMEM;
		}
		db_bind_text(s, i + 1, a, -1);
	}
	db_bind_int64(s, 2 + P_MAX, st->shared && !st->deriving);
	rc = db_step(s);
	db_reset(s);
	db_clear_bindings(s);
	pgbulk_clear(&st->bulk);
	if (rc != DB_DONE && rc != DB_ROW) {
		if (!store_is_transient(rc))
			store_log_error(st, SQL_BULK_MSG, rc);
		return rc;
	}
	st->txn_dups += (uint64_t)(n - db_changes(st->dbh));
	return SQLITE_OK;
}

/* Adds a row to the bulk insert with id; sends it when full. */
static int
store_bulk_add(struct store *st, const struct store_vals *x, int64_t id)
{
	int i, bad = pgbulk_int(&st->bulk, id);

	for (i = 0; i < P_MAX && bad == 0; i++) {
		if (x->null & (1u << i))
			bad = pgbulk_null(&st->bulk);
		else if (i == P_RAW)
			bad = pgbulk_text(&st->bulk, x->raw, x->raw_len);
		else if (i == P_PENDING)
			bad = pgbulk_bool(&st->bulk, x->v[i] != 0);
		else
			bad = pgbulk_int(&st->bulk, x->v[i]);
	}
	if (bad != 0 || pgbulk_end_row(&st->bulk) != 0) {
		pgbulk_clear(&st->bulk);
		return SQLITE_NOMEM;
	}
	st->uncommitted = 1;
	if (st->bulk.nrows >= STORE_BULK_ROWS || st->bulk.bytes >= STORE_BULK_BYTES)
		return store_bulk_flush(st);
	return SQLITE_OK;
}

/* The single-row insert: SQLite's path, and PostgreSQL's where a line's
 * fate must be known at once (store_insert_message). */
static int
store_insert_one(struct store *st, const struct store_vals *x, int64_t *rowid)
{
	struct db_stmt *s = st->stmt[SQL_INSERT_MSG];
	const int *p = st->msg_param;
	int i;

	for (i = 0; i < P_MAX; i++) {
		if (p[i] == 0 || (x->null & (1u << i)))
			continue;
		if (i == P_RAW)
			db_bind_text_ref(s, p[i], x->raw, (int)x->raw_len);
		else
			db_bind_int64(s, p[i], x->v[i]);
	}
	return store_step_insert(st, SQL_INSERT_MSG, rowid);
}

int
store_insert_message(struct store *st, const struct store_msg_meta *meta,
    const struct ingest_row *row, int64_t *id)
{
	const struct syslog_hdr *h = &row->hdr;
	struct store_vals x;
	int64_t rowid = 0;
	const char *raw = row->raw;     /* what is stored, dictionaries too */
	int rc;

	if (st->pg && (raw = store_pg_text(st, row->raw, row->raw_len)) == NULL)
		return SQLITE_NOMEM;
	memset(&x, 0, sizeof x);
	x.null = (1u << P_MAX) - 1;
	x.raw = raw;
	x.raw_len = row->raw_len;
#define STORE_VAL(i, value) (x.v[(i)] = (value), x.null &= ~(1u << (i)))
	STORE_VAL(P_RAW, 0);
	STORE_VAL(P_RECV, meta->recv_us);
	if (row->device_us != INT64_MIN)
		STORE_VAL(P_DEVICE, row->device_us);
	if (meta->sender != NULL) {
		if ((rc = store_dict_id(st, DICT_SENDER, meta->sender, strlen(meta->sender),
		    &x.v[P_SENDER])) != SQLITE_OK)
			return rc;
		x.null &= ~(1u << P_SENDER);
	}
	if (h->hostname.len > 0) {
		if ((rc = store_dict_id(st, DICT_HOSTNAME, raw + h->hostname.off,
		    h->hostname.len, &x.v[P_HOST])) != SQLITE_OK)
			return rc;
		x.null &= ~(1u << P_HOST);
	}
	if (h->app.len > 0) {
		if ((rc = store_dict_id(st, DICT_PROGRAM, raw + h->app.off, h->app.len,
		    &x.v[P_PROGRAM])) != SQLITE_OK)
			return rc;
		x.null &= ~(1u << P_PROGRAM);
	}
	if (h->procid.len > 0 && h->procid.len < STORE_PID_SPAN)
		STORE_VAL(P_PID, (int64_t)h->procid.off * STORE_PID_SPAN + h->procid.len);
	/* Both come from the PRI or both from a facility.severity prefix. */
	if (h->facility >= 0 && h->severity >= 0)
		STORE_VAL(P_PRI, h->facility * 8 + h->severity);
	STORE_VAL(P_TRANSPORT, meta->transport);
	STORE_VAL(P_STATUS, row->status);
	STORE_VAL(P_FLAGS, row->flags);
	if (meta->import_id > 0)
		STORE_VAL(P_IMPORT, meta->import_id);
	STORE_VAL(P_MSGOFF, (int)h->msg.off);
	if (st->pg) {
		STORE_VAL(P_COPY, 0);
		STORE_VAL(P_PENDING, st->shared ? meta->pending : 0);
	}
	/* Several collectors: the twin key, where the line has one. */
	if (st->shared && !(x.null & (1u << P_HOST)) && row->device_us != INT64_MIN) {
		STORE_VAL(P_HASH, store_line_hash(raw, row->raw_len));
		STORE_VAL(P_COPY, twin_copy(st->copies, x.v[P_HOST], row->device_us,
		    x.v[P_HASH]));
	}
#undef STORE_VAL
	/*
	 * PostgreSQL: the row waits for one multi-row insert, under an id
	 * taken from a block — but where the line may have been derived by
	 * another collector already (received before this one took the
	 * derive lock, or replayed from the spool), whether it is stored
	 * must be known before it is resolved: one statement for it.
	 */
	if (st->pg && !st->careful &&
	    !(st->shared && st->deriving && meta->recv_us < st->check_until_us)) {
		if ((rc = store_next_id(st, &rowid)) != SQLITE_OK ||
		    (rc = store_bulk_add(st, &x, rowid)) != SQLITE_OK)
			return rc;
	} else if ((rc = store_insert_one(st, &x, &rowid)) != SQLITE_OK) {
		return rc;
	}
	if (rowid != 0 && (rc = store_mark(st, meta->recv_us, rowid)) != SQLITE_OK)
		return rc;
	if (id != NULL)
		*id = rowid;
	return SQLITE_OK;
}

void
store_set_careful(struct store *st, int on)
{
	st->careful = on;
}

int
store_careful(const struct store *st)
{
	return st->careful;
}

uint64_t
store_take_duplicates(struct store *st)
{
	uint64_t n = st->dups;

	st->dups = 0;
	return n;
}

/* Runs a pending-rows statement on the ids; SQLITE_OK or the error. */
static int
store_pending_apply(struct store *st, struct db_stmt *s, const int64_t *ids, size_t n)
{
	struct pgbulk arr;
	size_t i;
	int rc = 0;

	if (n == 0)
		return SQLITE_OK;
	/* The ids as one array literal for = ANY() (pgbulk.h, one column). */
	if (pgbulk_init(&arr, 1) != 0)
		return SQLITE_NOMEM;
	for (i = 0; i < n && rc == 0; i++)
		rc = pgbulk_int(&arr, ids[i]) | pgbulk_end_row(&arr);
	if (rc != 0 || pgbulk_array(&arr, 0) == NULL) {
		pgbulk_free(&arr);
		return SQLITE_NOMEM;
	}
	db_bind_text(s, 1, pgbulk_array(&arr, 0), -1);
	pgbulk_free(&arr);
	rc = db_step(s);
	db_reset(s);
	db_clear_bindings(s);
	if (rc == DB_DONE || rc == DB_ROW)
		return SQLITE_OK;
	if (!store_is_transient(rc))
		log_warnx("postgresql: %s: %s", db_sql(s), db_errmsg(st->dbh));
	return rc;
}

int
store_pending_scan(struct store *st, int (*cb)(void *arg, const struct store_pending *p),
    void *arg, size_t *n_derived, size_t *n_dropped)
{
	struct db_stmt *s = st->pend_scan;
	int64_t *done = NULL, *drop = NULL;
	size_t nd = 0, nx = 0;
	int rc;

	*n_derived = *n_dropped = 0;
	if (!st->shared || !st->deriving)
		return SQLITE_OK;
	if ((done = malloc(STORE_PENDING_MAX * sizeof *done)) == NULL ||
	    (drop = malloc(STORE_PENDING_MAX * sizeof *drop)) == NULL) {
		rc = SQLITE_NOMEM;
		goto out;
	}
	db_bind_int64(s, 1, STORE_PENDING_MAX);
	/* PostgreSQL hands the whole result over at the first step: cb may
	 * run other statements on this connection meanwhile. */
	while ((rc = db_step(s)) == DB_ROW && nd + nx < STORE_PENDING_MAX) {
		struct store_pending pr;

		pr.message_id = db_column_int64(s, 0);
		pr.recv_us = db_column_int64(s, 1);
		pr.device_us = db_column_type(s, 2) == DB_NULL ? INT64_MIN :
		    db_column_int64(s, 2);
		pr.flags = (int)db_column_int64(s, 3);
		pr.transport = (int)db_column_int64(s, 4);
		pr.raw = db_column_text(s, 5);
		pr.raw_len = (size_t)db_column_bytes(s, 5);
		pr.sender = db_column_text(s, 6);
		if (db_column_int64(s, 7) != 0) {
			drop[nx++] = pr.message_id;
			continue;
		}
		if (pr.raw == NULL)
			pr.raw = "";
		if ((rc = cb(arg, &pr)) != SQLITE_OK)
			break;
		done[nd++] = pr.message_id;
	}
	db_reset(s);
	db_clear_bindings(s);
	if (rc != DB_ROW && rc != DB_DONE && rc != SQLITE_OK)
		goto out;
	if ((rc = store_pending_apply(st, st->pend_done, done, nd)) != SQLITE_OK ||
	    (rc = store_pending_apply(st, st->pend_drop, drop, nx)) != SQLITE_OK)
		goto out;
	*n_derived = nd;
	*n_dropped = nx;
	rc = SQLITE_OK;
out:
	free(done);
	free(drop);
	return rc;
}

int
store_write_stat(struct store *st, int64_t at_us, const char *name, int64_t value)
{
	struct db_stmt *s = st->stmt[SQL_INSERT_STAT];

	db_bind_int64(s, 1, at_us);
	db_bind_text_ref(s, 2, name, -1);
	db_bind_int64(s, 3, value);
	return store_step_done(st, SQL_INSERT_STAT);
}

int
store_add_sender(struct store *st, const char *ip, int64_t received,
    int64_t unparsed, int64_t truncated, int64_t first_us, int64_t last_us,
    const char *hostname, int64_t forged, const char *peer, int transport)
{
	struct db_stmt *s = st->stmt[SQL_UPSERT_SENDER];

	db_bind_text_ref(s, 1, ip, -1);
	db_bind_int64(s, 2, received);
	db_bind_int64(s, 3, unparsed);
	db_bind_int64(s, 4, truncated);
	db_bind_int64(s, 5, first_us);
	db_bind_int64(s, 6, last_us);
	if (hostname != NULL && hostname[0] != '\0')
		db_bind_text_ref(s, 7, hostname, -1);
	db_bind_int64(s, 8, forged);
	if (peer != NULL && peer[0] != '\0')
		db_bind_text_ref(s, 9, peer, -1);
	if (transport > 0)
		db_bind_int64(s, 10, transport);
	return store_step_done(st, SQL_UPSERT_SENDER);
}

int
store_relp_tail(struct store *st, int64_t max_rows,
    void (*cb)(void *arg, const char *sender, const char *raw, size_t len), void *arg)
{
	static const char sql[] =
	    "SELECT ds.addr, m.raw FROM messages m JOIN dict_senders ds"
	    " ON ds.sender_id = m.sender_id"
	    " WHERE m.message_id > (SELECT coalesce(max(message_id), 0) FROM messages) - ?1"
	    " AND m.transport = 5 ORDER BY m.message_id";
	struct db_stmt *s = NULL;
	int rc;

	if ((rc = db_prepare(st->dbh, sql, &s)) != SQLITE_OK) {
		log_warnx("database: %s: %s", sql, db_errmsg(st->dbh));
		return rc;
	}
	db_bind_int64(s, 1, max_rows);
	while ((rc = db_step(s)) == SQLITE_ROW) {
		const char *sender = db_column_text(s, 0);
		const char *raw = db_column_blob(s, 1);
		int len = db_column_bytes(s, 1);
		if (sender != NULL && raw != NULL)
			cb(arg, sender, raw, (size_t)len);
	}
	if (rc != SQLITE_DONE)
		log_warnx("database: %s: %s", sql, db_errmsg(st->dbh));
	db_finalize(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
store_meta_get_int(struct store *st, const char *key, int64_t *out)
{
	struct db_stmt *s = st->stmt[SQL_META_GET];
	int rc;

	db_bind_text_ref(s, 1, key, -1);
	rc = db_step(s);
	if (rc == SQLITE_ROW)
		*out = db_column_int64(s, 0);
	db_reset(s);
	db_clear_bindings(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_meta_set_text(struct store *st, const char *key, const char *text)
{
	struct db_stmt *s = st->stmt[SQL_META_SET];

	db_bind_text_ref(s, 1, key, -1);
	db_bind_text_ref(s, 2, text, -1);
	return store_step_done(st, SQL_META_SET);
}

int
store_meta_set_int(struct store *st, const char *key, int64_t v)
{
	struct db_stmt *s = st->stmt[SQL_META_SET];

	db_bind_text_ref(s, 1, key, -1);
	db_bind_int64(s, 2, v);
	return store_step_done(st, SQL_META_SET);
}
