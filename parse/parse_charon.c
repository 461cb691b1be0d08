/*
 * parse_charon.c — strongSwan charon log lines → struct charon_event.
 *
 * DESIGN
 *   1. Framing, one pass from the left (docs/log-formats.md#charon-framing):
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
 * parse_charon.h and docs/log-formats.md#charon-kinds), plus the vEdge
 * retransmit suffix " (tries=3, timeout=30, exchange=37, state=2)" and the
 * vEdge kernel line "Deleting SAD entry with SPI 00000e77"
 * (docs/log-formats.md#vedge-additions).  classify_base() holds the lines
 * with a state meaning; classify_more() the rest of what 5.9 prints at
 * levels 1 and 2 (issue 13 item 10), tried only when the first found
 * nothing.
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
	[CHARON_CHILD_ESTABLISHING]        = "child_establishing",
	[CHARON_START]                     = "charon_start",
	[CHARON_STOP]                      = "charon_stop",
	[CHARON_DAEMON_INFO]               = "daemon_info",
	[CHARON_CREDENTIAL_LOADED]         = "credential_loaded",
	[CHARON_CONFIG_LOADED]             = "config_loaded",
	[CHARON_VENDOR_ID]                 = "vendor_id",
	[CHARON_IKE_STATE_CHANGE]          = "ike_state_change",
	[CHARON_CHILD_STATE_CHANGE]        = "child_state_change",
	[CHARON_IKE_SA_CREATED]            = "ike_sa_created",
	[CHARON_SA_MANAGER]                = "sa_manager",
	[CHARON_TASK]                      = "task",
	[CHARON_MESSAGE_DETAIL]            = "message_detail",
	[CHARON_MESSAGE_FRAGMENT]          = "message_fragment",
	[CHARON_NOTIFY_RECEIVED]           = "notify_received",
	[CHARON_CONFIG_LOOKUP]             = "config_lookup",
	[CHARON_PEER_CONFIG_SELECTED]      = "peer_config_selected",
	[CHARON_RETRANSMIT_RECEIVED]       = "retransmit_received",
	[CHARON_MESSAGE_INVALID]           = "message_invalid",
	[CHARON_NO_IKE_CONFIG]             = "no_ike_config",
	[CHARON_REKEY_COLLISION]           = "rekey_collision",
	[CHARON_IKE_DUPLICATE]             = "ike_duplicate",
	[CHARON_ENDPOINT_CHANGED]          = "endpoint_changed",
	[CHARON_IKE_DESTROYED]             = "ike_destroyed",
	[CHARON_CHILD_RECREATE_SCHEDULED]  = "child_recreate_scheduled",
	[CHARON_REKEY_REFUSED]             = "rekey_refused",
	[CHARON_CHILD_CREATE_RETRY]        = "child_create_retry",
	[CHARON_KERNEL_ADDRESS]            = "kernel_address",
	[CHARON_KERNEL_INTERFACE]          = "kernel_interface",
	[CHARON_KERNEL_EXPIRE]             = "kernel_expire",
	[CHARON_KERNEL_POLICY]             = "kernel_policy",
	[CHARON_KERNEL_ROUTE]              = "kernel_route",
	[CHARON_CHILD_SA_INSTALL]          = "child_sa_install",
	[CHARON_IKE_EXTENSION]             = "ike_extension",
	[CHARON_AUTH_DETAIL]               = "auth_detail",
	[CHARON_CONFIG_DUMP]               = "config_dump",
	[CHARON_VICI_CLIENT]               = "vici_client",
	[CHARON_LIBIPSEC]                  = "libipsec",
	[CHARON_CRYPTO_DETAIL]             = "crypto_detail",
	[CHARON_PROPOSAL_MATCH]            = "proposal_match",
	[CHARON_INACTIVITY_DELETE]         = "inactivity_delete",
	[CHARON_SOCKET_ERROR]              = "socket_error",
	[CHARON_PEER_UNRESOLVED]           = "peer_unresolved",
	[CHARON_CERT_DETAIL]               = "cert_detail",
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
/* lit must be a string literal ("" lit does not compile otherwise): a
 * pointer would make sizeof(lit) the pointer's size. */
#define PUT_LIT(field, lit) put_str((field), sizeof(field), "" lit, sizeof(lit) - 1)

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

/* A run of whole texts that each map to a kind and maybe a variant. */
struct charon_text {
	const char *text;
	const char *variant;    /* NULL: the variant is left as it is */
	int kind;               /* never CHARON_OTHER */
};

/* Tries the entries in order, as the run of cur_last() branches it
 * replaces did (some texts are prefixes of later ones, e.g. "supports
 * MOBIKE"): on the first that is all that is left, advances, sets the
 * variant and returns its kind; otherwise CHARON_OTHER, nothing moved. */
static int
charon_last_of(const char **p, size_t *left, const struct charon_text *t,
    size_t nt, struct charon_event *ev)
{
	size_t i;

	for (i = 0; i < nt; i++) {
		if (!cur_last_(p, left, t[i].text, strlen(t[i].text)))
			continue;
		/* bounded like PUT_LIT: never reads past the variant's NUL */
		if (t[i].variant != NULL)
			put_str(ev->variant, sizeof(ev->variant), t[i].variant,
			    strnlen(t[i].variant, sizeof(ev->variant)));
		return t[i].kind;
	}
	return CHARON_OTHER;
}

#define CHARON_NTEXTS(tbl) (sizeof(tbl) / sizeof((tbl)[0]))

/* Returns from the handler with the kind of the entry that matched. */
#define TRY_TEXTS(p, left, tbl) do {					\
	int kt_ = charon_last_of((p), (left), (tbl),			\
	    CHARON_NTEXTS(tbl), ev);					\
	if (kt_ != CHARON_OTHER)					\
		return kt_;						\
} while (0)

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
	    !cur_lit(&p, &l, " to ") || !cur_host(&p, &l, to, 1))
		return CHARON_OTHER;
	/* socket_default_socket.c logs the same at level 2 without a size */
	if (l == 0)
		return sent ? CHARON_PACKET_SENT : CHARON_PACKET_RECEIVED;
	if (!cur_lit(&p, &l, " (") || !cur_u32(&p, &l, &ev->size) ||
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

/* 1 if the notify name is of an error type (RFC 7296 §3.10.1, types below
 * 16384): charon logs those as "notify error", so "received NO_PROPOSAL_CHOSEN
 * notify" can only be an error line cut short, never the level-2 line. */
static int
notify_is_error(const char *n)
{
	static const char *const err[] = {
		"INVALID_", "NO_", "UNSUPPORTED_", "AUTHENTICATION_FAILED",
		"AUTHORIZATION_FAILED", "TS_UNACCEPTABLE", "SINGLE_PAIR_REQUIRED",
		"INTERNAL_ADDRESS_FAILURE", "FAILED_CP_REQUIRED",
		"UNACCEPTABLE_ADDRESSES", "UNEXPECTED_NAT_DETECTED",
		"CHILD_SA_NOT_FOUND", "STATE_NOT_FOUND", "TEMPORARY_FAILURE",
		"USE_ASSIGNED_HoA",
	};
	size_t i;

	for (i = 0; i < sizeof(err) / sizeof(err[0]); i++)
		if (has_prefix(n, err[i]))
			return 1;
	return 0;
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
	} else if (!notify_is_error(ev->notify) && cur_last(&p, &l, " notify"))
		kind = CHARON_NOTIFY_RECEIVED;      /* DBG2: not an error */
	else if (cur_last(&p, &l, " notify, will retry later")) {
		kind = CHARON_NOTIFY_RECEIVED;
		PUT_LIT(ev->variant, "retry_later");
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
		static const struct charon_text charon_unacceptable_texts[] = {
			{ "proposals unacceptable", NULL, CHARON_PROPOSALS_UNACCEPTABLE },
			{ "proposals inacceptable", "inacceptable", CHARON_PROPOSALS_UNACCEPTABLE },
		};
		TRY_TEXTS(&p, &l, charon_unacceptable_texts);
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
	static const struct charon_text charon_give_up_texts[] = {
		{ " retransmits", "retransmits", CHARON_GIVE_UP },
		{ " path probings", "path_probings", CHARON_GIVE_UP },
		{ " retries", "retries", CHARON_GIVE_UP },
	};
	if (charon_last_of(&p, &l, charon_give_up_texts,
	    CHARON_NTEXTS(charon_give_up_texts), ev) == CHARON_OTHER)
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
	static const struct charon_text charon_ke_ignored_texts[] = {
		{ "KE payload, agreed on a non-PFS proposal", "payload", CHARON_KE_IGNORED },
		{ "KE exchange, agreed on a non-PFS proposal", "exchange", CHARON_KE_IGNORED },
	};
	TRY_TEXTS(&p, &l, charon_ke_ignored_texts);
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
	static const struct charon_text charon_no_found_texts[] = {
		{ "acceptable proposal found", NULL, CHARON_NO_ACCEPTABLE_PROPOSAL },
		{ "proposal found", "ikev1", CHARON_NO_ACCEPTABLE_PROPOSAL },
		{ "matching proposal found", "ikev1_matching", CHARON_NO_ACCEPTABLE_PROPOSAL },
		{ "matching peer config found", NULL, CHARON_NO_PEER_CONFIG },
		{ "acceptable traffic selectors found", NULL, CHARON_NO_ACCEPTABLE_TS },
	};
	TRY_TEXTS(&p, &l, charon_no_found_texts);
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
		/* psk_authenticator.c logs "authentication of '%Y' (myself)
		 * with %N" without "successful"; only our own side is accepted
		 * so that a peer's line cut short is not taken for a success. */
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
/* Level 1 and 2 lines with no state meaning of their own, and the
 * identity-bearing lines around them (strongSwan 5.9 src/libcharon, see
 * docs/log-formats.md#charon-kinds).  Each handler gets the text after the
 * first word, like those above. */

/* Copies a lower-cased state name ("ESTABLISHED") into variant. */
static void
put_lower(char *dst, size_t dstsz, const char *s, size_t n)
{
	size_t i;

	put_str(dst, dstsz, s, n);
	for (i = 0; dst[i] != '\0'; i++)
		if (is_upper((unsigned char)dst[i]))
			dst[i] = (char)(dst[i] - 'A' + 'a');
}

/* "state change: A => B" up to the end: detail "A => B", variant "b". */
static int
state_change(const char *p, size_t l, struct charon_event *ev)
{
	const char *arrow;
	size_t t;

	if (!cur_lit(&p, &l, " state change: "))
		return 0;
	arrow = find_lit(p, l, " => ");
	if (arrow == NULL || arrow == p)
		return 0;
	t = (size_t)(p + l - (arrow + 4));
	if (t == 0 || tok_len(arrow + 4, t) != t || tok_len(p, l) != (size_t)(arrow - p))
		return 0;
	PUT(ev->detail, p, l);
	put_lower(ev->variant, sizeof(ev->variant), arrow + 4, t);
	return 1;
}

/* "%s{%u}" CHILD_SA name and uid as the whole rest of the text. */
static int
child_at_end(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) || l != 0)
		return 0;
	ev->has |= CHARON_HAS_CHILD_UID;
	return 1;
}

/* "%s[%u]" IKE_SA name and uid as the whole rest of the text. */
static int
ike_at_end(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid) || l != 0)
		return 0;
	ev->has |= CHARON_HAS_IKE_UID;
	return 1;
}

/* establishing CHILD_SA %s{%d}[ reqid %d] (child_create.c, DBG0) */
static int
h_establishing(const char *p, size_t l, struct charon_event *ev)
{
	uint32_t reqid;

	if (cur_last(&p, &l, "IKE_SA failed, peer not responding"))
		return CHARON_IKE_ESTABLISH_NO_RESPONSE;
	if (!cur_lit(&p, &l, "CHILD_SA ") ||
	    !cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid))
		return CHARON_OTHER;
	/* 5.9 adds " reqid %d" when the config has a fixed reqid */
	if (l > 0 && (!cur_lit(&p, &l, " reqid ") ||
	    !cur_u32(&p, &l, &reqid) || l != 0))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_CHILD_UID;
	return CHARON_CHILD_ESTABLISHING;
}

