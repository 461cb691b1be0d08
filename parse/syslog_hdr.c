/*
 * syslog_hdr.c — syslog header scanner (RFC 3164, RFC 5424, Cisco IOS).
 *
 * DESIGN
 *
 * One forward pass over the line with hand-written scanners; no regex, no
 * sscanf, no strlen on the input, nothing read at or past len.  Every
 * scanner takes (const char **p, size_t *left), works on local copies and
 * writes the cursor back only when its whole production matched, so a
 * failed attempt costs nothing and the caller simply tries the next shape.
 * Every numeric field has a digit bound and a range check.
 *
 * Order of attempts for one line:
 *
 *   1. PRI "<n>".  Bad PRI ("<999>", "<0013>") is skipped when it is a
 *      bracketed digit group, and the rest is still parsed (SYSLOG_BADPRI).
 *   2. With a valid PRI and "<digit> " next: the RFC 5424 header.  If any
 *      5424 field is malformed we fall back to step 3 from just after PRI.
 *   3. Legacy header: optional `facility.severity:` prefix (exported vEdge
 *      files), optional IOS "seq: [origin: ]", then a timestamp (BSD
 *      "Mmm dd hh:mm:ss", ctime "Www Mmm dd hh:mm:ss yyyy", IOS
 *      "*Mmm dd hh:mm:ss.fff TZ:", or RFC 3339).  Without a timestamp the
 *      line has a header only if it had a PRI (RFC 3164 §4.3.2 treats such
 *      a packet's content as MSG).
 *   4. After a BSD / RFC 3339 timestamp: HOST and TAG, by look-ahead.  A
 *      token ending in ':', '[pid]:' or '[digits] ' is the TAG; otherwise
 *      the token is HOST, then an optional `facility.level[:]` (BusyBox
 *      syslogd and relays: "vedge01 daemon.info charon: ..."), and the next
 *      token is tried as TAG (here also glued, "tag:text", as rsyslog
 *      reads it).  pfSense writes the program with no colon and no host
 *      ("charon 16[IKE] ..."): a token followed by a charon thread prefix
 *      "NN[" is taken as the program.  A stamp followed by ':' is IOS only
 *      with another sign of it (sequence number, '*', milliseconds, zone,
 *      or a %FAC-SEV-MNEMONIC next); IOS lines carry no TAG: the message
 *      starts after the ':' (and an optional host before the mnemonic).
 *
 * What rsyslog's and syslog-ng's own parser tests accept, we accept; the
 * few deliberate differences of convention are listed above the
 * conformance table in tests/unit/test_syslog_hdr.c.
 *
 * Whatever does not match is data, not an error: the line comes back as
 * SYSLOG_NOHDR with msg spanning the whole input, and the caller stores it
 * with that status.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "syslog_hdr.h"

/* RFC 5424 §6.2.1: PRIVAL = 1*3DIGIT, range 0..191 (RFC 3164 §4.1.1: the
 * PRI part is 3 to 5 characters, brackets included). */
#define PRI_DIGITS	3
#define PRI_MAX		191
/* RFC 5424 §6.2.2: VERSION = NONZERO-DIGIT 0*2DIGIT. */
#define VER_DIGITS	3
/* RFC 5424 §6 field bounds (PRINTUSASCII runs). */
#define HOST_MAX	255	/* HOSTNAME, §6.2.4; also the 3164 HOST cap */
/*
 * Lenient bounds.  RFC 5424 §6.2.5 caps APP-NAME at 48, §6.2.6 PROCID at
 * 128, §6.2.7 MSGID at 32 and §6.3.3 an SD-NAME at 32; RFC 3164 §4.1.3 a
 * TAG at 32 alphanumerics.  Real senders exceed them (Windows agents,
 * VMware, long program names) and rsyslog and syslog-ng keep such lines,
 * so we accept up to these caps and keep the field whole.  Beyond them
 * the token is not a field but text.
 */
#define TAG_MAX		128	/* 3164 TAG, 5424 APP-NAME */
#define PROCID_MAX	256	/* 3164 [pid], 5424 PROCID */
#define MSGID_MAX	128	/* 5424 MSGID */
#define SDNAME_MAX	128	/* 5424 SD-ID, PARAM-NAME */
/* RFC 5424 §6.2.3: TIME-SECFRAC = "." 1*6DIGIT; Windows senders write 7
 * (100 ns ticks), others 9.  We take up to 64 digits and keep the first 6
 * (syslog-ng's own tests send 62). */
#define FRAC_LAX	64
#define SEQ_DIGITS	9	/* IOS sequence number; fits an int */
#define TZNAME_MAX	5	/* IOS zone abbreviation: UTC, CEST, ... */

#define US_PER_SEC	INT64_C(1000000)
#define US_PER_DAY	(INT64_C(86400) * US_PER_SEC)
#define TZ_OFF_MAX	(24 * 60 - 1)

static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
static const char wdays[] = "sunmontuewedthufrisat";

static const char *const facility_names[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6",
	"local7"
};
#define NFACILITY (sizeof(facility_names) / sizeof(facility_names[0]))

static const char *const severity_names[] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"
};
#define NSEVERITY (sizeof(severity_names) / sizeof(severity_names[0]))

