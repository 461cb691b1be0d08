#!/usr/bin/env bash
# Correlator scenarios, built from the field guide's cases and the root-cause
# sequences of docs/log-formats.md, imported as files: every symptom × root cause, rekeys are not
# flaps, out-of-order lines, flap count and score, fleet events, and a
# restart of `serve` that resumes without duplicating an incident.
. "$(dirname "$0")/lib.sh"
FIX=$TW_SOURCE_DIR/tests/fixtures
BASE=1718668800          # 2024-06-18T00:00:00Z

# at SECONDS HOST PROGRAM TEXT: one RFC 3164 line at BASE + SECONDS.
at() {
	printf '%s %s %s: %s\n' "$(date -u -d "@$((BASE + $1))" '+%b %e %H:%M:%S')" "$2" "$3" "$4"
}
# up SECS HOST IF PEER LOCAL UID: a tunnel coming up (IKE_SA + CHILD_SA).
up() {
	at "$1" "$2" charon "16[IKE] initiating IKE_SA ${3}_1[$6] to $4"
	at "$1" "$2" charon "16[NET] sending packet: from $5[500] to $4[500] (464 bytes)"
	at "$1" "$2" charon "12[IKE] IKE_SA ${3}_1[$6] established between $5[$5]...$4[$4]"
	at "$1" "$2" charon "12[IKE] CHILD_SA child_${3}_1{$6} established with SPIs c1a2b3c4_i 0d0e0f10_o and TS 10.0.0.0/24 === 10.1.0.0/24"
}
# dpd_loss SECS HOST IF PEER LOCAL SYSIP: DPD retransmits, give-up, FTMD down.
dpd_loss() {
	local t=$1
	at $((t - 100)) "$2" charon "11[ENC] generating INFORMATIONAL request 7 [ ]"
	at $((t - 100)) "$2" charon "11[NET] sending packet: from $5[4500] to $4[4500] (76 bytes)"
	at $((t - 100)) "$2" charon "07[NET] received packet: from $4[4500] to $5[4500] (76 bytes)"
	at $((t - 100)) "$2" charon "07[ENC] parsed INFORMATIONAL response 7 [ ]"
	at $((t - 60)) "$2" charon "08[IKE] sending DPD request"
	at $((t - 60)) "$2" charon "08[ENC] generating INFORMATIONAL request 8 [ ]"
	at $((t - 60)) "$2" charon "08[NET] sending packet: from $5[4500] to $4[4500] (76 bytes)"
	at $((t - 50)) "$2" charon "05[IKE] retransmit 1 of request with message ID 8"
	at $((t - 50)) "$2" charon "05[NET] sending packet: from $5[4500] to $4[4500] (76 bytes)"
	at $((t - 30)) "$2" charon "06[IKE] retransmit 2 of request with message ID 8"
	at $((t - 30)) "$2" charon "06[NET] sending packet: from $5[4500] to $4[4500] (76 bytes)"
	at "$t" "$2" charon "11[IKE] giving up after 2 retransmits"
	at "$t" "$2" "FTMD[1472]" "%Viptela-$2-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:\"$2\" system-ip:$6 vpn-id:1 if-name:\"$3\" new-state:down"
}
imp() {   # imp DB FILE [ARGS...]
	local db=$1 f=$2
	shift 2
	"$TW_BIN" import --db "$db" --year 2024 "$@" "$f" 2>"$T/import.log" ||
		{ cat "$T/import.log"; fail "import $f"; }
}
qd() { local db=$1; shift; sqlite3 -batch -noheader "$db" "$@"; }

# --- 1. The field guide's three cases --------------------------------------
imp "$T/dpd.db" "$FIX/playbook_dpd.log"
eq "$(qd "$T/dpd.db" "SELECT hostname||'|'||system_ip||'|'||tunnel||'|'||root_cause FROM v_incidents")" \
	"vedge01|4.0.5.1|ipsec2|dpd_timeout" "DPD case"
ev=$(qd "$T/dpd.db" "SELECT evidence FROM v_incidents")
case "$ev" in
*"parsed INFORMATIONAL response 542"*"generating INFORMATIONAL request 543"*"retransmit 1 of request with message ID 543"*"retransmit 3 of request"*"Interface ipsec2 DOWN"*) ;;
*) fail "DPD evidence from 542's answer to the FTMD down: $ev" ;;
esac
case "$ev" in *"giving up after 3 retransmits"*) ;; *) fail "give-up in evidence";; esac
case "$(qd "$T/dpd.db" "SELECT json_extract(evidence, '\$[0]') FROM v_incidents")" in
*"parsed INFORMATIONAL response 542"*) ;; *) fail "evidence starts at 542's answer";; esac
ok "field-guide DPD: ipsec2 of 4.0.5.1, dpd_timeout, evidence 542 answer .. FTMD down"

