/*
 * test_charon.c — Criterion tests for parse/parse_charon.c and
 * parse/charon_json.c.
 *
 * Layout:
 *   - `formats`: one row per strongSwan format string of
 *     docs/log-formats.md#charon-kinds in each wording (5.x and 6.x), then
 *     every charon line of the field guide's examples
 *     (docs/log-formats.md#field-guide-lines: duplicates and the lines from
 *     mangled hosts included: the header is stripped, so the body is fed),
 *     then the level 1 and 2 lines of strongSwan 5.9 (issue 13 item 10).
 *     Each row gives the exact set of fields expected in the JSON form of
 *     the event (framing keys are compared only when the row lists them).
 *     Every row is parsed three ways: from an exactly-sized heap buffer
 *     (ASan catches a read past the end), as a slice inside a larger buffer
 *     with misleading bytes on both sides (no reliance on NUL termination),
 *     and cut at every length (no crash on truncation).
 *   - `framing`: thread/group/level/<conn|uid>/program-tag/vendor forms.
 *   - `truncated`, `overflow`, `unknown`: what must stay CHARON_OTHER.
 *   - single tests: empty input, NUL bytes, huge lines, field truncation,
 *     proposal limits, UTF-8 sanitizing in JSON, kind names (frozen list),
 *     KE helpers, and named regressions.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_charon.h"

/* ------------------------------------------------------------------------ */
/* Helpers */

/* Parses s[0..n) copied into a heap buffer of exactly n bytes. */
static int
parse_exact(const char *s, size_t n, struct charon_event *ev)
{
	char *b = malloc(n > 0 ? n : 1);
	int rc;

	cr_assert_not_null(b);
	memcpy(b, s, n);
	rc = charon_parse(b, n, ev);
	free(b);
	return rc;
}

/* Bytes around an embedded slice: if the parser read outside its slice
 * these would change the result ("9" extends numbers, "]" closes names). */
static const char slice_pre[] = "<13>Jun 18 00:31:22 vedge01 charon: 77[XYZ] <zz|9> ";
static const char slice_post[] = "9]...6.6.6.6[x] (1 bytes) seconds'}\n16[IKE] IKE_SA deleted";

/* Parses s[0..n) as a slice of a larger buffer; *base gets its offset. */
static int
parse_embedded(const char *s, size_t n, struct charon_event *ev, size_t *base)
{
	size_t pre = sizeof(slice_pre) - 1, post = sizeof(slice_post) - 1;
	char *b = malloc(pre + n + post);
	int rc;

	cr_assert_not_null(b);
	memcpy(b, slice_pre, pre);
	memcpy(b + pre, s, n);
	memcpy(b + pre + n, slice_post, post);
	rc = charon_parse(b + pre, n, ev);
	free(b);
	*base = pre;
	return rc;
}