/* Starting IKE charon daemon (strongSwan %s, %s %s, %s) (charon.c), and the
 * other front ends' "Starting charon-xpc IKE daemon (strongSwan ...)" */
static int
h_starting(const char *p, size_t l, struct charon_event *ev)
{
	const char *v = find_lit(p, l, "daemon (strongSwan ");
	const char *e;
	size_t vl;

	if (v == NULL || l == 0 || p[l - 1] != ')')
		return CHARON_OTHER;
	v += sizeof("daemon (") - 1;
	vl = (size_t)(p + l - 1 - v);
	e = memchr(v, ',', vl);
	if (e != NULL)
		vl = (size_t)(e - v);
	PUT(ev->detail, v, vl);
	return CHARON_START;
}

/* Start-up chatter of charon and libstrongswan (first word given). */
static int
h_daemon_info(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	static const struct {
		const char *word, *rest, *variant;
	} t[] = {
		{ "providers", "loaded by OpenSSL:", "openssl" },
		{ "created", "TUN device:", "tun_device" },
		{ "loaded", "plugins:", "plugins" },
		{ "dropped", "capabilities,", "capabilities" },
		{ "spawning", "", "threads" },
		{ "integrity", "tests enabled:", "integrity" },
		{ "lib", "", "integrity" },
		{ "daemon", "", "integrity" },
		{ "signal", "of type SIGHUP received.", "reload" },
		{ "charon", "already running", "pidfile" },
	};
	size_t i, rl;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strlen(t[i].word) != wl || memcmp(t[i].word, w, wl) != 0)
			continue;
		rl = strlen(t[i].rest);
		if (l < rl || memcmp(p, t[i].rest, rl) != 0)
			continue;
		if (strcmp(t[i].variant, "threads") == 0 &&
		    !ends_with(p, l, " worker threads"))
			continue;
		if (strcmp(t[i].variant, "integrity") == 0 && wl != 9 &&
		    find_lit(p, l, "integrity test") == NULL)
			continue;
		put_str(ev->variant, sizeof(ev->variant), t[i].variant,
		    strlen(t[i].variant));
		return CHARON_DAEMON_INFO;
	}
	return CHARON_OTHER;
}

/* loaded IKE shared key with id '%s' for: ... | loaded ... certificate ...
 * | loaded ... private key ... | loading ... from '...' (credential
 * plugins, vici_cred.c) */
static int
h_loaded(const char *p, size_t l, struct charon_event *ev, int loading)
{
	if (loading) {
		if (find_lit(p, l, " from ") == NULL)
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "loading");
		return CHARON_CREDENTIAL_LOADED;
	}
	if (cur_lit(&p, &l, "plugins: "))
		return h_daemon_info("loaded", 6, "plugins:", 8, ev);
	if (find_lit(p, l, "shared key") != NULL ||
	    find_lit(p, l, "certificate") != NULL ||
	    find_lit(p, l, "private key") != NULL ||
	    find_lit(p, l, "CRL") != NULL) {
		PUT_LIT(ev->variant, "loaded");
		return CHARON_CREDENTIAL_LOADED;
	}
	return CHARON_OTHER;
}

/* added|updated|replaced vici connection: %s (vici_config.c) */
static int
h_vici_conn(const char *w, const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_lit(&p, &l, "vici connection: ") || l == 0 ||
	    tok_len(p, l) != l)
		return CHARON_OTHER;
	PUT(ev->ike_name, p, l);
	put_str(ev->variant, sizeof(ev->variant), w, strlen(w));
	return CHARON_CONFIG_LOADED;
}

/* IKE_SA %s[%u] state change: A => B (ike_sa.c, DBG2) */
static int
h_ike_state(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid) || !state_change(p, l, ev))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_IKE_UID;
	return CHARON_IKE_STATE_CHANGE;
}

/* CHILD_SA %s{%u} state change: A => B (child_sa.c, DBG2) */
static int
h_child_state(const char *p, size_t l, struct charon_event *ev)
{
	if (!cur_sa(&p, &l, '{', '}', ev->child_name, sizeof(ev->child_name),
		&ev->child_uid) || !state_change(p, l, ev))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_CHILD_UID;
	return CHARON_CHILD_STATE_CHANGE;
}

/* IKE_SA manager (ike_sa_manager.c, DBG2 MGR) after its first word. */
static int
h_manager(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	const char *q;
	size_t ql;

	if (wl == 8 && memcmp(w, "checkout", 8) == 0) {
		PUT_LIT(ev->variant, "checkout");
		return CHARON_SA_MANAGER;
	}
	if (wl == 7 && memcmp(w, "checkin", 7) == 0) {
		if (cur_lit(&p, &l, "and destroy ")) {
			PUT_LIT(ev->variant, "checkin_destroy");
			if (cur_lit(&p, &l, "IKE_SA ") && !ike_at_end(p, l, ev))
				return CHARON_OTHER;
			return CHARON_SA_MANAGER;
		}
		PUT_LIT(ev->variant, "checkin");
		/* checkin IKEv2 SA %s[%u] with SPIs ... */
		q = find_lit(p, l, " SA ");
		if (q != NULL) {
			q += 4;
			ql = (size_t)(p + l - q);
			if (cur_sa(&q, &ql, '[', ']', ev->ike_name,
				sizeof(ev->ike_name), &ev->ike_uid))
				ev->has |= CHARON_HAS_IKE_UID;
		}
		return CHARON_SA_MANAGER;
	}
	if (wl == 5 && memcmp(w, "found", 5) == 0 &&
	    cur_lit(&p, &l, "existing IKE_SA ") && cur_u32(&p, &l, &ev->ike_uid) &&
	    cur_lit(&p, &l, " with config '") && l > 1 && p[l - 1] == '\'') {
		ev->has |= CHARON_HAS_IKE_UID;
		PUT(ev->ike_name, p, l - 1);
		PUT_LIT(ev->variant, "found_existing");
		return CHARON_SA_MANAGER;
	}
	return CHARON_OTHER;
}

/* IKE_SA %s[%u] successfully checked out | IKE_SA checkout not successful
 * (first word "IKE_SA" already taken) */
static int
h_ike_sa_mgr(const char *p, size_t l, struct charon_event *ev)
{
	if (cur_last(&p, &l, "checkout not successful")) {
		PUT_LIT(ev->variant, "not_checked_out");
		return CHARON_SA_MANAGER;
	}
	if (!cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
		&ev->ike_uid) || !cur_last(&p, &l, " successfully checked out"))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_IKE_UID;
	PUT_LIT(ev->variant, "checked_out");
	return CHARON_SA_MANAGER;
}

/* An upper-case task/payload/exchange name token: "IKE_DPD", "CHILD_CREATE" */
static int
is_enum_name(const char *s, size_t n)
{
	size_t i;

	if (n < 2 || n > 40)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_upper((unsigned char)s[i]) && !is_digit((unsigned char)s[i]) &&
		    s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* Task manager (task_manager_v2.c, DBG2): "queueing %N task[ (delayed by
 * %us)]", "activating %N task", "migrating %N task", "%N task",
 * "activating new tasks", "nothing to initiate", "reinitiating already
 * active tasks", "delaying task initiation, %N exchange in progress". */
static int
h_task(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	const char *v = NULL;
	size_t t;

	if (wl == 8 && memcmp(w, "queueing", 8) == 0)
		v = "queueing";
	else if (wl == 10 && memcmp(w, "activating", 10) == 0) {
		if (cur_last(&p, &l, "new tasks")) {
			PUT_LIT(ev->variant, "activating_new");
			return CHARON_TASK;
		}
		v = "activating";
	} else if (wl == 9 && memcmp(w, "migrating", 9) == 0)
		v = "migrating";
	else if (wl == 7 && memcmp(w, "nothing", 7) == 0) {
		if (!cur_last(&p, &l, "to initiate"))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "nothing_to_initiate");
		return CHARON_TASK;
	} else if (wl == 12 && memcmp(w, "reinitiating", 12) == 0) {
		if (!cur_last(&p, &l, "already active tasks"))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "reinitiating");
		return CHARON_TASK;
	} else if (wl == 8 && memcmp(w, "delaying", 8) == 0) {
		if (!cur_lit(&p, &l, "task initiation, ") ||
		    !ends_with(p, l, " exchange in progress"))
			return CHARON_OTHER;
		l -= sizeof(" exchange in progress") - 1;
		if (!is_enum_name(p, l))
			return CHARON_OTHER;
		PUT(ev->exchange, p, l);
		PUT_LIT(ev->variant, "delaying");
		return CHARON_TASK;
	} else if (is_enum_name(w, wl) && cur_last(&p, &l, "task")) {
		/* "  IKE_DPD task" listed after "reinitiating ..." */
		PUT(ev->detail, w, wl);
		PUT_LIT(ev->variant, "active");
		return CHARON_TASK;
	} else
		return CHARON_OTHER;
	t = tok_len(p, l);
	if (!is_enum_name(p, t))
		return CHARON_OTHER;
	PUT(ev->detail, p, t);
	p += t;
	l -= t;
	if (!cur_lit(&p, &l, " task"))
		return CHARON_OTHER;
	if (l > 0) {
		if (!cur_lit(&p, &l, " (delayed by ") ||
		    !cur_u32(&p, &l, &ev->seconds) || !cur_last(&p, &l, "s)"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SECONDS;
	}
	put_str(ev->variant, sizeof(ev->variant), v, strlen(v));
	return CHARON_TASK;
}

/* Encoding steps (message.c, DBG2 ENC) and socket waits (DBG2 NET), given
 * the first word; the payload-type forms start with the type name. */
static int
h_msg_detail(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	static const struct {
		const char *word, *rest;
	} t[] = {
		{ "added", "payload of type " },
		{ "order", "payloads in message" },
		{ "insert", "payload " },
		{ "insert", "decrypted payload of type " },
		{ "parsing", "header of message" },
		{ "parsing", "body of message, first payload is " },
		{ "parsed", "a " },
		{ "starting", "parsing a " },
		{ "verifying", "payload of type " },
		{ "verifying", "message structure" },
		{ "process", "payload of type " },
		{ "found", "an encrypted payload" },
		{ "found", "an encrypted fragment payload" },
		{ "found", "payload of type " },
		{ "not", "encrypting payloads" },
		{ "waiting", "for data on sockets" },
	};
	size_t i, rl;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (strlen(t[i].word) != wl || memcmp(t[i].word, w, wl) != 0)
			continue;
		rl = strlen(t[i].rest);
		if (l < rl || memcmp(p, t[i].rest, rl) != 0)
			continue;
		/* "parsed a %N request|response|message header" */
		if (i == 6 && !ends_with(p, l, " header"))
			continue;
		if (t[i].rest[rl - 1] != ' ' && l != rl)
			continue;
		if (t[i].rest[rl - 1] == ' ' && l == rl)
			continue;
		put_str(ev->variant, sizeof(ev->variant), t[i].word, wl);
		return CHARON_MESSAGE_DETAIL;
	}
	/* %N payload verified, adding to payload list | %N payload found,
	 * stop parsing | %N payload unknown or not allowed */
	if (is_enum_name(w, wl) && cur_lit(&p, &l, "payload ") &&
	    (cur_last(&p, &l, "verified, adding to payload list") ||
		cur_last(&p, &l, "found, stop parsing") ||
		cur_last(&p, &l, "unknown or not allowed"))) {
		PUT_LIT(ev->variant, "payload");
		PUT(ev->detail, w, wl);
		return CHARON_MESSAGE_DETAIL;
	}
	return CHARON_OTHER;
}

/* splitting IKE message (%zu bytes) into %hu fragments | received fragment
 * #%hu[ of %hu], waiting for complete IKE message | ..., reassembled
 * fragmented IKE message (%zu bytes) (message.c) */
