/*
 * parse_ftmd.c — Viptela / Cisco SD-WAN message parser (see parse_ftmd.h).
 *
 * Design.  ftmd_parse() works in two independent steps:
 *
 *  1. The tag.  After the vendor prefix ("%Viptela-" or "%Cisco-SDWAN-")
 *     the tag runs up to the first byte that is ':' or not printable ASCII.
 *     It must end in ':' (or " :", as the SC4S Cisco regex allows).  The
 *     fields are then popped FROM THE RIGHT: msg-id digits, TAG [A-Z]+,
 *     severity digit, proc [A-Za-z0-9_.]+, and what is left is the host,
 *     which may itself contain '-' (docs/log-formats.md#the-viptela-tag:
 *     "%Cisco-SDWAN-LAB-SDWAN-POD1-EDGE-2-OMPD-5-NTCE-400003:").
 *
 *  2. The body, tried in this order: "Notification:" (any msg-id), the
 *     free text "VPN <n> Interface <if> [state] UP|DOWN", OMPD's
 *     "Operational state changed to UP|DOWN", "<event> k:v ...", and
 *     otherwise unmodelled free text (FTMD_OTHER).
 *
 * Key/value tokens are split on the FIRST colon and honour double quotes
 * (docs/log-formats.md#message-1400002): `system-ip:::` is system-ip = "::", `uptime:"0:00:00:00"`
 * is one value.  Backslashes are not escapes (nothing shows Viptela
 * escaping quotes).  An unquoted value that hides a glued known key
 * (`peer-type:vmanagepeer-system-ip:192.0.2.10`, docs/log-formats.md#message-1000001) is cut
 * before that key; the cut is counted in n_glued.
 *
 * All scanning is by hand on (pointer, length) pairs.  Cursor helpers take
 * (const char **p, size_t *left), work on copies and write back only on
 * success, so a failed attempt never moves the cursor.
 */
#include "parse_ftmd.h"

#include <stdint.h>
#include <string.h>

/* ---- character classes (no <ctype.h>: locale-free, no sign issues) ---- */

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int
is_upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_alpha(unsigned char c)
{
	return is_upper(c) || is_lower(c);
}

/* Separators between body tokens. */
static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Printable ASCII without space: the bytes a tag may hold. */
static int
is_graph(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static int
is_proc_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.';
}

static int
is_key_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_' || c == '.' || c == '-';
}

