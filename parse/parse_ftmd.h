/*
 * parse_ftmd.h — parser for Viptela / Cisco SD-WAN daemon messages
 * (FTMD, SYSMGR, VDAEMON, OMPD ... lines).
 *
 * Input is the syslog message body, starting at the tag:
 *
 *   %Viptela-<host>-<proc>-<sev 0-7>-<TAG [A-Z]+>-<msgid>: <body>
 *   %Cisco-SDWAN-<host>-<proc>-<sev 0-7>-<TAG [A-Z]+>-<msgid>: <body>
 *
 * (docs/log-formats.md#viptela-ftmd-messages).  The tag is split
 * from the right because host names contain '-', '_' and digits.  Bodies
 * come in three shapes:
 *
 *   free text        "VPN 1 Interface ipsec2 DOWN"                (1000001)
 *                    "Operational state changed to UP"             (400003)
 *   event k:v ...    "control-connection-state-change new-state:up ..."
 *   Notification:    "Notification: [M/D/YYYY H:MM:SS] <event> k:v ..."
 *
 * The parser is a pure function: no allocation, no globals, no I/O, no
 * reliance on NUL termination.  Every string it reports is a struct span
 * (offset, length) into the caller's buffer.
 */
#ifndef TW_PARSE_FTMD_H
#define TW_PARSE_FTMD_H

#include <stddef.h>

#include "span.h"

/* Results of ftmd_parse(). */
#define FTMD_PARSE_OK		0
#define FTMD_PARSE_NOMATCH	1	/* not a Viptela / Cisco-SDWAN tag */
#define FTMD_PARSE_MALFORMED	(-1)	/* tag present but broken */

#define FTMD_MAX_KV		48	/* key/value pairs kept per event */
#define FTMD_MAX_HOST		255	/* RFC 1035 §2.3.4 name limit */
#define FTMD_MAX_INPUT		(1u << 20)	/* longer input is MALFORMED */

#define FTMD_VENDOR_VIPTELA	0
#define FTMD_VENDOR_CISCO_SDWAN	1

/*
 * Event kinds.  ftmd_kind_name() gives the string stored in the database;
 * these strings are stable, never rename them:
 *
 *   FTMD_OTHER                "viptela_other"
 *   FTMD_IF_STATE             "interface_state_change"
 *   FTMD_IF_ADMIN_STATE       "interface_admin_state_change"
 *   FTMD_BFD_STATE            "bfd_state_change"
 *   FTMD_CONTROL_STATE        "control_connection_state_change"
 *   FTMD_TUNNEL_IPSEC_REKEY   "tunnel_ipsec_rekey"
 *   FTMD_NOTIFICATION         "viptela_notification"
 *   FTMD_CONTROL_AUTH_FAIL    "control_connection_auth_fail"
 *   FTMD_TUNNEL_INSTALL_FAIL  "tunnel_install_fail"
 *   FTMD_OMP_PEER_STATE       "omp_peer_state_change"
 *   FTMD_OMP_OPER_STATE       "omp_operational_state_change"
 */
enum ftmd_kind {
	FTMD_OTHER = 0,		/* a tag whose body we do not model */
	FTMD_IF_STATE,		/* interface-state-change, or 1000001
				   "VPN 1 Interface ipsec2 DOWN" */
	FTMD_IF_ADMIN_STATE,	/* interface-admin-state-change */
	FTMD_BFD_STATE,		/* bfd-state-change */
	FTMD_CONTROL_STATE,	/* control-connection-state-change */
	FTMD_TUNNEL_IPSEC_REKEY,	/* tunnel-ipsec-rekey (SD-WAN data plane) */
	FTMD_NOTIFICATION,	/* any other event (Notification: or k:v) */
	FTMD_CONTROL_AUTH_FAIL,	/* control-connection-auth-fail */
	FTMD_TUNNEL_INSTALL_FAIL,	/* tunnel-install-fail */
	FTMD_OMP_PEER_STATE,	/* omp-peer-state-change */
	FTMD_OMP_OPER_STATE,	/* 400003 "Operational state changed to UP" */
	FTMD_KIND_COUNT
};

