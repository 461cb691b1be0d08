/*
 * query_cmd.c — `tunnelwatch tunnels`, `incidents` and `timeline`: the
 * public views (docs/schema.md) at the command line.
 *
 *   tunnels   [--state S] [--flapping] [--device D]               v_tunnels
 *   tunnels   --bfd [--state up|down] [--flapping] [--device D]   v_bfd_sessions
 *   incidents [--since P] [--device D] [--tunnel T] [--root-cause C]
 *                                                                 v_incidents
 *   timeline  --device D --tunnel T [--around TIME] [--window 15m] v_events
 *
 * Each query selects whole rows of its view, so `--json` prints exactly
 * the view's rows and columns (an array of objects, column names as keys,
 * SQL types kept); the columns that hold JSON text (evidence, detail) are
 * embedded as JSON values.  Without --json the same rows become a table:
 * aligned columns on a terminal, tab-separated values with a header line
 * otherwise (for cut and awk).  Text from the logs is cleaned of control
 * characters before it reaches a terminal, so a log line cannot send
 * escape sequences.
 *
 * The database is opened read-only; every filter is a bound parameter.
 */
#include "cli.h"
#include "jsonout.h"
#include "report.h"
#include "showline.h"
#include "db.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { Q_TEXT, Q_DUR, Q_BOOL, Q_TIME, Q_SHOW };   /* Q_SHOW: a log line, showline.h */

/* PostgreSQL compares text by the database's collation, SQLite by bytes:
 * ORDER BY on text names this collation on PostgreSQL, so that rows come
 * in the same order on both whatever locale the database was made with. */
#define QUERY_BYTE_ORDER " COLLATE \"C\""

struct query_col {
	const char *header;
	const char *name;           /* result column */
	int kind;
	int max;                    /* display width cap on a terminal, 0 none */
	const char *null_text;      /* shown for NULL (default: empty) */
};

/* A marker printed between rows on a terminal (timeline: incident starts). */
struct query_mark {
	int64_t us;
	char text[512];
};

struct query_out {
	int json, tty;
	const char *const *json_cols;   /* columns embedded as JSON values */
	const char *order_col;          /* int64 column the marks are placed by */
	const struct query_mark *marks;
	int nmarks;
	/* --json: one more member per row, extra_name, made by extra(db, row)
	 * (NULL: an error, reported) after the row's columns. */
	const char *extra_name;
	json_t *(*extra)(struct db *db, struct db_stmt *row);
};

/* A copy of buf[0..len) fit for a terminal or a TSV cell: valid UTF-8,
 * C0/C1 controls and DEL replaced by U+FFFD, tabs and newlines by a space.
 * Returns a malloc'd string or NULL. */
