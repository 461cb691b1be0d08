/*
 * resolve.c — devices, tunnels and events.  See resolve.h for the rules.
 */
#include "resolve.h"
#include "log.h"
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

enum {
	S_ALIAS_GET, S_ALIAS_PUT, S_SYSIP_GET, S_DEV_NEW, S_DEV_SET_SYSIP,
	S_DEV_SYSIP_OF, S_DEV_SEEN, S_TUN_BY_NAME, S_TUN_BY_CONN, S_TUN_BY_PAIR,
	S_TUN_BY_PEER, S_TUN_BY_UID, S_TUN_SINGLE, S_TUN_NEW, S_TUN_LEARN,
	S_TUN_RENAME, S_UID_PUT, S_EVENT, S_EVENT_TUNNEL, S_DUP, S_MAX
};

static const char *const resolve_sql[S_MAX] = {
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
	[S_UID_PUT] = "INSERT OR REPLACE INTO ike_sas(device_id, ike_uid, tunnel_id)"
	    " VALUES (?1, ?2, ?3)",
	[S_EVENT] = "INSERT INTO events(message_id, device_id, tunnel_id, device_us, kind,"
	    " source, ike_name, ike_uid, child_name, msg_id, local_ip, peer_ip, count,"
	    " new_state, thread, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[S_EVENT_TUNNEL] = "UPDATE events SET tunnel_id = ?2 WHERE event_id = ?1",
	[S_DUP] = "INSERT OR IGNORE INTO duplicates(message_id, event_id) VALUES (?1, ?2)",
};

/* Per (device, charon thread): the lines of one charon job share a thread,
 * and the job's last line (the packet it sends) usually names the peer. */
struct thread_slot {
	int64_t device_id;
	int thread;
	int64_t tunnel_id, tunnel_us;           /* last attributed line */
	int64_t pending[RESOLVE_PENDING];       /* event ids waiting for a tunnel */
	int64_t pending_us[RESOLVE_PENDING];
	int npending;
};

struct dedup_slot {
	uint64_t key;
	int64_t event_id;
};

struct resolver {
	sqlite3 *db;
	sqlite3_stmt *st[S_MAX];
	struct strmap aliases;       /* "k\x1fvalue" -> device */
	struct strmap sysips;        /* system-ip -> device */
	struct strmap tunnels;       /* "dev\x1fK\x1f..." -> tunnel */
	struct strmap seen;          /* "dev" -> last device_us written */
	struct thread_slot *threads;
	struct dedup_slot *dedup;
	char keybuf[1024];
};

/* Facts about one event, gathered before resolving. */
struct ev_facts {
	const char *kind, *source;
	char iface[32];               /* ipsec2, from any name the line carries */
	const char *conn;             /* IKE_SA / connection name */
	const char *child;
	uint32_t uid;
	int has_uid;
	const char *local_ip, *peer_ip;
	int64_t msg_id;
	int64_t count;
	const char *new_state;
	int thread;
	char sysip[64], host[256], tag_host[256], host_name[256];
};

