/*
 * rootcause.c — root cause of a tunnel incident.  See rootcause.h.
 *
 * The signatures are those of docs/log-formats.md (root-cause signatures):
 * A (DPD / peer loss: retransmits of an established SA's request, then
 * give-up), B (no answer to IKE_SA_INIT), C/D (no common IKE or ESP
 * proposal), E (PFS: the proposals agree on all but the DH group,
 * typically at the first CREATE_CHILD_SA), F (PSK or identity), TS, H (a
 * bare DELETE for the IKE_SA, from its own line or from the peer's
 * INFORMATIONAL request; CSCvx86427 when nothing re-initiates), and I
 * (rekeys, which are never causes).
 *
 * Lines of one second arrive in any order (several charon threads, UDP):
 * a negotiation is judged from all of its lines, found by time and thread,
 * and ties between lines of one second are broken by what they say, never
 * by their position — rc_classify gives the same cause and summary for any
 * order of the lines within a second.
 */
#include "rootcause.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define RC_LOOKBACK_US   (10 * 60 * 1000000LL)
#define RC_GRACE_US      (60 * 1000000LL)
#define RC_NEAR_US       (3 * 1000000LL)
#define RC_SAME_US       (1000000LL)      /* one negotiation, either way */
#define RC_TRANSPORT_US  (10 * 1000000LL) /* uplink down this long before the tunnel */

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
	[RC_LOCAL_TRANSPORT_DOWN] = "local_transport_down",
};

const char *
rc_cause_name(int cause)
{
	return cause >= 0 && cause < RC_MAX ? rc_names[cause] : "unknown";
}

int
rc_cause_from_name(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < RC_MAX; i++)
		if (strcmp(name, rc_names[i]) == 0)
			return i;
	return RC_UNKNOWN;
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

/* ---- one negotiation -------------------------------------------------- */

/*
 * Lines of one negotiation may be logged by other threads and reach us in
 * any order within their second (UDP, several workers): everything below
 * that looks "around" a line uses time windows and thread ids, never the
 * position in ev[], so that a shuffle of one second gives the same answer.
 */

static int
same_thread(const struct charon_event *a, const struct charon_event *b)
{
	return a->thread < 0 || b->thread < 0 || a->thread == b->thread;
}

static int
is_message(const struct charon_event *c)
{
	return c != NULL && (c->kind == CHARON_MESSAGE_PARSED ||
	    c->kind == CHARON_MESSAGE_GENERATED) && c->exchange[0] != '\0';
}

/* IKE_SA_INIT and the IKEv1 phase 1 exchanges (Main and Aggressive Mode). */
static int
xch_is_phase1(const char *x)
{
	return strcmp(x, "IKE_SA_INIT") == 0 || strcmp(x, "ID_PROT") == 0 ||
	    strcmp(x, "AGGRESSIVE") == 0;
}

static const char *
xch_text(const char *x)
{
	if (strcmp(x, "ID_PROT") == 0)
		return "Main Mode";
	if (strcmp(x, "AGGRESSIVE") == 0)
		return "Aggressive Mode";
	if (strcmp(x, "QUICK_MODE") == 0)
		return "Quick Mode";
	return x;
}

#define RC_PL_ERRORS (CHARON_PL_NO_PROP | CHARON_PL_AUTH_FAILED | \
    CHARON_PL_TS_UNACCEPT | CHARON_PL_INVAL_KE)

enum { RC_ROLE_ANY, RC_ROLE_INITIATOR, RC_ROLE_RESPONDER };

/*
 * The message line that tells which exchange the failure line at i belongs
 * to, or n.  role INITIATOR: our request and its answer (a received error
 * notify); RESPONDER: the peer's request and our answer (we refused).  The
 * best is a line of the same thread within a second that carries an error
 * notify, then one of the same thread, then any within a second, then the
 * latest one up to RC_NEAR_US before; ties go to the later line, then the
 * higher message ID.  INFORMATIONAL_V1 tells nothing (IKEv1 sends its error
 * notifies in one, in Main and Quick Mode alike).
 */
static size_t
rc_exchange_line(const struct rc_event *ev, size_t n, size_t i, int role)
{
	size_t k, lo = i, best = n;
	int bscore = 0;

	while (lo > 0 && ev[i].us - ev[lo - 1].us <= RC_NEAR_US)
		lo--;
	for (k = lo; k < n && ev[k].us - ev[i].us <= RC_SAME_US; k++) {
		const struct charon_event *c = ev[k].ch;
		int64_t dt = ev[k].us - ev[i].us;
		int score, ours;

		if (!is_message(c) || strcmp(c->exchange, "INFORMATIONAL_V1") == 0)
			continue;
		ours = (c->kind == CHARON_MESSAGE_GENERATED) == (c->is_response == 0);
		if ((role == RC_ROLE_INITIATOR && !ours) || (role == RC_ROLE_RESPONDER && ours))
			continue;
		if (dt >= -RC_SAME_US && same_thread(c, ev[i].ch))
			score = (c->payload_flags & RC_PL_ERRORS) ? 4 : 3;
		else if (dt >= -RC_SAME_US)
			score = 2;
		else
			score = 1;
		if (best < n) {
			const struct charon_event *b = ev[best].ch;
			if (score < bscore)
				continue;
			if (score == bscore) {
				if (ev[k].us != ev[best].us) {
					if (ev[k].us < ev[best].us)
						continue;
				} else if (c->msgid != b->msgid) {
					if (c->msgid < b->msgid)
						continue;
				} else if (strcmp(c->exchange, b->exchange) <= 0) {
					continue;
				}
			}
		}
		best = k;
		bscore = score;
	}
	return best;
}

/* Our request that the message at k answers (same exchange and ID, up to
 * RC_NEAR_US before, any thread), or n. */
static size_t
rc_request_of(const struct rc_event *ev, size_t n, size_t k)
{
	const struct charon_event *m = ev[k].ch;
	size_t j;

	if (m->kind == CHARON_MESSAGE_GENERATED && m->is_response == 0)
		return k;
	for (j = 0; j < n; j++) {
		const struct charon_event *c = ev[j].ch;
		if (ev[j].us > ev[k].us || ev[k].us - ev[j].us > RC_NEAR_US ||
		    c == NULL || c->kind != CHARON_MESSAGE_GENERATED || c->is_response != 0 ||
		    c->msgid != m->msgid || strcmp(c->exchange, m->exchange) != 0)
			continue;
		return j;
	}
	return n;
}

/* Any line of kind within [us - before, us + after] of line i. */
static int
kind_near(const struct rc_event *ev, size_t n, size_t i, int kind, int64_t before,
    int64_t after)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (is_kind(&ev[k], kind) && ev[k].us >= ev[i].us - before &&
		    ev[k].us <= ev[i].us + after)
			return 1;
	return 0;
}

enum { RC_LIFE_NONE, RC_LIFE_CONNECTING, RC_LIFE_ESTABLISHED };

