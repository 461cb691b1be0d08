/*
 * test_pulse.c — a minute's trail of DPD lines (storage/pulse.c): the
 * encoding round-trips, joined encodings read as one, entries come back in
 * (device time, event id) order, and bytes that are not a trail are
 * refused; in a database, pulse_add/pulse_flush build the trail that
 * v_trail and the reader see, and a merge moves it.
 */
#include "db.h"
#include "facts.h"
#include "migrate.h"
#include "pulse.h"

#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define MIN0 (1718668800LL * 1000000)      /* 2024-06-18T00:00:00Z */

Test(pulse, trail_round_trip)
{
	struct pulse_trail_ent in[3] = {
		{ MIN0 + 59999999, 7, 9 }, { MIN0, 5, 123456789012LL }, { MIN0 + 1, 6, 6 },
	}, out[8];
	unsigned char buf[3 * PULSE_TRAIL_BYTES + 2];
	size_t len = pulse_trail_encode(in, 3, MIN0, buf, sizeof buf);

	cr_assert_eq(pulse_trail_decode(buf, len, MIN0, out, 8), 3);
	/* sorted by device time */
	cr_assert_eq(out[0].event_id, 5);
	cr_assert_eq(out[0].message_id, 123456789012LL);
	cr_assert_eq(out[1].us, MIN0 + 1);
	cr_assert_eq(out[2].us, MIN0 + 59999999);
	cr_assert_eq(out[2].message_id, 9);
}

Test(pulse, trail_is_json)
{
	struct pulse_trail_ent in[2] = { { MIN0 + 8000000, 8, 10 }, { MIN0 + 8000000, 9, 11 } };
	unsigned char buf[2 * PULSE_TRAIL_BYTES + 2];
	size_t len = pulse_trail_encode(in, 2, MIN0, buf, sizeof buf);

	cr_assert_eq(len, strlen("[[8000000,8,10],[8000000,9,11]]"));
	cr_assert(memcmp(buf, "[[8000000,8,10],[8000000,9,11]]", len) == 0);
}

Test(pulse, same_second_ordered_by_event_id)
{
	const char *t = "[[3000000,12,1],[3000000,4,2],[1000000,20,3]]";
	struct pulse_trail_ent out[4];

	cr_assert_eq(pulse_trail_decode((const unsigned char *)t, strlen(t), MIN0, out, 4), 3);
	cr_assert_eq(out[0].event_id, 20);
	cr_assert_eq(out[1].event_id, 4);
	cr_assert_eq(out[2].event_id, 12);
}

Test(pulse, joined_trails_read_as_one)
{
	/* what the upsert makes of two flushes of one minute */
	const char *t = "[[1,1,1],[2,2,2],[0,3,3]]";
	struct pulse_trail_ent out[4];

	cr_assert_eq(pulse_trail_decode((const unsigned char *)t, strlen(t), MIN0, out, 4), 3);
	cr_assert_eq(out[0].event_id, 3);
}

Test(pulse, not_a_trail)
{
	static const char *const bad[] = {
		"[[1,2]]",                     /* an entry short */
		"[[60000000,1,1]]",            /* beyond the minute */
		"[[-1,1,1]]",                  /* before it */
		"[[1,0,1]]",                   /* no event id */
		"[[1,x,1]]",
		"[[1,2,99999999999999999999]]", /* beyond int64 */
	};
	struct pulse_trail_ent out[4];
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		cr_expect_eq(pulse_trail_decode((const unsigned char *)bad[i], strlen(bad[i]),
		    MIN0, out, 4), -1, "%s", bad[i]);
	cr_assert_eq(pulse_trail_decode((const unsigned char *)"[]", 2, MIN0, out, 4), 0);
}

Test(pulse, decode_stops_at_max)
{
	const char *t = "[[1,1,1],[2,2,2],[3,3,3]]";
	struct pulse_trail_ent out[2];

	cr_assert_eq(pulse_trail_decode((const unsigned char *)t, strlen(t), MIN0, out, 2), 2);
}