static void
resolve_finalize_all(struct resolver *r)
{
	int i;

	for (i = 0; i < S_MAX; i++) {
		sqlite3_finalize(r->st[i]);
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
	r->db = store_db(store);
	r->threads = calloc(RESOLVE_THREAD_SLOTS, sizeof *r->threads);
	r->dedup = calloc(RESOLVE_DEDUP_SLOTS, sizeof *r->dedup);
	if (r->threads == NULL || r->dedup == NULL)
		goto fail;
	for (i = 0; i < S_MAX; i++) {
		if (sqlite3_prepare_v3(r->db, resolve_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &r->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errsz, "preparing \"%s\": %s", resolve_sql[i],
			    sqlite3_errmsg(r->db));
			goto fail;
		}
	}
	strmap_init(&r->aliases, RESOLVE_CACHE_MAX);
	strmap_init(&r->sysips, RESOLVE_CACHE_MAX);
	strmap_init(&r->tunnels, RESOLVE_CACHE_MAX);
	strmap_init(&r->seen, RESOLVE_CACHE_MAX);
	*out = r;
	return 0;
fail:
	resolve_finalize_all(r);
	free(r->threads);
	free(r->dedup);
	free(r);
	return -1;
}

void
resolve_reset(struct resolver *r)
{
	strmap_clear(&r->aliases);
	strmap_clear(&r->sysips);
	strmap_clear(&r->tunnels);
	strmap_clear(&r->seen);
	memset(r->threads, 0, RESOLVE_THREAD_SLOTS * sizeof *r->threads);
	memset(r->dedup, 0, RESOLVE_DEDUP_SLOTS * sizeof *r->dedup);
}

void
resolve_free(struct resolver *r)
{
	if (r == NULL)
		return;
	resolve_finalize_all(r);
	strmap_free(&r->aliases);
	strmap_free(&r->sysips);
	strmap_free(&r->tunnels);
	strmap_free(&r->seen);
	free(r->threads);
	free(r->dedup);
	free(r);
}

/* ---- statement helpers ------------------------------------------------ */

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
	if (v != NULL && v[0] != '\0')
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

/* Steps a statement expected to return at most one integer; *out = 0 when
 * no row.  Returns SQLITE_OK or the error. */
static int
step_id(struct resolver *r, sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);

	*out = 0;
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	} else {
		log_warnx("sqlite: %s in: %s", sqlite3_errmsg(r->db), sqlite3_sql(s));
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

static int
step_done(struct resolver *r, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return SQLITE_OK;
	log_warnx("sqlite: %s in: %s", sqlite3_errmsg(r->db), sqlite3_sql(s));
	return rc;
}

static const char *
key2(struct resolver *r, const char *a, const char *b)
{
	snprintf(r->keybuf, sizeof r->keybuf, "%s\x1f%s", a, b);
	return r->keybuf;
}

static const char *
tkey(struct resolver *r, int64_t dev, char kind, const char *a, const char *b)
{
	snprintf(r->keybuf, sizeof r->keybuf, "%" PRId64 "\x1f%c\x1f%s\x1f%s", dev, kind,
	    a, b != NULL ? b : "");
	return r->keybuf;
}

/* ---- devices ---------------------------------------------------------- */

static int
alias_get(struct resolver *r, const char *kind, const char *value, int64_t *dev)
{
	const char *k = key2(r, kind, value);
	sqlite3_stmt *s = r->st[S_ALIAS_GET];
	int rc;

	if (strmap_get(&r->aliases, k, strlen(k), dev))
		return SQLITE_OK;
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
	if ((rc = step_id(r, s, dev)) == SQLITE_OK && *dev != 0) {
		k = key2(r, kind, value);
		strmap_put(&r->aliases, k, strlen(k), *dev);
	}
	return rc;
}

static int
alias_put(struct resolver *r, const char *kind, const char *value, int64_t dev,
    int64_t us)
{
	sqlite3_stmt *s = r->st[S_ALIAS_PUT];
	int64_t have;
	const char *k;
	int rc;

	if (value == NULL || value[0] == '\0')
		return SQLITE_OK;
	if ((rc = alias_get(r, kind, value, &have)) != SQLITE_OK || have != 0)
		return rc;      /* an alias belongs to the device that had it first */
	sqlite3_bind_text(s, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 3, dev);
	if (us != INT64_MIN)
		sqlite3_bind_int64(s, 4, us);
	if ((rc = step_done(r, s)) == SQLITE_OK) {
		k = key2(r, kind, value);
		strmap_put(&r->aliases, k, strlen(k), dev);
	}
	return rc;
}

static int
device_by_sysip(struct resolver *r, const char *ip, int64_t *dev)
{
	sqlite3_stmt *s = r->st[S_SYSIP_GET];
	int rc;

	if (strmap_get(&r->sysips, ip, strlen(ip), dev))
		return SQLITE_OK;
	sqlite3_bind_text(s, 1, ip, -1, SQLITE_TRANSIENT);
	if ((rc = step_id(r, s, dev)) == SQLITE_OK && *dev != 0)
		strmap_put(&r->sysips, ip, strlen(ip), *dev);
	return rc;
}

static int
device_new(struct resolver *r, const char *sysip, const char *host, int64_t us,
    int64_t *dev)
{
	sqlite3_stmt *s = r->st[S_DEV_NEW];
	int rc;

	bind_text_or_null(s, 1, sysip);
	bind_text_or_null(s, 2, host);
	if (us != INT64_MIN)
		sqlite3_bind_int64(s, 3, us);
	if ((rc = step_done(r, s)) != SQLITE_OK)
		return rc;
	*dev = sqlite3_last_insert_rowid(r->db);
	if (sysip != NULL && sysip[0] != '\0')
		strmap_put(&r->sysips, sysip, strlen(sysip), *dev);
	return SQLITE_OK;
}

static int
device_has_sysip(struct resolver *r, int64_t dev, int *has)
{
	sqlite3_stmt *s = r->st[S_DEV_SYSIP_OF];
	int rc;

	sqlite3_bind_int64(s, 1, dev);
	rc = sqlite3_step(s);
	*has = rc == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Runs one parameterised statement with two integer ids. */
static int
exec_ids(struct resolver *r, const char *sql, int64_t a, int64_t b)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = sqlite3_prepare_v2(r->db, sql, -1, &s, NULL)) != SQLITE_OK) {
		log_warnx("sqlite: %s in: %s", sqlite3_errmsg(r->db), sql);
		return rc;
	}
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		log_warnx("sqlite: %s in: %s", sqlite3_errmsg(r->db), sql);
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
		"UPDATE OR REPLACE ike_sas SET tunnel_id = ?2 WHERE tunnel_id = ?1",
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
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if ((rc = exec_ids(r, sql[i], from, into)) != SQLITE_OK)
			return rc;
	log_debug("merged tunnel %" PRId64 " into %" PRId64, from, into);
	/* Every cached key that pointed at `from` is stale now. */
	strmap_clear(&r->tunnels);
	memset(r->threads, 0, RESOLVE_THREAD_SLOTS * sizeof *r->threads);
	return SQLITE_OK;
}

