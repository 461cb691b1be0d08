/*
 * deliver.h — getting alert documents to their destinations: one worker
 * thread per destination ("tw-alert-N") with a bounded queue, so that a
 * slow or dead receiver delays only its own alerts, never the watcher,
 * let alone ingest.
 *
 * A webhook is an HTTP(S) POST through libcurl (TLS with the system's CA
 * store, the destination's timeout, no redirects), successful on 2xx;
 * 5xx, 408, 429 and transport errors are retried with exponential
 * back-off (1 s, 2 s, 4 s ... at most 60 s, `retries` times), any other
 * status fails at once.  An exec hook runs `sh -c COMMAND` with the
 * document on stdin and TUNNELWATCH_EVENT / TUNNELWATCH_TITLE in its
 * environment; exit status 0 is success, anything else (or the timeout,
 * after which it is killed) is retried the same way.  Counters:
 * alerts_sent, alerts_failed (given up, or the queue full), alerts_retried.
 */
#ifndef TW_ALERT_DELIVER_H
#define TW_ALERT_DELIVER_H

#include "config.h"
#include "counters.h"

#include <stdint.h>

#define ALERT_QUEUE_MAX 1000     /* documents waiting per destination */

struct alert_deliver;

/* Starts a worker per destination of a.  Returns NULL on failure. */
struct alert_deliver *alert_deliver_start(const struct cfg_alerts *a, struct counters *ctr);
/* Queues body (taken over) for destination dest, with its event name and
 * title for the exec hook's environment. */
void alert_deliver_push(struct alert_deliver *dl, int dest, const char *event,
    const char *title, char *body);
/* Lets the workers finish their queues for at most grace_us (no retry
 * starts after that), then stops them; what is left counts as failed. */
void alert_deliver_stop(struct alert_deliver *dl, int64_t grace_us);

#endif
