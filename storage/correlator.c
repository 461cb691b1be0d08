/*
 * correlator.c — the driver of the tunnel state machine (machine.h): reads
 * each tunnel's new events from SQLite, steps its machine, records the
 * incidents it opens and closes, names their root causes (rootcause.c)
 * and groups simultaneous losses of one peer into fleet events.  See
 * correlator.h for where it runs and what it persists.
 */
#include "db.h"
#include "correlator.h"
#include "domain.h"
#include "feed.h"
#include "ingest.h"
#include "log.h"
#include "machine.h"
#include "overlay.h"
#include "pgbulk.h"
#include "pulse.h"
#include "rootcause.h"
#include "strmap.h"
#include "util.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CORR_LOOKBACK       (10 * 60 * 1000000LL)
#define CORR_TRANSPORT_BEFORE (2 * 60 * 1000000LL)  /* the device's uplink down this long before */
#define CORR_TRANSPORT_AFTER  (10 * 1000000LL)      /* ... or this long after the outage began */
#define CORR_TRANSPORT_MAX  16
#define CORR_WINDOW_MAX     3000          /* events given to the classifier */
#define CORR_BATCH          4096          /* events read per query */
#define CORR_MAX_TOUCHED    4096
#define CORR_CACHE_MIN      1024          /* machine cache slots, first */
#define CORR_CACHE_MAX      (1u << 17)    /* ... and at most (~90 MiB) */
#define CORR_SAVE_DEFER     (10 * 1000000LL)  /* progress-only saves wait this long */
#define CORR_FEED_MAX       (1u << 19)    /* events waiting in memory (~20 MiB) */

/*
 * The machine cache: each tunnel's machine as it was last saved in
 * tunnel_state, so that a pass neither reads and parses it back nor
 * writes it again when nothing changed (in steady DPD chatter every
 * tunnel is looked at every pass, and most change nothing).  The database
 * stays the truth: the cache is dropped whenever a pass fails, and a
 * tunnel's entry when its state row is reset (merges).
 */
struct mslot {
	int64_t tunnel_id;            /* 0 = empty */
	int flapping;
	int deferred;                 /* m is ahead of the row: progress only */
	int64_t saved_mono;           /* when the row was last written */
	struct tm_machine m;
};

/*
 * Kinds the tunnel machine never steps on: the bulk of debug traffic,
 * skipped without re-parsing the line (the classifier still reads them).
 * One list for the C loop (corr_kind_ignored) and the event query, whose
 * WHERE text corr_open() builds from it (corr_ignored_sql).  A kind that
 * ends in '_' or is "proposal" is a prefix.
 */
static const char *const corr_ignored[] = {
	"packet_", "nat_", "proposal", "kernel_",          /* prefixes */
	"keepalive", "charon_other", "auth_ok",
	/* daemon and level-2 chatter: no tunnel state in it */
	"daemon_info", "credential_loaded", "config_loaded", "vendor_id", "sa_manager",
	"task", "message_detail", "message_fragment", "config_lookup",
	"peer_config_selected", "ike_sa_created", "libipsec", "crypto_detail",
	"config_dump", "vici_client", "auth_detail", "ike_extension", "child_sa_install",
	"notify_received", "cert_detail",
};
#define CORR_NIGNORED (sizeof corr_ignored / sizeof corr_ignored[0])

static int
corr_ignored_prefix(const char *k)
{
	size_t n = strlen(k);

	return k[n - 1] == '_' || strcmp(k, "proposal") == 0;
}

enum {
	Q_NEW_EVENTS, Q_TUNNEL, Q_STATE_GET, Q_STATE_PUT, Q_EVENTS, Q_INC_NEW,
	Q_INC_SYMPTOM, Q_INC_CLOSE, Q_INC_GET, Q_INC_CAUSE, Q_EVID_DEL, Q_EVID_ADD,
	Q_WINDOW, Q_FLEET_NEAR, Q_FLEET_NEW, Q_FLEET_SET, Q_FLEET_AGG, Q_FLEET_CAUSE,
	Q_FLEET_UPDATE, Q_STATELESS, Q_ALL_TUNNELS, Q_RECEIVED, Q_STATE_UPD,
	Q_RESTARTS, Q_DEV_TUNNELS, Q_DEV_CLOCK_SET, Q_DEV_CLOCKS, Q_FLEET_DEL, Q_RESET_FLEETS, Q_RESET_EVID, Q_RESET_INC, Q_RESET_STATE,
	Q_COUNT_AFTER, Q_MSG_RAW,
	Q_MAX
};

static const char *const corr_sql[Q_MAX] = {
	[Q_NEW_EVENTS] = "SELECT e.event_id, e.tunnel_id, e.device_id, e.device_us,"
	    " e.message_id, e.tunnel_id IS NULL AND e.kind = 'charon_start' FROM events e"
	    " WHERE e.event_id > ?1 ORDER BY e.event_id LIMIT 50000",
	[Q_RECEIVED] = "SELECT received_us FROM messages WHERE message_id = ?1",
	/* Deferred progress: only onto a row still there (a merge deletes it). */
	[Q_STATE_UPD] = "UPDATE tunnel_state SET state = ?2, state_since_us = ?3,"
	    " cursor_us = ?4, cursor_event = ?5, last_us = ?6, flapping = ?7,"
	    " flap_score = ?8, machine = ?9 WHERE tunnel_id = ?1",
	[Q_TUNNEL] = "SELECT device_id, peer_ip FROM tunnels WHERE tunnel_id = ?1"
	    " AND merged_into IS NULL",
	[Q_STATE_GET] = "SELECT machine FROM tunnel_state WHERE tunnel_id = ?1",
	[Q_STATE_PUT] = "INSERT INTO tunnel_state(tunnel_id, state,"
	    " state_since_us, cursor_us, cursor_event, last_us, flapping, flap_score,"
	    " machine) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(tunnel_id)"
	    " DO UPDATE SET state = excluded.state, state_since_us = excluded.state_since_us,"
	    " cursor_us = excluded.cursor_us, cursor_event = excluded.cursor_event,"
	    " last_us = excluded.last_us, flapping = excluded.flapping,"
	    " flap_score = excluded.flap_score, machine = excluded.machine",
	/* The raw line is read only for the kinds the machine steps on. */
	[Q_EVENTS] = "SELECT e.event_id, e.device_us, e.source, e.new_state,"
	    " CASE WHEN e.source = 'viptela' OR %s THEN NULL"
	    " ELSE (SELECT m.raw FROM messages m WHERE m.message_id = e.message_id) END,"
	    " e.kind FROM events e WHERE e.tunnel_id = ?1 AND e.device_us IS NOT NULL"
	    " AND (e.device_us > ?2 OR (e.device_us = ?2 AND e.event_id > ?3))"
	    " AND e.device_us <= ?4 ORDER BY e.device_us, e.event_id LIMIT 4096",
	[Q_INC_NEW] = "INSERT INTO incidents(tunnel_id, device_id, peer_ip, symptom,"
	    " root_cause, summary, started_us, detected_us) VALUES (?1, ?2, ?3, ?4,"
	    " 'unknown', '', ?5, ?6)",
	[Q_INC_SYMPTOM] = "UPDATE incidents SET symptom = ?2 WHERE incident_id = ?1",
	[Q_INC_CLOSE] = "UPDATE incidents SET symptom = ?2, ended_us = ?3"
	    " WHERE incident_id = ?1",
	[Q_INC_GET] = "SELECT i.tunnel_id, i.symptom, i.started_us, i.ended_us, t.peer_ip,"
	    " i.fleet_event_id, i.root_cause, i.device_id FROM incidents i JOIN tunnels t"
	    " ON t.tunnel_id = i.tunnel_id WHERE i.incident_id = ?1",
	[Q_INC_CAUSE] = "UPDATE incidents SET root_cause = ?2, summary = ?3,"
	    " peer_ip = coalesce(peer_ip, ?4) WHERE incident_id = ?1",
	[Q_EVID_DEL] = "DELETE FROM incident_evidence WHERE incident_id = ?1",
	/* ?4 the line's message (DPD lines have no events row), ?5 and ?6
	 * their device time and kind; NULL for events rows, which have them. */
	[Q_EVID_ADD] = "INSERT INTO incident_evidence(incident_id, seq, event_id, line,"
	    " device_us, kind) SELECT ?1, ?2, ?3, m.raw, ?5, ?6 FROM messages m"
	    " WHERE m.message_id = coalesce(?4,"
	    " (SELECT e.message_id FROM events e WHERE e.event_id = ?3))",
	[Q_WINDOW] = "SELECT e.event_id, e.device_us, e.source, e.new_state, m.raw,"
	    " e.message_id FROM events e JOIN messages m ON m.message_id = e.message_id"
	    " WHERE e.tunnel_id = ?1 AND e.device_us BETWEEN ?2 AND ?3"
	    " ORDER BY e.device_us, e.event_id LIMIT 3000",
	[Q_FLEET_NEAR] = "SELECT incident_id, device_id, fleet_event_id, root_cause FROM incidents"
	    " WHERE peer_ip = ?1 AND started_us BETWEEN ?2 AND ?3"
	    " AND symptom IN ('flap', 'stuck', 'down')",
	[Q_FLEET_NEW] = "INSERT INTO fleet_events(peer_ip, started_us, devices, tunnels,"
	    " root_cause, summary) VALUES (?1, ?2, 0, 0, 'unknown', '')",
	[Q_FLEET_SET] = "UPDATE incidents SET fleet_event_id = ?2 WHERE incident_id = ?1"
	    " AND fleet_event_id IS NULL",
	[Q_FLEET_AGG] = "SELECT min(started_us), max(ended_us), count(*) - count(ended_us),"
	    " count(DISTINCT device_id), count(DISTINCT tunnel_id), max(peer_ip) FROM incidents"
	    " WHERE fleet_event_id = ?1",
	[Q_FLEET_CAUSE] = "SELECT root_cause FROM incidents WHERE fleet_event_id = ?1"
	    " GROUP BY root_cause ORDER BY count(*) DESC, root_cause LIMIT 1",
	[Q_FLEET_UPDATE] = "UPDATE fleet_events SET started_us = ?2, ended_us = ?3,"
	    " devices = ?4, tunnels = ?5, root_cause = ?6, summary = ?7"
	    " WHERE fleet_event_id = ?1",
	[Q_STATELESS] = "SELECT t.tunnel_id FROM tunnels t WHERE t.merged_into IS NULL"
	    " AND NOT EXISTS (SELECT 1 FROM tunnel_state s WHERE s.tunnel_id = t.tunnel_id)",
	[Q_ALL_TUNNELS] = "SELECT tunnel_id FROM tunnels WHERE merged_into IS NULL",
	[Q_RESTARTS] = "SELECT device_us, event_id FROM restarts WHERE device_id = ?1"
	    " AND device_us >= ?2 AND device_us <= ?3 ORDER BY device_us LIMIT 64",
	[Q_DEV_TUNNELS] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1"
	    " AND merged_into IS NULL",
	[Q_DEV_CLOCK_SET] = "INSERT INTO host_clocks(hostname, last_us) VALUES (?1, ?2)"
	    " ON CONFLICT(hostname) DO UPDATE SET"
	    " last_us = max(host_clocks.last_us, excluded.last_us)",
	/* ... by the names a device is known by, or one of them with a stray
	 * leading character (the mangled "Lvedge01" of a line nothing else
	 * tied to the device). */
	[Q_DEV_CLOCKS] = "SELECT a.device_id, max(h.last_us) FROM host_clocks h"
	    " JOIN device_aliases a ON a.kind = 'hostname' AND (a.value = h.hostname"
	    " OR (length(h.hostname) > 3 AND a.value = substr(h.hostname, 2)))"
	    " GROUP BY a.device_id",
	[Q_FLEET_DEL] = "DELETE FROM fleet_events WHERE fleet_event_id = ?1",
	/* Deriving a tunnel again (late lines): what it had derived goes. */
	[Q_RESET_FLEETS] = "SELECT DISTINCT fleet_event_id FROM incidents"
	    " WHERE tunnel_id = ?1 AND fleet_event_id IS NOT NULL",
	[Q_RESET_EVID] = "DELETE FROM incident_evidence WHERE incident_id IN"
	    " (SELECT incident_id FROM incidents WHERE tunnel_id = ?1)",
	[Q_RESET_INC] = "DELETE FROM incidents WHERE tunnel_id = ?1",
	[Q_RESET_STATE] = "DELETE FROM tunnel_state WHERE tunnel_id = ?1",
	/* After reading a tunnel back: what the feed must hold to be complete. */
	[Q_COUNT_AFTER] = "SELECT count(*) FROM events WHERE tunnel_id = ?1"
	    " AND device_us IS NOT NULL"
	    " AND (device_us > ?2 OR (device_us = ?2 AND event_id > ?3))",
	[Q_MSG_RAW] = "SELECT raw FROM messages WHERE message_id = ?1",
};

