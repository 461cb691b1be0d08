/*
 * facts.c — a parsed line's facts (see facts.h).
 */
#include "facts.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void
text_copy(char *dst, size_t sz, const char *src)
{
	size_t n = src != NULL ? strlen(src) : 0;

	if (n >= sz)
		n = sz - 1;
	memcpy(dst, src != NULL ? src : "", n);
	dst[n] = '\0';
}

static int
addr_is_ip(const char *a)
{
	return a[0] != '\0' && strcmp(a, "%any") != 0;
}

static int facts_pulse_of(const struct charon_event *ev);

static void
facts_from_charon(struct line_facts *f, const struct charon_event *ev)
{
	f->kind = charon_kind_name(ev->kind);
	f->source_name = "charon";
	f->thread = ev->thread;
	text_copy(f->conn, sizeof f->conn, ev->ike_name[0] ? ev->ike_name : ev->conn);
	text_copy(f->child, sizeof f->child, ev->child_name);
	if (ev->has & CHARON_HAS_IKE_UID) {
		f->uid = ev->ike_uid;
		f->has_uid = 1;
	} else if (ev->has & CHARON_HAS_CONN_UID) {
		f->uid = ev->conn_uid;
		f->has_uid = 1;
	}
	if (addr_is_ip(ev->local.addr))
		text_copy(f->local_ip, sizeof f->local_ip, ev->local.addr);
	if (addr_is_ip(ev->remote.addr))
		text_copy(f->peer_ip, sizeof f->peer_ip, ev->remote.addr);
	if (ev->has & CHARON_HAS_MSGID)
		f->msg_id = ev->msgid;
	if (ev->has & CHARON_HAS_COUNT)
		f->count = ev->count;
	/* The interface from whichever name the line carries. */
	if (f->conn[0] == '\0' || !domain_interface_of(f->conn, strlen(f->conn), f->iface,
	    sizeof f->iface)) {
		if (f->child[0] == '\0' || !domain_interface_of(f->child, strlen(f->child),
		    f->iface, sizeof f->iface))
			f->iface[0] = '\0';
	}
	if (f->conn[0] == '\0' && f->child[0] != '\0' && f->iface[0] == '\0')
		text_copy(f->conn, sizeof f->conn, f->child);
	f->pulse = facts_pulse_of(ev);
	if ((f->pulse == FACTS_PULSE_PACKET_OUT || f->pulse == FACTS_PULSE_PACKET_IN) &&
	    (ev->has & CHARON_HAS_SIZE))
		f->bytes = ev->size;
}

/* Which chatter, if any, a charon line is (enum facts_pulse). */
static int
facts_pulse_of(const struct charon_event *ev)
{
	int dpd = (ev->kind == CHARON_MESSAGE_GENERATED || ev->kind == CHARON_MESSAGE_PARSED) &&
	    (ev->payload_flags & CHARON_PL_EMPTY) && strcmp(ev->exchange, "INFORMATIONAL") == 0;

	switch (ev->kind) {
	case CHARON_PACKET_SENT:
		return FACTS_PULSE_PACKET_OUT;
	case CHARON_PACKET_RECEIVED:
		return FACTS_PULSE_PACKET_IN;
	case CHARON_KEEPALIVE:
		return FACTS_PULSE_KEEPALIVE;
	case CHARON_KERNEL_EXPIRE:
	case CHARON_KERNEL_POLICY:
	case CHARON_KERNEL_ROUTE:
		return FACTS_PULSE_KERNEL;
	case CHARON_DPD_REQUEST:
		return FACTS_PULSE_DPD_PROBE;
	case CHARON_RETRANSMIT:
		return FACTS_PULSE_RETRANSMIT;
	case CHARON_MESSAGE_GENERATED:
		if (dpd && ev->is_response == 0)
			return FACTS_PULSE_DPD_REQ_OUT;
		return dpd && ev->is_response == 1 ? FACTS_PULSE_DPD_ANSWER_OUT :
		    FACTS_PULSE_NONE;
	case CHARON_MESSAGE_PARSED:
		if (dpd && ev->is_response == 1)
			return FACTS_PULSE_DPD_ANSWER_IN;
		return dpd && ev->is_response == 0 ? FACTS_PULSE_DPD_REQ_IN :
		    FACTS_PULSE_NONE;
	default:
		return FACTS_PULSE_NONE;
	}
}

