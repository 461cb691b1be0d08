/*
 * serve.c — the `serve` command: listeners, queue, writer, signals.
 *
 * Threads: this (the libuv loop) thread receives and frames, and appends
 * each chunk to the disk spool (server/spool.h; its own thread fdatasyncs
 * it; at start the spool's uncommitted records are replayed before the
 * loop runs) before handing it on; the prepare
 * thread (prepare.c, started by the writer) parses; the writer thread
 * resolves and stores; the checkpointer thread (storage/checkpoint.c)
 * checkpoints the WAL with its own connection, so that the writer does
 * not (it is started before the writer and stopped after it, with a final
 * checkpoint); with alert destinations configured, the alert watcher
 * (alert/watch.c) reads incidents with its own connection (SQLite or
 * PostgreSQL, storage/db.h) and
 * one worker per destination delivers (stopped before the writer, whose
 * exit saves the watcher's last state).  Shutdown on SIGTERM/SIGINT: stop accepting
 * connections, keep reading what clients and the kernel's socket buffers
 * already hold until the input has been quiet for a moment (or
 * shutdown_grace ran out), then close every socket, publish the last chunk,
 * let the writer drain and commit, and exit 0.
 *
 * Under systemd (Type=notify, docs/deployment.md) it says READY=1 once the
 * listeners and the writer run, STOPPING=1 on SIGTERM, and WATCHDOG=1 every
 * third of WatchdogSec while the loop turns (the timer that pings runs on
 * it) and the writer has shown a sign of life within half of WatchdogSec;
 * a wedged writer or loop stops the pings and systemd restarts the
 * service.  One serve (or import) per database: DB.lock (base/dblock.c),
 * on PostgreSQL an advisory lock (store_lock_writer()).  On PostgreSQL
 * (--db postgresql://…) there is no file: no DB.lock, no checkpointer, no
 * moved-file check; the spool lives in --spool-dir and a committed batch
 * lets its segments go at once (COMMIT returning is durable).
 *
 * RELP listeners (server/relp.c) run librelp on their own thread, tw-relp:
 * bound with the others, started once the writer runs, stopped before the
 * queue closes (a frame it has taken is queued, hence stored).
 */
#include "checkpoint.h"
#include "cli.h"
#include "db.h"
#include "dblock.h"
#include "watch.h"
#include "log.h"
#include "options.h"
#include "relp.h"
#include "server.h"
#include "spool.h"
#include "store.h"
#include "tls.h"
#include "util.h"
#include "web.h"
#include "writer.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#define SERVE_QUIET_US   (300 * 1000)   /* input quiet this long: drained */
/* How far back (rows of messages) the RELP lines stored before a restart
 * are looked for: the resends omrelp may make are the last few hundred. */
#define SERVE_RELP_TAIL_ROWS 100000

/* store_relp_tail's callback: a RELP line stored before this start. */
static void
serve_relp_tail_cb(void *arg, const char *sender, const char *raw, size_t len)
{
	struct sockaddr_storage ss;
	char err[64];

	if (util_parse_hostport(sender, &ss, err, sizeof err) == 0)
		relp_note_stored(arg, (struct sockaddr *)&ss, raw, len);
}

int
server_enqueue(struct server *srv, const char *data, size_t len,
    const struct sockaddr *from, int transport, int flags, const char *ident,
    size_t ident_len)
{
	struct mq_msg *m;

	mq_producer_lock(&srv->queue);
	if (srv->spool != NULL && spool_full(srv->spool)) {
		/* Blocked first, then looked again: a commit in between
		 * still wakes us. */
		mq_mark_blocked(&srv->queue);
		if (spool_full(srv->spool)) {
			mq_producer_unlock(&srv->queue);
			return SERVER_FULL_SPOOL;
		}
	}
	if ((m = mq_reserve(&srv->queue, len, ident_len)) == NULL) {
		mq_producer_unlock(&srv->queue);
		return SERVER_FULL_QUEUE;
	}
	m->recv_us = util_now_us();
	m->transport = (uint8_t)transport;
	m->flags = (uint8_t)flags;
	m->family = (uint8_t)from->sa_family;
	if (from->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)from;
		memcpy(m->addr, &a->sin_addr, 4);
		m->port = ntohs(a->sin_port);
	} else if (from->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)from;
		memcpy(m->addr, &a->sin6_addr, 16);
		m->port = ntohs(a->sin6_port);
	}
	memcpy(m->data, data, len);
	if (ident_len > 0)
		memcpy(m->data + len, ident, ident_len);
	mq_commit(&srv->queue, m);
	mq_producer_unlock(&srv->queue);
	ctr_add(&srv->ctr, CTR_RECEIVED, 1);
	ctr_add(&srv->ctr, CTR_RECEIVED_BYTES, len);
	/* The drain's quiet timer belongs to the loop (another producer
	 * thread keeps its own). */
	if (pthread_equal(pthread_self(), srv->loop_thread))
		srv->last_rx_us = (int64_t)uv_now(srv->loop) * 1000;
	return 0;
}

