/*
 * test_overlay.c — storage/overlay.c on an in-memory database with every
 * migration applied: BFD sessions folded from FTMD lines (state, flaps,
 * last flap-reason, whatever the order of arrival) and the transport-down
 * facts the correlator gets (a VPN 0 interface down; every BFD session of
 * a color down).
 *
 * Each row is a script of FTMD lines (from the '%' of the tag on, in the
 * formats of docs/log-formats.md) with their device time in seconds, a
 * window to ask about, and what must come out.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "migrate.h"
#include "overlay.h"
#include "parse_ftmd.h"

#define S(sec) ((int64_t)(sec) * 1000000)
#define T0     1625000000             /* device time of second 0 */

#define BFD(lc, rsip, rc, st, why) "%Viptela-vedge01-ftmd-6-INFO-1400002: " \
	"Notification: 7/13/2021 10:00:00 bfd-state-change severity-level:major " \
	"host-name:\"vedge01\" system-ip:4.0.5.1 src-ip:192.0.2.1 " \
	"dst-ip:198.51.100.9 proto:ipsec src-port:12346 dst-port:12406 " \
	"local-system-ip:4.0.5.1 local-color:" lc " remote-system-ip:" rsip \
	" remote-color:" rc " new-state:" st " deleted:false flap-reason:" why
#define IFSC(vpn, name, st) "%Viptela-vedge01-ftmd-6-INFO-1400002: " \
	"Notification: 7/13/2021 10:00:00 interface-state-change " \
	"severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1 " \
	"vpn-id:" vpn " if-name:\"" name "\" new-state:" st
#define CTRL(st) "%Viptela-vedge01-vdaemon-6-INFO-1400002: Notification: " \
	"7/13/2021 10:00:00 control-connection-state-change severity-level:major " \
	"host-name:\"vedge01\" system-ip:4.0.5.1 personality:vedge " \
	"peer-type:vsmart peer-system-ip:4.0.0.2 peer-vmanage-system-ip:0.0.0.0 " \
	"public-ip:203.0.113.7 public-port:12346 src-color:biz-internet " \
	"remote-color:default uptime:\"0:00:00:00\" new-state:" st

#define MAX_LINES 12

struct line {
	int sec;
	const char *text;
};

struct row {
	const char *name;
	struct line in[MAX_LINES];     /* in order of arrival; text NULL ends */
	int from, to;                  /* the window asked about, seconds */
	int nfacts;
	int transport;                 /* of the first fact */
	const char *fact_name;
	int fact_sec, sessions;
	int nevents;                   /* rows of transport_events */
	/* one session to check: (local color, remote system-ip), NULL none */
	const char *lc, *rsip;
	const char *state, *reason;
	int flaps;
};

#define UP3(c) { 0, BFD(c, "4.0.5.9", "mpls", "up", "na") }, \
	{ 0, BFD(c, "4.0.5.10", "mpls", "up", "na") }, \
	{ 0, BFD(c, "4.0.5.11", "biz-internet", "up", "na") }

