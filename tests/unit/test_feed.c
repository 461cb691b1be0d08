/*
 * test_feed.c — the correlator's in-memory feed (diagnose/feed.c):
 * per-tunnel queues in (device time, event id) order, taken up to a cutoff
 * after a cursor, complete only when they provably hold every event.
 */
#include "feed.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

static void
push(struct feed *f, int64_t tun, int64_t id, int64_t us)
{
	struct tm_event ev;

	memset(&ev, 0, sizeof ev);
	ev.us = us;
	ev.source = TM_SRC_CHARON;
	feed_push(f, tun, id, &ev);
}

/* "id@us id@us ..." of what feed_take returns. */
static const char *
take(struct feed *f, int64_t tun, int64_t cur_us, int64_t cur_id, int64_t cutoff)
{
	static char buf[512];
	const struct feed_ev *fe;
	size_t n = feed_take(f, tun, cur_us, cur_id, cutoff, &fe), i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n && at < sizeof buf - 32; i++)
		at += (size_t)snprintf(buf + at, sizeof buf - at, "%s%lld@%lld", i ? " " : "",
		    (long long)fe[i].event_id, (long long)fe[i].ev.us);
	return buf;
}

Test(feed, events_come_out_in_time_then_id_order_up_to_the_cutoff)
{
	struct feed *f = feed_new(1000);

	push(f, 7, 3, 200);
	push(f, 7, 1, 100);
	push(f, 7, 4, 100);          /* same second, later id */
	push(f, 7, 2, 300);
	cr_expect_str_eq(take(f, 7, INT64_MIN, 0, 200), "1@100 4@100 3@200");
	/* the cursor moved to 3@200: only the later one is left */
	cr_expect_str_eq(take(f, 7, 200, 3, 1000), "2@300");
	cr_expect_str_eq(take(f, 7, 300, 2, 1000), "");
	cr_expect_eq(feed_size(f), 0);
	feed_free(f);
}

Test(feed, events_at_or_before_the_cursor_are_dropped)
{
	struct feed *f = feed_new(1000);

	push(f, 7, 5, 100);
	push(f, 7, 6, 150);
	push(f, 7, 9, 150);
	cr_expect_str_eq(take(f, 7, 150, 6, 1000), "9@150");
	cr_expect_eq(feed_size(f), 1, "what was taken leaves at the next call");
	cr_expect_str_eq(take(f, 7, 150, 9, 1000), "");
	cr_expect_eq(feed_size(f), 0);
	feed_free(f);
}

Test(feed, a_born_tunnel_is_complete_and_an_empty_one_takes_nothing)
{
	struct feed *f = feed_new(1000);

	feed_born(f, 9);
	cr_expect(feed_complete(f, 9));
	cr_expect_str_eq(take(f, 9, INT64_MIN, 0, 1000), "");   /* no array yet */
	cr_expect_not(feed_complete(f, 10), "unknown tunnels are not complete");
	push(f, 10, 1, 5);
	cr_expect_not(feed_complete(f, 10), "a tunnel seen first by its events is not");
	feed_free(f);
}

Test(feed, a_gap_a_clear_or_an_overflow_makes_it_incomplete)
{
	struct feed *f = feed_new(1000);
	int i;

	feed_born(f, 1);
	feed_gap(f, 1);
	cr_expect_not(feed_complete(f, 1));
	feed_born(f, 2);
	feed_clear(f);
	cr_expect_not(feed_complete(f, 2));
	feed_born(f, 3);
	for (i = 0; i <= FEED_TUNNEL_MAX; i++)
		push(f, 3, i + 1, i);
	cr_expect_not(feed_complete(f, 3), "over FEED_TUNNEL_MAX: dropped, read back");
	feed_free(f);
}

Test(feed, the_global_bound_holds)
{
	struct feed *f = feed_new(10);
	int i;

	for (i = 0; i < 100; i++)
		push(f, 1 + i % 5, i + 1, i);
	cr_expect_leq(feed_size(f), 10);
	feed_free(f);
}

Test(feed, sync_completes_the_queue_only_when_its_count_matches_the_database)
{
	struct feed *f = feed_new(1000);

	push(f, 4, 10, 100);
	push(f, 4, 11, 200);
	push(f, 4, 12, 300);
	/* read back up to 11@200; the database has 1 event after it */
	feed_sync(f, 4, 200, 11, 1);
	cr_expect(feed_complete(f, 4));
	cr_expect_eq(feed_after(f, 4, 200, 11), 1);
	cr_expect_str_eq(take(f, 4, 200, 11, 1000), "12@300");
	/* the database has 2 after the cursor, the queue 1: not complete */
	push(f, 4, 14, 400);
	feed_sync(f, 4, 300, 12, 2);
	cr_expect_not(feed_complete(f, 4));
	feed_free(f);
}

Test(feed, many_tunnels_grow_the_table)
{
	struct feed *f = feed_new(1u << 20);
	int t;

	for (t = 1; t <= 5000; t++) {
		feed_born(f, t);
		push(f, t, t, t);
	}
	for (t = 1; t <= 5000; t++) {
		char want[64];
		snprintf(want, sizeof want, "%d@%d", t, t);
		cr_expect(feed_complete(f, t));
		cr_expect_str_eq(take(f, t, INT64_MIN, 0, INT64_MAX), want);
	}
	feed_free(f);
}
