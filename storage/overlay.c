/*
 * overlay.c — the device's own transport side (see overlay.h).
 *
 * Design.  transport_events is the history; bfd_sessions is each
 * session's state folded from it by one small machine (sess_step), in
 * device-time order (ties in arrival order).  A line that comes in order
 * (the usual case) is one step over the stored session row; a line older
 * than the session's newest refolds the session from its history, which
 * the index transport_events_session serves.  BFD lines are rare (one per
 * session state change), so a refold is cheap.
 *
 * A flap is a session going down and coming up again: counted at the up
 * that follows a down.  The down notification itself says the session had
 * been up (FTMD logs state changes), so a session first seen going down
 * and then coming up has flapped once.  The last flap-reason is the one of
 * the last down that gave one ("na", the value of ups, is no reason).
 * FTMD may log one interface change twice (the free-text 1000001 form and
 * the Notification): the same change of the same interface within a
 * second is recorded once.
 *
 * "Every BFD session of a color is down" is judged at the end of the
 * window from the history (the state of each session at that time), not
 * from bfd_sessions, so the correlator deriving an old outage again sees
 * the sessions as they were then.
 */
#include "db.h"
#include "overlay.h"
#include "domain.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OVERLAY_NEAR_MAX	64	/* facts judged per call */

enum {
	S_EV_INSERT,
	S_SESS_GET,
	S_SESS_PUT,
	S_SESS_HIST,
	S_SESS_OF_DEVICE,
	S_SESS_DEL,
	S_EV_MOVE,
	S_IF_NEAR,
	S_IF_SAME,
	S_COLOR_AT,
	S_MAX
};

static const char *const overlay_sql[S_MAX] = {
	[S_EV_INSERT] = "INSERT INTO transport_events (device_id, event_id, device_us,"
	    " kind, if_name, color, remote_system_ip, remote_color, reason, deleted)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_SESS_GET] = "SELECT state, state_since_us, flaps, last_flap_reason,"
	    " last_down_us, deleted, first_us, last_us FROM bfd_sessions"
	    " WHERE device_id = ?1 AND local_color = ?2 AND remote_system_ip = ?3"
	    " AND remote_color = ?4",
	[S_SESS_PUT] = "INSERT INTO bfd_sessions (device_id, local_color,"
	    " remote_system_ip, remote_color, state, state_since_us, flaps,"
	    " last_flap_reason, last_down_us, deleted, first_us, last_us)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	    " ON CONFLICT(device_id, local_color, remote_system_ip, remote_color) DO UPDATE SET"
	    " state = excluded.state, state_since_us = excluded.state_since_us,"
	    " flaps = excluded.flaps, last_flap_reason = excluded.last_flap_reason,"
	    " last_down_us = excluded.last_down_us, deleted = excluded.deleted,"
	    " first_us = excluded.first_us, last_us = excluded.last_us",
	[S_SESS_HIST] = "SELECT kind, device_us, reason, deleted FROM transport_events"
	    " WHERE device_id = ?1 AND color = ?2 AND remote_system_ip = ?3"
	    " AND remote_color = ?4 AND kind IN ('bfd_down', 'bfd_up')"
	    " ORDER BY device_us, transport_event_id",
	[S_SESS_OF_DEVICE] = "SELECT DISTINCT color, remote_system_ip, remote_color"
	    " FROM transport_events WHERE device_id = ?1"
	    " AND kind IN ('bfd_down', 'bfd_up')",
	[S_SESS_DEL] = "DELETE FROM bfd_sessions WHERE device_id = ?1",
	[S_EV_MOVE] = "UPDATE transport_events SET device_id = ?2 WHERE device_id = ?1",
	[S_IF_NEAR] = "SELECT event_id, device_us, if_name FROM transport_events"
	    " WHERE device_id = ?1 AND device_us >= ?2 AND device_us <= ?3"
	    " AND kind = 'if_down' ORDER BY device_us, transport_event_id",
	/* The same interface change within a second: FTMD's free-text and
	 * Notification forms of one change. */
	[S_IF_SAME] = "SELECT 1 FROM transport_events WHERE device_id = ?1"
	    " AND device_us >= ?2 - 1000000 AND device_us <= ?2 + 1000000"
	    " AND kind = ?3 AND if_name = ?4 LIMIT 1",
	/* Each session known by ?2 and its last line up to ?2. */
	[S_COLOR_AT] = "SELECT s.local_color, e.kind, e.device_us, e.event_id"
	    " FROM bfd_sessions s JOIN transport_events e"
	    " ON e.transport_event_id = (SELECT x.transport_event_id"
	    "   FROM transport_events x WHERE x.device_id = s.device_id"
	    "   AND x.color = s.local_color AND x.remote_system_ip = s.remote_system_ip"
	    "   AND x.remote_color = s.remote_color"
	    "   AND x.kind IN ('bfd_down', 'bfd_up') AND x.device_us <= ?2"
	    "   ORDER BY x.device_us DESC, x.transport_event_id DESC LIMIT 1)"
	    " WHERE s.device_id = ?1 ORDER BY s.local_color",
};

