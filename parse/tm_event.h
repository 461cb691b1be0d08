/*
 * tm_event.h — one event as the tunnel state machine reads it
 * (diagnose/machine.h): the few facts of a charon line or an FTMD tunnel
 * state line, in 32 bytes.  Made by the parse stage beside a line's other
 * facts (facts.h), so that the line is parsed once and the event can wait
 * in memory, per tunnel, until the correlator steps the machine on it.
 */
#ifndef TW_TM_EVENT_H
#define TW_TM_EVENT_H

#include "parse_charon.h"

#include <stdint.h>

/* The IKE exchanges the machine tells apart. */
enum tm_exchange {
	TM_X_NONE, TM_X_IKE_SA_INIT, TM_X_IKE_AUTH, TM_X_CREATE_CHILD_SA,
	TM_X_INFORMATIONAL, TM_X_OTHER, TM_NEXCHANGES
};

/*
 * One event, as the machine reads it: the facts of a charon line or an
 * FTMD tunnel state line, nothing else (32 bytes, to be queued per
 * tunnel).  Fill it with tm_event_charon() or tm_event_ftmd().
 */
enum tm_source { TM_SRC_NONE, TM_SRC_CHARON, TM_SRC_FTMD };

#define TM_HAS_IKE_UID       (1u << 0)
#define TM_HAS_CHILD_UID     (1u << 1)
#define TM_HAS_NEW_CHILD_UID (1u << 2)

#define TM_F_OUTBOUND        (1u << 0) /* child_established "outbound" */
#define TM_F_PATH_PROBINGS   (1u << 1) /* give_up "path_probings" (MOBIKE, not the SA) */
#define TM_F_REKEYED         (1u << 2) /* ike_state_change to or from REKEYED */

struct tm_event {
	int64_t  us;                  /* device time */
	uint32_t ike_uid;             /* TM_HAS_IKE_UID */
	uint32_t child_uid;           /* TM_HAS_CHILD_UID */
	uint32_t new_child_uid;       /* TM_HAS_NEW_CHILD_UID */
	uint16_t kind;                /* enum charon_kind (TM_SRC_CHARON) */
	uint16_t payload_flags;       /* CHARON_PL_* (message_generated/parsed) */
	uint8_t  source;              /* enum tm_source */
	uint8_t  has;                 /* TM_HAS_* */
	uint8_t  flags;               /* TM_F_* */
	uint8_t  exchange;            /* enum tm_exchange: the message's, or the
	                               * retransmitted request's (vEdge exchange=N) */
	int8_t   is_response;         /* 1 response, 0 request, -1 unknown */
	int8_t   ftmd_up;             /* TM_SRC_FTMD: 1 up, 0 down, -1 neither */
};

/* ch at device time us → *out. */
void tm_event_charon(struct tm_event *out, const struct charon_event *ch, int64_t us);
/* An FTMD tunnel line at us: up 1, down 0, -1 neither (it still runs the
 * timers, as any event does). */
void tm_event_ftmd(struct tm_event *out, int up, int64_t us);

/* The exchange's stable name ("CREATE_CHILD_SA"), static; "" for
 * TM_X_NONE, NULL out of range. */
const char *tm_exchange_name(int exchange);
/* An exchange's name → enum tm_exchange ("" none, unknown: other). */
int tm_exchange_of(const char *name);

#endif
