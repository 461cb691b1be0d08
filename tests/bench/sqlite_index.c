/*
 * sqlite_index.c — twsqlbench: what a secondary index costs SQLite inserts.
 *
 *   twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR]
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

static double
run(const char *dir, const char *name, const char *index, long rows, int hosts, int batch)
{
	char path[512], text[160], host[32];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	double t0, t;
	long i;
	int integer_key = strcmp(name, "tunnel_ts") == 0;

	snprintf(path, sizeof path, "%s/twsqlbench-%s.db", dir, name);
	unlink(path);
	snprintf(text, sizeof text, "%s-wal", path);
	unlink(text);
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
	unlink(path);
	snprintf(text, sizeof text, "%s-wal", path);
	unlink(text);
	snprintf(text, sizeof text, "%s-shm", path);
	unlink(text);
	return (double)rows / t;
fail:
	fprintf(stderr, "twsqlbench: %s: %s\n", name, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return -1;
}

int
main(int argc, char **argv)
{
	long rows = 1000000;
	int hosts = 1000, batch = 20000, i;
	const char *dir = "/tmp";

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--rows") == 0)
			rows = atol(argv[i + 1]);
		else if (strcmp(argv[i], "--hosts") == 0)
			hosts = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--batch") == 0)
			batch = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--dir") == 0)
			dir = argv[i + 1];
		else
			break;
	}
	if (i < argc || rows < 1 || hosts < 1 || batch < 1) {
		fprintf(stderr, "usage: twsqlbench [--rows N] [--hosts H] [--batch B] [--dir DIR]\n");
		return 2;
	}
	printf("sqlite %s, %ld rows, %d hosts, %d rows per transaction\n", sqlite3_libversion(),
	    rows, hosts, batch);
	printf("none       %9.0f rows/s\n", run(dir, "none", NULL, rows, hosts, batch));
	printf("ts         %9.0f rows/s\n", run(dir, "ts", "CREATE INDEX t_ts ON t(ts)", rows,
	    hosts, batch));
	printf("host_ts    %9.0f rows/s\n", run(dir, "host_ts", "CREATE INDEX t_host ON t(host, ts)",
	    rows, hosts, batch));
	printf("tunnel_ts  %9.0f rows/s\n", run(dir, "tunnel_ts", "CREATE INDEX t_tun ON t(host, ts)",
	    rows, hosts * 4, batch));
	return 0;
}
