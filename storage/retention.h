/*
 * retention.h — pruning old rows in small steps, between the writer's
 * batches, so ingestion never waits long behind a big DELETE.
 *
 * Raw messages go after retention_messages (by receive time, found through
 * receive_marks, in message_id order); events, incidents with their evidence (which keeps
 * its own copy of each line) and fleet events after retention_events.
 */
#ifndef TW_RETENTION_H
#define TW_RETENTION_H

#include "config.h"
#include "store.h"

#include <stdint.h>

/* Rows a single step may delete per table. */
#define RETENTION_STEP_ROWS 20000

/*
 * One step in its own transaction (the caller holds none).  *more is set
 * when old rows remain, so the caller can come back soon.  Returns
 * SQLITE_OK or an SQLite error (the step was rolled back).
 */
int retention_step(struct store *st, const struct config *cfg, int64_t now_us,
    int *more, uint64_t *deleted);

#endif
