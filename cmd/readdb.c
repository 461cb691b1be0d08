/*
 * readdb.c — opening `--db` for the read-only commands (tunnels,
 * incidents, timeline, report): a SQLite file through store_open() (its
 * pragmas and busy timeout), or a PostgreSQL server named by a libpq URI
 * or connection string (docs/scale-out.md), both behind storage/db.h.
 */
#include "cli.h"
#include "db.h"
#include "store.h"

#include <stdio.h>
#include <string.h>

/* err with its newlines and tabs turned into single spaces (libpq's
 * messages span lines): one line for the terminal. */
static void
readdb_one_line(char *err)
{
	char *o = err, *i = err;

	for (; *i != '\0'; i++) {
		char c = (*i == '\n' || *i == '\t' || *i == '\r') ? ' ' : *i;
		if (c == ' ' && (o == err || o[-1] == ' '))
			continue;
		*o++ = c;
	}
	while (o > err && o[-1] == ' ')
		o--;
	*o = '\0';
}

int
readdb_open(const struct config *cfg, const char *cmd, struct readdb *rd)
{
	char err[1024];
	struct db_stmt *s = NULL;
	int rc;

	memset(rd, 0, sizeof *rd);
	if (!db_target_is_postgres(cfg->db_path)) {
		if (store_open(cfg->db_path, STORE_RDONLY, &rd->st, err, sizeof err) != 0) {
			fprintf(stderr, "tunnelwatch: error: %s: %s\n", cmd, err);
			return -1;
		}
		if ((rd->db = db_wrap_sqlite(store_db(rd->st))) == NULL) {
			fprintf(stderr, "tunnelwatch: error: %s: out of memory\n", cmd);
			readdb_close(rd);
			return -1;
		}
		return 0;
	}
	if (db_open(cfg->db_path, DB_RDONLY, &rd->db, err, sizeof err) != 0) {
		readdb_one_line(err);
		fprintf(stderr, "tunnelwatch: error: %s: %s\n", cmd, err);
		return -1;
	}
	/* A server without the schema would fail every query with "relation
	 * does not exist": say what is wrong once, plainly. */
	if (db_prepare(rd->db, "SELECT to_regclass('v_tunnels') IS NOT NULL"
	    " AND to_regclass('meta') IS NOT NULL", &s) != SQLITE_OK ||
	    (rc = db_step(s)) != DB_ROW) {
		snprintf(err, sizeof err, "%s", db_errmsg(rd->db));
		readdb_one_line(err);
		fprintf(stderr, "tunnelwatch: error: %s: PostgreSQL: %s\n", cmd, err);
		goto fail;
	}
	if (db_column_int64(s, 0) == 0) {
		fprintf(stderr, "tunnelwatch: error: %s: the PostgreSQL database has no "
		    "tunnelwatch schema (apply schema/pg/*.sql; docs/scale-out.md)\n", cmd);
		goto fail;
	}
	db_finalize(s);
	return 0;
fail:
	db_finalize(s);
	readdb_close(rd);
	return -1;
}

void
readdb_close(struct readdb *rd)
{
	db_close(rd->db);
	store_close(rd->st);
	rd->db = NULL;
	rd->st = NULL;
}

void
readdb_error(struct db *d, const char *what)
{
	char err[512];
	const char *m = db_errmsg(d), *nl = strchr(m, '\n');

	/* PostgreSQL appends LINE/caret context: the first line says it. */
	snprintf(err, sizeof err, "%.*s", nl != NULL ? (int)(nl - m) : (int)strlen(m), m);
	fprintf(stderr, "tunnelwatch: %s: %s\n", what, err);
}
