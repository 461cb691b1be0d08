/*
 * sqlite_index.c — twsqlbench: what a secondary index costs SQLite inserts.
 *
 *   twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR] [--lines FILE]
 *              [--tw-only]
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
 * --tw-only skips the four synthetic cases (bench.sh runs it so).
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
	    TW_TRANSPORT_TCP, 0 };
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

int
main(int argc, char **argv)
{
	long rows = 1000000;
	int hosts = 1000, batch = 20000, tw_only = 0, i;
	const char *dir = "/tmp", *lines = NULL;

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
		else
			break;
	}
	if (i < argc || rows < 1 || hosts < 1 || batch < 1 || (tw_only && lines == NULL)) {
		fprintf(stderr, "usage: twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR]"
		    " [--lines FILE]\n                  [--tw-only]\n");
		return 2;
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
