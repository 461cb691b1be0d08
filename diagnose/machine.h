/*
 * machine.h — one tunnel's state machine: events in, state and incident
 * effects out.  Pure: no SQL, no I/O, no globals, no allocation (the JSON
 * functions at the end excepted).
 *
 * The state machine, per tunnel, over events in device-time order:
 *
 *   unknown ──initiate──▶ negotiating ──CHILD_SA up / FTMD up──▶ up
 *      │                      │ failure, never up: never_established
 *      │ DPD, CREATE_CHILD_SA, rekeys seen: the SA exists ──▶ up
 *   up ──give-up / IKE_SA deleted (not a rekey) / last CHILD_SA gone
 *        without replacement / FTMD down──▶ down   (incident opened)
 *   down ──back up within stuck_after──▶ up        (incident: flap)
 *   down ──older than stuck_after──────▶ stuck     (timer)
 *   up, CHILD_SA rekeys refused ────────▶ degraded (incident; stuck when
 *                                                  the CHILD_SA is gone)
 *   any ──charon starts again──────────▶ its IKE_SA is gone: up → down
 *
 * Rekeys are never downs: an IKE_SA delete is a rekey's when its unique
 * id is not the current IKE_SA's, or when it follows an IKE rekey within
 * seconds (TM_REKEY_WINDOW); a delete not yet explained waits
 * TM_SETTLE for its rekey line (TM_SETTLE_UNKNOWN when which IKE_SA is
 * current is unknown: a file that starts mid-stream, where an answered DPD
 * after it also says the tunnel lives on).  A closed CHILD_SA is only a
 * down when no CHILD_SA is left and none replaces it within
 * TM_CHILD_GRACE.  A new IKE_SA_INIT from a tunnel up since an earlier
 * second is a down nothing logged.
 *
 * How a driver uses it (storage/correlator.c is the one today):
 *
 *   struct tm_machine m;  tm_init(&m)  or  tm_from_json(&m, saved)
 *   for each of the tunnel's events, in device-time order:
 *       tm_step(&m, &params, &ev, &fx)      timers up to ev.us, then ev
 *   a charon start on the tunnel's device:  tm_restart(&m, &params, at, &fx)
 *   no event for a while:                   tm_timers(&m, &params, now, &fx)
 *   no more data will ever come (import):   tm_final(&m, &params, now, &fx)
 *   after each call: apply fx (below), then tm_incident_assigned()
 *
 * Effects.  Every call empties fx and appends what the caller must record,
 * in order: an incident opened (symptom, start), its symptom changed, an
 * incident closed (final symptom, end), a flap counted.  The machine
 * holds at most one open incident (m.incident_id).  It does not know the
 * ids the database assigns: an incident it opens is TM_INCIDENT_NEW in the
 * machine and in the effects until the driver names it.  So the driver,
 * for one fx list, in order:
 *   - TM_FX_OPEN: records the incident and remembers its new id;
 *   - any effect whose incident is TM_INCIDENT_NEW means the incident of
 *     the latest TM_FX_OPEN before it in the list;
 *   - afterwards, when fx held a TM_FX_OPEN, calls
 *     tm_incident_assigned(&m, that id) before the next call (it is a
 *     no-op when that incident was already closed within the same list).
 * A machine is saved only with a real id (or none).
 *
 * Effects per call are bounded (TM_FX_MAX: at most five can happen: a
 * timer's down and stuck, an event's settled down, its close and flap).
 */
#ifndef TW_MACHINE_H
#define TW_MACHINE_H

#include "tm_event.h"

#include <jansson.h>
#include <stdint.h>

/* Fixed windows, in device microseconds. */
#define TM_CHILD_GRACE     (10 * 1000000LL) /* last CHILD_SA gone, none replaces it */
#define TM_REKEY_WINDOW    (30 * 1000000LL) /* an IKE_SA delete after an IKE rekey */
#define TM_DELETE_WINDOW   (5 * 1000000LL)  /* lines of one delete */
#define TM_NEAR            (3 * 1000000LL)  /* lines of one exchange */
#define TM_SETTLE          (3 * 1000000LL)  /* an IKE_SA delete waits this long for its rekey */
#define TM_SETTLE_UNKNOWN  (60 * 1000000LL) /* ... or this, not knowing the current IKE_SA */
#define TM_NEW_SA_AFTER    (2 * 1000000LL)  /* IKE_SA_INIT while up this long: unseen down */
#define TM_DPD_AFTER_DELETE (2 * 1000000LL) /* an answered DPD this long after a blind delete */

#define TM_MAX_CHILD       8
#define TM_MAX_FLAPS       64
#define TM_FLAP_PENALTY    1000.0           /* score added per flap (RFC 2439 style) */
#define TM_FX_MAX          8

enum tm_state { TM_UNKNOWN, TM_UP, TM_DOWN, TM_NEGOTIATING, TM_NSTATES };

enum tm_symptom {
	TM_SYM_NONE, TM_SYM_NEVER, TM_SYM_FLAP, TM_SYM_STUCK, TM_SYM_DOWN,
	TM_SYM_DEGRADED, TM_NSYMPTOMS
};

