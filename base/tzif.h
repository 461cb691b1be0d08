/*
 * tzif.h — IANA time zones from the system's tzdata, for devices that log
 * RFC 3164 timestamps (no year, no offset) in a local time with daylight
 * saving time.
 *
 * tzif_load() reads /usr/share/zoneinfo/NAME (TZif, RFC 8536, versions 1
 * to 4); tzif_parse() is the pure parser behind it, over (buf, len).  After
 * loading, a zone is immutable: every query is a pure function of it, safe
 * from any thread.  The process's TZ, localtime() and setenv() are never
 * used (process-global state, not thread-safe).
 *
 * Times after the file's last transition follow its POSIX TZ footer
 * (`CET-1CEST,M3.5.0,M10.5.0/3`): std/dst names plain or <quoted>, offsets
 * [+-]hh[:mm[:ss]], rules Mm.w.d, Jn and n, each with an optional /time
 * (hours -167..167, as TZif v3 allows).  Leap-second records are skipped
 * (the "right/" zones are not meant for syslog timestamps).
 */
#ifndef TW_TZIF_H
#define TW_TZIF_H

#include <stddef.h>
#include <stdint.h>

#define TZIF_DIR        "/usr/share/zoneinfo"
#define TZIF_MAX_FILE   (256 * 1024)  /* largest TZif file read; tzdata's are < 4 KiB */
#define TZIF_MAX_NAME   128

/* tzif_local_to_utc() flags */
#define TZIF_AMBIGUOUS  0x01  /* the local time occurs twice (autumn) */
#define TZIF_GAP        0x02  /* the local time does not exist (spring) */

/* tzif_local_to_utc() hints, for an ambiguous time */
#define TZIF_EARLIER    0     /* the first instance (usually DST) */
#define TZIF_LATER      1     /* the second instance (usually standard time) */

struct tzif_rule {              /* one POSIX TZ rule date */
	int kind;               /* 'M', 'J' (1..365, no Feb 29) or 'n' (0..365) */
	int mon, week, wday;    /* M only */
	int day;                /* J, n */
	int32_t time_s;         /* local time of day of the change */
};

struct tzif {
	char name[TZIF_MAX_NAME];
	size_t ntrans;
	int64_t *trans;         /* transition times, UTC seconds, ascending */
	uint8_t *trans_type;    /* index into types for each transition */
	size_t ntypes;
	int32_t *types_off;     /* UT offset of each type, seconds east */
	uint8_t *types_dst;
	/* The footer, for times after the last transition. */
	int has_footer;
	int footer_dst;         /* 0: fixed offset std_off */
	int32_t std_off, dst_off;  /* seconds east of UTC */
	struct tzif_rule start, end;
};

/*
 * Parses a TZif file image buf[0..len) into *z (name left empty).  Uses the
 * 64-bit block of a v2+ file and its footer.  Returns 0, or -1 with err
 * filled (truncated, bad magic, counts out of range, bad footer) and *z
 * empty.  On success the caller frees with tzif_free().
 */
int tzif_parse(const uint8_t *buf, size_t len, struct tzif *z, char *err, size_t errsz);

/*
 * Loads zone name ("Europe/Berlin") from dir (NULL = TZIF_DIR).  Refuses a
 * name that is empty, longer than TZIF_MAX_NAME, starts with '/', contains
 * "..", or has characters other than [A-Za-z0-9/_+-.], a path that is not a
 * regular file, and a file over TZIF_MAX_FILE.  Returns a new zone
 * (tzif_free it), or NULL with err filled.
 */
struct tzif *tzif_load(const char *dir, const char *name, char *err, size_t errsz);

/* Frees z's arrays and z itself (a zone from tzif_load); NULL is a no-op. */
void tzif_free(struct tzif *z);
/* Frees the arrays of a zone filled by tzif_parse, not the struct. */
void tzif_clear(struct tzif *z);

/* The UT offset (seconds east) in force at utc_s; *is_dst when not NULL. */
int32_t tzif_offset_at(const struct tzif *z, int64_t utc_s, int *is_dst);

/*
 * Converts local wall-clock seconds (seconds since 1970-01-01T00:00:00 as
 * if the local time were UTC) to UTC seconds.  *flags gets TZIF_AMBIGUOUS
 * when the local time occurs twice (hint TZIF_EARLIER or TZIF_LATER picks
 * the instance) or TZIF_GAP when it does not exist: it is then read with
 * the offset before the change, i.e. moved forward by the gap (02:30 on a
 * spring-forward night of Europe/Berlin gives 01:30Z, shown 03:30 CEST).
 * Returns 0, or -1 when local_s is out of the supported range (year
 * 1..9999).
 */
int tzif_local_to_utc(const struct tzif *z, int64_t local_s, int hint,
    int64_t *utc_s, int *flags);

#endif
