/*
 * twin.h — copy numbers of identical lines, for several collectors on one
 * PostgreSQL database (docs/scale-out.md, "Several collectors").
 *
 * A line is stored once however many collectors receive it: its twin key
 * is (host, device time, a hash of the text, copy), where copy counts the
 * identical lines before it in that device second — 0 for the first, 1
 * for a retransmitted packet line that says the same.  Each collector
 * counts from its own stream, and they agree because the streams are the
 * same.  The count must outlast a device second's lines: a key forgotten
 * too early counts from 0 again, and its next copy passes for the first —
 * dropped as a twin by every collector alike.  So the table is
 * set-associative (131,072 keys, 4 per set) and forgets the key seen
 * longest ago.  What an open transaction counted is undone with it
 * (twin_settle), so that a replayed batch numbers its lines as the first
 * attempt did.  Pure: no SQL (tests/unit/test_twin.c).
 */
#ifndef TW_TWIN_H
#define TW_TWIN_H

#include <stdint.h>

struct twin;

/* NULL when out of memory. */
struct twin *twin_new(void);
void twin_free(struct twin *t);
/* The copy number of the key: how many times it was counted before. */
int32_t twin_copy(struct twin *t, int64_t host, int64_t device_us, int64_t hash);
/* The transaction committed (1: keep what it counted) or rolled back (0). */
void twin_settle(struct twin *t, int committed);

#endif
