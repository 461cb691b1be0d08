/*
 * listener_tcp.c — TCP syslog listeners and their connections (RFC 6587).
 *
 * Each connection embeds its uv_tcp_t and a bounded read buffer.  Bytes are
 * read into the buffer, cut into frames by framing.c and copied into the
 * queue; whatever is left (half a frame) stays in the buffer for the next
 * read.  The buffer never grows past max_frame plus the octet-count prefix,
 * so a peer cannot make us hold more than that per connection.  It is
 * allocated on first read and freed when it empties, so ten thousand idle
 * connections cost no buffers.
 *
 * Backpressure: when the queue is full, the connection stops reading
 * (uv_read_stop) and keeps its unconsumed bytes; the kernel's socket buffer
 * then fills and TCP flow control slows the sender.  The writer's
 * uv_async_send brings us back to tcp_resume_paused().
 *
 * Accepting: the listening socket is ours (accept4 on a uv_poll_t), not
 * libuv's uv_listen, whose accept, out of descriptors, takes and closes
 * waiting connections with no callback, so they vanished uncounted.  One
 * spare descriptor (/dev/null, srv->fd_spare) is kept open; at EMFILE or
 * ENFILE it is closed, the waiting connection accepted with it and closed,
 * the spare reopened, and the refusal counted in tcp_accept_emfile.
 *
 * Sender limits (sender_limits.c): a connection from outside tcp_allow is
 * closed right after accept.  A sender over sender_rate_limit is paused the
 * same way as for a full queue, never cut off: its frame stays in the
 * buffer and the limits' wake timer brings it back through
 * tcp_resume_rate_limited().  During shutdown the rate limit no longer
 * applies, so everything already accepted is stored.
 *
 * TLS (RFC 5425, docs/tls.md): a connection accepted on a TLS listener
 * has a tls_conn (tls.h).  Socket bytes go to OpenSSL's memory BIO; what
 * it decrypts lands in the same read buffer and goes through the same
 * framing, backpressure and limits as plain TCP; what it wants sent
 * (handshake, alerts) is written with uv_write.  While paused, the
 * undecrypted records wait in the BIO (reading from the socket stops, so
 * they are at most one read's worth), and resuming decrypts them first.
 * The bytes OpenSSL holds (tls_conn_held) and the plaintext buffer count
 * against the same buffer budget as plain TCP's buffers; after the
 * handshake, a socket read that would go beyond it pauses the connection
 * (TCP_PAUSED_BUDGET) as for plain TCP.
 * A handshake that is not done within tls_handshake_timeout is closed;
 * at most tls_max_handshakes run at once, so a flood of slow handshakes
 * cannot take the memory and CPU that ingest needs.
 *
 * Identity (identity.h): a connection may carry one, copied with each of
 * its messages: the peer's certificate names when tls_bind_identity is on,
 * else the hosts its tcp_allow range may speak for.
 *
 * Shutdown (tcp_close_all): each socket, plain or TLS (decrypting what
 * OpenSSL holds, then what is read), is read until the read would block,
 * so what the kernel acknowledged is queued; what cannot be queued is
 * counted line by line in dropped_shutdown.
 *
 * Closing: tcp_conn_close() is the single way out, guarded by uv_is_closing;
 * memory is freed only in the close callback (libuv handle.rst).
 */
#include "framing.h"
#include "identity.h"
#include "log.h"
#include "tls.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TCP_PREFIX_MAX   (FRAME_MAX_COUNT_DIGITS + 1)
#define TCP_READ_MIN     (16 * 1024)
#define TCP_PAUSED_QUEUE 1              /* tcp_conn.paused: the queue is full */
#define TCP_PAUSED_RATE  2              /* ... the sender is over its rate */
#define TCP_PAUSED_BUDGET 3             /* ... the buffers' budget is spent */
#define TLS_RBUF         (64 * 1024)    /* ciphertext per socket read */
#define TLS_WRITE_MAX    (256 * 1024)   /* unsent output before we give up on a peer */
#define TCP_BACKLOG      511            /* listen(2), as uv_listen was given */
#define TCP_ACCEPTS_PER_WAKE 64         /* accepts per readable event */
#define TCP_ACCEPT_PAUSE_MS  100        /* accepting stopped after a hard failure */

struct tcp_conn {
	uv_tcp_t handle;                /* first: the handle's address is ours */
	struct server *srv;
	struct tcp_conn *prev, *next;
	struct sockaddr_storage peer;
	char peer_text[80];
	struct framer framer;
	char *buf;
	size_t cap, used;
	int64_t last_active_us;         /* monotonic */
	int paused;                     /* 0, TCP_PAUSED_QUEUE or TCP_PAUSED_RATE */
	int eof;
	struct tls_conn *tls;           /* NULL: plain TCP */
	size_t tls_held;                /* tls_conn_held() as counted in conn_buf_bytes */
	int handshaking;                /* TLS: counted in srv->n_handshaking */
	int64_t accepted_us;            /* monotonic */
	int transport;                  /* TW_TRANSPORT_TCP or _TLS */
	int mflags;                     /* MQ_F_BOUND when the identity binds */
	char *ident;                    /* identity.h; NULL: none */
	size_t ident_len;
};

struct tls_write {
	uv_write_t req;
	char data[];
};

static void tcp_conn_close(struct tcp_conn *c, const char *why);
static int tls_pump(struct tcp_conn *c);
static void tcp_start_reading(struct tcp_conn *c);

static size_t
tcp_buf_limit(const struct server *srv)
{
	return (size_t)srv->cfg->max_frame + TCP_PREFIX_MAX + 1;
}

/* Whether the connections' buffers may take `more` bytes: together they
 * stay within conn_buf_budget, TLS connections' (plaintext buffer and the
 * bytes OpenSSL holds) as plain TCP's.  tcp_close_all takes one
 * connection at a time and frees its buffer before the next: no budget. */
