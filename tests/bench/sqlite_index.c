/*
 * sqlite_index.c — twsqlbench: what a secondary index costs SQLite inserts.
 *
 *   twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR] [--lines FILE]
 *              [--tw-only]
 *   twsqlbench --copy-from DB [--batch B] [--dir DIR]
 *
 * Inserts N syslog-like rows (id, ts, host, text of ~100 bytes) into a fresh
 * database per case, with tunnelwatch's settings (WAL, synchronous=NORMAL,
 * 64 MiB cache, one prepared statement, B rows per transaction), and prints
 * rows per second for:
 *   none        no secondary index
 *   ts          one index on an always-increasing key (receive time)
 *   host_ts     one index on (host, ts), H hosts interleaved
 *   tunnel_ts   as host_ts on an integer key: events(tunnel_id, device_us)
 *               with H·4 tunnels
 * The issue quotes ~1.1 M / ~0.78 M / ~0.11 M rows/s for the first three;
 * docs/performance.md records what this machine does.
 *
 * With --lines FILE (a simulator log), two more cases give SQLite's own
 * ceiling for what tunnelwatch stores, in lines per second: FILE's first N
 * lines are parsed beforehand by tunnelwatch's parsers (not timed), then
 * stored through tunnelwatch's store (its schema, pragmas and message
 * INSERT, SQLite checkpointing in the same thread) in transactions of B:
 *   tw_messages  the `messages` row of each line only
 *   tw_rows      plus the `events` row of each understood line, with the
 *                schema's (tunnel_id, device_us) index; tunnel = host x
 *                IKE_SA name, as the resolver would tie it
 * No device or tunnel resolution, no correlator, no network: no collector
 * that stores these rows in SQLite can store lines faster than this here.
 * --tw-only skips the four synthetic cases.
 *
 * With --copy-from DB (a database tunnelwatch wrote), SQLite's own ceiling
 * for exactly the rows stored there, whatever the schema: copy_run() below
 * says how; bench.sh runs it on the database of its 1-connection TCP run.
 */
