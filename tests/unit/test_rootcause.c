/*
 * test_rootcause.c — the pure root-cause classifier: proposal comparison
 * transform by transform, and the signatures of docs/log-formats.md#root-cause-sequences over event
 * sequences built from real charon lines.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_charon.h"
#include "rootcause.h"

static struct charon_event *
parse(const char *line)
{
	struct charon_event *ev = calloc(1, sizeof *ev);

	cr_assert_eq(charon_parse(line, strlen(line), ev), 0, "%s", line);
	return ev;
}

/* Inline arrays: Criterion runs each parameter in a fresh process image. */
struct prop_case {
	char name[40];
	char configured[256];
	char received[512];
	int cause;
	char why[64];            /* substring of the explanation */
};

static struct prop_case prop_cases[] = {
	{ "pfs_guide_apr27",
	  "16[CFG] configured proposals: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_4096/NO_EXT_SEQ",
	  "16[CFG] received proposals: ESP:AES_GCM_16_256/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ, ESP:3DES_CBC/HMAC_SHA1_96/NO_EXT_SEQ",
	  RC_PFS_MISMATCH, "MODP_4096 (group 16)" },
	{ "pfs_peer_requires",
	  "16[CFG] configured proposals: ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ",
	  "16[CFG] received proposals: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_2048/NO_EXT_SEQ",
	  RC_PFS_MISMATCH, "MODP_2048 (group 14)" },
	{ "pfs_different_groups",
	  "16[CFG] configured proposals: ESP:AES_GCM_16_256/ECP_256/NO_EXT_SEQ",
	  "16[CFG] received proposals: ESP:AES_GCM_16_256/MODP_2048/NO_EXT_SEQ",
	  RC_PFS_MISMATCH, "ECP_256 (group 19)" },
	{ "esp_cipher_mismatch",
	  "16[CFG] configured proposals: ESP:AES_GCM_16_256/NO_EXT_SEQ",
	  "16[CFG] received proposals: ESP:3DES_CBC/HMAC_SHA1_96/NO_EXT_SEQ",
	  RC_ESP_PROPOSAL_MISMATCH, "no ESP proposal in common" },
	{ "ike_mismatch",
	  "16[CFG] configured proposals: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048",
	  "16[CFG] received proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
	  RC_IKE_PROPOSAL_MISMATCH, "no IKE proposal in common" },
	{ "full_match",
	  "16[CFG] configured proposals: ESP:AES_GCM_16_256/MODP_2048/NO_EXT_SEQ",
	  "16[CFG] received proposals: ESP:AES_GCM_16_256/MODP_2048/NO_EXT_SEQ",
	  RC_UNKNOWN, "matches" },
	{ "order_does_not_matter",
	  "16[CFG] configured proposals: ESP:HMAC_SHA1_96/AES_CBC_256/NO_EXT_SEQ",
	  "16[CFG] received proposals: ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ",
	  RC_UNKNOWN, "matches" },
};

ParameterizedTestParameters(rootcause, proposals)
{
	return cr_make_param_array(struct prop_case, prop_cases,
	    sizeof prop_cases / sizeof prop_cases[0]);
}

ParameterizedTest(struct prop_case *c, rootcause, proposals)
{
	struct charon_event *conf = parse(c->configured), *recv = parse(c->received);
	char why[512];
	int cause = rc_compare_proposals(conf, recv, why, sizeof why);

	cr_assert_eq(cause, c->cause, "%s: cause %s (%s)", c->name, rc_cause_name(cause), why);
	cr_assert(strstr(why, c->why) != NULL, "%s: '%s' lacks '%s'", c->name, why, c->why);
	free(conf);
	free(recv);
}

/* Builds an rc_event array from "SECONDS|line" strings: a charon line,
 * "FTMD Interface ipsecN UP|DOWN" (the tunnel's interface), or the
 * device's transport: "TRANSPORT IF ge0/0 DOWN", "TRANSPORT COLOR x DOWN". */
static size_t
build(const char *const *lines, struct rc_event *ev, struct charon_event **pool)
{
	size_t n = 0;

	for (; lines[n] != NULL; n++) {
		const char *bar = strchr(lines[n], '|');
		memset(&ev[n], 0, sizeof ev[n]);
		ev[n].event_id = (int64_t)n + 1;
		ev[n].us = atoll(lines[n]) * 1000000LL;
		ev[n].ftmd_state = -1;
		if (strncmp(bar + 1, "FTMD ", 5) == 0) {
			ev[n].ftmd_state = strstr(bar, "DOWN") != NULL ? 0 : 1;
		} else if (strncmp(bar + 1, "TRANSPORT ", 10) == 0) {
			ev[n].transport = strncmp(bar + 11, "IF ", 3) == 0 ?
			    RC_TRANSPORT_IF_DOWN : RC_TRANSPORT_COLOR_DOWN;
			sscanf(strchr(bar + 11, ' ') + 1, "%47s", ev[n].transport_name);
		} else {
			pool[n] = parse(bar + 1);
			ev[n].ch = pool[n];
		}
	}
	return n;
}

static void
release(struct charon_event **pool, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(pool[i]);
}

Test(rootcause, dpd_timeout_evidence_from_last_answer)
{
	static const char *const lines[] = {
		"0|11[ENC] generating INFORMATIONAL request 542 [ ]",
		"0|07[ENC] parsed INFORMATIONAL response 542 [ ]",
		"73|08[IKE] sending DPD request",
		"73|08[ENC] generating INFORMATIONAL request 543 [ ]",
		"103|05[IKE] retransmit 1 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)",
		"157|06[IKE] retransmit 2 of request with message ID 543",
		"254|08[IKE] retransmit 3 of request with message ID 543",
		"429|11[IKE] giving up after 3 retransmits",
		"429|FTMD Interface ipsec2 DOWN",
		NULL,
	};
	struct rc_event ev[16];
	struct charon_event *pool[16] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 429 * 1000000LL, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%s", rc_cause_name(r.cause));
	cr_assert(strstr(r.summary, "request 543") != NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "request 542") != NULL, "%s", r.summary);
	/* 542's answer, the DPD request, 543, three retransmits, give-up, FTMD. */
	cr_assert_eq(r.nevidence, 8, "%d", r.nevidence);
	cr_assert_eq(r.evidence[0], 2);
	cr_assert_eq(r.evidence[r.nevidence - 1], 9);
	release(pool, n);
}

