/*
 * span.h — a slice of a parser's input, by offset and length.
 *
 * Parsers never copy and never rely on NUL termination: they report where a
 * field lies inside the buffer they were given.  A span with len == 0 means
 * "absent".  The caller keeps the buffer alive for as long as it uses spans.
 */
#ifndef TW_SPAN_H
#define TW_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct span {
	uint32_t off;
	uint32_t len;
};

static inline const char *
span_ptr(const char *base, struct span s)
{
	return base + s.off;
}

/* 1 when the span's bytes equal the NUL-terminated string lit. */
static inline int
span_eq(const char *base, struct span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(base + s.off, lit, n) == 0;
}

/* Copies the span into dst (size dstsz > 0), NUL-terminated, truncating. */
static inline size_t
span_copy(char *dst, size_t dstsz, const char *base, struct span s)
{
	size_t n = s.len < dstsz - 1 ? s.len : dstsz - 1;
	memcpy(dst, base + s.off, n);
	dst[n] = '\0';
	return n;
}

#endif
