/*
 * charon_json.c — struct charon_event → jansson object.
 *
 * Only fields that are set are added: strings when non-empty, numbers when
 * their CHARON_HAS_* bit (or, for thread/level, a non-negative value) says
 * so.  Key names are stable; they are read back by the report code.
 *
 * Strings come from the network and may be invalid UTF-8, which jansson
 * rejects (json_stringn returns NULL).  Such a string is added as a
 * sanitized copy with every byte that does not start a well-formed sequence
 * (RFC 3629 §4 table) replaced by U+FFFD, so no field is ever dropped.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "parse_charon.h"

/* Longest string field in struct charon_event, including its NUL. */
#define CHARON_JSON_MAXFIELD CHARON_PAYLOADS_LEN
_Static_assert(CHARON_ID_LEN <= CHARON_JSON_MAXFIELD &&
    CHARON_TS_LEN <= CHARON_JSON_MAXFIELD &&
    CHARON_DETAIL_LEN <= CHARON_JSON_MAXFIELD &&
    CHARON_NAME_LEN <= CHARON_JSON_MAXFIELD &&
    CHARON_ADDR_LEN <= CHARON_JSON_MAXFIELD,
    "json_str_safe buffer too small for a field");

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0 (RFC 3629 §4). */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;          /* no overlongs */
		else if (c == 0xED)
			hi = 0x9F;          /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;          /* <= U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

/* A JSON string for s[0..n): as is when valid UTF-8, else sanitized.
 * Returns a new reference or NULL on allocation failure. */
static json_t *
json_str_safe(const char *s, size_t n)
{
	char tmp[3 * CHARON_JSON_MAXFIELD + 1];
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, o = 0;
	json_t *j;

	j = json_stringn(s, n);
	if (j != NULL)
		return j;
	while (i < n && o + 3 < sizeof(tmp)) {
		size_t k = utf8_seq_len(u + i, n - i);

		if (k == 0) {
			tmp[o++] = (char)0xEF;
			tmp[o++] = (char)0xBF;
			tmp[o++] = (char)0xBD;
			i++;
		} else {
			if (o + k >= sizeof(tmp))
				break;
			memcpy(tmp + o, s + i, k);
			o += k;
			i += k;
		}
	}
	return json_stringn(tmp, o);
}

/* Each add_* returns 0 or -1; the caller ORs the results. */
static int
add_str(json_t *obj, const char *key, const char *s)
{
	if (s[0] == '\0')
		return 0;
	return json_object_set_new(obj, key, json_str_safe(s, strlen(s)));
}

static int
add_int(json_t *obj, const char *key, uint64_t v)
{
	/* json_int_t is signed 64-bit: clamp the (theoretical) top half */
	if (v > (uint64_t)INT64_MAX)
		v = (uint64_t)INT64_MAX;
	return json_object_set_new(obj, key, json_integer((json_int_t)v));
}

static int
add_spi(json_t *obj, const char *key, uint32_t spi)
{
	char hex[9];

	/* as charon prints it (%.8x), to match kernel lines and other logs */
	snprintf(hex, sizeof(hex), "%08x", (unsigned)spi);
	return json_object_set_new(obj, key, json_string(hex));
}

static int
add_endpoint(json_t *obj, const char *prefix, const struct charon_endpoint *ep)
{
	char key[32];
	int rc = 0;

	snprintf(key, sizeof(key), "%s_addr", prefix);
	rc |= add_str(obj, key, ep->addr);
	if (ep->has_port) {
		snprintf(key, sizeof(key), "%s_port", prefix);
		rc |= add_int(obj, key, ep->port);
	}
	snprintf(key, sizeof(key), "%s_id", prefix);
	rc |= add_str(obj, key, ep->id);
	return rc;
}

static int
add_ke(json_t *obj, const char *key, const char *numkey, const char *t)
{
	int rc = 0, g;

	if (t[0] == '\0')
		return 0;
	rc |= add_str(obj, key, t);
	g = charon_ke_group_number(t);
	if (g >= 0)
		rc |= add_int(obj, numkey, (uint64_t)g);
	return rc;
}

static int
add_proposals(json_t *obj, const struct charon_event *ev)
{
	json_t *arr = json_array();
	unsigned i, k;
	int rc = 0;

	if (arr == NULL)
		return -1;
	for (i = 0; i < ev->nproposals && i < CHARON_PROPOSALS_MAX; i++) {
		const struct charon_proposal *pr = &ev->proposals[i];
		json_t *p = json_object(), *xf = json_array();

		if (p == NULL || xf == NULL) {
			json_decref(p);
			json_decref(xf);
			rc = -1;
			break;
		}
		for (k = 0; k < pr->ntransforms && k < CHARON_TRANSFORMS_MAX; k++)
			rc |= json_array_append_new(xf, json_str_safe(
			    pr->transforms[k], strlen(pr->transforms[k])));
		rc |= json_object_set_new(p, "protocol",
		    json_str_safe(pr->protocol, strlen(pr->protocol)));
		rc |= json_object_set_new(p, "transforms", xf);
		if (pr->truncated)
			rc |= json_object_set_new(p, "truncated", json_true());
		rc |= json_array_append_new(arr, p);
	}
	rc |= json_object_set_new(obj, "proposals", arr);
	if (ev->proposals_truncated)
		rc |= json_object_set_new(obj, "proposals_truncated",
		    json_true());
	return rc;
}