imp "$T/pfs.db" "$FIX/guide_pfs.log"
eq "$(qd "$T/pfs.db" "SELECT symptom||'|'||root_cause FROM v_incidents")" "degraded|pfs_mismatch" "PFS case"
case "$(qd "$T/pfs.db" "SELECT summary FROM v_incidents")" in
*"MODP_4096 (group 16)"*"none of the peer's proposals carries a DH group"*) ;;
*) fail "PFS summary names group 16" ;;
esac
ok "Apr 27 PFS case: pfs_mismatch naming MODP_4096 / group 16"

imp "$T/del.db" "$FIX/guide_delete.log" --stuck-after 0s
eq "$(qd "$T/del.db" "SELECT tunnel||'|'||symptom||'|'||root_cause FROM v_incidents")" \
	"ipsec1|stuck|peer_delete" "Apr 13 delete case"
case "$(qd "$T/del.db" "SELECT summary FROM v_incidents")" in
*"suspected CSCvx86427"*) ;; *) fail "CSCvx86427 named";; esac
ok "Apr 13 case: peer_delete, stuck, suspected CSCvx86427"

# --- 2. Rekeys are not flaps -----------------------------------------------
{
	up 0 vedge10 ipsec1 198.51.100.10 192.0.2.10 1
	at 100 vedge10 charon "09[IKE] IKE_SA ipsec1_1[2] rekeyed between 192.0.2.10[192.0.2.10]...198.51.100.10[198.51.100.10]"
	at 100 vedge10 charon "09[IKE] deleting IKE_SA ipsec1_1[1] between 192.0.2.10[192.0.2.10]...198.51.100.10[198.51.100.10]"
	at 100 vedge10 charon "09[IKE] sending DELETE for IKE_SA ipsec1_1[1]"
	at 101 vedge10 charon "09[IKE] IKE_SA deleted"
	at 200 vedge10 charon "10[IKE] CHILD_SA child_ipsec1_1{2} established with SPIs c5c6c7c8_i 01020304_o and TS 10.0.0.0/24 === 10.1.0.0/24"
	at 200 vedge10 charon "10[IKE] closing CHILD_SA child_ipsec1_1{1} with SPIs c1a2b3c4_i (1200 bytes) 0d0e0f10_o (800 bytes) and TS 10.0.0.0/24 === 10.1.0.0/24"
	at 260 vedge10 charon "10[IKE] rekeyed CHILD_SA child_ipsec1_1{2} with SPIs c5c6c7c8_i 01020304_o with child_ipsec1_1{3} with SPIs d1d2d3d4_i 05060708_o"
	at 260 vedge10 charon "10[IKE] closing CHILD_SA child_ipsec1_1{2} with SPIs c5c6c7c8_i (10 bytes) 01020304_o (10 bytes) and TS 10.0.0.0/24 === 10.1.0.0/24"
	at 900 vedge10 charon "08[IKE] sending DPD request"
} >"$T/rekey.log"
imp "$T/rekey.db" "$T/rekey.log"
eq "$(qd "$T/rekey.db" "SELECT count(*) FROM incidents")" "0" "rekeys make no incident"
eq "$(qd "$T/rekey.db" "SELECT state FROM v_tunnels WHERE tunnel='ipsec1'")" "up" "still up"
ok "IKE and CHILD rekeys (5.x and 6.x wording) are not flaps"

# --- 3. Flaps, count and score; out-of-order lines -------------------------
flaps() {
	up 0 vedge11 ipsec2 198.51.100.11 192.0.2.11 1
	dpd_loss 600 vedge11 ipsec2 198.51.100.11 192.0.2.11 4.0.0.11
	up 660 vedge11 ipsec2 198.51.100.11 192.0.2.11 2
	dpd_loss 1500 vedge11 ipsec2 198.51.100.11 192.0.2.11 4.0.0.11
	up 1530 vedge11 ipsec2 198.51.100.11 192.0.2.11 3
	dpd_loss 2400 vedge11 ipsec2 198.51.100.11 192.0.2.11 4.0.0.11
	up 2490 vedge11 ipsec2 198.51.100.11 192.0.2.11 4
	at 2600 vedge11 charon "08[IKE] sending DPD request"
}
flaps >"$T/flap.log"
imp "$T/flap.db" "$T/flap.log"
eq "$(qd "$T/flap.db" "SELECT group_concat(symptom||':'||root_cause||':'||duration_s) FROM v_incidents")" \
	"flap:dpd_timeout:60,flap:dpd_timeout:30,flap:dpd_timeout:90" "three flaps"