static int
h_fragment(const char *p, size_t l, struct charon_event *ev, int received)
{
	uint32_t v;

	if (!received) {
		if (!cur_lit(&p, &l, "IKE message (") || !cur_u32(&p, &l, &ev->size) ||
		    !cur_lit(&p, &l, " bytes) into ") || !cur_u32(&p, &l, &ev->count) ||
		    !cur_last(&p, &l, " fragments"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SIZE | CHARON_HAS_COUNT;
		PUT_LIT(ev->variant, "splitting");
		return CHARON_MESSAGE_FRAGMENT;
	}
	if (!cur_lit(&p, &l, "fragment #") || !cur_u32(&p, &l, &ev->count))
		return CHARON_OTHER;
	ev->has |= CHARON_HAS_COUNT;
	if (cur_lit(&p, &l, " of ")) {
		if (!cur_u32(&p, &l, &ev->count_max))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_COUNT_MAX;
	}
	if (cur_last(&p, &l, ", waiting for complete IKE message")) {
		PUT_LIT(ev->variant, "waiting");
		return CHARON_MESSAGE_FRAGMENT;
	}
	if (!cur_lit(&p, &l, ", reassembled fragmented IKE message (") ||
	    !cur_u32(&p, &l, &v) || !cur_last(&p, &l, " bytes)"))
		return CHARON_OTHER;
	ev->size = v;
	ev->has |= CHARON_HAS_SIZE;
	PUT_LIT(ev->variant, "reassembled");
	return CHARON_MESSAGE_FRAGMENT;
}

/* "A...B" where each side is an address without blanks: split at the
 * first "..." (addresses never contain three dots in a row). */
static int
addr_pair(const char *s, size_t n, struct charon_event *ev)
{
	const char *sep = find_lit(s, n, "...");
	const char *a = s, *b;
	size_t al, bl;

	if (sep == NULL || sep == s)
		return 0;
	al = (size_t)(sep - s);
	b = sep + 3;
	bl = (size_t)(s + n - b);
	if (bl == 0 || al >= CHARON_ADDR_LEN || bl >= CHARON_ADDR_LEN)
		return 0;
	{
		const char *q = a;
		size_t ql = al;

		if (!cur_host(&q, &ql, &ev->local, 0) || ql != 0)
			return 0;
		q = b;
		ql = bl;
		if (!cur_host(&q, &ql, &ev->remote, 0) || ql != 0)
			return 0;
	}
	return 1;
}

/* looking for peer configs matching %H[%Y]...%H[%Y] (ike_auth.c, DBG1) |
 * looking for an %N config for %H...%H | looking for %N configs for %H...%H
 * | looking for a child config for %#R === %#R (DBG2) */
static int
h_looking(const char *p, size_t l, struct charon_event *ev)
{
	const char *f;

	if (cur_lit(&p, &l, "for peer configs matching ")) {
		if (!cur_between(&p, &l, &ev->local, &ev->remote))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "peer");
		return CHARON_CONFIG_LOOKUP;
	}
	if (cur_lit(&p, &l, "for a child config for ")) {
		if (!cur_ts_pair(&p, &l, ev->ts_local, sizeof(ev->ts_local),
			ev->ts_remote, sizeof(ev->ts_remote)))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "child");
		return CHARON_CONFIG_LOOKUP;
	}
	if (!cur_lit(&p, &l, "for "))
		return CHARON_OTHER;
	f = find_lit(p, l, " for ");
	if (f == NULL || find_lit(p, (size_t)(f - p), "config") == NULL)
		return CHARON_OTHER;
	l -= (size_t)(f + 5 - p);
	p = f + 5;
	if (!addr_pair(p, l, ev))
		return CHARON_OTHER;
	PUT_LIT(ev->variant, "ike");
	return CHARON_CONFIG_LOOKUP;
}

/* Is s[0..n) one traffic selector as %R prints it ("10.0.0.0/24",
 * "192.0.2.1/32[udp/4500]", "dynamic")?  DBG2 lists them alone on a line. */
static int
is_ts_token(const char *s, size_t n)
{
	size_t i;
	int slash = 0;

	if (n == 0 || tok_len(s, n) != n)
		return 0;
	if (n == 7 && memcmp(s, "dynamic", 7) == 0)
		return 1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/')
			slash = 1;
		else if (!is_hostc(c) && c != '[' && c != ']')
			return 0;
	}
	return slash && (is_digit((unsigned char)s[0]) || s[0] == ':' ||
	    hex_val((unsigned char)s[0]) >= 0);
}

/* Config lookup chatter (backend_manager.c, peer_cfg.c, child_cfg.c,
 * ike_auth.c) given the first word. */
static int
h_cfg_detail(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	if ((wl == 9 && memcmp(w, "candidate", 9) == 0) ||
	    (wl == 10 && memcmp(w, "candidate:", 10) == 0)) {
		if (l == 0)
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "candidate");
		return CHARON_CONFIG_LOOKUP;
	}
	if (wl == 5 && memcmp(w, "found", 5) == 0 &&
	    cur_lit(&p, &l, "matching ")) {
		if (cur_lit(&p, &l, "ike config: ")) {
			PUT_LIT(ev->variant, "found_ike");
			return CHARON_CONFIG_LOOKUP;
		}
		if (cur_lit(&p, &l, "child config \"")) {
			const char *e = memchr(p, '"', l);

			if (e == NULL || e == p)
				return CHARON_OTHER;
			PUT(ev->child_name, p, (size_t)(e - p));
			PUT_LIT(ev->variant, "found_child");
			return CHARON_CONFIG_LOOKUP;
		}
		return CHARON_OTHER;
	}
	if (((wl == 9 && memcmp(w, "selecting", 9) == 0) ||
	    (wl == 9 && memcmp(w, "proposing", 9) == 0)) &&
	    (cur_last(&p, &l, "traffic selectors for us:") ||
		cur_last(&p, &l, "traffic selectors for other:"))) {
		put_str(ev->variant, sizeof(ev->variant), w, wl);
		return CHARON_CONFIG_LOOKUP;
	}
	if (wl == 7 && memcmp(w, "config:", 7) == 0 &&
	    find_lit(p, l, ", received: ") != NULL) {
		if (ends_with(p, l, "=> no match"))
			PUT_LIT(ev->variant, "ts_no_match");
		else if (find_lit(p, l, "=> match: ") != NULL)
			PUT_LIT(ev->variant, "ts_match");
		else
			return CHARON_OTHER;
		return CHARON_CONFIG_LOOKUP;
	}
	if (wl == 6 && memcmp(w, "ignore", 6) == 0 &&
	    cur_lit(&p, &l, "candidate '") &&
	    ends_with(p, l, "' without matching IKE proposal")) {
		PUT_LIT(ev->variant, "candidate_ignored");
		return CHARON_CONFIG_LOOKUP;
	}
	return CHARON_OTHER;
}

/* selected peer config '%s'[ unacceptable: %s] | switching to peer config
 * '%s' (ike_auth.c) */
static int
h_peer_cfg(const char *p, size_t l, struct charon_event *ev, int switching)
{
	const char *e;

	if (!cur_lit(&p, &l, "peer config '") || l < 2)
		return CHARON_OTHER;
	e = memchr(p, '\'', l);
	if (e == NULL || e == p)
		return CHARON_OTHER;
	PUT(ev->ike_name, p, (size_t)(e - p));
	l -= (size_t)(e + 1 - p);
	p = e + 1;
	if (switching) {
		if (l != 0)
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "switching");
		return CHARON_PEER_CONFIG_SELECTED;
	}
	if (l == 0)
		return CHARON_PEER_CONFIG_SELECTED;
	if (!cur_lit(&p, &l, " unacceptable: "))
		return CHARON_OTHER;
	PUT_LIT(ev->variant, "unacceptable");
	PUT(ev->detail, p, l);
	return CHARON_PEER_CONFIG_SELECTED;
}

/* Messages dropped or failed in processing (task_manager_v2.c, message.c,
 * receiver.c), given the first word. */
