/*
 * ingest.c — escape, parse the header, resolve the time.  See ingest.h.
 */
#include "ingest.h"

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

void
ingest_prepare(const struct config *cfg, const char *line, size_t len,
    int64_t ref_us, int year_override, int in_flags, char *scratch,
    struct ingest_row *out)
{
	size_t i;
	int tz;

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
		if (t.year == 0 && year_override > 0)
			t.year = year_override;
		tz = cfg_tz_for_host(cfg, out->raw + out->hdr.hostname.off,
		    out->hdr.hostname.len);
		if (syslog_time_to_us(&t, ref_us, tz, &out->device_us) != 0) {
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
