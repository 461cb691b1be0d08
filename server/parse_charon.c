/*
 * parse_charon.c — strongSwan charon log lines → struct charon_event.
 *
 * DESIGN
 *   1. Framing, one pass from the left (FORMATS.md §3.1):
 *        [charon[-systemd][[pid]][:] ] NN[GRP[lvl]] [<conn|uid> ] text
 *      or the vendor form "GRP NN     : text", or bare text.
 *   2. The text is trimmed on the right (CR, LF, blanks, NUL padding).
 *   3. classify() switches on the first byte of the first word, compares the
 *      word, and runs the one or few handlers that can start with it.  A
 *      handler scans with the cursor helpers below and returns the kind, or
 *      CHARON_OTHER; on CHARON_OTHER every content field is wiped again, so
 *      a half-matched line never leaks partial fields.
 *
 * Cursor helpers take (const char **p, size_t *left), work on local copies
 * and write back only on success.  Every numeric field has a digit bound and
 * a range check; nothing is read outside [buf, buf + len).  Handlers are
 * strict about the end of the text: a line cut short does not match.
 *
 * Format strings: src/libcharon of strongSwan 5.3 ... 6.0.6 (see the table in
 * parse_charon.h and FORMATS.md §3.3), plus the vEdge retransmit suffix
 * " (tries=3, timeout=30, exchange=37, state=2)" and the vEdge kernel line
 * "Deleting SAD entry with SPI 00000e77" (PLAYBOOK.md).
 */
#include "parse_charon.h"

#include <stddef.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Kind names: a stored, public contract (see the table in parse_charon.h). */

static const char *const kind_names[CHARON_KIND_MAX] = {
	[CHARON_OTHER]                     = "charon_other",
	[CHARON_IKE_INITIATE]              = "ike_initiate",
	[CHARON_IKE_INITIATE_RESPONDER]    = "ike_initiate_responder",
	[CHARON_IKE_ESTABLISHED]           = "ike_established",
	[CHARON_CHILD_ESTABLISHED]         = "child_established",
	[CHARON_IKE_REKEYED]               = "ike_rekeyed",
	[CHARON_CHILD_REKEYED]             = "child_rekeyed",
	[CHARON_IKE_REKEY_FAILED]          = "ike_rekey_failed",
	[CHARON_CHILD_REKEY_FAILED]        = "child_rekey_failed",
	[CHARON_REKEY_SCHEDULED]           = "rekey_scheduled",
	[CHARON_REAUTH_SCHEDULED]          = "reauth_scheduled",
	[CHARON_IKE_LIFETIME]              = "ike_lifetime",
	[CHARON_REAUTH]                    = "reauth",
	[CHARON_DPD_REQUEST]               = "dpd_request",
	[CHARON_DPD_TIMEOUT]               = "dpd_timeout",
	[CHARON_RETRANSMIT]                = "retransmit",
	[CHARON_GIVE_UP]                   = "give_up",
	[CHARON_PEER_NOT_RESPONDING_RETRY] = "peer_not_responding_retry",
	[CHARON_IKE_ESTABLISH_NO_RESPONSE] = "ike_establish_no_response",
	[CHARON_IKE_REKEY_NO_RESPONSE]     = "ike_rekey_no_response",
	[CHARON_IKE_DELETE_NO_RESPONSE]    = "ike_delete_no_response",
	[CHARON_IKE_DELETE_RECEIVED]       = "ike_delete_received",
	[CHARON_IKE_DELETE_SENT]           = "ike_delete_sent",
	[CHARON_CHILD_DELETE_RECEIVED]     = "child_delete_received",
	[CHARON_CHILD_DELETE_SENT]         = "child_delete_sent",
	[CHARON_IKE_DELETING]              = "ike_deleting",
	[CHARON_IKE_DELETED]               = "ike_deleted",
	[CHARON_CHILD_CLOSING]             = "child_closing",
	[CHARON_CHILD_EXPIRED]             = "child_expired",
	[CHARON_CHILD_CLOSED]              = "child_closed",
	[CHARON_HALF_OPEN_TIMEOUT]         = "half_open_timeout",
	[CHARON_PROPOSALS_RECEIVED]        = "proposals_received",
	[CHARON_PROPOSALS_CONFIGURED]      = "proposals_configured",
	[CHARON_PROPOSAL_SELECTED]         = "proposal_selected",
	[CHARON_PROPOSALS_UNACCEPTABLE]    = "proposals_unacceptable",
	[CHARON_NO_ACCEPTABLE_PROPOSAL]    = "no_acceptable_proposal",
	[CHARON_NOTIFY_ERROR]              = "notify_error",
	[CHARON_NOTIFY_NO_CHILD]           = "notify_no_child",
	[CHARON_CHILD_FAILED_KEEP_IKE]     = "child_failed_keep_ike",
	[CHARON_CHILD_FAILED_CLOSE_IKE]    = "child_failed_close_ike",
	[CHARON_PSK_MAC_MISMATCH]          = "psk_mac_mismatch",
	[CHARON_NO_SHARED_KEY]             = "no_shared_key",
	[CHARON_NO_PEER_CONFIG]            = "no_peer_config",
	[CHARON_AUTH_OK]                   = "auth_ok",
	[CHARON_AUTH_FAILED]               = "auth_failed",
	[CHARON_SIGNATURE_INVALID]         = "signature_invalid",
	[CHARON_CONSTRAINT_FAILED]         = "constraint_failed",
	[CHARON_KE_UNACCEPTABLE]           = "ke_unacceptable",
	[CHARON_KE_REJECTED]               = "ke_rejected",
	[CHARON_KE_IGNORED]                = "ke_ignored",
	[CHARON_TS_UNACCEPTABLE]           = "ts_unacceptable",
	[CHARON_NO_ACCEPTABLE_TS]          = "no_acceptable_ts",
	[CHARON_NAT_LOCAL]                 = "nat_local",
	[CHARON_NAT_REMOTE]                = "nat_remote",
	[CHARON_NAT_GONE]                  = "nat_gone",
	[CHARON_KEEPALIVE]                 = "keepalive",
	[CHARON_PACKET_SENT]               = "packet_sent",
	[CHARON_PACKET_RECEIVED]           = "packet_received",
	[CHARON_MESSAGE_GENERATED]         = "message_generated",
	[CHARON_MESSAGE_PARSED]            = "message_parsed",
	[CHARON_STROKE_INITIATE]           = "stroke_initiate",
	[CHARON_STROKE_TERMINATE]          = "stroke_terminate",
	[CHARON_VICI_INITIATE]             = "vici_initiate",
	[CHARON_VICI_TERMINATE]            = "vici_terminate",
	[CHARON_CHILD_RESTART]             = "child_restart",
	[CHARON_IKE_REINITIATE]            = "ike_reinitiate",
	[CHARON_KERNEL_ERROR]              = "kernel_error",
	[CHARON_KERNEL_SAD_DELETE]         = "kernel_sad_delete",
};

const char *
charon_kind_name(int kind)
{
	if (kind < 0 || kind >= CHARON_KIND_MAX)
		return NULL;
	return kind_names[kind];
}

