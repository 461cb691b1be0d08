/*
 * spool.h — the disk spool between the network loop and the parse stage
 * (issue #17 item 1, docs/operations.md "Durability").
 *
 * Every chunk the loop publishes (msgqueue.h) is first appended to a
 * segment file in the spool directory (default DB.spool/), as one record:
 *
 *     magic "TWSP" u32 | payload length u32 | sequence u64 | messages u64 |
 *     CRC-32 u32 (zlib's, over the 24 header bytes before it and the
 *     payload) | zero u32 | payload (the chunk's struct mq_msg records)
 *
 * in host byte order (a spool is read back by the machine that wrote it).
 * The write() puts the record in the page cache, so it survives kill -9;
 * a thread fdatasync()s the active segment every spool_sync, so a power
 * loss costs at most that long.  Sequence numbers grow by one per record,
 * across segments and restarts.  The writer stores the highest sequence it
 * has committed in the same SQLite transaction as the rows (meta key
 * "spool.committed_seq", storage/writer.c) and calls spool_committed();
 * once the WAL holding that mark is synced, the segments wholly at or
 * below it are deleted.  At the next start
 * spool_replay() hands back every record above it, in order: no
 * duplicate, no gap.  A record that is cut short or fails its CRC at the
 * end of the newest segment is a torn tail from a crash: counted
 * (spool_torn_chunks) and cut off; anywhere else it is a read error
 * (spool_read_errors) and the rest of that segment is skipped.
 *
 * Segments are at most SPOOL_SEGMENT_MAX bytes (a quarter of max_bytes
 * when that is smaller, at least 64 KiB).  spool_full() says when the
 * segments holding uncommitted records reach max_bytes: the loop then
 * pauses TCP/TLS connections and drops (counting) UDP datagrams.  One
 * record may take the spool past max_bytes by at most its own size.
 *
 * Threads: spool_append() may be called from any thread, but its callers
 * must serialise it with the order in which they publish to the queue
 * (msgqueue.c does it under the queue's producer lock, mq_producer_lock),
 * so that sequence order is queue order.  spool_committed() is called by
 * the writer thread; spool_full() by any.  spool_replay() runs before
 * spool_start() on one thread.
 */
#ifndef TW_SPOOL_H
#define TW_SPOOL_H

#include "counters.h"

#include <stddef.h>
#include <stdint.h>

#define SPOOL_SEGMENT_MAX   (64ULL << 20)
#define SPOOL_SEGMENT_MIN   (64ULL << 10)
#define SPOOL_HDR_SIZE      32
#define SPOOL_RECORD_MAX    (1ULL << 30)    /* a payload longer is corrupt */
#define SPOOL_META_KEY      "spool.committed_seq"
#define SPOOL_META_OWNER_KEY "db.id"   /* the database's id: its spool's owner */

struct spool;

/*
 * Opens (creating it 0750 if need be) the spool directory and scans its
 * segments; records at or below committed_seq count as committed.
 * durable_path (the database's WAL, DB-wal) is fdatasync'ed by the sync
 * thread before a committed mark lets segments go, since SQLite with
 * synchronous=NORMAL syncs its WAL only at checkpoints; NULL: the mark
 * counts at once (tests).
 * Returns 0 or -1 with err filled.  Nothing is written before
 * spool_start().
 */
int spool_open(const char *dir, uint64_t max_bytes, int64_t sync_us,
    uint64_t committed_seq, const char *durable_path, struct counters *ctr,
    struct spool **out, char *err, size_t errsz);

/*
 * Ties the spool to one database, before spool_replay: DIR/owner holds the
 * database's id (owner > 0, its meta db.id).  A spool written for another
 * database — one deleted or replaced at the same path, a spool_dir moved
 * to another — is not replayed into this one: its segments are moved to
 * DIR/orphan-ID/ (kept for inspection; *orphaned says how many) and the
 * spool starts empty.  A spool with segments but no owner (written before
 * owners were recorded) is adopted.  Returns 0 or -1 with err filled.
 */
