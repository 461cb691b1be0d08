/*
 * framing.h — splitting a TCP byte stream into syslog messages.
 *
 * RFC 6587 allows two framings on one port and senders mix them, so the
 * framing is decided per frame: a frame that starts with a non-zero digit
 * run followed by SP is octet-counted (§3.4.1); anything else is
 * non-transparent, ended by LF (§3.4.2), with a trailing CR and NUL removed.
 * The framer is pure: it reads (buf, len) and says what it found; the caller
 * owns the buffer and consumes bytes as told.
 */
#ifndef TW_FRAMING_H
#define TW_FRAMING_H

#include <stddef.h>
#include <stdint.h>

enum frame_result {
	FRAME_OK = 0,          /* a frame at [off, off+len); drop `consumed` bytes */
	FRAME_NEED_MORE = 1,   /* no complete frame; drop `consumed` bytes (may be 0) */
	FRAME_ERR_COUNT = 2,   /* an octet count that cannot be honoured: close */
};

#define FRAME_F_TRUNCATED  0x01   /* LF frame longer than max_frame, cut */
#define FRAME_F_OCTET      0x02   /* octet-counted */

/* Per-connection state: an over-long LF frame is emitted truncated and the
 * rest of it, up to the next LF, is discarded. */
struct framer {
	int discarding;
	uint64_t discarded;        /* bytes thrown away so far (counter) */
};

struct frame {
	size_t off, len;
	size_t consumed;
	int flags;
};

/* Most digits an octet count may have: 9 is already 999 MB, far beyond any
 * max_frame we accept, so longer runs are rejected before conversion. */
#define FRAME_MAX_COUNT_DIGITS 9

/*
 * Looks for the next frame at the start of buf[0..len).  `at_eof` says the
 * peer closed: a final unterminated LF frame is then returned as is.
 * Returns enum frame_result; on FRAME_ERR_COUNT nothing is consumed.
 */
int frame_next(struct framer *fr, const char *buf, size_t len,
    size_t max_frame, int at_eof, struct frame *out);

#endif
