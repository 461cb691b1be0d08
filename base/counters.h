/*
 * counters.h — the collector's counters, shared by the loop and the writer.
 *
 * Each counter is written by one thread and read by the writer when it
 * writes the stats table, so relaxed atomics are enough.  The names in
 * counter_names[] are what users see in v_stats and in the log; they are
 * part of the public contract (docs/operations.md).
 */
#ifndef TW_COUNTERS_H
#define TW_COUNTERS_H

#include <stdatomic.h>
#include <stdint.h>

enum counter_id {
	CTR_RECEIVED,              /* messages accepted from the network or a file */
	CTR_RECEIVED_BYTES,
	CTR_RECEIVED_UDP,
	CTR_RECEIVED_TCP,
	CTR_STORED,                /* rows committed to messages */
	CTR_UNPARSED,              /* stored with a parse status other than ok */
	CTR_TRUNCATED,             /* datagrams or frames cut to max_frame */
	CTR_ESCAPED,               /* messages with control bytes escaped */
	CTR_DROPPED_QUEUE_FULL,    /* UDP datagrams dropped: queue full */
	CTR_DROPPED_KERNEL,        /* UDP datagrams the kernel dropped: socket buffer full */
	CTR_DROPPED_SHUTDOWN,      /* lines given up at shutdown (docs/operations.md) */
	CTR_DROPPED_EMPTY,         /* empty datagrams and frames */
	CTR_TCP_ACCEPTED,
	CTR_TCP_REJECTED_MAX,      /* connections refused: tcp_max_conns */
	CTR_TCP_REJECTED_PER_IP,   /* connections refused: tcp_max_conns_per_ip */
	CTR_TCP_CLOSED_BAD_COUNT,  /* closed: absurd octet count */
	CTR_TCP_CLOSED_IDLE,       /* closed: idle timeout */
	CTR_TCP_CLOSED_ERROR,      /* closed: read error (reset, ...) */
	CTR_TCP_PARTIAL_AT_EOF,    /* unterminated frame stored at disconnect */
	CTR_TCP_PAUSED,            /* times a connection was paused for backpressure */
	CTR_DB_BUSY_RETRIES,       /* SQLITE_BUSY / LOCKED while writing */
	CTR_DB_FULL_RETRIES,       /* SQLITE_FULL (disk full) while writing */
	CTR_DB_ERRORS,             /* any other write error */
	CTR_DB_COMMITS,
	CTR_DB_CHECKPOINTS,        /* background WAL checkpoints that copied pages */
	CTR_DB_WAL_RESETS,         /* WAL over its bound taken back to its start */
	CTR_UDP_DROPPED_NOT_ALLOWED,   /* datagrams from outside udp_allow */
	CTR_TCP_REJECTED_NOT_ALLOWED,  /* connections from outside tcp_allow */
	CTR_UDP_DROPPED_RATE_LIMIT,    /* datagrams over sender_rate_limit */
	CTR_TCP_PAUSED_RATE_LIMIT,     /* times a connection was paused: sender_rate_limit */
	CTR_RATE_LIMIT_EVICTIONS,      /* senders evicted from the full rate-limit table */
	CTR_ALERTS_SENT,               /* alerts delivered (alert/deliver.c) */
	CTR_ALERTS_FAILED,             /* alerts given up: retries exhausted, queue full */
	CTR_ALERTS_RETRIED,            /* delivery attempts repeated after a failure */
	CTR_ALERTS_SUPPRESSED,         /* alerts not sent: grouped or rate-limited */
	/* TLS (server/tls.c, docs/tls.md) */
	CTR_RECEIVED_TLS,
	CTR_TLS_HANDSHAKES,            /* handshakes completed */
	CTR_TLS_FAILED_NOT_TLS,        /* the client spoke something else (plain syslog, HTTP) */
	CTR_TLS_FAILED_TIMEOUT,        /* handshake not done within tls_handshake_timeout */
	CTR_TLS_FAILED_EOF,            /* the client left during the handshake */
	CTR_TLS_FAILED_NO_CERT,        /* tls_client_auth required, no certificate sent */
	CTR_TLS_FAILED_UNTRUSTED,      /* client certificate not signed by tls_ca, or bad */
	CTR_TLS_FAILED_EXPIRED,        /* client certificate expired or not yet valid */
	CTR_TLS_FAILED_PROTOCOL,       /* no common version or cipher, malformed handshake */
	CTR_TLS_REJECTED_HANDSHAKES,   /* connections refused: tls_max_handshakes */
	CTR_TLS_CLOSED_ERROR,          /* closed after the handshake: bad record, alert */
	CTR_TLS_PARTIAL_RECORD,        /* closed with part of a record unread */
	CTR_TLS_RELOADS,               /* certificates reloaded (SIGHUP) */
	CTR_TLS_RELOAD_ERRORS,         /* reloads refused: the old certificates stay */
	CTR_IDENTITY_MISMATCH,         /* lines for a host the sender may not speak for */
	CTR_DB_MOVED,                  /* the database file was deleted or replaced */
	CTR_TCP_PAUSED_BUFFERS,        /* times a connection was paused: buffer budget spent */
	CTR_TCP_ACCEPT_EMFILE,         /* connections accepted and closed: out of descriptors */
	CTR_CORR_PASSES,               /* correlator passes run (storage/writer.c) */
	CTR_CORR_PASS_US,              /* ... the time they took, microseconds in all */
	CTR_DROPPED_SPOOL_FULL,        /* UDP datagrams dropped: spool_max_bytes reached */
	CTR_SPOOL_FSYNCS,              /* fdatasync()s of spool segments (server/spool.c) */
	CTR_SPOOL_WRITE_ERRORS,        /* chunks not written to the spool (disk full, EIO) */
	CTR_SPOOL_READ_ERRORS,         /* spool segments unreadable at replay */
	CTR_SPOOL_TORN_CHUNKS,         /* torn records cut off the spool's tail at start */
	CTR_SPOOL_REPLAYED,            /* messages replayed from the spool at start */
	CTR_SPOOL_READ_BACK,           /* messages read back from the spool: the hand-off was full */
	/* RELP (server/relp.c) */
	CTR_RECEIVED_RELP,             /* frames taken (queued, then acknowledged) */
	CTR_RELP_SESSIONS,             /* sessions that sent a frame */
	CTR_RELP_DUPLICATES,           /* resends of frames already taken, dropped */
	CTR_RELP_REFUSED,              /* frames dropped: not in tcp_allow, no address */
	CTR_RELP_PAUSED,               /* frames that waited for queue room */
	/* Several collectors on one PostgreSQL database (docs/scale-out.md) */
	CTR_DROPPED_DUPLICATE,         /* lines another collector had stored already */
	CTR_DERIVED_PENDING,           /* lines another collector stored, derived here */
	CTR_DERIVE_TAKEOVERS,          /* times this collector took the derive lock */
	CTR_MAX
};

extern const char *const counter_names[CTR_MAX];

struct counters {
	_Atomic uint64_t v[CTR_MAX];
	_Atomic uint64_t tcp_conns;          /* gauge */
	_Atomic uint64_t tls_handshaking;    /* gauge */
	/* gauges of the writer's last commit (storage/writer.c) */
	_Atomic uint64_t last_batch_rows;    /* rows it committed */
	_Atomic int64_t writer_lag_us;       /* commit time - oldest row's receive time */
	/* gauges of the disk spool (server/spool.c) */
	_Atomic uint64_t spool_bytes;        /* bytes in its segment files */
	_Atomic uint64_t spool_segments;     /* segment files */
};

static inline void
ctr_add(struct counters *c, enum counter_id id, uint64_t n)
{
	atomic_fetch_add_explicit(&c->v[id], n, memory_order_relaxed);
}

static inline uint64_t
ctr_get(struct counters *c, enum counter_id id)
{
	return atomic_load_explicit(&c->v[id], memory_order_relaxed);
}

#endif
