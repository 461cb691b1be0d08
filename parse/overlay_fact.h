/*
 * overlay_fact.h — what one FTMD line says about the device's own
 * transport (a VPN 0 interface, a BFD session, a control connection).
 *
 * Pure: read in the parse stage beside the line's other facts
 * (facts.h); storage/overlay.c records the facts and judges them.
 */
#ifndef TW_OVERLAY_FACT_H
#define TW_OVERLAY_FACT_H

#include "parse_ftmd.h"

#define OVERLAY_NAME_LEN	64	/* interface, color, system-ip, reason */

enum overlay_kind {
	OVERLAY_NONE = 0,	/* not about the transport */
	OVERLAY_IF_DOWN, OVERLAY_IF_UP,		/* a VPN 0 interface */
	OVERLAY_BFD_DOWN, OVERLAY_BFD_UP,	/* a BFD session */
	OVERLAY_CONTROL_DOWN, OVERLAY_CONTROL_UP,	/* a control connection */
};

/* What one FTMD line says about the transport.  Strings NUL-terminated,
 * "" when absent. */
struct overlay_fact {
	int kind;				/* enum overlay_kind */
	char if_name[OVERLAY_NAME_LEN];		/* if_*: "ge0/0" */
	char color[OVERLAY_NAME_LEN];		/* bfd: local-color; control: src-color */
	char remote_system_ip[OVERLAY_NAME_LEN];/* bfd: remote-system-ip; control: peer-system-ip */
	char remote_color[OVERLAY_NAME_LEN];
	char reason[OVERLAY_NAME_LEN];		/* bfd: flap-reason; control: peer-type */
	int deleted;				/* bfd: deleted:true */
};

/*
 * Reads the transport fact of one parsed FTMD line (base: the buffer given
 * to ftmd_parse()).  Pure.  Returns 1 and fills *out when the line is about
 * the transport: an interface-state-change (or "VPN 0 Interface X DOWN")
 * of a VPN 0 interface that is not an ipsecN tunnel, a bfd-state-change,
 * a control-connection-state-change, each with a known new state; else 0
 * with out->kind OVERLAY_NONE.
 */
int overlay_fact_from_ftmd(const struct ftmd_event *ev, const char *base,
    struct overlay_fact *out);

/* The stable database name of a kind ("if_down", ...); NULL for NONE. */
const char *overlay_kind_name(int kind);

#endif