struct ftmd_kv {
	struct span key;
	struct span val;	/* without the quotes; len 0 for "" */
};

struct ftmd_event {
	int kind;		/* enum ftmd_kind */
	int vendor;		/* FTMD_VENDOR_*, -1 on NOMATCH */
	struct span tag_host;	/* "vedge01" (may differ from the HOST) */
	struct span proc;	/* "FTMD", "ftmd", "VDAEMON_0" ... */
	struct span mnemonic;	/* "INFO", "NTCE" */
	int tag_severity;	/* the tag digit 0..7, -1 unknown.  This is
				   the real severity: the PRI lies (§1.3) */
	long msgid;		/* 1000001, 1400002, 400003; -1 unknown */
	struct span body;	/* text after "<msgid>: ", trailing blanks cut */

	/* "Notification: [M/D/YYYY H:MM:SS]" — optional, time zone unknown */
	int has_notif_time;
	int n_year, n_mon, n_mday, n_hour, n_min, n_sec;

	struct span event;	/* "interface-state-change"; empty for the
				   free-text bodies */

	/* Common fields: spans to the (unquoted) values, first occurrence. */
	struct span severity_level, host_name, system_ip, vpn_id, if_name,
	    new_state;
	int state_up;		/* new-state: 1 up, 0 down, -1 unknown/none */
	int vpn;		/* vpn-id 0..65535, -1 unknown */

	struct ftmd_kv kv[FTMD_MAX_KV];
	int n_kv;
	int n_dropped_fields;	/* k:v pairs beyond FTMD_MAX_KV */
	int n_stray_tokens;	/* body tokens that are not key:value */
	int n_glued;		/* "peer-type:vmanagepeer-system-ip:..." pairs
				   split at a known key (docs/log-formats.md#message-1000001) */
};

/*
 * Parses one message body buf[0..len) that starts at the '%' of the tag
 * (leading blanks are skipped).  buf need not be NUL-terminated and may
 * contain NUL bytes.  *out is always fully initialised; its spans point
 * into buf, which the caller keeps alive while using them.
 *
 * Returns FTMD_PARSE_OK (0); FTMD_PARSE_NOMATCH (1) when buf does not start
 * with "%Viptela-" or "%Cisco-SDWAN-"; FTMD_PARSE_MALFORMED (-1) when the
 * tag is broken (bad severity digit, non-digit msg-id, missing ':', host
 * empty or longer than FTMD_MAX_HOST, input longer than FTMD_MAX_INPUT).
 * On MALFORMED the fields are best effort: what could be read is filled
 * in, and the body is still parsed when the tag's ':' was found.  The
 * caller should store the raw line with a parse-status tag.
 */
int ftmd_parse(const char *buf, size_t len, struct ftmd_event *out);

/* The stable database name of kind (see the list above); NULL when kind
 * is out of range.  The string is static. */
const char *ftmd_kind_name(int kind);

/*
 * Looks up key (NUL-terminated, exact, case-sensitive) among the pairs
 * kept in ev->kv; base is the buffer given to ftmd_parse().  Returns 1 and
 * sets *val (if val != NULL) to the first match, 0 when absent.
 */
int ftmd_kv_find(const struct ftmd_event *ev, const char *base,
    const char *key, struct span *val);

/*
 * Adds ev's fields to the jansson object obj (ftmd_json.c): vendor,
 * tag_host, proc, mnemonic, tag_severity, msgid, kind, event, notif_time,
 * the common fields, body, and every kept pair under "fields" (the first
 * of duplicated keys wins).  Invalid UTF-8 is replaced by U+FFFD.  Absent
 * fields are left out.  Returns 0, or -1 when jansson fails (out of
 * memory); obj may then hold part of the fields.
 */
struct json_t;			/* jansson's json_t, no include needed */
int ftmd_event_to_json(const struct ftmd_event *ev, const char *base,
    struct json_t *obj);

#endif
