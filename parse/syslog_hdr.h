/*
 * syslog_hdr.h — split one framed syslog line into its header and message.
 *
 * Stage: framing.c → syslog_hdr.c → parse_charon.c / parse_ftmd.c.
 *
 * syslog_parse() recognises the header shapes seen on and around Cisco
 * SD-WAN vEdge / cEdge devices (docs/log-formats.md#syslog-headers):
 *
 *   RFC 3164   [<PRI>][ ]Mmm dd hh:mm:ss [HOST ]TAG[PID]: MSG
 *              (also a `facility.severity:` prefix, BusyBox's "HOST
 *              facility.severity[:] TAG:", an RFC 3339 or a ctime
 *              "Wed Jul  6 17:35:58 2022" timestamp, no host, pfSense's
 *              colon-less "charon 16[IKE] ...", "TAG[PID] MSG")
 *   RFC 5424   <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD [MSG]
 *   Cisco IOS  [<PRI>][seq: ][origin: ][*|.]Mmm dd [yyyy ]hh:mm:ss[.fff][ TZ]: %FAC-...
 *
 * It is a pure function: no allocation, no globals, no I/O and no reliance
 * on NUL termination.  Every string result is a span (offset, length) into
 * the caller's buffer; a span of length 0 means "absent or empty".
 */
#ifndef TW_SYSLOG_HDR_H
#define TW_SYSLOG_HDR_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"

enum syslog_status {
	SYSLOG_OK = 0,
	SYSLOG_NOHDR = 1,	/* no recognisable header: msg = whole input */
	SYSLOG_BADPRI = 2	/* '<' but bad PRI: treated as no PRI, rest
				 * parsed if possible (format says whether a
				 * header was found after it) */
};

enum syslog_format {
	SYSLOG_FMT_NONE,
	SYSLOG_FMT_RFC3164,
	SYSLOG_FMT_RFC5424,
	SYSLOG_FMT_IOS
};

/* Longest input handled; spans are 32-bit.  Longer input is cut here. */
#define SYSLOG_MAX_INPUT	UINT32_MAX

struct syslog_time {		/* broken-down time as written in the line */
	int	year;		/* 0 = not in the line (RFC 3164, IOS) */
	int	mon, mday, hour, min, sec;	/* mon 1..12, sec 0..60 */
	int	usec;		/* fraction, 0 if none */
	int	frac_digits;	/* digits written after the '.', 0 if none */
	int	has_tz;		/* 1: tz_off_min is explicit (5424 / 3339,
				 * or IOS "UTC"/"GMT") */
	int	tz_off_min;	/* minutes east of UTC */
	int	unsynced;	/* IOS leading '*' (clock not set) or '.'
				 * (NTP sync lost) */
};

struct syslog_hdr {
	int	status;		/* enum syslog_status */
	int	format;		/* enum syslog_format */
	int	pri;		/* -1 when absent */
	int	facility, severity;	/* -1 when unknown; from PRI, else from
					 * a `facility.severity:` prefix */
	int	has_time;
	struct syslog_time time;
	int	seq;		/* IOS sequence number `123: `, -1 absent */
	struct span prefix;	/* the `daemon.info` text if present */
	struct span timestamp;	/* the timestamp text as written */
	struct span tzname;	/* IOS time zone abbreviation (`UTC`) */
	struct span hostname;	/* HOST, or the IOS origin-id */
	struct span app;	/* program / TAG / APP-NAME */
	struct span procid;	/* pid between brackets / PROCID */
	struct span msgid;	/* RFC 5424 only */
	struct span sd;		/* RFC 5424 STRUCTURED-DATA, all elements */
	struct span msg;	/* the message after the tag */
};

/*
 * Parses the first len bytes of buf.  Always fills *out, and returns
 * out->status.  On SYSLOG_NOHDR (and on SYSLOG_BADPRI with format
 * SYSLOG_FMT_NONE) msg covers the whole input and every other span is
 * empty.  Otherwise msg runs from the end of the header to the end of the
 * input.  Spans point into buf; the caller keeps buf alive.  buf may be
 * NULL only with len 0.
 */
int	syslog_parse(const char *buf, size_t len, struct syslog_hdr *out);

/*
 * Turns a parsed time into microseconds since the epoch, UTC.  For a line
 * without a year (RFC 3164 / IOS) the year is inferred from ref_us (the
 * receive time, or a file's mtime on import): the latest year Y for which
 * the timestamp is <= ref_us + 1 day, so "Dec 31 23:59:59" received on
 * Jan 1 belongs to the old year and "Jan 1 00:00:01" received at
 * Dec 31 23:59:58 (sender clock slightly ahead) to the new one.  Feb 29
 * lands in a leap year, searching back up to 8 years.  A time without an
 * explicit offset is taken to be tz_off_min minutes east of UTC.
 * Returns 0 and sets *out_us, or -1 (*out_us untouched) when a field is
 * out of range or no year fits.
 */
int	syslog_time_to_us(const struct syslog_time *t, int64_t ref_us,
	    int tz_off_min, int64_t *out_us);

/* "kern" .. "local7" for 0..23; NULL when out of range.  Static strings. */
const char *syslog_facility_name(int facility);

/* "emerg" .. "debug" for 0..7; NULL when out of range.  Static strings. */
const char *syslog_severity_name(int severity);

#endif
