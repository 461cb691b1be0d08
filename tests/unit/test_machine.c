/*
 * test_machine.c — the tunnel state machine (diagnose/machine.h): each row
 * is a tunnel's lines in device-time order (charon lines as vEdges log
 * them, FTMD tunnel states, charon restarts, timer ticks, the end of an
 * import) and the incidents the machine opens, changes and closes, plus
 * the state it ends in.  One row per path of the diagram in machine.h.
 *
 * A step is "<second> <what>": a charon line ("16[IKE] giving up after 3
 * retransmits"), "ftmd up", "ftmd down", "restart", "timers" or "final".
 * Seconds count from an arbitrary origin (machine times are never 0).
 * The effects read, in order: "open#1 down@100" (incident 1 opened with
 * symptom down, started at second 100), "#1 stuck" (its symptom changed),
 * "close#1 flap@160" (closed as a flap at 160), "flap@100" (a flap counted
 * whose down began at 100).  The test driver names incidents 1, 2, ... the
 * way the correlator does (machine.h, "Effects") and checks that every
 * effect is on the incident the machine holds open.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "parse_charon.h"

#define T0       (1700000000LL * 1000000LL)
#define SEC(s)   (T0 + (int64_t)((s) * 1000000.0))
#define MAXSTEPS 16

/* Lines used by many rows (real vEdge wording, docs/log-formats.md). */
#define INITIATE  "16[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1"
#define INIT_REQ  "16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"
#define IKE_UP(u) "16[IKE] IKE_SA ipsec2_1[" #u "] established between 172.28.0.36[172.28.0.36]...203.0.113.1[203.0.113.1]"
#define CHILD_UP(u) "16[IKE] CHILD_SA child_ipsec2_1{" #u "} established with SPIs c1a2b3c4_i c5d6e7f8_o and TS 10.1.0.0/24 === 10.2.0.0/24"
#define CHILD_CLOSE(u) "16[IKE] closing CHILD_SA child_ipsec2_1{" #u "} with SPIs c1a2b3c4_i (0 bytes) c5d6e7f8_o (0 bytes) and TS 10.1.0.0/24 === 10.2.0.0/24"
#define IKE_REKEYED(u) "16[IKE] IKE_SA ipsec2_1[" #u "] rekeyed between 172.28.0.36[172.28.0.36]...203.0.113.1[203.0.113.1]"
#define DELETING(u) "16[IKE] deleting IKE_SA ipsec2_1[" #u "] between 172.28.0.36[172.28.0.36]...203.0.113.1[203.0.113.1]"
#define DELETE_RX(u) "16[IKE] received DELETE for IKE_SA ipsec2_1[" #u "]"
#define DELETED   "16[IKE] IKE_SA deleted"
#define GIVE_UP   "16[IKE] giving up after 3 retransmits"
#define DPD_ANSWER "08[ENC] parsed INFORMATIONAL response 558 [ ]"
#define AUTH_FAIL "16[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]"
#define CCSA_REQ  "16[ENC] parsed CREATE_CHILD_SA request 557 [ SA No TSi TSr ]"
#define NO_PROP   "16[IKE] no acceptable proposal found"
#define KEEP_IKE  "16[IKE] failed to establish CHILD_SA, keeping IKE_SA"
#define NO_PROP_RESP "16[ENC] generating CREATE_CHILD_SA response 557 [ N(NO_PROP) ]"
#define TERMINATE "16[CFG] vici terminate IKE_SA 'ipsec2_1'"

/* An established tunnel: IKE_SA 1, CHILD_SA 1, up from second 10. */
#define UP_AT_10  "10 " INITIATE, "10 " IKE_UP(1), "10 " CHILD_UP(1)

struct seq_case {
	char name[64];
	double stuck_after;                 /* seconds; 0: 300 */
	char steps[MAXSTEPS][200];
	char effects[256];
	char state[16];                     /* state at the end */
};

