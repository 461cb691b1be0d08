/*
 * test_alert.c — the alert room's pure parts: the "alerts" config object
 * (base/alertcfg.c), rules (alert_route), the rate limiter, the engine's
 * decisions over a sequence of looks (debounce, escalation, close,
 * grouping by fleet event and by flapping, rate limits, restart from the
 * saved state), and the payloads (generic, Slack, Teams).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "engine.h"
#include "options.h"
#include "payload.h"

#define S 1000000LL
#define NOW (1780000000LL * S)

static struct config *
cfg_from(const char *json)
{
	struct config *cfg = malloc(sizeof *cfg);
	char err[512];

	cr_assert_not_null(cfg);
	cfg_defaults(cfg);
	cr_assert_eq(opt_load_json_text(cfg, json, "t.json", err, sizeof err), 0, "%s: %s",
	    json, err);
	return cfg;
}

/* ---- the config object ---- */

struct cfg_case {
	const char *json;
	const char *err;        /* NULL: accepted */
};

static const struct cfg_case cfg_cases[] = {
	{ "{\"alerts\": {\"destinations\": [{\"name\": \"a\", \"webhook\": \"https://h.example/x\","
	  " \"preset\": \"slack\", \"timeout\": \"5s\", \"retries\": 3, \"rate_limit\": 10,"
	  " \"rate_window\": \"10m\", \"headers\": {\"Authorization\": \"Bearer t\"}}],"
	  " \"rules\": [{\"to\": \"a\", \"symptoms\": [\"stuck\"], \"devices\": [\"vedge-*\"],"
	  " \"root_causes\": [\"dpd_*\"], \"min_duration\": \"2m\"}], \"debounce\": \"10s\"}}", NULL },
	{ "{\"alerts\": {\"destinations\": [{\"exec\": \"mail x\"}]}}", NULL },
	{ "{\"alerts\": []}", "alerts: expected an object" },
	{ "{\"alerts\": {\"destinations\": [{\"webhook\": \"ftp://x\"}]}}",
	  "alerts.destinations[0].webhook: bad URL 'ftp://x'" },
	{ "{\"alerts\": {\"destinations\": [{\"webhook\": \"http://x\", \"exec\": \"y\"}]}}",
	  "expected exactly one of" },
	{ "{\"alerts\": {\"destinations\": [{\"webhook\": \"http://x\", \"preset\": \"irc\"}]}}",
	  "preset: expected one of generic|slack|teams" },
	{ "{\"alerts\": {\"destinations\": [{\"webhook\": \"http://x\", \"timeout\": \"10\"}]}}",
	  "timeout: expected a duration with a unit" },
	{ "{\"alerts\": {\"destinations\": [{\"webhook\": \"http://x\", \"retrys\": 1}]}}",
	  "retrys: unknown key" },
	{ "{\"alerts\": {\"destinations\": [{\"name\": \"a\", \"webhook\": \"http://x\"},"
	  " {\"name\": \"a\", \"exec\": \"y\"}]}}", "a destination named \"a\" exists already" },
	{ "{\"alerts\": {\"destinations\": [{\"webhook\": \"http://x\", \"headers\":"
	  " {\"X-A\": \"a\\r\\nX-B: b\"}}]}}", "expected a one-line text" },
	{ "{\"alerts\": {\"rules\": [{\"to\": \"nobody\"}]}}",
	  "alerts.rules[0].to: no destination named \"nobody\"" },
	{ "{\"alerts\": {\"destinations\": [{\"name\": \"a\", \"exec\": \"y\"}],"
	  " \"rules\": [{\"to\": \"a\", \"symptoms\": [\"sad\"]}]}}",
	  "alerts.rules[0].symptoms[0]: unknown 'sad' (expected one of never_established, flap," },
	{ "{\"alerts\": {\"destinations\": [{\"name\": \"a\", \"exec\": \"y\"}],"
	  " \"rules\": [{\"to\": \"a\", \"events\": \"incident.open\"}]}}",
	  "unknown 'incident.open' (expected one of incident.opened" },
	{ "{\"alerts\": {\"debounce\": \"5\"}}", "alerts.debounce: expected a duration" },
	{ "{\"alerts\": {\"debounse\": \"5s\"}}", "alerts.debounse: unknown key" },
};