int
charon_kind_from_name(const char *name)
{
	int k;

	if (name == NULL)
		return -1;
	for (k = 0; k < CHARON_KIND_MAX; k++)
		if (kind_names[k] != NULL && strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

static const char *const payload_flag_names[CHARON_PL_COUNT] = {
	"empty", "no_prop", "auth_failed", "ts_unaccept", "inval_ke", "delete",
	"ke", "sa", "natd", "init_contact", "dpd", "auth", "ts", "fragment",
};

const char *
charon_payload_flag_name(int bit)
{
	if (bit < 0 || bit >= CHARON_PL_COUNT)
		return NULL;
	return payload_flag_names[bit];
}

/* ------------------------------------------------------------------------ */
/* Key-exchange transforms.  Numbers: IANA "Transform Type 4 - Key Exchange
 * Method Transform IDs" (RFC 7296, 5903, 5114, 6932, 8031, 9370 registry). */

struct ke_entry {
	const char *name;
	int num;
};

static const struct ke_entry ke_table[] = {
	{ "MODP_768", 1 },       { "MODP_1024", 2 },      { "MODP_1536", 5 },
	{ "MODP_2048", 14 },     { "MODP_3072", 15 },     { "MODP_4096", 16 },
	{ "MODP_6144", 17 },     { "MODP_8192", 18 },     { "ECP_256", 19 },
	{ "ECP_384", 20 },       { "ECP_521", 21 },       { "MODP_1024_160", 22 },
	{ "MODP_2048_224", 23 }, { "MODP_2048_256", 24 }, { "ECP_192", 25 },
	{ "ECP_224", 26 },       { "ECP_224_BP", 27 },    { "ECP_256_BP", 28 },
	{ "ECP_384_BP", 29 },    { "ECP_512_BP", 30 },    { "CURVE_25519", 31 },
	{ "CURVE_448", 32 },     { "ML_KEM_512", 35 },    { "ML_KEM_768", 36 },
	{ "ML_KEM_1024", 37 },
};

/* Skips a "KEn_" additional-key-exchange prefix (strongSwan 6.x). */
static const char *
ke_strip_prefix(const char *t)
{
	if (t[0] == 'K' && t[1] == 'E' && t[2] >= '1' && t[2] <= '7' &&
	    t[3] == '_')
		return t + 4;
	return t;
}

int
charon_ke_group_number(const char *t)
{
	size_t i;

	if (t == NULL)
		return -1;
	t = ke_strip_prefix(t);
	for (i = 0; i < sizeof(ke_table) / sizeof(ke_table[0]); i++)
		if (strcmp(ke_table[i].name, t) == 0)
			return ke_table[i].num;
	return -1;
}

static int
has_prefix(const char *s, const char *pfx)
{
	return strncmp(s, pfx, strlen(pfx)) == 0;
}

int
charon_transform_is_ke(const char *t)
{
	const char *u;

	if (t == NULL || t[0] == '\0')
		return 0;
	u = ke_strip_prefix(t);
	if (strcmp(u, "NONE") == 0 || strcmp(u, "MODP_NONE") == 0)
		return 0;
	if (u != t)
		return 1;    /* KE1_ ... KE7_: additional key exchange */
	return has_prefix(t, "MODP_") || has_prefix(t, "ECP_") ||
	    has_prefix(t, "CURVE_") || has_prefix(t, "ML_KEM") ||
	    has_prefix(t, "NTRU") || has_prefix(t, "NEWHOPE") ||
	    has_prefix(t, "FRODO") || has_prefix(t, "BIKE") ||
	    has_prefix(t, "HQC");
}

/* ------------------------------------------------------------------------ */
/* Character classes (locale independent). */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static int
is_alnum(unsigned char c)
{
	return is_digit(c) || is_upper(c) || (c >= 'a' && c <= 'z');
}
static int
hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
/* Bytes that can appear in a rendered %H address: IPv4, IPv6 (no brackets
 * in strongSwan's output), "%any", "%any6", a zone "%eth0". */
static int
is_hostc(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == ':' || c == '%' || c == '-' ||
	    c == '_';
}
static int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

/* ------------------------------------------------------------------------ */
/* Output: bounded, NUL-terminated copies that never split a UTF-8 sequence. */

static void
put_str(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n >= dstsz) {
		n = dstsz - 1;
		/* s[n] is the first byte left out; if it continues a multi-byte
		 * sequence, drop that sequence's lead and continuation bytes. */
		if (((unsigned char)s[n] & 0xC0) == 0x80) {
			size_t k = n;
			while (k > 0 && n - k < 3 &&
			    ((unsigned char)s[k - 1] & 0xC0) == 0x80)
				k--;
			if (k > 0 && ((unsigned char)s[k - 1] & 0xC0) == 0xC0)
				n = k - 1;
		}
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
}

#define PUT(field, s, n) put_str((field), sizeof(field), (s), (n))
#define PUT_LIT(field, lit) put_str((field), sizeof(field), (lit), sizeof(lit) - 1)

/* ------------------------------------------------------------------------ */
/* Cursor helpers: (const char **p, size_t *left); advance only on success. */

static int
cur_lit_(const char **p, size_t *left, const char *lit, size_t n)
{
	if (*left < n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	*left -= n;
	return 1;
}
#define cur_lit(p, left, lit) cur_lit_((p), (left), "" lit, sizeof(lit) - 1)

/* Matches lit only if it is all that is left. */
static int
cur_last_(const char **p, size_t *left, const char *lit, size_t n)
{
	if (*left != n || memcmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	*left = 0;
	return 1;
}
#define cur_last(p, left, lit) cur_last_((p), (left), "" lit, sizeof(lit) - 1)

/* Decimal uint32: 1..10 digits, <= UINT32_MAX, not followed by a digit. */
static int
cur_u32(const char **p, size_t *left, uint32_t *out)
{
	const char *q = *p;
	size_t l = *left, nd = 0;
	uint64_t v = 0;

	while (l > 0 && is_digit((unsigned char)*q)) {
		if (++nd > 10)
			return 0;
		v = v * 10 + (uint64_t)(*q - '0');
		q++;
		l--;
	}
	if (nd == 0 || v > UINT32_MAX)
		return 0;
	*out = (uint32_t)v;
	*p = q;
	*left = l;
	return 1;
}

/* Decimal uint64 (%llu byte counters): 1..20 digits, overflow-checked. */
static int
cur_u64(const char **p, size_t *left, uint64_t *out)
{
	const char *q = *p;
	size_t l = *left, nd = 0;
	uint64_t v = 0;

	while (l > 0 && is_digit((unsigned char)*q)) {
		uint64_t d = (uint64_t)(*q - '0');
		if (++nd > 20 || v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
		q++;
		l--;
	}
	if (nd == 0)
		return 0;
	*out = v;
	*p = q;
	*left = l;
	return 1;
}

/* %.8x SPI: 1..8 hex digits, not followed by another hex digit. */
static int
cur_hex32(const char **p, size_t *left, uint32_t *out)
{
	const char *q = *p;
	size_t l = *left, nd = 0;
	uint32_t v = 0;
	int h;

	while (l > 0 && (h = hex_val((unsigned char)*q)) >= 0) {
		if (++nd > 8)
			return 0;
		v = (v << 4) | (uint32_t)h;
		q++;
		l--;
	}
	if (nd == 0)
		return 0;
	*out = v;
	*p = q;
	*left = l;
	return 1;
}

/* Length of the run of non-space bytes at p. */
static size_t
tok_len(const char *p, size_t left)
{
	size_t i = 0;

	while (i < left && p[i] != ' ')
		i++;
	return i;
}

/* A non-empty space-free token, copied into dst. */
static int
cur_tok(const char **p, size_t *left, char *dst, size_t dstsz)
{
	size_t t = tok_len(*p, *left);

	if (t == 0)
		return 0;
	put_str(dst, dstsz, *p, t);
	*p += t;
	*left -= t;
	return 1;
}

/* "%s[%u]" (open '[') or "%s{%u}" (open '{') as one space-free token. */
static int
cur_sa(const char **p, size_t *left, char open, char close, char *name,
    size_t namesz, uint32_t *uid)
{
	const char *s = *p, *d;
	size_t t = tok_len(*p, *left), i, dl;
	uint32_t v;

	if (t < 4 || s[t - 1] != close)
		return 0;
	i = t - 1;
	while (i > 0 && is_digit((unsigned char)s[i - 1]))
		i--;
	/* i: first digit; s[i - 1] must be `open` and the name non-empty */
	if (i < 2 || i == t - 1 || s[i - 1] != open)
		return 0;
	d = s + i;
	dl = t - 1 - i;
	if (!cur_u32(&d, &dl, &v) || dl != 0)
		return 0;
	put_str(name, namesz, s, i - 1);
	*uid = v;
	*p += t;
	*left -= t;
	return 1;
}

/* A rendered address (no port). */
static int
cur_addr(const char **p, size_t *left, char *dst, size_t dstsz)
{
	size_t i = 0;

	while (i < *left && is_hostc((unsigned char)(*p)[i])) {
		if (++i >= CHARON_ADDR_LEN)
			return 0;
	}
	if (i == 0)
		return 0;
	put_str(dst, dstsz, *p, i);
	*p += i;
	*left -= i;
	return 1;
}

/* "[port]", 1..5 digits, <= 65535. */
static int
cur_port(const char **p, size_t *left, uint16_t *port)
{
	const char *q = *p;
	size_t l = *left;
	uint32_t v;

	if (!cur_lit(&q, &l, "[") || !cur_u32(&q, &l, &v) || v > 65535 ||
	    !cur_lit(&q, &l, "]"))
		return 0;
	*port = (uint16_t)v;
	*p = q;
	*left = l;
	return 1;
}

/* %H / %#H: address with optional (or required) "[port]". */
static int
cur_host(const char **p, size_t *left, struct charon_endpoint *ep,
    int port_required)
{
	const char *q = *p;
	size_t l = *left;
	char addr[CHARON_ADDR_LEN];
	uint16_t port = 0;
	int has_port;

	if (!cur_addr(&q, &l, addr, sizeof(addr)))
		return 0;
	has_port = cur_port(&q, &l, &port);
	if (port_required && !has_port)
		return 0;
	memcpy(ep->addr, addr, sizeof(addr));
	ep->port = port;
	ep->has_port = (uint8_t)has_port;
	*p = q;
	*left = l;
	return 1;
}

/* First occurrence of lit in s[0..n), or NULL.  lit is short. */
static const char *
find_(const char *s, size_t n, const char *lit, size_t ln)
{
	size_t i;

	if (ln == 0 || n < ln)
		return NULL;
	for (i = 0; i + ln <= n; i++)
		if (s[i] == lit[0] && memcmp(s + i, lit, ln) == 0)
			return s + i;
	return NULL;
}
#define find_lit(s, n, lit) find_((s), (n), "" lit, sizeof(lit) - 1)

/* Last occurrence of byte c in s[0..n), or NULL. */
static const char *
find_last_char(const char *s, size_t n, char c)
{
	while (n > 0) {
		n--;
		if (s[n] == c)
			return s + n;
	}
	return NULL;
}

/* 1 if s[0..n) ends with lit. */
static int
ends_with_(const char *s, size_t n, const char *lit, size_t ln)
{
	return n >= ln && memcmp(s + n - ln, lit, ln) == 0;
}
#define ends_with(s, n, lit) ends_with_((s), (n), "" lit, sizeof(lit) - 1)

/* Trims blanks on both sides of s[0..*n). */
static const char *
trim(const char *s, size_t *n)
{
	while (*n > 0 && s[0] == ' ') {
		s++;
		(*n)--;
	}
	while (*n > 0 && s[*n - 1] == ' ')
		(*n)--;
	return s;
}

/* ------------------------------------------------------------------------ */
/* Compound fields. */

/*
 * "%H[%Y]...%H[%Y]" up to the end of the text (ike_sa.c, ike_delete.c,
 * ike_rekey.c).  Identities may contain blanks, '=', ',', brackets and even
 * "...", so the separator is the first "]..." that is followed by an address
 * and '[', and the second identity runs to the final ']'.
 */
static int
cur_between(const char **p, size_t *left, struct charon_endpoint *loc,
    struct charon_endpoint *rem)
{
	const char *s = *p, *id1, *sep;
	size_t n = *left, a1;
	char addr1[CHARON_ADDR_LEN];

	if (n < 10 || s[n - 1] != ']')
		return 0;
	a1 = 0;
	while (a1 < n && is_hostc((unsigned char)s[a1]))
		if (++a1 >= CHARON_ADDR_LEN)
			return 0;
	if (a1 == 0 || a1 >= n || s[a1] != '[')
		return 0;
	put_str(addr1, sizeof(addr1), s, a1);
	id1 = s + a1 + 1;
	/* search region: from id1 to just before the final ']' */
	sep = id1;
	for (;;) {
		size_t rest = (size_t)(s + n - sep), a2;
		const char *h2;

		sep = find_lit(sep, rest, "]...");
		if (sep == NULL)
			return 0;
		h2 = sep + 4;
		a2 = 0;
		while (h2 + a2 < s + n && is_hostc((unsigned char)h2[a2]) &&
		    a2 < CHARON_ADDR_LEN - 1)
			a2++;
		if (a2 > 0 && h2 + a2 < s + n - 1 && h2[a2] == '[') {
			const char *id2 = h2 + a2 + 1;

			memcpy(loc->addr, addr1, sizeof(addr1));
			PUT(loc->id, id1, (size_t)(sep - id1));
			PUT(rem->addr, h2, a2);
			PUT(rem->id, id2, (size_t)(s + n - 1 - id2));
			*p += n;
			*left = 0;
			return 1;
		}
		sep++;
	}
}

/* "%#R === %#R" up to the end: two traffic selector lists. */
static int
cur_ts_pair(const char **p, size_t *left, char *ts_l, size_t lsz, char *ts_r,
    size_t rsz)
{
	const char *s = *p, *eq, *a, *b;
	size_t n = *left, an, bn;

	eq = find_lit(s, n, "===");
	if (eq == NULL)
		return 0;
	an = (size_t)(eq - s);
	a = trim(s, &an);
	b = eq + 3;
	bn = (size_t)(s + n - b);
	b = trim(b, &bn);
	if (an == 0 || bn == 0)
		return 0;
	put_str(ts_l, lsz, a, an);
	put_str(ts_r, rsz, b, bn);
	*p += n;
	*left = 0;
	return 1;
}

/* "%.8x_i %.8x_o" */
static int
cur_spis(const char **p, size_t *left, uint32_t *in, uint32_t *out)
{
	const char *q = *p;
	size_t l = *left;
	uint32_t a, b;

	if (!cur_hex32(&q, &l, &a) || !cur_lit(&q, &l, "_i ") ||
	    !cur_hex32(&q, &l, &b) || !cur_lit(&q, &l, "_o"))
		return 0;
	*in = a;
	*out = b;
	*p = q;
	*left = l;
	return 1;
}

/* Splits "%#P" ("IKE:A/B/C, ESP:D/E") into ev->proposals. */
static void
parse_proposals(const char *s, size_t n, struct charon_event *ev)
{
	size_t i = 0;

	ev->nproposals = 0;
	while (i < n) {
		const char *item = s + i, *colon, *t;
		size_t j = i, in, tn;
		struct charon_proposal *pr;

		while (j < n && s[j] != ',')
			j++;
		in = j - i;
		item = trim(item, &in);
		i = j + 1;
		if (in == 0)
			continue;
		/* strongSwan's %P always prints "PROTO:"; anything else (an
		 * abbreviation such as "...", a cut-off tail) is not a proposal */
		colon = memchr(item, ':', in);
		if (colon == NULL || colon == item ||
		    (size_t)(colon - item) >= CHARON_PROTO_LEN)
			continue;
		{
			size_t k, pl = (size_t)(colon - item);
			int ok = 1;

			for (k = 0; k < pl; k++)
				if (!is_upper((unsigned char)item[k]))
					ok = 0;
			if (!ok)
				continue;
		}
		if (ev->nproposals == CHARON_PROPOSALS_MAX) {
			ev->proposals_truncated = 1;
			break;
		}
		pr = &ev->proposals[ev->nproposals++];
		PUT(pr->protocol, item, (size_t)(colon - item));
		pr->ntransforms = 0;
		pr->truncated = 0;
		t = colon + 1;
		tn = in - (size_t)(colon - item) - 1;
		while (tn > 0) {
			size_t k = 0;

			while (k < tn && t[k] != '/')
				k++;
			if (k > 0) {
				if (pr->ntransforms == CHARON_TRANSFORMS_MAX) {
					pr->truncated = 1;
					break;
				}
				PUT(pr->transforms[pr->ntransforms], t, k);
				pr->ntransforms++;
			}
			if (k == tn)
				break;
			t += k + 1;
			tn -= k + 1;
		}
	}
	ev->has |= CHARON_HAS_PROPOSALS;
}

struct pl_name {
	const char *tok;
	uint32_t flag;
};

static const struct pl_name pl_names[] = {
	{ "N(NO_PROP)", CHARON_PL_NO_PROP },
	{ "N(AUTH_FAILED)", CHARON_PL_AUTH_FAILED },
	{ "N(TS_UNACCEPT)", CHARON_PL_TS_UNACCEPT },
	{ "N(INVAL_KE)", CHARON_PL_INVAL_KE },
	{ "D", CHARON_PL_DELETE },
	{ "KE", CHARON_PL_KE },
	{ "SA", CHARON_PL_SA },
	{ "N(NATD_S_IP)", CHARON_PL_NATD },
	{ "N(NATD_D_IP)", CHARON_PL_NATD },
	{ "NAT-D", CHARON_PL_NATD },
	{ "N(INIT_CONTACT)", CHARON_PL_INIT_CONTACT },
	{ "N(DPD)", CHARON_PL_DPD },
	{ "N(DPD_ACK)", CHARON_PL_DPD },
	{ "AUTH", CHARON_PL_AUTH },
	{ "TSi", CHARON_PL_TS },
	{ "TSr", CHARON_PL_TS },
	{ "FRAG", CHARON_PL_FRAGMENT },
};

static uint32_t
payload_flags(const char *s, size_t n)
{
	uint32_t f = 0;
	size_t i = 0, k;

	if (n == 0)
		return CHARON_PL_EMPTY;
	while (i < n) {
		size_t t = tok_len(s + i, n - i);

		if (t >= 3 && memcmp(s + i, "EF(", 3) == 0)
			f |= CHARON_PL_FRAGMENT;
		for (k = 0; k < sizeof(pl_names) / sizeof(pl_names[0]); k++)
			if (strlen(pl_names[k].tok) == t &&
			    memcmp(pl_names[k].tok, s + i, t) == 0)
				f |= pl_names[k].flag;
		i += t + 1;
	}
	return f;
}

/* IKEv2 exchange type numbers (RFC 7296 §3.1, RFC 9242, RFC 9370). */
static void
exchange_from_number(struct charon_event *ev, uint32_t x)
{
	static const struct {
		uint32_t num;
		const char *name;
	} ex[] = {
		{ 34, "IKE_SA_INIT" },   { 35, "IKE_AUTH" },
		{ 36, "CREATE_CHILD_SA" }, { 37, "INFORMATIONAL" },
		{ 38, "IKE_SESSION_RESUME" }, { 43, "IKE_INTERMEDIATE" },
		{ 44, "IKE_FOLLOWUP_KE" },
	};
	size_t i;

	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		if (ex[i].num == x)
			put_str(ev->exchange, sizeof(ev->exchange), ex[i].name,
			    strlen(ex[i].name));
}

/* ------------------------------------------------------------------------ */
/* Handlers.  Each gets the text after its first word and the blank that
 * follows it (rest may be empty) and returns a kind. */

/* initiating [Main Mode |Aggressive Mode ]IKE_SA %s[%u] to %H */
static int
h_initiating(const char *p, size_t l, struct charon_event *ev)
{
	if (cur_lit(&p, &l, "Main Mode "))
		PUT_LIT(ev->variant, "main_mode");
	else if (cur_lit(&p, &l, "Aggressive Mode "))
		PUT_LIT(ev->variant, "aggressive_mode");
	if (!cur_lit(&p, &l, "IKE_SA ") ||
	    !cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid) ||
	    !cur_lit(&p, &l, " to ") || !cur_host(&p, &l, &ev->remote, 0) ||
	    l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_IKE_UID;
	return CHARON_IKE_INITIATE;
}

/* %H is initiating an IKE_SA (<= 5.9) | %H is initiating IKE_SA %s[%u] (6.x)
 * | %H is initiating a Main Mode IKE_SA | ... a[n] Aggressive Mode IKE_SA */
static int
h_responder(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_host(&p, &l, &ev->remote, 0) ||
	    !cur_lit(&p, &l, " is initiating "))
		return CHARON_OTHER;
	if (!cur_lit(&p, &l, "an "))
		(void)cur_lit(&p, &l, "a ");
	if (cur_lit(&p, &l, "Main Mode "))
		PUT_LIT(ev->variant, "main_mode");
	else if (cur_lit(&p, &l, "Aggressive Mode "))
		PUT_LIT(ev->variant, "aggressive_mode");
	if (!cur_lit(&p, &l, "IKE_SA"))
		return CHARON_OTHER;
	if (l == 0)
		return CHARON_IKE_INITIATE_RESPONDER;
	if (!cur_lit(&p, &l, " ") ||
	    !cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid) || l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_IKE_UID;
	return CHARON_IKE_INITIATE_RESPONDER;
}

/* "... rekeying failed, trying again in %d seconds" */
static int
rekey_retry(const char *p, size_t l, struct charon_event *ev)
{
	uint32_t v;

	if (!cur_lit(&p, &l, "rekeying failed, trying again in ") ||
	    !cur_u32(&p, &l, &v) || !cur_last(&p, &l, " seconds"))
		return 0;
	ev->seconds = v;
	ev->has |= CHARON_HAS_SECONDS;
	return 1;
}

/* IKE_SA deleted | IKE_SA rekeying failed, ... | IKE_SA %s[%u] established
 * between ... | IKE_SA %s[%u] rekeyed between ... */
static int
h_ike_sa(const char *p, size_t l, struct charon_event *ev)
{
	int kind;

	if (cur_last(&p, &l, "deleted"))
		return CHARON_IKE_DELETED;
	if (rekey_retry(p, l, ev))
		return CHARON_IKE_REKEY_FAILED;
	if (!cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid))
		return CHARON_OTHER;
	if (cur_lit(&p, &l, " established between "))
		kind = CHARON_IKE_ESTABLISHED;
	else if (cur_lit(&p, &l, " rekeyed between "))
		kind = CHARON_IKE_REKEYED;
	else
		return CHARON_OTHER;
	if (!cur_between(&p, &l, &ev->local, &ev->remote))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_IKE_UID;
	return kind;
}

/* [inbound |outbound ]CHILD_SA %s{%u} established with SPIs %.8x_i %.8x_o
 * and TS %#R === %#R  |  CHILD_SA closed  |  CHILD_SA rekeying failed, ... */
static int
h_child_sa(const char *p, size_t l, struct charon_event *ev, int directed)
{
	if (!directed) {
		if (cur_last(&p, &l, "closed"))
			return CHARON_CHILD_CLOSED;
		if (rekey_retry(p, l, ev))
			return CHARON_CHILD_REKEY_FAILED;
	}
	if (!cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) ||
	    !cur_lit(&p, &l, " established with SPIs ") ||
	    !cur_spis(&p, &l, &ev->spi_in, &ev->spi_out) ||
	    !cur_lit(&p, &l, " and TS ") ||
	    !cur_ts_pair(&p, &l, ev->ts_local, sizeof(ev->ts_local),
		ev->ts_remote, sizeof(ev->ts_remote)))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_CHILD_UID | CHARON_HAS_SPIS;
	return CHARON_CHILD_ESTABLISHED;
}

/* inbound/outbound CHILD_SA ... */
static int
h_directed(const char *p, size_t l, struct charon_event *ev, int outbound)
{
	if (!cur_lit(&p, &l, "CHILD_SA "))
		return CHARON_OTHER;
	if (outbound)
		PUT_LIT(ev->variant, "outbound");
	else
		PUT_LIT(ev->variant, "inbound");
	return h_child_sa(p, l, ev, 1);
}

/* rekeyed CHILD_SA %s{%u} with SPIs %.8x_i %.8x_o with %s{%u} with SPIs
 * %.8x_i %.8x_o (6.x, child_rekey.c) */
static int
h_rekeyed(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_lit(&p, &l, "CHILD_SA ") ||
	    !cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) ||
	    !cur_lit(&p, &l, " with SPIs ") ||
	    !cur_spis(&p, &l, &ev->spi_in, &ev->spi_out) ||
	    !cur_lit(&p, &l, " with ") ||
	    !cur_sa(&p, &l, '{', '}', ev->new_child_name,
		sizeof(ev->new_child_name), &ev->new_child_uid) ||
	    !cur_lit(&p, &l, " with SPIs ") ||
	    !cur_spis(&p, &l, &ev->new_spi_in, &ev->new_spi_out) || l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_CHILD_UID | CHARON_HAS_SPIS |
	    CHARON_HAS_NEW_CHILD_UID | CHARON_HAS_NEW_SPIS;
	return CHARON_CHILD_REKEYED;
}

/* detected rekeying of CHILD_SA %s{%u} (IKEv1 quick_mode.c) */
static int
h_detected(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_lit(&p, &l, "rekeying of CHILD_SA ") ||
	    !cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) || l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_CHILD_UID;
	PUT_LIT(ev->variant, "ikev1");
	return CHARON_CHILD_REKEYED;
}

