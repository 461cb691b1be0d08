/*
 * msgqueue.h — the bounded hand-off between the network loop and the writer.
 *
 * The loop thread appends received messages into a chunk (64 KiB, bigger for
 * an over-sized frame) and publishes the chunk when it is full or when the
 * loop has finished one round of I/O (see serve.c's check handle), so a lock
 * is taken once per chunk, not once per message.  The writer pops whole
 * chunks and gives them back only after their rows are committed: until
 * then they count against the queue's limits, which is what makes a full
 * disk turn into backpressure instead of loss.
 *
 * Limits are in bytes (chunk memory) and messages.  With a disk spool
 * (spool.h) every chunk is appended to it before it is handed on, and the
 * limits only say how much waits in memory: a chunk handed off while
 * memory is over them is *spilled* — kept in the spool only, its memory
 * given back at once — and so is every chunk after it until the consumer
 * has read them all back from the spool (mq_pop, in order).  The queue in
 * memory is then a small hand-off (queue_max_bytes), and what the writer
 * has not caught up with waits on disk, bounded by spool_max_bytes.
 * Without a spool (or while spool appends fail, or the spool is full) a
 * reservation past the limits fails and the producer is marked blocked;
 * the consumer wakes it through the uv_async_t given to mq_init when
 * space comes back (uv_async_send carries no data, per libuv's threading
 * rules).
 */
#ifndef TW_MSGQUEUE_H
#define TW_MSGQUEUE_H

#include "spool.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

enum tw_transport { TW_TRANSPORT_UDP = 1, TW_TRANSPORT_TCP = 2, TW_TRANSPORT_IMPORT = 3,
	TW_TRANSPORT_TLS = 4, TW_TRANSPORT_RELP = 5 };

#define MQ_F_TRUNCATED   0x01   /* datagram or frame was cut */
#define MQ_F_OCTET       0x02   /* came octet-counted */
#define MQ_F_BOUND       0x04   /* the sender may speak only for the hosts its
                                 * identity lists (identity.h) */

#define MQ_CHUNK_SIZE    (64 * 1024)

/* One message inside a chunk; records are 8-byte aligned.  The sender's
 * identity (identity.h), when it has one, follows the data:
 * data[len .. len + ident_len). */
struct mq_msg {
	int64_t recv_us;
	uint32_t len;
	uint16_t port;
	uint8_t family;         /* AF_INET, AF_INET6 */
	uint8_t transport;      /* enum tw_transport */
	uint8_t flags;          /* MQ_F_* */
	uint8_t pad;
	uint16_t ident_len;
	uint8_t pad2[4];
	uint8_t addr[16];
	char data[];
};

/* Bytes a message takes in a chunk beyond its text, at most. */
#define MQ_MSG_OVERHEAD  (sizeof(struct mq_msg) + 8)

struct mq_chunk {
	struct mq_chunk *next;
	size_t cap, used;
	uint64_t count;
	uint64_t spool_seq;     /* its record in the spool; 0: not spooled */
	_Alignas(8) char buf[];
};

struct mq {
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	pthread_cond_t space_cond;       /* mq_push_chunk waits on it */
	struct mq_chunk *head, *tail;    /* published, not yet popped */
	struct mq_chunk *free;           /* spare standard chunks */
	size_t nfree;
	size_t bytes;                    /* chunk memory in use (with the free list's: <= max_bytes) */
	uint64_t msgs;                   /* messages published and not released */
	size_t max_bytes;
	uint64_t max_msgs;
	int closed;
	int producer_blocked;
	uv_async_t *space_async;         /* may be NULL (import) */

	/* Producer side: owned by whoever holds prod_mtx (msgqueue.h). */
	pthread_mutex_t prod_mtx;
	struct mq_chunk *cur;
	struct spool *spool;             /* NULL: none (import, --no-spool) */
	int spool_failed;                /* a chunk missed the spool since mq_flush */
	int spool_failing;               /* ... and the latest one did */

	/* The spill (above), under mtx. */
	int spill_on;                    /* chunks spill_next..spill_last are on disk only */
	uint64_t spill_next, spill_last; /* spool sequences */
	uint64_t spill_msgs;             /* their messages (counted in mq_depth) */
	struct spool_reader reader;      /* the consumer's, used unlocked */
};

int mq_init(struct mq *q, size_t max_bytes, uint64_t max_msgs, uv_async_t *space_async);
void mq_destroy(struct mq *q);

/* Producer.  Returns room for a message of len bytes and an identity of
 * ident_len (header filled by the caller, then mq_commit), or NULL when the
 * queue is full. */
struct mq_msg *mq_reserve(struct mq *q, size_t len, size_t ident_len);
void mq_commit(struct mq *q, struct mq_msg *m);
/* Publishes the partly filled chunk, if any.  Returns 0 when every chunk
 * published so far is in the spool (or there is no spool), -1 when one
 * could not be written to it since the last call (still published). */
int mq_flush(struct mq *q);
/* Chunks are appended to sp before they are published (spool.h). */
void mq_set_spool(struct mq *q, struct spool *sp);
/* The producer lock (see above). */
void mq_producer_lock(struct mq *q);
void mq_producer_unlock(struct mq *q);
/* Marks the producer blocked: the next mq_release wakes it (space_async),
 * e.g. when the spool, not the queue, is full. */
void mq_mark_blocked(struct mq *q);
/* Publishes a chunk replayed from the spool (payload: its messages, as
 * spooled), waiting while the queue is full.  Not spooled again.
 * Returns 0, or -1 when out of memory or closed. */
int mq_push_chunk(struct mq *q, const char *payload, size_t len, uint64_t count,
    uint64_t spool_seq);
/* Spool records first..last (msgs messages), found at start by
 * spool_replay, are handed to the consumer as spilled chunks: read back in
 * turn, never all in memory.  Before anything else is handed off. */
void mq_adopt_spilled(struct mq *q, uint64_t first, uint64_t last, uint64_t msgs);
/* After a failed mq_reserve: 1 while still full. */
int mq_full(struct mq *q);
/* No more messages will be produced; mq_pop returns NULL once memory is
 * drained (spilled chunks are left in the spool: mq_depth still counts
 * them). */
void mq_close(struct mq *q);

/* Consumer.  Waits up to timeout_us for a chunk; NULL on timeout or when
 * closed and empty (then *closed is set). */
struct mq_chunk *mq_pop(struct mq *q, int64_t timeout_us, int *closed);
/* Hands a consumed chunk back, freeing its space. */
void mq_release(struct mq *q, struct mq_chunk *c);
/* 1 when payload holds count whole messages as this version lays them
 * out (a chunk read back from the spool, before mq_next walks it). */
int mq_payload_ok(const char *payload, size_t len, uint64_t count);
/* Iterates the messages of a chunk: start with pos = 0. */
struct mq_msg *mq_next(struct mq_chunk *c, size_t *pos);

/* Messages waiting (in memory and spilled) and the memory they hold. */
void mq_depth(struct mq *q, uint64_t *msgs, size_t *bytes);

#endif