static unsigned char
to_lower(unsigned char c)
{
	return is_upper(c) ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Input is capped at FTMD_MAX_INPUT, so offsets fit in a uint32_t. */
static struct span
mkspan(const char *base, const char *p, size_t n)
{
	struct span s;

	s.off = (uint32_t)(p - base);
	s.len = (uint32_t)n;
	return s;
}

/* ---- cursor helpers: advance only on success ---- */

/* Skips blanks (never fails). */
static void
skip_blanks(const char **p, size_t *left)
{
	while (*left > 0 && is_blank((unsigned char)**p)) {
		(*p)++;
		(*left)--;
	}
}

/* Consumes at least one blank. */
static int
eat_blanks1(const char **p, size_t *left)
{
	if (*left == 0 || !is_blank((unsigned char)**p))
		return 0;
	skip_blanks(p, left);
	return 1;
}

/* Consumes the exact literal lit. */
static int
eat_lit(const char **p, size_t *left, const char *lit)
{
	size_t n = strlen(lit);

	if (*left < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	*left -= n;
	return 1;
}

/* Consumes the whole word lit (ASCII case-insensitive), which must be
 * followed by a blank or the end of input. */
static int
eat_word_ci(const char **p, size_t *left, const char *lit)
{
	size_t i, n = strlen(lit);

	if (*left < n)
		return 0;
	for (i = 0; i < n; i++)
		if (to_lower((unsigned char)(*p)[i]) !=
		    to_lower((unsigned char)lit[i]))
			return 0;
	if (*left > n && !is_blank((unsigned char)(*p)[n]))
		return 0;
	*p += n;
	*left -= n;
	return 1;
}

/* Consumes mindig..maxdig decimal digits (maxdig <= 9, so no overflow)
 * whose value lies in [lo, hi]; a further digit fails the field. */
static int
eat_uint(const char **p, size_t *left, int mindig, int maxdig, long lo,
    long hi, long *v)
{
	const char *q = *p;
	size_t n = *left;
	long acc = 0;
	int nd = 0;

	while (n > 0 && is_digit((unsigned char)*q)) {
		if (nd == maxdig)
			return 0;
		acc = acc * 10 + (*q - '0');
		nd++;
		q++;
		n--;
	}
	if (nd < mindig || acc < lo || acc > hi)
		return 0;
	*v = acc;
	*p = q;
	*left = n;
	return 1;
}

/* Consumes a non-empty run of non-blank bytes. */
static int
eat_token(const char **p, size_t *left, const char **tok, size_t *toklen)
{
	const char *q = *p;
	size_t n = *left;

	while (n > 0 && !is_blank((unsigned char)*q)) {
		q++;
		n--;
	}
	if (q == *p)
		return 0;
	*tok = *p;
	*toklen = (size_t)(q - *p);
	*p = q;
	*left = n;
	return 1;
}

/*
 * Consumes "M/D/YYYY H:MM:SS" or "[M/D/YYYY H:MM:SS]" (docs/log-formats.md#message-1400002: not
 * zero-padded, e.g. "5/4/2025 4:21:17"), followed by a blank or the end.
 */
static int
eat_notif_time(const char **p, size_t *left, struct ftmd_event *ev)
{
	const char *q = *p;
	size_t n = *left;
	long mo, md, y, h, mi, s;
	int bracket;

	bracket = eat_lit(&q, &n, "[");
	if (!eat_uint(&q, &n, 1, 2, 1, 12, &mo) || !eat_lit(&q, &n, "/") ||
	    !eat_uint(&q, &n, 1, 2, 1, 31, &md) || !eat_lit(&q, &n, "/") ||
	    !eat_uint(&q, &n, 4, 4, 1970, 9999, &y))
		return 0;
	if (!eat_blanks1(&q, &n))
		return 0;
	if (!eat_uint(&q, &n, 1, 2, 0, 23, &h) || !eat_lit(&q, &n, ":") ||
	    !eat_uint(&q, &n, 1, 2, 0, 59, &mi) || !eat_lit(&q, &n, ":") ||
	    !eat_uint(&q, &n, 1, 2, 0, 60, &s))	/* 60: leap second */
		return 0;
	if (bracket && !eat_lit(&q, &n, "]"))
		return 0;
	if (n > 0 && !is_blank((unsigned char)*q))
		return 0;
	ev->has_notif_time = 1;
	ev->n_year = (int)y;
	ev->n_mon = (int)mo;
	ev->n_mday = (int)md;
	ev->n_hour = (int)h;
	ev->n_min = (int)mi;
	ev->n_sec = (int)s;
	*p = q;
	*left = n;
	return 1;
}

/* ---- tables ---- */

static const char *const kind_names[FTMD_KIND_COUNT] = {
	[FTMD_OTHER] = "viptela_other",
	[FTMD_IF_STATE] = "interface_state_change",
	[FTMD_IF_ADMIN_STATE] = "interface_admin_state_change",
	[FTMD_BFD_STATE] = "bfd_state_change",
	[FTMD_CONTROL_STATE] = "control_connection_state_change",
	[FTMD_TUNNEL_IPSEC_REKEY] = "tunnel_ipsec_rekey",
	[FTMD_NOTIFICATION] = "viptela_notification",
	[FTMD_CONTROL_AUTH_FAIL] = "control_connection_auth_fail",
	[FTMD_TUNNEL_INSTALL_FAIL] = "tunnel_install_fail",
	[FTMD_OMP_PEER_STATE] = "omp_peer_state_change",
	[FTMD_OMP_OPER_STATE] = "omp_operational_state_change",
};

static const struct {
	const char *name;
	int kind;
} event_kinds[] = {
	{ "interface-state-change", FTMD_IF_STATE },
	{ "interface-admin-state-change", FTMD_IF_ADMIN_STATE },
	{ "bfd-state-change", FTMD_BFD_STATE },
	{ "control-connection-state-change", FTMD_CONTROL_STATE },
	{ "tunnel-ipsec-rekey", FTMD_TUNNEL_IPSEC_REKEY },
	{ "control-connection-auth-fail", FTMD_CONTROL_AUTH_FAIL },
	{ "tunnel-install-fail", FTMD_TUNNEL_INSTALL_FAIL },
	{ "omp-peer-state-change", FTMD_OMP_PEER_STATE },
};

/*
 * Keys a glued value may hide (VIPTELA-TRAPS.mib field names,
 * docs/log-formats.md#message-1400002, plus those of the 1000001 example).  All end in a letter.
 */
static const char *const known_keys[] = {
	"severity-level", "host-name", "system-ip", "vpn-id", "if-name",
	"new-state", "src-ip", "dst-ip", "proto", "src-port", "dst-port",
	"local-system-ip", "local-color", "remote-system-ip", "remote-color",
	"deleted", "flap-reason", "personality", "peer-type",
	"peer-system-ip", "peer-vmanage-system-ip", "public-ip",
	"public-port", "private-ip", "private-port", "src-color", "uptime",
	"color", "domain-id", "site-id", "reason", "user-name", "user-id",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
ftmd_kind_name(int kind)
{
	if (kind < 0 || kind >= FTMD_KIND_COUNT)
		return NULL;
	return kind_names[kind];
}

static int
event_kind(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < NELEM(event_kinds); i++)
		if (strlen(event_kinds[i].name) == n &&
		    memcmp(event_kinds[i].name, name, n) == 0)
			return event_kinds[i].kind;
	return FTMD_NOTIFICATION;
}

/* An event name: [a-z][a-z0-9_-]*, at most 64 bytes. */
static int
is_event_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 64 || !is_lower((unsigned char)s[0]))
		return 0;
	for (i = 1; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!is_lower(c) && !is_digit(c) && c != '-' && c != '_')
			return 0;
	}
	return 1;
}