/* Regression (found by the fleet simulator's ground truth): after an IKE
 * rekey the new IKE_SA's message IDs restart at 0, so an unanswered DPD
 * can be "message ID 0"; it is still a DPD timeout, not a peer that never
 * answered IKE_SA_INIT. */
Test(rootcause, regress_dpd_after_ike_rekey_message_id_0)
{
	static const char *const lines[] = {
		"0|16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
		"0|16[ENC] parsed IKE_SA_INIT response 0 [ SA KE No ]",
		"100|09[IKE] IKE_SA ipsec1_1[2] rekeyed between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
		"200|08[IKE] sending DPD request",
		"200|08[ENC] generating INFORMATIONAL request 0 [ ]",
		"204|05[IKE] retransmit 1 of request with message ID 0",
		"211|05[IKE] retransmit 2 of request with message ID 0",
		"235|05[IKE] giving up after 2 retransmits",
		NULL,
	};
	struct rc_event ev[16];
	struct charon_event *pool[16] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 235 * 1000000LL, RC_SYM_DOWN, "198.51.100.1", &r);
	cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%s: %s", rc_cause_name(r.cause), r.summary);
	release(pool, n);
}

/* Regression (the 1,000 x 10-day history run): a give-up whose retransmit
 * lines are not in the window read "request -1 was retransmitted 0
 * times"; the give-up's own count is what there is to say. */
Test(rootcause, regress_give_up_without_retransmits_summary)
{
	static const char *const lines[] = {
		"0|13[ENC] parsed INFORMATIONAL response 98 [ ]",
		"2|16[IKE] giving up after 5 retransmits",
		NULL,
	};
	struct rc_event ev[16];
	struct charon_event *pool[16] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 2 * 1000000LL, RC_SYM_DOWN, "203.0.113.15", &r);
	cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%s: %s", rc_cause_name(r.cause), r.summary);
	cr_assert(strstr(r.summary, "gave up after 5 retransmits") != NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "-1") == NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "0 times") == NULL, "%s", r.summary);
	release(pool, n);
}

Test(rootcause, peer_delete_suspected_cscvx86427)
{
	static const char *const lines[] = {
		"0|12[IKE] received DELETE for IKE_SA ipsec1_1[217]",
		"0|12[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
		"0|12[IKE] IKE_SA deleted",
		"0|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	struct rc_event ev[8];
	struct charon_event *pool[8] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 0, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_PEER_DELETE);
	cr_assert(r.cscvx86427);
	cr_assert(strstr(r.summary, "suspected CSCvx86427") != NULL, "%s", r.summary);
	release(pool, n);
}

Test(rootcause, peer_delete_followed_by_reinit_is_not_cscvx86427)
{
	static const char *const lines[] = {
		"0|12[IKE] received DELETE for IKE_SA ipsec1_1[217]",
		"0|12[IKE] IKE_SA deleted",
		"1|13[IKE] initiating IKE_SA ipsec1_1[218] to 10.10.10.1",
		NULL,
	};
	struct rc_event ev[8];
	struct charon_event *pool[8] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 0, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_PEER_DELETE);
	cr_assert(!r.cscvx86427);
	cr_assert(strstr(r.summary, "CSCvx86427") == NULL, "%s", r.summary);
	release(pool, n);
}

Test(rootcause, rekey_delete_is_not_a_cause)
{
	static const char *const lines[] = {
		"0|09[IKE] IKE_SA ipsec1_1[2] rekeyed between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
		"0|09[IKE] sending DELETE for IKE_SA ipsec1_1[1]",
		"0|09[IKE] IKE_SA deleted",
		"300|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	struct rc_event ev[8];
	struct charon_event *pool[8] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 300 * 1000000LL, RC_SYM_DOWN, NULL, &r);
	cr_assert_eq(r.cause, RC_UNKNOWN, "%s", rc_cause_name(r.cause));
	release(pool, n);
}

Test(rootcause, never_established_not_responding)
{
	static const char *const lines[] = {
		"0|16[IKE] initiating IKE_SA ipsec2_1[1] to 198.51.100.9",
		"0|16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
		"4|05[IKE] retransmit 1 of request with message ID 0",
		"11|05[IKE] retransmit 2 of request with message ID 0",
		"35|05[IKE] giving up after 2 retransmits",
		NULL,
	};
	struct rc_event ev[8];
	struct charon_event *pool[8] = { 0 };
	struct rc_result r;
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, 0, RC_SYM_NEVER_ESTABLISHED, "198.51.100.9", &r);
	cr_assert_eq(r.cause, RC_PEER_NOT_RESPONDING, "%s", rc_cause_name(r.cause));
	cr_assert(strstr(r.summary, "198.51.100.9") != NULL);
	release(pool, n);
}

Test(rootcause, names_are_the_public_vocabulary)
{
	static const char *const want[RC_MAX] = { "unknown", "dpd_timeout",
		"peer_not_responding", "ike_proposal_mismatch", "esp_proposal_mismatch",
		"pfs_mismatch", "auth_failed", "ts_mismatch", "peer_delete", "local_delete",
		"local_transport_down" };
	for (int i = 0; i < RC_MAX; i++) {
		cr_assert_str_eq(rc_cause_name(i), want[i]);
		cr_assert_eq(rc_cause_from_name(want[i]), i);
	}
	cr_assert_str_eq(rc_cause_name(99), "unknown");
	cr_assert_eq(rc_cause_from_name("no_such_cause"), RC_UNKNOWN);
	cr_assert_eq(rc_cause_from_name(NULL), RC_UNKNOWN);
}

