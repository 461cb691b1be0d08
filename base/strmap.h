/*
 * strmap.h — a string-keyed hash map to int64 values, for the writer's
 * caches (device aliases, tunnels by name, address pair, IKE_SA id).
 *
 * Open addressing with linear probing, capacity a power of two kept under
 * 70% load; keys are copied.  No deletion: caches are cleared whole
 * (strmap_clear), which is what a rolled-back transaction needs.  A map
 * never grows past max_entries: strmap_put then fails and the caller falls
 * back to the database, so memory stays bounded however many keys arrive.
 */
#ifndef TW_STRMAP_H
#define TW_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
	char *key;
	size_t klen;
	uint64_t hash;
	int64_t value;
};

struct strmap {
	struct strmap_entry *slots;
	size_t cap, n, max_entries;
};

void strmap_init(struct strmap *m, size_t max_entries);
void strmap_free(struct strmap *m);
void strmap_clear(struct strmap *m);
/* Returns 1 and sets *value when found, else 0. */
int strmap_get(const struct strmap *m, const char *key, size_t klen, int64_t *value);
/* Inserts or replaces.  Returns 0, or -1 when full or out of memory. */
int strmap_put(struct strmap *m, const char *key, size_t klen, int64_t value);

#endif
