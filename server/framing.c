/*
 * framing.c — RFC 6587 octet counting and LF framing, decided per frame.
 * See framing.h for the contract.
 */
#include "framing.h"

#include <string.h>

/* Trims a trailing CR or NUL (some senders end frames with CRLF or \0\n). */
static size_t
frame_trim(const char *buf, size_t off, size_t len)
{
	while (len > 0 && (buf[off + len - 1] == '\r' || buf[off + len - 1] == '\0'))
		len--;
	return len;
}

/*
 * RFC 6587 §3.4.1: MSG-LEN = NONZERO-DIGIT *DIGIT, then SP.  Returns the
 * number of digits (> 0) when buf starts like an octet count, 0 when it does
 * not, -1 when more bytes are needed to tell.
 */
static int
frame_count_prefix(const char *buf, size_t len, uint64_t *count)
{
	size_t i = 0;
	uint64_t v = 0;

	if (len == 0)
		return -1;
	if (buf[0] < '1' || buf[0] > '9')
		return 0;
	while (i < len && buf[i] >= '0' && buf[i] <= '9') {
		if (i < FRAME_MAX_COUNT_DIGITS + 1)
			v = v * 10 + (uint64_t)(buf[i] - '0');
		i++;
		if (i > 20) {
			/* No frame starts with 21 digits: an absurd count,
			 * whatever follows (rejected like a 10-digit one). */
			*count = UINT64_MAX;
			return (int)i;
		}
	}
	if (i == len)
		return -1;
	if (buf[i] != ' ')
		return 0;
	*count = i > FRAME_MAX_COUNT_DIGITS ? UINT64_MAX : v;
	return (int)i;
}

static int
frame_lf(struct framer *fr, const char *buf, size_t len, size_t max_frame,
    int at_eof, struct frame *out)
{
	size_t scan = len < max_frame + 1 ? len : max_frame + 1;
	const char *nl = memchr(buf, '\n', scan);

	if (nl != NULL) {
		size_t n = (size_t)(nl - buf);
		out->off = 0;
		out->len = frame_trim(buf, 0, n);
		out->consumed = n + 1;
		return FRAME_OK;
	}
	if (len > max_frame) {
		/* Emit the first max_frame bytes, then discard to the next LF. */
		out->off = 0;
		out->len = max_frame;
		out->consumed = max_frame;
		out->flags |= FRAME_F_TRUNCATED;
		fr->discarding = 1;
		return FRAME_OK;
	}
	if (at_eof && len > 0) {
		out->off = 0;
		out->len = frame_trim(buf, 0, len);
		out->consumed = len;
		return FRAME_OK;
	}
	return FRAME_NEED_MORE;
}

int
frame_next(struct framer *fr, const char *buf, size_t len, size_t max_frame,
    int at_eof, struct frame *out)
{
	uint64_t count = 0;
	int digits;

	memset(out, 0, sizeof *out);
	if (fr->discarding) {
		const char *nl = memchr(buf, '\n', len);
		size_t drop = nl != NULL ? (size_t)(nl - buf) + 1 : len;
		fr->discarded += drop;
		out->consumed = drop;
		if (nl == NULL)
			return FRAME_NEED_MORE;
		fr->discarding = 0;
		buf += drop, len -= drop;
		if (len == 0)
			return FRAME_NEED_MORE;
		/* Report the drop and the next frame together. */
		{
			struct frame next;
			int r = frame_next(fr, buf, len, max_frame, at_eof, &next);
			if (r == FRAME_OK)
				next.off += drop;
			next.consumed += drop;
			*out = next;
			return r == FRAME_ERR_COUNT ? FRAME_NEED_MORE : r;
		}
	}
	/* Leading LFs between frames (e.g. octet-counted frames followed by a
	 * stray newline) are skipped, not turned into empty messages. */
	if (len > 0 && (buf[0] == '\n' || buf[0] == '\r')) {
		size_t i = 0;
		while (i < len && (buf[i] == '\n' || buf[i] == '\r'))
			i++;
		out->consumed = i;
		return FRAME_NEED_MORE;
	}
	digits = frame_count_prefix(buf, len, &count);
	if (digits < 0) {
		if (at_eof && len > 0)
			return frame_lf(fr, buf, len, max_frame, at_eof, out);
		return FRAME_NEED_MORE;
	}
	if (digits == 0)
		return frame_lf(fr, buf, len, max_frame, at_eof, out);
	if (count == 0 || count > max_frame)
		return FRAME_ERR_COUNT;
	if (len < (size_t)digits + 1 + count)
		return FRAME_NEED_MORE;
	out->off = (size_t)digits + 1;
	out->len = frame_trim(buf, out->off, (size_t)count);
	/* Some senders add LF after an octet-counted frame; trim it too. */
	while (out->len > 0 && buf[out->off + out->len - 1] == '\n')
		out->len = frame_trim(buf, out->off, out->len - 1);
	out->consumed = (size_t)digits + 1 + (size_t)count;
	out->flags |= FRAME_F_OCTET;
	return FRAME_OK;
}