/* Spellings accepted in a `facility.severity` prefix besides the above
 * (glibc's <syslog.h> prioritynames/facilitynames). */
struct name_alias {
	const char	*name;
	int		 value;
};
static const struct name_alias facility_aliases[] = {
	{ "security", 4 }
};
static const struct name_alias severity_aliases[] = {
	{ "panic", 0 }, { "error", 3 }, { "warn", 4 }
};

/* ---- character classes (ASCII only, never locale dependent) ---- */

static inline int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
is_alnum(unsigned char c)
{
	return is_digit(c) || is_alpha(c);
}

/* RFC 5424 §6: PRINTUSASCII = %d33-126. */
static inline int
is_print(unsigned char c)
{
	return c >= 33 && c <= 126;
}

/* 3164 HOST: a host name or an IPv4/IPv6 literal; '/' and '@' as relays
 * and rsyslog's permit.slashesInHostname / AtSignsInHostname allow. */
static inline int
is_hostch(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == ':' ||
	    c == '/' || c == '@';
}

/* TAG / program name: alphanumerics plus `-_./` (postfix/smtpd) and `()`
 * (Linux-PAM's "sshd(pam_unix)[12750]:"). */
static inline int
is_tagch(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '/' ||
	    c == '(' || c == ')';
}

/* ---- cursor primitives ---- */

static inline struct span
mkspan(const char *base, const char *s, size_t n)
{
	struct span sp;

	sp.off = (uint32_t)(s - base);
	sp.len = (uint32_t)n;
	return sp;
}

static inline void
adv(const char **p, size_t *left, size_t n)
{
	*p += n;
	*left -= n;
}

static inline int
peek(const char *p, size_t left, char c)
{
	return left > 0 && *p == c;
}

static inline int
take_ch(const char **p, size_t *left, char c)
{
	if (!peek(*p, *left, c))
		return 0;
	adv(p, left, 1);
	return 1;
}

static size_t
skip_sp(const char **p, size_t *left)
{
	size_t n = 0;

	while (n < *left && (*p)[n] == ' ')
		n++;
	adv(p, left, n);
	return n;
}

/* Reads min..max decimal digits that are not followed by another digit. */
static int
take_num(const char **p, size_t *left, size_t min, size_t max, int *val)
{
	const char *q = *p;
	size_t n = 0;
	int v = 0;

	while (n < *left && is_digit((unsigned char)q[n])) {
		if (n == max)
			return 0;
		v = v * 10 + (q[n] - '0');
		n++;
	}
	if (n < min)
		return 0;
	*val = v;
	adv(p, left, n);
	return 1;
}

/* "." 1..max digits; *usec keeps the first six. */
static int
take_frac(const char **p, size_t *left, size_t max, int *usec, int *ndig)
{
	const char *q = *p;
	size_t n = *left, k = 0;
	int v = 0;

	if (!take_ch(&q, &n, '.'))
		return 0;
	while (k < n && is_digit((unsigned char)q[k])) {
		if (k == max)
			return 0;
		if (k < 6)
			v = v * 10 + (q[k] - '0');
		k++;
	}
	if (k == 0)
		return 0;
	for (size_t i = k; i < 6; i++)
		v *= 10;
	*usec = v;
	*ndig = (int)k;
	adv(&q, &n, k);
	*p = q;
	*left = n;
	return 1;
}

/* A 3-letter name from tbl (lower case, case-insensitive match). */
static int
take_name3(const char **p, size_t *left, const char *tbl, int count, int *idx)
{
	const unsigned char *q = (const unsigned char *)*p;

	if (*left < 3 || !is_alpha(q[0]) || !is_alpha(q[1]) || !is_alpha(q[2]))
		return 0;
	for (int i = 0; i < count; i++) {
		const char *t = tbl + 3 * i;

		if ((q[0] | 0x20) == t[0] && (q[1] | 0x20) == t[1] &&
		    (q[2] | 0x20) == t[2]) {
			*idx = i;
			adv(p, left, 3);
			return 1;
		}
	}
	return 0;
}

/* ---- names ---- */

static int
name_lookup(const char *s, size_t n, const char *const *tbl, size_t count,
    const struct name_alias *al, size_t nal)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(tbl[i]) == n && memcmp(tbl[i], s, n) == 0)
			return (int)i;
	for (size_t i = 0; i < nal; i++)
		if (strlen(al[i].name) == n && memcmp(al[i].name, s, n) == 0)
			return al[i].value;
	return -1;
}

const char *
syslog_facility_name(int facility)
{
	if (facility < 0 || (size_t)facility >= NFACILITY)
		return NULL;
	return facility_names[facility];
}

const char *
syslog_severity_name(int severity)
{
	if (severity < 0 || (size_t)severity >= NSEVERITY)
		return NULL;
	return severity_names[severity];
}

/* ---- PRI ---- */

/*
 * "<" PRIVAL ">".  Returns 1 and advances on a valid PRI, 0 when there is
 * no '<', -1 on a bad PRI.  A bad PRI that is still a bracketed digit group
 * ("<999>", "<0013>") is skipped so the rest can be parsed; anything else
 * ("<", "<13", "<ab>") leaves the cursor alone.  Leading zeros within three
 * digits ("<013>") are accepted: some senders pad.
 */
