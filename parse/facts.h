/*
 * facts.h — what one understood line says about its device, its tunnel and
 * the event: the parse stage's output, read without the database.
 *
 * facts_prepare() runs the right parser (domain.h) on a prepared row and
 * keeps the facts that identity resolution (storage/resolve.c) and the
 * events table need: names, addresses, unique ids, the charon thread, the
 * FTMD system-ip and state, the transport fact, a hash of the text for the
 * duplicate check, and the event's JSON detail.
 */
#ifndef TW_FACTS_H
#define TW_FACTS_H

#include "domain.h"
#include "overlay_fact.h"
#include "tm_event.h"

#include <stdint.h>

/*
 * Chatter: the lines an established tunnel repeats all day — packets,
 * NAT-T keep-alives, routine kernel lines, DPD probes and their answers.
 * They are kept in messages but are not events rows; each tunnel counts
 * them per minute (its pulse: the heartbeat table).  The DPD lines
 * (FACTS_PULSE_IS_TRAIL) are still read by the state machine and the
 * root-cause rules: they flow to the correlator in memory like events, and
 * their minute keeps a trail of them (event id, message id, device time)
 * from which the correlator reads them back when it must.  Retransmits
 * stay events rows too (docs/schema.md, "The pulse").
 */
enum facts_pulse {
	FACTS_PULSE_NONE = 0,
	FACTS_PULSE_PACKET_OUT,       /* sending packet: ... (N bytes) */
	FACTS_PULSE_PACKET_IN,        /* received packet: ... (N bytes) */
	FACTS_PULSE_KEEPALIVE,        /* sending keep alive to H */
	FACTS_PULSE_KERNEL,           /* rekey/delete jobs, policies, routes */
	FACTS_PULSE_DPD_PROBE,        /* sending DPD request */
	FACTS_PULSE_DPD_REQ_OUT,      /* generating INFORMATIONAL request n [ ] */
	FACTS_PULSE_DPD_ANSWER_IN,    /* parsed INFORMATIONAL response n [ ] */
	FACTS_PULSE_DPD_REQ_IN,       /* parsed INFORMATIONAL request n [ ]: the peer's */
	FACTS_PULSE_DPD_ANSWER_OUT,   /* generating INFORMATIONAL response n [ ] */
	FACTS_PULSE_RETRANSMIT,       /* retransmit n of request: an event too */
};
/* An events row too. */
#define FACTS_PULSE_IS_EVENT(p) ((p) == FACTS_PULSE_RETRANSMIT)
/* No events row, but the correlator reads it: kept in its minute's trail. */
#define FACTS_PULSE_IS_TRAIL(p) ((p) >= FACTS_PULSE_DPD_PROBE && (p) <= FACTS_PULSE_DPD_ANSWER_OUT)
/* No events row. */
#define FACTS_PULSE_NO_ROW(p) ((p) != FACTS_PULSE_NONE && !FACTS_PULSE_IS_EVENT(p))

/*
 * What a line says about its device, tunnel and event.  Strings are
 * copies ("" = absent); detail is the event's JSON, owned.
 */
struct line_facts {
	int source;                   /* DOMAIN_CHARON, DOMAIN_VIPTELA; 0: no event */
	const char *kind, *source_name, *new_state;   /* static strings */
	int64_t us;                   /* device time; INT64_MIN when none */
	char iface[32];               /* ipsec2, from any name the line carries */
	char conn[CHARON_NAME_LEN];   /* IKE_SA / connection name */
	char child[CHARON_NAME_LEN];
	uint32_t uid;
	int has_uid;
	char local_ip[CHARON_ADDR_LEN], peer_ip[CHARON_ADDR_LEN];
	int64_t msg_id, count;        /* -1 = none */
	int thread;                   /* charon thread; -1 = none */
	char sysip[64], host[256], tag_host[256], host_name[256];
	uint64_t body_hash;           /* of the text the parser read */
	int pulse;                    /* enum facts_pulse */
	int64_t bytes;                /* packet lines: its size; else 0 */
	struct tm_event ev;           /* what the tunnel state machine reads */
	struct overlay_fact ov;       /* FTMD: what it says of the transport */
	char *detail;
};

/* Classifies row (ds is scratch) into *f.  Pure: any thread. */
void facts_prepare(const struct ingest_row *row, struct domain_scratch *ds,
    struct line_facts *f);
/* Frees what f owns (its detail, unless the resolver took it). */
void facts_clear(struct line_facts *f);

#endif
