/*
 * log.c — stderr logging with levels and per-site rate limiting.
 *
 * The level is the one piece of process-wide state here: it is written once
 * by log_init() before any thread starts and only read afterwards.
 */
#include "log.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int log_level = LOG_LVL_INFO;
static int log_with_time = 1;

void
log_init(int level, int with_time)
{
	log_level = level;
	log_with_time = with_time;
}

int
log_get_level(void)
{
	return log_level;
}

static void
log_vemit(const char *tag, const char *fmt, va_list ap, const char *suffix)
{
	char line[2048];
	size_t n = 0;

	if (log_with_time) {
		char ts[32];
		util_format_iso(ts, sizeof ts, util_now_us(), 1);
		n = (size_t)snprintf(line, sizeof line, "%s ", ts);
	}
	n += (size_t)snprintf(line + n, sizeof line - n, "tunnelwatch: %s", tag);
	if (n < sizeof line)
		n += (size_t)vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (n >= sizeof line)
		n = sizeof line - 1;
	if (suffix != NULL)
		n += (size_t)snprintf(line + n, sizeof line - n, ": %s", suffix);
	if (n >= sizeof line - 1)
		n = sizeof line - 2;
	line[n++] = '\n';
	/* One write per line keeps lines from two threads whole. */
	fwrite(line, 1, n, stderr);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level < LOG_LVL_WARN)
		return;
	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LVL_WARN)
		return;
	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vemit("error: ", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_errorx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("error: ", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	log_vemit("", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vemit("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vemit("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
log_ratelimited(struct log_throttle *t, int64_t interval_us, const char *fmt, ...)
{
	static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
	int64_t now = util_now_us();
	uint64_t suppressed;
	va_list ap;

	pthread_mutex_lock(&mtx);
	if (t->last_us != 0 && now - t->last_us < interval_us) {
		t->suppressed++;
		pthread_mutex_unlock(&mtx);
		return;
	}
	suppressed = t->suppressed;
	t->suppressed = 0;
	t->last_us = now;
	pthread_mutex_unlock(&mtx);

	if (log_level < LOG_LVL_WARN)
		return;
	va_start(ap, fmt);
	log_vemit("warning: ", fmt, ap, NULL);
	va_end(ap);
	if (suppressed > 0)
		log_warnx("(%llu similar messages suppressed)", (unsigned long long)suppressed);
}
