/*
 * rootcause.h — why a tunnel went down (or never came up), from its events.
 *
 * A pure function over one tunnel's events in device-time order, the way
 * the field guide reads them: the down, the exchanges before it, what was
 * retransmitted and not answered, what was proposed and refused.  It
 * returns one cause from a fixed vocabulary, a one-sentence summary with
 * the remedy, and the events that prove it (docs/log-formats.md, root-cause
 * signatures).  The order of lines within one second does not change the
 * cause or the summary.
 */
#ifndef TW_ROOTCAUSE_H
#define TW_ROOTCAUSE_H

#include "parse_charon.h"

#include <stddef.h>
#include <stdint.h>

enum rc_cause {
	RC_UNKNOWN = 0,
	RC_DPD_TIMEOUT,
	RC_PEER_NOT_RESPONDING,
	RC_IKE_PROPOSAL_MISMATCH,
	RC_ESP_PROPOSAL_MISMATCH,
	RC_PFS_MISMATCH,
	RC_AUTH_FAILED,
	RC_TS_MISMATCH,
	RC_PEER_DELETE,
	RC_LOCAL_DELETE,
	RC_LOCAL_TRANSPORT_DOWN,  /* this device's own uplink (VPN 0 interface, BFD color) */
	RC_MAX
};

enum rc_symptom {
	RC_SYM_NEVER_ESTABLISHED,
	RC_SYM_DOWN,              /* an outage: down, flap or stuck */
	RC_SYM_DEGRADED,          /* up, but CHILD_SA rekeys fail */
};

/* Device-level FTMD transport events (not of the tunnel itself). */
enum rc_transport {
	RC_TRANSPORT_NONE = 0,
	RC_TRANSPORT_IF_DOWN,             /* a VPN 0 (transport) interface went down */
	RC_TRANSPORT_COLOR_DOWN,          /* every BFD session of one color is down */
};

#define RC_TRANSPORT_NAME_LEN 48

/*
 * One event as the classifier sees it.  A zeroed struct with ftmd_state
 * -1 is "nothing": ch, ftmd_state and transport are alternatives.  The
 * transport events are the device's, not the tunnel's: the correlator adds
 * those of the tunnel's device around the outage to its window.
 */
struct rc_event {
	int64_t event_id;
	int64_t us;                       /* device time */
	const struct charon_event *ch;    /* charon line, or NULL */
	int ftmd_state;                   /* FTMD interface line: 1 up, 0 down, -1 none */
	int transport;                    /* enum rc_transport */
	char transport_name[RC_TRANSPORT_NAME_LEN]; /* interface ("ge0/0") or color
	                                   * ("biz-internet"), NUL-terminated */
};

#define RC_MAX_EVIDENCE 64
#define RC_SUMMARY_LEN  640

struct rc_result {
	int cause;                        /* enum rc_cause */
	int cscvx86427;                   /* peer delete, no rekey, no new IKE_SA */
	char summary[RC_SUMMARY_LEN];
	int64_t evidence[RC_MAX_EVIDENCE];/* event ids, device-time order */
	int nevidence;
};

/*
 * ev[0..n) are the tunnel's events from some minutes before the outage to
 * now (lines after the failure included: a negotiation's outcome may be
 * logged after it), in device-time order; start_us is when the outage (or
 * the first failed attempt) began; peer is the tunnel's peer address or
 * NULL.  Fills *out; never fails.
 */
void rc_classify(const struct rc_event *ev, size_t n, int64_t start_us,
    int symptom, const char *peer, struct rc_result *out);

const char *rc_cause_name(int cause);

/* Inverse of rc_cause_name() for the stored names: the cause, or
 * RC_UNKNOWN for NULL or a name it does not know. */
int rc_cause_from_name(const char *name);

/*
 * 1 when a shared peer or provider can explain the cause, so that
 * simultaneous incidents with it may be grouped as one outage (dpd_timeout,
 * peer_not_responding, peer_delete); 0 for configuration faults (proposals,
 * PFS, authentication, traffic selectors), local deletes, this device's own
 * transport going down, and unknown.
 */
int rc_cause_is_shared(int cause);

/*
 * Compares a configured and a received proposal list transform by
 * transform.  Returns RC_PFS_MISMATCH when some proposal pair agrees on
 * everything but the key-exchange (DH) group, RC_ESP_PROPOSAL_MISMATCH or
 * RC_IKE_PROPOSAL_MISMATCH when none agrees even without it, RC_UNKNOWN
 * when a pair agrees fully.  why gets the sentence.
 */
int rc_compare_proposals(const struct charon_event *configured,
    const struct charon_event *received, char *why, size_t whysz);

#endif
