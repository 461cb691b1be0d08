/*
 * relp_dedup.h — nothing twice over RELP: which frames of a new RELP
 * session are rsyslog's resends of lines already stored
 * (docs/operations.md, "RELP").
 *
 * The rule.  omrelp keeps every frame it sent until the collector
 * acknowledges it, and after a reconnect sends again, in their order, all
 * those it had not seen acknowledged.  The collector acknowledges a frame
 * right after it has taken it (server/relp.c), so the resent frames that
 * were taken before the session broke (or the collector died) are the
 * last frames taken from that sender, in order, and they come first in
 * the new session.  So: per sender address, the hashes of the last
 * RDD_WINDOW frames taken are kept (the tail T, at least omrelp's window
 * of 128); in a new session, each frame that continues some suffix of T
 * from the session's first frame on is a duplicate and dropped; the
 * first frame that does not (or once the whole suffix was seen again)
 * ends the comparison for that session, and every later frame is new.
 *
 * The limit.  A genuinely new line that repeats, byte for byte, one of
 * the sender's last RDD_WINDOW lines, at the very start of a new session
 * (and the lines after it, as long as they repeat the lines that followed
 * it then) is taken for a resend and dropped.  Sessions are told apart by
 * a token the caller gives (librelp's per-connection peer-name buffer)
 * and by rdd_session_end(); up to RDD_SESSIONS concurrent sessions per
 * address keep their own comparison.  Frames with control bytes stored
 * escaped hash differently when the tail is rebuilt from the database
 * after a restart: such a resend is kept twice rather than risk a loss.
 *
 * Pure: no I/O, no locks, no globals; the caller (one thread, tw-relp)
 * owns the struct.  Bounded: RDD_SENDERS senders, the least recently seen
 * forgotten first (its next session is then not compared: kept, never lost).
 */
#ifndef TW_RELP_DEDUP_H
#define TW_RELP_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#define RDD_WINDOW     1024     /* frames remembered per sender (omrelp: 128) */
#define RDD_SENDERS    64       /* sender addresses remembered */
#define RDD_SESSIONS   4        /* concurrent sessions told apart per address */
#define RDD_CANDS      32       /* places in T a resend may have started */

enum rdd_verdict { RDD_NEW = 0, RDD_DUP = 1 };

struct rdd_session {
	uintptr_t token;            /* 0: slot free */
	uint64_t seen;              /* the sender's tick when last used */
	int checking;               /* still comparing with T */
	uint64_t matched;           /* frames of this session matched so far */
	int ncand;
	uint64_t cand[RDD_CANDS];   /* absolute positions in T where it may start */
};

struct rdd_sender {
	uint8_t family;             /* 0: slot free */
	uint8_t addr[16];
	uint64_t seen;              /* the table's tick when last used */
	uint64_t n;                 /* frames noted in all; T[i] = ring[i % WINDOW] */
	uint64_t ring[RDD_WINDOW];
	uint64_t tick;              /* for its sessions' LRU */
	struct rdd_session sess[RDD_SESSIONS];
};

struct rdd {
	struct rdd_sender *senders; /* RDD_SENDERS */
	uint64_t tick;
	uint64_t sessions;          /* sessions begun (their first frame seen) */
};

/* 0, or -1 when out of memory. */
int rdd_init(struct rdd *d);
void rdd_free(struct rdd *d);

/* The hash kept per frame (64-bit FNV-1a over the frame's bytes). */
uint64_t rdd_hash(const char *data, size_t len);

/*
 * Frame h arrives from (family, addr[16]) in the session with token
 * (non-zero).  Returns RDD_DUP for a resend of a frame already taken (do
 * not store it), RDD_NEW otherwise (store it, then rdd_note()).
 */
enum rdd_verdict rdd_check(struct rdd *d, int family, const uint8_t *addr,
    uintptr_t token, uint64_t h);

/* Frame h from the sender was taken (queued, stored): it joins T.  Also
 * used to rebuild T at start from what was stored, oldest first. */
void rdd_note(struct rdd *d, int family, const uint8_t *addr, uint64_t h);

/* Every session of the sender ended (the connection broke): the next
 * frame from it begins a new session, whatever its token. */
void rdd_session_end(struct rdd *d, int family, const uint8_t *addr);

#endif