/* "%.8x_i (%llu bytes) " with the byte count optional */
static int
cur_spi_bytes(const char **p, size_t *left, const char *dir, uint32_t *spi,
    uint64_t *bytes, int *has_bytes)
{
	const char *q = *p;
	size_t l = *left;

	if (!cur_hex32(&q, &l, spi) || !cur_lit_(&q, &l, dir, 2))
		return 0;
	if (cur_lit(&q, &l, " (")) {
		if (!cur_u64(&q, &l, bytes) || !cur_lit(&q, &l, " bytes)"))
			return 0;
		*has_bytes = 1;
	}
	*p = q;
	*left = l;
	return 1;
}

/* closing CHILD_SA %s{%u} with SPIs %.8x_i (%llu bytes) %.8x_o (%llu bytes)
 * and TS %#R === %#R | closing expired CHILD_SA %s{%u} with SPIs %.8x_i
 * %.8x_o and TS %#R === %#R | closing IKE_SA due CHILD_SA setup failure */
static int
h_closing(const char *p, size_t l, struct charon_event *ev)
{
	int kind = CHARON_CHILD_CLOSING, hb_in = 0, hb_out = 0;

	if (cur_last(&p, &l, "IKE_SA due CHILD_SA setup failure"))
		return CHARON_CHILD_FAILED_CLOSE_IKE;
	if (cur_lit(&p, &l, "expired "))
		kind = CHARON_CHILD_EXPIRED;
	if (!cur_lit(&p, &l, "CHILD_SA ") ||
	    !cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) ||
	    !cur_lit(&p, &l, " with SPIs ") ||
	    !cur_spi_bytes(&p, &l, "_i", &ev->spi_in, &ev->bytes_in, &hb_in) ||
	    !cur_lit(&p, &l, " ") ||
	    !cur_spi_bytes(&p, &l, "_o", &ev->spi_out, &ev->bytes_out,
		&hb_out) ||
	    !cur_lit(&p, &l, " and TS ") ||
	    !cur_ts_pair(&p, &l, ev->ts_local, sizeof(ev->ts_local),
		ev->ts_remote, sizeof(ev->ts_remote)))
		return CHARON_OTHER;
	if (hb_in != hb_out)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_CHILD_UID | CHARON_HAS_SPIS;
	if (hb_in)
		ev->has |= CHARON_HAS_BYTES;
	return kind;
}

