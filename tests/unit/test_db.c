/*
 * test_db.c — storage/db.h, the statement interface over both backends.
 *
 * The parameter rewriting is table-tested.  The behaviour tests (bind,
 * step, types, NULL, blobs with a NUL inside, constraint errors mapped to
 * SQLITE_CONSTRAINT, transactions, re-executing a prepared statement) run
 * on SQLite always and on PostgreSQL when TW_PG_URI names a server:
 * tests/integration/t_pg_db.sh starts a throw-away cluster and runs this
 * binary against it, including a broken session that must come back.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "migrate.h"

struct params_case {
	const char *in, *out;
	int n;
	const char *names[4];
};

static const struct params_case params_cases[] = {
	{ "SELECT 1", "SELECT 1", 0, { NULL } },
	{ "SELECT ?, ?", "SELECT $1, $2", 2, { "", "" } },
	{ "SELECT ?2, ?1, ?", "SELECT $2, $1, $3", 3, { "", "", "" } },
	{ "INSERT INTO t VALUES(:a, :b, :a)", "INSERT INTO t VALUES($1, $2, $1)", 2,
	  { ":a", ":b" } },
	{ "SELECT @x + $y", "SELECT $1 + $2", 2, { "@x", "$y" } },
	{ "SELECT $1, $2", "SELECT $1, $2", 2, { "", "" } },
	/* Quotes, identifiers and comments keep their ? and :name. */
	{ "SELECT '?', ':a', \"b?\" FROM t -- ?\nWHERE x = ?",
	  "SELECT '?', ':a', \"b?\" FROM t -- ?\nWHERE x = $1", 1, { "" } },
	{ "SELECT /* :nope ? */ :yes", "SELECT /* :nope ? */ $1", 1, { ":yes" } },
	{ "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1", 1, { "" } },
	/* A PostgreSQL cast is not a parameter. */
	{ "SELECT :v::bigint, x::text", "SELECT $1::bigint, x::text", 1, { ":v" } },
	/* A lone colon or @ is text. */
	{ "SELECT a: b @ 1", "SELECT a: b @ 1", 0, { NULL } },
};

Test(db, pg_params_table)
{
	size_t i;
	int k;

	for (i = 0; i < sizeof params_cases / sizeof params_cases[0]; i++) {
		const struct params_case *c = &params_cases[i];
		char out[256], names[8][64];
		int n = db_pg_params(c->in, out, sizeof out, names, 8);

		cr_assert_eq(n, c->n, "%s: %d parameters, want %d", c->in, n, c->n);
		cr_assert_str_eq(out, c->out, "%s", c->in);
		for (k = 0; k < n; k++)
			cr_assert_str_eq(names[k], c->names[k], "%s: name %d", c->in, k + 1);
	}
}

Test(db, pg_params_limits)
{
	char out[16], names[2][64];

	cr_assert_eq(db_pg_params("SELECT ?, ?, ?", out, sizeof out, names, 2), -1,
	    "more parameters than names");
	cr_assert_eq(db_pg_params("SELECT ?3", out, sizeof out, names, 2), -1, "?NNN out of range");
	cr_assert_eq(db_pg_params("SELECT 1234567890123456", out, sizeof out, names, 2), -1,
	    "output too small");
	cr_assert_eq(db_pg_params("SELECT ?0", out, sizeof out, names, 2), -1, "?0");
}

Test(db, target_kind)
{
	cr_assert(db_target_is_postgres("postgresql://tw@db.example/tw"));
	cr_assert(db_target_is_postgres("postgres:///tw?host=/run/postgresql"));
	cr_assert(db_target_is_postgres("host=db1 dbname=tw user=tw"));
	cr_assert(db_target_is_postgres("dbname=tw"));
	cr_assert_not(db_target_is_postgres("/var/lib/tunnelwatch/tunnelwatch.db"));
	cr_assert_not(db_target_is_postgres("tw.db"));
	cr_assert_not(db_target_is_postgres("./a=b/tw.db"));
	cr_assert_not(db_target_is_postgres(NULL));
}

