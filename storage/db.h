/*
 * db.h — one statement interface over the two database backends: the
 * embedded SQLite file (the default) and a PostgreSQL server named by a
 * libpq connection string (`--db postgresql://…`, docs/scale-out.md).
 *
 * It follows SQLite's own shape — prepare once, bind, step through rows,
 * reset — because every caller was written against it, and it keeps
 * SQLite's result codes as the common vocabulary: DB_ROW / DB_DONE /
 * SQLITE_OK, and a PostgreSQL error is mapped by its SQLSTATE class onto the
 * SQLite code a caller already handles (integrity violations to
 * SQLITE_CONSTRAINT, serialization failures and deadlocks to SQLITE_BUSY,
 * a lost connection to SQLITE_IOERR, disk full to SQLITE_FULL), so
 * store_is_transient() and the writer's retry rules need no second set.
 *
 * SQL is written once with SQLite's parameter forms (`?`, `?NNN`, `:name`,
 * `@name`, `$name`); for PostgreSQL they become $1, $2, … (the same name is
 * the same number), outside quotes and comments, and `::` stays a cast.
 * Where the dialects differ a caller picks the text by db_kind().
 *
 * A struct db and its statements belong to one thread at a time.  On
 * PostgreSQL a statement is a server-side prepared statement, executed on
 * the first db_step() after binding; its rows are then read from the
 * result.  Values travel as text, blobs as bytea.  A connection that broke
 * is re-established on the next db_begin()/db_exec()/first step (statements
 * are prepared again on the new session); meanwhile calls fail with
 * SQLITE_IOERR, which callers treat as transient.
 */
#ifndef TW_DB_H
#define TW_DB_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

enum db_kind { DB_SQLITE = 1, DB_POSTGRES = 2 };

#define DB_ROW   SQLITE_ROW
#define DB_DONE  SQLITE_DONE

/* Value types of db_column_type(), SQLite's numbering. */
#define DB_INTEGER SQLITE_INTEGER
#define DB_FLOAT   SQLITE_FLOAT
#define DB_TEXT    SQLITE_TEXT
#define DB_BLOB    SQLITE_BLOB
#define DB_NULL    SQLITE_NULL

#define DB_RDONLY  0x01
#define DB_READER_BUSY_MS 2000

struct db;
struct db_stmt;

/* 1 when target names a PostgreSQL server (postgresql:// or postgres://
 * URI, or a key=value connection string), 0 for a file path. */
int db_target_is_postgres(const char *target);

/*
 * Opens target.  SQLite: a file (created unless DB_RDONLY), no pragmas, no
 * schema: store_open() does that; DB_RDONLY also sets a busy timeout of
 * DB_READER_BUSY_MS (a reader beside a live writer waits out a brief lock
 * rather than fail).  PostgreSQL: connects.  Returns 0, or -1 with a
 * message in err.
 */
int db_open(const char *target, int flags, struct db **out, char *err, size_t errsz);
/* Wraps a connection opened elsewhere; db_close() then leaves it open. */
struct db *db_wrap_sqlite(sqlite3 *h);
void db_close(struct db *d);

enum db_kind db_kind(const struct db *d);
/* The SQLite handle (NULL on PostgreSQL): for what has no second backend. */
sqlite3 *db_sqlite(const struct db *d);
const char *db_errmsg(const struct db *d);
/* The session's number: changes each time a PostgreSQL connection is
 * re-established (what lived in the old session, such as an advisory lock,
 * is gone); always 1 on SQLite. */
uint64_t db_session(const struct db *d);

/* Runs SQL text that may hold several statements; no parameters, rows
 * ignored.  Returns SQLITE_OK or an error code. */
int db_exec(struct db *d, const char *sql);
/* Rows changed by the last INSERT/UPDATE/DELETE. */
int64_t db_changes(const struct db *d);
/* The id the last INSERT into a table with an INTEGER PRIMARY KEY (SQLite)
 * or an identity column (PostgreSQL: lastval()) gave, on this connection. */
int64_t db_last_insert_id(struct db *d);

/* Transactions.  write = 1 takes the write lock now (BEGIN IMMEDIATE on
 * SQLite; PostgreSQL's transactions do not need it). */
int db_begin(struct db *d, int write);
/* A read-only transaction in which every query sees one snapshot: BEGIN
 * on SQLite (a read transaction), REPEATABLE READ READ ONLY on
 * PostgreSQL (its default, READ COMMITTED, takes a snapshot per
 * statement), there without JIT compilation.  End it with db_commit(). */
int db_begin_read(struct db *d);
int db_commit(struct db *d);
/* 1 when a statement failed inside the open transaction and PostgreSQL
 * aborted it (its COMMIT would roll back); always 0 on SQLite, which
 * undoes only the failed statement. */
int db_txn_failed(const struct db *d);
void db_rollback(struct db *d);

/* Prepares a statement kept for the connection's life.  Returns SQLITE_OK
 * or an error code (the message in db_errmsg()). */
int db_prepare(struct db *d, const char *sql, struct db_stmt **out);
void db_finalize(struct db_stmt *s);
/* The SQL text as prepared (for messages). */
const char *db_sql(struct db_stmt *s);

/* 1-based, as SQLite; a name includes its sigil (":recv").  0 when absent. */
int db_bind_index(struct db_stmt *s, const char *name);
int db_bind_int64(struct db_stmt *s, int i, int64_t v);
int db_bind_double(struct db_stmt *s, int i, double v);
/* len < 0: up to the NUL.  The text is copied. */
int db_bind_text(struct db_stmt *s, int i, const char *v, int len);
/* The same, but v must stay valid and unchanged until the statement is
 * stepped to its end, reset or bound again (SQLite then reads it in place:
 * the hot path binds fields of the line being stored). */
int db_bind_text_ref(struct db_stmt *s, int i, const char *v, int len);
int db_bind_blob(struct db_stmt *s, int i, const void *v, int len);
int db_bind_null(struct db_stmt *s, int i);
int db_clear_bindings(struct db_stmt *s);

/* DB_ROW while there are rows, DB_DONE at the end, else an error code. */
int db_step(struct db_stmt *s);
/* Ready to step again from the start; bindings are kept. */
int db_reset(struct db_stmt *s);

int db_column_count(struct db_stmt *s);
const char *db_column_name(struct db_stmt *s, int i);
int db_column_type(struct db_stmt *s, int i);
int64_t db_column_int64(struct db_stmt *s, int i);
double db_column_double(struct db_stmt *s, int i);
/* NULL for SQL NULL; valid until the next step or reset. */
const char *db_column_text(struct db_stmt *s, int i);
const void *db_column_blob(struct db_stmt *s, int i);
int db_column_bytes(struct db_stmt *s, int i);

/*
 * Rewrites SQLite parameters to PostgreSQL's $n (pure; exposed for the
 * tests).  names gets the name of each $n ("" for a bare ?), at most
 * maxnames.  Returns the number of parameters, or -1 when out or names is
 * too small or a ?NNN is out of range.
 */
int db_pg_params(const char *sql, char *out, size_t outsz, char (*names)[64],
    int maxnames);

#endif
