/*
 * machine.c — one tunnel's state machine (machine.h has the diagram, the
 * windows and how a driver applies the effects).
 *
 * Every transition works on the machine and appends effects; none does
 * I/O.  The rules are the field guide's (docs/log-formats.md): which
 * lines say an IKE_SA exists, which say an attempt failed, and which
 * deletes belong to a rekey rather than an outage.
 */
#include "machine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const tm_states[TM_NSTATES] = { "unknown", "up", "down", "negotiating" };
static const char *const tm_symptoms[TM_NSYMPTOMS] = { "", "never_established", "flap",
	"stuck", "down", "degraded" };
const char *
tm_state_name(int state)
{
	return state >= 0 && state < TM_NSTATES ? tm_states[state] : NULL;
}

const char *
tm_symptom_name(int symptom)
{
	return symptom >= 0 && symptom < TM_NSYMPTOMS ? tm_symptoms[symptom] : NULL;
}

/* ---- effects and incidents --------------------------------------------- */

/* One transition in progress: the machine, its parameters, the effects. */
struct tm_ctx {
	struct tm_machine *m;
	const struct tm_params *p;
	struct tm_effects *fx;
};

static void
fx_add(struct tm_ctx *t, int kind, int symptom, int64_t incident, int64_t us)
{
	struct tm_effect *e;

	/* TM_FX_MAX is above what one call can produce (machine.h). */
	if (t->fx->n >= TM_FX_MAX)
		return;
	e = &t->fx->fx[t->fx->n++];
	e->kind = kind;
	e->symptom = symptom;
	e->incident = incident;
	e->us = us;
}

static void
inc_open(struct tm_ctx *t, int symptom, int64_t start)
{
	t->m->incident_id = TM_INCIDENT_NEW;
	t->m->symptom = symptom;
	t->m->inc_start = start;
	fx_add(t, TM_FX_OPEN, symptom, TM_INCIDENT_NEW, start);
}

static void
inc_symptom(struct tm_ctx *t, int symptom)
{
	if (t->m->incident_id == 0 || t->m->symptom == symptom)
		return;
	t->m->symptom = symptom;
	fx_add(t, TM_FX_SYMPTOM, symptom, t->m->incident_id, 0);
}

static void
inc_close(struct tm_ctx *t, int symptom, int64_t end)
{
	fx_add(t, TM_FX_CLOSE, symptom, t->m->incident_id, end);
	t->m->incident_id = 0;
	t->m->symptom = TM_SYM_NONE;
}

void
tm_incident_assigned(struct tm_machine *m, int64_t id)
{
	if (m->incident_id == TM_INCIDENT_NEW)
		m->incident_id = id;
}

static double
score_at(const struct tm_machine *m, int64_t at, int64_t half_life)
{
	if (m->score <= 0 || at <= m->score_us || half_life <= 0)
		return m->score;
	return m->score * pow(2.0, -(double)(at - m->score_us) / (double)half_life);
}

static void
flap_record(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	if (m->nflaps == TM_MAX_FLAPS) {
		memmove(m->flaps, m->flaps + 1, (TM_MAX_FLAPS - 1) * sizeof m->flaps[0]);
		m->nflaps--;
	}
	m->flaps[m->nflaps++] = at;
	m->score = score_at(m, at, t->p->flap_half_life_us) + TM_FLAP_PENALTY;
	m->score_us = at;
	fx_add(t, TM_FX_FLAP, TM_SYM_FLAP, 0, at);
}

int
tm_flap_update(struct tm_machine *m, const struct tm_params *p, int64_t ref)
{
	int i, nwin = 0;

	for (i = 0; i < m->nflaps; i++)
		if (m->flaps[i] >= ref - p->flap_window_us)
			nwin++;
	m->score = score_at(m, ref, p->flap_half_life_us);
	if (ref > m->score_us)
		m->score_us = ref;
	if (m->score < 0.5)
		m->score = 0;
	return nwin >= p->flap_count;
}

/* ---- transitions ------------------------------------------------------ */

