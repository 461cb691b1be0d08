/*
 * db.c — the statement interface of db.h over SQLite and over libpq.
 *
 * The SQLite half is a thin pass-through.  The PostgreSQL half prepares
 * each statement on the server under a name of its own ("tw<N>"), keeps
 * the bound values as text (blobs as binary bytea), executes on the first
 * step and walks the result's rows.  Statements remember the session they
 * were prepared on (a generation number bumped by each reconnect) and are
 * prepared again after a reconnect.
 */
#include "db.h"
#include "util.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DB_PG_MAXPARAMS   100
#define DB_PG_RETRY_MIN   (100 * 1000)        /* reconnect back-off, us */
#define DB_PG_RETRY_MAX   (5 * 1000 * 1000)

/* PostgreSQL type OIDs (catalog/pg_type.h; stable since forever). */
#define PG_BOOLOID     16
#define PG_BYTEAOID    17
#define PG_INT8OID     20
#define PG_INT2OID     21
#define PG_INT4OID     23
#define PG_OIDOID      26
#define PG_FLOAT4OID   700
#define PG_FLOAT8OID   701
#define PG_NUMERICOID  1700

struct db {
	enum db_kind kind;
	sqlite3 *lite;
	int own;                    /* db_close closes lite */

	PGconn *pg;
	char *conninfo;
	uint64_t gen;               /* session number: bumped on reconnect */
	int broken;                 /* the session is gone; reconnect first */
	int64_t retry_at_us, retry_us;
	unsigned nstmt;             /* names handed out */
	int64_t changes;
	char err[512];
};

struct db_param {
	char *val;                  /* NULL: SQL NULL */
	int len, cap, binary;
};

struct db_stmt {
	struct db *d;
	sqlite3_stmt *ls;

	char name[24];
	char *sql;                  /* rewritten to $n */
	int nparams;
	char (*names)[64];
	struct db_param *params;
	uint64_t prepared_gen;      /* 0: not prepared on any session */
	PGresult *res;
	int row, nrows;
	int done;                   /* executed and every row returned */
	unsigned char *blob;        /* db_column_blob's last decoding */
	size_t blob_len;
};

/* ---- shared ---------------------------------------------------------- */

int
db_target_is_postgres(const char *t)
{
	if (t == NULL)
		return 0;
	if (strncmp(t, "postgresql://", 13) == 0 || strncmp(t, "postgres://", 11) == 0)
		return 1;
	/* A key=value connection string: "host=… dbname=…". */
	return strchr(t, '=') != NULL && strchr(t, '/') == NULL &&
	    (strstr(t, "dbname=") != NULL || strstr(t, "host=") != NULL ||
	    strstr(t, "service=") != NULL);
}

enum db_kind
db_kind(const struct db *d)
{
	return d->kind;
}

sqlite3 *
db_sqlite(const struct db *d)
{
	return d->lite;
}

const char *
db_errmsg(const struct db *d)
{
	if (d->kind == DB_SQLITE)
		return sqlite3_errmsg(d->lite);
	return d->err;
}

uint64_t
db_session(const struct db *d)
{
	return d->kind == DB_SQLITE ? 1 : d->gen;
}

int64_t
db_changes(const struct db *d)
{
	if (d->kind == DB_SQLITE)
		return sqlite3_changes(d->lite);
	return d->changes;
}

static int
db_is_name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Copies a quoted run or a comment that starts at sql[i] into out;
 * returns the index after it, or i when sql[i] starts neither. */
static size_t
db_skip_literal(const char *sql, size_t i)
{
	char q = sql[i];

	if (q == '\'' || q == '"') {
		for (i++; sql[i] != '\0'; i++)
			if (sql[i] == q)
				return i + 1;   /* '' reads as two runs: same text */
		return i;
	}
	if (q == '-' && sql[i + 1] == '-') {
		while (sql[i] != '\0' && sql[i] != '\n')
			i++;
		return i;
	}
	if (q == '/' && sql[i + 1] == '*') {
		const char *e = strstr(sql + i + 2, "*/");
		return e != NULL ? (size_t)(e - sql) + 2 : strlen(sql);
	}
	return i;
}