struct overlay {
	struct db *db;
	struct db_stmt *st[S_MAX];
};

/* A BFD session as the fold sees it. */
struct sess {
	int known, up, deleted;
	int64_t since, flaps, last_down, first, last;
	char reason[OVERLAY_NAME_LEN];
};

int
overlay_open(struct db *db, struct overlay **out, char *err, size_t errsz)
{
	struct overlay *ov;
	int i, rc;

	*out = NULL;
	if ((ov = calloc(1, sizeof *ov)) == NULL) {
		snprintf(err, errsz, "overlay: out of memory");
		return SQLITE_NOMEM;
	}
	ov->db = db;
	for (i = 0; i < S_MAX; i++) {
		rc = db_prepare(db, overlay_sql[i], &ov->st[i]);
		if (rc != SQLITE_OK) {
			snprintf(err, errsz, "overlay: %s in: %s", db_errmsg(db),
			    overlay_sql[i]);
			overlay_free(ov);
			return rc;
		}
	}
	*out = ov;
	return SQLITE_OK;
}

void
overlay_free(struct overlay *ov)
{
	int i;

	if (ov == NULL)
		return;
	for (i = 0; i < S_MAX; i++)
		db_finalize(ov->st[i]);
	free(ov);
}

/* ---- the BFD session fold -------------------------------------------- */

static int
reason_informative(const char *r)
{
	return r != NULL && r[0] != '\0' && strcmp(r, "na") != 0;
}

static void
sess_step(struct sess *s, int up, int64_t us, const char *reason, int deleted)
{
	if (!s->known) {
		memset(s, 0, sizeof *s);
		s->known = 1;
		s->up = up;
		s->since = s->first = s->last = us;
		if (!up) {
			s->last_down = us;
			s->deleted = deleted;
			if (reason_informative(reason))
				snprintf(s->reason, sizeof s->reason, "%s", reason);
		}
		return;
	}
	if (us < s->first)
		s->first = us;
	if (us > s->last)
		s->last = us;
	if (up) {
		if (!s->up) {
			s->flaps++;             /* down, then up again */
			s->up = 1;
			s->since = us;
			s->deleted = 0;
		}
		return;
	}
	if (s->up) {
		s->up = 0;
		s->since = us;
	}
	s->last_down = us;
	s->deleted |= deleted;
	if (reason_informative(reason))
		snprintf(s->reason, sizeof s->reason, "%s", reason);
}

static void
bind_text_or_null(struct db_stmt *st, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		db_bind_text(st, i, v, -1);
	else
		db_bind_null(st, i);
}

static void
bind_key(struct db_stmt *st, int64_t dev, const char *color, const char *rsip,
    const char *rcolor)
{
	db_bind_int64(st, 1, dev);
	db_bind_text(st, 2, color, -1);
	db_bind_text(st, 3, rsip, -1);
	db_bind_text(st, 4, rcolor, -1);
}

static int
step_done(struct overlay *ov, struct db_stmt *st)
{
	int rc = db_step(st);

	db_reset(st);
	db_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("overlay: %s in: %s", db_errmsg(ov->db), db_sql(st));
		return rc;
	}
	return SQLITE_OK;
}