static void
go_up(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	m->child_gone_us = 0;
	if (m->state == TM_UP)
		return;
	if (m->incident_id != 0) {
		int64_t start = m->inc_start;
		if (m->symptom != TM_SYM_DOWN) {
			inc_close(t, m->symptom, at);
		} else if (at - start <= t->p->stuck_after_us) {
			inc_close(t, TM_SYM_FLAP, at);
			flap_record(t, start);
		} else {
			inc_close(t, TM_SYM_STUCK, at);
		}
	}
	m->state = TM_UP;
	m->state_since = at;
	m->ever_up = 1;
}

static void
go_down(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	m->child_gone_us = 0;
	m->nchild = 0;
	m->ike_up = 0;
	if (m->state == TM_DOWN)
		return;
	if (m->incident_id != 0 && m->symptom == TM_SYM_DEGRADED) {
		/* The PFS case: the CHILD_SA is gone for good. */
		inc_symptom(t, TM_SYM_STUCK);
	} else if (m->incident_id != 0 && m->symptom == TM_SYM_NEVER) {
		/* A failure seen before anything showed the tunnel up (a file
		 * that starts mid-stream: the give-up, then FTMD's DOWN): a
		 * down says it was up. */
		inc_symptom(t, TM_SYM_DOWN);
	} else if (m->incident_id == 0) {
		inc_open(t, TM_SYM_DOWN, at);
	}
	m->ever_up = 1;
	m->state = TM_DOWN;
	m->state_since = at;
}

/* A failed attempt to bring the tunnel up. */
static void
attempt_failed(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	if (m->state == TM_UP)
		return;
	if (m->state == TM_NEGOTIATING && m->ever_up) {
		m->state = TM_DOWN;
		m->state_since = at;
	}
	if (!m->ever_up && m->incident_id == 0) {
		if (m->state == TM_UNKNOWN) {
			m->state = TM_NEGOTIATING;
			m->state_since = at;
		}
		inc_open(t, TM_SYM_NEVER, at);
	}
}

static void
negotiating(struct tm_machine *m, int64_t at)
{
	if (m->state == TM_UNKNOWN || m->state == TM_DOWN) {
		m->state = TM_NEGOTIATING;
		m->state_since = at;
	}
}

/* Lines that only an established IKE_SA produces: the tunnel is up, even
 * if we never saw it come up (the collector started later). */
static void
infer_up(struct tm_ctx *t, int64_t at)
{
	if (t->m->state == TM_UNKNOWN)
		go_up(t, at);
}

static void
child_rekey_failed(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	if (m->incident_id != 0 && m->symptom == TM_SYM_NEVER && !m->ever_up &&
	    at - m->inc_start <= TM_NEAR) {
		/* The same negotiation's lines, in another order: what looked
		 * like a first attempt failing was a CHILD_SA rekey refused on
		 * an established IKE_SA. */
		m->state = TM_UP;
		m->state_since = m->inc_start;
		m->ever_up = 1;
		inc_symptom(t, TM_SYM_DEGRADED);
		return;
	}
	infer_up(t, at);
	if (m->state == TM_UP && m->incident_id == 0)
		inc_open(t, TM_SYM_DEGRADED, at);
}

/* A CHILD_SA up or rekeyed on a degraded tunnel: rekeys work again. */
static int
degraded_recovers(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	if (m->state != TM_UP || m->incident_id == 0 || m->symptom != TM_SYM_DEGRADED)
		return 0;
	inc_close(t, TM_SYM_DEGRADED, at);
	return 1;
}

static void
child_add(struct tm_machine *m, uint32_t uid)
{
	int i;

	for (i = 0; i < m->nchild; i++)
		if (m->child[i] == uid)
			return;
	if (m->nchild == TM_MAX_CHILD) {
		memmove(m->child, m->child + 1, (TM_MAX_CHILD - 1) * sizeof m->child[0]);
		m->nchild--;
	}
	m->child[m->nchild++] = uid;
}

static void
child_remove(struct tm_machine *m, uint32_t uid)
{
	int i;

	for (i = 0; i < m->nchild; i++) {
		if (m->child[i] == uid) {
			memmove(m->child + i, m->child + i + 1,
			    (size_t)(m->nchild - i - 1) * sizeof m->child[0]);
			m->nchild--;
			return;
		}
	}
}

/* then is set and at lies in [then, then + window]. */
static int
recent(int64_t at, int64_t then, int64_t window)
{
	return then != 0 && at >= then && at - then <= window;
}

