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

#include <stdint.h>

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
	struct overlay_fact ov;       /* FTMD: what it says of the transport */
	char *detail;
};

/* Classifies row (ds is scratch) into *f.  Pure: any thread. */
void facts_prepare(const struct ingest_row *row, struct domain_scratch *ds,
    struct line_facts *f);
/* Frees what f owns (its detail, unless the resolver took it). */
void facts_clear(struct line_facts *f);

#endif
