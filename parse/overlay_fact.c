/*
 * overlay_fact.c — reading the transport fact of an FTMD line (see
 * overlay_fact.h).
 */
#include "overlay_fact.h"
#include "domain.h"

#include <string.h>
#include <strings.h>

static const char *const overlay_kind_names[] = {
	[OVERLAY_NONE] = NULL,
	[OVERLAY_IF_DOWN] = "if_down", [OVERLAY_IF_UP] = "if_up",
	[OVERLAY_BFD_DOWN] = "bfd_down", [OVERLAY_BFD_UP] = "bfd_up",
	[OVERLAY_CONTROL_DOWN] = "control_down", [OVERLAY_CONTROL_UP] = "control_up",
};

const char *
overlay_kind_name(int kind)
{
	if (kind <= OVERLAY_NONE || kind > OVERLAY_CONTROL_UP)
		return NULL;
	return overlay_kind_names[kind];
}

/* ---- reading the line ------------------------------------------------ */

static void
kv_copy(const struct ftmd_event *ev, const char *base, const char *key, char *dst,
    size_t dstsz)
{
	struct span v;

	dst[0] = '\0';
	if (ftmd_kv_find(ev, base, key, &v))
		span_copy(dst, dstsz, base, v);
}

/* Tunnel interfaces in VPN 0 are tunnels, not the uplink: third-party IPsec
 * (ipsecN, the tunnels this project watches) and GRE. */
static int
is_tunnel_interface(const char *name)
{
	char tmp[32];

	return domain_interface_of(name, strlen(name), tmp, sizeof tmp) ||
	    strncasecmp(name, "gre", 3) == 0;
}

int
overlay_fact_from_ftmd(const struct ftmd_event *ev, const char *base,
    struct overlay_fact *f)
{
	memset(f, 0, sizeof *f);
	if (ev->state_up != 0 && ev->state_up != 1)
		return 0;
	switch (ev->kind) {
	case FTMD_IF_STATE:
		if (ev->vpn != 0)
			return 0;
		span_copy(f->if_name, sizeof f->if_name, base, ev->if_name);
		if (f->if_name[0] == '\0' || is_tunnel_interface(f->if_name)) {
			memset(f, 0, sizeof *f);
			return 0;
		}
		f->kind = ev->state_up ? OVERLAY_IF_UP : OVERLAY_IF_DOWN;
		return 1;
	case FTMD_BFD_STATE:
		kv_copy(ev, base, "local-color", f->color, sizeof f->color);
		kv_copy(ev, base, "remote-system-ip", f->remote_system_ip,
		    sizeof f->remote_system_ip);
		kv_copy(ev, base, "remote-color", f->remote_color, sizeof f->remote_color);
		kv_copy(ev, base, "flap-reason", f->reason, sizeof f->reason);
		{
			char del[8];
			kv_copy(ev, base, "deleted", del, sizeof del);
			f->deleted = strcmp(del, "true") == 0;
		}
		f->kind = ev->state_up ? OVERLAY_BFD_UP : OVERLAY_BFD_DOWN;
		return 1;
	case FTMD_CONTROL_STATE:
		kv_copy(ev, base, "src-color", f->color, sizeof f->color);
		kv_copy(ev, base, "peer-system-ip", f->remote_system_ip,
		    sizeof f->remote_system_ip);
		kv_copy(ev, base, "remote-color", f->remote_color, sizeof f->remote_color);
		kv_copy(ev, base, "peer-type", f->reason, sizeof f->reason);
		f->kind = ev->state_up ? OVERLAY_CONTROL_UP : OVERLAY_CONTROL_DOWN;
		return 1;
	default:
		return 0;
	}
}

