/*
 * store.h — the database: opening, migrating, and the write path, on a
 * SQLite file or a PostgreSQL server (a postgresql:// URI or a key=value
 * connection string as path; docs/scale-out.md).
 *
 * A struct store is one connection and must be used by one thread at a
 * time: in `serve` the writer thread owns it (storage/writer.c); `import`
 * and the query commands own theirs.  Statements are prepared once
 * (SQLITE_PREPARE_PERSISTENT) and reset after each use.  Functions never
 * exit on an SQL error: they return the SQLite result code and log it with
 * the statement's text, and the caller decides to retry or skip.
 */
#ifndef TW_STORE_H
#define TW_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct ckpt;
struct db;
struct ingest_row;

struct store_msg_meta {
	int64_t recv_us;
	const char *sender;       /* "ip:port", or NULL */
	int transport;            /* enum tw_transport */
	int64_t import_id;        /* 0 for network input */
	int pending;              /* several collectors: stored for the one that
	                           * derives (store_deriving() is 0 here) */
};

/* A line another collector stored, for the one that derives. */
struct store_pending {
	int64_t message_id, recv_us, device_us;   /* device_us INT64_MIN: none */
	int flags, transport;
	const char *raw;
	size_t raw_len;
	const char *sender;       /* "ip:port", or NULL */
};

struct store;

#define STORE_RDONLY  0x01

/* Opens (creating if needed) and migrates.  Returns 0 or -1 with err. */
int store_open(const char *path, int flags, struct store **out, char *err, size_t errsz);
void store_close(struct store *st);
/* The SQLite handle; NULL on PostgreSQL. */
sqlite3 *store_db(struct store *st);
/* 1 when the store is on PostgreSQL. */
int store_is_postgres(const struct store *st);
/*
 * The one-writer rule on PostgreSQL: takes a session-level advisory lock
 * (pg_try_advisory_lock(7478, 1)) for command ("serve", "import"), taken
 * again on the first transaction after the session was re-established.
 * Returns 0, or -1 with err naming the holder.  On SQLite a no-op (DB.lock,
 * base/dblock.h, does it).
 */
int store_lock_writer(struct store *st, const char *command, char *err, size_t errsz);
/*
 * Several collectors on one PostgreSQL database (docs/scale-out.md): for
 * "serve", the lock above is the derive lock and another holder is no
 * refusal: this collector then stores what it receives with pending set,
 * and tries to take the lock once a second (in store_begin).  1 while this
 * session holds it — or on SQLite, or for import, which always derive.
 */
int store_deriving(const struct store *st);
/* The same try outside a transaction, for a collector with nothing to
 * store (an idle storer must still take over). */
void store_try_derive(struct store *st);
/*
 * The deriving collector's pass over the lines other collectors stored:
 * up to STORE_PENDING_MAX pending rows, oldest first.  A row whose twin
 * (the same line) was derived, or is pending with a smaller id, is
 * deleted; cb(arg, row) derives each other one, which is then marked
 * derived.  Inside the caller's transaction; PostgreSQL only (a no-op
 * elsewhere, or when not deriving).  Returns SQLITE_OK or the first error
 * (cb's included).
 */
int store_pending_scan(struct store *st, int (*cb)(void *arg,
    const struct store_pending *p), void *arg, size_t *n_derived, size_t *n_dropped);
/* The same connection through storage/db.h (owned by the store). */
struct db *store_dbh(struct store *st);

/* Transactions.  Return SQLITE_OK or the failing result code.  On
 * PostgreSQL the message rows of a transaction go in multi-row inserts,
 * the last of them at commit, which can therefore fail as an insert
 * would. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/*
 * Hands this connection's WAL checkpoints to a background checkpointer
 * (storage/checkpoint.h): turns SQLite's auto-checkpoint off, and lets
 * store_commit() call ckpt_after_commit(c) after each commit.  c must
 * outlive st (stop it after store_close()).  c == NULL restores the
 * auto-checkpoint.  Call it before the store is handed to another thread.
 */
void store_use_checkpointer(struct store *st, struct ckpt *c);

/* Inserts one message row; *id gets its message_id, or 0 when the line
 * was not stored because another collector had stored it (several
 * collectors only).  Returns an SQLite result code (SQLITE_DONE on
 * success is mapped to SQLITE_OK). */
int store_insert_message(struct store *st, const struct store_msg_meta *meta,
    const struct ingest_row *row, int64_t *id);

/* PostgreSQL: on (1), every message row is its own statement, so that a
 * failing row is known (the writer's replay of a batch that failed in a
 * multi-row insert); off again after the batch.  No-op elsewhere. */
void store_set_careful(struct store *st, int on);
int store_careful(const struct store *st);

/* Several collectors: lines not stored in the transactions committed
 * since the last call because another collector had stored them (those
 * store_insert_message gave id 0 for are the caller's to count). */
uint64_t store_take_duplicates(struct store *st);

/* 1 for errors worth retrying the whole batch on (busy, locked, full, I/O). */
int store_is_transient(int rc);

/* Counters and per-sender totals, inside the caller's transaction. */
int store_write_stat(struct store *st, int64_t at_us, const char *name, int64_t value);
int store_add_sender(struct store *st, const char *ip, int64_t received,
    int64_t unparsed, int64_t truncated, int64_t first_us, int64_t last_us,
    const char *hostname, int64_t forged, const char *peer, int transport);

/*
 * The RELP lines stored last (transport 5), oldest first: cb(arg, sender
 * "IP:PORT", raw, len) for each of those among the newest max_rows rows
 * of messages (a bounded look back, by rowid).  For the RELP resend check
 * after a restart (server/relp_dedup.h).  Returns SQLITE_OK or the error.
 */
int store_relp_tail(struct store *st, int64_t max_rows,
    void (*cb)(void *arg, const char *sender, const char *raw, size_t len), void *arg);

/* meta key/value. */
int store_meta_get_int(struct store *st, const char *key, int64_t *out);
int store_meta_set_int(struct store *st, const char *key, int64_t v);
int store_meta_set_text(struct store *st, const char *key, const char *text);

#endif