static int
add_payload_flags(json_t *obj, uint32_t flags)
{
	json_t *arr;
	int i, rc = 0;

	if (flags & CHARON_PL_EMPTY)
		rc |= json_object_set_new(obj, "is_empty", json_true());
	if ((flags & ~(uint32_t)CHARON_PL_EMPTY) == 0)
		return rc;
	arr = json_array();
	if (arr == NULL)
		return -1;
	for (i = 1; i < CHARON_PL_COUNT; i++)
		if (flags & (1u << i))
			rc |= json_array_append_new(arr,
			    json_string(charon_payload_flag_name(i)));
	return rc | json_object_set_new(obj, "payload_flags", arr);
}

int
charon_event_to_json(const struct charon_event *ev, json_t *obj)
{
	static const char *const framing[] = { "bare", "thread", "vendor" };
	const char *kind;
	uint32_t h;
	int rc = 0;

	if (ev == NULL || obj == NULL || !json_is_object(obj))
		return -1;
	h = ev->has;
	kind = charon_kind_name(ev->kind);
	rc |= json_object_set_new(obj, "kind",
	    json_string(kind != NULL ? kind : "charon_other"));
	if (ev->framing >= 0 && ev->framing <= CHARON_FRAME_VENDOR)
		rc |= json_object_set_new(obj, "framing",
		    json_string(framing[ev->framing]));
	if (ev->thread >= 0)
		rc |= add_int(obj, "thread", (uint64_t)ev->thread);
	rc |= add_str(obj, "group", ev->group);
	if (ev->level >= 0)
		rc |= add_int(obj, "level", (uint64_t)ev->level);
	rc |= add_str(obj, "conn", ev->conn);
	if (h & CHARON_HAS_CONN_UID)
		rc |= add_int(obj, "conn_uid", ev->conn_uid);

	rc |= add_str(obj, "ike_name", ev->ike_name);
	if (h & CHARON_HAS_IKE_UID)
		rc |= add_int(obj, "ike_uid", ev->ike_uid);
	rc |= add_str(obj, "child_name", ev->child_name);
	if (h & CHARON_HAS_CHILD_UID)
		rc |= add_int(obj, "child_uid", ev->child_uid);
	rc |= add_str(obj, "new_child_name", ev->new_child_name);
	if (h & CHARON_HAS_NEW_CHILD_UID)
		rc |= add_int(obj, "new_child_uid", ev->new_child_uid);

	rc |= add_endpoint(obj, "local", &ev->local);
	rc |= add_endpoint(obj, "remote", &ev->remote);

	if (h & CHARON_HAS_SPIS) {
		rc |= add_spi(obj, "spi_in", ev->spi_in);
		rc |= add_spi(obj, "spi_out", ev->spi_out);
	}
	if (h & CHARON_HAS_NEW_SPIS) {
		rc |= add_spi(obj, "new_spi_in", ev->new_spi_in);
		rc |= add_spi(obj, "new_spi_out", ev->new_spi_out);
	}
	if (h & CHARON_HAS_SPI)
		rc |= add_spi(obj, "spi", ev->spi);
	rc |= add_str(obj, "protocol", ev->protocol);
	if (h & CHARON_HAS_UNKNOWN_SA)
		rc |= json_object_set_new(obj, "unknown_sa", json_true());
	if (h & CHARON_HAS_BYTES) {
		rc |= add_int(obj, "bytes_in", ev->bytes_in);
		rc |= add_int(obj, "bytes_out", ev->bytes_out);
	}
	rc |= add_str(obj, "ts_local", ev->ts_local);
	rc |= add_str(obj, "ts_remote", ev->ts_remote);

	if (h & CHARON_HAS_COUNT)
		rc |= add_int(obj, "count", ev->count);
	if (h & CHARON_HAS_COUNT_MAX)
		rc |= add_int(obj, "count_max", ev->count_max);
	if (h & CHARON_HAS_SECONDS)
		rc |= add_int(obj, "seconds", ev->seconds);
	if (h & CHARON_HAS_MSGID)
		rc |= add_int(obj, "msgid", ev->msgid);
	if (h & CHARON_HAS_SEQ)
		rc |= add_int(obj, "seq", ev->seq);
	if (h & CHARON_HAS_SIZE)
		rc |= add_int(obj, "size", ev->size);
	if (h & CHARON_HAS_RETX_TRIES)
		rc |= add_int(obj, "retx_tries", ev->retx_tries);
	if (h & CHARON_HAS_RETX_TIMEOUT)
		rc |= add_int(obj, "retx_timeout", ev->retx_timeout);
	if (h & CHARON_HAS_RETX_EXCHANGE)
		rc |= add_int(obj, "retx_exchange", ev->retx_exchange);
	if (h & CHARON_HAS_RETX_STATE)
		rc |= add_int(obj, "retx_state", ev->retx_state);

	rc |= add_str(obj, "exchange", ev->exchange);
	if (ev->is_response == 0 || ev->is_response == 1)
		rc |= json_object_set_new(obj, "message_type",
		    json_string(ev->is_response ? "response" : "request"));
	if (h & CHARON_HAS_PAYLOADS) {
		rc |= json_object_set_new(obj, "payloads",
		    json_str_safe(ev->payloads, strlen(ev->payloads)));
		rc |= add_payload_flags(obj, ev->payload_flags);
	}

	rc |= add_str(obj, "notify", ev->notify);
	rc |= add_ke(obj, "ke_offered", "ke_offered_group", ev->ke_offered);
	rc |= add_ke(obj, "ke_requested", "ke_requested_group",
	    ev->ke_requested);
	rc |= add_str(obj, "auth_method", ev->auth_method);
	rc |= add_str(obj, "variant", ev->variant);
	rc |= add_str(obj, "detail", ev->detail);
	if (h & CHARON_HAS_PROPOSALS)
		rc |= add_proposals(obj, ev);
	return rc != 0 ? -1 : 0;
}
