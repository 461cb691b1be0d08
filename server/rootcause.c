/*
 * rootcause.c — root cause of a tunnel incident.  See rootcause.h.
 *
 * The signatures are FORMATS.md §3.4's: A (DPD / peer loss: retransmits of
 * an established SA's request, then give-up), B (no answer to IKE_SA_INIT),
 * C/D (no common IKE or ESP proposal), E (PFS: the proposals agree on all
 * but the DH group, typically at the first CREATE_CHILD_SA), F (PSK or
 * identity), TS, H (a bare DELETE for the IKE_SA, CSCvx86427 when nothing
 * re-initiates), and I (rekeys, which are never causes).
 */
#include "rootcause.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define RC_LOOKBACK_US   (10 * 60 * 1000000LL)
#define RC_GRACE_US      (60 * 1000000LL)
#define RC_NEAR_US       (3 * 1000000LL)

static const char *const rc_names[RC_MAX] = {
	[RC_UNKNOWN] = "unknown",
	[RC_DPD_TIMEOUT] = "dpd_timeout",
	[RC_PEER_NOT_RESPONDING] = "peer_not_responding",
	[RC_IKE_PROPOSAL_MISMATCH] = "ike_proposal_mismatch",
	[RC_ESP_PROPOSAL_MISMATCH] = "esp_proposal_mismatch",
	[RC_PFS_MISMATCH] = "pfs_mismatch",
	[RC_AUTH_FAILED] = "auth_failed",
	[RC_TS_MISMATCH] = "ts_mismatch",
	[RC_PEER_DELETE] = "peer_delete",
	[RC_LOCAL_DELETE] = "local_delete",
};

const char *
rc_cause_name(int cause)
{
	return cause >= 0 && cause < RC_MAX ? rc_names[cause] : "unknown";
}

static int
is_kind(const struct rc_event *e, int kind)
{
	return e->ch != NULL && e->ch->kind == kind;
}

static void
evidence_add(struct rc_result *r, const struct rc_event *e)
{
	int i;

	for (i = 0; i < r->nevidence; i++)
		if (r->evidence[i] == e->event_id)
			return;
	if (r->nevidence < RC_MAX_EVIDENCE)
		r->evidence[r->nevidence++] = e->event_id;
}

/* ---- proposals -------------------------------------------------------- */

/* Splits a proposal's transforms into the non-KE ones and the KE ones. */
static void
prop_split(const struct charon_proposal *p, const char *non[], int *nnon,
    const char *ke[], int *nke)
{
	int i;

	*nnon = *nke = 0;
	for (i = 0; i < p->ntransforms && i < CHARON_TRANSFORMS_MAX; i++) {
		if (charon_transform_is_ke(p->transforms[i]))
			ke[(*nke)++] = p->transforms[i];
		else
			non[(*nnon)++] = p->transforms[i];
	}
}

static int
set_equal(const char *a[], int na, const char *b[], int nb)
{
	int i, j;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++)
			if (strcmp(a[i], b[j]) == 0)
				break;
		if (j == nb)
			return 0;
	}
	return 1;
}

static int
set_meets(const char *a[], int na, const char *b[], int nb)
{
	int i, j;

	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (strcmp(a[i], b[j]) == 0)
				return 1;
	return 0;
}

static void
ke_text(char *out, size_t sz, const char *t)
{
	int g = charon_ke_group_number(t);

	if (g > 0)
		snprintf(out, sz, "%s (group %d)", t, g);
	else
		snprintf(out, sz, "%s", t);
}

