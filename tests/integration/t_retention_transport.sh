#!/usr/bin/env bash
# Retention of the device's transport history: VPN 0 interface and BFD
# transport events and charon starts older than retention_events are
# pruned with the events, and so is a tunnel's pulse (heartbeat); a BFD
# session keeps its state and flap count.
. "$(dirname "$0")/lib.sh"
old=$(date -u -d '3 days ago' '+%Y-%m-%dT%H:%M:%S+00:00')
new=$(date -u -d '10 minutes ago' '+%Y-%m-%dT%H:%M:%S+00:00')
oldv=$(date -u -d '3 days ago' '+%-m/%-d/%Y %-H:%M:%S')
newv=$(date -u -d '10 minutes ago' '+%-m/%-d/%Y %-H:%M:%S')
N='%Viptela-vedge01-ftmd-6-INFO-1400002: Notification:'
line() { # TIME APP MSG
	printf '<30>1 %s vedge01 %s 1472 - - %s\n' "$1" "$2" "$3"
}
{
	line "$old" FTMD "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 0 Interface ge0/0 DOWN"
	line "$old" FTMD "$N $oldv bfd-state-change severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1 src-ip:192.0.2.1 dst-ip:203.0.113.1 protocol:IPsec src-port:12346 dst-port:12346 local-system-ip:4.0.5.1 local-color:biz-internet remote-system-ip:4.0.5.9 remote-color:mpls new-state:down flap-reason:timeout"
	line "$old" charon "00[DMN] Starting IKE charon daemon (strongSwan 5.9.8, Linux 5.10.0, x86_64)"
	line "$old" charon "07[IKE] IKE_SA ipsec2_1[7] established between 192.0.2.1[192.0.2.1]...203.0.113.1[203.0.113.1]"
	line "$old" charon "11[NET] sending packet: from 192.0.2.1[4500] to 203.0.113.1[4500] (76 bytes)"
	line "$new" charon "12[NET] sending packet: from 192.0.2.1[4500] to 203.0.113.1[4500] (76 bytes)"
	line "$new" FTMD "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 0 Interface ge0/0 UP"
	line "$new" FTMD "$N $newv bfd-state-change severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1 src-ip:192.0.2.1 dst-ip:203.0.113.1 protocol:IPsec src-port:12346 dst-port:12346 local-system-ip:4.0.5.1 local-color:biz-internet remote-system-ip:4.0.5.9 remote-color:mpls new-state:up"
} >"$T/lines"
# Short message retention: retention steps then run every ~0.6 s.
tw_start --retention-events 1d --retention-messages 2s --correlate-interval 200ms
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/lines" --count 8 2>/dev/null
wait_rows 1 "SELECT count(*) FROM bfd_sessions WHERE state = 'up'"
for _ in $(seq 1 100); do
	[ "$(q "SELECT count(*) FROM transport_events")" = 2 ] && break
	sleep 0.1
done
eq "$(q "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM transport_events ORDER BY device_us, kind)")" \
	"bfd_up if_up" "transport events older than retention_events pruned, newer kept"
eq "$(q "SELECT count(*) FROM restarts")" 0 "the 3-day-old charon start pruned"
for _ in $(seq 1 100); do
	[ "$(q "SELECT count(*) FROM heartbeat")" = 1 ] && break
	sleep 0.1
done
eq "$(q "SELECT packets_out FROM heartbeat WHERE minute_us > 0")" 1 \
	"a tunnel's pulse older than retention_events pruned, the recent minute kept"
eq "$(q "SELECT state || ' ' || flaps FROM v_bfd_sessions")" "up 1" \
	"the BFD session keeps its state and flap count"
tw_stop
ok "transport history pruned with the events, BFD session state kept"