/* ---- issue #13: vocabulary corner cases -------------------------------- */

static void
classify_lines(const char *const *lines, int64_t start_s, int symptom,
    const char *peer, struct rc_result *r)
{
	struct rc_event ev[64];
	struct charon_event *pool[64] = { 0 };
	size_t n = build(lines, ev, pool);

	rc_classify(ev, n, start_s * 1000000LL, symptom, peer, r);
	release(pool, n);
}

/* One NO_PROPOSAL_CHOSEN: which proposals it was about.  Lines in charon's
 * own wording (strongSwan 5.9 ike_init.c, child_create.c, IKEv1 main_mode.c,
 * quick_mode.c, informational.c). */
struct np_case {
	char name[64];
	char lines[12][200];
	int symptom;
	int cause;
	char sub[64];            /* substring of the summary */
};

static struct np_case np_cases[] = {
	/* The case: the notify without the parsed IKE_SA_INIT line. */
	{ "regress_no_prop_notify_without_ike_sa_init_is_ike_mismatch",
	  { "0|13[CFG] vici initiate CHILD_SA 'child_ipsec2_1'",
	    "0|15[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
	    "0|14[IKE] received NO_PROPOSAL_CHOSEN notify error" },
	  RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH, "IKE_SA_INIT" },
	{ "regress_no_prop_notify_alone_is_ike_mismatch",
	  { "0|14[IKE] received NO_PROPOSAL_CHOSEN notify error" },
	  RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH, "no IKE_SA was established" },
	{ "regress_no_prop_notify_after_down_reinitiation_is_ike_mismatch",
	  { "0|15[IKE] initiating IKE_SA ipsec2_1[7] to 203.0.113.1",
	    "0|15[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
	    "1|14[IKE] received NO_PROPOSAL_CHOSEN notify error" },
	  RC_SYM_DOWN, RC_IKE_PROPOSAL_MISMATCH, "IKE_SA_INIT" },
	{ "no_prop_parsed_ike_sa_init_is_ike_mismatch",
	  { "0|14[ENC] parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]",
	    "0|14[IKE] received NO_PROPOSAL_CHOSEN notify error" },
	  RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH, "IKE_SA_INIT" },
	{ "no_prop_no_child_in_ike_auth_is_esp_mismatch",
	  { "0|15[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
	    "0|14[ENC] generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr ]",
	    "0|15[ENC] parsed IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]",
	    "0|15[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built" },
	  RC_SYM_NEVER_ESTABLISHED, RC_ESP_PROPOSAL_MISMATCH, "IKE_AUTH" },
	{ "no_prop_no_child_without_message_lines_is_esp_mismatch",
	  { "0|15[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
	    "0|15[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built" },
	  RC_SYM_NEVER_ESTABLISHED, RC_ESP_PROPOSAL_MISMATCH, "ESP" },
	{ "no_prop_in_child_rekey_after_first_child_is_pfs",
	  { "0|09[IKE] IKE_SA ipsec2_1[1] established between 192.0.2.1[192.0.2.1]...203.0.113.1[203.0.113.1]",
	    "3600|07[ENC] generating CREATE_CHILD_SA request 5 [ N(REKEY_SA) SA No KE TSi TSr ]",
	    "3600|08[ENC] parsed CREATE_CHILD_SA response 5 [ N(NO_PROP) ]",
	    "3600|08[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built" },
	  RC_SYM_DEGRADED, RC_PFS_MISMATCH, "CREATE_CHILD_SA" },
	{ "no_prop_notify_error_in_ike_rekey_is_ike_mismatch",
	  { "0|09[IKE] IKE_SA ipsec2_1[1] established between 192.0.2.1[192.0.2.1]...203.0.113.1[203.0.113.1]",
	    "14400|07[ENC] generating CREATE_CHILD_SA request 9 [ SA No KE ]",
	    "14400|08[ENC] parsed CREATE_CHILD_SA response 9 [ N(NO_PROP) ]",
	    "14400|08[IKE] received NO_PROPOSAL_CHOSEN notify error" },
	  RC_SYM_DEGRADED, RC_IKE_PROPOSAL_MISMATCH, "IKE_SA rekey" },
	{ "regress_ikev1_no_prop_error_notify_in_main_mode_is_ike_mismatch",
	  { "0|09[IKE] initiating Main Mode IKE_SA ipsec2_1[1] to 203.0.113.1",
	    "0|09[ENC] generating ID_PROT request 0 [ SA V V V V V ]",
	    "0|11[ENC] parsed INFORMATIONAL_V1 request 3412345 [ N(NO_PROP) ]",
	    "0|11[IKE] received NO_PROPOSAL_CHOSEN error notify" },
	  RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH, "Main Mode" },
	{ "regress_ikev1_no_prop_error_notify_alone_is_ike_mismatch",
	  { "0|11[IKE] received NO_PROPOSAL_CHOSEN error notify" },
	  RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH, "Main Mode" },
	{ "regress_ikev1_no_prop_error_notify_in_quick_mode_is_esp_mismatch",
	  { "0|09[IKE] initiating Main Mode IKE_SA ipsec2_1[1] to 203.0.113.1",
	    "0|12[IKE] IKE_SA ipsec2_1[1] established between 192.0.2.1[192.0.2.1]...203.0.113.1[203.0.113.1]",
	    "0|12[ENC] generating QUICK_MODE request 2245 [ HASH SA No ID ID ]",
	    "0|11[ENC] parsed INFORMATIONAL_V1 request 3412345 [ HASH N(NO_PROP) ]",
	    "0|11[IKE] received NO_PROPOSAL_CHOSEN error notify" },
	  RC_SYM_NEVER_ESTABLISHED, RC_ESP_PROPOSAL_MISMATCH, "Quick Mode" },
	{ "regress_ikev1_main_mode_no_proposal_found_is_ike_mismatch",
	  { "0|10[ENC] parsed ID_PROT request 0 [ SA V V V V ]",
	    "0|10[IKE] 198.51.100.7 is initiating a Main Mode IKE_SA",
	    "0|10[IKE] no proposal found" },
	  RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH, "IKE proposals" },
	{ "regress_ikev1_quick_mode_no_matching_proposal_is_esp_mismatch",
	  { "0|10[ENC] parsed QUICK_MODE request 2245 [ HASH SA No ID ID ]",
	    "0|10[IKE] no matching proposal found" },
	  RC_SYM_NEVER_ESTABLISHED, RC_ESP_PROPOSAL_MISMATCH, "Quick Mode" },
};

