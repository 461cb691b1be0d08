/*
 * alertcfg.c — the alert settings: `serve --alert-webhook URL` and
 * `--alert-exec COMMAND`, and the config file's "alerts" object
 * (destinations, rules, debounce), checked and stored in struct
 * cfg_alerts.  What they mean is docs/alerts.md; the alert room (alert/)
 * reads them.
 */
#include "config.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define SEC 1000000LL

const char *const cfg_alert_event_names[CFG_EV_MAX] = {
	[CFG_EV_OPENED] = "incident.opened",
	[CFG_EV_ESCALATED] = "incident.escalated",
	[CFG_EV_CLOSED] = "incident.closed",
	[CFG_EV_FLAPPING] = "tunnel.flapping",
	[CFG_EV_FLEET_OPENED] = "fleet.opened",
	[CFG_EV_FLEET_CLOSED] = "fleet.closed",
};

const char *const cfg_alert_symptom_names[CFG_SYM_MAX] = {
	[CFG_SYM_NEVER_ESTABLISHED] = "never_established",
	[CFG_SYM_FLAP] = "flap",
	[CFG_SYM_STUCK] = "stuck",
	[CFG_SYM_DOWN] = "down",
	[CFG_SYM_DEGRADED] = "degraded",
	[CFG_SYM_FLAPPING] = "flapping",
};

int
cfg_alert_name_bit(const char *const *names, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	return -1;
}

static void
alertcfg_dest_defaults(struct cfg_alert_dest *d, int exec)
{
	memset(d, 0, sizeof *d);
	d->exec = exec;
	d->preset = CFG_PRESET_GENERIC;
	d->timeout_us = exec ? 30 * SEC : 10 * SEC;
	d->retries = exec ? 2 : 5;
	d->rate_limit = 60;
	d->rate_window_us = 3600 * SEC;
}

static int
alertcfg_target(struct cfg_alert_dest *d, const char *text, const char *where, char *err,
    size_t errsz)
{
	/* where is NULL for a flag: opt_set names it and the value. */
	if (text[0] == '\0' || strlen(text) >= sizeof d->target) {
		snprintf(err, errsz, "%s%sexpected a %s shorter than %zu bytes", where ? where : "",
		    where ? ": " : "", d->exec ? "command" : "URL", sizeof d->target);
		return -1;
	}
	if (!d->exec && strncmp(text, "http://", 7) != 0 && strncmp(text, "https://", 8) != 0) {
		if (where != NULL)
			snprintf(err, errsz, "%s: bad URL '%.200s' (expected http://... or "
			    "https://...)", where, text);
		else
			snprintf(err, errsz, "expected an http://... or https://... URL");
		return -1;
	}
	snprintf(d->target, sizeof d->target, "%s", text);
	return 0;
}

int
cfg_alert_add_flag(struct config *cfg, int exec, const char *target, char *err, size_t errsz)
{
	struct cfg_alerts *a = &cfg->alerts;
	struct cfg_alert_dest *d;
	int i, n = 1;

	if (a->n_dest >= CFG_MAX_ALERT_DESTS) {
		snprintf(err, errsz, "at most %d alert destinations", CFG_MAX_ALERT_DESTS);
		return -1;
	}
	d = &a->dest[a->n_dest];
	alertcfg_dest_defaults(d, exec);
	if (alertcfg_target(d, target, NULL, err, errsz) != 0)
		return -1;
	/* webhook-1, webhook-2 ...: the first number no destination has */
	for (i = 0; i < a->n_dest; i++) {
		snprintf(d->name, sizeof d->name, "%s-%d", exec ? "exec" : "webhook", n);
		if (strcmp(a->dest[i].name, d->name) == 0) {
			n++;
			i = -1;
		}
	}
	snprintf(d->name, sizeof d->name, "%s-%d", exec ? "exec" : "webhook", n);
	a->n_dest++;
	return 0;
}

/* A duration with a unit ("30s"), or 0. */
static int
alertcfg_duration(json_t *v, const char *where, int64_t min, int64_t max, int64_t *out,
    char *err, size_t errsz)
{
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	size_t n = s != NULL ? strlen(s) : 0;

	if (json_is_integer(v) && json_integer_value(v) == 0) {
		*out = 0;
	} else if (s == NULL || n == 0 || (!(n == 1 && s[0] == '0') &&
	    !isalpha((unsigned char)s[n - 1])) || util_parse_duration(s, out) != 0) {
		goto bad;
	}
	if (*out < min || *out > max)
		goto bad;
	return 0;
bad:
	snprintf(err, errsz, "%s: expected a duration with a unit like 250ms, 30s, 5m, 1h "
	    "(%llds..%llds)", where, (long long)(min / SEC), (long long)(max / SEC));
	return -1;
}