static int64_t
count_rows(struct db *d)
{
	struct db_stmt *s;
	int64_t n;

	cr_assert_eq(db_prepare(d, "SELECT count(*) FROM t", &s), SQLITE_OK, "%s", db_errmsg(d));
	cr_assert_eq(db_step(s), DB_ROW);
	n = db_column_int64(s, 0);
	cr_assert_eq(db_step(s), DB_DONE);
	db_finalize(s);
	return n;
}

/* The same behaviour on either backend. */
static void
exercise(const char *target)
{
	static const unsigned char blob[] = { 'a', 0, 0xff, '\n', 'z' };
	struct db *d = NULL;
	struct db_stmt *ins, *sel;
	char err[256];
	const void *b;

	cr_assert_eq(db_open(target, 0, &d, err, sizeof err), 0, "%s", err);
	if (db_kind(d) == DB_POSTGRES)
		cr_assert_eq(db_exec(d, "DROP TABLE IF EXISTS t; CREATE TABLE t(id BIGINT PRIMARY KEY,"
		    " name TEXT UNIQUE, v DOUBLE PRECISION, b BYTEA, n BIGINT)"), SQLITE_OK,
		    "%s", db_errmsg(d));
	else
		cr_assert_eq(db_exec(d, "DROP TABLE IF EXISTS t; CREATE TABLE t(id INTEGER PRIMARY KEY,"
		    " name TEXT UNIQUE, v REAL, b BLOB, n INTEGER)"), SQLITE_OK, "%s", db_errmsg(d));

	cr_assert_eq(db_prepare(d, "INSERT INTO t(id, name, v, b, n) VALUES (:id, :name, :v, :b, :n)",
	    &ins), SQLITE_OK, "%s", db_errmsg(d));
	cr_assert_eq(db_bind_index(ins, ":name"), 2);
	cr_assert_eq(db_bind_index(ins, ":missing"), 0);
	db_bind_int64(ins, db_bind_index(ins, ":id"), 1);
	db_bind_text(ins, 2, "tunnel ipsec1 \xc3\xa9", -1);
	db_bind_double(ins, 3, 2.5);
	db_bind_blob(ins, 4, blob, (int)sizeof blob);
	db_bind_int64(ins, 5, INT64_C(9007199254740993));
	cr_assert_eq(db_step(ins), DB_DONE, "%s", db_errmsg(d));
	cr_assert_eq(db_changes(d), 1);

	/* Re-executing with some values changed; bindings are kept. */
	db_reset(ins);
	db_bind_int64(ins, 1, 2);
	db_bind_text(ins, 2, "second", 6);
	db_bind_null(ins, 5);
	cr_assert_eq(db_step(ins), DB_DONE, "%s", db_errmsg(d));

	/* A unique violation is SQLITE_CONSTRAINT on both backends. */
	db_reset(ins);
	db_bind_int64(ins, 1, 3);
	cr_assert_eq(db_step(ins), SQLITE_CONSTRAINT);
	cr_assert(strlen(db_errmsg(d)) > 0);
	db_reset(ins);

	cr_assert_eq(db_prepare(d, "SELECT id, name, v, b, n FROM t WHERE id >= ? ORDER BY id",
	    &sel), SQLITE_OK, "%s", db_errmsg(d));
	cr_assert_eq(db_bind_int64(sel, 1, 0), SQLITE_OK);
	cr_assert_eq(db_step(sel), DB_ROW, "%s", db_errmsg(d));
	cr_assert_eq(db_column_count(sel), 5);
	cr_assert_str_eq(db_column_name(sel, 1), "name");
	cr_assert_eq(db_column_type(sel, 0), DB_INTEGER);
	cr_assert_eq(db_column_int64(sel, 0), 1);
	cr_assert_eq(db_column_type(sel, 1), DB_TEXT);
	cr_assert_str_eq(db_column_text(sel, 1), "tunnel ipsec1 \xc3\xa9");
	cr_assert_eq(db_column_type(sel, 2), DB_FLOAT);
	cr_assert_float_eq(db_column_double(sel, 2), 2.5, 1e-12);
	cr_assert_eq(db_column_type(sel, 3), DB_BLOB);
	cr_assert_eq(db_column_bytes(sel, 3), (int)sizeof blob);
	b = db_column_blob(sel, 3);
	cr_assert(b != NULL && memcmp(b, blob, sizeof blob) == 0, "blob round trip");
	cr_assert_eq(db_column_int64(sel, 4), INT64_C(9007199254740993));
	cr_assert_eq(db_step(sel), DB_ROW);
	cr_assert_eq(db_column_int64(sel, 0), 2);
	cr_assert_eq(db_column_type(sel, 4), DB_NULL);
	cr_assert_null(db_column_text(sel, 4));
	cr_assert_eq(db_step(sel), DB_DONE);

	/* Transactions: a rollback leaves nothing, a commit keeps. */
	cr_assert_eq(db_begin(d, 1), SQLITE_OK, "%s", db_errmsg(d));
	db_bind_int64(ins, 1, 10);
	db_bind_text(ins, 2, "rolled back", -1);
	cr_assert_eq(db_step(ins), DB_DONE, "%s", db_errmsg(d));
	db_reset(ins);
	db_rollback(d);
	cr_assert_eq(count_rows(d), 2);
	cr_assert_eq(db_begin(d, 1), SQLITE_OK);
	cr_assert_eq(db_step(ins), DB_DONE, "%s", db_errmsg(d));
	db_reset(ins);
	cr_assert_eq(db_commit(d), SQLITE_OK, "%s", db_errmsg(d));
	cr_assert_eq(count_rows(d), 3);

	/* The select again, from the start, with a new bound value. */
	db_reset(sel);
	db_bind_int64(sel, 1, 10);
	cr_assert_eq(db_step(sel), DB_ROW);
	cr_assert_str_eq(db_column_text(sel, 1), "rolled back");
	cr_assert_eq(db_step(sel), DB_DONE);

	db_finalize(sel);
	db_finalize(ins);
	db_close(d);
}

