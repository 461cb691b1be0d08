/*
 * migrate.h — schema versions, applied in order at start.
 *
 * schema/NNNN_name.sql files are embedded at build time (cmake/embed_schema.cmake)
 * into migrate_steps[], sorted, ended by a {0, NULL, NULL} entry; their
 * PostgreSQL twins, schema/pg/NNNN_name.sql, into migrate_pg_steps[]
 * (docs/scale-out.md).  On PostgreSQL one migration may stand for several
 * SQLite ones (0010_core.sql is 0001 ... 0010), but the latest versions agree.
 */
#ifndef TW_MIGRATE_H
#define TW_MIGRATE_H

#include <sqlite3.h>
#include <stddef.h>

struct db;

struct migrate_step {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migrate_step migrate_steps[];
extern const struct migrate_step migrate_pg_steps[];

/* The newest version this binary knows. */
int migrate_latest(void);
/* Brings db up to migrate_latest().  Idempotent.  A database newer than the
 * binary is refused.  Returns 0, or -1 with err filled. */
int migrate_run(sqlite3 *db, char *err, size_t errsz);

/* The newest PostgreSQL version this binary knows. */
int migrate_pg_latest(void);
/*
 * Brings a PostgreSQL database up to migrate_pg_latest(), all steps in one
 * transaction under an advisory lock (collectors starting together wait
 * for the first); the version is kept in tw_schema_version.  Idempotent; a
 * newer database is refused.  Returns 0, or -1 with err filled.
 */
int migrate_run_pg(struct db *d, char *err, size_t errsz);
/* The PostgreSQL database's version (0 before the first migration), or -1
 * with err filled: for read-only users, which must not migrate. */
int migrate_pg_version(struct db *d, int *out, char *err, size_t errsz);

#endif