static int
alertcfg_int(json_t *v, const char *where, int min, int max, int *out, char *err,
    size_t errsz)
{
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		snprintf(err, errsz, "%s: expected an integer %d..%d", where, min, max);
		return -1;
	}
	*out = (int)json_integer_value(v);
	return 0;
}

static int
alertcfg_dest(struct cfg_alerts *a, json_t *o, size_t idx, char *err, size_t errsz)
{
	struct cfg_alert_dest *d;
	char where[96];
	const char *key;
	json_t *v, *hook, *cmd;
	int i;

	snprintf(where, sizeof where, "alerts.destinations[%zu]", idx);
	if (!json_is_object(o)) {
		snprintf(err, errsz, "%s: expected an object {\"name\": ..., \"webhook\": URL} "
		    "or {\"name\": ..., \"exec\": COMMAND}", where);
		return -1;
	}
	if (a->n_dest >= CFG_MAX_ALERT_DESTS) {
		snprintf(err, errsz, "%s: at most %d alert destinations", where,
		    CFG_MAX_ALERT_DESTS);
		return -1;
	}
	hook = json_object_get(o, "webhook");
	cmd = json_object_get(o, "exec");
	if ((hook == NULL) == (cmd == NULL) || !json_is_string(hook != NULL ? hook : cmd)) {
		snprintf(err, errsz, "%s: expected exactly one of \"webhook\": URL and "
		    "\"exec\": COMMAND", where);
		return -1;
	}
	d = &a->dest[a->n_dest];
	alertcfg_dest_defaults(d, cmd != NULL);
	snprintf(where + strlen(where), sizeof where - strlen(where), ".%s",
	    cmd != NULL ? "exec" : "webhook");
	if (alertcfg_target(d, json_string_value(hook != NULL ? hook : cmd), where, err,
	    errsz) != 0)
		return -1;
	snprintf(where, sizeof where, "alerts.destinations[%zu]", idx);
	snprintf(d->name, sizeof d->name, "%s-%d", cmd != NULL ? "exec" : "webhook",
	    a->n_dest + 1);
	json_object_foreach(o, key, v) {
		char w[160];
		snprintf(w, sizeof w, "%s.%s", where, key);
		if (strcmp(key, "webhook") == 0 || strcmp(key, "exec") == 0 || key[0] == '_' ||
		    strcmp(key, "comment") == 0)
			continue;
		if (strcmp(key, "name") == 0) {
			const char *s = json_string_value(v);
			if (s == NULL || s[0] == '\0' || strlen(s) >= sizeof d->name) {
				snprintf(err, errsz, "%s: expected a name shorter than %zu bytes", w,
				    sizeof d->name);
				return -1;
			}
			snprintf(d->name, sizeof d->name, "%s", s);
		} else if (strcmp(key, "preset") == 0 && cmd == NULL) {
			const char *s = json_string_value(v);
			if (s != NULL && strcmp(s, "generic") == 0)
				d->preset = CFG_PRESET_GENERIC;
			else if (s != NULL && strcmp(s, "slack") == 0)
				d->preset = CFG_PRESET_SLACK;
			else if (s != NULL && strcmp(s, "teams") == 0)
				d->preset = CFG_PRESET_TEAMS;
			else {
				snprintf(err, errsz, "%s: expected one of generic|slack|teams", w);
				return -1;
			}
		} else if (strcmp(key, "headers") == 0 && cmd == NULL) {
			const char *hk;
			json_t *hv;
			if (!json_is_object(v)) {
				snprintf(err, errsz, "%s: expected an object {\"Authorization\": "
				    "\"Bearer ...\"}", w);
				return -1;
			}
			json_object_foreach(v, hk, hv) {
				const char *hs = json_string_value(hv);
				size_t k;
				if (d->n_headers >= CFG_MAX_ALERT_HDRS || hs == NULL ||
				    hk[0] == '\0' || strlen(hk) + strlen(hs) + 3 > sizeof d->headers[0] ||
				    strpbrk(hs, "\r\n") != NULL) {
					snprintf(err, errsz, "%s.%s: expected a one-line text (at most %d "
					    "headers)", w, hk, CFG_MAX_ALERT_HDRS);
					return -1;
				}
				for (k = 0; hk[k] != '\0'; k++)
					if (!isalnum((unsigned char)hk[k]) && hk[k] != '-' && hk[k] != '_')
						break;
				if (hk[k] != '\0') {
					snprintf(err, errsz, "%s: bad header name '%.100s'", w, hk);
					return -1;
				}
				snprintf(d->headers[d->n_headers++], sizeof d->headers[0], "%s: %s",
				    hk, hs);
			}
		} else if (strcmp(key, "timeout") == 0) {
			if (alertcfg_duration(v, w, 100 * 1000, 600 * SEC, &d->timeout_us, err,
			    errsz) != 0)
				return -1;
		} else if (strcmp(key, "retries") == 0) {
			if (alertcfg_int(v, w, 0, 100, &d->retries, err, errsz) != 0)
				return -1;
		} else if (strcmp(key, "rate_limit") == 0) {
			if (alertcfg_int(v, w, 0, 1000000, &d->rate_limit, err, errsz) != 0)
				return -1;
		} else if (strcmp(key, "rate_window") == 0) {
			if (alertcfg_duration(v, w, SEC, 7 * 86400 * SEC, &d->rate_window_us, err,
			    errsz) != 0)
				return -1;
		} else {
			snprintf(err, errsz, "%s: unknown key (expected name, webhook, exec, preset, "
			    "headers, timeout, retries, rate_limit, rate_window)", w);
			return -1;
		}
	}
	for (i = 0; i < a->n_dest; i++) {
		if (strcmp(a->dest[i].name, d->name) == 0) {
			snprintf(err, errsz, "%s: a destination named \"%s\" exists already", where,
			    d->name);
			return -1;
		}
	}
	a->n_dest++;
	return 0;
}