int
rc_compare_proposals(const struct charon_event *conf, const struct charon_event *recv,
    char *why, size_t whysz)
{
	const char *cn[CHARON_TRANSFORMS_MAX], *ck[CHARON_TRANSFORMS_MAX];
	const char *rn[CHARON_TRANSFORMS_MAX], *rk[CHARON_TRANSFORMS_MAX];
	int ncn, nck, nrn, nrk, i, j, any_recv_ke = 0;
	const char *proto = conf->nproposals > 0 ? conf->proposals[0].protocol : "";
	const char *conf_ke = NULL, *recv_ke = NULL;
	char a[64], b[64];

	for (j = 0; j < recv->nproposals; j++) {
		prop_split(&recv->proposals[j], rn, &nrn, rk, &nrk);
		if (nrk > 0) {
			any_recv_ke = 1;
			if (recv_ke == NULL)
				recv_ke = rk[0];
		}
	}
	for (i = 0; i < conf->nproposals; i++) {
		prop_split(&conf->proposals[i], cn, &ncn, ck, &nck);
		for (j = 0; j < recv->nproposals; j++) {
			if (strcmp(conf->proposals[i].protocol, recv->proposals[j].protocol) != 0)
				continue;
			prop_split(&recv->proposals[j], rn, &nrn, rk, &nrk);
			if (!set_equal(cn, ncn, rn, nrn))
				continue;
			if ((nck == 0 && nrk == 0) || set_meets(ck, nck, rk, nrk)) {
				snprintf(why, whysz, "a configured proposal matches one of the peer's");
				return RC_UNKNOWN;
			}
			if (conf_ke == NULL && nck > 0)
				conf_ke = ck[0];
			if (nck == 0 && recv_ke == NULL && nrk > 0)
				recv_ke = rk[0];
			if (nck == 0 && nrk > 0)
				recv_ke = rk[0];
			goto pfs;
		}
	}
	if (strcmp(proto, "IKE") == 0) {
		snprintf(why, whysz, "no IKE proposal in common: this end is configured for "
		    "%s%s, none of the peer's %d proposals matches: align the IKE "
		    "cipher-suite and DH group on both ends",
		    conf->nproposals > 0 ? "" : "(none)",
		    conf->nproposals > 0 ? "the proposals logged as configured" : "",
		    recv->nproposals);
		return RC_IKE_PROPOSAL_MISMATCH;
	}
	snprintf(why, whysz, "no ESP proposal in common, even ignoring the DH group: the "
	    "peer offered %d proposals, none with the configured encryption and "
	    "integrity: align the IPsec cipher-suite on both ends", recv->nproposals);
	return RC_ESP_PROPOSAL_MISMATCH;
pfs:
	if (conf_ke != NULL && !any_recv_ke) {
		ke_text(a, sizeof a, conf_ke);
		snprintf(why, whysz, "configured proposal requires %s for PFS; none of the "
		    "peer's proposals carries a DH group: make perfect-forward-secrecy "
		    "match on both ends", a);
	} else if (conf_ke != NULL && recv_ke != NULL) {
		ke_text(a, sizeof a, conf_ke);
		ke_text(b, sizeof b, recv_ke);
		snprintf(why, whysz, "configured proposal requires %s for PFS; the peer "
		    "offers %s: make perfect-forward-secrecy groups match on both ends", a, b);
	} else {
		ke_text(b, sizeof b, recv_ke != NULL ? recv_ke : "a DH group");
		snprintf(why, whysz, "the peer's proposals require %s for PFS; the "
		    "configured proposal carries no DH group: make perfect-forward-secrecy "
		    "match on both ends", b);
	}
	return RC_PFS_MISMATCH;
}

/* ---- signatures -------------------------------------------------------- */

/* The exchange of the nearest message line at or before index i (same
 * second or two), e.g. "CREATE_CHILD_SA"; "" if none. */
static const char *
exchange_near(const struct rc_event *ev, size_t i)
{
	size_t k = i + 1;

	while (k-- > 0) {
		const struct charon_event *c = ev[k].ch;
		if (ev[i].us - ev[k].us > RC_NEAR_US)
			break;
		if (c != NULL && (c->kind == CHARON_MESSAGE_PARSED ||
		    c->kind == CHARON_MESSAGE_GENERATED) && c->exchange[0] != '\0')
			return c->exchange;
	}
	return "";
}

