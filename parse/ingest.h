/*
 * ingest.h — from one received line to one storable row.
 *
 * Shared by the writer (network input), `import` and `parse`: escape
 * control bytes, parse the syslog header, resolve the device time.  Pure
 * apart from reading the config; the caller provides the scratch buffer.
 */
#ifndef TW_INGEST_H
#define TW_INGEST_H

#include "config.h"
#include "syslog_hdr.h"
#include "tzstate.h"

#include <stddef.h>
#include <stdint.h>

enum ingest_status {
	INGEST_OK = 0,
	INGEST_NO_HEADER = 1,
	INGEST_BAD_PRI = 2,
	INGEST_BAD_TIME = 3,
};

#define INGEST_F_TRUNCATED  0x01
#define INGEST_F_ESCAPED    0x02
#define INGEST_F_OCTET      0x04
#define INGEST_F_FORGED     0x08   /* for a host its sender may not speak for
                                    * (server/identity.h): stored, not resolved */

struct ingest_row {
	const char *raw;          /* the line as stored (maybe the escaped copy) */
	size_t raw_len;
	struct syslog_hdr hdr;    /* spans into raw */
	int64_t device_us;        /* INT64_MIN when unknown */
	int status;               /* enum ingest_status */
	int flags;                /* INGEST_F_* */
	int tz_flags;             /* TZIF_AMBIGUOUS / TZIF_GAP: the device's local
	                           * time fell in a DST change (IANA zones only) */
};

/* Where a line came from, for its device's time zone (cfg_zone_for). */
struct ingest_ctx {
	int family;               /* AF_INET / AF_INET6; 0 when no sender */
	const uint8_t *addr;      /* sender address, NULL on import */
	struct tzs *tzs;          /* the caller's arrival-order table, or NULL */
};

/* Scratch space ingest_prepare may need: 4 bytes per input byte. */
#define INGEST_SCRATCH(len) ((len) * 4 + 1)

/*
 * Prepares line[0..len).  ref_us is the reference for year inference (the
 * receive time, or the file's mtime on import); year_override (0 = none)
 * forces the year of RFC 3164 lines.  scratch must hold INGEST_SCRATCH(len)
 * bytes and outlive the row.  Always succeeds: a line that does not parse
 * is a row with a non-zero status.
 */
void ingest_prepare(const struct config *cfg, const char *line, size_t len,
    int64_t ref_us, int year_override, int in_flags, char *scratch,
    struct ingest_row *out);
/* The same, with the sender (sender-range zones) and the caller's
 * tzstate.h table (the repeated autumn hour); ctx may be NULL. */
void ingest_prepare_ctx(const struct config *cfg, const struct ingest_ctx *ctx,
    const char *line, size_t len, int64_t ref_us, int year_override, int in_flags,
    char *scratch, struct ingest_row *out);

const char *ingest_status_name(int status);

#endif