#include "domain.h"
#include "ingest.h"
#include "msgqueue.h"
#include "store.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
exec(sqlite3 *db, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
		fprintf(stderr, "twsqlbench: %s: %s\n", sql, err);
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Removes a database and its WAL and shared-memory files. */
static void
db_unlink(const char *path)
{
	char side[600];

	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static double
run(const char *dir, const char *name, const char *index, long rows, int hosts, int batch)
{
	char path[512], text[600], host[32];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	double t0, t;
	long i;
	int integer_key = strcmp(name, "tunnel_ts") == 0;

	snprintf(path, sizeof path, "%s/twsqlbench-%s.db", dir, name);
	db_unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    " PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=10000;") != 0 ||
	    exec(db, integer_key ?
	    "CREATE TABLE t(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, host INTEGER, text TEXT)" :
	    "CREATE TABLE t(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, host TEXT, text TEXT)") != 0 ||
	    (index != NULL && exec(db, index) != 0))
		goto fail;
	if (sqlite3_prepare_v3(db, "INSERT INTO t(ts, host, text) VALUES (?1, ?2, ?3)", -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		goto fail;
	t0 = now_s();
	for (i = 0; i < rows; i++) {
		int h = (int)((i * 2654435761u) % (unsigned)hosts);
		int n;
		if (i % batch == 0 && exec(db, "BEGIN IMMEDIATE") != 0)
			goto fail;
		n = snprintf(text, sizeof text, "<30>Jun  1 00:00:%02ld vedge%04d charon: 12[NET] "
		    "sending packet: from 192.0.2.%d[4500] to 203.0.113.%d[4500] (76 bytes)",
		    i % 60, h, h % 254 + 1, (int)(i % 16) + 1);
		sqlite3_bind_int64(st, 1, 1717200000000000LL + i * 1000);
		if (integer_key) {
			sqlite3_bind_int(st, 2, h);
		} else {
			int hl = snprintf(host, sizeof host, "vedge%04d", h);
			sqlite3_bind_text(st, 2, host, hl, SQLITE_STATIC);
		}
		sqlite3_bind_text(st, 3, text, n, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
		if ((i + 1) % batch == 0 && exec(db, "COMMIT") != 0)
			goto fail;
	}
	if (rows % batch != 0 && exec(db, "COMMIT") != 0)
		goto fail;
	t = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	db_unlink(path);
	return (double)rows / t;
fail:
	fprintf(stderr, "twsqlbench: %s: %s\n", name, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return -1;
}

/* One prepared line: the row, its event columns, and the copy of the line
 * and scratch it lives in. */
struct twline {
	struct ingest_row row;
	char *scratch;
	int source;               /* enum domain_source */
	char kind[32];
	int64_t device, tunnel;
};

static uint64_t
fnv(const char *p, size_t n, uint64_t h)
{
	while (n-- > 0)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

static void
twline_prepare(const struct config *cfg, struct domain_scratch *ds, const char *line,
    size_t len, struct twline *tl)
{
	const char *ike = NULL;
	uint64_t h;

	/* The row may point into the line itself: keep a copy beside the
	 * scratch, since the caller's line buffer is reused. */
	tl->scratch = malloc(len + INGEST_SCRATCH(len));
	if (tl->scratch == NULL)
		abort();
	memcpy(tl->scratch, line, len);
	ingest_prepare(cfg, tl->scratch, len, 1717200000000000LL, 2024, 0, tl->scratch + len,
	    &tl->row);
	tl->source = domain_classify(&tl->row, ds);
	snprintf(tl->kind, sizeof tl->kind, "%s", domain_kind_name(ds));
	h = fnv(tl->row.raw + tl->row.hdr.hostname.off, tl->row.hdr.hostname.len,
	    1469598103934665603ull);
	tl->device = (int64_t)(h % 100000) + 1;
	if (tl->source == DOMAIN_CHARON && ds->ch.ike_name[0] != '\0')
		ike = ds->ch.ike_name;
	tl->tunnel = ike != NULL ? (int64_t)(fnv(ike, strlen(ike), h) % 1000000) + 1 : 0;
}

/* Stores lines[0..n) with tunnelwatch's store; with_events adds the events
 * rows.  Returns the seconds spent storing, or -1. */
static double
tw_store(struct store *st, sqlite3_stmt *ev, const struct twline *lines, size_t n,
    int with_events, int64_t *next_event)
{
	struct store_msg_meta meta = { 1717200000000000LL, "127.0.0.1:5140",
	    TW_TRANSPORT_TCP, 0, 0 };
	double t0 = now_s();
	size_t i;

	if (store_begin(st) != SQLITE_OK)
		return -1;
	for (i = 0; i < n; i++) {
		const struct twline *tl = &lines[i];
		int64_t mid;
		if (store_insert_message(st, &meta, &tl->row, &mid) != SQLITE_OK)
			return -1;
		meta.recv_us += 10;
		if (!with_events || tl->source == DOMAIN_OTHER)
			continue;
		sqlite3_bind_int64(ev, 1, mid);
		sqlite3_bind_int64(ev, 2, tl->device);
		if (tl->tunnel != 0)
			sqlite3_bind_int64(ev, 3, tl->tunnel);
		if (tl->row.device_us != INT64_MIN)
			sqlite3_bind_int64(ev, 4, tl->row.device_us);
		sqlite3_bind_text(ev, 5, tl->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(ev, 6, tl->source == DOMAIN_CHARON ? "charon" : "viptela", -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(ev, 7, (*next_event)++);
		if (sqlite3_step(ev) != SQLITE_DONE)
			return -1;
		sqlite3_reset(ev);
		sqlite3_clear_bindings(ev);
	}
	if (store_commit(st) != SQLITE_OK)
		return -1;
	return now_s() - t0;
}

/* The tw_messages / tw_rows cases: lines per second, or -1. */
static double
tw_run(const char *dir, const char *file, int with_events, long rows, int batch)
{
	char path[512], err[256], *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	struct config cfg;
	struct domain_scratch *ds = domain_scratch_new();
	struct twline *lines = calloc((size_t)batch, sizeof *lines);
	struct store *st = NULL;
	sqlite3_stmt *ev = NULL;
	FILE *f = fopen(file, "r");
	double spent = 0, t;
	long done = 0;
	int64_t next_event = 1;

	cfg_defaults(&cfg);
	snprintf(path, sizeof path, "%s/twsqlbench-tw.db", dir);
	db_unlink(path);
	if (f == NULL || ds == NULL || lines == NULL ||
	    store_open(path, 0, &st, err, sizeof err) != 0 ||
	    sqlite3_prepare_v3(store_db(st), "INSERT INTO events(message_id, device_id,"
	    " tunnel_id, device_us, kind, source, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    -1, SQLITE_PREPARE_PERSISTENT, &ev, NULL) != SQLITE_OK) {
		spent = -1;
		goto out;
	}
	while (done < rows) {
		while ((long)n < batch && done + (long)n < rows &&
		    (len = getline(&line, &cap, f)) > 0) {
			if (line[len - 1] == '\n')
				len--;
			twline_prepare(&cfg, ds, line, (size_t)len, &lines[n++]);
		}
		if (n == 0)
			break;
		if ((t = tw_store(st, ev, lines, n, with_events, &next_event)) < 0) {
			fprintf(stderr, "twsqlbench: %s\n", sqlite3_errmsg(store_db(st)));
			spent = -1;
			goto out;
		}
		spent += t;
		done += (long)n;
		while (n > 0)
			free(lines[--n].scratch);
	}
	spent = done > 0 ? (double)done / spent : -1;
out:
	while (n > 0)
		free(lines[--n].scratch);
	sqlite3_finalize(ev);
	if (st != NULL)
		store_close(st);
	if (f != NULL)
		fclose(f);
	free(line);
	free(lines);
	domain_scratch_free(ds);
	db_unlink(path);
	return spent;
}

/* ---- the ceiling for the rows a run stored (--copy-from) ----------------
 *
 * SQLite's own ceiling for exactly the rows tunnelwatch stored in a run: the
 * source database's schema (tables, indexes, views, in their creation order)
 * is created in a fresh database with the source's page size and
 * tunnelwatch's pragmas, then every row of every table is inserted again,
 * one prepared INSERT per table with bound values, in transactions of B
 * `messages` rows (each big table contributes the same share of its rows to
 * every transaction, in the order it was written; tables of at most B rows
 * go whole into the first, so that foreign keys hold).  A transaction's rows
 * are read from the source beforehand and only the inserts and the commit
 * are timed; SQLite's automatic checkpoint is off while timing (tunnelwatch
 * checkpoints on a thread of its own), so this is an upper bound: no
 * collector storing these rows in SQLite stores them faster here, one
 * thread, no parsing, no network. */

struct ctable {
	char name[128];
	sqlite3_stmt *rd;          /* SELECT of its columns from the source */
	sqlite3_stmt *wr;          /* INSERT into the copy */
	int ncol;
	long rows, done;
	sqlite3_value **buf;       /* this transaction's rows, ncol per row */
	long nbuf;
};

#define CP_MAX_TABLES 64

/* Columns of table `name` that can be inserted (not generated), as a
 * comma list; returns their count, or -1. */
static int
cp_columns(sqlite3 *src, const char *name, char *out, size_t outsz)
{
	sqlite3_stmt *s = NULL;
	size_t used = 0;
	int n = 0;

	out[0] = '\0';
	if (sqlite3_prepare_v2(src, "SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0"
	    " ORDER BY cid", -1, &s, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int k = snprintf(out + used, outsz - used, "%s\"%s\"", n > 0 ? ", " : "",
		    (const char *)sqlite3_column_text(s, 0));
		if (k < 0 || (size_t)k >= outsz - used) {
			n = -1;
			break;
		}
		used += (size_t)k;
		n++;
	}
	sqlite3_finalize(s);
	return n;
}

/* Reads up to `want` rows of t into its buffer. */
static int
cp_read(struct ctable *t, long want)
{
	long r;
	int c, rc;

	t->nbuf = 0;
	for (r = 0; r < want; r++) {
		if ((rc = sqlite3_step(t->rd)) != SQLITE_ROW)
			return rc == SQLITE_DONE ? 0 : -1;
		for (c = 0; c < t->ncol; c++)
			if ((t->buf[r * t->ncol + c] = sqlite3_value_dup(
			    sqlite3_column_value(t->rd, c))) == NULL)
				return -1;
		t->nbuf++;
	}
	return 0;
}

static void
cp_free(struct ctable *t)
{
	long i;

	for (i = 0; i < t->nbuf * t->ncol; i++)
		sqlite3_value_free(t->buf[i]);
	t->nbuf = 0;
}

/* Inserts t's buffered rows into the copy. */
static int
cp_write(struct ctable *t)
{
	long r;
	int c;

	for (r = 0; r < t->nbuf; r++) {
		for (c = 0; c < t->ncol; c++)
			sqlite3_bind_value(t->wr, c + 1, t->buf[r * t->ncol + c]);
		if (sqlite3_step(t->wr) != SQLITE_DONE)
			return -1;
		sqlite3_reset(t->wr);
	}
	t->done += t->nbuf;
	return 0;
}

/* Copies every row of src_path into a fresh database in dir; prints the
 * rates.  Returns 0, or -1. */
static int
copy_run(const char *src_path, const char *dir, int batch)
{
	char path[512], cols[4096], sql[8192];
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *s = NULL;
	struct ctable t[CP_MAX_TABLES];
	int nt = 0, i, page = 4096, rc = -1;
	long big = 0, k, nbatch, total = 0, messages = -1;
	double spent = 0, t0;

	memset(t, 0, sizeof t);
	snprintf(path, sizeof path, "%s/twsqlbench-copy.db", dir);
	db_unlink(path);
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open(path, &dst) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(src, "PRAGMA page_size", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		page = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	snprintf(sql, sizeof sql, "PRAGMA page_size=%d; PRAGMA journal_mode=WAL;"
	    " PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-131072;"
	    " PRAGMA mmap_size=0; PRAGMA wal_autocheckpoint=0;", page);
	if (exec(dst, sql) != 0)
		goto out;

	/* The schema, in creation order. */
	if (sqlite3_prepare_v2(src, "SELECT type, name, sql FROM sqlite_schema WHERE sql IS NOT NULL"
	    " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid", -1, &s, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(s) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(s, 0);
		const char *name = (const char *)sqlite3_column_text(s, 1);
		if (exec(dst, (const char *)sqlite3_column_text(s, 2)) != 0)
			goto out;
		if (strcmp(type, "table") != 0)
			continue;
		if (nt == CP_MAX_TABLES || strlen(name) >= sizeof t[nt].name) {
			fprintf(stderr, "twsqlbench: too many tables or name too long: %s\n", name);
			goto out;
		}
		snprintf(t[nt].name, sizeof t[nt].name, "%s", name);
		nt++;
	}
	sqlite3_finalize(s);
	s = NULL;

	for (i = 0; i < nt; i++) {
		char q[160];
		sqlite3_stmt *cnt = NULL;
		if ((t[i].ncol = cp_columns(src, t[i].name, cols, sizeof cols)) <= 0)
			goto out;
		snprintf(q, sizeof q, "SELECT count(*) FROM \"%s\"", t[i].name);
		if (sqlite3_prepare_v2(src, q, -1, &cnt, NULL) != SQLITE_OK ||
		    sqlite3_step(cnt) != SQLITE_ROW) {
			sqlite3_finalize(cnt);
			goto out;
		}
		t[i].rows = sqlite3_column_int64(cnt, 0);
		sqlite3_finalize(cnt);
		if (strcmp(t[i].name, "messages") == 0)
			messages = t[i].rows;
		if (t[i].rows > big)
			big = t[i].rows;
		total += t[i].rows;
		snprintf(sql, sizeof sql, "SELECT %s FROM \"%s\"", cols, t[i].name);
		if (sqlite3_prepare_v2(src, sql, -1, &t[i].rd, NULL) != SQLITE_OK)
			goto out;
		snprintf(sql, sizeof sql, "INSERT INTO \"%s\"(%s) VALUES (?", t[i].name, cols);
		for (k = 1; k < t[i].ncol; k++)
			strncat(sql, ", ?", sizeof sql - strlen(sql) - 1);
		strncat(sql, ")", sizeof sql - strlen(sql) - 1);
		if (sqlite3_prepare_v3(dst, sql, -1, SQLITE_PREPARE_PERSISTENT, &t[i].wr,
		    NULL) != SQLITE_OK)
			goto out;
	}
	nbatch = (big + batch - 1) / batch;
	for (i = 0; i < nt; i++) {
		long most = t[i].rows <= batch ? t[i].rows : t[i].rows / nbatch + 1;
		if ((t[i].buf = calloc((size_t)(most > 0 ? most : 1) * (size_t)t[i].ncol,
		    sizeof *t[i].buf)) == NULL)
			goto out;
	}
	for (k = 0; k < nbatch; k++) {
		for (i = 0; i < nt; i++) {
			long want = t[i].rows <= batch ? (k == 0 ? t[i].rows : 0) :
			    t[i].rows * (k + 1) / nbatch - t[i].done;
			if (cp_read(&t[i], want) != 0)
				goto out;
		}
		t0 = now_s();
		if (exec(dst, "BEGIN IMMEDIATE") != 0)
			goto out;
		for (i = 0; i < nt; i++)
			if (cp_write(&t[i]) != 0) {
				fprintf(stderr, "twsqlbench: %s: %s\n", t[i].name, sqlite3_errmsg(dst));
				goto out;
			}
		if (exec(dst, "COMMIT") != 0)
			goto out;
		spent += now_s() - t0;
		for (i = 0; i < nt; i++)
			cp_free(&t[i]);
	}
	if (spent <= 0)
		spent = 1e-9;
	printf("copied %ld rows of %d tables (%ld messages) in %.3f s of inserts and commits,"
	    " %ld per transaction\n", total, nt, messages, spent, (long)batch);
	printf("copy_lines %9.0f lines/s\n", (messages >= 0 ? messages : big) / spent);
	printf("copy_rows  %9.0f rows/s\n", total / spent);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "twsqlbench: copy of %s: %s\n", src_path,
		    dst != NULL ? sqlite3_errmsg(dst) : "cannot open");
	sqlite3_finalize(s);
	for (i = 0; i < nt; i++) {
		cp_free(&t[i]);
		free(t[i].buf);
		sqlite3_finalize(t[i].rd);
		sqlite3_finalize(t[i].wr);
	}
	sqlite3_close(src);
	sqlite3_close(dst);
	db_unlink(path);
	return rc;
}

int
main(int argc, char **argv)
{
	long rows = 1000000;
	int hosts = 1000, batch = 20000, tw_only = 0, i;
	const char *dir = "/tmp", *lines = NULL, *from = NULL;

	for (i = 1; i < argc; i += 2) {
		if (strcmp(argv[i], "--tw-only") == 0) {
			tw_only = 1;
			i--;
		} else if (i + 1 == argc)
			break;
		else if (strcmp(argv[i], "--rows") == 0)
			rows = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--hosts") == 0)
			hosts = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--batch") == 0)
			batch = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--lines") == 0)
			lines = argv[i + 1];
		else if (strcmp(argv[i], "--copy-from") == 0)
			from = argv[i + 1];
		else
			break;
	}
	if (i < argc || rows < 1 || hosts < 1 || batch < 1 || (tw_only && lines == NULL)) {
		fprintf(stderr, "usage: twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR]"
		    " [--lines FILE]\n                  [--tw-only]\n"
		    "       twsqlbench --copy-from DB [--batch B] [--dir DIR]\n");
		return 2;
	}
	if (from != NULL) {
		printf("sqlite %s, %d rows per transaction\n", sqlite3_libversion(), batch);
		return copy_run(from, dir, batch) == 0 ? 0 : 1;
	}
	printf("sqlite %s, %ld rows, %d hosts, %d rows per transaction\n", sqlite3_libversion(),
	    rows, hosts, batch);
	if (tw_only)
		goto tw;
	printf("none       %9.0f rows/s\n", run(dir, "none", NULL, rows, hosts, batch));
	printf("ts         %9.0f rows/s\n", run(dir, "ts", "CREATE INDEX t_ts ON t(ts)", rows,
	    hosts, batch));
	printf("host_ts    %9.0f rows/s\n", run(dir, "host_ts", "CREATE INDEX t_host ON t(host, ts)",
	    rows, hosts, batch));
	printf("tunnel_ts  %9.0f rows/s\n", run(dir, "tunnel_ts", "CREATE INDEX t_tun ON t(host, ts)",
	    rows, hosts * 4, batch));
tw:
	if (lines != NULL) {
		printf("tw_messages %8.0f lines/s\n", tw_run(dir, lines, 0, rows, batch));
		printf("tw_rows    %9.0f lines/s\n", tw_run(dir, lines, 1, rows, batch));
	}
	return 0;
}