/* Adds the message lines within RC_NEAR_US around i to the evidence. */
static void
evidence_context(struct rc_result *r, const struct rc_event *ev, size_t n, size_t i)
{
	size_t k;

	for (k = i; k-- > 0 && ev[i].us - ev[k].us <= RC_NEAR_US;) {
		if (ev[k].ch != NULL && ev[k].ch->kind == CHARON_MESSAGE_PARSED) {
			evidence_add(r, &ev[k]);
			break;
		}
	}
	evidence_add(r, &ev[i]);
	for (k = i + 1; k < n && ev[k].us - ev[i].us <= RC_NEAR_US; k++) {
		const struct charon_event *c = ev[k].ch;
		if (c == NULL)
			continue;
		if (c->kind == CHARON_CHILD_FAILED_KEEP_IKE ||
		    c->kind == CHARON_CHILD_FAILED_CLOSE_IKE ||
		    (c->kind == CHARON_MESSAGE_GENERATED && c->payload_flags &
		    (CHARON_PL_NO_PROP | CHARON_PL_AUTH_FAILED | CHARON_PL_TS_UNACCEPT)))
			evidence_add(r, &ev[k]);
	}
}

static int
notify_is(const struct charon_event *c, const char *name)
{
	return strcmp(c->notify, name) == 0;
}

/*
 * Negotiation failures: proposals, PFS, authentication, traffic selectors.
 * Returns the cause of the first one found (RC_UNKNOWN if none) and fills
 * r with its summary and evidence.
 */
