/*
 * tzstate.c — per-device arrival order for the repeated autumn hour.  See
 * tzstate.h for the rule.
 *
 * The table is set-associative: a device's key picks a set of TZS_WAYS
 * slots; a new device takes an empty slot of its set, else the least
 * recently used one.  A forgotten device only loses the tie-break for the
 * repeated hour, nothing else.
 */
#include "tzstate.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define TZS_US  INT64_C(1000000)

struct tzs_slot {
	uint64_t key;
	uint64_t used;          /* 0: empty; else the tick of its last use */
	int64_t last_us;        /* UTC of the device's previous line */
};

struct tzs {
	uint64_t tick;
	struct tzs_slot slot[TZS_SLOTS];
};

struct tzs *
tzs_new(void)
{
	return calloc(1, sizeof(struct tzs));
}

void
tzs_free(struct tzs *s)
{
	free(s);
}

/* FNV-1a, 64 bits. */
static uint64_t
tzs_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

uint64_t
tzs_key(const char *host, size_t len, int family, const uint8_t *addr)
{
	uint64_t h = UINT64_C(14695981039346656037);
	uint8_t tag;

	if (len > 0) {
		tag = 'h';
		h = tzs_hash(h, &tag, 1);
		return tzs_hash(h, host, len);
	}
	tag = 'a';
	h = tzs_hash(h, &tag, 1);
	if (addr != NULL)
		h = tzs_hash(h, addr, family == AF_INET6 ? 16 : 4);
	return h;
}

/* The device's slot, claimed if new (then *fresh is set). */
static struct tzs_slot *
tzs_slot(struct tzs *s, uint64_t key, int *fresh)
{
	size_t set = (size_t)(key % (TZS_SLOTS / TZS_WAYS)) * TZS_WAYS, i;
	struct tzs_slot *victim = &s->slot[set];

	*fresh = 0;
	s->tick++;
	for (i = 0; i < TZS_WAYS; i++) {
		struct tzs_slot *sl = &s->slot[set + i];
		if (sl->used != 0 && sl->key == key) {
			sl->used = s->tick;
			return sl;
		}
		if (sl->used < victim->used)
			victim = sl;
	}
	victim->key = key;
	victim->used = s->tick;
	victim->last_us = 0;
	*fresh = 1;
	return victim;
}

static int64_t
tzs_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int
tzs_local_to_utc(struct tzs *s, uint64_t key, const struct tzif *z,
    int64_t local_us, int64_t *utc_us, int *flags)
{
	int64_t local_s = tzs_floor_div(local_us, TZS_US), frac = local_us - local_s * TZS_US;
	int64_t early, late, chosen;
	struct tzs_slot *sl = NULL;
	int fresh = 1, fl2;

	if (tzif_local_to_utc(z, local_s, TZIF_EARLIER, &early, flags) != 0)
		return -1;
	chosen = early * TZS_US + frac;
	if (s != NULL)
		sl = tzs_slot(s, key, &fresh);
	if ((*flags & TZIF_AMBIGUOUS) && sl != NULL && !fresh &&
	    tzif_local_to_utc(z, local_s, TZIF_LATER, &late, &fl2) == 0) {
		int64_t floor_us = sl->last_us - TZS_SLACK_S * TZS_US;
		int64_t late_us = late * TZS_US + frac;
		/* The clock went back: the earlier instance would put this
		 * line well before the device's previous one, the later not. */
		if (chosen < floor_us && late_us >= floor_us)
			chosen = late_us;
	}
	if (sl != NULL)
		sl->last_us = chosen;
	*utc_us = chosen;
	return 0;
}
