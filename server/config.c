/*
 * config.c — defaults and the JSON config file (jansson).
 *
 * Unknown keys are an error, not a silent no-op: a misspelt limit in
 * production is worse than a refusal to start.
 */
#include "config.h"
#include "log.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

void
cfg_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->db_path, sizeof cfg->db_path, "tunnelwatch.db");
	cfg->udp_rcvbuf = 32ULL * 1024 * 1024;
	cfg->max_frame = 64 * 1024;
	cfg->tcp_idle_timeout_us = 15 * 60 * 1000000LL;
	cfg->tcp_max_conns = 4096;
	cfg->tcp_max_conns_per_ip = 64;
	cfg->queue_max_bytes = 512ULL * 1024 * 1024;
	cfg->queue_max_msgs = 4000000;
	cfg->batch_rows = 20000;
	cfg->flush_us = 200 * 1000;
	cfg->shutdown_grace_us = 5 * 1000000LL;
	cfg->stats_interval_us = 60 * 1000000LL;
	cfg->log_level = LOG_LVL_INFO;
}

int
cfg_parse_tz(const char *s, int *off_min)
{
	int sign, hh, mm = 0;
	size_t n = strlen(s);

	if (strcmp(s, "UTC") == 0 || strcmp(s, "Z") == 0 || strcmp(s, "GMT") == 0) {
		*off_min = 0;
		return 0;
	}
	if (n < 3 || (s[0] != '+' && s[0] != '-'))
		return -1;
	sign = s[0] == '-' ? -1 : 1;
	if (s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return -1;
	hh = (s[1] - '0') * 10 + (s[2] - '0');
	s += 3;
	if (*s == ':')
		s++;
	if (*s != '\0') {
		if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[2] != '\0')
			return -1;
		mm = (s[0] - '0') * 10 + (s[1] - '0');
	}
	if (hh > 14 || mm > 59)
		return -1;
	*off_min = sign * (hh * 60 + mm);
	return 0;
}

int
cfg_add_listener(struct config *cfg, int tcp, const char *hostport, char *err,
    size_t errsz)
{
	struct cfg_listen *l;
	int *n = tcp ? &cfg->n_tcp : &cfg->n_udp;

	if (*n >= CFG_MAX_LISTENERS) {
		snprintf(err, errsz, "at most %d %s listeners", CFG_MAX_LISTENERS,
		    tcp ? "TCP" : "UDP");
		return -1;
	}
	l = tcp ? &cfg->tcp[*n] : &cfg->udp[*n];
	if (util_parse_hostport(hostport, &l->addr, err, errsz) != 0)
		return -1;
	snprintf(l->text, sizeof l->text, "%s", hostport);
	(*n)++;
	return 0;
}

int
cfg_tz_for_host(const struct config *cfg, const char *host, size_t len)
{
	int i;

	for (i = 0; i < cfg->n_tz; i++)
		if (strlen(cfg->tz[i].host) == len && memcmp(cfg->tz[i].host, host, len) == 0)
			return cfg->tz[i].off_min;
	return cfg->tz_default_off_min;
}

/* Typed getters: each returns 0 when the key is absent or valid. */
static int
cfg_get_duration(json_t *v, const char *key, int64_t *out, char *err, size_t errsz)
{
	if (json_is_integer(v)) {
		*out = (int64_t)json_integer_value(v) * 1000000;
		return 0;
	}
	if (json_is_string(v) && util_parse_duration(json_string_value(v), out) == 0)
		return 0;
	snprintf(err, errsz, "%s: expected a duration like \"30s\", \"5m\"", key);
	return -1;
}

static int
cfg_get_size(json_t *v, const char *key, uint64_t *out, char *err, size_t errsz)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && util_parse_size(json_string_value(v), out) == 0)
		return 0;
	snprintf(err, errsz, "%s: expected a size like 65536 or \"32M\"", key);
	return -1;
}

static int
cfg_get_int(json_t *v, const char *key, int lo, int hi, int *out, char *err,
    size_t errsz)
{
	if (!json_is_integer(v) || json_integer_value(v) < lo ||
	    json_integer_value(v) > hi) {
		snprintf(err, errsz, "%s: expected an integer in %d..%d", key, lo, hi);
		return -1;
	}
	*out = (int)json_integer_value(v);
	return 0;
}

static int
cfg_get_listeners(struct config *cfg, int tcp, json_t *v, const char *key,
    char *err, size_t errsz)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v)) {
		snprintf(err, errsz, "%s: expected an array of \"HOST:PORT\"", key);
		return -1;
	}
	json_array_foreach(v, i, item) {
		if (!json_is_string(item)) {
			snprintf(err, errsz, "%s[%zu]: expected \"HOST:PORT\"", key, i);
			return -1;
		}
		if (cfg_add_listener(cfg, tcp, json_string_value(item), err, errsz) != 0)
			return -1;
	}
	return 0;
}

