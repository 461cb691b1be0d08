/*
 * report.c — the nightly fleet report's model, built from the database
 * (cmd/report_cmd.c is the command).
 *
 * Design.  The report is computed from the correlator's tables only:
 * incidents (through incidents_started), their evidence (its own copy of
 * each line, and the event by primary key for its kind and time),
 * fleet_events, tunnel_state, tunnels and devices (a few thousand rows).
 * It never scans messages or events, so it costs the same on a database of
 * a day and one of a year; docs/report.md gives the figures measured.
 *
 *   period    [start, end): the last --since (24h) up to now, or explicit
 *             ("2024-06-17/2024-06-18", "2024-06-17T00:00Z/24h").
 *   previous  the window of equal length just before it, for comparison.
 *   incident  belongs to a period when any part of it falls inside it
 *             (REPORT_PERIOD_IDS_SQL in report.h finds them by index).
 *   observed  a tunnel is observed from its first line (or the period's
 *             start) until its device's last line (or the period's end);
 *             an incident still open extends it to the period's end.
 *   down      the union of its incidents' intervals other than degraded,
 *             clipped to the period; degraded time is counted apart and
 *             is not down.  availability = (observed - down) / observed.
 *
 * The model (report.h) is rendered by report_html.c, report_md.c and
 * report_json.c.  The plain-words table below is the one place where a
 * root cause becomes a sentence and a remedy; the incident's own summary
 * (written by rootcause.c) is the specific sentence shown next to it.
 */
#include "db.h"
#include "jsonout.h"
#include "report.h"
#include "showline.h"
#include "store.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Plain words                                                          */

static const struct {
	const char *name, *text, *remedy;
} report_causes[REPORT_CAUSE_MAX] = {
	{ "dpd_timeout",
	  "The peer stopped answering dead-peer-detection probes: after the "
	  "retransmits the vEdge declared it lost and took the tunnel down.",
	  "Usually packet loss on the path to the peer (the provider). A one-off "
	  "cannot be traced afterwards; if it recurs, capture on both ends and "
	  "open a case with the provider." },
	{ "peer_not_responding",
	  "The vEdge tried to establish the IKE_SA but the peer never answered.",
	  "Check that the peer (tunnel-destination) is reachable from the "
	  "tunnel-source and that UDP 500 and 4500 are not blocked on the way; "
	  "check the peer address and that the peer has this tunnel configured." },
	{ "ike_proposal_mismatch",
	  "The two ends share no IKE proposal (encryption, integrity or DH group).",
	  "Make the IKE cipher-suite and DH group identical on both ends "
	  "(vEdge: ike cipher-suite and group under interface ipsecN)." },
	{ "esp_proposal_mismatch",
	  "The IKE_SA came up, but the two ends share no IPsec (ESP) proposal, so "
	  "no CHILD_SA could be built.",
	  "Make the IPsec cipher-suite identical on both ends "
	  "(vEdge: ipsec cipher-suite under interface ipsecN)." },
	{ "pfs_mismatch",
	  "The IPsec rekey failed because only one end asks for perfect forward "
	  "secrecy (a DH group in its ESP proposal).",
	  "Make PFS match on both ends (vEdge: ipsec perfect-forward-secrecy), "
	  "or turn it off on both. It fails again at every rekey until then." },
	{ "auth_failed",
	  "Authentication failed: the pre-shared key or the IKE identities do "
	  "not match.",
	  "Check the pre-shared key and the local and remote IKE identities on "
	  "both ends." },
	{ "ts_mismatch",
	  "The traffic selectors (the networks the tunnel protects) proposed by "
	  "one end are not acceptable to the other.",
	  "Make the traffic selectors match on both ends." },
	{ "peer_delete",
	  "The peer deleted the IKE_SA outside a rekey and the vEdge did not "
	  "re-initiate it (the pattern of Cisco bug CSCvx86427).",
	  "Bring the tunnel back (for example shutdown / no shutdown of the "
	  "ipsec interface), ask the peer's operator why it sent the DELETE, and "
	  "check the vEdge release against CSCvx86427." },
	{ "local_delete",
	  "The vEdge itself deleted the IKE_SA (a configuration change, a manual "
	  "clear, or its own decision).",
	  "Check what changed on the vEdge at that time (vManage audit log, "
	  "configuration history)." },
	{ "local_transport_down",
	  "The vEdge's own uplink went down as the tunnel dropped: a transport "
	  "(VPN 0) interface, or every BFD session of one of its colors.",
	  "Not the peer: check that interface (or the interface of that color), "
	  "its cabling and the circuit with its provider; the overlay (BFD) "
	  "sessions section shows which colors went down and why." },
	{ "unknown",
	  "The logs do not show why.",
	  "Read the evidence and the lines around the start (tunnelwatch "
	  "timeline); make sure the vEdge logs charon at priority information." },
};

static const struct {
	const char *name, *text;
} report_symptoms[REPORT_SYM_MAX] = {
	{ "never_established", "never established: the tunnel did not come up" },
	{ "flap", "flap: the tunnel went down and came back by itself" },
	{ "stuck", "stuck: the tunnel went down and stays down" },
	{ "down", "down: the tunnel went down (not yet long enough to call it stuck)" },
	{ "degraded", "degraded: the tunnel is up but its IPsec rekeys fail" },
};

const char *
report_cause_name(int cause)
{
	return cause >= 0 && cause < REPORT_CAUSE_MAX ? report_causes[cause].name : "unknown";
}

const char *
report_cause_text(int cause)
{
	return report_causes[cause >= 0 && cause < REPORT_CAUSE_MAX ? cause :
	    REPORT_CAUSE_MAX - 1].text;
}

const char *
report_cause_remedy(int cause)
{
	return report_causes[cause >= 0 && cause < REPORT_CAUSE_MAX ? cause :
	    REPORT_CAUSE_MAX - 1].remedy;
}

int
report_cause_index(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < REPORT_CAUSE_MAX; i++)
		if (strcmp(name, report_causes[i].name) == 0)
			return i;
	return REPORT_CAUSE_MAX - 1;
}

const char *
report_symptom_name(int sym)
{
	return sym >= 0 && sym < REPORT_SYM_MAX ? report_symptoms[sym].name : "unknown";
}

const char *
report_symptom_text(int sym)
{
	return sym >= 0 && sym < REPORT_SYM_MAX ? report_symptoms[sym].text :
	    "an incident of a kind this version does not know";
}

