/*
 * prepare.h — the prepare stage: a thread between the queue and the writer.
 *
 * It pops the chunks the network loop published, parses every message in
 * them (escaping, syslog header, device time, charon or Viptela body, the
 * facts that tie it to a device and tunnel, the event's JSON) and hands the
 * chunk with its parsed messages on to the writer.  The writer thread, the
 * collector's bottleneck, is left with what needs the database: resolving
 * and storing.  The stage holds at most PREP_MAX_BATCHES parsed chunks;
 * beyond that it waits for the writer, and the queue behind it fills as
 * before (its limits, not this stage, bound the memory).
 *
 * A chunk still belongs to the queue: the writer releases it (mq_release)
 * after its commit, as without this stage.  A parsed batch points into its
 * chunk and must be freed (prep_batch_free) before the chunk is released.
 */
#ifndef TW_PREPARE_H
#define TW_PREPARE_H

#include "config.h"
#include "ingest.h"
#include "msgqueue.h"
#include "facts.h"

#include <stddef.h>
#include <stdint.h>

#define PREP_MAX_BATCHES 4

struct prep_stage;

struct prep_msg {
	int ok;                   /* 0: parse it again on the writer (escaped) */
	struct ingest_row row;    /* spans into the chunk's message */
	struct line_facts facts;
};

struct prep_batch {
	struct mq_chunk *chunk;
	struct prep_batch *next;
	size_t n;                 /* messages, in chunk order */
	struct prep_msg msgs[];
};

/* ingest_prepare() for a queued message (its flags mapped, its sender for
 * sender-range time zones); scratch holds INGEST_SCRATCH(max_frame).  It
 * has no arrival-order table (tzstate.h): the stage's own parse does. */
void prep_ingest(const struct config *cfg, const struct mq_msg *m, char *scratch,
    struct ingest_row *row);

/* Starts the thread, reading from q.  Returns 0, or -1 (err says why). */
int prep_start(const struct config *cfg, struct mq *q, struct prep_stage **out,
    char *err, size_t errsz);
/* Waits up to timeout_us for a parsed chunk; NULL on timeout, or when the
 * queue is closed and everything was handed on (then *closed is set). */
struct prep_batch *prep_pop(struct prep_stage *p, int64_t timeout_us, int *closed);
/* Frees a batch (not its chunk) and what its messages still own. */
void prep_batch_free(struct prep_batch *b);
/* Joins the thread (the queue must be closed) and frees the stage. */
void prep_join(struct prep_stage *p);

#endif
