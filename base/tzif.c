/*
 * tzif.c — TZif reader and local-to-UTC conversion.  See tzif.h.
 *
 * Format: RFC 8536.  A file is a 44-byte header ("TZif", version, counts)
 * and a data block with 32-bit times; version 2 and later repeat header
 * and block with 64-bit times, then a POSIX TZ string between newlines
 * (the footer) that gives the rule for times after the last transition.
 * tzdata's "slim" files end their transitions in 2037 or earlier and rely
 * on the footer; "fat" files carry transitions to 2037.
 *
 * Local to UTC: a local time L is UTC u = L - o for the offset o in force
 * at u.  The offsets in force around L (a day either side, more than any
 * UT offset) are tried; each one that is consistent gives an instance.
 * Two instances: the repeated hour of an autumn change.  None: the skipped
 * hour of a spring change, read with the offset before the change.
 */
#include "tzif.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZIF_HDR        44
#define TZIF_MAX_OFF    (26 * 3600)     /* RFC 8536 3.2: -89999 .. 93599 */
#define TZIF_MAX_TIMES  100000
#define TZIF_SEARCH     (26 * 3600)     /* look this far either side of L */
#define TZIF_MIN_S      INT64_C(-62135596800)   /* 0001-01-01T00:00:00 */
#define TZIF_MAX_S      INT64_C(253402300799)   /* 9999-12-31T23:59:59 */

/* ---- civil calendar (proleptic Gregorian, H. Hinnant's algorithms) ---- */

static int64_t
tzif_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t
tzif_year_from_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp, y;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return mp >= 10 ? y + 1 : y;     /* months Jan, Feb belong to the next year */
}

static int
tzif_is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
tzif_month_days(int64_t y, int m)
{
	static const int md[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && tzif_is_leap(y) ? 29 : md[m - 1];
}

static int64_t
tzif_floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* ---- POSIX TZ footer ------------------------------------------------- */

/* A zone abbreviation: 3+ letters, or <...> with letters, digits, +, -. */
static int
tzif_tz_name(const char **p, const char *end)
{
	const char *s = *p;
	size_t n = 0;

	if (s < end && *s == '<') {
		s++;
		while (s < end && *s != '>') {
			char c = *s;
			if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			    (c >= '0' && c <= '9') || c == '+' || c == '-'))
				return -1;
			s++;
			n++;
		}
		if (s >= end || n < 3)
			return -1;
		*p = s + 1;
		return 0;
	}
	while (s < end && ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))) {
		s++;
		n++;
	}
	if (n < 3)
		return -1;
	*p = s;
	return 0;
}

/* [+-]hh[:mm[:ss]] with hh <= max_h; seconds, sign applied. */
static int
tzif_tz_hms(const char **p, const char *end, int max_h, int32_t *out)
{
	const char *s = *p;
	int sign = 1, part[3] = { 0, 0, 0 }, i;

	if (s < end && (*s == '+' || *s == '-'))
		sign = *s++ == '-' ? -1 : 1;
	for (i = 0; i < 3; i++) {
		int v = 0, nd = 0;
		if (i > 0) {
			if (s >= end || *s != ':')
				break;
			s++;
		}
		while (s < end && *s >= '0' && *s <= '9' && nd < 3) {
			v = v * 10 + (*s++ - '0');
			nd++;
		}
		if (nd == 0 || (i > 0 && (nd != 2 || v > 59)))
			return -1;
		part[i] = v;
	}
	if (part[0] > max_h)
		return -1;
	*out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
	*p = s;
	return 0;
}

static int
tzif_tz_num(const char **p, const char *end, int lo, int hi, int *out)
{
	const char *s = *p;
	int v = 0, nd = 0;

	while (s < end && *s >= '0' && *s <= '9' && nd < 4) {
		v = v * 10 + (*s++ - '0');
		nd++;
	}
	if (nd == 0 || v < lo || v > hi)
		return -1;
	*out = v;
	*p = s;
	return 0;
}