int
server_flush(struct server *srv)
{
	int rc;

	mq_producer_lock(&srv->queue);
	rc = mq_flush(&srv->queue);
	mq_producer_unlock(&srv->queue);
	return rc;
}

/* After each round of I/O: what the round read goes to the spool and on
 * to the parse stage. */
static void
serve_flush_check_cb(uv_check_t *h)
{
	struct server *srv = h->data;

	(void)server_flush(srv);
	tcp_resume_budget(srv);
}

static void
serve_space_cb(uv_async_t *h)
{
	struct server *srv = h->data;

	tcp_resume_paused(srv);
}

static void
serve_close_everything(struct server *srv)
{
	int i;

	for (i = 0; i < srv->n_udp; i++)
		udp_close(&srv->udp[i]);
	tcp_close_all(srv);
	limits_close(&srv->limits);
	(void)server_flush(srv);
	uv_close((uv_handle_t *)&srv->flush_check, NULL);
	uv_close((uv_handle_t *)&srv->sweep_timer, NULL);
	if (srv->watchdog_usec > 0)
		uv_close((uv_handle_t *)&srv->watchdog, NULL);
	uv_close((uv_handle_t *)&srv->sig_term, NULL);
	uv_close((uv_handle_t *)&srv->sig_int, NULL);
	uv_close((uv_handle_t *)&srv->sig_hup, NULL);
	/* The writer may still wake us while it drains: detach first. */
	pthread_mutex_lock(&srv->queue.mtx);
	srv->queue.space_async = NULL;
	pthread_mutex_unlock(&srv->queue.mtx);
	uv_close((uv_handle_t *)&srv->space_async, NULL);
}

static void serve_check_db(struct server *srv);

static void
serve_sweep_cb(uv_timer_t *h)
{
	struct server *srv = h->data;
	int64_t now = (int64_t)uv_now(srv->loop) * 1000;
	int64_t gap = now - srv->last_sweep_us;
	int quiet;

	srv->last_sweep_us = now;
	tcp_sweep_idle(srv, now);
	serve_check_db(srv);
	if (!srv->stopping)
		return;
	/* Quiet only if the loop itself was not stalled meanwhile (a slow disk
	 * under the spool's write, a loaded machine): timers run before the
	 * sockets are polled, so after a stall the input has not been looked
	 * at yet. */
	quiet = now - srv->last_rx_us >= SERVE_QUIET_US && gap < SERVE_QUIET_US / 2;
	/* Done when the input is quiet, or grace ran out — but never while a
	 * paused connection still holds accepted bytes, unless the writer has
	 * made no room for six times the grace. */
	if (((quiet ||
	    now - srv->stop_started_us >= srv->cfg->shutdown_grace_us) &&
	    tcp_paused_count(srv) == 0) ||
	    now - srv->stop_started_us >= 6 * srv->cfg->shutdown_grace_us) {
		log_info("shutdown: input drained, closing %d connection(s)", srv->n_conns);
		serve_close_everything(srv);
	}
}

/* Stops accepting and starts draining; `now` closes every socket at the
 * next sweep instead. */
static void
serve_begin_stop(struct server *srv, int now)
{
	int i;

	sd_notify(0, "STOPPING=1");
	srv->stopping = 1;
	srv->stop_started_us = now ? 0 : (int64_t)uv_now(srv->loop) * 1000;
	srv->last_sweep_us = (int64_t)uv_now(srv->loop) * 1000;
	for (i = 0; i < srv->n_tcp; i++)
		tcp_close_listener(&srv->tcp[i]);
	for (i = 0; i < srv->n_tls; i++)
		tcp_close_listener(&srv->tls[i]);
	uv_timer_set_repeat(&srv->sweep_timer, 50);
	uv_timer_again(&srv->sweep_timer);
}

static void
serve_signal_cb(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;

	if (srv->stopping) {
		log_info("signal %d again: closing now", signum);
		srv->stop_started_us = 0;
		return;
	}
	log_info("signal %d: no longer accepting connections, draining", signum);
	serve_begin_stop(srv, 0);
}

/*
 * A database deleted or replaced under us (rm, mv, a restore copied over
 * it) keeps taking commits into an inode nobody can read (issue #17 item
 * 4).  Checked every sweep (1 s): the path must still name the file that
 * was opened.  Otherwise: stop accepting at once, say so loudly, count,
 * and exit 1 so that systemd (Restart=on-failure) starts a fresh file.
 */