/* |a - b| <= w, both set. */
static int
near(int64_t a, int64_t b, int64_t w)
{
	return a != 0 && b != 0 && (a > b ? a - b : b - a) <= w;
}

/* Is an IKE_SA delete (uid, if known) a rekey's deletion of the old SA? */
static int
delete_is_rekey(const struct tm_machine *m, const struct tm_event *ev)
{
	if ((ev->has & TM_HAS_IKE_UID) && m->has_ike_uid && ev->ike_uid != m->ike_uid)
		return 1;
	return recent(ev->us, m->ike_rekey_us, TM_REKEY_WINDOW);
}

/* An IKE rekey at `at`: a delete logged just before it was the rekey's. */
static void
rekey_seen(struct tm_machine *m, int64_t at)
{
	m->ike_rekey_us = at;
	if (m->del_pending_us != 0 && at - m->del_pending_us <= TM_SETTLE) {
		m->del_rekey_us = m->del_pending_us;
		m->del_pending_us = 0;
		m->del_pending_blind = 0;
		m->del_down_us = 0;
	}
}

enum { SETTLE_TIMER, SETTLE_NOW, SETTLE_RESTART };

/*
 * An IKE_SA delete waiting for its rekey line: once TM_SETTLE has passed
 * (how = SETTLE_TIMER), or now (SETTLE_NOW: the tunnel comes up, or no
 * more data will come; SETTLE_RESTART: charon starts again), with no
 * rekey, it was a down, at the time of the delete.  One exception: a
 * delete this vEdge sent while it did not know the tunnel's current IKE_SA
 * (a file that starts mid-stream), with no terminate, shutdown or
 * inactivity close around it and no DELETE from the peer, is most likely
 * the old SA of a rekey or a reauthentication begun before the file: it
 * is not called an outage (unless charon then restarts).
 */
static void
settle(struct tm_ctx *t, int64_t at, int how)
{
	struct tm_machine *m = t->m;
	int64_t d = m->del_pending_us;
	int blind = m->del_pending_blind;

	if (d == 0 || (how == SETTLE_TIMER && at - d <= (blind ? TM_SETTLE_UNKNOWN :
	    TM_SETTLE)))
		return;
	m->del_pending_us = 0;
	m->del_pending_blind = 0;
	if (m->state == TM_DOWN)
		return;
	if (blind && how != SETTLE_RESTART && !near(m->del_peer_us, d, TM_SETTLE) &&
	    !(m->local_reason_us != 0 && m->local_reason_us <= d + TM_SETTLE &&
	    d - m->local_reason_us <= TM_SETTLE_UNKNOWN))
		return;
	go_down(t, d);
}

/* Pending decisions and timers, evaluated at device time `at`. */
static void
timers(struct tm_ctx *t, int64_t at)
{
	struct tm_machine *m = t->m;

	settle(t, at, SETTLE_TIMER);
	if (m->child_gone_us != 0 && m->nchild == 0 && at - m->child_gone_us > TM_CHILD_GRACE)
		go_down(t, m->child_gone_us);
	if (m->incident_id != 0 && m->symptom == TM_SYM_DOWN &&
	    at - m->inc_start >= t->p->stuck_after_us)
		inc_symptom(t, TM_SYM_STUCK);
}