/*
 * Where the tunnel's IKE_SA stood when line i was logged, from the lines
 * up to i's second (lines of the same second count as concurrent): the
 * latest sign of a negotiation starting against the latest sign of an
 * established SA.  At equal times the SA is established (it comes after
 * its own start).
 */
static int
rc_lifecycle(const struct rc_event *ev, size_t n, size_t i)
{
	int64_t b = INT64_MIN, e = INT64_MIN;
	size_t k;

	for (k = 0; k < n && ev[k].us <= ev[i].us; k++) {
		const struct charon_event *c = ev[k].ch;
		if (c == NULL || ev[i].us - ev[k].us > RC_LOOKBACK_US)
			continue;
		switch (c->kind) {
		case CHARON_IKE_INITIATE:
		case CHARON_IKE_INITIATE_RESPONDER:
		case CHARON_IKE_REINITIATE:
		case CHARON_PEER_NOT_RESPONDING_RETRY:
			b = ev[k].us;
			break;
		case CHARON_IKE_ESTABLISHED:
		case CHARON_CHILD_ESTABLISHED:
		case CHARON_IKE_REKEYED:
		case CHARON_CHILD_REKEYED:
		case CHARON_DPD_REQUEST:
		case CHARON_REKEY_SCHEDULED:
		case CHARON_REAUTH_SCHEDULED:
		case CHARON_IKE_REKEY_FAILED:
		case CHARON_CHILD_REKEY_FAILED:
			e = ev[k].us;
			break;
		case CHARON_MESSAGE_PARSED:
		case CHARON_MESSAGE_GENERATED:
			if (xch_is_phase1(c->exchange))
				b = ev[k].us;
			else if (strcmp(c->exchange, "CREATE_CHILD_SA") == 0 ||
			    strcmp(c->exchange, "INFORMATIONAL") == 0 ||
			    strcmp(c->exchange, "QUICK_MODE") == 0)
				e = ev[k].us;
			break;
		}
	}
	if (b == INT64_MIN && e == INT64_MIN)
		return RC_LIFE_NONE;
	return e >= b ? RC_LIFE_ESTABLISHED : RC_LIFE_CONNECTING;
}

/* How a NO_PROPOSAL_CHOSEN or a refused proposal was logged. */
enum {
	RC_NP_NOTIFY_V2,   /* received NO_PROPOSAL_CHOSEN notify error (ike_init) */
	RC_NP_NOTIFY_V1,   /* received NO_PROPOSAL_CHOSEN error notify (IKEv1) */
	RC_NP_NO_CHILD,    /* received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built */
	RC_NP_PARSED,      /* parsed X response N [ N(NO_PROP) ] */
	RC_NP_LOCAL        /* no acceptable proposal found (we refused) */
};

/*
 * Which proposals a NO_PROPOSAL_CHOSEN at i was about, by the exchange it
 * answers (strongSwan 5.9: ike_init.c logs "notify error" for IKE_SA_INIT
 * and IKE rekeys, child_create.c "notify, no CHILD_SA built" for IKE_AUTH
 * and CREATE_CHILD_SA; IKEv1 logs "error notify" from an INFORMATIONAL_V1,
 * fatal in Main Mode, a refused CHILD_SA in Quick Mode).  When no message
 * line tells the exchange, where the IKE_SA stood decides: still
 * negotiating (or nothing established in the window) is the IKE proposal.
 */
static int
rc_no_prop(const struct rc_event *ev, size_t n, size_t i, int how, int symptom,
    struct rc_result *r)
{
	const struct charon_event *c = ev[i].ch;
	int was_up = symptom != RC_SYM_NEVER_ESTABLISHED, life;
	const char *xch = "";
	size_t k;

	if (how == RC_NP_PARSED) {
		k = i;
	} else {
		k = rc_exchange_line(ev, n, i, how == RC_NP_LOCAL ? RC_ROLE_RESPONDER :
		    RC_ROLE_INITIATOR);
	}
	if (k < n)
		xch = ev[k].ch->exchange;
	if (strcmp(xch, "INFORMATIONAL_V1") == 0) {
		xch = "";               /* IKEv1 error notifies come in one */
		how = RC_NP_NOTIFY_V1;
	}
	if (how == RC_NP_LOCAL) {
		if (c->kind == CHARON_PROPOSALS_UNACCEPTABLE || xch_is_phase1(xch) ||
		    strcmp(c->variant, "ikev1") == 0) {
			snprintf(r->summary, sizeof r->summary, "the peer's IKE proposals "
			    "were not acceptable here%s%s: align the IKE cipher-suite and DH "
			    "group on both ends", xch[0] ? " in " : "", xch_text(xch));
			return RC_IKE_PROPOSAL_MISMATCH;
		}
		if (strcmp(xch, "CREATE_CHILD_SA") == 0 && was_up) {
			snprintf(r->summary, sizeof r->summary, "the CHILD_SA rekey "
			    "proposal was refused although the first CHILD_SA worked: "
			    "a PFS (DH group) mismatch; make perfect-forward-secrecy "
			    "match on both ends");
			return RC_PFS_MISMATCH;
		}
		snprintf(r->summary, sizeof r->summary, "no acceptable ESP "
		    "proposal: align the IPsec cipher-suite on both ends");
		return RC_ESP_PROPOSAL_MISMATCH;
	}
	if (xch[0] == '\0' || strcmp(xch, "INFORMATIONAL") == 0) {
		/* No message line: the rekey that failed, or the IKE_SA's state. */
		xch = "";
		if (kind_near(ev, n, i, CHARON_IKE_REKEY_FAILED, RC_SAME_US, RC_NEAR_US) ||
		    kind_near(ev, n, i, CHARON_IKE_REKEY_NO_RESPONSE, RC_SAME_US, RC_NEAR_US))
			xch = "IKE_REKEY";
		else if (kind_near(ev, n, i, CHARON_CHILD_REKEY_FAILED, RC_SAME_US, RC_NEAR_US))
			xch = "CREATE_CHILD_SA";
	}
	if (xch[0] == '\0' && how != RC_NP_NO_CHILD) {
		life = rc_lifecycle(ev, n, i);
		if (life == RC_LIFE_CONNECTING ||
		    (life == RC_LIFE_NONE && symptom != RC_SYM_DEGRADED)) {
			snprintf(r->summary, sizeof r->summary, "the peer refused every IKE "
			    "proposal (NO_PROPOSAL_CHOSEN answering our %s%s): align the "
			    "IKE cipher-suite and DH group on both ends",
			    how == RC_NP_NOTIFY_V1 ? "Main Mode" : "IKE_SA_INIT",
			    life == RC_LIFE_NONE ? "; no IKE_SA was established in the "
			    "window" : "");
			return RC_IKE_PROPOSAL_MISMATCH;
		}
	}
	if (xch_is_phase1(xch) || strcmp(xch, "IKE_REKEY") == 0) {
		snprintf(r->summary, sizeof r->summary, "the peer refused every IKE "
		    "proposal (NO_PROPOSAL_CHOSEN in %s): align the IKE cipher-suite "
		    "and DH group on both ends", strcmp(xch, "IKE_REKEY") == 0 ?
		    "the IKE_SA rekey" : xch_text(xch));
		return RC_IKE_PROPOSAL_MISMATCH;
	}
	if (strcmp(xch, "CREATE_CHILD_SA") == 0 && how == RC_NP_NOTIFY_V2 && k < n) {
		/* ike_init also runs IKE rekeys: a request without TS. */
		size_t q = rc_request_of(ev, n, k);
		if (q < n && (ev[q].ch->payload_flags & CHARON_PL_KE) &&
		    !(ev[q].ch->payload_flags & CHARON_PL_TS)) {
			snprintf(r->summary, sizeof r->summary, "the peer refused every "
			    "IKE proposal (NO_PROPOSAL_CHOSEN in the IKE_SA rekey): align "
			    "the IKE cipher-suite and DH group on both ends");
			return RC_IKE_PROPOSAL_MISMATCH;
		}
	}
	if (strcmp(xch, "CREATE_CHILD_SA") == 0 && was_up) {
		snprintf(r->summary, sizeof r->summary, "the peer refused the "
		    "CHILD_SA rekey (NO_PROPOSAL_CHOSEN in CREATE_CHILD_SA) "
		    "although the first CHILD_SA worked: a PFS (DH group) "
		    "mismatch; make perfect-forward-secrecy match on both ends");
		return RC_PFS_MISMATCH;
	}
	snprintf(r->summary, sizeof r->summary, "the peer refused every ESP proposal "
	    "(NO_PROPOSAL_CHOSEN%s%s): align the IPsec cipher-suite on both ends",
	    xch[0] ? " in " : "", xch_text(xch));
	return RC_ESP_PROPOSAL_MISMATCH;
}