static void
serve_check_db(struct server *srv)
{
	struct stat sb;
	const char *what;

	if (srv->db_moved || srv->db_ino == 0)
		return;
	if (stat(srv->cfg->db_path, &sb) != 0)
		what = errno == ENOENT ? "was deleted or moved away" : "cannot be examined";
	else if (sb.st_dev != srv->db_dev || sb.st_ino != srv->db_ino)
		what = "was replaced by another file";
	else
		return;
	srv->db_moved = 1;
	ctr_add(&srv->ctr, CTR_DB_MOVED, 1);
	log_errorx("database %s %s while serve had it open: no longer accepting; lines "
	    "already received go to the old file, which nobody can read if it was "
	    "deleted; exiting 1 so that a restart (systemd: Restart=on-failure) "
	    "stores into a fresh database", srv->cfg->db_path, what);
	serve_begin_stop(srv, 1);
}

/* The systemd watchdog: ping while the loop turns (this runs on it) and
 * the writer has shown a sign of life within half the watchdog interval. */
static void
serve_watchdog_cb(uv_timer_t *h)
{
	struct server *srv = h->data;
	static struct log_throttle thr;
	int64_t silent;

	if (srv->writer == NULL)
		return;
	silent = util_mono_us() - writer_alive_us(srv->writer);
	if (silent < (int64_t)srv->watchdog_usec / 2) {
		sd_notify(0, "WATCHDOG=1");
		return;
	}
	log_ratelimited(&thr, 10 * 1000000LL, "watchdog: the writer has shown no sign of "
	    "life for %lld s; not telling systemd we are alive", (long long)(silent / 1000000));
}

/* Starts the watchdog's timer when systemd asked for one (WatchdogSec=). */
static int
serve_watchdog_start(struct server *srv)
{
	uint64_t usec = 0, ms;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	ms = usec / 3000 > 0 ? usec / 3000 : 1;
	if (uv_timer_init(srv->loop, &srv->watchdog) != 0)
		return -1;
	srv->watchdog.data = srv;
	srv->watchdog_usec = usec;
	log_info("watchdog: pinging systemd every %llu ms", (unsigned long long)ms);
	return uv_timer_start(&srv->watchdog, serve_watchdog_cb, ms, ms) == 0 ? 0 : -1;
}

/* Where the results are and when they appear, for the person who just
 * started the collector (issue #15). */
static void
serve_print_guide(const struct config *cfg, const char *db)
{
	char late[32], corr[32], stuck[32];
	int64_t within = (cfg->lateness_us + cfg->corr_interval_us) / 1000000 + 1;

	opt_fmt_duration(late, sizeof late, cfg->lateness_us);
	opt_fmt_duration(corr, sizeof corr, cfg->corr_interval_us);
	opt_fmt_duration(stuck, sizeof stuck, cfg->stuck_after_us);
	log_info("look with: tunnelwatch tunnels --db %s | tunnelwatch incidents --db %s | "
	    "tunnelwatch timeline --db %s --device HOST --tunnel ipsec2", db, db, db);
	log_info("incidents appear within ~%lld s of the line that decides them "
	    "(lateness %s + correlate-interval %s); a tunnel down %s is stuck",
	    (long long)within, late, corr, stuck);
}

/* The server named without its password, for the log and the guide:
 * a URI's user:password@ becomes user@; a key=value string's
 * password=... is left out. */
static void
serve_pg_name(const char *target, char *out, size_t outsz)
{
	const char *at = strchr(target, '@'), *scheme = strstr(target, "://");
	size_t o = 0;

	if (scheme != NULL) {
		const char *colon = NULL, *p;
		for (p = scheme + 3; at != NULL && p < at; p++)
			if (*p == ':') {
				colon = p;
				break;
			}
		int n = colon != NULL ?
		    snprintf(out, outsz, "'%.*s%s'", (int)(colon - target), target, at) :
		    snprintf(out, outsz, "'%s'", target);
		if (n < 0 || (size_t)n >= outsz)
			log_debug("database name cut to %zu bytes", outsz);
		return;
	}
	/* key=value: copy every pair but password=. */
	if (outsz < 3) {
		if (outsz > 0)
			out[0] = '\0';
		return;
	}
	out[o++] = '\'';
	while (*target != '\0') {
		size_t n = strcspn(target, " ");
		if (n > 0 && strncmp(target, "password=", 9) != 0) {
			if (o > 1 && o + 1 < outsz - 1)
				out[o++] = ' ';
			if (o + n >= outsz - 1)
				break;
			memcpy(out + o, target, n);
			o += n;
		}
		target += n;
		while (*target == ' ')
			target++;
	}
	out[o++] = '\'';
	out[o] = '\0';
}

/* SIGHUP: the certificates, key, CAs and identity map are read again;
 * established connections keep going on the ones they started with. */
static void
serve_hup_cb(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	char err[512], what[400];

	(void)signum;
	if (srv->tls_ctx == NULL) {
		log_info("SIGHUP: no TLS listener, nothing to reload");
		return;
	}
	if (tls_ctx_reload(srv->tls_ctx, err, sizeof err) != 0) {
		ctr_add(&srv->ctr, CTR_TLS_RELOAD_ERRORS, 1);
		log_warnx("SIGHUP: TLS reload failed, keeping the certificates in use: %s", err);
		return;
	}
	ctr_add(&srv->ctr, CTR_TLS_RELOADS, 1);
	tls_ctx_describe(srv->tls_ctx, what, sizeof what);
	log_info("SIGHUP: TLS reloaded: %s", what);
}

