/*
 * msgqueue.c — chunked, bounded, single-producer single-consumer queue.
 * See msgqueue.h for the design.
 */
#include "msgqueue.h"
#include "log.h"
#include "spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MQ_ALIGN(n)      (((n) + 7) & ~(size_t)7)

int
mq_init(struct mq *q, size_t max_bytes, uint64_t max_msgs, uv_async_t *space_async)
{
	pthread_condattr_t ca;

	memset(q, 0, sizeof *q);
	if (pthread_mutex_init(&q->prod_mtx, NULL) != 0)
		return -1;
	q->max_bytes = max_bytes < 4 * MQ_CHUNK_SIZE ? 4 * MQ_CHUNK_SIZE : max_bytes;
	q->max_msgs = max_msgs == 0 ? UINT64_MAX : max_msgs;
	q->space_async = space_async;
	spool_reader_init(&q->reader);
	if (pthread_mutex_init(&q->mtx, NULL) != 0)
		return -1;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&q->cond, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&q->mtx);
		return -1;
	}
	if (pthread_cond_init(&q->space_cond, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		pthread_cond_destroy(&q->cond);
		pthread_mutex_destroy(&q->mtx);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

static void
mq_free_list(struct mq_chunk *c)
{
	while (c != NULL) {
		struct mq_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void
mq_destroy(struct mq *q)
{
	mq_free_list(q->head);
	mq_free_list(q->free);
	free(q->cur);
	spool_reader_close(&q->reader);
	pthread_cond_destroy(&q->cond);
	pthread_cond_destroy(&q->space_cond);
	pthread_mutex_destroy(&q->mtx);
	pthread_mutex_destroy(&q->prod_mtx);
}

void
mq_set_spool(struct mq *q, struct spool *sp)
{
	q->spool = sp;
}

void
mq_producer_lock(struct mq *q)
{
	pthread_mutex_lock(&q->prod_mtx);
}

void
mq_producer_unlock(struct mq *q)
{
	pthread_mutex_unlock(&q->prod_mtx);
}

/* Producer side, before publishing: the chunk goes to the spool.  0, or
 * -1 when it could not be written (counted by the spool). */
static int
mq_spool_chunk(struct mq *q, struct mq_chunk *c)
{
	if (q->spool == NULL)
		return 0;
	q->spool_failing = spool_append(q->spool, c->buf, c->used, c->count,
	    &c->spool_seq) != 0;
	if (q->spool_failing)
		c->spool_seq = 0;       /* in memory only */
	return q->spool_failing ? -1 : 0;
}

/* Called locked by the producer: whether a chunk may be taken past the
 * memory limits, since it will wait in the spool, not in memory. */
static int
mq_may_spill_locked(struct mq *q)
{
	return q->spool != NULL && !q->spool_failing && !spool_full(q->spool);
}

/* Called locked: a chunk no longer needed goes to the free list while
 * chunks in use and spare together stay within max_bytes, else it is
 * freed.  Reusing chunks, rather than freeing them on one thread and
 * allocating them on another, keeps glibc's arenas from holding on to
 * what was freed (a UDP overload with the spill: peak RSS 457 MiB with a
 * 64-chunk free list, see docs/performance.md). */
static void
mq_recycle_locked(struct mq *q, struct mq_chunk *c)
{
	q->bytes -= c->cap;
	c->spool_seq = 0;
	if (c->cap == MQ_CHUNK_SIZE &&
	    q->bytes + (q->nfree + 1) * MQ_CHUNK_SIZE <= q->max_bytes) {
		c->next = q->free;
		q->free = c;
		q->nfree++;
	} else {
		free(c);
	}
}

/* Called with the lock held: an empty chunk of capacity cap, from the
 * free list when standard-sized, counted in bytes; NULL when out of
 * memory. */
static struct mq_chunk *
mq_alloc_chunk_locked(struct mq *q, size_t cap)
{
	struct mq_chunk *c;

	if (cap == MQ_CHUNK_SIZE && q->free != NULL) {
		c = q->free;
		q->free = c->next;
		q->nfree--;
	} else if ((c = malloc(sizeof *c + cap)) == NULL) {
		return NULL;
	} else {
		c->cap = cap;
	}
	c->next = NULL;
	c->used = 0;
	c->count = 0;
	c->spool_seq = 0;
	q->bytes += c->cap;
	return c;
}

/* Called with the lock held: a chunk able to hold need bytes, or NULL. */
static struct mq_chunk *
mq_get_chunk_locked(struct mq *q, size_t need)
{
	size_t cap = need > MQ_CHUNK_SIZE ? need : MQ_CHUNK_SIZE;

	if ((q->bytes + cap > q->max_bytes || q->msgs >= q->max_msgs) &&
	    !mq_may_spill_locked(q))
		return NULL;
	return mq_alloc_chunk_locked(q, cap);
}

static void
mq_publish_locked(struct mq *q, struct mq_chunk *c)
{
	if (q->tail != NULL)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
	q->msgs += c->count;
	pthread_cond_signal(&q->cond);
}

/*
 * Called locked: a chunk the producer is done with goes to the consumer
 * in memory or, while memory is over its limits (or earlier chunks are
 * still on disk only, whose order it must keep), through the spool only:
 * its memory is given back at once and mq_pop reads it back in turn.
 */
static void
mq_hand_off_locked(struct mq *q, struct mq_chunk *c)
{
	if (c->spool_seq != 0 && (q->spill_on || q->bytes > q->max_bytes ||
	    q->msgs + c->count > q->max_msgs)) {
		if (!q->spill_on) {
			q->spill_on = 1;
			q->spill_next = c->spool_seq;
		}
		q->spill_last = c->spool_seq;
		q->spill_msgs += c->count;
		mq_recycle_locked(q, c);
		pthread_cond_signal(&q->cond);
		return;
	}
	mq_publish_locked(q, c);
}

struct mq_msg *
mq_reserve(struct mq *q, size_t len, size_t ident_len)
{
	size_t need = MQ_ALIGN(sizeof(struct mq_msg) + len + ident_len);
	struct mq_chunk *c = q->cur;
	struct mq_msg *m;

	if (c == NULL || c->cap - c->used < need) {
		/* A write error is counted by the spool; mq_flush reports it. */
		if (c != NULL && c->count > 0 && mq_spool_chunk(q, c) != 0)
			q->spool_failed = 1;
		pthread_mutex_lock(&q->mtx);
		if (c != NULL) {
			if (c->count > 0)
				mq_hand_off_locked(q, c);
			else {
				q->bytes -= c->cap;
				free(c);
			}
			q->cur = NULL;
		}
		c = mq_get_chunk_locked(q, need);
		if (c == NULL)
			q->producer_blocked = 1;
		pthread_mutex_unlock(&q->mtx);
		if (c == NULL)
			return NULL;
		q->cur = c;
	}
	m = (struct mq_msg *)(c->buf + c->used);
	memset(m, 0, sizeof *m);
	m->len = (uint32_t)len;
	m->ident_len = (uint16_t)ident_len;
	return m;
}

void
mq_commit(struct mq *q, struct mq_msg *m)
{
	struct mq_chunk *c = q->cur;

	c->used += MQ_ALIGN(sizeof *m + m->len + m->ident_len);
	c->count++;
}

int
mq_flush(struct mq *q)
{
	struct mq_chunk *c = q->cur;
	int rc = q->spool_failed ? -1 : 0;

	q->spool_failed = 0;
	if (c == NULL || c->count == 0)
		return rc;
	/* A trickle publishes chunks nearly empty: shrink them, so the byte
	 * limit counts messages, not 64 KiB slabs. */
	if (c->used < c->cap / 4) {
		struct mq_chunk *s = realloc(c, sizeof *c + c->used);
		if (s != NULL) {
			pthread_mutex_lock(&q->mtx);
			q->bytes -= s->cap - s->used;
			pthread_mutex_unlock(&q->mtx);
			s->cap = s->used;
			q->cur = c = s;
		}
	}
	if (mq_spool_chunk(q, c) != 0)
		rc = -1;
	pthread_mutex_lock(&q->mtx);
	mq_hand_off_locked(q, c);
	q->cur = NULL;
	pthread_mutex_unlock(&q->mtx);
	return rc;
}

void
mq_mark_blocked(struct mq *q)
{
	pthread_mutex_lock(&q->mtx);
	q->producer_blocked = 1;
	pthread_mutex_unlock(&q->mtx);
}

int
mq_push_chunk(struct mq *q, const char *payload, size_t len, uint64_t count,
    uint64_t spool_seq)
{
	size_t cap = len > MQ_CHUNK_SIZE ? len : MQ_CHUNK_SIZE;
	struct mq_chunk *c = malloc(sizeof *c + cap);

	if (c == NULL)
		return -1;
	c->next = NULL;
	c->cap = cap;
	c->used = len;
	c->count = count;
	c->spool_seq = spool_seq;
	memcpy(c->buf, payload, len);
	pthread_mutex_lock(&q->mtx);
	/* Room for it, or an empty queue (a chunk larger than the limit). */
	while (!q->closed && q->bytes > 0 && (q->bytes + cap > q->max_bytes ||
	    q->msgs + count > q->max_msgs))
		pthread_cond_wait(&q->space_cond, &q->mtx);
	if (q->closed) {
		pthread_mutex_unlock(&q->mtx);
		free(c);
		return -1;
	}
	q->bytes += cap;
	mq_publish_locked(q, c);
	pthread_mutex_unlock(&q->mtx);
	return 0;
}

void
mq_adopt_spilled(struct mq *q, uint64_t first, uint64_t last, uint64_t msgs)
{
	pthread_mutex_lock(&q->mtx);
	if (!q->spill_on) {
		q->spill_on = 1;
		q->spill_next = first;
	}
	if (last > q->spill_last)
		q->spill_last = last;
	q->spill_msgs += msgs;
	pthread_cond_signal(&q->cond);
	pthread_mutex_unlock(&q->mtx);
}

int
mq_full(struct mq *q)
{
	int full;

	pthread_mutex_lock(&q->mtx);
	full = q->bytes + MQ_CHUNK_SIZE > q->max_bytes || q->msgs >= q->max_msgs;
	if (full)
		q->producer_blocked = 1;
	pthread_mutex_unlock(&q->mtx);
	return full;
}

void
mq_close(struct mq *q)
{
	mq_producer_lock(q);
	(void)mq_flush(q);
	mq_producer_unlock(q);
	pthread_mutex_lock(&q->mtx);
	q->closed = 1;
	pthread_cond_broadcast(&q->cond);
	pthread_cond_broadcast(&q->space_cond);
	pthread_mutex_unlock(&q->mtx);
}

/*
 * Called locked by the consumer while chunks are spilled: reads the next
 * one back from the spool (unlocked meanwhile, so the producer goes on).
 * Returns 1 with *out set, 0 when it moved on without a chunk (records
 * lost to a read error, counted by the spool), -1 when it could not (out
 * of memory: try again later).
 */
static int
mq_unspill_locked(struct mq *q, struct mq_chunk **out)
{
	uint64_t next = q->spill_next, last = q->spill_last, seq = 0, count = 0;
	const char *payload = NULL;
	struct mq_chunk *c = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	pthread_mutex_unlock(&q->mtx);
	rc = spool_read(q->spool, &q->reader, next, last, &payload, &len, &seq, &count);
	pthread_mutex_lock(&q->mtx);
	if (rc == 1 && !mq_payload_ok(payload, len, count)) {
		/* Its CRC held, so this process wrote it so: not expected. */
		log_warnx("spool: record %llu read back does not hold messages; skipped",
		    (unsigned long long)seq);
		q->spill_next = seq + 1;
	} else if (rc == 1) {
		if ((c = mq_alloc_chunk_locked(q, len > MQ_CHUNK_SIZE ? len :
		    MQ_CHUNK_SIZE)) == NULL)
			return -1;      /* read again next time */
		c->used = len;
		c->count = count;
		c->spool_seq = seq;
		memcpy(c->buf, payload, len);
		q->msgs += count;
		q->spill_msgs -= count < q->spill_msgs ? count : q->spill_msgs;
		q->spill_next = seq + 1;
		*out = c;
	} else if (rc == 0) {
		/* Nothing readable up to last (its segment went): lost. */
		q->spill_next = last + 1;
	}
	/* rc < 0: the reader skipped what it could not read and goes on from
	 * there; with no segment it can open, the rest is lost. */
	if (rc < 0 && q->reader.fd < 0)
		q->spill_next = last + 1;
	else if (rc < 0 && q->reader.last_seq + 1 > q->spill_next)
		q->spill_next = q->reader.last_seq + 1;
	if (q->spill_next > q->spill_last) {
		q->spill_on = 0;
		q->spill_msgs = 0;
	}
	return *out != NULL ? 1 : 0;
}

struct mq_chunk *
mq_pop(struct mq *q, int64_t timeout_us, int *closed)
{
	struct mq_chunk *c;
	struct timespec ts;
	int timed_out = 0;

	*closed = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_us / 1000000;
	ts.tv_nsec += (timeout_us % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&q->mtx);
	for (;;) {
		if ((c = q->head) != NULL) {
			q->head = c->next;
			if (q->head == NULL)
				q->tail = NULL;
			c->next = NULL;
			break;
		}
		/* Memory is drained: the spilled chunks come next, then
		 * whatever the producer hands off after them.  Once closed
		 * (shutdown) they stay in the spool, uncommitted: the next
		 * start replays them, so a long backlog does not hold the
		 * stop up. */
		if (q->spill_on && !q->closed) {
			int rc = mq_unspill_locked(q, &c);
			if (rc > 0)
				break;
			if (rc == 0)
				continue;
		}
		if (q->closed) {
			*closed = 1;
			break;
		}
		if (timed_out)
			break;
		if (pthread_cond_timedwait(&q->cond, &q->mtx, &ts) == ETIMEDOUT)
			timed_out = 1;
	}
	pthread_mutex_unlock(&q->mtx);
	return c;
}

void
mq_release(struct mq *q, struct mq_chunk *c)
{
	int wake;

	pthread_mutex_lock(&q->mtx);
	q->msgs -= c->count;
	mq_recycle_locked(q, c);
	wake = q->producer_blocked;
	q->producer_blocked = 0;
	pthread_cond_broadcast(&q->space_cond);
	pthread_mutex_unlock(&q->mtx);
	if (wake && q->space_async != NULL)
		uv_async_send(q->space_async);
}

int
mq_payload_ok(const char *payload, size_t len, uint64_t count)
{
	size_t pos = 0;
	uint64_t n = 0;

	while (pos < len) {
		struct mq_msg m;
		size_t need;
		if (len - pos < sizeof m || pos % 8 != 0)
			return 0;
		memcpy(&m, payload + pos, sizeof m);
		need = MQ_ALIGN(sizeof m + m.len + m.ident_len);
		if (need > len - pos || m.transport < TW_TRANSPORT_UDP ||
		    m.transport > TW_TRANSPORT_RELP)
			return 0;
		pos += need;
		n++;
	}
	return n == count;
}

struct mq_msg *
mq_next(struct mq_chunk *c, size_t *pos)
{
	struct mq_msg *m;

	if (*pos >= c->used)
		return NULL;
	m = (struct mq_msg *)(c->buf + *pos);
	*pos += MQ_ALIGN(sizeof *m + m->len + m->ident_len);
	return m;
}

void
mq_depth(struct mq *q, uint64_t *msgs, size_t *bytes)
{
	pthread_mutex_lock(&q->mtx);
	*msgs = q->msgs + q->spill_msgs;
	*bytes = q->bytes;
	pthread_mutex_unlock(&q->mtx);
}
