/*
 * tm_event.c — a line's facts for the tunnel state machine (tm_event.h).
 */
#include "tm_event.h"

#include <string.h>

static const char *const tm_exchanges[TM_NEXCHANGES] = { "", "IKE_SA_INIT", "IKE_AUTH",
	"CREATE_CHILD_SA", "INFORMATIONAL", "other" };

const char *
tm_exchange_name(int exchange)
{
	return exchange >= 0 && exchange < TM_NEXCHANGES ? tm_exchanges[exchange] : NULL;
}

int
tm_exchange_of(const char *name)
{
	int i;

	if (name[0] == '\0')
		return TM_X_NONE;
	for (i = TM_X_NONE + 1; i < TM_X_OTHER; i++)
		if (strcmp(name, tm_exchanges[i]) == 0)
			return i;
	return TM_X_OTHER;
}

/* ---- events ------------------------------------------------------------ */

void
tm_event_charon(struct tm_event *out, const struct charon_event *ch, int64_t us)
{
	memset(out, 0, sizeof *out);
	out->us = us;
	out->source = TM_SRC_CHARON;
	out->kind = (uint16_t)ch->kind;
	out->ftmd_up = -1;
	if (ch->has & CHARON_HAS_IKE_UID) {
		out->has |= TM_HAS_IKE_UID;
		out->ike_uid = ch->ike_uid;
	}
	if (ch->has & CHARON_HAS_CHILD_UID) {
		out->has |= TM_HAS_CHILD_UID;
		out->child_uid = ch->child_uid;
	}
	if (ch->has & CHARON_HAS_NEW_CHILD_UID) {
		out->has |= TM_HAS_NEW_CHILD_UID;
		out->new_child_uid = ch->new_child_uid;
	}
	out->payload_flags = (uint16_t)ch->payload_flags;
	out->is_response = (int8_t)(ch->is_response > 0 ? 1 : ch->is_response == 0 ? 0 : -1);
	if (ch->kind == CHARON_RETRANSMIT)
		/* vEdge's "exchange=37": IKEv2 exchange type numbers (RFC 7296
		 * §3.1); only these two say an IKE_SA was established. */
		out->exchange = ch->retx_exchange == 37 ? TM_X_INFORMATIONAL :
		    ch->retx_exchange == 36 ? TM_X_CREATE_CHILD_SA : TM_X_NONE;
	else
		out->exchange = (uint8_t)tm_exchange_of(ch->exchange);
	if (ch->kind == CHARON_CHILD_ESTABLISHED && strcmp(ch->variant, "outbound") == 0)
		out->flags |= TM_F_OUTBOUND;
	if (ch->kind == CHARON_GIVE_UP && strcmp(ch->variant, "path_probings") == 0)
		out->flags |= TM_F_PATH_PROBINGS;
	/* Level 2: "IKE_SA ipsec2_1[1] state change: ESTABLISHED => REKEYED"
	 * (or REKEYED => DELETING): the old SA of a rekey. */
	if (ch->kind == CHARON_IKE_STATE_CHANGE && (strcmp(ch->variant, "rekeyed") == 0 ||
	    strncmp(ch->detail, "REKEYED ", 8) == 0))
		out->flags |= TM_F_REKEYED;
}

void
tm_event_ftmd(struct tm_event *out, int up, int64_t us)
{
	memset(out, 0, sizeof *out);
	out->us = us;
	out->source = TM_SRC_FTMD;
	out->is_response = -1;
	out->ftmd_up = (int8_t)(up == 1 ? 1 : up == 0 ? 0 : -1);
}
