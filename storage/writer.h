/*
 * writer.h — the writer thread: the only user of the serve command's
 * SQLite connection.
 *
 * It starts the prepare stage (parse/prepare.c), which parses the queue's
 * chunks on its own thread, pops the parsed chunks, inserts each message's
 * row and event (storage/resolve.c), committing every batch_rows rows or
 * flush_interval, whichever comes first (five-fold while behind).  Chunks go back to the queue only
 * after their transaction committed; when a commit fails for a transient
 * reason (busy, disk full, I/O) the batch is rolled back and replayed with
 * back-off, so nothing accepted is lost while the queue (and with it, TCP
 * backpressure and counted UDP drops) absorbs the stall.  Once a stats
 * interval it writes the counters and the per-sender totals.
 */
#ifndef TW_WRITER_H
#define TW_WRITER_H

#include "config.h"
#include "counters.h"
#include "msgqueue.h"
#include "store.h"

struct writer;

/* Starts the thread; it takes ownership of st.  Returns 0 or -1. */
int writer_start(const struct config *cfg, struct store *st, struct mq *q,
    struct counters *ctr, struct writer **out);
/* util_mono_us() of the thread's last sign of life: a turn of its loop
 * (at least once a second) or of a commit's retry.  For the watchdog
 * (cmd/serve.c): a writer stuck in one call stops renewing it. */
int64_t writer_alive_us(struct writer *w);
/* 1 while this collector derives (resolves and decides: always on SQLite;
 * on PostgreSQL while it holds the derive lock, docs/scale-out.md), for
 * the alert watcher, which speaks only for the deriving collector. */
const _Atomic int *writer_deriving(const struct writer *w);

/*
 * Hands the writer a value for the meta table from another thread (the
 * alert watcher's state, alert/watch.c): copied; saved between batches
 * at most once per correlate_interval, and at exit.  A newer value for
 * the same key replaces one not yet saved.  One key at a time.
 */
void writer_post_meta(struct writer *w, const char *key, const char *text);
/* Waits for the thread to drain the (closed) queue, then closes the store. */
void writer_join(struct writer *w);

#endif