eq "$(qd "$T/flap.db" "SELECT flaps_24h||'|'||flapping||'|'||state FROM v_tunnels")" "3|1|up" \
	"flapping after 3 flaps in 1h"
score=$(qd "$T/flap.db" "SELECT flap_score FROM v_tunnels")
awk -v s="$score" 'BEGIN { exit !(s > 1000 && s < 3000) }' || fail "flap score decays (got $score)"
# The same lines shuffled within each second and a few seconds apart.
flaps | awk 'BEGIN { srand(7) } { printf "%f\t%s\n", NR + rand() * 6, $0 }' | sort -n | cut -f2- >"$T/flap-shuffled.log"
imp "$T/flap2.db" "$T/flap-shuffled.log"
eq "$(qd "$T/flap2.db" "SELECT group_concat(symptom||':'||root_cause) FROM v_incidents")" \
	"flap:dpd_timeout,flap:dpd_timeout,flap:dpd_timeout" "out-of-order lines, same result"
ok "flaps counted, flapping flag, decaying score, out-of-order lines"

# --- 4. Stuck, never established, and every root cause ----------------------
{
	# stuck after a DPD loss: the device keeps logging other things
	up 0 vedge20 ipsec1 198.51.100.20 192.0.2.20 1
	dpd_loss 300 vedge20 ipsec1 198.51.100.20 192.0.2.20 4.0.0.20
	at 1000 vedge20 charon "14[CFG] vici initiate 'child_ipsec1_1'"
	# auth failure, never up (initiator side)
	at 10 vedge21 charon "16[IKE] initiating IKE_SA ipsec1_1[5] to 198.51.100.21"
	at 10 vedge21 charon "16[NET] sending packet: from 192.0.2.21[500] to 198.51.100.21[500] (464 bytes)"
	at 11 vedge21 charon "07[ENC] parsed IKE_AUTH response 1 [ N(AUTH_FAILED) ]"
	at 11 vedge21 charon "07[IKE] received AUTHENTICATION_FAILED notify error"
	# PSK mismatch, responder side
	at 10 vedge22 charon "05[IKE] 198.51.100.22 is initiating an IKE_SA"
	at 10 vedge22 charon "05[NET] received packet: from 198.51.100.22[500] to 192.0.2.22[500] (400 bytes)"
	at 11 vedge22 charon "06[IKE] <ipsec1_1|7> tried 1 shared key for '192.0.2.22' - '198.51.100.22', but MAC mismatched"
	at 11 vedge22 charon "06[ENC] <ipsec1_1|7> generating IKE_AUTH response 1 [ N(AUTH_FAILED) ]"
	# IKE proposal mismatch
	at 10 vedge23 charon "16[IKE] initiating IKE_SA ipsec1_1[3] to 198.51.100.23"
	at 11 vedge23 charon "07[ENC] parsed IKE_SA_INIT response 0 [ N(NO_PROP) ]"
	at 11 vedge23 charon "07[IKE] received NO_PROPOSAL_CHOSEN notify error"
	# ESP proposal mismatch at IKE_AUTH
	at 10 vedge24 charon "16[IKE] initiating IKE_SA ipsec1_1[4] to 198.51.100.24"
	at 11 vedge24 charon "07[IKE] IKE_SA ipsec1_1[4] established between 192.0.2.24[192.0.2.24]...198.51.100.24[198.51.100.24]"
	at 11 vedge24 charon "07[ENC] parsed IKE_AUTH response 1 [ IDr AUTH N(NO_PROP) ]"
	at 11 vedge24 charon "07[IKE] received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built"
	at 11 vedge24 charon "07[IKE] failed to establish CHILD_SA, keeping IKE_SA"
	# traffic selectors
	at 10 vedge25 charon "16[IKE] initiating IKE_SA ipsec1_1[9] to 198.51.100.25"
	at 11 vedge25 charon "07[ENC] parsed IKE_AUTH response 1 [ IDr AUTH N(TS_UNACCEPT) ]"
	at 11 vedge25 charon "07[IKE] received TS_UNACCEPTABLE notify, no CHILD_SA built"
	# peer not responding
	at 10 vedge26 charon "16[IKE] initiating IKE_SA ipsec1_1[1] to 198.51.100.26"
	at 10 vedge26 charon "16[ENC] generating IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) ]"
	at 14 vedge26 charon "05[IKE] retransmit 1 of request with message ID 0"
	at 21 vedge26 charon "05[IKE] retransmit 2 of request with message ID 0"
	at 45 vedge26 charon "05[IKE] giving up after 2 retransmits"
	at 45 vedge26 charon "05[IKE] establishing IKE_SA failed, peer not responding"
	# local delete, then back 30 s later: a flap caused locally
	up 0 vedge27 ipsec1 198.51.100.27 192.0.2.27 1
	at 500 vedge27 charon "09[CFG] vici terminate IKE_SA 'ipsec1_1'"
	at 500 vedge27 charon "09[IKE] deleting IKE_SA ipsec1_1[1] between 192.0.2.27[192.0.2.27]...198.51.100.27[198.51.100.27]"
	at 500 vedge27 charon "09[IKE] sending DELETE for IKE_SA ipsec1_1[1]"
	at 500 vedge27 charon "09[IKE] IKE_SA deleted"
	up 530 vedge27 ipsec1 198.51.100.27 192.0.2.27 2
	# an FTMD-only down with no charon evidence
	at 0 vedge28 "FTMD[1]" "%Viptela-vedge28-FTMD-6-INFO-1000001: VPN 1 Interface ipsec3 UP"
	at 100 vedge28 "FTMD[1]" "%Viptela-vedge28-FTMD-6-INFO-1000001: VPN 1 Interface ipsec3 DOWN"
	at 1000 vedge28 "FTMD[1]" "%Viptela-vedge28-FTMD-6-INFO-1000001: VPN 1 Interface ipsec3 UP"
} >"$T/causes.log"
imp "$T/causes.db" "$T/causes.log"
want="vedge20|stuck|dpd_timeout
vedge21|never_established|auth_failed
vedge22|never_established|auth_failed
vedge23|never_established|ike_proposal_mismatch
vedge24|never_established|esp_proposal_mismatch
vedge25|never_established|ts_mismatch
vedge26|never_established|peer_not_responding
vedge27|flap|local_delete
vedge28|stuck|unknown"
got=$(qd "$T/causes.db" "SELECT hostname||'|'||symptom||'|'||root_cause FROM v_incidents ORDER BY hostname")
[ "$got" = "$want" ] || fail "symptoms × causes:
--- want
$want
--- got
$got"
case "$(qd "$T/causes.db" "SELECT summary FROM v_incidents WHERE hostname='vedge22'")" in
*"192.0.2.22"*"198.51.100.22"*) ;; *) fail "PSK summary names the identities";; esac
eq "$(qd "$T/causes.db" "SELECT count(*) FROM v_incidents WHERE summary = '' OR evidence = '[]'")" "0" \
	"every incident has a summary and evidence"
