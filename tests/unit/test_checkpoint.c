/*
 * test_checkpoint.c — the background WAL checkpointer (storage/checkpoint.c).
 *
 * A writer that never pauses (transactions back to back, as `serve` under
 * load) on a store whose auto-checkpoint is off: without the checkpointer
 * the WAL grows with everything written (40 MiB); with it the WAL is reset
 * whenever it passes its bound (here 2 MiB instead of 256 MiB), so it ends
 * a fraction of that, and once the writer pauses the checkpointer
 * truncates it below the bound; its counters move.  How far past the bound
 * the WAL gets depends on how fast the writer is against one checkpoint
 * pass (this writer: ~50 MiB/s, a pass every ~10-30 ms), so the burst's
 * bound is loose.  A reader holding a snapshot pins the WAL (counted,
 * never blocks the writer) until it ends.  After ckpt_stop() the database
 * passes PRAGMA integrity_check and holds every row, and the WAL is empty.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "counters.h"
#include "store.h"
#include "util.h"

#define WAL_MAX   (2 * 1024 * 1024)
#define TXN_ROWS  250                  /* x 1000 bytes: ~0.25 MiB per commit */
#define TXNS      160                  /* ~40 MiB in all */

struct fixture {
	char dir[64];
	char path[96];
	char wal[100];
};

static void
fx_init(struct fixture *fx)
{
	snprintf(fx->dir, sizeof fx->dir, "/tmp/tw-ckpt.XXXXXX");
	cr_assert_not_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof fx->path, "%s/tw.db", fx->dir);
	snprintf(fx->wal, sizeof fx->wal, "%s-wal", fx->path);
}

static void
fx_fini(struct fixture *fx)
{
	char p[128];

	unlink(fx->path);
	unlink(fx->wal);
	snprintf(p, sizeof p, "%s-shm", fx->path);
	unlink(p);
	rmdir(fx->dir);
}