Test(alert, config_object)
{
	size_t i;

	for (i = 0; i < sizeof cfg_cases / sizeof cfg_cases[0]; i++) {
		const struct cfg_case *c = &cfg_cases[i];
		struct config *cfg = malloc(sizeof *cfg);
		char err[512] = "";
		int rc;
		cfg_defaults(cfg);
		rc = opt_load_json_text(cfg, c->json, "t.json", err, sizeof err);
		if (c->err == NULL)
			cr_expect_eq(rc, 0, "%s: %s", c->json, err);
		else
			cr_expect(rc == -1 && strstr(err, c->err) != NULL, "%s: rc %d, '%s'", c->json,
			    rc, err);
		free(cfg);
	}
}

Test(alert, config_values_and_flags)
{
	struct config *cfg = cfg_from(cfg_cases[0].json);
	char err[512];

	cr_expect_eq(cfg->alerts.n_dest, 1);
	cr_expect_str_eq(cfg->alerts.dest[0].name, "a");
	cr_expect_eq(cfg->alerts.dest[0].preset, CFG_PRESET_SLACK);
	cr_expect_eq(cfg->alerts.dest[0].timeout_us, 5 * S);
	cr_expect_eq(cfg->alerts.dest[0].rate_window_us, 600 * S);
	cr_expect_str_eq(cfg->alerts.dest[0].headers[0], "Authorization: Bearer t");
	cr_expect_eq(cfg->alerts.rule[0].to, 1u);
	cr_expect_eq(cfg->alerts.rule[0].symptoms, 1u << CFG_SYM_STUCK);
	cr_expect_eq(cfg->alerts.rule[0].min_duration_us, 120 * S);
	cr_expect_eq(cfg->alerts.debounce_us, 10 * S);
	/* The command line adds to the file's destinations. */
	cr_expect_eq(cfg_alert_add_flag(cfg, 0, "http://127.0.0.1:9/x", err, sizeof err), 0);
	cr_expect_eq(cfg_alert_add_flag(cfg, 1, "cat", err, sizeof err), 0);
	cr_expect_eq(cfg->alerts.n_dest, 3);
	cr_expect_str_eq(cfg->alerts.dest[1].name, "webhook-1");
	cr_expect_str_eq(cfg->alerts.dest[2].name, "exec-1");
	cr_expect_eq(cfg->alerts.dest[1].preset, CFG_PRESET_GENERIC);
	cr_expect_eq(cfg_alert_add_flag(cfg, 0, "127.0.0.1:9", err, sizeof err), -1);
	free(cfg);
}

/* ---- rules ---- */

static const char *const RULES =
    "{\"alerts\": {\"debounce\": \"30s\", \"destinations\": ["
    " {\"name\": \"all\", \"exec\": \"a\"},"
    " {\"name\": \"stuck\", \"exec\": \"b\"},"
    " {\"name\": \"edge\", \"exec\": \"c\"},"
    " {\"name\": \"fleet\", \"exec\": \"d\"}],"
    " \"rules\": ["
    "  {\"to\": \"stuck\", \"symptoms\": [\"stuck\", \"never_established\"],"
    "   \"min_duration\": \"0s\"},"
    "  {\"to\": \"edge\", \"devices\": [\"vedge-ber-*\", \"10.9.*\"],"
    "   \"root_causes\": [\"dpd_*\", \"peer_not_responding\"], \"min_duration\": \"2m\"},"
    "  {\"to\": [\"edge\"], \"devices\": \"vedge-ber-01\", \"min_duration\": \"1m\"},"
    "  {\"to\": \"fleet\", \"events\": [\"fleet.opened\", \"fleet.closed\"]}]}}";