int
db_pg_params(const char *sql, char *out, size_t outsz, char (*names)[64], int maxnames)
{
	size_t i = 0, o = 0, j;
	int largest = 0, k, n;

#define DB_PUT(p, len) do { \
		if (o + (len) >= outsz) return -1; \
		memcpy(out + o, (p), (len)); o += (len); \
	} while (0)

	while (sql[i] != '\0') {
		char c = sql[i], num[16];

		if ((j = db_skip_literal(sql, i)) != i) {
			DB_PUT(sql + i, j - i);
			i = j;
			continue;
		}
		if (c == ':' && sql[i + 1] == ':') {            /* a cast */
			DB_PUT("::", 2);
			i += 2;
			continue;
		}
		if (c == '?' || ((c == ':' || c == '@' || c == '$') &&
		    db_is_name_char((unsigned char)sql[i + 1]))) {
			if (c == '?' || (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
				/* ?, ?NNN, $NNN */
				j = i + 1;
				n = 0;
				while (sql[j] >= '0' && sql[j] <= '9' && n <= maxnames)
					n = n * 10 + (sql[j++] - '0');
				if (j == i + 1)
					n = largest + 1;
				if (n < 1 || n > maxnames)
					return -1;
				for (k = largest; k < n; k++)
					names[k][0] = '\0';
			} else {                                  /* :name @name $name */
				j = i + 1;
				while (db_is_name_char((unsigned char)sql[j]))
					j++;
				if (j - i >= sizeof names[0])
					return -1;
				for (n = 0, k = 0; k < largest; k++)
					if (strlen(names[k]) == j - i &&
					    memcmp(names[k], sql + i, j - i) == 0) {
						n = k + 1;
						break;
					}
				if (n == 0) {
					if (largest >= maxnames)
						return -1;
					n = largest + 1;
					memcpy(names[largest], sql + i, j - i);
					names[largest][j - i] = '\0';
				}
			}
			if (n > largest)
				largest = n;
			k = snprintf(num, sizeof num, "$%d", n);
			DB_PUT(num, (size_t)k);
			i = j;
			continue;
		}
		DB_PUT(&c, 1);
		i++;
	}
	if (o >= outsz)
		return -1;
	out[o] = '\0';
	return largest;
#undef DB_PUT
}

/* ---- PostgreSQL ------------------------------------------------------ */

/* The SQLite code a caller already handles for a PostgreSQL error. */
static int
db_pg_code(const PGresult *r, const PGconn *c)
{
	const char *st = r != NULL ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (c != NULL && PQstatus(c) == CONNECTION_BAD)
		return SQLITE_IOERR;
	if (st == NULL)
		return SQLITE_ERROR;
	if (strncmp(st, "23", 2) == 0)
		return SQLITE_CONSTRAINT;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0)
		return SQLITE_BUSY;
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "57P", 3) == 0)
		return SQLITE_IOERR;
	if (strcmp(st, "53100") == 0)
		return SQLITE_FULL;
	if (strncmp(st, "53", 2) == 0)
		return SQLITE_NOMEM;
	if (strcmp(st, "25006") == 0)
		return SQLITE_READONLY;
	return SQLITE_ERROR;
}

static void
db_pg_seterr(struct db *d, const PGresult *r)
{
	const char *m = r != NULL ? PQresultErrorMessage(r) : NULL;
	size_t n;

	if (m == NULL || *m == '\0')
		m = PQerrorMessage(d->pg);
	snprintf(d->err, sizeof d->err, "%s", m != NULL && *m ? m : "PostgreSQL error");
	n = strlen(d->err);
	while (n > 0 && (d->err[n - 1] == '\n' || d->err[n - 1] == ' '))
		d->err[--n] = '\0';
}

/* Fails with SQLITE_IOERR (and sets broken) when the session is gone. */
static int
db_pg_fail(struct db *d, PGresult *r)
{
	int rc;

	db_pg_seterr(d, r);
	rc = db_pg_code(r, d->pg);
	if (rc == SQLITE_IOERR)
		d->broken = 1;
	PQclear(r);
	return rc;
}

