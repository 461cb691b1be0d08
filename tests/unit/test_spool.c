/*
 * test_spool.c — the disk spool (server/spool.h): records read back as
 * written, a torn tail cut at every byte offset, a CRC mismatch, segment
 * rollover, deletion once committed, the bound, and the queue publishing
 * through it (server/msgqueue.h).
 */
#include "msgqueue.h"
#include "spool.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static struct counters ctr;

static void
setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/tw-spool-test.XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	strcat(dir, "/spool");
	memset(&ctr, 0, sizeof ctr);
}

static void
teardown(void)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%.*s'", (int)(strrchr(dir, '/') - dir), dir);
	(void)system(cmd);
}

TestSuite(spool, .init = setup, .fini = teardown);

struct got {
	uint64_t seq[4096];
	char text[4096][64];
	uint64_t count[4096];
	int n;
};

static int
collect_cb(void *arg, uint64_t seq, const char *payload, size_t len, uint64_t count)
{
	struct got *g = arg;

	cr_assert_lt(g->n, 4096);
	g->seq[g->n] = seq;
	g->count[g->n] = count;
	snprintf(g->text[g->n], sizeof g->text[0], "%.*s", (int)len, payload);
	g->n++;
	return 0;
}

static struct spool *
open_spool(uint64_t max_bytes, uint64_t committed)
{
	struct spool *sp = NULL;
	char err[256];

	cr_assert_eq(spool_open(dir, max_bytes, 100000, committed, NULL, &ctr, &sp, err,
	    sizeof err), 0, "%s", err);
	return sp;
}

static void
append_n(struct spool *sp, int from, int n)
{
	for (int i = from; i < from + n; i++) {
		char text[64];
		uint64_t seq;
		int len = snprintf(text, sizeof text, "record %d", i);
		cr_assert_eq(spool_append(sp, text, (size_t)len, (uint64_t)i, &seq), 0);
	}
}

static int
count_segments(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, "seg-", 4) == 0;
	closedir(d);
	return n;
}

/* The path of the one (or last) segment. */
static void
last_segment(char *path, size_t sz)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char best[300] = "";

	cr_assert_not_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "seg-", 4) == 0 && strcmp(de->d_name, best) > 0)
			snprintf(best, sizeof best, "%s", de->d_name);
	closedir(d);
	cr_assert_neq(best[0], '\0');
	snprintf(path, sz, "%s/%s", dir, best);
}

