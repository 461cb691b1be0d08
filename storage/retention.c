/*
 * retention.c — see retention.h.
 */
#include "db.h"
#include "retention.h"
#include "log.h"

#include <stdio.h>

/* The first message_id at or after the second ?1 (none: past the last). */
#define RETENTION_MSG_CUT "coalesce((SELECT message_id FROM receive_marks" \
	" WHERE received_s >= ?1 ORDER BY received_s LIMIT 1)," \
	" (SELECT max(message_id) + 1 FROM messages))"

static int
retention_exec(struct db *db, const char *sql, int64_t a, int64_t b, uint64_t *changed)
{
	struct db_stmt *s = NULL;
	int rc;

	if ((rc = db_prepare(db, sql, &s)) != SQLITE_OK) {
		log_warnx("retention: %s in: %s", db_errmsg(db), sql);
		return rc;
	}
	db_bind_int64(s, 1, a);
	db_bind_int64(s, 2, b);
	rc = db_step(s);
	db_finalize(s);
	if (rc != SQLITE_DONE) {
		log_warnx("retention: %s in: %s", db_errmsg(db), sql);
		return rc;
	}
	if (changed != NULL)
		*changed = (uint64_t)db_changes(db);
	return SQLITE_OK;
}

int
retention_step(struct store *st, const struct config *cfg, int64_t now_us, int *more,
    uint64_t *deleted)
{
	struct db *db = store_dbh(st);
	int64_t msg_cut = now_us - cfg->retention_messages_us;
	int64_t ev_cut = now_us - cfg->retention_events_us;
	uint64_t n = 0, total = 0;
	int rc;

	*more = 0;
	*deleted = 0;
	if ((rc = store_begin(st)) != SQLITE_OK)
		return rc;
	/* Messages, oldest first by message_id below the first receive mark
	 * at or after the cut: every one of them arrived before it
	 * (schema/0007_lean.sql); with no such mark, none arrived since.
	 * The received_us test is for rows some other program wrote without
	 * their mark.  Their duplicate marks go with them; the receive marks
	 * before that one after them. */
	if ((rc = retention_exec(db, "DELETE FROM duplicates WHERE message_id IN"
	    " (SELECT message_id FROM messages WHERE message_id < " RETENTION_MSG_CUT
	    " AND received_us < ?1 * 1000000 ORDER BY message_id LIMIT ?2)",
	    msg_cut / 1000000, RETENTION_STEP_ROWS, NULL)) != SQLITE_OK ||
	    (rc = retention_exec(db, "DELETE FROM messages WHERE message_id IN"
	    " (SELECT message_id FROM messages WHERE message_id < " RETENTION_MSG_CUT
	    " AND received_us < ?1 * 1000000 ORDER BY message_id LIMIT ?2)",
	    msg_cut / 1000000, RETENTION_STEP_ROWS, &n)) != SQLITE_OK)
		goto fail;
	total += n;
	*more |= n == RETENTION_STEP_ROWS;
	if (n < RETENTION_STEP_ROWS && (rc = retention_exec(db,
	    "DELETE FROM receive_marks WHERE received_s < coalesce((SELECT received_s"
	    " FROM receive_marks WHERE received_s >= ?1 ORDER BY received_s LIMIT 1),"
	    " ?1) AND ?2 > 0", msg_cut / 1000000, 1, NULL)) != SQLITE_OK)
		goto fail;
	/* Events: the oldest ids are the oldest events; look at one chunk
	 * (named: PostgreSQL wants every subquery in FROM named). */
	if ((rc = retention_exec(db, "DELETE FROM events WHERE event_id IN"
	    " (SELECT event_id FROM (SELECT event_id, device_us FROM events"
	    " ORDER BY event_id LIMIT ?2) AS chunk WHERE device_us < ?1)",
	    ev_cut, RETENTION_STEP_ROWS, &n)) != SQLITE_OK)
		goto fail;
	total += n;
	*more |= n == RETENTION_STEP_ROWS;
	if ((rc = retention_exec(db, "DELETE FROM incident_evidence WHERE incident_id IN"
	    " (SELECT incident_id FROM incidents WHERE started_us < ?1"
	    " AND ended_us < ?1 LIMIT ?2)", ev_cut, RETENTION_STEP_ROWS, NULL)) != SQLITE_OK ||
	    (rc = retention_exec(db, "DELETE FROM incidents WHERE incident_id IN"
	    " (SELECT incident_id FROM incidents WHERE started_us < ?1"
	    " AND ended_us < ?1 LIMIT ?2)", ev_cut, RETENTION_STEP_ROWS, &n)) != SQLITE_OK)
		goto fail;
	total += n;
	/* The device's transport history (BFD sessions keep their state and
	 * flap counts) and charon starts, like events. */
	if ((rc = retention_exec(db, "DELETE FROM transport_events WHERE transport_event_id IN"
	    " (SELECT transport_event_id FROM (SELECT transport_event_id, device_us"
	    " FROM transport_events ORDER BY transport_event_id LIMIT ?2) AS chunk"
	    " WHERE device_us < ?1)", ev_cut, RETENTION_STEP_ROWS, &n)) != SQLITE_OK)
		goto fail;
	total += n;
	*more |= n == RETENTION_STEP_ROWS;
	/* A tunnel's pulse: one index seek per tunnel for its old minutes. */
	if ((rc = retention_exec(db, "DELETE FROM heartbeat WHERE (tunnel_id, minute_us) IN"
	    " (SELECT h.tunnel_id, h.minute_us FROM tunnels t JOIN heartbeat h"
	    " ON h.tunnel_id = t.tunnel_id AND h.minute_us < ?1 LIMIT ?2)",
	    ev_cut, RETENTION_STEP_ROWS, &n)) != SQLITE_OK)
		goto fail;
	total += n;
	*more |= n == RETENTION_STEP_ROWS;
	if ((rc = retention_exec(db, "DELETE FROM restarts WHERE device_us < ?1 AND ?2 > 0",
	    ev_cut, 1, NULL)) != SQLITE_OK)
		goto fail;
	if ((rc = retention_exec(db, "DELETE FROM fleet_events WHERE ended_us < ?1"
	    " AND NOT EXISTS (SELECT 1 FROM incidents i"
	    " WHERE i.fleet_event_id = fleet_events.fleet_event_id) AND ?2 > 0",
	    ev_cut, 1, &n)) != SQLITE_OK ||
	    (rc = retention_exec(db, "DELETE FROM stats WHERE at_us < ?1 AND ?2 > 0",
	    ev_cut, 1, NULL)) != SQLITE_OK)
		goto fail;
	total += n;
	if ((rc = store_commit(st)) != SQLITE_OK)
		goto fail;
	*deleted = total;
	return SQLITE_OK;
fail:
	store_rollback(st);
	return rc;
}