struct route_case {
	int event, symptom;
	const char *cause, *host, *ip;
	int64_t age;
	uint32_t due, later;
	int64_t wait;
};

#define D_ALL 1u
#define D_STUCK 2u
#define D_EDGE 4u
#define D_FLEET 8u

static const struct route_case route_cases[] = {
	/* debounce: the unnamed destination waits alerts.debounce */
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "dpd_timeout", "vedge-par-01", "10.1.0.1", 10 * S,
	  0, D_ALL, 20 * S },
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "dpd_timeout", "vedge-par-01", "10.1.0.1", 30 * S,
	  D_ALL, 0, 0 },
	/* symptoms; min_duration 0 */
	{ CFG_EV_OPENED, CFG_SYM_STUCK, "auth_failed", "vedge-par-01", "10.1.0.1", 0,
	  D_STUCK, D_ALL, 30 * S },
	/* device glob and cause glob, min 2m; a second rule for one device, 1m */
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "dpd_timeout", "vedge-ber-07", "10.1.0.7", 90 * S,
	  D_ALL, D_EDGE, 30 * S },
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "pfs_mismatch", "vedge-ber-01", "10.1.0.9", 90 * S,
	  D_ALL | D_EDGE, 0, 0 },
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "pfs_mismatch", "vedge-ber-07", "10.1.0.7", 900 * S,
	  D_ALL, 0, 0 },
	/* by system-ip; hostnames are matched without case */
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "peer_not_responding", "x", "10.9.0.1", 120 * S,
	  D_ALL | D_EDGE, 0, 0 },
	{ CFG_EV_OPENED, CFG_SYM_DOWN, "dpd_timeout", "VEDGE-BER-02", "", 120 * S,
	  D_ALL | D_EDGE, 0, 0 },
	/* closes are not debounced */
	{ CFG_EV_CLOSED, CFG_SYM_DOWN, "dpd_timeout", "vedge-ber-07", "", 0, D_ALL | D_EDGE, 0, 0 },
	/* events; symptoms do not filter fleet events */
	{ CFG_EV_FLEET_OPENED, -1, "dpd_timeout", "vedge-par-01", "", 30 * S,
	  D_ALL | D_STUCK | D_FLEET, 0, 0 },
	{ CFG_EV_FLAPPING, CFG_SYM_FLAPPING, "dpd_timeout", "vedge-par-01", "", 0, D_ALL, 0, 0 },
};

Test(alert, route)
{
	struct config *cfg = cfg_from(RULES);
	size_t i;

	for (i = 0; i < sizeof route_cases / sizeof route_cases[0]; i++) {
		const struct route_case *c = &route_cases[i];
		const char *hosts[1] = { c->host }, *ips[1] = { c->ip };
		struct alert_subject s = { c->event, c->symptom, c->cause, hosts, ips, 1, 0 };
		uint32_t later;
		int64_t wait;
		uint32_t due = alert_route(&cfg->alerts, &s, c->age, &later, &wait);
		cr_expect_eq(due, c->due, "case %zu: due %#x, expected %#x", i, due, c->due);
		cr_expect_eq(later, c->later, "case %zu: later %#x, expected %#x", i, later, c->later);
		cr_expect_eq(wait, c->wait, "case %zu: wait %lld", i, (long long)wait);
	}
	free(cfg);
}

Test(alert, rate_limit)
{
	struct alert_rate r = { 0 };
	int64_t t = NOW;
	int i, ok = 0;

	/* 3 per minute: a burst of 3, then one every 20 s */
	for (i = 0; i < 5; i++)
		ok += alert_rate_take(&r, 3, 60 * S, t);
	cr_expect_eq(ok, 3);
	cr_expect_eq(alert_rate_take(&r, 3, 60 * S, t + 19 * S), 0);
	cr_expect_eq(alert_rate_take(&r, 3, 60 * S, t + 21 * S), 1);
	cr_expect_eq(alert_rate_take(&r, 3, 60 * S, t + 22 * S), 0);
	/* refilled, never beyond the burst */
	for (ok = 0, i = 0; i < 5; i++)
		ok += alert_rate_take(&r, 3, 60 * S, t + 3600 * S);
	cr_expect_eq(ok, 3);
	/* 0: no limit */
	for (ok = 0, i = 0; i < 1000; i++)
		ok += alert_rate_take(&r, 0, 60 * S, t);
	cr_expect_eq(ok, 1000);
}

