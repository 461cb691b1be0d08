/*
 * checkpoint.c — the background WAL checkpointer.  See checkpoint.h for
 * why, and for how the WAL stays bounded.
 *
 * Threads: ckpt_main() runs on its own thread and is the only user of
 * c->db.  ckpt_after_commit() runs on the writer's thread with the writer's
 * connection and shares only c->reset_wanted and the statistics (atomics)
 * with it.  ckpt_wake() and ckpt_stop() may be called from any thread; the
 * stop and wake flags are under c->mtx.
 */
#include "checkpoint.h"
#include "counters.h"
#include "log.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CKPT_WARN_US  (60 * 1000000LL)    /* rate limit of the warnings */
#define CKPT_PINNED_WARN_US (10 * 1000000LL) /* a reader this long: warn */
#define CKPT_FRAME_HDR 24                  /* bytes before each page in the WAL */

struct ckpt {
	sqlite3 *db;                 /* the thread's own connection */
	const char *wal_path;        /* owned by SQLite, valid while db is open */
	struct counters *ctr;        /* may be NULL */
	int64_t interval_us;
	int64_t wal_max_bytes;
	int64_t frame_bytes;         /* page size + frame header */

	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cond;         /* CLOCK_MONOTONIC */
	int stop, woken;             /* under mtx */

	/* Set by the thread when the WAL is over the bound and it could not
	 * truncate it; cleared by the writer once it has reset it. */
	_Atomic int reset_wanted;

	/* Thread only. */
	int last_log, last_ckpt;     /* the previous pass's frame counts */
	int64_t pinned_since_us;     /* over the bound and pinned since, or 0 */
	struct log_throttle err_thr, pin_thr;

	_Atomic uint64_t passes, checkpoints, truncates, writer_resets, pinned;
	_Atomic int64_t wal_frames, wal_max_frames_seen;
};

static void
ckpt_count(struct ckpt *c, enum counter_id id)
{
	if (c->ctr != NULL)
		ctr_add(c->ctr, id, 1);
}

static void
ckpt_inc(_Atomic uint64_t *v)
{
	atomic_fetch_add_explicit(v, 1, memory_order_relaxed);
}

/* Size of the -wal file in bytes, 0 when it does not exist. */
static int64_t
ckpt_wal_file_size(const struct ckpt *c)
{
	struct stat sb;

	if (c->wal_path == NULL || stat(c->wal_path, &sb) != 0)
		return 0;
	return (int64_t)sb.st_size;
}

/*
 * One pass: a PASSIVE checkpoint; then, if the WAL is over the bound, a
 * TRUNCATE checkpoint that does not wait (busy timeout 0 on this
 * connection), and if that cannot get the locks, a request to the writer.
 */