/* A usable session, reconnecting (with back-off) after a break. */
static int
db_pg_ready(struct db *d)
{
	int64_t now;

	if (!d->broken && PQstatus(d->pg) == CONNECTION_OK)
		return SQLITE_OK;
	now = util_mono_us();
	if (now < d->retry_at_us) {
		snprintf(d->err, sizeof d->err, "PostgreSQL connection lost; "
		    "next reconnect in %" PRId64 " ms", (d->retry_at_us - now) / 1000);
		return SQLITE_IOERR;
	}
	PQreset(d->pg);
	if (PQstatus(d->pg) != CONNECTION_OK) {
		db_pg_seterr(d, NULL);
		d->retry_us = d->retry_us == 0 ? DB_PG_RETRY_MIN :
		    d->retry_us * 2 > DB_PG_RETRY_MAX ? DB_PG_RETRY_MAX : d->retry_us * 2;
		d->retry_at_us = now + d->retry_us;
		return SQLITE_IOERR;
	}
	d->broken = 0;
	d->retry_us = 0;
	d->retry_at_us = 0;
	d->gen++;
	return SQLITE_OK;
}

static int
db_pg_open(const char *target, struct db *d, char *err, size_t errsz)
{
	PGresult *r;

	d->conninfo = strdup(target);
	if (d->conninfo == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	d->pg = PQconnectdb(target);
	if (d->pg == NULL || PQstatus(d->pg) != CONNECTION_OK) {
		const char *m = d->pg != NULL ? PQerrorMessage(d->pg) : "out of memory";
		size_t n;

		snprintf(err, errsz, "PostgreSQL: %s", m);
		n = strlen(err);
		while (n > 0 && err[n - 1] == '\n')
			err[--n] = '\0';
		return -1;
	}
	/* Times are integers in microseconds and text is UTF-8 everywhere;
	 * quiet the server's notices (they would go to stderr). */
	PQsetNoticeProcessor(d->pg, NULL, NULL);
	r = PQexec(d->pg, "SET client_encoding = 'UTF8'; SET client_min_messages = warning");
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		snprintf(err, errsz, "PostgreSQL: %s", PQresultErrorMessage(r));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	d->gen = 1;
	return 0;
}

static int
db_pg_exec(struct db *d, const char *sql)
{
	PGresult *r;
	int rc;

	if ((rc = db_pg_ready(d)) != SQLITE_OK)
		return rc;
	r = PQexec(d->pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK &&
	    PQresultStatus(r) != PGRES_EMPTY_QUERY)
		return db_pg_fail(d, r);
	d->changes = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return SQLITE_OK;
}

static int
db_pg_prepare(struct db *d, const char *sql, struct db_stmt *s)
{
	size_t cap = strlen(sql) * 2 + 16;
	int n;

	s->sql = malloc(cap);
	s->names = calloc(DB_PG_MAXPARAMS, sizeof *s->names);
	if (s->sql == NULL || s->names == NULL) {
		snprintf(d->err, sizeof d->err, "out of memory");
		return SQLITE_NOMEM;
	}
	n = db_pg_params(sql, s->sql, cap, s->names, DB_PG_MAXPARAMS);
	if (n < 0) {
		snprintf(d->err, sizeof d->err, "bad or too many parameters in: %.200s", sql);
		return SQLITE_RANGE;
	}
	s->nparams = n;
	if (n > 0 && (s->params = calloc((size_t)n, sizeof *s->params)) == NULL) {
		snprintf(d->err, sizeof d->err, "out of memory");
		return SQLITE_NOMEM;
	}
	snprintf(s->name, sizeof s->name, "tw%u", ++d->nstmt);
	return SQLITE_OK;
}

static int
db_pg_server_prepare(struct db_stmt *s)
{
	struct db *d = s->d;
	PGresult *r;
	int rc;

	if ((rc = db_pg_ready(d)) != SQLITE_OK)
		return rc;
	if (s->prepared_gen == d->gen)
		return SQLITE_OK;
	r = PQprepare(d->pg, s->name, s->sql, s->nparams, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		return db_pg_fail(d, r);
	PQclear(r);
	s->prepared_gen = d->gen;
	return SQLITE_OK;
}

static int
db_pg_step(struct db_stmt *s)
{
	struct db *d = s->d;
	const char *vals[DB_PG_MAXPARAMS];
	int lens[DB_PG_MAXPARAMS], fmts[DB_PG_MAXPARAMS], i, rc;
	PGresult *r;

	if (s->res != NULL) {
		if (++s->row < s->nrows)
			return DB_ROW;
		PQclear(s->res);
		s->res = NULL;
		s->done = 1;
		return DB_DONE;
	}
	if (s->done)
		return DB_DONE;
	if ((rc = db_pg_server_prepare(s)) != SQLITE_OK)
		return rc;
	for (i = 0; i < s->nparams; i++) {
		vals[i] = s->params[i].val;
		lens[i] = s->params[i].len;
		fmts[i] = s->params[i].binary;
	}
	r = PQexecPrepared(d->pg, s->name, s->nparams, vals, lens, fmts, 0);
	switch (PQresultStatus(r)) {
	case PGRES_TUPLES_OK:
		s->res = r;
		s->nrows = PQntuples(r);
		s->row = 0;
		d->changes = strtoll(PQcmdTuples(r), NULL, 10);
		if (s->nrows > 0)
			return DB_ROW;
		PQclear(r);
		s->res = NULL;
		s->done = 1;
		return DB_DONE;
	case PGRES_COMMAND_OK:
		d->changes = strtoll(PQcmdTuples(r), NULL, 10);
		PQclear(r);
		s->done = 1;
		return DB_DONE;
	default:
		return db_pg_fail(d, r);
	}
}

static int
db_pg_set(struct db_stmt *s, int i, const char *v, int len, int binary)
{
	struct db_param *p;

	if (i < 1 || i > s->nparams)
		return SQLITE_RANGE;
	p = &s->params[i - 1];
	if (v == NULL) {
		free(p->val);
		p->val = NULL;
		p->cap = p->len = 0;
		return SQLITE_OK;
	}
	if (len + 1 > p->cap) {
		int cap = len + 1 < 32 ? 32 : len + 1;
		char *nv = realloc(p->val, (size_t)cap);
		if (nv == NULL)
			return SQLITE_NOMEM;
		p->val = nv;
		p->cap = cap;
	}
	memcpy(p->val, v, (size_t)len);
	p->val[len] = '\0';
	p->len = len;
	p->binary = binary;
	return SQLITE_OK;
}

static void
db_pg_finalize(struct db_stmt *s)
{
	int i;

	if (s->prepared_gen != 0 && s->prepared_gen == s->d->gen && !s->d->broken) {
		char sql[48];
		PGresult *r;

		snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
		r = PQexec(s->d->pg, sql);
		PQclear(r);
	}
	PQclear(s->res);
	for (i = 0; i < s->nparams && s->params != NULL; i++)
		free(s->params[i].val);
	free(s->params);
	free(s->names);
	free(s->sql);
	PQfreemem(s->blob);
}

/* ---- the interface ---------------------------------------------------- */

int
db_open(const char *target, int flags, struct db **out, char *err, size_t errsz)
{
	struct db *d = calloc(1, sizeof *d);

	*out = NULL;
	if (d == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (db_target_is_postgres(target)) {
		d->kind = DB_POSTGRES;
		if (db_pg_open(target, d, err, errsz) != 0)
			goto fail;
	} else {
		int of = (flags & DB_RDONLY) ? SQLITE_OPEN_READONLY :
		    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

		d->kind = DB_SQLITE;
		d->own = 1;
		if (sqlite3_open_v2(target, &d->lite, of | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
			snprintf(err, errsz, "%s: %s", target,
			    d->lite != NULL ? sqlite3_errmsg(d->lite) : "out of memory");
			goto fail;
		}
		if (flags & DB_RDONLY)
			sqlite3_busy_timeout(d->lite, DB_READER_BUSY_MS);
	}
	*out = d;
	return 0;
fail:
	db_close(d);
	return -1;
}

struct db *
db_wrap_sqlite(sqlite3 *h)
{
	struct db *d = calloc(1, sizeof *d);

	if (d != NULL) {
		d->kind = DB_SQLITE;
		d->lite = h;
	}
	return d;
}

void
db_close(struct db *d)
{
	if (d == NULL)
		return;
	if (d->own)
		sqlite3_close_v2(d->lite);
	if (d->pg != NULL)
		PQfinish(d->pg);
	free(d->conninfo);
	free(d);
}

int
db_exec(struct db *d, const char *sql)
{
	if (d->kind == DB_POSTGRES)
		return db_pg_exec(d, sql);
	return sqlite3_exec(d->lite, sql, NULL, NULL, NULL);
}

int
db_begin(struct db *d, int write)
{
	if (d->kind == DB_SQLITE)
		return db_exec(d, write ? "BEGIN IMMEDIATE" : "BEGIN");
	return db_exec(d, "BEGIN");
}

int
db_begin_read(struct db *d)
{
	/* No JIT: these reads seek through indexes, and compiling a query
	 * (~50 ms) whose estimate crossed jit_above_cost (fresh tables, or
	 * INT64_MAX bounds) costs far more than it could save. */
	return db_exec(d, d->kind == DB_POSTGRES ?
	    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL jit = off" : "BEGIN");
}

int
db_commit(struct db *d)
{
	return db_exec(d, "COMMIT");
}

int
db_txn_failed(const struct db *d)
{
	return d->kind == DB_POSTGRES && d->pg != NULL &&
	    PQtransactionStatus(d->pg) == PQTRANS_INERROR;
}

void
db_rollback(struct db *d)
{
	if (d->kind == DB_POSTGRES && d->broken)
		return;         /* the server rolled back when the session went */
	(void)db_exec(d, "ROLLBACK");
}

int
db_prepare(struct db *d, const char *sql, struct db_stmt **out)
{
	struct db_stmt *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (s == NULL)
		return SQLITE_NOMEM;
	s->d = d;
	if (d->kind == DB_SQLITE)
		rc = sqlite3_prepare_v3(d->lite, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->ls, NULL);
	else {
		rc = db_pg_prepare(d, sql, s);
		if (rc == SQLITE_OK)
			rc = db_pg_server_prepare(s);
	}
	if (rc != SQLITE_OK) {
		db_finalize(s);
		return rc;
	}
	*out = s;
	return SQLITE_OK;
}

const char *
db_sql(struct db_stmt *s)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_sql(s->ls);
	return s->sql;
}

int64_t
db_last_insert_id(struct db *d)
{
	PGresult *r;
	int64_t id = 0;

	if (d->kind == DB_SQLITE)
		return sqlite3_last_insert_rowid(d->lite);
	if (db_pg_ready(d) != SQLITE_OK)
		return 0;
	r = PQexec(d->pg, "SELECT lastval()");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		db_pg_seterr(d, r);
	PQclear(r);
	return id;
}

void
db_finalize(struct db_stmt *s)
{
	if (s == NULL)
		return;
	if (s->d->kind == DB_SQLITE)
		sqlite3_finalize(s->ls);
	else
		db_pg_finalize(s);
	free(s);
}

int
db_bind_index(struct db_stmt *s, const char *name)
{
	int i;

	if (s->d->kind == DB_SQLITE)
		return sqlite3_bind_parameter_index(s->ls, name);
	for (i = 0; i < s->nparams; i++)
		if (strcmp(s->names[i], name) == 0)
			return i + 1;
	return 0;
}

int
db_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	char buf[24];

	if (s->d->kind == DB_SQLITE)
		return sqlite3_bind_int64(s->ls, i, v);
	return db_pg_set(s, i, buf, snprintf(buf, sizeof buf, "%" PRId64, v), 0);
}

int
db_bind_double(struct db_stmt *s, int i, double v)
{
	char buf[40];

	if (s->d->kind == DB_SQLITE)
		return sqlite3_bind_double(s->ls, i, v);
	return db_pg_set(s, i, buf, snprintf(buf, sizeof buf, "%.17g", v), 0);
}

int
db_bind_text(struct db_stmt *s, int i, const char *v, int len)
{
	if (v == NULL)
		return db_bind_null(s, i);
	if (s->d->kind == DB_SQLITE)
		return sqlite3_bind_text(s->ls, i, v, len, SQLITE_TRANSIENT);
	if (len < 0)
		len = (int)strlen(v);
	/* PostgreSQL text cannot hold NUL: cut there, as C strings do. */
	{
		const char *z = memchr(v, '\0', (size_t)len);
		if (z != NULL)
			len = (int)(z - v);
	}
	return db_pg_set(s, i, v, len, 0);
}

int
db_bind_text_ref(struct db_stmt *s, int i, const char *v, int len)
{
	if (v != NULL && s->d->kind == DB_SQLITE)
		return sqlite3_bind_text(s->ls, i, v, len, SQLITE_STATIC);
	return db_bind_text(s, i, v, len);
}

int
db_bind_blob(struct db_stmt *s, int i, const void *v, int len)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_bind_blob(s->ls, i, v, len, SQLITE_TRANSIENT);
	return db_pg_set(s, i, v != NULL ? v : "", len, 1);
}

int
db_bind_null(struct db_stmt *s, int i)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_bind_null(s->ls, i);
	return db_pg_set(s, i, NULL, 0, 0);
}

int
db_clear_bindings(struct db_stmt *s)
{
	int i;

	if (s->d->kind == DB_SQLITE)
		return sqlite3_clear_bindings(s->ls);
	for (i = 1; i <= s->nparams; i++)
		(void)db_pg_set(s, i, NULL, 0, 0);
	return SQLITE_OK;
}

int
db_step(struct db_stmt *s)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_step(s->ls);
	return db_pg_step(s);
}