/* ---- the engine over a sequence of looks ---- */

struct sink {
	char log[4096];
	struct alert_out last;
	char payload[8192];
	const struct config *cfg;
};

static void
sink_emit(void *arg, const struct alert_out *o)
{
	struct sink *k = arg;
	size_t n = strlen(k->log);
	char *p;

	snprintf(k->log + n, sizeof k->log - n, "%s%s>%s", n > 0 ? " " : "",
	    cfg_alert_event_names[o->event], k->cfg->alerts.dest[o->dest].name);
	if (o->suppressed > 0) {
		n = strlen(k->log);
		snprintf(k->log + n, sizeof k->log - n, "(+%llu)", (unsigned long long)o->suppressed);
	}
	k->last = *o;
	p = alert_payload(o, &k->cfg->alerts.dest[o->dest], NOW);
	cr_assert_not_null(p);
	snprintf(k->payload, sizeof k->payload, "%s", p);
	free(p);
}

static struct alert_incident
inc(int64_t id, int64_t tunnel, const char *host, int symptom, int64_t detected_s,
    int64_t ended_s)
{
	struct alert_incident i;

	memset(&i, 0, sizeof i);
	i.id = id;
	i.tunnel_id = tunnel;
	i.symptom = symptom;
	i.started_us = NOW - 5 * S;
	i.detected_us = NOW + detected_s * S;
	i.ended_us = ended_s != 0 ? NOW + ended_s * S : 0;
	snprintf(i.hostname, sizeof i.hostname, "%s", host);
	snprintf(i.system_ip, sizeof i.system_ip, "10.0.0.%lld", (long long)tunnel);
	snprintf(i.tunnel, sizeof i.tunnel, "ipsec%lld", (long long)tunnel);
	snprintf(i.peer_ip, sizeof i.peer_ip, "203.0.113.1");
	snprintf(i.root_cause, sizeof i.root_cause, "dpd_timeout");
	snprintf(i.summary, sizeof i.summary, "peer 203.0.113.1 stopped answering");
	return i;
}

/* One look at time t (seconds after NOW) with n incidents; returns what was sent. */
static const char *
look(struct alert_engine *e, struct sink *k, int64_t t, const struct alert_incident *incs,
    int n)
{
	int i;

	k->log[0] = '\0';
	alert_engine_begin(e, NOW + t * S, 0);
	for (i = 0; i < n; i++)
		alert_engine_incident(e, &incs[i]);
	alert_engine_end(e);
	return k->log;
}

static const char *const TWO =
    "{\"alerts\": {\"debounce\": \"30s\", \"destinations\": ["
    " {\"name\": \"hook\", \"webhook\": \"http://127.0.0.1:9/\"},"
    " {\"name\": \"pager\", \"exec\": \"p\", \"rate_limit\": 2, \"rate_window\": \"1h\"}],"
    " \"rules\": [{\"to\": \"hook\"}, {\"to\": \"pager\", \"symptoms\": \"stuck\","
    " \"min_duration\": \"0s\"}]}}";

