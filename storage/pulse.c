/*
 * pulse.c — counting a tunnel's chatter per minute (see pulse.h).
 *
 * The cells are an open-addressing table keyed by (tunnel, minute); in
 * steady traffic one transaction touches one or two minutes of each busy
 * tunnel, so a few thousand cells hold a whole batch and each becomes one
 * upsert instead of one events row per line.
 */
#include "pulse.h"
#include "facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PULSE_CELLS    8192              /* power of two */
#define PULSE_FILL     (PULSE_CELLS / 2) /* flush beyond this many */
#define PULSE_MINUTE   (60 * 1000000LL)

enum {
	C_DPD_PROBES, C_DPD_REQUESTS, C_DPD_ANSWERS, C_PEER_DPD, C_PEER_DPD_ANSWERED,
	C_RETRANSMITS, C_PACKETS_OUT, C_PACKETS_IN, C_BYTES_OUT, C_BYTES_IN,
	C_KEEPALIVES, C_KERNEL, C_MAX
};

struct pulse_cell {
	int64_t tunnel_id;                /* 0 = empty */
	int64_t minute_us, first_us, last_us;
	int64_t n[C_MAX];
};

struct pulse {
	sqlite3 *db;
	sqlite3_stmt *upsert, *merge, *drop;
	struct pulse_cell *cells;
	int used;
};

#define PULSE_COUNTS "dpd_probes, dpd_requests, dpd_answers, peer_dpd," \
	" peer_dpd_answered, retransmits, packets_out, packets_in, bytes_out, bytes_in," \
	" keepalives, kernel_lines"
#define PULSE_ADD(c) " " c " = " c " + excluded." c
#define PULSE_ON_CONFLICT " ON CONFLICT(tunnel_id, minute_us) DO UPDATE SET" \
	" first_us = min(first_us, excluded.first_us)," \
	" last_us = max(last_us, excluded.last_us)," \
	PULSE_ADD("dpd_probes") "," PULSE_ADD("dpd_requests") "," \
	PULSE_ADD("dpd_answers") "," PULSE_ADD("peer_dpd") "," \
	PULSE_ADD("peer_dpd_answered") "," PULSE_ADD("retransmits") "," \
	PULSE_ADD("packets_out") "," PULSE_ADD("packets_in") "," \
	PULSE_ADD("bytes_out") "," PULSE_ADD("bytes_in") "," \
	PULSE_ADD("keepalives") "," PULSE_ADD("kernel_lines")

static const char pulse_upsert_sql[] =
	"INSERT INTO heartbeat(tunnel_id, minute_us, first_us, last_us, " PULSE_COUNTS ")"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
	PULSE_ON_CONFLICT;
/* "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON. */
static const char pulse_merge_sql[] =
	"INSERT INTO heartbeat(tunnel_id, minute_us, first_us, last_us, " PULSE_COUNTS ")"
	" SELECT ?2, minute_us, first_us, last_us, " PULSE_COUNTS " FROM heartbeat"
	" WHERE tunnel_id = ?1 AND true" PULSE_ON_CONFLICT;
static const char pulse_drop_sql[] = "DELETE FROM heartbeat WHERE tunnel_id = ?1";

int
pulse_open(sqlite3 *db, struct pulse **out, char *err, size_t errsz)
{
	struct pulse *p;
	const char *sql = NULL;
	int rc = SQLITE_NOMEM;

	*out = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->cells = calloc(PULSE_CELLS, sizeof *p->cells)) == NULL) {
		snprintf(err, errsz, "pulse: out of memory");
		goto fail;
	}
	p->db = db;
	if ((rc = sqlite3_prepare_v3(db, sql = pulse_upsert_sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &p->upsert, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v3(db, sql = pulse_merge_sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &p->merge, NULL)) != SQLITE_OK ||
	    (rc = sqlite3_prepare_v3(db, sql = pulse_drop_sql, -1,
	    SQLITE_PREPARE_PERSISTENT, &p->drop, NULL)) != SQLITE_OK) {
		snprintf(err, errsz, "pulse: %s in: %s", sqlite3_errmsg(db), sql);
		goto fail;
	}
	*out = p;
	return SQLITE_OK;
fail:
	pulse_free(p);
	return rc;
}

void
pulse_free(struct pulse *p)
{
	if (p == NULL)
		return;
	sqlite3_finalize(p->upsert);
	sqlite3_finalize(p->merge);
	sqlite3_finalize(p->drop);
	free(p->cells);
	free(p);
}

