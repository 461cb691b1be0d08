/*
 * util.h — small helpers shared by every stage: clocks, ISO 8601 time text,
 * durations ("30s", "5m", "1h"), sizes ("32M"), socket addresses, and a
 * UTF-8 sanitizer for text that leaves the collector as JSON.
 */
#ifndef TW_UTIL_H
#define TW_UTIL_H

#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include <jansson.h>

int64_t util_now_us(void);      /* CLOCK_REALTIME, microseconds */
int64_t util_mono_us(void);     /* CLOCK_MONOTONIC, microseconds */

/* "2026-11-27T03:04:38Z" (or with ".123456" when with_usec); returns buf. */
char *util_format_iso(char *buf, size_t sz, int64_t us, int with_usec);

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant). */
int64_t util_days_from_civil(int y, int m, int d);

/* "250ms", "30s", "5m", "1h", "2d", or a bare number of seconds.
 * Returns 0 and sets *out_us, or -1. */
int util_parse_duration(const char *s, int64_t *out_us);

/* "65536", "512K", "32M", "1G". Returns 0 and sets *out, or -1. */
int util_parse_size(const char *s, uint64_t *out);

/* "127.0.0.1:5514", "[::1]:5514", "0.0.0.0:514", ":5514" (all IPv4).
 * Returns 0 or -1 with a reason in err. */
int util_parse_hostport(const char *s, struct sockaddr_storage *out,
    char *err, size_t errsz);

/* "192.0.2.1:514" / "[2001:db8::1]:514"; "?" for an unknown family. */
char *util_format_sockaddr(char *buf, size_t sz, const struct sockaddr *sa);
/* Address only, no port. */
char *util_format_ip(char *buf, size_t sz, const struct sockaddr *sa);

/* Copies src to dst replacing every invalid UTF-8 sequence with U+FFFD and
 * NUL with U+2400; dst must hold 3 * len + 1 bytes.  Returns bytes written. */
size_t util_utf8_sanitize(char *dst, const char *src, size_t len);
/* A JSON string of buf[0..len), sanitized first if it is not valid UTF-8;
 * never NULL unless out of memory. */
json_t *util_json_text(const char *buf, size_t len);
/* 1 when buf[0..len) is valid UTF-8 without NUL bytes. */
int util_utf8_valid(const char *buf, size_t len);

/* v in decimal at buf (at least 21 bytes), not terminated; returns the
 * length.  For hash-map keys built on every line (snprintf costs more). */
size_t util_i64_text(char *buf, int64_t v);

/* *ts = now on clock (CLOCK_MONOTONIC, CLOCK_REALTIME) plus us: the
 * deadline of a timed wait. */
void util_deadline(struct timespec *ts, clockid_t clock, int64_t us);
/* A condition variable whose timed waits count on CLOCK_MONOTONIC. */
int util_cond_init_mono(pthread_cond_t *c);

#endif
