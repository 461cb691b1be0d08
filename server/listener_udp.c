/*
 * listener_udp.c — UDP syslog listeners (RFC 5426).
 *
 * One datagram is one message.  The socket gets a large receive buffer so a
 * burst from a failing provider is absorbed by the kernel while the loop
 * catches up: SO_RCVBUFFORCE when we have CAP_NET_ADMIN (root), which is
 * not capped by net.core.rmem_max, else SO_RCVBUF; the size the kernel
 * granted is logged.  Reads are batched with recvmmsg (UV_UDP_RECVMMSG)
 * into one slab per listener that is reused for every batch.  A datagram
 * larger than max_frame, or one the kernel cut (UV_UDP_PARTIAL), is stored
 * truncated and flagged.  When the queue is full the datagram is counted
 * as dropped: UDP has no way to push back.  Datagrams from outside
 * udp_allow, or over the sender's rate limit, are dropped and counted
 * (sender_limits.c) before they cost a queue slot.
 *
 * Datagrams the kernel drops because the socket buffer is full never reach
 * us, so they are counted from the kernel's own per-socket drop counter
 * (sk_drops: the "drops" column of /proc/net/udp, and the value SO_RXQ_OVFL
 * would put in a control message).  libuv's recvmmsg passes no control
 * buffer, so SO_RXQ_OVFL's cmsg cannot reach this callback; SO_MEMINFO
 * reads the same counter with one getsockopt.  It is read at the end of
 * every recvmmsg batch and once more at close: a drop means the buffer was
 * full, so a batch always follows it.  The increase since the last reading
 * goes to dropped_kernel.
 */
#include "identity.h"
#include "log.h"
#include "server.h"
#include "util.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* libuv reads up to this many datagrams per recvmmsg call when the buffer
 * holds that many 64 KiB slots (UV__MMSG_MAXWIDTH). */
#define UDP_MMSG_SLOTS  20
#define UDP_SLOT_SIZE   (64 * 1024)

/*
 * Adds the kernel's drops on u's socket since the last call to
 * dropped_kernel.  The first call (first = 1), right after bind, counts
 * from the socket's creation (its counter starts at 0), or turns the count
 * off for this socket with a log line when the kernel cannot report it
 * (SO_MEMINFO is Linux >= 4.6).
 */
static void
udp_count_kernel_drops(struct udp_listener *u, int first)
{
	static struct log_throttle drop_throttle;
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof mi;
	uv_os_fd_t fd;
	uint32_t delta;

	if (!first && !u->kernel_drops_ok)
		return;
	if (uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
		return;
	memset(mi, 0, sizeof mi);
	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mi, &len) != 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof mi[0]) {
		if (first)
			log_warn("udp %s: SO_MEMINFO: kernel socket drops will not be "
			    "counted (see /proc/net/udp)", u->name);
		u->kernel_drops_ok = 0;
		return;
	}
	if (first) {
		u->kernel_drops = 0;
		u->kernel_drops_ok = 1;
	}
	/* A 32-bit counter: unsigned subtraction survives its wrap. */
	delta = mi[SK_MEMINFO_DROPS] - u->kernel_drops;
	if (delta == 0)
		return;
	u->kernel_drops = mi[SK_MEMINFO_DROPS];
	ctr_add(&u->srv->ctr, CTR_DROPPED_KERNEL, delta);
	log_ratelimited(&drop_throttle, 10 * 1000000LL,
	    "udp %s: the kernel dropped %u datagram(s): socket receive buffer "
	    "full (raise udp_rcvbuf)", u->name, (unsigned)delta);
}

static void
udp_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct udp_listener *u = h->data;

	(void)suggested;
	buf->base = u->slab;
	buf->len = u->slab_len;
}