Test(alert, engine_debounce_escalate_close)
{
	struct config *cfg = cfg_from(TWO);
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	struct alert_incident a = inc(1, 1, "vedge01", CFG_SYM_DOWN, 0, 0);

	cr_expect_str_eq(look(e, &k, 1, &a, 1), "");             /* debounce */
	cr_expect_eq(alert_engine_next_due(e), 29 * S);
	cr_expect_str_eq(look(e, &k, 29, &a, 1), "");
	cr_expect_str_eq(look(e, &k, 30, &a, 1), "incident.opened>hook");
	cr_expect_str_eq(look(e, &k, 31, &a, 1), "");            /* said once */
	a.symptom = CFG_SYM_STUCK;
	/* down -> stuck: escalated to hook; the pager's rule matches only now */
	cr_expect_str_eq(look(e, &k, 300, &a, 1), "incident.escalated>hook incident.opened>pager");
	cr_expect_eq(k.last.prev_symptom, -1);
	cr_expect_str_eq(look(e, &k, 301, &a, 1), "");
	a.ended_us = NOW + 400 * S;
	cr_expect_str_eq(look(e, &k, 401, &a, 1), "incident.closed>hook incident.closed>pager");
	cr_expect_eq(alert_engine_n_tracked(e, 0), 0);
	cr_expect(strstr(k.payload, "\"event\":\"incident.closed\"") != NULL, "%s", k.payload);
	alert_engine_free(e);
	free(cfg);
}

/* A rule for "down" that got the incident opened gets its close, though the
 * incident closes as a flap with its cause classified anew. */
Test(alert, engine_close_follows_the_open)
{
	struct config *cfg = cfg_from("{\"alerts\": {\"destinations\": ["
	    " {\"name\": \"d\", \"exec\": \"x\"}, {\"name\": \"o\", \"exec\": \"y\"}],"
	    " \"rules\": [{\"to\": \"d\", \"symptoms\": \"down\", \"root_causes\": \"dpd_*\","
	    " \"min_duration\": \"0s\"}, {\"to\": \"o\", \"events\": \"incident.opened\","
	    " \"min_duration\": \"0s\"}]}}");
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	struct alert_incident a = inc(1, 1, "vedge01", CFG_SYM_DOWN, 0, 0);

	cr_expect_str_eq(look(e, &k, 1, &a, 1), "incident.opened>d incident.opened>o");
	a.ended_us = NOW + 60 * S;
	a.symptom = CFG_SYM_FLAP;
	snprintf(a.root_cause, sizeof a.root_cause, "peer_delete");
	cr_expect_str_eq(look(e, &k, 61, &a, 1), "incident.closed>d");   /* o: opened only */
	cr_expect(strstr(k.payload, "\"title\":\"vedge01 ipsec1: back after 1m5s (peer_delete)\"")
	    != NULL, "%s", k.payload);
	alert_engine_free(e);
	free(cfg);
}

Test(alert, engine_short_outage_is_not_alerted)
{
	struct config *cfg = cfg_from(TWO);
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	struct alert_incident a = inc(1, 1, "vedge01", CFG_SYM_DOWN, 0, 0);

	cr_expect_str_eq(look(e, &k, 1, &a, 1), "");
	a.ended_us = NOW + 10 * S;
	a.symptom = CFG_SYM_FLAP;
	cr_expect_str_eq(look(e, &k, 11, &a, 1), "");            /* neither opened nor closed */
	/* recorded already closed (between two looks): nothing either */
	a = inc(2, 1, "vedge01", CFG_SYM_FLAP, 12, 14);
	cr_expect_str_eq(look(e, &k, 15, &a, 1), "");
	cr_expect_eq(alert_engine_take_suppressed(e), 0);
	alert_engine_free(e);
	free(cfg);
}

