/*
 * domain.c — classification of a parsed line.  See domain.h.
 *
 * charon: the program tag starts with "charon" (charon, charon-systemd), or
 * there is no tag and the body starts with charon's "NN[GRP] " (OpenWrt
 * exports, bare lines).  Viptela: the body starts with "%Viptela-" or
 * "%Cisco-SDWAN-", whatever the program (FTMD, SYSMGR, VDAEMON_0, none).
 */
#include "domain.h"

#include <stdlib.h>
#include <string.h>

struct domain_scratch *
domain_scratch_new(void)
{
	return calloc(1, sizeof(struct domain_scratch));
}

void
domain_scratch_free(struct domain_scratch *ds)
{
	free(ds);
}

static int
domain_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "NN[" with two digits: charon's thread prefix. */
static int
domain_looks_charon(const char *p, size_t n)
{
	return n >= 7 && domain_is_digit(p[0]) && domain_is_digit(p[1]) && p[2] == '[';
}

static int
domain_starts(const char *p, size_t n, const char *lit)
{
	size_t l = strlen(lit);

	return n >= l && memcmp(p, lit, l) == 0;
}

/*
 * A line with no syslog header may still be charon's: pasted from a
 * terminal or a notebook as "charon: 16[IKE] ...", "charon[12]: ...", or
 * with only a time of day, "00:24:08 11[ENC] ..." (the field guide's own
 * excerpts).  Returns the offset of charon's text, or -1.
 */
static long
domain_bare_charon(const char *p, size_t n)
{
	if (domain_looks_charon(p, n))
		return 0;
	if (n > 16 && domain_is_digit(p[0]) && domain_is_digit(p[1]) && p[2] == ':' &&
	    domain_is_digit(p[3]) && domain_is_digit(p[4]) && p[5] == ':' &&
	    domain_is_digit(p[6]) && domain_is_digit(p[7]) && p[8] == ' ' &&
	    domain_looks_charon(p + 9, n - 9))
		return 9;
	if (domain_starts(p, n, "charon") && n > 7 &&
	    (p[6] == ':' || p[6] == '[' || p[6] == ' ' || p[6] == '-'))
		return 0;       /* charon_parse() skips the program tag itself */
	return -1;
}

int
domain_classify(const struct ingest_row *row, struct domain_scratch *ds)
{
	const struct syslog_hdr *h = &row->hdr;
	const char *msg = row->raw + h->msg.off;
	size_t mlen = h->msg.len;
	const char *app = row->raw + h->app.off;
	long bare;
	size_t lead;

	ds->body = msg;
	ds->body_len = mlen;
	if (row->status == INGEST_NO_HEADER && (bare = domain_bare_charon(msg, mlen)) >= 0) {
		ds->body = msg + bare;
		ds->body_len = mlen - (size_t)bare;
		if (charon_parse(ds->body, ds->body_len, &ds->ch) == 0)
			return ds->source = DOMAIN_CHARON;
		return ds->source = DOMAIN_UNPARSED;
	}
	if (row->status == INGEST_NO_HEADER && !domain_starts(msg, mlen, "%Viptela-") &&
	    !domain_starts(msg, mlen, "%Cisco-SDWAN-"))
		return ds->source = DOMAIN_UNPARSED;
	/* A relay's RFC 5424 template keeps the blank after an RFC 3164 tag
	 * ("FTMD 1472 - -  %Viptela-..."): the tag may follow blanks
	 * (ftmd_parse() skips them too). */
	for (lead = 0; lead < mlen && lead < 4 && msg[lead] == ' '; lead++)
		;
	if (domain_starts(msg + lead, mlen - lead, "%Viptela-") ||
	    domain_starts(msg + lead, mlen - lead, "%Cisco-SDWAN-")) {
		if (ftmd_parse(msg, mlen, &ds->ft) == 0)
			return ds->source = DOMAIN_VIPTELA;
		return ds->source = DOMAIN_OTHER;
	}
	if ((h->app.len >= 6 && memcmp(app, "charon", 6) == 0) ||
	    (h->app.len == 0 && domain_looks_charon(msg, mlen))) {
		if (mlen > 0 && charon_parse(msg, mlen, &ds->ch) == 0)
			return ds->source = DOMAIN_CHARON;
	}
	return ds->source = row->status == INGEST_NO_HEADER ? DOMAIN_UNPARSED : DOMAIN_OTHER;
}

const char *
domain_kind_name(const struct domain_scratch *ds)
{
	const char *k = NULL;

	switch (ds->source) {
	case DOMAIN_CHARON:
		k = charon_kind_name(ds->ch.kind);
		break;
	case DOMAIN_VIPTELA:
		k = ftmd_kind_name(ds->ft.kind);
		break;
	case DOMAIN_UNPARSED:
		return "unparsed";
	}
	return k != NULL ? k : "other";
}

void
domain_describe(const struct domain_scratch *ds, json_t *o)
{
	json_object_set_new(o, "kind", json_string(domain_kind_name(ds)));
	if (ds->source == DOMAIN_CHARON) {
		json_object_set_new(o, "source", json_string("charon"));
		charon_event_to_json(&ds->ch, (struct json_t *)o);
	} else if (ds->source == DOMAIN_VIPTELA) {
		json_object_set_new(o, "source", json_string("viptela"));
		ftmd_event_to_json(&ds->ft, ds->body, o);
	}
}

int
domain_interface_of(const char *name, size_t len, char *out, size_t outsz)
{
	size_t i = 0, digits;

	if (len >= 6 && strncmp(name, "child_", 6) == 0) {
		name += 6;
		len -= 6;
	}
	if (len < 6 || strncasecmp(name, "ipsec", 5) != 0)
		return 0;
	for (i = 5, digits = 0; i < len && domain_is_digit(name[i]); i++)
		digits++;
	if (digits == 0 || digits > 5)
		return 0;
	/* ipsecN, or ipsecN_M (vEdge's IKE_SA / child naming) */
	if (i < len) {
		size_t j = i + 1;
		if (name[i] != '_' || j == len)
			return 0;
		for (; j < len; j++)
			if (!domain_is_digit(name[j]))
				return 0;
	}
	if (i + 1 > outsz)
		return 0;
	for (size_t k = 0; k < i; k++)
		out[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
	out[i] = '\0';
	return 1;
}