ParameterizedTestParameters(rootcause, no_prop)
{
	return cr_make_param_array(struct np_case, np_cases,
	    sizeof np_cases / sizeof np_cases[0]);
}

ParameterizedTest(struct np_case *c, rootcause, no_prop)
{
	const char *lines[13];
	struct rc_result r;
	int i, n = 0;

	for (i = 0; i < 12 && c->lines[i][0] != '\0'; i++)
		lines[n++] = c->lines[i];
	lines[n] = NULL;
	classify_lines(lines, 0, c->symptom, "203.0.113.1", &r);
	cr_assert_eq(r.cause, c->cause, "%s: %s (%s)", c->name, rc_cause_name(r.cause),
	    r.summary);
	cr_assert(strstr(r.summary, c->sub) != NULL, "%s: '%s' lacks '%s'", c->name,
	    r.summary, c->sub);
}

/* Responder side: the peer's INFORMATIONAL request with a Delete payload,
 * then charon deleting the IKE_SA, and no "received DELETE for IKE_SA". */
Test(rootcause, regress_responder_delete_without_received_delete_is_peer_delete)
{
	static const char *const lines[] = {
		"0|11[NET] received packet: from 10.10.10.1[4500] to 10.16.0.5[4500] (76 bytes)",
		"0|11[ENC] parsed INFORMATIONAL request 7 [ D ]",
		"0|11[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
		"0|11[IKE] IKE_SA deleted",
		"0|11[ENC] generating INFORMATIONAL response 7 [ ]",
		"0|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 0, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_PEER_DELETE, "%s: %s", rc_cause_name(r.cause), r.summary);
	cr_assert(r.cscvx86427);
	cr_assert(strstr(r.summary, "ipsec1_1") != NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "suspected CSCvx86427") != NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "no charon evidence") == NULL, "%s", r.summary);
}

Test(rootcause, responder_delete_then_reinit_is_not_cscvx86427)
{
	static const char *const lines[] = {
		"0|11[ENC] parsed INFORMATIONAL request 7 [ D ]",
		"0|11[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
		"0|FTMD Interface ipsec1 DOWN",
		"1|13[IKE] initiating IKE_SA ipsec1_1[218] to 10.10.10.1",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 0, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_PEER_DELETE, "%s: %s", rc_cause_name(r.cause), r.summary);
	cr_assert(!r.cscvx86427);
}

/* The peer's Delete of the old IKE_SA after a rekey, "rekeyed" logged
 * after the delete in the same second: a rekey, not a cause. */
Test(rootcause, responder_delete_of_rekeyed_sa_is_not_a_cause)
{
	static const char *const lines[] = {
		"0|11[ENC] parsed INFORMATIONAL request 2 [ D ]",
		"0|11[IKE] deleting IKE_SA ipsec1_1[1] between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
		"0|09[IKE] IKE_SA ipsec1_1[2] rekeyed between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
		"0|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 0, RC_SYM_DOWN, "198.51.100.1", &r);
	cr_assert_neq(r.cause, RC_PEER_DELETE, "%s", r.summary);
}

/* A Delete for a CHILD_SA only is not the IKE_SA's end. */
Test(rootcause, responder_child_delete_is_not_peer_delete)
{
	static const char *const lines[] = {
		"0|11[ENC] parsed INFORMATIONAL request 7 [ D ]",
		"0|11[IKE] received DELETE for ESP CHILD_SA with SPI c1a2b3c4",
		"0|11[IKE] closing CHILD_SA child_ipsec1_1{5} with SPIs c1a2b3c4_i (0 bytes) 0a0b0c0d_o (0 bytes) and TS 10.0.0.0/24 === 10.1.0.0/24",
		"0|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 0, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_neq(r.cause, RC_PEER_DELETE, "%s", r.summary);
}

/* "giving up after 5 retransmits" + "restarting CHILD_SA": charon gives
 * up this way only on an established IKE_SA (ike_sa.c reestablish()). */
Test(rootcause, regress_give_up_restart_without_retransmits_is_dpd_timeout)
{
	static const char *const lines[] = {
		"120|16[IKE] giving up after 5 retransmits",
		"120|16[IKE] restarting CHILD_SA child_ipsec2_1",
		"120|16[IKE] initiating IKE_SA ipsec2_1[5] to 203.0.113.15",
		NULL,
	};
	struct rc_result r;
	int sym;

	for (sym = RC_SYM_NEVER_ESTABLISHED; sym <= RC_SYM_DOWN; sym++) {
		classify_lines(lines, 120, sym, "203.0.113.15", &r);
		cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%d: %s: %s", sym,
		    rc_cause_name(r.cause), r.summary);
		cr_assert(strstr(r.summary, "charon gave up after 5 retransmits") != NULL,
		    "%s", r.summary);
		cr_assert(strstr(r.summary, "0 retransmits") == NULL, "%s", r.summary);
	}
}

Test(rootcause, give_up_in_informational_without_retransmits_is_dpd_timeout)
{
	static const char *const lines[] = {
		"0|08[IKE] sending DPD request",
		"0|08[ENC] generating INFORMATIONAL request 12 [ ]",
		"165|16[IKE] giving up after 5 retransmits",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 165, RC_SYM_NEVER_ESTABLISHED, "203.0.113.15", &r);
	cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%s: %s", rc_cause_name(r.cause), r.summary);
	cr_assert(strstr(r.summary, "gave up after 5 retransmits") != NULL, "%s", r.summary);
}

Test(rootcause, give_up_establishing_without_retransmits_is_peer_not_responding)
{
	static const char *const lines[] = {
		"165|16[IKE] giving up after 5 retransmits",
		"165|16[IKE] establishing IKE_SA failed, peer not responding",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 165, RC_SYM_NEVER_ESTABLISHED, "203.0.113.15", &r);
	cr_assert_eq(r.cause, RC_PEER_NOT_RESPONDING, "%s: %s", rc_cause_name(r.cause),
	    r.summary);
	cr_assert(strstr(r.summary, "gave up after 5 retransmits") != NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "0 retransmits") == NULL, "%s", r.summary);
}