Test(alert, engine_grouping_fleet_and_flapping)
{
	struct config *cfg = cfg_from(TWO);
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	struct alert_incident m[40];
	struct alert_fleet *f = calloc(1, sizeof *f);
	struct alert_flapping p;
	int i;

	/* 40 devices lose one peer: one fleet alert, no incident alerts */
	for (i = 0; i < 40; i++) {
		char host[32];
		snprintf(host, sizeof host, "vedge%02d", i);
		m[i] = inc(i + 1, i + 1, host, CFG_SYM_DOWN, 0, 0);
		m[i].fleet_event_id = 7;
	}
	f->id = 7;
	f->started_us = NOW - 5 * S;
	f->devices = f->tunnels = 40;
	snprintf(f->peer_ip, sizeof f->peer_ip, "203.0.113.1");
	snprintf(f->root_cause, sizeof f->root_cause, "dpd_timeout");
	for (i = 0; i < 40 && i < ALERT_MAX_MEMBERS; i++, f->n_members++)
		snprintf(f->member[i].hostname, sizeof f->member[i].hostname, "%s", m[i].hostname);
	k.log[0] = '\0';
	alert_engine_begin(e, NOW + 1 * S, 0);
	for (i = 0; i < 40; i++)
		alert_engine_incident(e, &m[i]);
	alert_engine_fleet(e, f);
	alert_engine_end(e);
	/* symptoms do not filter fleet events: the pager's rule (min 0) takes it */
	cr_expect_str_eq(k.log, "fleet.opened>pager");
	k.log[0] = '\0';
	alert_engine_begin(e, NOW + 31 * S, 0);
	for (i = 0; i < 40; i++)
		alert_engine_incident(e, &m[i]);
	alert_engine_fleet(e, f);
	alert_engine_end(e);
	cr_expect_str_eq(k.log, "fleet.opened>hook");
	cr_expect_eq(alert_engine_take_suppressed(e), 40);     /* the members, once each (hook) */
	cr_expect(strstr(k.payload, "\"members\":[{\"hostname\":\"vedge00\"") != NULL, "%s",
	    k.payload);
	k.log[0] = '\0';
	f->ended_us = NOW + 100 * S;
	alert_engine_begin(e, NOW + 101 * S, 0);
	alert_engine_fleet(e, f);
	alert_engine_end(e);
	cr_expect_str_eq(k.log, "fleet.closed>hook fleet.closed>pager");

	/* a flapping tunnel: one alert until the flag clears, its flaps grouped */
	memset(&p, 0, sizeof p);
	p.tunnel_id = 99;
	p.flaps_24h = 5;
	snprintf(p.hostname, sizeof p.hostname, "vedge99");
	snprintf(p.tunnel, sizeof p.tunnel, "ipsec1");
	for (i = 0; i < 3; i++) {
		struct alert_incident fl = inc(100 + i, 99, "vedge99", CFG_SYM_DOWN, 200 + i * 60, 0);
		fl.tunnel_flapping = 1;
		k.log[0] = '\0';
		alert_engine_begin(e, NOW + (200 + i * 60 + 40) * S, 0);
		alert_engine_incident(e, &fl);
		alert_engine_flapping(e, &p);
		alert_engine_end(e);
		cr_expect_str_eq(k.log, i == 0 ? "tunnel.flapping>hook" : "", "flap %d: %s", i, k.log);
		fl.ended_us = NOW + (200 + i * 60 + 50) * S;
		alert_engine_begin(e, NOW + (200 + i * 60 + 50) * S, 0);
		alert_engine_incident(e, &fl);
		alert_engine_flapping(e, &p);
		alert_engine_end(e);
	}
	/* the flag clears, and is set again: a new alert */
	alert_engine_begin(e, NOW + 1000 * S, 0);
	alert_engine_end(e);
	k.log[0] = '\0';
	alert_engine_begin(e, NOW + 2000 * S, 0);
	alert_engine_flapping(e, &p);
	alert_engine_end(e);
	cr_expect_str_eq(k.log, "tunnel.flapping>hook");
	free(f);
	alert_engine_free(e);
	free(cfg);
}

