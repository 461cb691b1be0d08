/*
 * engine.h — what to alert, to whom, and when: pure decisions over the
 * incidents, fleet events and flapping tunnels as stored, no SQL, no I/O.
 *
 * alert/watch.c reads the database every alerts.interval and hands each
 * open (or just closed, or vanished) incident, each fleet event and each
 * flapping tunnel to the engine, which compares them with what it has
 * already said and calls emit() for every alert to send now:
 *
 *   incident.opened     open for the rule's min_duration (default
 *                       alerts.debounce), measured from when the correlator
 *                       recorded it; not sent while its tunnel is flapping or
 *                       it belongs to a fleet event (the group's alert says it)
 *   incident.escalated  its symptom became stuck, to whoever got it opened
 *   incident.closed     ended, to whoever got it opened
 *   tunnel.flapping     a tunnel flagged flapping: one alert until the flag
 *                       clears, not one per flap
 *   fleet.opened/closed one alert for all the devices of a fleet event
 *
 * Rules (struct cfg_alert_rule) pick destinations by event, symptom, root
 * cause and device glob; a destination that no rule names gets everything.
 * Each destination has a token bucket (rate_limit per rate_window); what it
 * stops is counted as suppressed and reported in the next alert that goes
 * through.  docs/alerts.md is the user's side of this.
 */
#ifndef TW_ALERT_ENGINE_H
#define TW_ALERT_ENGINE_H

#include "config.h"

#include <stdint.h>

#define ALERT_MAX_MEMBERS 64     /* fleet members listed in one alert */
#define ALERT_HISTORY_US  (24 * 3600 * 1000000LL)  /* older starts: history, not news */

struct alert_incident {          /* a row of v_incidents, with its tunnel's flag */
	int64_t id, tunnel_id, fleet_event_id;   /* fleet_event_id 0: none */
	int64_t started_us, ended_us;            /* device time; ended_us 0: open */
	int64_t detected_us;                     /* wall clock, first recorded */
	int symptom;                             /* enum cfg_alert_symptom */
	int tunnel_flapping;
	char hostname[128], system_ip[48], tunnel[64], peer_ip[48], root_cause[48];
	char summary[1024];
	const char *evidence;                    /* JSON array text, or NULL */
};

struct alert_member { char hostname[128], system_ip[48], tunnel[64]; };

struct alert_fleet {             /* a row of v_fleet_events, with its members */
	int64_t id, started_us, ended_us;        /* ended_us 0: open */
	int devices, tunnels;
	char peer_ip[48], root_cause[48], summary[1024];
	struct alert_member member[ALERT_MAX_MEMBERS];
	int n_members;
};

struct alert_flapping {          /* a tunnel whose flapping flag is set */
	int64_t tunnel_id;
	int flaps_24h;
	double flap_score;
	char hostname[128], system_ip[48], tunnel[64], peer_ip[48], root_cause[48];
};

/* One alert for one destination, handed to emit(). */
struct alert_out {
	int event;                   /* enum cfg_alert_event */
	int dest;                    /* index in cfg->alerts.dest */
	int prev_symptom;            /* escalated: the symptom before; else -1 */
	uint64_t suppressed;         /* rate-limited for this destination since the last one */
	const struct alert_incident *inc;
	const struct alert_fleet *fleet;
	const struct alert_flapping *flap;
};

typedef void (*alert_emit_fn)(void *arg, const struct alert_out *o);

/* What a subject is, for the rules. */
struct alert_subject {
	int event;                   /* enum cfg_alert_event */
	int symptom;                 /* enum cfg_alert_symptom, -1: none (fleet events) */
	const char *cause;
	const char *const *hosts;    /* hostnames and system-ips, n each */
	const char *const *ips;
	int n;
	int event_only;              /* match the event alone: what follows an alert
	                              * already sent (closed, escalated) goes to the
	                              * same destinations whatever the symptom or
	                              * cause has become */
};

/*
 * The destinations the rules send subject s to when it is age_us old:
 * returned, those due now; *later, those whose min_duration has not
 * passed yet, with *wait_us the shortest time left (0 when none).
 */
uint32_t alert_route(const struct cfg_alerts *a, const struct alert_subject *s,
    int64_t age_us, uint32_t *later, int64_t *wait_us);

/* A token bucket: rate per window.  alert_rate_take: 1 when a token was
 * there (taken), 0 when the alert must be suppressed. */
struct alert_rate { double tokens; int64_t last_us; int primed; };
int alert_rate_take(struct alert_rate *r, int rate, int64_t window_us, int64_t now_us);

struct alert_engine;

struct alert_engine *alert_engine_new(const struct cfg_alerts *a, alert_emit_fn emit,
    void *arg);
void alert_engine_free(struct alert_engine *e);

/*
 * One look at the database: begin, then each incident that is open or new
 * (inc), each tracked one that is gone (alert_engine_vanished), each
 * fleet event open or new, each flapping tunnel, then end.  bootstrap: the
 * first look without a saved state — what is there is taken as already
 * said (open incidents past their debounce, flapping tunnels, fleet
 * events), so a first start does not repeat the past.
 */
void alert_engine_begin(struct alert_engine *e, int64_t now_us, int bootstrap);
void alert_engine_incident(struct alert_engine *e, const struct alert_incident *inc);
void alert_engine_vanished(struct alert_engine *e, int64_t incident_id);
void alert_engine_fleet(struct alert_engine *e, const struct alert_fleet *f);
void alert_engine_fleet_vanished(struct alert_engine *e, int64_t fleet_id);
void alert_engine_flapping(struct alert_engine *e, const struct alert_flapping *f);
/* Ends the look: tunnels not reported flapping are no longer.  Returns 1
 * when anything the state holds changed (then save alert_engine_save). */
int alert_engine_end(struct alert_engine *e);

/* The open incidents and fleet events tracked (watch.c re-reads them). */
int alert_engine_tracked(const struct alert_engine *e, int fleets, int64_t *ids, int max);
int alert_engine_n_tracked(const struct alert_engine *e, int fleets);
/* The shortest time until a debounced alert falls due (0: none). */
int64_t alert_engine_next_due(const struct alert_engine *e);

/* Counters since the last call: suppressed (grouping, rate limit). */
uint64_t alert_engine_take_suppressed(struct alert_engine *e);

/* The state as JSON text (malloc'd) and back: what was said to which
 * destination (by name), so that a restart neither repeats nor misses.
 * load returns 0, or -1 for a state it cannot use (then bootstrap). */
char *alert_engine_save(const struct alert_engine *e, int64_t max_incident, int64_t max_fleet);
int alert_engine_load(struct alert_engine *e, const char *text, int64_t *max_incident,
    int64_t *max_fleet);

#endif
