/*
 * watch.h — the alert watcher of `serve`: a thread ("tw-alerts") with its
 * own read connection (storage/db.h: SQLite or PostgreSQL) that looks at
 * the incidents, fleet events and flapping tunnels as stored every
 * alerts.interval, lets the engine (engine.h) decide, and queues the
 * documents (payload.h) for the delivery workers (deliver.h).  It never
 * writes: what it has said is handed to the writer thread
 * (writer_post_meta, key "alert.state"), which saves it between batches,
 * so a restart neither repeats nor misses an alert (docs/alerts.md,
 * "Restarts").
 */
#ifndef TW_ALERT_WATCH_H
#define TW_ALERT_WATCH_H

#include "config.h"
#include "counters.h"
#include "writer.h"

struct alert_watch;

/*
 * Starts the watcher and the delivery workers when cfg has alert
 * destinations (*out stays NULL when it has none).  Returns 0 or -1.
 * w gets the state to save (NULL: not saved, for tests).  active is the
 * gate: NULL, always active (one collector); else the watcher reads and
 * delivers only while *active is 1 (this collector decides incidents),
 * looks at it once a second, and each time it turns 1 starts over from
 * the state saved in meta 'alert.state'.  *active must outlive the
 * watcher.
 */
int alert_watch_start(const struct config *cfg, struct counters *ctr, struct writer *w,
    const _Atomic int *active, struct alert_watch **out, char *err, size_t errsz);
/* Stops the watcher, then gives the workers up to shutdown_grace to
 * deliver what is queued.  Before writer_join, so the last state is saved. */
void alert_watch_stop(struct alert_watch *aw);

#endif