static struct seq_case seq_cases[] = {
	/* unknown → negotiating → up, and never_established */
	{ "first_establishment", 0, { "10 " INITIATE, "10 " INIT_REQ, "11 " IKE_UP(1),
	  "11 " CHILD_UP(1) }, "", "up" },
	{ "ike_up_alone_is_negotiating", 0, { "10 " INITIATE, "11 " IKE_UP(1) }, "", "negotiating" },
	{ "never_established_auth_failed", 0, { "10 " INITIATE, "10 " INIT_REQ, "11 " AUTH_FAIL,
	  "11 16[IKE] received AUTHENTICATION_FAILED notify error", "500 timers" },
	  "open#1 never_established@11", "negotiating" },
	{ "never_established_give_up", 0, { "10 " INITIATE, "10 " INIT_REQ, "30 " GIVE_UP },
	  "open#1 never_established@30", "negotiating" },
	{ "never_established_closes_when_up", 0, { "10 " INITIATE, "11 " AUTH_FAIL,
	  "70 " INITIATE, "71 " IKE_UP(2), "71 " CHILD_UP(1) },
	  "open#1 never_established@11, close#1 never_established@71", "up" },
	{ "never_then_ftmd_down_says_it_was_up", 0, { "30 " GIVE_UP, "31 ftmd down" },
	  "open#1 never_established@30, #1 down", "down" },

	/* up → down → up: flap or stuck by stuck_after */
	{ "give_up_then_back_is_flap", 0, { UP_AT_10, "100 " GIVE_UP, "160 " INITIATE,
	  "161 " IKE_UP(2), "161 " CHILD_UP(2) },
	  "open#1 down@100, close#1 flap@161, flap@100", "up" },
	{ "down_past_stuck_after_is_stuck", 0, { UP_AT_10, "100 " GIVE_UP, "399 timers",
	  "400 timers", "500 " CHILD_UP(2) },
	  "open#1 down@100, #1 stuck, close#1 stuck@500", "up" },
	{ "stuck_after_is_a_parameter", 600, { UP_AT_10, "100 " GIVE_UP, "400 timers",
	  "500 " CHILD_UP(2) },
	  "open#1 down@100, close#1 flap@500, flap@100", "up" },
	{ "settled_down_back_at_stuck_after_is_flap", 40, { "100 " DELETE_RX(5),
	  "140 " CHILD_UP(1) }, "open#1 down@100, close#1 flap@140, flap@100", "up" },
	{ "settled_down_back_past_stuck_after_is_stuck", 30, { "100 " DELETE_RX(5),
	  "140 " CHILD_UP(1) }, "open#1 down@100, close#1 stuck@140", "up" },
	{ "stuck_decided_by_next_event_without_timer", 0, { UP_AT_10, "100 " GIVE_UP,
	  "500 " CHILD_UP(2) },
	  "open#1 down@100, #1 stuck, close#1 stuck@500", "up" },
	{ "ftmd_down_up", 0, { "5 ftmd up", "10 ftmd down", "20 ftmd up" },
	  "open#1 down@10, close#1 flap@20, flap@10", "up" },
	{ "ftmd_other_state_only_runs_timers", 0, { UP_AT_10, "100 " GIVE_UP, "450 ftmd other" },
	  "open#1 down@100, #1 stuck", "down" },
	{ "dpd_timeout_is_down", 0, { UP_AT_10, "50 16[IKE] DPD check timed out, enforcing DPD action" },
	  "open#1 down@50", "down" },
	{ "give_up_path_probings_is_not_down", 0, { UP_AT_10,
	  "50 16[IKE] giving up after 5 path probings" }, "", "up" },
	{ "second_down_reopens", 0, { UP_AT_10, "100 " GIVE_UP, "110 " CHILD_UP(2),
	  "200 " GIVE_UP, "210 " CHILD_UP(3) },
	  "open#1 down@100, close#1 flap@110, flap@100, open#2 down@200, close#2 flap@210, flap@200",
	  "up" },

	/* degraded → stuck: the PFS case */
	{ "pfs_rekey_refused_is_degraded", 0, { UP_AT_10, "100 " CCSA_REQ, "100 " NO_PROP,
	  "100 " KEEP_IKE, "100 " NO_PROP_RESP }, "open#1 degraded@100", "up" },
	{ "pfs_degraded_then_child_gone_is_stuck", 0, { UP_AT_10, "100 " CCSA_REQ, "100 " NO_PROP,
	  "100 " KEEP_IKE, "300 " CHILD_CLOSE(1), "900 " CHILD_UP(2) },
	  "open#1 degraded@100, #1 stuck, close#1 stuck@900", "up" },
	{ "child_failed_keep_ike_once_up_is_degraded", 0, { UP_AT_10, "100 " KEEP_IKE },
	  "open#1 degraded@100", "up" },
	{ "degraded_recovers_on_child_up", 0, { UP_AT_10, "100 " NO_PROP_RESP, "200 " CHILD_UP(2) },
	  "open#1 degraded@100, close#1 degraded@200", "up" },
	{ "pfs_midstream_infers_up_then_degraded", 0, { "100 " CCSA_REQ, "100 " NO_PROP },
	  "open#1 degraded@100", "up" },
	{ "rekey_refusal_read_first_was_never_then_degraded", 0, { "100 " KEEP_IKE,
	  "101 " NO_PROP_RESP }, "open#1 never_established@100, #1 degraded", "up" },
	{ "rekey_refusal_long_after_failure_stays_never", 0, { "100 " KEEP_IKE,
	  "110 " NO_PROP_RESP }, "open#1 never_established@100", "negotiating" },
	{ "no_proposal_outside_child_exchange_is_never", 0, { "10 " INITIATE, "11 " NO_PROP },
	  "open#1 never_established@11", "negotiating" },