static sqlite3 *
db_new(void)
{
	sqlite3 *db = NULL;
	char err[256];

	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(migrate_run(db, err, sizeof err), SQLITE_OK, "%s", err);
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO devices(device_id, hostname) VALUES (1, 'vedge01');"
	    "INSERT INTO tunnels(tunnel_id, device_id, name) VALUES (1, 1, 'ipsec1'), (2, 1, 'ipsec2');",
	    NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	return db;
}

static int
count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int n = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return n;
}

Test(pulse, flushes_append_and_reader_walks_in_order)
{
	sqlite3 *db = db_new();
	struct db *dh = db_wrap_sqlite(db);
	struct pulse *p = NULL;
	struct pulse_reader *rd = NULL;
	const struct pulse_trail_ent *e;
	char err[256];
	int64_t ids[8];
	int n = 0;

	cr_assert_eq(pulse_open(dh, &p, err, sizeof err), SQLITE_OK, "%s", err);
	cr_assert_eq(pulse_add(p, 1, MIN0 + 10000000, FACTS_PULSE_DPD_PROBE, 0, 10, 100), SQLITE_OK);
	cr_assert_eq(pulse_add(p, 1, MIN0 + 10000000, FACTS_PULSE_PACKET_OUT, 76, 11, 101), SQLITE_OK);
	cr_assert_eq(pulse_flush(p), SQLITE_OK);
	cr_assert_eq(pulse_add(p, 1, MIN0 + 5000000, FACTS_PULSE_DPD_REQ_OUT, 0, 12, 102), SQLITE_OK);
	cr_assert_eq(pulse_add(p, 1, MIN0 + 70000000, FACTS_PULSE_DPD_ANSWER_IN, 0, 13, 103),
	    SQLITE_OK);
	cr_assert_eq(pulse_flush(p), SQLITE_OK);
	/* packets are counted, not trailed; the two flushes of minute 0 joined */
	cr_assert_eq(count(db, "SELECT count(*) FROM v_trail"), 3);
	cr_assert_eq(count(db, "SELECT dpd_probes + dpd_requests FROM heartbeat"
	    " WHERE minute_us = 1718668800000000"), 2);
	cr_assert_eq(count(db, "SELECT json_valid(trail) FROM heartbeat"
	    " WHERE minute_us = 1718668800000000"), 1);

	cr_assert_eq(pulse_reader_open(dh, &rd), SQLITE_OK);
	pulse_reader_start(rd, 1, MIN0 + 5000000, 12, INT64_MAX);
	while (n < 8 && pulse_reader_peek(rd, &e) == 1) {
		ids[n++] = e->event_id;
		pulse_reader_next(rd);
	}
	cr_assert_eq(n, 2, "after (5 s, id 12): the probe at 10 s and the answer a minute on");
	cr_assert_eq(ids[0], 10);
	cr_assert_eq(ids[1], 13);

	/* a merge moves the trail with the counts */
	cr_assert_eq(pulse_merge_tunnel(p, 1, 2), SQLITE_OK);
	cr_assert_eq(count(db, "SELECT count(*) FROM v_trail WHERE tunnel = 'ipsec2'"), 3);
	cr_assert_eq(count(db, "SELECT count(*) FROM heartbeat WHERE tunnel_id = 1"), 0);
	pulse_reader_free(rd);
	pulse_free(p);
	db_close(dh);
	sqlite3_close(db);
}

Test(pulse, rollback_drops_waiting_trail)
{
	sqlite3 *db = db_new();
	struct db *dh = db_wrap_sqlite(db);
	struct pulse *p = NULL;
	char err[256];

	cr_assert_eq(pulse_open(dh, &p, err, sizeof err), SQLITE_OK, "%s", err);
	cr_assert_eq(pulse_add(p, 1, MIN0, FACTS_PULSE_DPD_PROBE, 0, 10, 100), SQLITE_OK);
	pulse_reset(p);
	cr_assert_eq(pulse_flush(p), SQLITE_OK);
	cr_assert_eq(count(db, "SELECT count(*) FROM heartbeat"), 0);
	pulse_free(p);
	db_close(dh);
	sqlite3_close(db);
}
