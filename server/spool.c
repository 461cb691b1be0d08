/*
 * spool.c — segment files, records with a CRC, replay, deletion once
 * committed, and the fdatasync thread.  See spool.h for the design.
 */
#include "spool.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define SPOOL_MAGIC       0x50535754u          /* "TWSP" little-endian */
#define SPOOL_NAME_FMT    "seg-%020" PRIu64
#define SPOOL_PATH_MAX    4096

struct spool_seg {
	uint64_t first_seq;        /* the name: where it starts */
	uint64_t last_seq;         /* of its last whole record; 0: none */
	uint64_t bytes;
	int damaged;               /* a bad record was counted and logged in it */
};

struct spool {
	char dir[SPOOL_PATH_MAX];
	char meta_key[SPOOL_META_KEY_MAX];   /* where the writer marks its commits */
	uint64_t max_bytes, seg_max;
	int64_t sync_us;
	struct counters *ctr;

	pthread_mutex_t mtx;       /* everything below */
	struct spool_seg *segs;    /* oldest first; the active one last, if any */
	size_t nseg, capseg;
	int active_fd;             /* -1: none yet (next append opens one) */
	int active;                /* segs[nseg-1] is being appended to */
	uint64_t next_seq;
	uint64_t committed;        /* the writer's mark (spool_committed) */
	uint64_t durable;          /* ... known on disk: segments up to it may go */
	char durable_path[SPOOL_PATH_MAX];   /* fdatasync'ed before `durable` moves; "": none */
	uint64_t total_bytes;      /* all segments */
	int dirty;                 /* written since the last fdatasync */
	int replaying;             /* spool_replay runs: spool_committed deletes nothing */
	struct log_throttle werr_thr;

	pthread_t thread;
	int thread_started, stop;
	pthread_cond_t cond;
};

uint32_t
spool_crc(const void *hdr24, const void *payload, size_t len)
{
	uLong c = crc32(0L, Z_NULL, 0);

	c = crc32(c, hdr24, 24);
	while (len > 0) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;
		c = crc32(c, payload, n);
		payload = (const char *)payload + n;
		len -= n;
	}
	return (uint32_t)c;
}

static void
spool_seg_path(const struct spool *sp, uint64_t first, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/" SPOOL_NAME_FMT, sp->dir, first);
}

static void
spool_gauges_locked(struct spool *sp)
{
	atomic_store_explicit(&sp->ctr->spool_bytes, sp->total_bytes, memory_order_relaxed);
	atomic_store_explicit(&sp->ctr->spool_segments, sp->nseg, memory_order_relaxed);
}