static int
rc_negotiation(const struct rc_event *ev, size_t n, int was_up, struct rc_result *r)
{
	const struct rc_event *recv = NULL, *conf = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct charon_event *c = ev[i].ch;
		const char *xch;
		int cause = RC_UNKNOWN;

		if (c == NULL)
			continue;
		switch (c->kind) {
		case CHARON_PROPOSALS_RECEIVED:
			recv = &ev[i];
			continue;
		case CHARON_PROPOSALS_CONFIGURED:
			conf = &ev[i];
			continue;
		case CHARON_NO_ACCEPTABLE_PROPOSAL:
		case CHARON_PROPOSALS_UNACCEPTABLE:
			if (recv != NULL && conf != NULL && ev[i].us - recv->us <= RC_NEAR_US &&
			    ev[i].us - conf->us <= RC_NEAR_US) {
				cause = rc_compare_proposals(conf->ch, recv->ch, r->summary,
				    sizeof r->summary);
				if (cause == RC_UNKNOWN)
					continue;
				evidence_add(r, recv);
				evidence_add(r, conf);
			} else {
				xch = exchange_near(ev, i);
				if (c->kind == CHARON_PROPOSALS_UNACCEPTABLE ||
				    strcmp(xch, "IKE_SA_INIT") == 0) {
					cause = RC_IKE_PROPOSAL_MISMATCH;
					snprintf(r->summary, sizeof r->summary, "the peer's IKE "
					    "proposals were not acceptable here: align the IKE "
					    "cipher-suite and DH group on both ends");
				} else if (strcmp(xch, "CREATE_CHILD_SA") == 0 && was_up) {
					cause = RC_PFS_MISMATCH;
					snprintf(r->summary, sizeof r->summary, "the CHILD_SA rekey "
					    "proposal was refused although the first CHILD_SA worked: "
					    "a PFS (DH group) mismatch; make perfect-forward-secrecy "
					    "match on both ends");
				} else {
					cause = RC_ESP_PROPOSAL_MISMATCH;
					snprintf(r->summary, sizeof r->summary, "no acceptable ESP "
					    "proposal: align the IPsec cipher-suite on both ends");
				}
			}
			break;
		case CHARON_NOTIFY_ERROR:
		case CHARON_NOTIFY_NO_CHILD:
		case CHARON_MESSAGE_PARSED:
			if (c->kind == CHARON_MESSAGE_PARSED) {
				if (!(c->payload_flags & (CHARON_PL_NO_PROP | CHARON_PL_AUTH_FAILED |
				    CHARON_PL_TS_UNACCEPT)))
					continue;
				xch = c->exchange;
			} else {
				xch = exchange_near(ev, i);
			}
			if ((c->kind == CHARON_MESSAGE_PARSED && (c->payload_flags & CHARON_PL_NO_PROP)) ||
			    (c->kind != CHARON_MESSAGE_PARSED && notify_is(c, "NO_PROPOSAL_CHOSEN"))) {
				if (strcmp(xch, "IKE_SA_INIT") == 0) {
					cause = RC_IKE_PROPOSAL_MISMATCH;
					snprintf(r->summary, sizeof r->summary, "the peer refused "
					    "every IKE proposal (NO_PROPOSAL_CHOSEN in IKE_SA_INIT): "
					    "align the IKE cipher-suite and DH group on both ends");
				} else if (strcmp(xch, "CREATE_CHILD_SA") == 0 && was_up) {
					cause = RC_PFS_MISMATCH;
					snprintf(r->summary, sizeof r->summary, "the peer refused the "
					    "CHILD_SA rekey (NO_PROPOSAL_CHOSEN in CREATE_CHILD_SA) "
					    "although the first CHILD_SA worked: a PFS (DH group) "
					    "mismatch; make perfect-forward-secrecy match on both ends");
				} else {
					cause = RC_ESP_PROPOSAL_MISMATCH;
					snprintf(r->summary, sizeof r->summary, "the peer refused "
					    "every ESP proposal (NO_PROPOSAL_CHOSEN): align the IPsec "
					    "cipher-suite on both ends");
				}
			} else if ((c->kind == CHARON_MESSAGE_PARSED &&
			    (c->payload_flags & CHARON_PL_AUTH_FAILED)) ||
			    notify_is(c, "AUTHENTICATION_FAILED")) {
				cause = RC_AUTH_FAILED;
				snprintf(r->summary, sizeof r->summary, "the peer rejected our "
				    "authentication (AUTHENTICATION_FAILED): check the pre-shared "
				    "key and the IKE identities on both ends");
			} else if ((c->kind == CHARON_MESSAGE_PARSED &&
			    (c->payload_flags & CHARON_PL_TS_UNACCEPT)) ||
			    notify_is(c, "TS_UNACCEPTABLE")) {
				cause = RC_TS_MISMATCH;
				snprintf(r->summary, sizeof r->summary, "the peer rejected the "
				    "traffic selectors (TS_UNACCEPTABLE): align the protected "
				    "subnets on both ends");
			} else if (notify_is(c, "INVALID_KE_PAYLOAD")) {
				continue;       /* charon retries with the requested group */
			} else {
				continue;
			}
			break;
		case CHARON_KE_UNACCEPTABLE:
		case CHARON_KE_REJECTED: {
			char a[64], b[64];
			xch = exchange_near(ev, i);
			ke_text(a, sizeof a, c->ke_offered);
			ke_text(b, sizeof b, c->ke_requested);
			if (strcmp(xch, "IKE_SA_INIT") == 0 || !was_up) {
				cause = RC_IKE_PROPOSAL_MISMATCH;
				snprintf(r->summary, sizeof r->summary, "DH group %s was not "
				    "accepted, %s was asked for: align the IKE DH group on both "
				    "ends", a, b);
			} else {
				cause = RC_PFS_MISMATCH;
				snprintf(r->summary, sizeof r->summary, "PFS group %s was not "
				    "accepted at rekey, %s was asked for: make "
				    "perfect-forward-secrecy match on both ends", a, b);
			}
			break;
		}
		case CHARON_PSK_MAC_MISMATCH:
			cause = RC_AUTH_FAILED;
			snprintf(r->summary, sizeof r->summary, "pre-shared key mismatch: "
			    "tried %u shared key(s) for '%s' - '%s' and the MAC did not match: "
			    "set the same pre-shared key on both ends", c->count, c->local.id,
			    c->remote.id);
			break;
		case CHARON_NO_SHARED_KEY:
			cause = RC_AUTH_FAILED;
			snprintf(r->summary, sizeof r->summary, "no pre-shared key is "
			    "configured for '%s' - '%s': check the IKE identities and the key",
			    c->local.id, c->remote.id);
			break;
		case CHARON_NO_PEER_CONFIG:
			cause = RC_AUTH_FAILED;
			snprintf(r->summary, sizeof r->summary, "no matching peer "
			    "configuration for the peer's identity: check the IKE identities "
			    "(local/remote id) on both ends");
			break;
		case CHARON_AUTH_FAILED:
		case CHARON_SIGNATURE_INVALID:
		case CHARON_CONSTRAINT_FAILED:
			cause = RC_AUTH_FAILED;
			snprintf(r->summary, sizeof r->summary, "authentication failed: check "
			    "the credentials and identities on both ends");
			break;
		case CHARON_TS_UNACCEPTABLE:
		case CHARON_NO_ACCEPTABLE_TS:
			cause = RC_TS_MISMATCH;
			snprintf(r->summary, sizeof r->summary, "traffic selectors %s%s%s "
			    "were not acceptable: align the protected subnets on both ends",
			    c->ts_local, c->ts_local[0] ? " === " : "", c->ts_remote);
			break;
		default:
			continue;
		}
		if (cause != RC_UNKNOWN) {
			evidence_context(r, ev, n, i);
			return cause;
		}
	}
	return RC_UNKNOWN;
}