/* ---- key/value tokens ---- */

/*
 * 1 when the colon at v[i] (i > 0) ends a known key glued to a value before
 * it; *klen is then that key's length, the longest one that fits (so
 * "vmanagepeer-system-ip:" yields "peer-system-ip", not "system-ip"), and
 * at least one value byte remains before it.
 */
static int
glued_key_at(const char *v, size_t i, size_t *klen)
{
	size_t k, kl, best = 0;

	if (!is_lower((unsigned char)v[i - 1]))	/* all keys end in a-z */
		return 0;
	for (k = 0; k < NELEM(known_keys); k++) {
		kl = strlen(known_keys[k]);
		if (kl < i && kl > best &&
		    memcmp(v + i - kl, known_keys[k], kl) == 0)
			best = kl;
	}
	*klen = best;
	return best > 0;
}

/*
 * Consumes one key:value token.  The key is [A-Za-z][A-Za-z0-9_.-]*, then
 * the FIRST colon; the value is either "quoted" (up to the next quote, or
 * to the end when the quote is never closed) or runs to the next blank.
 * *glued is set when the value was cut before a glued known key, which
 * the next call then reads as a key.
 */
static int
eat_kv(const char **p, size_t *left, const char *base, struct ftmd_kv *kv,
    int *glued)
{
	const char *q = *p, *k0 = *p, *v0, *close;
	size_t n = *left, klen, vlen, cut;

	*glued = 0;
	if (n == 0 || !is_alpha((unsigned char)*q))
		return 0;
	while (n > 0 && is_key_char((unsigned char)*q)) {
		q++;
		n--;
	}
	klen = (size_t)(q - k0);
	if (n == 0 || *q != ':')
		return 0;
	q++;
	n--;
	if (n > 0 && *q == '"') {
		q++;
		n--;
		v0 = q;
		close = memchr(q, '"', n);
		vlen = close != NULL ? (size_t)(close - q) : n;
		q += vlen;
		n -= vlen;
		if (close != NULL) {
			q++;
			n--;
		}
	} else {
		/*
		 * Up to the next blank, or up to a glued known key: the
		 * first colon that ends one wins.  Stopping there (rather
		 * than cutting afterwards) keeps a run of glued pairs
		 * linear in its length.
		 */
		v0 = q;
		while (n > 0 && !is_blank((unsigned char)*q)) {
			if (*q == ':' && q > v0 &&
			    glued_key_at(v0, (size_t)(q - v0), &cut)) {
				q -= cut;
				n += cut;
				*glued = 1;
				break;
			}
			q++;
			n--;
		}
		vlen = (size_t)(q - v0);
	}
	kv->key = mkspan(base, k0, klen);
	kv->val = mkspan(base, v0, vlen);
	*p = q;
	*left = n;
	return 1;
}

