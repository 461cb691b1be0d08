/*
 * strmap.c — see strmap.h.
 */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t
strmap_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

void
strmap_init(struct strmap *m, size_t max_entries)
{
	memset(m, 0, sizeof *m);
	m->max_entries = max_entries;
}

void
strmap_clear(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slots[i].key);
	if (m->slots != NULL)
		memset(m->slots, 0, m->cap * sizeof *m->slots);
	m->n = 0;
}

void
strmap_free(struct strmap *m)
{
	strmap_clear(m);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static struct strmap_entry *
strmap_find(const struct strmap *m, const char *key, size_t klen, uint64_t h)
{
	size_t i;

	if (m->cap == 0)
		return NULL;
	for (i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct strmap_entry *e = &m->slots[i];
		if (e->key == NULL)
			return e;
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
	}
}

static int
strmap_grow(struct strmap *m)
{
	size_t ncap = m->cap == 0 ? 64 : m->cap * 2, i;
	struct strmap_entry *old = m->slots, *ns;
	size_t ocap = m->cap;

	if ((ns = calloc(ncap, sizeof *ns)) == NULL)
		return -1;
	m->slots = ns;
	m->cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (old[i].key != NULL)
			*strmap_find(m, old[i].key, old[i].klen, old[i].hash) = old[i];
	}
	free(old);
	return 0;
}

int
strmap_get(const struct strmap *m, const char *key, size_t klen, int64_t *value)
{
	struct strmap_entry *e = strmap_find(m, key, klen, strmap_hash(key, klen));

	if (e == NULL || e->key == NULL)
		return 0;
	*value = e->value;
	return 1;
}

int
strmap_put(struct strmap *m, const char *key, size_t klen, int64_t value)
{
	uint64_t h = strmap_hash(key, klen);
	struct strmap_entry *e;

	if ((e = strmap_find(m, key, klen, h)) != NULL && e->key != NULL) {
		e->value = value;
		return 0;
	}
	if (m->n >= m->max_entries)
		return -1;
	if ((m->n + 1) * 10 > m->cap * 7) {
		if (strmap_grow(m) != 0)
			return -1;
	}
	e = strmap_find(m, key, klen, h);
	if ((e->key = malloc(klen + 1)) == NULL)
		return -1;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	e->klen = klen;
	e->hash = h;
	e->value = value;
	m->n++;
	return 0;
}