/*
 * Descriptors (issue #17 item 5): each connection holds one, and an
 * accept that finds none is taken and closed by libuv without a word.  The
 * soft RLIMIT_NOFILE is raised to what tcp_max_conns needs (as far as the
 * hard limit allows); when even that is too few, the connections allowed
 * are lowered to fit, with a warning, so that a connection over the limit
 * is refused and counted (tcp_rejected_max) instead of vanishing.  Should
 * descriptors still run out (taken elsewhere in the process, or the limit
 * lowered while running), the listener's spare descriptor accepts and
 * closes each connection it cannot serve, counted in tcp_accept_emfile.
 */
#define SERVE_FD_RESERVE 64     /* SQLite, WAL, -shm, lock, spare, log, alerts, web ... */

static void
serve_fd_limit(struct server *srv)
{
	const struct config *cfg = srv->cfg;
	struct rlimit rl;
	rlim_t need = (rlim_t)cfg->tcp_max_conns + SERVE_FD_RESERVE +
	    (rlim_t)(cfg->n_udp + cfg->n_tcp + cfg->n_tls + cfg->n_relp);

	srv->max_conns = cfg->tcp_max_conns;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rlim_t old = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = old;
		else
			log_info("descriptors: raised the soft limit from %llu to %llu for "
			    "tcp_max_conns %d", (unsigned long long)old,
			    (unsigned long long)rl.rlim_cur, cfg->tcp_max_conns);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need) {
		rlim_t fit = rl.rlim_cur > need - (rlim_t)cfg->tcp_max_conns ?
		    rl.rlim_cur - (need - (rlim_t)cfg->tcp_max_conns) : 1;
		srv->max_conns = (int)fit;
		log_warnx("descriptors: the limit is %llu (hard %llu), too few for tcp_max_conns "
		    "%d: allowing %d connections; raise LimitNOFILE= (systemd) or ulimit -n",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max,
		    cfg->tcp_max_conns, srv->max_conns);
	}
}

/*
 * Started as root (issue #17 item 8): after the listeners are bound, run
 * as cfg->user — its groups, then its uid, which leaves no capabilities —
 * before the database is opened, so that every file is the user's.
 * Returns 0, or -1 (logged) when the user is unknown or the switch fails.
 */
static int
serve_drop_root(const struct config *cfg)
{
	struct passwd *pw;

	if (geteuid() != 0) {
		if (cfg->user[0] != '\0')
			log_info("user %s: not started as root, nothing to drop", cfg->user);
		return 0;
	}
	if (cfg->user[0] == '\0') {
		log_info("running as root: set \"user\" (docs/configuration.md) to drop "
		    "root once the listeners are bound");
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(cfg->user)) == NULL) {
		log_errorx("user %s: %s", cfg->user, errno != 0 ? strerror(errno) :
		    "no such user");
		return -1;
	}
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0) {
		log_errorx("user %s: cannot switch to it: %s", cfg->user, strerror(errno));
		return -1;
	}
	if (pw->pw_uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		log_errorx("user %s: root could be taken back: refusing to run", cfg->user);
		return -1;
	}
	log_info("running as user %s (uid %ld, gid %ld)", pw->pw_name, (long)pw->pw_uid,
	    (long)pw->pw_gid);
	return 0;
}

static int
serve_init_handles(struct server *srv)
{
	int r;

	if ((r = uv_async_init(srv->loop, &srv->space_async, serve_space_cb)) != 0 ||
	    (r = uv_check_init(srv->loop, &srv->flush_check)) != 0 ||
	    (r = uv_check_start(&srv->flush_check, serve_flush_check_cb)) != 0 ||
	    (r = uv_timer_init(srv->loop, &srv->sweep_timer)) != 0 ||
	    (r = uv_timer_start(&srv->sweep_timer, serve_sweep_cb, 1000, 1000)) != 0 ||
	    (r = uv_signal_init(srv->loop, &srv->sig_term)) != 0 ||
	    (r = uv_signal_start(&srv->sig_term, serve_signal_cb, SIGTERM)) != 0 ||
	    (r = uv_signal_init(srv->loop, &srv->sig_int)) != 0 ||
	    (r = uv_signal_start(&srv->sig_int, serve_signal_cb, SIGINT)) != 0 ||
	    (r = uv_signal_init(srv->loop, &srv->sig_hup)) != 0 ||
	    (r = uv_signal_start(&srv->sig_hup, serve_hup_cb, SIGHUP)) != 0) {
		log_errorx("event loop: %s", uv_strerror(r));
		return -1;
	}
	srv->space_async.data = srv->flush_check.data = srv->sweep_timer.data = srv;
	srv->sig_term.data = srv->sig_int.data = srv->sig_hup.data = srv;
	return 0;
}