#define CORR_RAW_AHEAD 256          /* trail lines fetched in one statement */

struct corr;
static void corr_raw_drop(struct corr *c);

struct corr {
	const struct config *cfg;
	struct tm_params tp;          /* the machine's part of cfg */
	struct store *st;
	struct db *db;
	struct db_stmt *q[Q_MAX];
	struct strmap dirty;          /* tunnel id -> newest device_us of its new
	                                 events: needs a look this pass */
	struct strmap skew;           /* device id -> device_us - received_us */
	struct strmap skew_at;        /* device id -> device_us it was read at, this pass */
	struct strmap devmax;         /* device id -> newest device_us seen */
	struct strmap dirty_min;      /* tunnel id -> oldest device_us of its new events */
	struct strmap hostclock;      /* hostname -> newest device_us of any line (import) */
	struct strmap restarted;      /* device id -> oldest charon start among new events */
	int started;
	struct feed *feed;            /* events from the resolver, in memory (serve) */
	int64_t fed_max_id;           /* the newest event id fed */
	uint8_t skip_kind[CHARON_KIND_MAX];   /* corr_ignored, by charon kind */
	struct mslot *mc;             /* tunnel machines as last saved */
	size_t mc_cap, mc_n;
	char *scratch;                /* INGEST_SCRATCH(max_frame) */
	struct domain_scratch *ds;
	struct overlay *ov;           /* the devices' transport (overlay.c) */
	struct charon_event *pool;    /* CORR_WINDOW_MAX parsed charon lines */
	struct rc_event *win;
	int64_t *win_msg;             /* per window line: its message when it has no
	                               * events row (a DPD line), else 0 */
	const char **win_kind;        /* and its kind */
	struct pulse_reader *trail;   /* DPD lines read back (pulse.h) */
	/* PostgreSQL: the raw lines of the trail entries ahead, fetched in
	 * one statement (corr_trail_raw) instead of one each. */
	struct db_stmt *raw_many;
	int64_t raw_id[CORR_RAW_AHEAD];
	char *raw_text[CORR_RAW_AHEAD];
	int raw_len[CORR_RAW_AHEAD];
	int raw_n;
	int64_t touched[CORR_MAX_TOUCHED];
	int ntouched;
	struct corr_stats stats;
	int64_t now_us;
	int final;
};

/* ---- machine cache ---------------------------------------------------- */

static size_t
mc_hash(int64_t id, size_t cap)
{
	return (size_t)(((uint64_t)id * 0x9e3779b97f4a7c15ULL) >> 20) & (cap - 1);
}

static struct mslot *
mc_find(const struct corr *c, int64_t id)
{
	size_t i;

	if (c->mc_cap == 0)
		return NULL;
	for (i = mc_hash(id, c->mc_cap); c->mc[i].tunnel_id != 0; i = (i + 1) & (c->mc_cap - 1))
		if (c->mc[i].tunnel_id == id)
			return &c->mc[i];
	return NULL;
}

static void
mc_clear(struct corr *c)
{
	free(c->mc);
	c->mc = NULL;
	c->mc_cap = c->mc_n = 0;
}

/* Removes id's entry (backward-shift deletion keeps probes intact). */
static void
mc_drop(struct corr *c, int64_t id)
{
	struct mslot *e = mc_find(c, id);
	size_t i, j, k;

	if (e == NULL)
		return;
	i = (size_t)(e - c->mc);
	c->mc[i].tunnel_id = 0;
	c->mc_n--;
	for (j = (i + 1) & (c->mc_cap - 1); c->mc[j].tunnel_id != 0; j = (j + 1) & (c->mc_cap - 1)) {
		k = mc_hash(c->mc[j].tunnel_id, c->mc_cap);
		/* Move j back to i when its home is not in (i, j]. */
		if ((j > i && (k <= i || k > j)) || (j < i && (k <= i && k > j))) {
			c->mc[i] = c->mc[j];
			c->mc[j].tunnel_id = 0;
			i = j;
		}
	}
}

/* The slot for id, created (empty machine) when absent; NULL when the
 * cache is full or out of memory — the caller then goes to the table. */
static struct mslot *
mc_slot(struct corr *c, int64_t id)
{
	struct mslot *e = mc_find(c, id);
	size_t i;

	if (e != NULL)
		return e;
	if ((c->mc_n + 1) * 10 > c->mc_cap * 7) {
		size_t cap = c->mc_cap == 0 ? CORR_CACHE_MIN : c->mc_cap * 2, j;
		struct mslot *old = c->mc, *nw;
		if (cap > CORR_CACHE_MAX || (nw = calloc(cap, sizeof *nw)) == NULL)
			return NULL;
		for (j = 0; j < c->mc_cap; j++) {
			if (old[j].tunnel_id == 0)
				continue;
			for (i = mc_hash(old[j].tunnel_id, cap); nw[i].tunnel_id != 0;
			    i = (i + 1) & (cap - 1))
				;
			nw[i] = old[j];
		}
		free(old);
		c->mc = nw;
		c->mc_cap = cap;
	}
	for (i = mc_hash(id, c->mc_cap); c->mc[i].tunnel_id != 0; i = (i + 1) & (c->mc_cap - 1))
		;
	memset(&c->mc[i], 0, sizeof c->mc[i]);
	c->mc[i].tunnel_id = id;
	c->mc[i].flapping = -1;           /* never equal: the first save writes */
	c->mc_n++;
	return &c->mc[i];
}

/* ---- small helpers ---------------------------------------------------- */

