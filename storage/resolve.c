/*
 * resolve.c — devices, tunnels and events.  See resolve.h for the rules.
 */
#include "db.h"
#include "resolve.h"
#include "log.h"
#include "pulse.h"
#include "strmap.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESOLVE_CACHE_MAX     (1u << 20)   /* entries per cache map */
#define RESOLVE_THREAD_SLOTS  4096
#define RESOLVE_PENDING       16
#define RESOLVE_THREAD_WINDOW (2 * 1000000LL)   /* µs: lines of one charon job */
#define RESOLVE_DEDUP_SLOTS   (1u << 16)
#define RESOLVE_POOL          4096         /* events held for their thread's tunnel */
#define RESOLVE_REXMIT_SLOTS  16384        /* devices whose retransmits are remembered
                                            * (a power of two) */
#define RESOLVE_REXMIT_PROBE  16           /* slots a device may take */
#define RESOLVE_REXMIT_TUNNELS 4           /* ... the last ones of this many tunnels */
#define RESOLVE_REXMIT_WINDOW (10 * 60 * 1000000LL)  /* µs: give-up after the last */
#define RESOLVE_EDGE_NEAR     (3 * 1000000LL)  /* µs: "at the same instant" */
#define RESOLVE_MERGES        16           /* ties found, waiting to be merged */
#define RESOLVE_JOB_TIE       (1000000LL)  /* µs: two lines of one job tie their tunnels */

enum {
	S_ALIAS_GET, S_ALIAS_PUT, S_SYSIP_GET, S_DEV_NEW, S_DEV_SET_SYSIP,
	S_DEV_SYSIP_OF, S_DEV_SEEN, S_TUN_BY_NAME, S_TUN_BY_CONN, S_TUN_BY_PAIR,
	S_TUN_BY_PEER, S_TUN_BY_UID, S_TUN_SINGLE, S_TUN_NEW, S_TUN_LEARN,
	S_TUN_RENAME, S_UID_PUT, S_EVENT, S_EVENT_TUNNEL, S_DUP, S_EVENT_MAX,
	S_TUN_INFO, S_DEV_HOST, S_DEV_RENAME, S_EDGE_CANDIDATES, S_EDGE_AT,
	S_RESTART, S_GIVEUP_UNTIED, S_HOST_SYSIP, S_ID_MARK, S_MAX
};

static const char *const resolve_sql[S_MAX] = {
	[S_HOST_SYSIP] = "SELECT d.system_ip FROM device_aliases a JOIN devices d"
	    " ON d.device_id = a.device_id WHERE a.kind IN ('hostname', 'tag_host', 'host_name')"
	    " AND a.value = ?1 AND d.system_ip IS NOT NULL LIMIT 1",
	[S_ALIAS_GET] = "SELECT device_id FROM device_aliases WHERE kind = ?1 AND value = ?2",
	[S_ALIAS_PUT] = "INSERT INTO device_aliases(kind, value, device_id, first_us)"
	    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT(kind, value) DO NOTHING",
	[S_SYSIP_GET] = "SELECT device_id FROM devices WHERE system_ip = ?1",
	[S_DEV_NEW] = "INSERT INTO devices(system_ip, hostname, first_us, last_us)"
	    " VALUES (?1, ?2, ?3, ?3)",
	[S_DEV_SET_SYSIP] = "UPDATE devices SET system_ip = ?2 WHERE device_id = ?1",
	[S_DEV_SYSIP_OF] = "SELECT system_ip FROM devices WHERE device_id = ?1",
	[S_DEV_SEEN] = "UPDATE devices SET first_us = min(coalesce(first_us, ?2), ?2),"
	    " last_us = max(coalesce(last_us, ?2), ?2) WHERE device_id = ?1",
	[S_TUN_BY_NAME] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1 AND name = ?2",
	[S_TUN_BY_CONN] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1 AND"
	    " conn_name = ?2 AND merged_into IS NULL",
	[S_TUN_BY_PAIR] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1 AND"
	    " local_ip = ?2 AND peer_ip = ?3 AND merged_into IS NULL",
	[S_TUN_BY_PEER] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1 AND"
	    " peer_ip = ?2 AND merged_into IS NULL LIMIT 2",
	[S_TUN_BY_UID] = "SELECT tunnel_id FROM ike_sas WHERE device_id = ?1 AND ike_uid = ?2",
	[S_TUN_SINGLE] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1 AND"
	    " merged_into IS NULL LIMIT 2",
	[S_TUN_NEW] = "INSERT INTO tunnels(device_id, name, interface, conn_name, local_ip,"
	    " peer_ip, first_us, last_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
	[S_TUN_LEARN] = "UPDATE tunnels SET conn_name = coalesce(conn_name, ?2),"
	    " local_ip = coalesce(?3, local_ip), peer_ip = coalesce(?4, peer_ip)"
	    " WHERE tunnel_id = ?1",
	[S_TUN_RENAME] = "UPDATE tunnels SET name = ?2, interface = ?3 WHERE tunnel_id = ?1",
	[S_UID_PUT] = "INSERT INTO ike_sas(device_id, ike_uid, tunnel_id)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT(device_id, ike_uid)"
	    " DO UPDATE SET tunnel_id = excluded.tunnel_id",
	[S_EVENT] = "INSERT INTO events(message_id, device_id, tunnel_id, device_us, kind,"
	    " source, ike_name, ike_uid, child_name, msg_id, local_ip, peer_ip, count,"
	    " new_state, thread, detail, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	    " ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
	[S_EVENT_TUNNEL] = "UPDATE events SET tunnel_id = ?2 WHERE event_id = ?1",
	[S_DUP] = "INSERT INTO duplicates(message_id, event_id) VALUES (?1, ?2)"
	    " ON CONFLICT DO NOTHING",
	/* Chatter and DPD lines take ids but no events row (a DPD line's id
	 * lives in its minute's trail, the correlator's mark may be one): the
	 * highest id handed out is kept in meta, so a restart never reuses
	 * one. */
	[S_EVENT_MAX] = "SELECT max((SELECT coalesce(max(event_id), 0) FROM events),"
	    " coalesce((SELECT CAST(value AS BIGINT) FROM meta WHERE key = 'event.last_id'), 0))",
	[S_ID_MARK] = "INSERT INTO meta(key, value) VALUES ('event.last_id', ?1)"
	    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_TUN_INFO] = "SELECT interface IS NOT NULL, peer_ip IS NOT NULL FROM tunnels"
	    " WHERE tunnel_id = ?1 AND merged_into IS NULL",
	[S_DEV_HOST] = "SELECT hostname FROM devices WHERE device_id = ?1",
	[S_DEV_RENAME] = "UPDATE devices SET hostname = ?2 WHERE device_id = ?1",
	/* A give-up stored before the retransmits it counts (a file in
	 * reverse order, an older file imported later). */
	[S_GIVEUP_UNTIED] = "SELECT event_id, device_us FROM events WHERE tunnel_id IS NULL"
	    " AND device_us BETWEEN ?3 AND ?4 AND device_id = ?1 AND kind = 'give_up'"
	    " AND count = ?2 ORDER BY device_us LIMIT 1",
	[S_RESTART] = "INSERT INTO restarts(device_id, device_us, event_id)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
	/* The other side of a state edge: records of the device known only
	 * by name (?2 = 1) or only by address (?2 = 0). */
	[S_EDGE_CANDIDATES] = "SELECT tunnel_id FROM tunnels WHERE device_id = ?1"
	    " AND merged_into IS NULL AND CASE WHEN ?2 THEN interface IS NOT NULL"
	    " AND peer_ip IS NULL ELSE interface IS NULL END LIMIT 64",
	/* ... that changed state the same way at the same instant. */
	[S_EDGE_AT] = "SELECT 1 FROM events WHERE tunnel_id = ?1 AND device_us"
	    " BETWEEN ?2 AND ?3 AND CASE WHEN ?4 THEN source = 'viptela' AND"
	    " new_state = CASE WHEN ?5 THEN 'up' ELSE 'down' END"
	    " ELSE kind IN (CASE WHEN ?5 THEN 'child_established' ELSE 'give_up' END,"
	    " CASE WHEN ?5 THEN 'ike_established' ELSE 'dpd_timeout' END,"
	    " CASE WHEN ?5 THEN '' ELSE 'ike_deleted' END,"
	    " CASE WHEN ?5 THEN '' ELSE 'ike_delete_received' END) END LIMIT 1",
};

/*
 * An event row waiting to be inserted.  Event ids are handed out here, in
 * arrival order, so a line can be held back until its tunnel is known and
 * still be referred to (duplicates) — and inserted once, with its tunnel,
 * instead of inserted and then updated.
 */
struct ev_row {
	int64_t event_id, message_id, device_id, tunnel_id, us;
	const char *kind, *source, *new_state;   /* static strings */
	int64_t msg_id, count;                   /* -1 = none */
	uint32_t uid;
	int has_uid, thread;
	char conn[CHARON_NAME_LEN], child[CHARON_NAME_LEN];
	char local_ip[CHARON_ADDR_LEN], peer_ip[CHARON_ADDR_LEN];
	char *detail;                            /* JSON, owned; NULL = none */
	int pulse;                               /* enum facts_pulse */
	int64_t bytes;                           /* packet lines: size */
	int64_t recv_us;                         /* when its line was received */
	struct tm_event ev;                      /* for the correlator's feed */
};

/* Per (device, charon thread): the lines of one charon job share a thread,
 * and the job's last line (the packet it sends) usually names the peer.
 * Until it does, the job's earlier lines wait here: held in the pool (not
 * yet inserted), or — after a commit flushed them — stored without a
 * tunnel, to be updated when it is learned. */
struct thread_slot {
	int64_t device_id;
	int thread;
	int64_t tunnel_id, tunnel_us;           /* last attributed line */
	int npending;
	int pool[RESOLVE_PENDING];              /* pool index; -1 = stored already */
	int64_t pending[RESOLVE_PENDING];       /* event ids waiting for a tunnel */
	int64_t pending_us[RESOLVE_PENDING];
	int64_t pending_rexmit[RESOLVE_PENDING]; /* a retransmit's count; -1 = other */
	int pending_pulse[RESOLVE_PENDING];     /* enum facts_pulse, counted once tied */
	int64_t pending_bytes[RESOLVE_PENDING];
	int64_t pending_msg[RESOLVE_PENDING];   /* message ids (a DPD line's trail) */
	int64_t pending_one[RESOLVE_PENDING];   /* the device's only tunnel when it came */
};