/* "DELETE for IKE_SA %s[%u]" | "DELETE for [unknown ]%N CHILD_SA with SPI
 * %.8x" (ike_delete.c, child_delete.c, isakmp_delete.c, quick_delete.c) */
static int
h_delete(const char *p, size_t l, struct charon_event *ev, int ike_kind,
    int child_kind)
{
	size_t t;

	if (!cur_lit(&p, &l, "DELETE for "))
		return CHARON_OTHER;
	if (cur_lit(&p, &l, "IKE_SA ")) {
		if (!cur_sa(&p, &l, '[', ']', ev->ike_name,
			sizeof(ev->ike_name), &ev->ike_uid) || l != 0)
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_IKE_UID;
		return ike_kind;
	}
	if (cur_lit(&p, &l, "unknown "))
		ev->has |= CHARON_HAS_UNKNOWN_SA;
	t = tok_len(p, l);
	if (t == 0 || t >= CHARON_PROTO_LEN)
		return CHARON_OTHER;
	PUT(ev->protocol, p, t);
	p += t;
	l -= t;
	if (!cur_lit(&p, &l, " CHILD_SA with SPI ") ||
	    !cur_hex32(&p, &l, &ev->spi) || l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_SPI;
	return child_kind;
}

/* "packet: from %#H to %#H (%zu bytes)" (sender.c, receiver.c) */
static int
h_packet(const char *p, size_t l, struct charon_event *ev, int sent)
{
	struct charon_endpoint *from = sent ? &ev->local : &ev->remote;
	struct charon_endpoint *to = sent ? &ev->remote : &ev->local;

	if (!cur_lit(&p, &l, "packet: from ") || !cur_host(&p, &l, from, 1) ||
	    !cur_lit(&p, &l, " to ") || !cur_host(&p, &l, to, 1) ||
	    !cur_lit(&p, &l, " (") || !cur_u32(&p, &l, &ev->size) ||
	    !cur_last(&p, &l, " bytes)"))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_SIZE;
	return sent ? CHARON_PACKET_SENT : CHARON_PACKET_RECEIVED;
}

/* Stroke target 'name', 'name[uid]' (IKE_SA) or 'name{uid}' (CHILD_SA); a
 * bare name is a connection, i.e. a peer config: kept as ike_name. */
static void
put_target(struct charon_event *ev, const char *s, size_t n)
{
	const char *q = s;
	size_t l = n;

	if (cur_sa(&q, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid) && l == 0) {
		ev->has |= CHARON_HAS_IKE_UID;
		return;
	}
	q = s;
	l = n;
	if (cur_sa(&q, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) && l == 0) {
		ev->has |= CHARON_HAS_CHILD_UID;
		return;
	}
	PUT(ev->ike_name, s, n);
}

/* received stroke: initiate|terminate '%s' (stroke_socket.c) */
static int
h_stroke(const char *p, size_t l, struct charon_event *ev)
{
	int kind;

	if (cur_lit(&p, &l, "initiate '"))
		kind = CHARON_STROKE_INITIATE;
	else if (cur_lit(&p, &l, "terminate '"))
		kind = CHARON_STROKE_TERMINATE;
	else
		return CHARON_OTHER;
	if (l < 2 || p[l - 1] != '\'')
		return CHARON_OTHER;
	put_target(ev, p, l - 1);
	return kind;
}

/* received %N notify error[, destroying IKE_SA] | received %N notify, no
 * CHILD_SA built | received %N error notify (IKEv1) */
static int
h_notify(const char *p, size_t l, struct charon_event *ev)
{
	int kind;

	if (!cur_tok(&p, &l, ev->notify, sizeof(ev->notify)))
		return CHARON_OTHER;
	if (cur_last(&p, &l, " notify error"))
		kind = CHARON_NOTIFY_ERROR;
	else if (cur_last(&p, &l, " notify error, destroying IKE_SA")) {
		kind = CHARON_NOTIFY_ERROR;
		PUT_LIT(ev->variant, "destroying_ike_sa");
	} else if (cur_last(&p, &l, " notify, no CHILD_SA built"))
		kind = CHARON_NOTIFY_NO_CHILD;
	else if (cur_last(&p, &l, " error notify")) {
		kind = CHARON_NOTIFY_ERROR;
		PUT_LIT(ev->variant, "ikev1");
	} else
		return CHARON_OTHER;
	return kind;
}

static int
h_received(const char *p, size_t l, struct charon_event *ev)
{
	if (l == 0)
		return CHARON_OTHER;
	switch (p[0]) {
	case 'D':
		if (l > 7 && memcmp(p, "DELETE ", 7) == 0)
			return h_delete(p, l, ev, CHARON_IKE_DELETE_RECEIVED,
			    CHARON_CHILD_DELETE_RECEIVED);
		break;
	case 'p':
		if (cur_lit(&p, &l, "proposals: ")) {
			parse_proposals(p, l, ev);
			return CHARON_PROPOSALS_RECEIVED;
		}
		if (cur_last(&p, &l, "proposals unacceptable"))
			return CHARON_PROPOSALS_UNACCEPTABLE;
		if (cur_last(&p, &l, "proposals inacceptable")) {
			PUT_LIT(ev->variant, "inacceptable");
			return CHARON_PROPOSALS_UNACCEPTABLE;
		}
		if (l > 7 && memcmp(p, "packet:", 7) == 0)
			return h_packet(p, l, ev, 0);
		break;
	case 's':
		if (cur_lit(&p, &l, "stroke: "))
			return h_stroke(p, l, ev);
		break;
	default:
		break;
	}
	return h_notify(p, l, ev);
}

/* sending retransmit %u of %s message ID %u, seq %u (task_manager_v1.c) */
static int
h_retransmit_v1(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_u32(&p, &l, &ev->count) || !cur_lit(&p, &l, " of "))
		return CHARON_OTHER;
	if (cur_lit(&p, &l, "request"))
		ev->is_response = 0;
	else if (cur_lit(&p, &l, "response"))
		ev->is_response = 1;
	else
		return CHARON_OTHER;
	if (!cur_lit(&p, &l, " message ID ") ||
	    !cur_u32(&p, &l, &ev->msgid) || !cur_lit(&p, &l, ", seq ") ||
	    !cur_u32(&p, &l, &ev->seq) || l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_COUNT | CHARON_HAS_MSGID | CHARON_HAS_SEQ;
	PUT_LIT(ev->variant, "ikev1");
	return CHARON_RETRANSMIT;
}

static int
h_sending(const char *p, size_t l, struct charon_event *ev)
{
	if (l == 0)
		return CHARON_OTHER;
	switch (p[0]) {
	case 'D':
		if (cur_last(&p, &l, "DPD request"))
			return CHARON_DPD_REQUEST;
		if (cur_lit(&p, &l, "DPD instead of keep alive ")) {
			if (!cur_u32(&p, &l, &ev->seconds) ||
			    !cur_last(&p, &l, "s after last outbound message"))
				return CHARON_OTHER;
			ev->has |= CHARON_HAS_SECONDS;
			PUT_LIT(ev->variant, "instead_of_keepalive");
			return CHARON_DPD_REQUEST;
		}
		return h_delete(p, l, ev, CHARON_IKE_DELETE_SENT,
		    CHARON_CHILD_DELETE_SENT);
	case 'r':
		if (cur_lit(&p, &l, "retransmit "))
			return h_retransmit_v1(p, l, ev);
		break;
	case 'k':
		/* sending keep alive to %#H (ike_sa.c) */
		if (cur_lit(&p, &l, "keep alive to ") &&
		    cur_host(&p, &l, &ev->remote, 0) && l == 0)
			return CHARON_KEEPALIVE;
		break;
	case 'p':
		return h_packet(p, l, ev, 1);
	default:
		break;
	}
	return CHARON_OTHER;
}

/* deleting IKE_SA %s[%u] between ... | deleting half open IKE_SA [%s[%u] ]
 * [with %H ]after timeout (delete_ike_sa_job.c, all three wordings) */
static int
h_deleting(const char *p, size_t l, struct charon_event *ev)
{
	if (cur_lit(&p, &l, "IKE_SA ")) {
		if (!cur_sa(&p, &l, '[', ']', ev->ike_name,
			sizeof(ev->ike_name), &ev->ike_uid) ||
		    !cur_lit(&p, &l, " between ") ||
		    !cur_between(&p, &l, &ev->local, &ev->remote))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_IKE_UID;
		return CHARON_IKE_DELETING;
	}
	if (!cur_lit(&p, &l, "half open IKE_SA "))
		return CHARON_OTHER;
	/* "with" and "after" never end in ']', so cur_sa() cannot take them */
	if (cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid)) {
		if (!cur_lit(&p, &l, " "))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_IKE_UID;
	}
	if (cur_lit(&p, &l, "with ")) {
		if (!cur_host(&p, &l, &ev->remote, 0) || !cur_lit(&p, &l, " "))
			return CHARON_OTHER;
	}
	if (!cur_last(&p, &l, "after timeout"))
		return CHARON_OTHER;
	return CHARON_HALF_OPEN_TIMEOUT;
}