static int
cfg_get_timezones(struct config *cfg, json_t *v, char *err, size_t errsz)
{
	const char *host;
	json_t *item;

	if (!json_is_object(v)) {
		snprintf(err, errsz, "timezones: expected {\"hostname\": \"+09:00\"}");
		return -1;
	}
	json_object_foreach(v, host, item) {
		struct cfg_tz *tz;
		if (cfg->n_tz >= CFG_MAX_TZ) {
			snprintf(err, errsz, "timezones: at most %d entries", CFG_MAX_TZ);
			return -1;
		}
		tz = &cfg->tz[cfg->n_tz];
		if (!json_is_string(item) ||
		    cfg_parse_tz(json_string_value(item), &tz->off_min) != 0) {
			snprintf(err, errsz, "timezones.%s: expected \"+HH:MM\" or \"UTC\"", host);
			return -1;
		}
		snprintf(tz->host, sizeof tz->host, "%s", host);
		cfg->n_tz++;
	}
	return 0;
}

int
cfg_load_file(struct config *cfg, const char *path, char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *root, *v;
	const char *key;
	uint64_t u64;
	int rc = -1;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errsz, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	if (!json_is_object(root)) {
		snprintf(err, errsz, "%s: expected a JSON object", path);
		goto out;
	}
	snprintf(cfg->config_path, sizeof cfg->config_path, "%s", path);
	json_object_foreach(root, key, v) {
		int ok;
		if (strcmp(key, "db") == 0) {
			ok = json_is_string(v) ? 0 : -1;
			if (ok == 0)
				snprintf(cfg->db_path, sizeof cfg->db_path, "%s", json_string_value(v));
			else
				snprintf(err, errsz, "db: expected a path");
		} else if (strcmp(key, "udp") == 0)
			ok = cfg_get_listeners(cfg, 0, v, key, err, errsz);
		else if (strcmp(key, "tcp") == 0)
			ok = cfg_get_listeners(cfg, 1, v, key, err, errsz);
		else if (strcmp(key, "udp_rcvbuf") == 0)
			ok = cfg_get_size(v, key, &cfg->udp_rcvbuf, err, errsz);
		else if (strcmp(key, "max_frame") == 0) {
			ok = cfg_get_size(v, key, &u64, err, errsz);
			if (ok == 0 && (u64 < 480 || u64 > 16 * 1024 * 1024)) {
				snprintf(err, errsz, "max_frame: 480 .. 16M");
				ok = -1;
			}
			cfg->max_frame = (uint32_t)u64;
		} else if (strcmp(key, "tcp_idle_timeout") == 0)
			ok = cfg_get_duration(v, key, &cfg->tcp_idle_timeout_us, err, errsz);
		else if (strcmp(key, "tcp_max_conns") == 0)
			ok = cfg_get_int(v, key, 1, 1000000, &cfg->tcp_max_conns, err, errsz);
		else if (strcmp(key, "tcp_max_conns_per_ip") == 0)
			ok = cfg_get_int(v, key, 1, 1000000, &cfg->tcp_max_conns_per_ip, err, errsz);
		else if (strcmp(key, "queue_max_bytes") == 0)
			ok = cfg_get_size(v, key, &cfg->queue_max_bytes, err, errsz);
		else if (strcmp(key, "queue_max_messages") == 0)
			ok = cfg_get_size(v, key, &cfg->queue_max_msgs, err, errsz);
		else if (strcmp(key, "batch_rows") == 0)
			ok = cfg_get_int(v, key, 1, 10000000, &cfg->batch_rows, err, errsz);
		else if (strcmp(key, "flush_interval") == 0)
			ok = cfg_get_duration(v, key, &cfg->flush_us, err, errsz);
		else if (strcmp(key, "shutdown_grace") == 0)
			ok = cfg_get_duration(v, key, &cfg->shutdown_grace_us, err, errsz);
		else if (strcmp(key, "stats_interval") == 0)
			ok = cfg_get_duration(v, key, &cfg->stats_interval_us, err, errsz);
		else if (strcmp(key, "timezone") == 0) {
			ok = json_is_string(v) ? cfg_parse_tz(json_string_value(v),
			    &cfg->tz_default_off_min) : -1;
			if (ok != 0)
				snprintf(err, errsz, "timezone: expected \"+HH:MM\" or \"UTC\"");
		} else if (strcmp(key, "timezones") == 0)
			ok = cfg_get_timezones(cfg, v, err, errsz);
		else if (strcmp(key, "log_level") == 0) {
			const char *s = json_string_value(v);
			ok = 0;
			if (s != NULL && strcmp(s, "error") == 0)
				cfg->log_level = LOG_LVL_ERROR;
			else if (s != NULL && strcmp(s, "warning") == 0)
				cfg->log_level = LOG_LVL_WARN;
			else if (s != NULL && strcmp(s, "info") == 0)
				cfg->log_level = LOG_LVL_INFO;
			else if (s != NULL && strcmp(s, "debug") == 0)
				cfg->log_level = LOG_LVL_DEBUG;
			else {
				snprintf(err, errsz, "log_level: error, warning, info or debug");
				ok = -1;
			}
		} else if (key[0] == '_' || strcmp(key, "comment") == 0) {
			ok = 0;         /* comments in an example file */
		} else {
			snprintf(err, errsz, "%s: unknown key \"%s\"", path, key);
			ok = -1;
		}
		if (ok != 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}
