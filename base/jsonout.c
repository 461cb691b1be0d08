/*
 * jsonout.c — JSON output with C1 controls escaped (jsonout.h).
 *
 * jansson emits a string's characters in runs that end on character
 * boundaries, but the filter does not rely on it: a lead byte 0xC2 at the
 * end of one piece is held back until the next.  In jansson's output raw
 * bytes >= 0x80 occur only inside strings and always as valid UTF-8, so
 * C2 80..C2 9F is exactly the encoding of U+0080..U+009F.
 */
#include "jsonout.h"

#include <stdio.h>
#include <string.h>

struct jsonout_sink {
	int (*put)(struct jsonout_sink *s, const char *p, size_t n);
	FILE *f;
	char *buf;
	size_t cap, len;
	int held_c2;            /* the previous piece ended in 0xC2 */
};

static int
jsonout_put_file(struct jsonout_sink *s, const char *p, size_t n)
{
	return n == 0 || fwrite(p, 1, n, s->f) == n ? 0 : -1;
}

static int
jsonout_put_buf(struct jsonout_sink *s, const char *p, size_t n)
{
	if (s->len + n >= s->cap)
		return -1;
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

static int
jsonout_cb(const char *p, size_t n, void *data)
{
	struct jsonout_sink *s = data;
	size_t i, run = 0;
	char esc[8];

	for (i = 0; i < n; i++) {
		unsigned char b = (unsigned char)p[i];
		if (s->held_c2) {
			s->held_c2 = 0;
			if (b >= 0x80 && b <= 0x9f) {
				snprintf(esc, sizeof esc, "\\u%04x", b);
				if (s->put(s, esc, 6) != 0)
					return -1;
				run = i + 1;
				continue;
			}
			if (s->put(s, "\xc2", 1) != 0)
				return -1;
		}
		if (b == 0xc2) {
			if (s->put(s, p + run, i - run) != 0)
				return -1;
			s->held_c2 = 1;
			run = i + 1;
		}
	}
	return s->put(s, p + run, n - run);
}

static int
jsonout_finish(struct jsonout_sink *s)
{
	/* A lone 0xC2 at the very end cannot come from jansson; pass it on. */
	if (s->held_c2 && s->put(s, "\xc2", 1) != 0)
		return -1;
	s->held_c2 = 0;
	return 0;
}

int
jsonout_dumpf(const json_t *j, FILE *f, size_t flags)
{
	struct jsonout_sink s = { .put = jsonout_put_file, .f = f };

	if (json_dump_callback(j, jsonout_cb, &s, flags) != 0)
		return -1;
	return jsonout_finish(&s);
}

long
jsonout_dumpb(const json_t *j, char *buf, size_t n, size_t flags)
{
	struct jsonout_sink s = { .put = jsonout_put_buf, .buf = buf, .cap = n };

	if (n == 0 || json_dump_callback(j, jsonout_cb, &s, flags) != 0 ||
	    jsonout_finish(&s) != 0)
		return -1;
	buf[s.len] = '\0';
	return (long)s.len;
}