/* Three outages within ten minutes, each "retransmit 1..3 of request with
 * message ID 3" (the new IKE_SA starts its IDs again): each says 3. */
static const char *const three_outages[] = {
	"0|09[IKE] IKE_SA ipsec1_1[1] established between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
	"10|08[ENC] generating INFORMATIONAL request 3 [ ]",
	"14|05[IKE] retransmit 1 of request with message ID 3",
	"21|05[IKE] retransmit 2 of request with message ID 3",
	"34|05[IKE] retransmit 3 of request with message ID 3",
	"57|05[IKE] giving up after 3 retransmits",
	"57|05[IKE] restarting CHILD_SA child_ipsec1_1",
	"57|05[IKE] initiating IKE_SA ipsec1_1[2] to 198.51.100.1",
	"58|09[IKE] IKE_SA ipsec1_1[2] established between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
	"110|08[ENC] generating INFORMATIONAL request 3 [ ]",
	"114|05[IKE] retransmit 1 of request with message ID 3",
	"121|05[IKE] retransmit 2 of request with message ID 3",
	"134|05[IKE] retransmit 3 of request with message ID 3",
	"157|05[IKE] giving up after 3 retransmits",
	"157|05[IKE] restarting CHILD_SA child_ipsec1_1",
	"157|05[IKE] initiating IKE_SA ipsec1_1[3] to 198.51.100.1",
	"158|09[IKE] IKE_SA ipsec1_1[3] established between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
	"210|08[ENC] generating INFORMATIONAL request 3 [ ]",
	"214|05[IKE] retransmit 1 of request with message ID 3",
	"221|05[IKE] retransmit 2 of request with message ID 3",
	"234|05[IKE] retransmit 3 of request with message ID 3",
	"257|05[IKE] giving up after 3 retransmits",
	NULL,
};

Test(rootcause, regress_retransmit_count_per_ike_sa_message_id_reuse)
{
	static const int64_t starts[] = { 57, 157, 257 };
	struct rc_result r;

	for (int k = 0; k < 3; k++) {
		classify_lines(three_outages, starts[k], RC_SYM_DOWN, "198.51.100.1", &r);
		cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%s", r.summary);
		cr_assert(strstr(r.summary, "request 3 was retransmitted 3 times") != NULL,
		    "outage %d: %s", k, r.summary);
	}
}

/* The same without the IKE_SA lines between outages (only retransmits and
 * give-ups reached us), and with every line twice. */
Test(rootcause, retransmit_count_per_request_without_boundaries_or_with_duplicates)
{
	const char *bare[32], *twice[64];
	size_t nb = 0, nt = 0;
	struct rc_result r;

	for (size_t i = 0; three_outages[i] != NULL; i++) {
		if (strstr(three_outages[i], "retransmit") != NULL)
			bare[nb++] = three_outages[i];
		twice[nt++] = three_outages[i];
		twice[nt++] = three_outages[i];
	}
	bare[nb] = NULL;
	twice[nt] = NULL;
	for (int k = 0; k < 3; k++) {
		classify_lines(bare, 57 + 100 * k, RC_SYM_DOWN, "198.51.100.1", &r);
		cr_assert(strstr(r.summary, "retransmitted 3 times") != NULL, "bare %d: %s",
		    k, r.summary);
		classify_lines(twice, 57 + 100 * k, RC_SYM_DOWN, "198.51.100.1", &r);
		cr_assert(strstr(r.summary, "retransmitted 3 times") != NULL, "twice %d: %s",
		    k, r.summary);
	}
	/* No give-up between them at all: the falling numbers still tell. */
	{
		static const char *const runs[] = {
			"14|05[IKE] retransmit 1 of request with message ID 3",
			"21|05[IKE] retransmit 2 of request with message ID 3",
			"34|05[IKE] retransmit 3 of request with message ID 3",
			"114|05[IKE] retransmit 1 of request with message ID 3",
			"121|05[IKE] retransmit 2 of request with message ID 3",
			"134|05[IKE] retransmit 3 of request with message ID 3",
			"157|05[IKE] giving up after 3 retransmits",
			NULL,
		};
		classify_lines(runs, 157, RC_SYM_DOWN, "198.51.100.1", &r);
		cr_assert(strstr(r.summary, "retransmitted 3 times") != NULL, "%s", r.summary);
	}
}