	/* rekeys that are not downs */
	{ "delete_of_old_ike_uid_is_rekey", 0, { UP_AT_10, "100 " IKE_REKEYED(2),
	  "100 " DELETING(1), "100 " DELETED, "500 timers" }, "", "up" },
	{ "delete_of_old_uid_long_after_rekey", 0, { UP_AT_10, "100 " IKE_REKEYED(2),
	  "500 " DELETING(1), "600 timers" }, "", "up" },
	{ "delete_of_current_uid_before_rekey_line", 0, { UP_AT_10, "3000 " DELETING(1),
	  "3001 " IKE_REKEYED(2), "3001 " DELETED, "4000 timers" }, "", "up" },
	{ "delete_within_rekey_window_is_rekey", 0, { UP_AT_10, "100 " IKE_REKEYED(2),
	  "130 " DELETING(2), "200 timers" }, "", "up" },
	{ "delete_after_rekey_window_is_down", 0, { UP_AT_10, "100 " IKE_REKEYED(2),
	  "131 " DELETING(2), "200 timers" }, "open#1 down@131", "down" },
	{ "delete_of_current_uid_then_rekey_within_settle", 0, { UP_AT_10, "100 " DELETING(1),
	  "102 " IKE_REKEYED(2), "500 timers" }, "", "up" },
	{ "delete_then_rekey_too_late_is_down", 0, { UP_AT_10, "100 " DELETING(1),
	  "104 " IKE_REKEYED(2) }, "open#1 down@100", "down" },
	{ "delete_not_followed_by_rekey_is_down", 0, { UP_AT_10, "100 " DELETING(1),
	  "103 timers", "104 timers" }, "open#1 down@100", "down" },
	{ "ike_state_change_rekeyed_explains_delete", 0, { UP_AT_10, "100 " DELETING(1),
	  "101 16[IKE] IKE_SA ipsec2_1[1] state change: ESTABLISHED => REKEYED",
	  "500 timers" }, "", "up" },
	{ "pending_delete_settled_by_child_up", 0, { UP_AT_10, "100 " DELETING(1),
	  "101 " CHILD_UP(2) }, "open#1 down@100, close#1 flap@101, flap@100", "up" },
	{ "pending_delete_settled_at_end_of_import", 0, { UP_AT_10, "100 " DELETING(1),
	  "101 final" }, "open#1 down@100", "down" },
	{ "lines_of_one_delete_make_one_down", 0, { UP_AT_10, "100 " DELETING(1),
	  "101 " CHILD_UP(2), "102 " DELETE_RX(1), "103 " DELETED, "200 timers" },
	  "open#1 down@100, close#1 flap@101, flap@100", "up" },
	{ "deleted_alone_waits_then_down", 0, { UP_AT_10, "100 " DELETED, "110 timers" },
	  "open#1 down@100", "down" },

	/* blind deletes: which IKE_SA is current is not known (mid-stream) */
	{ "blind_local_delete_is_old_rekey", 0, { "100 " DELETING(5), "200 timers",
	  "300 final" }, "", "unknown" },
	{ "blind_delete_with_peer_delete_is_down", 0, { "100 " DELETE_RX(5), "100 " DELETING(5),
	  "159 timers", "161 timers" }, "open#1 down@100", "down" },
	{ "blind_delete_after_terminate_is_down", 0, { "95 " TERMINATE, "100 " DELETING(5),
	  "200 final" }, "open#1 down@100", "down" },
	{ "blind_delete_terminate_after_it_is_no_reason", 0, { "100 " DELETING(5),
	  "110 " TERMINATE, "200 final" }, "", "unknown" },
	{ "blind_delete_terminate_long_before_is_no_reason", 0, { "30 " TERMINATE,
	  "100 " DELETING(5), "200 final" }, "", "unknown" },
	{ "blind_delete_cancelled_by_answered_dpd", 0, { "100 " DELETE_RX(5), "103 " DPD_ANSWER,
	  "300 final" }, "", "up" },
	{ "blind_delete_dpd_answer_too_soon_cancels_nothing", 0, { "100 " DELETE_RX(5),
	  "101 " DPD_ANSWER, "300 final" }, "open#1 down@100", "down" },
	{ "blind_delete_decided_by_restart", 0, { "100 " DELETING(5), "110 restart" },
	  "open#1 down@100", "down" },