static int
h_invalid(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	if (wl == 9 && memcmp(w, "integrity", 9) == 0 &&
	    cur_last(&p, &l, "check failed")) {
		PUT_LIT(ev->variant, "integrity");
		return CHARON_MESSAGE_INVALID;
	}
	if (wl == 7 && memcmp(w, "message", 7) == 0) {
		static const struct charon_text charon_message_failed_texts[] = {
			{ "parsing failed", "parsing", CHARON_MESSAGE_INVALID },
			{ "verification failed", "verification", CHARON_MESSAGE_INVALID },
		};
		TRY_TEXTS(&p, &l, charon_message_failed_texts);
		return CHARON_OTHER;
	}
	if (wl == 8 && memcmp(w, "critical", 8) == 0 &&
	    cur_last(&p, &l, "unknown payloads found")) {
		PUT_LIT(ev->variant, "critical_payload");
		return CHARON_MESSAGE_INVALID;
	}
	if (wl == 5 && memcmp(w, "could", 5) == 0 &&
	    cur_last(&p, &l, "not decrypt payloads")) {
		PUT_LIT(ev->variant, "decrypt");
		return CHARON_MESSAGE_INVALID;
	}
	if (wl == 5 && memcmp(w, "found", 5) == 0 &&
	    cur_last(&p, &l, "encrypted message, but no keys available")) {
		PUT_LIT(ev->variant, "no_keys");
		return CHARON_MESSAGE_INVALID;
	}
	if (wl == 6 && memcmp(w, "ignore", 6) == 0 &&
	    cur_lit(&p, &l, "invalid ")) {
		/* ignore invalid %N request|response */
		if (!cur_tok(&p, &l, ev->exchange, sizeof(ev->exchange)))
			return CHARON_OTHER;
		if (cur_last(&p, &l, " request"))
			ev->is_response = 0;
		else if (cur_last(&p, &l, " response"))
			ev->is_response = 1;
		else
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "ignored");
		return CHARON_MESSAGE_INVALID;
	}
	if (wl == 8 && memcmp(w, "ignoring", 8) == 0) {
		/* ignoring %N in IKE_SA state %N | ignoring %N IKEv%u exchange
		 * on %N SA | ignoring unprotected INFORMATIONAL from %H */
		if (find_lit(p, l, " in IKE_SA state ") != NULL)
			PUT_LIT(ev->variant, "wrong_state");
		else if (find_lit(p, l, " exchange on ") != NULL)
			PUT_LIT(ev->variant, "wrong_version");
		else if (cur_lit(&p, &l, "unprotected INFORMATIONAL from "))
			PUT_LIT(ev->variant, "unprotected");
		else
			return CHARON_OTHER;
		return CHARON_MESSAGE_INVALID;
	}
	/* %N request|response with message ID %d processing failed */
	if (is_enum_name(w, wl) && find_lit(p, l, " with message ID ") != NULL &&
	    ends_with(p, l, " processing failed")) {
		if (cur_lit(&p, &l, "request"))
			ev->is_response = 0;
		else if (cur_lit(&p, &l, "response"))
			ev->is_response = 1;
		else
			return CHARON_OTHER;
		if (!cur_lit(&p, &l, " with message ID ") ||
		    !cur_u32(&p, &l, &ev->msgid) ||
		    !cur_last(&p, &l, " processing failed"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_MSGID;
		PUT(ev->exchange, w, wl);
		PUT_LIT(ev->variant, "processing");
		return CHARON_MESSAGE_INVALID;
	}
	return CHARON_OTHER;
}

/* received ... forms added for level 1/2 coverage; p is after
 * "received ".  Returns CHARON_OTHER to let h_notify() try. */
static int
h_received_more(const char *p, size_t l, struct charon_event *ev)
{
	const char *q = p;
	size_t ql = l;

	/* received retransmit of request with ID %d, retransmitting response */
	if (cur_lit(&q, &ql, "retransmit of request with ID ")) {
		if (!cur_u32(&q, &ql, &ev->msgid) ||
		    !cur_last(&q, &ql, ", retransmitting response"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_MSGID;
		ev->is_response = 0;
		return CHARON_RETRANSMIT_RECEIVED;
	}
	/* received message ID %d, expected %d, ignored */
	if (cur_lit(&q, &ql, "message ID ")) {
		const char *x;
		uint32_t expected;

		if (!cur_u32(&q, &ql, &ev->msgid) || !cur_lit(&q, &ql, ", "))
			return CHARON_OTHER;
		x = q;
		if (!cur_lit(&q, &ql, "expected ") || !cur_u32(&q, &ql, &expected))
			return CHARON_OTHER;
		PUT(ev->detail, x, (size_t)(q - x));
		if (!cur_last(&q, &ql, ", ignored"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_MSGID;
		PUT_LIT(ev->variant, "unexpected_id");
		return CHARON_MESSAGE_INVALID;
	}
	/* received invalid IKE header from %H - ignored */
	if (cur_lit(&q, &ql, "invalid IKE header from ")) {
		if (!cur_host(&q, &ql, &ev->remote, 0) ||
		    !cur_last(&q, &ql, " - ignored"))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "header");
		return CHARON_MESSAGE_INVALID;
	}
	/* received unknown vendor ID: %#B */
	if (cur_lit(&q, &ql, "unknown vendor ID: ")) {
		if (ql == 0)
			return CHARON_OTHER;
		PUT(ev->detail, q, ql);
		PUT_LIT(ev->variant, "unknown");
		return CHARON_VENDOR_ID;
	}
	/* received %s vendor ID (the name may contain blanks) */
	if (ends_with(p, l, " vendor ID") && l > sizeof(" vendor ID") - 1) {
		PUT(ev->detail, p, l - (sizeof(" vendor ID") - 1));
		return CHARON_VENDOR_ID;
	}
	/* received fragment #... */
	if (ql > 9 && memcmp(q, "fragment ", 9) == 0)
		return h_fragment(q, ql, ev, 1);
	/* received supported signature hash algorithms: ... (DBG2 CFG) */
	if (cur_lit(&q, &ql, "supported signature hash algorithms:")) {
		PUT_LIT(ev->variant, "sig_hash_received");
		return CHARON_IKE_EXTENSION;
	}
	/* received AUTH_LIFETIME of %ds, scheduling reauthentication in %ds |
	 * ..., starting reauthentication | ..., reauthentication already
	 * scheduled in %ds (ike_sa.c) */
	if (cur_lit(&q, &ql, "AUTH_LIFETIME of ")) {
		uint32_t lifetime;

		if (!cur_u32(&q, &ql, &lifetime) || !cur_lit(&q, &ql, "s, "))
			return CHARON_OTHER;
		if (cur_last(&q, &ql, "starting reauthentication")) {
			PUT_LIT(ev->variant, "auth_lifetime_now");
			return CHARON_REAUTH_SCHEDULED;
		}
		if (!cur_lit(&q, &ql, "scheduling reauthentication in ") &&
		    !cur_lit(&q, &ql, "reauthentication already scheduled in "))
			return CHARON_OTHER;
		if (!seconds_at_end(q, ql, ev))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "auth_lifetime");
		return CHARON_REAUTH_SCHEDULED;
	}
	/* received %N response, but expected %N */
	if (find_lit(p, l, " response, but expected ") != NULL) {
		size_t t = tok_len(p, l);

		if (!is_enum_name(p, t))
			return CHARON_OTHER;
		PUT(ev->exchange, p, t);
		ev->is_response = 1;
		PUT_LIT(ev->variant, "unexpected_exchange");
		return CHARON_MESSAGE_INVALID;
	}
	/* received CREATE_CHILD_SA request for unestablished IKE_SA, rejected */
	if (cur_last(&q, &ql, "CREATE_CHILD_SA request for unestablished IKE_SA, rejected")) {
		PUT_LIT(ev->exchange, "CREATE_CHILD_SA");
		ev->is_response = 0;
		PUT_LIT(ev->variant, "unestablished");
		return CHARON_MESSAGE_INVALID;
	}
	return CHARON_OTHER;
}

/* CHILD_SA|IKE_SA rekey collision ... (child_rekey.c, ike_rekey.c) after
 * "CHILD_SA " / "IKE_SA " */
static int
h_collision(const char *p, size_t l, struct charon_event *ev, int child)
{
	const char *v;
	const char *k;

	if (cur_lit(&p, &l, "rekey collision won, "))
		v = child ? "child_won" : "ike_won";
	else if (cur_lit(&p, &l, "rekey collision lost, "))
		v = child ? "child_lost" : "ike_lost";
	else if (child && cur_lit(&p, &l, "rekey/delete collision, "))
		v = "child_delete";
	else
		return CHARON_OTHER;
	put_str(ev->variant, sizeof(ev->variant), v, strlen(v));
	/* the SA named last is the one deleted or waited for */
	k = find_last_char(p, l, ' ');
	if (k == NULL)
		return CHARON_OTHER;
	k++;
	if (child ? !child_at_end(k, (size_t)(p + l - k), ev) :
	    !ike_at_end(k, (size_t)(p + l - k), ev))
		return CHARON_OTHER;
	return CHARON_REKEY_COLLISION;
}

/* deleting|destroying duplicate IKE_SA for peer '%Y' due to uniqueness
 * policy | ..., received INITIAL_CONTACT | schedule delete of duplicate ...
 * (ike_sa_manager.c); p is after "duplicate IKE_SA for peer '" */
static int
h_duplicate(const char *p, size_t l, struct charon_event *ev)
{
	const char *q;

	if (ends_with(p, l, "', received INITIAL_CONTACT")) {
		l -= sizeof("', received INITIAL_CONTACT") - 1;
		PUT_LIT(ev->variant, "initial_contact");
	} else if ((q = find_lit(p, l, "' due to uniqueness policy")) != NULL) {
		l = (size_t)(q - p);
		PUT_LIT(ev->variant, "uniqueness");
	} else
		return CHARON_OTHER;
	PUT(ev->remote.id, p, l);
	return CHARON_IKE_DUPLICATE;
}

/* %H appeared on %s | %H disappeared from %s | %H is on interface %s |
 * virtual IP ... (kernel_netlink_net.c), when the first word is an
 * address and the responder form did not match. */
static int
h_addr_first(const char *s, size_t n, struct charon_event *ev)
{
	const char *p = s;
	size_t l = n;

	if (!cur_host(&p, &l, &ev->local, 0))
		return CHARON_OTHER;
	if (cur_lit(&p, &l, " appeared on "))
		PUT_LIT(ev->variant, "appeared");
	else if (cur_lit(&p, &l, " disappeared from "))
		PUT_LIT(ev->variant, "disappeared");
	else if (cur_lit(&p, &l, " is on interface ")) {
		if (l == 0 || tok_len(p, l) != l)
			return CHARON_OTHER;
		PUT(ev->detail, p, l);
		PUT_LIT(ev->variant, "on_interface");
		return CHARON_KERNEL_ROUTE;
	} else if (cur_last(&p, &l, " is not a local address or the interface is down")) {
		PUT_LIT(ev->variant, "not_local");
		return CHARON_KERNEL_ROUTE;
	} else
		return CHARON_OTHER;
	if (l == 0 || tok_len(p, l) != l)
		return CHARON_OTHER;
	PUT(ev->detail, p, l);
	return CHARON_KERNEL_ADDRESS;
}

/* Kernel interface lines (DBG1/2 KNL), given the first word. */
static int
h_kernel_more(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	size_t t;

	if (wl == 9 && memcmp(w, "interface", 9) == 0) {
		t = tok_len(p, l);
		if (t == 0 || t == l)
			return CHARON_OTHER;
		PUT(ev->detail, p, t);
		p += t;
		l -= t;
		static const struct charon_text charon_interface_texts[] = {
			{ " activated", "activated", CHARON_KERNEL_INTERFACE },
			{ " deactivated", "deactivated", CHARON_KERNEL_INTERFACE },
			{ " deleted", "deleted", CHARON_KERNEL_INTERFACE },
		};
		TRY_TEXTS(&p, &l, charon_interface_texts);
		return CHARON_OTHER;
	}
	if (wl == 5 && memcmp(w, "flags", 5) == 0) {
		if (!cur_lit(&p, &l, "changed for ") ||
		    !cur_host(&p, &l, &ev->local, 0) || !cur_lit(&p, &l, " on ") ||
		    l == 0 || tok_len(p, l) != l)
			return CHARON_OTHER;
		PUT(ev->detail, p, l);
		PUT_LIT(ev->variant, "flags_changed");
		return CHARON_KERNEL_ADDRESS;
	}
	/* adding|updating|deleting policy %R === %R %N... (DBG2) */
	if (((wl == 6 && memcmp(w, "adding", 6) == 0) ||
	    (wl == 8 && memcmp(w, "updating", 8) == 0) ||
	    (wl == 8 && memcmp(w, "deleting", 8) == 0)) &&
	    cur_lit(&p, &l, "policy ") && find_lit(p, l, " === ") != NULL) {
		put_str(ev->variant, sizeof(ev->variant), w, wl);
		return CHARON_KERNEL_POLICY;
	}
	if (wl == 6 && memcmp(w, "policy", 6) == 0 &&
	    (ends_with(p, l, "already exists, increasing refcount") ||
		cur_last(&p, &l, "still used by another CHILD_SA, not removed") ||
		cur_last(&p, &l, "already exists, try to update it"))) {
		PUT_LIT(ev->variant, "refcount");
		return CHARON_KERNEL_POLICY;
	}
	if (wl == 3 && memcmp(w, "not", 3) == 0 &&
	    cur_lit(&p, &l, "updating policy ")) {
		PUT_LIT(ev->variant, "not_updating");
		return CHARON_KERNEL_POLICY;
	}
	if (wl == 10 && memcmp(w, "installing", 10) == 0 &&
	    (cur_lit(&p, &l, "route: ") || cur_lit(&p, &l, "new exclude route for "))) {
		PUT_LIT(ev->variant, "installing");
		return CHARON_KERNEL_ROUTE;
	}
	if (wl == 7 && memcmp(w, "getting", 7) == 0 &&
	    (cur_lit(&p, &l, "a local address in traffic selector ") ||
		cur_lit(&p, &l, "iface index for ") ||
		cur_lit(&p, &l, "iface name for index "))) {
		PUT_LIT(ev->variant, "lookup");
		return CHARON_KERNEL_ROUTE;
	}
	if (wl == 5 && memcmp(w, "using", 5) == 0 &&
	    find_lit(p, l, " to reach ") != NULL &&
	    (find_lit(p, l, " as address ") != NULL ||
		find_lit(p, l, " as nexthop ") != NULL)) {
		PUT_LIT(ev->variant, "lookup");
		return CHARON_KERNEL_ROUTE;
	}
	return CHARON_OTHER;
}

/* creating rekey|delete job for CHILD_SA %N/0x%08x/%H (kernel_handler.c) |
 * creating CHILD_SA failed, trying again in %d seconds (child_create.c) */
static int
h_creating(const char *p, size_t l, struct charon_event *ev)
{
	const char *v;
	size_t t;

	if (cur_lit(&p, &l, "CHILD_SA failed, trying again in ")) {
		if (!cur_u32(&p, &l, &ev->seconds) || !cur_last(&p, &l, " seconds"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SECONDS;
		return CHARON_CHILD_CREATE_RETRY;
	}
	if (cur_lit(&p, &l, "rekey job for CHILD_SA "))
		v = "rekey";
	else if (cur_lit(&p, &l, "delete job for CHILD_SA "))
		v = "delete";
	else
		return CHARON_OTHER;
	t = 0;
	while (t < l && p[t] != '/')
		t++;
	if (t == 0 || t >= CHARON_PROTO_LEN || t == l)
		return CHARON_OTHER;
	PUT(ev->protocol, p, t);
	p += t;
	l -= t;
	if (!cur_lit(&p, &l, "/0x") || !cur_hex32(&p, &l, &ev->spi) ||
	    !cur_lit(&p, &l, "/") || l == 0 || tok_len(p, l) != l)
		return CHARON_OTHER;
	/* the SA's destination: our address for an inbound SA, the peer's
	 * for an outbound one, so it is kept as text, not as an endpoint */
	PUT(ev->detail, p, l);
	ev->has |= CHARON_HAS_SPI;
	put_str(ev->variant, sizeof(ev->variant), v, strlen(v));
	return CHARON_KERNEL_EXPIRE;
}

/* adding inbound|outbound %N SA | registering outbound %N SA | SPI 0x%.8x,
 * src %H dst %H | using %N with 96-bit truncation (child_sa.c, DBG2 CHD) */
static int
h_child_install(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	size_t t;

	if ((wl == 6 && memcmp(w, "adding", 6) == 0) ||
	    (wl == 11 && memcmp(w, "registering", 11) == 0)) {
		if (cur_lit(&p, &l, "inbound "))
			PUT_LIT(ev->variant, "inbound");
		else if (cur_lit(&p, &l, "outbound "))
			PUT_LIT(ev->variant, "outbound");
		else
			return CHARON_OTHER;
		t = tok_len(p, l);
		if (t == 0 || t >= CHARON_PROTO_LEN)
			return CHARON_OTHER;
		PUT(ev->protocol, p, t);
		p += t;
		l -= t;
		if (!cur_last(&p, &l, " SA"))
			return CHARON_OTHER;
		return CHARON_CHILD_SA_INSTALL;
	}
	if (wl == 3 && memcmp(w, "SPI", 3) == 0) {
		if (!cur_lit(&p, &l, "0x") || !cur_hex32(&p, &l, &ev->spi) ||
		    !cur_lit(&p, &l, ", src ") || l == 0 ||
		    find_lit(p, l, " dst ") == NULL)
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SPI;
		PUT_LIT(ev->variant, "spi");
		return CHARON_CHILD_SA_INSTALL;
	}
	if (wl == 5 && memcmp(w, "using", 5) == 0 &&
	    (ends_with(p, l, " for encryption") ||
		ends_with(p, l, " for integrity")) &&
	    tok_len(p, l) == (size_t)(find_lit(p, l, " for ") - p)) {
		PUT_LIT(ev->variant, "algorithm");
		return CHARON_CHILD_SA_INSTALL;
	}
	if (wl == 5 && memcmp(w, "using", 5) == 0 &&
	    ends_with(p, l, " with 96-bit truncation")) {
		PUT_LIT(ev->variant, "truncation");
		return CHARON_CHILD_SA_INSTALL;
	}
	return CHARON_OTHER;
}

/* vici_config.c's level-2 dump of a loaded connection: " conn NAME:",
 * "  child NAME:", "  local:", "  remote:", "  vips:", "KEY = VALUE". */
static int
h_config_dump(const char *s, size_t n, struct charon_event *ev)
{
	const char *p = s;
	size_t l = n, i;

	if (n >= 2 && s[n - 1] == ':' && tok_len(s, n) == n) {
		if ((n == 6 && memcmp(s, "local:", 6) == 0) ||
		    (n == 7 && memcmp(s, "remote:", 7) == 0) ||
		    (n == 5 && memcmp(s, "vips:", 5) == 0)) {
			PUT_LIT(ev->variant, "section");
			return CHARON_CONFIG_DUMP;
		}
		return CHARON_OTHER;
	}
	if (cur_lit(&p, &l, "conn ") && l > 1 && p[l - 1] == ':' &&
	    tok_len(p, l) == l) {
		PUT(ev->ike_name, p, l - 1);
		PUT_LIT(ev->variant, "conn");
		return CHARON_CONFIG_DUMP;
	}
	p = s;
	l = n;
	if (cur_lit(&p, &l, "child ") && l > 1 && p[l - 1] == ':' &&
	    tok_len(p, l) == l) {
		PUT(ev->child_name, p, l - 1);
		PUT_LIT(ev->variant, "child");
		return CHARON_CONFIG_DUMP;
	}
	/* key = value: a snake_case key, then " = " */
	for (i = 0; i < n && ((s[i] >= 'a' && s[i] <= 'z') ||
	    is_digit((unsigned char)s[i]) || s[i] == '_'); i++)
		;
	if (i == 0 || n - i < 3 || memcmp(s + i, " =", 2) != 0 ||
	    (n - i > 3 && s[i + 2] != ' '))
		return CHARON_OTHER;
	PUT(ev->detail, s, i);
	PUT_LIT(ev->variant, "setting");
	return CHARON_CONFIG_DUMP;
}

/* vici client %u connected|disconnected|requests: %s|registered for: %s|
 * unregistered for: %s|invalid request: %s (vici_dispatcher.c) */
static int
h_vici_client(const char *p, size_t l, struct charon_event *ev)
{
	static const struct {
		const char *lit, *variant;
		int arg;
	} t[] = {
		{ " connected", "connected", 0 },
		{ " disconnected", "disconnected", 0 },
		{ " requests: ", "request", 1 },
		{ " registered for: ", "registered", 1 },
		{ " unregistered for: ", "unregistered", 1 },
		{ " invalid request: ", "invalid_request", 1 },
		{ " invalid registration: ", "invalid_registration", 1 },
	};
	size_t i, tl;

	uint32_t id;

	if (!cur_lit(&p, &l, "client ") || !cur_u32(&p, &l, &id))
		return CHARON_OTHER;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		tl = strlen(t[i].lit);
		if (l < tl || memcmp(p, t[i].lit, tl) != 0 ||
		    (t[i].arg ? l == tl || tok_len(p + tl, l - tl) != l - tl :
			l != tl))
			continue;
		if (t[i].arg)
			PUT(ev->detail, p + tl, l - tl);
		put_str(ev->variant, sizeof(ev->variant), t[i].variant,
		    strlen(t[i].variant));
		return CHARON_VICI_CLIENT;
	}
	return CHARON_OTHER;
}

/* libipsec (kernel-libipsec, userspace ESP), DBG1/2 ESP: allocated SPI %.8x
 * | adding SAD entry with SPI %.8x and reqid {%u} | updating SAD entry with
 * SPI %.8x from .. | deleted in|outbound SAD entry with SPI %.8x | using
 * encryption|integrity algorithm %N with key size %d | parsed ESP header
 * with SPI %.8x [seq %u] | no matching outbound IPsec policy for %#H == %#H
 * [%hhu] | flushing allocated SPIs | removed allocated SPI %.8x */
static int
h_libipsec(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	const char *v = NULL;
	int spi = 0;

	if (wl == 9 && memcmp(w, "allocated", 9) == 0 && cur_lit(&p, &l, "SPI ")) {
		v = "spi_allocated";
		spi = 1;
	} else if (wl == 7 && memcmp(w, "removed", 7) == 0 &&
	    cur_lit(&p, &l, "allocated SPI ")) {
		v = "spi_removed";
		spi = 1;
	} else if (wl == 6 && memcmp(w, "adding", 6) == 0 &&
	    cur_lit(&p, &l, "SAD entry with SPI ")) {
		v = "sad_add";
		spi = 1;
	} else if (wl == 8 && memcmp(w, "updating", 8) == 0 &&
	    cur_lit(&p, &l, "SAD entry with SPI ")) {
		v = "sad_update";
		spi = 1;
	} else if (wl == 7 && memcmp(w, "deleted", 7) == 0 &&
	    (cur_lit(&p, &l, "inbound SAD entry with SPI ") ||
		cur_lit(&p, &l, "outbound SAD entry with SPI "))) {
		v = "sad_deleted";
		spi = 1;
	} else if (wl == 6 && memcmp(w, "parsed", 6) == 0 &&
	    cur_lit(&p, &l, "ESP header with SPI ")) {
		v = "esp_header";
		spi = 1;
	} else if (wl == 5 && memcmp(w, "using", 5) == 0 &&
	    (cur_lit(&p, &l, "encryption algorithm ") ||
		cur_lit(&p, &l, "integrity algorithm ")) &&
	    find_lit(p, l, " with key size ") != NULL)
		v = "algorithm";
	else if (wl == 2 && memcmp(w, "no", 2) == 0 &&
	    cur_lit(&p, &l, "matching outbound IPsec policy for ") &&
	    find_lit(p, l, " == ") != NULL)
		v = "no_outbound_policy";
	else if (wl == 8 && memcmp(w, "flushing", 8) == 0 &&
	    cur_last(&p, &l, "allocated SPIs"))
		v = "spi_flush";
	else
		return CHARON_OTHER;
	if (spi) {
		if (!cur_hex32(&p, &l, &ev->spi) || (l > 0 && p[0] != ' '))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SPI;
	}
	put_str(ev->variant, sizeof(ev->variant), v, strlen(v));
	return CHARON_LIBIPSEC;
}

/* libstrongswan start-up and crypto chatter (DBG1/2 LIB): plugin '%s':
 * loaded successfully | feature %s in plugin '%s' has unmet dependency: %s
 * | ... failed to load | unable to load %d plugin features (...) | created
 * thread %u [%u] | size of DH secret exponent: %u bits */
static int
h_lib(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	const char *v = NULL;

	if (wl == 6 && memcmp(w, "plugin", 6) == 0 && cur_lit(&p, &l, "'") &&
	    find_lit(p, l, "': ") != NULL)
		v = "plugin";
	else if (wl == 7 && memcmp(w, "feature", 7) == 0 &&
	    find_lit(p, l, " in plugin '") != NULL &&
	    (find_lit(p, l, "' has unmet dependency: ") != NULL ||
		ends_with(p, l, "' failed to load")))
		v = "plugin_feature";
	else if (wl == 6 && memcmp(w, "unable", 6) == 0 &&
	    cur_lit(&p, &l, "to load ") && ends_with(p, l, ")") &&
	    find_lit(p, l, " plugin features (") != NULL)
		v = "plugin_feature";
	else if (wl == 7 && memcmp(w, "created", 7) == 0 &&
	    cur_lit(&p, &l, "thread ") && ends_with(p, l, "]"))
		v = "thread";
	else if (wl == 4 && memcmp(w, "size", 4) == 0 &&
	    cur_lit(&p, &l, "of DH secret exponent: ") &&
	    cur_u32(&p, &l, &ev->size) && cur_last(&p, &l, " bits")) {
		ev->has |= CHARON_HAS_SIZE;
		PUT_LIT(ev->variant, "dh_exponent");
		return CHARON_CRYPTO_DETAIL;
	} else
		return CHARON_OTHER;
	put_str(ev->variant, sizeof(ev->variant), v, strlen(v));
	return CHARON_DAEMON_INFO;
}

/* proposal.c select (DBG2 CFG): selecting proposal: | proposal matches |
 * protocol mismatch, skipping | no acceptable %N found */
static int
h_proposal_match(const char *w, size_t wl, const char *p, size_t l,
    struct charon_event *ev)
{
	if (wl == 9 && memcmp(w, "selecting", 9) == 0 &&
	    cur_last(&p, &l, "proposal:")) {
		PUT_LIT(ev->variant, "selecting");
		return CHARON_PROPOSAL_MATCH;
	}
	if (wl == 8 && memcmp(w, "proposal", 8) == 0 &&
	    cur_last(&p, &l, "matches")) {
		PUT_LIT(ev->variant, "matches");
		return CHARON_PROPOSAL_MATCH;
	}
	if (wl == 8 && memcmp(w, "protocol", 8) == 0 &&
	    cur_last(&p, &l, "mismatch, skipping")) {
		PUT_LIT(ev->variant, "protocol_mismatch");
		return CHARON_PROPOSAL_MATCH;
	}
	if (wl == 2 && memcmp(w, "no", 2) == 0 &&
	    cur_lit(&p, &l, "acceptable ") && ends_with(p, l, " found")) {
		l -= sizeof(" found") - 1;
		if (!is_enum_name(p, l))
			return CHARON_OTHER;
		/* the transform type that had no match: DIFFIE_HELLMAN_GROUP
		 * (KEY_EXCHANGE_METHOD in 6.x) means a PFS mismatch */
		PUT(ev->detail, p, l);
		PUT_LIT(ev->variant, "no_match");
		return CHARON_PROPOSAL_MATCH;
	}
	return CHARON_OTHER;
}

/* kernel_netlink_net.c's level-2 list of interfaces and addresses, one
 * token per line after "known interfaces and IP addresses:" (only with the
 * KNL group: a bare word means nothing elsewhere). */
static int
h_knl_listing(const char *s, size_t n, struct charon_event *ev)
{
	const char *p = s;
	size_t l = n;
	struct charon_endpoint a;

	if (strcmp(ev->group, "KNL") != 0 || n == 0 || tok_len(s, n) != n)
		return CHARON_OTHER;
	memset(&a, 0, sizeof(a));
	if (cur_host(&p, &l, &a, 0) && l == 0 &&
	    (strchr(a.addr, '.') != NULL || strchr(a.addr, ':') != NULL)) {
		PUT(ev->detail, s, n);
		PUT_LIT(ev->variant, "listed");
		return CHARON_KERNEL_ADDRESS;
	}
	if (n < 16) {
		PUT(ev->detail, s, n);
		PUT_LIT(ev->variant, "listed");
		return CHARON_KERNEL_INTERFACE;
	}
	return CHARON_OTHER;
}

/* Quoted "%s" at the end of the text after lit: copies the inside. */
static int
quoted_rest(const char *p, size_t l, char q, char *dst, size_t dstsz)
{
	if (l < 2 || p[0] != q || p[l - 1] != q)
		return 0;
	put_str(dst, dstsz, p + 1, l - 2);
	return 1;
}

/* Level-1 lines of strongSwan 5.9 that a vEdge prints in operation and
 * failure beyond the above: jobs (processing/jobs), sockets, certificates,
 * reauthentication, identities.  Tried first by classify_more(); every
 * format starts with a fixed phrase. */
static int
h_extra(const char *s, size_t n, struct charon_event *ev)
{
	const char *p = s;
	size_t l = n;
	uint32_t v;

	/* deleting IKE_SA|CHILD_SA after %d seconds [of CHILD_SA ]of
	 * inactivity (inactivity_job.c) */
	if (cur_lit(&p, &l, "deleting IKE_SA after ") ||
	    cur_lit(&p, &l, "deleting CHILD_SA after ")) {
		int ike = s[9] == 'I';

		if (!cur_u32(&p, &l, &ev->seconds) ||
		    !(ike ? cur_last(&p, &l, " seconds of CHILD_SA inactivity") :
			cur_last(&p, &l, " seconds of inactivity")))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SECONDS;
		if (ike)
			PUT_LIT(ev->variant, "ike_sa");
		else
			PUT_LIT(ev->variant, "child_sa");
		return CHARON_INACTIVITY_DELETE;
	}
	/* peer did not initiate expected exchange, reestablishing IKE_SA
	 * (delete_ike_sa_job.c) | reauthentication failed, trying to
	 * reestablish IKE_SA | delete during reauthentication failed, trying
	 * to reestablish IKE_SA anyway (ike_sa.c) */
	static const struct charon_text charon_reinit_reauth_texts[] = {
		{ "peer did not initiate expected exchange, reestablishing IKE_SA", "expected_exchange", CHARON_IKE_REINITIATE },
		{ "reauthentication failed, trying to reestablish IKE_SA", "after_reauth_failure", CHARON_IKE_REINITIATE },
		{ "delete during reauthentication failed, trying to reestablish IKE_SA anyway", "after_reauth_failure", CHARON_IKE_REINITIATE },
		/* reauthenticating IKE_SA failed (ike_reauth.c, ike_delete.c,
		 * task_manager_v2.c) | unable to reauthenticate IKE_SA, no CHILD_SA
		 * to recreate | initiator did not reauthenticate as requested, IKE_SA
		 * %s[%d] will timeout in %V (ike_sa.c) */
		{ "reauthenticating IKE_SA failed", "failed", CHARON_REAUTH },
		{ "unable to reauthenticate IKE_SA, no CHILD_SA to recreate", "no_child", CHARON_REAUTH },
	};
	TRY_TEXTS(&p, &l, charon_reinit_reauth_texts);
	if (cur_lit(&p, &l, "initiator did not reauthenticate as requested, IKE_SA ")) {
		if (!cur_sa(&p, &l, '[', ']', ev->ike_name, sizeof(ev->ike_name),
			&ev->ike_uid) || !cur_lit(&p, &l, " will timeout in ") || l == 0)
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_IKE_UID;
		PUT_LIT(ev->variant, "peer_late");
		return CHARON_REAUTH;
	}
	/* reauthentication already scheduled in %ds | rescheduling
	 * reauthentication in %ds after rekeying, lifetime reduced to %ds */
	if (cur_lit(&p, &l, "reauthentication already scheduled in ")) {
		if (!seconds_at_end(p, l, ev))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "already");
		return CHARON_REAUTH_SCHEDULED;
	}
	if (cur_lit(&p, &l, "rescheduling reauthentication in ")) {
		if (!cur_u32(&p, &l, &ev->seconds) ||
		    !cur_lit(&p, &l, "s after rekeying, lifetime reduced to ") ||
		    !cur_u32(&p, &l, &v) || !cur_last(&p, &l, "s"))
			return CHARON_OTHER;
		ev->has |= CHARON_HAS_SECONDS;
		PUT_LIT(ev->variant, "rescheduled");
		return CHARON_REAUTH_SCHEDULED;
	}
	/* faking NAT situation to enforce UDP encapsulation (ike_sa.c) */
	if (cur_last(&p, &l, "faking NAT situation to enforce UDP encapsulation")) {
		PUT_LIT(ev->variant, "forced");
		return CHARON_NAT_LOCAL;
	}
	/* CHILD_SA %N/0x%08x/%H not found for rekey|delete|update | CHILD_SA
	 * {%d} not found for delete (processing/jobs) */
	if (cur_lit(&p, &l, "CHILD_SA ") && find_lit(p, l, " not found for ") != NULL) {
		const char *f = find_lit(p, l, " not found for ");
		const char *t = f + sizeof(" not found for ") - 1;
		size_t tl = (size_t)(p + l - t);

		if (!(tl == 5 && memcmp(t, "rekey", 5) == 0) &&
		    !(tl == 6 && memcmp(t, "delete", 6) == 0) &&
		    !(tl == 6 && memcmp(t, "update", 6) == 0))
			return CHARON_OTHER;
		if (p[0] == '{') {
			const char *q = p + 1;
			size_t ql = (size_t)(f - q);

			if (!cur_u32(&q, &ql, &ev->child_uid) || !cur_last(&q, &ql, "}"))
				return CHARON_OTHER;
			ev->has |= CHARON_HAS_CHILD_UID;
		} else {
			const char *q = p, *sl = memchr(p, '/', (size_t)(f - p));
			size_t ql;

			if (sl == NULL || sl == p || (size_t)(sl - p) >= CHARON_PROTO_LEN)
				return CHARON_OTHER;
			PUT(ev->protocol, p, (size_t)(sl - p));
			q = sl;
			ql = (size_t)(f - q);
			if (!cur_lit(&q, &ql, "/0x") || !cur_hex32(&q, &ql, &ev->spi) ||
			    !cur_lit(&q, &ql, "/") || ql == 0)
				return CHARON_OTHER;
			ev->has |= CHARON_HAS_SPI;
		}
		put_str(ev->variant, sizeof(ev->variant), t, tl);
		return CHARON_REKEY_REFUSED;
	}
	p = s;
	l = n;
	/* received unencrypted informational: from %#H to %#H
	 * (process_message_job.c) */
	if (cur_lit(&p, &l, "received unencrypted informational: from ")) {
		if (!cur_host(&p, &l, &ev->remote, 0) || !cur_lit(&p, &l, " to ") ||
		    !cur_host(&p, &l, &ev->local, 0) || l != 0)
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "unencrypted_info");
		return CHARON_MESSAGE_INVALID;
	}
	/* received unsupported IKE version %d.%d from %H, sending
	 * INVALID_MAJOR_VERSION | ignoring IKE_SA setup from %H, ... limit of
	 * %d reached | ... job load of %d exceeds limit of %d (receiver.c) */
	if (cur_lit(&p, &l, "received unsupported IKE version ")) {
		const char *f = find_lit(p, l, " from ");

		if (f == NULL)
			return CHARON_OTHER;
		l -= (size_t)(f + 6 - p);
		p = f + 6;
		if (!cur_host(&p, &l, &ev->remote, 0) ||
		    !cur_last(&p, &l, ", sending INVALID_MAJOR_VERSION"))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "version");
		return CHARON_MESSAGE_INVALID;
	}
	if (cur_lit(&p, &l, "ignoring IKE_SA setup from ")) {
		if (!cur_host(&p, &l, &ev->remote, 0) || !cur_lit(&p, &l, ", ") ||
		    (!ends_with(p, l, " reached") && find_lit(p, l, " exceeds limit of ") == NULL))
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "setup_limit");
		return CHARON_MESSAGE_INVALID;
	}
	/* IDi|IDr payload missing (ike_auth.c) */
	if (cur_last(&p, &l, "IDr payload missing") ||
	    cur_last(&p, &l, "IDi payload missing")) {
		PUT_LIT(ev->variant, "payload_missing");
		return CHARON_MESSAGE_INVALID;
	}
	/* received IDr %Y, but require %Y (ike_auth.c: the responder's
	 * identity is not the configured one) */
	if (cur_lit(&p, &l, "received IDr ")) {
		const char *f = find_lit(p, l, ", but require ");

		if (f == NULL || f == p || f + 14 == p + l)
			return CHARON_OTHER;
		PUT(ev->remote.id, p, (size_t)(f - p));
		PUT(ev->detail, f + 14, (size_t)(p + l - f - 14));
		PUT_LIT(ev->variant, "idr_mismatch");
		return CHARON_AUTH_FAILED;
	}
	/* canceling IKE_SA setup due to uniqueness policy (ike_auth.c) */
	if (cur_last(&p, &l, "canceling IKE_SA setup due to uniqueness policy")) {
		PUT_LIT(ev->variant, "cancel");
		return CHARON_IKE_DUPLICATE;
	}
	/* error writing to socket: %s | error reading socket: %s | no socket
	 * found to send IPv%d packet from port %d | receive buffer too small,
	 * packet discarded (socket_default_socket.c) */
	if (cur_lit(&p, &l, "error writing to socket: ") ||
	    cur_lit(&p, &l, "error reading socket: ")) {
		if (l == 0)
			return CHARON_OTHER;
		PUT(ev->detail, p, l);
		if (s[6] == 'w')
			PUT_LIT(ev->variant, "write");
		else
			PUT_LIT(ev->variant, "read");
		return CHARON_SOCKET_ERROR;
	}
	if (cur_lit(&p, &l, "no socket found to send IPv")) {
		if (find_lit(p, l, " packet from port ") == NULL)
			return CHARON_OTHER;
		PUT_LIT(ev->variant, "no_socket");
		return CHARON_SOCKET_ERROR;
	}
	if (cur_last(&p, &l, "receive buffer too small, packet discarded")) {
		PUT_LIT(ev->variant, "buffer");
		return CHARON_SOCKET_ERROR;
	}
	/* received netlink error: %s (%d) (kernel_netlink_shared.c) */
	if (cur_lit(&p, &l, "received netlink error: ")) {
		if (l == 0)
			return CHARON_OTHER;
		PUT(ev->detail, s, n);
		PUT_LIT(ev->variant, "netlink");
		return CHARON_KERNEL_ERROR;
	}
	/* unable to resolve %s, initiate aborted | ..., retrying in %ds
	 * (ike_sa.c: the peer's address is a DNS name) */
	if (cur_lit(&p, &l, "unable to resolve ")) {
		const char *c = find_last_char(p, l, ',');

		if (c == NULL || c == p)
			return CHARON_OTHER;
		PUT(ev->detail, p, (size_t)(c - p));
		l -= (size_t)(c - p);
		p = c;
		if (cur_last(&p, &l, ", initiate aborted"))
			PUT_LIT(ev->variant, "aborted");
		else if (cur_lit(&p, &l, ", retrying in ") && seconds_at_end(p, l, ev))
			PUT_LIT(ev->variant, "retrying");
		else
			return CHARON_OTHER;
		return CHARON_PEER_UNRESOLVED;
	}
	/* start action: %N '%s' (start_action_job.c) */
	if (cur_lit(&p, &l, "start action: ")) {
		size_t t = tok_len(p, l);

		if (t == 0 || t == l)
			return CHARON_OTHER;
		put_str(ev->variant, sizeof(ev->variant), p, t);
		p += t + 1;
		l -= t + 1;
		if (!quoted_rest(p, l, '\'', ev->child_name, sizeof(ev->child_name)))
			return CHARON_OTHER;
		return CHARON_CONFIG_LOADED;
	}
	/* certificates (ike_cert_pre.c, ike_cert_post.c): received|sending
	 * end entity|issuer cert "%Y" | received|sending cert request for
	 * "%Y" | received %u cert requests for an unknown ca | received CRL
	 * "%Y" */
	{
		static const char *const certs[] = {
			"received end entity cert ", "sending end entity cert ",
			"received issuer cert ", "sending issuer cert ",
			"received cert request for ", "sending cert request for ",
			"received CRL ",
		};
		size_t i;

		for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
			size_t cl = strlen(certs[i]);

			if (n > cl && memcmp(s, certs[i], cl) == 0 &&
			    quoted_rest(s + cl, n - cl, '"', ev->detail,
				sizeof(ev->detail))) {
				PUT_LIT(ev->variant, "certificate");
				return CHARON_CERT_DETAIL;
			}
		}
		if (cur_lit(&p, &l, "received ") && cur_u32(&p, &l, &v) &&
		    cur_last(&p, &l, " cert requests for an unknown ca")) {
			PUT_LIT(ev->variant, "unknown_ca");
			return CHARON_CERT_DETAIL;
		}
	}
	return CHARON_OTHER;
}

