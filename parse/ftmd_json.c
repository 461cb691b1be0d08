/*
 * ftmd_json.c — turns a parsed Viptela / Cisco SD-WAN event into JSON
 * fields (jansson), for the store and the report.
 *
 * Kept apart from parse_ftmd.c so that the parser stays a pure function
 * with no library dependency (and the fuzzer links the parser alone).
 *
 * Strings come from the wire and may be invalid UTF-8, which jansson
 * refuses (json_stringn returns NULL).  They are then copied with every
 * byte that does not start a valid sequence replaced by U+FFFD, using the
 * same validity rules as jansson (no overlongs, no surrogates, nothing
 * above U+10FFFF).  NUL bytes are valid UTF-8 and are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "parse_ftmd.h"

/* Length of the valid UTF-8 sequence at s[0..n), 0 if it is not one. */
static size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t need, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		need = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		need = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		need = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need;
}

/*
 * A JSON string for s[0..n); invalid UTF-8 is replaced by U+FFFD in a
 * temporary copy.  Returns a new reference, or NULL when out of memory.
 */
static json_t *
json_str(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	json_t *j;
	char *tmp;
	size_t i, o, k;

	if ((j = json_stringn(s, n)) != NULL)
		return j;
	if (n > ((size_t)-1 - 1) / 3)
		return NULL;
	if ((tmp = malloc(n * 3 + 1)) == NULL)
		return NULL;
	for (i = 0, o = 0; i < n; ) {
		k = utf8_seq_len(u + i, n - i);
		if (k > 0) {
			memcpy(tmp + o, s + i, k);
			o += k;
			i += k;
		} else {
			memcpy(tmp + o, "\xEF\xBF\xBD", 3);	/* U+FFFD */
			o += 3;
			i++;
		}
	}
	j = json_stringn(tmp, o);
	free(tmp);
	return j;
}

/* Sets obj[key] to a string made from span s; skipped when s is empty. */
static int
set_span(json_t *obj, const char *key, const char *base, struct span s)
{
	json_t *j;

	if (s.len == 0)
		return 0;
	if ((j = json_str(span_ptr(base, s), s.len)) == NULL)
		return -1;
	return json_object_set_new(obj, key, j);
}

static int
set_int(json_t *obj, const char *key, long v)
{
	json_t *j;

	if ((j = json_integer(v)) == NULL)
		return -1;
	return json_object_set_new(obj, key, j);
}

static int
set_cstr(json_t *obj, const char *key, const char *s)
{
	json_t *j;

	if ((j = json_string(s)) == NULL)
		return -1;
	return json_object_set_new(obj, key, j);
}

/* "fields": every kept pair; the first of duplicated keys wins. */
static int
set_fields(json_t *obj, const struct ftmd_event *ev, const char *base)
{
	json_t *fields, *j;
	const char *k;
	int i;

	if ((fields = json_object()) == NULL)
		return -1;
	for (i = 0; i < ev->n_kv && i < FTMD_MAX_KV; i++) {
		k = span_ptr(base, ev->kv[i].key);
		if (json_object_getn(fields, k, ev->kv[i].key.len) != NULL)
			continue;
		if ((j = json_str(span_ptr(base, ev->kv[i].val),
		    ev->kv[i].val.len)) == NULL)
			goto fail;
		/* keys are [A-Za-z][A-Za-z0-9_.-]* (parser), so valid UTF-8 */
		if (json_object_setn_new(fields, k, ev->kv[i].key.len, j) != 0)
			goto fail;
	}
	return json_object_set_new(obj, "fields", fields);
fail:
	json_decref(fields);
	return -1;
}

int
ftmd_event_to_json(const struct ftmd_event *ev, const char *base,
    struct json_t *obj)
{
	const char *kind = ftmd_kind_name(ev->kind);
	char ts[80];	/* fits six ints of any value */

	if (ev->vendor == FTMD_VENDOR_VIPTELA &&
	    set_cstr(obj, "vendor", "viptela") != 0)
		return -1;
	if (ev->vendor == FTMD_VENDOR_CISCO_SDWAN &&
	    set_cstr(obj, "vendor", "cisco-sdwan") != 0)
		return -1;
	if (set_span(obj, "tag_host", base, ev->tag_host) != 0 ||
	    set_span(obj, "proc", base, ev->proc) != 0 ||
	    set_span(obj, "mnemonic", base, ev->mnemonic) != 0)
		return -1;
	if (ev->tag_severity >= 0 &&
	    set_int(obj, "tag_severity", ev->tag_severity) != 0)
		return -1;
	if (ev->msgid >= 0 && set_int(obj, "msgid", ev->msgid) != 0)
		return -1;
	if (set_cstr(obj, "kind", kind != NULL ? kind : "viptela_other") != 0)
		return -1;
	if (set_span(obj, "event", base, ev->event) != 0)
		return -1;
	if (ev->has_notif_time) {
		/* the device's clock; the time zone is not on the wire */
		snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d",
		    ev->n_year, ev->n_mon, ev->n_mday, ev->n_hour, ev->n_min,
		    ev->n_sec);
		if (set_cstr(obj, "notif_time", ts) != 0)
			return -1;
	}
	if (set_span(obj, "severity_level", base, ev->severity_level) != 0 ||
	    set_span(obj, "host_name", base, ev->host_name) != 0 ||
	    set_span(obj, "system_ip", base, ev->system_ip) != 0 ||
	    set_span(obj, "vpn_id", base, ev->vpn_id) != 0 ||
	    set_span(obj, "if_name", base, ev->if_name) != 0 ||
	    set_span(obj, "new_state", base, ev->new_state) != 0)
		return -1;
	if (ev->vpn >= 0 && set_int(obj, "vpn", ev->vpn) != 0)
		return -1;
	if (ev->state_up >= 0 && set_int(obj, "state_up", ev->state_up) != 0)
		return -1;
	if (set_span(obj, "body", base, ev->body) != 0)
		return -1;
	if (ev->n_dropped_fields > 0 &&
	    set_int(obj, "dropped_fields", ev->n_dropped_fields) != 0)
		return -1;
	if (ev->n_kv > 0 && set_fields(obj, ev, base) != 0)
		return -1;
	return 0;
}