static int
tcp_budget_allows(struct tcp_conn *c, size_t more)
{
	struct server *srv = c->srv;

	if (srv->draining || srv->conn_buf_bytes + more <= srv->conn_buf_budget)
		return 1;
	/* Spent: one connection at a time that already holds a partial
	 * frame may still grow to max_frame, so that the frames in flight
	 * always finish (else all could wait for each other). */
	if (c->buf != NULL && (srv->grower == NULL || srv->grower == c)) {
		srv->grower = c;
		return 1;
	}
	return 0;
}

/* Makes room in c's read buffer (allocated on demand, grown up to the
 * limit); the room may be 0 when memory is short or the budget spent. */
static void
tcp_buf_room(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	size_t limit = tcp_buf_limit(srv);

	if (c->buf == NULL) {
		size_t cap = limit < TCP_READ_MIN * 4 ? limit : TCP_READ_MIN * 4;
		c->used = 0;
		c->cap = 0;
		if (!tcp_budget_allows(c, cap) || (c->buf = malloc(cap)) == NULL)
			return;
		c->cap = cap;
		srv->conn_buf_bytes += cap;
	} else if (c->cap - c->used < TCP_READ_MIN && c->cap < limit) {
		size_t ncap = c->cap * 2 < limit ? c->cap * 2 : limit;
		char *nb;
		if (!tcp_budget_allows(c, ncap - c->cap) || (nb = realloc(c->buf, ncap)) == NULL)
			return;
		srv->conn_buf_bytes += ncap - c->cap;
		c->buf = nb;
		c->cap = ncap;
	}
}

static void
tcp_buf_free(struct tcp_conn *c)
{
	if (c->srv->grower == c)
		c->srv->grower = NULL;
	c->srv->budget_freed |= c->cap > 0;
	c->srv->conn_buf_bytes -= c->cap;
	free(c->buf);
	c->buf = NULL;
	c->cap = 0;
}

/* No buffer room (the budget is spent, or memory is short): the
 * connection waits, as for a full queue; the kernel's buffer and TCP flow
 * control hold the sender meanwhile.  tcp_resume_budget() brings it back. */
static void
tcp_pause_budget(struct tcp_conn *c)
{
	static struct log_throttle thr;
	struct server *srv = c->srv;

	c->paused = TCP_PAUSED_BUDGET;
	uv_read_stop((uv_stream_t *)&c->handle);
	srv->budget_waiters++;
	ctr_add(&srv->ctr, CTR_TCP_PAUSED_BUFFERS, 1);
	log_ratelimited(&thr, 10 * 1000000LL, "%s %s: the connections' buffers hold "
	    "%zu bytes (budget %zu, queue_max_bytes): pausing until some are freed",
	    c->tls != NULL ? "tls" : "tcp", c->peer_text, srv->conn_buf_bytes,
	    srv->conn_buf_budget);
}

/* TLS: counts what OpenSSL holds for c in conn_buf_bytes. */
static void
tls_account(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	size_t held = c->tls != NULL ? tls_conn_held(c->tls) : 0;

	if (held < c->tls_held)
		srv->budget_freed = 1;
	srv->conn_buf_bytes = srv->conn_buf_bytes - c->tls_held + held;
	c->tls_held = held;
}

static void
tcp_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct tcp_conn *c = h->data;

	(void)suggested;
	tcp_buf_room(c);
	buf->base = c->buf == NULL ? NULL : c->buf + c->used;
	buf->len = c->buf == NULL ? 0 : c->cap - c->used;
}

/*
 * Cuts as many frames as possible out of the buffer and queues them.
 * Returns 0, or -1 when the connection was closed (bad octet count).
 * Stops early, with the connection paused, when the queue is full or the
 * sender is over its rate limit.
 */
static int
tcp_drain_buffer(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	size_t pos = 0;
	int r = 0;
	int64_t now = (int64_t)uv_now(srv->loop) * 1000;

	while (pos < c->used) {
		struct frame f;
		/* A frame left in the buffer (queue full, rate limit) is cut
		 * again later: the framer must then be as it was before. */
		struct framer saved = c->framer;
		int took = 0;
		int fr = frame_next(&c->framer, c->buf + pos, c->used - pos,
		    srv->cfg->max_frame, c->eof, &f);
		if (fr == FRAME_ERR_COUNT) {
			static struct log_throttle thr;
			ctr_add(&srv->ctr, CTR_TCP_CLOSED_BAD_COUNT, 1);
			log_ratelimited(&thr, 10 * 1000000LL,
			    "tcp %s: octet count larger than max_frame (%u): closing",
			    c->peer_text, srv->cfg->max_frame);
			tcp_conn_close(c, NULL);
			return -1;
		}
		if (fr == FRAME_OK) {
			int flags = 0;
			if (f.flags & FRAME_F_TRUNCATED)
				flags |= MQ_F_TRUNCATED;
			if (f.flags & FRAME_F_OCTET)
				flags |= MQ_F_OCTET;
			if (f.len == 0) {
				ctr_add(&srv->ctr, CTR_DROPPED_EMPTY, 1);
			} else if (!srv->stopping && !(took = limits_take(&srv->limits,
			    (struct sockaddr *)&c->peer, now))) {
				/* Over the sender's rate: keep this frame, pause. */
				c->framer = saved;
				if (!c->paused) {
					c->paused = TCP_PAUSED_RATE;
					uv_read_stop((uv_stream_t *)&c->handle);
					limits_tcp_paused(&srv->limits,
					    (struct sockaddr *)&c->peer, c->peer_text, now);
				}
				break;
			} else if (server_enqueue(srv, c->buf + pos + f.off, f.len,
			    (struct sockaddr *)&c->peer, c->transport, flags | c->mflags,
			    c->ident, c->ident_len) != 0) {
				/* Full: keep this frame, pause the connection. */
				c->framer = saved;
				if (took)
					limits_refund(&srv->limits, (struct sockaddr *)&c->peer);
				if (!c->paused) {
					c->paused = TCP_PAUSED_QUEUE;
					ctr_add(&srv->ctr, CTR_TCP_PAUSED, 1);
					uv_read_stop((uv_stream_t *)&c->handle);
				}
				break;
			} else {
				ctr_add(&srv->ctr, c->tls != NULL ? CTR_RECEIVED_TLS :
				    CTR_RECEIVED_TCP, 1);
			}
		}
		pos += f.consumed;
		if (fr == FRAME_NEED_MORE && f.consumed == 0)
			break;
	}
	if (pos > 0) {
		memmove(c->buf, c->buf + pos, c->used - pos);
		c->used -= pos;
	}
	if (c->used == 0 && !c->paused)
		tcp_buf_free(c);
	return r;
}