Test(db, sqlite_backend)
{
	char path[] = "/tmp/tw-test-db.XXXXXX";
	int fd = mkstemp(path);

	cr_assert(fd >= 0);
	close(fd);
	exercise(path);
	unlink(path);
}

Test(db, postgres_backend)
{
	const char *uri = getenv("TW_PG_URI");

	if (uri == NULL || *uri == '\0')
		cr_skip_test("TW_PG_URI not set (tests/integration/t_pg_db.sh sets it)");
	exercise(uri);
}

/* A session the server ended is reported as SQLITE_IOERR (transient), and
 * the next call after the back-off reconnects and prepares again. */
Test(db, postgres_reconnects)
{
	const char *uri = getenv("TW_PG_URI");
	struct db *d = NULL, *killer = NULL;
	struct db_stmt *s, *k;
	char err[256];
	int64_t pid;
	int rc, i;

	if (uri == NULL || *uri == '\0')
		cr_skip_test("TW_PG_URI not set");
	cr_assert_eq(db_open(uri, 0, &d, err, sizeof err), 0, "%s", err);
	cr_assert_eq(db_open(uri, 0, &killer, err, sizeof err), 0, "%s", err);
	cr_assert_eq(db_prepare(d, "SELECT pg_backend_pid(), :x::bigint + 1", &s), SQLITE_OK,
	    "%s", db_errmsg(d));
	db_bind_int64(s, 1, 41);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_errmsg(d));
	pid = db_column_int64(s, 0);
	cr_assert_eq(db_column_int64(s, 1), 42);
	db_reset(s);

	cr_assert_eq(db_prepare(killer, "SELECT pg_terminate_backend(?)", &k), SQLITE_OK);
	db_bind_int64(k, 1, pid);
	cr_assert_eq(db_step(k), DB_ROW, "%s", db_errmsg(killer));
	db_finalize(k);
	usleep(100 * 1000);

	cr_assert_eq(db_step(s), SQLITE_IOERR, "a lost session is an I/O error");
	db_reset(s);
	for (i = 0, rc = SQLITE_IOERR; i < 50 && rc == SQLITE_IOERR; i++) {
		usleep(50 * 1000);
		rc = db_step(s);
		if (rc == SQLITE_IOERR)
			db_reset(s);
	}
	cr_assert_eq(rc, DB_ROW, "reconnected: %s", db_errmsg(d));
	cr_assert_neq(db_column_int64(s, 0), pid, "a new session");
	cr_assert_eq(db_column_int64(s, 1), 42, "the bound value survived the reconnect");
	db_finalize(s);
	db_close(killer);
	db_close(d);
}