/* message_generated / message_parsed: an IKE message of some exchange. */
static void
step_message(struct tm_ctx *t, const struct tm_event *ev)
{
	struct tm_machine *m = t->m;
	int64_t at = ev->us;
	int parsed = ev->kind == CHARON_MESSAGE_PARSED;
	unsigned pl = ev->payload_flags;

	m->exch = ev->exchange;
	m->exch_us = at;
	if (parsed && ev->is_response == 0 && (pl & CHARON_PL_DELETE) &&
	    ev->exchange == TM_X_INFORMATIONAL)
		m->del_peer_us = at;     /* the peer's DELETE (responder side) */
	if (m->del_pending_blind && parsed && ev->is_response == 1 &&
	    ev->exchange == TM_X_INFORMATIONAL && (pl & CHARON_PL_EMPTY) &&
	    at - m->del_pending_us >= TM_DPD_AFTER_DELETE) {
		/* An answered DPD after the delete: an IKE_SA lives on. */
		m->del_pending_us = 0;
		m->del_pending_blind = 0;
		m->del_down_us = 0;
	}
	if (ev->exchange == TM_X_CREATE_CHILD_SA && (pl & (CHARON_PL_NO_PROP |
	    CHARON_PL_TS_UNACCEPT | CHARON_PL_INVAL_KE)) && !(pl & CHARON_PL_SA)) {
		/* A CHILD_SA refused, either way, on an IKE_SA that is up. */
		child_rekey_failed(t, at);
		return;
	}
	if (ev->exchange == TM_X_INFORMATIONAL || ev->exchange == TM_X_CREATE_CHILD_SA) {
		infer_up(t, at);
		return;
	}
	if (ev->exchange == TM_X_IKE_SA_INIT && m->state == TM_UP && !parsed &&
	    ev->is_response == 0 && at - m->state_since >= TM_NEW_SA_AFTER &&
	    !recent(at, m->ike_rekey_us, TM_REKEY_WINDOW))
		/* A brand-new IKE_SA (an IKE rekey starts with
		 * CREATE_CHILD_SA) for a tunnel believed up since an earlier
		 * second (not the SA whose lines this second brought up, in
		 * whatever order): the old one went away without a line that
		 * said so. */
		go_down(t, at);
	if (ev->exchange == TM_X_IKE_SA_INIT && m->state != TM_UP)
		negotiating(m, at);
	if (parsed && ev->is_response == 1 && (pl & (CHARON_PL_NO_PROP |
	    CHARON_PL_AUTH_FAILED | CHARON_PL_TS_UNACCEPT)))
		attempt_failed(t, at);
}

/* An IKE_SA delete sent, received or begun. */
static void
step_delete(struct tm_ctx *t, const struct tm_event *ev)
{
	struct tm_machine *m = t->m;
	int64_t at = ev->us;

	if (ev->kind == CHARON_IKE_DELETE_RECEIVED)
		m->del_peer_us = at;
	if (delete_is_rekey(m, ev)) {
		m->del_rekey_us = at;
		return;
	}
	if (recent(at, m->del_down_us, TM_DELETE_WINDOW))
		return;
	m->del_down_us = at;
	/* Decided after TM_SETTLE: the rekey this delete belongs to may be
	 * logged after it, by another thread (settle). */
	if ((m->state == TM_UP || m->state == TM_UNKNOWN || m->ike_up) &&
	    m->del_pending_us == 0) {
		m->del_pending_us = at;
		/* Which IKE_SA is the current one is not known (a file that
		 * starts mid-stream): an answered DPD shortly after says the
		 * tunnel lives on (its rekey was before the file began). */
		m->del_pending_blind = m->state == TM_UNKNOWN || !m->has_ike_uid;
	}
}