static char *
query_clean(const char *buf, size_t len)
{
	char *tmp = malloc(3 * len + 1), *out = NULL;
	size_t n, i, o = 0;

	if (tmp == NULL)
		return NULL;
	n = util_utf8_sanitize(tmp, buf, len);
	if ((out = malloc(3 * n + 1)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tmp[i];
		if (c == '\t' || c == '\n' || c == '\r') {
			out[o++] = ' ';
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
		} else if (c == 0xc2 && i + 1 < n && (unsigned char)tmp[i + 1] >= 0x80 &&
		    (unsigned char)tmp[i + 1] <= 0x9f) {
			memcpy(out + o, "\xef\xbf\xbd", 3);     /* C1 control */
			o += 3;
			i++;
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
out:
	free(tmp);
	return out;
}

static size_t
query_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Prints s in exactly w columns (clipped with an ellipsis, or padded). */
static void
query_put_cell(FILE *f, const char *s, size_t w, int right, int last)
{
	size_t sw = query_width(s), i = 0, chars = 0;

	if (sw > w) {
		while (s[i] != '\0') {
			if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == w - 1)
				break;
			i++;
		}
		fwrite(s, 1, i, f);
		fputs("\xe2\x80\xa6", f);
		return;
	}
	if (right)
		fprintf(f, "%*s", (int)(w - sw), "");
	fputs(s, f);
	if (!right && !last)
		fprintf(f, "%*s", (int)(w - sw), "");
}

static json_t *
query_json_value(struct db_stmt *s, int i, int embed)
{
	const char *txt;
	size_t len;
	json_t *v;

	switch (db_column_type(s, i)) {
	case DB_INTEGER:
		return json_integer((json_int_t)db_column_int64(s, i));
	case DB_FLOAT:
		return json_real(db_column_double(s, i));
	case DB_NULL:
		return json_null();
	default:
		txt = db_column_text(s, i);
		len = (size_t)db_column_bytes(s, i);
		if (embed && (v = json_loadb(txt, len, JSON_DECODE_ANY, NULL)) != NULL)
			return v;
		return util_json_text(txt != NULL ? txt : "", txt != NULL ? len : 0);
	}
}

/* The text shown for column i of the current row, malloc'd. */
static char *
query_cell(struct db_stmt *s, int i, const struct query_col *col)
{
	char buf[64];
	const char *txt;
	int kind = col->kind;

	if (db_column_type(s, i) == DB_NULL)
		return strdup(col->null_text != NULL ? col->null_text : "");
	if (kind == Q_DUR) {
		report_format_duration(buf, sizeof buf, db_column_int64(s, i) * 1000000);
		return strdup(buf);
	}
	if (kind == Q_BOOL)
		return strdup(db_column_int64(s, i) ? "yes" : "no");
	if (db_column_type(s, i) == DB_FLOAT) {
		/* As SQLite spells a REAL ("%!.15g": 0.0, 2.5), whichever backend. */
		snprintf(buf, sizeof buf, "%.15g", db_column_double(s, i));
		if (strspn(buf, "-0123456789") == strlen(buf))
			strncat(buf, ".0", sizeof buf - strlen(buf) - 1);
		return strdup(buf);
	}
	txt = db_column_text(s, i);
	if (txt == NULL)
		return strdup("");
	if (kind == Q_TIME && strlen(txt) == 20 && txt[10] == 'T') {
		/* "2024-06-18T00:31:17Z" reads better as "2024-06-18 00:31:17" */
		snprintf(buf, sizeof buf, "%.10s %.8s", txt, txt + 11);
		return strdup(buf);
	}
	if (kind == Q_SHOW) {
		/* "host program: message" (the time is its own column) */
		char *shown = showline_format(txt, (size_t)db_column_bytes(s, i),
		    SHOWLINE_NO_TIME, SHOWLINE_F_NOTIME), *clean;
		if (shown == NULL)
			return NULL;
		clean = query_clean(shown, strlen(shown));
		free(shown);
		return clean;
	}
	return query_clean(txt, (size_t)db_column_bytes(s, i));
}

/*
 * Runs s and prints its rows per o: JSON, an aligned table, or TSV.
 * Returns 0, or -1 on an SQL or memory error (reported on stderr).
 */
static int
query_output(struct db *db, struct db_stmt *s, const struct query_col *cols, int ncols,
    const struct query_out *o, const char *empty)
{
	char ***rows = NULL;
	int64_t *order = NULL;
	size_t nrows = 0, cap = 0, r, w[16];
	int idx[16], ordi = -1, i, rc, ret = -1, m = 0, named = 0;
	json_t *arr = NULL;

	if (ncols > 16)
		return -1;
	for (i = 0; i < ncols; i++)
		w[i] = query_width(cols[i].header);
	if (o->json && (arr = json_array()) == NULL)
		goto oom;
	while ((rc = db_step(s)) == DB_ROW) {
		if (!named) {
			/* PostgreSQL knows the result's columns once it has run. */
			for (i = 0; i < ncols; i++) {
				int c;
				idx[i] = -1;
				for (c = 0; c < db_column_count(s); c++)
					if (strcmp(db_column_name(s, c), cols[i].name) == 0)
						idx[i] = c;
			}
			if (o->order_col != NULL)
				for (i = 0; i < db_column_count(s); i++)
					if (strcmp(db_column_name(s, i), o->order_col) == 0)
						ordi = i;
			named = 1;
		}
		if (o->json) {
			json_t *obj = json_object();
			int c, k;
			for (c = 0; c < db_column_count(s); c++) {
				const char *name = db_column_name(s, c);
				int embed = 0;
				for (k = 0; o->json_cols != NULL && o->json_cols[k] != NULL; k++)
					if (strcmp(o->json_cols[k], name) == 0)
						embed = 1;
				json_object_set_new(obj, name, query_json_value(s, c, embed));
			}
			if (obj != NULL && o->extra != NULL) {
				json_t *x = o->extra(db, s);
				if (x == NULL) {
					json_decref(obj);
					goto out;
				}
				json_object_set_new(obj, o->extra_name, x);
			}
			if (obj == NULL || json_array_append_new(arr, obj) != 0)
				goto oom;
			continue;
		}
		if (nrows == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			void *p = realloc(rows, ncap * sizeof *rows), *q;
			if (p == NULL)
				goto oom;
			rows = p;
			if ((q = realloc(order, ncap * sizeof *order)) == NULL)
				goto oom;
			order = q;
			cap = ncap;
		}
		if ((rows[nrows] = calloc((size_t)ncols, sizeof(char *))) == NULL)
			goto oom;
		order[nrows] = ordi >= 0 ? db_column_int64(s, ordi) : 0;
		nrows++;
		for (i = 0; i < ncols; i++) {
			char *cell = idx[i] >= 0 ? query_cell(s, idx[i], &cols[i]) : strdup("");
			size_t cw;
			if (cell == NULL)
				goto oom;
			rows[nrows - 1][i] = cell;
			cw = query_width(cell);
			if (cw > w[i])
				w[i] = cw;
		}
	}
	if (rc != DB_DONE) {
		readdb_error(db, "query");
		goto out;
	}
	if (o->json) {
		if (jsonout_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', stdout) == EOF)
			goto out;
		ret = 0;
		goto out;
	}
	if (!o->tty) {
		for (i = 0; i < ncols; i++)
			printf("%s%s", i ? "\t" : "", cols[i].header);
		fputc('\n', stdout);
		for (r = 0; r < nrows; r++)
			for (i = 0; i < ncols; i++)
				printf("%s%s", rows[r][i], i == ncols - 1 ? "\n" : "\t");
		ret = 0;
		goto out;
	}
	if (nrows == 0 && o->nmarks == 0) {
		printf("%s\n", empty);
		ret = 0;
		goto out;
	}
	/* Capped columns keep the last one (the longest text: a summary, a
	 * log line) near the left; it is never clipped and wraps at the edge. */
	for (i = 0; i < ncols; i++)
		if (cols[i].max > 0 && w[i] > (size_t)cols[i].max)
			w[i] = (size_t)cols[i].max;
	for (i = 0; i < ncols; i++) {
		fputs(i ? "  " : "", stdout);
		query_put_cell(stdout, cols[i].header, w[i], 0, i == ncols - 1);
	}
	fputc('\n', stdout);
	for (r = 0; r <= nrows; r++) {
		while (m < o->nmarks && (r == nrows || o->marks[m].us <= order[r])) {
			printf("\xe2\x94\x80\xe2\x94\x80 %s\n", o->marks[m].text);
			m++;
		}
		if (r == nrows)
			break;
		for (i = 0; i < ncols; i++) {
			fputs(i ? "  " : "", stdout);
			query_put_cell(stdout, rows[r][i], i == ncols - 1 ? query_width(rows[r][i]) :
			    w[i], cols[i].kind == Q_DUR, i == ncols - 1);
		}
		fputc('\n', stdout);
	}
	ret = 0;
	goto out;
oom:
	fprintf(stderr, "tunnelwatch: out of memory\n");
out:
	for (r = 0; r < nrows; r++) {
		for (i = 0; i < ncols; i++)
			free(rows[r][i]);
		free(rows[r]);
	}
	free(rows);
	free(order);
	json_decref(arr);
	if (fflush(stdout) != 0 && ret == 0) {
		fprintf(stderr, "tunnelwatch: stdout: %s\n", strerror(errno));
		ret = -1;
	}
	return ret;
}

static int
query_prepare(struct db *db, const char *sql, struct db_stmt **s)
{
	if (db_prepare(db, sql, s) != SQLITE_OK) {
		readdb_error(db, "preparing a query");
		return -1;
	}
	return 0;
}

static void
query_bind_text(struct db_stmt *s, int i, const char *v)
{
	if (v != NULL)
		db_bind_text(s, i, v, -1);
	else
		db_bind_null(s, i);
}

/* ------------------------------------------------------------------ */

/* `tunnels --bfd`: the device's overlay (BFD) sessions; --flapping keeps
 * those that flapped at least once. */
static int
bfd_sessions_run(const struct config *cfg)
{
	static const char *const sql[] = {
#define BFD_SQL(C) \
	    "SELECT * FROM v_bfd_sessions" \
	    " WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (?2 = 0 OR flaps > 0)" \
	    " AND (CAST(?3 AS TEXT) IS NULL OR hostname = ?3 OR system_ip = ?3)" \
	    " ORDER BY hostname" C " NULLS FIRST, system_ip" C " NULLS FIRST," \
	    " local_color" C " NULLS FIRST, remote_system_ip" C " NULLS FIRST," \
	    " remote_color" C " NULLS FIRST"
		[DB_SQLITE] = BFD_SQL(""),
		[DB_POSTGRES] = BFD_SQL(QUERY_BYTE_ORDER),
#undef BFD_SQL
	};
	static const struct query_col cols[] = {
		{ "DEVICE", "hostname", Q_TEXT, 24, NULL },
		{ "SYSTEM-IP", "system_ip", Q_TEXT, 16, NULL },
		{ "COLOR", "local_color", Q_TEXT, 16, NULL },
		{ "REMOTE", "remote_system_ip", Q_TEXT, 40, NULL },
		{ "REMOTE-COLOR", "remote_color", Q_TEXT, 16, NULL },
		{ "STATE", "state", Q_TEXT, 6, NULL },
		{ "SINCE", "state_since", Q_TIME, 0, NULL },
		{ "FLAPS", "flaps", Q_TEXT, 0, NULL },
		{ "LAST-DOWN", "last_down", Q_TIME, 0, NULL },
		{ "FLAP-REASON", "last_flap_reason", Q_TEXT, 0, NULL },
	};
	struct query_out o = { cfg->q.json, isatty(1), NULL, NULL, NULL, 0, NULL, NULL };
	struct readdb rd = { NULL, NULL };
	struct db_stmt *s = NULL;
	int ret = 1;

	if (cfg->q.state != NULL && strcmp(cfg->q.state, "up") != 0 &&
	    strcmp(cfg->q.state, "down") != 0) {
		fprintf(stderr, "tunnelwatch: tunnels --bfd: --state must be up or down\n");
		return 2;
	}
	if (readdb_open(cfg, "tunnels", &rd) != 0)
		return 1;
	if (query_prepare(rd.db, sql[db_kind(rd.db)], &s) != 0)
		goto out;
	query_bind_text(s, 1, cfg->q.state);
	db_bind_int64(s, 2, cfg->q.flapping);
	query_bind_text(s, 3, cfg->q.device);
	if (query_output(rd.db, s, cols, (int)(sizeof cols / sizeof cols[0]), &o,
	    "(no BFD sessions match)") == 0)
		ret = 0;
out:
	db_finalize(s);
	readdb_close(&rd);
	return ret;
}

int
tunnels_run(const struct config *cfg)
{
	static const char *const sql[] = {
#define TUNNELS_SQL(C) \
	    "SELECT * FROM v_tunnels" \
	    " WHERE (CAST(?1 AS TEXT) IS NULL OR state = ?1) AND (?2 = 0 OR flapping = 1)" \
	    " AND (CAST(?3 AS TEXT) IS NULL OR hostname = ?3 OR system_ip = ?3)" \
	    " ORDER BY hostname" C " NULLS FIRST, system_ip" C " NULLS FIRST," \
	    " tunnel" C " NULLS FIRST, tunnel_id"
		[DB_SQLITE] = TUNNELS_SQL(""),
		[DB_POSTGRES] = TUNNELS_SQL(QUERY_BYTE_ORDER),
#undef TUNNELS_SQL
	};
	static const struct query_col cols[] = {
		{ "DEVICE", "hostname", Q_TEXT, 24, NULL },
		{ "SYSTEM-IP", "system_ip", Q_TEXT, 16, NULL },
		{ "TUNNEL", "tunnel", Q_TEXT, 24, NULL },
		{ "LOCAL", "local_ip", Q_TEXT, 40, NULL },
		{ "PEER", "peer_ip", Q_TEXT, 40, NULL },
		{ "STATE", "state", Q_TEXT, 12, NULL },
		{ "SINCE", "state_since", Q_TIME, 0, NULL },
		{ "FLAPS-24H", "flaps_24h", Q_TEXT, 0, NULL },
		{ "FLAPPING", "flapping", Q_BOOL, 0, NULL },
		{ "SCORE", "flap_score", Q_TEXT, 0, NULL },
	};
	static const char *const states[] = { "up", "down", "negotiating", "unknown" };
	struct query_out o = { cfg->q.json, isatty(1), NULL, NULL, NULL, 0, NULL, NULL };
	struct readdb rd = { NULL, NULL };
	struct db_stmt *s = NULL;
	int ret = 1, i, ok = cfg->q.state == NULL;

	if (cfg->q.bfd)
		return bfd_sessions_run(cfg);
	for (i = 0; cfg->q.state != NULL && i < 4; i++)
		if (strcmp(cfg->q.state, states[i]) == 0)
			ok = 1;
	if (!ok) {
		fprintf(stderr, "tunnelwatch: tunnels: --state must be up, down, "
		    "negotiating or unknown\n");
		return 2;
	}
	if (readdb_open(cfg, "tunnels", &rd) != 0)
		return 1;
	if (query_prepare(rd.db, sql[db_kind(rd.db)], &s) != 0)
		goto out;
	query_bind_text(s, 1, cfg->q.state);
	db_bind_int64(s, 2, cfg->q.flapping);
	query_bind_text(s, 3, cfg->q.device);
	if (query_output(rd.db, s, cols, (int)(sizeof cols / sizeof cols[0]), &o,
	    "(no tunnels match)") == 0)
		ret = 0;
out:
	db_finalize(s);
	readdb_close(&rd);
	return ret;
}

/*
 * --json's evidence_shown of the incident in row: its evidence lines as
 * "device-time host program: message" (showline.h), in evidence order,
 * beside the view's raw lines.  Made here rather than in SQL so that it
 * is the same on both backends.
 */
static json_t *
incident_evidence_shown(struct db *db, struct db_stmt *row)
{
	static const char sql[] =
	    "SELECT ev.line, e.device_us FROM incident_evidence ev"
	    " LEFT JOIN events e ON e.event_id = ev.event_id"
	    " WHERE ev.incident_id = ?1 ORDER BY ev.seq";
	struct db_stmt *s = NULL;
	json_t *arr = json_array(), *ret = NULL;
	int c, id = -1, rc;

	for (c = 0; c < db_column_count(row); c++)
		if (strcmp(db_column_name(row, c), "incident_id") == 0)
			id = c;
	if (arr == NULL || id < 0 || query_prepare(db, sql, &s) != 0)
		goto out;
	db_bind_int64(s, 1, db_column_int64(row, id));
	while ((rc = db_step(s)) == DB_ROW) {
		const char *line = db_column_text(s, 0);
		char *shown;
		if (line == NULL) {
			if (json_array_append_new(arr, json_null()) != 0)
				goto out;
			continue;
		}
		shown = showline_format(line, (size_t)db_column_bytes(s, 0),
		    db_column_type(s, 1) == DB_NULL ? SHOWLINE_NO_TIME :
		    db_column_int64(s, 1), 0);
		if (shown == NULL || json_array_append_new(arr, util_json_text(shown,
		    strlen(shown))) != 0) {
			free(shown);
			goto out;
		}
		free(shown);
	}
	if (rc != DB_DONE) {
		readdb_error(db, "incidents");
		goto out;
	}
	ret = arr;
	arr = NULL;
out:
	db_finalize(s);
	json_decref(arr);
	return ret;
}

int
incidents_run(const struct config *cfg)
{
	/* With --since, the same incidents as the report of that period,
	 * found the same way (through the indexes); without, all of them. */
	/* --json adds evidence_shown (incident_evidence_shown). */
	static const char sql_since[] =
	    "SELECT * FROM v_incidents"
	    " WHERE incident_id IN (" REPORT_PERIOD_IDS_SQL ")"
	    " AND (CAST(?3 AS TEXT) IS NULL OR hostname = ?3 OR system_ip = ?3)"
	    " AND (CAST(?4 AS TEXT) IS NULL OR tunnel = ?4) AND (CAST(?5 AS TEXT) IS NULL OR root_cause = ?5)"
	    " ORDER BY started_us, incident_id";
	static const char sql_all[] =
	    "SELECT * FROM v_incidents"
	    " WHERE (CAST(?1 AS TEXT) IS NULL OR hostname = ?1 OR system_ip = ?1)"
	    " AND (CAST(?2 AS TEXT) IS NULL OR tunnel = ?2) AND (CAST(?3 AS TEXT) IS NULL OR root_cause = ?3)"
	    " ORDER BY started_us, incident_id";
	static const struct query_col cols[] = {
		{ "ID", "incident_id", Q_TEXT, 0, NULL },
		{ "STARTED", "started_at", Q_TIME, 0, NULL },
		{ "DURATION", "duration_s", Q_DUR, 0, "open" },
		{ "DEVICE", "hostname", Q_TEXT, 24, NULL },
		{ "TUNNEL", "tunnel", Q_TEXT, 20, NULL },
		{ "PEER", "peer_ip", Q_TEXT, 40, NULL },
		{ "SYMPTOM", "symptom", Q_TEXT, 0, NULL },
		{ "ROOT-CAUSE", "root_cause", Q_TEXT, 0, NULL },
		{ "SUMMARY", "summary", Q_TEXT, 0, NULL },
	};
	static const char *const embed[] = { "evidence", "evidence_shown", NULL };
	struct query_out o = { cfg->q.json, isatty(1), embed, NULL, NULL, 0,
	    "evidence_shown", incident_evidence_shown };
	struct readdb rd = { NULL, NULL };
	struct db_stmt *s = NULL;
	char err[512];
	int b = cfg->q.since != NULL ? 3 : 1;   /* the first filter's parameter */
	int64_t start = 0, end = 0;
	int ret = 1;

	if (cfg->q.root_cause != NULL &&
	    strcmp(report_cause_name(report_cause_index(cfg->q.root_cause)),
	    cfg->q.root_cause) != 0) {
		fprintf(stderr, "tunnelwatch: incidents: --root-cause must be one of:");
		for (int i = 0; i < REPORT_CAUSE_MAX; i++)
			fprintf(stderr, " %s", report_cause_name(i));
		fputc('\n', stderr);
		return 2;
	}
	if (cfg->q.since != NULL && report_parse_period(cfg->q.since, util_now_us(),
	    &start, &end, err, sizeof err) != 0) {
		fprintf(stderr, "tunnelwatch: incidents: %s\n", err);
		return 2;
	}
	if (readdb_open(cfg, "incidents", &rd) != 0)
		return 1;
	if (query_prepare(rd.db, cfg->q.since != NULL ? sql_since : sql_all, &s) != 0)
		goto out;
	if (cfg->q.since != NULL) {
		db_bind_int64(s, 1, start);
		db_bind_int64(s, 2, end);
	}
	query_bind_text(s, b, cfg->q.device);
	query_bind_text(s, b + 1, cfg->q.tunnel);
	query_bind_text(s, b + 2, cfg->q.root_cause);
	if (query_output(rd.db, s, cols, (int)(sizeof cols / sizeof cols[0]), &o,
	    "(no incidents match)") == 0)
		ret = 0;
out:
	db_finalize(s);
	readdb_close(&rd);
	return ret;
}

/* The one tunnel named T on device D (hostname or system-ip).  Returns 0
 * with *id set, or -1 having said why on stderr. */
static int
query_find_tunnel(struct db *db, const char *device, const char *tunnel, int64_t *id)
{
	static const char sql[] =
	    "SELECT tunnel_id, hostname, system_ip FROM v_tunnels"
	    " WHERE (hostname = ?1 OR system_ip = ?1) AND tunnel = ?2 ORDER BY tunnel_id";
	static const char sql_list[] =
	    "SELECT DISTINCT tunnel FROM v_tunnels WHERE hostname = ?1 OR system_ip = ?1"
	    " ORDER BY tunnel";
	struct db_stmt *s = NULL;
	int n = 0, rc, ret = -1;
	char seen[512];
	size_t used = 0;

	seen[0] = '\0';
	if (query_prepare(db, sql, &s) != 0)
		return -1;
	query_bind_text(s, 1, device);
	query_bind_text(s, 2, tunnel);
	while ((rc = db_step(s)) == DB_ROW) {
		const char *sip = db_column_text(s, 2);
		if (n++ == 0)
			*id = db_column_int64(s, 0);
		if (used < sizeof seen) {
			int k = snprintf(seen + used, sizeof seen - used, "%s%s", used ? ", " : "",
			    sip != NULL ? sip : "(no system-ip)");
			used += k > 0 ? (size_t)k : 0;
		}
	}
	if (rc != DB_DONE) {
		readdb_error(db, "timeline");
		goto out;
	}
	if (n == 1) {
		ret = 0;
		goto out;
	}
	if (n > 1) {
		fprintf(stderr, "tunnelwatch: timeline: %d devices called '%s' have a tunnel "
		    "'%s' (system-ip %s): give --device SYSTEM-IP\n", n, device, tunnel, seen);
		goto out;
	}
	db_finalize(s);
	s = NULL;
	fprintf(stderr, "tunnelwatch: timeline: no tunnel '%s' on device '%s'", tunnel, device);
	if (query_prepare(db, sql_list, &s) == 0) {
		query_bind_text(s, 1, device);
		for (n = 0; db_step(s) == DB_ROW; n++) {
			char *t = query_clean(db_column_text(s, 0),
			    (size_t)db_column_bytes(s, 0));
			fprintf(stderr, "%s%s", n ? ", " : "; it has: ", t != NULL ? t : "?");
			free(t);
		}
		if (n == 0)
			fprintf(stderr, " (no such device)");
	}
	fputc('\n', stderr);
out:
	db_finalize(s);
	return ret;
}

/* Incident starts in [from, to] as terminal markers; *n gets how many. */
static struct query_mark *
query_incident_marks(struct db *db, int64_t tunnel_id, int64_t from, int64_t to, int *n)
{
	static const char sql[] =
	    "SELECT incident_id, symptom, root_cause, started_us FROM incidents"
	    " WHERE tunnel_id IN (SELECT tunnel_id FROM tunnels"
	    "   WHERE tunnel_id = ?1 OR merged_into = ?1)"
	    " AND started_us BETWEEN ?2 AND ?3 ORDER BY started_us, incident_id LIMIT 100";
	struct query_mark *m = NULL;
	struct db_stmt *s = NULL;

	*n = 0;
	if (query_prepare(db, sql, &s) != 0 || (m = calloc(100, sizeof *m)) == NULL)
		goto out;
	db_bind_int64(s, 1, tunnel_id);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	while (*n < 100 && db_step(s) == DB_ROW) {
		char *sym = query_clean(db_column_text(s, 1),
		    (size_t)db_column_bytes(s, 1));
		char *rc = query_clean(db_column_text(s, 2),
		    (size_t)db_column_bytes(s, 2));
		char t[40];
		m[*n].us = db_column_int64(s, 3);
		snprintf(m[*n].text, sizeof m[*n].text, "incident #%lld starts %s: %s, %s",
		    (long long)db_column_int64(s, 0),
		    util_format_iso(t, sizeof t, m[*n].us, 0), sym != NULL ? sym : "?",
		    rc != NULL ? rc : "?");
		free(sym);
		free(rc);
		(*n)++;
	}
out:
	db_finalize(s);
	return m;
}

int
timeline_run(const struct config *cfg)
{
	/* events_tunnel_time finds the lines; the view gives them their
	 * columns.  Duplicates are never events (see the duplicates table).
	 * The DPD lines, which have no events row, come from their minutes'
	 * trails (v_trail).  Each minute's pulse (v_heartbeat) comes first in
	 * its minute, as a row of kind "pulse" whose line says what the
	 * chatter counted. */
	/* The one query in both dialects (db_kind()): UTC text of a time,
	 * a JSON object; NULLs sort first on both (SQLite's default). */
#define TIMELINE_SQL(UTC_MINUTE, JSON_OBJECT, JSON_END, C) \
	    "SELECT * FROM (SELECT * FROM v_events WHERE event_id IN" \
	    "  (SELECT event_id FROM events" \
	    "   WHERE tunnel_id IN (SELECT tunnel_id FROM tunnels" \
	    "     WHERE tunnel_id = ?1 OR merged_into = ?1)" \
	    "   AND device_us BETWEEN ?2 AND ?3)" \
	    " UNION ALL" \
	    " SELECT event_id, message_id, hostname, system_ip, tunnel, device_time, kind," \
	    "  'charon', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, line, device_us," \
	    "  tunnel_id, device_id" \
	    " FROM v_trail WHERE tunnel_id IN (SELECT tunnel_id FROM tunnels" \
	    "   WHERE tunnel_id = ?1 OR merged_into = ?1)" \
	    "  AND device_us BETWEEN ?2 AND ?3" \
	    " UNION ALL" \
	    " SELECT NULL, NULL, hostname, system_ip, tunnel," \
	    "  " UTC_MINUTE "," \
	    "  'pulse', 'charon', NULL, NULL, NULL, NULL, peer_ip, NULL, NULL," \
	    "  " JSON_OBJECT "('dpd_sent', dpd_sent, 'dpd_answered', dpd_answered," \
	    "   'peer_dpd', peer_dpd, 'retransmits', retransmits, 'packets_in', packets_in," \
	    "   'packets_out', packets_out, 'bytes_in', bytes_in, 'bytes_out', bytes_out," \
	    "   'keepalives', keepalives)" JSON_END "," \
	    "  'pulse of the minute: ' || summary, minute_us, tunnel_id, device_id" \
	    " FROM v_heartbeat WHERE tunnel_id IN (SELECT tunnel_id FROM tunnels" \
	    "   WHERE tunnel_id = ?1 OR merged_into = ?1)" \
	    "  AND minute_us BETWEEN ?2 - 59999999 AND ?3) AS timeline" \
	    " ORDER BY device_us, event_id NULLS FIRST, kind" C " NULLS FIRST," \
	    " line" C " NULLS FIRST, tunnel_id"
	static const char *const sql[] = {
		[DB_SQLITE] = TIMELINE_SQL(
		    "strftime('%Y-%m-%dT%H:%M:%SZ', minute_us / 1000000, 'unixepoch')",
		    "json_object", "", ""),
		[DB_POSTGRES] = TIMELINE_SQL("tw_utc(minute_us)", "json_build_object", "::text",
		    QUERY_BYTE_ORDER),
	};
#undef TIMELINE_SQL
	static const char sql_latest[] =
	    "SELECT (SELECT max(started_us) FROM incidents WHERE tunnel_id IN"
	    "   (SELECT tunnel_id FROM tunnels WHERE tunnel_id = ?1 OR merged_into = ?1)),"
	    " (SELECT max(device_us) FROM events WHERE tunnel_id IN"
	    "   (SELECT tunnel_id FROM tunnels WHERE tunnel_id = ?1 OR merged_into = ?1))";
	static const struct query_col cols_shown[] = {
		{ "DEVICE-TIME", "device_time", Q_TIME, 0, NULL },
		{ "KIND", "kind", Q_TEXT, 26, NULL },
		{ "LINE", "line", Q_SHOW, 0, "(line no longer stored)" },
	};
	static const struct query_col cols_raw[] = {
		{ "DEVICE-TIME", "device_time", Q_TIME, 0, NULL },
		{ "KIND", "kind", Q_TEXT, 26, NULL },
		{ "LINE", "line", Q_TEXT, 0, "(line no longer stored)" },
	};
	const struct query_col *cols = cfg->q.raw ? cols_raw : cols_shown;
	static const char *const embed[] = { "detail", NULL };
	struct query_out o = { cfg->q.json, isatty(1), embed, "device_us", NULL, 0, NULL,
	    NULL };
	struct query_mark *marks = NULL;
	struct readdb rd = { NULL, NULL };
	struct db_stmt *s = NULL;
	int64_t tunnel_id = 0, around, window;
	const char *why = "--around";
	char a[40], w[48];
	int ret = 1;

	if (cfg->q.device == NULL || cfg->q.tunnel == NULL) {
		fprintf(stderr, "tunnelwatch: timeline: --device and --tunnel are required\n");
		return 2;
	}
	window = cfg->q.window_us;      /* range-checked by the options table */
	if (cfg->q.around != NULL && report_parse_time(cfg->q.around, &around) != 0) {
		fprintf(stderr, "tunnelwatch: timeline: --around: expected a time like "
		    "2024-06-18T00:31:17Z\n");
		return 2;
	}
	if (readdb_open(cfg, "timeline", &rd) != 0)
		return 1;
	if (query_find_tunnel(rd.db, cfg->q.device, cfg->q.tunnel, &tunnel_id) != 0)
		goto out;
	if (cfg->q.around == NULL) {
		if (query_prepare(rd.db, sql_latest, &s) != 0)
			goto out;
		db_bind_int64(s, 1, tunnel_id);
		if (db_step(s) != DB_ROW) {
			readdb_error(rd.db, "timeline");
			goto out;
		}
		if (db_column_type(s, 0) != DB_NULL) {
			around = db_column_int64(s, 0);
			why = "the start of its latest incident";
		} else if (db_column_type(s, 1) != DB_NULL) {
			around = db_column_int64(s, 1);
			why = "its latest line (it has no incident)";
		} else {
			fprintf(stderr, "tunnelwatch: timeline: the tunnel has no lines with a "
			    "device time\n");
			goto out;
		}
		db_finalize(s);
		s = NULL;
	}
	if (o.tty && !o.json) {
		printf("%s %s, %s \xc2\xb1 %s (%s)\n", cfg->q.device, cfg->q.tunnel,
		    util_format_iso(a, sizeof a, around, 0),
		    report_format_duration(w, sizeof w, window), why);
		marks = query_incident_marks(rd.db, tunnel_id, around - window,
		    around + window, &o.nmarks);
		o.marks = marks;
	}
	if (query_prepare(rd.db, sql[db_kind(rd.db)], &s) != 0)
		goto out;
	db_bind_int64(s, 1, tunnel_id);
	db_bind_int64(s, 2, around - window);
	db_bind_int64(s, 3, around + window);
	if (query_output(rd.db, s, cols, (int)(sizeof cols_raw / sizeof cols_raw[0]), &o,
	    "(no lines in this window: try a larger --window)") == 0)
		ret = 0;
out:
	free(marks);
	db_finalize(s);
	readdb_close(&rd);
	return ret;
}