static void
ckpt_pass(struct ckpt *c)
{
	int nlog = 0, nckpt = 0, rc, copied;
	int64_t wal_bytes, file_bytes;

	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
	ckpt_inc(&c->passes);
	if (rc == SQLITE_BUSY)
		return;         /* the writer's connection is checkpointing */
	if (rc != SQLITE_OK) {
		log_ratelimited(&c->err_thr, CKPT_WARN_US, "checkpointer: %s (%d)",
		    sqlite3_errmsg(c->db), rc);
		return;
	}
	/* A smaller log than last time: the WAL started over in between. */
	copied = nlog < c->last_log ? nckpt : nckpt - c->last_ckpt;
	c->last_log = nlog;
	c->last_ckpt = nckpt;
	if (copied > 0) {
		ckpt_inc(&c->checkpoints);
		ckpt_count(c, CTR_DB_CHECKPOINTS);
	}
	atomic_store_explicit(&c->wal_frames, nlog, memory_order_relaxed);
	if (nlog > atomic_load_explicit(&c->wal_max_frames_seen, memory_order_relaxed))
		atomic_store_explicit(&c->wal_max_frames_seen, nlog, memory_order_relaxed);

	wal_bytes = (int64_t)nlog * c->frame_bytes;
	file_bytes = ckpt_wal_file_size(c);
	if (wal_bytes <= c->wal_max_bytes && file_bytes <= c->wal_max_bytes) {
		c->pinned_since_us = 0;
		return;
	}
	if (nckpt < nlog && wal_bytes <= c->wal_max_bytes) {
		c->pinned_since_us = 0;
		return;         /* a large file, little in it: truncate later */
	}
	if (nckpt < nlog) {
		/* A reader's snapshot: no checkpoint can copy past it.  Short
		 * reads (a report), or the writer's own snapshot for a moment,
		 * are normal; warn about a long one. */
		int64_t now = util_mono_us();
		ckpt_inc(&c->pinned);
		atomic_store_explicit(&c->reset_wanted, 0, memory_order_relaxed);
		if (c->pinned_since_us == 0)
			c->pinned_since_us = now;
		else if (now - c->pinned_since_us >= CKPT_PINNED_WARN_US)
			log_ratelimited(&c->pin_thr, CKPT_WARN_US, "checkpointer: the WAL "
			    "holds %lld MiB (bound %lld MiB) and a read transaction has kept "
			    "it from being checkpointed for %lld s: end long-running queries "
			    "on the database", (long long)(wal_bytes >> 20),
			    (long long)(c->wal_max_bytes >> 20),
			    (long long)((now - c->pinned_since_us) / 1000000));
		return;
	}
	c->pinned_since_us = 0;
	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
	if (rc == SQLITE_OK) {
		ckpt_inc(&c->truncates);
		ckpt_count(c, CTR_DB_WAL_RESETS);
		atomic_store_explicit(&c->reset_wanted, 0, memory_order_relaxed);
		c->last_log = c->last_ckpt = 0;
		log_debug("checkpointer: WAL truncated (%lld MiB)",
		    (long long)(file_bytes >> 20));
		return;
	}
	if (rc != SQLITE_BUSY) {
		log_ratelimited(&c->err_thr, CKPT_WARN_US, "checkpointer: truncate: %s (%d)",
		    sqlite3_errmsg(c->db), rc);
		return;
	}
	/* The writer is in a transaction (it nearly always is under load):
	 * let it start the WAL over after its next commit.  A file that is
	 * merely large, its pages already reused, needs nothing from it. */
	if (wal_bytes > c->wal_max_bytes)
		atomic_store_explicit(&c->reset_wanted, 1, memory_order_relaxed);
}

static void *
ckpt_main(void *arg)
{
	struct ckpt *c = arg;
	struct timespec ts;

	pthread_setname_np(pthread_self(), "tw-checkpoint");
	pthread_mutex_lock(&c->mtx);
	while (!c->stop) {
		if (!c->woken) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += (time_t)(c->interval_us / 1000000);
			ts.tv_nsec += (long)(c->interval_us % 1000000) * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&c->cond, &c->mtx, &ts);
			if (c->stop)
				break;
		}
		c->woken = 0;
		pthread_mutex_unlock(&c->mtx);
		ckpt_pass(c);
		pthread_mutex_lock(&c->mtx);
	}
	pthread_mutex_unlock(&c->mtx);
	return NULL;
}

static void
ckpt_free(struct ckpt *c)
{
	if (c->db != NULL && sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("checkpointer: close: %s", sqlite3_errmsg(c->db));
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mtx);
	free(c);
}

int
ckpt_start(const char *path, const struct ckpt_opts *opts,
    struct counters *ctr, struct ckpt **out, char *err, size_t errsz)
{
	struct ckpt *c = NULL;
	pthread_condattr_t ca;
	sqlite3_stmt *st = NULL;
	const char *mode = NULL;
	int rc, psize = 0, cond_ok = 0, mtx_ok = 0;

