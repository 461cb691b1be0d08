/*
 * test_store.c — how store_open() sets up the writer's SQLite connection:
 * WAL, 16 KiB pages for a new database, a 128 MiB page cache and no
 * memory map (regression: import's RSS grew with the database through the
 * 1 GiB map, to 805 MiB for 2.5 M lines; it is bounded by the page cache).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store.h"

static long long
pragma_int(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	cr_assert_eq(sqlite3_prepare_v2(store_db(st), sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
remove_db(const char *path)
{
	char p[512];

	unlink(path);
	snprintf(p, sizeof p, "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof p, "%s-shm", path);
	unlink(p);
}

Test(store, writer_connection_settings)
{
	char path[] = "/tmp/tw-test-store-XXXXXX", err[256] = "";
	struct store *st = NULL;
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	unlink(path);           /* store_open creates it */
	cr_assert_eq(store_open(path, 0, &st, err, sizeof err), 0, "%s", err);
	cr_assert_eq(pragma_int(st, "PRAGMA mmap_size"), 0, "no memory map: RSS stays bounded");
	cr_assert_eq(pragma_int(st, "PRAGMA cache_size"), -131072, "128 MiB page cache");
	cr_assert_eq(pragma_int(st, "PRAGMA page_size"), 16384, "16 KiB pages when new");
	store_close(st);
	remove_db(path);
}
