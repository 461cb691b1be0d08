/*
 * web_pages.c — the pages of the live view: the fleet now, a tunnel, an
 * incident, a device, a device's raw lines, and the nightly reports.
 *
 * Every page is the HTML report's renderer (report/report_html.c) over a
 * report built for the page's window and tunnels (report_build_filtered),
 * with its links pointed at these pages; the few parts a report has no
 * section for (the tunnels of a device, raw lines, the archive) use the
 * same page frame, stylesheet and escaping.  Nothing is external and the
 * pages reload themselves every WEB_REFRESH_S seconds.
 */
#include "web_int.h"
#include "db.h"
#include "report.h"
#include "showline.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WEB_HOUR_US        (3600 * 1000000LL)
#define WEB_MAX_DEVICES    500      /* listed on the fleet page */
#define WEB_MAX_LINES      2000     /* raw lines per page */
#define WEB_MAX_REPORTS    1000     /* archive entries listed */
#define WEB_MAX_REPORT_BYTES (256LL * 1024 * 1024)

/* The page's head: frame, title, the live line and the navigation. */
static void
web_head(struct web_req *q, const char *title)
{
	char now[40];

	util_format_iso(now, sizeof now, util_now_us(), 0);
	report_html_page_begin(q->out, title, WEB_REFRESH_S);
	fputs("<header><h1>", q->out);
	report_html_escape(q->out, title);
	fprintf(q->out, "</h1>\n<p class=\"period\">live \xc2\xb7 %s \xc2\xb7 reloads every %d s"
	    "</p>\n<nav><a href=\"/\">Fleet now</a><a href=\"/reports/\">Nightly reports</a>"
	    "<a href=\"/metrics\">Metrics</a></nav></header>\n", now, WEB_REFRESH_S);
}

