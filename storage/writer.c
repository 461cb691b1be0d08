/*
 * writer.c — the writer thread.  See writer.h for the contract.
 */
#include "writer.h"
#include "correlator.h"
#include "db.h"
#include "domain.h"
#include "identity.h"
#include "ingest.h"
#include "log.h"
#include "prepare.h"
#include "resolve.h"
#include "retention.h"
#include "spool.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WRITER_SENDERS      4096     /* per-sender slots between stats flushes */
#define WRITER_BACKOFF_MAX  (5 * 1000000LL)
#define WRITER_IDLE_TURN_US (1000000LL)   /* the loop turns at least this often */
/* Behind (more than a batch waiting in the queue): transactions grow this
 * many times larger and longer.  Each transaction rewrites one page of the
 * events index per tunnel it touches, so fewer, larger ones write less;
 * when caught up, rows are visible within flush_interval again. */
#define WRITER_BACKLOG_GROW 5
#define WRITER_TRIM_US      (1000000LL)   /* freed heap goes back this often */
/* PostgreSQL: lines of one batch a statement fails on every time, left
 * out of it (writer_pg_failed), at most; and the code that asks
 * writer_commit to replay the batch at once, without them. */
#define WRITER_SKIP_MAX     64
#define WRITER_REPLAY       SQLITE_ABORT

struct writer_skip {
	const struct mq_chunk *c;
	size_t i;                      /* the message's place in its chunk */
	int store;                     /* 1: stored, not resolved; 0: left out */
};

struct sender_slot {
	char ip[48];
	char host[64];
	char peer[IDENT_PEER_MAX];     /* TLS client certificate name, "" none */
	int64_t received, unparsed, truncated, forged, first_us, last_us;
	int transport;                 /* of its last line (enum tw_transport) */
};

struct writer {
	const struct config *cfg;
	struct store *st;
	struct mq *q;
	struct counters *ctr;
	pthread_t thread;

	/* Chunks inside the open transaction, in order. */
	struct mq_chunk *pending, *pending_tail;
	uint64_t pending_rows, pending_unparsed;
	int in_txn;
	int64_t txn_started_us;
	/* Monotonic time of the last turn of the loop or of a retry: the
	 * watchdog's sign of life (writer_alive_us), read by the loop thread. */
	_Atomic int64_t alive_us;
	int64_t oldest_recv_us;        /* of the rows pending; 0: none yet */

	char *scratch;                 /* INGEST_SCRATCH(max_frame) */
	struct prep_stage *prep;       /* parses chunks on its own thread */
	struct resolver *resolver;     /* devices, tunnels, events */
	struct corr *corr;             /* incidents, a stage after commits */
	/* Several collectors on one PostgreSQL database (docs/scale-out.md):
	 * 1 while this one derives (store_deriving); always 1 on SQLite.  Read
	 * by the alert watcher, which speaks only for the deriving collector. */
	_Atomic int deriving;
	uint64_t pending_dups;         /* lines of the open transaction another
	                                * collector had stored */
	int64_t next_pending_us;       /* the next pass over their pending lines */
	char *pend_scratch;            /* INGEST_SCRATCH of a stored line */
	struct writer_skip skip[WRITER_SKIP_MAX];
	int nskip;
	int64_t next_corr_us;
	int64_t next_retention_us;
	struct domain_scratch *ds;

	/* Cache of the last sender formatted to text. */
	uint8_t last_addr[16];
	uint16_t last_port;
	uint8_t last_family;
	char last_sender[64];
	char last_ip[48];

	/* writer_post_meta: a value waiting to be saved. */
	pthread_mutex_t meta_mtx;
	char meta_key[64];
	char *meta_text;

	struct sender_slot *senders;   /* open addressing on the IP text */
	int n_senders;
	int64_t next_stats_us;
	int64_t next_trim_us;
	uint64_t last_logged_stored;
};

static uint32_t
writer_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct sender_slot *
writer_sender(struct writer *w, const char *ip)
{
	uint32_t i = writer_hash(ip) & (WRITER_SENDERS - 1);
	int probes;

	for (probes = 0; probes < WRITER_SENDERS; probes++) {
		struct sender_slot *s = &w->senders[i];
		if (s->ip[0] == '\0') {
			if (w->n_senders >= WRITER_SENDERS * 3 / 4)
				return NULL;       /* table full until the next flush */
			snprintf(s->ip, sizeof s->ip, "%s", ip);
			w->n_senders++;
			return s;
		}
		if (strcmp(s->ip, ip) == 0)
			return s;
		i = (i + 1) & (WRITER_SENDERS - 1);
	}
	return NULL;
}

