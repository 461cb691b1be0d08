/*
 * web_metrics.c — GET /metrics: the collector in Prometheus' text
 * exposition format 0.0.4 (docs/metrics.md).
 *
 * Counters come from the running process (base/counters.h), so a scrape
 * sees this moment, not the last stats interval.  Every counter of
 * counter_names[] is exposed: those that are one family with a label
 * (dropped by reason, received by transport) through the table below,
 * every other one generically as tunnelwatch_<name>_total, so a counter
 * added to base/counters.c appears without a change here.  Counters count
 * since the process started (Prometheus handles the reset at a restart).
 * Gauges: the queue, the writer's last commit, the database's size (the
 * SQLite file and its WAL; on PostgreSQL pg_database_size(), read with
 * the rest), and from the read connection the tunnels by state and the
 * open incidents by symptom and root cause.
 */
#include "web_int.h"
#include "db.h"
#include "report.h"
#include "util.h"

#include <microhttpd.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

/* Counters that are one labelled family rather than a name each. */
static const struct {
	enum counter_id id;
	const char *family, *label, *value;
} web_labelled[] = {
	{ CTR_RECEIVED_UDP, "received_by_transport", "transport", "udp" },
	{ CTR_RECEIVED_TCP, "received_by_transport", "transport", "tcp" },
	{ CTR_RECEIVED_RELP, "received_by_transport", "transport", "relp" },
	{ CTR_DROPPED_QUEUE_FULL, "dropped", "reason", "queue_full" },
	{ CTR_DROPPED_SPOOL_FULL, "dropped", "reason", "spool_full" },
	{ CTR_DROPPED_KERNEL, "dropped", "reason", "kernel" },
	{ CTR_DROPPED_SHUTDOWN, "dropped", "reason", "shutdown" },
	{ CTR_DROPPED_EMPTY, "dropped", "reason", "empty" },
	{ CTR_UDP_DROPPED_NOT_ALLOWED, "dropped", "reason", "not_allowed" },
	{ CTR_UDP_DROPPED_RATE_LIMIT, "dropped", "reason", "rate_limit" },
	{ CTR_TCP_REJECTED_MAX, "tcp_rejected", "reason", "max_conns" },
	{ CTR_TCP_REJECTED_PER_IP, "tcp_rejected", "reason", "per_ip" },
	{ CTR_TCP_REJECTED_NOT_ALLOWED, "tcp_rejected", "reason", "not_allowed" },
	{ CTR_TCP_CLOSED_BAD_COUNT, "tcp_closed", "reason", "bad_octet_count" },
	{ CTR_TCP_CLOSED_IDLE, "tcp_closed", "reason", "idle" },
	{ CTR_TCP_CLOSED_ERROR, "tcp_closed", "reason", "error" },
};
#define WEB_N_LABELLED (sizeof web_labelled / sizeof web_labelled[0])

static const struct {
	const char *family, *help;
} web_family_help[] = {
	{ "received_by_transport", "Messages accepted, by transport." },
	{ "dropped", "Messages or datagrams dropped, by reason." },
	{ "tcp_rejected", "TCP connections refused, by reason." },
	{ "tcp_closed", "TCP connections closed by the collector, by reason." },
};

static int
web_is_labelled(int id)
{
	size_t i;

	for (i = 0; i < WEB_N_LABELLED; i++)
		if ((int)web_labelled[i].id == id)
			return 1;
	return 0;
}