/* 1 "up", 0 "down" (any case), -1 otherwise. */
static int
state_of(const char *s, size_t n)
{
	const char *q = s;
	size_t m = n;

	if (eat_word_ci(&q, &m, "up") && m == 0)
		return 1;
	q = s;
	m = n;
	if (eat_word_ci(&q, &m, "down") && m == 0)
		return 0;
	return -1;
}

enum {
	SEEN_SEVERITY = 1 << 0,
	SEEN_HOST = 1 << 1,
	SEEN_SYSIP = 1 << 2,
	SEEN_VPN = 1 << 3,
	SEEN_IF = 1 << 4,
	SEEN_STATE = 1 << 5,
};

/* Fills the common field that kv names, if any, the first time it is seen. */
static void
note_common(const char *base, struct ftmd_event *ev, const struct ftmd_kv *kv,
    unsigned *seen)
{
	static const struct {
		const char *key;
		unsigned bit;
	} common[] = {
		{ "severity-level", SEEN_SEVERITY },
		{ "host-name", SEEN_HOST },
		{ "system-ip", SEEN_SYSIP },
		{ "vpn-id", SEEN_VPN },
		{ "if-name", SEEN_IF },
		{ "new-state", SEEN_STATE },
	};
	struct span *dst[NELEM(common)];
	size_t i;

	dst[0] = &ev->severity_level;	/* same order as common[] */
	dst[1] = &ev->host_name;
	dst[2] = &ev->system_ip;
	dst[3] = &ev->vpn_id;
	dst[4] = &ev->if_name;
	dst[5] = &ev->new_state;
	for (i = 0; i < NELEM(common); i++) {
		if ((*seen & common[i].bit) ||
		    !span_eq(base, kv->key, common[i].key))
			continue;
		*seen |= common[i].bit;
		*dst[i] = kv->val;
		return;
	}
}

/* Parses the "k:v k:v ..." tail of a body. */
static void
parse_kvs(const char *base, const char *p, size_t n, struct ftmd_event *ev)
{
	struct ftmd_kv kv;
	const char *tok;
	size_t toklen;
	unsigned seen = 0;
	int glued;
	long v;

	for (;;) {
		skip_blanks(&p, &n);
		if (n == 0)
			break;
		if (eat_kv(&p, &n, base, &kv, &glued)) {
			ev->n_glued += glued;
			if (ev->n_kv < FTMD_MAX_KV)
				ev->kv[ev->n_kv++] = kv;
			else
				ev->n_dropped_fields++;
			note_common(base, ev, &kv, &seen);
		} else if (eat_token(&p, &n, &tok, &toklen)) {
			ev->n_stray_tokens++;
		} else {
			break;	/* unreachable: n > 0 and not blank */
		}
	}
	if (seen & SEEN_STATE)
		ev->state_up = state_of(span_ptr(base, ev->new_state),
		    ev->new_state.len);
	if (seen & SEEN_VPN) {
		const char *q = span_ptr(base, ev->vpn_id);
		size_t m = ev->vpn_id.len;
		if (eat_uint(&q, &m, 1, 5, 0, 65535, &v) && m == 0)
			ev->vpn = (int)v;
	}
}

/* ---- body shapes ---- */

/* "Notification: [M/D/YYYY H:MM:SS] <event> k:v ..." (after the label). */
static void
parse_notification(const char *base, const char *p, size_t n,
    struct ftmd_event *ev)
{
	const char *q, *tok;
	size_t m, toklen;

	ev->kind = FTMD_NOTIFICATION;
	skip_blanks(&p, &n);
	if (eat_notif_time(&p, &n, ev))
		skip_blanks(&p, &n);
	q = p;
	m = n;
	if (eat_token(&q, &m, &tok, &toklen) && is_event_name(tok, toklen)) {
		ev->event = mkspan(base, tok, toklen);
		ev->kind = event_kind(tok, toklen);
		p = q;
		n = m;
	}
	parse_kvs(base, p, n, ev);
}

/* "VPN <n> Interface <if> [state|is] UP|DOWN" (docs/log-formats.md#message-1000001). */
static int
eat_if_text(const char **p, size_t *left, const char *base,
    struct ftmd_event *ev)
{
	const char *q = *p, *vpn0, *vpn1, *if0, *st0;
	size_t n = *left, iflen;
	long vpn;
	int up;

