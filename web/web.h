/*
 * web.h — the live web view and the Prometheus /metrics endpoint of
 * `serve --http` (docs/web.md, docs/metrics.md).
 *
 * HTTP is libmicrohttpd's (Debian's libmicrohttpd12): one internal polling
 * thread of its own accepts, parses and answers, so the libuv ingest loop
 * and the writer never wait for a browser.  That thread owns one read
 * connection of storage/db.h: a SQLite file opened read-only (WAL:
 * readers never block the writer) or a PostgreSQL session; and the live
 * counters are read straight from the running process (base/counters.h),
 * so /metrics is current, not a stats interval old.
 *
 * Who is served (checked in libmicrohttpd's accept-policy callback and per
 * request): with neither http_token_file nor http_auth_file set, only the
 * addresses of http_allow (default: loopback) get a connection at all.
 * With one set, every page asks for the bearer token or a basic-auth user,
 * except /metrics from an address of http_allow.
 */
#ifndef TW_WEB_H
#define TW_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "counters.h"
#include "msgqueue.h"

/* What the running collector shares with the web thread (all read-only
 * there: atomics, and the queue's sizes under its mutex). */
struct web_live {
	struct counters *ctr;
	struct mq *queue;              /* NULL: no queue gauges */
	int64_t started_us;            /* wall clock of the start */
};

struct web;

/* Binds cfg->http and starts the thread.  Returns 0, or -1 with err
 * filled (address in use, unreadable token file, ...). */
int web_start(const struct config *cfg, const struct web_live *live, struct web **out,
    char *err, size_t errsz);
/* The port bound (the one chosen by the kernel when cfg->http said 0). */
unsigned web_port(const struct web *w);
/* Stops the thread (answers in flight finish first) and frees w. */
void web_stop(struct web *w);

#endif
