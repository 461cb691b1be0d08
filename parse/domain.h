/*
 * domain.h — what a stored line means: a charon event, a Viptela/FTMD
 * event, or neither.
 *
 * Sits after the syslog header parser: decides from the program tag and
 * the message body which parser applies, runs it, and describes the result
 * (for `parse` and for the events table's JSON detail).
 */
#ifndef TW_DOMAIN_H
#define TW_DOMAIN_H

#include "ingest.h"
#include "parse_charon.h"
#include "parse_ftmd.h"

#include <jansson.h>

enum domain_source {
	DOMAIN_UNPARSED = 0,      /* the syslog header did not parse */
	DOMAIN_OTHER,             /* neither charon nor Viptela */
	DOMAIN_CHARON,
	DOMAIN_VIPTELA,
};

/* Parser output buffers: a charon event is several KiB, so one of these
 * is allocated per thread rather than put on the stack per line. */
struct domain_scratch {
	int source;               /* enum domain_source */
	const char *body;         /* the text the parser read (row->raw based) */
	size_t body_len;
	struct charon_event ch;
	struct ftmd_event ft;
};

struct domain_scratch *domain_scratch_new(void);
void domain_scratch_free(struct domain_scratch *ds);

/* Runs the right parser on row; returns ds->source. */
int domain_classify(const struct ingest_row *row, struct domain_scratch *ds);

/* The event kind's public name: a charon or Viptela kind, "charon_other",
 * "other" or "unparsed". */
const char *domain_kind_name(const struct domain_scratch *ds);

/* Adds "kind" and the event's own fields to o (after domain_classify). */
void domain_describe(const struct domain_scratch *ds, json_t *o);

/* "ipsec2_1", "child_ipsec2_1", "IPsec2" -> "ipsec2" in out; returns 1 when
 * name is a vEdge IPsec interface or a connection named after one. */
int domain_interface_of(const char *name, size_t len, char *out, size_t outsz);

#endif
