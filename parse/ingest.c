/*
 * ingest.c — escape, parse the header, resolve the time.  See ingest.h.
 */
#include "ingest.h"
#include "tzif.h"

#include <string.h>

/* Bytes that would corrupt a terminal or a log viewer are stored as #ooo,
 * the way rsyslog's EscapeControlCharactersOnReceive does; TAB is kept. */
static int
ingest_is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static size_t
ingest_escape(const char *in, size_t len, char *out)
{
	static const char oct[] = "01234567";
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		if (ingest_is_control(c)) {
			out[o++] = '#';
			out[o++] = oct[(c >> 6) & 7];
			out[o++] = oct[(c >> 3) & 7];
			out[o++] = oct[c & 7];
		} else {
			out[o++] = (char)c;
		}
	}
	return o;
}

/*
 * The device time of t in zone z (an IANA zone): the year inferred against
 * the reference read as the zone's local time, then local to UTC with the
 * arrival-order rule of tzstate.h for the repeated autumn hour.
 */
static int
ingest_zone_time(const struct syslog_time *t, int64_t ref_us, const struct tzif *z,
    struct tzs *tzs, uint64_t key, int64_t *out_us, int *tz_flags)
{
	int64_t ref_s = ref_us / 1000000 - (ref_us % 1000000 < 0), local_us;

	ref_us += (int64_t)tzif_offset_at(z, ref_s, NULL) * 1000000;
	if (syslog_time_to_us(t, ref_us, 0, &local_us) != 0)
		return -1;
	return tzs_local_to_utc(tzs, key, z, local_us, out_us, tz_flags);
}

void
ingest_prepare(const struct config *cfg, const char *line, size_t len,
    int64_t ref_us, int year_override, int in_flags, char *scratch,
    struct ingest_row *out)
{
	ingest_prepare_ctx(cfg, NULL, line, len, ref_us, year_override, in_flags,
	    scratch, out);
}

void
ingest_prepare_ctx(const struct config *cfg, const struct ingest_ctx *ctx,
    const char *line, size_t len, int64_t ref_us, int year_override, int in_flags,
    char *scratch, struct ingest_row *out)
{
	size_t i;
	int rc;

	memset(out, 0, sizeof *out);
	out->flags = in_flags;
	out->raw = line;
	out->raw_len = len;
	out->device_us = INT64_MIN;
	for (i = 0; i < len; i++) {
		if (ingest_is_control((unsigned char)line[i])) {
			out->raw_len = ingest_escape(line, len, scratch);
			out->raw = scratch;
			out->flags |= INGEST_F_ESCAPED;
			break;
		}
	}

	syslog_parse(out->raw, out->raw_len, &out->hdr);
	if (out->hdr.status == SYSLOG_NOHDR)
		out->status = INGEST_NO_HEADER;
	else if (out->hdr.status == SYSLOG_BADPRI)
		out->status = INGEST_BAD_PRI;
	if (out->hdr.has_time) {
		struct syslog_time t = out->hdr.time;
		const char *host = out->raw + out->hdr.hostname.off;
		size_t hlen = out->hdr.hostname.len;
		int family = ctx != NULL ? ctx->family : 0;
		const uint8_t *addr = ctx != NULL ? ctx->addr : NULL;
		struct cfg_zone z = cfg_zone_for(cfg, host, hlen, family, addr);

		if (t.year == 0 && year_override > 0)
			t.year = year_override;
		/* A line that carries its offset (RFC 5424, RFC 3339) keeps it:
		 * the zone only reads times written without one. */
		if (z.zone != NULL && !t.has_tz)
			rc = ingest_zone_time(&t, ref_us, z.zone, ctx != NULL ? ctx->tzs : NULL,
			    tzs_key(host, hlen, family, addr), &out->device_us,
			    &out->tz_flags);
		else
			rc = syslog_time_to_us(&t, ref_us, z.off_min, &out->device_us);
		if (rc != 0) {
			out->device_us = INT64_MIN;
			if (out->status == INGEST_OK)
				out->status = INGEST_BAD_TIME;
		}
	}
}

const char *
ingest_status_name(int status)
{
	switch (status) {
	case INGEST_OK:
		return "ok";
	case INGEST_NO_HEADER:
		return "no_header";
	case INGEST_BAD_PRI:
		return "bad_pri";
	case INGEST_BAD_TIME:
		return "bad_time";
	}
	return "unknown";
}