	*out = NULL;
	if ((c = calloc(1, sizeof *c)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	c->ctr = ctr;
	c->interval_us = opts != NULL && opts->interval_us > 0 ? opts->interval_us :
	    CKPT_INTERVAL_US;
	c->wal_max_bytes = opts != NULL && opts->wal_max_bytes > 0 ? opts->wal_max_bytes :
	    CKPT_WAL_MAX_BYTES;
	if ((rc = pthread_mutex_init(&c->mtx, NULL)) != 0) {
		snprintf(err, errsz, "mutex: %s", strerror(rc));
		goto fail;
	}
	mtx_ok = 1;
	if ((rc = pthread_condattr_init(&ca)) == 0) {
		rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		if (rc == 0)
			rc = pthread_cond_init(&c->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	if (rc != 0) {
		snprintf(err, errsz, "condition variable: %s", strerror(rc));
		goto fail;
	}
	cond_ok = 1;

	/* No SQLITE_OPEN_CREATE: the store created and migrated it. */
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "%s: %s", path,
		    c->db != NULL ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	/* Busy timeout 0: a checkpoint never waits for the writer or a reader
	 * (only ckpt_stop() does). */
	sqlite3_busy_timeout(c->db, 0);
	sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(c->db, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0) {
		snprintf(err, errsz, "%s: not in WAL mode (%s)", path, mode ? mode : "?");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(c->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		psize = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;
	c->frame_bytes = (psize > 0 ? psize : 4096) + CKPT_FRAME_HDR;
	c->wal_path = sqlite3_filename_wal(sqlite3_db_filename(c->db, "main"));

	if ((rc = pthread_create(&c->thread, NULL, ckpt_main, c)) != 0) {
		snprintf(err, errsz, "thread: %s", strerror(rc));
		goto fail;
	}
	*out = c;
	return 0;
fail:
	sqlite3_finalize(st);
	if (c->db != NULL)
		sqlite3_close(c->db);
	if (cond_ok)
		pthread_cond_destroy(&c->cond);
	if (mtx_ok)
		pthread_mutex_destroy(&c->mtx);
	free(c);
	return -1;
}

void
ckpt_wake(struct ckpt *c)
{
	pthread_mutex_lock(&c->mtx);
	c->woken = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->mtx);
}

void
ckpt_after_commit(struct ckpt *c, sqlite3 *db)
{
	int nlog = 0, nckpt = 0;

	if (c == NULL || !atomic_load_explicit(&c->reset_wanted, memory_order_relaxed))
		return;
	/* PASSIVE never waits: busy (the thread is checkpointing) means try
	 * again after the next commit. */
	if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &nlog,
	    &nckpt) != SQLITE_OK)
		return;
	atomic_store_explicit(&c->reset_wanted, 0, memory_order_relaxed);
	if (nckpt == nlog) {
		/* Everything copied: this connection's next write transaction
		 * starts the WAL over (unless a reader is in it right then; the
		 * thread asks again if so). */
		ckpt_inc(&c->writer_resets);
		ckpt_count(c, CTR_DB_WAL_RESETS);
	}
}

void
ckpt_get_stats(struct ckpt *c, struct ckpt_stats *out)
{
	out->passes = atomic_load(&c->passes);
	out->checkpoints = atomic_load(&c->checkpoints);
	out->truncates = atomic_load(&c->truncates);
	out->writer_resets = atomic_load(&c->writer_resets);
	out->pinned = atomic_load(&c->pinned);
	out->wal_frames = atomic_load(&c->wal_frames);
	out->wal_max_frames_seen = atomic_load(&c->wal_max_frames_seen);
}

int
ckpt_stop(struct ckpt *c)
{
	int nlog = 0, nckpt = 0, rc, ret = 0;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&c->mtx);
	c->stop = 1;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->mtx);
	pthread_join(c->thread, NULL);

	sqlite3_busy_timeout(c->db, CKPT_STOP_TIMEOUT_MS);
	rc = sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, &nlog, &nckpt);
	if (rc != SQLITE_OK) {
		log_warnx("checkpointer: final checkpoint: %s (%d); %d of %d pages copied, "
		    "the rest stays in the WAL (safe; the next start copies it)",
		    sqlite3_errmsg(c->db), rc, nckpt, nlog);
		ret = -1;
	}
	ckpt_free(c);
	return ret;
}