static int
sess_get(struct overlay *ov, int64_t dev, const char *color, const char *rsip,
    const char *rcolor, struct sess *s)
{
	struct db_stmt *st = ov->st[S_SESS_GET];
	int rc;

	memset(s, 0, sizeof *s);
	bind_key(st, dev, color, rsip, rcolor);
	rc = db_step(st);
	if (rc == SQLITE_ROW) {
		const char *r = (const char *)db_column_text(st, 3);
		s->known = 1;
		s->up = strcmp((const char *)db_column_text(st, 0), "up") == 0;
		s->since = db_column_int64(st, 1);
		s->flaps = db_column_int64(st, 2);
		snprintf(s->reason, sizeof s->reason, "%s", r != NULL ? r : "");
		s->last_down = db_column_int64(st, 4);
		s->deleted = (int)db_column_int64(st, 5);
		s->first = db_column_int64(st, 6);
		s->last = db_column_int64(st, 7);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	} else {
		log_warnx("overlay: %s in: %s", db_errmsg(ov->db), db_sql(st));
	}
	db_reset(st);
	db_clear_bindings(st);
	return rc;
}

static int
sess_put(struct overlay *ov, int64_t dev, const char *color, const char *rsip,
    const char *rcolor, const struct sess *s)
{
	struct db_stmt *st = ov->st[S_SESS_PUT];

	bind_key(st, dev, color, rsip, rcolor);
	db_bind_text_ref(st, 5, s->up ? "up" : "down", -1);
	db_bind_int64(st, 6, s->since);
	db_bind_int64(st, 7, s->flaps);
	bind_text_or_null(st, 8, s->reason);
	if (s->last_down != 0)
		db_bind_int64(st, 9, s->last_down);
	else
		db_bind_null(st, 9);
	db_bind_int64(st, 10, s->deleted);
	db_bind_int64(st, 11, s->first);
	db_bind_int64(st, 12, s->last);
	return step_done(ov, st);
}

/* Folds the session again from its whole history and stores it. */
static int
sess_refold(struct overlay *ov, int64_t dev, const char *color, const char *rsip,
    const char *rcolor)
{
	struct db_stmt *st = ov->st[S_SESS_HIST];
	struct sess s;
	int rc;

	memset(&s, 0, sizeof s);
	bind_key(st, dev, color, rsip, rcolor);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)db_column_text(st, 0);
		const char *reason = (const char *)db_column_text(st, 2);
		sess_step(&s, kind != NULL && strcmp(kind, "bfd_up") == 0,
		    db_column_int64(st, 1), reason, (int)db_column_int64(st, 3));
	}
	db_reset(st);
	db_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("overlay: %s in: %s", db_errmsg(ov->db), overlay_sql[S_SESS_HIST]);
		return rc;
	}
	if (!s.known)
		return SQLITE_OK;
	return sess_put(ov, dev, color, rsip, rcolor, &s);
}

/* ---- the write side --------------------------------------------------- */