/* At EOF, after the framer took a final unterminated LF frame as is: what
 * is left is an octet-counted frame cut short.  It was accepted from the
 * network, so it is stored, flagged truncated. */
static void
tcp_flush_partial(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	size_t skip = 0;

	if (c->used == 0 || c->framer.discarding)
		return;
	/* A cut-short octet-counted frame: drop the count prefix. */
	while (skip < c->used && skip <= FRAME_MAX_COUNT_DIGITS &&
	    c->buf[skip] >= '0' && c->buf[skip] <= '9')
		skip++;
	if (skip == 0 || skip >= c->used || c->buf[skip] != ' ')
		skip = 0;
	else
		skip++;
	if (c->used > skip && server_enqueue(srv, c->buf + skip, c->used - skip,
	    (struct sockaddr *)&c->peer, c->transport, MQ_F_TRUNCATED | c->mflags,
	    c->ident, c->ident_len) == 0) {
		ctr_add(&srv->ctr, c->tls != NULL ? CTR_RECEIVED_TLS : CTR_RECEIVED_TCP, 1);
		ctr_add(&srv->ctr, CTR_TCP_PARTIAL_AT_EOF, 1);
	}
	c->used = 0;
}

/* The peer is done sending: store what is complete, then close (later,
 * when paused: once the queue has room). */
static void
tcp_conn_eof(struct tcp_conn *c)
{
	c->eof = 1;
	if (tcp_drain_buffer(c) != 0)
		return;
	if (c->paused)
		return;         /* finish when the queue has room */
	tcp_flush_partial(c);
	tcp_conn_close(c, NULL);
}

static void
tcp_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct tcp_conn *c = s->data;
	struct server *srv = c->srv;

	(void)buf;
	if (nread == 0)
		return;         /* EAGAIN: nothing read */
	if (nread == UV_ENOBUFS) {
		tcp_pause_budget(c);
		return;
	}
	if (nread < 0) {
		if (nread != UV_EOF) {
			ctr_add(&srv->ctr, CTR_TCP_CLOSED_ERROR, 1);
			log_debug("tcp %s: %s", c->peer_text, uv_strerror((int)nread));
		}
		tcp_conn_eof(c);
		return;
	}
	c->used += (size_t)nread;
	c->last_active_us = util_mono_us();
	srv->last_rx_us = c->last_active_us;
	tcp_drain_buffer(c);
}

static void
tcp_conn_free_cb(uv_handle_t *h)
{
	struct tcp_conn *c = h->data;
	struct server *srv = c->srv;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->n_conns--;
	atomic_store(&srv->ctr.tcp_conns, (uint64_t)srv->n_conns);
	if (c->handshaking) {
		srv->n_handshaking--;
		atomic_store(&srv->ctr.tls_handshaking, (uint64_t)srv->n_handshaking);
	}
	srv->conn_buf_bytes -= c->tls_held;
	c->tls_held = 0;
	tls_conn_free(c->tls);
	free(c->ident);
	tcp_buf_free(c);
	free(c);
}

static void
tcp_conn_close(struct tcp_conn *c, const char *why)
{
	if (uv_is_closing((uv_handle_t *)&c->handle))
		return;
	if (why != NULL)
		log_debug("tcp %s: closing: %s", c->peer_text, why);
	uv_close((uv_handle_t *)&c->handle, tcp_conn_free_cb);
}

static int
tcp_count_from(struct server *srv, const struct sockaddr_storage *peer)
{
	struct tcp_conn *c;
	int n = 0;
	size_t alen = peer->ss_family == AF_INET6 ? 16 : 4;
	const void *a = peer->ss_family == AF_INET6 ?
	    (const void *)&((const struct sockaddr_in6 *)peer)->sin6_addr :
	    (const void *)&((const struct sockaddr_in *)peer)->sin_addr;

	if (peer->ss_family != AF_INET && peer->ss_family != AF_INET6)
		return 0;       /* no address: a slot of its own */
	for (c = srv->conns; c != NULL; c = c->next) {
		const void *b;
		if (c->peer.ss_family != peer->ss_family)
			continue;
		b = peer->ss_family == AF_INET6 ?
		    (const void *)&((const struct sockaddr_in6 *)&c->peer)->sin6_addr :
		    (const void *)&((const struct sockaddr_in *)&c->peer)->sin_addr;
		if (memcmp(a, b, alen) == 0)
			n++;
	}
	return n;
}

static void
tcp_reject_close_cb(uv_handle_t *h)
{
	free(h);
}

/* ---- TLS ---------------------------------------------------------------- */

static void
tls_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct tcp_conn *c = h->data;

	(void)suggested;
	/* After the handshake, ciphertext read counts against the budget
	 * until it is decrypted (a handshake is small, and their number is
	 * bounded by tls_max_handshakes). */
	buf->base = c->srv->tls_rbuf;
	buf->len = c->handshaking || tcp_budget_allows(c, TLS_RBUF) ? TLS_RBUF : 0;
}

static void
tls_write_cb(uv_write_t *req, int status)
{
	(void)status;
	free(req);
}