ok "stuck, never_established, flap × dpd, auth (both sides), IKE/ESP proposals, TS, not responding, local delete, unknown"

# --- 5. Fleet: 30 of 50 devices lose one peer within a minute, 3 fail alone -
{
	for i in $(seq 1 50); do
		h=$(printf 'edge%02d' "$i")
		up 0 "$h" ipsec1 203.0.113.1 "192.0.2.$i" 1
	done
	for i in $(seq 1 30); do
		h=$(printf 'edge%02d' "$i")
		dpd_loss $((3000 + i)) "$h" ipsec1 203.0.113.1 "192.0.2.$i" "4.1.0.$i"
	done
	for i in 31 32 33; do
		h=$(printf 'edge%02d' "$i")
		dpd_loss $((6000 + i * 900)) "$h" ipsec1 203.0.113.1 "192.0.2.$i" "4.1.0.$i"
	done
	for i in $(seq 1 50); do
		at 40000 "$(printf 'edge%02d' "$i")" charon "01[CFG] still here"
	done
} >"$T/fleet.log"
imp "$T/fleet.db" "$T/fleet.log"
eq "$(qd "$T/fleet.db" "SELECT count(*)||'|'||max(devices)||'|'||max(peer_ip)||'|'||max(root_cause) FROM v_fleet_events")" \
	"1|30|203.0.113.1|dpd_timeout" "one fleet event of 30 devices"
eq "$(qd "$T/fleet.db" "SELECT count(*) FROM v_incidents WHERE fleet_event_id IS NULL")" "3" \
	"three independent incidents"
case "$(qd "$T/fleet.db" "SELECT summary FROM v_fleet_events")" in
*"peer 203.0.113.1 lost by 30 devices at 00:50"*) ;; *) fail "fleet summary";; esac
ok "fleet event: 30 devices, 3 separate incidents"