/* ---- signatures -------------------------------------------------------- */

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

/* A negotiation failure found at one line: its cause, how specific the
 * line is (the most specific line of a negotiation speaks for it), and
 * the proposal lines it was decided from. */
struct rc_finding {
	int cause;
	int rank;
	size_t at, conf, recv;
	char summary[RC_SUMMARY_LEN];
};

/*
 * The proposals behind a refusal at i: every configured/received pair of
 * one protocol logged within RC_NEAR_US before to a second after it, of
 * i's thread if it logged any.  The most telling comparison wins (PFS,
 * then a mismatch; a pair that matches says nothing), ties by summary
 * text.  Returns 1 with f filled, 0 when no pair explains the refusal.
 */
static int
rc_proposals_at(const struct rc_event *ev, size_t n, size_t i, struct rc_finding *f)
{
	size_t a, b, lo = i;
	int pass, found = 0;
	char why[RC_SUMMARY_LEN];

	while (lo > 0 && ev[i].us - ev[lo - 1].us <= RC_NEAR_US)
		lo--;
	for (pass = 0; pass < 2 && !found; pass++) {
		for (a = lo; a < n && ev[a].us - ev[i].us <= RC_SAME_US; a++) {
			const struct charon_event *ca = ev[a].ch;
			if (!is_kind(&ev[a], CHARON_PROPOSALS_CONFIGURED) ||
			    (pass == 0 && !same_thread(ca, ev[i].ch)) || ca->nproposals == 0)
				continue;
			for (b = lo; b < n && ev[b].us - ev[i].us <= RC_SAME_US; b++) {
				const struct charon_event *cb = ev[b].ch;
				int cause, rank;
				if (!is_kind(&ev[b], CHARON_PROPOSALS_RECEIVED) ||
				    (pass == 0 && !same_thread(cb, ev[i].ch)) ||
				    cb->nproposals == 0 || strcmp(ca->proposals[0].protocol,
				    cb->proposals[0].protocol) != 0)
					continue;
				cause = rc_compare_proposals(ca, cb, why, sizeof why);
				if (cause == RC_UNKNOWN)
					continue;
				rank = cause == RC_PFS_MISMATCH ? 7 : 6;
				if (found && (rank < f->rank || (rank == f->rank &&
				    strcmp(why, f->summary) >= 0)))
					continue;
				found = 1;
				f->cause = cause;
				f->rank = rank;
				f->conf = a;
				f->recv = b;
				memcpy(f->summary, why, sizeof f->summary);
			}
		}
	}
	return found;
}

/*
 * The failure (if any) that line i reports, decided from all the lines of
 * its negotiation.  Returns 1 with f filled.
 */
static int
rc_failure_at(const struct rc_event *ev, size_t n, size_t i, int symptom,
    struct rc_finding *f)
{
	const struct charon_event *c = ev[i].ch;
	struct rc_result tmp, *r = &tmp;  /* rc_no_prop writes a summary */
	int was_up = symptom != RC_SYM_NEVER_ESTABLISHED;
	int how;