/* Sends what OpenSSL has for the peer.  Returns 0, or -1 when the
 * connection was closed (the peer does not read what we send). */
static int
tls_flush_out(struct tcp_conn *c)
{
	char tmp[16 * 1024];
	size_t n;

	while ((n = tls_conn_take_output(c->tls, tmp, sizeof tmp)) > 0) {
		struct tls_write *w;
		uv_buf_t b;
		if (uv_is_closing((uv_handle_t *)&c->handle))
			continue;       /* drain OpenSSL's buffer, send nothing */
		if (uv_stream_get_write_queue_size((uv_stream_t *)&c->handle) > TLS_WRITE_MAX ||
		    (w = malloc(sizeof *w + n)) == NULL) {
			tcp_conn_close(c, "TLS output not read by the peer");
			continue;
		}
		memcpy(w->data, tmp, n);
		b = uv_buf_init(w->data, (unsigned)n);
		if (uv_write(&w->req, (uv_stream_t *)&c->handle, &b, 1, tls_write_cb) != 0) {
			free(w);
			tcp_conn_close(c, "write failed");
		}
	}
	return uv_is_closing((uv_handle_t *)&c->handle) ? -1 : 0;
}

static void
tls_handshake_over(struct tcp_conn *c)
{
	struct server *srv = c->srv;

	c->handshaking = 0;
	srv->n_handshaking--;
	atomic_store(&srv->ctr.tls_handshaking, (uint64_t)srv->n_handshaking);
}

/* After a successful handshake: the connection's identity. */
static int
tls_take_identity(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	char peer[IDENT_PEER_MAX], hosts[IDENT_MAX], ident[IDENT_MAX], how[96];
	int bind = srv->cfg->tls_bind_identity;
	size_t n;

	tls_conn_describe(c->tls, how, sizeof how);
	if (tls_conn_identity(c->tls, peer, hosts, sizeof hosts) != 0) {
		static struct log_throttle thr;
		log_ratelimited(&thr, 10 * 1000000LL, "tls %s: certificate names more "
		    "hosts than fit in %d bytes: it speaks for none", c->peer_text, IDENT_MAX);
		hosts[0] = '\0';
	}
	log_debug("tls %s: %s, peer %s", c->peer_text, how, peer[0] != '\0' ? peer :
	    "without a certificate");
	if (!bind) {
		if (peer[0] == '\0')
			return 0;       /* the address rule, if any, stays */
		if (c->mflags & MQ_F_BOUND)
			n = ident_build(ident, sizeof ident, peer, c->ident + 1);
		else
			n = ident_build(ident, sizeof ident, peer, "");
	} else {
		n = ident_build(ident, sizeof ident, peer, hosts);
		c->mflags |= MQ_F_BOUND;
		if (n == 0)
			n = ident_build(ident, sizeof ident, "", "");
	}
	free(c->ident);
	c->ident_len = 0;
	if (n == 0 || (c->ident = malloc(n)) == NULL) {
		c->ident = NULL;
		return c->mflags & MQ_F_BOUND ? -1 : 0;
	}
	memcpy(c->ident, ident, n);
	c->ident_len = n;
	return 0;
}

/*
 * Runs the handshake on what was fed, then decrypts into the read buffer
 * and frames, until OpenSSL needs more bytes or the connection pauses.
 * Returns 0, or -1 when the connection is closed or closing.
 */
static int
tls_pump(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	char detail[256];

	if (c->handshaking) {
		enum counter_id why = CTR_TLS_FAILED_PROTOCOL;
		int r = tls_conn_handshake(c->tls, &why, detail, sizeof detail);
		if (tls_flush_out(c) != 0)
			return -1;
		if (r == TLS_AGAIN)
			return 0;
		if (r == TLS_FAILED) {
			static struct log_throttle thr;
			ctr_add(&srv->ctr, why, 1);
			log_ratelimited(&thr, 10 * 1000000LL, "tls %s: handshake failed (%s): %s",
			    c->peer_text, counter_names[why], detail);
			tcp_conn_close(c, NULL);
			return -1;
		}
		tls_handshake_over(c);
		ctr_add(&srv->ctr, CTR_TLS_HANDSHAKES, 1);
		if (tls_take_identity(c) != 0) {
			tcp_conn_close(c, "out of memory");
			return -1;
		}
	}
	while (!c->paused) {
		ssize_t n;
		tcp_buf_room(c);
		if (c->buf == NULL || c->used == c->cap) {
			/* Budget spent: the bytes wait in OpenSSL (counted). */
			if (!srv->draining)
				tcp_pause_budget(c);
			break;
		}
		n = tls_conn_read(c->tls, c->buf + c->used, c->cap - c->used, detail,
		    sizeof detail);
		if (n == 0) {
			if (c->used == 0 && c->buf != NULL)
				tcp_buf_free(c);
			break;
		}
		if (n == -1) {          /* close_notify: the peer is done */
			tls_flush_out(c);
			tcp_conn_eof(c);
			return -1;
		}
		if (n < 0) {
			static struct log_throttle thr;
			ctr_add(&srv->ctr, CTR_TLS_CLOSED_ERROR, 1);
			log_ratelimited(&thr, 10 * 1000000LL, "tls %s: closing: %s",
			    c->peer_text, detail);
			tls_flush_out(c);
			tcp_flush_partial(c);
			tcp_conn_close(c, NULL);
			return -1;
		}
		c->used += (size_t)n;
		if (tcp_drain_buffer(c) != 0)
			return -1;
	}
	return tls_flush_out(c);
}