static int
pri_parse(const char **p, size_t *left, int *pri)
{
	const char *q = *p;
	size_t n = *left, k;
	int v = 0;

	if (!take_ch(&q, &n, '<'))
		return 0;
	for (k = 0; k < n && k <= PRI_DIGITS + 4 &&
	    is_digit((unsigned char)q[k]); k++)
		if (k < PRI_DIGITS)
			v = v * 10 + (q[k] - '0');
	if (k == 0 || k >= n || q[k] != '>')
		return -1;
	adv(&q, &n, k + 1);
	*p = q;
	*left = n;
	if (k > PRI_DIGITS || v > PRI_MAX)
		return -1;
	*pri = v;
	return 1;
}

/* ---- timestamps ---- */

static int
clock_valid(const struct syslog_time *t)
{
	/* sec 60: a leap second as printed; the arithmetic carries it. */
	return t->mday >= 1 && t->mday <= 31 && t->hour <= 23 &&
	    t->min <= 59 && t->sec <= 60;
}

/* hh:mm:ss[.frac]; the hour may be one digit in BSD stamps.  A '.' with
 * no digit before SP or the end counts as no fraction (syslog-ng accepts
 * "02:00:00. host"). */
static int
clock_scan(const char **p, size_t *left, size_t hmin, size_t max_frac,
    struct syslog_time *t)
{
	const char *q = *p;
	size_t n = *left;
	int h, m, s, us = 0, nd = 0;

	if (!take_num(&q, &n, hmin, 2, &h) || !take_ch(&q, &n, ':') ||
	    !take_num(&q, &n, 2, 2, &m) || !take_ch(&q, &n, ':') ||
	    !take_num(&q, &n, 2, 2, &s))
		return 0;
	if (peek(q, n, '.') && !take_frac(&q, &n, max_frac, &us, &nd)) {
		if (n > 1 && q[1] != ' ')
			return 0;
		adv(&q, &n, 1);
	}
	t->hour = h;
	t->min = m;
	t->sec = s;
	t->usec = us;
	t->frac_digits = nd;
	*p = q;
	*left = n;
	return 1;
}

/* RFC 3339 TIME-OFFSET: "Z" / ("+" / "-") hh ":" mm. */
static int
offset_scan(const char **p, size_t *left, struct syslog_time *t)
{
	const char *q = *p;
	size_t n = *left;
	int sign, h, m;

	if (take_ch(&q, &n, 'Z') || take_ch(&q, &n, 'z')) {
		h = m = 0;
		sign = 1;
	} else {
		if (take_ch(&q, &n, '+'))
			sign = 1;
		else if (take_ch(&q, &n, '-'))
			sign = -1;
		else
			return 0;
		if (!take_num(&q, &n, 2, 2, &h) || !take_ch(&q, &n, ':') ||
		    !take_num(&q, &n, 2, 2, &m) || h > 23 || m > 59)
			return 0;
	}
	t->has_tz = 1;
	t->tz_off_min = sign * (h * 60 + m);
	*p = q;
	*left = n;
	return 1;
}

/*
 * RFC 5424 §6.2.3 / RFC 3339 §5.6: FULL-DATE "T" FULL-TIME, followed by SP
 * or the end.  The offset is mandatory in RFC 5424, but rsyslog-style
 * stamps in the 3164 position lack it and syslog-ng keeps a 5424 line
 * without it (as local time): has_tz says whether it was there.
 */
static int
iso_scan(const char **p, size_t *left, size_t max_frac, struct syslog_time *t)
{
	const char *q = *p;
	size_t n = *left;
	struct syslog_time tm;

	memset(&tm, 0, sizeof(tm));
	if (!take_num(&q, &n, 4, 4, &tm.year) || !take_ch(&q, &n, '-') ||
	    !take_num(&q, &n, 2, 2, &tm.mon) || !take_ch(&q, &n, '-') ||
	    !take_num(&q, &n, 2, 2, &tm.mday))
		return 0;
	if (!take_ch(&q, &n, 'T') && !take_ch(&q, &n, 't'))
		return 0;
	if (!clock_scan(&q, &n, 2, max_frac, &tm))
		return 0;
	offset_scan(&q, &n, &tm);
	if (n > 0 && *q != ' ')
		return 0;
	if (tm.year < 1 || tm.mon < 1 || tm.mon > 12 || !clock_valid(&tm))
		return 0;
	*t = tm;
	*p = q;
	*left = n;
	return 1;
}

/* " yyyy" — a 4-digit year followed by SP (before) or SP / end (after). */
static int
year_scan(const char **p, size_t *left, int lead_sp, int *year)
{
	const char *q = *p;
	size_t n = *left;
	int y;

	if (lead_sp && !take_ch(&q, &n, ' '))
		return 0;
	if (!take_num(&q, &n, 4, 4, &y) || y < 1)
		return 0;
	if (lead_sp ? (n > 0 && *q != ' ') : !peek(q, n, ' '))
		return 0;
	if (!lead_sp)
		adv(&q, &n, 1);
	*year = y;
	*p = q;
	*left = n;
	return 1;
}