static int64_t
pulse_minute(int64_t us)
{
	int64_t m = us / PULSE_MINUTE * PULSE_MINUTE;

	/* floor, for times before 1970 too (a hostile or broken clock), never
	 * past the int64 range */
	return us < 0 && m != us && m >= INT64_MIN + PULSE_MINUTE ? m - PULSE_MINUTE : m;
}

static size_t
pulse_slot(int64_t tunnel_id, int64_t minute_us)
{
	uint64_t h = (uint64_t)tunnel_id * 0x9e3779b97f4a7c15ULL ^
	    (uint64_t)(minute_us / PULSE_MINUTE) * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h >> 32) & (PULSE_CELLS - 1);
}

/* Which counter a line of kind `what` adds to; -1 for none. */
static int
pulse_counter(int what)
{
	switch (what) {
	case FACTS_PULSE_PACKET_OUT: return C_PACKETS_OUT;
	case FACTS_PULSE_PACKET_IN: return C_PACKETS_IN;
	case FACTS_PULSE_KEEPALIVE: return C_KEEPALIVES;
	case FACTS_PULSE_KERNEL: return C_KERNEL;
	case FACTS_PULSE_DPD_PROBE: return C_DPD_PROBES;
	case FACTS_PULSE_DPD_REQ_OUT: return C_DPD_REQUESTS;
	case FACTS_PULSE_DPD_ANSWER_IN: return C_DPD_ANSWERS;
	case FACTS_PULSE_DPD_REQ_IN: return C_PEER_DPD;
	case FACTS_PULSE_DPD_ANSWER_OUT: return C_PEER_DPD_ANSWERED;
	case FACTS_PULSE_RETRANSMIT: return C_RETRANSMITS;
	default: return -1;
	}
}

int
pulse_add(struct pulse *p, int64_t tunnel_id, int64_t us, int what, int64_t bytes)
{
	int64_t minute = pulse_minute(us);
	struct pulse_cell *c;
	size_t i;
	int k = pulse_counter(what), rc;

	if (k < 0 || tunnel_id == 0 || us == INT64_MIN)
		return SQLITE_OK;
	if (p->used >= PULSE_FILL && (rc = pulse_flush(p)) != SQLITE_OK)
		return rc;
	for (i = pulse_slot(tunnel_id, minute);; i = (i + 1) & (PULSE_CELLS - 1)) {
		c = &p->cells[i];
		if (c->tunnel_id == 0) {
			c->tunnel_id = tunnel_id;
			c->minute_us = minute;
			c->first_us = c->last_us = us;
			p->used++;
			break;
		}
		if (c->tunnel_id == tunnel_id && c->minute_us == minute)
			break;
	}
	if (us < c->first_us)
		c->first_us = us;
	if (us > c->last_us)
		c->last_us = us;
	c->n[k]++;
	if (k == C_PACKETS_OUT)
		c->n[C_BYTES_OUT] += bytes;
	else if (k == C_PACKETS_IN)
		c->n[C_BYTES_IN] += bytes;
	return SQLITE_OK;
}

int
pulse_flush(struct pulse *p)
{
	sqlite3_stmt *s = p->upsert;
	size_t i;
	int k, rc = SQLITE_OK;

	for (i = 0; i < PULSE_CELLS && p->used > 0; i++) {
		struct pulse_cell *c = &p->cells[i];
		if (c->tunnel_id == 0)
			continue;
		sqlite3_bind_int64(s, 1, c->tunnel_id);
		sqlite3_bind_int64(s, 2, c->minute_us);
		sqlite3_bind_int64(s, 3, c->first_us);
		sqlite3_bind_int64(s, 4, c->last_us);
		for (k = 0; k < C_MAX; k++)
			sqlite3_bind_int64(s, 5 + k, c->n[k]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
		if (rc != SQLITE_DONE)
			return rc;      /* the caller rolls back; the cells are replayed */
		memset(c, 0, sizeof *c);
		p->used--;
	}
	return SQLITE_OK;
}

void
pulse_reset(struct pulse *p)
{
	memset(p->cells, 0, PULSE_CELLS * sizeof *p->cells);
	p->used = 0;
}

int
pulse_merge_tunnel(struct pulse *p, int64_t from, int64_t into)
{
	sqlite3_stmt *steps[2] = { p->merge, p->drop };
	int i, rc;

	if ((rc = pulse_flush(p)) != SQLITE_OK)
		return rc;
	for (i = 0; i < 2; i++) {
		sqlite3_bind_int64(steps[i], 1, from);
		if (i == 0)
			sqlite3_bind_int64(steps[i], 2, into);
		rc = sqlite3_step(steps[i]);
		sqlite3_reset(steps[i]);
		sqlite3_clear_bindings(steps[i]);
		if (rc != SQLITE_DONE)
			return rc;
	}
	return SQLITE_OK;
}