/* %u then "s" at the end ("scheduling rekeying in %ds") */
static int
seconds_at_end(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_u32(&p, &l, &ev->seconds) || !cur_last(&p, &l, "s"))
		return 0;
	ev->has |= CHARON_HAS_SECONDS;
	return 1;
}

static int
h_scheduling(const char *p, size_t l, struct charon_event *ev)
{
	if (cur_lit(&p, &l, "rekeying in ") && seconds_at_end(p, l, ev))
		return CHARON_REKEY_SCHEDULED;
	if (cur_lit(&p, &l, "reauthentication in ") && seconds_at_end(p, l, ev))
		return CHARON_REAUTH_SCHEDULED;
	return CHARON_OTHER;
}

/* reauthenticating IKE_SA %s[%u][ actively] */
static int
h_reauth(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_lit(&p, &l, "IKE_SA ") ||
	    !cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid))
		return CHARON_OTHER;
	if (cur_last(&p, &l, " actively"))
		PUT_LIT(ev->variant, "actively");
	if (l != 0)
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_IKE_UID;
	return CHARON_REAUTH;
}

/* Parses the vEdge " (tries=3, timeout=30, exchange=37, state=2)" suffix;
 * unknown keys and "(...)" are accepted and ignored. */
static void
retx_suffix(const char *s, size_t n, struct charon_event *ev)
{
	size_t i = 0;

	while (i < n) {
		const char *item = s + i, *q;
		size_t j = i, in, l;
		uint32_t v;

		while (j < n && s[j] != ',')
			j++;
		in = j - i;
		item = trim(item, &in);
		i = j + 1;
		q = item;
		l = in;
		if (cur_lit(&q, &l, "tries=") && cur_u32(&q, &l, &v) && l == 0) {
			ev->retx_tries = v;
			ev->has |= CHARON_HAS_RETX_TRIES;
		} else if (cur_lit(&q, &l, "timeout=") && cur_u32(&q, &l, &v) &&
		    l == 0) {
			ev->retx_timeout = v;
			ev->has |= CHARON_HAS_RETX_TIMEOUT;
		} else if (cur_lit(&q, &l, "exchange=") && cur_u32(&q, &l, &v) &&
		    l == 0) {
			ev->retx_exchange = v;
			ev->has |= CHARON_HAS_RETX_EXCHANGE;
			exchange_from_number(ev, v);
		} else if (cur_lit(&q, &l, "state=") && cur_u32(&q, &l, &v) &&
		    l == 0) {
			ev->retx_state = v;
			ev->has |= CHARON_HAS_RETX_STATE;
		}
	}
}

/* retransmit %d of request with message ID %d[ (vEdge suffix)] */
static int
h_retransmit(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_u32(&p, &l, &ev->count) ||
	    !cur_lit(&p, &l, " of request with message ID ") ||
	    !cur_u32(&p, &l, &ev->msgid))
		return CHARON_OTHER;
	ev->is_response = 0;
	ev->has |= CHARON_HAS_COUNT | CHARON_HAS_MSGID;
	if (l == 0)
		return CHARON_RETRANSMIT;
	if (!cur_lit(&p, &l, " ("))
		return CHARON_OTHER;
	/* a suffix cut short by a line limit still leaves a retransmit */
	if (l > 0 && p[l - 1] == ')')
		l--;
	retx_suffix(p, l, ev);
	return CHARON_RETRANSMIT;
}