Test(alert, engine_rate_limit_per_destination)
{
	struct config *cfg = cfg_from(TWO);
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	char want[64];
	int i;

	/* the pager takes 2 an hour; the hook has the default 60 */
	for (i = 0; i < 4; i++) {
		struct alert_incident a = inc(i + 1, i + 1, "vedge01", CFG_SYM_STUCK, i, 0);
		look(e, &k, i + 1, &a, 1);
		cr_expect_str_eq(k.log, i < 2 ? "incident.opened>pager" : "", "%d: %s", i, k.log);
	}
	cr_expect_eq(alert_engine_take_suppressed(e), 2);
	/* 40 minutes later a token is back; the alert says 2 were suppressed */
	{
		struct alert_incident a = inc(9, 9, "vedge01", CFG_SYM_STUCK, 2400, 0);
		look(e, &k, 2401, &a, 1);
		snprintf(want, sizeof want, "incident.opened>pager(+2)");
		cr_expect_str_eq(k.log, want);
		cr_expect(strstr(k.payload, "\"suppressed\":2") != NULL, "%s", k.payload);
	}
	alert_engine_free(e);
	free(cfg);
}

Test(alert, engine_restart_resumes_and_bootstrap_does_not_repeat)
{
	struct config *cfg = cfg_from(TWO);
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	struct alert_incident a = inc(1, 1, "vedge01", CFG_SYM_DOWN, 0, 0);
	struct alert_incident b = inc(2, 2, "vedge02", CFG_SYM_DOWN, 25, 0);
	int64_t mi = 0, mf = 0;
	char *state;

	cr_expect_str_eq(look(e, &k, 31, &a, 1), "incident.opened>hook");
	state = alert_engine_save(e, 1, 0);
	cr_assert_not_null(state);
	alert_engine_free(e);

	/* a restart with the saved state: no repeat; its close is sent */
	e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	cr_expect_eq(alert_engine_load(e, state, &mi, &mf), 0);
	cr_expect_eq(mi, 1);
	cr_expect_str_eq(look(e, &k, 40, &a, 1), "");
	a.ended_us = NOW + 50 * S;
	cr_expect_str_eq(look(e, &k, 51, &a, 1), "incident.closed>hook");
	alert_engine_free(e);
	free(state);

	/* no saved state: what is open and past its debounce counts as said;
	 * what is still inside it is alerted when due */
	e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	a.ended_us = 0;
	k.log[0] = '\0';
	alert_engine_begin(e, NOW + 40 * S, 1);
	alert_engine_incident(e, &a);
	alert_engine_incident(e, &b);
	alert_engine_end(e);
	cr_expect_str_eq(k.log, "");
	{
		struct alert_incident both[2] = { a, b };
		cr_expect_str_eq(look(e, &k, 56, both, 2), "incident.opened>hook");
		cr_expect_eq(k.last.inc->id, 2);
	}
	/* a saved state from another configuration: bits follow the names */
	cr_expect_eq(alert_engine_load(e, "{\"version\":1,\"destinations\":[\"x\",\"hook\"],"
	    "\"max_incident\":5,\"max_fleet\":0,\"incidents\":[[3,3,0,3,2,0]],\"fleets\":[],"
	    "\"flapping\":[]}", &mi, &mf), 0);
	{
		struct alert_incident c = inc(3, 3, "vedge03", CFG_SYM_DOWN, 0, 60);
		cr_expect_str_eq(look(e, &k, 61, &c, 1), "incident.closed>hook");
	}
	cr_expect_eq(alert_engine_load(e, "{\"version\":2}", &mi, &mf), -1);
	cr_expect_eq(alert_engine_load(e, "not json", &mi, &mf), -1);
	alert_engine_free(e);
	free(cfg);
}

Test(alert, engine_derived_again_and_history)
{
	struct config *cfg = cfg_from(TWO);
	struct sink k = { .cfg = cfg };
	struct alert_engine *e = alert_engine_new(&cfg->alerts, sink_emit, &k);
	struct alert_incident a = inc(1, 1, "vedge01", CFG_SYM_DOWN, 0, 0);
	struct alert_incident old = inc(5, 5, "vedge05", CFG_SYM_STUCK, 0, 0);

	cr_expect_str_eq(look(e, &k, 31, &a, 1), "incident.opened>hook");
	/* the tunnel derived again: incident 1 deleted, the same outage is 2 */
	k.log[0] = '\0';
	alert_engine_begin(e, NOW + 32 * S, 0);
	alert_engine_vanished(e, 1);
	alert_engine_end(e);
	a.id = 2;
	a.detected_us = NOW + 32 * S;
	cr_expect_str_eq(look(e, &k, 70, &a, 1), "");
	a.ended_us = NOW + 80 * S;
	cr_expect_str_eq(look(e, &k, 81, &a, 1), "incident.closed>hook");
	/* an import of last week's logs: history, not news */
	old.started_us = NOW - 7 * 86400 * S;
	cr_expect_str_eq(look(e, &k, 100, &old, 1), "");
	alert_engine_free(e);
	free(cfg);
}

