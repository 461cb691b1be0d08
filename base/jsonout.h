/*
 * jsonout.h — JSON written for people and scripts (`--json`, report json).
 *
 * jansson writes every non-ASCII character as raw UTF-8, C1 controls
 * (U+0080..U+009F) included; U+009B is CSI, which a terminal obeys like
 * ESC [.  jsonout_dumpf escapes those as \u0080..\u009f and leaves all
 * other text as jansson writes it.
 */
#ifndef TW_JSONOUT_H
#define TW_JSONOUT_H

#include <jansson.h>
#include <stdio.h>

/* json_dumpf with C1 controls escaped.  Returns 0, or -1 (write error). */
int jsonout_dumpf(const json_t *j, FILE *f, size_t flags);

/* The same into a caller's buffer of size n (for tests); returns the
 * length written (without the NUL), or -1 when it did not fit. */
long jsonout_dumpb(const json_t *j, char *buf, size_t n, size_t flags);

#endif