/*
 * RFC 3164 §4.1.2 "Mmm dd hh:mm:ss" (day space-padded, or unpadded as
 * pfSense writes it), with the extensions seen in the field: a leading
 * weekday and trailing year (ctime, OpenWrt logread), a year before the
 * clock and a fraction (IOS).  Must be followed by SP, ':' or the end.
 */
static int
bsd_scan(const char **p, size_t *left, struct syslog_time *t)
{
	const char *q = *p;
	size_t n = *left;
	struct syslog_time tm;
	int wday = -1, mon;

	memset(&tm, 0, sizeof(tm));
	if (take_name3(&q, &n, wdays, 7, &wday) && !take_ch(&q, &n, ' '))
		return 0;
	if (!take_name3(&q, &n, months, 12, &mon) || !take_ch(&q, &n, ' '))
		return 0;
	take_ch(&q, &n, ' ');
	if (!take_num(&q, &n, 1, 2, &tm.mday) || !take_ch(&q, &n, ' '))
		return 0;
	year_scan(&q, &n, 0, &tm.year);
	if (!clock_scan(&q, &n, 1, FRAC_LAX, &tm))
		return 0;
	/* A year after the clock: ctime always; otherwise (Linksys, as in
	 * syslog-ng's tests) only as " yyyy X" with one space, so rsyslog's
	 * "22:18:24 2009  host" keeps "2009" as its host. */
	if (wday >= 0 && tm.year == 0)
		year_scan(&q, &n, 1, &tm.year);
	else if (tm.year == 0 && n > 6 && q[5] == ' ' && q[6] != ' ')
		year_scan(&q, &n, 1, &tm.year);
	if (n > 0 && *q != ' ' && *q != ':')
		return 0;
	if (!clock_valid(&tm))
		return 0;
	tm.mon = mon + 1;
	*t = tm;
	*p = q;
	*left = n;
	return 1;
}

enum { STAMP_NONE, STAMP_BSD, STAMP_ISO };

/* Any legacy-position timestamp, IOS '*' / '.' marker included. */
static int
stamp_scan(const char **p, size_t *left, struct syslog_time *t)
{
	const char *q = *p;
	size_t n = *left;
	int unsync = 0, kind;

	if (n > 0 && (*q == '*' || *q == '.')) {
		unsync = 1;
		adv(&q, &n, 1);
	}
	if (!unsync && iso_scan(&q, &n, FRAC_LAX, t))
		kind = STAMP_ISO;
	else if (bsd_scan(&q, &n, t))
		kind = STAMP_BSD;
	else
		return STAMP_NONE;
	t->unsynced = unsync;
	*p = q;
	*left = n;
	return kind;
}

static int
stamp_probe(const char *p, size_t left)
{
	struct syslog_time t;

	return stamp_scan(&p, &left, &t) != STAMP_NONE;
}

/*
 * The tail of an IOS timestamp: " TZ" (`service timestamps ... show-
 * timezone`) and the ':' that ends it.  A zone is taken only before a ':'
 * and only when the line already looks like IOS (hint) or it is UTC/GMT,
 * so a host-less "Jun 18 00:31:22 SYSMGR: ..." keeps its tag.  Returns 1
 * when the ':' was there.
 */
static int
ios_tail_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h, int hint)
{
	const char *q = *p, *z;
	size_t n = *left, k = 0;

	if (peek(q, n, ' ')) {
		z = q + 1;
		while (k + 1 < n && k <= TZNAME_MAX && z[k] >= 'A' && z[k] <= 'Z')
			k++;
		if (k >= 1 && k <= TZNAME_MAX && k + 1 < n && z[k] == ':') {
			int utc = k == 3 && (memcmp(z, "UTC", 3) == 0 ||
			    memcmp(z, "GMT", 3) == 0);

			if (hint || utc) {
				h->tzname = mkspan(base, z, k);
				if (utc) {
					h->time.has_tz = 1;
					h->time.tz_off_min = 0;
				}
				adv(&q, &n, k + 1);
			}
		}
	}
	if (!take_ch(&q, &n, ':'))
		return 0;
	*p = q;
	*left = n;
	return 1;
}

/* ---- 3164 prefix, tag and host ---- */

/*
 * "facility.severity" then optional spaces and ':' — the prefix of local
 * vEdge files (`daemon.info: Apr 27 ...`) and of OpenWrt logread after the
 * time (`daemon.info : 06[CFG] ...`, `daemon.info charon: ...`).  Only the
 * known names match.  The prefix names fill facility/severity when there
 * was no PRI.
 */