	if (!eat_word_ci(&q, &n, "VPN") || !eat_blanks1(&q, &n))
		return 0;
	vpn0 = q;
	if (!eat_uint(&q, &n, 1, 5, 0, 65535, &vpn))
		return 0;
	vpn1 = q;
	if (!eat_blanks1(&q, &n))
		return 0;
	if (!eat_word_ci(&q, &n, "Interface") || !eat_blanks1(&q, &n))
		return 0;
	if (!eat_token(&q, &n, &if0, &iflen) || !eat_blanks1(&q, &n))
		return 0;
	{
		/* tolerated variation: "... ipsec2 state DOWN" */
		const char *r = q;
		size_t m = n;
		if ((eat_word_ci(&r, &m, "state") || eat_word_ci(&r, &m, "is"))
		    && eat_blanks1(&r, &m)) {
			q = r;
			n = m;
		}
	}
	st0 = q;
	if (eat_word_ci(&q, &n, "UP"))
		up = 1;
	else if (eat_word_ci(&q, &n, "DOWN"))
		up = 0;
	else
		return 0;
	ev->kind = FTMD_IF_STATE;
	ev->vpn = (int)vpn;
	ev->vpn_id = mkspan(base, vpn0, (size_t)(vpn1 - vpn0));
	ev->if_name = mkspan(base, if0, iflen);
	ev->new_state = mkspan(base, st0, (size_t)(q - st0));
	ev->state_up = up;
	*p = q;
	*left = n;
	return 1;
}

/* OMPD 400003 "Operational state changed to UP|DOWN" (docs/log-formats.md#message-1400002). */
static int
eat_omp_oper(const char **p, size_t *left, const char *base,
    struct ftmd_event *ev)
{
	const char *q = *p, *st0;
	size_t n = *left;
	int up;

	if (!eat_lit(&q, &n, "Operational state changed to "))
		return 0;
	skip_blanks(&q, &n);
	st0 = q;
	if (eat_word_ci(&q, &n, "UP"))
		up = 1;
	else if (eat_word_ci(&q, &n, "DOWN"))
		up = 0;
	else
		return 0;
	ev->kind = FTMD_OMP_OPER_STATE;
	ev->new_state = mkspan(base, st0, (size_t)(q - st0));
	ev->state_up = up;
	*p = q;
	*left = n;
	return 1;
}

/*
 * "<event> k:v ..." without "Notification:" (1000001, docs/log-formats.md#message-1000001).  The
 * first token must look like an event name with a '-', and be followed by
 * a key:value token, or be a known event on its own, so that free text
 * ("re-keying done") is not taken for an event.
 */
static int
eat_event_kv(const char **p, size_t *left, const char *base,
    struct ftmd_event *ev)
{
	const char *q = *p, *tok;
	size_t n = *left, toklen;
	int kind;

	if (!eat_token(&q, &n, &tok, &toklen) || !is_event_name(tok, toklen) ||
	    memchr(tok, '-', toklen) == NULL)
		return 0;
	kind = event_kind(tok, toklen);
	skip_blanks(&q, &n);
	if (n == 0) {
		if (kind == FTMD_NOTIFICATION)
			return 0;
	} else {
		const char *r = q;
		size_t m = n;
		struct ftmd_kv kv;
		int glued;
		if (!eat_kv(&r, &m, base, &kv, &glued))
			return 0;
	}
	ev->kind = kind;
	ev->event = mkspan(base, tok, toklen);
	parse_kvs(base, q, n, ev);
	*p = q + n;
	*left = 0;
	return 1;
}

static void
parse_body(const char *base, const char *p, size_t n, struct ftmd_event *ev)
{
	if (eat_lit(&p, &n, "Notification:")) {
		parse_notification(base, p, n, ev);
		return;
	}
	if (eat_if_text(&p, &n, base, ev) || eat_omp_oper(&p, &n, base, ev) ||
	    eat_event_kv(&p, &n, base, ev))
		return;
	ev->kind = FTMD_OTHER;
}

/* ---- the tag ---- */

