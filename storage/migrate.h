/*
 * migrate.h — schema versions, applied in order at start.
 *
 * schema/NNNN_name.sql files are embedded at build time (cmake/embed_schema.cmake)
 * into migrate_steps[], sorted, ended by a {0, NULL, NULL} entry.
 */
#ifndef TW_MIGRATE_H
#define TW_MIGRATE_H

#include <sqlite3.h>
#include <stddef.h>

struct migrate_step {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migrate_step migrate_steps[];

/* The newest version this binary knows. */
int migrate_latest(void);
/* Brings db up to migrate_latest().  Idempotent.  A database newer than the
 * binary is refused.  Returns 0, or -1 with err filled. */
int migrate_run(sqlite3 *db, char *err, size_t errsz);

#endif