static void
step_charon(struct tm_ctx *t, const struct tm_event *ev)
{
	struct tm_machine *m = t->m;
	int64_t at = ev->us;
	int ctx_child = recent(at, m->exch_us, TM_NEAR) && m->exch == TM_X_CREATE_CHILD_SA;

	switch (ev->kind) {
	case CHARON_CHILD_ESTABLISHED:
		if (ev->flags & TM_F_OUTBOUND)
			return;
		settle(t, at, SETTLE_NOW);
		if (ev->has & TM_HAS_CHILD_UID)
			child_add(m, ev->child_uid);
		m->ike_up = 1;
		if (!degraded_recovers(t, at))
			go_up(t, at);
		return;
	case CHARON_CHILD_REKEYED:
		if (ev->has & TM_HAS_CHILD_UID)
			child_remove(m, ev->child_uid);
		if (ev->has & TM_HAS_NEW_CHILD_UID)
			child_add(m, ev->new_child_uid);
		m->child_gone_us = 0;
		if (!degraded_recovers(t, at))
			infer_up(t, at);
		return;
	case CHARON_IKE_ESTABLISHED:
		m->ike_up = 1;
		if (ev->has & TM_HAS_IKE_UID) {
			m->ike_uid = ev->ike_uid;
			m->has_ike_uid = 1;
		}
		negotiating(m, at);
		return;
	case CHARON_IKE_REKEYED:
		if (ev->has & TM_HAS_IKE_UID) {
			m->ike_uid = ev->ike_uid;
			m->has_ike_uid = 1;
		}
		rekey_seen(m, at);
		infer_up(t, at);
		return;
	case CHARON_IKE_INITIATE:
	case CHARON_IKE_INITIATE_RESPONDER:
	case CHARON_VICI_INITIATE:
	case CHARON_STROKE_INITIATE:
	case CHARON_IKE_REINITIATE:
	case CHARON_CHILD_RESTART:
		if (ev->kind == CHARON_IKE_INITIATE && (ev->has & TM_HAS_IKE_UID) &&
		    m->state != TM_UP) {
			m->ike_uid = ev->ike_uid;
			m->has_ike_uid = 1;
		}
		if (m->state != TM_UP)
			negotiating(m, at);
		return;
	case CHARON_IKE_STATE_CHANGE:
		if (ev->flags & TM_F_REKEYED)
			rekey_seen(m, at);
		return;
	case CHARON_MESSAGE_GENERATED:
	case CHARON_MESSAGE_PARSED:
		step_message(t, ev);
		return;
	case CHARON_DPD_REQUEST:
	case CHARON_REKEY_SCHEDULED:
	case CHARON_IKE_LIFETIME:
		infer_up(t, at);
		return;
	case CHARON_RETRANSMIT:
		/* Retransmitting an INFORMATIONAL or CREATE_CHILD_SA request: an
		 * IKE_SA was established (a file that starts at the retransmits
		 * of a DPD). */
		if (ev->exchange == TM_X_INFORMATIONAL || ev->exchange == TM_X_CREATE_CHILD_SA)
			infer_up(t, at);
		return;
	case CHARON_GIVE_UP:
		if (ev->flags & TM_F_PATH_PROBINGS)
			return;
		/* FALLTHROUGH */
	case CHARON_IKE_ESTABLISH_NO_RESPONSE:
	case CHARON_PEER_NOT_RESPONDING_RETRY:
	case CHARON_HALF_OPEN_TIMEOUT:
	case CHARON_IKE_REKEY_NO_RESPONSE:
		if (m->state == TM_UP)
			go_down(t, at);
		else
			attempt_failed(t, at);
		return;
	case CHARON_DPD_TIMEOUT:
		go_down(t, at);
		return;
	case CHARON_VICI_TERMINATE:
	case CHARON_STROKE_TERMINATE:
	case CHARON_STOP:
	case CHARON_INACTIVITY_DELETE:
		m->local_reason_us = at;
		return;
	case CHARON_IKE_DELETE_RECEIVED:
	case CHARON_IKE_DELETE_SENT:
	case CHARON_IKE_DELETING:
		step_delete(t, ev);
		return;
	case CHARON_IKE_DELETED:
		if (recent(at, m->del_rekey_us, TM_DELETE_WINDOW) ||
		    recent(at, m->del_down_us, TM_DELETE_WINDOW) ||
		    recent(at, m->ike_rekey_us, TM_REKEY_WINDOW))
			return;
		if (m->state == TM_UP && m->del_pending_us == 0) {
			m->del_pending_us = at;
			m->del_pending_blind = !m->has_ike_uid;
		}
		return;
	case CHARON_CHILD_CLOSING:
	case CHARON_CHILD_EXPIRED:
		if (ev->has & TM_HAS_CHILD_UID)
			child_remove(m, ev->child_uid);
		if (m->incident_id != 0 && m->symptom == TM_SYM_DEGRADED && m->nchild == 0)
			go_down(t, at);
		else if (m->state == TM_UP && m->nchild == 0 && m->child_gone_us == 0)
			m->child_gone_us = at;
		return;
	case CHARON_CHILD_FAILED_KEEP_IKE:
		/* A CHILD_SA rekey refused on a tunnel that was up; the first
		 * CHILD_SA refused in IKE_AUTH is a tunnel never established. */
		if (ctx_child || m->ever_up)
			child_rekey_failed(t, at);
		else
			attempt_failed(t, at);
		return;
	case CHARON_NO_ACCEPTABLE_PROPOSAL:
	case CHARON_NOTIFY_NO_CHILD:
		if (ctx_child)
			child_rekey_failed(t, at);
		else
			attempt_failed(t, at);
		return;
	case CHARON_PSK_MAC_MISMATCH:
	case CHARON_NO_SHARED_KEY:
	case CHARON_NO_PEER_CONFIG:
	case CHARON_AUTH_FAILED:
	case CHARON_SIGNATURE_INVALID:
	case CHARON_CONSTRAINT_FAILED:
	case CHARON_PROPOSALS_UNACCEPTABLE:
	case CHARON_NOTIFY_ERROR:
	case CHARON_TS_UNACCEPTABLE:
	case CHARON_NO_ACCEPTABLE_TS:
	case CHARON_CHILD_FAILED_CLOSE_IKE:
		attempt_failed(t, at);
		return;
	default:
		return;
	}
}