static int
corr_step(struct corr *c, struct db_stmt *s)
{
	int rc = db_step(s);

	db_reset(s);
	db_clear_bindings(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return SQLITE_OK;
	log_warnx("correlator: sqlite: %s in: %s", db_errmsg(c->db), db_sql(s));
	return rc;
}

static void
corr_mark(struct strmap *m, int64_t id, int64_t v)
{
	char k[24];
	size_t kl = util_i64_text(k, id);

	strmap_put(m, k, kl, v);
}

static int
corr_lookup(const struct strmap *m, int64_t id, int64_t *v)
{
	char k[24];
	size_t kl = util_i64_text(k, id);

	return strmap_get(m, k, kl, v);
}

static void
corr_touch(struct corr *c, int64_t incident_id)
{
	int i;

	for (i = 0; i < c->ntouched; i++)
		if (c->touched[i] == incident_id)
			return;
	if (c->ntouched < CORR_MAX_TOUCHED)
		c->touched[c->ntouched++] = incident_id;
}

/* corr_kind_ignored() as an SQL condition on e.kind, in buf: a prefix is
 * GLOB on SQLite, starts_with() on PostgreSQL (which has no GLOB; LIKE
 * would read the prefixes' '_' as a wildcard). */
static void
corr_ignored_sql(char *buf, size_t sz, int pg)
{
	size_t i, at = 0;

	at += (size_t)snprintf(buf + at, sz - at, "(1 = 0");
	for (i = 0; i < CORR_NIGNORED && at < sz; i++)
		at += (size_t)snprintf(buf + at, sz - at, !corr_ignored_prefix(corr_ignored[i]) ?
		    " OR e.kind = '%s'" : pg ? " OR starts_with(e.kind, '%s')" :
		    " OR e.kind GLOB '%s*'", corr_ignored[i]);
	if (at < sz)
		snprintf(buf + at, sz - at, ")");
}

static int corr_kind_ignored(const char *kind);

int
corr_open(const struct config *cfg, struct store *st, struct corr **out, char *err,
    size_t errsz)
{
	char cond[2048], events_sql[4096];
	struct corr *c;
	int i;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return -1;
	c->cfg = cfg;
	c->tp.stuck_after_us = cfg->stuck_after_us;
	c->tp.flap_half_life_us = cfg->flap_half_life_us;
	c->tp.flap_window_us = cfg->flap_window_us;
	c->tp.flap_count = cfg->flap_count;
	c->st = st;
	c->db = store_dbh(st);
	c->scratch = malloc(INGEST_SCRATCH((size_t)cfg->max_frame));
	c->ds = domain_scratch_new();
	c->pool = calloc(CORR_WINDOW_MAX, sizeof *c->pool);
	c->win = calloc(CORR_WINDOW_MAX, sizeof *c->win);
	c->win_msg = calloc(CORR_WINDOW_MAX, sizeof *c->win_msg);
	c->win_kind = calloc(CORR_WINDOW_MAX, sizeof *c->win_kind);
	if (c->scratch == NULL || c->ds == NULL || c->pool == NULL || c->win == NULL ||
	    c->win_msg == NULL || c->win_kind == NULL) {
		snprintf(err, errsz, "out of memory");
		goto fail;
	}
	corr_ignored_sql(cond, sizeof cond, db_kind(c->db) == DB_POSTGRES);
	snprintf(events_sql, sizeof events_sql, corr_sql[Q_EVENTS], cond);
	for (i = 0; i < Q_MAX; i++) {
		const char *sql = i == Q_EVENTS ? events_sql : corr_sql[i];
		if (db_prepare(c->db, sql, &c->q[i]) != SQLITE_OK) {
			snprintf(err, errsz, "preparing \"%s\": %s", sql, db_errmsg(c->db));
			goto fail;
		}
	}
	if (overlay_open(c->db, &c->ov, err, errsz) != SQLITE_OK)
		goto fail;
	if (pulse_reader_open(c->db, &c->trail) != SQLITE_OK) {
		snprintf(err, errsz, "preparing the trail reader: %s", db_errmsg(c->db));
		goto fail;
	}
	for (i = 0; i < CHARON_KIND_MAX; i++)
		c->skip_kind[i] = (uint8_t)corr_kind_ignored(charon_kind_name(i));
	strmap_init(&c->dirty, 1u << 22);
	strmap_init(&c->skew, 1u << 20);
	strmap_init(&c->skew_at, 1u << 20);
	strmap_init(&c->devmax, 1u << 20);
	strmap_init(&c->dirty_min, 1u << 22);
	strmap_init(&c->hostclock, 1u << 20);
	strmap_init(&c->restarted, 1u << 16);
	*out = c;
	return 0;
fail:
	corr_free(c);
	return -1;
}

void
corr_free(struct corr *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < Q_MAX; i++)
		db_finalize(c->q[i]);
	overlay_free(c->ov);
	feed_free(c->feed);
	strmap_free(&c->dirty);
	strmap_free(&c->skew);
	strmap_free(&c->skew_at);
	strmap_free(&c->devmax);
	strmap_free(&c->dirty_min);
	strmap_free(&c->hostclock);
	strmap_free(&c->restarted);
	free(c->scratch);
	domain_scratch_free(c->ds);
	free(c->pool);
	free(c->win);
	free(c->win_msg);
	free(c->win_kind);
	pulse_reader_free(c->trail);
	corr_raw_drop(c);
	db_finalize(c->raw_many);
	mc_clear(c);
	free(c);
}

void
corr_get_stats(const struct corr *c, struct corr_stats *out)
{
	*out = c->stats;
}

static int corr_fleet_refresh(struct corr *c, int64_t fleet);

/* ---- the feed: events from the resolver, in memory --------------------- */

/* A new event of tunnel tun at us: the tunnel needs a look this pass. */
static void
corr_dirty(struct corr *c, int64_t tun, int64_t us)
{
	int64_t have;

	if (!corr_lookup(&c->dirty, tun, &have) || us > have)
		corr_mark(&c->dirty, tun, us);
	if (us != INT64_MIN && (!corr_lookup(&c->dirty_min, tun, &have) || us < have))
		corr_mark(&c->dirty_min, tun, us);
}

static void
corr_fed_event(void *arg, int64_t tun, int64_t dev, int64_t event_id,
    const struct tm_event *ev, int64_t recv_us)
{
	struct corr *c = arg;
	int64_t have;

	if (event_id > c->fed_max_id)
		c->fed_max_id = event_id;
	if (ev->us == INT64_MIN)
		return;               /* never stepped: the read back skips it too */
	if (tun != 0) {
		feed_push(c->feed, tun, event_id, ev);
		corr_dirty(c, tun, ev->us);
	}
	if (!corr_lookup(&c->devmax, dev, &have) || ev->us > have)
		corr_mark(&c->devmax, dev, ev->us);
	/* The device's clock is read off its newest line since the last
	 * pass (as corr_collect reads it back): a line stored after others
	 * of its device (held for its charon job, tied late) would make the
	 * clock look behind, and hold its newer events back. */
	if (recv_us > 0 && (!corr_lookup(&c->skew_at, dev, &have) || ev->us >= have)) {
		corr_mark(&c->skew_at, dev, ev->us);
		corr_mark(&c->skew, dev, ev->us - recv_us);
	}
}

static void
corr_fed_gap(void *arg, int64_t tun, int64_t us)
{
	struct corr *c = arg;

	feed_gap(c->feed, tun);
	corr_dirty(c, tun, us);
}

static void
corr_fed_born(void *arg, int64_t tun)
{
	struct corr *c = arg;

	feed_born(c->feed, tun);
}

static void
corr_fed_restart(void *arg, int64_t dev, int64_t us)
{
	struct corr *c = arg;
	int64_t have;

	if (!corr_lookup(&c->restarted, dev, &have) || us < have)
		corr_mark(&c->restarted, dev, us);
}

/* The writer's transaction was rolled back: what it fed never was.  The
 * next pass reads the new events back, as after a start. */
static void
corr_fed_reset(void *arg)
{
	struct corr *c = arg;

	feed_clear(c->feed);
	c->started = 0;
}

int
corr_sink(struct corr *c, struct resolve_sink *out)
{
	if (c->feed == NULL && (c->feed = feed_new(CORR_FEED_MAX)) == NULL)
		return -1;
	memset(out, 0, sizeof *out);
	out->arg = c;
	out->event = corr_fed_event;
	out->gap = corr_fed_gap;
	out->born = corr_fed_born;
	out->restart = corr_fed_restart;
	out->reset = corr_fed_reset;
	return 0;
}

void
corr_note_clock(struct corr *c, const char *host, size_t len, int64_t us)
{
	int64_t have;

	if (len == 0 || us == INT64_MIN)
		return;
	if (!strmap_get(&c->hostclock, host, len, &have) || us > have)
		strmap_put(&c->hostclock, host, len, us);
}

void
corr_note_trail(struct corr *c, int64_t tunnel_id, int64_t us)
{
	corr_dirty(c, tunnel_id, us);
}

/* Import: every line of a device, whatever its program, advances its
 * clock (a file that goes on after a down covers that time). */
static int
corr_apply_hostclock(struct corr *c)
{
	struct db_stmt *s;
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < c->hostclock.cap && rc == SQLITE_OK; i++) {
		const struct strmap_entry *e = &c->hostclock.slots[i];
		if (e->key == NULL)
			continue;
		s = c->q[Q_DEV_CLOCK_SET];
		db_bind_text_ref(s, 1, e->key, (int)e->klen);
		db_bind_int64(s, 2, e->value);
		rc = corr_step(c, s);
	}
	if (rc != SQLITE_OK)
		return rc;
	/* Every device's clock as stored, through the names it is known
	 * by: an older file imported later does not turn it back. */
	s = c->q[Q_DEV_CLOCKS];
	while ((rc = db_step(s)) == SQLITE_ROW) {
		int64_t dev = db_column_int64(s, 0), us = db_column_int64(s, 1), have;
		if (!corr_lookup(&c->devmax, dev, &have) || us > have)
			corr_mark(&c->devmax, dev, us);
	}
	db_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/*
 * Lines older than what the tunnel was already derived past (an older
 * rotated file imported later, a sender that was late beyond `lateness`):
 * the tunnel is derived again from its first stored line.  Its incidents,
 * their evidence and its machine go; fleet events that counted them are
 * recounted.  Returns SQLITE_OK or an error.
 */
