/*
 * resolve.h — tying each understood line to a device and a tunnel, and
 * storing it as an event.
 *
 * Devices: identified by system-ip once an FTMD line shows it, else by
 * hostname.  The syslog HOST, the tag host, host-name:"…" and the sender
 * address are aliases of one device; when an FTMD line shows hostname X is
 * system-ip Y, X's device (and with it every line already stored for it)
 * becomes Y's device.  A hostname is never guessed, with one documented
 * exception the field guide shows: from the same source (sender address or
 * imported file), a name that is a known hostname with one stray leading
 * character ("Lvedge01" for "vedge01") is taken as that device; the
 * message keeps the name as seen.
 *
 * Tunnels: named by interface (ipsec2) when a line says it (IKE_SA
 * ipsec2_1[uid], child_ipsec2_1, FTMD if-name/"Interface ipsec2"), else by
 * the IKE connection name, else "peer:<ip>".  Lines that name no tunnel
 * are tied through what earlier lines taught: the IKE_SA unique id, the
 * (local, peer) address pair, the peer address; then through the charon
 * thread that logged the neighbouring lines; then, on a device with a
 * single tunnel, to that tunnel.  When a tunnel known by address learns
 * its interface, the two records merge.
 *
 * Chatter (packets, NAT-T keep-alives, routine kernel lines, DPD
 * exchanges: facts.h) is resolved like any line, so that it still ties
 * jobs and addresses to tunnels, but it is not stored as an event: its
 * tunnel's pulse counts it (pulse.h), as it counts retransmits, which stay
 * events.  DPD lines still reach the sink like events (the state machine
 * reads them) and their minute's trail keeps them for reading back.
 *
 * Duplicates: the same text at the same device time on the same device is
 * recorded in `duplicates`, not as a second event.
 *
 * Every cache here mirrors rows in the database and can be dropped at any
 * time; the events held back for their job's tunnel are not, and reach the
 * database at the latest with resolve_flush() before each commit.  After a
 * rollback, resolve_reset() drops caches and held rows alike (the replay
 * makes them again).
 */
#ifndef TW_RESOLVE_H
#define TW_RESOLVE_H

#include "domain.h"
#include "facts.h"
#include "overlay.h"
#include "store.h"

#include <stdint.h>

struct resolver;

struct resolve_source {
	const char *sender_ip;    /* network input: the sender's address */
	const char *file;         /* import: the file's path */
	int64_t recv_us;          /* network input: when it was received; 0 unknown */
};

/*
 * Where stored events go besides the events table: the correlator's feed
 * (storage/correlator.c), so that it decides from memory.  Every callback
 * runs inside the writer's open transaction.
 *  - event: event event_id of tunnel_id (device_id) was stored, ev what
 *    the state machine reads of it; tunnel_id is 0 for an event tied to no
 *    tunnel (yet), ev->us INT64_MIN without a device time (chatter is not
 *    an event);
 *  - gap: the tunnel's events changed in the database another way (an
 *    event tied to it after its transaction committed, a merge): us the
 *    oldest device time concerned, INT64_MIN when unknown;
 *  - born: tunnel_id was just created: every event it will have is fed;
 *  - restart: charon started on device_id at us;
 *  - reset: the transaction was rolled back (what it fed is void; the
 *    writer's replay feeds it again).
 */
struct resolve_sink {
	void *arg;
	void (*event)(void *arg, int64_t tunnel_id, int64_t device_id, int64_t event_id,
	    const struct tm_event *ev, int64_t recv_us);
	void (*gap)(void *arg, int64_t tunnel_id, int64_t us);
	void (*born)(void *arg, int64_t tunnel_id);
	void (*restart)(void *arg, int64_t device_id, int64_t us);
	void (*reset)(void *arg);
};

/* Prepares statements on st's connection (the caller's thread owns both). */
int resolve_open(struct store *st, struct resolver **out, char *err, size_t errsz);
void resolve_free(struct resolver *r);
/* Forgets every cache (after a rollback). */
void resolve_reset(struct resolver *r);
/* Events are also handed to sink (copied; NULL: to nobody). */
void resolve_set_sink(struct resolver *r, const struct resolve_sink *sink);

/*
 * When p is a charon or Viptela event: resolves device and tunnel and
 * inserts the event (taking p's detail) or the duplicate mark.  Returns
 * SQLITE_OK or an SQLite error code.
 */
int resolve_apply(struct resolver *r, int64_t message_id, struct line_facts *p,
    const struct resolve_source *src);

/* facts_prepare() and resolve_apply() in one. */
int resolve_message(struct resolver *r, int64_t message_id,
    const struct ingest_row *row, const struct resolve_source *src,
    struct domain_scratch *ds);

/*
 * Stores the events still held back for their charon job's tunnel (a
 * job's first lines wait, in memory, for the line that names the peer).
 * Call before every commit: a committed transaction holds every event id
 * handed out in it.  Returns SQLITE_OK or an SQLite error code.
 */
int resolve_flush(struct resolver *r);

/*
 * The system-ip of the device known by the name host (as a syslog HOST,
 * tag host or host-name), into out; 1 when known, 0 not (identity
 * binding: a certificate that names a system-ip speaks for its names).
 */
int resolve_host_system_ip(struct resolver *r, const char *host, size_t len, char *out,
    size_t outsz);

/*
 * Without a sink: fn(arg, tunnel, oldest device time) for every tunnel
 * given DPD lines (no events row) since the last call, so that the
 * correlator looks at it (cmd/import.c).  Then forgets them.
 */
void resolve_trail_touched(struct resolver *r, void (*fn)(void *arg, int64_t tunnel_id,
    int64_t us), void *arg);

#endif
