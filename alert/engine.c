/*
 * engine.c — the alert decisions (see engine.h): rules, debounce,
 * grouping, rate limits and the memory of what was said.
 *
 * The memory is three small tables searched linearly (the open incidents,
 * the open fleet events, the flapping tunnels: tens to a few thousand
 * rows), and a ring of incidents that vanished, so that a tunnel derived
 * again (its incidents deleted and recorded anew, docs/schema.md) keeps
 * what was already said of the same outage.
 */
#include "engine.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define ALERT_MAX_TRACKED 100000
#define ALERT_VANISHED    32

struct itrack {
	int64_t id, tunnel_id, started_us;
	uint32_t sent;               /* got incident.opened */
	uint32_t quiet;              /* decided not to get it (grouped, limited, history) */
	int symptom;
	int seen;
};

struct ftrack {
	int64_t id, first_us;        /* first seen (wall clock): the fleet's debounce */
	uint32_t sent, quiet;
	int seen;
};

struct ptrack {
	int64_t tunnel_id;
	int seen;
};

struct alert_engine {
	const struct cfg_alerts *a;
	alert_emit_fn emit;
	void *arg;
	struct itrack *inc;
	int n_inc, cap_inc;
	struct ftrack *fl;
	int n_fl, cap_fl;
	struct ptrack *fp;
	int n_fp, cap_fp;
	struct itrack vanished[ALERT_VANISHED];
	int vanished_next;
	struct alert_rate rate[CFG_MAX_ALERT_DESTS];
	uint64_t dest_suppressed[CFG_MAX_ALERT_DESTS];   /* since its last alert */
	uint64_t suppressed;                             /* since take_suppressed */
	int64_t now, next_due;
	int bootstrap, changed;
};

/* ---- rules ------------------------------------------------------------- */

static int
alert_glob_any(const char (*globs)[128], int n, const char *const *a, const char *const *b,
    int m)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
			if ((a[j] != NULL && fnmatch(globs[i], a[j], FNM_CASEFOLD) == 0) ||
			    (b[j] != NULL && fnmatch(globs[i], b[j], 0) == 0))
				return 1;
	return 0;
}

static int
alert_rule_matches(const struct cfg_alert_rule *r, const struct alert_subject *s)
{
	int i, hit = r->n_causes == 0;

	if (r->events != 0 && !(r->events & (1u << s->event)))
		return 0;
	if (s->event_only)
		return 1;
	if (r->symptoms != 0 && s->symptom >= 0 && !(r->symptoms & (1u << s->symptom)))
		return 0;
	for (i = 0; i < r->n_causes && !hit; i++)
		hit = s->cause != NULL && fnmatch(r->causes[i], s->cause, 0) == 0;
	if (!hit)
		return 0;
	return r->n_devices == 0 || alert_glob_any((const char (*)[128])r->devices,
	    r->n_devices, s->hosts, s->ips, s->n);
}

uint32_t
alert_route(const struct cfg_alerts *a, const struct alert_subject *s, int64_t age_us,
    uint32_t *later, int64_t *wait_us)
{
	uint32_t due = 0, named = 0;
	int d, i, debounced = s->event == CFG_EV_OPENED || s->event == CFG_EV_FLEET_OPENED;

	*later = 0;
	*wait_us = 0;
	for (i = 0; i < a->n_rules; i++)
		named |= a->rule[i].to;
	for (d = 0; d < a->n_dest; d++) {
		int64_t min = -1;       /* the shortest min_duration of the rules that match */
		if (!(named & (1u << d))) {
			min = a->debounce_us;
		} else {
			for (i = 0; i < a->n_rules; i++) {
				const struct cfg_alert_rule *r = &a->rule[i];
				int64_t m = r->min_duration_us >= 0 ? r->min_duration_us :
				    a->debounce_us;
				if ((r->to & (1u << d)) && alert_rule_matches(r, s) &&
				    (min < 0 || m < min))
					min = m;
			}
			if (min < 0)
				continue;
		}
		if (!debounced || age_us >= min) {
			due |= 1u << d;
		} else {
			*later |= 1u << d;
			if (*wait_us == 0 || min - age_us < *wait_us)
				*wait_us = min - age_us;
		}
	}
	return due;
}