static int
prefix_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h)
{
	const char *q = *p, *f;
	size_t n = *left, fl = 0, sl = 0, sp;
	struct span pfx;
	int fac, sev;

	while (fl < n && fl <= 8 && is_alnum((unsigned char)q[fl]))
		fl++;
	if (fl == 0 || fl >= n || q[fl] != '.')
		return 0;
	f = q + fl + 1;
	while (fl + 1 + sl < n && sl <= 8 && is_alpha((unsigned char)f[sl]))
		sl++;
	fac = name_lookup(q, fl, facility_names, NFACILITY, facility_aliases,
	    sizeof(facility_aliases) / sizeof(facility_aliases[0]));
	sev = name_lookup(f, sl, severity_names, NSEVERITY, severity_aliases,
	    sizeof(severity_aliases) / sizeof(severity_aliases[0]));
	if (fac < 0 || sev < 0)
		return 0;
	pfx = mkspan(base, q, fl + 1 + sl);
	adv(&q, &n, fl + 1 + sl);
	sp = skip_sp(&q, &n);
	if (take_ch(&q, &n, ':') ? n > 0 && *q != ' ' : sp == 0 && n > 0)
		return 0;
	h->prefix = pfx;
	if (h->pri < 0) {
		h->facility = fac;
		h->severity = sev;
	}
	skip_sp(&q, &n);
	*p = q;
	*left = n;
	return 1;
}

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* A token of digits and dots with at least one dot (an IPv4 address, a
 * decimal number) is not a program name (syslog-ng's
 * rfc3164_check_program_ip_address / _decimal_number). */
static int
is_number_like(const char *s, size_t n)
{
	int dot = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.')
			dot = 1;
		else if (!is_digit((unsigned char)s[i]))
			return 0;
	}
	return dot;
}

/*
 * TAG ["[" PID "]"] ":" followed by SP or the end, or TAG "[" PID "]"
 * followed by SP or the end without the colon (rsyslog's "tag[1234] This
 * is a message").  RFC 3164 §4.1.3: the TAG is alphanumeric, at most 32
 * characters; we take `-_./()` and TAG_MAX.  PID: 1..PROCID_MAX printable
 * characters.  glued: the colon may be followed by text directly
 * ("tag:msgnum:3", as rsyslog takes it); only after a HOST, where the
 * token cannot be an IPv6 host.  Consumes the spaces after the tag.
 */
static int
tag_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h, int glued)
{
	const char *q = *p, *pid = NULL;
	size_t n = *left, k = 0, pl = 0;
	struct span app;

	if (n == 0 || !is_alnum((unsigned char)*q))
		return 0;
	while (k < n && is_tagch((unsigned char)q[k]))
		if (++k > TAG_MAX)
			return 0;
	if (is_number_like(q, k))
		return 0;
	app = mkspan(base, q, k);
	adv(&q, &n, k);
	if (take_ch(&q, &n, '[')) {
		pid = q;
		while (pl < n && is_print((unsigned char)q[pl]) && q[pl] != ']')
			if (++pl > PROCID_MAX)
				return 0;
		adv(&q, &n, pl);
		if (pl == 0 || !take_ch(&q, &n, ']'))
			return 0;
	}
	if (take_ch(&q, &n, ':')) {
		if (n > 0 && *q != ' ' && !glued)
			return 0;
	} else if (pid == NULL || (n > 0 && *q != ' ') ||
	    !all_digits(pid, pl) || all_digits(base + app.off, app.len)) {
		/* Without the colon only "name[digits]": charon's thread
		 * prefix "16[IKE] " must stay in the message. */
		return 0;
	}
	skip_sp(&q, &n);
	h->app = app;
	if (pid != NULL)
		h->procid = mkspan(base, pid, pl);
	*p = q;
	*left = n;
	return 1;
}

/* Length of a run of host characters followed by SP or the end; 0 if
 * none, or if longer than HOST_MAX (then it is not a host name but text). */
static size_t
host_run(const char *s, size_t n)
{
	size_t k = 0;

	while (k < n && is_hostch((unsigned char)s[k]))
		if (++k > HOST_MAX)
			return 0;
	if (k < n && s[k] != ' ')
		return 0;
	return k;
}

/* A HOST token: a host run not ending in ':' (that shape is a TAG, or an
 * IOS origin), unless it ends in "::" (an IPv6 literal, "0002::"). */
static size_t
host_len(const char *s, size_t n)
{
	size_t k = host_run(s, n);

	if (k == 0 || (s[k - 1] == ':' && (k < 3 || s[k - 2] != ':')))
		return 0;
	return k;
}

/* charon's "NN[" thread prefix (sys_logger.c "%.2d[%s]"). */
static int
is_thread_prefix(const char *s, size_t n)
{
	return n >= 3 && is_digit((unsigned char)s[0]) &&
	    is_digit((unsigned char)s[1]) && s[2] == '[';
}

/* A program name without a colon, as pfSense writes it, when a charon
 * thread prefix follows: "charon 16[IKE] ...". */
static int
bare_prog_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h)
{
	const char *q = *p;
	size_t n = *left, k;

	for (k = 0; k < n && is_tagch((unsigned char)q[k]); k++)
		if (k == TAG_MAX)
			return 0;
	if (k == 0 || k == n || q[k] != ' ')
		return 0;
	adv(&q, &n, k);
	skip_sp(&q, &n);
	if (!is_thread_prefix(q, n))
		return 0;
	h->app = mkspan(base, *p, k);
	*p = q;
	*left = n;
	return 1;
}

