/*
 * tzstate.h — the repeated hour of an autumn change, resolved by the order
 * in which a device's lines arrive.
 *
 * An RFC 3164 time such as "Oct 27 02:30:00" from a device in
 * Europe/Berlin happens twice: once in CEST (00:30Z), once an hour later
 * in CET (01:30Z).  The line alone cannot tell; its neighbours can.  For
 * each device (keyed by the hostname its header gives, else its sender
 * address) the table remembers the UTC time given to its previous line.
 * The rule, documented in docs/configuration.md ("Time zones"):
 *
 *   an ambiguous local time takes the earlier (DST) instance, unless that
 *   instance is more than TZS_SLACK_S before the device's previous line
 *   while the later instance is not — the device's clock was seen to go
 *   back (02:59:59 CEST, then 02:00:00 CET), so the line is the later one.
 *
 * A device seen for the first time inside the repeated hour gets the
 * earlier instance.  Unambiguous lines (and lines in the spring gap) only
 * update the table.
 *
 * The table is bounded (TZS_SLOTS devices, least recently used replaced)
 * and belongs to one caller that prepares lines in arrival order: the
 * prepare thread (serve), one import run, one `parse` run.  The syslog
 * header parser stays pure; this is the caller's state.
 */
#ifndef TW_TZSTATE_H
#define TW_TZSTATE_H

#include "tzif.h"

#include <stddef.h>
#include <stdint.h>

#define TZS_SLOTS    4096            /* devices remembered */
#define TZS_WAYS     8               /* slots probed per device */
#define TZS_SLACK_S  300             /* lines may arrive this much out of order */

struct tzs;

/* A new, empty table; NULL when out of memory.  tzs_free(NULL) is a no-op. */
struct tzs *tzs_new(void);
void tzs_free(struct tzs *s);

/* The key of a device: its hostname (len > 0), else its sender address
 * (family, addr; addr may be NULL). */
uint64_t tzs_key(const char *host, size_t len, int family, const uint8_t *addr);

/*
 * Converts local wall-clock microseconds (as if UTC) in zone z to UTC
 * microseconds for the device key, applying the rule above, and records
 * the result as the device's latest line.  s may be NULL (no history: an
 * ambiguous time takes the earlier instance).  *flags gets TZIF_AMBIGUOUS
 * or TZIF_GAP as tzif_local_to_utc() reports them.  Returns 0, or -1 when
 * the time is out of range (nothing recorded).
 */
int tzs_local_to_utc(struct tzs *s, uint64_t key, const struct tzif *z,
    int64_t local_us, int64_t *utc_us, int *flags);

#endif
