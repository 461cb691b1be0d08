/*
 * checkpoint.h — the background WAL checkpointer (prefix ckpt_).
 *
 * In WAL mode every commit appends pages to the -wal file, and a checkpoint
 * copies them back into the database so that the WAL can start over.
 * SQLite's auto-checkpoint does that inside the committing thread — in
 * `serve`, the writer, which is the collector's bottleneck.  The
 * checkpointer does it on its own thread with its own connection to the
 * same file: a PASSIVE checkpoint every interval (200 ms), which never
 * waits for and never blocks the writer or readers.  The writer's
 * connection then runs with auto-checkpoint off (store_use_checkpointer()).
 *
 * Bounding the WAL.  A PASSIVE checkpoint copies pages but cannot reset the
 * WAL: SQLite restarts it from its beginning only when a writer begins a
 * transaction while everything in it has been copied.  A writer that is
 * never idle always has its last commit not yet copied, so the WAL would
 * grow for ever under a constant load.  When the pages in the WAL exceed
 * wal_max_bytes (64 MiB), the checkpointer
 *   1. tries a TRUNCATE checkpoint without waiting (it succeeds when the
 *      writer is between transactions and no reader is in the WAL, and
 *      shrinks the file to zero), and otherwise
 *   2. asks the writer: right after its next commit, ckpt_after_commit()
 *      runs one PASSIVE checkpoint on the writer's connection — only the
 *      pages committed since the last background pass — so that its next
 *      transaction starts the WAL over.  That costs the writer one small
 *      checkpoint per wal_max_bytes of WAL instead of one per 40 MiB.
 * A reader that holds an old snapshot (a long SELECT) keeps any checkpoint
 * from copying past it; then nothing can be done but wait, and the
 * checkpointer says so in a rate-limited warning.
 *
 * Counters (counters.h): db_checkpoints (background passes that copied
 * pages), db_wal_resets (the WAL taken back to its start because it
 * exceeded wal_max_bytes).
 */
#ifndef TW_CHECKPOINT_H
#define TW_CHECKPOINT_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

struct ckpt;
struct counters;

#define CKPT_INTERVAL_US      (200 * 1000LL)
#define CKPT_WAL_MAX_BYTES    (64LL * 1024 * 1024)
#define CKPT_STOP_TIMEOUT_MS  2000      /* final TRUNCATE: wait for readers */

struct ckpt_opts {
	int64_t interval_us;        /* between passive checkpoints; 0: default */
	int64_t wal_max_bytes;      /* WAL pages beyond this: reset it; 0: default */
};

struct ckpt_stats {
	uint64_t passes;            /* background checkpoints run */
	uint64_t checkpoints;       /* ... of which copied pages */
	uint64_t truncates;         /* TRUNCATE checkpoints that succeeded */
	uint64_t writer_resets;     /* resets done by the writer's connection */
	uint64_t pinned;            /* passes over the bound that could not copy
	                             * everything: a reader's snapshot (or, for
	                             * a moment, the writer's own) */
	int64_t wal_frames;         /* pages in the WAL at the last pass */
	int64_t wal_max_frames_seen;
};

/*
 * Opens a second connection to the database at path (which must exist and
 * be in WAL mode: store_open() it first) and starts the thread.  opts may
 * be NULL for the defaults; ctr may be NULL (no counters).  Returns 0 and
 * *out, or -1 with err (nothing started).  The caller owns *out and frees
 * it with ckpt_stop().
 */
int ckpt_start(const char *path, const struct ckpt_opts *opts,
    struct counters *ctr, struct ckpt **out, char *err, size_t errsz);

/* Runs a pass now instead of at the next interval.  Thread-safe. */
void ckpt_wake(struct ckpt *c);

/*
 * Called by the writer's thread right after each successful COMMIT on db
 * (store_commit() does it once store_use_checkpointer() attached c).  One
 * atomic load, unless the checkpointer asked for a reset: then one PASSIVE
 * checkpoint on db (never waits).
 */
void ckpt_after_commit(struct ckpt *c, sqlite3 *db);

/* A snapshot of the statistics.  Thread-safe. */
void ckpt_get_stats(struct ckpt *c, struct ckpt_stats *out);

/*
 * Stops and joins the thread, then runs a final TRUNCATE checkpoint
 * (waiting up to CKPT_STOP_TIMEOUT_MS for readers) and closes the
 * connection; call it after the writer's connection is closed.  Returns 0
 * when the WAL was emptied, -1 if not (logged; the data is safe either
 * way).  c may be NULL.  Frees c.
 */
int ckpt_stop(struct ckpt *c);

#endif