/* Mm.w.d, Jn or n, then an optional /time (default 02:00). */
static int
tzif_tz_rule(const char **p, const char *end, struct tzif_rule *r)
{
	const char *s = *p;

	memset(r, 0, sizeof *r);
	r->time_s = 2 * 3600;
	if (s < end && *s == 'M') {
		s++;
		r->kind = 'M';
		if (tzif_tz_num(&s, end, 1, 12, &r->mon) != 0 || s >= end || *s++ != '.' ||
		    tzif_tz_num(&s, end, 1, 5, &r->week) != 0 || s >= end || *s++ != '.' ||
		    tzif_tz_num(&s, end, 0, 6, &r->wday) != 0)
			return -1;
	} else if (s < end && *s == 'J') {
		s++;
		r->kind = 'J';
		if (tzif_tz_num(&s, end, 1, 365, &r->day) != 0)
			return -1;
	} else {
		r->kind = 'n';
		if (tzif_tz_num(&s, end, 0, 365, &r->day) != 0)
			return -1;
	}
	if (s < end && *s == '/') {
		s++;
		/* TZif v3 (RFC 8536 3.3.1): hours -167..167. */
		if (tzif_tz_hms(&s, end, 167, &r->time_s) != 0)
			return -1;
	}
	*p = s;
	return 0;
}

/* Parses the footer s[0..len) into z.  An empty footer: none. */
static int
tzif_parse_footer(const char *s, size_t len, struct tzif *z)
{
	const char *p = s, *end = s + len;
	int32_t off;

	if (len == 0)
		return 0;
	if (tzif_tz_name(&p, end) != 0 || tzif_tz_hms(&p, end, 24, &off) != 0)
		return -1;
	z->std_off = -off;      /* POSIX offsets are west of Greenwich */
	z->dst_off = z->std_off + 3600;
	z->has_footer = 1;
	if (p == end)
		return 0;
	if (tzif_tz_name(&p, end) != 0)
		return -1;
	if (p < end && *p != ',') {
		if (tzif_tz_hms(&p, end, 24, &off) != 0)
			return -1;
		z->dst_off = -off;
	}
	/* tzdata always writes the rules; the POSIX default is
	 * implementation-defined, so a footer without them is refused. */
	if (p >= end || *p++ != ',' || tzif_tz_rule(&p, end, &z->start) != 0 ||
	    p >= end || *p++ != ',' || tzif_tz_rule(&p, end, &z->end) != 0 || p != end)
		return -1;
	z->footer_dst = 1;
	return 0;
}

/* UTC seconds of rule r in year y, its time read with offset off. */
static int64_t
tzif_rule_utc(int64_t y, const struct tzif_rule *r, int32_t off)
{
	int64_t day = tzif_days_from_civil(y, 1, 1);

	if (r->kind == 'J') {
		day += r->day - 1 + (tzif_is_leap(y) && r->day >= 60);
	} else if (r->kind == 'n') {
		day += r->day;
	} else {
		int64_t first = tzif_days_from_civil(y, r->mon, 1);
		int wd1 = (int)(((first + 4) % 7 + 7) % 7);   /* 1970-01-01: Thursday */
		int mday = 1 + (r->wday - wd1 + 7) % 7 + (r->week - 1) * 7;
		while (mday > tzif_month_days(y, r->mon))
			mday -= 7;
		day = first + mday - 1;
	}
	return day * 86400 + r->time_s - off;
}

static int32_t
tzif_footer_offset(const struct tzif *z, int64_t utc_s, int *is_dst)
{
	int64_t y, s, e;
	int dst;

	if (!z->footer_dst) {
		*is_dst = 0;
		return z->std_off;
	}
	y = tzif_year_from_days(tzif_floor_div(utc_s + z->std_off, 86400));
	s = tzif_rule_utc(y, &z->start, z->std_off);
	e = tzif_rule_utc(y, &z->end, z->dst_off);
	if (s < e)
		dst = utc_s >= s && utc_s < e;
	else                    /* southern hemisphere: DST spans New Year */
		dst = !(utc_s >= e && utc_s < s);
	*is_dst = dst;
	return dst ? z->dst_off : z->std_off;
}

/* ---- the binary file ------------------------------------------------- */

static uint32_t
tzif_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
tzif_be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)tzif_be32(p) << 32 | tzif_be32(p + 4));
}

struct tzif_counts {
	int version;            /* 1, 2, 3, 4 */
	uint32_t isut, isstd, leap, time, type, chars;
};

