/*
 * watch.c — the alert watcher (see watch.h).
 *
 * Each look is one read transaction (one consistent snapshot): the
 * incidents the engine tracks, by id (closed, changed or gone), then those
 * recorded since the last look (incident_id above the highest seen), the
 * fleet events likewise, and the tunnels flagged flapping.  Everything is
 * read through primary keys except the flapping flags (one row per
 * tunnel), so a look costs well under a millisecond for a fleet of
 * thousands of tunnels.
 *
 * It reads through storage/db.h, so the same code watches a SQLite file
 * (its own read-only connection) or a PostgreSQL server (its own session;
 * a look is one REPEATABLE READ transaction there, one snapshot as on
 * SQLite).  A look that fails (a busy file, a server gone: db.h
 * reconnects on the next call) is logged at most once a minute and tried
 * again a second later; what the engine tracks is kept meanwhile.
 *
 * The gate (alert_watch_start's active): with several collectors on one
 * PostgreSQL database only the one that decides incidents alerts.  While
 * *active is 0 the watcher neither reads nor delivers, and looks at the
 * flag once a second; when it turns 1 (or turned 0 and 1 between two
 * turns: CTR_DERIVE_TAKEOVERS moved) the watcher starts over from the
 * state saved under meta 'alert.state' (by whichever collector alerted
 * last), so it neither repeats what that one said nor misses what it had
 * not said yet.
 */
#include "watch.h"
#include "db.h"
#include "deliver.h"
#include "engine.h"
#include "log.h"
#include "payload.h"
#include "util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WATCH_BATCH 2000        /* new incidents read per query */
#define WATCH_RETRY_US 1000000  /* after a failed look, and the gate's check */

enum {
	W_INC_BY_ID, W_INC_AFTER, W_INC_OPEN, W_EVIDENCE, W_FLEET_BY_ID, W_FLEET_AFTER,
	W_FLEET_OPEN, W_MEMBERS, W_FLAPPING, W_MAX_IDS, W_STATE, W_N
};

#define W_INC_COLS "SELECT i.incident_id, i.tunnel_id, coalesce(i.fleet_event_id, 0)," \
	" i.started_us, coalesce(i.ended_us, 0), i.detected_us, i.symptom," \
	" coalesce(s.flapping, 0), coalesce(d.hostname, ''), coalesce(d.system_ip, '')," \
	" t.name, coalesce(i.peer_ip, t.peer_ip, ''), i.root_cause, i.summary" \
	" FROM incidents i JOIN devices d ON d.device_id = i.device_id" \
	" JOIN tunnels t ON t.tunnel_id = i.tunnel_id" \
	" LEFT JOIN tunnel_state s ON s.tunnel_id = i.tunnel_id "
#define W_FLEET_COLS "SELECT fleet_event_id, started_us, coalesce(ended_us, 0), devices," \
	" tunnels, peer_ip, root_cause, summary FROM fleet_events "

/* The queries, for each dialect: only the evidence's JSON array and the
 * byte order of the members' names differ (COLLATE "C" on PostgreSQL is
 * SQLite's default). */
#define W_MEMBERS_SQL(C) "SELECT coalesce(d.hostname, ''), coalesce(d.system_ip, ''), t.name" \
	" FROM incidents i JOIN devices d ON d.device_id = i.device_id" \
	" JOIN tunnels t ON t.tunnel_id = i.tunnel_id WHERE i.fleet_event_id = ?1" \
	" ORDER BY d.hostname" C ", t.name" C " LIMIT 64"