/* AIX syslogd relays as "Message forwarded from HOST: TAG: MSG". */
static int
aix_forward_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h)
{
	static const char lead[] = "Message forwarded from ";
	const size_t ll = sizeof(lead) - 1;
	const char *q = *p;
	size_t n = *left, k;

	if (n <= ll || memcmp(q, lead, ll) != 0)
		return 0;
	adv(&q, &n, ll);
	for (k = 0; k < n && k <= HOST_MAX && is_hostch((unsigned char)q[k]) &&
	    q[k] != ':'; k++)
		;
	if (k == 0 || k > HOST_MAX || k + 1 >= n || q[k] != ':' ||
	    q[k + 1] != ' ')
		return 0;
	h->hostname = mkspan(base, q, k);
	adv(&q, &n, k + 1);
	skip_sp(&q, &n);
	*p = q;
	*left = n;
	return 1;
}

/* After a BSD / RFC 3339 timestamp: "[HOST ]TAG: MSG", "PROG NN[...",
 * "HOST facility.level[:] TAG: MSG" (BusyBox syslogd and relays that
 * write the priority as text) or "HOST MSG"; see the DESIGN note.  Sets
 * msg. */
static void
host_tag_parse(const char *base, const char *p, size_t left,
    struct syslog_hdr *h)
{
	size_t hl;
	int glued;

	if (aix_forward_parse(base, &p, &left, h)) {
		tag_parse(base, &p, &left, h, 1);
		goto out;
	}
	if (tag_parse(base, &p, &left, h, 0) || bare_prog_parse(base, &p, &left, h))
		goto out;
	hl = host_len(p, left);
	if (hl == 0)
		goto out;
	h->hostname = mkspan(base, p, hl);
	adv(&p, &left, hl);
	/* rsyslog reads "host  msgnum:1" (two spaces) as an empty tag */
	glued = skip_sp(&p, &left) == 1;
	if (h->prefix.len == 0)
		prefix_parse(base, &p, &left, h);
	if (!tag_parse(base, &p, &left, h, glued))
		bare_prog_parse(base, &p, &left, h);
out:
	h->msg = mkspan(base, p, left);
}

/* ---- IOS sequence number and origin ---- */

/*
 * IOS "seq: " (`service sequence-numbers`) and "origin: " (`logging
 * origin-id`), in the order rsyslog's pmciscoios documents.  Commits when
 * a timestamp follows, or when the line had a PRI (IOS with uptime or no
 * stamps): a bare "12: text" without either is left alone.
 */
static int
ios_lead_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h)
{
	const char *q = *p;
	size_t n = *left, hl;
	int seq;

	if (!take_num(&q, &n, 1, SEQ_DIGITS, &seq) || !take_ch(&q, &n, ':') ||
	    !take_ch(&q, &n, ' '))
		return 0;
	skip_sp(&q, &n);
	if (!stamp_probe(q, n)) {
		hl = host_run(q, n);
		if (hl >= 2 && hl < n && q[hl - 1] == ':' &&
		    stamp_probe(q + hl + 1, n - hl - 1)) {
			h->hostname = mkspan(base, q, hl - 1);
			adv(&q, &n, hl + 1);
		} else if (h->pri < 0)
			return 0;
	}
	h->seq = seq;
	*p = q;
	*left = n;
	return 1;
}

/* ---- legacy (3164 / IOS) header ---- */

/*
 * After optional spaces: an IOS "%FAC-SEV-MNEMONIC" next, or a host token
 * and then one.  Returns 1 and sets *host_len (0 when no host) when so.
 */
static int
ios_mnemonic_next(const char *p, size_t left, size_t *host_len_out)
{
	size_t hl;

	skip_sp(&p, &left);
	if (peek(p, left, '%')) {
		if (host_len_out != NULL)
			*host_len_out = 0;
		return 1;
	}
	hl = host_len(p, left);
	if (hl == 0 || hl + 1 >= left || p[hl + 1] != '%')
		return 0;
	if (host_len_out != NULL)
		*host_len_out = hl;
	return 1;
}

/* Returns 0 with h filled, or -1 when there is no header at all. */
static int
legacy_parse(const char *base, const char *p, size_t left,
    struct syslog_hdr *h)
{
	const char *ts;
	int kind, ios, hint;

	skip_sp(&p, &left);
	prefix_parse(base, &p, &left, h);
	ios = ios_lead_parse(base, &p, &left, h);
	ts = p;
	kind = stamp_scan(&p, &left, &h->time);
	if (kind == STAMP_NONE) {
		if (h->pri < 0)
			return -1;
		h->format = ios ? SYSLOG_FMT_IOS : SYSLOG_FMT_RFC3164;
		if (!ios)
			tag_parse(base, &p, &left, h, 0);
		h->msg = mkspan(base, p, left);
		return 0;
	}
	h->has_time = 1;
	h->timestamp = mkspan(base, ts, (size_t)(p - ts));
	hint = ios || h->time.unsynced || h->time.frac_digits > 0;
	/* "Mmm dd hh:mm:ss:" is IOS only with another sign of it (sequence
	 * number, '*', milliseconds, a zone, or a %FAC-SEV-MNEMONIC next):
	 * rsyslog's tests send "Mar 7 19:06:53: example tag: ..." as 3164. */
	if (kind == STAMP_BSD && ios_tail_parse(base, &p, &left, h, hint) &&
	    (hint || h->tzname.len > 0 || ios_mnemonic_next(p, left, NULL)))
		ios = 1;
	ios = ios || h->time.unsynced;
	skip_sp(&p, &left);
	if (ios) {
		size_t hl = 0;

		/* "*Oct 07 03:10:04: mydevice.com %CRYPTO-4-...": a host
		 * between the stamp and the mnemonic (syslog-ng's tests). */
		if (h->hostname.len == 0 && ios_mnemonic_next(p, left, &hl) &&
		    hl > 0) {
			h->hostname = mkspan(base, p, hl);
			adv(&p, &left, hl);
			skip_sp(&p, &left);
		}
		h->format = SYSLOG_FMT_IOS;
		h->msg = mkspan(base, p, left);
		return 0;
	}
	h->format = SYSLOG_FMT_RFC3164;
	if (h->prefix.len == 0)
		prefix_parse(base, &p, &left, h);
	host_tag_parse(base, p, left, h);
	return 0;
}

