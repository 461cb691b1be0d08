/*
 * log.h — the collector's own diagnostics, on stderr.
 *
 * In the style of OpenBSD's log.c: log_warn() appends strerror(errno) and
 * keeps errno, log_warnx() does not.  log_ratelimited() lets a hot path
 * (a flood of bad frames, a full disk) report at most once per interval per
 * call site and say how many it suppressed.  The level is set once at start.
 */
#ifndef TW_LOG_H
#define TW_LOG_H

#include <stdint.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_init(int level, int with_time);
int log_get_level(void);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A failure that stops the command ("error: "), printed at every level. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errorx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Per-call-site throttle: declare one per site (static storage is fine,
 * it is not shared state between modules). */
struct log_throttle {
	int64_t last_us;
	uint64_t suppressed;
};
void log_ratelimited(struct log_throttle *t, int64_t interval_us,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
