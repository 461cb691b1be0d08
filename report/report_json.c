/*
 * report_json.c — the fleet report as JSON, for other tools.
 *
 * The structure is documented in docs/report.md ("JSON") and versioned by
 * the top-level "tunnelwatch_report" number: fields may be added within a
 * version, never renamed or removed.  Names follow the v_* views where
 * they overlap (started_at, ended_at, duration_s, hostname, system_ip,
 * tunnel).  Times are ISO 8601 UTC strings, durations whole seconds.
 * Every string from the logs goes through the model's UTF-8 cleaning
 * (report.c), so the output is always valid JSON text.
 */
#include "report.h"
#include "util.h"

#include <string.h>

static json_t *
report_json_time(int64_t us)
{
	char buf[40];

	if (us == INT64_MIN || us == REPORT_ONGOING)
		return json_null();
	return json_string(util_format_iso(buf, sizeof buf, us, 0));
}

static json_t *
report_json_str(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
report_json_ratio(int64_t observed, int64_t down)
{
	double v;

	if (observed <= 0)
		return json_null();
	v = (double)(observed - down) / (double)observed;
	/* six decimals are enough for 99.9999 % and keep diffs stable */
	return json_real((double)(int64_t)(v * 1e6 + 0.5) / 1e6);
}

static json_t *
report_json_period(int64_t start, int64_t end)
{
	return json_pack("{s:o, s:o, s:I}", "start", report_json_time(start),
	    "end", report_json_time(end), "seconds", (json_int_t)((end - start) / 1000000));
}

static json_t *
report_json_stats(const struct report_stats *st)
{
	json_t *o = json_object(), *sym = json_object(), *cause = json_object();
	int i;

	for (i = 0; i < REPORT_SYM_MAX; i++)
		json_object_set_new(sym, report_symptom_name(i), json_integer(st->by_symptom[i]));
	for (i = 0; i < REPORT_CAUSE_MAX; i++)
		json_object_set_new(cause, report_cause_name(i), json_integer(st->by_cause[i]));
	json_object_set_new(o, "devices", json_integer(st->devices));
	json_object_set_new(o, "tunnels", json_integer(st->tunnels));
	json_object_set_new(o, "observed_s", json_integer(st->observed_us / 1000000));
	json_object_set_new(o, "down_s", json_integer(st->down_us / 1000000));
	json_object_set_new(o, "degraded_s", json_integer(st->degraded_us / 1000000));
	json_object_set_new(o, "availability", report_json_ratio(st->observed_us, st->down_us));
	json_object_set_new(o, "incidents", json_integer(st->incidents));
	json_object_set_new(o, "by_symptom", sym);
	json_object_set_new(o, "by_root_cause", cause);
	json_object_set_new(o, "fleet_events", json_integer(st->fleet_events));
	return o;
}

/* hostname, system_ip, tunnel, peer_ip of tunnel index ti (nulls if -1). */
static json_t *
report_json_tunnel(const struct report *r, int ti)
{
	const struct report_tunnel *t = ti >= 0 ? &r->tunnels[ti] : NULL;

	return json_pack("{s:o, s:o, s:o, s:o}",
	    "hostname", report_json_str(t ? t->hostname : NULL),
	    "system_ip", report_json_str(t ? t->system_ip : NULL),
	    "tunnel", report_json_str(t ? t->name : NULL),
	    "peer_ip", report_json_str(t ? t->peer_ip : NULL));
}

static json_t *
report_json_incident(const struct report *r, const struct report_incident *in, int full)
{
	json_t *o = report_json_tunnel(r, in->tunnel), *ev;
	int i;

	json_object_set_new(o, "incident_id", json_integer(in->id));
	if (in->peer_ip != NULL)
		json_object_set_new(o, "peer_ip", json_string(in->peer_ip));
	json_object_set_new(o, "symptom", report_json_str(in->symptom));
	json_object_set_new(o, "root_cause", report_json_str(in->root_cause));
	json_object_set_new(o, "started_at", report_json_time(in->started_us));
	json_object_set_new(o, "ended_at", report_json_time(in->ended_us));
	json_object_set_new(o, "duration_s", in->ended_us == REPORT_ONGOING ? json_null() :
	    json_integer((in->ended_us - in->started_us) / 1000000));
	json_object_set_new(o, "ongoing", json_boolean(in->ended_us == REPORT_ONGOING));
	if (!full)
		return o;
	json_object_set_new(o, "fleet_event_id", in->fleet_event_id != 0 ?
	    json_integer(in->fleet_event_id) : json_null());
	json_object_set_new(o, "symptom_text", json_string(report_symptom_text(in->sym)));
	json_object_set_new(o, "cause_text", json_string(report_cause_text(in->cause)));
	json_object_set_new(o, "remedy", json_string(report_cause_remedy(in->cause)));
	json_object_set_new(o, "summary", report_json_str(in->summary));
	ev = json_array();
	for (i = 0; i < in->nev; i++)
		json_array_append_new(ev, json_pack("{s:o, s:o, s:o, s:o}",
		    "device_time", report_json_time(in->ev[i].us),
		    "kind", report_json_str(in->ev[i].kind),
		    "line", report_json_str(in->ev[i].line),
		    "shown", report_json_str(in->ev[i].shown)));
	json_object_set_new(o, "evidence", ev);
	json_object_set_new(o, "evidence_omitted", json_integer(in->ev_omitted));
	json_object_set_new(o, "pulse_before", json_pack("{s:I, s:i, s:I, s:I, s:I, s:o}",
	    "window_s", (json_int_t)(REPORT_PULSE_WINDOW_US / 1000000),
	    "minutes", in->pulse.minutes,
	    "dpd_sent", (json_int_t)in->pulse.dpd_sent,
	    "dpd_answered", (json_int_t)in->pulse.dpd_answered,
	    "retransmits", (json_int_t)in->pulse.retransmits,
	    "last_answered_minute", in->pulse.last_answer_minute_us == INT64_MIN ?
	    json_null() : report_json_time(in->pulse.last_answer_minute_us)));
	return o;
}

static const char *const report_band_names[] = { "up", "down", "degraded" };

json_t *
report_to_json(const struct report *r)
{
	json_t *o = json_object(), *a, *x, *sum;
	char buf[40];
	int i, k;

	if (o == NULL)
		return NULL;
	json_object_set_new(o, "tunnelwatch_report", json_integer(1));
	json_object_set_new(o, "generated_at",
	    json_string(util_format_iso(buf, sizeof buf, r->generated_us, 0)));
	{
		char hl[160];
		json_object_set_new(o, "headline", json_string(report_headline(r, hl, sizeof hl)));
	}
	json_object_set_new(o, "period", report_json_period(r->cur.start_us, r->cur.end_us));
	json_object_set_new(o, "previous_period",
	    report_json_period(r->prev.start_us, r->prev.end_us));
	json_object_set_new(o, "quiet", json_boolean(r->nincidents == 0 && r->nfleet == 0));
	json_object_set_new(o, "no_data", json_boolean(r->cur.devices == 0 && r->cur.tunnels == 0));

	sum = report_json_stats(&r->cur);
	json_object_set_new(sum, "devices_known", json_integer(r->devices_known));
	json_object_set_new(sum, "tunnels_known", json_integer(r->tunnels_known));
	json_object_set_new(sum, "previous", report_json_stats(&r->prev));
	json_object_set_new(o, "summary", sum);

	a = json_array();
	for (i = 0; i < r->nfleet; i++) {
		const struct report_fleet *f = &r->fleet[i];
		json_t *dev = json_array();
		for (k = 0; k < f->naffected; k++)
			json_array_append_new(dev, json_pack("{s:o, s:o, s:o}",
			    "hostname", report_json_str(f->affected[k].hostname),
			    "system_ip", report_json_str(f->affected[k].system_ip),
			    "tunnel", report_json_str(f->affected[k].tunnel)));
		x = json_object();
		json_object_set_new(x, "fleet_event_id", json_integer(f->id));
		json_object_set_new(x, "peer_ip", report_json_str(f->peer_ip));
		json_object_set_new(x, "started_at", report_json_time(f->started_us));
		json_object_set_new(x, "ended_at", report_json_time(f->ended_us));
		json_object_set_new(x, "devices", json_integer(f->devices));
		json_object_set_new(x, "tunnels", json_integer(f->tunnels));
		json_object_set_new(x, "root_cause", report_json_str(f->root_cause));
		json_object_set_new(x, "cause_text", json_string(report_cause_text(f->cause)));
		json_object_set_new(x, "remedy", json_string(report_cause_remedy(f->cause)));
		json_object_set_new(x, "summary", report_json_str(f->summary));
		json_object_set_new(x, "affected", dev);
		json_object_set_new(x, "affected_omitted", json_integer(f->affected_omitted));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "fleet_events", a);

	a = json_array();
	for (i = 0; i < r->nstuck; i++) {
		const struct report_incident *in = &r->incidents[r->stuck[i]];
		x = report_json_incident(r, in, 0);
		json_object_set_new(x, "open_s",
		    json_integer((r->cur.end_us - in->started_us) / 1000000));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "stuck", a);

	a = json_array();
	for (i = 0; i < r->nflapping; i++) {
		const struct report_tunnel *t = &r->tunnels[r->flapping[i]];
		x = report_json_tunnel(r, r->flapping[i]);
		json_object_set_new(x, "flaps", json_integer(t->n_flaps));
		json_object_set_new(x, "flapping_now", json_boolean(t->flapping_now));
		json_object_set_new(x, "flap_score",
		    json_real((double)(int64_t)(t->flap_score * 10 + 0.5) / 10));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "flapping", a);

	/* Overlay (BFD) sessions that went down in the period or are down. */
	a = json_array();
	for (i = 0; i < r->nbfd; i++) {
		const struct report_bfd *b = &r->bfd[i];
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I,"
		    " s:o, s:o}",
		    "hostname", report_json_str(b->hostname),
		    "system_ip", report_json_str(b->system_ip),
		    "local_color", report_json_str(b->local_color),
		    "remote_system_ip", report_json_str(b->remote_system_ip),
		    "remote_color", report_json_str(b->remote_color),
		    "state", report_json_str(b->state),
		    "state_since", report_json_time(b->state_since_us),
		    "flaps", (json_int_t)b->flaps,
		    "last_flap_reason", report_json_str(b->last_flap_reason),
		    "last_down", report_json_time(b->last_down_us)));
	}
	json_object_set_new(o, "bfd_sessions", a);
	json_object_set_new(o, "bfd_sessions_omitted", json_integer(r->bfd_omitted));

	a = json_array();
	for (i = 0; i < r->ntop; i++) {
		const struct report_tunnel *t = &r->tunnels[r->top[i]];
		x = report_json_tunnel(r, r->top[i]);
		json_object_set_new(x, "incidents", json_integer(t->n_incidents));
		json_object_set_new(x, "down_s", json_integer(t->down_us / 1000000));
		json_object_set_new(x, "degraded_s", json_integer(t->degraded_us / 1000000));
		json_object_set_new(x, "availability",
		    report_json_ratio(t->obs_end - t->obs_start, t->down_us));
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "top_offenders", a);

	a = json_array();
	for (i = 0; i < r->ntimelines; i++) {
		const struct report_tunnel *t = &r->tunnels[r->timelines[i]];
		json_t *bands = json_array(), *ids = json_array();
		for (k = 0; k < t->nbands; k++)
			json_array_append_new(bands, json_pack("{s:s, s:o, s:o}",
			    "state", report_band_names[t->bands[k].state],
			    "start", report_json_time(t->bands[k].start_us),
			    "end", report_json_time(t->bands[k].end_us)));
		for (k = 0; k < t->ninc; k++)
			json_array_append_new(ids, json_integer(
			    r->incidents[r->by_tunnel[t->first_inc + k]].id));
		x = report_json_tunnel(r, r->timelines[i]);
		json_object_set_new(x, "bands", bands);
		json_object_set_new(x, "incidents", ids);
		json_array_append_new(a, x);
	}
	json_object_set_new(o, "timelines", a);
	json_object_set_new(o, "timelines_omitted", json_integer(r->timelines_omitted));

	a = json_array();
	for (i = 0; i < r->listed; i++)
		json_array_append_new(a, report_json_incident(r, &r->incidents[i], 1));
	json_object_set_new(o, "incidents", a);
	json_object_set_new(o, "incidents_omitted", json_integer(r->listed_omitted));
	return o;
}