static void
writer_format_sender(struct writer *w, const struct mq_msg *m)
{
	struct sockaddr_storage ss;

	if (m->family == w->last_family && m->port == w->last_port &&
	    memcmp(m->addr, w->last_addr, 16) == 0)
		return;
	memset(&ss, 0, sizeof ss);
	ss.ss_family = m->family;
	if (m->family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		memcpy(&a->sin_addr, m->addr, 4);
		a->sin_port = htons(m->port);
	} else if (m->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		memcpy(&a->sin6_addr, m->addr, 16);
		a->sin6_port = htons(m->port);
	}
	util_format_sockaddr(w->last_sender, sizeof w->last_sender, (struct sockaddr *)&ss);
	util_format_ip(w->last_ip, sizeof w->last_ip, (struct sockaddr *)&ss);
	w->last_family = m->family;
	w->last_port = m->port;
	memcpy(w->last_addr, m->addr, 16);
}

/*
 * Identity binding: may m's sender speak for the line's host?  Its
 * identity (certificate names, map, allowlist entry) may name the host,
 * or the device's system-ip — the line's own (an FTMD notification says
 * it) or the one the host is known by (once an FTMD line has shown it).
 */
static int
writer_may_speak(struct writer *w, const struct mq_msg *m, const struct prep_msg *pm)
{
	const char *ident = m->data + m->len;
	const char *host = span_ptr(pm->row.raw, pm->row.hdr.hostname);
	size_t hlen = pm->row.hdr.hostname.len;
	char ip[64];

	if (ident_allows(ident, m->ident_len, host, hlen))
		return 1;
	if (pm->facts.sysip[0] != '\0' &&
	    ident_allows(ident, m->ident_len, pm->facts.sysip, strlen(pm->facts.sysip)))
		return 1;
	return resolve_host_system_ip(w->resolver, host, hlen, ip, sizeof ip) &&
	    ident_allows(ident, m->ident_len, ip, strlen(ip));
}

/* Counts a forged line and says so (rate-limited): who sent it, as whom. */
static void
writer_log_forged(struct writer *w, const struct mq_msg *m, const struct ingest_row *row)
{
	static struct log_throttle thr;
	char host[64], peer[IDENT_PEER_MAX];

	ctr_add(w->ctr, CTR_IDENTITY_MISMATCH, 1);
	span_copy(host, sizeof host, row->raw, row->hdr.hostname);
	ident_peer(m->data + m->len, m->ident_len, peer, sizeof peer);
	log_ratelimited(&thr, 10 * 1000000LL, "identity: %s%s%s sent a line for host "
	    "\"%s\", which it may not speak for: stored as forged, not applied",
	    w->last_sender, peer[0] != '\0' ? " as " : "", peer, host);
}

/* -1: line i of c goes in as usual; else its writer_skip.store. */
static int
writer_skipped(const struct writer *w, const struct mq_chunk *c, size_t i)
{
	int k;

	for (k = 0; k < w->nskip; k++)
		if (w->skip[k].c == c && w->skip[k].i == i)
			return w->skip[k].store;
	return -1;
}

/*
 * PostgreSQL aborts the whole transaction at a failed statement, where
 * SQLite undoes only that statement and the writer skips the one line:
 * the batch must be replayed without it.  A failure of the multi-row
 * insert names no line: the replay is then careful (a statement per row,
 * store_set_careful) so that the next failure names it.  A line named is
 * left out (store 0: its row failed) or stored without being resolved
 * (store 1).  Returns WRITER_REPLAY, or rc when nothing can be left out
 * (then writer_commit retries with back-off, as for a transient error).
 */
static int
writer_pg_failed(struct writer *w, const struct mq_chunk *c, size_t i, int store, int rc)
{
	static struct log_throttle thr[2];

	if (!store_careful(w->st)) {
		store_set_careful(w->st, 1);
		return WRITER_REPLAY;
	}
	if (c == NULL || w->nskip >= WRITER_SKIP_MAX)
		return rc;
	w->skip[w->nskip].c = c;
	w->skip[w->nskip].i = i;
	w->skip[w->nskip].store = store;
	w->nskip++;
	log_ratelimited(&thr[store != 0], 10 * 1000000LL, "postgresql: a line of this batch fails "
	    "every time (%s): the batch is stored %s", db_errmsg(store_dbh(w->st)),
	    store ? "with that line, which is not resolved" : "without that line");
	return WRITER_REPLAY;
}

/* Inserts the rows of one chunk, with its messages parsed by the prepare
 * stage when b is not NULL (else parsed here: replays).  Returns SQLITE_OK
 * or a transient code (then the whole transaction must be replayed). */
