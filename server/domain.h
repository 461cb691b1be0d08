/*
 * domain.h — what a stored line means: charon, Viptela/FTMD, or other.
 *
 * Sits after the syslog header parser: picks the charon or the Viptela
 * parser for the message body and describes the resulting event.
 */
#ifndef TW_DOMAIN_H
#define TW_DOMAIN_H

#include "ingest.h"

#include <jansson.h>

/* Parser output buffers, large enough not to live on the stack. */
struct domain_scratch;

struct domain_scratch *domain_scratch_new(void);
void domain_scratch_free(struct domain_scratch *ds);

/* Adds "kind" and the event's own fields to o. */
void domain_describe(const struct ingest_row *row, struct domain_scratch *ds, json_t *o);

#endif