int
db_reset(struct db_stmt *s)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_reset(s->ls);
	PQclear(s->res);
	s->res = NULL;
	s->done = 0;
	s->row = s->nrows = 0;
	return SQLITE_OK;
}

int
db_column_count(struct db_stmt *s)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_count(s->ls);
	return s->res != NULL ? PQnfields(s->res) : 0;
}

const char *
db_column_name(struct db_stmt *s, int i)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_name(s->ls, i);
	return s->res != NULL && i >= 0 && i < PQnfields(s->res) ? PQfname(s->res, i) : NULL;
}

/* The current row's value, or NULL for SQL NULL or no such column. */
static const char *
db_pg_value(struct db_stmt *s, int i)
{
	if (s->res == NULL || i < 0 || i >= PQnfields(s->res) || s->row >= s->nrows ||
	    PQgetisnull(s->res, s->row, i))
		return NULL;
	return PQgetvalue(s->res, s->row, i);
}

int
db_column_type(struct db_stmt *s, int i)
{
	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_type(s->ls, i);
	if (db_pg_value(s, i) == NULL)
		return DB_NULL;
	switch (PQftype(s->res, i)) {
	case PG_BOOLOID: case PG_INT2OID: case PG_INT4OID: case PG_INT8OID: case PG_OIDOID:
		return DB_INTEGER;
	case PG_FLOAT4OID: case PG_FLOAT8OID: case PG_NUMERICOID:
		return DB_FLOAT;
	case PG_BYTEAOID:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

int64_t
db_column_int64(struct db_stmt *s, int i)
{
	const char *v;

	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_int64(s->ls, i);
	if ((v = db_pg_value(s, i)) == NULL)
		return 0;
	if (PQftype(s->res, i) == PG_BOOLOID)
		return v[0] == 't';
	if (PQftype(s->res, i) == PG_FLOAT4OID || PQftype(s->res, i) == PG_FLOAT8OID ||
	    PQftype(s->res, i) == PG_NUMERICOID)
		return (int64_t)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

double
db_column_double(struct db_stmt *s, int i)
{
	const char *v;

	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_double(s->ls, i);
	if ((v = db_pg_value(s, i)) == NULL)
		return 0.0;
	if (PQftype(s->res, i) == PG_BOOLOID)
		return v[0] == 't';
	return strtod(v, NULL);
}

const char *
db_column_text(struct db_stmt *s, int i)
{
	if (s->d->kind == DB_SQLITE)
		return (const char *)sqlite3_column_text(s->ls, i);
	return db_pg_value(s, i);
}

const void *
db_column_blob(struct db_stmt *s, int i)
{
	const char *v;

	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_blob(s->ls, i);
	if ((v = db_pg_value(s, i)) == NULL)
		return NULL;
	if (PQftype(s->res, i) != PG_BYTEAOID) {
		s->blob_len = strlen(v);
		return v;
	}
	PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)v, &s->blob_len);
	return s->blob;
}

int
db_column_bytes(struct db_stmt *s, int i)
{
	const char *v;

	if (s->d->kind == DB_SQLITE)
		return sqlite3_column_bytes(s->ls, i);
	if ((v = db_pg_value(s, i)) == NULL)
		return 0;
	if (PQftype(s->res, i) == PG_BYTEAOID) {
		(void)db_column_blob(s, i);
		return (int)s->blob_len;
	}
	return PQgetlength(s->res, s->row, i);
}
