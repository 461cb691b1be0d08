/*
 * overlay.h — the device's own transport side: BFD sessions (the SD-WAN
 * overlay tunnels), its VPN 0 interfaces and its control connections, as
 * FTMD logs them (docs/log-formats.md, FTMD events; docs/schema.md, "The
 * device's own transport").
 *
 * Two halves.  The write side is called by the resolver for every Viptela
 * line once its device is known: a VPN 0 interface going down or up, a
 * BFD session changing state, a control connection going down or up
 * become rows of transport_events (the history), and each BFD session's
 * current state, flap count and last flap-reason are folded into
 * bfd_sessions.  Anything else is ignored.  The read side is for the
 * correlator: overlay_transport_near() says whether the device's uplink
 * was down in a window, already judged (a VPN 0 interface down; every BFD
 * session of one local color down), in the terms of rootcause.h.
 *
 * The module keeps no state besides its prepared statements: everything
 * it knows is in the database, so a rollback (and the writer's replay of
 * the batch) needs nothing from it, and the correlator may use its own
 * handle on its own connection.
 *
 * What a line says of the transport (struct overlay_fact) is read in the
 * parse stage: parse/overlay_fact.h.
 */
#ifndef TW_OVERLAY_H
#define TW_OVERLAY_H

#include "overlay_fact.h"
#include "parse_ftmd.h"
#include "rootcause.h"

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

/* One judged transport-down fact (overlay_transport_near). */
struct overlay_transport {
	int64_t event_id;	/* the line that made it so: the interface's
				   down, the last session of the color to go down */
	int64_t us;		/* its device time */
	int transport;		/* enum rc_transport: IF_DOWN or COLOR_DOWN */
	char name[RC_TRANSPORT_NAME_LEN];	/* interface or color */
	int sessions;		/* COLOR_DOWN: sessions of the color (all down) */
};

struct db;
struct overlay;

/*
 * Prepares the statements on db (which must carry schema 0006), owned by
 * the caller's thread.  Returns SQLITE_OK, or an SQLite code with err
 * filled (the SQL text included); *out is NULL then.
 */
int overlay_open(struct db *db, struct overlay **out, char *err, size_t errsz);
/* Finalizes the statements; NULL is a no-op. */
void overlay_free(struct overlay *ov);

/*
 * Records fact f of the line stored as event event_id of device device_id
 * at device time device_us (a transport event; for BFD, the session's new
 * state).  A line older than its session's newest refolds that session
 * from its history, so the order of arrival does not change the state or
 * the flap count.  OVERLAY_NONE, or device_us INT64_MIN, is a no-op.
 * Returns SQLITE_OK or an SQLite error code.
 */
int overlay_apply_fact(struct overlay *ov, int64_t device_id, int64_t event_id,
    int64_t device_us, const struct overlay_fact *f);

/* overlay_fact_from_ftmd() and overlay_apply_fact() in one: ev was parsed
 * from body.  Returns SQLITE_OK (also for lines that are not transport) or
 * an SQLite error code. */
int overlay_apply(struct overlay *ov, int64_t device_id, int64_t event_id,
    int64_t device_us, const struct ftmd_event *ev, const char *body);

/*
 * Device `from` turned out to be device `into` (resolve's device merge):
 * its transport events move over and the BFD sessions of both are folded
 * again from the merged history.  Returns SQLITE_OK or an SQLite code.
 */
int overlay_merge_device(struct overlay *ov, int64_t from, int64_t into);

/*
 * The device's transport-down facts in [from_us, to_us], judged:
 *  - RC_TRANSPORT_IF_DOWN: a VPN 0 interface went down in the window (its
 *    name), one fact per down line;
 *  - RC_TRANSPORT_COLOR_DOWN: every BFD session of one local color known on
 *    the device by to_us is down at to_us, and the last of them went down
 *    in the window (so at least 2 sessions, or 1 when it is the color's
 *    only one); one fact per color, at the time the last one went down.
 * Up to max facts go to out[], in device-time order (then interface before
 * color, then name); *n is how many.  Returns SQLITE_OK or an SQLite code.
 */
int overlay_transport_near(struct overlay *ov, int64_t device_id, int64_t from_us,
    int64_t to_us, struct overlay_transport *out, int max, int *n);

#endif
