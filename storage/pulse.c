/*
 * pulse.c — counting a tunnel's chatter per minute (see pulse.h).
 *
 * The cells are an open-addressing table keyed by (tunnel, minute); in
 * steady traffic one transaction touches one or two minutes of each busy
 * tunnel, so a few thousand cells hold a whole batch and each becomes one
 * upsert instead of one events row per line.
 */
#include "db.h"
#include "pulse.h"
#include "facts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PULSE_CELLS    8192              /* power of two */
#define PULSE_FILL     (PULSE_CELLS / 2) /* flush beyond this many */
#define PULSE_MINUTE   (60 * 1000000LL)
#define PULSE_TRAIL_BUF (PULSE_TRAIL_MAX * PULSE_TRAIL_BYTES + 2)

enum {
	C_DPD_PROBES, C_DPD_REQUESTS, C_DPD_ANSWERS, C_PEER_DPD, C_PEER_DPD_ANSWERED,
	C_RETRANSMITS, C_PACKETS_OUT, C_PACKETS_IN, C_BYTES_OUT, C_BYTES_IN,
	C_KEEPALIVES, C_KERNEL, C_MAX
};

struct pulse_cell {
	int64_t tunnel_id;                /* 0 = empty */
	int64_t minute_us, first_us, last_us;
	int64_t n[C_MAX];
	struct pulse_trail_ent *trail;    /* DPD lines, malloc'd as they come */
	int ntrail, trail_cap;
};

struct pulse {
	struct db *db;
	struct db_stmt *upsert, *merge, *drop;
	struct pulse_cell *cells;
	int used;
	unsigned char *buf;               /* PULSE_TRAIL_MAX encoded entries */
	uint64_t trail_dropped;
};

#define PULSE_COUNTS "dpd_probes, dpd_requests, dpd_answers, peer_dpd," \
	" peer_dpd_answered, retransmits, packets_out, packets_in, bytes_out, bytes_in," \
	" keepalives, kernel_lines"
/* The existing row's columns are named with the table: unqualified,
 * PostgreSQL finds them ambiguous with excluded's (SQLite takes both). */
#define PULSE_ADD(c) " " c " = heartbeat." c " + excluded." c
#define PULSE_ON_CONFLICT " ON CONFLICT(tunnel_id, minute_us) DO UPDATE SET" \
	" first_us = min(heartbeat.first_us, excluded.first_us)," \
	" trail = CASE WHEN excluded.trail IS NULL THEN heartbeat.trail" \
	" WHEN heartbeat.trail IS NULL THEN excluded.trail" \
	" ELSE substr(heartbeat.trail, 1, length(heartbeat.trail) - 1) || ',' ||" \
	" substr(excluded.trail, 2) END," \
	" last_us = max(heartbeat.last_us, excluded.last_us)," \
	PULSE_ADD("dpd_probes") "," PULSE_ADD("dpd_requests") "," \
	PULSE_ADD("dpd_answers") "," PULSE_ADD("peer_dpd") "," \
	PULSE_ADD("peer_dpd_answered") "," PULSE_ADD("retransmits") "," \
	PULSE_ADD("packets_out") "," PULSE_ADD("packets_in") "," \
	PULSE_ADD("bytes_out") "," PULSE_ADD("bytes_in") "," \
	PULSE_ADD("keepalives") "," PULSE_ADD("kernel_lines")

static const char pulse_upsert_sql[] =
	"INSERT INTO heartbeat(tunnel_id, minute_us, first_us, last_us, " PULSE_COUNTS ","
	" trail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
	" ?16, ?17)" PULSE_ON_CONFLICT;
/* "WHERE true" keeps SQLite from reading ON CONFLICT as a join's ON. */
static const char pulse_merge_sql[] =
	"INSERT INTO heartbeat(tunnel_id, minute_us, first_us, last_us, " PULSE_COUNTS ","
	" trail) SELECT ?2, minute_us, first_us, last_us, " PULSE_COUNTS ", trail FROM heartbeat"
	" WHERE tunnel_id = ?1 AND true" PULSE_ON_CONFLICT;
