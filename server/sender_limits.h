/*
 * sender_limits.h — who may send, and how fast: the sender allowlists and
 * the per-sender rate limit.
 *
 * Allowlists (cfg->udp_allow, cfg->tcp_allow) are CIDR lists; an empty
 * list lets everyone in.  An entry may also bind its range to hosts
 * ("192.0.2.7/32=vedge1"): lines from there are checked against them
 * (identity.h, limits_speaks_for).  A UDP datagram from elsewhere is dropped, a TCP
 * connection from elsewhere is closed right after accept; both are counted
 * and the source is named in a rate-limited log line.
 *
 * The rate limit (cfg->sender_rate_limit, messages per second, 0 = off) is
 * a token bucket per sender IP address (not per port: a device's UDP source
 * port changes, and all of a device's TCP connections share one bucket).
 * A bucket holds one second's worth of tokens and refills continuously.
 * Buckets live in a fixed-size, 8-way set-associative table, so a flood of
 * distinct (possibly spoofed) sources cannot make it grow: a new sender
 * takes the least recently seen slot of its set, and the evicted sender
 * starts again from a full bucket when it comes back (counted).
 *
 * What happens to a message over the limit is the caller's choice: UDP
 * drops it (limits_udp_admit), TCP keeps it and pauses the connection until
 * limits_wait_us() has passed (limits_arm_wake), so accepted TCP data is
 * never lost.
 *
 * Threads: the loop thread only.  The counters it bumps are the shared
 * atomic ones (counters.h).
 */
#ifndef TW_SENDER_LIMITS_H
#define TW_SENDER_LIMITS_H

#include "config.h"
#include "counters.h"

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#define LIMITS_SLOTS      4096        /* buckets in the table (power of two) */
#define LIMITS_WAYS       8           /* slots a sender may occupy */
#define LIMITS_WAKE_MAX_US (100 * 1000)   /* longest a paused TCP sender sleeps
                                           * before it is looked at again */

struct limits_slot {
	int64_t last_us;            /* last refill, loop clock; 0 = empty slot */
	int64_t tokens;             /* in millionths of a message */
	uint64_t dropped;           /* UDP datagrams dropped, since it got the slot */
	uint64_t paused;            /* TCP pauses, since it got the slot */
	uint8_t family;
	uint8_t addr[16];
};

struct limits {
	const struct config *cfg;
	struct counters *ctr;
	uint64_t rate;              /* messages per second, 0 = off */
	int64_t burst;              /* bucket size, in millionths */
	uint32_t seed;              /* hash seed, random per process */
	struct limits_slot *slots;  /* LIMITS_SLOTS, or NULL when rate == 0 */

	uv_timer_t wake;            /* resumes rate-paused TCP connections */
	int wake_init;
	void (*wake_cb)(void *arg);
	void *wake_arg;
};

/*
 * Sets up the table (only when a rate limit is configured) and the wake
 * timer on loop; wake_cb(arg) is called on the loop thread when paused TCP
 * senders may have tokens again.  Returns 0, or -1 (out of memory, libuv
 * error: logged).  limits_close() + the loop's last run + limits_free()
 * undo it; both are safe after a failed or partial init.
 */
int limits_init(struct limits *l, const struct config *cfg, struct counters *ctr,
    uv_loop_t *loop, void (*wake_cb)(void *), void *arg);
/* Closes the timer handle (the loop must run once more to finish). */
void limits_close(struct limits *l);
/* Frees the table.  Call after the loop has stopped. */
void limits_free(struct limits *l);

/* 1 when a datagram from sa may be stored: inside udp_allow and within the
 * rate limit.  0 when it must be dropped: counted and logged here. */
int limits_udp_admit(struct limits *l, const struct sockaddr *sa, int64_t now_us);

/* The hosts sa may speak for: those of the most specific udp_allow (udp
 * != 0) or tcp_allow range holding it, given as CIDR=HOST,HOST; NULL when
 * that range names none (or there is none): sa is not bound. */
const char *limits_speaks_for(struct limits *l, const struct sockaddr *sa, int udp);

/* 1 when a TCP connection from sa may be kept (inside tcp_allow); 0 when
 * it must be closed: counted and logged here. */
int limits_tcp_allowed(struct limits *l, const struct sockaddr *sa);

/*
 * Takes one token for a message from sa.  Returns 1 (go ahead) or 0 (over
 * the limit: nothing taken).  Always 1 when no rate limit is configured.
 * limits_refund() gives a token back when the message could not be queued
 * after all.
 */
int limits_take(struct limits *l, const struct sockaddr *sa, int64_t now_us);
void limits_refund(struct limits *l, const struct sockaddr *sa);

/* Microseconds until sa will have a token (0 if it has one now). */
int64_t limits_wait_us(struct limits *l, const struct sockaddr *sa, int64_t now_us);

/* Records that a TCP connection from sa was paused for the rate limit:
 * counts it, logs it (rate-limited), and makes sure the wake timer fires
 * within min(limits_wait_us, LIMITS_WAKE_MAX_US). */
void limits_tcp_paused(struct limits *l, const struct sockaddr *sa,
    const char *peer_text, int64_t now_us);

#endif