# --- 6. serve: restart and resume with no duplicate incident ---------------
flaps >"$T/live.log"
n=$(wc -l <"$T/live.log")
head -n 40 "$T/live.log" >"$T/live1.log"
tail -n +41 "$T/live.log" >"$T/live2.log"
# live_resume STOP: the first 40 lines, STOP the collector (tw_stop or
# kill9), start it again, the rest; sets LIVE to the incidents' symptoms.
kill9() { kill -KILL "$TW_PID"; wait "$TW_PID" 2>/dev/null || true; TW_PID=; }
live_resume() {
	rm -rf "$DB"*
	tw_start --lateness 1s --correlate-interval 200ms
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/live1.log" --count 40 2>/dev/null
	sleep 2.5
	"$1"
	[ "$(q "SELECT count(*) FROM incidents")" -ge 1 ] || fail "an incident before $1"
	tw_start --lateness 1s --correlate-interval 200ms
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/live2.log" --count $((n - 40)) 2>/dev/null
	sleep 2.5
	tw_stop
	LIVE=$(q "SELECT group_concat(symptom) FROM v_incidents")
}
live_resume tw_stop
eq "$LIVE" "flap,flap,flap" "after restart: the same three flaps, none duplicated"
ok "serve correlates live, resumes after a restart without duplicates"

# The same after kill -9: the tunnels' progress saved last (it is written
# at most every 10 s when nothing else changed) is an earlier, consistent
# point; the restart replays from there to the same incidents.
live_resume kill9
eq "$LIVE" "flap,flap,flap" "after kill -9: the same three flaps, none duplicated"
# Known gap (closing note of 2026-12-03): a DPD line that is a tunnel's
# last line, arriving after a restart while the tunnel is still read back
# from the database, sometimes does not advance its saved progress (seen
# 1 run in ~10 under ASan and load: last_us stayed at the newest event, the
# trail's DPD request 110 s later was not counted).  The restart then
# replays from the newest event, which is consistent; the events are what
# the progress must cover.
eq "$(q "SELECT count(*) FROM tunnel_state s JOIN tunnels t USING (tunnel_id)
	WHERE s.last_us >= (SELECT max(device_us) FROM events e
	  WHERE e.tunnel_id = t.tunnel_id)")" \
	"$(q "SELECT count(*) FROM tunnel_state")" "every tunnel's progress saved at shutdown"
ok "serve resumes after kill -9 from its last saved progress without duplicates"

# --- 7. serve: a merge while live replays the merged tunnel ---------------
# The correlator keeps each tunnel's machine in memory between passes; a
# merge resets the tunnel's state in the database and the machine must be
# replayed from its first event, not resumed from memory.  Live, in two
# sends with passes in between, the result must be what one import of the
# same lines gives.  (Regression: correlator machine cache and merges.)
{
	up 1000 edge-old ipsec3 198.51.100.7 192.0.2.9 10
	dpd_loss 1300 edge-old ipsec3 198.51.100.7 192.0.2.9 4.9.9.9
	up 1330 edge-old ipsec3 198.51.100.7 192.0.2.9 11
} >"$T/merge1.log"
{
	up 2000 edge-new ipsec3 198.51.100.7 192.0.2.9 12
	dpd_loss 2600 edge-new ipsec3 198.51.100.7 192.0.2.9 4.9.9.9
	up 2650 edge-new ipsec3 198.51.100.7 192.0.2.9 13
} >"$T/merge2.log"
cat "$T/merge1.log" "$T/merge2.log" >"$T/merge.log"
imp "$T/merge-import.db" "$T/merge.log"
want=$(qd "$T/merge-import.db" "SELECT group_concat(hostname||':'||tunnel||':'||symptom||':'||root_cause||':'||substr(started_at, 6)||':'||coalesce(substr(ended_at, 6), '-'), ',') FROM v_incidents")
case "$want" in *flap*flap*) ;; *) fail "import of the merge scenario: two flaps, got $want";; esac
rm -rf "$DB"*
tw_start --lateness 1s --correlate-interval 200ms
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/merge1.log" --count "$(wc -l <"$T/merge1.log")" 2>/dev/null
sleep 2
[ "$(q "SELECT count(*) FROM incidents")" -ge 1 ] || fail "an incident before the merge"
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/merge2.log" --count "$(wc -l <"$T/merge2.log")" 2>/dev/null
sleep 2.5
tw_stop
eq "$(q "SELECT count(*) FROM devices")" "1" "renamed router merged into one device"
eq "$(q "SELECT group_concat(hostname||':'||tunnel||':'||symptom||':'||root_cause||':'||substr(started_at, 6)||':'||coalesce(substr(ended_at, 6), '-'), ',') FROM v_incidents")" \
	"$want" "live with a merge = one import"
ok "serve: a device and tunnel merge while live replays the tunnel (= import)"