int
overlay_apply_fact(struct overlay *ov, int64_t device_id, int64_t event_id,
    int64_t device_us, const struct overlay_fact *f)
{
	struct db_stmt *st = ov->st[S_EV_INSERT];
	int bfd, rc;
	struct sess s;

	if (f->kind == OVERLAY_NONE || overlay_kind_name(f->kind) == NULL ||
	    device_us == INT64_MIN)
		return SQLITE_OK;
	bfd = f->kind == OVERLAY_BFD_DOWN || f->kind == OVERLAY_BFD_UP;
	if (f->kind == OVERLAY_IF_DOWN || f->kind == OVERLAY_IF_UP) {
		struct db_stmt *same = ov->st[S_IF_SAME];
		db_bind_int64(same, 1, device_id);
		db_bind_int64(same, 2, device_us);
		db_bind_text_ref(same, 3, overlay_kind_name(f->kind), -1);
		db_bind_text(same, 4, f->if_name, -1);
		rc = db_step(same);
		db_reset(same);
		db_clear_bindings(same);
		if (rc == SQLITE_ROW)
			return SQLITE_OK;       /* the other form of the same change */
		if (rc != SQLITE_DONE) {
			log_warnx("overlay: %s in: %s", db_errmsg(ov->db),
			    overlay_sql[S_IF_SAME]);
			return rc;
		}
	}
	db_bind_int64(st, 1, device_id);
	if (event_id > 0)
		db_bind_int64(st, 2, event_id);
	else
		db_bind_null(st, 2);
	db_bind_int64(st, 3, device_us);
	db_bind_text_ref(st, 4, overlay_kind_name(f->kind), -1);
	bind_text_or_null(st, 5, f->if_name);
	if (bfd) {
		/* The session key: '' rather than NULL, so that it compares. */
		db_bind_text(st, 6, f->color, -1);
		db_bind_text(st, 7, f->remote_system_ip, -1);
		db_bind_text(st, 8, f->remote_color, -1);
	} else {
		bind_text_or_null(st, 6, f->color);
		bind_text_or_null(st, 7, f->remote_system_ip);
		bind_text_or_null(st, 8, f->remote_color);
	}
	bind_text_or_null(st, 9, f->reason);
	db_bind_int64(st, 10, f->deleted);
	if ((rc = step_done(ov, st)) != SQLITE_OK || !bfd)
		return rc;

	if ((rc = sess_get(ov, device_id, f->color, f->remote_system_ip, f->remote_color,
	    &s)) != SQLITE_OK)
		return rc;
	if (s.known && device_us < s.last)
		/* Late: its place in the history is not the end. */
		return sess_refold(ov, device_id, f->color, f->remote_system_ip,
		    f->remote_color);
	sess_step(&s, f->kind == OVERLAY_BFD_UP, device_us, f->reason, f->deleted);
	return sess_put(ov, device_id, f->color, f->remote_system_ip, f->remote_color, &s);
}

int
overlay_apply(struct overlay *ov, int64_t device_id, int64_t event_id,
    int64_t device_us, const struct ftmd_event *ev, const char *body)
{
	struct overlay_fact f;

	if (!overlay_fact_from_ftmd(ev, body, &f))
		return SQLITE_OK;
	return overlay_apply_fact(ov, device_id, event_id, device_us, &f);
}

int
overlay_merge_device(struct overlay *ov, int64_t from, int64_t into)
{
	struct key { char c[OVERLAY_NAME_LEN], r[OVERLAY_NAME_LEN], rc[OVERLAY_NAME_LEN]; };
	struct key *keys = NULL;
	size_t n = 0, cap = 0, i;
	struct db_stmt *st;
	int rc;

	if (from == into)
		return SQLITE_OK;
	st = ov->st[S_EV_MOVE];
	db_bind_int64(st, 1, from);
	db_bind_int64(st, 2, into);
	if ((rc = step_done(ov, st)) != SQLITE_OK)
		return rc;
	st = ov->st[S_SESS_DEL];
	db_bind_int64(st, 1, from);
	if ((rc = step_done(ov, st)) != SQLITE_OK)
		return rc;
	db_bind_int64(st, 1, into);
	if ((rc = step_done(ov, st)) != SQLITE_OK)
		return rc;

	/* The keys first: the refold uses other statements. */
	st = ov->st[S_SESS_OF_DEVICE];
	db_bind_int64(st, 1, into);
	while ((rc = db_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)db_column_text(st, 0);
		const char *r = (const char *)db_column_text(st, 1);
		const char *k = (const char *)db_column_text(st, 2);
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(keys, ncap * sizeof *keys);
			if (p == NULL) {
				rc = SQLITE_NOMEM;
				break;
			}
			keys = p;
			cap = ncap;
		}
		snprintf(keys[n].c, sizeof keys[n].c, "%s", c != NULL ? c : "");
		snprintf(keys[n].r, sizeof keys[n].r, "%s", r != NULL ? r : "");
		snprintf(keys[n].rc, sizeof keys[n].rc, "%s", k != NULL ? k : "");
		n++;
	}
	db_reset(st);
	db_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("overlay: merging device %lld: %s", (long long)from,
		    rc == SQLITE_NOMEM ? "out of memory" : db_errmsg(ov->db));
		goto out;
	}
	rc = SQLITE_OK;
	for (i = 0; i < n && rc == SQLITE_OK; i++)
		rc = sess_refold(ov, into, keys[i].c, keys[i].r, keys[i].rc);