Test(spool, append_and_read_back_in_order_across_restarts)
{
	struct spool *sp = open_spool(1 << 20, 0);
	static struct got g;
	char err[256];
	struct stat sb;

	cr_assert_eq(stat(dir, &sb), 0);
	cr_expect_eq(sb.st_mode & 0777, 0750, "the spool directory is 0750");
	cr_assert_eq(spool_replay(sp, collect_cb, &g), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	append_n(sp, 1, 10);
	spool_close(sp);

	memset(&g, 0, sizeof g);
	sp = open_spool(1 << 20, 0);
	cr_assert_eq(spool_replay(sp, collect_cb, &g), 10);
	for (int i = 0; i < 10; i++) {
		char want[64];
		snprintf(want, sizeof want, "record %d", i + 1);
		cr_expect_eq(g.seq[i], (uint64_t)i + 1);
		cr_expect_eq(g.count[i], (uint64_t)i + 1);
		cr_expect_str_eq(g.text[i], want);
	}
	cr_expect_eq(ctr.v[CTR_SPOOL_REPLAYED], 55);
	/* New records continue the sequence. */
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	uint64_t seq;
	cr_assert_eq(spool_append(sp, "x", 1, 1, &seq), 0);
	cr_expect_eq(seq, 11);
	spool_close(sp);

	/* Committed up to 7: 8..11 come back, once. */
	memset(&g, 0, sizeof g);
	sp = open_spool(1 << 20, 7);
	cr_assert_eq(spool_replay(sp, collect_cb, &g), 4);
	cr_expect_eq(g.seq[0], 8);
	cr_expect_eq(g.seq[3], 11);
	spool_close(sp);
}

/* A crash while a record was written leaves any prefix of it: cut at
 * every offset of the last record, the records before it come back, the
 * tail is counted and cut, and the next append follows cleanly. */
Test(spool, torn_tail_cut_at_every_byte_offset)
{
	char path[600], err[256];
	struct spool *sp = open_spool(1 << 20, 0);
	struct stat sb;
	off_t whole3, whole4;

	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	append_n(sp, 1, 3);
	last_segment(path, sizeof path);
	cr_assert_eq(stat(path, &sb), 0);
	whole3 = sb.st_size;
	append_n(sp, 4, 1);
	spool_close(sp);
	cr_assert_eq(stat(path, &sb), 0);
	whole4 = sb.st_size;
	cr_assert_eq(whole4 - whole3, SPOOL_HDR_SIZE + (off_t)strlen("record 4"));

	for (off_t cut = whole3 + 1; cut < whole4; cut++) {
		static struct got g;
		char copy[700];
		memset(&g, 0, sizeof g);
		memset(&ctr, 0, sizeof ctr);
		snprintf(copy, sizeof copy, "%s.full", path);
		if (cut == whole3 + 1) {
			char cmd[1500];
			snprintf(cmd, sizeof cmd, "cp '%s' '%s'", path, copy);
			cr_assert_eq(system(cmd), 0);
		} else {
			char cmd[1500];
			snprintf(cmd, sizeof cmd, "cp '%s' '%s'", copy, path);
			cr_assert_eq(system(cmd), 0);
		}
		cr_assert_eq(truncate(path, cut), 0);
		/* The copy is not a segment name: it is ignored. */
		sp = open_spool(1 << 20, 0);
		cr_assert_eq(spool_replay(sp, collect_cb, &g), 3, "cut at %lld", (long long)cut);
		cr_expect_eq(ctr.v[CTR_SPOOL_TORN_CHUNKS], 1, "cut at %lld", (long long)cut);
		cr_assert_eq(stat(path, &sb), 0);
		cr_expect_eq(sb.st_size, whole3, "the torn tail is cut off");
		spool_close(sp);
	}
	/* Cut exactly at a record boundary: nothing torn. */
	{
		static struct got g;
		memset(&ctr, 0, sizeof ctr);
		sp = open_spool(1 << 20, 0);
		cr_assert_eq(spool_replay(sp, collect_cb, &g), 3);
		cr_expect_eq(ctr.v[CTR_SPOOL_TORN_CHUNKS], 0);
		spool_close(sp);
	}
}

Test(spool, crc_mismatch_in_newest_is_torn_elsewhere_a_read_error)
{
	char path[600], err[256];
	struct spool *sp = open_spool(256 << 10, 0);   /* 64 KiB segments */
	static struct got g;
	char big[20000];
	uint64_t seq;
	int fd;

	memset(big, 'a', sizeof big);
	cr_assert_eq(spool_replay(sp, collect_cb, &g), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	for (int i = 0; i < 8; i++)     /* 3 records a segment: 3 segments */
		cr_assert_eq(spool_append(sp, big, sizeof big, 1, &seq), 0);
	spool_close(sp);
	cr_expect_eq(count_segments(), 3, "rolled over every 64 KiB");

	/* Flip a payload byte of the second record of the newest segment. */
	last_segment(path, sizeof path);
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "b", 1, 2 * SPOOL_HDR_SIZE + (off_t)sizeof big + 100), 1);
	close(fd);
	memset(&ctr, 0, sizeof ctr);
	memset(&g, 0, sizeof g);
	sp = open_spool(256 << 10, 0);
	cr_expect_eq(spool_replay(sp, collect_cb, &g), 7);
	cr_expect_eq(ctr.v[CTR_SPOOL_TORN_CHUNKS], 1);
	cr_expect_eq(ctr.v[CTR_SPOOL_READ_ERRORS], 0);
	spool_close(sp);

	/* The same in the oldest segment: a read error, the rest of that
	 * segment skipped, the others read. */
	snprintf(path, sizeof path, "%s/seg-%020d", dir, 1);
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "b", 1, SPOOL_HDR_SIZE + 10), 1);
	close(fd);
	memset(&ctr, 0, sizeof ctr);
	memset(&g, 0, sizeof g);
	sp = open_spool(256 << 10, 0);
	cr_expect_eq(spool_replay(sp, collect_cb, &g), 4);
	cr_expect_eq(g.seq[0], 4);
	cr_expect_eq(ctr.v[CTR_SPOOL_READ_ERRORS], 1);
	spool_close(sp);
}