static const struct row rows[] = {
	{ .name = "flaps_counted_and_last_flap_reason_kept",
	  .in = { { 0, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") },
	      { 10, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 20, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") },
	      { 30, BFD("biz-internet", "4.0.5.9", "mpls", "down", "remote-down") },
	      { 40, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") } },
	  .from = 0, .to = 50, .nfacts = 0, .nevents = 5,
	  .lc = "biz-internet", .rsip = "4.0.5.9", .state = "up",
	  .reason = "remote-down", .flaps = 2 },
	{ .name = "regress_late_lines_refold_the_session",
	  .in = { { 40, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") },
	      { 10, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 30, BFD("biz-internet", "4.0.5.9", "mpls", "down", "remote-down") },
	      { 0, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") },
	      { 20, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") } },
	  .from = 0, .to = 50, .nfacts = 0, .nevents = 5,
	  .lc = "biz-internet", .rsip = "4.0.5.9", .state = "up",
	  .reason = "remote-down", .flaps = 2 },
	{ .name = "down_without_up_is_no_flap_yet",
	  .in = { { 0, BFD("mpls", "4.0.5.9", "mpls", "up", "na") },
	      { 10, BFD("mpls", "4.0.5.9", "mpls", "down", "timeout") } },
	  .from = 100, .to = 110, .nfacts = 0, .nevents = 2,
	  .lc = "mpls", .rsip = "4.0.5.9", .state = "down", .reason = "timeout",
	  .flaps = 0 },
	{ .name = "color_three_sessions_all_down",
	  .in = { UP3("biz-internet"), UP3("mpls"),
	      { 100, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 101, BFD("biz-internet", "4.0.5.11", "biz-internet", "down", "timeout") },
	      { 101, BFD("biz-internet", "4.0.5.10", "mpls", "down", "timeout") } },
	  .from = 95, .to = 104, .nfacts = 1, .transport = RC_TRANSPORT_COLOR_DOWN,
	  .fact_name = "biz-internet", .fact_sec = 101, .sessions = 3, .nevents = 9,
	  .lc = "biz-internet", .rsip = "4.0.5.10", .state = "down",
	  .reason = "timeout", .flaps = 0 },
	{ .name = "color_two_of_three_down_is_no_fact",
	  .in = { UP3("biz-internet"),
	      { 100, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 101, BFD("biz-internet", "4.0.5.10", "mpls", "down", "timeout") } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 5 },
	{ .name = "color_all_down_but_back_up_by_the_window_end",
	  .in = { UP3("biz-internet"),
	      { 100, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 100, BFD("biz-internet", "4.0.5.10", "mpls", "down", "timeout") },
	      { 100, BFD("biz-internet", "4.0.5.11", "biz-internet", "down", "timeout") },
	      { 102, BFD("biz-internet", "4.0.5.11", "biz-internet", "up", "na") } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 7,
	  .lc = "biz-internet", .rsip = "4.0.5.11", .state = "up",
	  .reason = "timeout", .flaps = 1 },
	{ .name = "color_judged_as_it_was_then_not_as_it_is_now",
	  .in = { UP3("biz-internet"),
	      { 100, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 100, BFD("biz-internet", "4.0.5.10", "mpls", "down", "timeout") },
	      { 100, BFD("biz-internet", "4.0.5.11", "biz-internet", "down", "timeout") },
	      { 200, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") },
	      { 200, BFD("biz-internet", "4.0.5.10", "mpls", "up", "na") },
	      { 200, BFD("biz-internet", "4.0.5.11", "biz-internet", "up", "na") } },
	  .from = 95, .to = 104, .nfacts = 1, .transport = RC_TRANSPORT_COLOR_DOWN,
	  .fact_name = "biz-internet", .fact_sec = 100, .sessions = 3, .nevents = 9,
	  .lc = "biz-internet", .rsip = "4.0.5.9", .state = "up",
	  .reason = "timeout", .flaps = 1 },
	{ .name = "color_down_before_the_window_is_old_news",
	  .in = { UP3("biz-internet"),
	      { 10, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 10, BFD("biz-internet", "4.0.5.10", "mpls", "down", "timeout") },
	      { 10, BFD("biz-internet", "4.0.5.11", "biz-internet", "down", "timeout") } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 6 },
	{ .name = "color_with_one_session_down_is_a_fact",
	  .in = { UP3("biz-internet"),
	      { 0, BFD("lte", "4.0.5.9", "mpls", "up", "na") },
	      { 100, BFD("lte", "4.0.5.9", "mpls", "down", "timeout") } },
	  .from = 95, .to = 104, .nfacts = 1, .transport = RC_TRANSPORT_COLOR_DOWN,
	  .fact_name = "lte", .fact_sec = 100, .sessions = 1, .nevents = 5 },
	{ .name = "vpn0_interface_down_is_a_fact",
	  .in = { { 100, IFSC("0", "ge0/0", "down") } },
	  .from = 95, .to = 104, .nfacts = 1, .transport = RC_TRANSPORT_IF_DOWN,
	  .fact_name = "ge0/0", .fact_sec = 100, .nevents = 1 },
	{ .name = "vpn0_free_text_interface_down_is_a_fact",
	  .in = { { 100, "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 0 Interface ge0/1 DOWN" } },
	  .from = 95, .to = 104, .nfacts = 1, .transport = RC_TRANSPORT_IF_DOWN,
	  .fact_name = "ge0/1", .fact_sec = 100, .nevents = 1 },
	{ .name = "vpn0_interface_down_in_both_forms_is_one_event",
	  .in = { { 100, "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 0 Interface ge0/0 DOWN" },
	      { 100, IFSC("0", "ge0/0", "down") } },
	  .from = 95, .to = 104, .nfacts = 1, .transport = RC_TRANSPORT_IF_DOWN,
	  .fact_name = "ge0/0", .fact_sec = 100, .nevents = 1 },
	{ .name = "vpn0_interface_down_outside_the_window",
	  .in = { { 50, IFSC("0", "ge0/0", "down") }, { 60, IFSC("0", "ge0/0", "up") } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 2 },
	{ .name = "vpn1_service_interface_is_nothing",
	  .in = { { 100, IFSC("1", "ge0/2", "down") },
	      { 100, "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN" } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 0 },
	{ .name = "ipsec_tunnel_in_vpn0_is_not_the_uplink",
	  .in = { { 100, IFSC("0", "ipsec1", "down") } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 0 },
	{ .name = "control_connection_recorded_but_no_fact",
	  .in = { { 100, CTRL("down") }, { 130, CTRL("up") } },
	  .from = 95, .to = 104, .nfacts = 0, .nevents = 2 },
	{ .name = "interface_before_color_in_the_same_second",
	  .in = { { 0, BFD("biz-internet", "4.0.5.9", "mpls", "up", "na") },
	      { 100, BFD("biz-internet", "4.0.5.9", "mpls", "down", "timeout") },
	      { 100, IFSC("0", "ge0/0", "down") } },
	  .from = 95, .to = 104, .nfacts = 2, .transport = RC_TRANSPORT_IF_DOWN,
	  .fact_name = "ge0/0", .fact_sec = 100, .nevents = 3 },
};

static void
free_index_params(struct criterion_test_params *p)
{
	cr_free(p->params);
}

static struct criterion_test_params
index_params(size_t n)
{
	size_t *idx = cr_malloc(n * sizeof(*idx)), i;

	cr_assert_not_null(idx);
	for (i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n, free_index_params);
}

static sqlite3 *
open_db(void)
{
	sqlite3 *db = NULL;
	char err[512] = "";

	cr_assert_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
	cr_assert_eq(migrate_run(db, err, sizeof err), 0, "%s", err);
	cr_assert_eq(sqlite3_exec(db, "INSERT INTO devices (device_id, system_ip, hostname)"
	    " VALUES (1, '4.0.5.1', 'vedge01'), (2, NULL, 'Lvedge01')", NULL, NULL, NULL),
	    SQLITE_OK);
	return db;
}

static long long
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long v = -1;

	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, "%s", sql);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static void
apply_line(struct overlay *ov, int64_t dev, int64_t event_id, int sec, const char *text)
{
	struct ftmd_event ev;

	cr_assert_eq(ftmd_parse(text, strlen(text), &ev), FTMD_PARSE_OK, "%s", text);
	cr_assert_eq(overlay_apply(ov, dev, event_id, S(T0 + sec), &ev, text), SQLITE_OK,
	    "%s", text);
}

ParameterizedTestParameters(overlay, script)
{
	return index_params(sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(size_t *i, overlay, script)
{
	const struct row *r = &rows[*i];
	struct overlay_transport f[8];
	struct overlay *ov = NULL;
	sqlite3 *db = open_db();
	struct db *dh = db_wrap_sqlite(db);
	char err[512] = "";
	int k, n = -1;

	cr_assert_eq(overlay_open(dh, &ov, err, sizeof err), SQLITE_OK, "%s", err);
	for (k = 0; k < MAX_LINES && r->in[k].text != NULL; k++)
		apply_line(ov, 1, k + 1, r->in[k].sec, r->in[k].text);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM transport_events"), r->nevents,
	    "[%s] transport events", r->name);
	cr_assert_eq(overlay_transport_near(ov, 1, S(T0 + r->from), S(T0 + r->to), f, 8, &n),
	    SQLITE_OK);
	cr_assert_eq(n, r->nfacts, "[%s] %d facts, expected %d", r->name, n, r->nfacts);
	if (r->nfacts > 0) {
		cr_assert_eq(f[0].transport, r->transport, "[%s]", r->name);
		cr_assert_str_eq(f[0].name, r->fact_name, "[%s]", r->name);
		cr_assert_eq(f[0].us, S(T0 + r->fact_sec), "[%s]", r->name);
		cr_assert_eq(f[0].sessions, r->sessions, "[%s]", r->name);
		cr_assert(f[0].event_id > 0, "[%s] the fact names its line", r->name);
	}
	if (r->lc != NULL) {
		sqlite3_stmt *s = NULL;
		cr_assert_eq(sqlite3_prepare_v2(db, "SELECT state, flaps, last_flap_reason"
		    " FROM v_bfd_sessions WHERE local_color = ?1 AND remote_system_ip = ?2",
		    -1, &s, NULL), SQLITE_OK);
		sqlite3_bind_text(s, 1, r->lc, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->rsip, -1, SQLITE_STATIC);
		cr_assert_eq(sqlite3_step(s), SQLITE_ROW, "[%s] session", r->name);
		cr_assert_str_eq((const char *)sqlite3_column_text(s, 0), r->state,
		    "[%s] state", r->name);
		cr_assert_eq(sqlite3_column_int(s, 1), r->flaps, "[%s] flaps", r->name);
		cr_assert_str_eq((const char *)sqlite3_column_text(s, 2), r->reason,
		    "[%s] last flap-reason", r->name);
		sqlite3_finalize(s);
	}
	overlay_free(ov);
	db_close(dh);
	sqlite3_close(db);
}

/* A line's device turns out to be another (resolve's device merge): the
 * session's history is one, flaps counted across both. */
Test(overlay, merge_device_folds_both_histories)
{
	struct overlay *ov = NULL;
	sqlite3 *db = open_db();
	struct db *dh = db_wrap_sqlite(db);
	char err[512] = "";

	cr_assert_eq(overlay_open(dh, &ov, err, sizeof err), SQLITE_OK, "%s", err);
	apply_line(ov, 2, 1, 0, BFD("mpls", "4.0.5.9", "mpls", "up", "na"));
	apply_line(ov, 2, 2, 10, BFD("mpls", "4.0.5.9", "mpls", "down", "timeout"));
	apply_line(ov, 1, 3, 20, BFD("mpls", "4.0.5.9", "mpls", "up", "na"));
	cr_assert_eq(query_int(db, "SELECT count(*) FROM bfd_sessions"), 2);
	cr_assert_eq(overlay_merge_device(ov, 2, 1), SQLITE_OK);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM bfd_sessions"), 1);
	cr_assert_eq(query_int(db, "SELECT flaps FROM bfd_sessions WHERE device_id = 1"), 1);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM transport_events"
	    " WHERE device_id = 2"), 0);
	overlay_free(ov);
	db_close(dh);
	sqlite3_close(db);
}

/* What is not transport leaves no row, and overlay_apply still succeeds. */
Test(overlay, not_transport_is_ignored)
{
	static const char *const lines[] = {
		"%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN",
		"%Cisco-SDWAN-Router-OMPD-5-NTCE-400003: Operational state changed to UP",
		"%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: 7/13/2021 "
		    "10:00:00 tunnel-ipsec-rekey severity-level:minor color:mpls",
		"%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: 7/13/2021 "
		    "10:00:00 bfd-state-change local-color:mpls",   /* no new-state */
	};
	struct overlay *ov = NULL;
	sqlite3 *db = open_db();
	struct db *dh = db_wrap_sqlite(db);
	char err[512] = "";
	size_t k;

	cr_assert_eq(overlay_open(dh, &ov, err, sizeof err), SQLITE_OK, "%s", err);
	for (k = 0; k < sizeof lines / sizeof lines[0]; k++)
		apply_line(ov, 1, (int64_t)k + 1, 0, lines[k]);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM transport_events"), 0);
	cr_assert_eq(query_int(db, "SELECT count(*) FROM bfd_sessions"), 0);
	overlay_free(ov);
	db_close(dh);
	sqlite3_close(db);
}