int
alert_rate_take(struct alert_rate *r, int rate, int64_t window_us, int64_t now_us)
{
	if (rate <= 0)
		return 1;
	if (!r->primed) {
		r->tokens = rate;
		r->last_us = now_us;
		r->primed = 1;
	}
	if (now_us > r->last_us) {
		r->tokens += (double)(now_us - r->last_us) * rate / (double)window_us;
		if (r->tokens > rate)
			r->tokens = rate;
		r->last_us = now_us;
	}
	if (r->tokens < 1.0)
		return 0;
	r->tokens -= 1.0;
	return 1;
}

/* ---- the engine -------------------------------------------------------- */

struct alert_engine *
alert_engine_new(const struct cfg_alerts *a, alert_emit_fn emit, void *arg)
{
	struct alert_engine *e = calloc(1, sizeof *e);

	if (e == NULL)
		return NULL;
	e->a = a;
	e->emit = emit;
	e->arg = arg;
	return e;
}

void
alert_engine_free(struct alert_engine *e)
{
	if (e == NULL)
		return;
	free(e->inc);
	free(e->fl);
	free(e->fp);
	free(e);
}

/* Grows *p (n used, *cap) for one more element of size sz. */
static int
alert_grow(void **p, int n, int *cap, size_t sz)
{
	void *np;
	int nc;

	if (n < *cap)
		return 0;
	if (n >= ALERT_MAX_TRACKED)
		return -1;
	nc = *cap == 0 ? 64 : *cap * 2;
	if ((np = realloc(*p, (size_t)nc * sz)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

/* Sends o to each destination of mask that its bucket lets through;
 * returns those it went to. */
static uint32_t
alert_send(struct alert_engine *e, uint32_t mask, struct alert_out *o)
{
	uint32_t went = 0;
	int d;

	for (d = 0; d < e->a->n_dest; d++) {
		const struct cfg_alert_dest *dest = &e->a->dest[d];
		if (!(mask & (1u << d)))
			continue;
		if (!alert_rate_take(&e->rate[d], dest->rate_limit, dest->rate_window_us, e->now)) {
			e->dest_suppressed[d]++;
			e->suppressed++;
			continue;
		}
		o->dest = d;
		o->suppressed = e->dest_suppressed[d];
		e->dest_suppressed[d] = 0;
		e->emit(e->arg, o);
		went |= 1u << d;
	}
	return went;
}

static int
alert_popcount(uint32_t m)
{
	return __builtin_popcount(m);
}

static void
alert_due_at(struct alert_engine *e, int64_t wait)
{
	if (wait > 0 && (e->next_due == 0 || wait < e->next_due))
		e->next_due = wait;
}

void
alert_engine_begin(struct alert_engine *e, int64_t now_us, int bootstrap)
{
	int i;

	e->now = now_us;
	e->bootstrap = bootstrap;
	e->next_due = 0;
	for (i = 0; i < e->n_fp; i++)
		e->fp[i].seen = 0;
}

static struct itrack *
alert_find_inc(struct alert_engine *e, int64_t id)
{
	int i;

	for (i = 0; i < e->n_inc; i++)
		if (e->inc[i].id == id)
			return &e->inc[i];
	return NULL;
}

static void
alert_drop_inc(struct alert_engine *e, struct itrack *t)
{
	*t = e->inc[--e->n_inc];
	e->changed = 1;
}

void
alert_engine_incident(struct alert_engine *e, const struct alert_incident *inc)
{
	const char *hosts[1] = { inc->hostname }, *ips[1] = { inc->system_ip };
	struct alert_subject s = { CFG_EV_OPENED, inc->symptom, inc->root_cause, hosts, ips, 1, 0 };
	struct alert_out o = { CFG_EV_OPENED, 0, -1, 0, inc, NULL, NULL };
	struct itrack *t = alert_find_inc(e, inc->id);
	uint32_t due, later;
	int64_t wait;
	int i;

	if (t == NULL) {
		if (alert_grow((void **)&e->inc, e->n_inc, &e->cap_inc, sizeof *e->inc) != 0)
			return;                 /* over ALERT_MAX_TRACKED: not alerted */
		t = &e->inc[e->n_inc++];
		memset(t, 0, sizeof *t);
		t->id = inc->id;
		t->tunnel_id = inc->tunnel_id;
		t->started_us = inc->started_us;
		t->symptom = inc->symptom;
		e->changed = 1;
		/* The same outage recorded anew (a tunnel derived again). */
		for (i = 0; i < ALERT_VANISHED; i++) {
			struct itrack *v = &e->vanished[i];
			if (v->id != 0 && v->tunnel_id == inc->tunnel_id &&
			    v->started_us == inc->started_us) {
				t->sent = v->sent;
				t->quiet = v->quiet;
				t->symptom = v->symptom;
				v->id = 0;
				break;
			}
		}
		if (e->now - inc->started_us > ALERT_HISTORY_US)
			t->quiet = ~0u;         /* an import of old logs: history */
		if (e->bootstrap && inc->ended_us == 0) {
			due = alert_route(e->a, &s, e->now - inc->detected_us, &later, &wait);
			t->sent |= due;         /* said before this start */
		}
	}
	if (inc->ended_us != 0) {
		s.event = o.event = CFG_EV_CLOSED;
		s.event_only = 1;
		due = alert_route(e->a, &s, 0, &later, &wait) & t->sent;
		if (due != 0)
			alert_send(e, due, &o);
		alert_drop_inc(e, t);
		return;
	}
	if (inc->symptom != t->symptom) {
		int prev = t->symptom;
		t->symptom = inc->symptom;
		e->changed = 1;
		if (inc->symptom == CFG_SYM_STUCK) {
			s.event = o.event = CFG_EV_ESCALATED;
			s.event_only = 1;
			o.prev_symptom = prev;
			due = alert_route(e->a, &s, 0, &later, &wait) & t->sent;
			if (due != 0)
				alert_send(e, due, &o);
			s.event = o.event = CFG_EV_OPENED;
			s.event_only = 0;
			o.prev_symptom = -1;
		}
	}
	due = alert_route(e->a, &s, e->now - inc->detected_us, &later, &wait);
	due &= ~(t->sent | t->quiet);
	later &= ~(t->sent | t->quiet);
	if (later != 0)
		alert_due_at(e, wait);
	if (due == 0)
		return;
	e->changed = 1;
	if (inc->fleet_event_id != 0 || inc->tunnel_flapping) {
		/* Grouped: the fleet event's or the tunnel's alert says it. */
		t->quiet |= due;
		e->suppressed += (uint64_t)alert_popcount(due);
		return;
	}
	{
		uint32_t went = alert_send(e, due, &o);
		t->sent |= went;
		t->quiet |= due & ~went;
	}
}

void
alert_engine_vanished(struct alert_engine *e, int64_t incident_id)
{
	struct itrack *t = alert_find_inc(e, incident_id);

	if (t == NULL)
		return;
	e->vanished[e->vanished_next] = *t;
	e->vanished_next = (e->vanished_next + 1) % ALERT_VANISHED;
	alert_drop_inc(e, t);
}

static struct ftrack *
alert_find_fleet(struct alert_engine *e, int64_t id)
{
	int i;

	for (i = 0; i < e->n_fl; i++)
		if (e->fl[i].id == id)
			return &e->fl[i];
	return NULL;
}

void
alert_engine_fleet(struct alert_engine *e, const struct alert_fleet *f)
{
	const char *hosts[ALERT_MAX_MEMBERS], *ips[ALERT_MAX_MEMBERS];
	struct alert_subject s = { CFG_EV_FLEET_OPENED, -1, f->root_cause, hosts, ips,
	    f->n_members, 0 };
	struct alert_out o = { CFG_EV_FLEET_OPENED, 0, -1, 0, NULL, f, NULL };
	struct ftrack *t = alert_find_fleet(e, f->id);
	uint32_t due, later;
	int64_t wait;
	int i;

	for (i = 0; i < f->n_members; i++) {
		hosts[i] = f->member[i].hostname;
		ips[i] = f->member[i].system_ip;
	}
	if (t == NULL) {
		if (alert_grow((void **)&e->fl, e->n_fl, &e->cap_fl, sizeof *e->fl) != 0)
			return;
		t = &e->fl[e->n_fl++];
		memset(t, 0, sizeof *t);
		t->id = f->id;
		t->first_us = e->now;
		e->changed = 1;
		if (e->now - f->started_us > ALERT_HISTORY_US)
			t->quiet = ~0u;
		if (e->bootstrap && f->ended_us == 0)
			t->sent = alert_route(e->a, &s, ALERT_HISTORY_US, &later, &wait);
	}
	if (f->ended_us != 0) {
		s.event = o.event = CFG_EV_FLEET_CLOSED;
		s.event_only = 1;
		due = alert_route(e->a, &s, 0, &later, &wait) & t->sent;
		if (due != 0)
			alert_send(e, due, &o);
		*t = e->fl[--e->n_fl];
		e->changed = 1;
		return;
	}
	due = alert_route(e->a, &s, e->now - t->first_us, &later, &wait) & ~(t->sent | t->quiet);
	if ((later & ~(t->sent | t->quiet)) != 0)
		alert_due_at(e, wait);
	if (due == 0)
		return;
	e->changed = 1;
	{
		uint32_t went = alert_send(e, due, &o);
		t->sent |= went;
		t->quiet |= due & ~went;
	}
}

void
alert_engine_fleet_vanished(struct alert_engine *e, int64_t fleet_id)
{
	struct ftrack *t = alert_find_fleet(e, fleet_id);

	if (t != NULL) {
		*t = e->fl[--e->n_fl];
		e->changed = 1;
	}
}

void
alert_engine_flapping(struct alert_engine *e, const struct alert_flapping *f)
{
	const char *hosts[1] = { f->hostname }, *ips[1] = { f->system_ip };
	struct alert_subject s = { CFG_EV_FLAPPING, CFG_SYM_FLAPPING, f->root_cause, hosts,
	    ips, 1, 0 };
	struct alert_out o = { CFG_EV_FLAPPING, 0, -1, 0, NULL, NULL, f };
	uint32_t due, later;
	int64_t wait;
	int i;

	for (i = 0; i < e->n_fp; i++) {
		if (e->fp[i].tunnel_id == f->tunnel_id) {
			e->fp[i].seen = 1;
			return;                 /* said once, until the flag clears */
		}
	}
	if (alert_grow((void **)&e->fp, e->n_fp, &e->cap_fp, sizeof *e->fp) != 0)
		return;
	e->fp[e->n_fp].tunnel_id = f->tunnel_id;
	e->fp[e->n_fp].seen = 1;
	e->n_fp++;
	e->changed = 1;
	if (e->bootstrap)
		return;
	due = alert_route(e->a, &s, 0, &later, &wait);
	if (due != 0)
		alert_send(e, due, &o);
}

int
alert_engine_end(struct alert_engine *e)
{
	int i, changed;

	for (i = 0; i < e->n_fp; ) {
		if (!e->fp[i].seen) {
			e->fp[i] = e->fp[--e->n_fp];
			e->changed = 1;
		} else {
			i++;
		}
	}
	e->bootstrap = 0;
	changed = e->changed;
	e->changed = 0;
	return changed;
}

int
alert_engine_n_tracked(const struct alert_engine *e, int fleets)
{
	return fleets ? e->n_fl : e->n_inc;
}

int
alert_engine_tracked(const struct alert_engine *e, int fleets, int64_t *ids, int max)
{
	int i, n = fleets ? e->n_fl : e->n_inc;

	for (i = 0; i < n && i < max; i++)
		ids[i] = fleets ? e->fl[i].id : e->inc[i].id;
	return i;
}

int64_t
alert_engine_next_due(const struct alert_engine *e)
{
	return e->next_due;
}

uint64_t
alert_engine_take_suppressed(struct alert_engine *e)
{
	uint64_t n = e->suppressed;

	e->suppressed = 0;
	return n;
}

/* ---- the state, saved and loaded --------------------------------------- */

char *
alert_engine_save(const struct alert_engine *e, int64_t max_incident, int64_t max_fleet)
{
	json_t *root = json_object(), *dests = json_array(), *inc = json_array(),
	    *fl = json_array(), *fp = json_array();
	char *text = NULL;
	int i;

	if (root == NULL || dests == NULL || inc == NULL || fl == NULL || fp == NULL)
		goto out;
	for (i = 0; i < e->a->n_dest; i++)
		json_array_append_new(dests, json_string(e->a->dest[i].name));
	for (i = 0; i < e->n_inc; i++) {
		const struct itrack *t = &e->inc[i];
		json_array_append_new(inc, json_pack("[IIIiII]", (json_int_t)t->id,
		    (json_int_t)t->tunnel_id, (json_int_t)t->started_us, t->symptom,
		    (json_int_t)t->sent, (json_int_t)t->quiet));
	}
	for (i = 0; i < e->n_fl; i++)
		json_array_append_new(fl, json_pack("[IIII]", (json_int_t)e->fl[i].id,
		    (json_int_t)e->fl[i].first_us, (json_int_t)e->fl[i].sent,
		    (json_int_t)e->fl[i].quiet));
	for (i = 0; i < e->n_fp; i++)
		json_array_append_new(fp, json_integer(e->fp[i].tunnel_id));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "max_incident", json_integer(max_incident));
	json_object_set_new(root, "max_fleet", json_integer(max_fleet));
	json_object_set(root, "destinations", dests);
	json_object_set(root, "incidents", inc);
	json_object_set(root, "fleets", fl);
	json_object_set(root, "flapping", fp);
	text = json_dumps(root, JSON_COMPACT);
out:
	json_decref(dests);
	json_decref(inc);
	json_decref(fl);
	json_decref(fp);
	json_decref(root);
	return text;
}

/* A saved mask (bits by the saved destination names) in today's bits. */
static uint32_t
alert_remap(const struct alert_engine *e, json_t *names, json_int_t saved)
{
	uint32_t out = 0;
	size_t i;
	int d;

	if (saved == (json_int_t)(uint32_t)~0u)
		return ~0u;
	for (i = 0; i < json_array_size(names) && i < 32; i++) {
		const char *n = json_string_value(json_array_get(names, i));
		if (!(saved & ((json_int_t)1 << i)) || n == NULL)
			continue;
		for (d = 0; d < e->a->n_dest; d++)
			if (strcmp(e->a->dest[d].name, n) == 0)
				out |= 1u << d;
	}
	return out;
}

int
alert_engine_load(struct alert_engine *e, const char *text, int64_t *max_incident,
    int64_t *max_fleet)
{
	json_t *root = json_loads(text, 0, NULL), *names, *v;
	json_int_t a, b, c, sent, quiet;
	size_t i;
	int sym, rc = -1;

	if (root == NULL || json_integer_value(json_object_get(root, "version")) != 1 ||
	    !json_is_array(names = json_object_get(root, "destinations")))
		goto out;
	*max_incident = json_integer_value(json_object_get(root, "max_incident"));
	*max_fleet = json_integer_value(json_object_get(root, "max_fleet"));
	e->n_inc = e->n_fl = e->n_fp = 0;
	json_array_foreach(json_object_get(root, "incidents"), i, v) {
		if (json_unpack(v, "[IIIiII]", &a, &b, &c, &sym, &sent, &quiet) != 0 ||
		    alert_grow((void **)&e->inc, e->n_inc, &e->cap_inc, sizeof *e->inc) != 0)
			goto out;
		e->inc[e->n_inc++] = (struct itrack){ a, b, c, alert_remap(e, names, sent),
		    alert_remap(e, names, quiet), sym, 0 };
	}
	json_array_foreach(json_object_get(root, "fleets"), i, v) {
		if (json_unpack(v, "[IIII]", &a, &b, &sent, &quiet) != 0 ||
		    alert_grow((void **)&e->fl, e->n_fl, &e->cap_fl, sizeof *e->fl) != 0)
			goto out;
		e->fl[e->n_fl++] = (struct ftrack){ a, b, alert_remap(e, names, sent),
		    alert_remap(e, names, quiet), 0 };
	}
	json_array_foreach(json_object_get(root, "flapping"), i, v) {
		if (!json_is_integer(v) ||
		    alert_grow((void **)&e->fp, e->n_fp, &e->cap_fp, sizeof *e->fp) != 0)
			goto out;
		e->fp[e->n_fp++] = (struct ptrack){ json_integer_value(v), 1 };
	}
	rc = 0;
out:
	if (rc != 0)
		e->n_inc = e->n_fl = e->n_fp = 0;
	json_decref(root);
	return rc;
}