static void
tls_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct tcp_conn *c = s->data;
	struct server *srv = c->srv;
	int r;

	if (nread == 0)
		return;
	if (nread == UV_ENOBUFS) {
		tcp_pause_budget(c);
		return;
	}
	if (nread < 0) {
		if (c->handshaking) {
			ctr_add(&srv->ctr, CTR_TLS_FAILED_EOF, 1);
			tcp_conn_close(c, "left during the handshake");
			return;
		}
		if (nread != UV_EOF) {
			ctr_add(&srv->ctr, CTR_TCP_CLOSED_ERROR, 1);
			log_debug("tls %s: %s", c->peer_text, uv_strerror((int)nread));
		}
		if (tls_conn_unread(c->tls) > 0) {
			static struct log_throttle thr;
			ctr_add(&srv->ctr, CTR_TLS_PARTIAL_RECORD, 1);
			log_ratelimited(&thr, 10 * 1000000LL, "tls %s: closed in the middle "
			    "of a record: its part is dropped", c->peer_text);
		}
		tcp_conn_eof(c);
		return;
	}
	c->last_active_us = util_mono_us();
	srv->last_rx_us = c->last_active_us;
	if (tls_conn_feed(c->tls, buf->base, (size_t)nread) != 0) {
		static struct log_throttle thr;
		ctr_add(&srv->ctr, c->handshaking ? CTR_TLS_FAILED_NOT_TLS : CTR_TLS_CLOSED_ERROR, 1);
		log_ratelimited(&thr, 10 * 1000000LL, "tls %s: not a TLS client (plain "
		    "syslog sent to the TLS port?): closing", c->peer_text);
		tcp_conn_close(c, NULL);
		return;
	}
	r = tls_pump(c);
	tls_account(c);
	if (r == 0 && c->paused)
		uv_read_stop(s);
}

/* ---- accepting ------------------------------------------------------------ */

/* The identity the sender's address gives (tcp_allow's CIDR=HOST,...). */
static int
tcp_address_identity(struct tcp_conn *c)
{
	const char *hosts = limits_speaks_for(&c->srv->limits, (struct sockaddr *)&c->peer, 0);
	char ident[IDENT_MAX];
	size_t n;

	if (hosts == NULL)
		return 0;
	c->mflags |= MQ_F_BOUND;
	if ((n = ident_build(ident, sizeof ident, "", hosts)) == 0 ||
	    (c->ident = malloc(n)) == NULL)
		return -1;
	memcpy(c->ident, ident, n);
	c->ident_len = n;
	return 0;
}

static void
tcp_start_reading(struct tcp_conn *c)
{
	int r;

	if (c->tls != NULL)
		r = uv_read_start((uv_stream_t *)&c->handle, tls_alloc_cb, tls_read_cb);
	else
		r = uv_read_start((uv_stream_t *)&c->handle, tcp_alloc_cb, tcp_read_cb);
	if (r != 0)
		tcp_conn_close(c, uv_strerror(r));
}

/*
 * Takes an accepted socket `fd` (non-blocking, close-on-exec) into a
 * connection, or refuses it (counted).  Owns fd: it is closed on every
 * path that does not keep it.
 */
static void
tcp_take(struct tcp_listener *t, int fd)
{
	struct server *srv = t->srv;
	struct tcp_conn *c;
	int namelen, r;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		log_warnx("tcp %s: out of memory", t->name);
		close(fd);
		return;
	}
	c->srv = srv;
	if ((r = uv_tcp_init(srv->loop, &c->handle)) != 0) {
		free(c);
		close(fd);
		return;
	}
	c->handle.data = c;
	if ((r = uv_tcp_open(&c->handle, fd)) != 0) {
		log_warnx("tcp %s: %s", t->name, uv_strerror(r));
		close(fd);
		uv_close((uv_handle_t *)&c->handle, tcp_reject_close_cb);
		return;
	}
	namelen = sizeof c->peer;
	if (uv_tcp_getpeername(&c->handle, (struct sockaddr *)&c->peer, &namelen) != 0 ||
	    (c->peer.ss_family != AF_INET && c->peer.ss_family != AF_INET6)) {
		/* Reset while it waited to be accepted: no address.  Each gets
		 * a name of its own and a per-address slot of its own, so such
		 * connections do not all share one "?" (issue #17 item 8). */
		memset(&c->peer, 0, sizeof c->peer);
		snprintf(c->peer_text, sizeof c->peer_text, "?%llu",
		    (unsigned long long)++srv->unknown_peers);
	} else {
		util_format_sockaddr(c->peer_text, sizeof c->peer_text,
		    (struct sockaddr *)&c->peer);
	}
	if (!limits_tcp_allowed(&srv->limits, (struct sockaddr *)&c->peer)) {
		uv_close((uv_handle_t *)&c->handle, tcp_reject_close_cb);
		return;         /* counted and logged there */
	}
	if (t->tls && srv->n_handshaking >= srv->cfg->tls_max_handshakes) {
		static struct log_throttle thr;
		ctr_add(&srv->ctr, CTR_TLS_REJECTED_HANDSHAKES, 1);
		log_ratelimited(&thr, 10 * 1000000LL, "tls %s: refusing %s: "
		    "tls_max_handshakes (%d) in progress", t->name, c->peer_text,
		    srv->cfg->tls_max_handshakes);
		uv_close((uv_handle_t *)&c->handle, tcp_reject_close_cb);
		return;
	}
	if (srv->stopping || srv->n_conns >= srv->max_conns ||
	    tcp_count_from(srv, &c->peer) >= srv->cfg->tcp_max_conns_per_ip) {
		static struct log_throttle thr;
		int per_ip = srv->n_conns < srv->max_conns;
		ctr_add(&srv->ctr, per_ip ? CTR_TCP_REJECTED_PER_IP : CTR_TCP_REJECTED_MAX, 1);
		log_ratelimited(&thr, 10 * 1000000LL, "tcp %s: refusing %s: %s",
		    t->name, c->peer_text, per_ip ? "tcp_max_conns_per_ip reached" :
		    "tcp_max_conns reached");
		uv_close((uv_handle_t *)&c->handle, tcp_reject_close_cb);
		return;
	}
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->n_conns++;
	atomic_store(&srv->ctr.tcp_conns, (uint64_t)srv->n_conns);
	ctr_add(&srv->ctr, CTR_TCP_ACCEPTED, 1);
	c->last_active_us = c->accepted_us = util_mono_us();
	c->transport = t->tls ? TW_TRANSPORT_TLS : TW_TRANSPORT_TCP;
	if (tcp_address_identity(c) != 0) {
		tcp_conn_close(c, "out of memory");
		return;
	}
	if (t->tls) {
		if ((c->tls = tls_conn_new(srv->tls_ctx)) == NULL) {
			tcp_conn_close(c, "out of memory (TLS)");
			return;
		}
		c->handshaking = 1;
		srv->n_handshaking++;
		atomic_store(&srv->ctr.tls_handshaking, (uint64_t)srv->n_handshaking);
	}
	tcp_start_reading(c);
}