static int
tzif_header(const uint8_t *p, size_t left, struct tzif_counts *c)
{
	if (left < TZIF_HDR || memcmp(p, "TZif", 4) != 0)
		return -1;
	if (p[4] == 0)
		c->version = 1;
	else if (p[4] >= '2' && p[4] <= '9')
		c->version = p[4] - '0';
	else
		return -1;
	c->isut = tzif_be32(p + 20);
	c->isstd = tzif_be32(p + 24);
	c->leap = tzif_be32(p + 28);
	c->time = tzif_be32(p + 32);
	c->type = tzif_be32(p + 36);
	c->chars = tzif_be32(p + 40);
	/* RFC 8536 3.1: isut and isstd are 0 or typecnt; typecnt >= 1. */
	if (c->type == 0 || c->type > 256 || c->time > TZIF_MAX_TIMES ||
	    c->leap > TZIF_MAX_TIMES || c->chars > 65536 || c->chars == 0 ||
	    (c->isut != 0 && c->isut != c->type) ||
	    (c->isstd != 0 && c->isstd != c->type))
		return -1;
	return 0;
}

static size_t
tzif_block_size(const struct tzif_counts *c, size_t tsize)
{
	return (size_t)c->time * tsize + c->time + (size_t)c->type * 6 + c->chars +
	    (size_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

void
tzif_clear(struct tzif *z)
{
	if (z == NULL)
		return;
	free(z->trans);
	free(z->trans_type);
	free(z->types_off);
	free(z->types_dst);
	memset(z, 0, sizeof *z);
}

int
tzif_parse(const uint8_t *buf, size_t len, struct tzif *z, char *err, size_t errsz)
{
	struct tzif_counts c;
	const uint8_t *p = buf, *end = buf + len;
	size_t tsize = 4, i, bs;

	memset(z, 0, sizeof *z);
	if (buf == NULL || tzif_header(p, len, &c) != 0) {
		snprintf(err, errsz, "not a TZif file (bad header)");
		return -1;
	}
	p += TZIF_HDR;
	bs = tzif_block_size(&c, 4);
	if ((size_t)(end - p) < bs) {
		snprintf(err, errsz, "truncated TZif data");
		return -1;
	}
	if (c.version >= 2) {
		/* Skip the 32-bit block: the second header and its 64-bit
		 * block say everything it says, and more. */
		p += bs;
		if (tzif_header(p, (size_t)(end - p), &c) != 0) {
			snprintf(err, errsz, "bad second TZif header");
			return -1;
		}
		p += TZIF_HDR;
		tsize = 8;
		bs = tzif_block_size(&c, 8);
		if ((size_t)(end - p) < bs) {
			snprintf(err, errsz, "truncated TZif v2 data");
			return -1;
		}
	}
	z->ntrans = c.time;
	z->ntypes = c.type;
	z->trans = malloc((c.time + 1) * sizeof *z->trans);
	z->trans_type = malloc(c.time + 1);
	z->types_off = malloc(c.type * sizeof *z->types_off);
	z->types_dst = malloc(c.type);
	if (z->trans == NULL || z->trans_type == NULL || z->types_off == NULL ||
	    z->types_dst == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	for (i = 0; i < c.time; i++) {
		z->trans[i] = tsize == 8 ? tzif_be64(p + i * 8) :
		    (int64_t)(int32_t)tzif_be32(p + i * 4);
		if (i > 0 && z->trans[i] <= z->trans[i - 1]) {
			snprintf(err, errsz, "transition times not ascending");
			goto fail;
		}
	}
	p += (size_t)c.time * tsize;
	for (i = 0; i < c.time; i++) {
		z->trans_type[i] = p[i];
		if (p[i] >= c.type) {
			snprintf(err, errsz, "transition type out of range");
			goto fail;
		}
	}
	p += c.time;
	for (i = 0; i < c.type; i++, p += 6) {
		int32_t off = (int32_t)tzif_be32(p);
		if (off < -TZIF_MAX_OFF || off > TZIF_MAX_OFF || p[4] > 1 || p[5] >= c.chars) {
			snprintf(err, errsz, "bad local time type %zu", i);
			goto fail;
		}
		z->types_off[i] = off;
		z->types_dst[i] = p[4];
	}
	p += c.chars + (size_t)c.leap * (tsize + 4) + c.isstd + c.isut;
	if (c.version >= 2) {
		const uint8_t *nl;
		if (p >= end || *p != '\n' ||
		    (nl = memchr(p + 1, '\n', (size_t)(end - p - 1))) == NULL) {
			snprintf(err, errsz, "missing TZif footer");
			goto fail;
		}
		if (tzif_parse_footer((const char *)p + 1, (size_t)(nl - p - 1), z) != 0) {
			snprintf(err, errsz, "bad TZ rule in the TZif footer: \"%.*s\"",
			    (int)((nl - p - 1) > 64 ? 64 : nl - p - 1), (const char *)p + 1);
			goto fail;
		}
	}
	return 0;
fail:
	tzif_clear(z);
	return -1;
}

static int
tzif_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n >= TZIF_MAX_NAME || name[0] == '/' || strstr(name, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '/' || c == '_' || c == '+' ||
		    c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

struct tzif *
tzif_load(const char *dir, const char *name, char *err, size_t errsz)
{
	char path[512];
	uint8_t *buf = NULL;
	struct tzif *z = NULL;
	struct stat sb;
	size_t len = 0;
	int fd = -1;

	if (dir == NULL)
		dir = TZIF_DIR;
	if (!tzif_name_ok(name)) {
		snprintf(err, errsz, "\"%s\" is not a time zone name", name);
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &sb) != 0) {
		snprintf(err, errsz, "unknown time zone \"%s\": %s: %s%s", name, path,
		    strerror(errno), errno == ENOENT ? " (is tzdata installed?)" : "");
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > TZIF_MAX_FILE) {
		snprintf(err, errsz, "unknown time zone \"%s\": %s is not a TZif file",
		    name, path);
		goto fail;
	}
	if ((buf = malloc(TZIF_MAX_FILE + 1)) == NULL ||
	    (z = calloc(1, sizeof *z)) == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, TZIF_MAX_FILE + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > TZIF_MAX_FILE) {
			snprintf(err, errsz, "%s: larger than %d bytes", path, TZIF_MAX_FILE);
			goto fail;
		}
	}
	if (tzif_parse(buf, len, z, err + 0, errsz) != 0) {
		char why[160];
		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errsz, "time zone \"%s\": %s: %s", name, path, why);
		goto fail;
	}
	snprintf(z->name, sizeof z->name, "%s", name);
	free(buf);
	close(fd);
	return z;
fail:
	free(buf);
	free(z);
	if (fd >= 0)
		close(fd);
	return NULL;
}

void
tzif_free(struct tzif *z)
{
	if (z == NULL)
		return;
	tzif_clear(z);
	free(z);
}

/* ---- queries --------------------------------------------------------- */

int32_t
tzif_offset_at(const struct tzif *z, int64_t utc_s, int *is_dst)
{
	size_t lo, hi;
	int dst_dummy;

	if (is_dst == NULL)
		is_dst = &dst_dummy;
	if (z->ntrans == 0 || utc_s >= z->trans[z->ntrans - 1]) {
		if (z->has_footer)
			return tzif_footer_offset(z, utc_s, is_dst);
		if (z->ntrans == 0) {
			*is_dst = z->types_dst[0];
			return z->types_off[0];
		}
	}
	if (utc_s < z->trans[0]) {
		/* RFC 8536 3.2: type 0 before the first transition. */
		*is_dst = z->types_dst[0];
		return z->types_off[0];
	}
	/* The last transition at or before utc_s. */
	lo = 0;
	hi = z->ntrans;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (z->trans[mid] <= utc_s)
			lo = mid;
		else
			hi = mid;
	}
	*is_dst = z->types_dst[z->trans_type[lo]];
	return z->types_off[z->trans_type[lo]];
}