static void
web_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP tunnelwatch_%s %s\n# TYPE tunnelwatch_%s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void
web_label_value(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f), fputc(*s, f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void
web_counters(FILE *f, struct counters *ctr)
{
	size_t i, k;

	for (i = 0; i < CTR_MAX; i++) {
		char help[160];
		if (web_is_labelled((int)i) || counter_names[i] == NULL)
			continue;
		snprintf(help, sizeof help, "The collector's counter %s since it started "
		    "(v_stats, docs/operations.md).", counter_names[i]);
		fprintf(f, "# HELP tunnelwatch_%s_total %s\n# TYPE tunnelwatch_%s_total counter\n"
		    "tunnelwatch_%s_total %llu\n", counter_names[i], help, counter_names[i],
		    counter_names[i], (unsigned long long)ctr_get(ctr, (enum counter_id)i));
	}
	for (k = 0; k < sizeof web_family_help / sizeof web_family_help[0]; k++) {
		char name[80];
		snprintf(name, sizeof name, "%s_total", web_family_help[k].family);
		web_family(f, name, "counter", web_family_help[k].help);
		for (i = 0; i < WEB_N_LABELLED; i++)
			if (strcmp(web_labelled[i].family, web_family_help[k].family) == 0)
				fprintf(f, "tunnelwatch_%s{%s=\"%s\"} %llu\n", name,
				    web_labelled[i].label, web_labelled[i].value,
				    (unsigned long long)ctr_get(ctr, web_labelled[i].id));
	}
}

static void
web_gauges(FILE *f, const struct web *w)
{
	const struct web_live *l = &w->live;
	char path[PATH_MAX + 8];
	struct stat sb;

	if (l->queue != NULL) {
		uint64_t msgs;
		size_t bytes;
		mq_depth(l->queue, &msgs, &bytes);
		web_family(f, "queue_messages", "gauge", "Messages received and not yet stored "
		    "(in memory and in the spool).");
		fprintf(f, "tunnelwatch_queue_messages %llu\n", (unsigned long long)msgs);
		web_family(f, "queue_bytes", "gauge", "Memory held by the queue, bytes.");
		fprintf(f, "tunnelwatch_queue_bytes %zu\n", bytes);
		web_family(f, "queue_max_bytes", "gauge", "The queue's limit, bytes "
		    "(queue_max_bytes).");
		fprintf(f, "tunnelwatch_queue_max_bytes %llu\n",
		    (unsigned long long)w->cfg->queue_max_bytes);
	}
	if (w->cfg->spool && !w->cfg->no_spool) {
		web_family(f, "spool_bytes", "gauge", "Bytes in the disk spool's segment files.");
		fprintf(f, "tunnelwatch_spool_bytes %llu\n",
		    (unsigned long long)atomic_load(&l->ctr->spool_bytes));
		web_family(f, "spool_segments", "gauge", "The disk spool's segment files.");
		fprintf(f, "tunnelwatch_spool_segments %llu\n",
		    (unsigned long long)atomic_load(&l->ctr->spool_segments));
		web_family(f, "spool_max_bytes", "gauge", "The spool's limit, bytes "
		    "(spool_max_bytes).");
		fprintf(f, "tunnelwatch_spool_max_bytes %llu\n",
		    (unsigned long long)w->cfg->spool_max_bytes);
	}
	web_family(f, "tcp_connections", "gauge", "TCP connections open now.");
	fprintf(f, "tunnelwatch_tcp_connections %llu\n",
	    (unsigned long long)atomic_load(&l->ctr->tcp_conns));
	web_family(f, "writer_batch_rows", "gauge", "Rows in the writer's last commit.");
	fprintf(f, "tunnelwatch_writer_batch_rows %llu\n",
	    (unsigned long long)atomic_load(&l->ctr->last_batch_rows));
	web_family(f, "writer_lag_seconds", "gauge", "At the writer's last commit: how long "
	    "its oldest row had waited since it was received.");
	fprintf(f, "tunnelwatch_writer_lag_seconds %.6f\n",
	    (double)atomic_load(&l->ctr->writer_lag_us) / 1e6);
	/* A PostgreSQL database has no file here: web_db_gauges asks the server. */
	if (!db_target_is_postgres(w->cfg->db_path)) {
		web_family(f, "database_bytes", "gauge", "Size of the database file.");
		fprintf(f, "tunnelwatch_database_bytes %lld\n", stat(w->cfg->db_path, &sb) == 0 ?
		    (long long)sb.st_size : 0LL);
		snprintf(path, sizeof path, "%s-wal", w->cfg->db_path);
		web_family(f, "wal_bytes", "gauge", "Size of the write-ahead log (-wal file); "
		    "checkpoints keep it bounded.");
		fprintf(f, "tunnelwatch_wal_bytes %lld\n", stat(path, &sb) == 0 ?
		    (long long)sb.st_size : 0LL);
	}
	web_family(f, "start_time_seconds", "gauge", "When the collector started, seconds "
	    "since 1970.");
	fprintf(f, "tunnelwatch_start_time_seconds %lld\n", (long long)(l->started_us / 1000000));
	web_family(f, "build_info", "gauge", "Always 1; the version as a label.");
	fprintf(f, "tunnelwatch_build_info{version=\"%s\"} 1\n", TW_VERSION);
}

/* Tunnels by state and open incidents, from one read transaction (one
 * snapshot); on PostgreSQL also the database's size. */
static int
web_db_gauges(FILE *f, struct db *db)
{
	static const char *const states[] = { "up", "down", "negotiating", "unknown" };
	static const char tunnels_sql[] =
	    "SELECT coalesce(s.state, 'unknown'), count(*), sum(coalesce(s.flapping, 0))"
	    " FROM tunnels t LEFT JOIN tunnel_state s ON s.tunnel_id = t.tunnel_id"
	    " WHERE t.merged_into IS NULL GROUP BY 1";
	/* The open ones among each tunnel's last incidents (a seek per tunnel,
	 * as the report finds them), not a scan of a year of incidents; the
	 * labels in byte order on both backends. */
#define WEB_INCIDENTS_SQL(C) \
	"SELECT symptom, root_cause, count(*) FROM incidents WHERE incident_id IN (" \
	REPORT_PERIOD_IDS_SQL ") AND ended_us IS NULL GROUP BY symptom, root_cause" \
	" ORDER BY symptom" C ", root_cause" C
	static const char *const incidents_sql[] = {
		[DB_SQLITE] = WEB_INCIDENTS_SQL(""),
		[DB_POSTGRES] = WEB_INCIDENTS_SQL(" COLLATE \"C\""),
	};
#undef WEB_INCIDENTS_SQL
	static const char fleet_sql[] =
	    "SELECT count(*) FROM fleet_events WHERE ended_us IS NULL";
	static const char size_sql[] = "SELECT pg_database_size(current_database())";
	long long count[4] = { 0, 0, 0, 0 }, other = 0, flapping = 0;
	struct db_stmt *s = NULL;
	size_t i;
	int rc = -1;

	if (db_begin_read(db) != SQLITE_OK)
		return -1;
	if (db_prepare(db, tunnels_sql, &s) != SQLITE_OK)
		goto out;
	while ((rc = db_step(s)) == DB_ROW) {
		const char *st = db_column_text(s, 0);
		for (i = 0; i < 4 && strcmp(st, states[i]) != 0; i++)
			;
		if (i < 4)
			count[i] += db_column_int64(s, 1);
		else
			other += db_column_int64(s, 1);
		flapping += db_column_int64(s, 2);
	}
	db_finalize(s);
	s = NULL;
	if (rc != DB_DONE) {
		rc = -1;
		goto out;
	}
	rc = -1;
	web_family(f, "tunnels", "gauge", "Tunnels by the correlator's state.");
	for (i = 0; i < 4; i++)
		fprintf(f, "tunnelwatch_tunnels{state=\"%s\"} %lld\n", states[i],
		    count[i] + (i == 3 ? other : 0));
	web_family(f, "tunnels_flapping", "gauge", "Tunnels flagged as flapping now.");
	fprintf(f, "tunnelwatch_tunnels_flapping %lld\n", flapping);

	if (db_prepare(db, incidents_sql[db_kind(db)], &s) != SQLITE_OK)
		goto out;
	db_bind_int64(s, 1, INT64_MAX);
	db_bind_int64(s, 2, INT64_MAX);
	web_family(f, "incidents_open", "gauge", "Incidents not yet closed, by symptom and "
	    "root cause.");
	while (db_step(s) == DB_ROW) {
		fputs("tunnelwatch_incidents_open{symptom=\"", f);
		web_label_value(f, db_column_text(s, 0));
		fputs("\",root_cause=\"", f);
		web_label_value(f, db_column_text(s, 1));
		fprintf(f, "\"} %lld\n", (long long)db_column_int64(s, 2));
	}
	db_finalize(s);
	s = NULL;
	if (db_prepare(db, fleet_sql, &s) != SQLITE_OK || db_step(s) != DB_ROW)
		goto out;
	web_family(f, "fleet_events_open", "gauge", "Fleet events (one peer lost by several "
	    "devices) not yet closed.");
	fprintf(f, "tunnelwatch_fleet_events_open %lld\n", (long long)db_column_int64(s, 0));
	db_finalize(s);
	s = NULL;
	if (db_kind(db) == DB_POSTGRES) {
		if (db_prepare(db, size_sql, &s) != SQLITE_OK || db_step(s) != DB_ROW)
			goto out;
		web_family(f, "database_bytes", "gauge", "Size of the PostgreSQL database "
		    "(pg_database_size).");
		fprintf(f, "tunnelwatch_database_bytes %lld\n", (long long)db_column_int64(s, 0));
	}
	rc = 0;
out:
	db_finalize(s);
	(void)db_commit(db);
	return rc;
}

void
web_metrics(struct web_req *q)
{
	struct web *w = q->w;
	struct db *db;
	int up;

	q->content_type = "text/plain; version=0.0.4; charset=utf-8";
	web_counters(q->out, w->live.ctr);
	web_gauges(q->out, w);
	/* The database part is left out, not the scrape failed, when the
	 * database cannot be read: the counters still matter then. */
	db = w->db != NULL ? w->db : web_db(q);
	if (db == NULL) {
		rewind(q->out);
		q->status = MHD_HTTP_OK;
		q->content_type = "text/plain; version=0.0.4; charset=utf-8";
		web_counters(q->out, w->live.ctr);
		web_gauges(q->out, w);
	}
	up = db != NULL && web_db_gauges(q->out, db) == 0;
	web_family(q->out, "database_readable", "gauge", "1 when the tunnels and incidents "
	    "could be read for this scrape.");
	fprintf(q->out, "tunnelwatch_database_readable %d\n", up);
}