	if (c == NULL)
		return 0;
	f->cause = RC_UNKNOWN;
	f->at = i;
	f->conf = f->recv = n;
	f->rank = 0;
	r->summary[0] = '\0';
	switch (c->kind) {
	case CHARON_NO_ACCEPTABLE_PROPOSAL:
	case CHARON_PROPOSALS_UNACCEPTABLE:
		if (rc_proposals_at(ev, n, i, f))
			return 1;
		/* Proposal lines that match each other do not explain it, and
		 * without any the exchange decides. */
		if (strcmp(c->variant, "ikev1_matching") == 0) {
			f->cause = RC_ESP_PROPOSAL_MISMATCH;
			snprintf(r->summary, sizeof r->summary, "no acceptable ESP "
			    "proposal in Quick Mode: align the IPsec cipher-suite on both "
			    "ends");
		} else {
			f->cause = rc_no_prop(ev, n, i, RC_NP_LOCAL, symptom, r);
		}
		f->rank = 3;
		break;
	case CHARON_NOTIFY_ERROR:
	case CHARON_NOTIFY_NO_CHILD:
	case CHARON_MESSAGE_PARSED:
		if (c->kind == CHARON_MESSAGE_PARSED) {
			if (!(c->payload_flags & (CHARON_PL_NO_PROP | CHARON_PL_AUTH_FAILED |
			    CHARON_PL_TS_UNACCEPT)))
				return 0;
			f->rank = 1;
		} else {
			f->rank = 2;
		}
		if ((c->kind == CHARON_MESSAGE_PARSED && (c->payload_flags & CHARON_PL_NO_PROP)) ||
		    (c->kind != CHARON_MESSAGE_PARSED && notify_is(c, "NO_PROPOSAL_CHOSEN"))) {
			how = c->kind == CHARON_MESSAGE_PARSED ? RC_NP_PARSED :
			    c->kind == CHARON_NOTIFY_NO_CHILD ? RC_NP_NO_CHILD :
			    strcmp(c->variant, "ikev1") == 0 ? RC_NP_NOTIFY_V1 : RC_NP_NOTIFY_V2;
			f->cause = rc_no_prop(ev, n, i, how, symptom, r);
		} else if ((c->kind == CHARON_MESSAGE_PARSED &&
		    (c->payload_flags & CHARON_PL_AUTH_FAILED)) ||
		    notify_is(c, "AUTHENTICATION_FAILED")) {
			f->cause = RC_AUTH_FAILED;
			snprintf(r->summary, sizeof r->summary, "the peer rejected our "
			    "authentication (AUTHENTICATION_FAILED): check the pre-shared "
			    "key and the IKE identities on both ends");
		} else if ((c->kind == CHARON_MESSAGE_PARSED &&
		    (c->payload_flags & CHARON_PL_TS_UNACCEPT)) ||
		    notify_is(c, "TS_UNACCEPTABLE")) {
			f->cause = RC_TS_MISMATCH;
			snprintf(r->summary, sizeof r->summary, "the peer rejected the "
			    "traffic selectors (TS_UNACCEPTABLE): align the protected "
			    "subnets on both ends");
		} else {
			return 0;       /* INVALID_KE_PAYLOAD: charon retries */
		}
		break;
	case CHARON_KE_UNACCEPTABLE:
	case CHARON_KE_REJECTED: {
		char a[64], b[64];
		size_t k = rc_exchange_line(ev, n, i, c->kind == CHARON_KE_REJECTED ?
		    RC_ROLE_INITIATOR : RC_ROLE_RESPONDER);
		const char *xch = k < n ? ev[k].ch->exchange : "";
		ke_text(a, sizeof a, c->ke_offered);
		ke_text(b, sizeof b, c->ke_requested);
		f->rank = 4;
		if (xch_is_phase1(xch) || !was_up) {
			f->cause = RC_IKE_PROPOSAL_MISMATCH;
			snprintf(r->summary, sizeof r->summary, "DH group %s was not "
			    "accepted, %s was asked for: align the IKE DH group on both "
			    "ends", a, b);
		} else {
			f->cause = RC_PFS_MISMATCH;
			snprintf(r->summary, sizeof r->summary, "PFS group %s was not "
			    "accepted at rekey, %s was asked for: make "
			    "perfect-forward-secrecy match on both ends", a, b);
		}
		break;
	}
	case CHARON_PSK_MAC_MISMATCH:
		f->cause = RC_AUTH_FAILED;
		f->rank = 5;
		snprintf(r->summary, sizeof r->summary, "pre-shared key mismatch: "
		    "tried %u shared key(s) for '%s' - '%s' and the MAC did not match: "
		    "set the same pre-shared key on both ends", c->count, c->local.id,
		    c->remote.id);
		break;
	case CHARON_NO_SHARED_KEY:
		f->cause = RC_AUTH_FAILED;
		f->rank = 5;
		snprintf(r->summary, sizeof r->summary, "no pre-shared key is "
		    "configured for '%s' - '%s': check the IKE identities and the key",
		    c->local.id, c->remote.id);
		break;
	case CHARON_NO_PEER_CONFIG:
		f->cause = RC_AUTH_FAILED;
		f->rank = 5;
		snprintf(r->summary, sizeof r->summary, "no matching peer "
		    "configuration for the peer's identity: check the IKE identities "
		    "(local/remote id) on both ends");
		break;
	case CHARON_AUTH_FAILED:
	case CHARON_SIGNATURE_INVALID:
	case CHARON_CONSTRAINT_FAILED:
		f->cause = RC_AUTH_FAILED;
		f->rank = 3;
		snprintf(r->summary, sizeof r->summary, "authentication failed: check "
		    "the credentials and identities on both ends");
		break;
	case CHARON_TS_UNACCEPTABLE:
	case CHARON_NO_ACCEPTABLE_TS:
		f->cause = RC_TS_MISMATCH;
		f->rank = c->ts_local[0] || c->ts_remote[0] ? 4 : 3;
		snprintf(r->summary, sizeof r->summary, "traffic selectors %s%s%s "
		    "were not acceptable: align the protected subnets on both ends",
		    c->ts_local, c->ts_local[0] ? " === " : "", c->ts_remote);
		break;
	default:
		return 0;
	}
	if (f->cause == RC_UNKNOWN)
		return 0;
	memcpy(f->summary, r->summary, sizeof f->summary);
	return 1;
}

/*
 * Negotiation failures: proposals, PFS, authentication, traffic selectors.
 * The first negotiation that failed (its lines within a second of the
 * earliest failure line) speaks through its most specific line; ties go to
 * the summary text, so the order of the lines never matters.  Returns the
 * cause (RC_UNKNOWN if none) and fills r with its summary and evidence.
 */
static int
rc_negotiation(const struct rc_event *ev, size_t n, int symptom, struct rc_result *r)
{
	struct rc_finding f, best;
	int64_t t0 = INT64_MAX;
	int have = 0;
	size_t i;

	for (i = 0; i < n && (t0 == INT64_MAX || ev[i].us <= t0 + RC_SAME_US); i++) {
		if (!rc_failure_at(ev, n, i, symptom, &f))
			continue;
		if (t0 == INT64_MAX)
			t0 = ev[i].us;
		if (have && (f.rank < best.rank || (f.rank == best.rank &&
		    (strcmp(f.summary, best.summary) > 0 ||
		    (strcmp(f.summary, best.summary) == 0 && f.cause >= best.cause)))))
			continue;
		best = f;
		have = 1;
	}
	if (!have)
		return RC_UNKNOWN;
	memcpy(r->summary, best.summary, sizeof r->summary);
	if (best.recv < n)
		evidence_add(r, &ev[best.recv]);
	if (best.conf < n)
		evidence_add(r, &ev[best.conf]);
	evidence_context(r, ev, n, best.at);
	return best.cause;
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

/* Lines that end one IKE_SA's run of requests and begin another's. */
static int
is_sa_boundary(const struct charon_event *c)
{
	switch (c->kind) {
	case CHARON_IKE_INITIATE:
	case CHARON_IKE_INITIATE_RESPONDER:
	case CHARON_IKE_REINITIATE:
	case CHARON_IKE_ESTABLISHED:
	case CHARON_IKE_REKEYED:
	case CHARON_PEER_NOT_RESPONDING_RETRY:
	case CHARON_IKE_ESTABLISH_NO_RESPONSE:
	case CHARON_IKE_REKEY_NO_RESPONSE:
	case CHARON_CHILD_RESTART:
		return 1;
	}
	return 0;
}

/*
 * After a give-up charon says what state the IKE_SA was in (ike_sa.c
 * retransmit()): "peer not responding, trying again" or "establishing
 * IKE_SA failed" while connecting; "rekeying IKE_SA failed", "proper
 * IKE_SA delete failed" or a re-establishment ("restarting CHILD_SA",
 * "reinitiating IKE_SA") for an established one.  Returns 1 established,
 * 0 connecting, -1 unknown, from the lines of g's second and RC_NEAR_US
 * after it.
 */
static int
rc_give_up_state(const struct rc_event *ev, size_t n, size_t g)
{
	int est = 0, conn = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		const struct charon_event *c = ev[k].ch;
		if (c == NULL || k == g || ev[k].us < ev[g].us ||
		    ev[k].us - ev[g].us > RC_NEAR_US)
			continue;
		switch (c->kind) {
		case CHARON_CHILD_RESTART:
		case CHARON_IKE_REINITIATE:
		case CHARON_IKE_REKEY_NO_RESPONSE:
		case CHARON_IKE_DELETE_NO_RESPONSE:
			est = 1;
			break;
		case CHARON_PEER_NOT_RESPONDING_RETRY:
		case CHARON_IKE_ESTABLISH_NO_RESPONSE:
			conn = 1;
			break;
		}
	}
	if (est != conn)
		return est;
	return -1;
}