out:
	free(keys);
	return rc;
}

/* ---- the read side ---------------------------------------------------- */

static int
fact_cmp(const void *a, const void *b)
{
	const struct overlay_transport *x = a, *y = b;

	if (x->us != y->us)
		return x->us < y->us ? -1 : 1;
	if (x->transport != y->transport)
		return x->transport < y->transport ? -1 : 1;
	return strcmp(x->name, y->name);
}

int
overlay_transport_near(struct overlay *ov, int64_t device_id, int64_t from_us,
    int64_t to_us, struct overlay_transport *out, int max, int *n)
{
	struct overlay_transport got[OVERLAY_NEAR_MAX], *g;
	struct db_stmt *st;
	int ngot = 0, rc, i;
	/* the color being read */
	char color[RC_TRANSPORT_NAME_LEN] = "";
	int have = 0, known = 0, down = 0;
	int64_t last_us = INT64_MIN, last_ev = 0;

	*n = 0;
	st = ov->st[S_IF_NEAR];
	db_bind_int64(st, 1, device_id);
	db_bind_int64(st, 2, from_us);
	db_bind_int64(st, 3, to_us);
	while ((rc = db_step(st)) == SQLITE_ROW && ngot < OVERLAY_NEAR_MAX) {
		const char *name = (const char *)db_column_text(st, 2);
		g = &got[ngot++];
		memset(g, 0, sizeof *g);
		g->event_id = db_column_int64(st, 0);
		g->us = db_column_int64(st, 1);
		g->transport = RC_TRANSPORT_IF_DOWN;
		snprintf(g->name, sizeof g->name, "%s", name != NULL ? name : "");
	}
	db_reset(st);
	db_clear_bindings(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		goto fail;

	/* Sessions by color, each with its state at to_us; a color is
	 * judged when the next one starts (and after the last row). */
	st = ov->st[S_COLOR_AT];
	db_bind_int64(st, 1, device_id);
	db_bind_int64(st, 2, to_us);
	for (;;) {
		const char *c = NULL, *kind = NULL;
		rc = db_step(st);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			break;
		if (rc == SQLITE_ROW) {
			c = (const char *)db_column_text(st, 0);
			kind = (const char *)db_column_text(st, 1);
			if (c == NULL)
				c = "";
		}
		if (have && (c == NULL || strncmp(c, color, sizeof color - 1) != 0)) {
			/* All of the color's known sessions down (2 or more, or
			 * the only one), the last of them in the window. */
			if (known > 0 && down == known && last_us >= from_us &&
			    ngot < OVERLAY_NEAR_MAX) {
				g = &got[ngot++];
				memset(g, 0, sizeof *g);
				g->event_id = last_ev;
				g->us = last_us;
				g->transport = RC_TRANSPORT_COLOR_DOWN;
				g->sessions = known;
				snprintf(g->name, sizeof g->name, "%s", color);
			}
			have = 0;
		}
		if (rc == SQLITE_DONE)
			break;
		if (!have) {
			snprintf(color, sizeof color, "%s", c);
			have = 1;
			known = down = 0;
			last_us = INT64_MIN;
			last_ev = 0;
		}
		known++;
		if (kind != NULL && strcmp(kind, "bfd_down") == 0) {
			int64_t us = db_column_int64(st, 2);
			down++;
			if (us >= last_us) {
				last_us = us;
				last_ev = db_column_int64(st, 3);
			}
		}
	}
	db_reset(st);
	db_clear_bindings(st);
	if (rc != SQLITE_DONE)
		goto fail;

	qsort(got, (size_t)ngot, sizeof got[0], fact_cmp);
	for (i = 0; i < ngot && i < max; i++)
		out[i] = got[i];
	*n = i;
	return SQLITE_OK;
fail:
	log_warnx("overlay: %s in: %s", db_errmsg(ov->db), db_sql(st));
	return rc;
}
