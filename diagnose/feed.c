/*
 * feed.c — per-tunnel event queues for the correlator (see feed.h).
 *
 * Tunnels are found through an open-addressing table of slots, never
 * removed (one per tunnel the collector has seen since it started, ~48
 * bytes each); a slot's queue is a sorted array, grown by doubling.
 * Events of one tunnel come almost in order, so an insertion sort from
 * the end costs one comparison each.  A taken prefix is removed lazily,
 * at the next call, so the pointer handed out stays valid meanwhile.
 */
#include "feed.h"

#include <stdlib.h>
#include <string.h>

struct feed_slot {
	int64_t tunnel_id;            /* 0 = free */
	int complete;
	size_t n, cap, taken;         /* taken: a prefix handed out, to drop */
	struct feed_ev *v;
};

struct feed {
	struct feed_slot *slots;
	size_t cap, used;             /* slots: a power of two; used ones */
	size_t total, max_events;
};

struct feed *
feed_new(size_t max_events)
{
	struct feed *f = calloc(1, sizeof *f);

	if (f == NULL)
		return NULL;
	f->cap = 1024;
	if ((f->slots = calloc(f->cap, sizeof *f->slots)) == NULL) {
		free(f);
		return NULL;
	}
	f->max_events = max_events;
	return f;
}

void
feed_free(struct feed *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->cap; i++)
		free(f->slots[i].v);
	free(f->slots);
	free(f);
}

static size_t
feed_hash(int64_t id, size_t cap)
{
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static struct feed_slot *
feed_find(const struct feed *f, int64_t id)
{
	size_t i;

	for (i = feed_hash(id, f->cap);; i = (i + 1) & (f->cap - 1)) {
		if (f->slots[i].tunnel_id == id)
			return &f->slots[i];
		if (f->slots[i].tunnel_id == 0)
			return NULL;
	}
}

/* The tunnel's slot, made when new; NULL when out of memory. */
static struct feed_slot *
feed_slot(struct feed *f, int64_t id)
{
	struct feed_slot *s;
	size_t i;

	if ((s = feed_find(f, id)) != NULL)
		return s;
	if ((f->used + 1) * 10 > f->cap * 7) {
		struct feed_slot *old = f->slots, *grown;
		size_t oldcap = f->cap, j;
		if ((grown = calloc(oldcap * 2, sizeof *grown)) == NULL)
			return NULL;
		f->slots = grown;
		f->cap = oldcap * 2;
		for (j = 0; j < oldcap; j++) {
			if (old[j].tunnel_id == 0)
				continue;
			for (i = feed_hash(old[j].tunnel_id, f->cap); f->slots[i].tunnel_id != 0;
			    i = (i + 1) & (f->cap - 1))
				;
			f->slots[i] = old[j];
		}
		free(old);
	}
	for (i = feed_hash(id, f->cap); f->slots[i].tunnel_id != 0; i = (i + 1) & (f->cap - 1))
		;
	s = &f->slots[i];
	s->tunnel_id = id;
	f->used++;
	return s;
}

/* Drops the prefix handed out by the last feed_take. */
static void
feed_compact(struct feed *f, struct feed_slot *s)
{
	if (s->taken == 0)
		return;
	memmove(s->v, s->v + s->taken, (s->n - s->taken) * sizeof *s->v);
	s->n -= s->taken;
	f->total -= s->taken;
	s->taken = 0;
}

static void
feed_empty(struct feed *f, struct feed_slot *s)
{
	f->total -= s->n;
	free(s->v);
	s->v = NULL;
	s->n = s->cap = s->taken = 0;
	s->complete = 0;
}

static int
feed_before(const struct feed_ev *a, int64_t us, int64_t id)
{
	return a->ev.us < us || (a->ev.us == us && a->event_id < id);
}

void
feed_push(struct feed *f, int64_t tunnel_id, int64_t event_id, const struct tm_event *ev)
{
	struct feed_slot *s = feed_slot(f, tunnel_id);
	size_t at;

	if (s == NULL)
		return;               /* out of memory: never complete, read back */
	feed_compact(f, s);
	if (s->n >= FEED_TUNNEL_MAX || f->total >= f->max_events) {
		feed_empty(f, s);     /* over its bounds: read back from the database */
		return;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap == 0 ? 16 : s->cap * 2;
		struct feed_ev *v = realloc(s->v, cap * sizeof *v);
		if (v == NULL) {
			feed_empty(f, s);
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	for (at = s->n; at > 0 && !feed_before(&s->v[at - 1], ev->us, event_id); at--)
		;
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
	s->v[at].event_id = event_id;
	s->v[at].ev = *ev;
	s->n++;
	f->total++;
}

void
feed_born(struct feed *f, int64_t tunnel_id)
{
	struct feed_slot *s = feed_slot(f, tunnel_id);

	if (s != NULL && s->n == 0)
		s->complete = 1;
}

void
feed_gap(struct feed *f, int64_t tunnel_id)
{
	struct feed_slot *s = feed_find(f, tunnel_id);

	if (s != NULL)
		s->complete = 0;
}

void
feed_clear(struct feed *f)
{
	size_t i;

	for (i = 0; i < f->cap; i++)
		if (f->slots[i].tunnel_id != 0)
			feed_empty(f, &f->slots[i]);
}

int
feed_complete(const struct feed *f, int64_t tunnel_id)
{
	const struct feed_slot *s = feed_find(f, tunnel_id);

	return s != NULL && s->complete;
}

/* The index of the first queued event after the cursor. */
static size_t
feed_first_after(const struct feed_slot *s, int64_t cur_us, int64_t cur_id)
{
	size_t i = 0;

	while (i < s->n && (s->v[i].ev.us < cur_us ||
	    (s->v[i].ev.us == cur_us && s->v[i].event_id <= cur_id)))
		i++;
	return i;
}

size_t
feed_after(const struct feed *f, int64_t tunnel_id, int64_t cur_us, int64_t cur_id)
{
	const struct feed_slot *s = feed_find(f, tunnel_id);
	size_t i;

	if (s == NULL)
		return 0;
	/* A prefix handed out is behind the cursor by now. */
	i = feed_first_after(s, cur_us, cur_id);
	return s->n - (i > s->taken ? i : s->taken);
}

void
feed_sync(struct feed *f, int64_t tunnel_id, int64_t cur_us, int64_t cur_id,
    int64_t db_after)
{
	struct feed_slot *s = feed_slot(f, tunnel_id);

	if (s == NULL)
		return;
	feed_compact(f, s);
	s->taken = feed_first_after(s, cur_us, cur_id);
	feed_compact(f, s);
	s->complete = db_after >= 0 && (size_t)db_after == s->n;
}

size_t
feed_take(struct feed *f, int64_t tunnel_id, int64_t cur_us, int64_t cur_id,
    int64_t cutoff, const struct feed_ev **out)
{
	struct feed_slot *s = feed_find(f, tunnel_id);
	size_t i, j;

	*out = NULL;
	if (s == NULL || s->n == 0)
		return 0;             /* (an empty queue has no array yet) */
	feed_compact(f, s);
	i = feed_first_after(s, cur_us, cur_id);
	for (j = i; j < s->n && s->v[j].ev.us <= cutoff; j++)
		;
	/* Events at or before the cursor go with the ones handed out. */
	memmove(s->v, s->v + i, (s->n - i) * sizeof *s->v);
	s->n -= i;
	f->total -= i;
	s->taken = j - i;
	*out = s->v;
	return j - i;
}

size_t
feed_size(const struct feed *f)
{
	return f->total;
}