/* ---- RFC 5424 ---- */

/* NILVALUE "-" followed by SP or the end (not consumed). */
static int
take_nil(const char **p, size_t *left)
{
	if (!peek(*p, *left, '-') || (*left > 1 && (*p)[1] != ' '))
		return 0;
	adv(p, left, 1);
	return 1;
}

/* NILVALUE / 1*max PRINTUSASCII (RFC 5424 §6.2.4 - §6.2.7). */
static int
field_parse(const char *base, const char **p, size_t *left, size_t max,
    struct span *out)
{
	size_t k = 0;

	if (take_nil(p, left)) {
		out->off = out->len = 0;
		return 1;
	}
	while (k < *left && is_print((unsigned char)(*p)[k]))
		if (++k > max)
			return 0;
	if (k == 0)
		return 0;
	*out = mkspan(base, *p, k);
	adv(p, left, k);
	return 1;
}

/* SD-NAME = 1*32 PRINTUSASCII except '=', SP, ']', '"' (§6.3.3); we take
 * up to SDNAME_MAX (syslog-ng keeps 33- and 34-character names). */
static int
sd_name(const char **p, size_t *left)
{
	size_t k = 0;
	unsigned char c;

	while (k < *left) {
		c = (unsigned char)(*p)[k];
		if (!is_print(c) || c == '=' || c == ']' || c == '"')
			break;
		if (++k > SDNAME_MAX)
			return 0;
	}
	if (k == 0)
		return 0;
	adv(p, left, k);
	return 1;
}

/*
 * '"' PARAM-VALUE '"' (§6.3.3).  Inside the value '"', '\' and ']' are
 * escaped with '\'; a backslash before any other character is an ordinary
 * backslash (§6.3.3: "MUST be treated as a regular backslash").
 * Leniency: VMware ESXi writes values without quotes ("[foo bar=baz]",
 * kept by syslog-ng): a run of printable characters other than SP, ']'
 * and '"'.
 */
static int
sd_value(const char **p, size_t *left)
{
	const char *q = *p;
	size_t n = *left, k = 0;

	if (!take_ch(&q, &n, '"')) {
		while (k < n && is_print((unsigned char)q[k]) && q[k] != ']' &&
		    q[k] != '"')
			k++;
		if (k == 0)
			return 0;
		adv(p, left, k);
		return 1;
	}
	while (n > 0) {
		if (*q == '"') {
			adv(&q, &n, 1);
			*p = q;
			*left = n;
			return 1;
		}
		if (*q == '\\' && n > 1 &&
		    (q[1] == '"' || q[1] == '\\' || q[1] == ']'))
			adv(&q, &n, 2);
		else
			adv(&q, &n, 1);
	}
	return 0;
}

/* SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"; SD-PARAM = NAME "=" VALUE.
 * Spaces after '=' are skipped (rsyslog's tests send `eventSource=
 * "Application"`). */
static int
sd_element(const char **p, size_t *left)
{
	const char *q = *p;
	size_t n = *left;

	if (!take_ch(&q, &n, '[') || !sd_name(&q, &n))
		return 0;
	while (take_ch(&q, &n, ' ')) {
		if (!sd_name(&q, &n) || !take_ch(&q, &n, '='))
			return 0;
		skip_sp(&q, &n);
		if (!sd_value(&q, &n))
			return 0;
	}
	if (!take_ch(&q, &n, ']'))
		return 0;
	*p = q;
	*left = n;
	return 1;
}

/* STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT (§6.3). */
static int
sd_parse(const char *base, const char **p, size_t *left, struct span *out)
{
	const char *q = *p;
	size_t n = *left;

	if (take_nil(p, left)) {
		out->off = out->len = 0;
		return 1;
	}
	if (!peek(q, n, '['))
		return 0;
	while (peek(q, n, '['))
		if (!sd_element(&q, &n))
			return 0;
	*out = mkspan(base, *p, (size_t)(q - *p));
	*p = q;
	*left = n;
	return 1;
}

/*
 * HEADER after PRI: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID
 * SP MSGID SP STRUCTURED-DATA [SP MSG] (RFC 5424 §6).  A UTF-8 BOM at the
 * start of MSG (§6.4) is stripped.  Commits all fields or none.
 */