	/* CHILD_SA grace */
	{ "child_replaced_within_grace", 0, { UP_AT_10, "100 " CHILD_CLOSE(1),
	  "105 " CHILD_UP(2), "200 timers" }, "", "up" },
	{ "child_gone_at_grace_is_not_yet_down", 0, { UP_AT_10, "100 " CHILD_CLOSE(1),
	  "110 timers" }, "", "up" },
	{ "child_gone_past_grace_is_down_when_it_went", 0, { UP_AT_10, "100 " CHILD_CLOSE(1),
	  "111 timers" }, "open#1 down@100", "down" },
	{ "child_rekeyed_keeps_it_up", 0, { UP_AT_10,
	  "100 16[IKE] rekeyed CHILD_SA child_ipsec2_1{1} with SPIs c1a2b3c4_i c5d6e7f8_o with child_ipsec2_1{2} with SPIs c0000001_i c0000002_o",
	  "101 " CHILD_CLOSE(1), "300 timers" }, "", "up" },
	{ "other_child_left_no_grace", 0, { UP_AT_10, "11 " CHILD_UP(2), "100 " CHILD_CLOSE(1),
	  "300 timers" }, "", "up" },

	/* a down nothing logged: a new IKE_SA_INIT while up */
	{ "new_ike_sa_init_while_up_is_unseen_down", 0, { UP_AT_10, "100 " INIT_REQ,
	  "101 " IKE_UP(2), "101 " CHILD_UP(2) },
	  "open#1 down@100, close#1 flap@101, flap@100", "up" },
	{ "ike_sa_init_in_the_second_it_came_up", 0, { UP_AT_10, "11 " INIT_REQ }, "", "up" },
	{ "ike_sa_init_soon_after_ike_rekey", 0, { UP_AT_10, "100 " IKE_REKEYED(2),
	  "120 " INIT_REQ }, "", "up" },

	/* lines only an established IKE_SA writes: up, unseen */
	{ "dpd_midstream_infers_up", 0, { "100 16[IKE] sending DPD request" }, "", "up" },
	{ "retransmit_of_dpd_infers_up", 0, {
	  "100 16[IKE] retransmit 1 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)" },
	  "", "up" },
	{ "retransmit_of_ike_sa_init_does_not", 0, {
	  "100 16[IKE] retransmit 1 of request with message ID 0 (tries=3, timeout=30, exchange=34, state=2)" },
	  "", "unknown" },

	/* charon restarts */
	{ "restart_while_up_is_down", 0, { UP_AT_10, "100 restart", "101 " INITIATE,
	  "102 " IKE_UP(1), "102 " CHILD_UP(1) },
	  "open#1 down@100, close#1 flap@102, flap@100", "up" },
	{ "restart_while_unknown_is_nothing", 0, { "100 restart", "200 timers" }, "", "unknown" },
	{ "restart_forgets_ike_uid", 0, { UP_AT_10, "100 restart", "101 ftmd up",
	  "200 " DELETE_RX(9), "300 final" },
	  "open#1 down@100, close#1 flap@101, flap@100, open#2 down@200", "down" },
	{ "restart_then_auth_failure_after_down_stays_down", 0, { UP_AT_10, "100 restart",
	  "101 " INITIATE, "102 " AUTH_FAIL }, "open#1 down@100", "down" },
};

ParameterizedTestParameters(machine, sequences)
{
	return cr_make_param_array(struct seq_case, seq_cases,
	    sizeof seq_cases / sizeof seq_cases[0]);
}

/* The test's driver: incidents named 1, 2, ... and their log. */
struct drv {
	int64_t next_id;
	int64_t open_id;                    /* incident open in the "database" */
	char log[512];
};

