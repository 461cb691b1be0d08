/*
 * showline.c — a stored line as "device-time host program: message"
 * (showline.h).  The header is split by syslog_parse(), the same parser
 * that stored the line, so what is shown is what was understood.
 */
#include "showline.h"
#include "syslog_hdr.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static size_t
showline_put(char *out, size_t at, const char *p, size_t n)
{
	memcpy(out + at, p, n);
	return at + n;
}

char *
showline_format(const char *raw, size_t len, int64_t device_us, unsigned flags)
{
	struct syslog_hdr h;
	char ts[48], *out;
	size_t tl = 0, at = 0;

	if (raw == NULL)
		raw = "", len = 0;
	if (len > SYSLOG_MAX_INPUT)
		len = SYSLOG_MAX_INPUT;
	syslog_parse(raw, len, &h);
	if (flags & SHOWLINE_F_NOTIME) {
		/* no time */
	} else if (device_us != SHOWLINE_NO_TIME) {
		util_format_iso(ts, sizeof ts, device_us, 0);
		tl = strlen(ts);
	} else if (h.timestamp.len > 0 && h.timestamp.len < sizeof ts) {
		span_copy(ts, sizeof ts, raw, h.timestamp);
		tl = h.timestamp.len;
	}
	/* time, space, host, space, program, ": ", message, NUL */
	if ((out = malloc(tl + len + 8)) == NULL)
		return NULL;
	if (tl > 0) {
		at = showline_put(out, at, ts, tl);
		out[at++] = ' ';
	}
	if (h.format == SYSLOG_FMT_NONE) {
		at = showline_put(out, at, raw, len);
		out[at] = '\0';
		return out;
	}
	if (h.hostname.len > 0) {
		at = showline_put(out, at, span_ptr(raw, h.hostname), h.hostname.len);
		out[at++] = ' ';
	}
	if (h.app.len > 0) {
		at = showline_put(out, at, span_ptr(raw, h.app), h.app.len);
		out[at++] = ':';
		out[at++] = ' ';
	}
	at = showline_put(out, at, span_ptr(raw, h.msg), h.msg.len);
	while (at > 0 && out[at - 1] == ' ')
		at--;
	out[at] = '\0';
	return out;
}