#define W_SQL(EVIDENCE, C) { \
	[W_INC_BY_ID] = W_INC_COLS "WHERE i.incident_id = ?1", \
	[W_INC_AFTER] = W_INC_COLS "WHERE i.incident_id > ?1 ORDER BY i.incident_id LIMIT 2000", \
	[W_INC_OPEN] = W_INC_COLS "WHERE i.ended_us IS NULL", \
	[W_EVIDENCE] = EVIDENCE, \
	[W_FLEET_BY_ID] = W_FLEET_COLS "WHERE fleet_event_id = ?1", \
	[W_FLEET_AFTER] = W_FLEET_COLS "WHERE fleet_event_id > ?1 ORDER BY fleet_event_id" \
	    " LIMIT 2000", \
	[W_FLEET_OPEN] = W_FLEET_COLS "WHERE ended_us IS NULL", \
	[W_MEMBERS] = W_MEMBERS_SQL(C), \
	[W_FLAPPING] = "SELECT s.tunnel_id, coalesce(d.hostname, ''), coalesce(d.system_ip, '')," \
	    " t.name, coalesce(t.peer_ip, ''), s.flap_score," \
	    " (SELECT count(*) FROM incidents i WHERE i.tunnel_id = s.tunnel_id" \
	    "   AND i.symptom = 'flap' AND i.started_us > coalesce(s.last_us, 0) - 86400000000)," \
	    " (SELECT root_cause FROM incidents i WHERE i.tunnel_id = s.tunnel_id" \
	    "   ORDER BY i.started_us DESC LIMIT 1)" \
	    " FROM tunnel_state s JOIN tunnels t ON t.tunnel_id = s.tunnel_id" \
	    " JOIN devices d ON d.device_id = t.device_id WHERE s.flapping = 1", \
	[W_MAX_IDS] = "SELECT (SELECT coalesce(max(incident_id), 0) FROM incidents)," \
	    " (SELECT coalesce(max(fleet_event_id), 0) FROM fleet_events)", \
	[W_STATE] = "SELECT value FROM meta WHERE key = 'alert.state'", \
}

static const char *const watch_sql[][W_N] = {
	[DB_SQLITE] = W_SQL("SELECT json_group_array(line) FROM (SELECT line"
	    " FROM incident_evidence WHERE incident_id = ?1 ORDER BY seq)", ""),
	[DB_POSTGRES] = W_SQL("SELECT json_agg(line ORDER BY seq) FROM incident_evidence"
	    " WHERE incident_id = ?1", " COLLATE \"C\""),
};
#undef W_SQL
#undef W_MEMBERS_SQL

struct alert_watch {
	const struct config *cfg;
	struct counters *ctr;
	struct writer *writer;          /* NULL: the state is not saved (tests) */
	const _Atomic int *active;      /* the gate; NULL: always active */
	struct db *db;
	struct db_stmt *q[W_N];
	struct alert_engine *engine;
	struct alert_deliver *deliver;
	pthread_t thread;
	pthread_mutex_t mtx;
	pthread_cond_t cond;
	int stop;
	int bootstrap;
	int was_active;                 /* the state is loaded and looks run */
	uint64_t takeovers;             /* CTR_DERIVE_TAKEOVERS when it was loaded */
	int64_t max_incident, max_fleet;
	int64_t *ids;                   /* the tracked ids, each look */
	int ids_cap;
	struct log_throttle thr;
};

static void
watch_text(char *dst, size_t sz, struct db_stmt *s, int col)
{
	const char *t = db_column_text(s, col);

	snprintf(dst, sz, "%s", t != NULL ? t : "");
}

static void
watch_row_incident(struct db_stmt *s, struct alert_incident *inc)
{
	char sym[32];

	memset(inc, 0, sizeof *inc);
	inc->id = db_column_int64(s, 0);
	inc->tunnel_id = db_column_int64(s, 1);
	inc->fleet_event_id = db_column_int64(s, 2);
	inc->started_us = db_column_int64(s, 3);
	inc->ended_us = db_column_int64(s, 4);
	inc->detected_us = db_column_int64(s, 5);
	watch_text(sym, sizeof sym, s, 6);
	inc->symptom = cfg_alert_name_bit(cfg_alert_symptom_names, CFG_SYM_MAX, sym);
	if (inc->symptom < 0)
		inc->symptom = CFG_SYM_DOWN;   /* a symptom newer than this code */
	inc->tunnel_flapping = (int)db_column_int64(s, 7);
	watch_text(inc->hostname, sizeof inc->hostname, s, 8);
	watch_text(inc->system_ip, sizeof inc->system_ip, s, 9);
	watch_text(inc->tunnel, sizeof inc->tunnel, s, 10);
	watch_text(inc->peer_ip, sizeof inc->peer_ip, s, 11);
	watch_text(inc->root_cause, sizeof inc->root_cause, s, 12);
	watch_text(inc->summary, sizeof inc->summary, s, 13);
}