int spool_claim(struct spool *sp, int64_t owner, unsigned *orphaned, char *err,
    size_t errsz);

/*
 * Calls cb for every record above the committed sequence, oldest first,
 * with its payload (valid during the call only).  A non-zero return of
 * cb stops the replay.  Cuts a torn tail off the newest segment.
 * Returns the records replayed, or -1 when cb stopped it.
 */
typedef int (*spool_replay_cb)(void *arg, uint64_t seq, const char *payload,
    size_t len, uint64_t count);
long long spool_replay(struct spool *sp, spool_replay_cb cb, void *arg);

/* Starts the fdatasync thread; appends go to a new segment.  0 or -1. */
int spool_start(struct spool *sp, char *err, size_t errsz);

/*
 * Appends one record; *seq is set to its sequence number even when the
 * write fails.  Returns 0 once the record is in the segment file (the
 * page cache: it survives the process), -1 on a write error (counted in
 * spool_write_errors, logged at most every 10 s; the segment is cut back
 * to its last whole record).
 */
int spool_append(struct spool *sp, const void *payload, size_t len, uint64_t count,
    uint64_t *seq);

/*
 * Reading records back while appends go on (the queue's spill,
 * msgqueue.h): one reader, on one thread.  Records are found by sequence;
 * a reader that reads them in order moves through the segments without a
 * search.  Segments it still needs are not deleted, since nothing it has
 * not read can be committed.
 */
struct spool_reader {
	uint64_t seg_first;     /* the segment it is in (its name) */
	uint64_t off;           /* the next record's offset in it */
	uint64_t last_seq;      /* the sequence of the record before off */
	int fd;                 /* -1: not open */
	char *buf;              /* the last payload read (grown as needed) */
	size_t cap;
};

void spool_reader_init(struct spool_reader *r);
void spool_reader_close(struct spool_reader *r);

/*
 * The record with sequence seq or, when seq was never written (a failed
 * append leaves a gap), the first after it, provided it is at most
 * max_seq.  Returns 1 with *payload (in r->buf, valid until the next
 * call), *len, *got and *count set; 0 when no such record is there; -1
 * when it cannot be read (spool_read_errors counted and logged; the
 * reader skips past what it could not read).
 */
int spool_read(struct spool *sp, struct spool_reader *r, uint64_t seq, uint64_t max_seq,
    const char **payload, size_t *len, uint64_t *got, uint64_t *count);

/* 1 when the segments holding uncommitted records reach max_bytes. */
int spool_full(struct spool *sp);

/* Everything up to seq is committed to the database: the segments that
 * hold nothing newer are deleted (at once without a durable_path, else by
 * the sync thread once the WAL is synced: within spool_sync). */
void spool_committed(struct spool *sp, uint64_t seq);

/* Bytes in live segments and their number (the gauges spool_bytes and
 * spool_segments). */
void spool_usage(struct spool *sp, uint64_t *bytes, uint64_t *segments);

/* The directory it was opened on. */
const char *spool_dir(const struct spool *sp);
/*
 * The meta key the writer records the committed sequence under:
 * SPOOL_META_KEY unless set.  Several collectors on one PostgreSQL
 * database each have a spool, so each needs a key of its own
 * (cmd/serve.c names it after the host and the spool directory).
 */
#define SPOOL_META_KEY_MAX 256
void spool_set_meta_key(struct spool *sp, const char *key);
const char *spool_meta_key(const struct spool *sp);

/* Stops the thread, syncs the active segment and frees.  Segment files
 * stay: the next start replays what was not committed.  NULL is fine. */
void spool_close(struct spool *sp);

/* The record's CRC: zlib's CRC-32 of the first 24 header bytes and the
 * payload.  For tests. */
uint32_t spool_crc(const void *hdr24, const void *payload, size_t len);

#endif