/* The RELP lines of a replayed chunk are the newest a relay may send
 * again (they were acknowledged, or were about to be, when the collector
 * died): the resend comparison learns them after the database's tail. */
static void
serve_replay_relp(struct server *srv, const char *payload, size_t len)
{
	size_t pos = 0;

	while (pos + sizeof(struct mq_msg) <= len) {
		struct mq_msg m;
		struct sockaddr_storage ss;

		memcpy(&m, payload + pos, sizeof m);
		if (m.transport == TW_TRANSPORT_RELP) {
			memset(&ss, 0, sizeof ss);
			ss.ss_family = m.family;
			if (m.family == AF_INET)
				memcpy(&((struct sockaddr_in *)&ss)->sin_addr, m.addr, 4);
			else
				memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, m.addr, 16);
			relp_note_stored(srv->relp, (struct sockaddr *)&ss,
			    payload + pos + offsetof(struct mq_msg, data), m.len);
		}
		pos += (sizeof m + m.len + m.ident_len + 7) & ~(size_t)7;
	}
}

static int
serve_replay_cb(void *arg, uint64_t seq, const char *payload, size_t len, uint64_t count)
{
	struct server *srv = arg;
	static struct log_throttle thr;
	int64_t now = util_mono_us();

	/* A long replay waits for the writer: under systemd, ask for more
	 * start time than TimeoutStartSec= as long as it makes progress. */
	if (now - srv->replay_notified_us >= 1000000) {
		srv->replay_notified_us = now;
		sd_notifyf(0, "EXTEND_TIMEOUT_USEC=30000000\nSTATUS=replaying the spool: "
		    "%llu messages so far", (unsigned long long)ctr_get(&srv->ctr,
		    CTR_SPOOL_REPLAYED));
	}

	if (!mq_payload_ok(payload, len, count)) {
		ctr_add(&srv->ctr, CTR_SPOOL_READ_ERRORS, 1);
		log_ratelimited(&thr, 10 * 1000000LL, "spool: record %llu does not hold "
		    "messages as this version writes them; skipped",
		    (unsigned long long)seq);
		return 0;
	}
	if (srv->relp != NULL)
		serve_replay_relp(srv, payload, len);
	/* Not copied into memory: read back from the spool in turn. */
	if (srv->replay_first == 0)
		srv->replay_first = seq;
	srv->replay_last = seq;
	srv->replay_msgs += count;
	return 0;
}

/* The database's id (meta db.id), made at its first start: what its spool
 * is tied to (spool_claim).  0 or -1. */
static int
serve_db_id(struct store *st, int64_t *id)
{
	uint64_t r;

	if (store_meta_get_int(st, SPOOL_META_OWNER_KEY, id) == 0 && *id > 0)
		return 0;
	if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
		return -1;
	*id = (int64_t)(r >> 1) | 1;
	return store_meta_set_int(st, SPOOL_META_OWNER_KEY, *id) == SQLITE_OK ? 0 : -1;
}

/*
 * The meta key of a spool's committed mark: SPOOL_META_KEY for a SQLite
 * file (one spool, beside it); on PostgreSQL, where several collectors
 * share the meta table, SPOOL_META_KEY "@host:/absolute/dir".  0 or -1.
 */
static int
serve_spool_key(int pg, const char *dir, char *key, size_t sz)
{
	char host[256] = "", abs[PATH_MAX];

	if (!pg)
		return snprintf(key, sz, "%s", SPOOL_META_KEY) < (int)sz ? 0 : -1;
	if (gethostname(host, sizeof host - 1) != 0)
		snprintf(host, sizeof host, "localhost");
	/* The same key on every start: the directory as realpath names it
	 * once it exists (spool_open would make it). */
	(void)mkdir(dir, 0700);
	if (realpath(dir, abs) == NULL)
		snprintf(abs, sizeof abs, "%s", dir);
	return (size_t)snprintf(key, sz, SPOOL_META_KEY "@%s:%s", host, abs) < sz ? 0 : -1;
}

/*
 * The disk spool (server/spool.h): opened once the database is (its
 * committed position is in the meta table), before the writer starts, so
 * that the writer's commits record it.  Locked like the database, so two
 * collectors given one spool_dir do not share it.  Returns 0 or -1.
 */
