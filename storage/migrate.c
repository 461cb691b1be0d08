/*
 * migrate.c — the schema runners: SQLite keyed on PRAGMA user_version,
 * PostgreSQL on the tw_schema_version table (docs/scale-out.md).
 *
 * On SQLite each step runs in its own IMMEDIATE transaction together with the
 * user_version bump, so a crash mid-migration leaves the previous version
 * intact and the next start simply runs the step again.
 */
#include "migrate.h"
#include "db.h"

#include <stdio.h>

/* pg_advisory_xact_lock key of schema migrations: "twschema" in ASCII. */
#define MIGRATE_PG_LOCK "8392303301418642785"

static int
migrate_newest(const struct migrate_step *steps)
{
	int v = 0, i;

	for (i = 0; steps[i].sql != NULL; i++)
		if (steps[i].version > v)
			v = steps[i].version;
	return v;
}

int
migrate_latest(void)
{
	return migrate_newest(migrate_steps);
}

int
migrate_pg_latest(void)
{
	return migrate_newest(migrate_pg_steps);
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

/* ---- PostgreSQL ----------------------------------------------------- */

int
migrate_pg_version(struct db *d, int *out, char *err, size_t errsz)
{
	struct db_stmt *st = NULL;
	int rc;

	*out = 0;
	rc = db_prepare(d, "SELECT to_regclass('tw_schema_version') IS NOT NULL", &st);
	if (rc != SQLITE_OK || db_step(st) != DB_ROW)
		goto fail;
	if (db_column_int64(st, 0) == 0) {
		db_finalize(st);
		return 0;
	}
	db_finalize(st);
	rc = db_prepare(d, "SELECT coalesce(max(version), 0) FROM tw_schema_version", &st);
	if (rc != SQLITE_OK || db_step(st) != DB_ROW)
		goto fail;
	*out = (int)db_column_int64(st, 0);
	db_finalize(st);
	return 0;
fail:
	snprintf(err, errsz, "reading the schema version: %s", db_errmsg(d));
	db_finalize(st);
	return -1;
}

int
migrate_run_pg(struct db *d, char *err, size_t errsz)
{
	struct db_stmt *ins = NULL;
	int cur, i, latest = migrate_pg_latest();
	const char *what = "BEGIN";

	if (db_begin(d, 1) != SQLITE_OK)
		goto fail;
	what = "taking the migration lock";
	if (db_exec(d, "SELECT pg_advisory_xact_lock(" MIGRATE_PG_LOCK ")") != SQLITE_OK)
		goto fail;
	what = "tw_schema_version";
	if (db_exec(d, "CREATE TABLE IF NOT EXISTS tw_schema_version ("
	    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())") != SQLITE_OK)
		goto fail;
	if (migrate_pg_version(d, &cur, err, errsz) != 0) {
		db_rollback(d);
		return -1;
	}
	if (cur > latest) {
		db_rollback(d);
		snprintf(err, errsz, "database schema version %d is newer than this "
		    "tunnelwatch understands (%d): upgrade tunnelwatch", cur, latest);
		return -1;
	}
	if (db_prepare(d, "INSERT INTO tw_schema_version(version, name) VALUES (?, ?)",
	    &ins) != SQLITE_OK)
		goto fail;
	for (i = 0; migrate_pg_steps[i].sql != NULL; i++) {
		const struct migrate_step *s = &migrate_pg_steps[i];

		if (s->version <= cur)
			continue;
		what = s->name;
		db_bind_int64(ins, 1, s->version);
		db_bind_text(ins, 2, s->name, -1);
		if (db_exec(d, s->sql) != SQLITE_OK || db_step(ins) != DB_DONE)
			goto fail;
		db_reset(ins);
	}
	db_finalize(ins);
	ins = NULL;
	what = "COMMIT";
	if (db_commit(d) != SQLITE_OK)
		goto fail;
	return 0;
fail:
	snprintf(err, errsz, "schema %s: %s", what, db_errmsg(d));
	db_finalize(ins);
	db_rollback(d);
	return -1;
}
