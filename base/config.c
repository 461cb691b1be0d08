/*
 * config.c — defaults and the JSON config file (jansson).
 *
 * Unknown keys are an error, not a silent no-op: a misspelt limit in
 * production is worse than a refusal to start.
 */
#include "config.h"
#include "log.h"
#include "tzif.h"
#include "util.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
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
	cfg->corr_interval_us = 1000000;
	cfg->lateness_us = 2 * 60 * 1000000LL;
	cfg->stuck_after_us = 5 * 60 * 1000000LL;
	cfg->flap_count = 3;
	cfg->flap_window_us = 3600 * 1000000LL;
	cfg->flap_half_life_us = 15 * 60 * 1000000LL;
	cfg->fleet_min_devices = 3;
	cfg->fleet_window_us = 2 * 60 * 1000000LL;
	cfg->retention_messages_us = 30 * 86400 * 1000000LL;
	cfg->retention_events_us = 400 * 86400 * 1000000LL;
}

int
cfg_parse_cidr(const char *s, struct cfg_cidr *out)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t n = slash != NULL ? (size_t)(slash - s) : strlen(s);
	int max;

	memset(out, 0, sizeof *out);
	if (n == 0 || n >= sizeof addr)
		return -1;
	memcpy(addr, s, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	out->prefix = max;
	if (slash != NULL) {
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || p < 0 || p > max)
			return -1;
		out->prefix = (int)p;
	}
	return 0;
}

/* 1 when address a (family) is inside net. */
static int
cfg_cidr_match(const struct cfg_cidr *net, int family, const uint8_t *a)
{
	int bits = net->prefix, full = bits / 8, rest = bits % 8;

	if (net->family != family)
		return 0;
	if (memcmp(a, net->addr, (size_t)full) != 0)
		return 0;
	if (rest != 0 && ((a[full] ^ net->addr[full]) & (0xff << (8 - rest))) != 0)
		return 0;
	return 1;
}