/* giving up after %d retransmits | path probings | retries */
static int
h_giving(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_lit(&p, &l, "up after ") || !cur_u32(&p, &l, &ev->count))
		return CHARON_OTHER;
	if (cur_last(&p, &l, " retransmits"))
		PUT_LIT(ev->variant, "retransmits");
	else if (cur_last(&p, &l, " path probings"))
		PUT_LIT(ev->variant, "path_probings");
	else if (cur_last(&p, &l, " retries"))
		PUT_LIT(ev->variant, "retries");
	else
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_COUNT;
	return CHARON_GIVE_UP;
}

/* "%N, it requested %N" / "%N unacceptable, requesting %N" tails */
static int
ke_pair(const char *p, size_t l, struct charon_event *ev, const char *mid,
    size_t midlen)
{
	if (!cur_tok(&p, &l, ev->ke_offered, sizeof(ev->ke_offered)))
		return 0;
	/* the offered token swallowed a trailing ',' in "X, it requested" */
	if (mid[0] == ',') {
		size_t n = strlen(ev->ke_offered);

		if (n < 2 || ev->ke_offered[n - 1] != ',')
			return 0;
		ev->ke_offered[n - 1] = '\0';
		if (!cur_lit_(&p, &l, mid + 1, midlen - 1))
			return 0;
	} else if (!cur_lit_(&p, &l, mid, midlen))
		return 0;
	if (!cur_tok(&p, &l, ev->ke_requested, sizeof(ev->ke_requested)) ||
	    l != 0)
		return 0;
	return 1;
}

/* peer not responding, trying again (%d/%d) | peer didn't accept key
 * exchange method|DH group %N, it requested %N */
static int
h_peer(const char *p, size_t l, struct charon_event *ev)
{
	static const char it_req[] = ", it requested ";

	if (cur_lit(&p, &l, "not responding, trying again (")) {
		if (!cur_u32(&p, &l, &ev->count) || !cur_lit(&p, &l, "/") ||
		    !cur_u32(&p, &l, &ev->count_max) || !cur_last(&p, &l, ")"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_COUNT | CHARON_HAS_COUNT_MAX;
		return CHARON_PEER_NOT_RESPONDING_RETRY;
	}
	if (!cur_lit(&p, &l, "didn't accept "))
		return CHARON_OTHER;
	if (cur_lit(&p, &l, "key exchange method "))
		PUT_LIT(ev->variant, "ke_method");
	else if (cur_lit(&p, &l, "DH group "))
		PUT_LIT(ev->variant, "dh_group");
	else
		return CHARON_OTHER;
	if (!ke_pair(p, l, ev, it_req, sizeof(it_req) - 1))
		return CHARON_OTHER;
	return CHARON_KE_REJECTED;
}

/* key exchange method %N unacceptable, requesting %N (6.x) */
static int
h_key(const char *p, size_t l, struct charon_event *ev)
{
	static const char mid[] = " unacceptable, requesting ";

	if (!cur_lit(&p, &l, "exchange method ") ||
	    !ke_pair(p, l, ev, mid, sizeof(mid) - 1))
		return CHARON_OTHER;
	PUT_LIT(ev->variant, "ke_method");
	return CHARON_KE_UNACCEPTABLE;
}

/* DH group %N unacceptable|inacceptable, requesting %N (<= 5.9) */
static int
h_dh(const char *p, size_t l, struct charon_event *ev)
{
	static const char un[] = " unacceptable, requesting ";
	static const char in[] = " inacceptable, requesting ";

	if (!cur_lit(&p, &l, "group "))
		return CHARON_OTHER;
	if (!ke_pair(p, l, ev, un, sizeof(un) - 1) &&
	    !ke_pair(p, l, ev, in, sizeof(in) - 1))
		return CHARON_OTHER;
	PUT_LIT(ev->variant, "dh_group");
	return CHARON_KE_UNACCEPTABLE;
}

/* ignoring KE payload|exchange, agreed on a non-PFS proposal */
static int
h_ignoring(const char *p, size_t l, struct charon_event *ev)
{
	if (cur_last(&p, &l, "KE payload, agreed on a non-PFS proposal")) {
		PUT_LIT(ev->variant, "payload");
		return CHARON_KE_IGNORED;
	}
	if (cur_last(&p, &l, "KE exchange, agreed on a non-PFS proposal")) {
		PUT_LIT(ev->variant, "exchange");
		return CHARON_KE_IGNORED;
	}
	return CHARON_OTHER;
}

/* Splits "A' - 'B" (the quotes around it already removed). */
static int
id_pair(const char *s, size_t n, struct charon_event *ev)
{
	const char *sep = find_lit(s, n, "' - '");

	if (sep == NULL)
		return 0;
	PUT(ev->local.id, s, (size_t)(sep - s));
	PUT(ev->remote.id, sep + 5, (size_t)(s + n - sep - 5));
	return 1;
}

/* no acceptable proposal found | no proposal found | no matching proposal
 * found | no shared key found for '%Y' - '%Y' | no matching peer config
 * found | no acceptable traffic selectors found */
static int
h_no(const char *p, size_t l, struct charon_event *ev)
{
	if (cur_last(&p, &l, "acceptable proposal found"))
		return CHARON_NO_ACCEPTABLE_PROPOSAL;
	if (cur_last(&p, &l, "proposal found")) {
		PUT_LIT(ev->variant, "ikev1");
		return CHARON_NO_ACCEPTABLE_PROPOSAL;
	}
	if (cur_last(&p, &l, "matching proposal found")) {
		PUT_LIT(ev->variant, "ikev1_matching");
		return CHARON_NO_ACCEPTABLE_PROPOSAL;
	}
	if (cur_last(&p, &l, "matching peer config found"))
		return CHARON_NO_PEER_CONFIG;
	if (cur_last(&p, &l, "acceptable traffic selectors found"))
		return CHARON_NO_ACCEPTABLE_TS;
	if (cur_lit(&p, &l, "shared key found for '")) {
		if (l < 6 || p[l - 1] != '\'' || !id_pair(p, l - 1, ev))
			return CHARON_OTHER;
		return CHARON_NO_SHARED_KEY;
	}
	return CHARON_OTHER;
}

/* tried %d shared key%s for '%Y' - '%Y', but MAC mismatched */
static int
h_tried(const char *p, size_t l, struct charon_event *ev)
{
	static const char tail[] = "', but MAC mismatched";

	if (!cur_u32(&p, &l, &ev->count) || !cur_lit(&p, &l, " shared key"))
		return CHARON_OTHER;
	(void)cur_lit(&p, &l, "s");
	if (!cur_lit(&p, &l, " for '") || !ends_with_(p, l, tail, sizeof(tail) - 1) ||
	    !id_pair(p, l - (sizeof(tail) - 1), ev))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_COUNT;
	return CHARON_PSK_MAC_MISMATCH;
}

/* authentication of '%Y' [(myself) ][with %N ]successful|failed.  The
 * method name may contain blanks ("pre-shared key") but never a quote, so
 * the identity ends at the last quote. */
static int
h_authentication(const char *p, size_t l, struct charon_event *ev)
{
	const char *q, *tail;
	size_t tl;
	int kind;

	if (!cur_lit(&p, &l, "of '"))
		return CHARON_OTHER;
	if (ends_with(p, l, " successful")) {
		kind = CHARON_AUTH_OK;
		l -= sizeof(" successful") - 1;
	} else if (ends_with(p, l, " failed")) {
		kind = CHARON_AUTH_FAILED;
		l -= sizeof(" failed") - 1;
	} else if (find_lit(p, l, "' (myself) with ") != NULL) {
		/* FORMATS.md §3.3 quotes "authentication of '%Y' (myself) with
		 * %N" without "successful"; only our own side is accepted so
		 * that a peer's line cut short is not taken for a success. */
		kind = CHARON_AUTH_OK;
	} else
		return CHARON_OTHER;
	q = find_last_char(p, l, '\'');
	if (q == NULL)
		return CHARON_OTHER;
	tail = q + 1;
	tl = (size_t)(p + l - tail);
	if (cur_lit(&tail, &tl, " (myself)"))
		PUT_LIT(ev->variant, "myself");
	if (tl > 0) {
		if (!cur_lit(&tail, &tl, " with ") || tl == 0)
			return CHARON_OTHER;
		PUT(ev->auth_method, tail, tl);
	} else if (kind == CHARON_AUTH_OK)
		return CHARON_OTHER;
	if (ev->variant[0] != '\0')
		PUT(ev->local.id, p, (size_t)(q - p));
	else
		PUT(ev->remote.id, p, (size_t)(q - p));
	return kind;
}

/* traffic selectors %#R === %#R unacceptable|inacceptable */
static int
h_traffic(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_lit(&p, &l, "selectors "))
		return CHARON_OTHER;
	if (ends_with(p, l, " unacceptable"))
		l -= sizeof(" unacceptable") - 1;
	else if (ends_with(p, l, " inacceptable")) {
		l -= sizeof(" inacceptable") - 1;
		PUT_LIT(ev->variant, "inacceptable");
	} else
		return CHARON_OTHER;
	if (!cur_ts_pair(&p, &l, ev->ts_local, sizeof(ev->ts_local),
		ev->ts_remote, sizeof(ev->ts_remote)))
		return CHARON_OTHER;
	return CHARON_TS_UNACCEPTABLE;
}

/* local|remote host is [not ]behind NAT... (ike_sa.c) */
static int
h_nat(const char *p, size_t l, struct charon_event *ev, int local)
{
	if (cur_last(&p, &l, "host is not behind NAT anymore")) {
		if (local)
			PUT_LIT(ev->variant, "local");
		else
			PUT_LIT(ev->variant, "remote");
		return CHARON_NAT_GONE;
	}
	if (local && cur_last(&p, &l, "host is behind NAT, sending keep alives"))
		return CHARON_NAT_LOCAL;
	if (!local && cur_last(&p, &l, "host is behind NAT"))
		return CHARON_NAT_REMOTE;
	return CHARON_OTHER;
}

/* generating|parsed %s request|response %u [ payloads ] (message.c) */
static int
h_message(const char *p, size_t l, struct charon_event *ev, int kind)
{
	const char *inner;
	size_t n;

	if (!cur_tok(&p, &l, ev->exchange, sizeof(ev->exchange)) ||
	    !cur_lit(&p, &l, " "))
		return CHARON_OTHER;
	if (cur_lit(&p, &l, "request "))
		ev->is_response = 0;
	else if (cur_lit(&p, &l, "response "))
		ev->is_response = 1;
	else
		return CHARON_OTHER;
	if (!cur_u32(&p, &l, &ev->msgid) || !cur_lit(&p, &l, " [") || l == 0 ||
	    p[l - 1] != ']')
		return CHARON_OTHER;
	n = l - 1;
	inner = trim(p, &n);
	PUT(ev->payloads, inner, n);
	ev->payload_flags = payload_flags(inner, n);
	ev->has |= CHARON_HAS_MSGID | CHARON_HAS_PAYLOADS;
	return kind;
}

/* vici initiate [CHILD_SA |IKE_SA ]'%s' | vici terminate [CHILD_SA ]'%s'
 * [#%u][ of][ IKE_SA '%s' [#%u]] (vici_control.c, 5.x and 6.x) */
static int
h_vici(const char *p, size_t l, struct charon_event *ev)
{
	int kind, targets = 0, child = 1;

	if (cur_lit(&p, &l, "initiate"))
		kind = CHARON_VICI_INITIATE;
	else if (cur_lit(&p, &l, "terminate"))
		kind = CHARON_VICI_TERMINATE;
	else
		return CHARON_OTHER;
	/* 6.x: "CHILD_SA 'c' #3 of IKE_SA 'i' #5"; the SA type named last
	 * applies to the selectors that follow it (a bare 'x' is a child
	 * config name, as in <= 5.6 "vici initiate 'x'"). */
	while (l > 0) {
		if (!cur_lit(&p, &l, " "))
			return CHARON_OTHER;
		(void)cur_lit(&p, &l, "of ");
		if (cur_lit(&p, &l, "IKE_SA ")) {
			child = 0;
			if (ev->variant[0] == '\0')
				PUT_LIT(ev->variant, "ike_sa");
		} else if (cur_lit(&p, &l, "CHILD_SA ")) {
			child = 1;
			if (ev->variant[0] == '\0')
				PUT_LIT(ev->variant, "child_sa");
		}
		if (cur_lit(&p, &l, "'")) {
			const char *e = memchr(p, '\'', l);

			if (e == NULL)
				return CHARON_OTHER;
			if (child)
				PUT(ev->child_name, p, (size_t)(e - p));
			else
				PUT(ev->ike_name, p, (size_t)(e - p));
			l -= (size_t)(e - p) + 1;
			p = e + 1;
		} else if (cur_lit(&p, &l, "#")) {
			uint32_t v;

			if (!cur_u32(&p, &l, &v))
				return CHARON_OTHER;
			if (child) {
				ev->child_uid = v;
				ev->has |= CHARON_HAS_CHILD_UID;
			} else {
				ev->ike_uid = v;
				ev->has |= CHARON_HAS_IKE_UID;
			}
		} else
			return CHARON_OTHER;
		targets++;
	}
	return targets > 0 ? kind : CHARON_OTHER;
}

/* unable to add SAD entry with SPI ..., unable to install ... in kernel
 * (kernel_ipsec / child_sa.c).  Only kernel SA/policy failures qualify. */
static int
h_unable(const char *p, size_t l, const char *text, size_t tlen,
    struct charon_event *ev)
{
	static const char *const verbs[] = {
		"add ", "install ", "update ", "delete ", "query ", "allocate ",
		"replace ", "uninstall ", "get ",
	};
	size_t i;
	int ok = 0;

	if (!cur_lit(&p, &l, "to "))
		return CHARON_OTHER;
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]) && !ok; i++)
		ok = l >= strlen(verbs[i]) &&
		    memcmp(p, verbs[i], strlen(verbs[i])) == 0;
	if (!ok)
		return CHARON_OTHER;
	if (find_lit(p, l, "SAD") == NULL && find_lit(p, l, "SPD") == NULL &&
	    find_lit(p, l, "SPI") == NULL && find_lit(p, l, "polic") == NULL &&
	    find_lit(p, l, "kernel") == NULL && find_lit(p, l, " SA") == NULL)
		return CHARON_OTHER;
	PUT(ev->detail, text, tlen);
	return CHARON_KERNEL_ERROR;
}