static int
corr_reset_tunnel(struct corr *c, int64_t tunnel_id)
{
	struct db_stmt *s = c->q[Q_RESET_FLEETS];
	int64_t fleets[64];
	int nf = 0, i, rc;

	db_bind_int64(s, 1, tunnel_id);
	while ((rc = db_step(s)) == SQLITE_ROW && nf < 64)
		fleets[nf++] = db_column_int64(s, 0);
	db_reset(s);
	db_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rc;
	for (i = Q_RESET_EVID; i <= Q_RESET_STATE; i++) {
		s = c->q[i];
		db_bind_int64(s, 1, tunnel_id);
		if ((rc = corr_step(c, s)) != SQLITE_OK)
			return rc;
	}
	mc_drop(c, tunnel_id);
	for (i = 0; i < nf; i++)
		if ((rc = corr_fleet_refresh(c, fleets[i])) != SQLITE_OK)
			return rc;
	c->stats.rederived++;
	return SQLITE_OK;
}

/* ---- applying the machine's effects ----------------------------------- */

struct tctx {
	struct corr *c;
	int64_t tunnel_id, device_id;
	char peer[64];
	struct tm_machine m;
	int64_t tnow;                 /* "now" in this device's clock */
};

/*
 * Records what one machine call decided (machine.h, "Effects"), in order:
 * incidents opened, their symptom changed, closed.  An effect on
 * TM_INCIDENT_NEW is on the incident the latest opening created; the
 * machine learns its id.  Returns SQLITE_OK or an error.
 */
static int
corr_apply(struct tctx *t, const struct tm_effects *fx)
{
	struct corr *c = t->c;
	int64_t opened = 0;
	int i, rc = SQLITE_OK;

	for (i = 0; i < fx->n && rc == SQLITE_OK; i++) {
		const struct tm_effect *e = &fx->fx[i];
		int64_t id = e->incident == TM_INCIDENT_NEW ? opened : e->incident;
		struct db_stmt *s;
		switch (e->kind) {
		case TM_FX_OPEN:
			s = c->q[Q_INC_NEW];
			db_bind_int64(s, 1, t->tunnel_id);
			db_bind_int64(s, 2, t->device_id);
			if (t->peer[0] != '\0')
				db_bind_text(s, 3, t->peer, -1);
			db_bind_text_ref(s, 4, tm_symptom_name(e->symptom), -1);
			db_bind_int64(s, 5, e->us);
			db_bind_int64(s, 6, c->now_us);
			if ((rc = corr_step(c, s)) != SQLITE_OK)
				break;
			opened = db_last_insert_id(c->db);
			c->stats.incidents_opened++;
			corr_touch(c, opened);
			break;
		case TM_FX_SYMPTOM:
			s = c->q[Q_INC_SYMPTOM];
			db_bind_int64(s, 1, id);
			db_bind_text_ref(s, 2, tm_symptom_name(e->symptom), -1);
			corr_touch(c, id);
			rc = corr_step(c, s);
			break;
		case TM_FX_CLOSE:
			s = c->q[Q_INC_CLOSE];
			db_bind_int64(s, 1, id);
			db_bind_text_ref(s, 2, tm_symptom_name(e->symptom), -1);
			db_bind_int64(s, 3, e->us);
			corr_touch(c, id);
			if ((rc = corr_step(c, s)) == SQLITE_OK)
				c->stats.incidents_closed++;
			break;
		default:                  /* TM_FX_FLAP: kept in the machine */
			break;
		}
	}
	if (opened != 0)
		tm_incident_assigned(&t->m, opened);
	return rc;
}

/* The machine's entry points, each followed by its effects. */
static int
corr_event(struct tctx *t, const struct tm_event *ev)
{
	struct tm_effects fx;

	tm_step(&t->m, &t->c->tp, ev, &fx);
	return corr_apply(t, &fx);
}

static int
corr_timers(struct tctx *t, int64_t at, int final)
{
	struct tm_effects fx;

	if (final)
		tm_final(&t->m, &t->c->tp, at, &fx);
	else
		tm_timers(&t->m, &t->c->tp, at, &fx);
	return corr_apply(t, &fx);
}

static int
corr_restart(struct tctx *t, int64_t at)
{
	struct tm_effects fx;

	tm_restart(&t->m, &t->c->tp, at, &fx);
	return corr_apply(t, &fx);
}

/* ---- loading events ---------------------------------------------------- */

/* 1 when the machine never looks at kind (corr_ignored). */
static int
corr_kind_ignored(const char *kind)
{
	size_t i;

	if (kind == NULL)
		return 0;
	for (i = 0; i < CORR_NIGNORED; i++) {
		const char *k = corr_ignored[i];
		if (corr_ignored_prefix(k) ? strncmp(kind, k, strlen(k)) == 0 :
		    strcmp(kind, k) == 0)
			return 1;
	}
	return 0;
}

/* Reads one event row (columns: id, us, source, new_state, raw) into
 * *ev, parsing charon lines into *ch, or when ch is NULL into the
 * scratch event (valid until the next call).  Returns 1 when usable. */
static int corr_parse_raw(struct corr *c, const char *raw, int rawlen,
    struct rc_event *ev, struct charon_event *ch);

static int
corr_row(struct corr *c, struct db_stmt *s, struct rc_event *ev, struct charon_event *ch)
{
	const char *src = (const char *)db_column_text(s, 2);
	const char *state = (const char *)db_column_text(s, 3);

	memset(ev, 0, sizeof *ev);
	ev->event_id = db_column_int64(s, 0);
	ev->us = db_column_int64(s, 1);
	ev->ftmd_state = -1;
	if (src != NULL && strcmp(src, "viptela") == 0) {
		if (state != NULL)
			ev->ftmd_state = strcmp(state, "up") == 0 ? 1 :
			    strcmp(state, "down") == 0 ? 0 : -1;
		return 1;
	}
	return corr_parse_raw(c, (const char *)db_column_text(s, 4),
	    db_column_bytes(s, 4), ev, ch);
}

/* Forgets the fetched trail lines. */
static void
corr_raw_drop(struct corr *c)
{
	int i;

	for (i = 0; i < c->raw_n; i++)
		free(c->raw_text[i]);
	c->raw_n = 0;
}

/*
 * PostgreSQL: the raw line of message id, from the lines fetched with the
 * trail entries ahead of it, fetching them (this one and the rest of its
 * minute, in one statement) when it is not among them.  *raw is NULL for
 * a message pruned since.  Returns SQLITE_OK or the error.
 */
static int
corr_trail_raw(struct corr *c, int64_t id, const char **raw, int *len)
{
	const struct pulse_trail_ent *ahead;
	struct pgbulk ids;
	int i, n, rc;

	for (i = 0; i < c->raw_n; i++)
		if (c->raw_id[i] == id)
			goto found;
	corr_raw_drop(c);
	if (c->raw_many == NULL && (rc = db_prepare(c->db, "SELECT message_id, raw FROM"
	    " messages WHERE message_id = ANY(CAST(?1 AS bigint[]))", &c->raw_many)) != SQLITE_OK)
		return rc;
	if (pgbulk_init(&ids, 1) != 0)
		return SQLITE_NOMEM;
	pulse_reader_ahead(c->trail, &ahead, &n);
	rc = pgbulk_int(&ids, id) | pgbulk_end_row(&ids);
	for (i = 0; i < n && i < CORR_RAW_AHEAD - 1 && rc == 0; i++)
		rc = pgbulk_int(&ids, ahead[i].message_id) | pgbulk_end_row(&ids);
	if (rc != 0 || pgbulk_array(&ids, 0) == NULL) {
		pgbulk_free(&ids);
		return SQLITE_NOMEM;
	}
	db_bind_text(c->raw_many, 1, pgbulk_array(&ids, 0), -1);
	pgbulk_free(&ids);
	while ((rc = db_step(c->raw_many)) == SQLITE_ROW && c->raw_n < CORR_RAW_AHEAD) {
		const char *t = db_column_text(c->raw_many, 1);
		int l = db_column_bytes(c->raw_many, 1);
		char *copy;

		if (t == NULL || (copy = malloc((size_t)l + 1)) == NULL)
			continue;
		memcpy(copy, t, (size_t)l);
		copy[l] = '\0';
		c->raw_id[c->raw_n] = db_column_int64(c->raw_many, 0);
		c->raw_text[c->raw_n] = copy;
		c->raw_len[c->raw_n++] = l;
	}
	db_reset(c->raw_many);
	db_clear_bindings(c->raw_many);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	for (i = 0; i < c->raw_n; i++)
		if (c->raw_id[i] == id)
			goto found;
	*raw = NULL;
	*len = 0;
	return SQLITE_OK;
found:
	*raw = c->raw_text[i];
	*len = c->raw_len[i];
	return SQLITE_OK;
}

/*
 * A DPD line of the tunnel's trail (no events row): its raw line parsed
 * again into *ev as corr_row does.  Returns 1 when usable, 0 when not (the
 * message was pruned, or it does not parse), -1 on a database error.
 */
