/*
 * test_rootcause.c — the pure root-cause classifier: proposal comparison
 * transform by transform, and the signatures of FORMATS.md §3.4 over event
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

/* Builds an rc_event array from "SECONDS|line" strings. */
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
		"pfs_mismatch", "auth_failed", "ts_mismatch", "peer_delete", "local_delete" };
	for (int i = 0; i < RC_MAX; i++)
		cr_assert_str_eq(rc_cause_name(i), want[i]);
	cr_assert_str_eq(rc_cause_name(99), "unknown");
}