static void
udp_recv_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf,
    const struct sockaddr *addr, unsigned flags)
{
	struct udp_listener *u = h->data;
	struct server *srv = u->srv;
	static struct log_throttle full_throttle, err_throttle;
	int mflags = 0, r;
	size_t len, ident_len = 0;
	char ident[IDENT_MAX];
	const char *hosts;

	(void)buf;
	if (nread < 0) {
		log_ratelimited(&err_throttle, 60 * 1000000LL, "udp %s: read: %s",
		    u->name, uv_strerror((int)nread));
		return;
	}
	if (addr == NULL) {
		/* End of a batch, or nothing to read. */
		udp_count_kernel_drops(u, 0);
		return;
	}
	if (!limits_udp_admit(&srv->limits, addr, (int64_t)uv_now(srv->loop) * 1000))
		return;         /* not allowed, or over the rate: counted there */
	if (nread == 0) {
		ctr_add(&srv->ctr, CTR_DROPPED_EMPTY, 1);
		return;
	}
	len = (size_t)nread;
	if (flags & UV_UDP_PARTIAL)
		mflags |= MQ_F_TRUNCATED;
	if (len > srv->cfg->max_frame) {
		len = srv->cfg->max_frame;
		mflags |= MQ_F_TRUNCATED;
	}
	if ((hosts = limits_speaks_for(&srv->limits, addr, 1)) != NULL) {
		ident_len = ident_build(ident, sizeof ident, "", hosts);
		mflags |= MQ_F_BOUND;
	}
	if ((r = server_enqueue(srv, buf->base, len, addr, TW_TRANSPORT_UDP, mflags, ident,
	    ident_len)) != 0) {
		char who[80];
		ctr_add(&srv->ctr, r == SERVER_FULL_SPOOL ? CTR_DROPPED_SPOOL_FULL :
		    CTR_DROPPED_QUEUE_FULL, 1);
		log_ratelimited(&full_throttle, 10 * 1000000LL,
		    "udp %s: %s full, dropping datagrams (last from %s)", u->name,
		    r == SERVER_FULL_SPOOL ? "spool (spool_max_bytes)" : "queue",
		    util_format_sockaddr(who, sizeof who, addr));
		return;
	}
	ctr_add(&srv->ctr, CTR_RECEIVED_UDP, 1);
}

static void
udp_set_rcvbuf(struct udp_listener *u, uint64_t want)
{
	uv_os_fd_t fd;
	int size = want > INT32_MAX / 2 ? INT32_MAX / 2 : (int)want;
	int got = 0, forced = 1;
	socklen_t gl = sizeof got;

	if (want == 0 || uv_fileno((uv_handle_t *)&u->handle, &fd) != 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
		forced = 0;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size) != 0)
			log_warn("udp %s: SO_RCVBUF %d", u->name, size);
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl) == 0) {
		/* Linux reports twice the usable size (bookkeeping overhead). */
		log_info("udp %s: receive buffer %d bytes granted (asked %d%s)",
		    u->name, got, size, forced ? ", forced" :
		    ", capped by net.core.rmem_max: run as root or raise it");
	}
}

int
udp_start(struct server *srv, const struct cfg_listen *l, struct udp_listener *u)
{
	int r, family = l->addr.ss_family;
	unsigned bind_flags = family == AF_INET6 ? UV_UDP_IPV6ONLY : 0;

	memset(u, 0, sizeof *u);
	u->srv = srv;
	snprintf(u->name, sizeof u->name, "%s", l->text);
	u->slab_len = UDP_MMSG_SLOTS * UDP_SLOT_SIZE;
	if ((u->slab = malloc(u->slab_len)) == NULL) {
		log_warnx("udp %s: out of memory", u->name);
		return -1;
	}
	r = uv_udp_init_ex(srv->loop, &u->handle, (unsigned)family | UV_UDP_RECVMMSG);
	if (r != 0) {
		log_warnx("udp %s: init: %s: %s", u->name, uv_err_name(r), uv_strerror(r));
		free(u->slab);
		u->slab = NULL;
		return -1;
	}
	u->handle.data = u;
	if ((r = uv_udp_bind(&u->handle, (const struct sockaddr *)&l->addr, bind_flags)) != 0)
		goto fail;
	udp_set_rcvbuf(u, srv->cfg->udp_rcvbuf);
	udp_count_kernel_drops(u, 1);
	if ((r = uv_udp_recv_start(&u->handle, udp_alloc_cb, udp_recv_cb)) != 0)
		goto fail;
	log_info("listening on udp %s%s", u->name,
	    uv_udp_using_recvmmsg(&u->handle) ? " (recvmmsg)" : "");
	return 0;
fail:
	log_warnx("udp %s: %s: %s", u->name, uv_err_name(r), uv_strerror(r));
	udp_close(u);
	return -1;
}

static void
udp_close_cb(uv_handle_t *h)
{
	struct udp_listener *u = h->data;

	free(u->slab);
	u->slab = NULL;
}

void
udp_close(struct udp_listener *u)
{
	if (u->slab == NULL || uv_is_closing((uv_handle_t *)&u->handle))
		return;
	uv_udp_recv_stop(&u->handle);
	udp_count_kernel_drops(u, 0);
	uv_close((uv_handle_t *)&u->handle, udp_close_cb);
}