static void
facts_from_viptela(struct line_facts *f, const struct ftmd_event *ev, const char *base)
{
	char ifname[64];

	f->kind = ftmd_kind_name(ev->kind);
	f->source_name = "viptela";
	f->thread = -1;
	span_copy(f->tag_host, sizeof f->tag_host, base, ev->tag_host);
	span_copy(f->host_name, sizeof f->host_name, base, ev->host_name);
	span_copy(f->sysip, sizeof f->sysip, base, ev->system_ip);
	/* "system-ip:::" is the unset value, not an address. */
	if (strcmp(f->sysip, "::") == 0 || strcmp(f->sysip, "0.0.0.0") == 0)
		f->sysip[0] = '\0';
	span_copy(ifname, sizeof ifname, base, ev->if_name);
	if (ev->kind == FTMD_IF_STATE || ev->kind == FTMD_IF_ADMIN_STATE) {
		if (!domain_interface_of(ifname, strlen(ifname), f->iface, sizeof f->iface))
			f->iface[0] = '\0';
	}
	if (ev->state_up == 1)
		f->new_state = "up";
	else if (ev->state_up == 0)
		f->new_state = "down";
}

void
facts_prepare(const struct ingest_row *row, struct domain_scratch *ds,
    struct line_facts *f)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;
	int kind_packet;

	memset(f, 0, sizeof *f);
	f->us = row->device_us;
	f->msg_id = f->count = -1;
	if (domain_classify(row, ds) != DOMAIN_CHARON && ds->source != DOMAIN_VIPTELA)
		return;
	f->source = ds->source;
	span_copy(f->host, sizeof f->host, row->raw, row->hdr.hostname);
	if (ds->source == DOMAIN_CHARON) {
		facts_from_charon(f, &ds->ch);
		tm_event_charon(&f->ev, &ds->ch, row->device_us);
	} else {
		facts_from_viptela(f, &ds->ft, ds->body);
		overlay_fact_from_ftmd(&ds->ft, ds->body, &f->ov);
		tm_event_ftmd(&f->ev, f->new_state == NULL ? -1 :
		    strcmp(f->new_state, "up") == 0, row->device_us);
	}
	if (f->kind == NULL)
		f->kind = "other";
	if (f->host[0] == '\0' && f->tag_host[0] != '\0')
		text_copy(f->host, sizeof f->host, f->tag_host);
	/* The duplicate check compares (device, time, this hash). */
	for (i = 0; i < ds->body_len; i++)
		h = (h ^ (unsigned char)ds->body[i]) * 0x100000001b3ULL;
	f->body_hash = h;
	/* DPD chatter and packet lines are the bulk of debug traffic and their
	 * typed columns say it all: no JSON detail for them (nor for lines
	 * nothing was understood of; the raw line is there). */
	kind_packet = ds->source == DOMAIN_CHARON && (ds->ch.kind == CHARON_PACKET_SENT ||
	    ds->ch.kind == CHARON_PACKET_RECEIVED || ds->ch.kind == CHARON_KEEPALIVE ||
	    ds->ch.kind == CHARON_OTHER || ds->ch.kind == CHARON_DPD_REQUEST ||
	    ((ds->ch.kind == CHARON_MESSAGE_GENERATED || ds->ch.kind == CHARON_MESSAGE_PARSED) &&
	    (ds->ch.payload_flags & CHARON_PL_EMPTY)));
	if (!kind_packet) {
		json_t *o = json_object();
		if (ds->source == DOMAIN_CHARON)
			charon_event_to_json(&ds->ch, (struct json_t *)o);
		else
			ftmd_event_to_json(&ds->ft, ds->body, o);
		f->detail = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
}

void
facts_clear(struct line_facts *f)
{
	free(f->detail);
	f->detail = NULL;
}