/* 'unknown' says what it saw. */
Test(rootcause, regress_unknown_names_the_lines_it_saw)
{
	static const char *const lines[] = {
		"0|FTMD Interface ipsec1 UP",
		"100|06[IKE] sending keep alive to 198.51.100.1[4500]",
		"120|06[IKE] sending keep alive to 198.51.100.1[4500]",
		"125|16[CFG] vici initiate CHILD_SA 'child_ipsec1_1'",
		"130|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	static const char *const ftmd_only[] = {
		"0|FTMD Interface ipsec1 UP",
		"130|FTMD Interface ipsec1 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 130, RC_SYM_DOWN, "198.51.100.1", &r);
	cr_assert_eq(r.cause, RC_UNKNOWN);
	cr_assert(strstr(r.summary, "2 FTMD interface-state lines (1 down, 1 up)") != NULL,
	    "%s", r.summary);
	cr_assert(strstr(r.summary, "3 charon lines (keepalive x2, vici_initiate x1)") != NULL,
	    "%s", r.summary);
	cr_assert(strstr(r.summary, "no charon evidence") == NULL, "%s", r.summary);
	classify_lines(ftmd_only, 130, RC_SYM_DOWN, "198.51.100.1", &r);
	cr_assert_eq(r.cause, RC_UNKNOWN);
	cr_assert(strstr(r.summary, "0 charon lines") != NULL, "%s", r.summary);
	cr_assert(strstr(r.summary, "logging priority is information") != NULL, "%s",
	    r.summary);
}

Test(rootcause, cause_is_shared_only_for_peer_or_path)
{
	static const int shared[RC_MAX] = {
		[RC_DPD_TIMEOUT] = 1, [RC_PEER_NOT_RESPONDING] = 1, [RC_PEER_DELETE] = 1,
	};
	for (int i = 0; i < RC_MAX; i++)
		cr_assert_eq(rc_cause_is_shared(i), shared[i], "%s", rc_cause_name(i));
	cr_assert(!rc_cause_is_shared(-1));
	cr_assert(!rc_cause_is_shared(RC_MAX));
}

/* ---- order within a second ---------------------------------------------- */

/*
 * Runs rc_classify on every order of lines[a..b) (lines of one second;
 * event ids follow the order, as the store would number them on arrival)
 * and asserts that each gives cause and a summary containing sub, all the
 * same summary.  Returns the number of orders tried.
 */
static size_t
all_orders(const char *const *lines, size_t a, size_t b, int64_t start_s, int symptom,
    int cause, const char *sub)
{
	struct rc_event ev[64], tmpl[64];
	struct charon_event *pool[64] = { 0 };
	size_t n = build(lines, tmpl, pool), k = b - a, c[16] = { 0 }, idx[16], i, tried = 0;
	char first[RC_SUMMARY_LEN] = "";
	struct rc_result r;

	cr_assert(k <= 16 && b <= n);
	for (i = 0; i < k; i++)
		idx[i] = a + i;
	/* Heap's algorithm, iterative. */
	for (i = 0;;) {
		size_t j;
		memcpy(ev, tmpl, n * sizeof ev[0]);
		for (j = 0; j < k; j++) {
			ev[a + j] = tmpl[idx[j]];
			ev[a + j].event_id = (int64_t)(a + j) + 1;
		}
		rc_classify(ev, n, start_s * 1000000LL, symptom, "10.10.10.1", &r);
		cr_assert_eq(r.cause, cause, "order %zu: %s: %s", tried,
		    rc_cause_name(r.cause), r.summary);
		cr_assert(strstr(r.summary, sub) != NULL, "order %zu: '%s' lacks '%s'",
		    tried, r.summary, sub);
		if (tried == 0)
			snprintf(first, sizeof first, "%s", r.summary);
		cr_assert_str_eq(r.summary, first, "order %zu", tried);
		tried++;
		while (i < k && c[i] >= i) {
			c[i] = 0;
			i++;
		}
		if (i >= k)
			break;
		if (i % 2 == 0) {
			size_t t = idx[0]; idx[0] = idx[i]; idx[i] = t;
		} else {
			size_t t = idx[c[i]]; idx[c[i]] = idx[i]; idx[i] = t;
		}
		c[i]++;
		i = 0;
	}
	release(pool, n);
	return tried;
}

/* Reads a fixture's charon lines as "SECONDS|text" (syslog header
 * "... Mon DD HH:MM:SS host charon: text"). */
static size_t
read_fixture(const char *name, char store[][600], const char **lines, size_t max)
{
	char path[512], buf[1024];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/tests/fixtures/%s", TW_SOURCE_DIR, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	while (n < max && fgets(buf, sizeof buf, f) != NULL) {
		char *text = strstr(buf, " charon: "), *t;
		int hh, mm, ss;
		if (text == NULL)
			continue;
		buf[strcspn(buf, "\n")] = '\0';
		for (t = buf; *t != '\0' && sscanf(t, "%2d:%2d:%2d", &hh, &mm, &ss) != 3; t++)
			;
		cr_assert(*t != '\0', "%s", buf);
		snprintf(store[n], sizeof store[n], "%d|%s", hh * 3600 + mm * 60 + ss,
		    text + 9);
		lines[n] = store[n];
		n++;
	}
	fclose(f);
	lines[n] = NULL;
	return n;
}

/* The field guide's PFS case: every order of 05:12:56's eight lines (the
 * proposal lines after "no acceptable proposal found" included) is a PFS
 * mismatch naming group 16, with the same summary; then 05:12:58's. */
Test(rootcause, regress_pfs_any_order_within_second_guide_pfs, .timeout = 120)
{
	static char store[32][600];
	const char *lines[33];
	size_t n = read_fixture("guide_pfs.log", store, lines, 32), a, b, tried;
	int64_t t0 = atoll(lines[0]);
	int sym;

	for (sym = RC_SYM_DOWN; sym <= RC_SYM_DEGRADED; sym++) {
		for (a = 0; a < n; a = b) {
			for (b = a; b < n && atoll(lines[b]) == atoll(lines[a]); b++)
				;
			if (b - a < 2)
				continue;
			tried = all_orders(lines, a, b, t0, sym, RC_PFS_MISMATCH,
			    "MODP_4096 (group 16)");
			cr_assert(tried > 1);
		}
	}
}