static int
writer_insert_chunk(struct writer *w, struct mq_chunk *c, struct prep_batch *b,
    int count_senders)
{
	size_t pos = 0, i = 0;
	struct mq_msg *m;

	for (; (m = mq_next(c, &pos)) != NULL; i++) {
		struct prep_msg local, *pm = b != NULL && i < b->n && b->msgs[i].ok ?
		    &b->msgs[i] : NULL;
		struct store_msg_meta meta;
		int64_t id = 0;
		int rc, skip = writer_skipped(w, c, i), stage = 0;

		if (skip == 0)
			continue;               /* counted when it failed */
		if (pm == NULL) {
			prep_ingest(w->cfg, m, w->scratch, &local.row);
			/* An escaped line: the stage's time still holds, and only
			 * it knew the device's previous line (tzstate.h). */
			if (b != NULL && i < b->n)
				local.row.device_us = b->msgs[i].row.device_us;
			facts_prepare(&local.row, w->ds, &local.facts);
			pm = &local;
		}
		/* Identity binding (server/identity.h): a line for a host its
		 * sender may not speak for is kept, flagged, and not resolved,
		 * so it can move no tunnel. */
		if ((m->flags & MQ_F_BOUND) && !writer_may_speak(w, m, pm))
			pm->row.flags |= INGEST_F_FORGED;
		writer_format_sender(w, m);
		if (w->oldest_recv_us == 0 || m->recv_us < w->oldest_recv_us)
			w->oldest_recv_us = m->recv_us;
		meta.recv_us = m->recv_us;
		meta.sender = w->last_sender;
		meta.transport = m->transport;
		meta.import_id = 0;
		meta.pending = !w->deriving;
		rc = store_insert_message(w->st, &meta, &pm->row, &id);
		if (rc == SQLITE_OK && id == 0) {
			/* Another collector stored this line (docs/scale-out.md). */
			if (pm == &local)
				facts_clear(&local.facts);
			w->pending_dups++;
			continue;
		}
		if (rc == SQLITE_OK && w->deriving && skip != 1 &&
		    !(pm->row.flags & INGEST_F_FORGED)) {
			struct resolve_source src = { w->last_ip, NULL, m->recv_us };
			stage = 1;
			rc = resolve_apply(w->resolver, id, &pm->facts, &src);
		}
		if (pm == &local)
			facts_clear(&local.facts);
		if (rc != SQLITE_OK) {
			if (store_is_transient(rc))
				return rc;
			ctr_add(w->ctr, CTR_DB_ERRORS, 1);
			if (store_is_postgres(w->st))
				return writer_pg_failed(w, c, i, stage, rc);
			continue;
		}
		w->pending_rows++;
		if (pm->row.status != INGEST_OK)
			w->pending_unparsed++;
		if (count_senders) {
			struct sender_slot *s = writer_sender(w, w->last_ip);
			if (pm->row.flags & INGEST_F_TRUNCATED)
				ctr_add(w->ctr, CTR_TRUNCATED, 1);
			if (pm->row.flags & INGEST_F_ESCAPED)
				ctr_add(w->ctr, CTR_ESCAPED, 1);
			if (pm->row.flags & INGEST_F_FORGED)
				writer_log_forged(w, m, &pm->row);
			if (s != NULL) {
				s->received++;
				s->forged += (pm->row.flags & INGEST_F_FORGED) != 0;
				if (m->ident_len > 0 && m->data[m->len] != '\0')
					ident_peer(m->data + m->len, m->ident_len, s->peer,
					    sizeof s->peer);
				s->unparsed += pm->row.status != INGEST_OK;
				s->truncated += (pm->row.flags & INGEST_F_TRUNCATED) != 0;
				if (s->first_us == 0)
					s->first_us = m->recv_us;
				s->last_us = m->recv_us;
				s->transport = m->transport;
				span_copy(s->host, sizeof s->host, pm->row.raw,
				    pm->row.hdr.hostname);
			}
		}
	}
	return SQLITE_OK;
}