int
cfg_cidr_allows(const struct cfg_cidr *list, int n, const struct sockaddr *sa)
{
	const uint8_t *a;
	int i;

	if (n == 0)
		return 1;
	if (sa->sa_family == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	else
		return 0;
	for (i = 0; i < n; i++)
		if (cfg_cidr_match(&list[i], sa->sa_family, a))
			return 1;
	return 0;
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
cfg_parse_zone(struct config *cfg, const char *s, struct cfg_zone *out, char *err,
    size_t errsz)
{
	struct tzif *z;
	int i;

	memset(out, 0, sizeof *out);
	if (cfg_parse_tz(s, &out->off_min) == 0)
		return 0;
	if (s[0] == '+' || s[0] == '-') {
		snprintf(err, errsz, "\"%s\": expected \"+HH:MM\", \"UTC\" or a zone "
		    "name like \"Europe/Berlin\"", s);
		return -1;
	}
	for (i = 0; i < cfg->n_zones; i++) {
		if (strcmp(cfg->zones[i]->name, s) == 0) {
			out->zone = cfg->zones[i];
			return 0;
		}
	}
	if (cfg->n_zones >= CFG_MAX_ZONES) {
		snprintf(err, errsz, "at most %d different time zones", CFG_MAX_ZONES);
		return -1;
	}
	if ((z = tzif_load(NULL, s, err, errsz)) == NULL)
		return -1;
	cfg->zones[cfg->n_zones++] = z;
	out->zone = z;
	return 0;
}

int
cfg_add_tz_rule(struct config *cfg, const char *key, const char *zone, char *err,
    size_t errsz)
{
	char why[256];
	struct cfg_zone z;

	if (cfg_parse_zone(cfg, zone, &z, why, sizeof why) != 0) {
		snprintf(err, errsz, "timezones.%s: %s", key, why);
		return -1;
	}
	if (strchr(key, '/') != NULL) {
		struct cfg_tz_net *n;
		if (cfg->n_tz_net >= CFG_MAX_CIDR) {
			snprintf(err, errsz, "timezones: at most %d sender ranges", CFG_MAX_CIDR);
			return -1;
		}
		n = &cfg->tz_net[cfg->n_tz_net];
		if (cfg_parse_cidr(key, &n->net) != 0) {
			snprintf(err, errsz, "timezones: \"%s\" is not a sender range "
			    "like 192.0.2.0/24", key);
			return -1;
		}
		n->z = z;
		cfg->n_tz_net++;
		return 0;
	}
	if (cfg->n_tz >= CFG_MAX_TZ) {
		snprintf(err, errsz, "timezones: at most %d hostnames", CFG_MAX_TZ);
		return -1;
	}
	if (key[0] == '\0' || strlen(key) >= sizeof cfg->tz[0].host) {
		snprintf(err, errsz, "timezones: bad hostname \"%.64s\"", key);
		return -1;
	}
	snprintf(cfg->tz[cfg->n_tz].host, sizeof cfg->tz[0].host, "%s", key);
	cfg->tz[cfg->n_tz].z = z;
	cfg->n_tz++;
	return 0;
}

struct cfg_zone
cfg_zone_for(const struct config *cfg, const char *host, size_t len, int family,
    const uint8_t *addr)
{
	const struct cfg_tz_net *best = NULL;
	struct cfg_zone def;
	int i;

	/* The last rule for a hostname wins: flags come after the file. */
	for (i = cfg->n_tz - 1; i >= 0 && len > 0; i--)
		if (strlen(cfg->tz[i].host) == len && memcmp(cfg->tz[i].host, host, len) == 0)
			return cfg->tz[i].z;
	/* The most specific range; among equal ones, the last. */
	for (i = 0; i < cfg->n_tz_net && addr != NULL; i++)
		if (cfg_cidr_match(&cfg->tz_net[i].net, family, addr) &&
		    (best == NULL || cfg->tz_net[i].net.prefix >= best->net.prefix))
			best = &cfg->tz_net[i];
	if (best != NULL)
		return best->z;
	def.off_min = cfg->tz_default_off_min;
	def.zone = cfg->tz_default_zone;
	return def;
}

void
cfg_free(struct config *cfg)
{
	int i;

	for (i = 0; i < cfg->n_zones; i++)
		tzif_free(cfg->zones[i]);
	cfg->n_zones = 0;
	cfg->tz_default_zone = NULL;
	cfg->n_tz = cfg->n_tz_net = 0;
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
cfg_get_cidrs(json_t *v, const char *key, struct cfg_cidr *list, int *n, char *err,
    size_t errsz)
{
	size_t i;
	json_t *item;

	if (!json_is_array(v)) {
		snprintf(err, errsz, "%s: expected an array of \"192.0.2.0/24\"", key);
		return -1;
	}
	*n = 0;
	json_array_foreach(v, i, item) {
		if (*n >= CFG_MAX_CIDR || !json_is_string(item) ||
		    cfg_parse_cidr(json_string_value(item), &list[*n]) != 0) {
			snprintf(err, errsz, "%s[%zu]: expected a CIDR (at most %d)", key, i,
			    CFG_MAX_CIDR);
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int
cfg_get_timezones(struct config *cfg, json_t *v, char *err, size_t errsz)
{
	const char *host;
	json_t *item;

	if (!json_is_object(v)) {
		snprintf(err, errsz, "timezones: expected {\"hostname\": \"+09:00\", "
		    "\"192.0.2.0/24\": \"Europe/Berlin\"}");
		return -1;
	}
	json_object_foreach(v, host, item) {
		if (!json_is_string(item)) {
			snprintf(err, errsz, "timezones.%s: expected \"+HH:MM\", \"UTC\" or "
			    "a zone name like \"Europe/Berlin\"", host);
			return -1;
		}
		if (cfg_add_tz_rule(cfg, host, json_string_value(item), err, errsz) != 0)
			return -1;
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
		else if (strcmp(key, "correlate_interval") == 0)
			ok = cfg_get_duration(v, key, &cfg->corr_interval_us, err, errsz);
		else if (strcmp(key, "lateness") == 0)
			ok = cfg_get_duration(v, key, &cfg->lateness_us, err, errsz);
		else if (strcmp(key, "stuck_after") == 0)
			ok = cfg_get_duration(v, key, &cfg->stuck_after_us, err, errsz);
		else if (strcmp(key, "flap_count") == 0)
			ok = cfg_get_int(v, key, 1, 1000, &cfg->flap_count, err, errsz);
		else if (strcmp(key, "flap_window") == 0)
			ok = cfg_get_duration(v, key, &cfg->flap_window_us, err, errsz);
		else if (strcmp(key, "flap_half_life") == 0)
			ok = cfg_get_duration(v, key, &cfg->flap_half_life_us, err, errsz);
		else if (strcmp(key, "fleet_min_devices") == 0)
			ok = cfg_get_int(v, key, 2, 100000, &cfg->fleet_min_devices, err, errsz);
		else if (strcmp(key, "fleet_window") == 0)
			ok = cfg_get_duration(v, key, &cfg->fleet_window_us, err, errsz);
		else if (strcmp(key, "retention_messages") == 0)
			ok = cfg_get_duration(v, key, &cfg->retention_messages_us, err, errsz);
		else if (strcmp(key, "retention_events") == 0)
			ok = cfg_get_duration(v, key, &cfg->retention_events_us, err, errsz);
		else if (strcmp(key, "udp_allow") == 0)
			ok = cfg_get_cidrs(v, key, cfg->udp_allow, &cfg->n_udp_allow, err, errsz);
		else if (strcmp(key, "tcp_allow") == 0)
			ok = cfg_get_cidrs(v, key, cfg->tcp_allow, &cfg->n_tcp_allow, err, errsz);
		else if (strcmp(key, "sender_rate_limit") == 0)
			ok = cfg_get_size(v, key, &cfg->sender_rate_limit, err, errsz);
		else if (strcmp(key, "timezone") == 0) {
			char why[256] = "expected a string";
			struct cfg_zone z;
			ok = json_is_string(v) ? cfg_parse_zone(cfg, json_string_value(v), &z,
			    why, sizeof why) : -1;
			if (ok != 0) {
				snprintf(err, errsz, "timezone: %s", why);
			} else {
				cfg->tz_default_off_min = z.off_min;
				cfg->tz_default_zone = z.zone;
			}
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