/* Every SQLite migration has its PostgreSQL twin: the newest versions agree
 * (a schema/NNNN_x.sql without schema/pg/NNNN_x.sql fails here). */
Test(db, pg_schema_keeps_up_with_sqlite)
{
	cr_assert_eq(migrate_pg_latest(), migrate_latest(),
	    "schema/pg is at version %d, schema/ at %d: add the PostgreSQL twin",
	    migrate_pg_latest(), migrate_latest());
}

/* migrate_run_pg on an empty database creates the schema; a second run
 * changes nothing; a database newer than the binary is refused. */
Test(db, postgres_migrates)
{
	const char *uri = getenv("TW_PG_URI");
	struct db *d = NULL;
	struct db_stmt *s;
	char err[256];
	int v;

	if (uri == NULL || *uri == '\0')
		cr_skip_test("TW_PG_URI not set");
	cr_assert_eq(db_open(uri, 0, &d, err, sizeof err), 0, "%s", err);
	cr_assert_eq(db_exec(d, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"), SQLITE_OK,
	    "%s", db_errmsg(d));
	cr_assert_eq(migrate_pg_version(d, &v, err, sizeof err), 0, "%s", err);
	cr_assert_eq(v, 0);
	cr_assert_eq(migrate_run_pg(d, err, sizeof err), 0, "%s", err);
	cr_assert_eq(migrate_pg_version(d, &v, err, sizeof err), 0, "%s", err);
	cr_assert_eq(v, migrate_pg_latest());
	cr_assert_eq(migrate_run_pg(d, err, sizeof err), 0, "again: %s", err);

	cr_assert_eq(db_prepare(d, "SELECT count(*) FROM v_tunnels", &s), SQLITE_OK, "%s",
	    db_errmsg(d));
	cr_assert_eq(db_step(s), DB_ROW);
	cr_assert_eq(db_column_int64(s, 0), 0);
	db_finalize(s);

	cr_assert_eq(db_exec(d, "INSERT INTO tw_schema_version(version, name) VALUES (9999, 'x')"),
	    SQLITE_OK);
	cr_assert_eq(migrate_run_pg(d, err, sizeof err), -1);
	cr_assert(strstr(err, "newer") != NULL, "%s", err);
	db_close(d);
}

/* The two-argument min()/max() behave as SQLite's on both backends: NULL
 * when either argument is NULL, and the aggregates still work. */
static void
minmax_on(struct db *d)
{
	struct db_stmt *s;

	cr_assert_eq(db_prepare(d, "SELECT max(?1, ?2), min(?1, ?2), max(?1, NULL),"
	    " (SELECT max(x) FROM (SELECT 3 AS x UNION ALL SELECT 9) AS v)", &s), SQLITE_OK,
	    "%s", db_errmsg(d));
	db_bind_int64(s, 1, 5);
	db_bind_int64(s, 2, INT64_C(1) << 40);
	cr_assert_eq(db_step(s), DB_ROW, "%s", db_errmsg(d));
	cr_assert_eq(db_column_int64(s, 0), INT64_C(1) << 40);
	cr_assert_eq(db_column_int64(s, 1), 5);
	cr_assert_eq(db_column_type(s, 2), DB_NULL);
	cr_assert_eq(db_column_int64(s, 3), 9);
	db_finalize(s);
}

Test(db, minmax_sqlite)
{
	struct db *d = NULL;
	char err[128];

	cr_assert_eq(db_open(":memory:", 0, &d, err, sizeof err), 0, "%s", err);
	minmax_on(d);
	db_close(d);
}

Test(db, minmax_postgres)
{
	const char *uri = getenv("TW_PG_URI");
	struct db *d = NULL;
	char err[256];

	if (uri == NULL || *uri == '\0')
		cr_skip_test("TW_PG_URI not set");
	cr_assert_eq(db_open(uri, 0, &d, err, sizeof err), 0, "%s", err);
	cr_assert_eq(db_exec(d, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"), SQLITE_OK);
	cr_assert_eq(migrate_run_pg(d, err, sizeof err), 0, "%s", err);
	minmax_on(d);
	db_close(d);
}
