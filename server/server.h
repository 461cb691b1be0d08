/*
 * server.h — the `serve` command's context, passed to every loop-side module.
 *
 * Threads: the libuv loop thread owns everything in this struct except the
 * writer (storage/writer.c), which runs on its own thread and shares only the
 * queue and the counters.  Nothing here is global.
 */
#ifndef TW_SERVER_H
#define TW_SERVER_H

#include "config.h"
#include "counters.h"
#include "msgqueue.h"
#include "sender_limits.h"

#include <pthread.h>
#include <sys/types.h>
#include <uv.h>

struct writer;
struct tcp_conn;
struct tls_ctx;
struct relp;

struct udp_listener {
	uv_udp_t handle;
	struct server *srv;
	char *slab;                 /* receive buffer for recvmmsg, reused */
	size_t slab_len;
	uint32_t kernel_drops;      /* the socket's drop count last seen (SO_MEMINFO) */
	int kernel_drops_ok;        /* 0: the kernel cannot tell (SO_MEMINFO failed) */
	char name[80];
};

/* A TCP or TLS listening socket.  We accept on it ourselves (accept4 on a
 * uv_poll_t) rather than through uv_listen, so that an accept refused for
 * want of descriptors is counted (listener_tcp.c). */
struct tcp_listener {
	uv_poll_t poll;
	uv_timer_t retry;           /* accepting paused: no spare descriptor */
	int fd;                     /* the listening socket; -1: none */
	int paused;                 /* poll stopped until the retry timer */
	struct server *srv;
	int tls;                    /* RFC 5425: connections speak TLS */
	char name[80];
};

struct server {
	const struct config *cfg;
	uv_loop_t *loop;
	struct counters ctr;
	struct mq queue;
	struct spool *spool;        /* NULL: --no-spool (spool.h) */
	int64_t replay_notified_us; /* the last sd_notify during the spool's replay */
	uint64_t replay_first, replay_last, replay_msgs;   /* what it found */
	struct writer *writer;
	struct limits limits;       /* allowlists, per-sender rate (sender_limits.c) */

	struct udp_listener *udp;
	int n_udp;
	struct tcp_listener *tcp;
	int n_tcp;
	struct tcp_listener *tls;   /* TLS listeners (their connections are in conns) */
	int n_tls;
	struct tls_ctx *tls_ctx;    /* certificates, reloaded on SIGHUP (tls.h) */
	struct relp *relp;          /* RELP listeners, on their own thread (relp.h) */
	char *tls_rbuf;             /* ciphertext read from a socket, handed to OpenSSL */
	int n_handshaking;          /* TLS connections still in their handshake */

	int max_conns;              /* tcp_max_conns, or lower: the descriptors (cmd/serve.c) */
	struct tcp_conn *conns;     /* doubly linked, all open connections */
	size_t conn_buf_bytes;      /* their read buffers (and TLS's held bytes), in all */
	size_t conn_buf_budget;     /* ... at most this (queue_max_bytes) */
	int draining;               /* tcp_close_all: one connection at a time, no budget */
	int budget_waiters;         /* connections paused for want of it */
	struct tcp_conn *grower;    /* the one allowed past it to finish a frame */
	int budget_freed;           /* a buffer was freed since the last resume */
	uint64_t unknown_peers;     /* connections accepted without an address */
	int fd_spare;               /* /dev/null, kept to accept-and-close at EMFILE; -1: none */
	int n_conns;

	uv_async_t space_async;     /* writer -> loop: the queue has room again */
	uv_check_t flush_check;     /* publish the partial chunk after each I/O round */
	uv_timer_t sweep_timer;     /* idle connections, drain progress */
	uv_signal_t sig_term, sig_int, sig_hup;

	uv_timer_t watchdog;        /* systemd WatchdogSec= pings (cmd/serve.c) */
	uint64_t watchdog_usec;     /* 0: systemd asked for no watchdog */

	int stopping;               /* SIGTERM seen: draining */
	int db_moved;               /* the database file went away: exit 1 */
	dev_t db_dev;               /* the database file as opened (cmd/serve.c) */
	ino_t db_ino;
	int64_t stop_started_us;
	int64_t last_rx_us;         /* monotonic time of the last byte received */
	int64_t last_sweep_us;      /* ... of the last sweep (a stalled loop is not quiet input) */
	pthread_t loop_thread;      /* the libuv loop's (server_enqueue from others) */
};

/* listener_udp.c */
int udp_start(struct server *srv, const struct cfg_listen *l, struct udp_listener *u);
void udp_close(struct udp_listener *u);

/* listener_tcp.c (TLS connections too, through tls.h) */
int tcp_start(struct server *srv, const struct cfg_listen *l, struct tcp_listener *t,
    int tls);
void tcp_close_listener(struct tcp_listener *t);
void tcp_resume_paused(struct server *srv);
/* Wake callback of srv->limits: resumes connections paused by the rate limit. */
void tcp_resume_rate_limited(void *srv);
/* After each I/O round: resumes connections waiting for buffer budget. */
void tcp_resume_budget(struct server *srv);
void tcp_sweep_idle(struct server *srv, int64_t now_mono_us);
void tcp_close_all(struct server *srv);
/* Connections paused for backpressure, holding bytes not yet queued. */
int tcp_paused_count(struct server *srv);

/* Copies one received message, and its sender's identity (identity.h;
 * ident_len 0: none), into the queue.  Returns 0, SERVER_FULL_QUEUE when
 * the queue is full or SERVER_FULL_SPOOL when the spool is (nothing
 * copied; the next chunk released wakes the loop through space_async).
 * The message reaches the spool when its chunk is published: at the end
 * of the loop's round (serve.c's check handle), or earlier when the chunk
 * fills.  Safe from another thread than the loop's: it takes the queue's
 * producer lock (and leaves the loop's last_rx_us alone); such a caller
 * learns that its messages are in the spool from server_flush()
 * returning 0, and wakes on space_async like the loop does. */
#define SERVER_FULL_QUEUE  (-1)
#define SERVER_FULL_SPOOL  (-2)
int server_enqueue(struct server *srv, const char *data, size_t len,
    const struct sockaddr *from, int transport, int flags, const char *ident,
    size_t ident_len);
/* Publishes the partly filled chunk (after taking the producer lock).
 * Returns 0 when everything enqueued so far is in the spool (or there is
 * no spool), -1 when a chunk could not be written to it (spool_write_errors):
 * still stored, but not crash-safe. */
int server_flush(struct server *srv);

#endif