static int
rfc5424_parse(const char *base, const char **p, size_t *left,
    struct syslog_hdr *h)
{
	static const size_t fmax[4] = {
		HOST_MAX, TAG_MAX, PROCID_MAX, MSGID_MAX
	};
	const char *q = *p, *ts;
	size_t n = *left;
	struct syslog_time tm;
	struct span f[4], sd;
	int ver, has_time = 1;

	memset(&tm, 0, sizeof(tm));
	if (n == 0 || *q < '1' || *q > '9' ||
	    !take_num(&q, &n, 1, VER_DIGITS, &ver) || !take_ch(&q, &n, ' '))
		return 0;
	ts = q;
	if (take_nil(&q, &n))
		has_time = 0;
	else if (!iso_scan(&q, &n, FRAC_LAX, &tm))
		return 0;
	if (!take_ch(&q, &n, ' '))
		return 0;
	for (int i = 0; i < 4; i++)
		if (!field_parse(base, &q, &n, fmax[i], &f[i]) ||
		    !take_ch(&q, &n, ' '))
			return 0;
	if (!sd_parse(base, &q, &n, &sd))
		return 0;
	if (n > 0 && !take_ch(&q, &n, ' '))
		return 0;
	if (n >= 3 && memcmp(q, "\xEF\xBB\xBF", 3) == 0)
		adv(&q, &n, 3);
	h->format = SYSLOG_FMT_RFC5424;
	h->has_time = has_time;
	h->time = tm;
	if (has_time)
		h->timestamp = mkspan(base, ts, (size_t)(q - ts));
	h->hostname = f[0];
	h->app = f[1];
	h->procid = f[2];
	h->msgid = f[3];
	h->sd = sd;
	h->msg = mkspan(base, q, n);
	*p = q;
	*left = n;
	return 1;
}

/* ---- entry point ---- */

static void
hdr_reset(struct syslog_hdr *h, size_t len)
{
	memset(h, 0, sizeof(*h));
	h->status = SYSLOG_NOHDR;
	h->format = SYSLOG_FMT_NONE;
	h->pri = h->facility = h->severity = h->seq = -1;
	h->msg.len = (uint32_t)len;
}

int
syslog_parse(const char *buf, size_t len, struct syslog_hdr *out)
{
	const char *p = buf;
	size_t left = len > SYSLOG_MAX_INPUT ? SYSLOG_MAX_INPUT : len;
	size_t whole;
	int status = SYSLOG_OK;

	if (buf == NULL)
		left = 0;
	whole = left;
	hdr_reset(out, whole);
	switch (pri_parse(&p, &left, &out->pri)) {
	case 1:
		out->facility = out->pri >> 3;
		out->severity = out->pri & 7;
		break;
	case -1:
		status = SYSLOG_BADPRI;
		break;
	}
	if (out->pri >= 0 && rfc5424_parse(buf, &p, &left, out))
		goto done;
	if (legacy_parse(buf, p, left, out) == 0)
		goto done;
	hdr_reset(out, whole);
	if (status == SYSLOG_OK)
		status = SYSLOG_NOHDR;
done:
	out->status = status;
	return status;
}

/* ---- time conversion ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil year of day z since the epoch (half of civil_from_days). */
static int64_t
year_from_days(int64_t z)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int64_t y, int m)
{
	static const unsigned char md[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

static int64_t
stamp_us(int64_t y, const struct syslog_time *t, int off_min)
{
	int64_t s;

	s = days_from_civil(y, t->mon, t->mday) * 86400 + t->hour * 3600 +
	    t->min * 60 + t->sec - (int64_t)off_min * 60;
	return s * US_PER_SEC + t->usec;
}

static int
time_fields_valid(const struct syslog_time *t, int tz_off_min)
{
	return t->mon >= 1 && t->mon <= 12 && t->mday >= 1 &&
	    t->mday <= 31 && t->hour >= 0 && t->hour <= 23 && t->min >= 0 &&
	    t->min <= 59 && t->sec >= 0 && t->sec <= 60 && t->usec >= 0 &&
	    t->usec <= 999999 && t->year >= 0 && t->year <= 9999 &&
	    tz_off_min >= -TZ_OFF_MAX && tz_off_min <= TZ_OFF_MAX;
}

int
syslog_time_to_us(const struct syslog_time *t, int64_t ref_us,
    int tz_off_min, int64_t *out_us)
{
	int64_t day, ry, limit, us;
	int off = t->has_tz ? t->tz_off_min : tz_off_min;

	if (!time_fields_valid(t, off))
		return -1;
	if (t->year != 0) {
		if (t->mday > month_days(t->year, t->mon))
			return -1;
		*out_us = stamp_us(t->year, t, off);
		return 0;
	}
	day = ref_us / US_PER_DAY - (ref_us % US_PER_DAY < 0);
	ry = year_from_days(day);
	if (ry < 1 || ry > 9998)
		return -1;
	limit = ref_us + US_PER_DAY;
	/* Newest first: next year (sender clock ahead across New Year) down
	 * to 8 years back, enough to reach a leap year for Feb 29. */
	for (int64_t y = ry + 1; y >= ry - 8 && y >= 1; y--) {
		if (t->mday > month_days(y, t->mon))
			continue;
		us = stamp_us(y, t, off);
		if (us <= limit) {
			*out_us = us;
			return 0;
		}
	}
	return -1;
}