/* A string or an array of strings, each handed to take(). */
static int
alertcfg_list(json_t *v, const char *where, int (*take)(void *, const char *, const char *,
    char *, size_t), void *arg, char *err, size_t errsz)
{
	json_t *item;
	size_t i;

	if (json_is_string(v))
		return take(arg, json_string_value(v), where, err, errsz);
	if (!json_is_array(v)) {
		snprintf(err, errsz, "%s: expected a text or an array of texts", where);
		return -1;
	}
	json_array_foreach(v, i, item) {
		char w[160];
		snprintf(w, sizeof w, "%s[%zu]", where, i);
		if (!json_is_string(item)) {
			snprintf(err, errsz, "%s: expected a text", w);
			return -1;
		}
		if (take(arg, json_string_value(item), w, err, errsz) != 0)
			return -1;
	}
	return 0;
}

struct alertcfg_ctx {
	struct cfg_alerts *a;
	struct cfg_alert_rule *r;
};

static int
alertcfg_take_to(void *arg, const char *s, const char *where, char *err, size_t errsz)
{
	struct alertcfg_ctx *c = arg;
	int i;

	for (i = 0; i < c->a->n_dest; i++) {
		if (strcmp(c->a->dest[i].name, s) == 0) {
			c->r->to |= 1u << i;
			return 0;
		}
	}
	snprintf(err, errsz, "%s: no destination named \"%.100s\" in alerts.destinations",
	    where, s);
	return -1;
}

static int
alertcfg_take_name(const char *const *names, int n, unsigned *bits, const char *s,
    const char *where, char *err, size_t errsz)
{
	int b = cfg_alert_name_bit(names, n, s), i;
	size_t used;

	if (b >= 0) {
		*bits |= 1u << b;
		return 0;
	}
	snprintf(err, errsz, "%s: unknown '%.100s' (expected one of ", where, s);
	for (i = 0; i < n; i++) {
		used = strlen(err);
		snprintf(err + used, errsz - used, "%s%s", i > 0 ? ", " : "", names[i]);
	}
	used = strlen(err);
	snprintf(err + used, errsz - used, ")");
	return -1;
}

static int
alertcfg_take_event(void *arg, const char *s, const char *where, char *err, size_t errsz)
{
	struct alertcfg_ctx *c = arg;

	return alertcfg_take_name(cfg_alert_event_names, CFG_EV_MAX, &c->r->events, s, where,
	    err, errsz);
}

static int
alertcfg_take_symptom(void *arg, const char *s, const char *where, char *err, size_t errsz)
{
	struct alertcfg_ctx *c = arg;

	return alertcfg_take_name(cfg_alert_symptom_names, CFG_SYM_MAX, &c->r->symptoms, s,
	    where, err, errsz);
}

static int
alertcfg_take_glob(char *list, size_t width, int *n, const char *s,
    const char *where, char *err, size_t errsz)
{
	if (*n >= CFG_MAX_ALERT_MATCH || s[0] == '\0' || strlen(s) >= width) {
		snprintf(err, errsz, "%s: expected at most %d non-empty patterns shorter than "
		    "%zu bytes", where, CFG_MAX_ALERT_MATCH, width);
		return -1;
	}
	memcpy(list + (size_t)*n * width, s, strlen(s) + 1);
	(*n)++;
	return 0;
}

static int
alertcfg_take_cause(void *arg, const char *s, const char *where, char *err, size_t errsz)
{
	struct alertcfg_ctx *c = arg;

	return alertcfg_take_glob(&c->r->causes[0][0], sizeof c->r->causes[0],
	    &c->r->n_causes, s, where, err, errsz);
}