static int64_t
file_size(const char *p)
{
	struct stat sb;

	return stat(p, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

static struct store *
open_store(const struct fixture *fx)
{
	struct store *st = NULL;
	char err[256];

	cr_assert_eq(store_open(fx->path, 0, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sqlite3_exec(store_db(st), "CREATE TABLE IF NOT EXISTS t(x BLOB)",
	    NULL, NULL, NULL), SQLITE_OK);
	return st;
}

/* One write transaction of TXN_ROWS 1000-byte rows, through the store's
 * begin/commit (the path the writer takes). */
static void
write_txn(struct store *st)
{
	char sql[160];

	snprintf(sql, sizeof sql, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
	    "FROM n WHERE i < %d) INSERT INTO t SELECT randomblob(1000) FROM n", TXN_ROWS);
	cr_assert_eq(store_begin(st), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(store_db(st), sql, NULL, NULL, NULL), SQLITE_OK, "%s",
	    sqlite3_errmsg(store_db(st)));
	cr_assert_eq(store_commit(st), SQLITE_OK);
}

/* Writes n transactions back to back; returns the largest WAL file seen. */
static int64_t
write_burst(const struct fixture *fx, struct store *st, int n)
{
	int64_t max = 0, sz;
	int i;

	for (i = 0; i < n; i++) {
		write_txn(st);
		if ((sz = file_size(fx->wal)) > max)
			max = sz;
	}
	return max;
}

static void
check_db(const struct fixture *fx, int64_t want_rows)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;

	cr_assert_eq(sqlite3_open_v2(fx->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	cr_assert_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &s, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(s), SQLITE_ROW);
	cr_assert_eq(sqlite3_column_int64(s, 0), want_rows);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

Test(checkpoint, without_it_the_wal_grows)
{
	struct fixture fx;
	struct store *st;
	int64_t max;

	/* The premise of the next test: with auto-checkpoint off and nobody
	 * checkpointing, a busy writer's WAL holds everything it wrote. */
	fx_init(&fx);
	st = open_store(&fx);
	sqlite3_wal_autocheckpoint(store_db(st), 0);
	max = write_burst(&fx, st, TXNS);
	cr_expect_gt(max, (int64_t)TXNS * TXN_ROWS * 1000, "WAL %lld bytes", (long long)max);
	store_close(st);
	check_db(&fx, TXNS * TXN_ROWS);
	fx_fini(&fx);
}

Test(checkpoint, keeps_the_wal_bounded_under_constant_writes)
{
	struct ckpt_opts o = { .interval_us = 10 * 1000, .wal_max_bytes = WAL_MAX };
	struct counters ctr;
	struct ckpt_stats cs;
	struct fixture fx;
	struct store *st;
	struct ckpt *c = NULL;
	char err[256];
	int64_t max, written = (int64_t)TXNS * TXN_ROWS * 1000;
	int i;

	memset(&ctr, 0, sizeof ctr);
	fx_init(&fx);
	st = open_store(&fx);
	cr_assert_eq(ckpt_start(fx.path, &o, &ctr, &c, err, sizeof err), 0, "%s", err);
	store_use_checkpointer(st, c);
	max = write_burst(&fx, st, TXNS);
	ckpt_get_stats(c, &cs);
	cr_log_info("WAL max %lld bytes; passes %llu, checkpoints %llu, truncates %llu, "
	    "writer resets %llu, pinned %llu", (long long)max, (unsigned long long)cs.passes,
	    (unsigned long long)cs.checkpoints, (unsigned long long)cs.truncates,
	    (unsigned long long)cs.writer_resets, (unsigned long long)cs.pinned);
	cr_expect_lt(max, written / 2, "WAL %lld bytes of %lld written", (long long)max,
	    (long long)written);
	cr_expect_gt(cs.checkpoints, 0);
	cr_expect_gt(cs.truncates + cs.writer_resets, 0);
	/* The thread keeps counting: the counters, read after the snapshot,
	 * are at least as far. */
	cr_expect_geq(ctr_get(&ctr, CTR_DB_CHECKPOINTS), cs.checkpoints);
	cr_expect_geq(ctr_get(&ctr, CTR_DB_WAL_RESETS), cs.truncates + cs.writer_resets);

	/* The writer pauses (the load stops): the next passes truncate. */
	for (i = 0; i < 200; i++) {
		ckpt_get_stats(c, &cs);
		if (file_size(fx.wal) <= WAL_MAX && cs.truncates > 0)
			break;
		usleep(10 * 1000);
	}
	cr_expect_leq(file_size(fx.wal), WAL_MAX, "WAL %lld bytes after the load stopped",
	    (long long)file_size(fx.wal));
	cr_expect_gt(cs.truncates, 0);

	store_close(st);
	cr_expect_eq(ckpt_stop(c), 0, "final checkpoint");
	cr_expect_eq(file_size(fx.wal), 0, "WAL emptied at stop");
	check_db(&fx, TXNS * TXN_ROWS);
	fx_fini(&fx);
}

Test(checkpoint, a_reader_pins_the_wal_without_blocking_the_writer)
{
	struct ckpt_opts o = { .interval_us = 10 * 1000, .wal_max_bytes = WAL_MAX };
	struct ckpt_stats cs;
	struct fixture fx;
	struct store *st;
	struct ckpt *c = NULL;
	sqlite3 *rd = NULL;
	char err[256];
	int64_t t0, slowest = 0, max;
	int i;

	fx_init(&fx);
	st = open_store(&fx);
	cr_assert_eq(ckpt_start(fx.path, &o, NULL, &c, err, sizeof err), 0, "%s", err);
	store_use_checkpointer(st, c);
	write_burst(&fx, st, 4);
	/* A reader holds its snapshot (a long SELECT, a report). */
	cr_assert_eq(sqlite3_open_v2(fx.path, &rd, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM t;", NULL, NULL, NULL),
	    SQLITE_OK);
	for (i = 0; i < 40; i++) {
		t0 = util_mono_us();
		write_txn(st);
		if (util_mono_us() - t0 > slowest)
			slowest = util_mono_us() - t0;
		usleep(2000);
	}
	ckpt_wake(c);
	usleep(100 * 1000);
	ckpt_get_stats(c, &cs);
	cr_expect_gt(file_size(fx.wal), WAL_MAX, "the reader keeps the WAL");
	cr_expect_gt(cs.pinned, 0, "pinned passes counted");
	cr_expect_lt(slowest, 2 * 1000000, "a commit took %lld us", (long long)slowest);

	/* The reader ends: the WAL is reset by the next passes and commits. */
	sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(rd);
	usleep(100 * 1000);
	max = write_burst(&fx, st, 8);
	(void)max;
	usleep(100 * 1000);
	ckpt_get_stats(c, &cs);
	cr_expect_gt(cs.truncates + cs.writer_resets, 0, "reset once the reader ended");
	cr_expect_lt(file_size(fx.wal), WAL_MAX + 8 * TXN_ROWS * 1100);

	store_close(st);
	cr_expect_eq(ckpt_stop(c), 0);
	check_db(&fx, 52 * TXN_ROWS);
	fx_fini(&fx);
}