Test(spool, segments_deleted_once_committed_and_bound)
{
	char err[256];
	struct spool *sp = open_spool(256 << 10, 0);
	char big[20000];
	uint64_t seq = 0, bytes, segs;
	int i;

	memset(big, 'a', sizeof big);
	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	for (i = 0; !spool_full(sp); i++) {
		cr_assert_lt(i, 100, "never full");
		cr_assert_eq(spool_append(sp, big, sizeof big, 1, &seq), 0);
	}
	spool_usage(sp, &bytes, &segs);
	cr_expect_geq(bytes, 256 << 10);
	cr_expect_lt(bytes, (256 << 10) + sizeof big + SPOOL_HDR_SIZE, "one record past");
	cr_expect_eq(ctr.spool_bytes, bytes, "gauge");
	cr_expect_eq((int)segs, count_segments());
	cr_expect_geq(segs, 4);

	/* Committed up to the middle: the older segments go, not the rest. */
	spool_committed(sp, seq / 2);
	cr_expect_lt(count_segments(), (int)segs);
	cr_expect_gt(count_segments(), 1);
	cr_expect_not(spool_full(sp), "room again");

	/* All committed: only the active segment stays, and it does not
	 * count; the next append starts afresh and deletes it. */
	spool_committed(sp, seq);
	cr_expect_eq(count_segments(), 1);
	cr_expect_not(spool_full(sp));
	cr_assert_eq(spool_append(sp, "y", 1, 1, &seq), 0);
	cr_expect_eq(count_segments(), 1);
	spool_usage(sp, &bytes, &segs);
	cr_expect_eq(bytes, SPOOL_HDR_SIZE + 1);
	spool_committed(sp, seq);
	spool_close(sp);
	cr_expect_eq(count_segments(), 0, "a wholly committed spool is empty after close");
}

static int
push_cb(void *arg, uint64_t seq, const char *p, size_t len, uint64_t n)
{
	return mq_push_chunk(arg, p, len, n, seq);
}

/* With a durable path (the database's WAL), a commit mark lets segments
 * go only once the sync thread has synced that file. */