static void tcp_accept_cb(uv_poll_t *h, int status, int events);

static void
tcp_spare_open(struct server *srv)
{
	if (srv->fd_spare < 0)
		srv->fd_spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void
tcp_retry_cb(uv_timer_t *h)
{
	struct tcp_listener *t = h->data;
	int r;

	tcp_spare_open(t->srv);
	if (t->srv->stopping || !t->paused)
		return;
	t->paused = 0;
	if ((r = uv_poll_start(&t->poll, UV_READABLE, tcp_accept_cb)) != 0)
		log_warnx("tcp %s: accept: %s", t->name, uv_strerror(r));
}

/* Stops accepting for TCP_ACCEPT_PAUSE_MS: the listening socket stays
 * readable while an accept keeps failing, and the poll is level-triggered.
 * Waiting connections stay in the kernel's backlog meanwhile. */
static void
tcp_accept_pause(struct tcp_listener *t)
{
	if (t->paused)
		return;
	t->paused = 1;
	uv_poll_stop(&t->poll);
	uv_timer_start(&t->retry, tcp_retry_cb, TCP_ACCEPT_PAUSE_MS, 0);
}

/*
 * Out of descriptors (EMFILE/ENFILE), the way established servers handle
 * it: give up the spare descriptor, accept the waiting connection with it,
 * close it at once and take the spare back.  The peer sees its connection
 * closed instead of waiting forever in the backlog, and the refusal is
 * counted (tcp_accept_emfile) and logged, where libuv's own "EMFILE trick"
 * closed such connections without a callback (issue #17 item 5).
 * Returns 0 when one was refused (there may be more), -1 when there is
 * nothing more to accept now.
 */
static int
tcp_refuse_no_fd(struct tcp_listener *t, int err)
{
	static struct log_throttle thr;
	struct server *srv = t->srv;
	int fd;

	if (srv->fd_spare < 0) {
		/* Someone took the descriptor we freed last time. */
		log_ratelimited(&thr, 10 * 1000000LL, "tcp %s: accept: %s and no spare "
		    "descriptor: accepting again in %d ms", t->name, strerror(err),
		    TCP_ACCEPT_PAUSE_MS);
		tcp_accept_pause(t);
		return -1;
	}
	close(srv->fd_spare);
	srv->fd_spare = -1;
	fd = accept4(t->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0) {
		close(fd);
		ctr_add(&srv->ctr, CTR_TCP_ACCEPT_EMFILE, 1);
		log_ratelimited(&thr, 10 * 1000000LL, "tcp %s: out of descriptors (%s): "
		    "closing new connections at once, counted in tcp_accept_emfile; "
		    "raise LimitNOFILE= (systemd) or ulimit -n", t->name, strerror(err));
	}
	tcp_spare_open(srv);
	return fd >= 0 ? 0 : -1;
}

/* The listening socket is readable: accepts what waits, at most
 * TCP_ACCEPTS_PER_WAKE at a time so that reading keeps its share. */
static void
tcp_accept_cb(uv_poll_t *h, int status, int events)
{
	struct tcp_listener *t = h->data;
	int i;

	(void)events;
	if (status < 0) {
		log_warnx("tcp %s: accept: %s", t->name, uv_strerror(status));
		return;
	}
	for (i = 0; i < TCP_ACCEPTS_PER_WAKE && !t->srv->stopping; i++) {
		int fd = accept4(t->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			tcp_take(t, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == EMFILE || errno == ENFILE) {
			if (tcp_refuse_no_fd(t, errno) == 0)
				continue;
			return;
		}
		{
			/* ENOBUFS, ENOMEM ...: the kernel is short; try later. */
			static struct log_throttle thr;
			log_ratelimited(&thr, 10 * 1000000LL, "tcp %s: accept: %s: accepting "
			    "again in %d ms", t->name, strerror(errno), TCP_ACCEPT_PAUSE_MS);
			tcp_accept_pause(t);
			return;
		}
	}
}

/* A non-blocking listening socket bound to l->addr, or -1 with *err set
 * (a libuv error code, for the message). */
static int
tcp_listen_socket(const struct cfg_listen *l, int *err)
{
	socklen_t alen = l->addr.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
	int fd, on = 1;

	if ((fd = socket(l->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0)
		goto fail;
	/* As uv_tcp_bind does: a restart binds while old connections linger
	 * in TIME_WAIT; an IPv6 listener takes IPv6 only. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    (l->addr.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) != 0) ||
	    bind(fd, (const struct sockaddr *)&l->addr, alen) != 0 ||
	    listen(fd, TCP_BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	*err = uv_translate_sys_error(errno);
	if (fd >= 0)
		close(fd);
	return -1;
}

int
tcp_start(struct server *srv, const struct cfg_listen *l, struct tcp_listener *t, int tls)
{
	int r = 0;

	memset(t, 0, sizeof *t);
	t->srv = srv;
	t->tls = tls;
	t->fd = -1;
	snprintf(t->name, sizeof t->name, "%s", l->text);
	tcp_spare_open(srv);
	if ((t->fd = tcp_listen_socket(l, &r)) < 0)
		goto fail;
	if ((r = uv_poll_init_socket(srv->loop, &t->poll, t->fd)) != 0)
		goto fail;
	t->poll.data = t;
	if ((r = uv_timer_init(srv->loop, &t->retry)) != 0) {
		uv_close((uv_handle_t *)&t->poll, NULL);
		goto fail;
	}
	t->retry.data = t;
	if ((r = uv_poll_start(&t->poll, UV_READABLE, tcp_accept_cb)) != 0) {
		uv_close((uv_handle_t *)&t->poll, NULL);
		uv_close((uv_handle_t *)&t->retry, NULL);
		goto fail;
	}
	log_info("listening on %s %s", tls ? "tls" : "tcp", t->name);
	return 0;
fail:
	log_warnx("%s %s: %s: %s", tls ? "tls" : "tcp", t->name, uv_err_name(r), uv_strerror(r));
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->srv = NULL;
	return -1;
}

void
tcp_close_listener(struct tcp_listener *t)
{
	if (t->srv == NULL || uv_is_closing((uv_handle_t *)&t->poll))
		return;
	/* uv_close stops the poll at once: the socket may be closed now. */
	uv_close((uv_handle_t *)&t->poll, NULL);
	uv_close((uv_handle_t *)&t->retry, NULL);
	close(t->fd);
	t->fd = -1;
}

/* Resumes the connections paused for `why` (TCP_PAUSED_*). */
static void
tcp_resume(struct server *srv, int why)
{
	struct tcp_conn *c, *next;

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (c->paused != why || uv_is_closing((uv_handle_t *)&c->handle))
			continue;
		c->paused = 0;
		if (tcp_drain_buffer(c) != 0 || c->paused)
			continue;
		/* TLS: records that arrived before the pause come first. */
		if (c->tls != NULL) {
			int r = tls_pump(c);
			if (r == 0)
				tls_account(c);
			if (r != 0 || c->paused)
				continue;
		}
		if (c->eof) {
			tcp_flush_partial(c);
			tcp_conn_close(c, NULL);
		} else {
			tcp_start_reading(c);
		}
	}
}

void
tcp_resume_paused(struct server *srv)
{
	tcp_resume(srv, TCP_PAUSED_QUEUE);
}

void
tcp_resume_rate_limited(void *srv)
{
	tcp_resume(srv, TCP_PAUSED_RATE);
}

/* After each round of I/O: connections that waited for buffer budget read
 * again once a buffer was freed and half of the budget is free, or the
 * one connection allowed past it is done (not sooner: no spinning). */
void
tcp_resume_budget(struct server *srv)
{
	if (srv->budget_waiters == 0 || !srv->budget_freed ||
	    (srv->conn_buf_bytes > srv->conn_buf_budget / 2 && srv->grower != NULL))
		return;
	srv->budget_waiters = 0;
	srv->budget_freed = 0;
	tcp_resume(srv, TCP_PAUSED_BUDGET);
}

void
tcp_sweep_idle(struct server *srv, int64_t now)
{
	int64_t limit = srv->cfg->tcp_idle_timeout_us;
	struct tcp_conn *c, *next;

	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		if (c->handshaking && now - c->accepted_us > srv->cfg->tls_handshake_timeout_us &&
		    !uv_is_closing((uv_handle_t *)&c->handle)) {
			static struct log_throttle thr;
			ctr_add(&srv->ctr, CTR_TLS_FAILED_TIMEOUT, 1);
			log_ratelimited(&thr, 10 * 1000000LL, "tls %s: handshake not done "
			    "within tls_handshake_timeout: closing", c->peer_text);
			tcp_conn_close(c, NULL);
			continue;
		}
		if (limit <= 0)
			continue;
		if ((!c->paused || c->paused == TCP_PAUSED_BUDGET) &&
		    now - c->last_active_us > limit &&
		    !uv_is_closing((uv_handle_t *)&c->handle)) {
			ctr_add(&srv->ctr, CTR_TCP_CLOSED_IDLE, 1);
			tcp_flush_partial(c);
			tcp_conn_close(c, "idle timeout");
		}
	}
}

int
tcp_paused_count(struct server *srv)
{
	struct tcp_conn *c;
	int n = 0;

	for (c = srv->conns; c != NULL; c = c->next)
		n += c->paused != 0 && c->paused != TCP_PAUSED_BUDGET &&
		    !uv_is_closing((uv_handle_t *)&c->handle);
	return n;
}

/* Bytes the kernel holds for this socket, unread (SIOCINQ); 0 if unknown. */
static size_t
tcp_kernel_unread(struct tcp_conn *c)
{
	uv_os_fd_t fd;
	int n = 0;

	if (uv_fileno((uv_handle_t *)&c->handle, &fd) != 0 || ioctl(fd, SIOCINQ, &n) != 0 ||
	    n < 0)
		return 0;
	return (size_t)n;
}

/*
 * Shutdown: reads more of what c's peer sent into c's buffer (room made by
 * the caller), without blocking.  Plain TCP: from the socket.  TLS: what
 * OpenSSL already holds is decrypted first, then ciphertext is read from
 * the socket and fed to it.  *budget bounds the bytes read from the
 * socket, so that a sender that keeps sending cannot hold shutdown up.
 * Returns the bytes added (> 0), or 0: the read would block, or EOF, an
 * error, a TLS close_notify, or the budget is spent.
 */
static size_t
tcp_fill(struct tcp_conn *c, size_t *budget)
{
	struct server *srv = c->srv;
	uv_os_fd_t fd;
	char detail[256];

	if (uv_fileno((uv_handle_t *)&c->handle, &fd) != 0)
		fd = -1;
	for (;;) {
		ssize_t n;
		if (c->tls != NULL) {
			n = tls_conn_read(c->tls, c->buf + c->used, c->cap - c->used, detail,
			    sizeof detail);
			if (n != 0) {
				tls_account(c);
				return n > 0 ? (size_t)n : 0;
			}
		}
		if (fd < 0 || *budget == 0)
			return 0;
		if (c->tls != NULL)
			n = recv(fd, srv->tls_rbuf, *budget < TLS_RBUF ? *budget : TLS_RBUF,
			    MSG_DONTWAIT);
		else
			n = recv(fd, c->buf + c->used, c->cap - c->used, MSG_DONTWAIT);
		if (n <= 0)
			return 0;
		*budget = (size_t)n < *budget ? *budget - (size_t)n : 0;
		if (c->tls == NULL)
			return (size_t)n;
		if (tls_conn_feed(c->tls, srv->tls_rbuf, (size_t)n) != 0)
			return 0;
	}
}

/* What c's socket may still give at shutdown: what the kernel holds now
 * plus one read (bytes on their way). */
static size_t
tcp_rest_budget(struct tcp_conn *c)
{
	return tcp_kernel_unread(c) + (c->tls != NULL ? TLS_RBUF : tcp_buf_limit(c->srv));
}

/*
 * Shutdown: reads what the kernel already acknowledged for this
 * connection (and, for TLS, what OpenSSL holds), until the read would
 * block, and queues its frames (issue #17 item 6).  Stops when the queue
 * is full (the connection paused).
 */
static void
tcp_read_rest(struct tcp_conn *c)
{
	size_t budget = tcp_rest_budget(c);

	while (!c->paused && !uv_is_closing((uv_handle_t *)&c->handle)) {
		size_t n, before;
		tcp_buf_room(c);
		if (c->buf == NULL || c->cap == c->used)
			return;
		if ((n = tcp_fill(c, &budget)) == 0)
			return;         /* would block, EOF or error: all there is */
		c->used += n;
		before = c->used;
		if (tcp_drain_buffer(c) != 0)
			return;
		if (c->used == before && c->buf != NULL && c->used == c->cap)
			return;         /* no frame fits: cannot happen (max_frame) */
	}
}

/* Bytes c's peer sent that are neither read nor decrypted: in the kernel,
 * or half a TLS record in OpenSSL. */
static int
tcp_anything_left(struct tcp_conn *c)
{
	return tcp_kernel_unread(c) > 0 || (c->tls != NULL && tls_conn_unread(c->tls) > 0);
}

/*
 * Shutdown with the queue full: counts the frames this connection holds,
 * OpenSSL holds and the kernel still has (reading and decrypting them
 * until the read would block), as dropped_shutdown, one per line; bytes
 * that arrive after that are counted as one more and logged.
 */
static void
tcp_count_left(struct tcp_conn *c)
{
	struct server *srv = c->srv;
	size_t budget = tcp_rest_budget(c), bytes = c->used, pos = 0;
	uint64_t lines = 0;

	for (;;) {
		struct frame f;
		int fr = frame_next(&c->framer, c->buf + pos, c->used - pos,
		    srv->cfg->max_frame, 0, &f);
		size_t n;
		if (fr == FRAME_ERR_COUNT)
			break;
		if (fr == FRAME_OK) {
			lines += f.len > 0;
			pos += f.consumed;
			continue;
		}
		pos += f.consumed;
		memmove(c->buf, c->buf + pos, c->used - pos);
		c->used -= pos;
		pos = 0;
		tcp_buf_room(c);
		if (c->buf == NULL || c->cap == c->used)
			break;
		if ((n = tcp_fill(c, &budget)) == 0)
			break;
		c->used += n;
		bytes += n;
	}
	lines += c->used - pos > 0;     /* a last line without its end */
	c->used = 0;
	if (tcp_anything_left(c))
		lines++;
	ctr_add(&srv->ctr, CTR_DROPPED_SHUTDOWN, lines);
	log_warnx("%s %s: shutdown: the queue stayed full; %llu line(s) (%zu bytes) "
	    "received but not queued, counted in dropped_shutdown",
	    c->tls != NULL ? "tls" : "tcp", c->peer_text, (unsigned long long)lines, bytes);
}

/*
 * Shutdown: every connection, plain or TLS, is read until the read would
 * block and what it held is queued; when the queue stays full, what is
 * left is counted (tcp_count_left).  One connection at a time, outside
 * the buffer budget (srv->draining), each buffer freed before the next.
 * A TLS connection still in its handshake has sent no line: closed.
 */
void
tcp_close_all(struct server *srv)
{
	struct tcp_conn *c;

	srv->draining = 1;
	for (c = srv->conns; c != NULL; c = c->next) {
		if (uv_is_closing((uv_handle_t *)&c->handle))
			continue;
		if (c->handshaking) {
			tcp_conn_close(c, NULL);
			continue;
		}
		c->paused = 0;
		if (!c->eof) {
			if (tcp_drain_buffer(c) != 0)
				continue;
			tcp_read_rest(c);
			if (uv_is_closing((uv_handle_t *)&c->handle))
				continue;
		}
		if (!c->paused) {
			c->eof = 1;
			if (tcp_drain_buffer(c) != 0)
				continue;
		}
		if (c->paused) {
			/* Only when shutdown gave up waiting for the writer. */
			tcp_count_left(c);
		} else {
			tcp_flush_partial(c);
			if (tcp_anything_left(c)) {
				/* Arrived after the read that would have blocked. */
				ctr_add(&srv->ctr, CTR_DROPPED_SHUTDOWN, 1);
				log_warnx("%s %s: shutdown: %zu bytes arrived while closing, "
				    "counted in dropped_shutdown", c->tls != NULL ? "tls" : "tcp",
				    c->peer_text, tcp_kernel_unread(c));
			}
		}
		c->paused = 0;
		tcp_buf_free(c);
		tcp_conn_close(c, NULL);
	}
	srv->draining = 0;
}