int
tzif_local_to_utc(const struct tzif *z, int64_t local_s, int hint, int64_t *utc_s,
    int *flags)
{
	int32_t offs[3];
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	int32_t min_off = INT32_MAX;
	int i, nvalid = 0;

	*flags = 0;
	if (local_s < TZIF_MIN_S || local_s > TZIF_MAX_S)
		return -1;
	offs[0] = tzif_offset_at(z, local_s - TZIF_SEARCH, NULL);
	offs[1] = tzif_offset_at(z, local_s, NULL);
	offs[2] = tzif_offset_at(z, local_s + TZIF_SEARCH, NULL);
	for (i = 0; i < 3; i++) {
		int64_t u = local_s - offs[i];
		if (offs[i] < min_off)
			min_off = offs[i];
		if (tzif_offset_at(z, u, NULL) != offs[i])
			continue;
		nvalid++;
		if (u < lo)
			lo = u;
		if (u > hi)
			hi = u;
	}
	if (nvalid == 0) {
		/* The skipped hour: the offset before the change (the smaller
		 * one, as clocks go forward) moves it forward by the gap. */
		*flags = TZIF_GAP;
		*utc_s = local_s - min_off;
		return 0;
	}
	if (lo != hi)
		*flags = TZIF_AMBIGUOUS;
	*utc_s = hint == TZIF_LATER ? hi : lo;
	return 0;
}