static void clear_content(struct charon_event *ev);

/* Tries one candidate format; on a miss wipes what it half-filled. */
#define TRY(call) do {						\
	int k_ = (call);					\
	if (k_ != CHARON_OTHER)					\
		return k_;					\
	clear_content(ev);					\
} while (0)

/* Lines whose first word the original dispatch does not know, or that it
 * rejected: tried after classify()'s switch. */
static int
classify_more(const char *s, size_t n, struct charon_event *ev)
{
	const char *w0 = s, *r;
	size_t w = tok_len(s, n), rl;

	if (n == 0)
		return CHARON_OTHER;
	r = s + w;
	rl = n - w;
	if (rl > 0) {
		r++;
		rl--;
	}
	TRY(h_extra(s, n, ev));
	switch (s[0]) {
	case 'a':
		if (w == 9 && memcmp(w0, "allocated", 9) == 0)
			return h_libipsec(w0, w, r, rl, ev);
		if (w == 5 && memcmp(w0, "added", 5) == 0) {
			TRY(h_vici_conn("added", r, rl, ev));
			return h_msg_detail(w0, w, r, rl, ev);
		}
		if (w == 6 && memcmp(w0, "adding", 6) == 0) {
			TRY(h_child_install(w0, w, r, rl, ev));
			TRY(h_libipsec(w0, w, r, rl, ev));
			return h_kernel_more(w0, w, r, rl, ev);
		}
		break;
	case 'c':
		if (w == 8 && memcmp(w0, "creating", 8) == 0)
			return h_creating(r, rl, ev);
		if ((w == 5 && memcmp(w0, "could", 5) == 0) ||
		    (w == 8 && memcmp(w0, "critical", 8) == 0))
			return h_invalid(w0, w, r, rl, ev);
		if (w == 7 && memcmp(w0, "created", 7) == 0 &&
		    cur_lit(&r, &rl, "IKE_SA ") && ike_at_end(r, rl, ev)) {
			/* an SA created for an incoming IKE_SA_INIT has no
			 * config yet: its name is not a connection's */
			if (strcmp(ev->ike_name, "(unnamed)") == 0) {
				ev->ike_name[0] = '\0';
				PUT_LIT(ev->variant, "unnamed");
			}
			return CHARON_IKE_SA_CREATED;
		}
		if (w == 6 && memcmp(w0, "charon", 6) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 7 && memcmp(w0, "created", 7) == 0) {
			TRY(h_lib(w0, w, r, rl, ev));
			return h_daemon_info(w0, w, r, rl, ev);
		}
		if (w == 5 && memcmp(w0, "child", 5) == 0)
			return h_config_dump(s, n, ev);
		break;
	case 'e':
		if (w == 12 && memcmp(w0, "establishing", 12) == 0)
			return h_establishing(r, rl, ev);
		break;
	case 'd':
		if (w == 7 && memcmp(w0, "dropped", 7) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 6 && memcmp(w0, "daemon", 6) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 7 && memcmp(w0, "deleted", 7) == 0)
			return h_libipsec(w0, w, r, rl, ev);
		if (w == 10 && memcmp(w0, "destroying", 10) == 0) {
			if (cur_lit(&r, &rl, "duplicate IKE_SA for peer '"))
				return h_duplicate(r, rl, ev);
			if (cur_lit(&r, &rl, "IKE_SA in state ") && rl > 0 &&
			    ends_with(r, rl, " without notification")) {
				rl -= sizeof(" without notification") - 1;
				if (!is_enum_name(r, rl))
					return CHARON_OTHER;
				put_lower(ev->variant, sizeof(ev->variant), r, rl);
				return CHARON_IKE_DESTROYED;
			}
		}
		if (w == 8 && memcmp(w0, "deleting", 8) == 0) {
			if (cur_last(&r, &rl, "unestablished IKE_SA")) {
				PUT_LIT(ev->variant, "unestablished");
				return CHARON_IKE_DESTROYED;
			}
			if (cur_lit(&r, &rl, "duplicate IKE_SA for peer '"))
				return h_duplicate(r, rl, ev);
			return h_kernel_more(w0, w, r, rl, ev);
		}
		if (w == 8 && memcmp(w0, "delaying", 8) == 0)
			return h_task(w0, w, r, rl, ev);
		if (w == 8 && memcmp(w0, "detected", 8) == 0) {
			/* detected %N collision with %N (child_rekey.c,
			 * ike_rekey.c) | detected reauth of existing IKE_SA ... */
			size_t t = tok_len(r, rl);

			if (is_enum_name(r, t) && find_lit(r, rl, " collision with ") ==
			    r + t) {
				PUT(ev->detail, r, rl);
				PUT_LIT(ev->variant, "detected");
				return CHARON_REKEY_COLLISION;
			}
			if (cur_lit(&r, &rl, "reauth of existing IKE_SA, adopting ")) {
				PUT_LIT(ev->variant, "reauth_adopt");
				return CHARON_IKE_DUPLICATE;
			}
		}
		break;
	case 'D':
		if (w == 3 && memcmp(w0, "DPD", 3) == 0 &&
		    cur_last(&r, &rl, "not supported by peer, disabled")) {
			PUT_LIT(ev->variant, "dpd_unsupported");
			return CHARON_IKE_EXTENSION;
		}
		break;
	case 'f':
		if (w == 5 && memcmp(w0, "flags", 5) == 0)
			return h_kernel_more(w0, w, r, rl, ev);
		if (w == 7 && memcmp(w0, "feature", 7) == 0)
			return h_lib(w0, w, r, rl, ev);
		if (w == 8 && memcmp(w0, "flushing", 8) == 0)
			return h_libipsec(w0, w, r, rl, ev);
		if (w == 5 && memcmp(w0, "found", 5) == 0) {
			TRY(h_manager(w0, w, r, rl, ev));
			TRY(h_cfg_detail(w0, w, r, rl, ev));
			TRY(h_invalid(w0, w, r, rl, ev));
			return h_msg_detail(w0, w, r, rl, ev);
		}
		break;
	case 'g':
		if (w == 7 && memcmp(w0, "getting", 7) == 0)
			return h_kernel_more(w0, w, r, rl, ev);
		break;
	case 'i':
		if (w == 9 && memcmp(w0, "interface", 9) == 0) {
			TRY(h_kernel_more(w0, w, r, rl, ev));
			return h_config_dump(s, n, ev);
		}
		if (w == 10 && memcmp(w0, "installing", 10) == 0)
			return h_kernel_more(w0, w, r, rl, ev);
		if (w == 9 && memcmp(w0, "integrity", 9) == 0) {
			TRY(h_invalid(w0, w, r, rl, ev));
			return h_daemon_info(w0, w, r, rl, ev);
		}
		if (w == 6 && memcmp(w0, "insert", 6) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		if ((w == 6 && memcmp(w0, "ignore", 6) == 0) ||
		    (w == 8 && memcmp(w0, "ignoring", 8) == 0)) {
			TRY(h_invalid(w0, w, r, rl, ev));
			return h_cfg_detail(w0, w, r, rl, ev);
		}
		break;
	case 'k':
		if (w == 5 && memcmp(w0, "known", 5) == 0 &&
		    cur_last(&r, &rl, "interfaces and IP addresses:")) {
			PUT_LIT(ev->variant, "list");
			return CHARON_KERNEL_INTERFACE;
		}
		break;
	case 'l':
		if (w == 7 && memcmp(w0, "looking", 7) == 0)
			return h_looking(r, rl, ev);
		if (w == 6 && memcmp(w0, "loaded", 6) == 0)
			return h_loaded(r, rl, ev, 0);
		if (w == 7 && memcmp(w0, "loading", 7) == 0)
			return h_loaded(r, rl, ev, 1);
		if (w == 3 && memcmp(w0, "lib", 3) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 5 && memcmp(w0, "local", 5) == 0 &&
		    cur_lit(&r, &rl, "endpoint changed from ")) {
			PUT_LIT(ev->variant, "local");
			goto endpoint;
		}
		break;
	case 'm':
		if (w == 7 && memcmp(w0, "message", 7) == 0)
			return h_invalid(w0, w, r, rl, ev);
		if (w == 9 && memcmp(w0, "migrating", 9) == 0)
			return h_task(w0, w, r, rl, ev);
		break;
	case 'n':
		if (w == 2 && memcmp(w0, "no", 2) == 0) {
			TRY(h_proposal_match(w0, w, r, rl, ev));
			TRY(h_libipsec(w0, w, r, rl, ev));
		}
		if (w == 7 && memcmp(w0, "nothing", 7) == 0)
			return h_task(w0, w, r, rl, ev);
		if (w == 3 && memcmp(w0, "not", 3) == 0) {
			TRY(h_msg_detail(w0, w, r, rl, ev));
			return h_kernel_more(w0, w, r, rl, ev);
		}
		if (w == 2 && memcmp(w0, "no", 2) == 0) {
			/* no IKE config found for %H...%H, sending %N */
			if (cur_lit(&r, &rl, "IKE config found for ")) {
				const char *c = find_lit(r, rl, ", sending ");

				if (c == NULL || !addr_pair(r, (size_t)(c - r), ev))
					return CHARON_OTHER;
				c += sizeof(", sending ") - 1;
				if (!is_enum_name(c, (size_t)(r + rl - c)))
					return CHARON_OTHER;
				PUT(ev->notify, c, (size_t)(r + rl - c));
				return CHARON_NO_IKE_CONFIG;
			}
			if (cur_last(&r, &rl, "alternative config found")) {
				PUT_LIT(ev->variant, "no_alternative");
				return CHARON_NO_PEER_CONFIG;
			}
		}
		break;
	case 'o':
		if (w == 5 && memcmp(w0, "order", 5) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		break;
	case 'p':
		if (w == 9 && memcmp(w0, "providers", 9) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 7 && memcmp(w0, "parsing", 7) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		if (w == 6 && memcmp(w0, "parsed", 6) == 0) {
			TRY(h_libipsec(w0, w, r, rl, ev));
			return h_msg_detail(w0, w, r, rl, ev);
		}
		if (w == 6 && memcmp(w0, "plugin", 6) == 0)
			return h_lib(w0, w, r, rl, ev);
		if ((w == 8 && memcmp(w0, "proposal", 8) == 0) ||
		    (w == 8 && memcmp(w0, "protocol", 8) == 0))
			return h_proposal_match(w0, w, r, rl, ev);
		if (w == 7 && memcmp(w0, "process", 7) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		if (w == 9 && memcmp(w0, "proposing", 9) == 0)
			return h_cfg_detail(w0, w, r, rl, ev);
		if (w == 6 && memcmp(w0, "policy", 6) == 0)
			return h_kernel_more(w0, w, r, rl, ev);
		if (w == 4 && memcmp(w0, "peer", 4) == 0) {
			if (cur_lit(&r, &rl, "initiated rekeying, but ")) {
				static const struct charon_text charon_peer_rekeying_but_texts[] = {
					{ "we are deleting", "deleting", CHARON_REKEY_REFUSED },
					{ "we are reauthenticating", "reauthenticating", CHARON_REKEY_REFUSED },
					{ "a child is half-open", "half_open", CHARON_REKEY_REFUSED },
				};
				TRY_TEXTS(&r, &rl, charon_peer_rekeying_but_texts);
				return CHARON_OTHER;
			}
			static const struct charon_text charon_peer_texts[] = {
				{ "didn't find the CHILD_SA we tried to rekey", "peer_not_found", CHARON_REKEY_REFUSED },
				{ "seems to not support CHILD_SA rekeying, starting reauthentication", "unsupported", CHARON_REKEY_REFUSED },
				{ "seems to not support IKE rekeying, starting reauthentication", "unsupported", CHARON_REKEY_REFUSED },
				{ "did not notice IKE_SA rekey collision, abort active rekeying", "ike_unnoticed", CHARON_REKEY_COLLISION },
				{ "supports MOBIKE", "mobike", CHARON_IKE_EXTENSION },
				{ "supports MOBIKE, but disabled in config", "mobike_disabled", CHARON_IKE_EXTENSION },
			};
			TRY_TEXTS(&r, &rl, charon_peer_texts);
		}
		break;
	case 'q':
		if (w == 8 && memcmp(w0, "queueing", 8) == 0)
			return h_task(w0, w, r, rl, ev);
		break;
	case 'r':
		if (w == 8 && memcmp(w0, "received", 8) == 0) {
			if (cur_lit(&r, &rl, "stroke: ")) {
				/* received stroke: add|delete connection '%s' */
				if (cur_lit(&r, &rl, "add connection '"))
					PUT_LIT(ev->variant, "stroke_add");
				else if (cur_lit(&r, &rl, "delete connection '"))
					PUT_LIT(ev->variant, "stroke_delete");
				else
					return CHARON_OTHER;
				if (rl < 2 || r[rl - 1] != '\'')
					return CHARON_OTHER;
				PUT(ev->ike_name, r, rl - 1);
				return CHARON_CONFIG_LOADED;
			}
			return h_received_more(r, rl, ev);
		}
		if (w == 7 && memcmp(w0, "removed", 7) == 0)
			return h_libipsec(w0, w, r, rl, ev);
		if (w == 11 && memcmp(w0, "registering", 11) == 0)
			return h_child_install(w0, w, r, rl, ev);
		if (w == 12 && memcmp(w0, "reinitiating", 12) == 0)
			return h_task(w0, w, r, rl, ev);
		if (w == 8 && memcmp(w0, "replaced", 8) == 0)
			return h_vici_conn("replaced", r, rl, ev);
		if (w == 6 && memcmp(w0, "remote", 6) == 0 &&
		    cur_lit(&r, &rl, "endpoint changed from ")) {
			PUT_LIT(ev->variant, "remote");
			goto endpoint;
		}
		break;
	case 's':
		if (w == 8 && memcmp(w0, "spawning", 8) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 8 && memcmp(w0, "starting", 8) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		if (w == 6 && memcmp(w0, "signal", 6) == 0)
			return h_daemon_info(w0, w, r, rl, ev);
		if (w == 8 && memcmp(w0, "selected", 8) == 0)
			return h_peer_cfg(r, rl, ev, 0);
		if (w == 9 && memcmp(w0, "switching", 9) == 0 &&
		    cur_lit(&r, &rl, "to "))
			return h_peer_cfg(r, rl, ev, 1);
		if (w == 9 && memcmp(w0, "selecting", 9) == 0) {
			TRY(h_proposal_match(w0, w, r, rl, ev));
			return h_cfg_detail(w0, w, r, rl, ev);
		}
		if (w == 4 && memcmp(w0, "size", 4) == 0)
			return h_lib(w0, w, r, rl, ev);
		if (w == 9 && memcmp(w0, "splitting", 9) == 0)
			return h_fragment(r, rl, ev, 0);
		if (w == 8 && memcmp(w0, "schedule", 8) == 0 &&
		    cur_lit(&r, &rl, "delete of duplicate IKE_SA for peer '"))
			return h_duplicate(r, rl, ev);
		if (w == 10 && memcmp(w0, "scheduling", 10) == 0 &&
		    cur_last(&r, &rl, "CHILD_SA recreate after hard expire"))
			return CHARON_CHILD_RECREATE_SCHEDULED;
		if (w == 7 && memcmp(w0, "sending", 7) == 0) {
			if (ends_with(r, rl, " vendor ID") &&
			    rl > sizeof(" vendor ID") - 1) {
				PUT(ev->detail, r, rl - (sizeof(" vendor ID") - 1));
				PUT_LIT(ev->variant, "sent");
				return CHARON_VENDOR_ID;
			}
			if (cur_lit(&r, &rl, "supported signature hash algorithms:")) {
				PUT_LIT(ev->variant, "sig_hash_sent");
				return CHARON_IKE_EXTENSION;
			}
		}
		if (w == 12 && memcmp(w0, "successfully", 12) == 0 &&
		    (cur_last(&r, &rl, "created shared key MAC") ||
			cur_last(&r, &rl, "created shared key MAC without PPK"))) {
			PUT_LIT(ev->variant, "psk_mac");
			return CHARON_AUTH_DETAIL;
		}
		break;
	case 'S':
		if (w == 8 && memcmp(w0, "Starting", 8) == 0)
			return h_starting(r, rl, ev);
		if (((w == 7 && memcmp(w0, "SIGTERM", 7) == 0) ||
		    (w == 6 && memcmp(w0, "SIGINT", 6) == 0)) &&
		    cur_last(&r, &rl, "received, shutting down")) {
			put_lower(ev->variant, sizeof(ev->variant), w0, w);
			return CHARON_STOP;
		}
		if (w == 3 && memcmp(w0, "SPI", 3) == 0)
			return h_child_install(w0, w, r, rl, ev);
		break;
	case 'u':
		if (w == 7 && memcmp(w0, "updated", 7) == 0)
			return h_vici_conn("updated", r, rl, ev);
		if (w == 8 && memcmp(w0, "updating", 8) == 0) {
			TRY(h_libipsec(w0, w, r, rl, ev));
			return h_kernel_more(w0, w, r, rl, ev);
		}
		if (w == 5 && memcmp(w0, "using", 5) == 0) {
			TRY(h_child_install(w0, w, r, rl, ev));
			TRY(h_libipsec(w0, w, r, rl, ev));
			if (cur_lit(&r, &rl, "host ") && rl > 0 &&
			    tok_len(r, rl) == rl) {
				PUT_LIT(ev->variant, "lookup");
				return CHARON_KERNEL_ROUTE;
			}
			return h_kernel_more(w0, w, r, rl, ev);
		}
		if (w == 6 && memcmp(w0, "unable", 6) == 0)
			TRY(h_lib(w0, w, r, rl, ev));
		if (w == 6 && memcmp(w0, "unable", 6) == 0 &&
		    cur_lit(&r, &rl, "to rekey, ")) {
			static const struct charon_text charon_unable_to_rekey_texts[] = {
				{ "CHILD_SA not found", "not_found", CHARON_REKEY_REFUSED },
				{ "we are deleting the CHILD_SA", "deleting", CHARON_REKEY_REFUSED },
			};
			TRY_TEXTS(&r, &rl, charon_unable_to_rekey_texts);
			return CHARON_OTHER;
		}
		break;
	case 'v':
		if (w == 4 && memcmp(w0, "vici", 4) == 0)
			return h_vici_client(r, rl, ev);
		if (w == 9 && memcmp(w0, "verifying", 9) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		break;
	case 'w':
		if (w == 7 && memcmp(w0, "waiting", 7) == 0)
			return h_msg_detail(w0, w, r, rl, ev);
		break;
	case 'C':
		if (w == 8 && memcmp(w0, "CHILD_SA", 8) == 0) {
			if (cur_last(&r, &rl, "not found after rekeying")) {
				PUT_LIT(ev->variant, "not_found_after_rekey");
				return CHARON_REKEY_REFUSED;
			}
			TRY(h_collision(r, rl, ev, 1));
			return h_child_state(r, rl, ev);
		}
		break;
	case 'I':
		if (w == 6 && memcmp(w0, "IKE_SA", 6) == 0) {
			TRY(h_collision(r, rl, ev, 0));
			TRY(h_ike_sa_mgr(r, rl, ev));
			return h_ike_state(r, rl, ev);
		}
		break;
	default:
		break;
	}
	if (w == 8 && memcmp(w0, "checkout", 8) == 0)
		return h_manager(w0, w, r, rl, ev);
	if (w == 7 && memcmp(w0, "checkin", 7) == 0)
		return h_manager(w0, w, r, rl, ev);
	if ((w == 9 && memcmp(w0, "candidate", 9) == 0) ||
	    (w == 10 && memcmp(w0, "candidate:", 10) == 0) ||
	    (w == 7 && memcmp(w0, "config:", 7) == 0))
		return h_cfg_detail(w0, w, r, rl, ev);
	if ((w == 10 && memcmp(w0, "activating", 10) == 0))
		return h_task(w0, w, r, rl, ev);
	if (is_enum_name(w0, w)) {
		TRY(h_task(w0, w, r, rl, ev));
		TRY(h_invalid(w0, w, r, rl, ev));
		return h_msg_detail(w0, w, r, rl, ev);
	}
	TRY(h_config_dump(s, n, ev));
	TRY(h_knl_listing(s, n, ev));
	if (is_ts_token(s, n)) {
		PUT_LIT(ev->variant, "ts");
		return CHARON_CONFIG_LOOKUP;
	}
	if (is_hostc((unsigned char)s[0]) && w < CHARON_ADDR_LEN + 8)
		return h_addr_first(s, n, ev);
	return CHARON_OTHER;

endpoint:
	{
		struct charon_endpoint *ep = ev->variant[0] == 'l' ? &ev->local :
		    &ev->remote;
		struct charon_endpoint old;

		memset(&old, 0, sizeof(old));
		if (!cur_host(&r, &rl, &old, 0) || !cur_lit(&r, &rl, " to ") ||
		    !cur_host(&r, &rl, ep, 0) || rl != 0)
			return CHARON_OTHER;
		PUT(ev->detail, old.addr, strlen(old.addr));
		return CHARON_ENDPOINT_CHANGED;
	}
}

/* ------------------------------------------------------------------------ */
/* Dispatch on the first word. */

#define WORD_IS(lit) (w == sizeof(lit) - 1 && memcmp(s, lit, w) == 0)

static int
classify_base(const char *s, size_t n, struct charon_event *ev)
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

/* The formats of the original dispatch first, then the level 1/2 coverage
 * formats; what the first half-filled is wiped before the second runs. */
static int
classify(const char *s, size_t n, struct charon_event *ev)
{
	int k = classify_base(s, n, ev);

	if (k != CHARON_OTHER)
		return k;
	clear_content(ev);
	return classify_more(s, n, ev);
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