/* ---- payloads ---- */

Test(alert, payloads)
{
	struct config *cfg = cfg_from(
	    "{\"alerts\": {\"destinations\": ["
	    " {\"name\": \"g\", \"webhook\": \"http://x/\"},"
	    " {\"name\": \"s\", \"webhook\": \"http://x/\", \"preset\": \"slack\"},"
	    " {\"name\": \"t\", \"webhook\": \"http://x/\", \"preset\": \"teams\"}]}}");
	struct alert_incident a = inc(1, 1, "<!channel> vedge&01", CFG_SYM_STUCK, 0, 0);
	struct alert_out o = { CFG_EV_ESCALATED, 0, CFG_SYM_DOWN, 3, &a, NULL, NULL };
	json_t *j;
	char *p;

	a.evidence = "[\"line 1\",\"line 2\"]";
	p = alert_payload(&o, &cfg->alerts.dest[0], NOW);
	j = json_loads(p, 0, NULL);
	cr_assert_not_null(j, "%s", p);
	cr_expect_eq(json_integer_value(json_object_get(j, "version")), 1);
	cr_expect_str_eq(json_string_value(json_object_get(j, "event")), "incident.escalated");
	cr_expect_str_eq(json_string_value(json_object_get(j, "source")), "tunnelwatch");
	cr_expect_str_eq(json_string_value(json_object_get(j, "destination")), "g");
	cr_expect_eq(json_integer_value(json_object_get(j, "suppressed")), 3);
	cr_expect_str_eq(json_string_value(json_object_get(j, "title")),
	    "<!channel> vedge&01 ipsec1: down -> stuck (dpd_timeout)");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "incident"),
	    "previous_symptom")), "down");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(j, "incident"),
	    "root_cause")), "dpd_timeout");
	cr_expect(json_is_null(json_object_get(json_object_get(j, "incident"), "ended_at")));
	cr_expect_eq(json_array_size(json_object_get(json_object_get(j, "incident"), "evidence")), 2);
	json_decref(j);
	free(p);

	/* Slack: its markup escaped, so a hostname cannot mention @channel */
	p = alert_payload(&o, &cfg->alerts.dest[1], NOW);
	j = json_loads(p, 0, NULL);
	cr_assert_not_null(j, "%s", p);
	cr_expect_eq(json_object_size(j), 1);
	cr_expect(strncmp(json_string_value(json_object_get(j, "text")),
	    "*&lt;!channel&gt; vedge&amp;01 ipsec1: down -&gt; stuck (dpd_timeout)*\n", 70) == 0,
	    "%s", json_string_value(json_object_get(j, "text")));
	json_decref(j);
	free(p);

	/* Teams: a MessageCard with the facts */
	p = alert_payload(&o, &cfg->alerts.dest[2], NOW);
	j = json_loads(p, 0, NULL);
	cr_assert_not_null(j, "%s", p);
	cr_expect_str_eq(json_string_value(json_object_get(j, "@type")), "MessageCard");
	{
		json_t *facts = json_object_get(json_array_get(json_object_get(j, "sections"), 0),
		    "facts");
		cr_expect_str_eq(json_string_value(json_object_get(json_array_get(facts, 3),
		    "value")), "dpd_timeout");
	}
	json_decref(j);
	free(p);
	free(cfg);
}