static int
watch_row_fleet(struct alert_watch *aw, struct db_stmt *s, struct alert_fleet *f)
{
	struct db_stmt *m = aw->q[W_MEMBERS];
	int rc;

	memset(f, 0, sizeof *f);
	f->id = db_column_int64(s, 0);
	f->started_us = db_column_int64(s, 1);
	f->ended_us = db_column_int64(s, 2);
	f->devices = (int)db_column_int64(s, 3);
	f->tunnels = (int)db_column_int64(s, 4);
	watch_text(f->peer_ip, sizeof f->peer_ip, s, 5);
	watch_text(f->root_cause, sizeof f->root_cause, s, 6);
	watch_text(f->summary, sizeof f->summary, s, 7);
	db_bind_int64(m, 1, f->id);
	while ((rc = db_step(m)) == DB_ROW && f->n_members < ALERT_MAX_MEMBERS) {
		struct alert_member *mb = &f->member[f->n_members++];
		watch_text(mb->hostname, sizeof mb->hostname, m, 0);
		watch_text(mb->system_ip, sizeof mb->system_ip, m, 1);
		watch_text(mb->tunnel, sizeof mb->tunnel, m, 2);
	}
	db_reset(m);
	return rc == DB_DONE || rc == DB_ROW ? SQLITE_OK : rc;
}

/* The engine's emit(): the document for the destination, queued. */
static void
watch_emit(void *arg, const struct alert_out *o)
{
	struct alert_watch *aw = arg;
	const struct cfg_alert_dest *d = &aw->cfg->alerts.dest[o->dest];
	struct alert_incident inc;
	struct alert_out out = *o;
	char title[512], *body, *ev = NULL;

	if (o->inc != NULL && o->inc->evidence == NULL) {
		struct db_stmt *s = aw->q[W_EVIDENCE];
		inc = *o->inc;
		db_bind_int64(s, 1, inc.id);
		if (db_step(s) == DB_ROW && db_column_text(s, 0) != NULL)
			ev = strdup(db_column_text(s, 0));
		db_reset(s);
		inc.evidence = ev;
		out.inc = &inc;
	}
	alert_title(&out, title, sizeof title);
	body = alert_payload(&out, d, util_now_us());
	free(ev);
	if (body == NULL) {
		ctr_add(aw->ctr, CTR_ALERTS_FAILED, 1);
		return;
	}
	log_info("alert %s to %s: %s", cfg_alert_event_names[o->event], d->name, title);
	alert_deliver_push(aw->deliver, o->dest, cfg_alert_event_names[o->event], title, body);
}

/* Steps s to its end, handing each incident row to the engine. */
static int
watch_incidents(struct alert_watch *aw, struct db_stmt *s, int64_t *last_id, int *rows)
{
	struct alert_incident inc;
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		watch_row_incident(s, &inc);
		alert_engine_incident(aw->engine, &inc);
		if (last_id != NULL && inc.id > *last_id)
			*last_id = inc.id;
		if (rows != NULL)
			(*rows)++;
	}
	db_reset(s);
	return rc == DB_DONE ? SQLITE_OK : rc;
}

static int
watch_fleets(struct alert_watch *aw, struct db_stmt *s, int64_t *last_id, int *rows)
{
	struct alert_fleet *f = malloc(sizeof *f);
	int rc;

	if (f == NULL)
		return SQLITE_NOMEM;
	while ((rc = db_step(s)) == DB_ROW) {
		if ((rc = watch_row_fleet(aw, s, f)) != SQLITE_OK)
			break;
		alert_engine_fleet(aw->engine, f);
		if (last_id != NULL && f->id > *last_id)
			*last_id = f->id;
		if (rows != NULL)
			(*rows)++;
	}
	db_reset(s);
	free(f);
	return rc == DB_DONE ? SQLITE_OK : rc;
}