static int
corr_trail_row(struct corr *c, const struct pulse_trail_ent *e, struct rc_event *ev,
    struct charon_event *ch)
{
	struct db_stmt *s = c->q[Q_MSG_RAW];
	int rc, ok = 0;

	memset(ev, 0, sizeof *ev);
	ev->event_id = e->event_id;
	ev->us = e->us;
	ev->ftmd_state = -1;
	if (db_kind(c->db) == DB_POSTGRES) {
		const char *raw;
		int len;

		if (corr_trail_raw(c, e->message_id, &raw, &len) != SQLITE_OK)
			return -1;
		return raw != NULL ? corr_parse_raw(c, raw, len, ev, ch) : 0;
	}
	db_bind_int64(s, 1, e->message_id);
	if ((rc = db_step(s)) == SQLITE_ROW)
		ok = corr_parse_raw(c, (const char *)db_column_text(s, 0),
		    db_column_bytes(s, 0), ev, ch);
	db_reset(s);
	db_clear_bindings(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? ok : -1;
}

/* A stored charon line (ev's id and time set) parsed again. */
static int
corr_parse_raw(struct corr *c, const char *raw, int rawlen, struct rc_event *ev,
    struct charon_event *ch)
{
	struct ingest_row row;

	if (raw == NULL || rawlen <= 0 || (size_t)rawlen > c->cfg->max_frame * 4u)
		return 0;
	/* The stored line is already escaped: parse it as is. */
	ingest_prepare(c->cfg, raw, (size_t)rawlen, ev->us, 0, 0, c->scratch, &row);
	if (domain_classify(&row, c->ds) != DOMAIN_CHARON)
		return 0;
	if (ch != NULL) {
		*ch = c->ds->ch;
		ev->ch = ch;
	} else {
		ev->ch = &c->ds->ch;
	}
	return 1;
}

/* ---- root cause -------------------------------------------------------- */

/*
 * The device's own uplink around the outage (a VPN 0 interface down, every
 * BFD session of a color down: overlay.c judges) joins the tunnel's
 * window, in time order, for rc_classify's local_transport_down.
 */
static int
corr_add_transport(struct corr *c, int64_t device, int64_t start, size_t *n)
{
	struct overlay_transport tr[CORR_TRANSPORT_MAX];
	int nt = 0, i, rc;

	if ((rc = overlay_transport_near(c->ov, device, start - CORR_TRANSPORT_BEFORE,
	    start + CORR_TRANSPORT_AFTER, tr, CORR_TRANSPORT_MAX, &nt)) != SQLITE_OK)
		return rc;
	for (i = 0; i < nt && *n < CORR_WINDOW_MAX; i++) {
		struct rc_event e;
		size_t at = *n;
		memset(&e, 0, sizeof e);
		e.event_id = tr[i].event_id;
		e.us = tr[i].us;
		e.ftmd_state = -1;
		e.transport = tr[i].transport;
		snprintf(e.transport_name, sizeof e.transport_name, "%s", tr[i].name);
		while (at > 0 && c->win[at - 1].us > e.us) {
			c->win[at] = c->win[at - 1];
			c->win_msg[at] = c->win_msg[at - 1];
			c->win_kind[at] = c->win_kind[at - 1];
			at--;
		}
		c->win[at] = e;
		c->win_msg[at] = 0;
		c->win_kind[at] = NULL;
		(*n)++;
	}
	return SQLITE_OK;
}

/*
 * The window's lines: the rows of w (Q_WINDOW, bound) merged in order with
 * the DPD lines of the trail (c->trail, started), at most CORR_WINDOW_MAX.
 */
static int
corr_window_fill(struct corr *c, struct db_stmt *w, size_t *n)
{
	const struct pulse_trail_ent *e;
	int wrc = db_step(w), more, ok;

	while (*n < CORR_WINDOW_MAX) {
		if ((more = pulse_reader_peek(c->trail, &e)) < 0)
			return SQLITE_ERROR;
		if (wrc != SQLITE_ROW && !more)
			break;
		if (more && (wrc != SQLITE_ROW || e->us < db_column_int64(w, 1) ||
		    (e->us == db_column_int64(w, 1) &&
		    e->event_id < db_column_int64(w, 0)))) {
			struct pulse_trail_ent x = *e;
			pulse_reader_next(c->trail);
			if ((ok = corr_trail_row(c, &x, &c->win[*n], &c->pool[*n])) < 0)
				return SQLITE_ERROR;
			if (ok && c->win[*n].ch != NULL) {
				c->win_msg[*n] = x.message_id;
				c->win_kind[*n] = charon_kind_name(c->pool[*n].kind);
				(*n)++;
			}
			continue;
		}
		if (corr_row(c, w, &c->win[*n], &c->pool[*n])) {
			c->win_msg[*n] = 0;
			c->win_kind[*n] = NULL;
			(*n)++;
		}
		wrc = db_step(w);
	}
	return wrc == SQLITE_ROW || wrc == SQLITE_DONE ? SQLITE_OK : wrc;
}

static int
corr_classify(struct corr *c, int64_t incident_id, int64_t tnow)
{
	struct db_stmt *s = c->q[Q_INC_GET], *w = c->q[Q_WINDOW];
	int64_t tunnel, start, end, device;
	char symptom[32], peer[64];
	struct rc_result res;
	size_t n = 0;
	int rc, sym, i;

	db_bind_int64(s, 1, incident_id);
	if (db_step(s) != SQLITE_ROW) {
		db_reset(s);
		return SQLITE_OK;
	}
	tunnel = db_column_int64(s, 0);
	snprintf(symptom, sizeof symptom, "%s", (const char *)db_column_text(s, 1));
	start = db_column_int64(s, 2);
	end = db_column_type(s, 3) == SQLITE_NULL ? tnow : db_column_int64(s, 3);
	peer[0] = '\0';
	if (db_column_text(s, 4) != NULL)
		snprintf(peer, sizeof peer, "%s", (const char *)db_column_text(s, 4));
	device = db_column_int64(s, 7);
	db_reset(s);
	db_clear_bindings(s);

	if (end < start)
		end = start;
	db_bind_int64(w, 1, tunnel);
	db_bind_int64(w, 2, start - CORR_LOOKBACK);
	db_bind_int64(w, 3, end + 60 * 1000000LL);
	pulse_reader_start(c->trail, tunnel, start - CORR_LOOKBACK, INT64_MIN,
	    end + 60 * 1000000LL);
	rc = corr_window_fill(c, w, &n);
	pulse_reader_stop(c->trail);
	db_reset(w);
	db_clear_bindings(w);
	if (rc != SQLITE_OK)
		return rc;
	if ((rc = corr_add_transport(c, device, start, &n)) != SQLITE_OK)
		return rc;

	sym = strcmp(symptom, "never_established") == 0 ? RC_SYM_NEVER_ESTABLISHED :
	    strcmp(symptom, "degraded") == 0 ? RC_SYM_DEGRADED : RC_SYM_DOWN;
	rc_classify(c->win, n, start, sym, peer[0] ? peer : NULL, &res);

	s = c->q[Q_INC_CAUSE];
	db_bind_int64(s, 1, incident_id);
	db_bind_text_ref(s, 2, rc_cause_name(res.cause), -1);
	db_bind_text(s, 3, res.summary, -1);
	if (peer[0] != '\0')
		db_bind_text(s, 4, peer, -1);
	if ((rc = corr_step(c, s)) != SQLITE_OK)
		return rc;
	db_bind_int64(c->q[Q_EVID_DEL], 1, incident_id);
	if ((rc = corr_step(c, c->q[Q_EVID_DEL])) != SQLITE_OK)
		return rc;
	for (i = 0; i < res.nevidence; i++) {
		size_t k;
		s = c->q[Q_EVID_ADD];
		db_bind_int64(s, 1, incident_id);
		db_bind_int64(s, 2, i + 1);
		db_bind_int64(s, 3, res.evidence[i]);
		for (k = 0; k < n && c->win[k].event_id != res.evidence[i]; k++)
			;
		if (k < n && c->win_msg[k] != 0) {
			/* a DPD line: no events row to find it by */
			db_bind_int64(s, 4, c->win_msg[k]);
			db_bind_int64(s, 5, c->win[k].us);
			db_bind_text_ref(s, 6, c->win_kind[k], -1);
		}
		if ((rc = corr_step(c, s)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/* ---- one tunnel -------------------------------------------------------- */

/* Writes tunnel id's row from machine m (with Q_STATE_PUT or _UPD). */
static int
corr_state_put(struct corr *c, int which, int64_t id, const struct tm_machine *m,
    int flapping)
{
	struct db_stmt *s = c->q[which];
	json_t *j = tm_to_json(m);
	char *text = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	json_decref(j);
	db_bind_int64(s, 1, id);
	db_bind_text_ref(s, 2, tm_state_name(m->state), -1);
	if (m->state_since != 0)
		db_bind_int64(s, 3, m->state_since);
	if (m->cursor_us != INT64_MIN)
		db_bind_int64(s, 4, m->cursor_us);
	db_bind_int64(s, 5, m->cursor_event);
	if (m->last_us != 0)
		db_bind_int64(s, 6, m->last_us);
	db_bind_int64(s, 7, flapping);
	db_bind_double(s, 8, m->score);
	if (text != NULL) {
		db_bind_text(s, 9, text, -1);
		free(text);
	}
	return corr_step(c, s);
}

/*
 * Saves the tunnel's machine.  Unchanged: nothing to write.  Changed but
 * nothing visible (tm_visible_same): written at most every
 * CORR_SAVE_DEFER (corr_flush writes what waits) — the row stays a
 * consistent earlier point, from which a restart replays to the same
 * state.  A visible change: written now.
 */
static int
corr_save(struct tctx *t)
{
	struct corr *c = t->c;
	struct tm_machine *m = &t->m;
	struct mslot *e;
	int rc, flapping;
	int64_t ref = t->tnow > m->last_us ? t->tnow : m->last_us, now = util_mono_us();

	flapping = tm_flap_update(m, &c->tp, ref);
	e = mc_slot(c, t->tunnel_id);
	if (e != NULL && e->flapping == flapping) {
		if (memcmp(&e->m, m, sizeof *m) == 0)
			return SQLITE_OK;
		if (!c->final && tm_visible_same(&e->m, m) &&
		    now - e->saved_mono < CORR_SAVE_DEFER) {
			e->m = *m;
			e->deferred = 1;
			return SQLITE_OK;
		}
	}
	if ((rc = corr_state_put(c, Q_STATE_PUT, t->tunnel_id, m, flapping)) == SQLITE_OK &&
	    e != NULL) {
		e->m = *m;
		e->flapping = flapping;
		e->deferred = 0;
		e->saved_mono = now;
	}
	return rc;
}

/* Writes the progress that waited longer than CORR_SAVE_DEFER, or all of
 * it (all = 1).  Inside the caller's transaction. */
static int
corr_save_deferred(struct corr *c, int all)
{
	int64_t now = util_mono_us();
	size_t i;
	int rc;

	for (i = 0; i < c->mc_cap; i++) {
		struct mslot *e = &c->mc[i];
		if (e->tunnel_id == 0 || !e->deferred ||
		    (!all && now - e->saved_mono < CORR_SAVE_DEFER))
			continue;
		if ((rc = corr_state_put(c, Q_STATE_UPD, e->tunnel_id, &e->m,
		    e->flapping)) != SQLITE_OK)
			return rc;
		e->deferred = 0;
		e->saved_mono = now;
	}
	return SQLITE_OK;
}

/* The device's charon starts in [from, to], in time order (at most 64). */
static int
corr_load_restarts(struct corr *c, int64_t dev, int64_t from, int64_t to,
    int64_t *us, int64_t *ids, int *n)
{
	struct db_stmt *s = c->q[Q_RESTARTS];
	int rc;

	*n = 0;
	db_bind_int64(s, 1, dev);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	while ((rc = db_step(s)) == SQLITE_ROW && *n < 64) {
		us[*n] = db_column_int64(s, 0);
		ids[*n] = db_column_int64(s, 1);
		(*n)++;
	}
	db_reset(s);
	db_clear_bindings(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* The device's charon starts in the window a pass looks at, in order. */
struct corr_restarts {
	int64_t us[64], id[64];
	int n, i;
};

/*
 * One event of the tunnel, in (device time, event id) order: the charon
 * starts before it first, then the cursor moves to it and the machine
 * steps on it (ev NULL: a kind the machine never looks at).
 */
static int
corr_one(struct tctx *t, struct corr_restarts *rs, int64_t event_id, int64_t us,
    const struct tm_event *ev, uint64_t *applied)
{
	int rc;

	t->m.cursor_us = us;
	t->m.cursor_event = event_id;
	while (rs->i < rs->n && (rs->us[rs->i] < us ||
	    (rs->us[rs->i] == us && rs->id[rs->i] < event_id)))
		if ((rc = corr_restart(t, rs->us[rs->i++])) != SQLITE_OK)
			return rc;
	if (us > t->m.last_us)
		t->m.last_us = us;
	if (ev == NULL)
		return SQLITE_OK;
	t->c->stats.events++;
	(*applied)++;
	return corr_event(t, ev);
}

/*
 * The DPD lines of the tunnel's trail (c->trail, started by the caller)
 * that come before (us, event_id), applied in order as events are.
 */
static int
corr_trail_until(struct tctx *t, struct corr_restarts *rs, int64_t us, int64_t event_id,
    uint64_t *applied)
{
	struct corr *c = t->c;
	const struct pulse_trail_ent *e;
	int more, rc;

	while ((more = pulse_reader_peek(c->trail, &e)) == 1 &&
	    (e->us < us || (e->us == us && e->event_id < event_id))) {
		struct pulse_trail_ent x = *e;
		struct rc_event ev;
		struct tm_event te, *tp = NULL;
		int ok;

		pulse_reader_next(c->trail);
		if ((ok = corr_trail_row(c, &x, &ev, NULL)) < 0)
			return SQLITE_ERROR;
		if (ok && ev.ch != NULL) {
			tm_event_charon(&te, ev.ch, x.us);
			tp = &te;
		}
		if ((rc = corr_one(t, rs, x.event_id, x.us, tp, applied)) != SQLITE_OK)
			return rc;
	}
	return more < 0 ? SQLITE_ERROR : SQLITE_OK;
}

/* How many lines the tunnel's trail holds after (us, event_id). */
static int
corr_trail_count(struct corr *c, int64_t tunnel_id, int64_t us, int64_t event_id,
    int64_t *n)
{
	const struct pulse_trail_ent *e;
	int more;

	*n = 0;
	pulse_reader_start(c->trail, tunnel_id, us, event_id, INT64_MAX);
	while ((more = pulse_reader_peek(c->trail, &e)) == 1) {
		(*n)++;
		pulse_reader_next(c->trail);
	}
	return more < 0 ? SQLITE_ERROR : SQLITE_OK;
}

/*
 * The tunnel's events after the cursor up to cutoff, read back from the
 * database (their lines parsed again), merged in order with the DPD lines
 * of its trail.  Afterwards the feed learns how many lines the database
 * holds beyond the cursor: when it holds as many, it is complete and the
 * next passes decide from memory.
 */
static int
corr_read_back(struct tctx *t, struct corr_restarts *rs, int64_t cutoff,
    uint64_t *applied)
{
	struct corr *c = t->c;
	struct db_stmt *s;
	int rc, got;
	int64_t ntrail = 0;

	pulse_reader_start(c->trail, t->tunnel_id, t->m.cursor_us, t->m.cursor_event, cutoff);
	do {
		s = c->q[Q_EVENTS];
		got = 0;
		db_bind_int64(s, 1, t->tunnel_id);
		db_bind_int64(s, 2, t->m.cursor_us);
		db_bind_int64(s, 3, t->m.cursor_event);
		db_bind_int64(s, 4, cutoff);
		while ((rc = db_step(s)) == SQLITE_ROW) {
			struct rc_event ev;
			struct tm_event te, *tp = NULL;
			got++;
			if (!corr_kind_ignored((const char *)db_column_text(s, 5)) &&
			    corr_row(c, s, &ev, NULL)) {
				if (ev.ch != NULL)
					tm_event_charon(&te, ev.ch, ev.us);
				else
					tm_event_ftmd(&te, ev.ftmd_state, ev.us);
				tp = &te;
			}
			if ((rc = corr_trail_until(t, rs, db_column_int64(s, 1),
			    db_column_int64(s, 0), applied)) != SQLITE_OK ||
			    (rc = corr_one(t, rs, db_column_int64(s, 0),
			    db_column_int64(s, 1), tp, applied)) != SQLITE_OK)
				break;
			rc = SQLITE_ROW;
		}
		db_reset(s);
		db_clear_bindings(s);
		if (rc != SQLITE_DONE) {
			pulse_reader_stop(c->trail);
			return rc == SQLITE_ROW ? SQLITE_OK : rc;
		}
	} while (got == CORR_BATCH);
	rc = corr_trail_until(t, rs, cutoff, INT64_MAX, applied);
	pulse_reader_stop(c->trail);
	if (rc != SQLITE_OK || c->feed == NULL)
		return rc;
	if ((rc = corr_trail_count(c, t->tunnel_id, t->m.cursor_us, t->m.cursor_event,
	    &ntrail)) != SQLITE_OK)
		return rc;
	s = c->q[Q_COUNT_AFTER];
	db_bind_int64(s, 1, t->tunnel_id);
	db_bind_int64(s, 2, t->m.cursor_us);
	db_bind_int64(s, 3, t->m.cursor_event);
	if ((rc = db_step(s)) == SQLITE_ROW) {
		feed_sync(c->feed, t->tunnel_id, t->m.cursor_us, t->m.cursor_event,
		    db_column_int64(s, 0) + ntrail);
		rc = SQLITE_OK;
	}
	db_reset(s);
	db_clear_bindings(s);
	return rc;
}

static int
corr_tunnel(struct corr *c, int64_t tunnel_id, int64_t newest, int *keep_dirty)
{
	struct db_stmt *s = c->q[Q_TUNNEL];
	struct tctx t;
	struct mslot *e;
	int64_t skew = 0, cutoff, devmax = 0, oldest;
	struct corr_restarts rs;
	int rc, reset = 0;
	uint64_t applied = 0;

	memset(&t, 0, sizeof t);
	memset(&rs, 0, sizeof rs);
	t.c = c;
	t.tunnel_id = tunnel_id;
	*keep_dirty = 0;
	db_bind_int64(s, 1, tunnel_id);
	if (db_step(s) != SQLITE_ROW) {
		db_reset(s);
		mc_drop(c, tunnel_id);
		return SQLITE_OK;       /* merged away */
	}
	t.device_id = db_column_int64(s, 0);
	if (db_column_text(s, 1) != NULL)
		snprintf(t.peer, sizeof t.peer, "%s", (const char *)db_column_text(s, 1));
	db_reset(s);
	db_clear_bindings(s);

	if ((e = mc_find(c, tunnel_id)) != NULL && e->flapping >= 0) {
		t.m = e->m;
	} else {
		e = NULL;
		s = c->q[Q_STATE_GET];
		db_bind_int64(s, 1, tunnel_id);
		if (db_step(s) == SQLITE_ROW && db_column_text(s, 0) != NULL)
			tm_from_json(&t.m, (const char *)db_column_text(s, 0));
		else
			tm_init(&t.m);
		db_reset(s);
		db_clear_bindings(s);
	}
	/* New lines older than where the machine stands: derive it again. */
	if (t.m.cursor_event != 0 && corr_lookup(&c->dirty_min, tunnel_id, &oldest) &&
	    oldest < t.m.cursor_us) {
		if ((rc = corr_reset_tunnel(c, tunnel_id)) != SQLITE_OK)
			return rc;
		tm_init(&t.m);
		reset = 1;
	}

	corr_lookup(&c->skew, t.device_id, &skew);
	corr_lookup(&c->devmax, t.device_id, &devmax);
	if (c->final) {
		cutoff = INT64_MAX;
		t.tnow = devmax > t.m.last_us ? devmax : t.m.last_us;
	} else {
		cutoff = c->now_us - c->cfg->lateness_us + skew;
		t.tnow = c->now_us + skew;
	}

	/* charon starts between the cursor and the cutoff, applied in
	 * (time, event id) order among the tunnel's own lines. */
	if ((rc = corr_load_restarts(c, t.device_id, t.m.cursor_us, cutoff, rs.us, rs.id,
	    &rs.n)) != SQLITE_OK)
		return rc;
	while (rs.i < rs.n && (rs.us[rs.i] < t.m.cursor_us ||
	    (rs.us[rs.i] == t.m.cursor_us && rs.id[rs.i] <= t.m.cursor_event)))
		rs.i++;
	if (!reset && c->feed != NULL && feed_complete(c->feed, tunnel_id)) {
		/* Decided from memory: the events the resolver fed. */
		const struct feed_ev *fe;
		size_t i, n = feed_take(c->feed, tunnel_id, t.m.cursor_us, t.m.cursor_event,
		    cutoff, &fe);
		for (i = 0, rc = SQLITE_OK; i < n && rc == SQLITE_OK; i++)
			rc = corr_one(&t, &rs, fe[i].event_id, fe[i].ev.us,
			    fe[i].ev.source == TM_SRC_CHARON && fe[i].ev.kind < CHARON_KIND_MAX &&
			    c->skip_kind[fe[i].ev.kind] ? NULL : &fe[i].ev, &applied);
		if (rc != SQLITE_OK)
			return rc;
		c->stats.from_memory++;
	} else {
		/* Read back from the database (after a start, a rollback, a
		 * merge, a late line, a queue over its bounds). */
		if ((rc = corr_read_back(&t, &rs, cutoff, &applied)) != SQLITE_OK)
			return rc;
		c->stats.read_back++;
	}
	/* Starts after the tunnel's last line: the cursor moves to them. */
	for (; rs.i < rs.n; rs.i++) {
		if ((rc = corr_restart(&t, rs.us[rs.i])) != SQLITE_OK)
			return rc;
		t.m.cursor_us = rs.us[rs.i];
		t.m.cursor_event = rs.id[rs.i];
		if (rs.us[rs.i] > t.m.last_us)
			t.m.last_us = rs.us[rs.i];
	}

	if (t.tnow < t.m.last_us)
		t.tnow = t.m.last_us;
	/* import: no more lines will come to settle a pending delete. */
	if ((rc = corr_timers(&t, t.tnow, c->final)) != SQLITE_OK)
		return rc;
	/* An open incident is re-read as its evidence grows. */
	if (t.m.incident_id != 0 && applied > 0)
		corr_touch(c, t.m.incident_id);
	if ((rc = corr_save(&t)) != SQLITE_OK)
		return rc;
	/* Timers to run, or events still held back for lateness. */
	*keep_dirty = !c->final && (tm_needs_timer(&t.m) || newest > cutoff);
	c->stats.tunnels++;
	return SQLITE_OK;
}

/* ---- fleet events ----------------------------------------------------- */

static int
corr_fleet_refresh(struct corr *c, int64_t fleet)
{
	struct db_stmt *s = c->q[Q_FLEET_AGG];
	int64_t start, end = 0, open, devices, tunnels;
	char peer[64], cause[40], summary[256], when[40];
	int rc, has_end;

	db_bind_int64(s, 1, fleet);
	if (db_step(s) != SQLITE_ROW) {
		db_reset(s);
		return SQLITE_OK;
	}
	start = db_column_int64(s, 0);
	has_end = db_column_type(s, 1) != SQLITE_NULL;
	if (has_end)
		end = db_column_int64(s, 1);
	open = db_column_int64(s, 2);
	devices = db_column_int64(s, 3);
	tunnels = db_column_int64(s, 4);
	snprintf(peer, sizeof peer, "%s", db_column_text(s, 5) != NULL ?
	    (const char *)db_column_text(s, 5) : "?");
	db_reset(s);
	db_clear_bindings(s);
	if (tunnels == 0) {
		/* Its incidents were derived again (late lines): none is left. */
		s = c->q[Q_FLEET_DEL];
		db_bind_int64(s, 1, fleet);
		return corr_step(c, s);
	}

	s = c->q[Q_FLEET_CAUSE];
	db_bind_int64(s, 1, fleet);
	snprintf(cause, sizeof cause, "unknown");
	if (db_step(s) == SQLITE_ROW && db_column_text(s, 0) != NULL)
		snprintf(cause, sizeof cause, "%s", (const char *)db_column_text(s, 0));
	db_reset(s);
	db_clear_bindings(s);

	util_format_iso(when, sizeof when, start, 0);
	snprintf(summary, sizeof summary, "peer %s lost by %" PRId64 " devices at %.5s "
	    "UTC on %.10s (%" PRId64 " tunnels; dominant cause %s): a peer or provider "
	    "outage, not a device fault", peer, devices, when + 11, when, tunnels, cause);
	s = c->q[Q_FLEET_UPDATE];
	db_bind_int64(s, 1, fleet);
	db_bind_int64(s, 2, start);
	if (open == 0 && has_end)
		db_bind_int64(s, 3, end);
	db_bind_int64(s, 4, devices);
	db_bind_int64(s, 5, tunnels);
	db_bind_text(s, 6, cause, -1);
	db_bind_text(s, 7, summary, -1);
	rc = corr_step(c, s);
	return rc;
}

static int
corr_fleet(struct corr *c, int64_t incident_id)
{
	struct db_stmt *s = c->q[Q_INC_GET];
	char peer[64], symptom[32];
	int64_t start, ids[1024], devs[1024], fleet = 0;
	int n = 0, ndev = 0, i, j, rc, shared;

	db_bind_int64(s, 1, incident_id);
	if (db_step(s) != SQLITE_ROW || db_column_text(s, 4) == NULL) {
		db_reset(s);
		db_clear_bindings(s);
		return SQLITE_OK;
	}
	snprintf(symptom, sizeof symptom, "%s", (const char *)db_column_text(s, 1));
	/* Only causes a shared peer or provider explains make fleet events:
	 * a PFS, proposal, auth or TS fault is each device's configuration,
	 * however many share it (rootcause.h). */
	shared = rc_cause_is_shared(rc_cause_from_name((const char *)db_column_text(s, 6)));
	start = db_column_int64(s, 2);
	snprintf(peer, sizeof peer, "%s", (const char *)db_column_text(s, 4));
	if (db_column_type(s, 5) != SQLITE_NULL)
		fleet = db_column_int64(s, 5);
	db_reset(s);
	db_clear_bindings(s);
	if (fleet != 0)
		return corr_fleet_refresh(c, fleet);
	if (!shared || (strcmp(symptom, "flap") != 0 && strcmp(symptom, "stuck") != 0 &&
	    strcmp(symptom, "down") != 0))
		return SQLITE_OK;

	s = c->q[Q_FLEET_NEAR];
	db_bind_text(s, 1, peer, -1);
	db_bind_int64(s, 2, start - c->cfg->fleet_window_us);
	db_bind_int64(s, 3, start + c->cfg->fleet_window_us);
	while (db_step(s) == SQLITE_ROW && n < 1024) {
		int64_t dev = db_column_int64(s, 1);
		if (!rc_cause_is_shared(rc_cause_from_name(
		    (const char *)db_column_text(s, 3))))
			continue;
		ids[n++] = db_column_int64(s, 0);
		if (fleet == 0 && db_column_type(s, 2) != SQLITE_NULL)
			fleet = db_column_int64(s, 2);
		for (j = 0; j < ndev; j++)
			if (devs[j] == dev)
				break;
		if (j == ndev)
			devs[ndev++] = dev;
	}
	db_reset(s);
	db_clear_bindings(s);
	if (ndev < c->cfg->fleet_min_devices)
		return SQLITE_OK;
	if (fleet == 0) {
		s = c->q[Q_FLEET_NEW];
		db_bind_text(s, 1, peer, -1);
		db_bind_int64(s, 2, start);
		if ((rc = corr_step(c, s)) != SQLITE_OK)
			return rc;
		fleet = db_last_insert_id(c->db);
	}
	for (i = 0; i < n; i++) {
		s = c->q[Q_FLEET_SET];
		db_bind_int64(s, 1, ids[i]);
		db_bind_int64(s, 2, fleet);
		if ((rc = corr_step(c, s)) != SQLITE_OK)
			return rc;
	}
	return corr_fleet_refresh(c, fleet);
}

/* ---- the pass ------------------------------------------------------------ */

/* Marks the tunnels with new events since *last_id and notes, per
 * device, its newest device time and its clock skew (device time minus
 * receive time of its newest line: one lookup per device and pass). */
static int
corr_collect(struct corr *c, int64_t *last_id)
{
	struct db_stmt *s = c->q[Q_NEW_EVENTS];
	struct strmap lastmsg, lastus;
	int rc, got;
	size_t i;

	strmap_init(&lastmsg, 1u << 20);
	strmap_init(&lastus, 1u << 20);
	do {
		got = 0;
		db_bind_int64(s, 1, *last_id);
		while ((rc = db_step(s)) == SQLITE_ROW) {
			int64_t id = db_column_int64(s, 0);
			int64_t dev = db_column_int64(s, 2);
			int64_t us = db_column_int64(s, 3);
			int64_t dmax = 0;
			got++;
			*last_id = id;
			if (db_column_type(s, 3) == SQLITE_NULL)
				continue;
			if (db_column_type(s, 1) != SQLITE_NULL) {
				int64_t tun = db_column_int64(s, 1), have = INT64_MIN;
				if (!corr_lookup(&c->dirty, tun, &have) || us > have)
					corr_mark(&c->dirty, tun, us);
				if (!corr_lookup(&c->dirty_min, tun, &have) || us < have)
					corr_mark(&c->dirty_min, tun, us);
			}
			if ((int)db_column_int64(s, 5)) {
				int64_t have;
				if (!corr_lookup(&c->restarted, dev, &have) || us < have)
					corr_mark(&c->restarted, dev, us);
			}
			if (!corr_lookup(&lastus, dev, &dmax) || us >= dmax) {
				/* the clock as the device's newest line shows it */
				corr_mark(&lastmsg, dev, db_column_int64(s, 4));
				corr_mark(&lastus, dev, us);
			}
			if (!corr_lookup(&c->devmax, dev, &dmax) || us > dmax)
				corr_mark(&c->devmax, dev, us);
		}
		db_reset(s);
		db_clear_bindings(s);
		if (rc != SQLITE_DONE)
			goto out;
	} while (got == 50000);
	rc = SQLITE_OK;
	s = c->q[Q_RECEIVED];
	for (i = 0; i < lastmsg.cap && rc == SQLITE_OK; i++) {
		const struct strmap_entry *e = &lastmsg.slots[i];
		int64_t us = 0;
		if (e->key == NULL)
			continue;
		strmap_get(&lastus, e->key, e->klen, &us);
		db_bind_int64(s, 1, e->value);
		if ((rc = db_step(s)) == SQLITE_ROW)
			strmap_put(&c->skew, e->key, e->klen, us - db_column_int64(s, 0));
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		db_reset(s);
	}
out:
	strmap_free(&lastmsg);
	strmap_free(&lastus);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* A charon start concerns every tunnel of its device: each needs a look,
 * from the start's time (older than a tunnel's cursor: derived again). */
static int
corr_mark_restarted(struct corr *c)
{
	struct db_stmt *s = c->q[Q_DEV_TUNNELS];
	size_t i;
	int rc = SQLITE_OK;

	for (i = 0; i < c->restarted.cap && rc == SQLITE_OK; i++) {
		const struct strmap_entry *e = &c->restarted.slots[i];
		if (e->key == NULL)
			continue;
		db_bind_int64(s, 1, strtoll(e->key, NULL, 10));
		while ((rc = db_step(s)) == SQLITE_ROW) {
			int64_t tun = db_column_int64(s, 0), have;
			if (!corr_lookup(&c->dirty, tun, &have) || e->value > have)
				corr_mark(&c->dirty, tun, e->value);
			if (!corr_lookup(&c->dirty_min, tun, &have) || e->value < have)
				corr_mark(&c->dirty_min, tun, e->value);
		}
		rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		db_reset(s);
		db_clear_bindings(s);
	}
	strmap_clear(&c->restarted);
	return rc;
}

static int
corr_mark_query(struct corr *c, int which)
{
	struct db_stmt *s = c->q[which];
	int rc;

	if (which == Q_ALL_TUNNELS)
		mc_clear(c);
	while ((rc = db_step(s)) == SQLITE_ROW) {
		int64_t have, id = db_column_int64(s, 0);
		if (!corr_lookup(&c->dirty, id, &have))
			corr_mark(&c->dirty, id, INT64_MIN);
		/* No state row: new, or reset by a merge — not what we cached. */
		mc_drop(c, id);
	}
	db_reset(s);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
corr_run(struct corr *c, int64_t now_us, int final)
{
	int64_t last_id = 0, *list = NULL, *newest = NULL;
	size_t nlist = 0, i;
	struct strmap still;
	int rc;

	memset(&c->stats, 0, sizeof c->stats);
	c->now_us = now_us;
	c->final = final;
	c->ntouched = 0;
	if ((rc = store_begin(c->st)) != SQLITE_OK)
		return rc;
	/* Several collectors: the begin may have found the derive lock gone
	 * with a broken session; another collector decides now. */
	if (!store_deriving(c->st)) {
		rc = SQLITE_BUSY;
		goto fail;
	}
	store_meta_get_int(c->st, "corr.last_event_id", &last_id);
	/* Serve feeds the correlator as it stores (corr_sink); the new
	 * events are read back only on the first pass and after a failure. */
	if ((c->feed == NULL || !c->started) && (rc = corr_collect(c, &last_id)) != SQLITE_OK)
		goto fail;
	if (c->fed_max_id > last_id)
		last_id = c->fed_max_id;
	if (final && (rc = corr_apply_hostclock(c)) != SQLITE_OK)
		goto fail;
	if ((rc = corr_mark_restarted(c)) != SQLITE_OK)
		goto fail;
	/* Tunnels without state yet (new, or reset by a merge); after a
	 * restart, every tunnel once, so timers resume. */
	if ((rc = corr_mark_query(c, c->started ? Q_STATELESS : Q_ALL_TUNNELS)) != SQLITE_OK)
		goto fail;
	c->started = 1;

	/* Walk a snapshot of the dirty set; it is rebuilt as we go. */
	if (c->dirty.n > 0 && ((list = malloc(c->dirty.n * sizeof *list)) == NULL ||
	    (newest = malloc(c->dirty.n * sizeof *newest)) == NULL)) {
		rc = SQLITE_NOMEM;
		goto fail;
	}
	for (i = 0; i < c->dirty.cap; i++) {
		if (c->dirty.slots[i].key != NULL) {
			newest[nlist] = c->dirty.slots[i].value;
			list[nlist++] = strtoll(c->dirty.slots[i].key, NULL, 10);
		}
	}
	strmap_init(&still, c->dirty.max_entries);
	for (i = 0; i < nlist; i++) {
		int keep;
		if ((rc = corr_tunnel(c, list[i], newest[i], &keep)) != SQLITE_OK) {
			strmap_free(&still);
			goto fail;
		}
		if (keep)
			corr_mark(&still, list[i], newest[i]);
	}
	strmap_free(&c->dirty);
	c->dirty = still;
	strmap_clear(&c->dirty_min);

	for (i = 0; i < (size_t)c->ntouched; i++) {
		int64_t tnow = c->final ? INT64_MAX / 2 : now_us;
		if ((rc = corr_classify(c, c->touched[i], tnow)) != SQLITE_OK)
			goto fail;
	}
	for (i = 0; i < (size_t)c->ntouched; i++)
		if ((rc = corr_fleet(c, c->touched[i])) != SQLITE_OK)
			goto fail;
	if ((rc = corr_save_deferred(c, final)) != SQLITE_OK)
		goto fail;
	if ((rc = store_meta_set_int(c->st, "corr.last_event_id", last_id)) != SQLITE_OK)
		goto fail;
	if ((rc = store_commit(c->st)) != SQLITE_OK)
		goto fail;
	strmap_clear(&c->skew_at);
	free(list);
	free(newest);
	return SQLITE_OK;
fail:
	store_rollback(c->st);
	free(list);
	free(newest);
	/* Look at everything again next time: the in-memory view may be
	 * ahead of the rolled-back database. */
	c->started = 0;
	mc_clear(c);
	strmap_clear(&c->skew_at);
	if (c->feed != NULL)
		feed_clear(c->feed);    /* what the pass took is not stepped for good */
	return rc;
}

void
corr_forget(struct corr *c)
{
	c->started = 0;
	mc_clear(c);
	strmap_clear(&c->skew_at);
	strmap_clear(&c->dirty);
	strmap_clear(&c->dirty_min);
	c->fed_max_id = 0;
	if (c->feed != NULL)
		feed_clear(c->feed);
}

int
corr_flush(struct corr *c)
{
	int rc;

	if ((rc = store_begin(c->st)) != SQLITE_OK)
		return rc;
	if ((rc = corr_save_deferred(c, 1)) != SQLITE_OK ||
	    (rc = store_commit(c->st)) != SQLITE_OK) {
		store_rollback(c->st);
		mc_clear(c);
		c->started = 0;
	}
	return rc;
}
