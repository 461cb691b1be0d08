/*
 * prepare.c — the prepare stage thread.  See prepare.h for its place in
 * the pipeline.
 *
 * Threads: prep_main() is the only user of p->scratch and p->ds; the list
 * of parsed batches, the stop flag and the end-of-input flag are under
 * p->mtx, shared with the writer (prep_pop).
 */
#include "prepare.h"
#include "domain.h"
#include "log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREP_POLL_US (200 * 1000LL)   /* how often an idle stage looks again */

struct prep_stage {
	const struct config *cfg;
	struct mq *q;
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t ready;         /* a batch was added, or the input ended */
	pthread_cond_t space;         /* a batch was taken */
	struct prep_batch *head, *tail;
	int nbatches;
	int drained;                  /* the queue is closed and empty */
	char *scratch;                /* INGEST_SCRATCH(max_frame) */
	struct domain_scratch *ds;
	struct tzs *tzs;              /* arrival order per device (tzstate.h) */
	struct log_throttle nomem;
};

static void
prep_deadline(struct timespec *ts, int64_t us)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(us / 1000000);
	ts->tv_nsec += (long)(us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* prep_ingest() with the stage's arrival-order table (tzs may be NULL). */
static void
prep_ingest_tz(const struct config *cfg, const struct mq_msg *m, struct tzs *tzs,
    char *scratch, struct ingest_row *row)
{
	struct ingest_ctx ctx = { m->family, m->addr, tzs };
	int in_flags = 0;

	if (m->flags & MQ_F_TRUNCATED)
		in_flags |= INGEST_F_TRUNCATED;
	if (m->flags & MQ_F_OCTET)
		in_flags |= INGEST_F_OCTET;
	ingest_prepare_ctx(cfg, &ctx, m->data, m->len, m->recv_us, 0, in_flags,
	    scratch, row);
}

void
prep_ingest(const struct config *cfg, const struct mq_msg *m, char *scratch,
    struct ingest_row *row)
{
	prep_ingest_tz(cfg, m, NULL, scratch, row);
}

/* Parses chunk c into a new batch; NULL when out of memory (the writer
 * then parses the chunk itself). */
static struct prep_batch *
prep_parse(struct prep_stage *p, struct mq_chunk *c)
{
	struct prep_batch *b;
	struct mq_msg *m;
	size_t pos = 0, i = 0;

	b = malloc(sizeof *b + (size_t)c->count * sizeof b->msgs[0]);
	if (b == NULL)
		return NULL;
	b->chunk = c;
	b->next = NULL;
	while ((m = mq_next(c, &pos)) != NULL && i < c->count) {
		struct prep_msg *pm = &b->msgs[i++];

		prep_ingest_tz(p->cfg, m, p->tzs, p->scratch, &pm->row);
		/* An escaped line lives in the scratch buffer, which the next
		 * message reuses: the writer parses it again (it is rare). */
		pm->ok = !(pm->row.flags & INGEST_F_ESCAPED);
		if (pm->ok)
			facts_prepare(&pm->row, p->ds, &pm->facts);
		else
			memset(&pm->facts, 0, sizeof pm->facts);
	}
	b->n = i;
	return b;
}

/* A batch with no parsed messages (the writer parses the chunk): when
 * even that cannot be allocated, wait for memory rather than lose it. */
static struct prep_batch *
prep_unparsed(struct mq_chunk *c)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	struct prep_batch *b;

	while ((b = calloc(1, sizeof *b)) == NULL)
		nanosleep(&ts, NULL);
	b->chunk = c;
	return b;
}

static void *
prep_main(void *arg)
{
	struct prep_stage *p = arg;

	pthread_setname_np(pthread_self(), "tw-prepare");
	for (;;) {
		int closed = 0;
		struct mq_chunk *c = mq_pop(p->q, PREP_POLL_US, &closed);
		struct prep_batch *b;

		if (c == NULL) {
			if (!closed)
				continue;
			pthread_mutex_lock(&p->mtx);
			p->drained = 1;
			pthread_cond_broadcast(&p->ready);
			pthread_mutex_unlock(&p->mtx);
			return NULL;
		}
		if ((b = prep_parse(p, c)) == NULL) {
			log_ratelimited(&p->nomem, 60 * 1000000LL, "prepare: out of "
			    "memory; the writer parses a chunk itself");
			b = prep_unparsed(c);
		}
		pthread_mutex_lock(&p->mtx);
		while (p->nbatches >= PREP_MAX_BATCHES)
			pthread_cond_wait(&p->space, &p->mtx);
		if (p->tail != NULL)
			p->tail->next = b;
		else
			p->head = b;
		p->tail = b;
		p->nbatches++;
		pthread_cond_signal(&p->ready);
		pthread_mutex_unlock(&p->mtx);
	}
}

int
prep_start(const struct config *cfg, struct mq *q, struct prep_stage **out,
    char *err, size_t errsz)
{
	struct prep_stage *p;
	pthread_condattr_t ca;
	int rc = -1;

	*out = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	p->cfg = cfg;
	p->q = q;
	p->scratch = malloc(INGEST_SCRATCH((size_t)cfg->max_frame));
	p->ds = domain_scratch_new();
	p->tzs = tzs_new();
	if (p->scratch == NULL || p->ds == NULL || p->tzs == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&p->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->ready, &ca);
	pthread_cond_init(&p->space, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&p->thread, NULL, prep_main, p)) != 0) {
		snprintf(err, errsz, "prepare thread: %s", strerror(rc));
		pthread_cond_destroy(&p->ready);
		pthread_cond_destroy(&p->space);
		pthread_mutex_destroy(&p->mtx);
		goto fail;
	}
	*out = p;
	return 0;
fail:
	tzs_free(p->tzs);
	domain_scratch_free(p->ds);
	free(p->scratch);
	free(p);
	return -1;
}

struct prep_batch *
prep_pop(struct prep_stage *p, int64_t timeout_us, int *closed)
{
	struct prep_batch *b;
	struct timespec ts;

	*closed = 0;
	prep_deadline(&ts, timeout_us);
	pthread_mutex_lock(&p->mtx);
	while (p->head == NULL && !p->drained) {
		if (pthread_cond_timedwait(&p->ready, &p->mtx, &ts) == ETIMEDOUT)
			break;
	}
	b = p->head;
	if (b != NULL) {
		p->head = b->next;
		if (p->head == NULL)
			p->tail = NULL;
		b->next = NULL;
		p->nbatches--;
		pthread_cond_signal(&p->space);
	} else if (p->drained) {
		*closed = 1;
	}
	pthread_mutex_unlock(&p->mtx);
	return b;
}

void
prep_batch_free(struct prep_batch *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < b->n; i++)
		facts_clear(&b->msgs[i].facts);
	free(b);
}

void
prep_join(struct prep_stage *p)
{
	if (p == NULL)
		return;
	pthread_join(p->thread, NULL);
	/* The writer took everything before it stopped; be safe anyway. */
	while (p->head != NULL) {
		struct prep_batch *b = p->head;
		p->head = b->next;
		prep_batch_free(b);
	}
	pthread_cond_destroy(&p->ready);
	pthread_cond_destroy(&p->space);
	pthread_mutex_destroy(&p->mtx);
	tzs_free(p->tzs);
	domain_scratch_free(p->ds);
	free(p->scratch);
	free(p);
}