/* An IKE proposal mismatch as responder (proposals logged) and as
 * initiator (only the notify), in every order. */
Test(rootcause, regress_ike_mismatch_any_order_within_second, .timeout = 120)
{
	static const char *const responder[] = {
		"10|05[NET] received packet: from 198.51.100.7[500] to 192.0.2.1[500] (464 bytes)",
		"10|05[ENC] parsed IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
		"10|05[IKE] 198.51.100.7 is initiating an IKE_SA",
		"10|05[CFG] received proposals: IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
		"10|05[CFG] configured proposals: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048",
		"10|05[IKE] no acceptable proposal found",
		"10|05[ENC] generating IKE_SA_INIT response 0 [ N(NO_PROP) ]",
		"10|05[NET] sending packet: from 192.0.2.1[500] to 198.51.100.7[500] (36 bytes)",
		NULL,
	};
	static const char *const initiator[] = {
		"10|13[CFG] vici initiate CHILD_SA 'child_ipsec2_1'",
		"10|15[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
		"10|15[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
		"10|15[NET] sending packet: from 192.0.2.1[500] to 203.0.113.1[500] (464 bytes)",
		"10|14[NET] received packet: from 203.0.113.1[500] to 192.0.2.1[500] (36 bytes)",
		"10|14[ENC] parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]",
		"10|14[IKE] received NO_PROPOSAL_CHOSEN notify error",
		NULL,
	};
	static const char *const initiator_bare[] = {
		"10|13[CFG] vici initiate CHILD_SA 'child_ipsec2_1'",
		"10|15[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.1",
		"10|14[IKE] received NO_PROPOSAL_CHOSEN notify error",
		NULL,
	};

	all_orders(responder, 0, 8, 10, RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH,
	    "no IKE proposal in common");
	all_orders(initiator, 0, 7, 10, RC_SYM_NEVER_ESTABLISHED, RC_IKE_PROPOSAL_MISMATCH,
	    "IKE_SA_INIT");
	all_orders(initiator_bare, 0, 3, 10, RC_SYM_NEVER_ESTABLISHED,
	    RC_IKE_PROPOSAL_MISMATCH, "IKE_SA_INIT");
}

/* Authentication failures in every order: the lab's initiator side (the
 * peer's AUTHENTICATION_FAILED) and a responder whose PSK differs (the
 * MAC line is the specific one, whatever comes first). */
Test(rootcause, regress_auth_failed_any_order_within_second, .timeout = 120)
{
	static const char *const initiator[] = {
		"32|14[IKE] authentication of '192.0.2.1' (myself) with pre-shared key",
		"32|14[IKE] establishing CHILD_SA child_ipsec2_1{1}",
		"32|14[ENC] generating IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]",
		"32|15[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]",
		"32|15[IKE] received AUTHENTICATION_FAILED notify error",
		NULL,
	};
	static const char *const responder[] = {
		"20|07[ENC] parsed IKE_AUTH request 1 [ IDi N(INIT_CONTACT) IDr AUTH SA TSi TSr N(MULT_AUTH) N(EAP_ONLY) N(MSG_ID_SYN_SUP) ]",
		"20|07[CFG] selected peer config 'ipsec2_1'",
		"20|07[IKE] tried 1 shared key for '203.0.113.1' - '192.0.2.1', but MAC mismatched",
		"20|07[IKE] authentication of '203.0.113.1' with pre-shared key failed",
		"20|07[ENC] generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]",
		"20|07[NET] sending packet: from 192.0.2.1[4500] to 203.0.113.1[4500] (76 bytes)",
		NULL,
	};

	all_orders(initiator, 0, 5, 32, RC_SYM_NEVER_ESTABLISHED, RC_AUTH_FAILED,
	    "AUTHENTICATION_FAILED");
	all_orders(responder, 0, 6, 20, RC_SYM_NEVER_ESTABLISHED, RC_AUTH_FAILED,
	    "pre-shared key mismatch");
}

/* The field guide's DPD case when the give-up is not among the tunnel's
 * lines (lost, or not tied to it): the unanswered retransmits before the
 * down explain it; not 'unknown'. */
