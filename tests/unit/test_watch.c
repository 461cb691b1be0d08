/*
 * test_watch.c — the alert watcher's gate (alert/watch.h): with several
 * collectors on one database only the one that decides incidents alerts.
 * A watcher whose gate is 0 reads and delivers nothing; once the gate is
 * 1 it loads the saved state (meta 'alert.state') and delivers what that
 * state has not said yet, and loads it again after a takeover it did not
 * see closed (the writer's derive_takeovers).  The destination is an exec
 * hook appending the documents to a file; the database a SQLite file made
 * by store_open().
 */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "counters.h"
#include "engine.h"
#include "options.h"
#include "store.h"
#include "util.h"
#include "watch.h"

/* The number of times needle occurs in the file (0 when it is absent). */
static int
count_in_file(const char *path, const char *needle)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;
	int c = 0;
	const char *p;

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		c++;
	return c;
}

static void
exec_sql(sqlite3 *h, const char *sql)
{
	char *msg = NULL;

	cr_assert_eq(sqlite3_exec(h, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql,
	    msg != NULL ? msg : "");
}

Test(watch, gate_closed_delivers_nothing_then_open_resumes_saved_state, .timeout = 60)
{
	char dir[] = "/tmp/tw-test-watch-XXXXXX", path[600], out[600], json[2048], sql[1024];
	char err[512] = "";
	struct config *cfg = calloc(1, sizeof *cfg);
	struct counters *ctr = calloc(1, sizeof *ctr);
	struct alert_watch *aw = NULL;
	struct alert_engine *e;
	struct store *st = NULL;
	_Atomic int active = 0;
	int64_t now = util_now_us();
	char *state;
	int i;

	cr_assert_not_null(cfg);
	cr_assert_not_null(ctr);
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/tw.db", dir);
	snprintf(out, sizeof out, "%s/alerts.out", dir);
	cfg_defaults(cfg);
	snprintf(json, sizeof json, "{\"alerts\": {\"destinations\": [{\"name\": \"x\","
	    " \"exec\": \"cat >>%s; echo >>%s\"}], \"debounce\": \"0s\"}}", out, out);
	cr_assert_eq(opt_load_json_text(cfg, json, "t.json", err, sizeof err), 0, "%s", err);
	snprintf(cfg->db_path, sizeof cfg->db_path, "%s", path);

	/* One open incident, and a saved state that has said nothing yet (as
	 * another collector that alerted before it would have left it). */
	cr_assert_eq(store_open(path, 0, &st, err, sizeof err), 0, "%s", err);
	snprintf(sql, sizeof sql,
	    "INSERT INTO devices(device_id, system_ip, hostname, first_us, last_us)"
	    " VALUES (1, '10.9.9.1', 'vedge-gate', %lld, %lld);"
	    "INSERT INTO tunnels(tunnel_id, device_id, name, peer_ip, first_us, last_us)"
	    " VALUES (1, 1, 'ipsec7', '203.0.113.7', %lld, %lld);"
	    "INSERT INTO incidents(incident_id, tunnel_id, device_id, peer_ip, symptom,"
	    " root_cause, summary, started_us, detected_us) VALUES (1, 1, 1, '203.0.113.7',"
	    " 'down', 'dpd_timeout', 'DPD lost', %lld, %lld);",
	    (long long)(now - 600000000), (long long)now, (long long)(now - 600000000),
	    (long long)now, (long long)(now - 60000000), (long long)(now - 50000000));
	exec_sql(store_db(st), sql);
	e = alert_engine_new(&cfg->alerts, NULL, NULL);
	cr_assert_not_null(e);
	state = alert_engine_save(e, 0, 0);
	cr_assert_not_null(state);
	alert_engine_free(e);
	snprintf(sql, sizeof sql, "INSERT INTO meta(key, value) VALUES ('alert.state', '%s')",
	    state);
	free(state);
	exec_sql(store_db(st), sql);
	store_close(st);

	cr_assert_eq(alert_watch_start(cfg, ctr, NULL, &active, &aw, err, sizeof err), 0,
	    "%s", err);
	cr_assert_not_null(aw);
	usleep(2500 * 1000);    /* two and a half of the gate's looks */
	cr_assert_eq(count_in_file(out, "incident.opened"), 0,
	    "a watcher whose gate is closed delivers nothing");

	atomic_store(&active, 1);
	for (i = 0; i < 100 && count_in_file(out, "incident.opened") == 0; i++)
		usleep(100 * 1000);
	cr_assert_eq(count_in_file(out, "incident.opened"), 1,
	    "once the gate opens, what the saved state has not said is sent");
	cr_assert_eq(count_in_file(out, "\"hostname\":\"vedge-gate\""), 1);
	usleep(1500 * 1000);
	cr_assert_eq(count_in_file(out, "incident.opened"), 1, "and only once");

	/* Closed and opened again between two turns (the writer counted a
	 * takeover): another collector may have alerted meanwhile, so the
	 * saved state is loaded again.  No writer saves this watcher's state
	 * here, so the saved one still says nothing, and the alert goes again. */
	ctr_add(ctr, CTR_DERIVE_TAKEOVERS, 1);
	for (i = 0; i < 100 && count_in_file(out, "incident.opened") < 2; i++)
		usleep(100 * 1000);
	cr_assert_eq(count_in_file(out, "incident.opened"), 2,
	    "a takeover between two turns reloads the saved state");
	alert_watch_stop(aw);

	snprintf(sql, sizeof sql, "rm -rf '%s'", dir);
	cr_assert_eq(system(sql), 0);
	free(ctr);
	free(cfg);
}