/*
 * Pops the last "-field" off the tag [lo, *hi): the field is the bytes
 * after the last '-', 1..maxlen of them, each accepted by ok().  On
 * success *hi moves onto that '-'.  Fails when no '-' precedes the field,
 * since a host must remain to its left.
 */
static int
pop_field(const char *lo, const char **hi, int (*ok)(unsigned char),
    size_t maxlen, const char **f, size_t *flen)
{
	const char *e = *hi, *q = *hi;

	while (q > lo && q[-1] != '-') {
		if (!ok((unsigned char)q[-1]) || (size_t)(e - q) >= maxlen)
			return 0;
		q--;
	}
	if (q == e || q == lo)
		return 0;
	*f = q;
	*flen = (size_t)(e - q);
	*hi = q - 1;
	return 1;
}

/* Splits the tag [lo, hi) (after the vendor prefix).  Returns 0 or -1. */
static int
parse_tag(const char *base, const char *lo, const char *hi,
    struct ftmd_event *ev)
{
	const char *f;
	size_t flen, i;
	long v;

	/* msg-id: at most 9 digits, so it fits any long */
	if (!pop_field(lo, &hi, is_digit, 9, &f, &flen))
		return -1;
	v = 0;
	for (i = 0; i < flen; i++)
		v = v * 10 + (f[i] - '0');
	ev->msgid = v;

	if (!pop_field(lo, &hi, is_upper, 15, &f, &flen))
		return -1;
	ev->mnemonic = mkspan(base, f, flen);

	if (!pop_field(lo, &hi, is_digit, 1, &f, &flen) || f[0] > '7')
		return -1;	/* syslog severities are 0..7 (RFC 5424 §6.2.1) */
	ev->tag_severity = f[0] - '0';

	if (!pop_field(lo, &hi, is_proc_char, 64, &f, &flen))
		return -1;
	ev->proc = mkspan(base, f, flen);

	if (hi == lo || (size_t)(hi - lo) > FTMD_MAX_HOST)
		return -1;
	ev->tag_host = mkspan(base, lo, (size_t)(hi - lo));
	return 0;
}

int
ftmd_parse(const char *buf, size_t len, struct ftmd_event *out)
{
	const char *p = buf, *t0, *body = NULL;
	size_t left = len, i, blen;
	int rc = FTMD_PARSE_OK;

	memset(out, 0, sizeof(*out));
	out->kind = FTMD_OTHER;
	out->vendor = -1;
	out->tag_severity = -1;
	out->msgid = -1;
	out->state_up = -1;
	out->vpn = -1;

	while (left > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		left--;
	}
	if (eat_lit(&p, &left, "%Viptela-"))
		out->vendor = FTMD_VENDOR_VIPTELA;
	else if (eat_lit(&p, &left, "%Cisco-SDWAN-"))
		out->vendor = FTMD_VENDOR_CISCO_SDWAN;
	else
		return FTMD_PARSE_NOMATCH;
	if (len > FTMD_MAX_INPUT)
		return FTMD_PARSE_MALFORMED;

	/* The tag ends at ':' or at the first byte a tag cannot hold. */
	t0 = p;
	for (i = 0; i < left && t0[i] != ':' && is_graph((unsigned char)t0[i]);
	    i++)
		;
	if (i < left && t0[i] == ':')
		body = t0 + i + 1;
	else if (i + 1 < left && t0[i] == ' ' && t0[i + 1] == ':')
		body = t0 + i + 2;
	else
		rc = FTMD_PARSE_MALFORMED;	/* no ':' after the tag */

	if (parse_tag(buf, t0, t0 + i, out) != 0)
		rc = FTMD_PARSE_MALFORMED;
	if (body == NULL)
		return rc;

	blen = len - (size_t)(body - buf);
	skip_blanks(&body, &blen);
	while (blen > 0 && is_blank((unsigned char)body[blen - 1]))
		blen--;
	out->body = mkspan(buf, body, blen);
	parse_body(buf, body, blen, out);
	return rc;
}

int
ftmd_kv_find(const struct ftmd_event *ev, const char *base, const char *key,
    struct span *val)
{
	int i;

	for (i = 0; i < ev->n_kv && i < FTMD_MAX_KV; i++) {
		if (span_eq(base, ev->kv[i].key, key)) {
			if (val != NULL)
				*val = ev->kv[i].val;
			return 1;
		}
	}
	return 0;
}