static void
free_index_params(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

static json_t *
event_json(const struct charon_event *ev)
{
	json_t *o = json_object();

	cr_assert_not_null(o);
	cr_assert_eq(charon_event_to_json(ev, o), 0);
	return o;
}

static char *
event_dump(const struct charon_event *ev)
{
	json_t *o = event_json(ev);
	char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(o);
	cr_assert_not_null(s);
	return s;
}

static int
is_framing_key(const char *k)
{
	static const char *const fk[] = {
		"framing", "thread", "group", "level", "conn", "conn_uid",
	};
	size_t i;

	for (i = 0; i < sizeof(fk) / sizeof(fk[0]); i++)
		if (strcmp(fk[i], k) == 0)
			return 1;
	return 0;
}

/* Checks that the JSON form of ev has exactly the fields of `expect`
 * (JSON with ' for ", framing keys only when listed). */
static void
check_fields(const struct charon_event *ev, const char *expect,
    const char *line)
{
	char *e = strdup(expect), *p;
	json_error_t err;
	json_t *exp, *act, *v;
	const char *key;

	cr_assert_not_null(e);
	for (p = e; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	exp = json_loads(e, 0, &err);
	cr_assert_not_null(exp, "bad expectation %s: %s", expect, err.text);
	act = event_json(ev);
	json_object_foreach(exp, key, v) {
		json_t *a = json_object_get(act, key);
		char *ad = a != NULL ? json_dumps(a, JSON_ENCODE_ANY) : NULL;
		char *vd = json_dumps(v, JSON_ENCODE_ANY);

		cr_assert(a != NULL && json_equal(a, v),
		    "[%s] field %s: expected %s, got %s", line, key, vd,
		    ad != NULL ? ad : "(absent)");
		free(ad);
		free(vd);
	}
	json_object_foreach(act, key, v) {
		char *vd;

		if (json_object_get(exp, key) != NULL || is_framing_key(key))
			continue;
		vd = json_dumps(v, JSON_ENCODE_ANY);
		cr_assert_fail("[%s] unexpected field %s = %s", line, key, vd);
		free(vd);
	}
	json_decref(exp);
	json_decref(act);
	free(e);
}

/*
 * Criterion runs each parameterized case in a re-executed worker, where
 * pointers copied from the parent are meaningless; so the parameter is an
 * index into a static table, resolved in the worker's own address space.
 */
static struct criterion_test_params
index_params(size_t n)
{
	size_t *idx = cr_malloc(n * sizeof(*idx)), i;

	cr_assert_not_null(idx);
	for (i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n, free_index_params);
}

static void
check_text_span(const struct charon_event *ev, size_t len)
{
	cr_assert_leq((size_t)ev->text.off + ev->text.len, len);
}

/* ------------------------------------------------------------------------ */
/* formats: every format string, every documented line */

struct row {
	const char *line;
	const char *expect;
};

static struct row rows[] = {
	/* charon-kinds, establishment: IKEv2, IKEv1 Main Mode, Aggressive Mode */
	{ "16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1",
	  "{'kind':'ike_initiate','ike_name':'ipsec2_1','ike_uid':223798,'remote_addr':'10.10.10.1'}" },
	{ "14[IKE] initiating Main Mode IKE_SA peer-v1[4] to 198.51.100.7",
	  "{'kind':'ike_initiate','ike_name':'peer-v1','ike_uid':4,'remote_addr':'198.51.100.7','variant':'main_mode'}" },
	{ "14[IKE] initiating Aggressive Mode IKE_SA peer-am[9] to 198.51.100.8",
	  "{'kind':'ike_initiate','ike_name':'peer-am','ike_uid':9,'remote_addr':'198.51.100.8','variant':'aggressive_mode'}" },
	/* responder sees init: 6.x, <= 5.9, IKEv1 (a/an), IPv6 */
	{ "05[IKE] 198.51.100.1[500] is initiating IKE_SA net-net[12]",
	  "{'kind':'ike_initiate_responder','ike_name':'net-net','ike_uid':12,'remote_addr':'198.51.100.1','remote_port':500}" },
	{ "05[IKE] 198.51.100.1 is initiating an IKE_SA",
	  "{'kind':'ike_initiate_responder','remote_addr':'198.51.100.1'}" },
	{ "05[IKE] 198.51.100.1 is initiating a Main Mode IKE_SA",
	  "{'kind':'ike_initiate_responder','remote_addr':'198.51.100.1','variant':'main_mode'}" },
	{ "05[IKE] 198.51.100.1 is initiating a Aggressive Mode IKE_SA",
	  "{'kind':'ike_initiate_responder','remote_addr':'198.51.100.1','variant':'aggressive_mode'}" },
	{ "05[IKE] 2001:db8::1 is initiating IKE_SA v6[1]",
	  "{'kind':'ike_initiate_responder','ike_name':'v6','ike_uid':1,'remote_addr':'2001:db8::1'}" },
	/* IKE_SA up (identities with blanks, commas, '=', %any) */
	{ "11[IKE] IKE_SA ipsec2_1[223798] established between 10.132.3.92[10.132.3.92]...10.10.10.1[10.10.10.1]",
	  "{'kind':'ike_established','ike_name':'ipsec2_1','ike_uid':223798,'local_addr':'10.132.3.92','local_id':'10.132.3.92','remote_addr':'10.10.10.1','remote_id':'10.10.10.1'}" },
	{ "11[IKE] IKE_SA gw[3] established between 192.0.2.1[CN=gw a, O=x]...198.51.100.1[%any]",
	  "{'kind':'ike_established','ike_name':'gw','ike_uid':3,'local_addr':'192.0.2.1','local_id':'CN=gw a, O=x','remote_addr':'198.51.100.1','remote_id':'%any'}" },
	{ "11[IKE] IKE_SA v6[8] established between 2001:db8::1[C=CH, O=strongSwan, CN=moon]...2001:db8::2[carol@strongswan.org]",
	  "{'kind':'ike_established','ike_name':'v6','ike_uid':8,'local_addr':'2001:db8::1','local_id':'C=CH, O=strongSwan, CN=moon','remote_addr':'2001:db8::2','remote_id':'carol@strongswan.org'}" },
	/* CHILD_SA up; inbound (6.x) / outbound after rekey; IKEv1 quick mode */
	{ "11[IKE] CHILD_SA child_ipsec2_1{4711} established with SPIs c8a3f2b1_i 0a1b2c3d_o and TS 192.168.1.8/30 === 0.0.0.0/0",
	  "{'kind':'child_established','child_name':'child_ipsec2_1','child_uid':4711,'spi_in':'c8a3f2b1','spi_out':'0a1b2c3d','ts_local':'192.168.1.8/30','ts_remote':'0.0.0.0/0'}" },
	{ "11[IKE] inbound CHILD_SA net{12} established with SPIs c0ffee01_i deadbeef_o and TS 10.1.0.0/16 10.3.0.0/16 === 10.2.0.0/16",
	  "{'kind':'child_established','child_name':'net','child_uid':12,'spi_in':'c0ffee01','spi_out':'deadbeef','ts_local':'10.1.0.0/16 10.3.0.0/16','ts_remote':'10.2.0.0/16','variant':'inbound'}" },
	{ "11[IKE] outbound CHILD_SA net{12} established with SPIs c0ffee01_i deadbeef_o and TS 10.1.0.0/16 === 10.2.0.0/16[tcp/http]",
	  "{'kind':'child_established','child_name':'net','child_uid':12,'spi_in':'c0ffee01','spi_out':'deadbeef','ts_local':'10.1.0.0/16','ts_remote':'10.2.0.0/16[tcp/http]','variant':'outbound'}" },
	{ "11[IKE] CHILD_SA v1net{3} established with SPIs 0000abcd_i 1234abcd_o and TS 10.0.0.0/24 === 10.9.0.0/24",
	  "{'kind':'child_established','child_name':'v1net','child_uid':3,'spi_in':'0000abcd','spi_out':'1234abcd','ts_local':'10.0.0.0/24','ts_remote':'10.9.0.0/24'}" },
	/* rekeys: IKE, CHILD (6.x), IKEv1 detected; retry; scheduling; reauth (6.x, 5.x actively) */
	{ "08[IKE] IKE_SA ipsec2_1[223799] rekeyed between 10.132.3.92[10.132.3.92]...10.10.10.1[10.10.10.1]",
	  "{'kind':'ike_rekeyed','ike_name':'ipsec2_1','ike_uid':223799,'local_addr':'10.132.3.92','local_id':'10.132.3.92','remote_addr':'10.10.10.1','remote_id':'10.10.10.1'}" },
	{ "08[IKE] rekeyed CHILD_SA net{12} with SPIs c0ffee01_i deadbeef_o with net{13} with SPIs c0ffee02_i deadbee2_o",
	  "{'kind':'child_rekeyed','child_name':'net','child_uid':12,'new_child_name':'net','new_child_uid':13,'spi_in':'c0ffee01','spi_out':'deadbeef','new_spi_in':'c0ffee02','new_spi_out':'deadbee2'}" },
	{ "08[IKE] detected rekeying of CHILD_SA v1net{3}",
	  "{'kind':'child_rekeyed','child_name':'v1net','child_uid':3,'variant':'ikev1'}" },
	{ "08[IKE] CHILD_SA rekeying failed, trying again in 21 seconds",
	  "{'kind':'child_rekey_failed','seconds':21}" },
	{ "08[IKE] IKE_SA rekeying failed, trying again in 1800 seconds",
	  "{'kind':'ike_rekey_failed','seconds':1800}" },
	{ "08[IKE] scheduling rekeying in 13968s",
	  "{'kind':'rekey_scheduled','seconds':13968}" },
	{ "08[IKE] scheduling reauthentication in 85442s",
	  "{'kind':'reauth_scheduled','seconds':85442}" },
	{ "08[IKE] maximum IKE_SA lifetime 15408s",
	  "{'kind':'ike_lifetime','seconds':15408}" },
	{ "08[IKE] reauthenticating IKE_SA ipsec2_1[223798]",
	  "{'kind':'reauth','ike_name':'ipsec2_1','ike_uid':223798}" },
	{ "08[IKE] reauthenticating IKE_SA ipsec2_1[223798] actively",
	  "{'kind':'reauth','ike_name':'ipsec2_1','ike_uid':223798,'variant':'actively'}" },
	/* DPD: the three 5.9+ variants, IKEv1 timeout */
	{ "08[IKE] sending DPD request",
	  "{'kind':'dpd_request'}" },
	{ "08[IKE] sending DPD instead of keep alive 20s after last outbound message",
	  "{'kind':'dpd_request','seconds':20,'variant':'instead_of_keepalive'}" },
	{ "08[IKE] checking if current path still works using DPD",
	  "{'kind':'dpd_request','variant':'path_check'}" },
	{ "14[JOB] DPD check timed out, enforcing DPD action",
	  "{'kind':'dpd_timeout'}" },
	/* retransmit: IKEv2, vEdge suffix, playbook abbreviation, IKEv1 */
	{ "07[IKE] retransmit 1 of request with message ID 0",
	  "{'kind':'retransmit','count':1,'msgid':0,'message_type':'request'}" },
	{ "08[IKE] retransmit 3 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)",
	  "{'kind':'retransmit','count':3,'msgid':543,'retx_tries':3,'retx_timeout':30,'retx_exchange':37,'retx_state':2,'exchange':'INFORMATIONAL','message_type':'request'}" },
	{ "06[IKE] retransmit 2 of request with message ID 543 (...)",
	  "{'kind':'retransmit','count':2,'msgid':543,'message_type':'request'}" },
	{ "13[IKE] sending retransmit 1 of request message ID 2854421812, seq 4",
	  "{'kind':'retransmit','count':1,'msgid':2854421812,'seq':4,'message_type':'request','variant':'ikev1'}" },
	{ "13[IKE] sending retransmit 2 of response message ID 0, seq 1",
	  "{'kind':'retransmit','count':2,'msgid':0,'seq':1,'message_type':'response','variant':'ikev1'}" },
	/* give up and after give-up */
	{ "10[IKE] giving up after 5 retransmits",
	  "{'kind':'give_up','count':5,'variant':'retransmits'}" },
	{ "10[IKE] giving up after 5 path probings",
	  "{'kind':'give_up','count':5,'variant':'path_probings'}" },
	{ "10[IKE] giving up after 5 retries",
	  "{'kind':'give_up','count':5,'variant':'retries'}" },
	{ "10[IKE] peer not responding, trying again (2/3)",
	  "{'kind':'peer_not_responding_retry','count':2,'count_max':3}" },
	{ "10[IKE] establishing IKE_SA failed, peer not responding",
	  "{'kind':'ike_establish_no_response'}" },
	{ "10[IKE] rekeying IKE_SA failed, peer not responding",
	  "{'kind':'ike_rekey_no_response'}" },
	{ "10[IKE] proper IKE_SA delete failed, peer not responding",
	  "{'kind':'ike_delete_no_response'}" },
	/* restart actions */
	{ "10[IKE] restarting CHILD_SA child_ipsec2_1",
	  "{'kind':'child_restart','child_name':'child_ipsec2_1'}" },
	{ "10[IKE] reinitiating IKE_SA ipsec2_1[223800]",
	  "{'kind':'ike_reinitiate','ike_name':'ipsec2_1','ike_uid':223800}" },
	/* deletes, closes, half-open (6.x, 5.6-5.9, 5.3) */
	{ "12[IKE] received DELETE for IKE_SA ipsec1_1[217]",
	  "{'kind':'ike_delete_received','ike_name':'ipsec1_1','ike_uid':217}" },
	{ "12[IKE] sending DELETE for IKE_SA ipsec1_1[218]",
	  "{'kind':'ike_delete_sent','ike_name':'ipsec1_1','ike_uid':218}" },
	{ "12[IKE] received DELETE for ESP CHILD_SA with SPI c8a3f2b1",
	  "{'kind':'child_delete_received','spi':'c8a3f2b1','protocol':'ESP'}" },
	{ "12[IKE] sending DELETE for AH CHILD_SA with SPI 0a1b2c3d",
	  "{'kind':'child_delete_sent','spi':'0a1b2c3d','protocol':'AH'}" },
	{ "12[IKE] received DELETE for unknown ESP CHILD_SA with SPI 00001234",
	  "{'kind':'child_delete_received','spi':'00001234','protocol':'ESP','unknown_sa':true}" },
	{ "12[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
	  "{'kind':'ike_deleting','ike_name':'ipsec1_1','ike_uid':217,'local_addr':'10.16.0.5','local_id':'10.16.0.5','remote_addr':'10.10.10.1','remote_id':'10.10.10.1'}" },
	{ "12[IKE] IKE_SA deleted",
	  "{'kind':'ike_deleted'}" },
	{ "12[IKE] closing CHILD_SA net{12} with SPIs c0ffee01_i (15360 bytes) deadbeef_o (7680 bytes) and TS 10.1.0.0/16 === 10.2.0.0/16",
	  "{'kind':'child_closing','child_name':'net','child_uid':12,'spi_in':'c0ffee01','spi_out':'deadbeef','bytes_in':15360,'bytes_out':7680,'ts_local':'10.1.0.0/16','ts_remote':'10.2.0.0/16'}" },
	{ "12[IKE] closing expired CHILD_SA net{12} with SPIs c0ffee01_i deadbeef_o and TS 10.1.0.0/16 === 10.2.0.0/16",
	  "{'kind':'child_expired','child_name':'net','child_uid':12,'spi_in':'c0ffee01','spi_out':'deadbeef','ts_local':'10.1.0.0/16','ts_remote':'10.2.0.0/16'}" },
	{ "12[IKE] CHILD_SA closed",
	  "{'kind':'child_closed'}" },
	{ "15[JOB] deleting half open IKE_SA ipsec2_1[223801] with 10.10.10.1 after timeout",
	  "{'kind':'half_open_timeout','ike_name':'ipsec2_1','ike_uid':223801,'remote_addr':'10.10.10.1'}" },
	{ "15[JOB] deleting half open IKE_SA with 10.10.10.1 after timeout",
	  "{'kind':'half_open_timeout','remote_addr':'10.10.10.1'}" },
	{ "15[JOB] deleting half open IKE_SA after timeout",
	  "{'kind':'half_open_timeout'}" },
	/* proposals and proposal failures (IKE, CHILD, IKEv1) */
	{ "16[CFG] received proposals: IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048, IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256",
	  "{'kind':'proposals_received','proposals':[{'protocol':'IKE','transforms':['AES_CBC_256','HMAC_SHA1_96','PRF_HMAC_SHA1','MODP_2048']},{'protocol':'IKE','transforms':['AES_CBC_128','HMAC_SHA2_256_128','PRF_HMAC_SHA2_256','ECP_256']}]}" },
	{ "16[CFG] configured proposals: IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384/KE1_ML_KEM_768",
	  "{'kind':'proposals_configured','proposals':[{'protocol':'IKE','transforms':['AES_GCM_16_256','PRF_HMAC_SHA2_384','ECP_384','KE1_ML_KEM_768']}]}" },
	{ "16[CFG] selected proposal: ESP:AES_GCM_16_256/NO_EXT_SEQ",
	  "{'kind':'proposal_selected','proposals':[{'protocol':'ESP','transforms':['AES_GCM_16_256','NO_EXT_SEQ']}]}" },
	{ "16[IKE] received proposals unacceptable",
	  "{'kind':'proposals_unacceptable'}" },
	{ "16[IKE] received proposals inacceptable",
	  "{'kind':'proposals_unacceptable','variant':'inacceptable'}" },
	{ "16[IKE] no acceptable proposal found",
	  "{'kind':'no_acceptable_proposal'}" },
	{ "16[IKE] no proposal found",
	  "{'kind':'no_acceptable_proposal','variant':'ikev1'}" },
	{ "16[IKE] no matching proposal found",
	  "{'kind':'no_acceptable_proposal','variant':'ikev1_matching'}" },
	{ "16[IKE] failed to establish CHILD_SA, keeping IKE_SA",
	  "{'kind':'child_failed_keep_ike'}" },
	{ "16[IKE] closing IKE_SA due CHILD_SA setup failure",
	  "{'kind':'child_failed_close_ike'}" },
	/* peer's notify: IKEv2, 5.9+ destroying, no CHILD_SA built, IKEv1 */
	{ "12[IKE] received NO_PROPOSAL_CHOSEN notify error",
	  "{'kind':'notify_error','notify':'NO_PROPOSAL_CHOSEN'}" },
	{ "12[IKE] received AUTHENTICATION_FAILED notify error, destroying IKE_SA",
	  "{'kind':'notify_error','notify':'AUTHENTICATION_FAILED','variant':'destroying_ike_sa'}" },
	{ "12[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built",
	  "{'kind':'notify_no_child','notify':'TS_UNACCEPTABLE'}" },
	{ "12[IKE] received NO_PROPOSAL_CHOSEN error notify",
	  "{'kind':'notify_error','notify':'NO_PROPOSAL_CHOSEN','variant':'ikev1'}" },
	/* KE/DH group: 6.x and <= 5.9 wordings */
	{ "12[IKE] key exchange method ECP_256 unacceptable, requesting MODP_2048",
	  "{'kind':'ke_unacceptable','ke_offered':'ECP_256','ke_offered_group':19,'ke_requested':'MODP_2048','ke_requested_group':14,'variant':'ke_method'}" },
	{ "12[IKE] peer didn't accept key exchange method CURVE_25519, it requested ECP_384",
	  "{'kind':'ke_rejected','ke_offered':'CURVE_25519','ke_offered_group':31,'ke_requested':'ECP_384','ke_requested_group':20,'variant':'ke_method'}" },
	{ "12[IKE] DH group MODP_1024 inacceptable, requesting MODP_2048",
	  "{'kind':'ke_unacceptable','ke_offered':'MODP_1024','ke_offered_group':2,'ke_requested':'MODP_2048','ke_requested_group':14,'variant':'dh_group'}" },
	{ "12[IKE] DH group ECP_521 unacceptable, requesting ECP_256_BP",
	  "{'kind':'ke_unacceptable','ke_offered':'ECP_521','ke_offered_group':21,'ke_requested':'ECP_256_BP','ke_requested_group':28,'variant':'dh_group'}" },
	{ "12[IKE] peer didn't accept DH group MODP_1536, it requested MODP_2048",
	  "{'kind':'ke_rejected','ke_offered':'MODP_1536','ke_offered_group':5,'ke_requested':'MODP_2048','ke_requested_group':14,'variant':'dh_group'}" },
	{ "12[IKE] ignoring KE payload, agreed on a non-PFS proposal",
	  "{'kind':'ke_ignored','variant':'payload'}" },
	{ "12[IKE] ignoring KE exchange, agreed on a non-PFS proposal",
	  "{'kind':'ke_ignored','variant':'exchange'}" },
	/* traffic selectors: 5.7+ and <= 5.6 */
	{ "12[IKE] traffic selectors 10.1.0.0/16 === 10.2.0.0/16 unacceptable",
	  "{'kind':'ts_unacceptable','ts_local':'10.1.0.0/16','ts_remote':'10.2.0.0/16'}" },
	{ "12[IKE] traffic selectors 10.1.0.0/16 10.4.0.0/16 === 10.2.0.0/16 inacceptable",
	  "{'kind':'ts_unacceptable','ts_local':'10.1.0.0/16 10.4.0.0/16','ts_remote':'10.2.0.0/16','variant':'inacceptable'}" },
	{ "12[IKE] no acceptable traffic selectors found",
	  "{'kind':'no_acceptable_ts'}" },
	/* authentication: PSK, certificates, success */
	{ "12[IKE] tried 1 shared key for '10.132.3.92' - '10.10.10.1', but MAC mismatched",
	  "{'kind':'psk_mac_mismatch','local_id':'10.132.3.92','remote_id':'10.10.10.1','count':1}" },
	{ "12[IKE] tried 2 shared keys for 'gw a' - 'CN=peer, O=Example, OU=x - y', but MAC mismatched",
	  "{'kind':'psk_mac_mismatch','local_id':'gw a','remote_id':'CN=peer, O=Example, OU=x - y','count':2}" },
	{ "12[IKE] no shared key found for 'moon.strongswan.org' - 'carol@strongswan.org'",
	  "{'kind':'no_shared_key','local_id':'moon.strongswan.org','remote_id':'carol@strongswan.org'}" },
	{ "12[CFG] no matching peer config found",
	  "{'kind':'no_peer_config'}" },
	{ "12[IKE] signature validation failed, looking for another key",
	  "{'kind':'signature_invalid'}" },
	{ "12[IKE] authentication of 'CN=moon' (myself) failed",
	  "{'kind':'auth_failed','local_id':'CN=moon','variant':'myself'}" },
	{ "12[CFG] constraint check failed: identity 'CN=carol' required",
	  "{'kind':'constraint_failed','detail':'identity \\u0027CN=carol\\u0027 required'}" },
	{ "12[IKE] authentication of 'CN=gw-e.example.lan' with RSA_EMSA_PKCS1_NULL successful",
	  "{'kind':'auth_ok','remote_id':'CN=gw-e.example.lan','auth_method':'RSA_EMSA_PKCS1_NULL'}" },
	{ "12[IKE] authentication of '10.132.3.92' (myself) with pre-shared key successful",
	  "{'kind':'auth_ok','local_id':'10.132.3.92','auth_method':'pre-shared key','variant':'myself'}" },
	{ "12[IKE] authentication of '10.132.3.92' (myself) with pre-shared key",
	  "{'kind':'auth_ok','local_id':'10.132.3.92','auth_method':'pre-shared key','variant':'myself'}" },
	/* NAT */
	{ "12[IKE] local host is behind NAT, sending keep alives",
	  "{'kind':'nat_local'}" },
	{ "12[IKE] remote host is behind NAT",
	  "{'kind':'nat_remote'}" },
	{ "12[IKE] local host is not behind NAT anymore",
	  "{'kind':'nat_gone','variant':'local'}" },
	{ "12[IKE] remote host is not behind NAT anymore",
	  "{'kind':'nat_gone','variant':'remote'}" },
	{ "12[IKE] sending keep alive to 10.10.10.1[4500]",
	  "{'kind':'keepalive','remote_addr':'10.10.10.1','remote_port':4500}" },
	/* packets and messages */
	{ "16[NET] sending packet: from 10.132.3.92[500] to 10.10.10.1[500] (464 bytes)",
	  "{'kind':'packet_sent','local_addr':'10.132.3.92','local_port':500,'remote_addr':'10.10.10.1','remote_port':500,'size':464}" },
	{ "12[NET] received packet: from 10.10.10.1[500] to 10.132.3.92[500] (468 bytes)",
	  "{'kind':'packet_received','local_addr':'10.132.3.92','local_port':500,'remote_addr':'10.10.10.1','remote_port':500,'size':468}" },
	{ "05[NET] sending packet: from 2001:db8::1[500] to 2001:db8::2[4500] (80 bytes)",
	  "{'kind':'packet_sent','local_addr':'2001:db8::1','local_port':500,'remote_addr':'2001:db8::2','remote_port':4500,'size':80}" },
	{ "16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
	  "{'kind':'message_generated','msgid':0,'exchange':'IKE_SA_INIT','message_type':'request','payloads':'SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP)','payload_flags':['ke','sa','natd']}" },
	{ "12[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]",
	  "{'kind':'message_parsed','msgid':1,'exchange':'IKE_AUTH','message_type':'response','payloads':'N(AUTH_FAILED)','payload_flags':['auth_failed']}" },
	{ "16[ENC] generating CREATE_CHILD_SA request 9 [ N(ESP_TFC_PAD_N) SA No KE TSi TSr ]",
	  "{'kind':'message_generated','msgid':9,'exchange':'CREATE_CHILD_SA','message_type':'request','payloads':'N(ESP_TFC_PAD_N) SA No KE TSi TSr','payload_flags':['ke','sa','ts']}" },
	{ "12[ENC] parsed CREATE_CHILD_SA response 9 [ N(TS_UNACCEPT) ]",
	  "{'kind':'message_parsed','msgid':9,'exchange':'CREATE_CHILD_SA','message_type':'response','payloads':'N(TS_UNACCEPT)','payload_flags':['ts_unaccept']}" },
	{ "12[ENC] parsed IKE_SA_INIT response 0 [ N(INVAL_KE) ]",
	  "{'kind':'message_parsed','msgid':0,'exchange':'IKE_SA_INIT','message_type':'response','payloads':'N(INVAL_KE)','payload_flags':['inval_ke']}" },
	{ "12[ENC] parsed INFORMATIONAL request 4586 [ D ]",
	  "{'kind':'message_parsed','msgid':4586,'exchange':'INFORMATIONAL','message_type':'request','payloads':'D','payload_flags':['delete']}" },
	{ "08[ENC] generating INFORMATIONAL request 543 [ ]",
	  "{'kind':'message_generated','msgid':543,'exchange':'INFORMATIONAL','message_type':'request','payloads':'','is_empty':true}" },
	{ "09[ENC] parsed INFORMATIONAL_V1 request 3526612371 [ HASH N(DPD) ]",
	  "{'kind':'message_parsed','msgid':3526612371,'exchange':'INFORMATIONAL_V1','message_type':'request','payloads':'HASH N(DPD)','payload_flags':['dpd']}" },
	{ "13[ENC] generating IKE_AUTH request 1 [ EF(1/2) ]",
	  "{'kind':'message_generated','msgid':1,'exchange':'IKE_AUTH','message_type':'request','payloads':'EF(1/2)','payload_flags':['fragment']}" },
	{ "13[ENC] parsed IKE_AUTH response 1 [ IDr AUTH N(AUTH_LFT) SA TSi TSr N(INIT_CONTACT) ]",
	  "{'kind':'message_parsed','msgid':1,'exchange':'IKE_AUTH','message_type':'response','payloads':'IDr AUTH N(AUTH_LFT) SA TSi TSr N(INIT_CONTACT)','payload_flags':['sa','init_contact','auth','ts']}" },
	/* control plane: stroke, vici <= 5.6 and 6.x */
	{ "06[CFG] received stroke: initiate 'PF_con1_0'",
	  "{'kind':'stroke_initiate','ike_name':'PF_con1_0'}" },
	{ "06[CFG] received stroke: terminate 'PF_con1_0{3}'",
	  "{'kind':'stroke_terminate','child_name':'PF_con1_0','child_uid':3}" },
	{ "06[CFG] received stroke: terminate 'PF_con1_0[2]'",
	  "{'kind':'stroke_terminate','ike_name':'PF_con1_0','ike_uid':2}" },
	{ "06[CFG] received stroke: terminate 'name with blank'",
	  "{'kind':'stroke_terminate','ike_name':'name with blank'}" },
	{ "09[CFG] vici initiate 'child_ipsec2_1'",
	  "{'kind':'vici_initiate','child_name':'child_ipsec2_1'}" },
	{ "09[CFG] vici initiate CHILD_SA 'child_ipsec2_1'",
	  "{'kind':'vici_initiate','child_name':'child_ipsec2_1','variant':'child_sa'}" },
	{ "09[CFG] vici initiate IKE_SA 'ipsec2_1'",
	  "{'kind':'vici_initiate','ike_name':'ipsec2_1','variant':'ike_sa'}" },
	{ "09[CFG] vici terminate IKE_SA 'ipsec2_1'",
	  "{'kind':'vici_terminate','ike_name':'ipsec2_1','variant':'ike_sa'}" },
	{ "09[CFG] vici terminate CHILD_SA #4711",
	  "{'kind':'vici_terminate','child_uid':4711,'variant':'child_sa'}" },
	{ "09[CFG] vici terminate CHILD_SA 'child_ipsec2_1' #4711 of IKE_SA 'ipsec2_1' #223798",
	  "{'kind':'vici_terminate','ike_name':'ipsec2_1','ike_uid':223798,'child_name':'child_ipsec2_1','child_uid':4711,'variant':'child_sa'}" },
	/* kernel (optional) and lines kept as charon_other */
	{ "14[KNL] unable to add SAD entry with SPI c8a3f2b1 (FAILED)",
	  "{'kind':'kernel_error','detail':'unable to add SAD entry with SPI c8a3f2b1 (FAILED)'}" },
	{ "14[IKE] unable to install inbound and outbound IPsec SA (SAD) in kernel",
	  "{'kind':'kernel_error','detail':'unable to install inbound and outbound IPsec SA (SAD) in kernel'}" },
	{ "12[KNL] Deleting SAD entry with SPI 00000e77",
	  "{'kind':'kernel_sad_delete','spi':'00000e77'}" },
	/* the field guide's lines (docs/log-formats.md#field-guide-lines), in
	 * file order, duplicates included */
	{ "09[CFG] vici initiate 'child_ipsec2_1'",
	  "{'kind':'vici_initiate','framing':'thread','thread':9,'group':'CFG','child_name':'child_ipsec2_1'}" },
	{ "09[CFG] vici initiate 'child_IPsec2_1'",
	  "{'kind':'vici_initiate','framing':'thread','thread':9,'group':'CFG','child_name':'child_IPsec2_1'}" },
	{ "16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1",
	  "{'kind':'ike_initiate','framing':'thread','thread':16,'group':'IKE','ike_name':'ipsec2_1','ike_uid':223798,'remote_addr':'10.10.10.1'}" },
	{ "16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1",
	  "{'kind':'ike_initiate','framing':'thread','thread':16,'group':'IKE','ike_name':'ipsec2_1','ike_uid':223798,'remote_addr':'10.10.10.1'}" },
	{ "16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP) ]",
	  "{'kind':'message_generated','framing':'thread','thread':16,'group':'ENC','msgid':0,'exchange':'IKE_SA_INIT','message_type':'request','payloads':'SA KE No N(NATD_S_IP) N(NATD_D_IP) N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP)','payload_flags':['ke','sa','natd']}" },
	{ "16[NET] sending packet: from 10.132.3.92[500] to 10.10.10.1[500] (464 bytes)",
	  "{'kind':'packet_sent','framing':'thread','thread':16,'group':'NET','local_addr':'10.132.3.92','local_port':500,'remote_addr':'10.10.10.1','remote_port':500,'size':464}" },
	{ "12[NET] received packet: from 10.10.10.1[500] to 10.132.3.92[500] (468 bytes)",
	  "{'kind':'packet_received','framing':'thread','thread':12,'group':'NET','local_addr':'10.132.3.92','local_port':500,'remote_addr':'10.10.10.1','remote_port':500,'size':468}" },
	{ "12[ENC] parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HTTP_CERT_LOOK) N(FRAG_SUP) V ]",
	  "{'kind':'message_parsed','framing':'thread','thread':12,'group':'ENC','msgid':0,'exchange':'IKE_SA_INIT','message_type':'response','payloads':'SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HTTP_CERT_LOOK) N(FRAG_SUP) V','payload_flags':['ke','sa','natd']}" },
	{ "12[ENC] received unknown vendor ID: 4f:85:58:17:1d:21:a0:8d:69:cb:5f:60:9b:3c:06:00",
	  "{'kind':'vendor_id','framing':'thread','thread':12,'group':'ENC','variant':'unknown','detail':'4f:85:58:17:1d:21:a0:8d:69:cb:5f:60:9b:3c:06:00'}" },
	{ "12[IKE] local host is behind NAT, sending keep alives",
	  "{'kind':'nat_local','framing':'thread','thread':12,'group':'IKE'}" },
	{ "11[IKE] giving up after 3 retransmits",
	  "{'kind':'give_up','framing':'thread','thread':11,'group':'IKE','count':3,'variant':'retransmits'}" },
	{ "08[IKE] retransmit 3 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)",
	  "{'kind':'retransmit','framing':'thread','thread':8,'group':'IKE','count':3,'msgid':543,'retx_tries':3,'retx_timeout':30,'retx_exchange':37,'retx_state':2,'exchange':'INFORMATIONAL','message_type':'request'}" },
	{ "08[NET] sending packet: from 10.132.3.92[4500] to 10.10.10.1[4500] (76 bytes)",
	  "{'kind':'packet_sent','framing':'thread','thread':8,'group':'NET','local_addr':'10.132.3.92','local_port':4500,'remote_addr':'10.10.10.1','remote_port':4500,'size':76}" },
	{ "06[IKE] retransmit 2 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)",
	  "{'kind':'retransmit','framing':'thread','thread':6,'group':'IKE','count':2,'msgid':543,'retx_tries':3,'retx_timeout':30,'retx_exchange':37,'retx_state':2,'exchange':'INFORMATIONAL','message_type':'request'}" },
	{ "06[IKE] retransmit 2 of request with message ID 543 (...)",
	  "{'kind':'retransmit','framing':'thread','thread':6,'group':'IKE','count':2,'msgid':543,'message_type':'request'}" },
	{ "08[IKE] sending DPD request",
	  "{'kind':'dpd_request','framing':'thread','thread':8,'group':'IKE'}" },
	{ "08[ENC] generating INFORMATIONAL request 543 [ ]",
	  "{'kind':'message_generated','framing':'thread','thread':8,'group':'ENC','msgid':543,'exchange':'INFORMATIONAL','message_type':'request','payloads':'','is_empty':true}" },
	{ "05[IKE] retransmit 1 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)",
	  "{'kind':'retransmit','framing':'thread','thread':5,'group':'IKE','count':1,'msgid':543,'retx_tries':3,'retx_timeout':30,'retx_exchange':37,'retx_state':2,'exchange':'INFORMATIONAL','message_type':'request'}" },
	{ "11[ENC] generating INFORMATIONAL request 542 [ ]",
	  "{'kind':'message_generated','framing':'thread','thread':11,'group':'ENC','msgid':542,'exchange':'INFORMATIONAL','message_type':'request','payloads':'','is_empty':true}" },
	{ "07[NET] received packet: from 13.51.17.190[4500] to 10.10.10.1[4500] (76 bytes)",
	  "{'kind':'packet_received','framing':'thread','thread':7,'group':'NET','local_addr':'10.10.10.1','local_port':4500,'remote_addr':'13.51.17.190','remote_port':4500,'size':76}" },
	{ "07[NET] received packet: from 10.10.10.1[4500] to 10.132.3.92[4500] (76 bytes)",
	  "{'kind':'packet_received','framing':'thread','thread':7,'group':'NET','local_addr':'10.132.3.92','local_port':4500,'remote_addr':'10.10.10.1','remote_port':4500,'size':76}" },
	{ "07[ENC] parsed INFORMATIONAL response 542 [ ]",
	  "{'kind':'message_parsed','framing':'thread','thread':7,'group':'ENC','msgid':542,'exchange':'INFORMATIONAL','message_type':'response','payloads':'','is_empty':true}" },
	/* root cause 2 (the guide's daemon.info lines; the playbook's ", ..." abbreviation) */
	{ "16[NET] received packet: from 10.10.10.1[4500] to 172.28.0.36[4500] (508 bytes)",
	  "{'kind':'packet_received','framing':'thread','thread':16,'group':'NET','local_addr':'172.28.0.36','local_port':4500,'remote_addr':'10.10.10.1','remote_port':4500,'size':508}" },
	{ "16[ENC] parsed CREATE_CHILD_SA request 557 [ SA No TSi TSr ]",
	  "{'kind':'message_parsed','framing':'thread','thread':16,'group':'ENC','msgid':557,'exchange':'CREATE_CHILD_SA','message_type':'request','payloads':'SA No TSi TSr','payload_flags':['sa','ts']}" },
	{ "16[CFG] received proposals: ESP:AES_GCM_16_256/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ, ESP:3DES_CBC/HMAC_SHA1_96/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA2_256_128/NO_EXT_SEQ, ESP:AES_CBC_128/HMAC_SHA1_96/NO_EXT_SEQ, ESP:3DES_CBC/HMAC_SHA2_256_128/NO_EXT_SEQ",
	  "{'kind':'proposals_received','framing':'thread','thread':16,'group':'CFG','proposals':[{'protocol':'ESP','transforms':['AES_GCM_16_256','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['AES_CBC_256','HMAC_SHA1_96','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['3DES_CBC','HMAC_SHA1_96','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['AES_CBC_256','HMAC_SHA2_256_128','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['AES_CBC_128','HMAC_SHA1_96','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['3DES_CBC','HMAC_SHA2_256_128','NO_EXT_SEQ']}]}" },
	{ "16[CFG] received proposals: ESP:AES_GCM_16_256/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ, ESP:3DES_CBC/HMAC_SHA1_96/NO_EXT_SEQ, ...",
	  "{'kind':'proposals_received','framing':'thread','thread':16,'group':'CFG','proposals':[{'protocol':'ESP','transforms':['AES_GCM_16_256','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['AES_CBC_256','HMAC_SHA1_96','NO_EXT_SEQ']},{'protocol':'ESP','transforms':['3DES_CBC','HMAC_SHA1_96','NO_EXT_SEQ']}]}" },
	{ "16[CFG] configured proposals: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_4096/NO_EXT_SEQ",
	  "{'kind':'proposals_configured','framing':'thread','thread':16,'group':'CFG','proposals':[{'protocol':'ESP','transforms':['AES_CBC_256','HMAC_SHA1_96','MODP_4096','NO_EXT_SEQ']}]}" },
	{ "16[IKE] no acceptable proposal found",
	  "{'kind':'no_acceptable_proposal','framing':'thread','thread':16,'group':'IKE'}" },
	{ "16[IKE] failed to establish CHILD_SA, keeping IKE_SA",
	  "{'kind':'child_failed_keep_ike','framing':'thread','thread':16,'group':'IKE'}" },
	{ "16[ENC] generating CREATE_CHILD_SA response 557 [ N(NO_PROP) ]",
	  "{'kind':'message_generated','framing':'thread','thread':16,'group':'ENC','msgid':557,'exchange':'CREATE_CHILD_SA','message_type':'response','payloads':'N(NO_PROP)','payload_flags':['no_prop']}" },
	{ "16[NET] sending packet: from 172.28.0.36[4500] to 10.10.10.1[4500] (76 bytes)",
	  "{'kind':'packet_sent','framing':'thread','thread':16,'group':'NET','local_addr':'172.28.0.36','local_port':4500,'remote_addr':'10.10.10.1','remote_port':4500,'size':76}" },
	{ "08[ENC] parsed INFORMATIONAL request 558 [ ]",
	  "{'kind':'message_parsed','framing':'thread','thread':8,'group':'ENC','msgid':558,'exchange':'INFORMATIONAL','message_type':'request','payloads':'','is_empty':true}" },
	{ "08[ENC] generating INFORMATIONAL response 558 [ ]",
	  "{'kind':'message_generated','framing':'thread','thread':8,'group':'ENC','msgid':558,'exchange':'INFORMATIONAL','message_type':'response','payloads':'','is_empty':true}" },
	{ "07[ENC] parsed CREATE_CHILD_SA request 559 [ SA No TSi TSr ]",
	  "{'kind':'message_parsed','framing':'thread','thread':7,'group':'ENC','msgid':559,'exchange':'CREATE_CHILD_SA','message_type':'request','payloads':'SA No TSi TSr','payload_flags':['sa','ts']}" },
	{ "07[IKE] no acceptable proposal found",
	  "{'kind':'no_acceptable_proposal','framing':'thread','thread':7,'group':'IKE'}" },
	{ "07[IKE] failed to establish CHILD_SA, keeping IKE_SA",
	  "{'kind':'child_failed_keep_ike','framing':'thread','thread':7,'group':'IKE'}" },
	/* root cause 3 (CSCvx86427), duplicated lines as in the guide */
	{ "12[IKE] received DELETE for IKE_SA ipsec1_1[217]",
	  "{'kind':'ike_delete_received','framing':'thread','thread':12,'group':'IKE','ike_name':'ipsec1_1','ike_uid':217}" },
	{ "12[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
	  "{'kind':'ike_deleting','framing':'thread','thread':12,'group':'IKE','ike_name':'ipsec1_1','ike_uid':217,'local_addr':'10.16.0.5','local_id':'10.16.0.5','remote_addr':'10.10.10.1','remote_id':'10.10.10.1'}" },
	{ "12[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10.10.1]",
	  "{'kind':'ike_deleting','framing':'thread','thread':12,'group':'IKE','ike_name':'ipsec1_1','ike_uid':217,'local_addr':'10.16.0.5','local_id':'10.16.0.5','remote_addr':'10.10.10.1','remote_id':'10.10.10.1'}" },
	{ "12[IKE] IKE_SA deleted",
	  "{'kind':'ike_deleted','framing':'thread','thread':12,'group':'IKE'}" },
	{ "12[IKE] IKE_SA deleted",
	  "{'kind':'ike_deleted','framing':'thread','thread':12,'group':'IKE'}" },
	{ "12[ENC] generating INFORMATIONAL response 4586 [ ]",
	  "{'kind':'message_generated','framing':'thread','thread':12,'group':'ENC','msgid':4586,'exchange':'INFORMATIONAL','message_type':'response','payloads':'','is_empty':true}" },
	{ "12[NET] sending packet: from 10.16.0.5[4500] to 10.10.10.1[4500] (80 bytes)",
	  "{'kind':'packet_sent','framing':'thread','thread':12,'group':'NET','local_addr':'10.16.0.5','local_port':4500,'remote_addr':'10.10.10.1','remote_port':4500,'size':80}" },
	{ "12[KNL] Deleting SAD entry with SPI 00000e77",
	  "{'kind':'kernel_sad_delete','framing':'thread','thread':12,'group':'KNL','spi':'00000e77'}" },
	/* docs/log-formats.md#charon-framing: host, PID+<conn|uid>, charon-systemd, pfSense, OPNsense, level suffix, bare, console, vendor */
	{ "08[IKE] local host is behind NAT, sending keep alives",
	  "{'kind':'nat_local','framing':'thread','thread':8,'group':'IKE'}" },
	{ "12[IKE] <PEER|1> received AUTHENTICATION_FAILED notify error",
	  "{'kind':'notify_error','framing':'thread','thread':12,'group':'IKE','conn':'PEER','conn_uid':1,'notify':'AUTHENTICATION_FAILED'}" },
	{ "tried 1 shared key for '192.168.1.2' - '192.168.0.1', but MAC mismatched",
	  "{'kind':'psk_mac_mismatch','framing':'bare','local_id':'192.168.1.2','remote_id':'192.168.0.1','count':1}" },
	{ "charon-systemd[2440]: tried 1 shared key for '192.168.1.2' - '192.168.0.1', but MAC mismatched",
	  "{'kind':'psk_mac_mismatch','framing':'bare','local_id':'192.168.1.2','remote_id':'192.168.0.1','count':1}" },
	{ "16[IKE] <con1000|74> received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built",
	  "{'kind':'notify_no_child','framing':'thread','thread':16,'group':'IKE','conn':'con1000','conn_uid':74,'notify':'NO_PROPOSAL_CHOSEN'}" },
	{ "charon 16[IKE] <con1000|74> received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built",
	  "{'kind':'notify_no_child','framing':'thread','thread':16,'group':'IKE','conn':'con1000','conn_uid':74,'notify':'NO_PROPOSAL_CHOSEN'}" },
	{ "10[IKE] <con1|1> giving up after 5 retransmits",
	  "{'kind':'give_up','framing':'thread','thread':10,'group':'IKE','conn':'con1','conn_uid':1,'count':5,'variant':'retransmits'}" },
	{ "charon: 10[IKE] <con1|1> giving up after 5 retransmits",
	  "{'kind':'give_up','framing':'thread','thread':10,'group':'IKE','conn':'con1','conn_uid':1,'count':5,'variant':'retransmits'}" },
	{ "12[IKE1] <C1|3> authentication of 'CN=gw-e.example.lan' with RSA_EMSA_PKCS1_NULL successful",
	  "{'kind':'auth_ok','framing':'thread','thread':12,'group':'IKE','level':1,'conn':'C1','conn_uid':3,'remote_id':'CN=gw-e.example.lan','auth_method':'RSA_EMSA_PKCS1_NULL'}" },
	{ "07[IKE] retransmit 1 of request with message ID 0",
	  "{'kind':'retransmit','framing':'thread','thread':7,'group':'IKE','count':1,'msgid':0,'message_type':'request'}" },
	{ "peer didn't accept DH group MODP_1536, it requested MODP_2048",
	  "{'kind':'ke_rejected','framing':'bare','ke_offered':'MODP_1536','ke_offered_group':5,'ke_requested':'MODP_2048','ke_requested_group':14,'variant':'dh_group'}" },
	{ "IKE 08     : sending DPD request",
	  "{'kind':'dpd_request','framing':'vendor','thread':8,'group':'IKE'}" },
	{ "charon  [ 1679]: IKE 08     : sending DPD request",
	  "{'kind':'dpd_request','framing':'vendor','thread':8,'group':'IKE'}" },
	{ "charon[2436]: 12[IKE] <PEER|1> received AUTHENTICATION_FAILED notify error",
	  "{'kind':'notify_error','framing':'thread','thread':12,'group':'IKE','conn':'PEER','conn_uid':1,'notify':'AUTHENTICATION_FAILED'}" },
	{ "06[CFG] received stroke: add connection 'PF_con1_0'",
	  "{'kind':'config_loaded','framing':'thread','thread':6,'group':'CFG','ike_name':'PF_con1_0','variant':'stroke_add'}" },
	{ "16[IKE] <5> initiating IKE_SA net-net[5] to 192.0.2.10",
	  "{'kind':'ike_initiate','framing':'thread','thread':16,'group':'IKE','conn_uid':5,'ike_name':'net-net','ike_uid':5,'remote_addr':'192.0.2.10'}" },	/* a charon line that matches no known format */
	{ "14[KNL] unable to resolve %any, no matching address family",
	  "{'kind':'charon_other'}" },
	/* strongSwan 5.9 log levels 1 and 2 beyond the state lines above
	 * (issue 13 item 10; docs/log-formats.md#charon-kinds): lines of our
	 * own in the format of child_create.c, charon.c, ike_sa.c,
	 * ike_sa_manager.c, task_manager_v2.c, message.c, backend_manager.c,
	 * ike_auth.c, child_rekey.c, kernel_netlink_*.c, child_sa.c, ... */
	{ "14[IKE] establishing CHILD_SA child_ipsec2_1{7}",
	  "{'kind':'child_establishing','child_name':'child_ipsec2_1','child_uid':7}" },
	{ "14[IKE] establishing CHILD_SA child_ipsec3_1{12} reqid 3",
	  "{'kind':'child_establishing','child_name':'child_ipsec3_1','child_uid':12}" },
	{ "00[DMN] Starting IKE charon daemon (strongSwan 5.9.8, Linux 5.10.0, x86_64)",
	  "{'kind':'charon_start','detail':'strongSwan 5.9.8'}" },
	{ "00[DMN] Starting charon-xpc IKE daemon (strongSwan 5.9.1, Darwin 20.6.0, arm64)",
	  "{'kind':'charon_start','detail':'strongSwan 5.9.1'}" },
	{ "00[DMN] SIGTERM received, shutting down",
	  "{'kind':'charon_stop','variant':'sigterm'}" },
	{ "00[DMN] SIGINT received, shutting down",
	  "{'kind':'charon_stop','variant':'sigint'}" },
	{ "00[DMN] signal of type SIGHUP received. Reloading configuration",
	  "{'kind':'daemon_info','variant':'reload'}" },
	{ "00[LIB] providers loaded by OpenSSL: legacy default",
	  "{'kind':'daemon_info','variant':'openssl'}" },
	{ "00[LIB] created TUN device: ipsec0",
	  "{'kind':'daemon_info','variant':'tun_device'}" },
	{ "00[LIB] loaded plugins: charon random nonce aes sha2 hmac gcm openssl kernel-netlink socket-default vici",
	  "{'kind':'daemon_info','variant':'plugins'}" },
	{ "00[LIB] dropped capabilities, running as uid 0, gid 0",
	  "{'kind':'daemon_info','variant':'capabilities'}" },
	{ "00[JOB] spawning 16 worker threads",
	  "{'kind':'daemon_info','variant':'threads'}" },
	{ "00[DMN] integrity tests enabled:",
	  "{'kind':'daemon_info','variant':'integrity'}" },
	{ "00[DMN] lib    'libcharon': passed file and segment integrity tests",
	  "{'kind':'daemon_info','variant':'integrity'}" },
	{ "12[CFG] loaded IKE shared key with id 'psk-ipsec2' for: '192.0.2.10', '198.51.100.20'",
	  "{'kind':'credential_loaded','variant':'loaded'}" },
	{ "00[CFG] loading ca certificates from '/etc/ipsec.d/cacerts'",
	  "{'kind':'credential_loaded','variant':'loading'}" },
	{ "00[CFG] loaded ca certificate \"C=US, O=Example, CN=Example CA\" from '/etc/ipsec.d/cacerts/ca.pem'",
	  "{'kind':'credential_loaded','variant':'loaded'}" },
	{ "11[CFG] added vici connection: ipsec2_1",
	  "{'kind':'config_loaded','ike_name':'ipsec2_1','variant':'added'}" },
	{ "11[CFG] updated vici connection: ipsec3_1",
	  "{'kind':'config_loaded','ike_name':'ipsec3_1','variant':'updated'}" },
	{ "11[CFG] replaced vici connection: ipsec4_1",
	  "{'kind':'config_loaded','ike_name':'ipsec4_1','variant':'replaced'}" },
	{ "06[CFG] received stroke: add connection 'PF_con1_0'",
	  "{'kind':'config_loaded','ike_name':'PF_con1_0','variant':'stroke_add'}" },
	{ "06[CFG] received stroke: delete connection 'PF_con1_0'",
	  "{'kind':'config_loaded','ike_name':'PF_con1_0','variant':'stroke_delete'}" },
	{ "12[ENC] received unknown vendor ID: 4f:85:58:17:1d:21:a0:8d:69:cb:5f:60:9b:3c:06:00",
	  "{'kind':'vendor_id','variant':'unknown','detail':'4f:85:58:17:1d:21:a0:8d:69:cb:5f:60:9b:3c:06:00'}" },
	{ "12[IKE] received strongSwan vendor ID",
	  "{'kind':'vendor_id','detail':'strongSwan'}" },
	{ "12[IKE] received Cisco Delete Reason vendor ID",
	  "{'kind':'vendor_id','detail':'Cisco Delete Reason'}" },
	{ "12[IKE] sending strongSwan vendor ID",
	  "{'kind':'vendor_id','variant':'sent','detail':'strongSwan'}" },
	{ "08[IKE] IKE_SA ipsec2_1[9] state change: CONNECTING => ESTABLISHED",
	  "{'kind':'ike_state_change','ike_name':'ipsec2_1','ike_uid':9,'variant':'established','detail':'CONNECTING => ESTABLISHED'}" },
	{ "08[IKE] IKE_SA ipsec2_1[9] state change: ESTABLISHED => DELETING",
	  "{'kind':'ike_state_change','ike_name':'ipsec2_1','ike_uid':9,'variant':'deleting','detail':'ESTABLISHED => DELETING'}" },
	{ "08[CHD] CHILD_SA child_ipsec2_1{7} state change: INSTALLING => INSTALLED",
	  "{'kind':'child_state_change','child_name':'child_ipsec2_1','child_uid':7,'variant':'installed','detail':'INSTALLING => INSTALLED'}" },
	{ "05[MGR] created IKE_SA ipsec2_1[9]",
	  "{'kind':'ike_sa_created','ike_name':'ipsec2_1','ike_uid':9}" },
	{ "05[MGR] created IKE_SA (unnamed)[10]",
	  "{'kind':'ike_sa_created','ike_uid':10,'variant':'unnamed'}" },
	{ "05[MGR] checkout IKEv2 SA with SPIs 8a1c3e5f7d2b4a60_i 0000000000000000_r",
	  "{'kind':'sa_manager','variant':'checkout'}" },
	{ "05[MGR] IKE_SA ipsec2_1[9] successfully checked out",
	  "{'kind':'sa_manager','ike_name':'ipsec2_1','ike_uid':9,'variant':'checked_out'}" },
	{ "05[MGR] IKE_SA checkout not successful",
	  "{'kind':'sa_manager','variant':'not_checked_out'}" },
	{ "05[MGR] checkin IKEv2 SA ipsec2_1[9] with SPIs 8a1c3e5f7d2b4a60_i 1b2d3f4a5c6e7f80_r",
	  "{'kind':'sa_manager','ike_name':'ipsec2_1','ike_uid':9,'variant':'checkin'}" },
	{ "05[MGR] checkin of IKE_SA successful",
	  "{'kind':'sa_manager','variant':'checkin'}" },
	{ "05[MGR] checkin and destroy IKE_SA ipsec2_1[9]",
	  "{'kind':'sa_manager','ike_name':'ipsec2_1','ike_uid':9,'variant':'checkin_destroy'}" },
	{ "05[MGR] checkin and destroy of IKE_SA successful",
	  "{'kind':'sa_manager','variant':'checkin_destroy'}" },
	{ "05[MGR] checkout IKE_SA by unique ID 9",
	  "{'kind':'sa_manager','variant':'checkout'}" },
	{ "05[MGR] found existing IKE_SA 9 with config 'ipsec2_1'",
	  "{'kind':'sa_manager','ike_name':'ipsec2_1','ike_uid':9,'variant':'found_existing'}" },
	{ "05[IKE] queueing IKE_DPD task",
	  "{'kind':'task','variant':'queueing','detail':'IKE_DPD'}" },
	{ "05[IKE] queueing CHILD_REKEY task (delayed by 5s)",
	  "{'kind':'task','seconds':5,'variant':'queueing','detail':'CHILD_REKEY'}" },
	{ "05[IKE] activating new tasks",
	  "{'kind':'task','variant':'activating_new'}" },
	{ "05[IKE]   activating IKE_DPD task",
	  "{'kind':'task','variant':'activating','detail':'IKE_DPD'}" },
	{ "05[IKE] nothing to initiate",
	  "{'kind':'task','variant':'nothing_to_initiate'}" },
	{ "05[IKE] reinitiating already active tasks",
	  "{'kind':'task','variant':'reinitiating'}" },
	{ "05[IKE]   IKE_REKEY task",
	  "{'kind':'task','variant':'active','detail':'IKE_REKEY'}" },
	{ "05[IKE] delaying task initiation, INFORMATIONAL exchange in progress",
	  "{'kind':'task','exchange':'INFORMATIONAL','variant':'delaying'}" },
	{ "05[IKE] migrating CHILD_CREATE task",
	  "{'kind':'task','variant':'migrating','detail':'CHILD_CREATE'}" },
	{ "07[ENC] added payload of type NOTIFY to message",
	  "{'kind':'message_detail','variant':'added'}" },
	{ "07[ENC] order payloads in message",
	  "{'kind':'message_detail','variant':'order'}" },
	{ "07[ENC] insert payload NOTIFY into encrypted payload",
	  "{'kind':'message_detail','variant':'insert'}" },
	{ "07[ENC] insert payload NONCE unencrypted",
	  "{'kind':'message_detail','variant':'insert'}" },
	{ "07[ENC] parsing header of message",
	  "{'kind':'message_detail','variant':'parsing'}" },
	{ "07[ENC] parsed a INFORMATIONAL response header",
	  "{'kind':'message_detail','variant':'parsed'}" },
	{ "07[ENC] parsing body of message, first payload is ENCRYPTED",
	  "{'kind':'message_detail','variant':'parsing'}" },
	{ "07[ENC] starting parsing a ENCRYPTED payload",
	  "{'kind':'message_detail','variant':'starting'}" },
	{ "07[ENC] verifying payload of type ENCRYPTED",
	  "{'kind':'message_detail','variant':'verifying'}" },
	{ "07[ENC] ENCRYPTED payload verified, adding to payload list",
	  "{'kind':'message_detail','variant':'payload','detail':'ENCRYPTED'}" },
	{ "07[ENC] ENCRYPTED payload found, stop parsing",
	  "{'kind':'message_detail','variant':'payload','detail':'ENCRYPTED'}" },
	{ "07[ENC] process payload of type ENCRYPTED",
	  "{'kind':'message_detail','variant':'process'}" },
	{ "07[ENC] found an encrypted payload",
	  "{'kind':'message_detail','variant':'found'}" },
	{ "07[ENC] insert decrypted payload of type NOTIFY at end of list",
	  "{'kind':'message_detail','variant':'insert'}" },
	{ "07[ENC] verifying message structure",
	  "{'kind':'message_detail','variant':'verifying'}" },
	{ "07[ENC] found payload of type NOTIFY",
	  "{'kind':'message_detail','variant':'found'}" },
	{ "07[ENC] not encrypting payloads",
	  "{'kind':'message_detail','variant':'not'}" },
	{ "04[NET] waiting for data on sockets",
	  "{'kind':'message_detail','variant':'waiting'}" },
	{ "07[ENC] splitting IKE message (1696 bytes) into 2 fragments",
	  "{'kind':'message_fragment','count':2,'size':1696,'variant':'splitting'}" },
	{ "07[ENC] received fragment #1 of 2, waiting for complete IKE message",
	  "{'kind':'message_fragment','count':1,'count_max':2,'variant':'waiting'}" },
	{ "07[ENC] received fragment #2 of 2, reassembled fragmented IKE message (1696 bytes)",
	  "{'kind':'message_fragment','count':2,'count_max':2,'size':1696,'variant':'reassembled'}" },
	{ "13[IKE] received FRAGMENTATION_SUPPORTED notify",
	  "{'kind':'notify_received','notify':'FRAGMENTATION_SUPPORTED'}" },
	{ "13[IKE] received TEMPORARY_FAILURE notify, will retry later",
	  "{'kind':'notify_received','notify':'TEMPORARY_FAILURE','variant':'retry_later'}" },
	{ "13[CFG] looking for peer configs matching 192.0.2.10[192.0.2.10]...198.51.100.20[198.51.100.20]",
	  "{'kind':'config_lookup','local_addr':'192.0.2.10','local_id':'192.0.2.10','remote_addr':'198.51.100.20','remote_id':'198.51.100.20','variant':'peer'}" },
	{ "13[CFG] looking for an IKEv2 config for 192.0.2.10...198.51.100.20",
	  "{'kind':'config_lookup','local_addr':'192.0.2.10','remote_addr':'198.51.100.20','variant':'ike'}" },
	{ "13[CFG] looking for IKEv2 configs for 192.0.2.10...198.51.100.20",
	  "{'kind':'config_lookup','local_addr':'192.0.2.10','remote_addr':'198.51.100.20','variant':'ike'}" },
	{ "13[CFG]   candidate: 192.0.2.10...198.51.100.20, prio 3100",
	  "{'kind':'config_lookup','variant':'candidate'}" },
	{ "13[CFG] found matching ike config: 192.0.2.10...198.51.100.20 with prio 3100",
	  "{'kind':'config_lookup','variant':'found_ike'}" },
	{ "13[CFG]   candidate \"ipsec2_1\", match: 20/20/3100 (me/other/ike)",
	  "{'kind':'config_lookup','variant':'candidate'}" },
	{ "13[CFG] looking for a child config for 192.0.2.0/25 === 198.51.100.0/25",
	  "{'kind':'config_lookup','ts_local':'192.0.2.0/25','ts_remote':'198.51.100.0/25','variant':'child'}" },
	{ "13[CFG]   candidate \"child_ipsec2_1\" with prio 5+5",
	  "{'kind':'config_lookup','variant':'candidate'}" },
	{ "13[CFG] found matching child config \"child_ipsec2_1\" with prio 10",
	  "{'kind':'config_lookup','child_name':'child_ipsec2_1','variant':'found_child'}" },
	{ "13[CFG] selecting traffic selectors for us:",
	  "{'kind':'config_lookup','variant':'selecting'}" },
	{ "13[CFG] proposing traffic selectors for other:",
	  "{'kind':'config_lookup','variant':'proposing'}" },
	{ "13[CFG]  192.0.2.0/25",
	  "{'kind':'config_lookup','variant':'ts'}" },
	{ "13[CFG]  config: 198.51.100.0/25, received: 198.51.100.0/25 => match: 198.51.100.0/25",
	  "{'kind':'config_lookup','variant':'ts_match'}" },
	{ "13[CFG]  config: 198.51.100.0/25, received: 203.0.113.0/24 => no match",
	  "{'kind':'config_lookup','variant':'ts_no_match'}" },
	{ "13[CFG] ignore candidate 'ipsec3_1' without matching IKE proposal",
	  "{'kind':'config_lookup','variant':'candidate_ignored'}" },
	{ "13[CFG] selected peer config 'ipsec2_1'",
	  "{'kind':'peer_config_selected','ike_name':'ipsec2_1'}" },
	{ "13[CFG] selected peer config 'ipsec2_1' unacceptable: non-matching authentication done",
	  "{'kind':'peer_config_selected','ike_name':'ipsec2_1','variant':'unacceptable','detail':'non-matching authentication done'}" },
	{ "13[CFG] switching to peer config 'ipsec2_2'",
	  "{'kind':'peer_config_selected','ike_name':'ipsec2_2','variant':'switching'}" },
	{ "13[CFG] no alternative config found",
	  "{'kind':'no_peer_config','variant':'no_alternative'}" },
	{ "10[IKE] received retransmit of request with ID 4, retransmitting response",
	  "{'kind':'retransmit_received','msgid':4,'message_type':'request'}" },
	{ "10[IKE] integrity check failed",
	  "{'kind':'message_invalid','variant':'integrity'}" },
	{ "10[IKE] message parsing failed",
	  "{'kind':'message_invalid','variant':'parsing'}" },
	{ "10[IKE] message verification failed",
	  "{'kind':'message_invalid','variant':'verification'}" },
	{ "10[IKE] IKE_AUTH request with message ID 1 processing failed",
	  "{'kind':'message_invalid','msgid':1,'exchange':'IKE_AUTH','message_type':'request','variant':'processing'}" },
	{ "10[IKE] received message ID 7, expected 5, ignored",
	  "{'kind':'message_invalid','msgid':7,'variant':'unexpected_id','detail':'expected 5'}" },
	{ "10[IKE] ignore invalid CREATE_CHILD_SA response",
	  "{'kind':'message_invalid','exchange':'CREATE_CHILD_SA','message_type':'response','variant':'ignored'}" },
	{ "10[IKE] received CREATE_CHILD_SA response, but expected INFORMATIONAL",
	  "{'kind':'message_invalid','exchange':'CREATE_CHILD_SA','message_type':'response','variant':'unexpected_exchange'}" },
	{ "10[IKE] ignoring INFORMATIONAL in IKE_SA state CONNECTING",
	  "{'kind':'message_invalid','variant':'wrong_state'}" },
	{ "10[IKE] found encrypted message, but no keys available",
	  "{'kind':'message_invalid','variant':'no_keys'}" },
	{ "10[ENC] could not decrypt payloads",
	  "{'kind':'message_invalid','variant':'decrypt'}" },
	{ "10[NET] received invalid IKE header from 198.51.100.20 - ignored",
	  "{'kind':'message_invalid','remote_addr':'198.51.100.20','variant':'header'}" },
	{ "10[IKE] received CREATE_CHILD_SA request for unestablished IKE_SA, rejected",
	  "{'kind':'message_invalid','exchange':'CREATE_CHILD_SA','message_type':'request','variant':'unestablished'}" },
	{ "10[IKE] critical unknown payloads found",
	  "{'kind':'message_invalid','variant':'critical_payload'}" },
	{ "10[IKE] no IKE config found for 192.0.2.10...203.0.113.5, sending NO_PROPOSAL_CHOSEN",
	  "{'kind':'no_ike_config','local_addr':'192.0.2.10','remote_addr':'203.0.113.5','notify':'NO_PROPOSAL_CHOSEN'}" },
	{ "09[IKE] CHILD_SA rekey collision won, deleting old child child_ipsec2_1{7}",
	  "{'kind':'rekey_collision','child_name':'child_ipsec2_1','child_uid':7,'variant':'child_won'}" },
	{ "09[IKE] CHILD_SA rekey collision lost, deleting redundant child child_ipsec2_1{8}",
	  "{'kind':'rekey_collision','child_name':'child_ipsec2_1','child_uid':8,'variant':'child_lost'}" },
	{ "09[IKE] CHILD_SA rekey/delete collision, deleting redundant child child_ipsec2_1{8}",
	  "{'kind':'rekey_collision','child_name':'child_ipsec2_1','child_uid':8,'variant':'child_delete'}" },
	{ "09[IKE] IKE_SA rekey collision lost, deleting redundant IKE_SA ipsec2_1[11]",
	  "{'kind':'rekey_collision','ike_name':'ipsec2_1','ike_uid':11,'variant':'ike_lost'}" },
	{ "09[IKE] IKE_SA rekey collision won, waiting for delete for redundant IKE_SA ipsec2_1[12]",
	  "{'kind':'rekey_collision','ike_name':'ipsec2_1','ike_uid':12,'variant':'ike_won'}" },
	{ "09[IKE] detected CHILD_REKEY collision with CHILD_DELETE",
	  "{'kind':'rekey_collision','variant':'detected','detail':'CHILD_REKEY collision with CHILD_DELETE'}" },
	{ "09[IKE] peer did not notice IKE_SA rekey collision, abort active rekeying",
	  "{'kind':'rekey_collision','variant':'ike_unnoticed'}" },
	{ "11[IKE] deleting duplicate IKE_SA for peer '198.51.100.20' due to uniqueness policy",
	  "{'kind':'ike_duplicate','remote_id':'198.51.100.20','variant':'uniqueness'}" },
	{ "11[IKE] destroying duplicate IKE_SA for peer '198.51.100.20', received INITIAL_CONTACT",
	  "{'kind':'ike_duplicate','remote_id':'198.51.100.20','variant':'initial_contact'}" },
	{ "11[IKE] schedule delete of duplicate IKE_SA for peer '198.51.100.20' due to uniqueness policy and suspected reauthentication",
	  "{'kind':'ike_duplicate','remote_id':'198.51.100.20','variant':'uniqueness'}" },
	{ "11[IKE] detected reauth of existing IKE_SA, adopting 1 children and 0 virtual IPs",
	  "{'kind':'ike_duplicate','variant':'reauth_adopt'}" },
	{ "11[IKE] remote endpoint changed from 198.51.100.20[4500] to 198.51.100.20[4501]",
	  "{'kind':'endpoint_changed','remote_addr':'198.51.100.20','remote_port':4501,'variant':'remote','detail':'198.51.100.20'}" },
	{ "11[IKE] local endpoint changed from 192.0.2.10[4500] to 192.0.2.11[4500]",
	  "{'kind':'endpoint_changed','local_addr':'192.0.2.11','local_port':4500,'variant':'local','detail':'192.0.2.10'}" },
	{ "11[IKE] destroying IKE_SA in state CONNECTING without notification",
	  "{'kind':'ike_destroyed','variant':'connecting'}" },
	{ "11[IKE] deleting unestablished IKE_SA",
	  "{'kind':'ike_destroyed','variant':'unestablished'}" },
	{ "11[IKE] scheduling CHILD_SA recreate after hard expire",
	  "{'kind':'child_recreate_scheduled'}" },
	{ "11[IKE] unable to rekey, CHILD_SA not found",
	  "{'kind':'rekey_refused','variant':'not_found'}" },
	{ "11[IKE] unable to rekey, we are deleting the CHILD_SA",
	  "{'kind':'rekey_refused','variant':'deleting'}" },
	{ "11[IKE] peer initiated rekeying, but we are deleting",
	  "{'kind':'rekey_refused','variant':'deleting'}" },
	{ "11[IKE] peer initiated rekeying, but a child is half-open",
	  "{'kind':'rekey_refused','variant':'half_open'}" },
	{ "11[IKE] peer didn't find the CHILD_SA we tried to rekey",
	  "{'kind':'rekey_refused','variant':'peer_not_found'}" },
	{ "11[IKE] peer seems to not support CHILD_SA rekeying, starting reauthentication",
	  "{'kind':'rekey_refused','variant':'unsupported'}" },
	{ "11[IKE] CHILD_SA not found after rekeying",
	  "{'kind':'rekey_refused','variant':'not_found_after_rekey'}" },
	{ "11[IKE] creating CHILD_SA failed, trying again in 12 seconds",
	  "{'kind':'child_create_retry','seconds':12}" },
	{ "11[KNL] 192.0.2.10 appeared on eth1",
	  "{'kind':'kernel_address','local_addr':'192.0.2.10','variant':'appeared','detail':'eth1'}" },
	{ "11[KNL] 192.0.2.10 disappeared from eth1",
	  "{'kind':'kernel_address','local_addr':'192.0.2.10','variant':'disappeared','detail':'eth1'}" },
	{ "11[KNL] flags changed for fe80::30fa:63ff:fe43:7b91 on log0",
	  "{'kind':'kernel_address','local_addr':'fe80::30fa:63ff:fe43:7b91','variant':'flags_changed','detail':'log0'}" },
	{ "11[KNL] interface eth1 activated",
	  "{'kind':'kernel_interface','variant':'activated','detail':'eth1'}" },
	{ "11[KNL] interface eth1 deactivated",
	  "{'kind':'kernel_interface','variant':'deactivated','detail':'eth1'}" },
	{ "11[KNL] interface ipsec9 deleted",
	  "{'kind':'kernel_interface','variant':'deleted','detail':'ipsec9'}" },
	{ "16[KNL] creating rekey job for CHILD_SA ESP/0xdfaf4c02/198.51.100.20",
	  "{'kind':'kernel_expire','spi':'dfaf4c02','protocol':'ESP','variant':'rekey','detail':'198.51.100.20'}" },
	{ "16[KNL] creating delete job for CHILD_SA ESP/0xc1a2b3c4/192.0.2.10",
	  "{'kind':'kernel_expire','spi':'c1a2b3c4','protocol':'ESP','variant':'delete','detail':'192.0.2.10'}" },
	{ "16[KNL] adding policy 192.0.2.0/25 === 198.51.100.0/25 out  [priority 375423, refcount 1]",
	  "{'kind':'kernel_policy','variant':'adding'}" },
	{ "16[KNL] deleting policy 192.0.2.0/25 === 198.51.100.0/25 in",
	  "{'kind':'kernel_policy','variant':'deleting'}" },
	{ "16[KNL] policy 192.0.2.0/25 === 198.51.100.0/25 fwd  already exists, increasing refcount",
	  "{'kind':'kernel_policy','variant':'refcount'}" },
	{ "16[KNL] policy still used by another CHILD_SA, not removed",
	  "{'kind':'kernel_policy','variant':'refcount'}" },
	{ "16[KNL] not updating policy 192.0.2.0/25 === 198.51.100.0/25 out  [priority 375423, refcount 2]",
	  "{'kind':'kernel_policy','variant':'not_updating'}" },
	{ "16[KNL] getting a local address in traffic selector 192.0.2.0/25",
	  "{'kind':'kernel_route','variant':'lookup'}" },
	{ "16[KNL] using 192.0.2.10 as address to reach 198.51.100.0/25",
	  "{'kind':'kernel_route','variant':'lookup'}" },
	{ "16[KNL] installing route: 198.51.100.0/25 via 192.0.2.1 src 192.0.2.10 dev eth1",
	  "{'kind':'kernel_route','variant':'installing'}" },
	{ "16[KNL] 192.0.2.10 is on interface eth1",
	  "{'kind':'kernel_route','local_addr':'192.0.2.10','variant':'on_interface','detail':'eth1'}" },
	{ "16[KNL] getting iface index for eth1",
	  "{'kind':'kernel_route','variant':'lookup'}" },
	{ "16[CHD] adding inbound ESP SA",
	  "{'kind':'child_sa_install','protocol':'ESP','variant':'inbound'}" },
	{ "16[CHD] registering outbound ESP SA",
	  "{'kind':'child_sa_install','protocol':'ESP','variant':'outbound'}" },
	{ "16[CHD]   SPI 0xc1a2b3c4, src 198.51.100.20 dst 192.0.2.10",
	  "{'kind':'child_sa_install','spi':'c1a2b3c4','variant':'spi'}" },
	{ "16[CHD]   using HMAC_SHA1_96 with 96-bit truncation",
	  "{'kind':'child_sa_install','variant':'truncation'}" },
	{ "16[CFG] sending supported signature hash algorithms: sha256 sha384 sha512 identity",
	  "{'kind':'ike_extension','variant':'sig_hash_sent'}" },
	{ "16[CFG] received supported signature hash algorithms: sha256 sha384 sha512 identity",
	  "{'kind':'ike_extension','variant':'sig_hash_received'}" },
	{ "16[IKE] peer supports MOBIKE",
	  "{'kind':'ike_extension','variant':'mobike'}" },
	{ "16[IKE] DPD not supported by peer, disabled",
	  "{'kind':'ike_extension','variant':'dpd_unsupported'}" },
	{ "16[IKE] successfully created shared key MAC",
	  "{'kind':'auth_detail','variant':'psk_mac'}" },
	{ "04[NET] sending packet: from 192.0.2.10[4500] to 198.51.100.20[4500]",
	  "{'kind':'packet_sent','local_addr':'192.0.2.10','local_port':4500,'remote_addr':'198.51.100.20','remote_port':4500}" },
	{ "04[NET] received packet: from 198.51.100.20[4500] to 192.0.2.10[4500]",
	  "{'kind':'packet_received','local_addr':'192.0.2.10','local_port':4500,'remote_addr':'198.51.100.20','remote_port':4500}" },
	{ "16[IKE] received AUTH_LIFETIME of 10066s, scheduling reauthentication in 9466s",
	  "{'kind':'reauth_scheduled','seconds':9466,'variant':'auth_lifetime'}" },
	{ "12[CFG]  conn ipsec2_1:",
	  "{'kind':'config_dump','ike_name':'ipsec2_1','variant':'conn'}" },
	{ "12[CFG]   child child_ipsec2_1:",
	  "{'kind':'config_dump','child_name':'child_ipsec2_1','variant':'child'}" },
	{ "12[CFG]   local:",
	  "{'kind':'config_dump','variant':'section'}" },
	{ "12[CFG]    dpd_action = restart",
	  "{'kind':'config_dump','variant':'setting','detail':'dpd_action'}" },
	{ "12[CFG]    interface = (null)",
	  "{'kind':'config_dump','variant':'setting','detail':'interface'}" },
	{ "12[CFG]   proposals = IKE:AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_2048",
	  "{'kind':'config_dump','variant':'setting','detail':'proposals'}" },
	{ "11[CFG] vici client 3 connected",
	  "{'kind':'vici_client','variant':'connected'}" },
	{ "11[CFG] vici client 3 requests: load-conn",
	  "{'kind':'vici_client','variant':'request','detail':'load-conn'}" },
	{ "11[CFG] vici client 3 registered for: control-log",
	  "{'kind':'vici_client','variant':'registered','detail':'control-log'}" },
	{ "11[CFG] vici client 3 disconnected",
	  "{'kind':'vici_client','variant':'disconnected'}" },
	{ "15[ESP] allocated SPI c2d4e6f8",
	  "{'kind':'libipsec','spi':'c2d4e6f8','variant':'spi_allocated'}" },
	{ "16[ESP] adding SAD entry with SPI c2d4e6f8 and reqid {2}",
	  "{'kind':'libipsec','spi':'c2d4e6f8','variant':'sad_add'}" },
	{ "16[ESP]   using encryption algorithm AES_GCM_16 with key size 288",
	  "{'kind':'libipsec','variant':'algorithm'}" },
	{ "16[ESP] deleted inbound SAD entry with SPI c2d4e6f8",
	  "{'kind':'libipsec','spi':'c2d4e6f8','variant':'sad_deleted'}" },
	{ "07[ESP] no matching outbound IPsec policy for fe80::1 == ff02::2 [58]",
	  "{'kind':'libipsec','variant':'no_outbound_policy'}" },
	{ "13[LIB] size of DH secret exponent: 2047 bits",
	  "{'kind':'crypto_detail','size':2047,'variant':'dh_exponent'}" },
	{ "00[LIB] plugin 'vici': loaded successfully",
	  "{'kind':'daemon_info','variant':'plugin'}" },
	{ "00[LIB] feature PUBKEY:DSA in plugin 'pem' has unmet dependency: PUBKEY:DSA",
	  "{'kind':'daemon_info','variant':'plugin_feature'}" },
	{ "00[LIB] unable to load 7 plugin features (6 due to unmet dependencies)",
	  "{'kind':'daemon_info','variant':'plugin_feature'}" },
	{ "00[LIB] created thread 05 [4711]",
	  "{'kind':'daemon_info','variant':'thread'}" },
	{ "15[CFG] selecting proposal:",
	  "{'kind':'proposal_match','variant':'selecting'}" },
	{ "15[CFG]   proposal matches",
	  "{'kind':'proposal_match','variant':'matches'}" },
	{ "15[CFG]   no acceptable DIFFIE_HELLMAN_GROUP found",
	  "{'kind':'proposal_match','variant':'no_match','detail':'DIFFIE_HELLMAN_GROUP'}" },
	{ "00[KNL] known interfaces and IP addresses:",
	  "{'kind':'kernel_interface','variant':'list'}" },
	{ "00[KNL]   wan0",
	  "{'kind':'kernel_interface','variant':'listed','detail':'wan0'}" },
	{ "00[KNL]     198.51.100.1",
	  "{'kind':'kernel_address','variant':'listed','detail':'198.51.100.1'}" },
	{ "16[KNL] using host 192.0.2.129",
	  "{'kind':'kernel_route','variant':'lookup'}" },
	{ "16[CHD]   using AES_GCM_16 for encryption",
	  "{'kind':'child_sa_install','variant':'algorithm'}" },
	/* level 1 lines of jobs, sockets, certificates, reauthentication */
	{ "09[JOB] deleting IKE_SA after 300 seconds of CHILD_SA inactivity",
	  "{'kind':'inactivity_delete','seconds':300,'variant':'ike_sa'}" },
	{ "09[JOB] deleting CHILD_SA after 600 seconds of inactivity",
	  "{'kind':'inactivity_delete','seconds':600,'variant':'child_sa'}" },
	{ "09[JOB] peer did not initiate expected exchange, reestablishing IKE_SA",
	  "{'kind':'ike_reinitiate','variant':'expected_exchange'}" },
	{ "11[IKE] reauthentication failed, trying to reestablish IKE_SA",
	  "{'kind':'ike_reinitiate','variant':'after_reauth_failure'}" },
	{ "11[IKE] reauthenticating IKE_SA failed",
	  "{'kind':'reauth','variant':'failed'}" },
	{ "11[IKE] unable to reauthenticate IKE_SA, no CHILD_SA to recreate",
	  "{'kind':'reauth','variant':'no_child'}" },
	{ "11[IKE] initiator did not reauthenticate as requested, IKE_SA ipsec2_1[7] will timeout in 30 seconds",
	  "{'kind':'reauth','ike_name':'ipsec2_1','ike_uid':7,'variant':'peer_late'}" },
	{ "11[IKE] reauthentication already scheduled in 3600s",
	  "{'kind':'reauth_scheduled','seconds':3600,'variant':'already'}" },
	{ "11[IKE] rescheduling reauthentication in 3000s after rekeying, lifetime reduced to 3300s",
	  "{'kind':'reauth_scheduled','seconds':3000,'variant':'rescheduled'}" },
	{ "11[IKE] faking NAT situation to enforce UDP encapsulation",
	  "{'kind':'nat_local','variant':'forced'}" },
	{ "16[JOB] CHILD_SA ESP/0xc1a2b3c4/198.51.100.1 not found for rekey",
	  "{'kind':'rekey_refused','spi':'c1a2b3c4','protocol':'ESP','variant':'rekey'}" },
	{ "16[JOB] CHILD_SA {12} not found for delete",
	  "{'kind':'rekey_refused','child_uid':12,'variant':'delete'}" },
	{ "07[NET] received unencrypted informational: from 198.51.100.1[500] to 192.0.2.1[500]",
	  "{'kind':'message_invalid','local_addr':'192.0.2.1','local_port':500,'remote_addr':'198.51.100.1','remote_port':500,'variant':'unencrypted_info'}" },
	{ "07[NET] received unsupported IKE version 1.0 from 198.51.100.1, sending INVALID_MAJOR_VERSION",
	  "{'kind':'message_invalid','remote_addr':'198.51.100.1','variant':'version'}" },
	{ "07[NET] ignoring IKE_SA setup from 198.51.100.1, half-open IKE_SA limit of 1000 reached",
	  "{'kind':'message_invalid','remote_addr':'198.51.100.1','variant':'setup_limit'}" },
	{ "13[IKE] IDr payload missing",
	  "{'kind':'message_invalid','variant':'payload_missing'}" },
	{ "13[CFG] received IDr 198.51.100.7, but require 198.51.100.1",
	  "{'kind':'auth_failed','remote_id':'198.51.100.7','variant':'idr_mismatch','detail':'198.51.100.1'}" },
	{ "13[IKE] canceling IKE_SA setup due to uniqueness policy",
	  "{'kind':'ike_duplicate','variant':'cancel'}" },
	{ "04[NET] error writing to socket: Network is unreachable",
	  "{'kind':'socket_error','variant':'write','detail':'Network is unreachable'}" },
	{ "04[NET] no socket found to send IPv4 packet from port 4500",
	  "{'kind':'socket_error','variant':'no_socket'}" },
	{ "14[KNL] received netlink error: No such process (3)",
	  "{'kind':'kernel_error','variant':'netlink','detail':'received netlink error: No such process (3)'}" },
	{ "11[IKE] unable to resolve peer.example.net, retrying in 30s",
	  "{'kind':'peer_unresolved','seconds':30,'variant':'retrying','detail':'peer.example.net'}" },
	{ "11[IKE] unable to resolve peer.example.net, initiate aborted",
	  "{'kind':'peer_unresolved','variant':'aborted','detail':'peer.example.net'}" },
	{ "08[JOB] start action: start 'child_ipsec2_1'",
	  "{'kind':'config_loaded','child_name':'child_ipsec2_1','variant':'start'}" },
	{ "13[IKE] received end entity cert \"CN=peer.example.net\"",
	  "{'kind':'cert_detail','variant':'certificate','detail':'CN=peer.example.net'}" },
	{ "13[IKE] sending cert request for \"CN=Example CA\"",
	  "{'kind':'cert_detail','variant':'certificate','detail':'CN=Example CA'}" },
	{ "13[IKE] received 2 cert requests for an unknown ca",
	  "{'kind':'cert_detail','variant':'unknown_ca'}" },
};

ParameterizedTestParameters(charon, formats)
{
	return index_params(sizeof(rows) / sizeof(rows[0]));
}

ParameterizedTest(size_t *i, charon, formats)
{
	const struct row *r = &rows[*i];
	struct charon_event ev, ev2;
	size_t n = strlen(r->line), base, cut;
	char *d1, *d2;

	/* exactly-sized buffer: fields */
	cr_assert_eq(parse_exact(r->line, n, &ev), 0, "[%s]", r->line);
	cr_assert(ev.kind >= 0 && ev.kind < CHARON_KIND_MAX);
	check_text_span(&ev, n);
	check_fields(&ev, r->expect, r->line);

	/* the same bytes as a slice of a larger buffer: same event */
	cr_assert_eq(parse_embedded(r->line, n, &ev2, &base), 0);
	d1 = event_dump(&ev);
	d2 = event_dump(&ev2);
	cr_assert_str_eq(d1, d2, "[%s] slice parse differs", r->line);
	cr_assert_eq(ev2.text.off, ev.text.off);
	cr_assert_eq(ev2.text.len, ev.text.len);
	free(d1);
	free(d2);

	/* every truncation parses without a crash and stays in bounds */
	for (cut = 1; cut < n; cut++) {
		cr_assert_eq(parse_exact(r->line, cut, &ev2), 0);
		cr_assert(ev2.kind >= 0 && ev2.kind < CHARON_KIND_MAX);
		check_text_span(&ev2, cut);
		json_decref(event_json(&ev2));
	}
}

/* ------------------------------------------------------------------------ */
/* framing */

struct frame_row {
	const char *line;
	int framing;
	int thread;
	const char *group;
	int level;
	const char *conn;
	long conn_uid;       /* -1: absent */
	const char *text;    /* expected text span */
	int kind;
};

static struct frame_row frame_rows[] = {
	{ "16[IKE] sending DPD request", CHARON_FRAME_THREAD, 16, "IKE", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "016[IKE] sending DPD request", CHARON_FRAME_THREAD, 16, "IKE", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "12[IKE1] <PEER|1> giving up after 5 retransmits", CHARON_FRAME_THREAD, 12,
	  "IKE", 1, "PEER", 1, "giving up after 5 retransmits", CHARON_GIVE_UP },
	{ "12[CFG0] vici initiate 'x'", CHARON_FRAME_THREAD, 12, "CFG", 0, "", -1,
	  "vici initiate 'x'", CHARON_VICI_INITIATE },
	{ "05[IKE] <5> sending DPD request", CHARON_FRAME_THREAD, 5, "IKE", -1, "", 5,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "05[IKE] <a|b|7> sending DPD request", CHARON_FRAME_THREAD, 5, "IKE", -1,
	  "a|b", 7, "sending DPD request", CHARON_DPD_REQUEST },
	{ "05[IKE] <site 1|7> sending DPD request", CHARON_FRAME_THREAD, 5, "IKE", -1,
	  "site 1", 7, "sending DPD request", CHARON_DPD_REQUEST },
	{ "05[IKE] <|7> sending DPD request", CHARON_FRAME_THREAD, 5, "IKE", -1, "", 7,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "05[IKE] <notanum> sending DPD request", CHARON_FRAME_THREAD, 5, "IKE", -1,
	  "", -1, "<notanum> sending DPD request", CHARON_OTHER },
	{ "05[IKE] <PEER|1>sending DPD request", CHARON_FRAME_THREAD, 5, "IKE", -1, "",
	  -1, "<PEER|1>sending DPD request", CHARON_OTHER },
	{ "05[IKE] <PEER|1>", CHARON_FRAME_THREAD, 5, "IKE", -1, "PEER", 1, "",
	  CHARON_OTHER },
	{ "16[IKE]", CHARON_FRAME_THREAD, 16, "IKE", -1, "", -1, "", CHARON_OTHER },
	{ "16[IKE] \t  sending DPD request \r\n", CHARON_FRAME_THREAD, 16, "IKE", -1,
	  "", -1, "sending DPD request", CHARON_DPD_REQUEST },
	{ "  16[IKE] sending DPD request", CHARON_FRAME_THREAD, 16, "IKE", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "99999[IKE] sending DPD request", CHARON_FRAME_THREAD, 99999, "IKE", -1, "",
	  -1, "sending DPD request", CHARON_DPD_REQUEST },
	/* not a thread prefix: kept as text */
	{ "16[IKE]sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "16[IKE]sending DPD request", CHARON_OTHER },
	{ "16[IKE12] sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "16[IKE12] sending DPD request", CHARON_OTHER },
	{ "16[ike] sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "16[ike] sending DPD request", CHARON_OTHER },
	{ "123456[IKE] sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "123456[IKE] sending DPD request", CHARON_OTHER },
	/* program tags left by a missing syslog header */
	{ "charon: 16[IKE] sending DPD request", CHARON_FRAME_THREAD, 16, "IKE", -1,
	  "", -1, "sending DPD request", CHARON_DPD_REQUEST },
	{ "charon[123]: 16[IKE] sending DPD request", CHARON_FRAME_THREAD, 16, "IKE",
	  -1, "", -1, "sending DPD request", CHARON_DPD_REQUEST },
	{ "charon 16[IKE] sending DPD request", CHARON_FRAME_THREAD, 16, "IKE", -1, "",
	  -1, "sending DPD request", CHARON_DPD_REQUEST },
	{ "charon-systemd[1]: sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "",
	  -1, "sending DPD request", CHARON_DPD_REQUEST },
	{ "charon-systemd: sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "charon: sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "charon  [ 1679]: IKE 08     : sending DPD request", CHARON_FRAME_VENDOR, 8,
	  "IKE", -1, "", -1, "sending DPD request", CHARON_DPD_REQUEST },
	{ "IKE 08     : sending DPD request", CHARON_FRAME_VENDOR, 8, "IKE", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "NET 16 : sending packet: from 1.2.3.4[500] to 5.6.7.8[500] (76 bytes)",
	  CHARON_FRAME_VENDOR, 16, "NET", -1, "", -1,
	  "sending packet: from 1.2.3.4[500] to 5.6.7.8[500] (76 bytes)",
	  CHARON_PACKET_SENT },
	/* "charon " without colon/PID is a tag only in front of NN[GRP] */
	{ "charon is initiating", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "charon is initiating", CHARON_OTHER },
	{ "charonX: 16[IKE] sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "charonX: 16[IKE] sending DPD request", CHARON_OTHER },
	{ "sending DPD request", CHARON_FRAME_BARE, -1, "", -1, "", -1,
	  "sending DPD request", CHARON_DPD_REQUEST },
	{ "   ", CHARON_FRAME_BARE, -1, "", -1, "", -1, "", CHARON_OTHER },
};

ParameterizedTestParameters(charon, framing)
{
	return index_params(sizeof(frame_rows) / sizeof(frame_rows[0]));
}

ParameterizedTest(size_t *i, charon, framing)
{
	const struct frame_row *r = &frame_rows[*i];
	struct charon_event ev;
	size_t n = strlen(r->line);
	char *b = malloc(n);

	cr_assert_not_null(b);
	memcpy(b, r->line, n);
	cr_assert_eq(charon_parse(b, n, &ev), 0);
	cr_assert_eq(ev.framing, r->framing, "[%s] framing %d", r->line, ev.framing);
	cr_assert_eq(ev.thread, r->thread, "[%s] thread %d", r->line, ev.thread);
	cr_assert_str_eq(ev.group, r->group, "[%s]", r->line);
	cr_assert_eq(ev.level, r->level, "[%s] level %d", r->line, ev.level);
	cr_assert_str_eq(ev.conn, r->conn, "[%s]", r->line);
	if (r->conn_uid < 0) {
		cr_assert_eq(ev.has & CHARON_HAS_CONN_UID, 0u, "[%s]", r->line);
	} else {
		cr_assert(ev.has & CHARON_HAS_CONN_UID, "[%s]", r->line);
		cr_assert_eq((long)ev.conn_uid, r->conn_uid);
	}
	check_text_span(&ev, n);
	cr_assert_eq(ev.text.len, strlen(r->text), "[%s] text len %u", r->line,
	    (unsigned)ev.text.len);
	cr_assert(memcmp(b + ev.text.off, r->text, ev.text.len) == 0,
	    "[%s] text '%.*s'", r->line, (int)ev.text.len, b + ev.text.off);
	cr_assert_eq(ev.kind, r->kind, "[%s] kind %s", r->line,
	    charon_kind_name(ev.kind));
	free(b);
}

/* ------------------------------------------------------------------------ */
/* lines that must stay CHARON_OTHER, and numeric limits */

struct other_row {
	const char *line;
};

static struct other_row truncated_rows[] = {
	{ "07[IKE] retransmit 1 of request with message" },
	{ "07[IKE] retransmit 1 of request with message ID" },
	{ "07[IKE] retransmit 1 of request with" },
	{ "07[IKE] retransmit" },
	{ "11[IKE] giving up after" },
	{ "11[IKE] giving up after 5" },
	{ "12[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]...10.10.10.1[10.10" },
	{ "12[IKE] deleting IKE_SA ipsec1_1[217] between 10.16.0.5[10.16.0.5]" },
	{ "12[IKE] deleting IKE_SA ipsec1_1[217] between" },
	{ "12[IKE] received DELETE for IKE_SA ipsec1_1[21" },
	{ "12[IKE] received DELETE for ESP CHILD_SA with SPI" },
	{ "11[IKE] IKE_SA ipsec2_1[223798] established between 10.132.3.92[10.132.3.92]..." },
	{ "11[IKE] CHILD_SA net{12} established with SPIs c0ffee01_i deadbeef_o and TS 10.1.0.0/16" },
	{ "11[IKE] CHILD_SA net{12} established with SPIs c0ffee01_i dead" },
	{ "16[NET] sending packet: from 10.132.3.92[500] to 10.10.10.1[500] (464" },
	{ "16[NET] sending packet: from 10.132.3.92[500] to 10.10.10.1" },
	{ "16[ENC] generating IKE_SA_INIT request 0 [ SA KE No" },
	{ "16[ENC] generating IKE_SA_INIT request" },
	{ "12[IKE] closing CHILD_SA net{12} with SPIs c0ffee01_i (15360 bytes) deadbeef_o (7680" },
	{ "12[IKE] tried 1 shared key for '10.132.3.92' - '10.10.10.1', but MAC" },
	{ "12[IKE] no shared key found for 'moon.strongswan.org' - 'carol" },
	{ "10[IKE] peer not responding, trying again (2/" },
	{ "16[IKE] initiating IKE_SA ipsec2_1[223798] to" },
	{ "08[IKE] rekeyed CHILD_SA net{12} with SPIs c0ffee01_i deadbeef_o with net{13}" },
	{ "12[IKE] authentication of 'CN=gw' with RSA signature succ" },
	{ "05[IKE] 198.51.100.1 is initiating" },
	{ "12[IKE] received NO_PROPOSAL_CHOSEN notify" },
	{ "15[JOB] deleting half open IKE_SA with 10.10.10.1 after" },
	{ "09[CFG] vici initiate 'child_ipsec2" },
	{ "09[CFG] vici initiate" },
	{ "12[IKE] DH group MODP_1024 inacceptable, requesting" },
	{ "12[IKE] peer didn't accept DH group MODP_1536," },
	{ "08[IKE] scheduling rekeying in 13968" },
	{ "08[IKE] sending DPD instead of keep alive 20s" },
	{ "12[IKE] traffic selectors 10.1.0.0/16 === 10.2.0.0/16" },
	{ "12[KNL] Deleting SAD entry with SPI" },
	{ "08[IKE] sending DPD" },
	{ "12[IKE] IKE_SA" },
	{ "12[IKE] CHILD_SA" },
	{ "12[IKE] no" },
	{ "12[IKE] received" },
	{ "12[IKE] sending" },
};

static struct other_row overflow_rows[] = {
	{ "retransmit 4294967296 of request with message ID 1" },
	{ "retransmit 1 of request with message ID 99999999999999999999" },
	{ "retransmit 1 of request with message ID 12345678901" },
	{ "IKE_SA x[4294967296] established between 1.2.3.4[a]...5.6.7.8[b]" },
	{ "CHILD_SA c{99999999999} established with SPIs 00000001_i 00000002_o and TS a === b" },
	{ "sending packet: from 1.2.3.4[65536] to 5.6.7.8[500] (1 bytes)" },
	{ "sending packet: from 1.2.3.4[500] to 5.6.7.8[500] (4294967296 bytes)" },
	{ "closing CHILD_SA a{1} with SPIs 00000001_i (18446744073709551616 bytes) 00000002_o (0 bytes) and TS a === b" },
	{ "closing CHILD_SA a{1} with SPIs 00000001_i (184467440737095516150 bytes) 00000002_o (0 bytes) and TS a === b" },
	{ "received DELETE for ESP CHILD_SA with SPI 123456789" },
	{ "CHILD_SA a{1} established with SPIs 1c0ffee01_i 00000002_o and TS a === b" },
	{ "peer not responding, trying again (4294967295/4294967296)" },
	{ "scheduling rekeying in 4294967296s" },
	{ "tried 4294967296 shared keys for 'a' - 'b', but MAC mismatched" },
	{ "<4294967296> sending DPD request" },
	{ "reinitiating IKE_SA x[-1]" },
	{ "vici terminate IKE_SA #4294967296" },
};

static struct other_row unknown_rows[] = {
	{ "09[CFG] vici rekey IKE_SA 'x'" },
	{ "14[KNL] unable to resolve %any, no matching address family" },
	{ "14[KNL] creating acquire job for policy 10.0.0.1/32 === 10.1.0.1/32 with reqid {1}" },
	{ "14[IKE] establishing CHILD_SA child_ipsec2_1{7} reqid" },
	{ "08[IKE] IKE_SA ipsec2_1[3] state change: ESTABLISHED" },
	{ "08[IKE] IKE_SA ipsec2_1[3] state change: A B => C" },
	{ "00[DMN] Starting IKE charon daemon" },
	{ "00[DMN] SIGUSR1 received, shutting down" },
	{ "12[IKE] received vendor ID" },
	{ "16[KNL] creating rekey job for CHILD_SA ESP/0xzz/192.0.2.1" },
	{ "11[KNL] interface eth1 renamed" },
	{ "13[CFG] selected peer config 'x' maybe" },
	{ "10[IKE] received message ID 7, expected 5" },
	{ "05[IKE] queueing ike_dpd task" },
	{ "11[IKE] remote endpoint changed from 198.51.100.20[4500]" },
	{ "hello world" },
	{ "x" },
	{ "IKE_SA" },
	{ "[IKE] sending DPD request" },
	{ "::::" },
	{ "1.2.3.4 is not initiating an IKE_SA" },
	{ "restarting CHILD_SA two words" },
	{ "closing CHILD_SA net{12} with SPIs c0ffee01_i (15360 bytes) deadbeef_o and TS a === b" },
};

static void
expect_other(const char *line)
{
	struct charon_event ev;
	size_t n = strlen(line), base;
	char *d;

	cr_assert_eq(parse_exact(line, n, &ev), 0, "[%s]", line);
	d = event_dump(&ev);
	cr_assert_eq(ev.kind, CHARON_OTHER, "[%s] parsed as %s: %s", line,
	    charon_kind_name(ev.kind), d);
	/* nothing half-matched may leak into the event */
	check_fields(&ev, "{'kind':'charon_other'}", line);
	free(d);
	cr_assert_eq(parse_embedded(line, n, &ev, &base), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER, "[%s] (slice)", line);
}

ParameterizedTestParameters(charon, truncated)
{
	return index_params(sizeof(truncated_rows) / sizeof(truncated_rows[0]));
}

ParameterizedTest(size_t *i, charon, truncated)
{
	expect_other(truncated_rows[*i].line);
}

ParameterizedTestParameters(charon, overflow)
{
	return index_params(sizeof(overflow_rows) / sizeof(overflow_rows[0]));
}

ParameterizedTest(size_t *i, charon, overflow)
{
	expect_other(overflow_rows[*i].line);
}

ParameterizedTestParameters(charon, unknown)
{
	return index_params(sizeof(unknown_rows) / sizeof(unknown_rows[0]));
}

ParameterizedTest(size_t *i, charon, unknown)
{
	expect_other(unknown_rows[*i].line);
}

/* Numeric fields at their exact maxima are accepted. */
Test(charon, numbers_at_limits)
{
	struct charon_event ev;
	static const char l1[] =
	    "retransmit 4294967295 of request with message ID 4294967295";
	static const char l2[] =
	    "sending packet: from 1.2.3.4[65535] to 5.6.7.8[0] (4294967295 bytes)";
	static const char l3[] =
	    "closing CHILD_SA a{4294967295} with SPIs ffffffff_i "
	    "(18446744073709551615 bytes) 0_o (0 bytes) and TS a === b";

	cr_assert_eq(parse_exact(l1, sizeof(l1) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_RETRANSMIT);
	cr_assert_eq(ev.count, UINT32_MAX);
	cr_assert_eq(ev.msgid, UINT32_MAX);
	cr_assert_eq(parse_exact(l2, sizeof(l2) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_PACKET_SENT);
	cr_assert_eq(ev.local.port, 65535);
	cr_assert_eq(ev.remote.port, 0);
	cr_assert_eq(ev.size, UINT32_MAX);
	cr_assert_eq(parse_exact(l3, sizeof(l3) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_CHILD_CLOSING);
	cr_assert_eq(ev.child_uid, UINT32_MAX);
	cr_assert_eq(ev.spi_in, 0xffffffffu);
	cr_assert_eq(ev.spi_out, 0u);
	cr_assert_eq(ev.bytes_in, UINT64_MAX);
	check_fields(&ev, "{'kind':'child_closing','child_name':'a',"
	    "'child_uid':4294967295,'spi_in':'ffffffff','spi_out':'00000000',"
	    "'bytes_in':9223372036854775807,'bytes_out':0,'ts_local':'a',"
	    "'ts_remote':'b'}", l3);
}

/* ------------------------------------------------------------------------ */
/* edge cases */

Test(charon, empty_input_is_an_error)
{
	struct charon_event ev;

	cr_assert_eq(charon_parse("", 0, &ev), -1);
	cr_assert_eq(charon_parse("16[IKE] x", 0, &ev), -1);
	cr_assert_eq(charon_parse(NULL, 5, &ev), -1);
	cr_assert_eq(charon_parse("16[IKE] x", 9, NULL), -1);
}

Test(charon, nul_bytes)
{
	struct charon_event ev;
	static const char mid[] = "16[IKE] sending DPD\0request";
	static const char tail[] = "16[IKE] sending DPD request\0\0\0";
	static const char lead[] = "\0" "16[IKE] sending DPD request";
	static const char name[] = "12[IKE] received DELETE for IKE_SA ab\0cd[5]";
	static const char only[] = "\0\0\0\0";

	cr_assert_eq(parse_exact(mid, sizeof(mid) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	cr_assert_eq(ev.thread, 16);
	/* trailing NUL padding is trimmed like CR/LF */
	cr_assert_eq(parse_exact(tail, sizeof(tail) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_DPD_REQUEST);
	cr_assert_eq(ev.text.len, strlen("sending DPD request"));
	cr_assert_eq(parse_exact(lead, sizeof(lead) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	cr_assert_eq(ev.framing, CHARON_FRAME_BARE);
	/* a NUL inside a field ends that C string; the match itself is by
	 * length, so the line is still recognised */
	cr_assert_eq(parse_exact(name, sizeof(name) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_IKE_DELETE_RECEIVED);
	cr_assert_eq(ev.ike_uid, 5u);
	cr_assert_str_eq(ev.ike_name, "ab");
	cr_assert_eq(parse_exact(only, sizeof(only) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
}

/* Builds "prefix" + n copies of fill + "suffix" in a malloc'd buffer. */
static char *
build(const char *prefix, const char *fill, size_t n, const char *suffix,
    size_t *len)
{
	size_t pl = strlen(prefix), fl = strlen(fill), sl = strlen(suffix), i;
	char *b = malloc(pl + fl * n + sl + 1);

	cr_assert_not_null(b);
	memcpy(b, prefix, pl);
	for (i = 0; i < n; i++)
		memcpy(b + pl + i * fl, fill, fl);
	memcpy(b + pl + fl * n, suffix, sl);
	*len = pl + fl * n + sl;
	b[*len] = '\0';
	return b;
}

Test(charon, huge_lines)
{
	struct charon_event ev;
	size_t len;
	char *b;

	/* 1 MiB of text */
	b = build("16[IKE] ", "A", 1u << 20, "", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	cr_assert_eq(ev.text.len, 1u << 20);
	free(b);

	/* a huge identity is truncated, the rest still parsed */
	b = build("IKE_SA gw[1] established between 1.2.3.4[", "CN=x ", 2000,
	    "]...5.6.7.8[peer]", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_IKE_ESTABLISHED);
	cr_assert_eq(strlen(ev.local.id), CHARON_ID_LEN - 1);
	cr_assert_str_eq(ev.remote.addr, "5.6.7.8");
	cr_assert_str_eq(ev.remote.id, "peer");
	free(b);

	/* many "]..." decoys inside the first identity */
	b = build("deleting IKE_SA gw[1] between 1.2.3.4[", "a]...b ", 20000,
	    "]...5.6.7.8[peer]", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_IKE_DELETING);
	cr_assert_str_eq(ev.remote.id, "peer");
	free(b);

	/* a huge conn name prefix is not a <conn|uid> (bounded search) */
	b = build("16[IKE] <", "c", 100000, "|5> sending DPD request", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	cr_assert_eq(ev.has & CHARON_HAS_CONN_UID, 0u);
	free(b);

	/* a long name is truncated to CHARON_NAME_LEN - 1 */
	b = build("16[IKE] initiating IKE_SA ", "n", 5000, "[7] to 10.0.0.1", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_IKE_INITIATE);
	cr_assert_eq(strlen(ev.ike_name), CHARON_NAME_LEN - 1);
	cr_assert_eq(ev.ike_uid, 7u);
	free(b);

	/* an over-long address is not an address */
	b = build("16[IKE] initiating IKE_SA x[7] to ", "1", 500, "", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	free(b);

	/* long digit runs are rejected, not wrapped */
	b = build("retransmit ", "9", 100000, " of request with message ID 1", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	free(b);

	/* a huge payload list is kept truncated */
	b = build("parsed INFORMATIONAL request 1 [ ", "N(DPD) ", 10000, "D ]", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_MESSAGE_PARSED);
	cr_assert(strlen(ev.payloads) < CHARON_PAYLOADS_LEN);
	cr_assert(ev.payload_flags & CHARON_PL_DPD);
	cr_assert(ev.payload_flags & CHARON_PL_DELETE);
	free(b);
}

Test(charon, proposal_limits)
{
	struct charon_event ev;
	size_t len;
	char *b;
	json_t *o, *arr;

	/* 40 proposals: 16 kept */
	b = build("received proposals: ", "ESP:AES_CBC_128/HMAC_SHA1_96, ", 40,
	    "ESP:NULL", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_PROPOSALS_RECEIVED);
	cr_assert_eq(ev.nproposals, CHARON_PROPOSALS_MAX);
	cr_assert_eq(ev.proposals_truncated, 1);
	o = event_json(&ev);
	arr = json_object_get(o, "proposals");
	cr_assert_eq(json_array_size(arr), CHARON_PROPOSALS_MAX);
	cr_assert(json_is_true(json_object_get(o, "proposals_truncated")));
	json_decref(o);
	free(b);

	/* 30 transforms: 12 kept */
	b = build("configured proposals: IKE:", "MODP_2048/", 30, "ECP_256", &len);
	cr_assert_eq(charon_parse(b, len, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_PROPOSALS_CONFIGURED);
	cr_assert_eq(ev.nproposals, 1);
	cr_assert_eq(ev.proposals[0].ntransforms, CHARON_TRANSFORMS_MAX);
	cr_assert_eq(ev.proposals[0].truncated, 1);
	cr_assert_str_eq(ev.proposals[0].protocol, "IKE");
	free(b);

	/* empty items, "//", lowercase protocols and junk are skipped */
	{
		static const char l[] = "selected proposal: , ESP:A//B/, esp:x, "
		    "AH:HMAC_SHA1_96 ,TOOLONGPROTO:X";

		cr_assert_eq(parse_exact(l, sizeof(l) - 1, &ev), 0);
		cr_assert_eq(ev.kind, CHARON_PROPOSAL_SELECTED);
		cr_assert_eq(ev.nproposals, 2);
		cr_assert_str_eq(ev.proposals[0].protocol, "ESP");
		cr_assert_eq(ev.proposals[0].ntransforms, 2);
		cr_assert_str_eq(ev.proposals[0].transforms[1], "B");
		cr_assert_str_eq(ev.proposals[1].protocol, "AH");
		cr_assert_str_eq(ev.proposals[1].transforms[0], "HMAC_SHA1_96");
	}
}

/* The PFS classifier of docs/log-formats.md#pfs_mismatch: the configured proposal
 * carries a KE group that no received proposal carries. */
Test(charon, pfs_mismatch_fields)
{
	struct charon_event rx, cfg;
	static const char l1[] = "16[CFG] received proposals: ESP:AES_GCM_16_256/"
	    "NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ";
	static const char l2[] = "16[CFG] configured proposals: "
	    "ESP:AES_CBC_256/HMAC_SHA1_96/MODP_4096/NO_EXT_SEQ";
	int i, k, rx_ke = 0, cfg_group = -1;

	cr_assert_eq(parse_exact(l1, sizeof(l1) - 1, &rx), 0);
	cr_assert_eq(parse_exact(l2, sizeof(l2) - 1, &cfg), 0);
	for (i = 0; i < rx.nproposals; i++)
		for (k = 0; k < rx.proposals[i].ntransforms; k++)
			rx_ke |= charon_transform_is_ke(rx.proposals[i].transforms[k]);
	for (k = 0; k < cfg.proposals[0].ntransforms; k++)
		if (charon_transform_is_ke(cfg.proposals[0].transforms[k]))
			cfg_group = charon_ke_group_number(cfg.proposals[0].transforms[k]);
	cr_assert_eq(rx_ke, 0);
	cr_assert_eq(cfg_group, 16);
}

/* ------------------------------------------------------------------------ */
/* JSON */

Test(charon, json_sanitizes_invalid_utf8)
{
	struct charon_event ev;
	static const char l[] = "IKE_SA gw\xff[1] established between "
	    "1.2.3.4[CN=caf\xc3\xa9 \xe2\x82]...5.6.7.8[\xed\xa0\x80x]";
	json_t *o;
	char *s;

	cr_assert_eq(parse_exact(l, sizeof(l) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_IKE_ESTABLISHED);
	o = event_json(&ev);
	cr_assert_str_eq(json_string_value(json_object_get(o, "ike_name")),
	    "gw\xef\xbf\xbd");
	/* valid é kept; the cut 3-byte sequence becomes one U+FFFD per byte */
	cr_assert_str_eq(json_string_value(json_object_get(o, "local_id")),
	    "CN=caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd");
	/* a UTF-16 surrogate encoded in UTF-8 is invalid */
	cr_assert_str_eq(json_string_value(json_object_get(o, "remote_id")),
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx");
	s = json_dumps(o, JSON_COMPACT);
	cr_assert_not_null(s);
	free(s);
	json_decref(o);
}

/* Truncating a field never splits a multi-byte character. */
Test(charon, truncation_keeps_utf8_whole)
{
	struct charon_event ev;
	size_t len, i;
	char *b;
	json_t *o;

	for (i = 0; i < 3; i++) {
		char pre[64];

		snprintf(pre, sizeof(pre), "initiating IKE_SA %.*s", (int)i, "ab");
		b = build(pre, "\xe2\x82\xac", 100, "[1] to 1.2.3.4", &len);
		cr_assert_eq(charon_parse(b, len, &ev), 0);
		cr_assert_eq(ev.kind, CHARON_IKE_INITIATE);
		cr_assert_eq((strlen(ev.ike_name) - i) % 3, 0);
		o = event_json(&ev);
		/* valid UTF-8: json_stringn accepted it as is */
		cr_assert_str_eq(json_string_value(json_object_get(o, "ike_name")),
		    ev.ike_name);
		json_decref(o);
		free(b);
	}
}

Test(charon, json_bad_arguments)
{
	struct charon_event ev;
	json_t *a = json_array();

	cr_assert_eq(charon_parse("sending DPD request", 19, &ev), 0);
	cr_assert_eq(charon_event_to_json(NULL, a), -1);
	cr_assert_eq(charon_event_to_json(&ev, NULL), -1);
	cr_assert_eq(charon_event_to_json(&ev, a), -1);
	json_decref(a);
}

Test(charon, json_out_of_range_kind)
{
	struct charon_event ev;
	json_t *o;

	cr_assert_eq(charon_parse("x", 1, &ev), 0);
	ev.kind = 9999;
	o = event_json(&ev);
	cr_assert_str_eq(json_string_value(json_object_get(o, "kind")),
	    "charon_other");
	json_decref(o);
}

/* ------------------------------------------------------------------------ */
/* kind names: a public contract stored in the database */

Test(charon, kind_names_are_frozen)
{
	static const char *const frozen[] = {
		"charon_other", "ike_initiate", "ike_initiate_responder",
		"ike_established", "child_established", "ike_rekeyed",
		"child_rekeyed", "ike_rekey_failed", "child_rekey_failed",
		"rekey_scheduled", "reauth_scheduled", "ike_lifetime", "reauth",
		"dpd_request", "dpd_timeout", "retransmit", "give_up",
		"peer_not_responding_retry", "ike_establish_no_response",
		"ike_rekey_no_response", "ike_delete_no_response",
		"ike_delete_received", "ike_delete_sent", "child_delete_received",
		"child_delete_sent", "ike_deleting", "ike_deleted",
		"child_closing", "child_expired", "child_closed",
		"half_open_timeout", "proposals_received", "proposals_configured",
		"proposal_selected", "proposals_unacceptable",
		"no_acceptable_proposal", "notify_error", "notify_no_child",
		"child_failed_keep_ike", "child_failed_close_ike",
		"psk_mac_mismatch", "no_shared_key", "no_peer_config", "auth_ok",
		"auth_failed", "signature_invalid", "constraint_failed",
		"ke_unacceptable", "ke_rejected", "ke_ignored", "ts_unacceptable",
		"no_acceptable_ts", "nat_local", "nat_remote", "nat_gone",
		"keepalive", "packet_sent", "packet_received",
		"message_generated", "message_parsed", "stroke_initiate",
		"stroke_terminate", "vici_initiate", "vici_terminate",
		"child_restart", "ike_reinitiate", "kernel_error",
		"kernel_sad_delete",
		/* issue 13 item 10: strongSwan 5.9 levels 1 and 2 */
		"child_establishing", "charon_start", "charon_stop",
		"daemon_info", "credential_loaded", "config_loaded",
		"vendor_id", "ike_state_change", "child_state_change",
		"ike_sa_created", "sa_manager", "task", "message_detail",
		"message_fragment", "notify_received", "config_lookup",
		"peer_config_selected", "retransmit_received",
		"message_invalid", "no_ike_config", "rekey_collision",
		"ike_duplicate", "endpoint_changed", "ike_destroyed",
		"child_recreate_scheduled", "rekey_refused",
		"child_create_retry", "kernel_address", "kernel_interface",
		"kernel_expire", "kernel_policy", "kernel_route",
		"child_sa_install", "ike_extension", "auth_detail",
		"config_dump", "vici_client", "libipsec", "crypto_detail",
		"proposal_match", "inactivity_delete", "socket_error",
		"peer_unresolved", "cert_detail",
	};
	int k, j;

	cr_assert_eq(sizeof(frozen) / sizeof(frozen[0]), (size_t)CHARON_KIND_MAX);
	for (k = 0; k < CHARON_KIND_MAX; k++) {
		const char *n = charon_kind_name(k), *c;

		cr_assert_not_null(n, "kind %d has no name", k);
		cr_assert_str_eq(n, frozen[k]);
		cr_assert_eq(charon_kind_from_name(n), k);
		for (c = n; *c != '\0'; c++)
			cr_assert((*c >= 'a' && *c <= 'z') || *c == '_' ||
			    (*c >= '0' && *c <= '9'), "%s not snake_case", n);
		for (j = 0; j < k; j++)
			cr_assert_str_neq(n, charon_kind_name(j));
	}
	cr_assert_null(charon_kind_name(-1));
	cr_assert_null(charon_kind_name(CHARON_KIND_MAX));
	cr_assert_eq(charon_kind_from_name("no_such_kind"), -1);
	cr_assert_eq(charon_kind_from_name(NULL), -1);
	cr_assert_str_eq(charon_payload_flag_name(1), "no_prop");
	cr_assert_null(charon_payload_flag_name(CHARON_PL_COUNT));
}

/* Every kind is produced by at least one row of the formats table. */
Test(charon, every_kind_is_covered)
{
	int seen[CHARON_KIND_MAX] = { 0 };
	size_t i;
	int k;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct charon_event ev;

		cr_assert_eq(charon_parse(rows[i].line, strlen(rows[i].line), &ev), 0);
		seen[ev.kind] = 1;
	}
	for (k = 0; k < CHARON_KIND_MAX; k++)
		cr_assert(seen[k], "no row for kind %s", charon_kind_name(k));
}

/* ------------------------------------------------------------------------ */
/* key-exchange helpers */

struct ke_row {
	const char *name;
	int is_ke;
	int group;
};

static struct ke_row ke_rows[] = {
	{ "MODP_1024", 1, 2 },      { "MODP_1536", 1, 5 },
	{ "MODP_2048", 1, 14 },     { "MODP_3072", 1, 15 },
	{ "MODP_4096", 1, 16 },     { "MODP_6144", 1, 17 },
	{ "MODP_8192", 1, 18 },     { "ECP_256", 1, 19 },
	{ "ECP_384", 1, 20 },       { "ECP_521", 1, 21 },
	{ "MODP_1024_160", 1, 22 }, { "MODP_2048_224", 1, 23 },
	{ "MODP_2048_256", 1, 24 }, { "ECP_192", 1, 25 },
	{ "ECP_224", 1, 26 },       { "ECP_224_BP", 1, 27 },
	{ "ECP_256_BP", 1, 28 },    { "ECP_384_BP", 1, 29 },
	{ "ECP_512_BP", 1, 30 },    { "CURVE_25519", 1, 31 },
	{ "CURVE_448", 1, 32 },     { "ML_KEM_768", 1, 36 },
	{ "KE1_ML_KEM_768", 1, 36 }, { "KE2_ECP_256", 1, 19 },
	{ "NTRU_128", 1, -1 },      { "NEWHOPE_128", 1, -1 },
	{ "MODP_NONE", 0, -1 },     { "KE1_NONE", 0, -1 },
	{ "AES_CBC_256", 0, -1 },   { "HMAC_SHA1_96", 0, -1 },
	{ "PRF_HMAC_SHA2_256", 0, -1 }, { "NO_EXT_SEQ", 0, -1 },
	{ "ESN", 0, -1 },           { "", 0, -1 },
	{ "MODP_2048X", 1, -1 },    { "modp_2048", 0, -1 },
	{ "KE", 0, -1 },            { "KE9_X", 0, -1 },
};

ParameterizedTestParameters(charon, ke_helpers)
{
	return index_params(sizeof(ke_rows) / sizeof(ke_rows[0]));
}

ParameterizedTest(size_t *i, charon, ke_helpers)
{
	const struct ke_row *r = &ke_rows[*i];

	cr_assert_eq(charon_transform_is_ke(r->name), r->is_ke, "%s", r->name);
	cr_assert_eq(charon_ke_group_number(r->name), r->group, "%s", r->name);
}

Test(charon, ke_helpers_null)
{
	cr_assert_eq(charon_transform_is_ke(NULL), 0);
	cr_assert_eq(charon_ke_group_number(NULL), -1);
}

/* ------------------------------------------------------------------------ */
/* Regressions (named after the bug they pin down) */

/* A conn name starting with 'w' or 'a' was taken for "with"/"after" in the
 * 6.x half-open line during development. */
Test(regression, half_open_name_starting_with_w_or_a)
{
	struct charon_event ev;
	static const char l[] =
	    "deleting half open IKE_SA west-alpha[3] with 10.1.1.1 after timeout";

	cr_assert_eq(parse_exact(l, sizeof(l) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_HALF_OPEN_TIMEOUT);
	cr_assert_str_eq(ev.ike_name, "west-alpha");
}

/* 6.x vici selectors "'c' #3 of IKE_SA 'i' #5": the "#3" belongs to the
 * CHILD_SA named before it, not to a default target. */
Test(regression, vici_selector_type_persists)
{
	struct charon_event ev;
	static const char l[] = "vici terminate IKE_SA 'i' #5";

	cr_assert_eq(parse_exact(l, sizeof(l) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_VICI_TERMINATE);
	cr_assert(ev.has & CHARON_HAS_IKE_UID);
	cr_assert_eq(ev.ike_uid, 5u);
	cr_assert_eq(ev.has & CHARON_HAS_CHILD_UID, 0u);
}

/* A failed earlier alternative must not leave a number behind
 * ("IKE_SA rekeying failed, trying again in 5" then not " seconds"). */
Test(regression, no_stale_fields_after_failed_alternative)
{
	struct charon_event ev;
	static const char l[] = "IKE_SA rekeying failed, trying again in 5 minutes";

	cr_assert_eq(parse_exact(l, sizeof(l) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_OTHER);
	cr_assert_eq(ev.has, 0u);
	cr_assert_eq(ev.seconds, 0u);
}

/* The socket_error variant was copied with PUT_LIT from a ?: of two
 * literals, so sizeof gave the pointer's size and 7 bytes were read from
 * the 6-byte "write" (found by fuzz_charon; the input is
 * tests/fuzz/corpus/charon/socket_error_variant_read_past_literal).
 * PUT_LIT now takes literals only; under ASan this test reads nothing past
 * either literal. */
Test(regression, socket_error_variant_read_past_literal)
{
	struct charon_event ev;
	static const char w[] = "04[NET] error writing to socket: Network is unreachable";
	static const char r[] = "04[NET] error reading socket: Bad file descriptor";

	cr_assert_eq(parse_exact(w, sizeof(w) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_SOCKET_ERROR);
	cr_assert_str_eq(ev.variant, "write");
	cr_assert_str_eq(ev.detail, "Network is unreachable");
	cr_assert_eq(parse_exact(r, sizeof(r) - 1, &ev), 0);
	cr_assert_eq(ev.kind, CHARON_SOCKET_ERROR);
	cr_assert_str_eq(ev.variant, "read");
}
