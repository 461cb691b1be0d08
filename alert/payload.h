/*
 * payload.h — the text an alert is sent as: the generic JSON document
 * (versioned, docs/alerts.md "Payload"), and the Slack and Microsoft Teams
 * incoming-webhook presets built from the same facts.  Pure.
 */
#ifndef TW_ALERT_PAYLOAD_H
#define TW_ALERT_PAYLOAD_H

#include "engine.h"

#define ALERT_PAYLOAD_VERSION 1

/* The body for destination d (its preset); malloc'd, or NULL when out of
 * memory.  now_us is the wall clock ("sent_at"). */
char *alert_payload(const struct alert_out *o, const struct cfg_alert_dest *d, int64_t now_us);
/* One line for a person: "vedge01 ipsec2: stuck (dpd_timeout)". */
void alert_title(const struct alert_out *o, char *buf, size_t sz);

#endif
