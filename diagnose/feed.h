/*
 * feed.h — the correlator's in-memory feed: each tunnel's events as the
 * resolver stored them, waiting, in (device time, event id) order, for the
 * correlator to step the tunnel's machine on them (storage/correlator.c).
 * It is what lets the correlator decide from memory instead of reading
 * its events back from the database and parsing their lines again.
 *
 * A tunnel's queue is "complete" when it holds every event of the tunnel
 * after the machine's cursor; only then may the correlator use it alone.
 * Anything that changes a tunnel's events behind the feed's back (an
 * event tied to the tunnel after its transaction committed, a merge, a
 * rollback), a queue over its bounds, and a collector that has just
 * started make it incomplete: the correlator then reads the database, as
 * before, and marks the queue complete again when its count proves it.
 *
 * Bounded: at most FEED_TUNNEL_MAX events per tunnel and max_events in
 * all; beyond either, the tunnel's queue is dropped (incomplete).  Pure:
 * no I/O, no globals.
 */
#ifndef TW_FEED_H
#define TW_FEED_H

#include "tm_event.h"

#include <stddef.h>
#include <stdint.h>

#define FEED_TUNNEL_MAX 8192

struct feed_ev {
	int64_t event_id;
	struct tm_event ev;
};

struct feed;

/* NULL when out of memory. */
struct feed *feed_new(size_t max_events);
void feed_free(struct feed *f);

/* The tunnel's event event_id (its device time in ev->us). */
void feed_push(struct feed *f, int64_t tunnel_id, int64_t event_id, const struct tm_event *ev);
/* A tunnel created just now: its queue (empty) is complete. */
void feed_born(struct feed *f, int64_t tunnel_id);
/* The tunnel's events changed elsewhere: its queue is incomplete. */
void feed_gap(struct feed *f, int64_t tunnel_id);
/* Every queue emptied and incomplete (a rollback, a restart of the pass). */
void feed_clear(struct feed *f);

int feed_complete(const struct feed *f, int64_t tunnel_id);
/* The correlator read the tunnel from the database up to its cursor
 * (cur_us, cur_id): events at or before it leave the queue, and the
 * queue becomes complete when it holds db_after events, the number the
 * database has after the cursor. */
void feed_sync(struct feed *f, int64_t tunnel_id, int64_t cur_us, int64_t cur_id,
    int64_t db_after);
/* Events queued after the cursor (for feed_sync's caller). */
size_t feed_after(const struct feed *f, int64_t tunnel_id, int64_t cur_us, int64_t cur_id);

/*
 * The tunnel's events after the cursor up to device time cutoff, in
 * order: *out points at them (valid until the next call on f) and the
 * count is returned; they leave the queue at the next call.  Events at or
 * before the cursor are dropped.
 */
size_t feed_take(struct feed *f, int64_t tunnel_id, int64_t cur_us, int64_t cur_id,
    int64_t cutoff, const struct feed_ev **out);

/* Events queued in all, for counters. */
size_t feed_size(const struct feed *f);

#endif
