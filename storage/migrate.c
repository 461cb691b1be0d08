/*
 * migrate.c — the schema runner, keyed on PRAGMA user_version.
 *
 * Each step runs in its own IMMEDIATE transaction together with the
 * user_version bump, so a crash mid-migration leaves the previous version
 * intact and the next start simply runs the step again.
 */
#include "migrate.h"

#include <stdio.h>

int
migrate_latest(void)
{
	int v = 0, i;

	for (i = 0; migrate_steps[i].sql != NULL; i++)
		if (migrate_steps[i].version > v)
			v = migrate_steps[i].version;
	return v;
}

static int
migrate_user_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
migrate_run(sqlite3 *db, char *err, size_t errsz)
{
	int cur, i, latest = migrate_latest();
	char *emsg = NULL;
	char sql[64];

	if (migrate_user_version(db, &cur) != 0) {
		snprintf(err, errsz, "reading user_version: %s", sqlite3_errmsg(db));
		return -1;
	}
	if (cur > latest) {
		snprintf(err, errsz, "database schema version %d is newer than this "
		    "tunnelwatch understands (%d): upgrade tunnelwatch", cur, latest);
		return -1;
	}
	for (i = 0; migrate_steps[i].sql != NULL; i++) {
		const struct migrate_step *s = &migrate_steps[i];
		if (s->version <= cur)
			continue;
		if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &emsg) != SQLITE_OK)
			goto fail;
		/* Re-check inside the write lock: another process may have
		 * migrated while we waited. */
		if (migrate_user_version(db, &cur) != 0 || cur >= s->version) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			continue;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", s->version);
		if (sqlite3_exec(db, s->sql, NULL, NULL, &emsg) != SQLITE_OK ||
		    sqlite3_exec(db, sql, NULL, NULL, &emsg) != SQLITE_OK ||
		    sqlite3_exec(db, "COMMIT", NULL, NULL, &emsg) != SQLITE_OK) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			goto fail_step;
		}
		cur = s->version;
	}
	return 0;
fail_step:
	snprintf(err, errsz, "schema %s: %s", migrate_steps[i].name,
	    emsg != NULL ? emsg : sqlite3_errmsg(db));
	sqlite3_free(emsg);
	return -1;
fail:
	snprintf(err, errsz, "schema: %s", emsg != NULL ? emsg : sqlite3_errmsg(db));
	sqlite3_free(emsg);
	return -1;
}