/* Stable names ("up", "never_established"), static; "" for TM_SYM_NONE,
 * NULL out of range (tm_exchange_name: tm_event.h). */
const char *tm_state_name(int state);
const char *tm_symptom_name(int symptom);

/* What the machine is told from the configuration. */
struct tm_params {
	int64_t stuck_after_us;       /* down longer than this: stuck, else a flap */
	int64_t flap_half_life_us;    /* flap score decay */
	int64_t flap_window_us;       /* tm_flap_update: flaps within this window ... */
	int flap_count;               /* ... at least this many: flapping */
};

/* The incident opened by this call, not yet named by the driver. */
#define TM_INCIDENT_NEW (-1)

/* A tunnel's state machine: what it must remember between events. */
struct tm_machine {
	int state;                    /* enum tm_state */
	int64_t state_since;
	int ever_up;
	int ike_up;
	int has_ike_uid;
	uint32_t ike_uid;
	uint32_t child[TM_MAX_CHILD];
	int nchild;
	int64_t child_gone_us;       /* last CHILD_SA closed at; 0 = none pending */
	int64_t ike_rekey_us;
	int64_t del_rekey_us;        /* an IKE_SA delete judged part of a rekey */
	int64_t del_down_us;         /* an IKE_SA delete judged a down */
	int64_t del_pending_us;      /* an IKE_SA delete not decided yet (TM_SETTLE) */
	int del_pending_blind;       /* ... not knowing which IKE_SA is the current one */
	int64_t del_peer_us;         /* last DELETE the peer sent */
	int64_t local_reason_us;     /* last terminate, shutdown or inactivity close */
	int64_t exch_us;             /* last IKE exchange seen */
	int exch;                    /* ... which (enum tm_exchange) */
	int64_t incident_id;         /* open incident, 0 none, TM_INCIDENT_NEW */
	int symptom;                 /* enum tm_symptom of the open incident */
	int64_t inc_start;
	int64_t flaps[TM_MAX_FLAPS]; /* when each counted flap's down began */
	int nflaps;
	double score;                /* flap score at score_us */
	int64_t score_us;
	/* The driver's place in the tunnel's lines, saved with the machine;
	 * no tm_ function reads or writes them. */
	int64_t last_us;
	int64_t cursor_us, cursor_event;
};

enum tm_fx_kind {
	TM_FX_OPEN,                   /* symptom, us = start */
	TM_FX_SYMPTOM,                /* incident, symptom = the new one */
	TM_FX_CLOSE,                  /* incident, symptom = the final one, us = end */
	TM_FX_FLAP,                   /* a flap counted, us = when its down began */
};

struct tm_effect {
	int kind;                     /* enum tm_fx_kind */
	int symptom;                  /* enum tm_symptom */
	int64_t incident;             /* an id, or TM_INCIDENT_NEW (see above) */
	int64_t us;
};

struct tm_effects {
	struct tm_effect fx[TM_FX_MAX];
	int n;
};

/* An empty machine: unknown, no incident, cursor at the start. */
void tm_init(struct tm_machine *m);

/* Runs the timers at ev->us, then applies ev.  fx is emptied first. */
void tm_step(struct tm_machine *m, const struct tm_params *p, const struct tm_event *ev,
    struct tm_effects *fx);

/* Pending decisions and timers at device time now: a delete whose rekey
 * never came, a CHILD_SA gone past its grace, a down turning stuck. */
void tm_timers(struct tm_machine *m, const struct tm_params *p, int64_t now,
    struct tm_effects *fx);

/* No more lines will come (import): a pending delete is decided now,
 * then the timers run at now. */
void tm_final(struct tm_machine *m, const struct tm_params *p, int64_t now,
    struct tm_effects *fx);

/* charon started on the tunnel's device at `at`: whatever the tunnel was,
 * its IKE_SA is gone; a tunnel believed up went down then. */
void tm_restart(struct tm_machine *m, const struct tm_params *p, int64_t at,
    struct tm_effects *fx);

/* The driver names the incident this call's effects opened (see above). */
void tm_incident_assigned(struct tm_machine *m, int64_t id);

/* Decays the flap score to device time ref (dropped below 0.5) and
 * returns 1 when at least flap_count flaps began within flap_window
 * before ref, else 0. */
int tm_flap_update(struct tm_machine *m, const struct tm_params *p, int64_t ref);

/* 1 while something is pending that only time decides (a delete, a
 * CHILD_SA's grace, a down or degraded incident, a score to decay). */
int tm_needs_timer(const struct tm_machine *m);

/* 1 when b shows nothing new against a to a reader or to a restart: same
 * state, same incident, same flaps (progress, timers and the decaying
 * score aside). */
int tm_visible_same(const struct tm_machine *a, const struct tm_machine *b);

/* The machine as a JSON object (the tunnel_state.machine column), new
 * reference, or NULL out of memory; and back: *m from text, an empty
 * machine when text does not parse (fields missing are zero). */
json_t *tm_to_json(const struct tm_machine *m);
void tm_from_json(struct tm_machine *m, const char *text);

#endif
