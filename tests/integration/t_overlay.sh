#!/usr/bin/env bash
# The device's own transport (issue #13 item 9): when a vEdge's own VPN 0
# interface goes down at the second its IPsec tunnel drops (FTMD "VPN 1
# Interface ipsec2 DOWN" and charon's DPD give-up), the root cause is its
# uplink (local_transport_down, naming ge0/0), not the peer; and its BFD
# sessions are tracked as overlay tunnels of their own (tunnels --bfd:
# state, flaps, last flap-reason).
#
# The lines are the field guide's DPD case in forward order
# (tests/fixtures/guide_dpd_forward.log) with the transport lines added in
# the FTMD formats of docs/log-formats.md: ge0/0 (VPN 0) down in both the
# free-text and the Notification form, and the three BFD sessions of color
# biz-internet going down (flap-reason timeout) a second before and coming
# back two minutes later.
#
# The resolver hands each Viptela line's transport fact to storage/overlay.c
# and the correlator asks it for the device's uplink around each outage.
. "$(dirname "$0")/lib.sh"
F=$TW_SOURCE_DIR/tests/fixtures/guide_dpd_forward.log

N='%Viptela-vedge01-ftmd-6-INFO-1400002: Notification:'
bfd() {   # time remote-system-ip remote-color state reason
	echo "Jun 18 $1 vedge01 FTMD[1472]: $N 6/18/2026 ${1#0} bfd-state-change" \
	    "severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1" \
	    "src-ip:10.132.3.92 dst-ip:198.51.100.9 proto:ipsec src-port:12346" \
	    "dst-port:12406 local-system-ip:4.0.5.1 local-color:biz-internet" \
	    "remote-system-ip:$2 remote-color:$3 new-state:$4 deleted:false" \
	    "flap-reason:$5"
}
{
	for r in 4.0.5.9:mpls 4.0.5.10:mpls 4.0.5.11:biz-internet; do
		bfd 00:20:00 "${r%%:*}" "${r#*:}" up na
	done
	sed '/giving up after/,$d' "$F"
	for r in 4.0.5.9:mpls 4.0.5.10:mpls 4.0.5.11:biz-internet; do
		bfd 00:31:16 "${r%%:*}" "${r#*:}" down timeout
	done
	echo 'Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-vedge01-FTMD-6-INFO-1000001: VPN 0 Interface ge0/0 DOWN'
	echo "Jun 18 00:31:17 vedge01 FTMD[1472]: $N 6/18/2026 0:31:17 interface-state-change" \
	    'severity-level:major host-name:"vedge01" system-ip:4.0.5.1 vpn-id:0' \
	    'if-name:"ge0/0" new-state:down'
	sed -n '/giving up after/,$p' "$F"
	for r in 4.0.5.9:mpls 4.0.5.10:mpls 4.0.5.11:biz-internet; do
		bfd 00:33:30 "${r%%:*}" "${r#*:}" up na
	done
} >"$T/uplink.log"

"$TW_BIN" import --db "$DB" "$T/uplink.log" >"$T/import.log" 2>&1 ||
	fail "import: $(cat "$T/import.log")"
q() { sqlite3 "$DB" "$1"; }

[ "$(q "SELECT count(*) FROM v_transport_events")" != 0 ] ||
	fail "no transport event recorded: the resolver does not hand FTMD lines to overlay.c"

eq "$(q "SELECT group_concat(kind || ':' || coalesce(if_name, color), ' ') FROM
	(SELECT * FROM v_transport_events ORDER BY device_us, transport_event_id)")" \
	"bfd_up:biz-internet bfd_up:biz-internet bfd_up:biz-internet bfd_down:biz-internet bfd_down:biz-internet bfd_down:biz-internet if_down:ge0/0 bfd_up:biz-internet bfd_up:biz-internet bfd_up:biz-internet" \
	"the transport lines, the ge0/0 down once (free text and Notification are one event)"
eq "$(q "SELECT count(*) FROM v_transport_events WHERE if_name = 'ipsec2'")" 0 \
	"the service-side tunnel interface is not the uplink"
ok "transport events recorded"

# (Only ipsec2's incident is checked: in forward order the DPD exchange
# before the failure may still land on a provisional 'peer:10.10.10.1',
# issue #13 item 1; whatever it is called, it must not blame the peer.)
eq "$(q "SELECT root_cause FROM v_incidents WHERE tunnel = 'ipsec2'")" \
	"local_transport_down" "ipsec2's incident is the device's uplink"
eq "$(q "SELECT count(*) FROM v_incidents WHERE root_cause <> 'local_transport_down'")" 0 \
	"no incident blames the peer"
q "SELECT summary FROM v_incidents WHERE tunnel = 'ipsec2'" | grep -q 'ge0/0' ||
	fail "the summary names ge0/0: $(q "SELECT summary FROM v_incidents")"
ok "root cause local_transport_down naming ge0/0"

eq "$(q "SELECT group_concat(local_color || ' ' || remote_system_ip || ' ' || state ||
	' ' || flaps || ' ' || last_flap_reason, ',') FROM
	(SELECT * FROM v_bfd_sessions ORDER BY remote_system_ip)")" \
	"biz-internet 4.0.5.10 up 1 timeout,biz-internet 4.0.5.11 up 1 timeout,biz-internet 4.0.5.9 up 1 timeout" \
	"v_bfd_sessions: each session flapped once on a timeout"
out=$("$TW_BIN" tunnels --bfd --db "$DB" --flapping)
echo "$out" | grep -q $'^vedge01\t4.0.5.1\tbiz-internet\t4.0.5.9\tmpls\tup\t.*\t1\t.*\ttimeout$' ||
	fail "tunnels --bfd shows the session with its flap: $out"
eq "$(echo "$out" | grep -c biz-internet)" 3 "tunnels --bfd lists the three sessions"
ok "tunnels --bfd shows the BFD sessions with their flaps"