static int
serve_spool_open(struct server *srv, struct store *st, struct dblock *lock)
{
	const struct config *cfg = srv->cfg;
	char dir[PATH_MAX], wal[PATH_MAX + 8], err[512], key[SPOOL_META_KEY_MAX];
	int64_t committed = 0, id;
	unsigned orphaned;
	long holder;

	if (!cfg->spool || cfg->no_spool) {
		log_info("spool: off (--no-spool): a crash loses what the writer has "
		    "not committed");
		return 0;
	}
	if (cfg->spool_dir[0] != '\0')
		snprintf(dir, sizeof dir, "%s", cfg->spool_dir);
	else if (store_is_postgres(st)) {
		log_errorx("spool: the database is a PostgreSQL server, so the spool has "
		    "no file to sit beside: give --spool-dir DIR (\"spool_dir\"; a local "
		    "directory, one per collector), or --no-spool");
		return -1;
	} else if ((size_t)snprintf(dir, sizeof dir, "%s.spool", cfg->db_path) >= sizeof dir) {
		log_errorx("spool: %s.spool: name too long", cfg->db_path);
		return -1;
	}
	if (dblock_take(lock, dir, "serve", &holder, err, sizeof err) != 0) {
		log_errorx("spool: %s; give another spool_dir", err);
		return -1;
	}
	/* Several collectors on one PostgreSQL database each have a spool:
	 * each marks its commits under a key of its own (host and directory). */
	if (serve_spool_key(store_is_postgres(st), dir, key, sizeof key) != 0) {
		log_errorx("spool: %s: name too long", dir);
		return -1;
	}
	(void)store_meta_get_int(st, key, &committed);
	/* SQLite syncs its WAL only at checkpoints: the spool syncs it before
	 * a committed mark lets segments go.  PostgreSQL's COMMIT returns
	 * once it is durable: no file to sync (NULL). */
	if ((size_t)snprintf(wal, sizeof wal, "%s-wal", cfg->db_path) >= sizeof wal ||
	    spool_open(dir, cfg->spool_max_bytes, cfg->spool_sync_us,
	    committed > 0 ? (uint64_t)committed : 0, store_is_postgres(st) ? NULL : wal,
	    &srv->ctr, &srv->spool, err,
	    sizeof err) != 0) {
		log_errorx("spool: %s", err);
		return -1;
	}
	spool_set_meta_key(srv->spool, key);
	if (serve_db_id(st, &id) != 0) {
		log_errorx("spool: cannot give %s its id (meta %s)", cfg->db_path,
		    SPOOL_META_OWNER_KEY);
		return -1;
	}
	if (spool_claim(srv->spool, id, &orphaned, err, sizeof err) != 0) {
		log_errorx("spool: %s", err);
		return -1;
	}
	if (orphaned > 0) {
		char pgname[512];
		const char *name = cfg->db_path;
		if (db_target_is_postgres(cfg->db_path)) {
			serve_pg_name(cfg->db_path, pgname, sizeof pgname);
			name = pgname;
		}
		log_warnx("spool: %s was written for another database, not %s (deleted or "
		    "replaced since): its %u segment(s) are moved to %s/orphan-*/ and not "
		    "replayed into this one", dir, name, orphaned, dir);
	}
	mq_set_spool(&srv->queue, srv->spool);
	return 0;
}

/* With the writer running: what the last run read and did not commit goes
 * through the pipeline again, before any socket is read.  Returns 0 or -1. */
static int
serve_spool_replay(struct server *srv)
{
	char err[512];
	long long n;
	uint64_t bytes, segs;

	if (srv->spool == NULL)
		return 0;
	spool_usage(srv->spool, &bytes, &segs);
	if ((n = spool_replay(srv->spool, serve_replay_cb, srv)) < 0) {
		log_errorx("spool: replay stopped (out of memory)");
		return -1;
	}
	if (n > 0) {
		/* Handed on as spilled chunks: new input waits behind them. */
		mq_adopt_spilled(&srv->queue, srv->replay_first, srv->replay_last,
		    srv->replay_msgs);
		log_info("spool: %llu messages in %lld chunks not committed before the "
		    "last stop are stored first", (unsigned long long)ctr_get(&srv->ctr,
		    CTR_SPOOL_REPLAYED), n);
	}
	if (spool_start(srv->spool, err, sizeof err) != 0) {
		log_errorx("spool: %s", err);
		return -1;
	}
	log_info("spool: %s, fdatasync every %lld ms, at most %llu KiB (%llu KiB in "
	    "%llu segment(s) at start)", spool_dir(srv->spool),
	    (long long)(srv->cfg->spool_sync_us / 1000),
	    (unsigned long long)(srv->cfg->spool_max_bytes >> 10),
	    (unsigned long long)(bytes >> 10), (unsigned long long)segs);
	return 0;
}