/* The tracked ones, by id: changed, closed, or gone. */
static int
watch_tracked(struct alert_watch *aw, int fleets)
{
	struct db_stmt *s = aw->q[fleets ? W_FLEET_BY_ID : W_INC_BY_ID];
	int n = alert_engine_n_tracked(aw->engine, fleets), i, rc;

	if (n > aw->ids_cap) {
		int64_t *p = realloc(aw->ids, (size_t)n * sizeof *p);
		if (p == NULL)
			return SQLITE_NOMEM;
		aw->ids = p;
		aw->ids_cap = n;
	}
	n = alert_engine_tracked(aw->engine, fleets, aw->ids, n);
	for (i = 0; i < n; i++) {
		int rows = 0;
		db_bind_int64(s, 1, aw->ids[i]);
		rc = fleets ? watch_fleets(aw, s, NULL, &rows) :
		    watch_incidents(aw, s, NULL, &rows);
		if (rc != SQLITE_OK)
			return rc;
		if (rows == 0 && fleets)
			alert_engine_fleet_vanished(aw->engine, aw->ids[i]);
		else if (rows == 0)
			alert_engine_vanished(aw->engine, aw->ids[i]);
	}
	return SQLITE_OK;
}

static int
watch_flapping(struct alert_watch *aw)
{
	struct db_stmt *s = aw->q[W_FLAPPING];
	struct alert_flapping f;
	int rc;

	while ((rc = db_step(s)) == DB_ROW) {
		memset(&f, 0, sizeof f);
		f.tunnel_id = db_column_int64(s, 0);
		watch_text(f.hostname, sizeof f.hostname, s, 1);
		watch_text(f.system_ip, sizeof f.system_ip, s, 2);
		watch_text(f.tunnel, sizeof f.tunnel, s, 3);
		watch_text(f.peer_ip, sizeof f.peer_ip, s, 4);
		f.flap_score = db_column_double(s, 5);
		f.flaps_24h = (int)db_column_int64(s, 6);
		watch_text(f.root_cause, sizeof f.root_cause, s, 7);
		alert_engine_flapping(aw->engine, &f);
	}
	db_reset(s);
	return rc == DB_DONE ? SQLITE_OK : rc;
}

/* One look (see the top of the file).  Returns an SQLite code. */
static int
watch_look(struct alert_watch *aw)
{
	int rc, rows;

	if ((rc = db_begin_read(aw->db)) != SQLITE_OK)
		return rc;
	alert_engine_begin(aw->engine, util_now_us(), aw->bootstrap);
	if (aw->bootstrap) {
		struct db_stmt *s = aw->q[W_MAX_IDS];
		if ((rc = db_step(s)) == DB_ROW) {
			aw->max_incident = db_column_int64(s, 0);
			aw->max_fleet = db_column_int64(s, 1);
		}
		db_reset(s);
		if (rc != DB_ROW)
			goto out;
		if ((rc = watch_incidents(aw, aw->q[W_INC_OPEN], NULL, NULL)) != SQLITE_OK ||
		    (rc = watch_fleets(aw, aw->q[W_FLEET_OPEN], NULL, NULL)) != SQLITE_OK)
			goto out;
	}
	if ((rc = watch_tracked(aw, 0)) != SQLITE_OK || (rc = watch_tracked(aw, 1)) != SQLITE_OK)
		goto out;
	do {
		rows = 0;
		db_bind_int64(aw->q[W_INC_AFTER], 1, aw->max_incident);
		rc = watch_incidents(aw, aw->q[W_INC_AFTER], &aw->max_incident, &rows);
	} while (rc == SQLITE_OK && rows == WATCH_BATCH);
	if (rc != SQLITE_OK)
		goto out;
	do {
		rows = 0;
		db_bind_int64(aw->q[W_FLEET_AFTER], 1, aw->max_fleet);
		rc = watch_fleets(aw, aw->q[W_FLEET_AFTER], &aw->max_fleet, &rows);
	} while (rc == SQLITE_OK && rows == WATCH_BATCH);
	if (rc != SQLITE_OK)
		goto out;
	rc = watch_flapping(aw);
	log_debug("alerts: looked: %d incidents and %d fleet events open, up to ids %lld / %lld",
	    alert_engine_n_tracked(aw->engine, 0), alert_engine_n_tracked(aw->engine, 1),
	    (long long)aw->max_incident, (long long)aw->max_fleet);
out:
	(void)db_commit(aw->db);
	if (rc == SQLITE_OK || rc == DB_DONE) {
		if (alert_engine_end(aw->engine)) {
			char *state = alert_engine_save(aw->engine, aw->max_incident, aw->max_fleet);
			if (state != NULL && aw->writer != NULL)
				writer_post_meta(aw->writer, "alert.state", state);
			free(state);
		}
		aw->bootstrap = 0;
		rc = SQLITE_OK;
	}
	ctr_add(aw->ctr, CTR_ALERTS_SUPPRESSED, alert_engine_take_suppressed(aw->engine));
	return rc;
}

