/*
 * domain.c — classification of a parsed line.  See domain.h.
 */
#include "domain.h"

#include <stdlib.h>

struct domain_scratch {
	int unused;
};

struct domain_scratch *
domain_scratch_new(void)
{
	return calloc(1, sizeof(struct domain_scratch));
}

void
domain_scratch_free(struct domain_scratch *ds)
{
	free(ds);
}

void
domain_describe(const struct ingest_row *row, struct domain_scratch *ds, json_t *o)
{
	(void)ds;
	json_object_set_new(o, "kind", json_string(row->status == INGEST_NO_HEADER ?
	    "unparsed" : "other"));
}