/*
 * IKEv2 DPD or peer loss: the give-up at g, its retransmits, the request.
 * g may also be the last retransmit of a request that was never answered,
 * when charon's give-up is not in the window (it comes minutes after the
 * last retransmit, or was lost on the way).
 * Only the retransmits of g's own request count: walking back from g,
 * their numbers fall (5, 4, ... 1); a number that does not, a line of
 * another IKE_SA (unique id) or a boundary (a new IKE_SA, an earlier
 * give-up) ends the run — message IDs restart on every IKE_SA, so "message
 * ID 3" alone does not tell one outage's request from the last one's.
 * Duplicated lines (one message sent twice) are counted once.
 */
static int
rc_give_up(const struct rc_event *ev, size_t n, size_t g, int symptom,
    const char *peer, struct rc_result *r)
{
	const struct charon_event *gc = ev[g].ch;
	int is_retx = gc->kind == CHARON_RETRANSMIT;
	int64_t msgid = is_retx ? (int64_t)gc->msgid : -1, last_ok = -1;
	uint32_t last_n = is_retx ? gc->count : UINT32_MAX, max_n = is_retx ? gc->count : 0;
	size_t i, lo = 0, req = n, ok = n;
	int est;
	char t1[96], t2[96];

	for (i = g; i-- > 0;) {
		const struct charon_event *c = ev[i].ch;
		if (ev[g].us - ev[i].us > RC_LOOKBACK_US) {
			lo = i + 1;
			break;
		}
		if (c == NULL)
			continue;
		if ((gc->has & CHARON_HAS_CONN_UID) && (c->has & CHARON_HAS_CONN_UID) &&
		    c->conn_uid != gc->conn_uid)
			continue;
		if (c->kind == CHARON_GIVE_UP) {
			if (ev[i].us == ev[g].us && c->count == gc->count)
				continue;       /* the same line twice */
			lo = i + 1;
			break;
		}
		if (is_sa_boundary(c) && ev[i].us < ev[g].us) {
			lo = i + 1;
			break;
		}
		if (c->kind != CHARON_RETRANSMIT || !(c->has & CHARON_HAS_MSGID))
			continue;
		if (msgid >= 0 && (int64_t)c->msgid != msgid)
			continue;       /* another request, answered in the end */
		if (last_n != UINT32_MAX && c->count > last_n) {
			lo = i + 1;     /* an earlier request with the same ID */
			break;
		}
		if (c->count == last_n)
			continue;
		msgid = c->msgid;
		last_n = c->count;
		if (c->count > max_n)
			max_n = c->count;
	}
	for (i = lo; i < g; i++) {
		const struct charon_event *c = ev[i].ch;
		if (c == NULL)
			continue;
		if (c->kind == CHARON_MESSAGE_GENERATED && !c->is_response &&
		    (int64_t)c->msgid == msgid)
			req = i;
		/* the last answer: in time, then by ID (one second's order) */
		if (c->kind == CHARON_MESSAGE_PARSED && c->is_response == 1 &&
		    (c->has & CHARON_HAS_MSGID) && (msgid < 0 || (int64_t)c->msgid < msgid) &&
		    (ok == n || ev[i].us > ev[ok].us || (int64_t)c->msgid > last_ok)) {
			ok = i;
			last_ok = c->msgid;
		}
	}
	/* Which exchange went unanswered decides: IKE_SA_INIT is a peer that
	 * never answered; INFORMATIONAL (DPD) or CREATE_CHILD_SA on an
	 * established SA is a peer lost.  Without the request, what charon
	 * did after giving up tells the IKE_SA's state; message ID 0 alone is
	 * not enough: after an IKE rekey the new SA's DPD starts at 0 too. */
	if (req < n)
		est = !xch_is_phase1(ev[req].ch->exchange);
	else
		est = is_retx ? -1 : rc_give_up_state(ev, n, g);
	if (est < 0) {
		for (i = lo; i < g && est < 0; i++)
			if (is_kind(&ev[i], CHARON_DPD_REQUEST))
				est = 1;
	}
	if (est < 0)
		est = !(symptom == RC_SYM_NEVER_ESTABLISHED || msgid == 0);
	if (!est) {
		for (i = lo; i <= g; i++)
			if ((is_kind(&ev[i], CHARON_RETRANSMIT) &&
			    (int64_t)ev[i].ch->msgid == msgid) || i == g)
				evidence_add(r, &ev[i]);
		if (max_n == 0)
			snprintf(t1, sizeof t1, "charon gave up after %u retransmits",
			    (unsigned)gc->count);
		else
			snprintf(t1, sizeof t1, "%u retransmits%s", (unsigned)max_n,
			    is_retx ? "; charon's give-up is not among this tunnel's "
			    "lines" : ", then charon gave up");
		snprintf(r->summary, sizeof r->summary, "peer %s did not answer the %s "
		    "request (%s): check that the peer is reachable on UDP 500/4500, its "
		    "address, and that it is configured for this tunnel",
		    peer != NULL ? peer : "(unknown)",
		    req < n ? xch_text(ev[req].ch->exchange) : "IKE_SA_INIT", t1);
		return RC_PEER_NOT_RESPONDING;
	}
	if (ok < n)
		evidence_add(r, &ev[ok]);
	for (i = req < n ? (req > lo ? req - 1 : lo) : lo; i <= g; i++) {
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
	if (max_n > 0)
		snprintf(t1, sizeof t1, "request %" PRId64 " was retransmitted %u times",
		    msgid, (unsigned)max_n);
	else
		snprintf(t1, sizeof t1, "charon gave up after %u retransmits",
		    (unsigned)gc->count);
	snprintf(r->summary, sizeof r->summary, "peer %s stopped answering: %s without a "
	    "reply %s%s. "
	    "Usually packet loss on the path to the peer: a one-off cannot be traced "
	    "afterwards; if it recurs, capture on both ends and involve the ISP",
	    peer != NULL ? peer : "(unknown)", t1, is_retx ? "before the tunnel went "
	    "down (charon's give-up is not among this tunnel's lines)" : "and charon "
	    "declared the peer dead", t2);
	return RC_DPD_TIMEOUT;
}

/* Was the IKE_SA delete at d part of a rekey (10 s before it to
 * RC_NEAR_US after: the rekeyed line may be logged after the DELETE)? */
static int
rc_delete_is_rekey(const struct rc_event *ev, size_t n, size_t d)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct charon_event *c = ev[i].ch;
		if (i == d || ev[d].us - ev[i].us > 10 * 1000000LL ||
		    ev[i].us - ev[d].us > RC_NEAR_US)
			continue;
		if (c != NULL && (c->kind == CHARON_IKE_REKEYED ||
		    ((c->kind == CHARON_MESSAGE_PARSED || c->kind == CHARON_MESSAGE_GENERATED) &&
		    strcmp(c->exchange, "CREATE_CHILD_SA") == 0 &&
		    (c->payload_flags & CHARON_PL_KE) && !(c->payload_flags & CHARON_PL_TS))))
			return 1;
	}
	return 0;
}