static const char pulse_drop_sql[] = "DELETE FROM heartbeat WHERE tunnel_id = ?1";

int
pulse_open(struct db *db, struct pulse **out, char *err, size_t errsz)
{
	struct pulse *p;
	const char *sql = NULL;
	int rc = SQLITE_NOMEM;

	*out = NULL;
	if ((p = calloc(1, sizeof *p)) == NULL ||
	    (p->cells = calloc(PULSE_CELLS, sizeof *p->cells)) == NULL ||
	    (p->buf = malloc(PULSE_TRAIL_BUF)) == NULL) {
		snprintf(err, errsz, "pulse: out of memory");
		goto fail;
	}
	p->db = db;
	if ((rc = db_prepare(db, sql = pulse_upsert_sql, &p->upsert)) != SQLITE_OK ||
	    (rc = db_prepare(db, sql = pulse_merge_sql, &p->merge)) != SQLITE_OK ||
	    (rc = db_prepare(db, sql = pulse_drop_sql, &p->drop)) != SQLITE_OK) {
		snprintf(err, errsz, "pulse: %s in: %s", db_errmsg(db), sql);
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
	db_finalize(p->upsert);
	db_finalize(p->merge);
	db_finalize(p->drop);
	if (p->cells != NULL)
		pulse_reset(p);
	free(p->cells);
	free(p->buf);
	free(p);
}

uint64_t
pulse_trail_dropped(const struct pulse *p)
{
	return p->trail_dropped;
}

/* ---- the trail's encoding ---------------------------------------------- */

/*
 * A JSON array of [offset, event id, message id] entries: the device time's
 * offset in the minute (µs), its place in the event order, its raw line.
 * JSON, so that v_trail can list the lines with json_each(); two encodings
 * are joined by the upsert into one array.  Entries need not be in order
 * (a merge appends one tunnel's minute to another's).
 */
size_t
pulse_trail_encode(const struct pulse_trail_ent *e, size_t n, int64_t minute_us,
    unsigned char *buf, size_t bufsz)
{
	size_t i, at = 0;
	int k;

	if (n == 0 || bufsz < 3)
		return 0;
	buf[at++] = '[';
	for (i = 0; i < n && bufsz - at >= PULSE_TRAIL_BYTES + 1; i++) {
		k = snprintf((char *)buf + at, bufsz - at, "%s[%" PRId64 ",%" PRId64 ",%" PRId64 "]",
		    i > 0 ? "," : "", e[i].us - minute_us, e[i].event_id, e[i].message_id);
		if (k < 0 || (size_t)k >= bufsz - at)
			break;
		at += (size_t)k;
	}
	buf[at++] = ']';
	return at;
}

static int
pulse_ent_cmp(const void *a, const void *b)
{
	const struct pulse_trail_ent *x = a, *y = b;

	if (x->us != y->us)
		return x->us < y->us ? -1 : 1;
	return x->event_id < y->event_id ? -1 : x->event_id > y->event_id;
}

/* The next integer at b[*at..len) after any of "[,] " (0), or -1. */
static int
pulse_get_int(const unsigned char *b, size_t len, size_t *at, int64_t *v)
{
	uint64_t u = 0;
	int neg = 0, digits = 0;

	while (*at < len && (b[*at] == '[' || b[*at] == ',' || b[*at] == ']' || b[*at] == ' '))
		(*at)++;
	if (*at < len && b[*at] == '-') {
		neg = 1;
		(*at)++;
	}
	while (*at < len && b[*at] >= '0' && b[*at] <= '9' && digits < 19) {
		u = u * 10 + (uint64_t)(b[*at] - '0');
		(*at)++;
		digits++;
	}
	if (digits == 0 || (*at < len && b[*at] >= '0' && b[*at] <= '9'))
		return -1;
	*v = neg ? -(int64_t)u : (int64_t)u;
	return 0;
}

int
pulse_trail_decode(const unsigned char *b, size_t len, int64_t minute_us,
    struct pulse_trail_ent *out, size_t max)
{
	size_t at = 0, n = 0;
	int64_t off, id, msg;

	for (;;) {
		while (at < len && (b[at] == '[' || b[at] == ',' || b[at] == ']' || b[at] == ' '))
			at++;
		if (at >= len || n >= max)
			break;
		if (pulse_get_int(b, len, &at, &off) != 0 || pulse_get_int(b, len, &at, &id) != 0 ||
		    pulse_get_int(b, len, &at, &msg) != 0 || off < 0 || off >= PULSE_MINUTE ||
		    id <= 0 || msg <= 0)
			return -1;
		out[n].us = minute_us + off;
		out[n].event_id = id;
		out[n].message_id = msg;
		n++;
	}
	qsort(out, n, sizeof *out, pulse_ent_cmp);
	return (int)n;
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

/* Appends a trail entry to cell c (bounded: a full minute counts it). */
static void
pulse_trail_add(struct pulse *p, struct pulse_cell *c, int64_t us, int64_t event_id,
    int64_t message_id)
{
	if (c->ntrail == c->trail_cap) {
		int cap = c->trail_cap == 0 ? 8 : c->trail_cap * 2;
		struct pulse_trail_ent *t;
		if (cap > PULSE_TRAIL_MAX || (t = realloc(c->trail, (size_t)cap *
		    sizeof *t)) == NULL) {
			p->trail_dropped++;
			return;
		}
		c->trail = t;
		c->trail_cap = cap;
	}
	c->trail[c->ntrail].us = us;
	c->trail[c->ntrail].event_id = event_id;
	c->trail[c->ntrail].message_id = message_id;
	c->ntrail++;
}

int
pulse_add(struct pulse *p, int64_t tunnel_id, int64_t us, int what, int64_t bytes,
    int64_t event_id, int64_t message_id)
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
	if (FACTS_PULSE_IS_TRAIL(what) && event_id > 0 && message_id > 0)
		pulse_trail_add(p, c, us, event_id, message_id);
	return SQLITE_OK;
}

int
pulse_flush(struct pulse *p)
{
	struct db_stmt *s = p->upsert;
	size_t i;
	int k, rc = SQLITE_OK;

	for (i = 0; i < PULSE_CELLS && p->used > 0; i++) {
		struct pulse_cell *c = &p->cells[i];
		if (c->tunnel_id == 0)
			continue;
		db_bind_int64(s, 1, c->tunnel_id);
		db_bind_int64(s, 2, c->minute_us);
		db_bind_int64(s, 3, c->first_us);
		db_bind_int64(s, 4, c->last_us);
		for (k = 0; k < C_MAX; k++)
			db_bind_int64(s, 5 + k, c->n[k]);
		if (c->ntrail > 0)
			db_bind_text_ref(s, 5 + C_MAX, (const char *)p->buf, (int)pulse_trail_encode(c->trail,
			    (size_t)c->ntrail, c->minute_us, p->buf,
			    PULSE_TRAIL_BUF));
		else
			db_bind_null(s, 5 + C_MAX);
		rc = db_step(s);
		db_reset(s);
		if (rc != SQLITE_DONE)
			return rc;      /* the caller rolls back; the cells are replayed */
		free(c->trail);
		memset(c, 0, sizeof *c);
		p->used--;
	}
	return SQLITE_OK;
}

void
pulse_reset(struct pulse *p)
{
	size_t i;

	for (i = 0; i < PULSE_CELLS; i++)
		free(p->cells[i].trail);
	memset(p->cells, 0, PULSE_CELLS * sizeof *p->cells);
	p->used = 0;
}

int
pulse_merge_tunnel(struct pulse *p, int64_t from, int64_t into)
{
	struct db_stmt *steps[2] = { p->merge, p->drop };
	int i, rc;

	if ((rc = pulse_flush(p)) != SQLITE_OK)
		return rc;
	for (i = 0; i < 2; i++) {
		db_bind_int64(steps[i], 1, from);
		if (i == 0)
			db_bind_int64(steps[i], 2, into);
		rc = db_step(steps[i]);
		db_reset(steps[i]);
		db_clear_bindings(steps[i]);
		if (rc != SQLITE_DONE)
			return rc;
	}
	return SQLITE_OK;
}

/* ---- reading trails back ----------------------------------------------- */

#define PULSE_READ_MAX (4 * PULSE_TRAIL_MAX)  /* entries decoded per minute */

struct pulse_reader {
	struct db_stmt *rows;
	struct pulse_trail_ent *ent;
	int n, i;
	int64_t after_us, after_event, to_us;
	int done;
};

static const char pulse_read_sql[] =
	"SELECT minute_us, trail FROM heartbeat WHERE tunnel_id = ?1"
	" AND minute_us BETWEEN ?2 AND ?3 AND trail IS NOT NULL ORDER BY minute_us";

int
pulse_reader_open(struct db *db, struct pulse_reader **out)
{
	struct pulse_reader *rd;
	int rc;

	*out = NULL;
	if ((rd = calloc(1, sizeof *rd)) == NULL ||
	    (rd->ent = malloc(PULSE_READ_MAX * sizeof *rd->ent)) == NULL) {
		if (rd != NULL)
			free(rd);
		return SQLITE_NOMEM;
	}
	if ((rc = db_prepare(db, pulse_read_sql, &rd->rows)) != SQLITE_OK) {
		pulse_reader_free(rd);
		return rc;
	}
	rd->done = 1;
	*out = rd;
	return SQLITE_OK;
}

void
pulse_reader_free(struct pulse_reader *rd)
{
	if (rd == NULL)
		return;
	db_finalize(rd->rows);
	free(rd->ent);
	free(rd);
}

int
pulse_reader_start(struct pulse_reader *rd, int64_t tunnel_id, int64_t after_us,
    int64_t after_event, int64_t to_us)
{
	db_reset(rd->rows);
	db_clear_bindings(rd->rows);
	rd->n = rd->i = 0;
	rd->done = 0;
	rd->after_us = after_us;
	rd->after_event = after_event;
	rd->to_us = to_us;
	db_bind_int64(rd->rows, 1, tunnel_id);
	db_bind_int64(rd->rows, 2, after_us == INT64_MIN ? INT64_MIN : pulse_minute(after_us));
	db_bind_int64(rd->rows, 3, to_us);
	return SQLITE_OK;
}

int
pulse_reader_peek(struct pulse_reader *rd, const struct pulse_trail_ent **e)
{
	for (;;) {
		while (rd->i < rd->n) {
			const struct pulse_trail_ent *x = &rd->ent[rd->i];
			if (x->us > rd->to_us) {
				rd->i = rd->n;
				break;
			}
			if (x->us < rd->after_us || (x->us == rd->after_us &&
			    x->event_id <= rd->after_event)) {
				rd->i++;
				continue;
			}
			*e = x;
			return 1;
		}
		if (rd->done)
			return 0;
		switch (db_step(rd->rows)) {
		case SQLITE_ROW: {
			const void *b = db_column_text(rd->rows, 1);
			int len = db_column_bytes(rd->rows, 1);
			rd->i = 0;
			rd->n = b == NULL ? 0 : pulse_trail_decode(b, (size_t)len,
			    db_column_int64(rd->rows, 0), rd->ent, PULSE_READ_MAX);
			if (rd->n < 0)
				rd->n = 0;      /* not a trail: nothing to read in it */
			break;
		}
		case SQLITE_DONE:
			rd->done = 1;
			db_reset(rd->rows);
			return 0;
		default:
			rd->done = 1;
			rd->n = 0;
			return -1;
		}
	}
}

void
pulse_reader_next(struct pulse_reader *rd)
{
	if (rd->i < rd->n)
		rd->i++;
}

void
pulse_reader_ahead(const struct pulse_reader *rd, const struct pulse_trail_ent **ents, int *n)
{
	*ents = rd->ent + rd->i;
	*n = rd->n - rd->i;
}

void
pulse_reader_stop(struct pulse_reader *rd)
{
	db_reset(rd->rows);
	rd->n = rd->i = 0;
	rd->done = 1;
}