/* FTMD interface downs around the outage's start. */
static void
evidence_ftmd_down(struct rc_result *r, const struct rc_event *ev, size_t n,
    int64_t start_us)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ev[i].ftmd_state == 0 && ev[i].us >= start_us - 5 * 1000000LL &&
		    ev[i].us <= start_us + RC_GRACE_US)
			evidence_add(r, &ev[i]);
}

/* IKEv2 DPD or peer loss: the give-up at g, its retransmits, the request. */
static int
rc_give_up(const struct rc_event *ev, size_t n, size_t g, int symptom,
    const char *peer, struct rc_result *r)
{
	int64_t msgid = -1, last_ok = -1;
	size_t i, nretx = 0, req = n, ok = n;
	char t1[96], t2[96];

	for (i = g; i-- > 0 && ev[g].us - ev[i].us <= RC_LOOKBACK_US;) {
		const struct charon_event *c = ev[i].ch;
		if (c == NULL)
			continue;
		if (c->kind == CHARON_RETRANSMIT && (c->has & CHARON_HAS_MSGID) &&
		    (msgid < 0 || (int64_t)c->msgid == msgid)) {
			msgid = c->msgid;
			nretx++;
		}
	}
	for (i = 0; i < g; i++) {
		const struct charon_event *c = ev[i].ch;
		if (c == NULL || ev[g].us - ev[i].us > RC_LOOKBACK_US)
			continue;
		/* The last request sent with that ID: IDs restart at 0 on
		 * every new IKE_SA, so an older one may be another exchange. */
		if (c->kind == CHARON_MESSAGE_GENERATED && !c->is_response &&
		    (int64_t)c->msgid == msgid)
			req = i;
		if (c->kind == CHARON_MESSAGE_PARSED && c->is_response == 1 &&
		    (c->has & CHARON_HAS_MSGID) && (msgid < 0 || (int64_t)c->msgid < msgid)) {
			ok = i;
			last_ok = c->msgid;
		}
	}
	/* Which exchange went unanswered decides: IKE_SA_INIT is a peer that
	 * never answered; INFORMATIONAL (DPD) or CREATE_CHILD_SA on an
	 * established SA is a peer lost.  Message ID 0 alone is not enough:
	 * after an IKE rekey the new SA's DPD starts at 0 too. */
	if (symptom == RC_SYM_NEVER_ESTABLISHED ||
	    (req < n && strcmp(ev[req].ch->exchange, "IKE_SA_INIT") == 0) ||
	    (req == n && msgid == 0)) {
		for (i = 0; i <= g; i++)
			if (is_kind(&ev[i], CHARON_RETRANSMIT) || i == g)
				evidence_add(r, &ev[i]);
		snprintf(r->summary, sizeof r->summary, "peer %s did not answer the IKE_SA_INIT "
		    "request (%zu retransmits, then charon gave up): check that the peer is "
		    "reachable on UDP 500/4500, its address, and that it is configured for "
		    "this tunnel", peer != NULL ? peer : "(unknown)", nretx);
		return RC_PEER_NOT_RESPONDING;
	}
	if (ok < n) {
		/* The request that got the last answer, then its answer. */
		for (i = ok; i-- > 0 && ev[ok].us - ev[i].us <= RC_NEAR_US;)
			if (is_kind(&ev[i], CHARON_MESSAGE_GENERATED) &&
			    (int64_t)ev[i].ch->msgid == last_ok)
				break;
		evidence_add(r, &ev[ok]);
	}
	for (i = req < n ? (req > 0 ? req - 1 : 0) : 0; i <= g; i++) {
		const struct charon_event *c = ev[i].ch;
		if (c == NULL)
			continue;
		if ((c->kind == CHARON_DPD_REQUEST && req < n && ev[req].us - ev[i].us <= RC_NEAR_US &&
		    i <= req) || i == req || i == g ||
		    (c->kind == CHARON_RETRANSMIT && (int64_t)c->msgid == msgid))
			evidence_add(r, &ev[i]);
	}
	if (ok < n)
		snprintf(t2, sizeof t2, "; the last answer was to request %" PRId64, last_ok);
	else
		t2[0] = '\0';
	/* Without its retransmit lines (not sent, or before the window) the
	 * give-up's own count is all there is. */
	if (nretx > 0)
		snprintf(t1, sizeof t1, "request %" PRId64 " was retransmitted %zu times",
		    msgid, nretx);
	else
		snprintf(t1, sizeof t1, "charon gave up after %u retransmits",
		    (unsigned)ev[g].ch->count);
	snprintf(r->summary, sizeof r->summary, "peer %s stopped answering: %s without a "
	    "reply and charon declared the peer dead%s. "
	    "Usually packet loss on the path to the peer: a one-off cannot be traced "
	    "afterwards; if it recurs, capture on both ends and involve the ISP",
	    peer != NULL ? peer : "(unknown)", t1, t2);
	return RC_DPD_TIMEOUT;
}

