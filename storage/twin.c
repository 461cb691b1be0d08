/*
 * twin.c — copy numbers of identical lines; see twin.h.
 */
#include "twin.h"

#include <stdlib.h>

#define TWIN_SETS 32768
#define TWIN_WAYS 4

struct twin_ent {
	int64_t host, device_us, hash;
	uint64_t seen;            /* the twin_copy call that last used it */
	int32_t count, committed;
};

struct twin {
	struct twin_ent ent[TWIN_SETS * TWIN_WAYS];
	uint64_t calls;
};

struct twin *
twin_new(void)
{
	return calloc(1, sizeof(struct twin));
}

void
twin_free(struct twin *t)
{
	free(t);
}

int32_t
twin_copy(struct twin *t, int64_t host, int64_t device_us, int64_t hash)
{
	uint64_t k = (uint64_t)hash ^ ((uint64_t)device_us * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)host * 0xc2b2ae3d27d4eb4fULL);
	struct twin_ent *set = &t->ent[((k ^ (k >> 29)) & (TWIN_SETS - 1)) * TWIN_WAYS];
	struct twin_ent *e = NULL;
	int w;

	for (w = 0; w < TWIN_WAYS; w++) {
		if (set[w].seen != 0 && set[w].host == host &&
		    set[w].device_us == device_us && set[w].hash == hash) {
			e = &set[w];
			break;
		}
		if (e == NULL || set[w].seen < e->seen)
			e = &set[w];      /* seen longest ago: the one to forget */
	}
	if (w == TWIN_WAYS) {
		e->host = host;
		e->device_us = device_us;
		e->hash = hash;
		e->count = e->committed = 0;
	}
	e->seen = ++t->calls;
	return e->count++;
}

void
twin_settle(struct twin *t, int committed)
{
	size_t i;

	for (i = 0; i < TWIN_SETS * TWIN_WAYS; i++) {
		if (committed)
			t->ent[i].committed = t->ent[i].count;
		else
			t->ent[i].count = t->ent[i].committed;
	}
}