static int
spool_seg_cmp(const void *a, const void *b)
{
	const struct spool_seg *x = a, *y = b;

	return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

static int
spool_add_seg(struct spool *sp, uint64_t first, uint64_t bytes)
{
	if (sp->nseg == sp->capseg) {
		size_t cap = sp->capseg ? sp->capseg * 2 : 16;
		struct spool_seg *n = realloc(sp->segs, cap * sizeof *n);
		if (n == NULL)
			return -1;
		sp->segs = n;
		sp->capseg = cap;
	}
	sp->segs[sp->nseg].first_seq = first;
	sp->segs[sp->nseg].last_seq = 0;
	sp->segs[sp->nseg].bytes = bytes;
	sp->segs[sp->nseg].damaged = 0;
	sp->nseg++;
	sp->total_bytes += bytes;
	return 0;
}

static void
spool_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/* Writes DIR/owner (through a temporary file and rename).  0 or -1. */
static int
spool_write_owner(const struct spool *sp, int64_t owner)
{
	char path[SPOOL_PATH_MAX + 40], tmp[SPOOL_PATH_MAX + 40], text[32];
	int fd, n, rc = -1;

	snprintf(path, sizeof path, "%s/owner", sp->dir);
	snprintf(tmp, sizeof tmp, "%s/owner.tmp", sp->dir);
	n = snprintf(text, sizeof text, "%" PRId64 "\n", owner);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
		return -1;
	if (write(fd, text, (size_t)n) == n && fdatasync(fd) == 0)
		rc = 0;
	close(fd);
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	else
		spool_fsync_dir(sp->dir);
	return rc;
}

int
spool_claim(struct spool *sp, int64_t owner, unsigned *orphaned, char *err, size_t errsz)
{
	char path[SPOOL_PATH_MAX + 40], aside[SPOOL_PATH_MAX + 40];
	char from[SPOOL_PATH_MAX + 40], to[2 * SPOOL_PATH_MAX + 80];
	long long had = 0;
	FILE *f;
	size_t i;

	*orphaned = 0;
	snprintf(path, sizeof path, "%s/owner", sp->dir);
	if ((f = fopen(path, "re")) != NULL) {
		if (fscanf(f, "%lld", &had) != 1)
			had = -1;
		fclose(f);
	} else if (errno != ENOENT) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (had == owner)
		return 0;
	if (had != 0 && sp->nseg > 0) {
		/* Another database's records: set aside, never replayed here. */
		snprintf(aside, sizeof aside, "%s/orphan-%lld", sp->dir, had);
		if (mkdir(aside, 0750) != 0 && errno != EEXIST) {
			snprintf(err, errsz, "%s: cannot create: %s", aside, strerror(errno));
			return -1;
		}
		for (i = 0; i < sp->nseg; i++) {
			spool_seg_path(sp, sp->segs[i].first_seq, from, sizeof from);
			snprintf(to, sizeof to, "%s/%s", aside, strrchr(from, '/') + 1);
			if (rename(from, to) != 0) {
				snprintf(err, errsz, "cannot move %s aside: %s", from,
				    strerror(errno));
				return -1;
			}
		}
		*orphaned = (unsigned)sp->nseg;
		sp->nseg = 0;
		sp->total_bytes = 0;
		spool_gauges_locked(sp);
	}
	if (spool_write_owner(sp, owner) != 0) {
		snprintf(err, errsz, "%s: cannot write: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
spool_open(const char *dir, uint64_t max_bytes, int64_t sync_us,
    uint64_t committed_seq, const char *durable_path, struct counters *ctr,
    struct spool **out, char *err, size_t errsz)
{
	struct spool *sp;
	DIR *d = NULL;
	struct dirent *de;
	struct stat sb;

	*out = NULL;
	if (strlen(dir) + 40 >= SPOOL_PATH_MAX) {
		snprintf(err, errsz, "spool directory %s: name too long", dir);
		return -1;
	}
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		snprintf(err, errsz, "spool directory %s: cannot create: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errsz, "spool directory %s: not a directory", dir);
		return -1;
	}
	if ((sp = calloc(1, sizeof *sp)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	snprintf(sp->dir, sizeof sp->dir, "%s", dir);
	sp->max_bytes = max_bytes;
	sp->seg_max = max_bytes / 4 < SPOOL_SEGMENT_MAX ? max_bytes / 4 : SPOOL_SEGMENT_MAX;
	if (sp->seg_max < SPOOL_SEGMENT_MIN)
		sp->seg_max = SPOOL_SEGMENT_MIN;
	sp->sync_us = sync_us;
	sp->ctr = ctr;
	sp->active_fd = -1;
	sp->committed = committed_seq;
	sp->next_seq = committed_seq + 1;
	if (durable_path != NULL)
		snprintf(sp->durable_path, sizeof sp->durable_path, "%s", durable_path);
	else
		sp->durable = committed_seq;
	pthread_mutex_init(&sp->mtx, NULL);
	pthread_cond_init(&sp->cond, NULL);
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errsz, "spool directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d)) != NULL) {
		char path[SPOOL_PATH_MAX + 300];
		uint64_t first;
		int n = 0;
		if (sscanf(de->d_name, "seg-%20" SCNu64 "%n", &first, &n) != 1 ||
		    de->d_name[n] != '\0')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (spool_add_seg(sp, first, (uint64_t)sb.st_size) != 0) {
			snprintf(err, errsz, "out of memory");
			goto fail;
		}
	}
	closedir(d);
	d = NULL;
	if (sp->nseg > 1)
		qsort(sp->segs, sp->nseg, sizeof *sp->segs, spool_seg_cmp);
	spool_gauges_locked(sp);
	*out = sp;
	return 0;
fail:
	if (d != NULL)
		closedir(d);
	spool_close(sp);
	return -1;
}

/* Reads exactly len bytes; returns the bytes read (< len at EOF), -1 on error. */
static ssize_t
spool_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

/*
 * Reads one segment.  Returns 0, or -1 when cb stopped the replay.  A bad
 * record ends the segment: torn when it is the newest (cut off there),
 * a read error otherwise.
 */
static int
spool_replay_seg(struct spool *sp, size_t idx, uint64_t committed, spool_replay_cb cb,
    void *arg, long long *replayed)
{
	struct spool_seg *g = &sp->segs[idx];     /* not moved while replaying */
	char path[SPOOL_PATH_MAX + 40];
	unsigned char hdr[SPOOL_HDR_SIZE];
	char *payload = NULL;
	size_t cap = 0;
	uint64_t off = 0;
	int fd, rc = 0, newest = idx + 1 == sp->nseg;
	const char *why = NULL;

	spool_seg_path(sp, g->first_seq, path, sizeof path);
	if ((fd = open(path, O_RDWR | O_CLOEXEC)) < 0) {
		ctr_add(sp->ctr, CTR_SPOOL_READ_ERRORS, 1);
		log_warnx("spool: cannot open %s: %s; its records are not replayed", path,
		    strerror(errno));
		return 0;
	}
	for (;;) {
		uint32_t magic, len, crc;
		uint64_t seq, count;
		ssize_t n = spool_read_full(fd, hdr, sizeof hdr);
		if (n == 0)
			break;
		if (n < 0) {
			why = strerror(errno);
			break;
		}
		if (n < (ssize_t)sizeof hdr) {
			why = "record header cut short";
			break;
		}
		memcpy(&magic, hdr, 4);
		memcpy(&len, hdr + 4, 4);
		memcpy(&seq, hdr + 8, 8);
		memcpy(&count, hdr + 16, 8);
		memcpy(&crc, hdr + 24, 4);
		if (magic != SPOOL_MAGIC || len > SPOOL_RECORD_MAX) {
			why = "bad record header";
			break;
		}
		if (len > cap) {
			char *p = realloc(payload, len);
			if (p == NULL) {
				why = "out of memory";
				break;
			}
			payload = p;
			cap = len;
		}
		if ((n = spool_read_full(fd, payload, len)) != (ssize_t)len) {
			why = n < 0 ? strerror(errno) : "record cut short";
			break;
		}
		if (spool_crc(hdr, payload, len) != crc) {
			why = "CRC mismatch";
			break;
		}
		if (g->last_seq != 0 && seq <= g->last_seq) {
			why = "sequence out of order";
			break;
		}
		off += SPOOL_HDR_SIZE + len;
		pthread_mutex_lock(&sp->mtx);
		g->last_seq = seq;
		if (seq >= sp->next_seq)
			sp->next_seq = seq + 1;
		pthread_mutex_unlock(&sp->mtx);
		if (seq <= committed)
			continue;
		if (cb(arg, seq, payload, len, count) != 0) {
			rc = -1;
			break;
		}
		ctr_add(sp->ctr, CTR_SPOOL_REPLAYED, count);
		(*replayed)++;
	}
	if (why != NULL && rc == 0) {
		if (newest) {
			ctr_add(sp->ctr, CTR_SPOOL_TORN_CHUNKS, 1);
			log_warnx("spool: %s: torn tail at byte %" PRIu64 " (%s), left by a "
			    "crash while it was written; cut off there", path, off, why);
			if (ftruncate(fd, (off_t)off) != 0)
				log_warnx("spool: %s: cannot cut: %s", path, strerror(errno));
			pthread_mutex_lock(&sp->mtx);
			sp->total_bytes -= g->bytes - off;
			g->bytes = off;
			pthread_mutex_unlock(&sp->mtx);
		} else {
			ctr_add(sp->ctr, CTR_SPOOL_READ_ERRORS, 1);
			log_warnx("spool: %s: unreadable from byte %" PRIu64 " (%s); the "
			    "rest of this segment is skipped", path, off, why);
			pthread_mutex_lock(&sp->mtx);
			g->damaged = 1;
			pthread_mutex_unlock(&sp->mtx);
		}
	}
	free(payload);
	close(fd);
	return rc;
}

static void spool_delete_locked(struct spool *sp, size_t i);

/* Called locked: deletes the segments (not the active one) that hold
 * nothing past the durable mark. */
static void
spool_reap_locked(struct spool *sp)
{
	size_t i = 0;

	while (!sp->replaying && i < sp->nseg) {
		const struct spool_seg *g = &sp->segs[i];
		if ((sp->active && i + 1 == sp->nseg) || g->last_seq > sp->durable)
			i++;
		else
			spool_delete_locked(sp, i);
	}
	spool_gauges_locked(sp);
}

/*
 * The writer's mark is in its WAL, which SQLite (synchronous=NORMAL)
 * syncs only at checkpoints: a power loss could take the mark back while
 * the segments it let go were already unlinked.  So before the mark
 * counts, the WAL is fdatasync'ed (a checkpoint that had moved those
 * frames into the database synced the database first).  Called unlocked;
 * returns with the durable mark advanced when that worked.
 */
static void
spool_make_durable(struct spool *sp)
{
	uint64_t c;
	int fd, ok;

	pthread_mutex_lock(&sp->mtx);
	c = sp->committed;
	if (c <= sp->durable) {
		pthread_mutex_unlock(&sp->mtx);
		return;
	}
	pthread_mutex_unlock(&sp->mtx);
	fd = open(sp->durable_path, O_RDONLY | O_CLOEXEC);
	ok = fd >= 0 && fdatasync(fd) == 0;
	if (fd >= 0)
		close(fd);
	pthread_mutex_lock(&sp->mtx);
	if (ok && c > sp->durable) {
		sp->durable = c;
		spool_reap_locked(sp);
	}
	pthread_mutex_unlock(&sp->mtx);
}

long long
spool_replay(struct spool *sp, spool_replay_cb cb, void *arg)
{
	long long replayed = 0;
	uint64_t committed;
	size_t i, n;
	int rc = 0;

	/* The writer may commit replayed records meanwhile: it only moves
	 * the committed mark until the segments are all read. */
	pthread_mutex_lock(&sp->mtx);
	sp->replaying = 1;
	committed = sp->committed;
	n = sp->nseg;
	pthread_mutex_unlock(&sp->mtx);
	for (i = 0; i < n && rc == 0; i++)
		rc = spool_replay_seg(sp, i, committed, cb, arg, &replayed);
	pthread_mutex_lock(&sp->mtx);
	sp->replaying = 0;
	spool_gauges_locked(sp);
	pthread_mutex_unlock(&sp->mtx);
	/* Segments wholly committed (or empty) go now. */
	spool_committed(sp, 0);
	return rc == 0 ? replayed : -1;
}

static void *
spool_sync_main(void *arg)
{
	struct spool *sp = arg;
	struct timespec ts;

	pthread_setname_np(pthread_self(), "tw-spool-sync");
	pthread_mutex_lock(&sp->mtx);
	while (!sp->stop) {
		int fd = -1;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += sp->sync_us / 1000000;
		ts.tv_nsec += (sp->sync_us % 1000000) * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&sp->cond, &sp->mtx, &ts);
		if (sp->stop)
			break;
		if (sp->dirty && sp->active_fd >= 0) {
			/* A copy of the descriptor: the loop may rotate meanwhile. */
			fd = fcntl(sp->active_fd, F_DUPFD_CLOEXEC, 0);
			sp->dirty = 0;
		}
		pthread_mutex_unlock(&sp->mtx);
		if (fd >= 0) {
			if (fdatasync(fd) == 0)
				ctr_add(sp->ctr, CTR_SPOOL_FSYNCS, 1);
			else
				ctr_add(sp->ctr, CTR_SPOOL_WRITE_ERRORS, 1);
			close(fd);
		}
		if (sp->durable_path[0] != '\0')
			spool_make_durable(sp);
		pthread_mutex_lock(&sp->mtx);
	}
	pthread_mutex_unlock(&sp->mtx);
	return NULL;
}

int
spool_start(struct spool *sp, char *err, size_t errsz)
{
	pthread_condattr_t ca;

	pthread_cond_destroy(&sp->cond);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sp->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&sp->thread, NULL, spool_sync_main, sp) != 0) {
		snprintf(err, errsz, "cannot start the spool's sync thread");
		return -1;
	}
	sp->thread_started = 1;
	return 0;
}

/* Called locked: deletes segment i (not the active one). */
static void
spool_delete_locked(struct spool *sp, size_t i)
{
	char path[SPOOL_PATH_MAX + 40];

	spool_seg_path(sp, sp->segs[i].first_seq, path, sizeof path);
	if (unlink(path) != 0 && errno != ENOENT)
		log_warnx("spool: cannot delete %s: %s", path, strerror(errno));
	sp->total_bytes -= sp->segs[i].bytes;
	memmove(&sp->segs[i], &sp->segs[i + 1], (sp->nseg - i - 1) * sizeof *sp->segs);
	sp->nseg--;
}

/* Called locked: closes the active segment (synced first: a rotation
 * makes it immutable), and when it is wholly committed, deletes it. */
static void
spool_retire_active_locked(struct spool *sp)
{
	if (sp->active_fd >= 0) {
		if (sp->dirty && fdatasync(sp->active_fd) == 0)
			ctr_add(sp->ctr, CTR_SPOOL_FSYNCS, 1);
		close(sp->active_fd);
	}
	sp->active_fd = -1;
	sp->dirty = 0;
	if (sp->active) {
		sp->active = 0;
		if (sp->segs[sp->nseg - 1].last_seq <= sp->durable)
			spool_delete_locked(sp, sp->nseg - 1);
	}
}

/* Called locked: a new active segment starting at next_seq. */
static int
spool_new_active_locked(struct spool *sp)
{
	char path[SPOOL_PATH_MAX + 40];
	int fd;

	spool_seg_path(sp, sp->next_seq, path, sizeof path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -1;
	if (spool_add_seg(sp, sp->next_seq, 0) != 0) {
		close(fd);
		unlink(path);
		errno = ENOMEM;
		return -1;
	}
	/* The new name must survive a power loss too. */
	spool_fsync_dir(sp->dir);
	sp->active_fd = fd;
	sp->active = 1;
	return 0;
}

int
spool_append(struct spool *sp, const void *payload, size_t len, uint64_t count,
    uint64_t *seq)
{
	unsigned char hdr[SPOOL_HDR_SIZE];
	uint32_t magic = SPOOL_MAGIC, len32 = (uint32_t)len, crc, zero = 0;
	struct iovec iov[2];
	struct spool_seg *g;
	size_t want = SPOOL_HDR_SIZE + len, done = 0;
	int saved;

	pthread_mutex_lock(&sp->mtx);
	*seq = sp->next_seq++;
	if (sp->active) {
		g = &sp->segs[sp->nseg - 1];
		/* Full, or wholly committed and no longer small: start afresh
		 * (the latter keeps a trickle from holding one segment
		 * forever, without a new file for every chunk). */
		if (g->bytes + want > sp->seg_max ||
		    (g->bytes >= (sp->seg_max / 2 < (1u << 20) ? sp->seg_max / 2 : (1u << 20)) &&
		    g->last_seq <= sp->committed))
			spool_retire_active_locked(sp);
	}
	if (!sp->active) {
		sp->next_seq--;     /* the segment is named after this record */
		if (spool_new_active_locked(sp) != 0) {
			sp->next_seq++;
			goto fail;
		}
		sp->next_seq++;
	}
	g = &sp->segs[sp->nseg - 1];
	memcpy(hdr, &magic, 4);
	memcpy(hdr + 4, &len32, 4);
	memcpy(hdr + 8, seq, 8);
	memcpy(hdr + 16, &count, 8);
	crc = spool_crc(hdr, payload, len);
	memcpy(hdr + 24, &crc, 4);
	memcpy(hdr + 28, &zero, 4);
	while (done < want) {
		ssize_t n;
		if (done < SPOOL_HDR_SIZE) {
			iov[0].iov_base = hdr + done;
			iov[0].iov_len = SPOOL_HDR_SIZE - done;
			iov[1].iov_base = (void *)payload;
			iov[1].iov_len = len;
			n = writev(sp->active_fd, iov, 2);
		} else {
			n = write(sp->active_fd, (const char *)payload + (done - SPOOL_HDR_SIZE),
			    want - done);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			/* Cut back to the last whole record; failing that, the
			 * next append starts a new segment. */
			saved = errno;
			if (ftruncate(sp->active_fd, (off_t)g->bytes) != 0 ||
			    lseek(sp->active_fd, (off_t)g->bytes, SEEK_SET) < 0)
				spool_retire_active_locked(sp);
			errno = saved;
			goto fail;
		}
		done += (size_t)n;
	}
	g->bytes += want;
	g->last_seq = *seq;
	sp->total_bytes += want;
	sp->dirty = 1;
	spool_gauges_locked(sp);
	pthread_mutex_unlock(&sp->mtx);
	return 0;
fail:
	saved = errno;
	ctr_add(sp->ctr, CTR_SPOOL_WRITE_ERRORS, 1);
	log_ratelimited(&sp->werr_thr, 10 * 1000000LL, "spool: cannot write to %s: %s; "
	    "the lines are kept in memory and stored, but a crash before they are "
	    "committed would lose them (spool_write_errors)", sp->dir, strerror(saved));
	spool_gauges_locked(sp);
	pthread_mutex_unlock(&sp->mtx);
	return -1;
}

void
spool_reader_init(struct spool_reader *r)
{
	memset(r, 0, sizeof *r);
	r->fd = -1;
}

void
spool_reader_close(struct spool_reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->buf);
	spool_reader_init(r);
}

/* Reads exactly len bytes at off: 0, or -1 (errno set; EIO when short). */
static int
spool_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)(off + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

/* Called locked: the reader moves to the start of segment idx.  0 or -1. */
static int
spool_reader_seek_locked(struct spool *sp, struct spool_reader *r, size_t idx)
{
	char path[SPOOL_PATH_MAX + 40];

	if (r->fd >= 0)
		close(r->fd);
	r->seg_first = sp->segs[idx].first_seq;
	r->off = 0;
	r->last_seq = sp->segs[idx].first_seq - 1;
	spool_seg_path(sp, r->seg_first, path, sizeof path);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	return r->fd >= 0 ? 0 : -1;
}

/* Called locked: the index of the reader's segment, placing the reader
 * first when it is not open, is past seq, or its segment went.  -1: no
 * segment to read (or it cannot be opened: *err set). */
static long
spool_reader_place_locked(struct spool *sp, struct spool_reader *r, uint64_t seq, int *err)
{
	size_t i;

	*err = 0;
	if (sp->nseg == 0)
		return -1;
	if (r->fd >= 0 && seq > r->last_seq)
		for (i = 0; i < sp->nseg; i++)
			if (sp->segs[i].first_seq == r->seg_first)
				return (long)i;
	/* The newest segment starting at or before seq. */
	for (i = sp->nseg; i > 1 && sp->segs[i - 1].first_seq > seq; i--)
		;
	i--;
	if (spool_reader_seek_locked(sp, r, i) != 0) {
		*err = errno;
		return -1;
	}
	return (long)i;
}

int
spool_read(struct spool *sp, struct spool_reader *r, uint64_t seq, uint64_t max_seq,
    const char **payload, size_t *len, uint64_t *got, uint64_t *count)
{
	unsigned char hdr[SPOOL_HDR_SIZE];
	char path[SPOOL_PATH_MAX + 40];
	const char *why;
	int err;

	for (;;) {
		uint32_t magic, plen, crc;
		uint64_t rseq, rcount, avail;
		int more;
		long idx;

		pthread_mutex_lock(&sp->mtx);
		idx = spool_reader_place_locked(sp, r, seq, &err);
		if (idx < 0) {
			pthread_mutex_unlock(&sp->mtx);
			if (err == 0)
				return 0;
			why = strerror(err);
			goto bad;
		}
		avail = sp->segs[idx].bytes;
		more = (size_t)idx + 1 < sp->nseg;
		if (r->off + SPOOL_HDR_SIZE > avail) {
			/* Its end: the next segment, or nothing more yet. */
			if (more && spool_reader_seek_locked(sp, r, (size_t)idx + 1) != 0) {
				err = errno;
				pthread_mutex_unlock(&sp->mtx);
				why = strerror(err);
				goto bad;
			}
			pthread_mutex_unlock(&sp->mtx);
			if (!more)
				return 0;
			continue;
		}
		pthread_mutex_unlock(&sp->mtx);
		if (spool_pread_full(r->fd, hdr, sizeof hdr, r->off) != 0) {
			why = strerror(errno);
			goto bad;
		}
		memcpy(&magic, hdr, 4);
		memcpy(&plen, hdr + 4, 4);
		memcpy(&rseq, hdr + 8, 8);
		memcpy(&rcount, hdr + 16, 8);
		memcpy(&crc, hdr + 24, 4);
		if (magic != SPOOL_MAGIC || plen > SPOOL_RECORD_MAX ||
		    r->off + SPOOL_HDR_SIZE + plen > avail || rseq <= r->last_seq) {
			why = "bad record header";
			goto bad;
		}
		if (plen > r->cap) {
			char *p = realloc(r->buf, plen);
			if (p == NULL) {
				why = "out of memory";
				goto bad;
			}
			r->buf = p;
			r->cap = plen;
		}
		if (spool_pread_full(r->fd, r->buf, plen, r->off + SPOOL_HDR_SIZE) != 0) {
			why = strerror(errno);
			goto bad;
		}
		if (spool_crc(hdr, r->buf, plen) != crc) {
			why = "CRC mismatch";
			goto bad;
		}
		if (rseq > max_seq)
			return 0;               /* not wanted yet: read again later */
		r->off += SPOOL_HDR_SIZE + plen;
		r->last_seq = rseq;
		if (rseq < seq)
			continue;
		*payload = r->buf;
		*len = plen;
		*got = rseq;
		*count = rcount;
		ctr_add(sp->ctr, CTR_SPOOL_READ_BACK, rcount);
		return 1;
	}
bad:
	/* What cannot be read is skipped: the rest of this segment.  Counted
	 * and logged once per segment (the replay at start may have). */
	spool_seg_path(sp, r->seg_first, path, sizeof path);
	pthread_mutex_lock(&sp->mtx);
	{
		size_t i;
		for (i = 0; i < sp->nseg && sp->segs[i].first_seq != r->seg_first; i++)
			;
		if (i == sp->nseg || !sp->segs[i].damaged) {
			ctr_add(sp->ctr, CTR_SPOOL_READ_ERRORS, 1);
			log_warnx("spool: %s: cannot read back the record at byte %" PRIu64
			    " (%s); the rest of this segment is skipped, its lines are lost",
			    path, r->off, why);
		}
		if (i < sp->nseg)
			sp->segs[i].damaged = 1;
		if (i + 1 < sp->nseg) {
			if (spool_reader_seek_locked(sp, r, i + 1) != 0 && r->fd >= 0) {
				close(r->fd);
				r->fd = -1;
			}
		} else if (i < sp->nseg) {
			r->off = sp->segs[i].bytes;
			r->last_seq = sp->next_seq - 1;
		}
	}
	pthread_mutex_unlock(&sp->mtx);
	return -1;
}

int
spool_full(struct spool *sp)
{
	uint64_t live = 0;
	size_t i;

	/* Segments wholly committed do not count: they go once the mark is
	 * durable (spool_make_durable), or at the next append. */
	pthread_mutex_lock(&sp->mtx);
	for (i = 0; i < sp->nseg; i++)
		if (sp->segs[i].last_seq > sp->committed)
			live += sp->segs[i].bytes;
	pthread_mutex_unlock(&sp->mtx);
	return live >= sp->max_bytes;
}

void
spool_committed(struct spool *sp, uint64_t seq)
{
	pthread_mutex_lock(&sp->mtx);
	if (seq > sp->committed)
		sp->committed = seq;
	if (sp->durable_path[0] == '\0')
		sp->durable = sp->committed;
	spool_reap_locked(sp);
	pthread_mutex_unlock(&sp->mtx);
}

void
spool_usage(struct spool *sp, uint64_t *bytes, uint64_t *segments)
{
	pthread_mutex_lock(&sp->mtx);
	*bytes = sp->total_bytes;
	*segments = sp->nseg;
	pthread_mutex_unlock(&sp->mtx);
}

const char *
spool_dir(const struct spool *sp)
{
	return sp->dir;
}

void
spool_close(struct spool *sp)
{
	if (sp == NULL)
		return;
	if (sp->thread_started) {
		pthread_mutex_lock(&sp->mtx);
		sp->stop = 1;
		pthread_cond_signal(&sp->cond);
		pthread_mutex_unlock(&sp->mtx);
		pthread_join(sp->thread, NULL);
	}
	if (sp->durable_path[0] != '\0')
		spool_make_durable(sp);
	pthread_mutex_lock(&sp->mtx);
	if (sp->active_fd >= 0) {
		if (sp->dirty && fdatasync(sp->active_fd) == 0)
			ctr_add(sp->ctr, CTR_SPOOL_FSYNCS, 1);
		close(sp->active_fd);
		sp->active_fd = -1;
	}
	/* A wholly committed active segment need not wait for the next start. */
	if (sp->active && sp->segs[sp->nseg - 1].last_seq <= sp->durable)
		spool_delete_locked(sp, sp->nseg - 1);
	sp->active = 0;
	spool_gauges_locked(sp);
	pthread_mutex_unlock(&sp->mtx);
	pthread_cond_destroy(&sp->cond);
	pthread_mutex_destroy(&sp->mtx);
	free(sp->segs);
	free(sp);
}

void
spool_set_meta_key(struct spool *sp, const char *key)
{
	snprintf(sp->meta_key, sizeof sp->meta_key, "%s", key);
}

const char *
spool_meta_key(const struct spool *sp)
{
	return sp->meta_key[0] != '\0' ? sp->meta_key : SPOOL_META_KEY;
}