/* Did a new IKE_SA start at or after d (lines of d's second included)? */
static int
rc_reinitiated_after(const struct rc_event *ev, size_t n, size_t d)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct charon_event *c = ev[i].ch;
		if (i == d || ev[i].us < ev[d].us)
			continue;
		if (c != NULL && (c->kind == CHARON_IKE_INITIATE ||
		    c->kind == CHARON_IKE_REINITIATE || c->kind == CHARON_CHILD_RESTART ||
		    c->kind == CHARON_IKE_ESTABLISHED || c->kind == CHARON_IKE_INITIATE_RESPONDER))
			return 1;
	}
	return 0;
}

/*
 * A responder-side delete without its "received DELETE for IKE_SA" line:
 * at i the peer's INFORMATIONAL request with a Delete payload, or our
 * INFORMATIONAL response to the peer (then the deleting line must be of
 * the same thread within a second: ike_delete.c logs "deleting IKE_SA" as
 * responder, and answers); and charon deleting the IKE_SA ("deleting
 * IKE_SA ..." or "IKE_SA deleted") within RC_NEAR_US either way, with no
 * DELETE of our own nor a CHILD_SA delete of that request's thread.
 * Returns the index of the deleting line (the one that names the IKE_SA
 * if any), else n.
 */
static size_t
rc_peer_delete_request(const struct rc_event *ev, size_t n, size_t i)
{
	const struct charon_event *c = ev[i].ch;
	size_t k, del = n;
	int answer;

	if (c == NULL || (strcmp(c->exchange, "INFORMATIONAL") != 0 &&
	    strcmp(c->exchange, "INFORMATIONAL_V1") != 0))
		return n;
	if (c->kind == CHARON_MESSAGE_PARSED && c->is_response == 0 &&
	    (c->payload_flags & CHARON_PL_DELETE))
		answer = 0;
	else if (c->kind == CHARON_MESSAGE_GENERATED && c->is_response == 1)
		answer = 1;
	else
		return n;
	for (k = 0; k < n; k++) {
		const struct charon_event *d = ev[k].ch;
		int64_t dt = ev[k].us - ev[i].us;
		if (d == NULL || dt < -RC_NEAR_US || dt > RC_NEAR_US)
			continue;
		if (answer && (d->kind == CHARON_IKE_DELETING || d->kind == CHARON_IKE_DELETED) &&
		    (!same_thread(d, c) || dt < -RC_SAME_US || dt > RC_SAME_US))
			continue;
		if (answer && d->kind == CHARON_MESSAGE_PARSED && d->is_response == 0 &&
		    (d->payload_flags & CHARON_PL_DELETE))
			return n;       /* the request itself is there: it is the trigger */
		switch (d->kind) {
		case CHARON_IKE_DELETE_RECEIVED:   /* that line is the trigger */
		case CHARON_IKE_DELETE_SENT:
		case CHARON_VICI_TERMINATE:
		case CHARON_STROKE_TERMINATE:
			return n;
		case CHARON_MESSAGE_GENERATED:
			if (!d->is_response && (d->payload_flags & CHARON_PL_DELETE))
				return n;
			break;
		case CHARON_CHILD_DELETE_RECEIVED:
			if (same_thread(d, c) && dt >= -RC_SAME_US && dt <= RC_SAME_US)
				return n;
			break;
		case CHARON_IKE_DELETING:
			if (del == n || !is_kind(&ev[del], CHARON_IKE_DELETING) ||
			    strcmp(d->ike_name, ev[del].ch->ike_name) < 0)
				del = k;
			break;
		case CHARON_IKE_DELETED:
			if (del == n)
				del = k;
			break;
		}
	}
	return del;
}

/*
 * The last retransmit up to until_us (and RC_LOOKBACK_US before it) that
 * nothing answered: no message parsed (other than a new IKE_SA_INIT) nor
 * packet received after it up to answered_us.  Ties in one second go to
 * the higher number.  Returns its index, or n.
 */
static size_t
rc_unanswered_retransmit(const struct rc_event *ev, size_t n, int64_t until_us,
    int64_t answered_us)
{
	size_t i, last = n;

	for (i = 0; i < n; i++) {
		if (!is_kind(&ev[i], CHARON_RETRANSMIT) || !(ev[i].ch->has & CHARON_HAS_MSGID) ||
		    ev[i].us > until_us || until_us - ev[i].us > RC_LOOKBACK_US)
			continue;
		if (last == n || ev[i].us > ev[last].us ||
		    (ev[i].us == ev[last].us && ev[i].ch->count > ev[last].ch->count))
			last = i;
	}
	if (last == n)
		return n;
	for (i = 0; i < n; i++)
		if (((is_kind(&ev[i], CHARON_MESSAGE_PARSED) &&
		    !xch_is_phase1(ev[i].ch->exchange)) ||
		    is_kind(&ev[i], CHARON_PACKET_RECEIVED)) && ev[i].us > ev[last].us &&
		    ev[i].us <= answered_us)
			return n;
	return last;
}

/* Lines that can end a tunnel, and which speaks first when several share
 * a second (the give-up is the cause of what follows it; a terminate
 * command is why our DELETE was sent). */
static int
rc_trigger_rank(const struct rc_event *ev, size_t n, size_t i)
{
	const struct charon_event *c = ev[i].ch;

	if (c == NULL)
		return 0;
	switch (c->kind) {
	case CHARON_GIVE_UP:
		return strcmp(c->variant, "path_probings") != 0 ? 10 : 0;
	case CHARON_DPD_TIMEOUT:
		return 9;
	case CHARON_IKE_ESTABLISH_NO_RESPONSE:
	case CHARON_IKE_REKEY_NO_RESPONSE:
		return 8;
	case CHARON_IKE_DELETE_RECEIVED:
		return rc_delete_is_rekey(ev, n, i) ? 0 : 7;
	case CHARON_MESSAGE_PARSED:
	case CHARON_MESSAGE_GENERATED:
		if (rc_peer_delete_request(ev, n, i) == n || rc_delete_is_rekey(ev, n, i))
			return 0;
		return c->kind == CHARON_MESSAGE_PARSED ? 6 : 5;
	case CHARON_VICI_TERMINATE:
	case CHARON_STROKE_TERMINATE:
		return 4;
	case CHARON_IKE_DELETE_SENT:
		return rc_delete_is_rekey(ev, n, i) ? 0 : 3;
	}
	return 0;
}

