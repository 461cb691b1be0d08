/*
 * watch.h — the alert watcher of `serve`: a thread ("tw-alerts") with its
 * own read-only SQLite connection that looks at the incidents, fleet
 * events and flapping tunnels as stored every alerts.interval, lets the
 * engine (engine.h) decide, and queues the documents (payload.h) for the
 * delivery workers (deliver.h).  It never writes: what it has said is
 * handed to the writer thread (writer_post_meta, key "alert.state"), which
 * saves it between batches, so a restart neither repeats nor misses an
 * alert (docs/alerts.md, "Restarts").
 */
#ifndef TW_ALERT_WATCH_H
#define TW_ALERT_WATCH_H

#include "config.h"
#include "counters.h"
#include "writer.h"

struct alert_watch;

/* Starts the watcher and the delivery workers when cfg has alert
 * destinations (*out stays NULL when it has none).  Returns 0 or -1. */
int alert_watch_start(const struct config *cfg, struct counters *ctr, struct writer *w,
    struct alert_watch **out, char *err, size_t errsz);
/* Stops the watcher, then gives the workers up to shutdown_grace to
 * deliver what is queued.  Before writer_join, so the last state is saved. */
void alert_watch_stop(struct alert_watch *aw);

#endif