/*
 * A fresh engine with the state saved under meta 'alert.state' (none, or
 * one it cannot use: bootstrap, what is open counts as said).  At the start
 * and each time the gate opens.  Returns an SQLite code; on an error the
 * engine is left as it was.
 */
static int
watch_load_state(struct alert_watch *aw)
{
	struct db_stmt *s = aw->q[W_STATE];
	struct alert_engine *e = alert_engine_new(&aw->cfg->alerts, watch_emit, aw);
	int64_t max_incident = 0, max_fleet = 0;
	int rc, bootstrap = 1;

	if (e == NULL)
		return SQLITE_NOMEM;
	if ((rc = db_step(s)) == DB_ROW && db_column_text(s, 0) != NULL) {
		if (alert_engine_load(e, db_column_text(s, 0), &max_incident, &max_fleet) == 0)
			bootstrap = 0;
		else
			log_warnx("alerts: the saved alert state is unreadable; starting afresh");
	}
	db_reset(s);
	if (rc != DB_ROW && rc != DB_DONE) {
		alert_engine_free(e);
		return rc;
	}
	alert_engine_free(aw->engine);
	aw->engine = e;
	aw->bootstrap = bootstrap;
	aw->max_incident = max_incident;
	aw->max_fleet = max_fleet;
	return SQLITE_OK;
}

static const char *
watch_resume_text(const struct alert_watch *aw)
{
	return aw->bootstrap ? "what is open now counts as said" : "resuming the saved state";
}

/* One turn: the gate, then a look.  Returns how long to wait for the next. */
static int64_t
watch_turn(struct alert_watch *aw)
{
	int64_t retry = aw->cfg->alerts.interval_us < WATCH_RETRY_US ?
	    aw->cfg->alerts.interval_us : WATCH_RETRY_US;
	const char *what, *msg;
	int rc;

	if (aw->active != NULL && !atomic_load(aw->active)) {
		if (aw->was_active)
			log_info("alerts: this collector no longer decides incidents; quiet "
			    "until it does again");
		aw->was_active = 0;
		return retry;
	}
	/* A gate that closed and opened again between two turns: another
	 * collector may have alerted meanwhile, so the state is loaded again
	 * (the writer counts each time this collector takes over deriving). */
	if (aw->active != NULL && aw->was_active &&
	    ctr_get(aw->ctr, CTR_DERIVE_TAKEOVERS) != aw->takeovers)
		aw->was_active = 0;
	if (!aw->was_active) {
		what = "loading the saved alert state";
		aw->takeovers = ctr_get(aw->ctr, CTR_DERIVE_TAKEOVERS);
		if ((rc = watch_load_state(aw)) != SQLITE_OK)
			goto fail;
		aw->was_active = 1;
		log_info("alerts: this collector decides incidents now; %s",
		    watch_resume_text(aw));
	}
	what = "reading the database";
	if ((rc = watch_look(aw)) == SQLITE_OK)
		return aw->cfg->alerts.interval_us;
fail:
	/* The first line of the message: PostgreSQL's go on with context. */
	msg = rc == SQLITE_NOMEM ? "out of memory" : db_errmsg(aw->db);
	log_ratelimited(&aw->thr, 60 * 1000000LL, "alerts: %s: %.*s; trying again", what,
	    (int)strcspn(msg, "\n"), msg);
	return retry;
}