struct dedup_slot {
	uint64_t key;
	int64_t event_id;
};

/*
 * Per device, the last "retransmit N of request" of its latest tunnels.
 * charon logs "giving up after N retransmits" from a job of its own,
 * often on a thread that just served another tunnel, and without a
 * prefix the line names nothing: it belongs to the tunnel whose request
 * was retransmitted N times (the retransmit lines themselves are tied by
 * the packet line that follows each).
 */
struct rexmit_slot {
	int64_t device_id;
	struct {
		int64_t tunnel_id, us, count;
	} t[RESOLVE_REXMIT_TUNNELS];
};

struct resolver {
	struct db *db;
	struct db_stmt *st[S_MAX];
	struct strmap aliases;       /* "k\x1fvalue" -> device */
	struct strmap sysips;        /* system-ip -> device */
	struct strmap tunnels;       /* "dev\x1fK\x1f..." -> tunnel */
	struct strmap seen;          /* "dev" -> last device_us written */
	struct overlay *ov;          /* BFD sessions, transport events */
	struct pulse *pulse;         /* chatter counted per tunnel and minute */
	struct resolve_sink sink;    /* the correlator's feed; callbacks NULL: none */
	struct strmap trail_touched; /* without a feed: tunnel -> oldest DPD line */
	int64_t recv_us;             /* of the line being resolved */
	struct thread_slot *threads;
	struct dedup_slot *dedup;
	struct rexmit_slot *rexmit;
	int64_t merge_from[RESOLVE_MERGES], merge_into[RESOLVE_MERGES];
	int nmerge;
	struct ev_row *pool;         /* RESOLVE_POOL rows held back */
	int *pool_free, npool_free;  /* free pool indices (a stack) */
	int64_t next_event_id;       /* 0 = read max(event_id) first */
	int64_t saved_next_id;       /* next_event_id as meta last knew it */
	char keybuf[1024];
};

static void pool_init(struct resolver *r);
static int resolve_forget(struct resolver *r);

static void
resolve_finalize_all(struct resolver *r)
{
	int i;

	for (i = 0; i < S_MAX; i++) {
		db_finalize(r->st[i]);
		r->st[i] = NULL;
	}
}

int
resolve_open(struct store *store, struct resolver **out, char *err, size_t errsz)
{
	struct resolver *r;
	int i;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return -1;
	r->db = store_dbh(store);
	r->threads = calloc(RESOLVE_THREAD_SLOTS, sizeof *r->threads);
	r->dedup = calloc(RESOLVE_DEDUP_SLOTS, sizeof *r->dedup);
	r->rexmit = calloc(RESOLVE_REXMIT_SLOTS, sizeof *r->rexmit);
	r->pool = calloc(RESOLVE_POOL, sizeof *r->pool);
	r->pool_free = calloc(RESOLVE_POOL, sizeof *r->pool_free);
	if (r->threads == NULL || r->dedup == NULL || r->rexmit == NULL || r->pool == NULL ||
	    r->pool_free == NULL)
		goto fail;
	pool_init(r);
	for (i = 0; i < S_MAX; i++) {
		if (db_prepare(r->db, resolve_sql[i], &r->st[i]) != SQLITE_OK) {
			snprintf(err, errsz, "preparing \"%s\": %s", resolve_sql[i],
			    db_errmsg(r->db));
			goto fail;
		}
	}
	if (overlay_open(r->db, &r->ov, err, errsz) != SQLITE_OK ||
	    pulse_open(r->db, &r->pulse, err, errsz) != SQLITE_OK)
		goto fail;
	strmap_init(&r->aliases, RESOLVE_CACHE_MAX);
	strmap_init(&r->sysips, RESOLVE_CACHE_MAX);
	strmap_init(&r->tunnels, RESOLVE_CACHE_MAX);
	strmap_init(&r->seen, RESOLVE_CACHE_MAX);
	strmap_init(&r->trail_touched, RESOLVE_CACHE_MAX);
	*out = r;
	return 0;
fail:
	resolve_finalize_all(r);
	overlay_free(r->ov);
	pulse_free(r->pulse);
	free(r->threads);
	free(r->dedup);
	free(r->rexmit);
	free(r->pool);
	free(r->pool_free);
	free(r);
	return -1;
}

/* Every held row back to the free stack, their JSON freed. */
static void
pool_init(struct resolver *r)
{
	int i;

	for (i = 0; i < RESOLVE_POOL; i++) {
		free(r->pool[i].detail);
		r->pool[i].detail = NULL;
		r->pool_free[i] = RESOLVE_POOL - 1 - i;
	}
	r->npool_free = RESOLVE_POOL;
}

/* The caches only; held rows stay (see resolve_forget). */
static void
resolve_clear_caches(struct resolver *r)
{
	strmap_clear(&r->aliases);
	strmap_clear(&r->sysips);
	strmap_clear(&r->tunnels);
	strmap_clear(&r->seen);
	memset(r->dedup, 0, RESOLVE_DEDUP_SLOTS * sizeof *r->dedup);
	memset(r->rexmit, 0, RESOLVE_REXMIT_SLOTS * sizeof *r->rexmit);
}

void
resolve_set_sink(struct resolver *r, const struct resolve_sink *sink)
{
	if (sink != NULL)
		r->sink = *sink;
	else
		memset(&r->sink, 0, sizeof r->sink);
}

/*
 * Without a feed (import), the tunnels given DPD lines, which have no
 * events row for the correlator to find: resolve_trail_touched() hands
 * them over.  Kept through rollbacks (one more look costs nothing).
 */
static void
trail_touch(struct resolver *r, int64_t tun, int64_t us)
{
	char k[24];
	size_t kl;
	int64_t have;

	if (r->sink.event != NULL || tun == 0 || us == INT64_MIN)
		return;
	kl = util_i64_text(k, tun);
	if (!strmap_get(&r->trail_touched, k, kl, &have) || us < have)
		strmap_put(&r->trail_touched, k, kl, us);
}

void
resolve_trail_touched(struct resolver *r, void (*fn)(void *arg, int64_t tunnel_id,
    int64_t us), void *arg)
{
	size_t i;

	for (i = 0; i < r->trail_touched.cap; i++) {
		const struct strmap_entry *e = &r->trail_touched.slots[i];
		if (e->key != NULL)
			fn(arg, strtoll(e->key, NULL, 10), e->value);
	}
	strmap_clear(&r->trail_touched);
}

int
resolve_host_system_ip(struct resolver *r, const char *host, size_t len, char *out,
    size_t outsz)
{
	struct db_stmt *s = r->st[S_HOST_SYSIP];
	int found = 0;

	if (len == 0 || outsz == 0)
		return 0;
	db_bind_text_ref(s, 1, host, (int)len);
	if (db_step(s) == SQLITE_ROW && db_column_text(s, 0) != NULL) {
		snprintf(out, outsz, "%s", (const char *)db_column_text(s, 0));
		found = 1;
	}
	db_reset(s);
	db_clear_bindings(s);
	return found;
}

/* The feed's callbacks, when there is a feed. */
static void
sink_gap(struct resolver *r, int64_t tun, int64_t us)
{
	if (r->sink.gap != NULL && tun != 0)
		r->sink.gap(r->sink.arg, tun, us);
}

void
resolve_reset(struct resolver *r)
{
	/* The held rows belonged to the rolled-back transaction: drop them,
	 * the replay makes them again.  Ids are read again from the table. */
	resolve_clear_caches(r);
	memset(r->threads, 0, RESOLVE_THREAD_SLOTS * sizeof *r->threads);
	pool_init(r);
	pulse_reset(r->pulse);
	if (r->sink.reset != NULL)
		r->sink.reset(r->sink.arg);
	r->next_event_id = 0;
	r->saved_next_id = 0;
	r->nmerge = 0;
}

void
resolve_free(struct resolver *r)
{
	if (r == NULL)
		return;
	resolve_finalize_all(r);
	overlay_free(r->ov);
	pulse_free(r->pulse);
	strmap_free(&r->aliases);
	strmap_free(&r->sysips);
	strmap_free(&r->tunnels);
	strmap_free(&r->seen);
	strmap_free(&r->trail_touched);
	if (r->pool != NULL)
		pool_init(r);
	free(r->threads);
	free(r->dedup);
	free(r->rexmit);
	free(r->pool);
	free(r->pool_free);
	free(r);
}

/* ---- statement helpers ------------------------------------------------ */

static void
bind_text_or_null(struct db_stmt *s, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		db_bind_text_ref(s, i, v, -1);
	else
		db_bind_null(s, i);
}

/* Steps a statement expected to return at most one integer; *out = 0 when
 * no row.  Returns SQLITE_OK or the error. */
static int
step_id(struct resolver *r, struct db_stmt *s, int64_t *out)
{
	int rc = db_step(s);

	*out = 0;
	if (rc == SQLITE_ROW) {
		*out = db_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	} else {
		log_warnx("sqlite: %s in: %s", db_errmsg(r->db), db_sql(s));
	}
	db_reset(s);
	db_clear_bindings(s);
	return rc;
}

