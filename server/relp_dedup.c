/*
 * relp_dedup.c — which frames of a new RELP session are resends of lines
 * already taken.  See relp_dedup.h for the rule and its limit.
 */
#include "relp_dedup.h"

#include <stdlib.h>
#include <string.h>

int
rdd_init(struct rdd *d)
{
	d->tick = 0;
	d->sessions = 0;
	d->senders = calloc(RDD_SENDERS, sizeof *d->senders);
	return d->senders != NULL ? 0 : -1;
}

void
rdd_free(struct rdd *d)
{
	free(d->senders);
	d->senders = NULL;
}

uint64_t
rdd_hash(const char *data, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)data[i]) * 1099511628211ULL;
	return h;
}

/* The sender's slot; a new one (the least recently seen evicted) when
 * create, else NULL when unknown. */
static struct rdd_sender *
rdd_sender(struct rdd *d, int family, const uint8_t *addr, int create)
{
	struct rdd_sender *s, *lru = NULL;
	int i;

	for (i = 0; i < RDD_SENDERS; i++) {
		s = &d->senders[i];
		if (s->family == (uint8_t)family && memcmp(s->addr, addr, 16) == 0) {
			s->seen = ++d->tick;
			return s;
		}
		if (lru == NULL || s->family == 0 || (lru->family != 0 && s->seen < lru->seen))
			lru = s;
	}
	if (!create)
		return NULL;
	memset(lru, 0, sizeof *lru);
	lru->family = (uint8_t)family;
	memcpy(lru->addr, addr, 16);
	lru->seen = ++d->tick;
	return lru;
}

/* The session with token; a new one (comparison not started) if unknown. */
static struct rdd_session *
rdd_session(struct rdd_sender *s, uintptr_t token, int *fresh)
{
	struct rdd_session *x, *lru = NULL;
	int i;

	*fresh = 0;
	for (i = 0; i < RDD_SESSIONS; i++) {
		x = &s->sess[i];
		if (x->token == token) {
			x->seen = ++s->tick;
			return x;
		}
		if (lru == NULL || x->token == 0 || (lru->token != 0 && x->seen < lru->seen))
			lru = x;
	}
	memset(lru, 0, sizeof *lru);
	lru->token = token;
	lru->seen = ++s->tick;
	*fresh = 1;
	return lru;
}

/* T[pos], or 0 with *ok = 0 when pos is not (or no longer) in the ring. */
static uint64_t
rdd_at(const struct rdd_sender *s, uint64_t pos, int *ok)
{
	*ok = pos < s->n && s->n - pos <= RDD_WINDOW;
	return *ok ? s->ring[pos % RDD_WINDOW] : 0;
}

enum rdd_verdict
rdd_check(struct rdd *d, int family, const uint8_t *addr, uintptr_t token, uint64_t h)
{
	struct rdd_sender *s = rdd_sender(d, family, addr, 1);
	struct rdd_session *x;
	int fresh, i, k = 0, ok;

	if (token == 0)
		token = 1;
	x = rdd_session(s, token, &fresh);
	if (fresh) {
		d->sessions++;
		/* A new session: every place in T holding h may be where the
		 * resend starts, the latest first (the shortest resend). */
		uint64_t lo = s->n > RDD_WINDOW ? s->n - RDD_WINDOW : 0, p;
		for (p = s->n; p > lo && x->ncand < RDD_CANDS; p--)
			if (s->ring[(p - 1) % RDD_WINDOW] == h)
				x->cand[x->ncand++] = p - 1;
		x->checking = x->ncand > 0;
		x->matched = 0;
		if (!x->checking)
			return RDD_NEW;
	} else if (!x->checking) {
		return RDD_NEW;
	} else {
		/* Keep the places whose next frame is h. */
		for (i = 0; i < x->ncand; i++)
			if (rdd_at(s, x->cand[i] + x->matched, &ok) == h && ok)
				x->cand[k++] = x->cand[i];
		x->ncand = k;
		if (k == 0) {
			x->checking = 0;
			return RDD_NEW;
		}
	}
	x->matched++;
	/* A place whose suffix was seen again in full: the resend it stood
	 * for is over. */
	for (i = 0, k = 0; i < x->ncand; i++)
		if (x->cand[i] + x->matched < s->n)
			x->cand[k++] = x->cand[i];
	x->ncand = k;
	x->checking = k > 0;
	return RDD_DUP;
}

void
rdd_note(struct rdd *d, int family, const uint8_t *addr, uint64_t h)
{
	struct rdd_sender *s = rdd_sender(d, family, addr, 1);

	s->ring[s->n % RDD_WINDOW] = h;
	s->n++;
}

void
rdd_session_end(struct rdd *d, int family, const uint8_t *addr)
{
	struct rdd_sender *s = rdd_sender(d, family, addr, 0);

	if (s != NULL)
		memset(s->sess, 0, sizeof s->sess);
}