/* ------------------------------------------------------------------------ */
/* Dispatch on the first word. */

#define WORD_IS(lit) (w == sizeof(lit) - 1 && memcmp(s, lit, w) == 0)

static int
classify(const char *s, size_t n, struct charon_event *ev)
{
	size_t w = tok_len(s, n);
	const char *r = s + w;
	size_t rl = n - w;

	if (n == 0)
		return CHARON_OTHER;
	if (rl > 0) {   /* skip the one blank after the first word */
		r++;
		rl--;
	}
	switch (s[0]) {
	case 'a':
		if (WORD_IS("authentication"))
			return h_authentication(r, rl, ev);
		break;
	case 'c':
		if (WORD_IS("closing"))
			return h_closing(r, rl, ev);
		if (WORD_IS("configured") && cur_lit(&r, &rl, "proposals: ")) {
			parse_proposals(r, rl, ev);
			return CHARON_PROPOSALS_CONFIGURED;
		}
		if (WORD_IS("checking") &&
		    cur_last(&r, &rl, "if current path still works using DPD")) {
			PUT_LIT(ev->variant, "path_check");
			return CHARON_DPD_REQUEST;
		}
		if (WORD_IS("constraint") && cur_lit(&r, &rl, "check failed")) {
			if (rl == 0)
				return CHARON_CONSTRAINT_FAILED;
			if (!cur_lit(&r, &rl, ":"))
				break;
			(void)cur_lit(&r, &rl, " ");
			PUT(ev->detail, r, rl);
			return CHARON_CONSTRAINT_FAILED;
		}
		break;
	case 'd':
		if (WORD_IS("deleting"))
			return h_deleting(r, rl, ev);
		if (WORD_IS("detected"))
			return h_detected(r, rl, ev);
		break;
	case 'e':
		if (WORD_IS("establishing") &&
		    cur_last(&r, &rl, "IKE_SA failed, peer not responding"))
			return CHARON_IKE_ESTABLISH_NO_RESPONSE;
		break;
	case 'f':
		if (WORD_IS("failed") &&
		    cur_last(&r, &rl, "to establish CHILD_SA, keeping IKE_SA"))
			return CHARON_CHILD_FAILED_KEEP_IKE;
		break;
	case 'g':
		if (WORD_IS("generating"))
			return h_message(r, rl, ev, CHARON_MESSAGE_GENERATED);
		if (WORD_IS("giving"))
			return h_giving(r, rl, ev);
		break;
	case 'i':
		if (WORD_IS("initiating"))
			return h_initiating(r, rl, ev);
		if (WORD_IS("inbound"))
			return h_directed(r, rl, ev, 0);
		if (WORD_IS("ignoring"))
			return h_ignoring(r, rl, ev);
		break;
	case 'k':
		if (WORD_IS("key"))
			return h_key(r, rl, ev);
		break;
	case 'l':
		if (WORD_IS("local"))
			return h_nat(r, rl, ev, 1);
		break;
	case 'm':
		if (WORD_IS("maximum") && cur_lit(&r, &rl, "IKE_SA lifetime ") &&
		    seconds_at_end(r, rl, ev))
			return CHARON_IKE_LIFETIME;
		break;
	case 'n':
		if (WORD_IS("no"))
			return h_no(r, rl, ev);
		break;
	case 'o':
		if (WORD_IS("outbound"))
			return h_directed(r, rl, ev, 1);
		break;
	case 'p':
		if (WORD_IS("parsed"))
			return h_message(r, rl, ev, CHARON_MESSAGE_PARSED);
		if (WORD_IS("peer"))
			return h_peer(r, rl, ev);
		if (WORD_IS("proper") &&
		    cur_last(&r, &rl, "IKE_SA delete failed, peer not responding"))
			return CHARON_IKE_DELETE_NO_RESPONSE;
		break;
	case 'r':
		if (WORD_IS("received"))
			return h_received(r, rl, ev);
		if (WORD_IS("retransmit"))
			return h_retransmit(r, rl, ev);
		if (WORD_IS("rekeyed"))
			return h_rekeyed(r, rl, ev);
		if (WORD_IS("rekeying") &&
		    cur_last(&r, &rl, "IKE_SA failed, peer not responding"))
			return CHARON_IKE_REKEY_NO_RESPONSE;
		if (WORD_IS("reauthenticating"))
			return h_reauth(r, rl, ev);
		if (WORD_IS("restarting") && cur_lit(&r, &rl, "CHILD_SA ") &&
		    rl > 0 && tok_len(r, rl) == rl) {
			PUT(ev->child_name, r, rl);
			return CHARON_CHILD_RESTART;
		}
		if (WORD_IS("reinitiating") && cur_lit(&r, &rl, "IKE_SA ") &&
		    cur_sa(&r, &rl, '[', ']', ev->ike_name, sizeof(ev->ike_name),
			&ev->ike_uid) && rl == 0) {
			ev->has |= CHARON_HAS_IKE_UID;
			return CHARON_IKE_REINITIATE;
		}
		if (WORD_IS("remote"))
			return h_nat(r, rl, ev, 0);
		break;
	case 's':
		if (WORD_IS("sending"))
			return h_sending(r, rl, ev);
		if (WORD_IS("selected") && cur_lit(&r, &rl, "proposal: ")) {
			parse_proposals(r, rl, ev);
			return CHARON_PROPOSAL_SELECTED;
		}
		if (WORD_IS("scheduling"))
			return h_scheduling(r, rl, ev);
		if (WORD_IS("signature") &&
		    cur_last(&r, &rl, "validation failed, looking for another key"))
			return CHARON_SIGNATURE_INVALID;
		break;
	case 't':
		if (WORD_IS("tried"))
			return h_tried(r, rl, ev);
		if (WORD_IS("traffic"))
			return h_traffic(r, rl, ev);
		break;
	case 'u':
		if (WORD_IS("unable"))
			return h_unable(r, rl, s, n, ev);
		break;
	case 'v':
		if (WORD_IS("vici"))
			return h_vici(r, rl, ev);
		break;
	case 'C':
		if (WORD_IS("CHILD_SA"))
			return h_child_sa(r, rl, ev, 0);
		break;
	case 'D':
		if (WORD_IS("DPD") &&
		    cur_last(&r, &rl, "check timed out, enforcing DPD action"))
			return CHARON_DPD_TIMEOUT;
		if (WORD_IS("DH"))
			return h_dh(r, rl, ev);
		if (WORD_IS("Deleting") && cur_lit(&r, &rl, "SAD entry with SPI ") &&
		    cur_hex32(&r, &rl, &ev->spi) && rl == 0) {
			ev->has |= CHARON_HAS_SPI;
			return CHARON_KERNEL_SAD_DELETE;
		}
		break;
	case 'I':
		if (WORD_IS("IKE_SA"))
			return h_ike_sa(r, rl, ev);
		break;
	default:
		break;
	}
	/* "%H is initiating ...": the first word is an address */
	if (is_hostc((unsigned char)s[0]) && w < CHARON_ADDR_LEN + 8)
		return h_responder(s, n, ev);
	return CHARON_OTHER;
}