/* ---- the device's own transport ------------------------------------------ */

/*
 * A device-level transport down from RC_TRANSPORT_US before the tunnel's
 * down to RC_NEAR_US after it: the latest such; in one second a VPN 0
 * interface over a BFD color (the interface is the nearer cause), then the
 * name.  Returns its index, or n.
 */
static size_t
rc_transport_down(const struct rc_event *ev, size_t n, int64_t start_us)
{
	size_t i, best = n;

	for (i = 0; i < n; i++) {
		const struct rc_event *e = &ev[i];
		if (e->transport == RC_TRANSPORT_NONE || e->us < start_us - RC_TRANSPORT_US ||
		    e->us > start_us + RC_NEAR_US)
			continue;
		if (best == n || e->us > ev[best].us || (e->us == ev[best].us &&
		    (e->transport < ev[best].transport || (e->transport == ev[best].transport &&
		    strncmp(e->transport_name, ev[best].transport_name,
		    RC_TRANSPORT_NAME_LEN) < 0))))
			best = i;
	}
	return best;
}

static int
rc_local_transport(const struct rc_event *ev, size_t n, size_t t, int64_t start_us,
    struct rc_result *r)
{
	const struct rc_event *e = &ev[t];
	char when[48];
	size_t i;

	if (e->us < start_us)
		snprintf(when, sizeof when, "%" PRId64 " s before the tunnel went down",
		    (start_us - e->us + 500000) / 1000000);
	else
		snprintf(when, sizeof when, "as the tunnel went down");
	for (i = 0; i < n; i++)
		if (ev[i].transport != RC_TRANSPORT_NONE &&
		    ev[i].us >= start_us - RC_TRANSPORT_US && ev[i].us <= start_us + RC_NEAR_US)
			evidence_add(r, &ev[i]);
	if (e->transport == RC_TRANSPORT_IF_DOWN)
		snprintf(r->summary, sizeof r->summary, "this vEdge's own transport "
		    "interface %.*s (VPN 0) went down %s: the cause is the device's "
		    "uplink, not the peer: check the interface, its cabling and the "
		    "circuit with its provider", RC_TRANSPORT_NAME_LEN,
		    e->transport_name[0] ? e->transport_name : "(unnamed)", when);
	else
		snprintf(r->summary, sizeof r->summary, "every BFD session of this "
		    "vEdge's color %.*s went down %s: the cause is the device's uplink "
		    "on that color, not the peer: check the transport interface of that "
		    "color and the circuit with its provider", RC_TRANSPORT_NAME_LEN,
		    e->transport_name[0] ? e->transport_name : "(unnamed)", when);
	return RC_LOCAL_TRANSPORT_DOWN;
}

/* ---- nothing explains it ---------------------------------------------- */

/*
 * The summary of an 'unknown': what the window held, concretely, so that
 * whoever reads it knows whether lines are missing or only the cause.
 */
static void
rc_describe(const struct rc_event *ev, size_t n, int64_t start_us, const char *what,
    struct rc_result *r)
{
	int cnt[CHARON_KIND_MAX], order[CHARON_KIND_MAX];
	size_t i, nch = 0, nup = 0, ndown = 0, len;
	int k, j, nk = 0, shown;
	char *p = r->summary;
	size_t sz = sizeof r->summary;

	memset(cnt, 0, sizeof cnt);
	for (i = 0; i < n; i++) {
		if (ev[i].ch != NULL) {
			nch++;
			if (ev[i].ch->kind >= 0 && ev[i].ch->kind < CHARON_KIND_MAX)
				cnt[ev[i].ch->kind]++;
		} else if (ev[i].ftmd_state == 0) {
			ndown++;
		} else if (ev[i].ftmd_state == 1) {
			nup++;
		}
	}
	/* Kinds by count, then by name. */
	for (k = 0; k < CHARON_KIND_MAX; k++) {
		if (cnt[k] == 0)
			continue;
		for (j = nk; j > 0; j--) {
			int o = order[j - 1];
			const char *a = charon_kind_name(k), *b = charon_kind_name(o);
			if (cnt[o] > cnt[k] || (cnt[o] == cnt[k] &&
			    strcmp(b != NULL ? b : "", a != NULL ? a : "") <= 0))
				break;
			order[j] = o;
		}
		order[j] = k;
		nk++;
	}
	len = (size_t)snprintf(p, sz, "%s, and no charon line explains it: ", what);
	if (n == 0) {
		snprintf(p + len, sz - len, "no line of this tunnel at all from 10 minutes "
		    "before to a minute after the start");
		return;
	}
	len += (size_t)snprintf(p + len, len < sz ? sz - len : 0, "from %" PRId64
	    " s before to %" PRId64 " s after the start there %s %zu FTMD "
	    "interface-state line%s (%zu down, %zu up) and %zu charon line%s",
	    ev[0].us < start_us ? (start_us - ev[0].us) / 1000000 : 0,
	    ev[n - 1].us > start_us ? (ev[n - 1].us - start_us) / 1000000 : 0,
	    ndown + nup == 1 ? "is" : "are", ndown + nup, ndown + nup == 1 ? "" : "s",
	    ndown, nup, nch, nch == 1 ? "" : "s");
	for (shown = 0; shown < nk && shown < 6 && len < sz; shown++) {
		const char *name = charon_kind_name(order[shown]);
		len += (size_t)snprintf(p + len, sz - len, "%s%s x%d",
		    shown == 0 ? " (" : ", ", name != NULL ? name : "?", cnt[order[shown]]);
	}
	if (nk > 6 && len < sz)
		len += (size_t)snprintf(p + len, sz - len, ", %d more kinds", nk - 6);
	if (nk > 0 && len < sz)
		len += (size_t)snprintf(p + len, sz - len, ")");
	if (len >= sz)
		return;
	if (nch == 0)
		snprintf(p + len, sz - len, "; with no charon line at all, check that the "
		    "vEdge's logging priority is information (docs/vedge-setup.md)");
	else
		snprintf(p + len, sz - len, "; none is a give-up after retransmits, a "
		    "DELETE outside a rekey, a terminate, or a refused proposal, "
		    "authentication or traffic selector: look at the peer's logs for "
		    "the same minutes");
}

/* ---- the classifier ---------------------------------------------------- */

int
rc_cause_is_shared(int cause)
{
	return cause == RC_DPD_TIMEOUT || cause == RC_PEER_NOT_RESPONDING ||
	    cause == RC_PEER_DELETE;
}

