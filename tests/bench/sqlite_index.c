/*
 * sqlite_index.c — twsqlbench: what a secondary index costs SQLite inserts.
 *
 *   twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR]
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
 * With --copy-from DB (a database tunnelwatch wrote), SQLite's own ceiling
 * for exactly those rows: copy_run() below says how; bench.sh runs it on
 * the database of its 1-connection TCP run.
 */
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
	int hosts = 1000, batch = 20000, i;
	const char *dir = "/tmp", *from = NULL;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rows") == 0)
			rows = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--hosts") == 0)
			hosts = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--batch") == 0)
			batch = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else if (strcmp(argv[i], "--copy-from") == 0)
			from = argv[i + 1];
		else
			break;
	}
	if (i < argc || rows < 1 || hosts < 1 || batch < 1) {
		fprintf(stderr, "usage: twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR]\n"
		    "       twsqlbench --copy-from DB [--batch B] [--dir DIR]\n");
		return 2;
	}
	printf("sqlite %s, %d rows per transaction\n", sqlite3_libversion(), batch);
	if (from != NULL)
		return copy_run(from, dir, batch) == 0 ? 0 : 1;
	printf("%ld rows, %d hosts\n", rows, hosts);
	printf("none       %9.0f rows/s\n", run(dir, "none", NULL, rows, hosts, batch));
	printf("ts         %9.0f rows/s\n", run(dir, "ts", "CREATE INDEX t_ts ON t(ts)", rows,
	    hosts, batch));
	printf("host_ts    %9.0f rows/s\n", run(dir, "host_ts", "CREATE INDEX t_host ON t(host, ts)",
	    rows, hosts, batch));
	printf("tunnel_ts  %9.0f rows/s\n", run(dir, "tunnel_ts", "CREATE INDEX t_tun ON t(host, ts)",
	    rows, hosts * 4, batch));
	return 0;
}