/* Was the IKE_SA delete at d part of a rekey, and did anything follow? */
static int
rc_delete_is_rekey(const struct rc_event *ev, size_t n, size_t d)
{
	size_t i;

	for (i = d; i-- > 0 && ev[d].us - ev[i].us <= 10 * 1000000LL;) {
		const struct charon_event *c = ev[i].ch;
		if (c != NULL && (c->kind == CHARON_IKE_REKEYED ||
		    ((c->kind == CHARON_MESSAGE_PARSED || c->kind == CHARON_MESSAGE_GENERATED) &&
		    strcmp(c->exchange, "CREATE_CHILD_SA") == 0 &&
		    (c->payload_flags & CHARON_PL_KE) && !(c->payload_flags & CHARON_PL_TS))))
			return 1;
	}
	(void)n;
	return 0;
}

static int
rc_reinitiated_after(const struct rc_event *ev, size_t n, size_t d)
{
	size_t i;

	for (i = d + 1; i < n; i++) {
		const struct charon_event *c = ev[i].ch;
		if (c != NULL && (c->kind == CHARON_IKE_INITIATE ||
		    c->kind == CHARON_IKE_REINITIATE || c->kind == CHARON_CHILD_RESTART ||
		    c->kind == CHARON_IKE_ESTABLISHED || c->kind == CHARON_IKE_INITIATE_RESPONDER))
			return 1;
	}
	return 0;
}