Test(spool, segments_wait_for_the_wal_sync)
{
	char err[256], wal[600];
	struct spool *sp = NULL;
	char big[20000];
	uint64_t seq = 0;
	int fd, i;

	snprintf(wal, sizeof wal, "%.*s/db-wal", (int)(strrchr(dir, '/') - dir), dir);
	fd = open(wal, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	memset(big, 'a', sizeof big);
	cr_assert_eq(spool_open(dir, 256 << 10, 20000, 0, wal, &ctr, &sp, err, sizeof err), 0);
	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	for (i = 0; i < 8; i++)
		cr_assert_eq(spool_append(sp, big, sizeof big, 1, &seq), 0);
	cr_assert_eq(count_segments(), 3);
	spool_committed(sp, seq);
	cr_expect_eq(count_segments(), 3, "nothing deleted before the WAL is synced");
	cr_expect_not(spool_full(sp), "but committed records do not count");
	for (i = 0; i < 100 && count_segments() > 1; i++)
		usleep(10000);
	cr_expect_eq(count_segments(), 1, "deleted by the sync thread, all but the active one");
	spool_close(sp);
	cr_expect_eq(count_segments(), 0);

	/* The WAL cannot be synced (gone): the segments stay. */
	cr_assert_eq(spool_open(dir, 256 << 10, 20000, seq, wal, &ctr, &sp, err, sizeof err), 0);
	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	cr_assert_eq(unlink(wal), 0);
	for (i = 0; i < 4; i++)
		cr_assert_eq(spool_append(sp, big, sizeof big, 1, &seq), 0);
	spool_committed(sp, seq);
	usleep(100000);
	cr_expect_eq(count_segments(), 2, "kept while the mark is not known durable");
	spool_close(sp);
}

/* The queue writes each chunk to the spool before publishing it, and a
 * chunk replayed from the spool keeps its sequence number. */
Test(spool, queue_publishes_through_the_spool)
{
	char err[256];
	struct spool *sp = open_spool(1 << 20, 0);
	struct mq q;
	struct mq_chunk *c;
	struct mq_msg *m;
	static struct got g;
	int closed;
	size_t pos = 0;

	cr_assert_eq(spool_replay(sp, collect_cb, &g), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	cr_assert_eq(mq_init(&q, 1 << 20, 0, NULL), 0);
	mq_set_spool(&q, sp);
	mq_producer_lock(&q);
	for (int i = 0; i < 3; i++) {
		m = mq_reserve(&q, 5, 0);
		cr_assert_not_null(m);
		m->transport = TW_TRANSPORT_TCP;
		m->recv_us = 1000 + i;
		memcpy(m->data, "hello", 5);
		mq_commit(&q, m);
	}
	cr_expect_eq(mq_flush(&q), 0);
	mq_producer_unlock(&q);
	c = mq_pop(&q, 1000, &closed);
	cr_assert_not_null(c);
	cr_expect_eq(c->spool_seq, 1);
	mq_release(&q, c);
	spool_close(sp);

	/* Read back and pushed into a queue: the same messages. */
	sp = open_spool(1 << 20, 0);
	memset(&g, 0, sizeof g);
	cr_assert_eq(spool_replay(sp, collect_cb, &g), 1);
	cr_expect_eq(g.count[0], 3);
	spool_close(sp);
	{
		struct spool *sp2 = open_spool(1 << 20, 0);
		struct mq q2;
		cr_assert_eq(mq_init(&q2, 1 << 20, 0, NULL), 0);
		/* Replay straight into q2 through mq_push_chunk. */
		cr_assert_eq(spool_replay(sp2, push_cb, &q2), 1);
		c = mq_pop(&q2, 1000, &closed);
		cr_assert_not_null(c);
		cr_expect_eq(c->spool_seq, 1);
		cr_expect_eq(c->count, 3);
		for (int i = 0; (m = mq_next(c, &pos)) != NULL; i++) {
			cr_expect_eq(m->recv_us, 1000 + i, "original receive time");
			cr_expect_eq(m->transport, TW_TRANSPORT_TCP);
			cr_expect_eq(memcmp(m->data, "hello", 5), 0);
		}
		mq_release(&q2, c);
		mq_destroy(&q2);
		spool_close(sp2);
	}
	mq_destroy(&q);
}

/* Publishes n messages of len bytes numbered from..from+n-1 (recv_us). */
static void
produce(struct mq *q, int from, int n, size_t len)
{
	static char text[4096];

	memset(text, 'x', sizeof text);
	mq_producer_lock(q);
	for (int i = from; i < from + n; i++) {
		struct mq_msg *m = mq_reserve(q, len, 0);
		cr_assert_not_null(m, "a reservation with a spool never fails (message %d)", i);
		m->transport = TW_TRANSPORT_TCP;
		m->recv_us = i;
		memcpy(m->data, text, len);
		mq_commit(q, m);
	}
	cr_expect_eq(mq_flush(q), 0);
	mq_producer_unlock(q);
}

/* Pops until n messages came, checking they are numbered next, next+1, ...
 * and that spool sequences grow. */
static int consume_delay_us;     /* a slow consumer */

static int
consume(struct mq *q, int next, int n)
{
	uint64_t last_seq = 0;
	int end = next + n;

	while (next < end) {
		int closed;
		size_t pos = 0;
		struct mq_msg *m;
		struct mq_chunk *c = mq_pop(q, 2000000, &closed);
		cr_assert_not_null(c, "message %d never came", next);
		cr_expect_gt(c->spool_seq, last_seq, "chunks in spool order");
		last_seq = c->spool_seq;
		while ((m = mq_next(c, &pos)) != NULL) {
			cr_assert_eq(m->recv_us, next, "message %d in order (got %lld)", next,
			    (long long)m->recv_us);
			next++;
		}
		mq_release(q, c);
		if (consume_delay_us > 0)
			usleep((useconds_t)consume_delay_us);
	}
	return next;
}

/* The in-memory queue is a small hand-off: past its limit the chunks wait
 * in the spool only, and come back in order; once the consumer has caught
 * up, chunks go through memory again. */
Test(spool, queue_spills_to_the_spool_past_its_limit)
{
	char err[256];
	struct spool *sp = open_spool(64 << 20, 0);
	struct mq q;
	uint64_t msgs;
	size_t bytes;

	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	cr_assert_eq(mq_init(&q, 4 * MQ_CHUNK_SIZE, 0, NULL), 0);
	mq_set_spool(&q, sp);

	produce(&q, 0, 3000, 1000);          /* ~3 MB through a 256 KiB hand-off */
	mq_depth(&q, &msgs, &bytes);
	cr_expect_eq(msgs, 3000, "spilled messages count as waiting");
	cr_expect_leq(bytes, 4 * MQ_CHUNK_SIZE + MQ_CHUNK_SIZE, "memory stays within the limit");
	cr_expect(q.spill_on);
	cr_expect_eq(consume(&q, 0, 3000), 3000);
	cr_expect_not(q.spill_on, "caught up");
	cr_expect_gt(ctr_get(&ctr, CTR_SPOOL_READ_BACK), 2000);
	cr_expect_lt(ctr_get(&ctr, CTR_SPOOL_READ_BACK), 3000, "the first chunks went by memory");

	/* Caught up: the next chunk is handed off in memory. */
	produce(&q, 3000, 1, 10);
	cr_expect_not(q.spill_on);
	cr_expect_not_null(q.head);
	cr_expect_eq(consume(&q, 3000, 1), 3001);
	mq_destroy(&q);
	spool_close(sp);
}

struct prod_arg {
	struct mq *q;
	int n;
};

static void *
producer_main(void *arg)
{
	struct prod_arg *a = arg;

	for (int i = 0; i < a->n; i += 500)
		produce(a->q, i, a->n - i < 500 ? a->n - i : 500, 50 + (size_t)(i % 700));
	return NULL;
}

/* A producer and a slower consumer running at once, the spill starting and
 * ending many times: every message once, in order. */
Test(spool, queue_spill_keeps_order_under_a_running_producer)
{
	char err[256];
	struct spool *sp = open_spool(256 << 20, 0);
	struct prod_arg a;
	pthread_t t;
	struct mq q;
	int n = 200000;

	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	cr_assert_eq(mq_init(&q, 4 * MQ_CHUNK_SIZE, 0, NULL), 0);
	mq_set_spool(&q, sp);
	a.q = &q;
	a.n = n;
	consume_delay_us = 300;
	cr_assert_eq(pthread_create(&t, NULL, producer_main, &a), 0);
	cr_expect_eq(consume(&q, 0, n), n);
	pthread_join(t, NULL);
	cr_expect_gt(ctr_get(&ctr, CTR_SPOOL_READ_BACK), 0, "some went through the disk");
	mq_destroy(&q);
	spool_close(sp);
}

/* Committed spilled records let their segments go while the reader moves
 * on to newer ones. */
Test(spool, queue_spill_reads_across_segments_that_are_deleted)
{
	char err[256];
	struct spool *sp = open_spool(1 << 20, 0);   /* 256 KiB segments */
	struct mq q;
	int next = 0;

	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	cr_assert_eq(mq_init(&q, 4 * MQ_CHUNK_SIZE, 0, NULL), 0);
	mq_set_spool(&q, sp);
	for (int round = 0; round < 20; round++) {
		int closed;
		struct mq_chunk *c;
		produce(&q, round * 400, 400, 1500);   /* 600 KB: most spilled */
		cr_expect(q.spill_on);
		while (next < (round + 1) * 400) {
			size_t pos = 0;
			struct mq_msg *m;
			c = mq_pop(&q, 2000000, &closed);
			cr_assert_not_null(c);
			while ((m = mq_next(c, &pos)) != NULL)
				cr_assert_eq(m->recv_us, next++);
			spool_committed(sp, c->spool_seq);
			mq_release(&q, c);
		}
	}
	cr_expect_eq(ctr_get(&ctr, CTR_SPOOL_READ_ERRORS), 0);
	cr_expect_gt(ctr_get(&ctr, CTR_SPOOL_READ_BACK), 20 * 200);
	cr_expect_leq(count_segments(), 2, "read and committed: deleted");
	mq_destroy(&q);
	spool_close(sp);
}

/* A spool belongs to one database: records written for another are set
 * aside, not replayed; a spool without an owner is adopted. */
Test(spool, claimed_by_one_database)
{
	char aside[600];
	struct spool *sp;
	struct got *g = calloc(1, sizeof *g);
	unsigned orphaned = 9;
	char err[256];

	cr_assert_not_null(g);
	sp = open_spool(1 << 20, 0);
	cr_assert_eq(spool_claim(sp, 1111, &orphaned, err, sizeof err), 0, "%s", err);
	cr_expect_eq(orphaned, 0, "a new spool");
	spool_close(sp);
	sp = open_spool(1 << 20, 0);
	append_n(sp, 0, 3);
	spool_close(sp);

	/* The same database: replayed. */
	sp = open_spool(1 << 20, 0);
	cr_assert_eq(spool_claim(sp, 1111, &orphaned, err, sizeof err), 0);
	cr_expect_eq(orphaned, 0);
	cr_expect_eq(spool_replay(sp, collect_cb, g), 3);
	spool_close(sp);

	/* Another database at that path: set aside, nothing replayed. */
	memset(g, 0, sizeof *g);
	sp = open_spool(1 << 20, 0);
	cr_assert_eq(spool_claim(sp, 2222, &orphaned, err, sizeof err), 0, "%s", err);
	cr_expect_geq(orphaned, 1);
	cr_expect_eq(spool_replay(sp, collect_cb, g), 0, "another database's records");
	cr_expect_eq(count_segments(), 0);
	snprintf(aside, sizeof aside, "%s/orphan-1111", dir);
	cr_expect_eq(access(aside, F_OK), 0, "kept aside in %s", aside);
	append_n(sp, 10, 2);
	spool_close(sp);
	memset(g, 0, sizeof *g);
	sp = open_spool(1 << 20, 0);
	cr_assert_eq(spool_claim(sp, 2222, &orphaned, err, sizeof err), 0);
	cr_expect_eq(spool_replay(sp, collect_cb, g), 2, "its own records");
	spool_close(sp);

	/* No owner recorded (an older version): adopted, replayed. */
	snprintf(aside, sizeof aside, "%s/owner", dir);
	cr_assert_eq(unlink(aside), 0);
	memset(g, 0, sizeof *g);
	sp = open_spool(1 << 20, 0);
	cr_assert_eq(spool_claim(sp, 3333, &orphaned, err, sizeof err), 0);
	cr_expect_eq(orphaned, 0);
	cr_expect_eq(spool_replay(sp, collect_cb, g), 2);
	spool_close(sp);
	free(g);
}

/* Reading back past a damaged record: one read error, counted once, the
 * rest of that segment skipped, the next segments read. */
Test(spool, reader_skips_a_damaged_segment_once)
{
	char path[600], err[256], big[20000];
	struct spool_reader r;
	struct spool *sp = open_spool(256 << 10, 0);   /* 64 KiB segments */
	const char *p;
	size_t len;
	uint64_t seq = 0, got, count, next = 1;
	int fd, rc, reads = 0, errors = 0;

	memset(big, 'a', sizeof big);
	cr_assert_eq(spool_replay(sp, collect_cb, &(struct got){0}), 0);
	cr_assert_eq(spool_start(sp, err, sizeof err), 0);
	for (int i = 0; i < 8; i++)     /* 3 records a segment: 3 segments */
		cr_assert_eq(spool_append(sp, big, sizeof big, 1, &seq), 0);
	snprintf(path, sizeof path, "%s/seg-%020d", dir, 1);
	fd = open(path, O_RDWR);
	cr_assert_geq(fd, 0);
	cr_assert_eq(pwrite(fd, "b", 1, SPOOL_HDR_SIZE + 10), 1);   /* record 1 */
	close(fd);
	memset(&ctr, 0, sizeof ctr);
	spool_reader_init(&r);
	while ((rc = spool_read(sp, &r, next, seq, &p, &len, &got, &count)) != 0) {
		if (rc < 0) {
			errors++;
			next = r.last_seq + 1;
			continue;
		}
		cr_expect_eq(len, sizeof big);
		reads++;
		next = got + 1;
	}
	spool_reader_close(&r);
	cr_expect_eq(errors, 1);
	cr_expect_eq(ctr.v[CTR_SPOOL_READ_ERRORS], 1);
	cr_expect_eq(reads, 5, "segments 2 and 3 read back");
	spool_close(sp);
}