/* ------------------------------------------------------------------------ */
/* Framing. */

static void
skip_blanks(const char **p, size_t *left)
{
	while (*left > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*left)--;
	}
}

/* "NN[GRP]" or "NN[GRP1]" then blanks (sys_logger.c "%.2d[%s]%s %s"):
 * thread 1..5 digits, group 2..7 capitals, level one digit. */
struct thread_prefix {
	uint32_t    thread;
	int         level;
	const char *group;
	size_t      glen;
};

static int
scan_thread(const char **p, size_t *left, struct thread_prefix *tp)
{
	const char *q = *p;
	size_t l = *left, nd = 0, gl = 0;

	while (nd < l && is_digit((unsigned char)q[nd]))
		nd++;
	if (nd == 0 || nd > 5 || !cur_u32(&q, &l, &tp->thread) ||
	    !cur_lit(&q, &l, "["))
		return 0;
	tp->group = q;
	while (gl < l && is_upper((unsigned char)q[gl]))
		gl++;
	if (gl < 2 || gl >= CHARON_GROUP_LEN)
		return 0;
	tp->glen = gl;
	q += gl;
	l -= gl;
	tp->level = -1;
	if (l > 0 && is_digit((unsigned char)*q)) {
		tp->level = *q - '0';
		q++;
		l--;
	}
	if (!cur_lit(&q, &l, "]"))
		return 0;
	if (l > 0 && *q != ' ' && *q != '\t')
		return 0;
	skip_blanks(&q, &l);
	*p = q;
	*left = l;
	return 1;
}

static int
parse_thread(const char **p, size_t *left, struct charon_event *ev)
{
	struct thread_prefix tp;

	if (!scan_thread(p, left, &tp))
		return 0;
	ev->thread = (int)tp.thread;
	ev->level = tp.level;
	PUT(ev->group, tp.group, tp.glen);
	ev->framing = CHARON_FRAME_THREAD;
	return 1;
}

/* Vendor reformat "IKE 08     : text". */
static int
parse_vendor(const char **p, size_t *left, struct charon_event *ev)
{
	const char *q = *p, *g = *p;
	size_t l = *left, gl = 0, nd = 0;
	uint32_t th;

	while (gl < l && is_upper((unsigned char)q[gl]))
		gl++;
	if (gl < 2 || gl >= CHARON_GROUP_LEN || gl >= l || q[gl] != ' ')
		return 0;
	q += gl;
	l -= gl;
	skip_blanks(&q, &l);
	while (nd < l && is_digit((unsigned char)q[nd]))
		nd++;
	if (nd == 0 || nd > 5 || !cur_u32(&q, &l, &th))
		return 0;
	skip_blanks(&q, &l);
	if (!cur_lit(&q, &l, ":"))
		return 0;
	skip_blanks(&q, &l);
	ev->thread = (int)th;
	PUT(ev->group, g, gl);
	ev->framing = CHARON_FRAME_VENDOR;
	*p = q;
	*left = l;
	return 1;
}

/* " <conn|uid> " or " <uid> " (sys_logger.c, ike_name=yes). */
static int
parse_conn(const char **p, size_t *left, struct charon_event *ev)
{
	const char *q = *p, *end, *bar, *d;
	size_t l = *left, in, dl;
	uint32_t uid;

	if (l < 3 || q[0] != '<')
		return 0;
	end = memchr(q + 1, '>', l - 1 < 256 ? l - 1 : 256);
	if (end == NULL)
		return 0;
	in = (size_t)(end - q - 1);
	bar = find_last_char(q + 1, in, '|');
	d = bar != NULL ? bar + 1 : q + 1;
	dl = (size_t)(end - d);
	if (dl == 0 || !cur_u32(&d, &dl, &uid) || dl != 0)
		return 0;
	q = end + 1;
	l = *left - in - 2;
	if (l > 0 && *q != ' ' && *q != '\t')
		return 0;
	skip_blanks(&q, &l);
	if (bar != NULL)
		PUT(ev->conn, *p + 1, (size_t)(bar - *p - 1));
	ev->conn_uid = uid;
	ev->has |= CHARON_HAS_CONN_UID;
	*p = q;
	*left = l;
	return 1;
}

/* Program tag left in place when no syslog header was recognised:
 * "charon: ", "charon[123]: ", "charon " (pfSense, then NN[GRP] must
 * follow), "charon-systemd[1]: ", "charon  [ 1679]: ". */
static int
skip_program(const char **p, size_t *left)
{
	const char *q = *p;
	size_t l = *left;
	int pid = 0, colon = 0, blanks;
	uint32_t v;
	struct thread_prefix tp;

	if (!cur_lit(&q, &l, "charon"))
		return 0;
	(void)cur_lit(&q, &l, "-systemd");
	blanks = l > 0 && (*q == ' ' || *q == '\t');
	skip_blanks(&q, &l);
	if (cur_lit(&q, &l, "[")) {
		skip_blanks(&q, &l);
		if (!cur_u32(&q, &l, &v))
			return 0;
		skip_blanks(&q, &l);
		if (!cur_lit(&q, &l, "]"))
			return 0;
		pid = 1;
	}
	if (cur_lit(&q, &l, ":"))
		colon = 1;
	if (pid || colon) {
		if (l > 0 && *q != ' ' && *q != '\t')
			return 0;
	} else {
		const char *t = q;
		size_t tl = l;

		/* bare "charon " only in front of a thread prefix */
		if (!blanks || !scan_thread(&t, &tl, &tp))
			return 0;
	}
	skip_blanks(&q, &l);
	*p = q;
	*left = l;
	return 1;
}

/* Wipes every content field (not the framing) after a failed match. */
static void
clear_content(struct charon_event *ev)
{
	memset((char *)ev + offsetof(struct charon_event, ike_name), 0,
	    offsetof(struct charon_event, proposals) -
	    offsetof(struct charon_event, ike_name));
	ev->has &= CHARON_HAS_CONN_UID;
	ev->is_response = -1;
}

int
charon_parse(const char *buf, size_t len, struct charon_event *out)
{
	const char *p = buf;
	size_t left = len;
	int kind;

	if (buf == NULL || out == NULL || len == 0)
		return -1;
#if SIZE_MAX > UINT32_MAX
	/* Offsets are 32-bit (span.h); charon lines are far shorter. */
	if (left > UINT32_MAX)
		left = UINT32_MAX;
#endif
	/* The proposal array (6 KiB) is guarded by nproposals: not cleared. */
	memset(out, 0, offsetof(struct charon_event, proposals));
	out->thread = -1;
	out->level = -1;
	out->is_response = -1;
	out->framing = CHARON_FRAME_BARE;

	skip_blanks(&p, &left);
	(void)skip_program(&p, &left);
	if (!parse_thread(&p, &left, out))
		(void)parse_vendor(&p, &left, out);
	(void)parse_conn(&p, &left, out);
	while (left > 0 && is_blank((unsigned char)p[left - 1]))
		left--;
	out->text.off = (uint32_t)(p - buf);
	out->text.len = (uint32_t)left;

	kind = classify(p, left, out);
	if (kind == CHARON_OTHER)
		clear_content(out);
	out->kind = kind;
	return 0;
}