/* ---- entry points ------------------------------------------------------ */

void
tm_init(struct tm_machine *m)
{
	memset(m, 0, sizeof *m);
	m->cursor_us = INT64_MIN;
}

static void
tm_begin(struct tm_ctx *t, struct tm_machine *m, const struct tm_params *p,
    struct tm_effects *fx)
{
	t->m = m;
	t->p = p;
	t->fx = fx;
	fx->n = 0;
}

void
tm_step(struct tm_machine *m, const struct tm_params *p, const struct tm_event *ev,
    struct tm_effects *fx)
{
	struct tm_ctx t;

	tm_begin(&t, m, p, fx);
	timers(&t, ev->us);
	if (ev->source == TM_SRC_CHARON) {
		step_charon(&t, ev);
	} else if (ev->source == TM_SRC_FTMD && ev->ftmd_up == 0) {
		go_down(&t, ev->us);
	} else if (ev->source == TM_SRC_FTMD && ev->ftmd_up == 1) {
		settle(&t, ev->us, SETTLE_NOW);
		go_up(&t, ev->us);
	}
}

void
tm_timers(struct tm_machine *m, const struct tm_params *p, int64_t now,
    struct tm_effects *fx)
{
	struct tm_ctx t;

	tm_begin(&t, m, p, fx);
	timers(&t, now);
}

void
tm_final(struct tm_machine *m, const struct tm_params *p, int64_t now,
    struct tm_effects *fx)
{
	struct tm_ctx t;

	tm_begin(&t, m, p, fx);
	settle(&t, now, SETTLE_NOW);
	timers(&t, now);
}

void
tm_restart(struct tm_machine *m, const struct tm_params *p, int64_t at,
    struct tm_effects *fx)
{
	struct tm_ctx t;

	tm_begin(&t, m, p, fx);
	settle(&t, at, SETTLE_RESTART);
	m->ike_up = 0;
	m->nchild = 0;
	m->has_ike_uid = 0;
	m->child_gone_us = 0;
	if (m->state == TM_UP)
		go_down(&t, at);
}

int
tm_needs_timer(const struct tm_machine *m)
{
	return m->child_gone_us != 0 || m->del_pending_us != 0 || (m->incident_id != 0 &&
	    (m->symptom == TM_SYM_DOWN || m->symptom == TM_SYM_DEGRADED)) || m->score > 0;
}

int
tm_visible_same(const struct tm_machine *a, const struct tm_machine *b)
{
	return a->state == b->state && a->state_since == b->state_since &&
	    a->ever_up == b->ever_up && a->incident_id == b->incident_id &&
	    a->symptom == b->symptom && a->inc_start == b->inc_start &&
	    a->nflaps == b->nflaps;
}

/* ---- JSON ------------------------------------------------------------- */