static int
step_done(struct resolver *r, struct db_stmt *s)
{
	int rc = db_step(s);

	db_reset(s);
	db_clear_bindings(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return SQLITE_OK;
	log_warnx("sqlite: %s in: %s", db_errmsg(r->db), db_sql(s));
	return rc;
}

/* Cache keys are built on every line: by hand, not with snprintf. */
static size_t
key_put(char *buf, size_t at, size_t cap, const char *v)
{
	size_t n = v != NULL ? strlen(v) : 0;

	if (n > cap - 1 - at)
		n = cap - 1 - at;
	memcpy(buf + at, v != NULL ? v : "", n);
	return at + n;
}

/* An IKE_SA unique id as text, in buf (16 bytes). */
static void
uid_text(char *buf, uint32_t uid)
{
	buf[util_i64_text(buf, uid)] = '\0';
}

/* "a\x1fb" in r->keybuf; returns its length. */
static size_t
key2(struct resolver *r, const char *a, const char *b)
{
	size_t n = key_put(r->keybuf, 0, sizeof r->keybuf - 1, a);

	r->keybuf[n++] = '\x1f';
	n = key_put(r->keybuf, n, sizeof r->keybuf, b);
	r->keybuf[n] = '\0';
	return n;
}

/* "dev\x1fK\x1fa\x1fb" in r->keybuf; returns its length. */
static size_t
tkey(struct resolver *r, int64_t dev, char kind, const char *a, const char *b)
{
	size_t n = util_i64_text(r->keybuf, dev);

	r->keybuf[n++] = '\x1f';
	r->keybuf[n++] = kind;
	r->keybuf[n++] = '\x1f';
	n = key_put(r->keybuf, n, sizeof r->keybuf - 1, a);
	r->keybuf[n++] = '\x1f';
	n = key_put(r->keybuf, n, sizeof r->keybuf, b);
	r->keybuf[n] = '\0';
	return n;
}

/* ---- devices ---------------------------------------------------------- */

static int
alias_get(struct resolver *r, const char *kind, const char *value, int64_t *dev)
{
	size_t kl = key2(r, kind, value);
	struct db_stmt *s = r->st[S_ALIAS_GET];
	int rc;

	if (strmap_get(&r->aliases, r->keybuf, kl, dev))
		return SQLITE_OK;
	db_bind_text_ref(s, 1, kind, -1);
	db_bind_text_ref(s, 2, value, -1);
	if ((rc = step_id(r, s, dev)) == SQLITE_OK && *dev != 0) {
		kl = key2(r, kind, value);
		strmap_put(&r->aliases, r->keybuf, kl, *dev);
	}
	return rc;
}

static int
alias_put(struct resolver *r, const char *kind, const char *value, int64_t dev,
    int64_t us)
{
	struct db_stmt *s = r->st[S_ALIAS_PUT];
	int64_t have;
	int rc;

	if (value == NULL || value[0] == '\0')
		return SQLITE_OK;
	if ((rc = alias_get(r, kind, value, &have)) != SQLITE_OK || have != 0)
		return rc;      /* an alias belongs to the device that had it first */
	db_bind_text_ref(s, 1, kind, -1);
	db_bind_text_ref(s, 2, value, -1);
	db_bind_int64(s, 3, dev);
	if (us != INT64_MIN)
		db_bind_int64(s, 4, us);
	if ((rc = step_done(r, s)) == SQLITE_OK) {
		size_t kl = key2(r, kind, value);
		strmap_put(&r->aliases, r->keybuf, kl, dev);
	}
	return rc;
}

static int
device_by_sysip(struct resolver *r, const char *ip, int64_t *dev)
{
	struct db_stmt *s = r->st[S_SYSIP_GET];
	int rc;

	if (strmap_get(&r->sysips, ip, strlen(ip), dev))
		return SQLITE_OK;
	db_bind_text_ref(s, 1, ip, -1);
	if ((rc = step_id(r, s, dev)) == SQLITE_OK && *dev != 0)
		strmap_put(&r->sysips, ip, strlen(ip), *dev);
	return rc;
}

static int
device_new(struct resolver *r, const char *sysip, const char *host, int64_t us,
    int64_t *dev)
{
	struct db_stmt *s = r->st[S_DEV_NEW];
	int rc;

	bind_text_or_null(s, 1, sysip);
	bind_text_or_null(s, 2, host);
	if (us != INT64_MIN)
		db_bind_int64(s, 3, us);
	if ((rc = step_done(r, s)) != SQLITE_OK)
		return rc;
	*dev = db_last_insert_id(r->db);
	if (sysip != NULL && sysip[0] != '\0')
		strmap_put(&r->sysips, sysip, strlen(sysip), *dev);
	return SQLITE_OK;
}

static int
device_has_sysip(struct resolver *r, int64_t dev, int *has)
{
	struct db_stmt *s = r->st[S_DEV_SYSIP_OF];
	int rc;

	db_bind_int64(s, 1, dev);
	rc = db_step(s);
	*has = rc == SQLITE_ROW && db_column_type(s, 0) != SQLITE_NULL;
	db_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs one parameterised statement with two integer ids. */
static int
exec_ids(struct resolver *r, const char *sql, int64_t a, int64_t b)
{
	struct db_stmt *s = NULL;
	int rc;

	if ((rc = db_prepare(r->db, sql, &s)) != SQLITE_OK) {
		log_warnx("sqlite: %s in: %s", db_errmsg(r->db), sql);
		return rc;
	}
	db_bind_int64(s, 1, a);
	db_bind_int64(s, 2, b);
	rc = db_step(s);
	db_finalize(s);
	if (rc != SQLITE_DONE) {
		log_warnx("sqlite: %s in: %s", db_errmsg(r->db), sql);
		return rc;
	}
	return SQLITE_OK;
}

/* Folds tunnel `from` into `into`: events, IKE_SA ids and addresses move;
 * `from` stays as a renamed record pointing at `into`. */
static int
tunnel_merge(struct resolver *r, int64_t from, int64_t into)
{
	static const char *const sql[] = {
		"UPDATE events SET tunnel_id = ?2 WHERE tunnel_id = ?1",
		"UPDATE ike_sas SET tunnel_id = ?2 WHERE tunnel_id = ?1",
		"UPDATE tunnels SET"
		" conn_name = coalesce(conn_name, (SELECT conn_name FROM tunnels WHERE tunnel_id = ?1)),"
		" local_ip = coalesce(local_ip, (SELECT local_ip FROM tunnels WHERE tunnel_id = ?1)),"
		" peer_ip = coalesce(peer_ip, (SELECT peer_ip FROM tunnels WHERE tunnel_id = ?1)),"
		" first_us = min(coalesce(first_us, (SELECT first_us FROM tunnels WHERE tunnel_id = ?1)),"
		"   coalesce((SELECT first_us FROM tunnels WHERE tunnel_id = ?1), first_us))"
		" WHERE tunnel_id = ?2",
		"UPDATE tunnels SET merged_into = ?2, name = name || '~' || tunnel_id"
		" WHERE tunnel_id = ?1",
		"UPDATE tunnels SET merged_into = ?2 WHERE merged_into = ?1",
		/* The correlator replays the merged tunnel from its first event. */
		"DELETE FROM incident_evidence WHERE incident_id IN"
		" (SELECT incident_id FROM incidents WHERE tunnel_id IN (?1, ?2))",
		"DELETE FROM incidents WHERE tunnel_id IN (?1, ?2)",
		"DELETE FROM tunnel_state WHERE tunnel_id IN (?1, ?2)",
	};
	size_t i;
	int rc;

	if (from == into)
		return SQLITE_OK;
	/* Held rows first, so that the merge moves them too; then every
	 * cached key that pointed at `from` is stale. */
	if ((rc = resolve_forget(r)) != SQLITE_OK ||
	    (rc = pulse_merge_tunnel(r->pulse, from, into)) != SQLITE_OK)
		return rc;
	sink_gap(r, from, INT64_MIN);
	sink_gap(r, into, INT64_MIN);
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if ((rc = exec_ids(r, sql[i], from, into)) != SQLITE_OK)
			return rc;
	log_debug("merged tunnel %" PRId64 " into %" PRId64, from, into);
	return SQLITE_OK;
}

/* Folds device `from` (known only by names) into `into` (its system-ip). */
static int
device_merge(struct resolver *r, int64_t from, int64_t into)
{
	struct db_stmt *s = NULL;
	int rc;

	if (from == into)
		return SQLITE_OK;
	if ((rc = resolve_forget(r)) != SQLITE_OK)
		return rc;
	/* Same-named tunnels merge; the others move over. */
	rc = db_prepare(r->db, "SELECT a.tunnel_id, b.tunnel_id FROM tunnels a"
	    " JOIN tunnels b ON b.device_id = ?2 AND b.name = a.name"
	    " WHERE a.device_id = ?1", &s);
	if (rc != SQLITE_OK)
		return rc;
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, into);
	while ((rc = db_step(s)) == SQLITE_ROW) {
		int64_t a = db_column_int64(s, 0), b = db_column_int64(s, 1);
		if ((rc = tunnel_merge(r, a, b)) != SQLITE_OK)
			break;
	}
	db_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	if ((rc = exec_ids(r, "UPDATE tunnels SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE events SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE incidents SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    /* An IKE_SA id both devices knew is from's now (the SQL of both
	     * backends for SQLite's UPDATE OR REPLACE). */
	    (rc = exec_ids(r, "DELETE FROM ike_sas WHERE device_id = ?2 AND ike_uid IN"
	    " (SELECT ike_uid FROM ike_sas WHERE device_id = ?1)", from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE ike_sas SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    /* A restart both knew stays into's (UPDATE OR IGNORE). */
	    (rc = exec_ids(r, "UPDATE restarts SET device_id = ?2 WHERE device_id = ?1 AND"
	    " device_us NOT IN (SELECT device_us FROM restarts WHERE device_id = ?2)",
	    from, into)) != SQLITE_OK ||
	    (rc = overlay_merge_device(r->ov, from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "DELETE FROM restarts WHERE device_id = ?1 AND ?2 = ?2",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE device_aliases SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE devices SET"
	    " first_us = min(coalesce(first_us, (SELECT first_us FROM devices WHERE device_id = ?1)),"
	    "   coalesce((SELECT first_us FROM devices WHERE device_id = ?1), first_us)),"
	    " last_us = max(coalesce(last_us, 0), coalesce((SELECT last_us FROM devices WHERE device_id = ?1), 0)),"
	    " hostname = coalesce(hostname, (SELECT hostname FROM devices WHERE device_id = ?1))"
	    " WHERE device_id = ?2", from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "DELETE FROM devices WHERE device_id = ?1 AND ?2 = ?2",
	    from, into)) != SQLITE_OK)
		return rc;
	log_info("device %" PRId64 " is device %" PRId64 " (system-ip learned): merged",
	    from, into);
	return resolve_forget(r);
}

/* 1 when name is known[1..] with one stray leading character. */
static int
resolve_mangled_of(const char *name, const char *known)
{
	return name[0] != '\0' && strcmp(name + 1, known) == 0;
}

/*
 * *dev = dev when its hostname is `host` with one stray leading character
 * (the device was named after a mangled line); the device then takes
 * `host` as its hostname.  Else *dev = 0.
 */
static int
device_true_name(struct resolver *r, int64_t dev, const char *host, int64_t *out)
{
	struct db_stmt *s = r->st[S_DEV_HOST];
	int rc, same = 0;

	*out = 0;
	db_bind_int64(s, 1, dev);
	rc = db_step(s);
	if (rc == SQLITE_ROW && db_column_text(s, 0) != NULL)
		same = resolve_mangled_of((const char *)db_column_text(s, 0), host);
	db_reset(s);
	db_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	if (!same)
		return SQLITE_OK;
	s = r->st[S_DEV_RENAME];
	db_bind_int64(s, 1, dev);
	db_bind_text_ref(s, 2, host, -1);
	if ((rc = step_done(r, s)) != SQLITE_OK)
		return rc;
	log_debug("device %" PRId64 ": hostname %s (first seen mangled)", dev, host);
	*out = dev;
	return SQLITE_OK;
}

/*
 * A hostname no alias knows, from a source (sender address, imported file)
 * whose device is known under the same name with one stray leading
 * character: that device.  Either way round: "Lvedge01" for a known
 * "vedge01" (the field guide's mangled lines), or "vedge01" for a device
 * first seen as "Lvedge01" (a file whose first line is mangled), which
 * then takes the true name.  *dev = 0 otherwise.
 */
static int
device_by_mangled(struct resolver *r, const char *host, const char *srckind,
    const char *srcval, int64_t *dev)
{
	int64_t s_dev = 0, m_dev = 0;
	int rc;

	*dev = 0;
	if ((rc = alias_get(r, srckind, srcval, &s_dev)) != SQLITE_OK || s_dev == 0)
		return rc;
	if ((rc = alias_get(r, "hostname", host + 1, &m_dev)) != SQLITE_OK)
		return rc;
	if (s_dev == m_dev) {
		*dev = m_dev;
		return SQLITE_OK;
	}
	return device_true_name(r, s_dev, host, dev);
}

/* The device a line belongs to; created when new. */
static int
resolve_device(struct resolver *r, const struct line_facts *f,
    const struct resolve_source *src, int64_t us, int64_t *dev)
{
	const char *srckind = src->sender_ip != NULL ? "sender" : "file";
	const char *srcval = src->sender_ip != NULL ? src->sender_ip : src->file;
	int64_t by_host = 0, by_sys = 0, other;
	int rc, has;

	*dev = 0;
	if (f->host[0] != '\0' && (rc = alias_get(r, "hostname", f->host, &by_host)) != SQLITE_OK)
		return rc;
	if (by_host == 0 && f->host[0] != '\0' && srcval != NULL && strlen(f->host) > 2 &&
	    (rc = device_by_mangled(r, f->host, srckind, srcval, &by_host)) != SQLITE_OK)
		return rc;
	if (f->sysip[0] != '\0') {
		/* FTMD: the system-ip decides, and names seen with it join. */
		if ((rc = device_by_sysip(r, f->sysip, &by_sys)) != SQLITE_OK)
			return rc;
		if (by_sys == 0 && by_host != 0) {
			if ((rc = device_has_sysip(r, by_host, &has)) != SQLITE_OK)
				return rc;
			if (!has) {
				db_bind_int64(r->st[S_DEV_SET_SYSIP], 1, by_host);
				db_bind_text_ref(r->st[S_DEV_SET_SYSIP], 2, f->sysip, -1);
				if ((rc = step_done(r, r->st[S_DEV_SET_SYSIP])) != SQLITE_OK)
					return rc;
				strmap_put(&r->sysips, f->sysip, strlen(f->sysip), by_host);
				by_sys = by_host;
			}
		}
		if (by_sys == 0 && (rc = device_new(r, f->sysip,
		    f->host[0] ? f->host : f->host_name, us, &by_sys)) != SQLITE_OK)
			return rc;
		/* Name-only devices that are this one merge into it. */
		{
			const char *names[3][2] = { { "hostname", f->host },
			    { "tag_host", f->tag_host }, { "host_name", f->host_name } };
			for (int i = 0; i < 3; i++) {
				if (names[i][1][0] == '\0')
					continue;
				if ((rc = alias_get(r, names[i][0], names[i][1], &other)) != SQLITE_OK)
					return rc;
				if (other == 0 || other == by_sys)
					continue;
				if ((rc = device_has_sysip(r, other, &has)) != SQLITE_OK)
					return rc;
				if (!has && (rc = device_merge(r, other, by_sys)) != SQLITE_OK)
					return rc;
			}
		}
		*dev = by_sys;
	} else if (by_host != 0) {
		*dev = by_host;
	} else if (f->host[0] != '\0') {
		if ((rc = device_new(r, NULL, f->host, us, dev)) != SQLITE_OK)
			return rc;
	} else {
		/* No name at all: the sender (or the file) stands for it. */
		if (srcval != NULL && (rc = alias_get(r, srckind, srcval, dev)) != SQLITE_OK)
			return rc;
		if (*dev == 0 && (rc = device_new(r, NULL, NULL, us, dev)) != SQLITE_OK)
			return rc;
	}
	if ((rc = alias_put(r, "hostname", f->host, *dev, us)) != SQLITE_OK ||
	    (rc = alias_put(r, "tag_host", f->tag_host, *dev, us)) != SQLITE_OK ||
	    (rc = alias_put(r, "host_name", f->host_name, *dev, us)) != SQLITE_OK ||
	    (rc = alias_put(r, srckind, srcval, *dev, us)) != SQLITE_OK)
		return rc;
	/* first/last seen: written when the device time moves by a minute. */
	if (us != INT64_MIN) {
		char k[24];
		size_t kl = util_i64_text(k, *dev);
		int64_t last = 0;
		if (!strmap_get(&r->seen, k, kl, &last) ||
		    us > last + 60 * 1000000LL || us < last - 60 * 1000000LL) {
			db_bind_int64(r->st[S_DEV_SEEN], 1, *dev);
			db_bind_int64(r->st[S_DEV_SEEN], 2, us);
			if ((rc = step_done(r, r->st[S_DEV_SEEN])) != SQLITE_OK)
				return rc;
			strmap_put(&r->seen, k, kl, us);
		}
	}
	return SQLITE_OK;
}

/* ---- tunnels ---------------------------------------------------------- */

/* What a peer address shared by two tunnels or more resolves to: none of
 * them ("only a peer address used by a single tunnel identifies it"),
 * and no record of its own either.  Kept in the cache under the peer's
 * key, so that the next line asks neither the database nor the learning
 * order. */
#define TUNNEL_AMBIGUOUS (-1)

static int
tunnel_lookup(struct resolver *r, int64_t dev, char kind, const char *a,
    const char *b, int which, int64_t *tun)
{
	size_t kl = tkey(r, dev, kind, a, b);
	struct db_stmt *s = r->st[which];
	int rc;

	*tun = 0;
	if (strmap_get(&r->tunnels, r->keybuf, kl, tun))
		return SQLITE_OK;       /* TUNNEL_AMBIGUOUS stays as it is */
	db_bind_int64(s, 1, dev);
	if (which == S_TUN_BY_UID)
		db_bind_int64(s, 2, strtoll(a, NULL, 10));
	else
		db_bind_text_ref(s, 2, a, -1);
	if (b != NULL)
		db_bind_text_ref(s, 3, b, -1);
	if (which == S_TUN_BY_PEER) {
		/* Only a peer address used by a single tunnel identifies it. */
		int64_t first = 0;
		rc = db_step(s);
		if (rc == SQLITE_ROW) {
			first = db_column_int64(s, 0);
			rc = db_step(s);
			*tun = rc == SQLITE_DONE ? first : rc == SQLITE_ROW ? TUNNEL_AMBIGUOUS : 0;
		}
		db_reset(s);
		db_clear_bindings(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return rc;
	} else if ((rc = step_id(r, s, tun)) != SQLITE_OK) {
		return rc;
	}
	if (*tun != 0) {
		kl = tkey(r, dev, kind, a, b);
		strmap_put(&r->tunnels, r->keybuf, kl, *tun);
	}
	return SQLITE_OK;
}

static void
tunnel_cache(struct resolver *r, int64_t dev, char kind, const char *a,
    const char *b, int64_t tun)
{
	size_t kl = tkey(r, dev, kind, a, b);

	strmap_put(&r->tunnels, r->keybuf, kl, tun);
}

static int
tunnel_new(struct resolver *r, int64_t dev, const char *name, const char *iface,
    const struct line_facts *f, int64_t us, int64_t *tun)
{
	struct db_stmt *s = r->st[S_TUN_NEW];
	int rc;

	db_bind_int64(s, 1, dev);
	db_bind_text_ref(s, 2, name, -1);
	bind_text_or_null(s, 3, iface);
	bind_text_or_null(s, 4, f->conn);
	bind_text_or_null(s, 5, f->local_ip);
	bind_text_or_null(s, 6, f->peer_ip);
	if (us != INT64_MIN)
		db_bind_int64(s, 7, us);
	if ((rc = step_done(r, s)) != SQLITE_OK)
		return rc;
	*tun = db_last_insert_id(r->db);
	if (r->sink.born != NULL)
		r->sink.born(r->sink.arg, *tun);
	tunnel_cache(r, dev, 'N', name, NULL, *tun);
	tunnel_cache(r, dev, '1', "", NULL, 0);      /* tunnel count changed */
	return SQLITE_OK;
}

/* The device's only tunnel, or 0.  Cached as the id, or -1 for "none or
 * several" (0: ask again; tunnel_new resets it). */
static int
tunnel_single(struct resolver *r, int64_t dev, int64_t *tun)
{
	size_t kl = tkey(r, dev, '1', "", NULL);
	struct db_stmt *s = r->st[S_TUN_SINGLE];
	int64_t first = 0;
	int rc;

	if (strmap_get(&r->tunnels, r->keybuf, kl, tun) && *tun != 0) {
		if (*tun < 0)
			*tun = 0;
		return SQLITE_OK;
	}
	*tun = 0;
	db_bind_int64(s, 1, dev);
	rc = db_step(s);
	if (rc == SQLITE_ROW) {
		first = db_column_int64(s, 0);
		rc = db_step(s);
		if (rc == SQLITE_DONE)
			*tun = first;
	}
	db_reset(s);
	db_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rc;
	tunnel_cache(r, dev, '1', "", NULL, *tun != 0 ? *tun : -1);
	return SQLITE_OK;
}

/* 1 when the cache already ties key (in r->keybuf, kl long) to tun. */
static int
tunnel_known(struct resolver *r, size_t kl, int64_t tun)
{
	int64_t have;

	return strmap_get(&r->tunnels, r->keybuf, kl, &have) && have == tun;
}

/* Records what this line taught about tunnel tun. */
static int
tunnel_learn(struct resolver *r, int64_t dev, int64_t tun, const struct line_facts *f)
{
	char uid[16], tid[24];
	int64_t have;
	size_t kl;
	int rc, changed = 0;

	if (f->conn[0] != '\0' &&
	    !tunnel_known(r, tkey(r, dev, 'C', f->conn, NULL), tun)) {
		tunnel_cache(r, dev, 'C', f->conn, NULL, tun);
		changed = 1;
	}
	if (f->peer_ip[0] != '\0') {
		if (f->local_ip[0] != '\0' &&
		    !tunnel_known(r, tkey(r, dev, 'P', f->local_ip, f->peer_ip), tun)) {
			tunnel_cache(r, dev, 'P', f->local_ip, f->peer_ip, tun);
			changed = 1;
		}
		/* Whether this record has the peer yet; the peer's own key says
		 * which record it identifies: this one once the database says
		 * so (tunnel_lookup), none once a second record shows it. */
		snprintf(tid, sizeof tid, "%lld", (long long)tun);
		if (!tunnel_known(r, tkey(r, dev, 'Q', f->peer_ip, tid), tun)) {
			tunnel_cache(r, dev, 'Q', f->peer_ip, tid, tun);
			changed = 1;
		}
		kl = tkey(r, dev, 'R', f->peer_ip, NULL);
		if (strmap_get(&r->tunnels, r->keybuf, kl, &have) && have != tun)
			strmap_put(&r->tunnels, r->keybuf, kl, TUNNEL_AMBIGUOUS);
	}
	if (changed) {
		struct db_stmt *s = r->st[S_TUN_LEARN];
		db_bind_int64(s, 1, tun);
		bind_text_or_null(s, 2, f->conn);
		bind_text_or_null(s, 3, f->local_ip);
		bind_text_or_null(s, 4, f->peer_ip);
		if ((rc = step_done(r, s)) != SQLITE_OK)
			return rc;
	}
	if (f->has_uid) {
		uid_text(uid, f->uid);
		if (!tunnel_known(r, tkey(r, dev, 'U', uid, NULL), tun)) {
			struct db_stmt *s = r->st[S_UID_PUT];
			db_bind_int64(s, 1, dev);
			db_bind_int64(s, 2, f->uid);
			db_bind_int64(s, 3, tun);
			if ((rc = step_done(r, s)) != SQLITE_OK)
				return rc;
			tunnel_cache(r, dev, 'U', uid, NULL, tun);
		}
	}
	return SQLITE_OK;
}

/* *named = the record has its interface; *has_peer = it has a peer
 * address.  Both 0 when the record was merged away or is gone. */
static int
tunnel_info(struct resolver *r, int64_t tun, int *named, int *has_peer)
{
	struct db_stmt *s = r->st[S_TUN_INFO];
	int rc;

	*named = *has_peer = 0;
	db_bind_int64(s, 1, tun);
	rc = db_step(s);
	if (rc == SQLITE_ROW) {
		*named = (int)db_column_int64(s, 0);
		*has_peer = (int)db_column_int64(s, 1);
	}
	db_reset(s);
	db_clear_bindings(s);
	if (rc == SQLITE_ROW)
		return SQLITE_OK;
	if (rc == SQLITE_DONE) {
		*named = -1;            /* no such live record */
		return SQLITE_OK;
	}
	log_warnx("sqlite: %s in: %s", db_errmsg(r->db), db_sql(s));
	return rc;
}

/*
 * Identity that converges: the line names tunnel `named` and carries other
 * facts (connection name, address pair, peer).  A record those facts were
 * first seen under, known only by them (no interface), is the same tunnel:
 * it merges into `named` — its stored lines move, and the correlator
 * derives the tunnel again from its first line.  A record that has an
 * interface of its own is another tunnel and is left alone.  IKE_SA unique
 * ids are not used: charon numbers them anew after a restart.
 */
static int
tunnel_absorb(struct resolver *r, int64_t dev, int64_t named, const struct line_facts *f)
{
	int64_t t;
	int i, rc = SQLITE_OK, is_named, has_peer;

	for (i = 0; i < 3; i++) {
		t = 0;
		if (i == 0 && f->conn[0] != '\0')
			rc = tunnel_lookup(r, dev, 'C', f->conn, NULL, S_TUN_BY_CONN, &t);
		else if (i == 1 && f->local_ip[0] != '\0' && f->peer_ip[0] != '\0')
			rc = tunnel_lookup(r, dev, 'P', f->local_ip, f->peer_ip, S_TUN_BY_PAIR, &t);
		else if (i == 2 && f->peer_ip[0] != '\0')
			rc = tunnel_lookup(r, dev, 'R', f->peer_ip, NULL, S_TUN_BY_PEER, &t);
		if (rc != SQLITE_OK)
			return rc;
		if (t == 0 || t == named)
			continue;
		if ((rc = tunnel_info(r, t, &is_named, &has_peer)) != SQLITE_OK)
			return rc;
		if (is_named != 0)
			continue;
		log_debug("tunnel %" PRId64 " (by address) is tunnel %" PRId64 ": merged",
		    t, named);
		if ((rc = tunnel_merge(r, t, named)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/*
 * A line that names a tunnel no record has (or addresses one no record
 * has) on a device whose only record is known the other way — only by
 * address (or only by name): that record, as unattributed lines of a
 * single-tunnel device are (a file that starts mid-stream, after the line
 * that tied name and address).  *t = 0 otherwise.
 */
static int
tunnel_only_other(struct resolver *r, int64_t dev, const struct line_facts *f, int64_t *t)
{
	int64_t one = 0;
	int named, has_peer, rc;

	*t = 0;
	if ((rc = tunnel_single(r, dev, &one)) != SQLITE_OK || one == 0)
		return rc;
	if ((rc = tunnel_info(r, one, &named, &has_peer)) != SQLITE_OK)
		return rc;
	if (f->iface[0] != '\0' ? named == 0 : named == 1 && !has_peer)
		*t = one;
	return SQLITE_OK;
}

/*
 * The tunnel named or implied by the line's own facts; 0 when the line
 * carries nothing that identifies one.
 */
static int
resolve_tunnel(struct resolver *r, int64_t dev, const struct line_facts *f,
    int64_t us, int64_t *tun)
{
	int64_t t = 0, named = 0;
	char uid[16];
	int rc;

	*tun = 0;
	if (f->iface[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'N', f->iface, NULL, S_TUN_BY_NAME, &named)) != SQLITE_OK)
		return rc;
	if (named != 0 && (f->conn[0] != '\0' || f->peer_ip[0] != '\0') &&
	    (rc = tunnel_absorb(r, dev, named, f)) != SQLITE_OK)
		return rc;
	t = named;
	if (t == 0 && f->conn[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'C', f->conn, NULL, S_TUN_BY_CONN, &t)) != SQLITE_OK)
		return rc;
	if (t == 0 && f->has_uid) {
		uid_text(uid, f->uid);
		if ((rc = tunnel_lookup(r, dev, 'U', uid, NULL, S_TUN_BY_UID, &t)) != SQLITE_OK)
			return rc;
	}
	if (t == 0 && f->local_ip[0] != '\0' && f->peer_ip[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'P', f->local_ip, f->peer_ip,
	    S_TUN_BY_PAIR, &t)) != SQLITE_OK)
		return rc;
	if (t == 0 && f->peer_ip[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'R', f->peer_ip, NULL, S_TUN_BY_PEER, &t)) != SQLITE_OK)
		return rc;
	if (t == TUNNEL_AMBIGUOUS) {
		t = 0;
		/* Only the shared peer to go by: the line is none of its
		 * records', and naming a new one after the peer would split
		 * them further. */
		if (f->iface[0] == '\0' && f->conn[0] == '\0')
			return SQLITE_OK;
	}

	if (t == 0 && named == 0 && (f->iface[0] != '\0') != (f->peer_ip[0] != '\0') &&
	    (rc = tunnel_only_other(r, dev, f, &t)) != SQLITE_OK)
		return rc;
	if (f->iface[0] != '\0' && t != named) {
		/* The line names the interface of a tunnel known so far only by
		 * connection, id or address: merge into the named record, or
		 * give the record its name. */
		if (named != 0) {
			if ((rc = tunnel_merge(r, t, named)) != SQLITE_OK)
				return rc;
			t = named;
		} else if (t != 0) {
			struct db_stmt *s = r->st[S_TUN_RENAME];
			db_bind_int64(s, 1, t);
			db_bind_text_ref(s, 2, f->iface, -1);
			db_bind_text_ref(s, 3, f->iface, -1);
			if ((rc = step_done(r, s)) != SQLITE_OK)
				return rc;
			strmap_clear(&r->tunnels);
			tunnel_cache(r, dev, 'N', f->iface, NULL, t);
		}
	}
	if (t == 0) {
		char name[96];
		if (f->iface[0] != '\0')
			snprintf(name, sizeof name, "%s", f->iface);
		else if (f->conn[0] != '\0')
			snprintf(name, sizeof name, "%s", f->conn);
		else if (f->peer_ip[0] != '\0')
			snprintf(name, sizeof name, "peer:%s", f->peer_ip);
		else
			return SQLITE_OK;       /* nothing to name a tunnel by */
		/* A record of that name may exist (e.g. merged earlier). */
		if ((rc = tunnel_lookup(r, dev, 'N', name, NULL, S_TUN_BY_NAME, &t)) != SQLITE_OK)
			return rc;
		if (t == 0 && (rc = tunnel_new(r, dev, name, f->iface[0] ? f->iface : NULL,
		    f, us, &t)) != SQLITE_OK)
			return rc;
	}
	if ((rc = tunnel_learn(r, dev, t, f)) != SQLITE_OK)
		return rc;
	*tun = t;
	return SQLITE_OK;
}

/* ---- retransmits and give-ups ------------------------------------------ */

/* The first line of a charon job of its own (a timer's: retransmit,
 * give-up, DPD): never the previous job's on the same thread, however
 * close in time; it waits for its own job's next line. */
static int
kind_starts_job(const char *kind)
{
	return strcmp(kind, "retransmit") == 0 || strcmp(kind, "give_up") == 0 ||
	    strcmp(kind, "dpd_request") == 0;
}

/* The newest retransmit a slot remembers (INT64_MIN: none). */
static int64_t
rexmit_newest(const struct rexmit_slot *s)
{
	int64_t n = INT64_MIN;
	int i;

	for (i = 0; i < RESOLVE_REXMIT_TUNNELS; i++)
		if (s->t[i].tunnel_id != 0 && s->t[i].us > n)
			n = s->t[i].us;
	return n;
}

/*
 * Device dev's slot, or NULL.  With create, one is made for it: among the
 * RESOLVE_REXMIT_PROBE slots it may take, a free one, else one whose
 * memory is older (or newer) than the window around us — no give-up can
 * use it — else the stalest.  So another device never takes the memory of
 * one that retransmitted within the window, unless 16 devices that share
 * its slots all do at once (the vedge0676 case of the 10-day history: two
 * devices in one slot, and the give-up lost its tunnel).
 */
static struct rexmit_slot *
rexmit_slot(struct resolver *r, int64_t dev, int64_t us, int create)
{
	size_t h = (size_t)((uint64_t)dev * 0x9e3779b97f4a7c15ULL >> 20), i;
	struct rexmit_slot *victim = NULL;
	int64_t vage = -1;

	for (i = 0; i < RESOLVE_REXMIT_PROBE; i++) {
		struct rexmit_slot *s = &r->rexmit[(h + i) & (RESOLVE_REXMIT_SLOTS - 1)];
		int64_t newest, age;
		uint64_t d;
		if (s->device_id == dev)
			return s;
		if (!create)
			continue;
		newest = s->device_id == 0 ? INT64_MIN : rexmit_newest(s);
		/* (the distance in unsigned: a hostile clock may be anywhere) */
		d = us > newest ? (uint64_t)us - (uint64_t)newest : (uint64_t)newest - (uint64_t)us;
		age = newest == INT64_MIN || d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
		if (age > vage) {
			victim = s;
			vage = age;
		}
	}
	if (victim == NULL)
		return NULL;
	memset(victim, 0, sizeof *victim);
	victim->device_id = dev;
	return victim;
}

/* A retransmit stored with its tunnel: remember it for the give-up. */
static void
rexmit_note(struct resolver *r, int64_t dev, int64_t tun, int64_t us, int64_t count)
{
	struct rexmit_slot *s;
	int i, at = 0;

	if (us == INT64_MIN || count < 0 || (s = rexmit_slot(r, dev, us, 1)) == NULL)
		return;
	/* The tunnel's own entry, else the oldest (or an empty one).  An
	 * older retransmit than the one remembered (lines in reverse order)
	 * changes nothing: the give-up counts the last. */
	for (i = 0; i < RESOLVE_REXMIT_TUNNELS; i++) {
		if (s->t[i].tunnel_id == tun) {
			if (us < s->t[i].us)
				return;
			at = i;
			break;
		}
		if (s->t[i].us < s->t[at].us)
			at = i;
	}
	s->t[at].tunnel_id = tun;
	s->t[at].us = us;
	s->t[at].count = count;
}

/* The tunnel's request was answered (or its SA is new): nothing of it is
 * left to give up on. */
static void
rexmit_answered(struct resolver *r, int64_t dev, int64_t tun)
{
	struct rexmit_slot *s = rexmit_slot(r, dev, 0, 0);
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < RESOLVE_REXMIT_TUNNELS; i++)
		if (s->t[i].tunnel_id == tun)
			memset(&s->t[i], 0, sizeof s->t[i]);
}

/* The tunnel that gave up after count retransmits at us, and forgets it:
 * of those whose last retransmit was number count, within the window, the
 * one that retransmitted first (charon gives up a fixed time after the
 * last retransmit, so give-ups come in that order); 0 when none. */
static int64_t
rexmit_give_up(struct resolver *r, int64_t dev, int64_t us, int64_t count)
{
	struct rexmit_slot *s = rexmit_slot(r, dev, 0, 0);
	int64_t best = 0, best_us = INT64_MAX;
	int i, at = -1;

	if (s == NULL || us == INT64_MIN || count < 0)
		return 0;
	for (i = 0; i < RESOLVE_REXMIT_TUNNELS; i++) {
		if (s->t[i].tunnel_id == 0 || s->t[i].count != count || s->t[i].us > us ||
		    us - s->t[i].us > RESOLVE_REXMIT_WINDOW || s->t[i].us >= best_us)
			continue;
		best = s->t[i].tunnel_id;
		best_us = s->t[i].us;
		at = i;
	}
	if (at >= 0)
		memset(&s->t[at], 0, sizeof s->t[at]);
	return best;
}

/* ---- state edges at the same instant ------------------------------------ */

/* Queues a tie of two records (merges_run decides which way, if any). */
static void
merge_queue(struct resolver *r, int64_t a, int64_t b)
{
	if (r->nmerge < RESOLVE_MERGES && a != b) {
		r->merge_from[r->nmerge] = a;
		r->merge_into[r->nmerge] = b;
		r->nmerge++;
	}
}

/* 1 up, 0 down, -1 not a state edge. */
static int
edge_direction(const struct ev_row *e)
{
	if (strcmp(e->source, "viptela") == 0)
		return e->new_state == NULL ? -1 : strcmp(e->new_state, "up") == 0;
	if (strcmp(e->kind, "give_up") == 0 || strcmp(e->kind, "dpd_timeout") == 0 ||
	    strcmp(e->kind, "ike_deleted") == 0 || strcmp(e->kind, "ike_delete_received") == 0)
		return 0;
	if (strcmp(e->kind, "child_established") == 0 || strcmp(e->kind, "ike_established") == 0)
		return 1;
	return -1;
}

/*
 * A state edge of a stored event.  An FTMD interface line of a tunnel
 * known only by name, and a charon down or up line of a tunnel known only
 * by address, at the same instant on the same device, with no other
 * candidate on either side, are one tunnel (a file that starts mid-stream
 * often names a tunnel and shows its addresses in lines that never meet:
 * when it goes down or comes up, both sides say so at once).  The other
 * side is looked up in the database, so a tie is found whichever side
 * came first, in this run or an earlier one.  The merge is queued
 * (merges_run), not done inside an insert.
 */
static int
edge_note(struct resolver *r, const struct ev_row *e)
{
	struct db_stmt *c = r->st[S_EDGE_CANDIDATES], *a = r->st[S_EDGE_AT];
	int64_t cand[64], other = 0;
	int up, named, has_peer, rc, i, n = 0, nc = 0;

	if (e->tunnel_id == 0 || e->us == INT64_MIN || (up = edge_direction(e)) < 0)
		return SQLITE_OK;
	if ((rc = tunnel_info(r, e->tunnel_id, &named, &has_peer)) != SQLITE_OK)
		return rc;
	if (named < 0 || (named && has_peer))
		return SQLITE_OK;       /* gone, or named and addressed: nothing to tie */
	if (named != (strcmp(e->source, "viptela") == 0))
		return SQLITE_OK;       /* FTMD of a record by address, or charon by name */
	db_bind_int64(c, 1, e->device_id);
	db_bind_int64(c, 2, !named);
	while ((rc = db_step(c)) == SQLITE_ROW && nc < 64)
		cand[nc++] = db_column_int64(c, 0);
	db_reset(c);
	db_clear_bindings(c);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rc;
	for (i = 0; i < nc && n < 2; i++) {
		db_bind_int64(a, 1, cand[i]);
		db_bind_int64(a, 2, e->us - RESOLVE_EDGE_NEAR);
		db_bind_int64(a, 3, e->us + RESOLVE_EDGE_NEAR);
		db_bind_int64(a, 4, !named);
		db_bind_int64(a, 5, up);
		rc = db_step(a);
		db_reset(a);
		db_clear_bindings(a);
		if (rc == SQLITE_ROW) {
			other = cand[i];
			n++;
		} else if (rc != SQLITE_DONE) {
			return rc;
		}
	}
	if (n == 1)
		merge_queue(r, other, e->tunnel_id);
	return SQLITE_OK;
}

/* Carries out the ties queued (edge_note, one charon job), when one record
 * is known only by address and the other only by name: the first merges
 * into the second.  Others are left alone. */
static int
merges_run(struct resolver *r)
{
	while (r->nmerge > 0) {
		int64_t from, into;
		int fn, fp, in, ip, rc;
		r->nmerge--;
		from = r->merge_from[r->nmerge];
		into = r->merge_into[r->nmerge];
		if ((rc = tunnel_info(r, from, &fn, &fp)) != SQLITE_OK ||
		    (rc = tunnel_info(r, into, &in, &ip)) != SQLITE_OK)
			return rc;
		if (fn == 1 && !fp && in == 0) {      /* queued the other way round */
			int64_t x = from;
			from = into;
			into = x;
		} else if (fn != 0 || in != 1 || ip) {
			continue;
		}
		log_debug("tunnel %" PRId64 " (by address) is tunnel %" PRId64 ": merged",
		    from, into);
		if ((rc = tunnel_merge(r, from, into)) != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

static int event_set_tunnel(struct resolver *r, int64_t event_id, int64_t tun);

/*
 * A retransmit now tied to its tunnel, and a give-up after the same count
 * stored earlier without one (its retransmits came later: a file in
 * reverse order, or an older file imported in a later run): the give-up
 * is that tunnel's.  It is also a down at that instant (edge_note).
 */
static int
rexmit_late_give_up(struct resolver *r, const struct ev_row *e)
{
	struct db_stmt *s = r->st[S_GIVEUP_UNTIED];
	struct ev_row g;
	int64_t id = 0, us = 0;
	int rc;

	if (e->us == INT64_MIN || e->count < 0)
		return SQLITE_OK;
	db_bind_int64(s, 1, e->device_id);
	db_bind_int64(s, 2, e->count);
	db_bind_int64(s, 3, e->us);
	db_bind_int64(s, 4, e->us + RESOLVE_REXMIT_WINDOW);
	rc = db_step(s);
	if (rc == SQLITE_ROW) {
		id = db_column_int64(s, 0);
		us = db_column_int64(s, 1);
	}
	db_reset(s);
	db_clear_bindings(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? SQLITE_OK : rc;
	if ((rc = event_set_tunnel(r, id, e->tunnel_id)) != SQLITE_OK)
		return rc;
	memset(&g, 0, sizeof g);
	g.event_id = id;
	g.device_id = e->device_id;
	g.tunnel_id = e->tunnel_id;
	g.us = us;
	g.kind = "give_up";
	g.source = "charon";
	return edge_note(r, &g);
}

/* ---- held rows ------------------------------------------------------- */

static int
event_insert(struct resolver *r, const struct ev_row *in)
{
	struct db_stmt *s = r->st[S_EVENT];
	struct ev_row tied;
	const struct ev_row *e = in;
	int rc;

	if (in->tunnel_id == 0 && strcmp(in->kind, "give_up") == 0) {
		/* Held while its retransmits were still to come (a file in
		 * reverse order): they may have come meanwhile. */
		tied = *in;
		if ((tied.tunnel_id = rexmit_give_up(r, in->device_id, in->us, in->count)) != 0)
			e = &tied;
	}
	if (e->tunnel_id != 0 && strcmp(e->kind, "retransmit") == 0) {
		rexmit_note(r, e->device_id, e->tunnel_id, e->us, e->count);
		if ((rc = rexmit_late_give_up(r, e)) != SQLITE_OK)
			return rc;
	}
	else if (e->tunnel_id != 0 && (strcmp(e->kind, "message_parsed") == 0 ||
	    strcmp(e->kind, "ike_established") == 0 || strcmp(e->kind, "child_established") == 0))
		rexmit_answered(r, e->device_id, e->tunnel_id);
	if (e->pulse != FACTS_PULSE_NONE && e->tunnel_id != 0 &&
	    (rc = pulse_add(r->pulse, e->tunnel_id, e->us, e->pulse, e->bytes,
	    e->event_id, e->message_id)) != SQLITE_OK)
		return rc;
	if (FACTS_PULSE_IS_TRAIL(e->pulse)) {
		/* A DPD line: no row, but the correlator steps on it (its
		 * minute's trail keeps it for reading back). */
		if (r->sink.event != NULL)
			r->sink.event(r->sink.arg, e->tunnel_id, e->device_id, e->event_id,
			    &e->ev, e->recv_us);
		else
			trail_touch(r, e->tunnel_id, e->us);
		return SQLITE_OK;
	}
	if (FACTS_PULSE_NO_ROW(e->pulse))
		return SQLITE_OK;       /* chatter: counted in its minute, not an event */

	db_bind_int64(s, 1, e->message_id);
	db_bind_int64(s, 2, e->device_id);
	if (e->tunnel_id != 0)
		db_bind_int64(s, 3, e->tunnel_id);
	if (e->us != INT64_MIN)
		db_bind_int64(s, 4, e->us);
	db_bind_text_ref(s, 5, e->kind, -1);
	db_bind_text_ref(s, 6, e->source, -1);
	bind_text_or_null(s, 7, e->conn);
	if (e->has_uid)
		db_bind_int64(s, 8, e->uid);
	bind_text_or_null(s, 9, e->child);
	if (e->msg_id >= 0)
		db_bind_int64(s, 10, e->msg_id);
	bind_text_or_null(s, 11, e->local_ip);
	bind_text_or_null(s, 12, e->peer_ip);
	if (e->count >= 0)
		db_bind_int64(s, 13, e->count);
	if (e->new_state != NULL)
		db_bind_text_ref(s, 14, e->new_state, -1);
	if (e->thread >= 0)
		db_bind_int64(s, 15, e->thread);
	if (e->detail != NULL)
		db_bind_text_ref(s, 16, e->detail, -1);
	db_bind_int64(s, 17, e->event_id);
	if ((rc = step_done(r, s)) != SQLITE_OK)
		return rc;
	if (r->sink.event != NULL)
		r->sink.event(r->sink.arg, e->tunnel_id, e->device_id, e->event_id, &e->ev,
		    e->recv_us);
	return edge_note(r, e);
}

/* Inserts held row i with tunnel tun (0: none) and frees its slot. */
static int
pool_insert(struct resolver *r, int i, int64_t tun)
{
	struct ev_row *e = &r->pool[i];
	int rc;

	e->tunnel_id = tun;
	rc = event_insert(r, e);
	free(e->detail);
	e->detail = NULL;
	r->pool_free[r->npool_free++] = i;
	return rc;
}

static int pending_tie(struct resolver *r, struct thread_slot *s, int i, int64_t t);

/* Moves pending entry i of s to place n (n <= i). */
static void
slot_keep(struct thread_slot *s, int n, int i)
{
	s->pool[n] = s->pool[i];
	s->pending[n] = s->pending[i];
	s->pending_us[n] = s->pending_us[i];
	s->pending_rexmit[n] = s->pending_rexmit[i];
	s->pending_pulse[n] = s->pending_pulse[i];
	s->pending_bytes[n] = s->pending_bytes[i];
	s->pending_msg[n] = s->pending_msg[i];
	s->pending_one[n] = s->pending_one[i];
}

/* Stores the slot's held rows before a commit.  A row whose device had a
 * single tunnel when it came, or has one now, is that tunnel's for good;
 * the others are stored untied and stay pending, to be updated if their
 * job's tunnel turns up. */
static int
slot_flush(struct resolver *r, struct thread_slot *s)
{
	int64_t one = -1;
	int i, n = 0, rc;

	for (i = 0; i < s->npending; i++) {
		int64_t t = s->pending_one[i];
		if (t == 0) {
			if (one < 0 && (rc = tunnel_single(r, s->device_id, &one)) != SQLITE_OK)
				return rc;
			t = one;
		}
		if ((rc = pending_tie(r, s, i, t)) != SQLITE_OK)
			return rc;
		if (t == 0)
			slot_keep(s, n++, i);
	}
	s->npending = n;
	return SQLITE_OK;
}

/* Every held row stored; queued merges wait (see resolve_flush). */
static int
resolve_flush_held(struct resolver *r)
{
	int i, rc;

	if (r->npool_free == RESOLVE_POOL)
		return SQLITE_OK;
	for (i = 0; i < RESOLVE_THREAD_SLOTS; i++)
		if ((rc = slot_flush(r, &r->threads[i])) != SQLITE_OK)
			return rc;
	return SQLITE_OK;
}

int
resolve_flush(struct resolver *r)
{
	int rc;

	if ((rc = resolve_flush_held(r)) != SQLITE_OK)
		return rc;
	/* Storing held rows can find ties; a merge flushes again. */
	while (r->nmerge > 0)
		if ((rc = merges_run(r)) != SQLITE_OK ||
		    (rc = resolve_flush_held(r)) != SQLITE_OK)
			return rc;
	if (r->next_event_id != 0 && r->next_event_id != r->saved_next_id) {
		db_bind_int64(r->st[S_ID_MARK], 1, r->next_event_id - 1);
		if ((rc = step_done(r, r->st[S_ID_MARK])) != SQLITE_OK)
			return rc;
		r->saved_next_id = r->next_event_id;
	}
	return pulse_flush(r->pulse);
}

/* Before the thread slots are forgotten mid-transaction (merges). */
static int
resolve_forget(struct resolver *r)
{
	int rc = resolve_flush_held(r);

	resolve_clear_caches(r);
	memset(r->threads, 0, RESOLVE_THREAD_SLOTS * sizeof *r->threads);
	return rc;
}

static int
thread_slot(struct resolver *r, int64_t dev, int thread, struct thread_slot **out)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)thread * 0x100000001b3ULL;
	struct thread_slot *s = &r->threads[h % RESOLVE_THREAD_SLOTS];
	int rc;

	if (s->device_id != dev || s->thread != thread) {
		/* Another job's slot: what it held is stored untied. */
		if ((rc = slot_flush(r, s)) != SQLITE_OK)
			return rc;
		memset(s, 0, sizeof *s);
		s->device_id = dev;
		s->thread = thread;
	}
	*out = s;
	return SQLITE_OK;
}

static int
event_set_tunnel(struct resolver *r, int64_t event_id, int64_t tun)
{
	struct db_stmt *s = r->st[S_EVENT_TUNNEL];

	db_bind_int64(s, 1, event_id);
	db_bind_int64(s, 2, tun);
	/* Its time is not at hand: the whole tunnel is looked at again. */
	sink_gap(r, tun, INT64_MIN);
	return step_done(r, s);
}

/* Ties pending line i of slot s to tunnel t (0: stores it untied): a
 * held row is inserted, a row a commit already stored untied is updated
 * (chatter has no row; its minute counts it now). */
static int
pending_tie(struct resolver *r, struct thread_slot *s, int i, int64_t t)
{
	int rc = SQLITE_OK;

	if (s->pool[i] >= 0) {
		rc = pool_insert(r, s->pool[i], t);
		s->pool[i] = -1;
		return rc;
	}
	if (t == 0)
		return SQLITE_OK;
	if (s->pending_pulse[i] != FACTS_PULSE_NONE)
		rc = pulse_add(r->pulse, t, s->pending_us[i], s->pending_pulse[i],
		    s->pending_bytes[i], s->pending[i], s->pending_msg[i]);
	if (rc == SQLITE_OK && FACTS_PULSE_IS_TRAIL(s->pending_pulse[i])) {
		sink_gap(r, t, s->pending_us[i]);
		trail_touch(r, t, s->pending_us[i]);
	}
	if (rc == SQLITE_OK && !FACTS_PULSE_NO_ROW(s->pending_pulse[i]))
		rc = event_set_tunnel(r, s->pending[i], t);
	if (s->pending_rexmit[i] >= 0)
		rexmit_note(r, s->device_id, t, s->pending_us[i], s->pending_rexmit[i]);
	return rc;
}

/* A line with a tunnel settles the lines of its thread that waited: those
 * of its own job (within RESOLVE_THREAD_WINDOW before it) take its tunnel,
 * older ones the thread's previous tunnel when near it, else the device's
 * only tunnel, if it has one. */
static int
thread_settle(struct resolver *r, struct thread_slot *s, int64_t tun, int64_t us)
{
	int64_t one = -1;
	int i, rc = SQLITE_OK;

	for (i = 0; i < s->npending; i++) {
		int64_t t = 0;
		if (us != INT64_MIN && s->pending_us[i] != INT64_MIN &&
		    us - s->pending_us[i] <= RESOLVE_THREAD_WINDOW &&
		    us >= s->pending_us[i])
			t = tun;
		else if (s->tunnel_id != 0 && s->pending_us[i] != INT64_MIN &&
		    s->pending_us[i] - s->tunnel_us <= RESOLVE_THREAD_WINDOW)
			t = s->tunnel_id;
		if (t == 0)
			t = s->pending_one[i];
		if (t == 0) {
			if (one < 0 && (rc = tunnel_single(r, s->device_id, &one)) != SQLITE_OK)
				return rc;
			t = one;
		}
		if ((rc = pending_tie(r, s, i, t)) != SQLITE_OK)
			return rc;
	}
	s->npending = 0;
	s->tunnel_id = tun;
	s->tunnel_us = us;
	return SQLITE_OK;
}

/* ---- events ---------------------------------------------------------- */

/* Key of (device, time, text) for the duplicate check. */
static uint64_t
dedup_key(int64_t dev, int64_t us, uint64_t body_hash)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)dev;

	h = (h ^ (uint64_t)us) * 0x100000001b3ULL;
	h = (h ^ body_hash) * 0x100000001b3ULL;
	return h | 1;
}

/* The next event id: handed out here, so that a held row has its id. */
static int
event_next_id(struct resolver *r, int64_t *id)
{
	int rc;

	if (r->next_event_id == 0) {
		int64_t max = 0;
		if ((rc = step_id(r, r->st[S_EVENT_MAX], &max)) != SQLITE_OK)
			return rc;
		r->next_event_id = max + 1;
	}
	*id = r->next_event_id++;
	return SQLITE_OK;
}

/* Fills e from the line's facts; the JSON detail moves from f to e. */
static void
ev_row_fill(struct resolver *r, struct ev_row *e, int64_t event_id, int64_t message_id,
    int64_t dev, int64_t tun, struct line_facts *f)
{
	e->event_id = event_id;
	e->message_id = message_id;
	e->device_id = dev;
	e->tunnel_id = tun;
	e->us = f->us;
	e->kind = f->kind;
	e->source = f->source_name;
	e->new_state = f->new_state;
	e->msg_id = f->msg_id;
	e->count = f->count;
	e->uid = f->uid;
	e->has_uid = f->has_uid;
	e->thread = f->thread;
	memcpy(e->conn, f->conn, sizeof e->conn);
	memcpy(e->child, f->child, sizeof e->child);
	memcpy(e->local_ip, f->local_ip, sizeof e->local_ip);
	memcpy(e->peer_ip, f->peer_ip, sizeof e->peer_ip);
	e->detail = f->detail;
	f->detail = NULL;
	e->pulse = f->pulse;
	e->bytes = f->bytes;
	e->recv_us = r->recv_us;
	e->ev = f->ev;
}

/* Inserts the line's event now with tunnel tun. */
static int
event_store(struct resolver *r, int64_t event_id, int64_t message_id, int64_t dev,
    int64_t tun, struct line_facts *f)
{
	struct ev_row e;
	int rc;

	ev_row_fill(r, &e, event_id, message_id, dev, tun, f);
	rc = event_insert(r, &e);
	free(e.detail);
	return rc;
}

/* Holds the line's event in the thread slot until its tunnel is known;
 * stores it untied when the slot or the pool is full. */
static int
event_hold(struct resolver *r, struct thread_slot *s, int64_t event_id,
    int64_t message_id, int64_t dev, struct line_facts *f)
{
	int64_t one = 0;
	int i, rc;

	/* The single-tunnel rule, kept for when the job names no tunnel. */
	if ((rc = tunnel_single(r, dev, &one)) != SQLITE_OK)
		return rc;
	if (s->npending >= RESOLVE_PENDING)
		return event_store(r, event_id, message_id, dev, one, f);
	if (r->npool_free == 0) {
		if ((rc = event_store(r, event_id, message_id, dev, 0, f)) != SQLITE_OK)
			return rc;
		s->pool[s->npending] = -1;
	} else {
		i = r->pool_free[--r->npool_free];
		ev_row_fill(r, &r->pool[i], event_id, message_id, dev, 0, f);
		s->pool[s->npending] = i;
	}
	s->pending[s->npending] = event_id;
	s->pending_us[s->npending] = f->us;
	s->pending_rexmit[s->npending] = strcmp(f->kind, "retransmit") == 0 ? f->count : -1;
	s->pending_pulse[s->npending] = f->pulse;
	s->pending_bytes[s->npending] = f->bytes;
	s->pending_msg[s->npending] = message_id;
	s->pending_one[s->npending] = one;
	s->npending++;
	return SQLITE_OK;
}

static int resolve_apply_one(struct resolver *r, int64_t message_id,
    struct line_facts *f, const struct resolve_source *src);

int
resolve_apply(struct resolver *r, int64_t message_id, struct line_facts *f,
    const struct resolve_source *src)
{
	int rc;

	r->recv_us = src != NULL ? src->recv_us : 0;
	rc = resolve_apply_one(r, message_id, f, src);

	if (rc == SQLITE_OK && r->nmerge > 0)
		rc = merges_run(r);
	return rc;
}

static int
resolve_apply_one(struct resolver *r, int64_t message_id, struct line_facts *f,
    const struct resolve_source *src)
{
	int64_t dev = 0, tun = 0, event_id = 0, us = f->us;
	struct dedup_slot *dd;
	struct thread_slot *s;
	uint64_t dkey;
	int rc;

	if (f->source != DOMAIN_CHARON && f->source != DOMAIN_VIPTELA)
		return SQLITE_OK;
	if ((rc = resolve_device(r, f, src, us, &dev)) != SQLITE_OK)
		return rc;

	/* The same text at the same device time on the same device: a copy. */
	dkey = dedup_key(dev, us, f->body_hash);
	dd = &r->dedup[dkey % RESOLVE_DEDUP_SLOTS];
	if (dd->key == dkey && dd->event_id != 0) {
		/* A copy still says which tunnel its charon job served: the
		 * job's first line may be waiting for it (a file that repeats
		 * a stretch, the copy of a packet line). */
		if (f->source == DOMAIN_CHARON && f->thread >= 0 && f->peer_ip[0] != '\0' &&
		    !kind_starts_job(f->kind) &&
		    (rc = resolve_tunnel(r, dev, f, us, &tun)) == SQLITE_OK && tun != 0 &&
		    (rc = thread_slot(r, dev, f->thread, &s)) == SQLITE_OK && s->npending > 0)
			rc = thread_settle(r, s, tun, us);
		if (rc != SQLITE_OK || dd->event_id < 0)
			return rc;      /* a copy of chatter: not counted again */
		db_bind_int64(r->st[S_DUP], 1, message_id);
		db_bind_int64(r->st[S_DUP], 2, dd->event_id);
		return step_done(r, r->st[S_DUP]);
	}

	if (strcmp(f->kind, "charon_start") == 0) {
		/* The device's, not a tunnel's: every IKE_SA of it is gone. */
		if ((rc = event_next_id(r, &event_id)) != SQLITE_OK)
			return rc;
		dd->key = dkey;
		dd->event_id = event_id;
		if (us != INT64_MIN) {
			struct db_stmt *rs = r->st[S_RESTART];
			db_bind_int64(rs, 1, dev);
			db_bind_int64(rs, 2, us);
			db_bind_int64(rs, 3, event_id);
			if ((rc = step_done(r, rs)) != SQLITE_OK)
				return rc;
			if (r->sink.restart != NULL)
				r->sink.restart(r->sink.arg, dev, us);
		}
		return event_store(r, event_id, message_id, dev, 0, f);
	}
	if ((rc = resolve_tunnel(r, dev, f, us, &tun)) != SQLITE_OK)
		return rc;
	/* On a device with a single tunnel, a line that names none is that
	 * tunnel's — but a line of a charon job first waits for its job's
	 * next line, which may name another (a file that starts mid-stream
	 * knows one tunnel of several): the rule is its fallback then
	 * (thread_settle, slot_flush). */
	if (tun == 0 && f->source == DOMAIN_CHARON && f->thread < 0 &&
	    (rc = tunnel_single(r, dev, &tun)) != SQLITE_OK)
		return rc;
	if ((rc = event_next_id(r, &event_id)) != SQLITE_OK)
		return rc;
	dd->key = dkey;
	/* Chatter has no events row for a copy to point to; a DPD line's
	 * copy points to its place in the trail. */
	dd->event_id = FACTS_PULSE_NO_ROW(f->pulse) && !FACTS_PULSE_IS_TRAIL(f->pulse) ?
	    -event_id : event_id;

	if (f->source == DOMAIN_VIPTELA && f->ov.kind != OVERLAY_NONE &&
	    (rc = overlay_apply_fact(r->ov, dev, event_id, us, &f->ov)) != SQLITE_OK)
		return rc;
	if (f->thread < 0 || f->source != DOMAIN_CHARON)
		return event_store(r, event_id, message_id, dev, tun, f);
	if ((rc = thread_slot(r, dev, f->thread, &s)) != SQLITE_OK)
		return rc;
	if (tun == 0 && strcmp(f->kind, "give_up") == 0 &&
	    (tun = rexmit_give_up(r, dev, us, f->count)) != 0) {
		/* A job of its own: the thread's previous line says nothing. */
		if ((rc = thread_settle(r, s, tun, us)) != SQLITE_OK)
			return rc;
		return event_store(r, event_id, message_id, dev, tun, f);
	}
	if (tun != 0 && s->tunnel_id != 0 && s->tunnel_id != tun && us != INT64_MIN &&
	    us >= s->tunnel_us && us - s->tunnel_us <= RESOLVE_JOB_TIE &&
	    !kind_starts_job(f->kind) && strcmp(f->kind, "packet_received") != 0)
		/* One charon job named the tunnel and showed its addresses
		 * (a CHILD_SA rekey: "CHILD_SA child_ipsec2_1{6} established",
		 * then "sending packet: from L to P"): one tunnel, if one record
		 * has only the name and the other only the addresses. */
		merge_queue(r, s->tunnel_id, tun);
	if (tun != 0) {
		/* Identified by its own facts: settle the waiting lines. */
		if (!(f->iface[0] == '\0' && f->conn[0] == '\0' && f->peer_ip[0] == '\0' &&
		    !f->has_uid) && (rc = thread_settle(r, s, tun, us)) != SQLITE_OK)
			return rc;
		return event_store(r, event_id, message_id, dev, tun, f);
	}
	if (s->tunnel_id != 0 && us != INT64_MIN && us - s->tunnel_us <= RESOLVE_THREAD_WINDOW &&
	    us >= s->tunnel_us && s->npending == 0 && !kind_starts_job(f->kind))
		/* Same job as the thread's previous line. */
		return event_store(r, event_id, message_id, dev, s->tunnel_id, f);
	return event_hold(r, s, event_id, message_id, dev, f);
}

int
resolve_message(struct resolver *r, int64_t message_id, const struct ingest_row *row,
    const struct resolve_source *src, struct domain_scratch *ds)
{
	struct line_facts f;
	int rc;

	facts_prepare(row, ds, &f);
	rc = resolve_apply(r, message_id, &f, src);
	facts_clear(&f);
	return rc;
}
