/*
 * payload.c — the alert documents (see payload.h).  The generic document
 * is built first; the presets are views of it, so every preset says the
 * same thing.
 */
#include "payload.h"
#include "util.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *
alert_time(int64_t us)
{
	char buf[40];

	if (us == 0)
		return json_null();
	return json_string(util_format_iso(buf, sizeof buf, us, 0));
}

/* "5m12s", "3h4m", "42s" */
static void
alert_duration(char *buf, size_t sz, int64_t us)
{
	int64_t s = us / 1000000;

	if (s >= 3600)
		snprintf(buf, sz, "%lldh%lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else if (s >= 60)
		snprintf(buf, sz, "%lldm%llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, sz, "%llds", (long long)s);
}

static const char *
alert_sym(int s)
{
	return s >= 0 && s < CFG_SYM_MAX ? cfg_alert_symptom_names[s] : "unknown";
}

void
alert_title(const struct alert_out *o, char *buf, size_t sz)
{
	const struct alert_incident *i = o->inc;
	const struct alert_fleet *f = o->fleet;
	const struct alert_flapping *p = o->flap;
	char dur[32];

	switch (o->event) {
	case CFG_EV_OPENED:
		snprintf(buf, sz, "%s %s: %s (%s)", i->hostname, i->tunnel, alert_sym(i->symptom),
		    i->root_cause);
		break;
	case CFG_EV_ESCALATED:
		snprintf(buf, sz, "%s %s: %s -> %s (%s)", i->hostname, i->tunnel,
		    alert_sym(o->prev_symptom), alert_sym(i->symptom), i->root_cause);
		break;
	case CFG_EV_CLOSED:
		alert_duration(dur, sizeof dur, i->ended_us - i->started_us);
		snprintf(buf, sz, "%s %s: back after %s (%s)", i->hostname, i->tunnel, dur,
		    i->root_cause);
		break;
	case CFG_EV_FLAPPING:
		snprintf(buf, sz, "%s %s: flapping (%d flaps in 24 h, %s)", p->hostname, p->tunnel,
		    p->flaps_24h, p->root_cause[0] != '\0' ? p->root_cause : "unknown");
		break;
	case CFG_EV_FLEET_OPENED:
		snprintf(buf, sz, "peer %s lost by %d devices (%s)", f->peer_ip, f->devices,
		    f->root_cause);
		break;
	case CFG_EV_FLEET_CLOSED:
		snprintf(buf, sz, "peer %s back: fleet event over (%d devices, %d tunnels)",
		    f->peer_ip, f->devices, f->tunnels);
		break;
	default:
		snprintf(buf, sz, "tunnelwatch alert");
	}
}

static json_t *
alert_incident_json(const struct alert_out *o)
{
	const struct alert_incident *i = o->inc;
	json_t *j = json_object(), *ev = NULL;

	json_object_set_new(j, "id", json_integer(i->id));
	json_object_set_new(j, "hostname", json_string(i->hostname));
	json_object_set_new(j, "system_ip", i->system_ip[0] ? json_string(i->system_ip) :
	    json_null());
	json_object_set_new(j, "tunnel", json_string(i->tunnel));
	json_object_set_new(j, "peer_ip", i->peer_ip[0] ? json_string(i->peer_ip) : json_null());
	json_object_set_new(j, "symptom", json_string(alert_sym(i->symptom)));
	if (o->prev_symptom >= 0)
		json_object_set_new(j, "previous_symptom", json_string(alert_sym(o->prev_symptom)));
	json_object_set_new(j, "root_cause", json_string(i->root_cause));
	json_object_set_new(j, "summary", json_string(i->summary));
	json_object_set_new(j, "started_at", alert_time(i->started_us));
	json_object_set_new(j, "ended_at", alert_time(i->ended_us));
	json_object_set_new(j, "duration_s", i->ended_us != 0 ?
	    json_integer((i->ended_us - i->started_us) / 1000000) : json_null());
	json_object_set_new(j, "fleet_event_id", i->fleet_event_id != 0 ?
	    json_integer(i->fleet_event_id) : json_null());
	if (i->evidence != NULL)
		ev = json_loads(i->evidence, 0, NULL);
	json_object_set_new(j, "evidence", json_is_array(ev) ? ev : json_array());
	if (ev != NULL && !json_is_array(ev))
		json_decref(ev);
	return j;
}

static json_t *
alert_fleet_json(const struct alert_fleet *f)
{
	json_t *j = json_object(), *m = json_array();
	int k;

	json_object_set_new(j, "id", json_integer(f->id));
	json_object_set_new(j, "peer_ip", json_string(f->peer_ip));
	json_object_set_new(j, "started_at", alert_time(f->started_us));
	json_object_set_new(j, "ended_at", alert_time(f->ended_us));
	json_object_set_new(j, "devices", json_integer(f->devices));
	json_object_set_new(j, "tunnels", json_integer(f->tunnels));
	json_object_set_new(j, "root_cause", json_string(f->root_cause));
	json_object_set_new(j, "summary", json_string(f->summary));
	for (k = 0; k < f->n_members; k++)
		json_array_append_new(m, json_pack("{ssssss}", "hostname", f->member[k].hostname,
		    "system_ip", f->member[k].system_ip, "tunnel", f->member[k].tunnel));
	json_object_set_new(j, "members", m);
	json_object_set_new(j, "members_truncated", json_boolean(f->n_members < f->tunnels &&
	    f->n_members == ALERT_MAX_MEMBERS));
	return j;
}

static json_t *
alert_flap_json(const struct alert_flapping *p)
{
	json_t *j = json_object();

	json_object_set_new(j, "hostname", json_string(p->hostname));
	json_object_set_new(j, "system_ip", p->system_ip[0] ? json_string(p->system_ip) :
	    json_null());
	json_object_set_new(j, "tunnel", json_string(p->tunnel));
	json_object_set_new(j, "peer_ip", p->peer_ip[0] ? json_string(p->peer_ip) : json_null());
	json_object_set_new(j, "flaps_24h", json_integer(p->flaps_24h));
	json_object_set_new(j, "flap_score", json_real(p->flap_score));
	json_object_set_new(j, "root_cause", p->root_cause[0] ? json_string(p->root_cause) :
	    json_null());
	return j;
}

/* The generic document (docs/alerts.md, "Payload"). */
static json_t *
alert_generic(const struct alert_out *o, const struct cfg_alert_dest *d, int64_t now_us,
    const char *title)
{
	json_t *j = json_object();
	const char *text = o->inc != NULL ? o->inc->summary : o->fleet != NULL ?
	    o->fleet->summary : "";

	json_object_set_new(j, "version", json_integer(ALERT_PAYLOAD_VERSION));
	json_object_set_new(j, "source", json_string("tunnelwatch"));
	json_object_set_new(j, "event", json_string(cfg_alert_event_names[o->event]));
	json_object_set_new(j, "sent_at", alert_time(now_us));
	json_object_set_new(j, "destination", json_string(d->name));
	json_object_set_new(j, "title", json_string(title));
	json_object_set_new(j, "text", json_string(text));
	json_object_set_new(j, "suppressed", json_integer((json_int_t)o->suppressed));
	if (o->inc != NULL)
		json_object_set_new(j, "incident", alert_incident_json(o));
	if (o->fleet != NULL)
		json_object_set_new(j, "fleet_event", alert_fleet_json(o->fleet));
	if (o->flap != NULL)
		json_object_set_new(j, "tunnel", alert_flap_json(o->flap));
	return j;
}

/* Slack's mrkdwn: &, < and > are its markup (a hostile log line must not
 * become a link or a mention). */
static void
alert_slack_escape(char *out, size_t sz, const char *in)
{
	size_t n = 0;

	for (; *in != '\0' && n + 6 < sz; in++) {
		const char *rep = *in == '&' ? "&amp;" : *in == '<' ? "&lt;" :
		    *in == '>' ? "&gt;" : NULL;
		if (rep != NULL) {
			memcpy(out + n, rep, strlen(rep));
			n += strlen(rep);
		} else {
			out[n++] = *in;
		}
	}
	out[n] = '\0';
}

static void __attribute__((format(printf, 3, 4)))
alert_fmt(char *buf, size_t sz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, sz, fmt, ap);      /* cut to the buffer: a chat line */
	va_end(ap);
}

/* Appends to buf (NUL-terminated, size sz), cut at its end. */
static void __attribute__((format(printf, 3, 4)))
alert_append(char *buf, size_t sz, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= sz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(buf + used, sz - used, fmt, ap);
	va_end(ap);
}

/* The facts a person scans first, as (name, value) pairs. */
static int
alert_facts(const struct alert_out *o, const char *names[8], char values[8][160])
{
	int n = 0;

#define FACT(nm, ...) do { names[n] = (nm); alert_fmt(values[n], 160, __VA_ARGS__); n++; } while (0)
	if (o->inc != NULL) {
		char t[40];
		FACT("Device", "%s (%s)", o->inc->hostname, o->inc->system_ip[0] ?
		    o->inc->system_ip : "-");
		FACT("Tunnel", "%s to %s", o->inc->tunnel, o->inc->peer_ip[0] ?
		    o->inc->peer_ip : "-");
		FACT("Symptom", "%s", alert_sym(o->inc->symptom));
		FACT("Root cause", "%s", o->inc->root_cause);
		FACT("Started", "%s", util_format_iso(t, sizeof t, o->inc->started_us, 0));
	} else if (o->fleet != NULL) {
		FACT("Peer", "%s", o->fleet->peer_ip);
		FACT("Devices", "%d", o->fleet->devices);
		FACT("Tunnels", "%d", o->fleet->tunnels);
		FACT("Root cause", "%s", o->fleet->root_cause);
	} else if (o->flap != NULL) {
		FACT("Device", "%s (%s)", o->flap->hostname, o->flap->system_ip[0] ?
		    o->flap->system_ip : "-");
		FACT("Tunnel", "%s to %s", o->flap->tunnel, o->flap->peer_ip[0] ?
		    o->flap->peer_ip : "-");
		FACT("Flaps (24 h)", "%d", o->flap->flaps_24h);
	}
	if (o->suppressed > 0)
		FACT("Suppressed", "%llu alerts before this one (rate limit)",
		    (unsigned long long)o->suppressed);
#undef FACT
	return n;
}

static json_t *
alert_slack(const struct alert_out *o, const char *title, const char *text)
{
	const char *names[8];
	char values[8][160], buf[4096], esc[4096];
	int n = alert_facts(o, names, values), k;

	buf[0] = '\0';
	alert_slack_escape(esc, sizeof esc, title);
	alert_append(buf, sizeof buf, "*%s*", esc);
	if (text[0] != '\0') {
		alert_slack_escape(esc, sizeof esc, text);
		alert_append(buf, sizeof buf, "\n%s", esc);
	}
	for (k = 0; k < n; k++) {
		alert_slack_escape(esc, sizeof esc, values[k]);
		alert_append(buf, sizeof buf, "\n%s: %s", names[k], esc);
	}
	return json_pack("{ss}", "text", buf);
}

static json_t *
alert_teams(const struct alert_out *o, const char *title, const char *text)
{
	const char *names[8];
	char values[8][160];
	int n = alert_facts(o, names, values), k;
	json_t *facts = json_array();
	const char *color = o->event == CFG_EV_CLOSED || o->event == CFG_EV_FLEET_CLOSED ?
	    "2EB67D" : "D40E0D";

	for (k = 0; k < n; k++)
		json_array_append_new(facts, json_pack("{ssss}", "name", names[k], "value",
		    values[k]));
	return json_pack("{ss ss ss ss ss ss s[{so}]}", "@type", "MessageCard",
	    "@context", "https://schema.org/extensions", "summary", title,
	    "themeColor", color, "title", title, "text", text[0] != '\0' ? text : title,
	    "sections", "facts", facts);
}

char *
alert_payload(const struct alert_out *o, const struct cfg_alert_dest *d, int64_t now_us)
{
	char title[512];
	json_t *j;
	char *out;

	alert_title(o, title, sizeof title);
	j = alert_generic(o, d, now_us, title);
	if (j == NULL)
		return NULL;
	if (d->preset == CFG_PRESET_SLACK || d->preset == CFG_PRESET_TEAMS) {
		const char *text = json_string_value(json_object_get(j, "text"));
		json_t *p = d->preset == CFG_PRESET_SLACK ? alert_slack(o, title, text) :
		    alert_teams(o, title, text);
		json_decref(j);
		j = p;
		if (j == NULL)
			return NULL;
	}
	out = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(j);
	return out;
}