int
serve_run(const struct config *cfg)
{
	struct server *srv = NULL;
	struct store *st = NULL;
	struct ckpt *ckpt = NULL;
	struct dblock lock = { -1 }, spool_lock = { -1 };
	struct alert_watch *alerts = NULL;
	struct web *web = NULL;
	uv_loop_t loop;
	char err[512], abspath[PATH_MAX];
	long holder;
	int i, started = 0, rc = 1, pg = db_target_is_postgres(cfg->db_path);

	if (uv_loop_init(&loop) != 0) {
		log_errorx("cannot create the event loop");
		return 1;
	}
	if ((srv = calloc(1, sizeof *srv)) == NULL)
		goto out;
	srv->cfg = cfg;
	srv->loop = &loop;
	srv->loop_thread = pthread_self();
	srv->conn_buf_budget = cfg->queue_max_bytes;
	srv->fd_spare = -1;
	srv->udp = calloc((size_t)cfg->n_udp + 1, sizeof *srv->udp);
	srv->tcp = calloc((size_t)cfg->n_tcp + 1, sizeof *srv->tcp);
	srv->tls = calloc((size_t)cfg->n_tls + 1, sizeof *srv->tls);
	if (srv->udp == NULL || srv->tcp == NULL || srv->tls == NULL)
		goto out;
	if (!pg && dblock_take(&lock, cfg->db_path, "serve", &holder, err,
	    sizeof err) != 0) {
		log_errorx("%s; two collectors on one database would each keep their own "
		    "tunnel state: stop that one first, or give another --db", err);
		goto out;
	}
	if (cfg->n_tls > 0) {
		char what[400];
		if ((srv->tls_ctx = tls_ctx_new(cfg, err, sizeof err)) == NULL) {
			log_errorx("tls: %s", err);
			goto out;
		}
		if ((srv->tls_rbuf = malloc(64 * 1024)) == NULL)
			goto out;
		tls_ctx_describe(srv->tls_ctx, what, sizeof what);
		log_info("tls: %s", what);
	}
	serve_fd_limit(srv);
	if (serve_init_handles(srv) != 0)
		goto out;
	/* Room for one largest frame even when queue_max_bytes is as small as
	 * max_frame (main.c refuses a smaller one): it is never stuck. */
	if (mq_init(&srv->queue, cfg->queue_max_bytes + MQ_MSG_OVERHEAD,
	    cfg->queue_max_msgs, &srv->space_async) != 0)
		goto out;
	if (limits_init(&srv->limits, cfg, &srv->ctr, &loop, tcp_resume_rate_limited,
	    srv) != 0)
		goto out_listeners;
	for (i = 0; i < cfg->n_udp; i++)
		if (udp_start(srv, &cfg->udp[i], &srv->udp[srv->n_udp]) == 0)
			srv->n_udp++;
	for (i = 0; i < cfg->n_tcp; i++)
		if (tcp_start(srv, &cfg->tcp[i], &srv->tcp[srv->n_tcp], 0) == 0)
			srv->n_tcp++;
	for (i = 0; i < cfg->n_tls; i++)
		if (tcp_start(srv, &cfg->tls[i], &srv->tls[srv->n_tls], 1) == 0)
			srv->n_tls++;
	if (cfg->n_relp > 0 && relp_open(cfg, srv, &srv->ctr, &srv->relp, err,
	    sizeof err) != 0)
		log_errorx("%s", err);
	if (srv->n_udp != cfg->n_udp || srv->n_tcp != cfg->n_tcp || srv->n_tls != cfg->n_tls ||
	    (cfg->n_relp > 0) != (srv->relp != NULL)) {
		log_errorx("not every listener could start: refusing to run half-deaf");
		goto out_listeners;
	}
	if (serve_drop_root(cfg) != 0)
		goto out_listeners;
	/* Bound first: a listener that cannot start leaves no new, empty
	 * database behind. */
	if (store_open(cfg->db_path, 0, &st, err, sizeof err) != 0) {
		log_errorx("database: %s", err);
		goto out_listeners;
	}
	/* On PostgreSQL several collectors may share the database: the lock
	 * then says which one derives (docs/scale-out.md), and refuses nothing. */
	if (store_lock_writer(st, "serve", err, sizeof err) != 0) {
		log_errorx("%s; two collectors writing one database would each keep their "
		    "own tunnel state: stop that one first, or give another --db", err);
		goto out_listeners;
	}
	if (!pg) {
		struct stat sb;
		if (stat(cfg->db_path, &sb) == 0) {
			srv->db_dev = sb.st_dev;
			srv->db_ino = sb.st_ino;
		}
	}
	if (serve_spool_open(srv, st, &spool_lock) != 0)
		goto out_listeners;
	/* Without the checkpointer the writer's commits checkpoint, as
	 * SQLite does by default: slower, but nothing is lost. */
	if (pg)
		log_info("PostgreSQL: no checkpointer (the server checkpoints its own WAL)");
	else if (ckpt_start(cfg->db_path, NULL, &srv->ctr, &ckpt, err, sizeof err) != 0)
		log_warnx("checkpointer: %s; the writer will checkpoint the WAL itself", err);
	else {
		store_use_checkpointer(st, ckpt);
		log_info("checkpointer: WAL checkpoints on their own thread every %lld ms; "
		    "the WAL is reset beyond %lld MiB", (long long)(CKPT_INTERVAL_US / 1000),
		    (long long)(CKPT_WAL_MAX_BYTES >> 20));
	}
	if (srv->relp != NULL)
		store_relp_tail(st, SERVE_RELP_TAIL_ROWS, serve_relp_tail_cb, srv->relp);
	if (writer_start(cfg, st, &srv->queue, &srv->ctr, &srv->writer) != 0) {
		log_errorx("cannot start the writer thread");
		goto out_listeners;
	}
	st = NULL;              /* the writer owns it now */
	started = 1;
	if (serve_spool_replay(srv) != 0)
		goto out_listeners;
	/* The gate (alert/watch.h): with several collectors on one
	 * PostgreSQL database only the one that decides incidents alerts —
	 * the derive lock's holder (docs/scale-out.md); always open on SQLite. */
	if (alert_watch_start(cfg, &srv->ctr, srv->writer, writer_deriving(srv->writer),
	    &alerts, err, sizeof err) != 0)
		log_errorx("alerts: %s; running without alerts", err);
	if (cfg->http_on) {
		struct web_live live = { &srv->ctr, &srv->queue, util_now_us() };
		if (web_start(cfg, &live, &web, err, sizeof err) != 0) {
			log_errorx("--http: %s", err);
			goto out_listeners;
		}
		/* "127.0.0.1:0" -> "127.0.0.1", with the port bound. */
		log_info("web view and /metrics on http://%.*s:%u/ (docs/web.md)",
		    (int)(strrchr(cfg->http.text, ':') - cfg->http.text), cfg->http.text,
		    web_port(web));
	}
	if (pg)
		serve_pg_name(cfg->db_path, abspath, sizeof abspath);
	else if (realpath(cfg->db_path, abspath) == NULL)
		snprintf(abspath, sizeof abspath, "%s", cfg->db_path);
	serve_print_guide(cfg, abspath);
	if (srv->relp != NULL && relp_run(srv->relp) != 0)
		goto out_listeners;
	if (serve_watchdog_start(srv) != 0)
		log_warnx("watchdog: cannot start its timer; systemd will restart the service");
	sd_notifyf(0, "READY=1\nSTATUS=storing in %s; %d UDP and %d TCP listener(s)",
	    abspath, srv->n_udp, srv->n_tcp);
	log_info("storing in %s (%s); ready", abspath, pg ? "PostgreSQL" : "SQLite, WAL");

	uv_run(&loop, UV_RUN_DEFAULT);
	rc = srv->db_moved ? 1 : 0;
	goto out_queue;

out_listeners:
	for (i = 0; i < srv->n_udp; i++)
		udp_close(&srv->udp[i]);
	for (i = 0; i < srv->n_tcp; i++)
		tcp_close_listener(&srv->tcp[i]);
	for (i = 0; i < srv->n_tls; i++)
		tcp_close_listener(&srv->tls[i]);
	serve_close_everything(srv);
	uv_run(&loop, UV_RUN_DEFAULT);
out_queue:
	relp_close(srv->relp);  /* what it took is queued: before the queue closes */
	srv->relp = NULL;
	web_stop(web);          /* it reads the queue's sizes: before they go */
	mq_close(&srv->queue);
	alert_watch_stop(alerts);
	if (started) {
		writer_join(srv->writer);
		uint64_t left;
		size_t left_bytes;
		mq_depth(&srv->queue, &left, &left_bytes);
		if (left > 0 && srv->spool != NULL)
			log_info("shutdown: %llu messages wait in the spool (%s); the next start "
			    "stores them", (unsigned long long)left, spool_dir(srv->spool));
		uint64_t dq = ctr_get(&srv->ctr, CTR_DROPPED_QUEUE_FULL);
		uint64_t dk = ctr_get(&srv->ctr, CTR_DROPPED_KERNEL);
		uint64_t ds = ctr_get(&srv->ctr, CTR_DROPPED_SHUTDOWN);
		uint64_t dp = ctr_get(&srv->ctr, CTR_DROPPED_SPOOL_FULL);
		log_info("stopped: received %llu, stored %llu, unparsed %llu, dropped %llu "
		    "(queue full %llu, spool full %llu, kernel %llu, shutdown %llu)",
		    (unsigned long long)ctr_get(&srv->ctr, CTR_RECEIVED),
		    (unsigned long long)ctr_get(&srv->ctr, CTR_STORED),
		    (unsigned long long)ctr_get(&srv->ctr, CTR_UNPARSED),
		    (unsigned long long)(dq + dp + dk + ds), (unsigned long long)dq,
		    (unsigned long long)dp, (unsigned long long)dk, (unsigned long long)ds);
	}
	mq_destroy(&srv->queue);
out:
	if (srv != NULL)
		spool_close(srv->spool);    /* after the writer's last commit */
	dblock_release(&spool_lock);
	store_close(st);
	ckpt_stop(ckpt);        /* after the writer's connection is closed */
	dblock_release(&lock);
	if (uv_loop_close(&loop) != 0)
		log_debug("event loop closed with handles still open");
	if (srv != NULL) {
		limits_free(&srv->limits);
		tls_ctx_free(srv->tls_ctx);
		free(srv->tls_rbuf);
		if (srv->fd_spare >= 0)
			close(srv->fd_spare);
		free(srv->udp);
		free(srv->tcp);
		free(srv->tls);
	}
	free(srv);
	return rc;
}