int
report_symptom_index(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < REPORT_SYM_MAX; i++)
		if (strcmp(name, report_symptoms[i].name) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Times and durations                                                  */

/* Exactly n digits at *p; advances only on success. */
static int
report_digits(const char **p, int n, int *out)
{
	const char *s = *p;
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	*p = s + n;
	return 0;
}

int
report_parse_time(const char *s, int64_t *us)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0, oh, om;
	int64_t frac = 0, scale = 100000;

	if (s == NULL || report_digits(&p, 4, &y) != 0 || *p++ != '-' ||
	    report_digits(&p, 2, &mo) != 0 || *p++ != '-' ||
	    report_digits(&p, 2, &d) != 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (report_digits(&p, 2, &h) != 0 || *p++ != ':' ||
		    report_digits(&p, 2, &mi) != 0)
			return -1;
		if (*p == ':') {
			p++;
			if (report_digits(&p, 2, &sec) != 0)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				if (*p < '0' || *p > '9')
					return -1;
				for (; *p >= '0' && *p <= '9'; p++) {
					frac += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;
			if (report_digits(&p, 2, &oh) != 0)
				return -1;
			if (*p == ':')
				p++;
			if (report_digits(&p, 2, &om) != 0 || oh > 23 || om > 59)
				return -1;
			off = sign * (oh * 60 + om);
		}
	}
	if (*p != '\0')
		return -1;
	*us = ((util_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    (int64_t)off * 60) * 1000000) + frac;
	return 0;
}

int
report_parse_period(const char *s, int64_t now_us, int64_t *start_us,
    int64_t *end_us, char *err, size_t errsz)
{
	const char *slash = strchr(s, '/');
	char left[64];
	int64_t t, d;

	if (slash != NULL) {
		if ((size_t)(slash - s) >= sizeof left)
			goto bad;
		memcpy(left, s, (size_t)(slash - s));
		left[slash - s] = '\0';
		if (report_parse_time(left, start_us) != 0)
			goto bad;
		if (report_parse_time(slash + 1, &t) == 0)
			*end_us = t;
		else if (util_parse_duration(slash + 1, &d) == 0 && d <= REPORT_MAX_SPAN_US)
			*end_us = *start_us + d;
		else
			goto bad;
	} else if (report_parse_time(s, &t) == 0) {
		*start_us = t;
		*end_us = now_us;
	} else if (util_parse_duration(s, &d) == 0 && d <= REPORT_MAX_SPAN_US) {
		*start_us = now_us - d;
		*end_us = now_us;
	} else {
		goto bad;
	}
	if (*end_us <= *start_us) {
		snprintf(err, errsz, "--since '%s': the period is empty (it ends before it starts)", s);
		return -1;
	}
	if (*end_us - *start_us > REPORT_MAX_SPAN_US) {
		snprintf(err, errsz, "--since '%s': the period is longer than 100 years", s);
		return -1;
	}
	return 0;
bad:
	snprintf(err, errsz, "--since '%s': expected a duration (24h, 7d), a time "
	    "(2024-06-18T00:00:00Z), or TIME/TIME or TIME/DURATION", s);
	return -1;
}

const char *
report_incident_peer(const struct report *r, const struct report_incident *in)
{
	if (in->peer_ip != NULL)
		return in->peer_ip;
	return in->tunnel >= 0 ? r->tunnels[in->tunnel].peer_ip : NULL;
}

void
report_fput_time(FILE *f, int64_t us)
{
	char buf[40];

	if (us == INT64_MIN || us == REPORT_ONGOING)
		fputs("\xe2\x80\x94", f);
	else
		fputs(util_format_iso(buf, sizeof buf, us, 0), f);
}

void
report_fput_duration(FILE *f, int64_t us)
{
	char buf[48];

	fputs(report_format_duration(buf, sizeof buf, us), f);
}

void
report_fput_bands(FILE *f, const struct report_tunnel *t)
{
	static const char *const names[] = { "up", "down", "degraded" };
	int k, n;

	for (k = 0, n = 0; k < t->nbands; k++) {
		const struct report_band *b = &t->bands[k];
		if (b->state == REPORT_UP)
			continue;
		fprintf(f, "%s%s ", n++ > 0 ? "; " : "", names[b->state]);
		report_fput_time(f, b->start_us);
		fputs(" \xe2\x86\x92 ", f);
		report_fput_time(f, b->end_us);
		fputs(" (", f);
		report_fput_duration(f, b->end_us - b->start_us);
		fputs(")", f);
	}
	if (n == 0)
		fputs("no down time", f);
}

char *
report_format_duration(char *buf, size_t sz, int64_t us)
{
	long long s = (long long)(us / 1000000);

	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, sz, "%llds", s);
	else if (s < 3600)
		snprintf(buf, sz, "%lldm %02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, sz, "%lldh %02lldm", s / 3600, s / 60 % 60);
	else
		snprintf(buf, sz, "%lldd %lldh", s / 86400, s / 3600 % 24);
	return buf;
}

char *
report_format_pct(char *buf, size_t sz, int64_t observed, int64_t down)
{
	double v;

	if (observed <= 0) {
		snprintf(buf, sz, "n/a");
		return buf;
	}
	v = 100.0 * (double)(observed - down) / (double)observed;
	/* never round a real outage up to a perfect 100 */
	if (down > 0 && v > 99.999)
		v = 99.999;
	snprintf(buf, sz, "%.3f %%", v);
	return buf;
}

int
report_is_now(const struct report *r)
{
	return r->generated_us - r->cur.end_us < 10 * 60 * 1000000LL;
}

/* ------------------------------------------------------------------ */
/* Memory: one arena for every string and small array of the model      */

struct report_arena {
	struct report_arena *next;
	size_t used, size;
	char data[];
};

#define REPORT_ARENA_CHUNK (256 * 1024)

static void *
report_alloc(struct report *r, size_t n)
{
	struct report_arena *a = r->arena;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (a == NULL || a->size - a->used < n) {
		size_t size = n > REPORT_ARENA_CHUNK ? n : REPORT_ARENA_CHUNK;
		if ((a = malloc(sizeof *a + size)) == NULL)
			return NULL;
		a->next = r->arena;
		a->used = 0;
		a->size = size;
		r->arena = a;
	}
	p = a->data + a->used;
	a->used += n;
	return p;
}

/* A copy of column i as valid UTF-8 (invalid sequences become U+FFFD), in
 * the arena; NULL for SQL NULL.  *oom is set when memory runs out. */
static const char *
report_col(struct report *r, struct db_stmt *s, int i, int *oom)
{
	const char *txt = db_column_text(s, i);
	size_t len;
	char *out;

	if (txt == NULL)
		return NULL;
	len = (size_t)db_column_bytes(s, i);
	if (util_utf8_valid(txt, len)) {
		if ((out = report_alloc(r, len + 1)) == NULL)
			goto oom;
		memcpy(out, txt, len);
		out[len] = '\0';
	} else {
		if ((out = report_alloc(r, 3 * len + 1)) == NULL)
			goto oom;
		out[util_utf8_sanitize(out, txt, len)] = '\0';
	}
	return out;
oom:
	*oom = 1;
	return NULL;
}

static int64_t
report_col_i64(struct db_stmt *s, int i, int64_t dflt)
{
	return db_column_type(s, i) == DB_NULL ? dflt : db_column_int64(s, i);
}

char *
report_headline(const struct report *r, char *buf, size_t sz)
{
	const char *when = report_is_now(r) ? "now" : "at the end";

	if (r->nstuck == 0 && r->nflapping == 0 && r->nfleet == 0) {
		snprintf(buf, sz, "All tunnels up %s, none flapping, no provider event", when);
		return buf;
	}
	snprintf(buf, sz, "%d tunnel%s down %s, %d flapping, %d provider event%s", r->nstuck,
	    r->nstuck == 1 ? "" : "s", when, r->nflapping, r->nfleet, r->nfleet == 1 ? "" : "s");
	return buf;
}

const char *
report_ev_text(const struct report *r, const struct report_evidence *e)
{
	return r->raw_lines || e->shown == NULL ? e->line : e->shown;
}

void
report_free(struct report *r)
{
	struct report_arena *a, *next;

	for (a = r->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(r->tunnels);
	free(r->incidents);
	free(r->by_tunnel);
	free(r->fleet);
	free(r->stuck);
	free(r->flapping);
	free(r->top);
	free(r->timelines);
	free(r->bfd);
	free(r->beats);
	memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------ */
/* Loading                                                              */

/* PostgreSQL compares text by the database's collation, SQLite by bytes:
 * an ORDER BY on text names this collation on PostgreSQL so that both
 * backends list rows in the same order.  The queries that differ between
 * the dialects (db_kind()) are written once as a macro and instantiated
 * for each, side by side. */
#define REPORT_BYTE_ORDER " COLLATE \"C\""

static int
report_prepare(struct db *db, const char *sql, struct db_stmt **s, char *err, size_t errsz)
{
	if (db_prepare(db, sql, s) != SQLITE_OK) {
		snprintf(err, errsz, "preparing \"%s\": %s", sql, db_errmsg(db));
		return -1;
	}
	return 0;
}

static int
report_step_error(struct db *db, struct db_stmt *s, char *err, size_t errsz)
{
	(void)s;
	snprintf(err, errsz, "%s", db_errmsg(db));
	return -1;
}

/* Every tunnel (merged ones too, to follow merged_into), by tunnel_id. */
static int
report_load_tunnels(struct db *db, struct report *r, char *err, size_t errsz)
{
	static const char sql[] =
	    "SELECT t.tunnel_id, t.device_id, t.merged_into, t.first_us, d.first_us,"
	    " d.last_us, d.hostname, d.system_ip, t.name, t.peer_ip,"
	    " coalesce(s.state, 'unknown'), coalesce(s.flapping, 0),"
	    " coalesce(s.flap_score, 0)"
	    " FROM tunnels t JOIN devices d ON d.device_id = t.device_id"
	    " LEFT JOIN tunnel_state s ON s.tunnel_id = t.tunnel_id"
	    " ORDER BY t.tunnel_id";
	struct db_stmt *s = NULL;
	int rc, cap = 0, oom = 0, ret = -1;

	if (report_prepare(db, sql, &s, err, errsz) != 0)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		struct report_tunnel *t;
		if (r->ntunnels == cap) {
			int ncap = cap ? cap * 2 : 256;
			void *p = realloc(r->tunnels, (size_t)ncap * sizeof *r->tunnels);
			if (p == NULL)
				goto oom;
			r->tunnels = p;
			cap = ncap;
		}
		t = &r->tunnels[r->ntunnels++];
		memset(t, 0, sizeof *t);
		t->id = db_column_int64(s, 0);
		t->device_id = db_column_int64(s, 1);
		t->merged_into = report_col_i64(s, 2, 0);
		t->dev_first_us = report_col_i64(s, 4, INT64_MIN);
		t->dev_last_us = report_col_i64(s, 5, INT64_MIN);
		t->first_us = report_col_i64(s, 3, t->dev_first_us);
		t->hostname = report_col(r, s, 6, &oom);
		t->system_ip = report_col(r, s, 7, &oom);
		t->name = report_col(r, s, 8, &oom);
		t->peer_ip = report_col(r, s, 9, &oom);
		t->state = report_col(r, s, 10, &oom);
		t->flapping_now = (int)db_column_int64(s, 11);
		t->flap_score = db_column_double(s, 12);
		t->first_inc = t->ninc = 0;
		if (oom)
			goto oom;
		if (t->merged_into == 0)
			r->tunnels_known++;
	}
	if (rc != DB_DONE) {
		report_step_error(db, s, err, errsz);
		goto out;
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	db_finalize(s);
	return ret;
}

/*
 * The overlay (BFD) sessions that went down in [start, end) or are down at
 * its end, down ones first, then by flaps.  bfd_sessions has a row per
 * session of the fleet (hundreds), so reading it whole costs nothing.  A
 * database older than schema 0006 (read-only: not migrated) has none.
 */
static int
report_load_bfd(struct db *db, struct report *r, int64_t start, int64_t end,
    char *err, size_t errsz)
{
	static const char *const sql[] = {
#define REPORT_BFD_SQL(C) \
	    "SELECT d.hostname, d.system_ip, b.local_color, b.remote_system_ip," \
	    " b.remote_color, b.state, b.last_flap_reason, b.flaps," \
	    " b.state_since_us, b.last_down_us" \
	    " FROM bfd_sessions b JOIN devices d ON d.device_id = b.device_id" \
	    " WHERE (b.state = 'down' AND b.first_us < ?2)" \
	    " OR (b.last_down_us >= ?1 AND b.last_down_us < ?2)" \
	    " ORDER BY b.state = 'down' DESC, b.flaps DESC, d.hostname" C " NULLS FIRST," \
	    " b.local_color" C " NULLS FIRST, b.remote_system_ip" C " NULLS FIRST," \
	    " b.remote_color" C " NULLS FIRST, b.device_id"
		[DB_SQLITE] = REPORT_BFD_SQL(""),
		[DB_POSTGRES] = REPORT_BFD_SQL(REPORT_BYTE_ORDER),
#undef REPORT_BFD_SQL
	};
	static const char *const sql_have[] = {
		[DB_SQLITE] = "SELECT 1 FROM sqlite_master WHERE type = 'table'"
		    " AND name = 'bfd_sessions'",
		[DB_POSTGRES] = "SELECT 1 WHERE to_regclass('bfd_sessions') IS NOT NULL",
	};
	struct db_stmt *s = NULL;
	int rc, oom = 0, ret = -1, have = 0;

	if (report_prepare(db, sql_have[db_kind(db)], &s, err, errsz) != 0)
		return -1;
	have = db_step(s) == DB_ROW;
	db_finalize(s);
	s = NULL;
	if (!have)
		return 0;
	if ((r->bfd = calloc(REPORT_MAX_BFD, sizeof *r->bfd)) == NULL)
		goto oom;
	if (report_prepare(db, sql[db_kind(db)], &s, err, errsz) != 0)
		goto out;
	db_bind_int64(s, 1, start);
	db_bind_int64(s, 2, end);
	while ((rc = db_step(s)) == DB_ROW) {
		struct report_bfd *b;
		if (r->nbfd == REPORT_MAX_BFD) {
			r->bfd_omitted++;
			continue;
		}
		b = &r->bfd[r->nbfd++];
		b->hostname = report_col(r, s, 0, &oom);
		b->system_ip = report_col(r, s, 1, &oom);
		b->local_color = report_col(r, s, 2, &oom);
		b->remote_system_ip = report_col(r, s, 3, &oom);
		b->remote_color = report_col(r, s, 4, &oom);
		b->state = report_col(r, s, 5, &oom);
		b->last_flap_reason = report_col(r, s, 6, &oom);
		b->flaps = db_column_int64(s, 7);
		b->state_since_us = report_col_i64(s, 8, INT64_MIN);
		b->last_down_us = report_col_i64(s, 9, INT64_MIN);
		if (oom)
			goto oom;
	}
	if (rc != DB_DONE) {
		report_step_error(db, s, err, errsz);
		goto out;
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	db_finalize(s);
	return ret;
}

/* The index of the tunnel that tunnel_id is now (following merges), or -1. */
static int
report_tunnel_index(const struct report *r, int64_t id)
{
	int hops;

	for (hops = 0; hops < 8; hops++) {
		int lo = 0, hi = r->ntunnels - 1, found = -1;
		while (lo <= hi) {
			int mid = lo + (hi - lo) / 2;
			if (r->tunnels[mid].id == id) {
				found = mid;
				break;
			}
			if (r->tunnels[mid].id < id)
				lo = mid + 1;
			else
				hi = mid - 1;
		}
		if (found < 0 || r->tunnels[found].merged_into == 0)
			return found;
		id = r->tunnels[found].merged_into;
	}
	return -1;
}

/* 1 when the report's filter takes the tunnel at index ti (-1: unknown)
 * or, without a tunnel, the device. */
static int
report_filter_keeps(const struct report *r, int ti, int64_t device_id)
{
	if (r->filter.tunnel_id != 0)
		return ti >= 0 && r->tunnels[ti].id == r->filter.tunnel_id;
	if (r->filter.device_id != 0)
		return ti >= 0 ? r->tunnels[ti].device_id == r->filter.device_id :
		    device_id == r->filter.device_id;
	return 1;
}

/* Incidents with any part in [start, end), by start (see
 * REPORT_PERIOD_IDS_SQL for how they are found). */
static int
report_load_incidents(struct db *db, struct report *r, int64_t start, int64_t end,
    int with_text, struct report_incident **out, int *nout, char *err, size_t errsz)
{
	static const char sql[] =
	    "SELECT incident_id, tunnel_id, device_id, coalesce(fleet_event_id, 0),"
	    " symptom, root_cause, started_us, ended_us, summary, peer_ip"
	    " FROM incidents WHERE incident_id IN (" REPORT_PERIOD_IDS_SQL ")"
	    " ORDER BY started_us, incident_id";
	struct report_incident *v = NULL;
	struct db_stmt *s = NULL;
	int rc, n = 0, cap = 0, oom = 0;

	if (report_prepare(db, sql, &s, err, errsz) != 0)
		goto fail;
	db_bind_int64(s, 1, start);
	db_bind_int64(s, 2, end);
	while ((rc = db_step(s)) == DB_ROW) {
		struct report_incident *in;
		const char *sym = db_column_text(s, 4);
		const char *cause = db_column_text(s, 5);
		if (n == cap) {
			int ncap = cap ? cap * 2 : 256;
			void *p = realloc(v, (size_t)ncap * sizeof *v);
			if (p == NULL)
				goto oom;
			v = p;
			cap = ncap;
		}
		in = &v[n++];
		memset(in, 0, sizeof *in);
		in->id = db_column_int64(s, 0);
		in->tunnel_id = db_column_int64(s, 1);
		in->device_id = db_column_int64(s, 2);
		in->fleet_event_id = db_column_int64(s, 3);
		in->sym = report_symptom_index(sym);
		in->cause = report_cause_index(cause);
		in->started_us = db_column_int64(s, 6);
		in->ended_us = report_col_i64(s, 7, REPORT_ONGOING);
		if (in->ended_us < in->started_us)
			in->ended_us = in->started_us;
		in->tunnel = report_tunnel_index(r, in->tunnel_id);
		if (!report_filter_keeps(r, in->tunnel, in->device_id)) {
			n--;
			continue;
		}
		if (with_text) {
			in->symptom = report_col(r, s, 4, &oom);
			in->root_cause = report_col(r, s, 5, &oom);
			in->summary = report_col(r, s, 8, &oom);
			in->peer_ip = report_col(r, s, 9, &oom);
			if (oom)
				goto oom;
		}
	}
	if (rc != DB_DONE) {
		report_step_error(db, s, err, errsz);
		goto fail;
	}
	db_finalize(s);
	*out = v;
	*nout = n;
	return 0;
oom:
	snprintf(err, errsz, "out of memory");
fail:
	db_finalize(s);
	free(v);
	return -1;
}

static int
report_count(struct db *db, const char *sql, int64_t a, int64_t b, int *out,
    char *err, size_t errsz)
{
	struct db_stmt *s = NULL;
	int ret = -1;

	if (report_prepare(db, sql, &s, err, errsz) != 0)
		return -1;
	if (strstr(sql, "?2") != NULL) {
		db_bind_int64(s, 1, a);
		db_bind_int64(s, 2, b);
	}
	if (db_step(s) != DB_ROW) {
		report_step_error(db, s, err, errsz);
		goto out;
	}
	*out = (int)db_column_int64(s, 0);
	ret = 0;
out:
	db_finalize(s);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Per period: observation, bands, totals                               */

struct report_edge {
	int64_t us;
	int delta, degraded;
};

static int
report_edge_cmp(const void *a, const void *b)
{
	const struct report_edge *x = a, *y = b;

	return x->us < y->us ? -1 : x->us > y->us ? 1 : 0;
}

/* Sorting incident indexes by (tunnel, start). */
struct report_sort_ctx {
	const struct report_incident *inc;
};

static int
report_by_tunnel_cmp(const void *a, const void *b, void *arg)
{
	const struct report_sort_ctx *c = arg;
	const struct report_incident *x = &c->inc[*(const int *)a];
	const struct report_incident *y = &c->inc[*(const int *)b];

	if (x->tunnel != y->tunnel)
		return x->tunnel < y->tunnel ? -1 : 1;
	if (x->started_us != y->started_us)
		return x->started_us < y->started_us ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id ? 1 : 0;
}

/*
 * Computes st (and, with keep, each tunnel's bands and counters) for
 * [start, end) from inc[0..n).  *order_out gets the incident indexes
 * grouped by tunnel (the caller frees it).  Returns 0 or -1 (memory).
 */
static int
report_period(struct report *r, const struct report_incident *inc, int n,
    int64_t start, int64_t end, struct report_stats *st, int keep, int **order_out)
{
	struct report_sort_ctx ctx = { inc };
	struct report_edge *edges = NULL;
	int *order = NULL, i, j, k, ret = -1;

	st->start_us = start;
	st->end_us = end;
	if ((order = malloc(((size_t)n + 1) * sizeof *order)) == NULL ||
	    (edges = malloc(((size_t)2 * n + 1) * sizeof *edges)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		order[i] = i;
		st->incidents++;
		if (inc[i].sym >= 0)
			st->by_symptom[inc[i].sym]++;
		st->by_cause[inc[i].cause]++;
	}
	qsort_r(order, (size_t)n, sizeof *order, report_by_tunnel_cmp, &ctx);

	for (i = 0, j = 0; i < r->ntunnels; i++) {
		struct report_tunnel *t = &r->tunnels[i];
		int64_t os, oe, at, down = 0, degraded = 0;
		int nedges = 0, first = j, ninc, down_c = 0, deg_c = 0, nbands = 0;
		struct report_band *bands = NULL;

		while (j < n && inc[order[j]].tunnel < i)
			j++;    /* incidents whose tunnel is gone (-1) sort first */
		first = j;
		while (j < n && inc[order[j]].tunnel == i)
			j++;
		ninc = j - first;
		if (keep) {
			t->obs_start = t->obs_end = start;
			t->down_us = t->degraded_us = 0;
			t->n_incidents = ninc;
			t->n_flaps = 0;
			t->bands = NULL;
			t->nbands = 0;
			t->first_inc = first;
			t->ninc = ninc;
		}
		if (t->merged_into != 0)
			continue;
		os = t->first_us > start ? t->first_us : start;
		oe = t->dev_last_us < end ? t->dev_last_us : end;
		for (k = first; k < j; k++) {
			const struct report_incident *in = &inc[order[k]];
			int64_t a = in->started_us > start ? in->started_us : start;
			int64_t b = in->ended_us < end ? in->ended_us : end;
			if (a < os)
				os = a;
			if (b > oe)
				oe = b;
			if (keep && in->sym == REPORT_SYM_FLAP)
				t->n_flaps++;
			if (a < b) {
				int deg = in->sym == REPORT_SYM_DEGRADED;
				edges[nedges++] = (struct report_edge){ a, 1, deg };
				edges[nedges++] = (struct report_edge){ b, -1, deg };
			}
		}
		if (oe <= os)
			continue;       /* not observed in this period */
		qsort(edges, (size_t)nedges, sizeof *edges, report_edge_cmp);
		if (keep && (bands = report_alloc(r, ((size_t)nedges + 1) *
		    sizeof *bands)) == NULL)
			goto out;
		at = os;
		for (k = 0; k <= nedges; k++) {
			int64_t until = k < nedges ? edges[k].us : oe;
			int state = down_c > 0 ? REPORT_DOWN : deg_c > 0 ? REPORT_DEGRADED : REPORT_UP;
			if (until > oe)
				until = oe;
			if (until > at) {
				if (state == REPORT_DOWN)
					down += until - at;
				else if (state == REPORT_DEGRADED)
					degraded += until - at;
				if (bands != NULL) {
					if (nbands > 0 && bands[nbands - 1].state == state &&
					    bands[nbands - 1].end_us == at)
						bands[nbands - 1].end_us = until;
					else
						bands[nbands++] = (struct report_band){ state, at, until };
				}
				at = until;
			}
			if (k < nedges) {
				if (edges[k].degraded)
					deg_c += edges[k].delta;
				else
					down_c += edges[k].delta;
			}
		}
		st->tunnels++;
		st->observed_us += oe - os;
		st->down_us += down;
		st->degraded_us += degraded;
		if (keep) {
			t->obs_start = os;
			t->obs_end = oe;
			t->down_us = down;
			t->degraded_us = degraded;
			t->bands = bands;
			t->nbands = nbands;
		}
	}
	*order_out = order;
	order = NULL;
	ret = 0;
out:
	free(order);
	free(edges);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Fleet events, lists, evidence                                        */

static int
report_load_fleet(struct db *db, struct report *r, char *err, size_t errsz)
{
	static const char sql[] =
	    "SELECT fleet_event_id, peer_ip, started_us, ended_us, devices, tunnels,"
	    " root_cause, summary FROM fleet_events"
	    " WHERE started_us < ?2 AND (started_us >= ?1 OR ended_us IS NULL"
	    " OR ended_us > ?1) ORDER BY started_us, fleet_event_id";
	/* Its incidents start close together; the window is generous. */
	static const char *const sql_aff[] = {
#define REPORT_AFF_SQL(C) \
	    "SELECT d.hostname, d.system_ip, t.name FROM incidents i" \
	    " JOIN tunnels t ON t.tunnel_id = i.tunnel_id" \
	    " JOIN devices d ON d.device_id = i.device_id" \
	    " WHERE i.started_us >= ?1 AND i.started_us <= ?2 AND i.fleet_event_id = ?3" \
	    " GROUP BY d.hostname, d.system_ip, t.name" \
	    " ORDER BY d.hostname" C " NULLS FIRST, d.system_ip" C " NULLS FIRST," \
	    " t.name" C " NULLS FIRST"
		[DB_SQLITE] = REPORT_AFF_SQL(""),
		[DB_POSTGRES] = REPORT_AFF_SQL(REPORT_BYTE_ORDER),
#undef REPORT_AFF_SQL
	};
	struct db_stmt *s = NULL, *a = NULL;
	int rc, cap = 0, oom = 0, ret = -1, i;

	if (report_prepare(db, sql, &s, err, errsz) != 0 ||
	    report_prepare(db, sql_aff[db_kind(db)], &a, err, errsz) != 0)
		goto out;
	db_bind_int64(s, 1, r->cur.start_us);
	db_bind_int64(s, 2, r->cur.end_us);
	while ((rc = db_step(s)) == DB_ROW) {
		struct report_fleet *f;
		if (r->nfleet == cap) {
			int ncap = cap ? cap * 2 : 16;
			void *p = realloc(r->fleet, (size_t)ncap * sizeof *r->fleet);
			if (p == NULL)
				goto oom;
			r->fleet = p;
			cap = ncap;
		}
		f = &r->fleet[r->nfleet++];
		memset(f, 0, sizeof *f);
		f->id = db_column_int64(s, 0);
		f->peer_ip = report_col(r, s, 1, &oom);
		f->started_us = db_column_int64(s, 2);
		f->ended_us = report_col_i64(s, 3, REPORT_ONGOING);
		f->devices = (int)db_column_int64(s, 4);
		f->tunnels = (int)db_column_int64(s, 5);
		f->root_cause = report_col(r, s, 6, &oom);
		f->summary = report_col(r, s, 7, &oom);
		f->cause = report_cause_index(f->root_cause);
		if (oom)
			goto oom;
	}
	if (rc != DB_DONE) {
		report_step_error(db, s, err, errsz);
		goto out;
	}
	r->cur.fleet_events = r->nfleet;
	for (i = 0; i < r->nfleet; i++) {
		struct report_fleet *f = &r->fleet[i];
		int acap = 0;
		db_reset(a);
		db_bind_int64(a, 1, f->started_us - 3600 * 1000000LL);
		db_bind_int64(a, 2, f->ended_us < r->cur.end_us ? f->ended_us : r->cur.end_us);
		db_bind_int64(a, 3, f->id);
		while ((rc = db_step(a)) == DB_ROW) {
			struct report_affected *x;
			if (f->naffected >= REPORT_MAX_AFFECTED) {
				f->affected_omitted++;
				continue;
			}
			if (f->naffected == acap) {
				/* arena arrays cannot grow: take the cap at once */
				acap = REPORT_MAX_AFFECTED;
				if ((f->affected = report_alloc(r, (size_t)acap *
				    sizeof *f->affected)) == NULL)
					goto oom;
			}
			x = &f->affected[f->naffected++];
			x->hostname = report_col(r, a, 0, &oom);
			x->system_ip = report_col(r, a, 1, &oom);
			x->tunnel = report_col(r, a, 2, &oom);
			if (oom)
				goto oom;
		}
		if (rc != DB_DONE) {
			report_step_error(db, a, err, errsz);
			goto out;
		}
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	db_finalize(s);
	db_finalize(a);
	return ret;
}

/* Each listed incident's pulse before it began: one range of the heartbeat
 * primary key for the window, one for the last answered probe. */
static int
report_load_pulse(struct db *db, struct report *r, char *err, size_t errsz)
{
	/* max(a, b) of two values is SQLite's; greatest() PostgreSQL's. */
	static const char *const sql[] = {
#define REPORT_PULSE_SQL(MAX2) \
	    "SELECT count(*), sum(" MAX2 "(dpd_probes, dpd_requests)), sum(dpd_answers)," \
	    " sum(retransmits)," \
	    " (SELECT max(minute_us) FROM heartbeat WHERE tunnel_id = ?1" \
	    "   AND minute_us BETWEEN CAST(?2 AS BIGINT) - CAST(?4 AS BIGINT) AND ?2" \
	    "   AND dpd_answers > 0)" \
	    " FROM heartbeat WHERE tunnel_id = ?1" \
	    " AND minute_us BETWEEN CAST(?2 AS BIGINT) - CAST(?3 AS BIGINT) AND ?2"
		[DB_SQLITE] = REPORT_PULSE_SQL("max"),
		[DB_POSTGRES] = REPORT_PULSE_SQL("greatest"),
#undef REPORT_PULSE_SQL
	};
	struct db_stmt *s = NULL;
	int i, ret = -1;

	if (report_prepare(db, sql[db_kind(db)], &s, err, errsz) != 0)
		return -1;
	for (i = 0; i < r->listed; i++) {
		struct report_incident *in = &r->incidents[i];
		db_reset(s);
		db_bind_int64(s, 1, in->tunnel_id);
		db_bind_int64(s, 2, in->started_us);
		db_bind_int64(s, 3, REPORT_PULSE_WINDOW_US);
		db_bind_int64(s, 4, REPORT_PULSE_LOOKBACK_US);
		if (db_step(s) != DB_ROW) {
			report_step_error(db, s, err, errsz);
			goto out;
		}
		in->pulse.minutes = (int)db_column_int64(s, 0);
		in->pulse.dpd_sent = db_column_int64(s, 1);
		in->pulse.dpd_answered = db_column_int64(s, 2);
		in->pulse.retransmits = db_column_int64(s, 3);
		in->pulse.last_answer_minute_us = report_col_i64(s, 4, INT64_MIN);
	}
	ret = 0;
out:
	db_finalize(s);
	return ret;
}

const char *
report_pulse_text(const struct report_incident *in, char *buf, size_t sz)
{
	const struct report_pulse *p = &in->pulse;
	char at[40];
	size_t n;

	buf[0] = '\0';
	if (p->minutes == 0 && p->last_answer_minute_us == INT64_MIN)
		return buf;
	n = (size_t)snprintf(buf, sz, "in the %lld minutes before: %lld DPD probes sent, "
	    "%lld answered, %lld retransmits",
	    (long long)(REPORT_PULSE_WINDOW_US / 60000000), (long long)p->dpd_sent,
	    (long long)p->dpd_answered, (long long)p->retransmits);
	if (n < sz && p->last_answer_minute_us != INT64_MIN)
		snprintf(buf + n, sz - n, "; last answered probe in the minute of %s",
		    util_format_iso(at, sizeof at, p->last_answer_minute_us, 0));
	else if (n < sz)
		snprintf(buf + n, sz - n, "; no answered probe in the %lld hours before",
		    (long long)(REPORT_PULSE_LOOKBACK_US / 3600000000LL));
	return buf;
}

static int
report_load_evidence(struct db *db, struct report *r, char *err, size_t errsz)
{
	static const char sql[] =
	    "SELECT coalesce(ev.device_us, e.device_us), coalesce(ev.kind, e.kind), ev.line"
	    " FROM incident_evidence ev"
	    " LEFT JOIN events e ON e.event_id = ev.event_id"
	    " WHERE ev.incident_id = ?1 ORDER BY ev.seq";
	struct db_stmt *s = NULL;
	int i, rc, oom = 0, ret = -1;

	if (report_prepare(db, sql, &s, err, errsz) != 0)
		return -1;
	for (i = 0; i < r->listed; i++) {
		struct report_incident *in = &r->incidents[i];
		db_reset(s);
		db_bind_int64(s, 1, in->id);
		while ((rc = db_step(s)) == DB_ROW) {
			struct report_evidence *e;
			if (in->nev >= REPORT_MAX_EVIDENCE) {
				in->ev_omitted++;
				continue;
			}
			if (in->ev == NULL && (in->ev = report_alloc(r,
			    REPORT_MAX_EVIDENCE * sizeof *in->ev)) == NULL)
				goto oom;
			e = &in->ev[in->nev++];
			e->us = report_col_i64(s, 0, INT64_MIN);
			e->kind = report_col(r, s, 1, &oom);
			e->line = report_col(r, s, 2, &oom);
			if (oom)
				goto oom;
			e->shown = NULL;
			if (e->line != NULL) {
				char *sh = showline_format(e->line, strlen(e->line),
				    e->us == INT64_MIN ? SHOWLINE_NO_TIME : e->us, 0);
				char *copy = sh != NULL ? report_alloc(r, strlen(sh) + 1) : NULL;
				if (copy == NULL) {
					free(sh);
					goto oom;
				}
				strcpy(copy, sh);
				free(sh);
				e->shown = copy;
			}
		}
		if (rc != DB_DONE) {
			report_step_error(db, s, err, errsz);
			goto out;
		}
	}
	ret = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	db_finalize(s);
	return ret;
}

static int
report_name_cmp(const struct report_tunnel *x, const struct report_tunnel *y)
{
	int c = strcmp(x->hostname ? x->hostname : "", y->hostname ? y->hostname : "");

	if (c == 0)
		c = strcmp(x->system_ip ? x->system_ip : "", y->system_ip ? y->system_ip : "");
	if (c == 0)
		c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
	return c;
}

static int
report_flap_cmp(const void *a, const void *b, void *arg)
{
	const struct report *r = arg;
	const struct report_tunnel *x = &r->tunnels[*(const int *)a];
	const struct report_tunnel *y = &r->tunnels[*(const int *)b];

	if (x->n_flaps != y->n_flaps)
		return x->n_flaps > y->n_flaps ? -1 : 1;
	return report_name_cmp(x, y);
}

static int
report_worst_cmp(const void *a, const void *b, void *arg)
{
	const struct report *r = arg;
	const struct report_tunnel *x = &r->tunnels[*(const int *)a];
	const struct report_tunnel *y = &r->tunnels[*(const int *)b];

	if (x->down_us != y->down_us)
		return x->down_us > y->down_us ? -1 : 1;
	if (x->n_incidents != y->n_incidents)
		return x->n_incidents > y->n_incidents ? -1 : 1;
	if (x->degraded_us != y->degraded_us)
		return x->degraded_us > y->degraded_us ? -1 : 1;
	return report_name_cmp(x, y);
}

static int
report_name_qcmp(const void *a, const void *b, void *arg)
{
	const struct report *r = arg;

	return report_name_cmp(&r->tunnels[*(const int *)a], &r->tunnels[*(const int *)b]);
}

static int
report_lists(struct report *r)
{
	int i, naff = 0;
	size_t nt = (size_t)r->ntunnels + 1;

	if ((r->stuck = malloc(((size_t)r->nincidents + 1) * sizeof *r->stuck)) == NULL ||
	    (r->flapping = malloc(nt * sizeof *r->flapping)) == NULL ||
	    (r->top = malloc(nt * sizeof *r->top)) == NULL ||
	    (r->timelines = malloc(nt * sizeof *r->timelines)) == NULL)
		return -1;
	for (i = 0; i < r->nincidents; i++)
		if (r->incidents[i].ended_us == REPORT_ONGOING &&
		    r->incidents[i].sym != REPORT_SYM_FLAP)
			r->stuck[r->nstuck++] = i;
	for (i = 0; i < r->ntunnels; i++) {
		const struct report_tunnel *t = &r->tunnels[i];
		if (t->merged_into != 0 || !report_filter_keeps(r, i, t->device_id))
			continue;
		if (t->flapping_now || (t->n_flaps > 0 && t->n_flaps >= r->flap_count))
			r->flapping[r->nflapping++] = i;
		if (t->n_incidents > 0 || r->filter.tunnel_id == t->id)
			r->timelines[naff++] = i;
	}
	qsort_r(r->flapping, (size_t)r->nflapping, sizeof(int), report_flap_cmp, r);
	qsort_r(r->timelines, (size_t)naff, sizeof(int), report_worst_cmp, r);
	r->ntop = naff < REPORT_MAX_TOP ? naff : REPORT_MAX_TOP;
	memcpy(r->top, r->timelines, (size_t)r->ntop * sizeof(int));
	r->ntimelines = naff < REPORT_MAX_TIMELINES ? naff : REPORT_MAX_TIMELINES;
	r->timelines_omitted = naff - r->ntimelines;
	qsort_r(r->timelines, (size_t)r->ntimelines, sizeof(int), report_name_qcmp, r);
	return 0;
}

/* The filtered tunnel's pulse, minute by minute (REPORT_MAX_BEATS at most,
 * the latest). */
static int
report_load_beats(struct db *db, struct report *r, int64_t start, int64_t end,
    char *err, size_t errsz)
{
	static const char *const sql[] = {
#define REPORT_BEATS_SQL(MAX2) \
	    "SELECT minute_us, " MAX2 "(dpd_probes, dpd_requests), dpd_answers, retransmits," \
	    " packets_in + packets_out, keepalives + kernel_lines + peer_dpd" \
	    " FROM (SELECT * FROM heartbeat WHERE tunnel_id IN (SELECT tunnel_id FROM tunnels" \
	    "   WHERE tunnel_id = ?1 OR merged_into = ?1)" \
	    "  AND minute_us >= CAST(?2 AS BIGINT) - 59999999 AND minute_us < ?3" \
	    "  ORDER BY minute_us DESC, tunnel_id DESC LIMIT ?4) AS beats" \
	    " ORDER BY minute_us, tunnel_id"
		[DB_SQLITE] = REPORT_BEATS_SQL("max"),
		[DB_POSTGRES] = REPORT_BEATS_SQL("greatest"),
#undef REPORT_BEATS_SQL
	};
	struct db_stmt *s = NULL;
	int rc;

	if (report_prepare(db, sql[db_kind(db)], &s, err, errsz) != 0)
		return -1;
	if ((r->beats = calloc(REPORT_MAX_BEATS, sizeof *r->beats)) == NULL) {
		db_finalize(s);
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	db_bind_int64(s, 1, r->filter.tunnel_id);
	db_bind_int64(s, 2, start);
	db_bind_int64(s, 3, end);
	db_bind_int64(s, 4, REPORT_MAX_BEATS);
	while ((rc = db_step(s)) == DB_ROW && r->nbeats < REPORT_MAX_BEATS) {
		struct report_beat *b = &r->beats[r->nbeats++];
		b->minute_us = db_column_int64(s, 0);
		b->dpd_sent = db_column_int64(s, 1);
		b->dpd_answered = db_column_int64(s, 2);
		b->retransmits = db_column_int64(s, 3);
		b->packets = db_column_int64(s, 4);
		b->other = db_column_int64(s, 5);
	}
	if (rc != DB_DONE && rc != DB_ROW) {
		report_step_error(db, s, err, errsz);
		db_finalize(s);
		return -1;
	}
	db_finalize(s);
	return 0;
}

int
report_build(struct db *db, int64_t start_us, int64_t end_us, int flap_count,
    struct report *r, char *err, size_t errsz)
{
	return report_build_filtered(db, start_us, end_us, flap_count, NULL, r, err, errsz);
}

int
report_build_filtered(struct db *db, int64_t start_us, int64_t end_us, int flap_count,
    const struct report_filter *f, struct report *r, char *err, size_t errsz)
{
	static const char devices_sql[] =
	    "SELECT count(*) FROM devices WHERE last_us >= ?1 AND first_us < ?2";
	static const char fleet_sql[] =
	    "SELECT count(*) FROM fleet_events WHERE started_us < ?2"
	    " AND (started_us >= ?1 OR ended_us IS NULL OR ended_us > ?1)";
	struct report_incident *prev = NULL;
	int64_t len = end_us - start_us;
	int nprev = 0, *order = NULL, ret = -1;

	memset(r, 0, sizeof *r);
	r->generated_us = util_now_us();
	r->flap_count = flap_count;
	if (f != NULL)
		r->filter = *f;
	/* One read transaction: every query sees the same snapshot. */
	if (db_begin_read(db) != SQLITE_OK) {
		snprintf(err, errsz, "BEGIN: %s", db_errmsg(db));
		return -1;
	}
	if (report_count(db, "SELECT count(*) FROM devices", 0, 0,
	    &r->devices_known, err, errsz) != 0 ||
	    report_count(db, devices_sql, start_us, end_us, &r->cur.devices, err, errsz) != 0 ||
	    report_count(db, devices_sql, start_us - len, start_us, &r->prev.devices,
	    err, errsz) != 0 ||
	    report_count(db, fleet_sql, start_us - len, start_us, &r->prev.fleet_events,
	    err, errsz) != 0 ||
	    report_load_tunnels(db, r, err, errsz) != 0)
		goto out;

	/* The previous period first: report_period(keep) then overwrites the
	 * tunnels' per-period fields with the current period's. */
	if (report_load_incidents(db, r, start_us - len, start_us, 0, &prev, &nprev,
	    err, errsz) != 0)
		goto out;
	if (report_period(r, prev, nprev, start_us - len, start_us, &r->prev, 0, &order) != 0)
		goto oom;
	free(order);
	order = NULL;
	if (report_load_incidents(db, r, start_us, end_us, 1, &r->incidents,
	    &r->nincidents, err, errsz) != 0)
		goto out;
	if (report_period(r, r->incidents, r->nincidents, start_us, end_us, &r->cur, 1,
	    &r->by_tunnel) != 0)
		goto oom;
	if (report_load_fleet(db, r, err, errsz) != 0)
		goto out;
	if (report_lists(r) != 0)
		goto oom;
	r->listed = r->nincidents < REPORT_MAX_LISTED ? r->nincidents : REPORT_MAX_LISTED;
	r->listed_omitted = r->nincidents - r->listed;
	if (report_load_evidence(db, r, err, errsz) != 0 ||
	    report_load_pulse(db, r, err, errsz) != 0 ||
	    report_load_bfd(db, r, start_us, end_us, err, errsz) != 0)
		goto out;
	if (r->filter.tunnel_id != 0 &&
	    report_load_beats(db, r, start_us, end_us, err, errsz) != 0)
		goto out;
	ret = 0;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	(void)db_exec(db, "COMMIT");
	free(prev);
	free(order);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Rendering                                                            */

int
report_write(const struct report *r, const char *format, FILE *f)
{
	json_t *j;
	int rc;

	if (strcmp(format, "html") == 0)
		return report_write_html(r, f);
	if (strcmp(format, "md") == 0)
		return report_write_md(r, f);
	if ((j = report_to_json(r)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	rc = jsonout_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
	return rc == 0 && !ferror(f) ? 0 : -1;
}
