/*
 * util.c — see util.h.
 */
#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t
util_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
util_mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
util_days_from_civil(int y, int m, int d)
{
	int64_t yy = y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

char *
util_format_iso(char *buf, size_t sz, int64_t us, int with_usec)
{
	time_t secs = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
	int64_t frac = us - (int64_t)secs * 1000000;
	struct tm tm;

	gmtime_r(&secs, &tm);
	if (with_usec)
		snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (long long)frac);
	else
		snprintf(buf, sz, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	return buf;
}

int
util_parse_duration(const char *s, int64_t *out_us)
{
	char *end;
	double v;
	int64_t mult;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0)
		mult = 1000000;
	else if (strcmp(end, "ms") == 0)
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60 * 1000000LL;
	else if (strcmp(end, "h") == 0)
		mult = 3600 * 1000000LL;
	else if (strcmp(end, "d") == 0)
		mult = 86400 * 1000000LL;
	else
		return -1;
	if (v * (double)mult > 9.2e18)
		return -1;
	*out_us = (int64_t)(v * (double)mult);
	return 0;
}

int
util_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		mult = 1024;
		break;
	case 'm': case 'M':
		mult = 1024 * 1024;
		break;
	case 'g': case 'G':
		mult = 1024ULL * 1024 * 1024;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0' && strcmp(end + 1, "iB") != 0 &&
	    strcmp(end + 1, "B") != 0)
		return -1;
	if (v > UINT64_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int
util_parse_hostport(const char *s, struct sockaddr_storage *out, char *err,
    size_t errsz)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	char *end;
	unsigned long port;
	size_t hlen;

	memset(out, 0, sizeof *out);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':') {
			snprintf(err, errsz, "'%s': expected [IPv6]:PORT", s);
			return -1;
		}
		hlen = (size_t)(close - s - 1);
		if (hlen >= sizeof host)
			goto bad_host;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		port_s = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL) {
			snprintf(err, errsz, "'%s': expected HOST:PORT", s);
			return -1;
		}
		hlen = (size_t)(colon - s);
		if (hlen >= sizeof host)
			goto bad_host;
		memcpy(host, s, hlen);
		host[hlen] = '\0';
		port_s = colon + 1;
	}
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (*port_s == '\0' || *end != '\0' || errno != 0 || port > 65535) {
		snprintf(err, errsz, "'%s': bad port", s);
		return -1;
	}
	if (host[0] == '\0')
		strcpy(host, "0.0.0.0");
	if (strchr(host, ':') != NULL) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			goto bad_host;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)out;
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			goto bad_host;
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
	}
	return 0;
bad_host:
	snprintf(err, errsz, "'%s': not a numeric IPv4 or IPv6 address", s);
	return -1;
}

char *
util_format_ip(char *buf, size_t sz, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
		    (socklen_t)sz);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		    buf, (socklen_t)sz);
	else
		snprintf(buf, sz, "?");
	return buf;
}

char *
util_format_sockaddr(char *buf, size_t sz, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN];

	util_format_ip(ip, sizeof ip, sa);
	if (sa->sa_family == AF_INET)
		snprintf(buf, sz, "%s:%u", ip,
		    ntohs(((const struct sockaddr_in *)sa)->sin_port));
	else if (sa->sa_family == AF_INET6)
		snprintf(buf, sz, "[%s]:%u", ip,
		    ntohs(((const struct sockaddr_in6 *)sa)->sin6_port));
	else
		snprintf(buf, sz, "?");
	return buf;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
static size_t
utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return c == 0 ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int
util_utf8_valid(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = 0, n;

	while (i < len) {
		if (s[i] >= 0x01 && s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq_len(s + i, len - i)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

size_t
util_utf8_sanitize(char *dst, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n;

	while (i < len) {
		if (s[i] == 0) {
			memcpy(dst + o, "\xe2\x90\x80", 3);     /* U+2400 */
			o += 3, i++;
		} else if ((n = utf8_seq_len(s + i, len - i)) == 0) {
			memcpy(dst + o, "\xef\xbf\xbd", 3);     /* U+FFFD */
			o += 3, i++;
		} else {
			memcpy(dst + o, s + i, n);
			o += n, i += n;
		}
	}
	dst[o] = '\0';
	return o;
}

json_t *
util_json_text(const char *buf, size_t len)
{
	json_t *j;
	char *tmp;

	if (util_utf8_valid(buf, len))
		return json_stringn(buf, len);
	if ((tmp = malloc(3 * len + 1)) == NULL)
		return NULL;
	j = json_stringn(tmp, util_utf8_sanitize(tmp, buf, len));
	free(tmp);
	return j;
}

size_t
util_i64_text(char *buf, int64_t v)
{
	char tmp[24];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, at = 0;

	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		buf[at++] = '-';
	while (n > 0)
		buf[at++] = tmp[--n];
	return at;
}

void
util_deadline(struct timespec *ts, clockid_t clock, int64_t us)
{
	clock_gettime(clock, ts);
	ts->tv_sec += (time_t)(us / 1000000);
	ts->tv_nsec += (long)(us % 1000000) * 1000;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int
util_cond_init_mono(pthread_cond_t *c)
{
	pthread_condattr_t a;
	int rc;

	if ((rc = pthread_condattr_init(&a)) != 0)
		return rc;
	if ((rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC)) == 0)
		rc = pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
	return rc;
}
