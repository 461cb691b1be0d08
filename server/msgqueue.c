/*
 * msgqueue.c — chunked, bounded, single-producer single-consumer queue.
 * See msgqueue.h for the design.
 */
#include "msgqueue.h"
#include "spool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MQ_ALIGN(n)      (((n) + 7) & ~(size_t)7)
#define MQ_MAX_FREE      64

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
	return spool_append(q->spool, c->buf, c->used, c->count, &c->spool_seq);
}

/* Called with the lock held: a chunk able to hold need bytes, or NULL. */
static struct mq_chunk *
mq_get_chunk_locked(struct mq *q, size_t need)
{
	size_t cap = need > MQ_CHUNK_SIZE ? need : MQ_CHUNK_SIZE;
	struct mq_chunk *c;

	if (q->bytes + cap > q->max_bytes || q->msgs >= q->max_msgs)
		return NULL;
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
				mq_publish_locked(q, c);
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
	mq_publish_locked(q, c);
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

struct mq_chunk *
mq_pop(struct mq *q, int64_t timeout_us, int *closed)
{
	struct mq_chunk *c;
	struct timespec ts;

	*closed = 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_us / 1000000;
	ts.tv_nsec += (timeout_us % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&q->mtx);
	while (q->head == NULL && !q->closed) {
		if (pthread_cond_timedwait(&q->cond, &q->mtx, &ts) == ETIMEDOUT)
			break;
	}
	c = q->head;
	if (c != NULL) {
		q->head = c->next;
		if (q->head == NULL)
			q->tail = NULL;
		c->next = NULL;
	} else if (q->closed) {
		*closed = 1;
	}
	pthread_mutex_unlock(&q->mtx);
	return c;
}

void
mq_release(struct mq *q, struct mq_chunk *c)
{
	int wake;

	pthread_mutex_lock(&q->mtx);
	q->bytes -= c->cap;
	q->msgs -= c->count;
	c->spool_seq = 0;
	if (c->cap == MQ_CHUNK_SIZE && q->nfree < MQ_MAX_FREE) {
		c->next = q->free;
		q->free = c;
		q->nfree++;
		c = NULL;
	}
	wake = q->producer_blocked;
	q->producer_blocked = 0;
	pthread_cond_broadcast(&q->space_cond);
	pthread_mutex_unlock(&q->mtx);
	free(c);
	if (wake && q->space_async != NULL)
		uv_async_send(q->space_async);
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
	*msgs = q->msgs;
	*bytes = q->bytes;
	pthread_mutex_unlock(&q->mtx);
}