static void
drv_log(struct drv *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
drv_log(struct drv *d, const char *fmt, ...)
{
	size_t n = strlen(d->log);
	va_list ap;

	if (n > 0 && n < sizeof d->log - 2) {
		strcat(d->log, ", ");
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(d->log + n, sizeof d->log - n, fmt, ap);
	va_end(ap);
}

static double
rel(int64_t us)
{
	return (double)(us - T0) / 1e6;
}

/* Applies fx as correlator.c does, checking the protocol of machine.h. */
static void
drv_apply(struct drv *d, struct tm_machine *m, const struct tm_effects *fx, const char *name)
{
	int64_t opened = 0;
	int i;

	cr_assert(fx->n <= TM_FX_MAX);
	for (i = 0; i < fx->n; i++) {
		const struct tm_effect *e = &fx->fx[i];
		int64_t id = e->incident == TM_INCIDENT_NEW ? opened : e->incident;
		switch (e->kind) {
		case TM_FX_OPEN:
			cr_assert_eq(d->open_id, 0, "%s: opened while #%" PRId64 " is open",
			    name, d->open_id);
			opened = d->open_id = ++d->next_id;
			drv_log(d, "open#%" PRId64 " %s@%g", opened, tm_symptom_name(e->symptom),
			    rel(e->us));
			break;
		case TM_FX_SYMPTOM:
			cr_assert(id != 0 && id == d->open_id, "%s: symptom of #%" PRId64, name, id);
			drv_log(d, "#%" PRId64 " %s", id, tm_symptom_name(e->symptom));
			break;
		case TM_FX_CLOSE:
			cr_assert(id != 0 && id == d->open_id, "%s: close of #%" PRId64, name, id);
			d->open_id = 0;
			drv_log(d, "close#%" PRId64 " %s@%g", id, tm_symptom_name(e->symptom),
			    rel(e->us));
			break;
		case TM_FX_FLAP:
			drv_log(d, "flap@%g", rel(e->us));
			break;
		default:
			cr_assert_fail("%s: effect kind %d", name, e->kind);
		}
	}
	if (opened != 0)
		tm_incident_assigned(m, opened);
	cr_assert_eq(m->incident_id, d->open_id, "%s: machine holds #%" PRId64 ", driver #%"
	    PRId64, name, m->incident_id, d->open_id);
}

static const struct tm_params default_params = {
	.stuck_after_us = 300 * 1000000LL,
	.flap_half_life_us = 900 * 1000000LL,
	.flap_window_us = 3600 * 1000000LL,
	.flap_count = 3,
};

/* The charon line (thread and group first, no syslog header) at `at`. */
static void
charon_ev(struct tm_event *ev, const char *line, int64_t at)
{
	struct charon_event *ch = calloc(1, sizeof *ch);

	cr_assert_eq(charon_parse(line, strlen(line), ch), 0, "%s", line);
	cr_assert_neq(ch->kind, CHARON_OTHER, "not understood: %s", line);
	tm_event_charon(ev, ch, at);
	free(ch);
}

/* Runs one step ("<second> <what>") on m; returns the number of effects. */
static int
run_step(struct drv *d, struct tm_machine *m, const struct tm_params *p, const char *step,
    const char *name)
{
	struct tm_effects fx;
	struct tm_event ev;
	char *rest;
	double sec = strtod(step, &rest);
	int64_t at = SEC(sec);

	cr_assert(rest != step && *rest == ' ', "%s: bad step '%s'", name, step);
	rest++;
	if (strcmp(rest, "restart") == 0) {
		tm_restart(m, p, at, &fx);
	} else if (strcmp(rest, "timers") == 0) {
		tm_timers(m, p, at, &fx);
	} else if (strcmp(rest, "final") == 0) {
		tm_final(m, p, at, &fx);
	} else if (strncmp(rest, "ftmd ", 5) == 0) {
		tm_event_ftmd(&ev, strcmp(rest + 5, "up") == 0 ? 1 :
		    strcmp(rest + 5, "down") == 0 ? 0 : -1, at);
		tm_step(m, p, &ev, &fx);
	} else {
		charon_ev(&ev, rest, at);
		tm_step(m, p, &ev, &fx);
	}
	drv_apply(d, m, &fx, name);
	return fx.n;
}

ParameterizedTest(struct seq_case *c, machine, sequences)
{
	struct tm_params p = default_params;
	struct tm_machine m;
	struct drv d;
	int i;

	if (c->stuck_after > 0)
		p.stuck_after_us = (int64_t)(c->stuck_after * 1e6);
	memset(&d, 0, sizeof d);
	tm_init(&m);
	for (i = 0; i < MAXSTEPS && c->steps[i][0] != '\0'; i++)
		run_step(&d, &m, &p, c->steps[i], c->name);
	cr_expect_str_eq(d.log, c->effects, "%s: effects\n  got:  %s\n  want: %s", c->name,
	    d.log, c->effects);
	cr_expect_str_eq(tm_state_name(m.state), c->state, "%s: state %s, want %s", c->name,
	    tm_state_name(m.state), c->state);
}

/* ---- flap score and flapping --------------------------------------------- */

struct flap_case {
	char name[48];
	double flaps[8];                    /* seconds at which downs began (flapped) */
	double ref;                         /* tm_flap_update at */
	int flapping;
	double score;                       /* expected, within 1 */
};

static struct flap_case flap_cases[] = {
	{ "three_in_window_flapping", { 100, 200, 300 }, 400, 1, 2576.8 },
	{ "two_not_flapping", { 100, 200 }, 300, 0, 1783.1 },
	{ "oldest_out_of_window", { 100, 3800, 3900 }, 4000, 0, 1832.7 },
	{ "one_half_life_halves", { 100 }, 1000, 0, 500.0 },
	{ "decays_to_zero", { 100 }, 100 + 900 * 12, 0, 0.0 },
};

ParameterizedTestParameters(machine, flap_score)
{
	return cr_make_param_array(struct flap_case, flap_cases,
	    sizeof flap_cases / sizeof flap_cases[0]);
}

ParameterizedTest(struct flap_case *c, machine, flap_score)
{
	struct tm_params p = default_params;
	struct tm_effects fx;
	struct tm_machine m;
	struct tm_event ev;
	int i, got;

	tm_init(&m);
	/* Each flap: a 10 s FTMD outage, named so the machine can go on. */
	for (i = 0; i < 8 && c->flaps[i] != 0; i++) {
		tm_event_ftmd(&ev, 0, SEC(c->flaps[i]));
		tm_step(&m, &p, &ev, &fx);
		tm_incident_assigned(&m, i + 1);
		tm_event_ftmd(&ev, 1, SEC(c->flaps[i] + 10));
		tm_step(&m, &p, &ev, &fx);
		cr_assert_eq(fx.n, 2, "%s: close and flap", c->name);
		cr_assert_eq(fx.fx[1].kind, TM_FX_FLAP);
	}
	cr_assert_eq(m.nflaps, i);
	got = tm_flap_update(&m, &p, SEC(c->ref));
	cr_expect_eq(got, c->flapping, "%s: flapping %d", c->name, got);
	cr_expect(m.score > c->score - 1 && m.score < c->score + 1, "%s: score %.1f, want %.1f",
	    c->name, m.score, c->score);
	cr_expect_eq(tm_needs_timer(&m), c->score > 0, "%s: a score to decay needs a timer",
	    c->name);
}

/* The oldest flaps go when the list is full; the score keeps counting. */
Test(machine, flap_list_bounded)
{
	struct tm_params p = default_params;
	struct tm_effects fx;
	struct tm_machine m;
	struct tm_event ev;
	int i;

	tm_init(&m);
	for (i = 0; i < TM_MAX_FLAPS + 5; i++) {
		tm_event_ftmd(&ev, 0, SEC(100 + i * 20));
		tm_step(&m, &p, &ev, &fx);
		tm_incident_assigned(&m, i + 1);
		tm_event_ftmd(&ev, 1, SEC(100 + i * 20 + 5));
		tm_step(&m, &p, &ev, &fx);
	}
	cr_assert_eq(m.nflaps, TM_MAX_FLAPS);
	cr_assert_eq(m.flaps[0], SEC(100 + 5 * 20));
	cr_assert_eq(m.flaps[TM_MAX_FLAPS - 1], SEC(100 + (TM_MAX_FLAPS + 4) * 20));
	cr_assert_eq(tm_flap_update(&m, &p, SEC(100 + i * 20)), 1);
}

/* ---- the effects protocol ------------------------------------------------ */

/* One step may open and close: the close names TM_INCIDENT_NEW, and the
 * machine holds no incident afterwards (assigning is then a no-op). */
Test(machine, open_and_close_in_one_step)
{
	struct tm_params p = default_params;
	struct tm_effects fx;
	struct tm_machine m;
	struct tm_event ev;

	tm_init(&m);
	charon_ev(&ev, IKE_UP(1), SEC(10));
	tm_step(&m, &p, &ev, &fx);
	charon_ev(&ev, CHILD_UP(1), SEC(10));
	tm_step(&m, &p, &ev, &fx);
	charon_ev(&ev, DELETING(1), SEC(100));  /* waits for its rekey line */
	tm_step(&m, &p, &ev, &fx);
	cr_assert_eq(fx.n, 0);
	charon_ev(&ev, CHILD_UP(2), SEC(101));  /* settles it: a down, now over */
	tm_step(&m, &p, &ev, &fx);
	cr_assert_eq(fx.n, 3);
	cr_assert_eq(fx.fx[0].kind, TM_FX_OPEN);
	cr_assert_eq(fx.fx[0].us, SEC(100));
	cr_assert_eq(fx.fx[1].kind, TM_FX_CLOSE);
	cr_assert_eq(fx.fx[1].incident, TM_INCIDENT_NEW);
	cr_assert_eq(fx.fx[1].symptom, TM_SYM_FLAP);
	cr_assert_eq(fx.fx[2].kind, TM_FX_FLAP);
	cr_assert_eq(m.incident_id, 0);
	tm_incident_assigned(&m, 7);
	cr_assert_eq(m.incident_id, 0);
}

/* A named incident is referred to by its id from then on. */
Test(machine, later_effects_use_the_assigned_id)
{
	struct tm_params p = default_params;
	struct tm_effects fx;
	struct tm_machine m;
	struct tm_event ev;

	tm_init(&m);
	tm_event_ftmd(&ev, 0, SEC(10));
	tm_step(&m, &p, &ev, &fx);
	cr_assert_eq(m.incident_id, TM_INCIDENT_NEW);
	tm_incident_assigned(&m, 42);
	tm_timers(&m, &p, SEC(10 + 300), &fx);
	cr_assert_eq(fx.n, 1);
	cr_assert_eq(fx.fx[0].kind, TM_FX_SYMPTOM);
	cr_assert_eq(fx.fx[0].incident, 42);
	cr_assert_eq(fx.fx[0].symptom, TM_SYM_STUCK);
	/* Each call empties fx first. */
	tm_timers(&m, &p, SEC(10 + 400), &fx);
	cr_assert_eq(fx.n, 0);
}

/*
 * Random sequences of the rows' lines, restarts, timer ticks and ends of
 * import, at random gaps (same second to past stuck_after): the machine
 * never gives more effects in one call than machine.h promises (five),
 * every effect is on the incident the driver holds open (drv_apply), an
 * open incident always has a symptom, and the JSON round trip is exact
 * after every step.  A fixed seed: a failure is reproducible.
 */
Test(machine, random_sequences_keep_the_protocol)
{
	static const char *const pool[] = { INITIATE, INIT_REQ, IKE_UP(1), IKE_UP(2), CHILD_UP(1),
		CHILD_UP(2), CHILD_CLOSE(1), CHILD_CLOSE(2), IKE_REKEYED(2), IKE_REKEYED(3),
		DELETING(1), DELETING(2), DELETE_RX(1), DELETE_RX(5), DELETED, GIVE_UP, DPD_ANSWER,
		AUTH_FAIL, CCSA_REQ, NO_PROP, KEEP_IKE, NO_PROP_RESP, TERMINATE,
		"08[ENC] parsed INFORMATIONAL request 9 [ D ]", "16[IKE] sending DPD request",
		"ftmd up", "ftmd down", "restart", "timers", "final" };
	static const int gaps[] = { 0, 0, 1, 2, 3, 4, 9, 11, 29, 31, 59, 61, 299, 301 };
	const size_t npool = sizeof pool / sizeof pool[0], ngaps = sizeof gaps / sizeof gaps[0];
	struct tm_params p = default_params;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int run, i, most = 0;

	for (run = 0; run < 1500; run++) {
		struct tm_machine m, back;
		struct drv d;
		double sec = 100;
		memset(&d, 0, sizeof d);
		tm_init(&m);
		for (i = 0; i < 30; i++) {
			char step[256], name[64], *t1, *t2;
			json_t *j;
			int n;
			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			sec += gaps[(seed >> 33) % ngaps];
			snprintf(step, sizeof step, "%g %s", sec, pool[(seed >> 45) % npool]);
			snprintf(name, sizeof name, "run %d step %d", run, i);
			d.log[0] = '\0';
			n = run_step(&d, &m, &p, step, name);
			if (n > most)
				most = n;
			cr_assert_leq(n, 5, "%s (%s): %d effects: %s", name, step, n, d.log);
			cr_assert_eq(m.incident_id != 0, m.symptom != TM_SYM_NONE, "%s: incident %"
			    PRId64 " symptom %d", name, m.incident_id, m.symptom);
			cr_assert(m.state >= 0 && m.state < TM_NSTATES);
			j = tm_to_json(&m);
			t1 = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(j);
			tm_from_json(&back, t1);
			j = tm_to_json(&back);
			t2 = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(j);
			cr_assert_str_eq(t2, t1, "%s", name);
			free(t1);
			free(t2);
		}
	}
	cr_log_info("most effects in one call: %d", most);
	cr_assert_geq(most, 3, "the sequences reach open, close and flap in one step");
}

/* ---- the compact event -------------------------------------------------- */

Test(machine, event_is_compact)
{
	cr_assert_leq(sizeof(struct tm_event), 32);
}

Test(machine, event_from_charon)
{
	static const char line[] = "16[ENC] parsed INFORMATIONAL request 9 [ D ]";
	struct charon_event *ch = calloc(1, sizeof *ch);
	struct tm_event ev;

	cr_assert_eq(charon_parse(line, sizeof line - 1, ch), 0);
	tm_event_charon(&ev, ch, SEC(5));
	cr_assert_eq(ev.source, TM_SRC_CHARON);
	cr_assert_eq(ev.kind, CHARON_MESSAGE_PARSED);
	cr_assert_eq(ev.exchange, TM_X_INFORMATIONAL);
	cr_assert_eq(ev.is_response, 0);
	cr_assert(ev.payload_flags & CHARON_PL_DELETE);
	cr_assert_eq(ev.us, SEC(5));
	free(ch);
}

/* ---- persistence --------------------------------------------------------- */

/* A machine in the middle of things survives the round trip exactly. */
Test(machine, json_round_trip)
{
	static const char *const steps[] = { UP_AT_10, "11 " CHILD_UP(2), "100 " DELETING(1),
		"100 " CCSA_REQ, "150 " GIVE_UP };
	struct tm_params p = default_params;
	struct tm_machine m, back;
	struct drv d;
	json_t *j, *j2;
	char *text, *text2;
	size_t i;

	memset(&d, 0, sizeof d);
	tm_init(&m);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++)
		run_step(&d, &m, &p, steps[i], "round_trip");
	m.cursor_us = SEC(150);
	m.cursor_event = 1234;
	m.last_us = SEC(151);
	cr_assert_eq(m.state, TM_DOWN);
	j = tm_to_json(&m);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	tm_from_json(&back, text);
	j2 = tm_to_json(&back);
	text2 = json_dumps(j2, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(text2, text);
	cr_assert_eq(back.incident_id, m.incident_id);
	cr_assert_eq(back.exch, TM_X_CREATE_CHILD_SA);
	cr_assert_eq(back.cursor_event, 1234);
	free(text);
	free(text2);
	json_decref(j);
	json_decref(j2);
}

/* Rows written before the machine moved (exch as charon's text, any
 * exchange) still load; garbage loads as an empty machine. */
Test(machine, json_old_rows_and_garbage)
{
	struct tm_machine m;

	tm_from_json(&m, "{\"state\":1,\"since\":5,\"exch\":\"CREATE_CHILD_SA\",\"exch_us\":9,"
	    "\"incident\":3,\"symptom\":5,\"child\":[4,7],\"cursor_us\":11}");
	cr_assert_eq(m.state, TM_UP);
	cr_assert_eq(m.exch, TM_X_CREATE_CHILD_SA);
	cr_assert_eq(m.incident_id, 3);
	cr_assert_eq(m.symptom, TM_SYM_DEGRADED);
	cr_assert_eq(m.nchild, 2);
	cr_assert_eq(m.cursor_us, 11);
	/* A placeholder id never comes back from a row as an incident. */
	tm_from_json(&m, "{\"exch\":\"QUICK_MODE\",\"state\":9,\"symptom\":-2,\"incident\":-1}");
	cr_assert_eq(m.incident_id, 0);
	cr_assert_eq(m.exch, TM_X_OTHER);
	cr_assert_eq(m.state, TM_UNKNOWN);
	cr_assert_eq(m.symptom, TM_SYM_NONE);
	cr_assert_eq(m.cursor_us, INT64_MIN);
	tm_from_json(&m, "not json");
	cr_assert_eq(m.state, TM_UNKNOWN);
	cr_assert_eq(m.cursor_us, INT64_MIN);
}