void
rc_classify(const struct rc_event *ev, size_t n, int64_t start_us, int symptom,
    const char *peer, struct rc_result *r)
{
	size_t i, trig = n;
	int cause = RC_UNKNOWN, trank = 0;

	memset(r, 0, sizeof *r);
	if (symptom == RC_SYM_DOWN) {
		/* The trigger of the down: the last one at or just after its
		 * start, else the first one after it; in one second the most
		 * telling kind (rc_trigger_rank), never the order of the lines.
		 * Later triggers — the give-up of a failed re-initiation, say —
		 * are consequences, not the cause. */
		for (i = 0; i < n; i++) {
			int rank, before;
			if (ev[i].ch == NULL || ev[i].us > start_us + RC_GRACE_US ||
			    start_us - ev[i].us > RC_LOOKBACK_US)
				continue;
			if ((rank = rc_trigger_rank(ev, n, i)) == 0)
				continue;
			before = ev[i].us <= start_us + RC_NEAR_US;
			if (trig == n) {
				trig = i;
				trank = rank;
				continue;
			}
			if (ev[trig].us <= start_us + RC_NEAR_US) {
				/* have one up to the start: a later one up to it wins */
				if (before && (ev[i].us > ev[trig].us ||
				    (ev[i].us == ev[trig].us && rank > trank))) {
					trig = i;
					trank = rank;
				}
			} else if (before || (ev[i].us == ev[trig].us && rank > trank)) {
				trig = i;
				trank = rank;
			}
		}
		/* A CHILD_SA that expired because its rekeys kept failing. */
		cause = rc_negotiation(ev, n, symptom, r);
		if (cause == RC_PFS_MISMATCH) {
			evidence_ftmd_down(r, ev, n, start_us);
			goto out;
		}
		/* The device's own uplink went down at that moment: it, not the
		 * peer, unless someone deleted the IKE_SA on purpose (the peer's
		 * silence, a give-up, is what a dead uplink looks like). */
		if ((i = rc_transport_down(ev, n, start_us)) < n && (trig == n ||
		    ev[trig].ch->kind == CHARON_GIVE_UP || ev[trig].ch->kind == CHARON_DPD_TIMEOUT ||
		    ev[trig].ch->kind == CHARON_IKE_ESTABLISH_NO_RESPONSE ||
		    ev[trig].ch->kind == CHARON_IKE_REKEY_NO_RESPONSE)) {
			memset(r, 0, sizeof *r);
			cause = rc_local_transport(ev, n, i, start_us, r);
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
			case CHARON_MESSAGE_PARSED:
			case CHARON_MESSAGE_GENERATED: {
				const char *name = c->ike_name;
				size_t del = n;
				cause = RC_PEER_DELETE;
				if (c->kind != CHARON_IKE_DELETE_RECEIVED) {
					del = rc_peer_delete_request(ev, n, trig);
					name = del < n ? ev[del].ch->ike_name : "";
				}
				r->cscvx86427 = !rc_reinitiated_after(ev, n, trig);
				evidence_add(r, &ev[trig]);
				for (i = 0; i < n; i++)
					if (ev[i].ch != NULL && ev[i].us >= ev[trig].us &&
					    ev[i].us - ev[trig].us <= RC_NEAR_US &&
					    (ev[i].ch->kind == CHARON_IKE_DELETE_RECEIVED ||
					    ev[i].ch->kind == CHARON_IKE_DELETING ||
					    ev[i].ch->kind == CHARON_IKE_DELETED ||
					    ev[i].ch->kind == CHARON_KERNEL_SAD_DELETE))
						evidence_add(r, &ev[i]);
				snprintf(r->summary, sizeof r->summary, "peer %s deleted the "
				    "IKE_SA%s%s%s with no rekey around it%s",
				    peer != NULL ? peer : "(unknown)",
				    name[0] ? " " : "", name,
				    c->kind == CHARON_MESSAGE_PARSED ? " (its INFORMATIONAL "
				    "request with a Delete payload)" : c->kind ==
				    CHARON_MESSAGE_GENERATED ? " (charon answered the peer's "
				    "INFORMATIONAL request and deleted it)" : "",
				    r->cscvx86427 ? " and no new IKE_SA followed — suspected "
				    "CSCvx86427: clear the tunnel to re-initiate it and upgrade to a "
				    "release with the fix" : ": check the peer's logs for why it "
				    "closed the tunnel");
				break;
			}
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
		cause = rc_negotiation(ev, n, symptom, r);
		if (cause == RC_UNKNOWN) {
			/* Still retransmitting, unanswered, when it went down. */
			memset(r, 0, sizeof *r);
			i = rc_unanswered_retransmit(ev, n, start_us + RC_NEAR_US, start_us);
			if (i < n)
				cause = rc_give_up(ev, n, i, symptom, peer, r);
			else
				rc_describe(ev, n, start_us, "the tunnel went down", r);
		}
		evidence_ftmd_down(r, ev, n, start_us);
		goto out;
	}

	cause = rc_negotiation(ev, n, symptom, r);
	if (cause != RC_UNKNOWN)
		goto out;
	memset(r, 0, sizeof *r);
	if (symptom == RC_SYM_NEVER_ESTABLISHED) {
		/* The latest sign of an unanswered peer; in one second the
		 * give-up (it carries the count) over its consequences. */
		size_t best = n;
		for (i = 0; i < n; i++) {
			const struct charon_event *c = ev[i].ch;
			if (c == NULL || !(c->kind == CHARON_GIVE_UP ||
			    c->kind == CHARON_IKE_ESTABLISH_NO_RESPONSE ||
			    c->kind == CHARON_PEER_NOT_RESPONDING_RETRY ||
			    c->kind == CHARON_HALF_OPEN_TIMEOUT))
				continue;
			if (best == n || ev[i].us > ev[best].us ||
			    (ev[i].us == ev[best].us && c->kind == CHARON_GIVE_UP))
				best = i;
		}
		if (best == n && n > 0)
			best = rc_unanswered_retransmit(ev, n, ev[n - 1].us, ev[n - 1].us);
		if (best < n) {
			const struct charon_event *c = ev[best].ch;
			if (c->kind == CHARON_GIVE_UP || c->kind == CHARON_RETRANSMIT) {
				cause = rc_give_up(ev, n, best, symptom, peer, r);
			} else {
				cause = RC_PEER_NOT_RESPONDING;
				evidence_add(r, &ev[best]);
				snprintf(r->summary, sizeof r->summary, "peer %s does not "
				    "answer: check reachability on UDP 500/4500, the peer "
				    "address and its configuration",
				    peer != NULL ? peer : "(unknown)");
			}
			goto out;
		}
	}
	rc_describe(ev, n, start_us, symptom == RC_SYM_DEGRADED ? "CHILD_SA rekeys fail" :
	    "the tunnel never came up", r);
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