Test(rootcause, regress_unanswered_retransmits_without_give_up_are_dpd_timeout)
{
	static const char *const lines[] = {
		"0|11[ENC] generating INFORMATIONAL request 542 [ ]",
		"0|07[ENC] parsed INFORMATIONAL response 542 [ ]",
		"73|08[IKE] sending DPD request",
		"73|08[ENC] generating INFORMATIONAL request 543 [ ]",
		"103|05[IKE] retransmit 1 of request with message ID 543",
		"157|06[IKE] retransmit 2 of request with message ID 543",
		"254|08[IKE] retransmit 3 of request with message ID 543",
		"429|FTMD Interface ipsec2 DOWN",
		"434|16[IKE] initiating IKE_SA ipsec2_1[2] to 10.10.10.1",
		"434|16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
		"434|07[NET] received packet: from 10.10.10.1[500] to 172.28.0.36[500] (240 bytes)",
		"434|07[ENC] parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
		NULL,
	};
	static const char *const answered[] = {
		"73|08[ENC] generating INFORMATIONAL request 543 [ ]",
		"103|05[IKE] retransmit 1 of request with message ID 543",
		"104|07[ENC] parsed INFORMATIONAL response 543 [ ]",
		"429|FTMD Interface ipsec2 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 429, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_DPD_TIMEOUT, "%s: %s", rc_cause_name(r.cause), r.summary);
	cr_assert(strstr(r.summary, "request 543 was retransmitted 3 times") != NULL, "%s",
	    r.summary);
	cr_assert(strstr(r.summary, "give-up is not among this tunnel's lines") != NULL, "%s",
	    r.summary);
	classify_lines(answered, 429, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_UNKNOWN, "%s: %s", rc_cause_name(r.cause), r.summary);
}

/* A peer's healthy IKE rekey whose "received DELETE" for the old IKE_SA
 * is logged before "rekeyed": in any order, no peer delete. */
Test(rootcause, regress_peer_ike_rekey_delete_before_rekeyed_any_order)
{
	static const char *const lines[] = {
		"500|10[ENC] parsed CREATE_CHILD_SA request 6 [ SA No KE ]",
		"500|10[ENC] generating CREATE_CHILD_SA response 6 [ SA No KE ]",
		"500|10[IKE] IKE_SA ipsec1_1[2] rekeyed between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
		"500|12[ENC] parsed INFORMATIONAL request 7 [ D ]",
		"500|12[IKE] received DELETE for IKE_SA ipsec1_1[1]",
		"500|12[IKE] deleting IKE_SA ipsec1_1[1] between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]",
		"500|12[ENC] generating INFORMATIONAL response 7 [ ]",
		NULL,
	};

	all_orders(lines, 0, 7, 500, RC_SYM_DOWN, RC_UNKNOWN, "no charon line explains it");
}

/* ---- the device's own transport (issue #13 item 9, classifier side) ---- */

Test(rootcause, local_transport_interface_down_before_tunnel_down)
{
	static const char *const lines[] = {
		"0|11[ENC] generating INFORMATIONAL request 542 [ ]",
		"0|07[ENC] parsed INFORMATIONAL response 542 [ ]",
		"425|TRANSPORT IF ge0/0 DOWN",
		"429|FTMD Interface ipsec2 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 429, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_LOCAL_TRANSPORT_DOWN, "%s: %s", rc_cause_name(r.cause),
	    r.summary);
	cr_assert(strstr(r.summary, "interface ge0/0 (VPN 0) went down 4 s before") != NULL,
	    "%s", r.summary);
	cr_assert_eq(r.nevidence, 2, "%d", r.nevidence);
	cr_assert_eq(r.evidence[0], 3);
	cr_assert_eq(r.evidence[1], 4);
	cr_assert(!rc_cause_is_shared(r.cause));
}

Test(rootcause, local_transport_color_down_over_give_up)
{
	static const char *const lines[] = {
		"73|08[ENC] generating INFORMATIONAL request 543 [ ]",
		"103|05[IKE] retransmit 1 of request with message ID 543",
		"157|06[IKE] retransmit 2 of request with message ID 543",
		"200|11[IKE] giving up after 2 retransmits",
		"200|TRANSPORT COLOR biz-internet DOWN",
		"200|FTMD Interface ipsec2 DOWN",
		NULL,
	};
	struct rc_result r;

	all_orders(lines, 3, 6, 200, RC_SYM_DOWN, RC_LOCAL_TRANSPORT_DOWN,
	    "color biz-internet went down as the tunnel went down");
	(void)r;
}

Test(rootcause, local_transport_not_a_cause_too_early_or_against_a_delete)
{
	static const char *const early[] = {
		"300|TRANSPORT IF ge0/0 DOWN",
		"429|FTMD Interface ipsec2 DOWN",
		NULL,
	};
	static const char *const deleted[] = {
		"428|TRANSPORT IF ge0/0 DOWN",
		"429|12[IKE] received DELETE for IKE_SA ipsec2_1[217]",
		"429|12[IKE] deleting IKE_SA ipsec2_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
		"429|FTMD Interface ipsec2 DOWN",
		NULL,
	};
	struct rc_result r;

	classify_lines(early, 429, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_UNKNOWN, "%s: %s", rc_cause_name(r.cause), r.summary);
	classify_lines(deleted, 429, RC_SYM_DOWN, "10.10.10.1", &r);
	cr_assert_eq(r.cause, RC_PEER_DELETE, "%s: %s", rc_cause_name(r.cause), r.summary);
}

Test(rootcause, never_established_retransmits_without_give_up_is_peer_not_responding)
{
	static const char *const lines[] = {
		"0|16[IKE] initiating IKE_SA ipsec2_1[1] to 198.51.100.9",
		"0|16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]",
		"4|05[IKE] retransmit 1 of request with message ID 0",
		"11|05[IKE] retransmit 2 of request with message ID 0",
		"24|05[IKE] retransmit 3 of request with message ID 0",
		NULL,
	};
	struct rc_result r;

	classify_lines(lines, 0, RC_SYM_NEVER_ESTABLISHED, "198.51.100.9", &r);
	cr_assert_eq(r.cause, RC_PEER_NOT_RESPONDING, "%s: %s", rc_cause_name(r.cause),
	    r.summary);
	cr_assert(strstr(r.summary, "IKE_SA_INIT request (3 retransmits") != NULL, "%s",
	    r.summary);
}

/* The field guide's delete case in every order, and without its first
 * line ("received DELETE for IKE_SA": a file cut there, or level 0): the
 * answer to the peer's INFORMATIONAL request on the deleting thread still
 * shows who deleted it. */
Test(rootcause, regress_guide_delete_any_order_and_without_received_delete, .timeout = 120)
{
	static char store[32][600];
	const char *lines[34];
	size_t n = read_fixture("guide_delete.log", store, lines, 32);
	int64_t t0 = atoll(lines[0]);

	snprintf(store[n], sizeof store[n], "%lld|FTMD Interface ipsec1 DOWN", (long long)t0);
	lines[n] = store[n];
	lines[n + 1] = NULL;
	cr_assert(strstr(lines[0], "received DELETE for IKE_SA") != NULL, "%s", lines[0]);
	all_orders(lines, 0, n, t0, RC_SYM_DOWN, RC_PEER_DELETE, "suspected CSCvx86427");
	all_orders(lines + 1, 0, n - 1, t0, RC_SYM_DOWN, RC_PEER_DELETE,
	    "suspected CSCvx86427");
}