/* Folds device `from` (known only by names) into `into` (its system-ip). */
static int
device_merge(struct resolver *r, int64_t from, int64_t into)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (from == into)
		return SQLITE_OK;
	/* Same-named tunnels merge; the others move over. */
	rc = sqlite3_prepare_v2(r->db, "SELECT a.tunnel_id, b.tunnel_id FROM tunnels a"
	    " JOIN tunnels b ON b.device_id = ?2 AND b.name = a.name"
	    " WHERE a.device_id = ?1", -1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, into);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t a = sqlite3_column_int64(s, 0), b = sqlite3_column_int64(s, 1);
		if ((rc = tunnel_merge(r, a, b)) != SQLITE_OK)
			break;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_OK)
		return rc;
	if ((rc = exec_ids(r, "UPDATE tunnels SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE events SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE incidents SET device_id = ?2 WHERE device_id = ?1",
	    from, into)) != SQLITE_OK ||
	    (rc = exec_ids(r, "UPDATE OR REPLACE ike_sas SET device_id = ?2 WHERE device_id = ?1",
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
	resolve_reset(r);
	return SQLITE_OK;
}

/* 1 when name is known[1..] with one stray leading character. */
static int
resolve_mangled_of(const char *name, const char *known)
{
	return name[0] != '\0' && strcmp(name + 1, known) == 0;
}

/* The device a line belongs to; created when new. */
static int
resolve_device(struct resolver *r, const struct ev_facts *f,
    const struct resolve_source *src, int64_t us, int64_t *dev)
{
	const char *srckind = src->sender_ip != NULL ? "sender" : "file";
	const char *srcval = src->sender_ip != NULL ? src->sender_ip : src->file;
	int64_t by_host = 0, by_sys = 0, other;
	int rc, has;

	*dev = 0;
	if (f->host[0] != '\0' && (rc = alias_get(r, "hostname", f->host, &by_host)) != SQLITE_OK)
		return rc;
	if (f->sysip[0] != '\0') {
		/* FTMD: the system-ip decides, and names seen with it join. */
		if ((rc = device_by_sysip(r, f->sysip, &by_sys)) != SQLITE_OK)
			return rc;
		if (by_sys == 0 && by_host != 0) {
			if ((rc = device_has_sysip(r, by_host, &has)) != SQLITE_OK)
				return rc;
			if (!has) {
				sqlite3_bind_int64(r->st[S_DEV_SET_SYSIP], 1, by_host);
				sqlite3_bind_text(r->st[S_DEV_SET_SYSIP], 2, f->sysip, -1,
				    SQLITE_TRANSIENT);
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
		/* A known name from the same source with one stray leading
		 * character: the field guide's mangled "Lvedge01". */
		if (srcval != NULL && strlen(f->host) > 2) {
			int64_t s_dev = 0, m_dev = 0;
			if ((rc = alias_get(r, srckind, srcval, &s_dev)) != SQLITE_OK ||
			    (rc = alias_get(r, "hostname", f->host + 1, &m_dev)) != SQLITE_OK)
				return rc;
			if (s_dev != 0 && s_dev == m_dev && resolve_mangled_of(f->host, f->host + 1))
				*dev = m_dev;
		}
		if (*dev == 0 && (rc = device_new(r, NULL, f->host, us, dev)) != SQLITE_OK)
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
		char k[32];
		int64_t last = 0;
		snprintf(k, sizeof k, "%" PRId64, *dev);
		if (!strmap_get(&r->seen, k, strlen(k), &last) ||
		    us > last + 60 * 1000000LL || us < last - 60 * 1000000LL) {
			sqlite3_bind_int64(r->st[S_DEV_SEEN], 1, *dev);
			sqlite3_bind_int64(r->st[S_DEV_SEEN], 2, us);
			if ((rc = step_done(r, r->st[S_DEV_SEEN])) != SQLITE_OK)
				return rc;
			strmap_put(&r->seen, k, strlen(k), us);
		}
	}
	return SQLITE_OK;
}

/* ---- tunnels ---------------------------------------------------------- */

static int
tunnel_lookup(struct resolver *r, int64_t dev, char kind, const char *a,
    const char *b, int which, int64_t *tun)
{
	const char *k = tkey(r, dev, kind, a, b);
	sqlite3_stmt *s = r->st[which];
	int rc;

	*tun = 0;
	if (strmap_get(&r->tunnels, k, strlen(k), tun))
		return SQLITE_OK;
	sqlite3_bind_int64(s, 1, dev);
	if (which == S_TUN_BY_UID)
		sqlite3_bind_int64(s, 2, strtoll(a, NULL, 10));
	else
		sqlite3_bind_text(s, 2, a, -1, SQLITE_TRANSIENT);
	if (b != NULL)
		sqlite3_bind_text(s, 3, b, -1, SQLITE_TRANSIENT);
	if (which == S_TUN_BY_PEER) {
		/* Only a peer address used by a single tunnel identifies it. */
		int64_t first = 0;
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			first = sqlite3_column_int64(s, 0);
			rc = sqlite3_step(s);
			*tun = rc == SQLITE_DONE ? first : 0;
		}
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return rc;
	} else if ((rc = step_id(r, s, tun)) != SQLITE_OK) {
		return rc;
	}
	if (*tun != 0) {
		k = tkey(r, dev, kind, a, b);
		strmap_put(&r->tunnels, k, strlen(k), *tun);
	}
	return SQLITE_OK;
}

static void
tunnel_cache(struct resolver *r, int64_t dev, char kind, const char *a,
    const char *b, int64_t tun)
{
	const char *k = tkey(r, dev, kind, a, b);

	strmap_put(&r->tunnels, k, strlen(k), tun);
}

static int
tunnel_new(struct resolver *r, int64_t dev, const char *name, const char *iface,
    const struct ev_facts *f, int64_t us, int64_t *tun)
{
	sqlite3_stmt *s = r->st[S_TUN_NEW];
	int rc;

	sqlite3_bind_int64(s, 1, dev);
	sqlite3_bind_text(s, 2, name, -1, SQLITE_TRANSIENT);
	bind_text_or_null(s, 3, iface);
	bind_text_or_null(s, 4, f->conn);
	bind_text_or_null(s, 5, f->local_ip);
	bind_text_or_null(s, 6, f->peer_ip);
	if (us != INT64_MIN)
		sqlite3_bind_int64(s, 7, us);
	if ((rc = step_done(r, s)) != SQLITE_OK)
		return rc;
	*tun = sqlite3_last_insert_rowid(r->db);
	tunnel_cache(r, dev, 'N', name, NULL, *tun);
	tunnel_cache(r, dev, '1', "", NULL, 0);      /* tunnel count changed */
	return SQLITE_OK;
}

/* The device's only tunnel, or 0. */
static int
tunnel_single(struct resolver *r, int64_t dev, int64_t *tun)
{
	const char *k = tkey(r, dev, '1', "", NULL);
	sqlite3_stmt *s = r->st[S_TUN_SINGLE];
	int64_t first = 0;
	int rc;

	if (strmap_get(&r->tunnels, k, strlen(k), tun) && *tun != 0)
		return SQLITE_OK;
	*tun = 0;
	sqlite3_bind_int64(s, 1, dev);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		first = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			*tun = first;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return rc;
	if (*tun != 0)
		tunnel_cache(r, dev, '1', "", NULL, *tun);
	return SQLITE_OK;
}

/* Records what this line taught about tunnel tun. */
static int
tunnel_learn(struct resolver *r, int64_t dev, int64_t tun, const struct ev_facts *f)
{
	char uid[16];
	int64_t have;
	int rc, changed = 0;

	if (f->conn != NULL && f->conn[0] != '\0' &&
	    (!strmap_get(&r->tunnels, tkey(r, dev, 'C', f->conn, NULL),
	    strlen(r->keybuf), &have) || have != tun)) {
		tunnel_cache(r, dev, 'C', f->conn, NULL, tun);
		changed = 1;
	}
	if (f->peer_ip != NULL && f->peer_ip[0] != '\0') {
		if (f->local_ip != NULL && f->local_ip[0] != '\0' &&
		    (!strmap_get(&r->tunnels, tkey(r, dev, 'P', f->local_ip, f->peer_ip),
		    strlen(r->keybuf), &have) || have != tun)) {
			tunnel_cache(r, dev, 'P', f->local_ip, f->peer_ip, tun);
			changed = 1;
		}
		if (!strmap_get(&r->tunnels, tkey(r, dev, 'R', f->peer_ip, NULL),
		    strlen(r->keybuf), &have) || have != tun) {
			tunnel_cache(r, dev, 'R', f->peer_ip, NULL, tun);
			changed = 1;
		}
	}
	if (changed) {
		sqlite3_stmt *s = r->st[S_TUN_LEARN];
		sqlite3_bind_int64(s, 1, tun);
		bind_text_or_null(s, 2, f->conn);
		bind_text_or_null(s, 3, f->local_ip);
		bind_text_or_null(s, 4, f->peer_ip);
		if ((rc = step_done(r, s)) != SQLITE_OK)
			return rc;
	}
	if (f->has_uid) {
		snprintf(uid, sizeof uid, "%u", f->uid);
		if (!strmap_get(&r->tunnels, tkey(r, dev, 'U', uid, NULL), strlen(r->keybuf),
		    &have) || have != tun) {
			sqlite3_stmt *s = r->st[S_UID_PUT];
			sqlite3_bind_int64(s, 1, dev);
			sqlite3_bind_int64(s, 2, f->uid);
			sqlite3_bind_int64(s, 3, tun);
			if ((rc = step_done(r, s)) != SQLITE_OK)
				return rc;
			tunnel_cache(r, dev, 'U', uid, NULL, tun);
		}
	}
	return SQLITE_OK;
}

/*
 * The tunnel named or implied by the line's own facts; 0 when the line
 * carries nothing that identifies one.
 */
static int
resolve_tunnel(struct resolver *r, int64_t dev, const struct ev_facts *f,
    int64_t us, int64_t *tun)
{
	int64_t t = 0, named = 0;
	char uid[16];
	int rc;

	*tun = 0;
	if (f->iface[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'N', f->iface, NULL, S_TUN_BY_NAME, &named)) != SQLITE_OK)
		return rc;
	t = named;
	if (t == 0 && f->conn != NULL && f->conn[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'C', f->conn, NULL, S_TUN_BY_CONN, &t)) != SQLITE_OK)
		return rc;
	if (t == 0 && f->has_uid) {
		snprintf(uid, sizeof uid, "%u", f->uid);
		if ((rc = tunnel_lookup(r, dev, 'U', uid, NULL, S_TUN_BY_UID, &t)) != SQLITE_OK)
			return rc;
	}
	if (t == 0 && f->local_ip != NULL && f->peer_ip != NULL && f->local_ip[0] &&
	    f->peer_ip[0] && (rc = tunnel_lookup(r, dev, 'P', f->local_ip, f->peer_ip,
	    S_TUN_BY_PAIR, &t)) != SQLITE_OK)
		return rc;
	if (t == 0 && f->peer_ip != NULL && f->peer_ip[0] != '\0' &&
	    (rc = tunnel_lookup(r, dev, 'R', f->peer_ip, NULL, S_TUN_BY_PEER, &t)) != SQLITE_OK)
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
			sqlite3_stmt *s = r->st[S_TUN_RENAME];
			sqlite3_bind_int64(s, 1, t);
			sqlite3_bind_text(s, 2, f->iface, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(s, 3, f->iface, -1, SQLITE_TRANSIENT);
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
		else if (f->conn != NULL && f->conn[0] != '\0')
			snprintf(name, sizeof name, "%s", f->conn);
		else if (f->peer_ip != NULL && f->peer_ip[0] != '\0')
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

static struct thread_slot *
thread_slot(struct resolver *r, int64_t dev, int thread)
{
	uint64_t h = ((uint64_t)dev * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)thread * 0x100000001b3ULL;
	struct thread_slot *s = &r->threads[h % RESOLVE_THREAD_SLOTS];

	if (s->device_id != dev || s->thread != thread) {
		memset(s, 0, sizeof *s);
		s->device_id = dev;
		s->thread = thread;
	}
	return s;
}

static int
event_set_tunnel(struct resolver *r, int64_t event_id, int64_t tun)
{
	sqlite3_stmt *s = r->st[S_EVENT_TUNNEL];

	sqlite3_bind_int64(s, 1, event_id);
	sqlite3_bind_int64(s, 2, tun);
	return step_done(r, s);
}

/* A line with a tunnel settles the lines of its thread that waited. */
static int
thread_settle(struct resolver *r, struct thread_slot *s, int64_t tun, int64_t us)
{
	int i, rc;

	for (i = 0; i < s->npending; i++) {
		int64_t t = 0;
		if (us != INT64_MIN && s->pending_us[i] != INT64_MIN &&
		    us - s->pending_us[i] <= RESOLVE_THREAD_WINDOW &&
		    us >= s->pending_us[i])
			t = tun;
		else if (s->tunnel_id != 0 && s->pending_us[i] != INT64_MIN &&
		    s->pending_us[i] - s->tunnel_us <= RESOLVE_THREAD_WINDOW)
			t = s->tunnel_id;
		if (t != 0 && (rc = event_set_tunnel(r, s->pending[i], t)) != SQLITE_OK)
			return rc;
	}
	s->npending = 0;
	s->tunnel_id = tun;
	s->tunnel_us = us;
	return SQLITE_OK;
}

/* ---- facts and events ------------------------------------------------- */

static void
facts_copy_span(char *dst, size_t sz, const char *base, struct span sp)
{
	span_copy(dst, sz, base, sp);
}

static int
addr_is_ip(const char *a)
{
	return a[0] != '\0' && strcmp(a, "%any") != 0;
}

static void
facts_from_charon(struct ev_facts *f, const struct charon_event *ev)
{
	f->kind = charon_kind_name(ev->kind);
	f->source = "charon";
	f->thread = ev->thread;
	f->conn = ev->ike_name[0] ? ev->ike_name : ev->conn[0] ? ev->conn : NULL;
	f->child = ev->child_name[0] ? ev->child_name : NULL;
	if (ev->has & CHARON_HAS_IKE_UID) {
		f->uid = ev->ike_uid;
		f->has_uid = 1;
	} else if (ev->has & CHARON_HAS_CONN_UID) {
		f->uid = ev->conn_uid;
		f->has_uid = 1;
	}
	if (addr_is_ip(ev->local.addr))
		f->local_ip = ev->local.addr;
	if (addr_is_ip(ev->remote.addr))
		f->peer_ip = ev->remote.addr;
	if (ev->has & CHARON_HAS_MSGID)
		f->msg_id = ev->msgid;
	if (ev->has & CHARON_HAS_COUNT)
		f->count = ev->count;
	/* The interface from whichever name the line carries. */
	if (f->conn == NULL || !domain_interface_of(f->conn, strlen(f->conn), f->iface,
	    sizeof f->iface)) {
		if (f->child == NULL || !domain_interface_of(f->child, strlen(f->child),
		    f->iface, sizeof f->iface))
			f->iface[0] = '\0';
	}
	if (f->conn == NULL && f->child != NULL && f->iface[0] == '\0')
		f->conn = f->child;
}

static void
facts_from_viptela(struct ev_facts *f, const struct ftmd_event *ev, const char *base)
{
	char ifname[64];

	f->kind = ftmd_kind_name(ev->kind);
	f->source = "viptela";
	f->thread = -1;
	facts_copy_span(f->tag_host, sizeof f->tag_host, base, ev->tag_host);
	facts_copy_span(f->host_name, sizeof f->host_name, base, ev->host_name);
	facts_copy_span(f->sysip, sizeof f->sysip, base, ev->system_ip);
	/* "system-ip:::" is the unset value, not an address. */
	if (strcmp(f->sysip, "::") == 0 || strcmp(f->sysip, "0.0.0.0") == 0)
		f->sysip[0] = '\0';
	facts_copy_span(ifname, sizeof ifname, base, ev->if_name);
	if (ev->kind == FTMD_IF_STATE || ev->kind == FTMD_IF_ADMIN_STATE) {
		if (!domain_interface_of(ifname, strlen(ifname), f->iface, sizeof f->iface))
			f->iface[0] = '\0';
	}
	if (ev->state_up == 1)
		f->new_state = "up";
	else if (ev->state_up == 0)
		f->new_state = "down";
}

/* Hash of (device, time, text) for the duplicate check. */
static uint64_t
dedup_key(int64_t dev, int64_t us, const char *text, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)dev;
	size_t i;

	h = (h ^ (uint64_t)us) * 0x100000001b3ULL;
	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 0x100000001b3ULL;
	return h | 1;
}

static int
event_insert(struct resolver *r, int64_t message_id, int64_t dev, int64_t tun,
    int64_t us, const struct ev_facts *f, const struct domain_scratch *ds,
    int64_t *event_id)
{
	sqlite3_stmt *s = r->st[S_EVENT];
	char *detail = NULL;
	int rc, kind_packet;

	sqlite3_bind_int64(s, 1, message_id);
	sqlite3_bind_int64(s, 2, dev);
	if (tun != 0)
		sqlite3_bind_int64(s, 3, tun);
	if (us != INT64_MIN)
		sqlite3_bind_int64(s, 4, us);
	sqlite3_bind_text(s, 5, f->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, f->source, -1, SQLITE_STATIC);
	bind_text_or_null(s, 7, f->conn);
	if (f->has_uid)
		sqlite3_bind_int64(s, 8, f->uid);
	bind_text_or_null(s, 9, f->child);
	if (f->msg_id >= 0)
		sqlite3_bind_int64(s, 10, f->msg_id);
	bind_text_or_null(s, 11, f->local_ip);
	bind_text_or_null(s, 12, f->peer_ip);
	if (f->count >= 0)
		sqlite3_bind_int64(s, 13, f->count);
	bind_text_or_null(s, 14, f->new_state);
	if (f->thread >= 0)
		sqlite3_bind_int(s, 15, f->thread);
	/* DPD chatter and packet lines are the bulk of debug traffic and their
	 * typed columns say it all: no JSON detail for them (nor for lines
	 * nothing was understood of; the raw line is there). */
	kind_packet = ds->source == DOMAIN_CHARON && (ds->ch.kind == CHARON_PACKET_SENT ||
	    ds->ch.kind == CHARON_PACKET_RECEIVED || ds->ch.kind == CHARON_KEEPALIVE ||
	    ds->ch.kind == CHARON_OTHER || ds->ch.kind == CHARON_DPD_REQUEST ||
	    ((ds->ch.kind == CHARON_MESSAGE_GENERATED || ds->ch.kind == CHARON_MESSAGE_PARSED) &&
	    (ds->ch.payload_flags & CHARON_PL_EMPTY)));
	if (!kind_packet) {
		json_t *o = json_object();
		if (ds->source == DOMAIN_CHARON)
			charon_event_to_json(&ds->ch, (struct json_t *)o);
		else
			ftmd_event_to_json(&ds->ft, ds->body, o);
		detail = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (detail != NULL)
			sqlite3_bind_text(s, 16, detail, -1, free);
	}
	rc = step_done(r, s);
	*event_id = sqlite3_last_insert_rowid(r->db);
	return rc;
}

int
resolve_message(struct resolver *r, int64_t message_id, const struct ingest_row *row,
    const struct resolve_source *src, struct domain_scratch *ds)
{
	struct ev_facts f;
	int64_t dev = 0, tun = 0, event_id = 0, us = row->device_us;
	struct dedup_slot *dd;
	uint64_t dkey;
	int rc;

	if (domain_classify(row, ds) != DOMAIN_CHARON && ds->source != DOMAIN_VIPTELA)
		return SQLITE_OK;
	memset(&f, 0, sizeof f);
	f.msg_id = f.count = -1;
	span_copy(f.host, sizeof f.host, row->raw, row->hdr.hostname);
	if (ds->source == DOMAIN_CHARON)
		facts_from_charon(&f, &ds->ch);
	else
		facts_from_viptela(&f, &ds->ft, ds->body);
	if (f.kind == NULL)
		f.kind = "other";
	if (f.host[0] == '\0' && f.tag_host[0] != '\0')
		snprintf(f.host, sizeof f.host, "%s", f.tag_host);

	if ((rc = resolve_device(r, &f, src, us, &dev)) != SQLITE_OK)
		return rc;

	/* The same text at the same device time on the same device: a copy. */
	dkey = dedup_key(dev, us, ds->body, ds->body_len);
	dd = &r->dedup[dkey % RESOLVE_DEDUP_SLOTS];
	if (dd->key == dkey && dd->event_id != 0) {
		sqlite3_bind_int64(r->st[S_DUP], 1, message_id);
		sqlite3_bind_int64(r->st[S_DUP], 2, dd->event_id);
		return step_done(r, r->st[S_DUP]);
	}

	if ((rc = resolve_tunnel(r, dev, &f, us, &tun)) != SQLITE_OK)
		return rc;
	if (tun == 0 && ds->source == DOMAIN_CHARON &&
	    (rc = tunnel_single(r, dev, &tun)) != SQLITE_OK)
		return rc;
	if ((rc = event_insert(r, message_id, dev, tun, us, &f, ds, &event_id)) != SQLITE_OK)
		return rc;
	dd->key = dkey;
	dd->event_id = event_id;

	if (f.thread >= 0 && ds->source == DOMAIN_CHARON) {
		struct thread_slot *s = thread_slot(r, dev, f.thread);
		if (tun != 0 && !(f.iface[0] == '\0' && f.conn == NULL && f.peer_ip == NULL &&
		    !f.has_uid)) {
			/* Identified by its own facts: settle the waiting lines. */
			if ((rc = thread_settle(r, s, tun, us)) != SQLITE_OK)
				return rc;
		} else if (tun == 0) {
			if (s->tunnel_id != 0 && us != INT64_MIN &&
			    us - s->tunnel_us <= RESOLVE_THREAD_WINDOW && us >= s->tunnel_us &&
			    s->npending == 0) {
				/* Same job as the thread's previous line. */
				if ((rc = event_set_tunnel(r, event_id, s->tunnel_id)) != SQLITE_OK)
					return rc;
			} else if (s->npending < RESOLVE_PENDING) {
				s->pending[s->npending] = event_id;
				s->pending_us[s->npending] = us;
				s->npending++;
			}
		}
	}
	return SQLITE_OK;
}
