#!/usr/bin/env bash
# Retention: raw messages are pruned in the background while ingestion
# goes on; events, incidents and their evidence lines are kept longer.
. "$(dirname "$0")/lib.sh"
BASE=1718668800
at() {
	printf '<30>%s %s charon: %s\n' "$(date -u -d "@$((BASE + $1))" '+%b %e %H:%M:%S')" "$2" "$3"
}
{
	at 0 edge1 "16[IKE] IKE_SA ipsec1_1[1] established between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]"
	at 0 edge1 "16[IKE] CHILD_SA child_ipsec1_1{1} established with SPIs c1a2b3c4_i 0d0e0f10_o and TS 10.0.0.0/24 === 10.1.0.0/24"
	at 60 edge1 "08[IKE] sending DPD request"
	at 60 edge1 "08[ENC] generating INFORMATIONAL request 4 [ ]"
	at 70 edge1 "05[IKE] retransmit 1 of request with message ID 4"
	at 90 edge1 "05[IKE] giving up after 1 retransmits"
	at 120 edge1 "16[IKE] CHILD_SA child_ipsec1_1{2} established with SPIs c1a2b3c5_i 0d0e0f11_o and TS 10.0.0.0/24 === 10.1.0.0/24"
} >"$T/lines"
tw_start --retention-messages 3s --lateness 1s --correlate-interval 200ms
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --file "$T/lines" --count 7 2>/dev/null
wait_rows 1 "SELECT count(*) FROM incidents WHERE symptom = 'flap'"
sleep 1
eq "$(q "SELECT root_cause FROM v_incidents")" "dpd_timeout" "incident before pruning"
for i in $(seq 1 100); do
	[ "$(q "SELECT count(*) FROM messages")" = "0" ] && break
	sleep 0.1
done
eq "$(q "SELECT count(*) FROM messages")" "0" "raw messages pruned after 3 s"
eq "$(q "SELECT count(*) FROM receive_marks")" "0" "their receive marks with them"
# (the two DPD lines are no events rows: their minute's trail holds them)
[ "$(q "SELECT count(*) FROM events")" -ge 5 ] || fail "events kept"
case "$(q "SELECT evidence FROM v_incidents")" in
*"sending DPD request"*"giving up after 1 retransmits"*) ;;
*) fail "evidence lines survive pruning, the DPD request's among them";; esac
# Ingestion goes on beside it.
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count 100 2>/dev/null
wait_rows 1 "SELECT count(*) FROM messages"
wait_rows 1 "SELECT count(*) FROM receive_marks"
tw_stop
ok "messages pruned in the background, incidents and evidence kept"
