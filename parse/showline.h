/*
 * showline.h — a stored log line as a person reads it:
 *
 *   2024-06-18T00:31:17Z vedge01 charon: 16[IKE] giving up after 5 retransmits
 *
 * the device time (UTC, as the events have it), the host, the program and
 * the message, instead of the raw frame ("<30>Jun 18 00:31:17 vedge01
 * charon[812]: ..." or an RFC 5424 header with structured data).  Used by
 * `timeline`, `incidents --json` and the report (md, html, json);
 * `--raw` shows the frame as received (docs/querying.md, docs/report.md).
 */
#ifndef TW_SHOWLINE_H
#define TW_SHOWLINE_H

#include <stddef.h>
#include <stdint.h>

#define SHOWLINE_NO_TIME INT64_MIN
#define SHOWLINE_F_NOTIME 0x1u    /* leave the time out (a column shows it) */

/*
 * raw[0..len) shown as "TIME HOST PROGRAM: MESSAGE".  TIME is device_us
 * (SHOWLINE_NO_TIME: the header's timestamp as written, if any); a part
 * the header lacks is left out; a line without a header we understand is
 * returned as it is, after TIME.  Returns a malloc'd string, NULL only
 * when out of memory.
 */
char *showline_format(const char *raw, size_t len, int64_t device_us, unsigned flags);

#endif