static void *
watch_main(void *arg)
{
	struct alert_watch *aw = arg;

	pthread_setname_np(pthread_self(), "tw-alerts");
	pthread_mutex_lock(&aw->mtx);
	while (!aw->stop) {
		struct timespec ts;
		int64_t wait;
		pthread_mutex_unlock(&aw->mtx);
		wait = watch_turn(aw);
		pthread_mutex_lock(&aw->mtx);
		util_deadline(&ts, CLOCK_MONOTONIC, wait);
		if (!aw->stop)
			pthread_cond_timedwait(&aw->cond, &aw->mtx, &ts);
	}
	pthread_mutex_unlock(&aw->mtx);
	return NULL;
}

static void
watch_free(struct alert_watch *aw)
{
	int i;

	for (i = 0; i < W_N; i++)
		db_finalize(aw->q[i]);
	db_close(aw->db);
	alert_engine_free(aw->engine);
	free(aw->ids);
	free(aw);
}

int
alert_watch_start(const struct config *cfg, struct counters *ctr, struct writer *w,
    const _Atomic int *active, struct alert_watch **out, char *err, size_t errsz)
{
	struct alert_watch *aw;
	int i;

	*out = NULL;
	if (cfg->alerts.n_dest == 0)
		return 0;
	if ((aw = calloc(1, sizeof *aw)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	aw->cfg = cfg;
	aw->ctr = ctr;
	aw->writer = w;
	aw->active = active;
	if (db_open(cfg->db_path, DB_RDONLY, &aw->db, err, errsz) != 0)
		goto fail;
	for (i = 0; i < W_N; i++) {
		if (db_prepare(aw->db, watch_sql[db_kind(aw->db)][i], &aw->q[i]) != SQLITE_OK) {
			snprintf(err, errsz, "preparing the alert queries: %.300s",
			    db_errmsg(aw->db));
			goto fail;
		}
	}
	/* Without a gate the state is loaded now, as it always was; with one,
	 * when the gate first opens (watch_turn). */
	if (active == NULL) {
		if (watch_load_state(aw) != SQLITE_OK) {
			snprintf(err, errsz, "reading the saved alert state: %.300s",
			    db_errmsg(aw->db));
			goto fail;
		}
		aw->was_active = 1;
	}
	if ((aw->deliver = alert_deliver_start(&cfg->alerts, ctr)) == NULL) {
		snprintf(err, errsz, "cannot start the delivery workers");
		goto fail;
	}
	log_info("alerts: %d destination%s, %d rule%s, debounce %lld ms; %s", cfg->alerts.n_dest,
	    cfg->alerts.n_dest == 1 ? "" : "s", cfg->alerts.n_rules,
	    cfg->alerts.n_rules == 1 ? "" : "s", (long long)(cfg->alerts.debounce_us / 1000),
	    active == NULL ? watch_resume_text(aw) :
	    "only while this collector decides incidents");
	pthread_mutex_init(&aw->mtx, NULL);
	util_cond_init_mono(&aw->cond);
	if (pthread_create(&aw->thread, NULL, watch_main, aw) != 0) {
		snprintf(err, errsz, "cannot start the alert thread");
		alert_deliver_stop(aw->deliver, 0);
		pthread_cond_destroy(&aw->cond);
		pthread_mutex_destroy(&aw->mtx);
		goto fail;
	}
	*out = aw;
	return 0;
fail:
	watch_free(aw);
	return -1;
}

void
alert_watch_stop(struct alert_watch *aw)
{
	if (aw == NULL)
		return;
	pthread_mutex_lock(&aw->mtx);
	aw->stop = 1;
	pthread_cond_broadcast(&aw->cond);
	pthread_mutex_unlock(&aw->mtx);
	pthread_join(aw->thread, NULL);
	alert_deliver_stop(aw->deliver, aw->cfg->shutdown_grace_us);
	pthread_cond_destroy(&aw->cond);
	pthread_mutex_destroy(&aw->mtx);
	watch_free(aw);
}
