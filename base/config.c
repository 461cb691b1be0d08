/*
 * config.c — the value parsers behind the options table: listeners, sender
 * ranges, time zones and the zone a line gets.  Defaults, the JSON config
 * file and the flags are read through the table in base/options.c.
 */
#include "config.h"
#include "options.h"
#include "tzif.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

void
cfg_defaults(struct config *cfg)
{
	opt_defaults(cfg);
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
cfg_parse_allow(const char *s, struct cfg_cidr *out)
{
	char net[INET6_ADDRSTRLEN + 8];
	const char *eq = strchr(s, '='), *p;
	size_t n = eq != NULL ? (size_t)(eq - s) : strlen(s);

	if (n >= sizeof net)
		return -1;
	memcpy(net, s, n);
	net[n] = '\0';
	if (cfg_parse_cidr(net, out) != 0)
		return -1;
	if (eq == NULL)
		return 0;
	/* HOST,HOST: names without blanks, no empty one */
	if (eq[1] == '\0' || strlen(eq + 1) >= sizeof out->hosts)
		return -1;
	for (p = eq + 1; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (*p == ',' && (p[1] == ',' || p[1] == '\0' ||
		    p == eq + 1)))
			return -1;
	snprintf(out->hosts, sizeof out->hosts, "%s", eq + 1);
	return 0;
}

const struct cfg_cidr *
cfg_cidr_best(const struct cfg_cidr *list, int n, const struct sockaddr *sa)
{
	const struct cfg_cidr *best = NULL;
	const uint8_t *a;
	int i;

	if (sa->sa_family == AF_INET)
		a = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	else
		return NULL;
	for (i = 0; i < n; i++)
		if (cfg_cidr_match(&list[i], sa->sa_family, a) &&
		    (best == NULL || list[i].prefix > best->prefix))
			best = &list[i];
	return best;
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
cfg_add_listener(struct config *cfg, int kind, const char *hostport, char *err,
    size_t errsz)
{
	static const char *const names[] = { "UDP", "TCP", "TLS", "RELP" };
	struct cfg_listen *l;
	int *n = kind == CFG_RELP ? &cfg->n_relp : kind == CFG_TLS ? &cfg->n_tls :
	    kind == CFG_TCP ? &cfg->n_tcp : &cfg->n_udp;

	if (*n >= CFG_MAX_LISTENERS) {
		snprintf(err, errsz, "at most %d %s listeners", CFG_MAX_LISTENERS, names[kind]);
		return -1;
	}
	l = kind == CFG_RELP ? &cfg->relp[*n] : kind == CFG_TLS ? &cfg->tls[*n] :
	    kind == CFG_TCP ? &cfg->tcp[*n] : &cfg->udp[*n];
	if (kind == CFG_TLS && hostport[0] != '\0' && strlen(hostport) < sizeof l->text - 6 &&
	    (strchr(hostport, ':') == NULL || hostport[strlen(hostport) - 1] == ']')) {
		/* "0.0.0.0" or "[::]": RFC 5425's port */
		char withport[sizeof l->text];
		snprintf(withport, sizeof withport, "%s:6514", hostport);
		if (util_parse_hostport(withport, &l->addr, err, errsz) != 0)
			return -1;
		snprintf(l->text, sizeof l->text, "%s", withport);
		(*n)++;
		return 0;
	}
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