static int
alertcfg_take_device(void *arg, const char *s, const char *where, char *err, size_t errsz)
{
	struct alertcfg_ctx *c = arg;

	return alertcfg_take_glob(&c->r->devices[0][0], sizeof c->r->devices[0], &c->r->n_devices, s,
	    where, err, errsz);
}

static int
alertcfg_rule(struct cfg_alerts *a, json_t *o, size_t idx, char *err, size_t errsz)
{
	struct alertcfg_ctx c;
	struct cfg_alert_rule *r;
	char where[64];
	const char *key;
	json_t *v;

	snprintf(where, sizeof where, "alerts.rules[%zu]", idx);
	if (!json_is_object(o)) {
		snprintf(err, errsz, "%s: expected an object {\"to\": NAME, ...}", where);
		return -1;
	}
	if (a->n_rules >= CFG_MAX_ALERT_RULES) {
		snprintf(err, errsz, "%s: at most %d rules", where, CFG_MAX_ALERT_RULES);
		return -1;
	}
	r = &a->rule[a->n_rules];
	memset(r, 0, sizeof *r);
	r->min_duration_us = -1;
	c.a = a;
	c.r = r;
	json_object_foreach(o, key, v) {
		char w[128];
		int rc;
		snprintf(w, sizeof w, "%s.%s", where, key);
		if (key[0] == '_' || strcmp(key, "comment") == 0)
			continue;
		if (strcmp(key, "to") == 0)
			rc = alertcfg_list(v, w, alertcfg_take_to, &c, err, errsz);
		else if (strcmp(key, "events") == 0)
			rc = alertcfg_list(v, w, alertcfg_take_event, &c, err, errsz);
		else if (strcmp(key, "symptoms") == 0)
			rc = alertcfg_list(v, w, alertcfg_take_symptom, &c, err, errsz);
		else if (strcmp(key, "root_causes") == 0)
			rc = alertcfg_list(v, w, alertcfg_take_cause, &c, err, errsz);
		else if (strcmp(key, "devices") == 0)
			rc = alertcfg_list(v, w, alertcfg_take_device, &c, err, errsz);
		else if (strcmp(key, "min_duration") == 0)
			rc = alertcfg_duration(v, w, 0, 30 * 86400 * SEC, &r->min_duration_us, err,
			    errsz);
		else {
			snprintf(err, errsz, "%s: unknown key (expected to, events, symptoms, "
			    "root_causes, devices, min_duration)", w);
			rc = -1;
		}
		if (rc != 0)
			return -1;
	}
	if (r->to == 0) {
		snprintf(err, errsz, "%s: \"to\" names no destination", where);
		return -1;
	}
	a->n_rules++;
	return 0;
}

int
cfg_alerts_from_json(struct config *cfg, const void *json, char *err, size_t errsz)
{
	struct cfg_alerts *a = &cfg->alerts;
	json_t *o = (json_t *)json, *v, *item;
	const char *key;
	size_t i;

	if (!json_is_object(o)) {
		snprintf(err, errsz, "alerts: expected an object {\"destinations\": [...], "
		    "\"rules\": [...]} (docs/alerts.md)");
		return -1;
	}
	/* The file's destinations and rules replace earlier ones; the
	 * command line's hooks are added after the file is read. */
	a->n_dest = a->n_rules = 0;
	json_object_foreach(o, key, v) {
		if (key[0] == '_' || strcmp(key, "comment") == 0 || strcmp(key, "rules") == 0 ||
		    strcmp(key, "destinations") == 0)
			continue;
		if (strcmp(key, "debounce") == 0) {
			if (alertcfg_duration(v, "alerts.debounce", 0, 86400 * SEC, &a->debounce_us,
			    err, errsz) != 0)
				return -1;
		} else if (strcmp(key, "interval") == 0) {
			if (alertcfg_duration(v, "alerts.interval", 100 * 1000, 60 * SEC,
			    &a->interval_us, err, errsz) != 0)
				return -1;
		} else {
			snprintf(err, errsz, "alerts.%.100s: unknown key (expected destinations, "
			    "rules, debounce, interval)", key);
			return -1;
		}
	}
	if ((v = json_object_get(o, "destinations")) != NULL) {
		if (!json_is_array(v)) {
			snprintf(err, errsz, "alerts.destinations: expected an array");
			return -1;
		}
		json_array_foreach(v, i, item)
			if (alertcfg_dest(a, item, i, err, errsz) != 0)
				return -1;
	}
	if ((v = json_object_get(o, "rules")) != NULL) {
		if (!json_is_array(v)) {
			snprintf(err, errsz, "alerts.rules: expected an array");
			return -1;
		}
		json_array_foreach(v, i, item)
			if (alertcfg_rule(a, item, i, err, errsz) != 0)
				return -1;
	}
	return 0;
}