static int
web_build(struct web_req *q, struct db *db, int64_t start, int64_t end,
    const struct report_filter *f, struct report *r)
{
	char err[512];

	if (report_build_filtered(db, start, end, q->w->cfg->flap_count, f, r, err,
	    sizeof err) != 0) {
		report_free(r);
		web_error(q, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
		return -1;
	}
	r->live_links = 1;
	return 0;
}

static int
web_prepare(struct web_req *q, struct db *db, const char *sql, struct db_stmt **s)
{
	if (db_prepare(db, sql, s) != SQLITE_OK) {
		web_error(q, MHD_HTTP_INTERNAL_SERVER_ERROR, db_errmsg(db));
		return -1;
	}
	return 0;
}

/* The row of sql for ?1 = id, in *s (finalize it), or 0 and the 404 page
 * saying missing. */
static int
web_lookup(struct web_req *q, struct db *db, const char *sql, int64_t id,
    struct db_stmt **s, const char *missing)
{
	int rc;

	if (web_prepare(q, db, sql, s) != 0)
		return 0;
	db_bind_int64(*s, 1, id);
	if ((rc = db_step(*s)) == DB_ROW)
		return 1;
	db_finalize(*s);
	*s = NULL;
	if (rc == DB_DONE)
		web_error(q, MHD_HTTP_NOT_FOUND, missing);
	else
		web_error(q, MHD_HTTP_INTERNAL_SERVER_ERROR, db_errmsg(db));
	return 0;
}

static const char *
web_col(struct db_stmt *s, int i)
{
	const char *t = db_column_text(s, i);

	return t != NULL ? t : "";
}

/* A time column, INT64_MIN for NULL (report_fput_time's "unknown"). */
static int64_t
web_col_time(struct db_stmt *s, int i)
{
	return db_column_type(s, i) == DB_NULL ? INT64_MIN : db_column_int64(s, i);
}

/* ---- the fleet now ---- */

/* Text is listed in byte order on both backends (report.c's rule):
 * COLLATE "C" on PostgreSQL is SQLite's default. */
#define WEB_BYTE_ORDER " COLLATE \"C\""

static void
web_fleet_states(struct web_req *q, struct db *db)
{
#define WEB_STATES_SQL(C) \
	"SELECT coalesce(s.state, 'unknown'), count(*) FROM tunnels t" \
	" LEFT JOIN tunnel_state s ON s.tunnel_id = t.tunnel_id" \
	" WHERE t.merged_into IS NULL GROUP BY 1 ORDER BY coalesce(s.state, 'unknown')" C
	static const char *const sql[] = {
		[DB_SQLITE] = WEB_STATES_SQL(""),
		[DB_POSTGRES] = WEB_STATES_SQL(WEB_BYTE_ORDER),
	};
#undef WEB_STATES_SQL
	struct db_stmt *s = NULL;

	if (db_prepare(db, sql[db_kind(db)], &s) != SQLITE_OK)
		return;
	fputs("<section id=\"states\"><h2>Tunnels by state</h2>\n<table><thead><tr>"
	    "<th>State</th><th class=\"n\">Tunnels</th></tr></thead><tbody>\n", q->out);
	while (db_step(s) == DB_ROW) {
		fputs("<tr><td>", q->out);
		report_html_escape(q->out, web_col(s, 0));
		fprintf(q->out, "</td><td class=\"n\">%lld</td></tr>\n",
		    (long long)db_column_int64(s, 1));
	}
	fputs("</tbody></table></section>\n", q->out);
	db_finalize(s);
}

static void
web_fleet_devices(struct web_req *q, struct db *db)
{
#define WEB_DEVICES_SQL(C, NF) \
	"SELECT device_id, hostname, system_ip, last_us FROM devices" \
	" ORDER BY hostname" C NF ", device_id LIMIT ?1"
	static const char *const sql[] = {
		[DB_SQLITE] = WEB_DEVICES_SQL("", ""),
		[DB_POSTGRES] = WEB_DEVICES_SQL(WEB_BYTE_ORDER, " NULLS FIRST"),
	};
#undef WEB_DEVICES_SQL
	struct db_stmt *s = NULL;
	int n = 0;

	if (db_prepare(db, sql[db_kind(db)], &s) != SQLITE_OK)
		return;
	db_bind_int64(s, 1, WEB_MAX_DEVICES + 1);
	fputs("<section id=\"devices\"><h2>Devices</h2>\n<table><thead><tr><th>Device</th>"
	    "<th>System IP</th><th>Last line</th></tr></thead><tbody>\n", q->out);
	while (db_step(s) == DB_ROW && n++ < WEB_MAX_DEVICES) {
		fprintf(q->out, "<tr><td><a href=\"/device/%lld\">",
		    (long long)db_column_int64(s, 0));
		report_html_escape(q->out, db_column_type(s, 1) == DB_NULL ? "?" :
		    web_col(s, 1));
		fputs("</a></td><td>", q->out);
		report_html_escape(q->out, web_col(s, 2));
		fputs("</td><td>", q->out);
		report_fput_time(q->out, web_col_time(s, 3));
		fputs("</td></tr>\n", q->out);
	}
	fputs("</tbody></table>", q->out);
	if (n > WEB_MAX_DEVICES)
		fprintf(q->out, "<p class=\"mute\">Only the first %d devices by name are listed."
		    "</p>", WEB_MAX_DEVICES);
	fputs("</section>\n", q->out);
	db_finalize(s);
}

void
web_page_fleet(struct web_req *q)
{
	struct db *db = web_db(q);
	struct report r;
	int64_t now = util_now_us();
	char hl[160];

	if (db == NULL || web_build(q, db, now - WEB_HOUR_US, now, NULL, &r) != 0)
		return;
	web_head(q, "tunnelwatch: the fleet now");
	/* The report's headline, with the hour's incidents. */
	fprintf(q->out, "<p class=\"headline\" id=\"headline\">%s \xc2\xb7 %d incident%s in the "
	    "last hour</p>\n", report_headline(&r, hl, sizeof hl), r.nincidents,
	    r.nincidents == 1 ? "" : "s");
	report_write_html_sections(&r, REPORT_HTML_STUCK | REPORT_HTML_FLAPPING |
	    REPORT_HTML_FLEET, q->out);
	web_fleet_states(q, db);
	report_write_html_sections(&r, REPORT_HTML_TIMELINES | REPORT_HTML_INCIDENTS, q->out);
	web_fleet_devices(q, db);
	report_html_page_end(q->out);
	report_free(&r);
}

/* ---- a tunnel ---- */

void
web_page_tunnel(struct web_req *q, int64_t id)
{
	static const char sql[] =
	    "SELECT coalesce(t.merged_into, t.tunnel_id), t.device_id FROM tunnels t"
	    " WHERE t.tunnel_id = ?1";
	struct db *db = web_db(q);
	struct db_stmt *s = NULL;
	struct report r;
	struct report_filter f = { 0, 0 };
	const char *h = web_arg(q, "hours");
	int64_t now = util_now_us(), hours = 24, wider;
	char title[400];
	int i, ti = -1;

	if (db == NULL || !web_lookup(q, db, sql, id, &s, "No tunnel has this number."))
		return;
	f.tunnel_id = db_column_int64(s, 0);
	db_finalize(s);
	if (h != NULL && (hours = strtoll(h, NULL, 10)) < 1)
		hours = 1;
	if (hours > 192)
		hours = 192;
	wider = hours * 4 > 192 ? 192 : hours * 4;
	if (web_build(q, db, now - hours * WEB_HOUR_US, now, &f, &r) != 0)
		return;
	for (i = 0; i < r.ntunnels; i++)
		if (r.tunnels[i].id == f.tunnel_id)
			ti = i;
	if (ti < 0) {
		report_free(&r);
		web_error(q, MHD_HTTP_NOT_FOUND, "No tunnel has this number.");
		return;
	}
	snprintf(title, sizeof title, "Tunnel %s on %s",
	    r.tunnels[ti].name != NULL ? r.tunnels[ti].name : "?",
	    r.tunnels[ti].hostname != NULL ? r.tunnels[ti].hostname : "?");
	web_head(q, title);
	fprintf(q->out, "<p>State <strong>");
	report_html_escape(q->out, r.tunnels[ti].state);
	fputs("</strong> \xc2\xb7 peer ", q->out);
	report_html_escape(q->out, r.tunnels[ti].peer_ip != NULL ? r.tunnels[ti].peer_ip :
	    "\xe2\x80\x94");
	fprintf(q->out, " \xc2\xb7 %sflapping \xc2\xb7 device <a href=\"/device/%lld\">",
	    r.tunnels[ti].flapping_now ? "" : "not ", (long long)r.tunnels[ti].device_id);
	report_html_escape(q->out, r.tunnels[ti].hostname);
	fprintf(q->out, "</a> \xc2\xb7 the last %lld h (<a href=\"?hours=%lld\">%lld h</a>)</p>\n",
	    (long long)hours, (long long)wider, (long long)wider);
	report_write_html_sections(&r, REPORT_HTML_TIMELINES | REPORT_HTML_INCIDENTS, q->out);
	report_html_page_end(q->out);
	report_free(&r);
}

/* ---- an incident ---- */

void
web_page_incident(struct web_req *q, int64_t id)
{
	static const char sql[] =
	    "SELECT coalesce(t.merged_into, t.tunnel_id), i.device_id, i.started_us,"
	    " i.ended_us FROM incidents i LEFT JOIN tunnels t ON t.tunnel_id = i.tunnel_id"
	    " WHERE i.incident_id = ?1";
	struct db *db = web_db(q);
	struct db_stmt *s = NULL;
	struct report r;
	struct report_filter f = { 0, 0 };
	int64_t now = util_now_us(), started, ended, start, end;
	char title[64];
	int i, ii = -1;

	if (db == NULL || !web_lookup(q, db, sql, id, &s, "No incident has this number "
	    "(it may have been pruned: retention_events)."))
		return;
	f.tunnel_id = db_column_int64(s, 0);
	f.device_id = db_column_int64(s, 1);
	started = db_column_int64(s, 2);
	ended = db_column_type(s, 3) == DB_NULL ? now : db_column_int64(s, 3);
	db_finalize(s);
	/* The incident with an hour either side, never past now. */
	start = started - WEB_HOUR_US;
	end = ended > now - WEB_HOUR_US ? (ended > now ? ended + 1 : now) : ended + WEB_HOUR_US;
	if (end - start > REPORT_MAX_SPAN_US)
		start = end - REPORT_MAX_SPAN_US;
	if (f.tunnel_id != 0)
		f.device_id = 0;
	if (web_build(q, db, start, end, &f, &r) != 0)
		return;
	for (i = 0; i < r.nincidents; i++)
		if (r.incidents[i].id == id)
			ii = i;
	if (ii < 0) {
		report_free(&r);
		web_error(q, MHD_HTTP_NOT_FOUND, "This incident's tunnel is no longer known.");
		return;
	}
	snprintf(title, sizeof title, "Incident #%lld", (long long)id);
	web_head(q, title);
	report_write_html_incident(&r, ii, q->out);
	fprintf(q->out, "<p><a href=\"/device/%lld/lines?around=%lld\">The device's raw lines "
	    "around it</a>", (long long)r.incidents[ii].device_id, (long long)started);
	if (f.tunnel_id != 0)
		fprintf(q->out, " \xc2\xb7 <a href=\"/tunnel/%lld\">its tunnel</a>",
		    (long long)f.tunnel_id);
	fputs("</p>\n", q->out);
	report_write_html_sections(&r, REPORT_HTML_TIMELINES, q->out);
	report_html_page_end(q->out);
	report_free(&r);
}

/* ---- a device ---- */

void
web_page_device(struct web_req *q, int64_t id)
{
	static const char sql[] =
	    "SELECT hostname, system_ip, first_us, last_us FROM devices WHERE device_id = ?1";
	struct db *db = web_db(q);
	struct db_stmt *s = NULL;
	struct report r;
	struct report_filter f = { 0, id };
	int64_t now = util_now_us(), last_us;
	char title[400];
	int i, n = 0;

	if (db == NULL || !web_lookup(q, db, sql, id, &s, "No device has this number."))
		return;
	snprintf(title, sizeof title, "Device %s", db_column_type(s, 0) == DB_NULL ?
	    "?" : web_col(s, 0));
	last_us = db_column_type(s, 3) == DB_NULL ? now : db_column_int64(s, 3);
	web_head(q, title);
	fputs("<p>System IP ", q->out);
	report_html_escape(q->out, db_column_type(s, 1) == DB_NULL ? "unknown" :
	    web_col(s, 1));
	fputs(" \xc2\xb7 lines from ", q->out);
	report_fput_time(q->out, web_col_time(s, 2));
	fputs(" to ", q->out);
	report_fput_time(q->out, last_us);
	fprintf(q->out, " \xc2\xb7 <a href=\"/device/%lld/lines?around=%lld\">its latest raw "
	    "lines</a></p>\n", (long long)id, (long long)last_us);
	db_finalize(s);
	if (web_build(q, db, now - 24 * WEB_HOUR_US, now, &f, &r) != 0)
		return;
	fputs("<section id=\"tunnels\"><h2>Tunnels</h2>\n<table><thead><tr><th>Tunnel</th>"
	    "<th>Peer</th><th>State</th><th>Flapping</th><th class=\"n\">Incidents (24 h)</th>"
	    "</tr></thead><tbody>\n", q->out);
	for (i = 0; i < r.ntunnels; i++) {
		const struct report_tunnel *t = &r.tunnels[i];
		if (t->device_id != id || t->merged_into != 0)
			continue;
		n++;
		fprintf(q->out, "<tr><td><a href=\"/tunnel/%lld\">", (long long)t->id);
		report_html_escape(q->out, t->name);
		fputs("</a></td><td>", q->out);
		report_html_escape(q->out, t->peer_ip);
		fputs("</td><td>", q->out);
		report_html_escape(q->out, t->state);
		fprintf(q->out, "</td><td>%s</td><td class=\"n\">%d</td></tr>\n",
		    t->flapping_now ? "yes" : "no", t->n_incidents);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"5\" class=\"mute\">No tunnel known yet.</td></tr>\n",
		    q->out);
	fputs("</tbody></table></section>\n", q->out);
	report_write_html_sections(&r, REPORT_HTML_STUCK | REPORT_HTML_FLAPPING |
	    REPORT_HTML_TIMELINES | REPORT_HTML_INCIDENTS, q->out);
	report_html_page_end(q->out);
	report_free(&r);
}

/* ---- a device's raw lines ---- */

/*
 * The device's lines in a window of device time, chatter included (every
 * line is in messages; not every line is an event).  messages has no
 * index by device, so the device's events in the window bound a range of
 * message ids (the primary key), at most WEB_MAX_SCAN ids wide, and the
 * rows in it are kept by the device's hostnames.
 */
#define WEB_MAX_SCAN 500000
static const char web_lines_sql[] =
    "WITH ids(lo, hi) AS (SELECT min(message_id), max(message_id) FROM events"
    "   WHERE tunnel_id IN (SELECT tunnel_id FROM tunnels WHERE device_id = ?1)"
    "   AND device_us BETWEEN ?2 AND ?3),"
    " hosts(id) AS (SELECT h.hostname_id FROM dict_hostnames h"
    "   WHERE h.name IN (SELECT value FROM device_aliases WHERE device_id = ?1"
    "     AND kind IN ('hostname', 'tag_host', 'host_name'))"
    "   OR h.name = (SELECT hostname FROM devices WHERE device_id = ?1))"
    " SELECT m.device_us, m.raw FROM messages m, ids"
    " WHERE m.message_id BETWEEN ids.lo AND min(ids.hi, ids.lo + ?5)"
    " AND m.hostname_id IN (SELECT id FROM hosts) AND m.device_us BETWEEN ?2 AND ?3"
    " ORDER BY m.device_us, m.message_id LIMIT ?4";

void
web_page_lines(struct web_req *q, int64_t device_id)
{
	struct db *db = web_db(q);
	struct db_stmt *s = NULL;
	const char *a = web_arg(q, "around"), *mins = web_arg(q, "minutes");
	int64_t around = util_now_us(), window = 15;
	char title[64], t[40];
	int n = 0, marked = 0;

	if (db == NULL)
		return;
	if (a != NULL) {
		char *end;
		long long v = strtoll(a, &end, 10);
		if (*end == '\0' && end != a)
			around = v;
		else if (report_parse_time(a, &around) != 0) {
			web_error(q, MHD_HTTP_BAD_REQUEST, "around: expected a time like "
			    "2024-06-18T00:31:17Z or microseconds since 1970.");
			return;
		}
	}
	if (mins != NULL && (window = strtoll(mins, NULL, 10)) < 1)
		window = 1;
	if (window > 720)
		window = 720;
	if (around < INT64_MIN / 2 || around > INT64_MAX / 2)
		around = util_now_us();
	if (web_prepare(q, db, web_lines_sql, &s) != 0)
		return;
	db_bind_int64(s, 1, device_id);
	db_bind_int64(s, 2, around - window * 60 * 1000000LL);
	db_bind_int64(s, 3, around + window * 60 * 1000000LL);
	db_bind_int64(s, 4, WEB_MAX_LINES + 1);
	db_bind_int64(s, 5, WEB_MAX_SCAN);
	snprintf(title, sizeof title, "Raw lines of device %lld", (long long)device_id);
	web_head(q, title);
	fprintf(q->out, "<p><a href=\"/device/%lld\">The device</a> \xc2\xb7 its lines "
	    "%s \xc2\xb1 %lld min, device time (<a href=\"?around=%lld&amp;minutes=%lld\">"
	    "wider</a>)</p>\n<pre class=\"evidence\">", (long long)device_id,
	    util_format_iso(t, sizeof t, around, 0), (long long)window, (long long)around,
	    (long long)(window * 4 > 720 ? 720 : window * 4));
	while (db_step(s) == DB_ROW && n < WEB_MAX_LINES) {
		int64_t us = db_column_int64(s, 0);
		char *shown = showline_format(web_col(s, 1), (size_t)db_column_bytes(s, 1),
		    us, 0);
		if (!marked && us >= around) {
			fputs("<span class=\"k\">\xe2\x96\xbc ", q->out);
			fputs(util_format_iso(t, sizeof t, around, 0), q->out);
			fputs("</span>\n", q->out);
			marked = 1;
		}
		report_html_escape(q->out, shown != NULL ? shown : web_col(s, 1));
		fputs("\n", q->out);
		free(shown);
		n++;
	}
	if (n == 0)
		fputs("<span class=\"k\">(no lines in this window)</span>\n", q->out);
	fputs("</pre>\n", q->out);
	if (db_step(s) == DB_ROW || n == WEB_MAX_LINES)
		fprintf(q->out, "<p class=\"mute\">The first %d lines are shown.</p>\n",
		    WEB_MAX_LINES);
	db_finalize(s);
	report_html_page_end(q->out);
}

/* ---- the nightly reports ---- */

/* A name the folder may hold and we may serve: letters, digits, . _ -,
 * not starting with a dot (no "..", no hidden files, no '/'). */
static int
web_report_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 200 || name[0] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static const char *
web_report_type(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (dot == NULL)
		return "application/octet-stream";
	if (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)
		return "text/html; charset=utf-8";
	if (strcmp(dot, ".md") == 0 || strcmp(dot, ".txt") == 0 || strcmp(dot, ".log") == 0)
		return "text/plain; charset=utf-8";
	if (strcmp(dot, ".json") == 0)
		return "application/json";
	return "application/octet-stream";
}

static int
web_name_cmp(const void *a, const void *b)
{
	return -strcmp(*(char *const *)a, *(char *const *)b);   /* newest name first */
}

void
web_page_reports(struct web_req *q)
{
	const char *dir = q->w->cfg->reports_dir;
	char *names[WEB_MAX_REPORTS];
	struct dirent *de;
	int n = 0, more = 0, i, dfd;
	DIR *d = opendir(dir);

	web_head(q, "Nightly reports");
	fputs("<p class=\"mute\">The folder ", q->out);
	report_html_escape(q->out, dir);
	fputs(" (reports_dir), newest first.</p>\n", q->out);
	if (d == NULL) {
		fprintf(q->out, "<p class=\"nodata\">It cannot be read: %s. The nightly report "
		    "timer writes there (docs/deployment.md).</p>\n", strerror(errno));
		report_html_page_end(q->out);
		return;
	}
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (!web_report_name_ok(de->d_name) ||
		    fstatat(dfd, de->d_name, &sb, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(sb.st_mode))
			continue;
		if (n == WEB_MAX_REPORTS) {
			more++;
			continue;
		}
		if ((names[n] = strdup(de->d_name)) != NULL)
			n++;
	}
	qsort(names, (size_t)n, sizeof names[0], web_name_cmp);
	fputs("<table><thead><tr><th>Report</th><th class=\"n\">Size</th><th>Written</th>"
	    "</tr></thead><tbody>\n", q->out);
	for (i = 0; i < n; i++) {
		struct stat sb;
		fputs("<tr><td><a href=\"/reports/", q->out);
		report_html_escape(q->out, names[i]);
		fputs("\">", q->out);
		report_html_escape(q->out, names[i]);
		fputs("</a></td>", q->out);
		if (fstatat(dfd, names[i], &sb, AT_SYMLINK_NOFOLLOW) == 0) {
			fprintf(q->out, "<td class=\"n\">%lld KiB</td><td>",
			    (long long)(sb.st_size + 1023) / 1024);
			report_fput_time(q->out, (int64_t)sb.st_mtime * 1000000);
			fputs("</td></tr>\n", q->out);
		} else {
			fputs("<td></td><td></td></tr>\n", q->out);
		}
		free(names[i]);
	}
	if (n == 0)
		fputs("<tr><td colspan=\"3\" class=\"mute\">No report yet.</td></tr>\n", q->out);
	fputs("</tbody></table>\n", q->out);
	if (more > 0)
		fprintf(q->out, "<p class=\"mute\">%d older files are not listed.</p>\n", more);
	closedir(d);
	report_html_page_end(q->out);
}

int
web_report_file(struct web_req *q, const char *name, int *fd, uint64_t *size,
    const char **type)
{
	struct stat sb;
	int dfd, f;

	if (!web_report_name_ok(name)) {
		web_error(q, MHD_HTTP_NOT_FOUND, "There is no such report.");
		return -1;
	}
	if ((dfd = open(q->w->cfg->reports_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		web_error(q, MHD_HTTP_NOT_FOUND, "The reports folder cannot be read.");
		return -1;
	}
	f = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	close(dfd);
	if (f < 0 || fstat(f, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > WEB_MAX_REPORT_BYTES) {
		if (f >= 0)
			close(f);
		web_error(q, MHD_HTTP_NOT_FOUND, "There is no such report.");
		return -1;
	}
	*fd = f;
	*size = (uint64_t)sb.st_size;
	*type = web_report_type(name);
	return 0;
}