void
rc_classify(const struct rc_event *ev, size_t n, int64_t start_us, int symptom,
    const char *peer, struct rc_result *r)
{
	size_t i, trig = n;
	int cause = RC_UNKNOWN;

	memset(r, 0, sizeof *r);
	if (symptom == RC_SYM_DOWN) {
		/* The trigger of the down: the last one at or just after its
		 * start (lines of one second may come in any order), else the
		 * first one after it.  Later triggers — the give-up of a failed
		 * re-initiation, say — are consequences, not the cause. */
		for (i = 0; i < n; i++) {
			const struct charon_event *c = ev[i].ch;
			int is_trigger = 0;
			if (c == NULL || ev[i].us > start_us + RC_GRACE_US ||
			    start_us - ev[i].us > RC_LOOKBACK_US)
				continue;
			switch (c->kind) {
			case CHARON_GIVE_UP:
				is_trigger = strcmp(c->variant, "path_probings") != 0;
				break;
			case CHARON_IKE_DELETE_RECEIVED:
			case CHARON_IKE_DELETE_SENT:
				is_trigger = !rc_delete_is_rekey(ev, n, i);
				break;
			case CHARON_DPD_TIMEOUT:
			case CHARON_IKE_ESTABLISH_NO_RESPONSE:
			case CHARON_IKE_REKEY_NO_RESPONSE:
			case CHARON_VICI_TERMINATE:
			case CHARON_STROKE_TERMINATE:
				is_trigger = 1;
				break;
			}
			if (!is_trigger)
				continue;
			if (ev[i].us <= start_us + RC_NEAR_US)
				trig = i;               /* the latest one up to the start */
			else if (trig == n)
				trig = i;               /* else the first one after it */
			else if (ev[trig].us > start_us + RC_NEAR_US)
				break;
		}
		/* A CHILD_SA that expired because its rekeys kept failing. */
		cause = rc_negotiation(ev, n, 1, r);
		if (cause == RC_PFS_MISMATCH) {
			evidence_ftmd_down(r, ev, n, start_us);
			goto out;
		}
		if (trig < n) {
			const struct charon_event *c = ev[trig].ch;
			memset(r, 0, sizeof *r);
			switch (c->kind) {
			case CHARON_GIVE_UP:
				cause = rc_give_up(ev, n, trig, symptom, peer, r);
				break;
			case CHARON_DPD_TIMEOUT:
				cause = RC_DPD_TIMEOUT;
				evidence_add(r, &ev[trig]);
				snprintf(r->summary, sizeof r->summary, "IKEv1 dead peer "
				    "detection timed out for peer %s: usually packet loss on the "
				    "path; if it recurs, capture on both ends and involve the ISP",
				    peer != NULL ? peer : "(unknown)");
				break;
			case CHARON_IKE_ESTABLISH_NO_RESPONSE:
			case CHARON_IKE_REKEY_NO_RESPONSE:
				cause = RC_PEER_NOT_RESPONDING;
				for (i = 0; i <= trig; i++)
					if (is_kind(&ev[i], CHARON_RETRANSMIT) ||
					    is_kind(&ev[i], CHARON_GIVE_UP) || i == trig)
						evidence_add(r, &ev[i]);
				snprintf(r->summary, sizeof r->summary, "peer %s is not "
				    "responding: check reachability on UDP 500/4500 and the "
				    "peer's configuration", peer != NULL ? peer : "(unknown)");
				break;
			case CHARON_IKE_DELETE_RECEIVED:
				cause = RC_PEER_DELETE;
				r->cscvx86427 = !rc_reinitiated_after(ev, n, trig);
				for (i = trig; i < n && ev[i].us - ev[trig].us <= RC_NEAR_US; i++)
					if (ev[i].ch != NULL && (ev[i].ch->kind == CHARON_IKE_DELETE_RECEIVED ||
					    ev[i].ch->kind == CHARON_IKE_DELETING ||
					    ev[i].ch->kind == CHARON_IKE_DELETED ||
					    ev[i].ch->kind == CHARON_KERNEL_SAD_DELETE))
						evidence_add(r, &ev[i]);
				snprintf(r->summary, sizeof r->summary, "peer %s deleted the "
				    "IKE_SA%s%s%s with no rekey around it%s",
				    peer != NULL ? peer : "(unknown)",
				    c->ike_name[0] ? " " : "", c->ike_name,
				    c->ike_name[0] ? "" : "",
				    r->cscvx86427 ? " and no new IKE_SA followed — suspected "
				    "CSCvx86427: clear the tunnel to re-initiate it and upgrade to a "
				    "release with the fix" : ": check the peer's logs for why it "
				    "closed the tunnel");
				break;
			default:
				cause = RC_LOCAL_DELETE;
				evidence_add(r, &ev[trig]);
				snprintf(r->summary, sizeof r->summary, "this vEdge deleted the "
				    "IKE_SA itself (%s), not the peer: check configuration changes "
				    "and the local tunnel settings at that time",
				    charon_kind_name(c->kind));
				break;
			}
			evidence_ftmd_down(r, ev, n, start_us);
			goto out;
		}
		/* Went down without a charon trigger: why does it not come back? */
		memset(r, 0, sizeof *r);
		cause = rc_negotiation(ev, n, 1, r);
		if (cause == RC_UNKNOWN) {
			memset(r, 0, sizeof *r);
			snprintf(r->summary, sizeof r->summary, "the tunnel went down with no "
			    "charon evidence around it: make sure the vEdge sends charon lines "
			    "(logging priority information) so the cause can be seen");
		}
		evidence_ftmd_down(r, ev, n, start_us);
		goto out;
	}

	cause = rc_negotiation(ev, n, symptom == RC_SYM_DEGRADED, r);
	if (cause != RC_UNKNOWN)
		goto out;
	memset(r, 0, sizeof *r);
	if (symptom == RC_SYM_NEVER_ESTABLISHED) {
		for (i = n; i-- > 0;) {
			const struct charon_event *c = ev[i].ch;
			if (c != NULL && (c->kind == CHARON_GIVE_UP ||
			    c->kind == CHARON_IKE_ESTABLISH_NO_RESPONSE ||
			    c->kind == CHARON_PEER_NOT_RESPONDING_RETRY ||
			    c->kind == CHARON_HALF_OPEN_TIMEOUT)) {
				if (c->kind == CHARON_GIVE_UP) {
					cause = rc_give_up(ev, n, i, symptom, peer, r);
				} else {
					cause = RC_PEER_NOT_RESPONDING;
					evidence_add(r, &ev[i]);
					snprintf(r->summary, sizeof r->summary, "peer %s does not "
					    "answer: check reachability on UDP 500/4500, the peer "
					    "address and its configuration",
					    peer != NULL ? peer : "(unknown)");
				}
				goto out;
			}
		}
	}
	snprintf(r->summary, sizeof r->summary, "%s, and the logs do not show why: "
	    "look at the peer's logs, or raise charon's log level",
	    symptom == RC_SYM_DEGRADED ? "CHILD_SA rekeys fail" :
	    "the tunnel never came up");
out:
	r->cause = cause;
	/* Evidence in device-time order: ev is ordered, so sort by position. */
	{
		int a, b;
		for (a = 1; a < r->nevidence; a++) {
			int64_t id = r->evidence[a];
			size_t pa = n;
			for (i = 0; i < n; i++)
				if (ev[i].event_id == id)
					pa = i;
			for (b = a - 1; b >= 0; b--) {
				size_t pb = n;
				for (i = 0; i < n; i++)
					if (ev[i].event_id == r->evidence[b])
						pb = i;
				if (pb <= pa)
					break;
				r->evidence[b + 1] = r->evidence[b];
			}
			r->evidence[b + 1] = id;
		}
	}
}