json_t *
tm_to_json(const struct tm_machine *m)
{
	json_t *o = json_object(), *a = json_array(), *f = json_array();
	int i;

	if (o == NULL || a == NULL || f == NULL) {
		json_decref(o);
		json_decref(a);
		json_decref(f);
		return NULL;
	}
	for (i = 0; i < m->nchild; i++)
		json_array_append_new(a, json_integer(m->child[i]));
	for (i = 0; i < m->nflaps; i++)
		json_array_append_new(f, json_integer(m->flaps[i]));
	json_object_set_new(o, "state", json_integer(m->state));
	json_object_set_new(o, "since", json_integer(m->state_since));
	json_object_set_new(o, "ever_up", json_integer(m->ever_up));
	json_object_set_new(o, "ike_up", json_integer(m->ike_up));
	json_object_set_new(o, "has_ike_uid", json_integer(m->has_ike_uid));
	json_object_set_new(o, "ike_uid", json_integer(m->ike_uid));
	json_object_set_new(o, "child", a);
	json_object_set_new(o, "child_gone", json_integer(m->child_gone_us));
	json_object_set_new(o, "ike_rekey", json_integer(m->ike_rekey_us));
	json_object_set_new(o, "del_rekey", json_integer(m->del_rekey_us));
	json_object_set_new(o, "del_down", json_integer(m->del_down_us));
	json_object_set_new(o, "del_pending", json_integer(m->del_pending_us));
	json_object_set_new(o, "del_blind", json_integer(m->del_pending_blind));
	json_object_set_new(o, "del_peer", json_integer(m->del_peer_us));
	json_object_set_new(o, "local_reason", json_integer(m->local_reason_us));
	json_object_set_new(o, "exch_us", json_integer(m->exch_us));
	json_object_set_new(o, "exch", json_string(tm_exchange_name(m->exch) != NULL ?
	    tm_exchange_name(m->exch) : ""));
	json_object_set_new(o, "incident", json_integer(m->incident_id));
	json_object_set_new(o, "symptom", json_integer(m->symptom));
	json_object_set_new(o, "inc_start", json_integer(m->inc_start));
	json_object_set_new(o, "flaps", f);
	json_object_set_new(o, "score", json_real(m->score));
	json_object_set_new(o, "score_us", json_integer(m->score_us));
	json_object_set_new(o, "last_us", json_integer(m->last_us));
	json_object_set_new(o, "cursor_us", json_integer(m->cursor_us));
	json_object_set_new(o, "cursor_event", json_integer(m->cursor_event));
	return o;
}

static int64_t
jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

void
tm_from_json(struct tm_machine *m, const char *text)
{
	json_t *o = json_loads(text, 0, NULL), *a;
	size_t i;

	tm_init(m);
	if (o == NULL)
		return;
	m->state = (int)jint(o, "state");
	if (m->state < TM_UNKNOWN || m->state >= TM_NSTATES)
		m->state = TM_UNKNOWN;
	m->state_since = jint(o, "since");
	m->ever_up = (int)jint(o, "ever_up");
	m->ike_up = (int)jint(o, "ike_up");
	m->has_ike_uid = (int)jint(o, "has_ike_uid");
	m->ike_uid = (uint32_t)jint(o, "ike_uid");
	a = json_object_get(o, "child");
	for (i = 0; i < json_array_size(a) && i < TM_MAX_CHILD; i++)
		m->child[m->nchild++] = (uint32_t)json_integer_value(json_array_get(a, i));
	m->child_gone_us = jint(o, "child_gone");
	m->ike_rekey_us = jint(o, "ike_rekey");
	m->del_rekey_us = jint(o, "del_rekey");
	m->del_down_us = jint(o, "del_down");
	m->del_pending_us = jint(o, "del_pending");
	m->del_pending_blind = (int)jint(o, "del_blind");
	m->del_peer_us = jint(o, "del_peer");
	m->local_reason_us = jint(o, "local_reason");
	m->exch_us = jint(o, "exch_us");
	if (json_is_string(json_object_get(o, "exch")))
		m->exch = tm_exchange_of(json_string_value(json_object_get(o, "exch")));
	m->incident_id = jint(o, "incident");
	if (m->incident_id < 0)
		m->incident_id = 0;
	m->symptom = (int)jint(o, "symptom");
	if (m->symptom < TM_SYM_NONE || m->symptom >= TM_NSYMPTOMS)
		m->symptom = TM_SYM_NONE;
	m->inc_start = jint(o, "inc_start");
	a = json_object_get(o, "flaps");
	for (i = 0; i < json_array_size(a) && i < TM_MAX_FLAPS; i++)
		m->flaps[m->nflaps++] = (int64_t)json_integer_value(json_array_get(a, i));
	m->score = json_real_value(json_object_get(o, "score"));
	m->score_us = jint(o, "score_us");
	m->last_us = jint(o, "last_us");
	m->cursor_us = json_object_get(o, "cursor_us") != NULL ? jint(o, "cursor_us") : INT64_MIN;
	m->cursor_event = jint(o, "cursor_event");
	json_decref(o);
}