static void
writer_sleep_us(int64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
writer_write_stats(struct writer *w, int64_t now)
{
	uint64_t qmsgs;
	size_t qbytes;
	int i;

	mq_depth(w->q, &qmsgs, &qbytes);
	for (i = 0; i < CTR_MAX; i++)
		store_write_stat(w->st, now, counter_names[i], (int64_t)ctr_get(w->ctr, i));
	store_write_stat(w->st, now, "queue_messages", (int64_t)qmsgs);
	store_write_stat(w->st, now, "queue_bytes", (int64_t)qbytes);
	store_write_stat(w->st, now, "tcp_connections",
	    (int64_t)atomic_load(&w->ctr->tcp_conns));
	store_write_stat(w->st, now, "tls_handshakes_in_progress",
	    (int64_t)atomic_load(&w->ctr->tls_handshaking));
	if (store_is_postgres(w->st))
		store_write_stat(w->st, now, "deriving", atomic_load(&w->deriving));
	if (w->q->spool != NULL) {
		store_write_stat(w->st, now, "spool_bytes",
		    (int64_t)atomic_load(&w->ctr->spool_bytes));
		store_write_stat(w->st, now, "spool_segments",
		    (int64_t)atomic_load(&w->ctr->spool_segments));
	}
	for (i = 0; i < WRITER_SENDERS; i++) {
		struct sender_slot *s = &w->senders[i];
		if (s->ip[0] == '\0')
			continue;
		store_add_sender(w->st, s->ip, s->received, s->unparsed, s->truncated,
		    s->first_us, s->last_us, s->host, s->forged, s->peer, s->transport);
	}
	memset(w->senders, 0, WRITER_SENDERS * sizeof *w->senders);
	w->n_senders = 0;
	log_info("stats: received %llu stored %llu unparsed %llu truncated %llu "
	    "dropped %llu (queue full %llu, spool full %llu, kernel %llu) queue %llu msgs / "
	    "%zu bytes, tcp conns %llu",
	    (unsigned long long)ctr_get(w->ctr, CTR_RECEIVED),
	    (unsigned long long)ctr_get(w->ctr, CTR_STORED),
	    (unsigned long long)ctr_get(w->ctr, CTR_UNPARSED),
	    (unsigned long long)ctr_get(w->ctr, CTR_TRUNCATED),
	    (unsigned long long)(ctr_get(w->ctr, CTR_DROPPED_QUEUE_FULL) +
	    ctr_get(w->ctr, CTR_DROPPED_SPOOL_FULL) + ctr_get(w->ctr, CTR_DROPPED_KERNEL)),
	    (unsigned long long)ctr_get(w->ctr, CTR_DROPPED_QUEUE_FULL),
	    (unsigned long long)ctr_get(w->ctr, CTR_DROPPED_SPOOL_FULL),
	    (unsigned long long)ctr_get(w->ctr, CTR_DROPPED_KERNEL),
	    (unsigned long long)qmsgs, qbytes,
	    (unsigned long long)atomic_load(&w->ctr->tcp_conns));
}

/* The highest spool sequence among the pending chunks; 0: none. */
static uint64_t
writer_spool_seq(const struct writer *w)
{
	uint64_t seq = 0;

	for (const struct mq_chunk *c = w->pending; c != NULL; c = c->next)
		if (c->spool_seq > seq)
			seq = c->spool_seq;
	return seq;
}

/* Inside the transaction, with the rows: how far the spool is committed
 * (spool.h), so that a replay after a crash starts right after it. */
static int
writer_spool_mark(struct writer *w, uint64_t seq)
{
	if (w->q->spool == NULL || seq == 0)
		return SQLITE_OK;
	return store_meta_set_int(w->st, spool_meta_key(w->q->spool), (int64_t)seq);
}

/*
 * After each begin: the store may have taken or lost the derive lock
 * (several collectors, docs/scale-out.md).  Either way what the resolver
 * and the correlator hold in memory may be behind the database — another
 * collector derived meanwhile — so both start over from it.
 */
static void
writer_sync_role(struct writer *w)
{
	int d = store_deriving(w->st);

	if (d == w->deriving)
		return;
	resolve_reset(w->resolver);
	corr_forget(w->corr);
	if (d) {
		ctr_add(w->ctr, CTR_DERIVE_TAKEOVERS, 1);
		w->next_pending_us = 0;
		w->next_corr_us = 0;
	} else {
		log_warnx("writer: this collector no longer derives; it stores what it "
		    "receives for the one that does");
	}
	atomic_store(&w->deriving, d);
}

/*
 * Commits the open transaction.  rc is SQLITE_OK, or the transient error an
 * insert of this transaction already hit.  On any failure the transaction
 * is rolled back and every pending chunk replayed into a fresh one, with
 * back-off, until a commit sticks.  On shutdown (give_up_us > 0) a
 * persistent failure ends after that long and the rows are counted as
 * dropped_shutdown; otherwise it never gives up.
 */
static void
writer_commit(struct writer *w, int rc, int64_t give_up_us)
{
	int64_t backoff = 10000, started = util_mono_us();
	static struct log_throttle thr;
	uint64_t seq = writer_spool_seq(w);

	for (;;) {
		if (rc == SQLITE_OK && (rc = writer_spool_mark(w, seq)) == SQLITE_OK &&
		    (rc = resolve_flush(w->resolver)) == SQLITE_OK &&
		    (rc = store_commit(w->st)) == SQLITE_OK)
			break;
		store_rollback(w->st);
		resolve_reset(w->resolver);
		/* A commit PostgreSQL refused for a statement's sake (the
		 * multi-row insert, the held events): find the line. */
		if (rc != WRITER_REPLAY && !store_is_transient(rc) && store_is_postgres(w->st))
			rc = writer_pg_failed(w, NULL, 0, 0, rc);
		if (rc == WRITER_REPLAY)
			goto replay;
		ctr_add(w->ctr, (rc & 0xff) == SQLITE_FULL ? CTR_DB_FULL_RETRIES :
		    (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ?
		    CTR_DB_BUSY_RETRIES : CTR_DB_ERRORS, 1);
		log_ratelimited(&thr, 10 * 1000000LL,
		    "sqlite: cannot store %llu rows: %s; keeping them queued and "
		    "retrying", (unsigned long long)w->pending_rows, sqlite3_errstr(rc));
		if (give_up_us > 0 && util_mono_us() - started > give_up_us) {
			ctr_add(w->ctr, CTR_DROPPED_SHUTDOWN, w->pending_rows);
			log_warnx("shutdown: giving up on %llu uncommitted rows",
			    (unsigned long long)w->pending_rows);
			break;
		}
		writer_sleep_us(backoff);
		w->alive_us = util_mono_us();
		backoff = backoff * 2 > WRITER_BACKOFF_MAX ? WRITER_BACKOFF_MAX : backoff * 2;
replay:
		/* Replay the batch in a fresh transaction. */
		w->pending_rows = w->pending_unparsed = w->pending_dups = 0;
		if ((rc = store_begin(w->st)) != SQLITE_OK)
			continue;
		writer_sync_role(w);
		for (struct mq_chunk *c = w->pending; c != NULL; c = c->next)
			if ((rc = writer_insert_chunk(w, c, NULL, 0)) != SQLITE_OK)
				break;
	}
	if (rc == SQLITE_OK) {
		ctr_add(w->ctr, CTR_STORED, w->pending_rows);
		ctr_add(w->ctr, CTR_UNPARSED, w->pending_unparsed);
		ctr_add(w->ctr, CTR_DROPPED_DUPLICATE,
		    w->pending_dups + store_take_duplicates(w->st));
		ctr_add(w->ctr, CTR_DB_COMMITS, 1);
		atomic_store_explicit(&w->ctr->last_batch_rows, w->pending_rows,
		    memory_order_relaxed);
		if (w->oldest_recv_us != 0)
			atomic_store_explicit(&w->ctr->writer_lag_us,
			    util_now_us() - w->oldest_recv_us, memory_order_relaxed);
		/* Before the chunks go back: the spool's room, then the
		 * queue's wake-up (mq_release), in that order. */
		if (w->q->spool != NULL && seq != 0)
			spool_committed(w->q->spool, seq);
	}
	w->oldest_recv_us = 0;
	w->nskip = 0;
	store_set_careful(w->st, 0);
	while (w->pending != NULL) {
		struct mq_chunk *c = w->pending;
		w->pending = c->next;
		mq_release(w->q, c);
	}
	w->pending_tail = NULL;
	w->pending_rows = w->pending_unparsed = w->pending_dups = 0;
	w->in_txn = 0;
}

static int
writer_open_txn(struct writer *w)
{
	int64_t backoff = 10000;
	static struct log_throttle thr;
	int rc;

	while ((rc = store_begin(w->st)) != SQLITE_OK) {
		ctr_add(w->ctr, CTR_DB_BUSY_RETRIES, 1);
		log_ratelimited(&thr, 10 * 1000000LL, "sqlite: cannot begin: %s; retrying",
		    sqlite3_errstr(rc));
		writer_sleep_us(backoff);
		w->alive_us = util_mono_us();
		backoff = backoff * 2 > WRITER_BACKOFF_MAX ? WRITER_BACKOFF_MAX : backoff * 2;
	}
	writer_sync_role(w);
	w->in_txn = 1;
	w->txn_started_us = util_mono_us();
	return 0;
}

/* One retention step; returns how long to wait before the next: soon
 * while old rows remain, a minute when caught up. */
static int64_t
writer_prune(struct writer *w)
{
	static struct log_throttle thr;
	uint64_t deleted = 0;
	int more = 0, rc = retention_step(w->st, w->cfg, util_now_us(), &more, &deleted);

	if (rc != SQLITE_OK) {
		log_ratelimited(&thr, 600 * 1000000LL, "retention: step failed: %s",
		    sqlite3_errstr(rc));
		return 60 * 1000000LL;
	}
	if (deleted > 0)
		log_debug("retention: pruned %llu rows", (unsigned long long)deleted);
	if (more)
		return 200 * 1000LL;
	/* Caught up: look again in a minute, or sooner for short retentions. */
	return w->cfg->retention_messages_us / 4 < 60 * 1000000LL ?
	    w->cfg->retention_messages_us / 4 + 100 * 1000LL : 60 * 1000000LL;
}

void
writer_post_meta(struct writer *w, const char *key, const char *text)
{
	char *copy = strdup(text);

	if (copy == NULL)
		return;
	pthread_mutex_lock(&w->meta_mtx);
	free(w->meta_text);
	w->meta_text = copy;
	snprintf(w->meta_key, sizeof w->meta_key, "%s", key);
	pthread_mutex_unlock(&w->meta_mtx);
}

/* Saves what writer_post_meta left, inside the open transaction.  On a
 * failure the value is kept for the next try (unless a newer came). */
static int
writer_save_meta(struct writer *w)
{
	char key[64], *text;
	int rc;

	pthread_mutex_lock(&w->meta_mtx);
	text = w->meta_text;
	w->meta_text = NULL;
	snprintf(key, sizeof key, "%s", w->meta_key);
	pthread_mutex_unlock(&w->meta_mtx);
	/* Several collectors: what the alert watcher says is the deriving
	 * collector's; a collector that lost the role must not overwrite the
	 * state its successor saves. */
	if (text != NULL && !w->deriving) {
		free(text);
		return SQLITE_OK;
	}
	if (text == NULL)
		return SQLITE_OK;
	if ((rc = store_meta_set_text(w->st, key, text)) != SQLITE_OK) {
		pthread_mutex_lock(&w->meta_mtx);
		if (w->meta_text == NULL) {
			w->meta_text = text;
			text = NULL;
		}
		pthread_mutex_unlock(&w->meta_mtx);
	}
	free(text);
	return rc;
}

/* The sender's address of "ip:port" or "[ip6]:port", into out. */
static void
writer_sender_ip(const char *sender, char *out, size_t sz)
{
	const char *end;

	out[0] = '\0';
	if (sender == NULL)
		return;
	if (sender[0] == '[' && (end = strchr(sender, ']')) != NULL)
		snprintf(out, sz, "%.*s", (int)(end - sender - 1), sender + 1);
	else if ((end = strrchr(sender, ':')) != NULL)
		snprintf(out, sz, "%.*s", (int)(end - sender), sender);
	else
		snprintf(out, sz, "%s", sender);
}

/* One line another collector stored: parsed again and resolved, as if it
 * had arrived here (its device time as that collector made it). */
static int
writer_derive_one(void *arg, const struct store_pending *p)
{
	struct writer *w = arg;
	struct resolve_source src;
	struct ingest_row row;
	char ip[64];

	if ((p->flags & INGEST_F_FORGED) || p->raw_len > w->cfg->max_frame * 4u)
		return SQLITE_OK;          /* never applied (identity binding) */
	ingest_prepare(w->cfg, p->raw, p->raw_len, p->recv_us, 0,
	    p->flags & (INGEST_F_TRUNCATED | INGEST_F_OCTET), w->pend_scratch, &row);
	row.device_us = p->device_us;
	writer_sender_ip(p->sender, ip, sizeof ip);
	src.sender_ip = ip[0] != '\0' ? ip : NULL;
	src.file = NULL;
	src.recv_us = p->recv_us;
	return resolve_message(w->resolver, p->message_id, &row, &src, w->ds);
}

/*
 * The deriving collector's pass over what the others stored (pending
 * lines), between batches, in a transaction of its own: each is derived
 * or, when this collector has the same line, dropped.  Runs again at once
 * while a full pass came back, else after flush_interval.
 */
static void
writer_derive_pending(struct writer *w)
{
	static struct log_throttle thr;
	size_t derived = 0, dropped = 0;
	int rc;

	if (w->pend_scratch == NULL &&
	    (w->pend_scratch = malloc(INGEST_SCRATCH((size_t)w->cfg->max_frame * 4))) == NULL)
		return;
	writer_open_txn(w);
	if (!w->deriving) {
		store_rollback(w->st);
		w->in_txn = 0;
		return;
	}
	rc = store_pending_scan(w->st, writer_derive_one, w, &derived, &dropped);
	if (rc == SQLITE_OK && (rc = resolve_flush(w->resolver)) == SQLITE_OK)
		rc = store_commit(w->st);
	w->in_txn = 0;
	if (rc != SQLITE_OK) {
		store_rollback(w->st);
		resolve_reset(w->resolver);
		ctr_add(w->ctr, CTR_DB_ERRORS, 1);
		log_ratelimited(&thr, 60 * 1000000LL, "writer: the pass over lines other "
		    "collectors stored failed: %s; retrying", sqlite3_errstr(rc));
		w->next_pending_us = util_mono_us() + w->cfg->flush_us;
		return;
	}
	ctr_add(w->ctr, CTR_DERIVED_PENDING, derived);
	ctr_add(w->ctr, CTR_DROPPED_DUPLICATE, dropped);
	w->next_pending_us = derived + dropped > 0 ? 0 : util_mono_us() + w->cfg->flush_us;
}

/* The correlator's pass, between batches (docs/architecture.md). */
static void
writer_note_trail(void *arg, int64_t tunnel_id, int64_t us)
{
	corr_note_trail(arg, tunnel_id, us);
}

static void
writer_correlate(struct writer *w)
{
	static struct log_throttle thr;
	int64_t t0 = util_mono_us();
	struct corr_stats cs;
	int rc;

	/* Without the feed (TW_CORR_READ_BACK=1): the tunnels given DPD lines,
	 * which no events row shows the pass. */
	resolve_trail_touched(w->resolver, writer_note_trail, w->corr);
	rc = corr_run(w->corr, util_now_us(), 0);
	/* The pass's cost, so that its growth with history shows (the soak,
	 * tests/soak/soak.sh, divides one by the other per minute). */
	ctr_add(w->ctr, CTR_CORR_PASSES, 1);
	ctr_add(w->ctr, CTR_CORR_PASS_US, (uint64_t)(util_mono_us() - t0));

	if (rc != SQLITE_OK) {
		ctr_add(w->ctr, (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED ?
		    CTR_DB_BUSY_RETRIES : (rc & 0xff) == SQLITE_FULL ? CTR_DB_FULL_RETRIES :
		    CTR_DB_ERRORS, 1);
		log_ratelimited(&thr, 60 * 1000000LL, "correlator: pass failed: %s; "
		    "retrying next interval", sqlite3_errstr(rc));
		return;
	}
	corr_get_stats(w->corr, &cs);
	if (cs.tunnels > 0 && cs.incidents_opened == 0 && cs.incidents_closed == 0)
		log_debug("correlator: %llu events on %llu tunnels (%llu from memory, %llu "
		    "read back)", (unsigned long long)cs.events, (unsigned long long)cs.tunnels,
		    (unsigned long long)cs.from_memory, (unsigned long long)cs.read_back);
	if (cs.incidents_opened > 0 || cs.incidents_closed > 0)
		log_info("correlator: %llu events on %llu tunnels (%llu from memory, %llu "
		    "read back), %llu incidents opened, %llu closed (%lld ms)",
		    (unsigned long long)cs.events, (unsigned long long)cs.tunnels,
		    (unsigned long long)cs.from_memory, (unsigned long long)cs.read_back,
		    (unsigned long long)cs.incidents_opened,
		    (unsigned long long)cs.incidents_closed,
		    (long long)((util_mono_us() - t0) / 1000));
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	int closed = 0;

	pthread_setname_np(pthread_self(), "tw-writer");
	w->next_stats_us = util_mono_us() + w->cfg->stats_interval_us;
	for (;;) {
		int64_t now = util_mono_us(), wait = w->cfg->flush_us;
		struct prep_batch *b;
		struct mq_chunk *c;
		uint64_t qmsgs;
		size_t qbytes;
		int grow;

		/* The queue counts the open transaction's messages too. */
		w->alive_us = now;
		mq_depth(w->q, &qmsgs, &qbytes);
		grow = qmsgs > w->pending_rows + (uint64_t)w->cfg->batch_rows ?
		    WRITER_BACKLOG_GROW : 1;
		if (w->in_txn)
			wait = w->txn_started_us + w->cfg->flush_us * grow - now;
		if (wait < 1000)
			wait = 1000;
		if (wait > WRITER_IDLE_TURN_US)     /* a sign of life while idle */
			wait = WRITER_IDLE_TURN_US;
		b = prep_pop(w->prep, wait, &closed);
		c = b != NULL ? b->chunk : NULL;
		if (c != NULL) {
			if (!w->in_txn)
				writer_open_txn(w);
			if (w->pending_tail != NULL)
				w->pending_tail->next = c;
			else
				w->pending = c;
			w->pending_tail = c;
			/* A transient failure is handled by writer_commit's
			 * replay of every pending chunk, this one included. */
			int rc = writer_insert_chunk(w, c, b, 1);
			/* Replays parse again: the batch is not kept. */
			prep_batch_free(b);
			if (rc != SQLITE_OK)
				writer_commit(w, rc, 0);
		}
		now = util_mono_us();
		if (w->in_txn && (w->pending_rows >= (uint64_t)w->cfg->batch_rows * grow ||
		    now - w->txn_started_us >= w->cfg->flush_us * grow || closed))
			writer_commit(w, SQLITE_OK, closed ? w->cfg->shutdown_grace_us * 6 : 0);
		/* A collector that only stores takes over when the deriving
		 * one stops, input or not (store_begin tries too). */
		if (!w->in_txn && !w->deriving) {
			store_try_derive(w->st);
			writer_sync_role(w);
		}
		if (!w->in_txn && w->deriving && store_is_postgres(w->st) &&
		    now >= w->next_pending_us)
			writer_derive_pending(w);
		if (!w->in_txn && w->deriving && now >= w->next_corr_us) {
			writer_correlate(w);
			w->next_corr_us = util_mono_us() + w->cfg->corr_interval_us;
			pthread_mutex_lock(&w->meta_mtx);
			int posted = w->meta_text != NULL;
			pthread_mutex_unlock(&w->meta_mtx);
			if (posted) {
				writer_open_txn(w);
				writer_commit(w, writer_save_meta(w), 0);
			}
		}
		if (!w->in_txn && w->deriving && now >= w->next_retention_us) {
			w->next_retention_us = util_mono_us() + writer_prune(w);
		}
		/* Chunks, parsed batches and SQLite's pages are allocated and
		 * freed on different threads: while a backlog is worked off
		 * glibc's arenas keep much of what was freed (docs/operations.md
		 * "Sizing").  Give it back once a second; a few milliseconds at
		 * most. */
		if (now >= w->next_trim_us) {
			malloc_trim(0);
			w->next_trim_us = now + WRITER_TRIM_US;
		}
		if (now >= w->next_stats_us) {
			if (!w->in_txn)
				writer_open_txn(w);
			writer_write_stats(w, util_now_us());
			writer_commit(w, SQLITE_OK, 0);
			w->next_stats_us = now + w->cfg->stats_interval_us;
		}
		if (closed && c == NULL && !w->in_txn)
			break;
	}
	if (w->deriving) {
		writer_correlate(w);
		if (corr_flush(w->corr) != SQLITE_OK)
			log_warnx("correlator: could not save the tunnels' progress at "
			    "shutdown; the next start replays it");
	}
	/* Final counters, so a short run leaves a trace too. */
	writer_open_txn(w);
	writer_write_stats(w, util_now_us());
	(void)writer_save_meta(w);
	writer_commit(w, SQLITE_OK, w->cfg->shutdown_grace_us);
	return NULL;
}

/*
 * The correlator decides from what the resolver hands it in memory
 * (correlator.h, corr_sink).  TW_CORR_READ_BACK=1 in the environment makes
 * it read every event back from the database instead, as before the feed:
 * for tests that compare the two.
 */
static int
writer_feed(struct writer *w)
{
	struct resolve_sink sink;
	const char *e = getenv("TW_CORR_READ_BACK");

	if (e != NULL && strcmp(e, "1") == 0)
		return 0;
	if (corr_sink(w->corr, &sink) != 0)
		return -1;
	resolve_set_sink(w->resolver, &sink);
	return 0;
}

int
writer_start(const struct config *cfg, struct store *st, struct mq *q,
    struct counters *ctr, struct writer **out)
{
	struct writer *w;
	char err[512] = "out of memory";

	if ((w = calloc(1, sizeof *w)) == NULL)
		return -1;
	w->cfg = cfg;
	w->st = st;
	w->q = q;
	w->ctr = ctr;
	w->alive_us = util_mono_us();
	w->deriving = store_deriving(st);
	pthread_mutex_init(&w->meta_mtx, NULL);
	w->scratch = malloc(INGEST_SCRATCH((size_t)cfg->max_frame));
	w->senders = calloc(WRITER_SENDERS, sizeof *w->senders);
	w->ds = domain_scratch_new();
	if (w->scratch == NULL || w->senders == NULL || w->ds == NULL ||
	    resolve_open(st, &w->resolver, err, sizeof err) != 0 ||
	    corr_open(cfg, st, &w->corr, err, sizeof err) != 0 ||
	    writer_feed(w) != 0 ||
	    prep_start(cfg, q, &w->prep, err, sizeof err) != 0 ||
	    pthread_create(&w->thread, NULL, writer_main, w) != 0) {
		log_warnx("writer: %s", err);
		if (w->prep != NULL) {
			mq_close(q);
			prep_join(w->prep);
		}
		corr_free(w->corr);
		resolve_free(w->resolver);
		domain_scratch_free(w->ds);
		free(w->scratch);
		free(w->senders);
		pthread_mutex_destroy(&w->meta_mtx);
		free(w);
		return -1;
	}
	*out = w;
	return 0;
}

const _Atomic int *
writer_deriving(const struct writer *w)
{
	return &w->deriving;
}

int64_t
writer_alive_us(struct writer *w)
{
	return w->alive_us;
}

void
writer_join(struct writer *w)
{
	pthread_join(w->thread, NULL);
	prep_join(w->prep);
	corr_free(w->corr);
	resolve_free(w->resolver);
	domain_scratch_free(w->ds);
	store_close(w->st);
	free(w->scratch);
	free(w->pend_scratch);
	free(w->senders);
	free(w->meta_text);
	pthread_mutex_destroy(&w->meta_mtx);
	free(w);
}
