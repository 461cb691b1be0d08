#!/usr/bin/env bash
# tests/lab/run.sh [SCENARIO...] — run the strongSwan lab scenarios (all 13
# by default, see ALL below and docs/lab.md) against the collector at $TW_BIN.
#
# Each scenario builds its own namespaces, collector and daemons, makes one
# thing happen for real, checks that it happened in charon's own log and on
# the wire (lab checks), then asserts on v_tunnels / v_incidents (collector
# checks).  Exit 0 only if every check passed; a check marked known_wrong
# (today's tunnelwatch gets it wrong, issue #13) prints XFAIL or XPASS and
# fails nothing.
#
#   TW_BIN=build/tunnelwatch bash tests/lab/run.sh          # all
#   TW_BIN=... TW_LAB_KEEP=1 bash tests/lab/run.sh dpd      # keep the files
#   TW_LAB_CAPTURE=tests/fixtures/real bash tests/lab/run.sh  # refresh fixtures
#
# Environment: TW_LAB_ESP=kernel|libipsec (default: probe the kernel),
# TW_LAB_JOBS=N scenarios at once (default 2), TW_LAB_KEEP=1 keep the
# scratch directory, TW_LAB_CAPTURE=DIR copy each scenario's stored lines to
# DIR/<scenario>.log.  See docs/lab.md.
set -euo pipefail
# shellcheck source=tests/lab/lab.sh
. "$(dirname "$0")/lab.sh"

ALL=(up dpd pfs psk midstream unreachable terminate espmismatch tsmismatch
	restart restart_unseen rekey_local rekey_peer)

# ---- check helpers (inside a scenario's subshell) -------------------------

# lab_must DESC CMD...: the lab itself must have done this; if not the
# scenario stops (nothing after it would mean anything).
lab_must() {
	local d=$1
	shift
	if "$@"; then
		echo "  ok   lab: $d"
	else
		echo "  FAIL lab: $d"
		echo "lab" >>"$SD/failed"
		lab_scenario_report
		exit 1
	fi
}

# expect DESC SECONDS CMD...: a collector check, polled up to SECONDS.  A
# failure is recorded and the scenario goes on to its other checks.
expect() {
	local d=$1 secs=$2
	shift 2
	if wait_until "$secs" "$@"; then
		echo "  ok   collector: $d"
	else
		echo "  FAIL collector: $d"
		echo "collector: $d" >>"$SD/failed"
	fi
}

lab_scenario_report() {
	# kept in $SD only: a failed lab run must not replace a fixture
	TW_LAB_CAPTURE='' lab_capture "$(basename "$SD")" 2>/dev/null || true
	echo "  --- vEdge charon log (last 25 lines): $SD/vedge/charon.log"
	tail -n 25 "$SD/vedge/charon.log" 2>/dev/null | sed 's/^/  | /' || true
	echo "  --- peer charon log (last 10 lines)"
	tail -n 10 "$SD/peer/charon.log" 2>/dev/null | sed 's/^/  | /' || true
	echo "  --- collector (serve.log, last 10 lines)"
	tail -n 10 "$SD/serve.log" 2>/dev/null | sed 's/^/  | /' || true
}

established() {
	lab_must "CHILD_SA established (vEdge charon log)" \
		wait_until 10 log_has vedge 'CHILD_SA child_ipsec2_1\{[0-9]+\} established'
	lab_must "IKE_SA ipsec2_1 up, seen by the collector over UDP" \
		wait_until 5 wire_has '^<[0-9]+>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} vedge01 charon: [0-9]{2}\[IKE\] IKE_SA ipsec2_1\[[0-9]+\] established between'
}

finish() { # SCENARIO: capture what was stored, then stop everything
	local rc=0
	lab_capture "$1"
	echo "  lines stored: $(wc -l <"$SD/$1.log")  ($SD/$1.log)"
	if [ -s "$SD/failed" ]; then
		lab_dump | sed 's/^/  | /'
	fi
	# the collector first (SIGTERM: flush and exit 0), then the daemons
	lab_collector_stop || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "  ok   collector: exits 0 on SIGTERM"
	else
		echo "  FAIL collector: exit status $rc on SIGTERM"
		echo "collector: exit status $rc" >>"$SD/failed"
		tail -n 20 "$SD/serve.log" | sed 's/^/  | /'
	fi
	lab_teardown
}

# known_wrong DESC SECONDS CMD...: a collector check that today's
# tunnelwatch is known to fail (issue #13).  It never fails the scenario:
# "XFAIL scenario: expected DESC, got <incidents>" when it fails as known,
# "XPASS" when it passes (then make it a plain `expect`).
known_wrong() {
	local d=$1 secs=$2 s got
	shift 2
	s=$(basename "$SD")
	if wait_until "$secs" "$@"; then
		echo "  XPASS $s: $d (no longer wrong: make it a plain check)"
	else
		got=$(q "SELECT tunnel || ' ' || symptom || '/' || root_cause FROM v_incidents" 2>/dev/null |
			paste -sd, -)
		echo "  XFAIL $s: expected $d, got ${got:-no incident} (known wrong today, issue #13)"
	fi
}

# incidents_are ROWS: v_incidents is exactly ROWS ("tunnel symptom
# root_cause" per incident, sorted, comma-separated; '' = none).
incidents_are() {
	[ "$(q "SELECT tunnel || ' ' || symptom || ' ' || root_cause FROM v_incidents ORDER BY 1" |
		paste -sd, -)" = "$1" ]
}

# settle_since T SECS: wait until SECS seconds have passed since $SECONDS was T.
settle_since() {
	while [ $((SECONDS - $1)) -lt "$2" ]; do sleep 0.5; done
}

# ---- scenarios ---------------------------------------------------------------

# 1. The tunnel comes up, carries traffic, answers DPD, stays up.
scenario_up() {
	lab_up up
	lab_initiate || true
	established
	lab_must "traffic through the tunnel (peer's CHILD_SA counts packets in)" \
		wait_until 5 lab_dataplane
	sleep 8
	lab_must "vEdge DPDs answered while up" \
		log_has vedge 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_must "no down in the vEdge log" \
		bash -c "! grep -Eq 'giving up|closing CHILD_SA|deleting IKE_SA|failed to establish|_FAILED|NO_PROP' '$SD/vedge/charon.log'"
	expect "v_tunnels: ipsec2 is up" 20 \
		sql_is up "SELECT state FROM v_tunnels WHERE tunnel = 'ipsec2'"
	# past --lateness, so whatever the correlator would say it has said
	sleep 7
	expect "v_incidents: none" 0 sql_is 0 "SELECT count(*) FROM v_incidents"
	finish up
}

# 2. The path drops IKE and ESP: the vEdge's DPD goes unanswered, charon
#    retransmits and gives up.
scenario_dpd() {
	lab_up dpd
	lab_initiate || true
	established
	lab_must "a DPD answered before the cut" \
		wait_until 8 log_has vedge 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_cut_path
	echo "  .. path cut (nftables on the peer drops udp 500/4500 and esp)"
	lab_must "vEdge: DPD request retransmitted" \
		wait_until 10 log_has vedge 'retransmit 1 of request with message ID'
	lab_must "vEdge: giving up after 3 retransmits" \
		wait_until 15 log_has vedge 'giving up after 3 retransmits'
	local gave_up=$SECONDS
	lab_must "the give-up reached the collector" \
		wait_until 5 wire_has 'charon: [0-9]{2}\[IKE\] giving up after 3 retransmits'
	# dpd_action=restart, as on a vEdge: charon re-initiates at once, and
	# with the path still cut that attempt fails too.
	lab_must "vEdge: restarts and re-initiates" \
		wait_until 5 log_has vedge 'initiating IKE_SA ipsec2_1\[2\]'
	lab_must "vEdge: re-initiation fails (establishing IKE_SA failed, peer not responding)" \
		wait_until 15 log_has vedge 'establishing IKE_SA failed, peer not responding'
	# Judge the settled outcome: past --stuck-after (20 s) from the give-up,
	# so the incident has seen the whole story (down, failed re-init, stuck).
	while [ $((SECONDS - gave_up)) -lt 22 ]; do sleep 0.5; done
	echo "  info collector: incidents: $(q "SELECT symptom || '/' || root_cause FROM v_incidents" | tr '\n' ' ')"
	expect "v_incidents: ipsec2 root_cause dpd_timeout (tunnel stuck after the DPD give-up)" 10 \
		sql_is 1 "SELECT count(*) > 0 FROM v_incidents WHERE tunnel = 'ipsec2' AND root_cause = 'dpd_timeout'"
	finish dpd
}

# 3. The vEdge wants PFS group 16, the peer has no PFS: the first CHILD_SA
#    (keyed in IKE_AUTH) comes up, the peer's rekey 5 s later is refused.
scenario_pfs() {
	lab_up pfs V_ESP=aes256-sha1-modp4096 P_ESP=aes256-sha1 \
		P_CHILD_REKEY=5s P_CHILD_LIFE=120s
	lab_initiate || true
	established
	lab_must "vEdge: no acceptable proposal for the peer's CREATE_CHILD_SA" \
		wait_until 20 log_has vedge 'no acceptable proposal found'
	lab_must "vEdge: configured proposal carries MODP_4096" \
		log_has vedge 'configured proposals: ESP:AES_CBC_256/HMAC_SHA1_96/MODP_4096'
	lab_must "vEdge: NO_PROP answered" \
		log_has vedge 'generating CREATE_CHILD_SA response [0-9]+ \[ N\(NO_PROP\) \]'
	lab_must "peer: CHILD_SA rekeying failed" \
		wait_until 5 log_has peer 'CHILD_SA rekeying failed'
	lab_must "the refusal reached the collector" \
		wait_until 5 wire_has 'charon: [0-9]{2}\[IKE\] no acceptable proposal found'
	expect "v_incidents: ipsec2 root_cause pfs_mismatch, summary names group 16" 30 \
		sql_is 1 "SELECT count(*) > 0 FROM v_incidents WHERE tunnel = 'ipsec2'
		           AND root_cause = 'pfs_mismatch' AND summary LIKE '%group 16%'"
	finish pfs
}

# 4. The peer has another pre-shared key: IKE_AUTH fails, nothing comes up.
scenario_psk() {
	lab_up psk P_PSK="$PSK_WRONG"
	lab_initiate || true
	lab_must "peer: MAC mismatched" \
		wait_until 10 log_has peer "tried 1 shared key for '$PEER_WAN' - '$VEDGE_WAN', but MAC mismatched"
	lab_must "vEdge: received AUTHENTICATION_FAILED notify error" \
		wait_until 5 log_has vedge 'received AUTHENTICATION_FAILED notify error'
	lab_must "never established (vEdge log)" \
		bash -c "! grep -q 'established between' '$SD/vedge/charon.log'"
	lab_must "AUTH_FAILED reached the collector" \
		wait_until 5 wire_has 'charon: [0-9]{2}\[ENC\] parsed IKE_AUTH response 1 \[ N\(AUTH_FAILED\) \]'
	expect "v_incidents: ipsec2 never_established / auth_failed" 40 \
		sql_is 1 "SELECT count(*) > 0 FROM v_incidents WHERE tunnel = 'ipsec2'
		           AND symptom = 'never_established' AND root_cause = 'auth_failed'"
	finish psk
}

# 5. The capture begins while the tunnel is up (the collector is started
#    after establishment, as a rotated file or a late collector would see
#    it): the first lines are DPDs and a CHILD_SA rekey; then the path is cut
#    as in `dpd`.
scenario_midstream() {
	lab_up midstream COLLECTOR=later V_CHILD_REKEY=8s V_CHILD_LIFE=120s
	lab_initiate || true
	lab_must "CHILD_SA established (vEdge charon log)" \
		wait_until 10 log_has vedge 'CHILD_SA child_ipsec2_1\{1\} established'
	lab_must "a DPD answered before the collector starts" \
		wait_until 8 log_has vedge 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_collector
	echo "  .. collector started now (the tunnel is up)"
	lab_must "vEdge: CHILD_SA rekeyed after the collector started" \
		wait_until 15 wire_has 'CHILD_SA child_ipsec2_1\{2\} established'
	lab_must "the collector saw nothing of the establishment" \
		bash -c "! sqlite3 '$DB' 'SELECT raw FROM messages' | grep -Eq 'IKE_SA ipsec2_1\[1\] established|vici initiate'"
	lab_must "a DPD answered after the rekey" \
		wait_until 8 wire_has 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_cut_path
	echo "  .. path cut (nftables on the peer drops udp 500/4500 and esp)"
	lab_must "vEdge: giving up after 3 retransmits" \
		wait_until 15 wire_has 'charon: [0-9]{2}\[IKE\] giving up after 3 retransmits'
	local gave_up=$SECONDS
	lab_must "vEdge: re-initiation fails (establishing IKE_SA failed, peer not responding)" \
		wait_until 15 log_has vedge 'establishing IKE_SA failed, peer not responding'
	settle_since "$gave_up" 22
	lab_mark "scenario midstream: capture ends"
	expect "v_incidents: ipsec2 stuck/dpd_timeout (identity converged mid-stream)" 10 \
		incidents_are 'ipsec2 stuck dpd_timeout'
	finish midstream
}

# 6. The peer is unreachable from the start, for longer than stuck_after:
#    the vEdge tries again and again (keyingtries = 0, as a vEdge does).
scenario_unreachable() {
	lab_up unreachable V_KEYINGTRIES=0
	lab_cut_path
	echo "  .. path cut before the first attempt"
	lab_initiate 1 || true
	lab_must "vEdge: IKE_SA_INIT retransmitted" \
		wait_until 5 log_has vedge 'retransmit 1 of request with message ID 0'
	lab_must "vEdge: giving up after 3 retransmits" \
		wait_until 10 wire_has 'charon: [0-9]{2}\[IKE\] giving up after 3 retransmits'
	local first=$SECONDS
	lab_must "vEdge: tries again (keyingtries = 0)" \
		wait_until 5 log_has vedge 'peer not responding, trying again \(2/0\)'
	settle_since "$first" 22
	lab_must "never established (vEdge log)" \
		bash -c "! grep -q 'established between' '$SD/vedge/charon.log'"
	lab_mark "scenario unreachable: capture ends"
	echo "  info collector: incidents: $(q "SELECT symptom || '/' || root_cause FROM v_incidents" | tr '\n' ' ')"
	expect "v_incidents: ipsec2 never_established / peer_not_responding" 10 \
		incidents_are 'ipsec2 never_established peer_not_responding'
	finish unreachable
}

# 7. An operator terminates the IKE_SA on the vEdge; nothing brings it back.
scenario_terminate() {
	lab_up terminate
	lab_initiate || true
	established
	lab_must "a DPD answered" \
		wait_until 8 log_has vedge 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_swanctl vedge --terminate --ike ipsec2_1 --timeout 5 >"$SD/vedge/terminate.out" 2>&1 || true
	local down=$SECONDS
	lab_must "vEdge: vici terminate IKE_SA 'ipsec2_1'" \
		wait_until 5 log_has vedge "vici terminate IKE_SA 'ipsec2_1'"
	lab_must "vEdge: deleting IKE_SA ipsec2_1[1], on the wire" \
		wait_until 5 wire_has 'deleting IKE_SA ipsec2_1\[1\] between'
	lab_must "vEdge: IKE_SA deleted" \
		wait_until 5 log_has vedge 'IKE_SA deleted'
	settle_since "$down" 22
	lab_must "not re-established" \
		bash -c "[ \$(grep -c 'IKE_SA ipsec2_1\[[0-9]*\] established between' '$SD/vedge/charon.log') -eq 1 ]"
	lab_mark "scenario terminate: capture ends"
	expect "v_incidents: ipsec2 stuck / local_delete" 10 \
		incidents_are 'ipsec2 stuck local_delete'
	finish terminate
}

# 8. The peer accepts other ESP transforms: the IKE_SA comes up, the
#    CHILD_SA (negotiated in IKE_AUTH) is refused with NO_PROPOSAL_CHOSEN.
scenario_espmismatch() {
	lab_up espmismatch P_ESP=aes128-sha256-modp2048
	lab_initiate || true
	lab_must "peer: no acceptable proposal found" \
		wait_until 10 log_has peer 'no acceptable proposal found'
	lab_must "vEdge: received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built" \
		wait_until 5 wire_has 'received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built'
	lab_must "no CHILD_SA established (vEdge log)" \
		bash -c "! grep -q 'CHILD_SA child_ipsec2_1{[0-9]*} established' '$SD/vedge/charon.log'"
	sleep 7
	lab_mark "scenario espmismatch: capture ends"
	expect "v_incidents: ipsec2 never_established / esp_proposal_mismatch" 20 \
		incidents_are 'ipsec2 never_established esp_proposal_mismatch'
	finish espmismatch
}

# 9. The peer expects another subnet behind the vEdge (disjoint traffic
#    selectors): TS_UNACCEPTABLE in IKE_AUTH.  The vEdge logs at level 2.
scenario_tsmismatch() {
	lab_up tsmismatch P_REMOTE_TS=192.0.2.64/26 V_LOGLEVEL=2
	lab_initiate || true
	lab_must "peer: traffic selectors unacceptable" \
		wait_until 10 log_has peer 'traffic selectors .* unacceptable|no acceptable traffic selectors'
	lab_must "vEdge: received TS_UNACCEPTABLE notify, no CHILD_SA built" \
		wait_until 5 wire_has 'received TS_UNACCEPTABLE notify, no CHILD_SA built'
	lab_must "no CHILD_SA established (vEdge log)" \
		bash -c "! grep -q 'CHILD_SA child_ipsec2_1{[0-9]*} established' '$SD/vedge/charon.log'"
	sleep 7
	lab_mark "scenario tsmismatch: capture ends"
	expect "v_incidents: ipsec2 never_established / ts_mismatch" 20 \
		incidents_are 'ipsec2 never_established ts_mismatch'
	finish tsmismatch
}

# 10. charon on the vEdge is restarted (SIGTERM, 2 s, started again, its
#     configuration loaded and the tunnel initiated, as the vEdge does); the
#     tunnel comes back.
scenario_restart() {
	lab_up restart
	lab_initiate || true
	established
	lab_must "a DPD answered" \
		wait_until 8 wire_has 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_stop vedge-charon
	echo "  .. vEdge charon stopped (SIGTERM)"
	lab_must "vEdge: deletes its IKE_SA at shutdown (on the wire)" \
		wait_until 5 wire_has 'deleting IKE_SA ipsec2_1\[1\]'
	sleep 2
	lab_vedge_charon
	lab_initiate || true
	lab_must "vEdge: charon started again (on the wire)" \
		wait_until 5 bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM messages WHERE raw LIKE '%Starting IKE charon daemon%'\") -eq 2 ]"
	lab_must "vEdge: CHILD_SA established again" \
		wait_until 10 log_has vedge 'CHILD_SA child_ipsec2_1\{[0-9]+\} established'
	sleep 7
	lab_mark "scenario restart: capture ends"
	expect "v_tunnels: ipsec2 is up" 10 \
		sql_is up "SELECT state FROM v_tunnels WHERE tunnel = 'ipsec2'"
	expect "v_incidents: ipsec2 flap / local_delete (the vEdge deleted its IKE_SA at shutdown)" 10 \
		incidents_are 'ipsec2 flap local_delete'
	finish restart
}

# 11. The same restart unseen: rsyslog is stopped during it (as in a reboot),
#     and the restarted charon has another pre-shared key (a configuration
#     change applied by the restart): the tunnel does not come back.
scenario_restart_unseen() {
	lab_up restart_unseen
	lab_initiate || true
	established
	lab_must "a DPD answered" \
		wait_until 8 wire_has 'parsed INFORMATIONAL response [0-9]+ \[ \]'
	lab_stop vedge-rsyslogd
	lab_stop vedge-charon
	lab_vedge_charon "$PSK_WRONG"
	echo "  .. rsyslogd stopped, charon restarted with another key"
	lab_rsyslog
	lab_must "rsyslogd started again (on the wire)" \
		wait_until 5 bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM messages WHERE raw LIKE '%rsyslogd%] start'\") -eq 2 ]"
	lab_initiate || true
	lab_must "vEdge: received AUTHENTICATION_FAILED notify error (on the wire)" \
		wait_until 10 wire_has 'received AUTHENTICATION_FAILED notify error'
	local failed=$SECONDS
	lab_must "the collector saw neither the shutdown nor the start" \
		bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM messages WHERE raw LIKE '%Starting IKE charon daemon%' OR raw LIKE '%deleting IKE_SA%' OR raw LIKE '%SIGTERM%'\") -eq 1 ]"
	settle_since "$failed" 22
	lab_mark "scenario restart_unseen: capture ends"
	expect "v_incidents: ipsec2 stuck/auth_failed (unseen restart)" 10 \
		incidents_are 'ipsec2 stuck auth_failed'
	finish restart_unseen
}

# rekeyed_ike N: the vEdge's log shows N IKE_SA rekeys done.
rekeyed_ike() {
	[ "$(grep -Ec 'IKE_SA ipsec2_1\[[0-9]+\] (rekeyed|established)' "$SD/vedge/charon.log")" -gt "$1" ]
}

# 12. The vEdge rekeys its IKE_SA every 6 s (rekey_time): no incident.
scenario_rekey_local() {
	lab_up rekey_local V_IKE_REKEY=6s V_IKE_RAND=0s
	lab_initiate || true
	established
	lab_must "vEdge: two IKE_SA rekeys it started" \
		wait_until 20 rekeyed_ike 2
	lab_must "no down in the vEdge log" \
		bash -c "! grep -Eq 'giving up|_FAILED|NO_PROP|restarting CHILD_SA' '$SD/vedge/charon.log'"
	sleep 7
	lab_mark "scenario rekey_local: capture ends"
	expect "v_tunnels: ipsec2 is up" 10 \
		sql_is up "SELECT state FROM v_tunnels WHERE tunnel = 'ipsec2'"
	expect "v_incidents: none" 0 incidents_are ''
	finish rekey_local
}

# 13. The peer rekeys the IKE_SA every 6 s: no incident.  The vEdge logs at
#     level 2.
scenario_rekey_peer() {
	lab_up rekey_peer P_IKE_REKEY=6s P_IKE_RAND=0s V_LOGLEVEL=2
	lab_initiate || true
	established
	lab_must "vEdge: two IKE_SA rekeys started by the peer" \
		wait_until 20 rekeyed_ike 2
	lab_must "no down in the vEdge log" \
		bash -c "! grep -Eq 'giving up|_FAILED|NO_PROP|restarting CHILD_SA' '$SD/vedge/charon.log'"
	sleep 7
	lab_mark "scenario rekey_peer: capture ends"
	expect "v_tunnels: ipsec2 is up" 10 \
		sql_is up "SELECT state FROM v_tunnels WHERE tunnel = 'ipsec2'"
	expect "v_incidents: none" 0 incidents_are ''
	finish rekey_peer
}

# ---- main --------------------------------------------------------------------

if miss=$(lab_tools_missing); then :; else
	echo "lab: missing: $miss" >&2
	exit 1
fi
if ! why=$(lab_ns_probe); then
	echo "lab: cannot create namespaces: $why" >&2
	exit 77
fi
LAB_ESP=$(lab_esp_mode)
case $LAB_ESP in
kernel | libipsec) ;;
*) echo "lab: TW_LAB_ESP must be kernel or libipsec" >&2; exit 1 ;;
esac
if [ "$LAB_ESP" = libipsec ] && [ ! -e "$LAB_PLUGINDIR/libstrongswan-kernel-libipsec.so" ]; then
	echo "lab: the kernel has no ESP and the kernel-libipsec plugin is missing (libcharon-extra-plugins)" >&2
	exit 1
fi

scen=("$@")
[ ${#scen[@]} -gt 0 ] || scen=("${ALL[@]}")
for s in "${scen[@]}"; do
	declare -F "scenario_$s" >/dev/null || { echo "lab: no scenario '$s' (have: ${ALL[*]})" >&2; exit 2; }
done

LAB_T=$(mktemp -d /tmp/tw-lab.XXXXXX)
jobs=${TW_LAB_JOBS:-2}
running=()

lab_main_cleanup() {
	local s pid
	for pid in "${running[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${running[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	# anything a killed scenario left behind
	for s in "${scen[@]}"; do
		SD=$LAB_T/$s lab_teardown "$LAB_T/$s"
	done
	if [ "${TW_LAB_KEEP:-0}" = 1 ] || [ "${lab_rc:-1}" -ne 0 ]; then
		echo "lab: files kept in $LAB_T"
	else
		rm -rf "$LAB_T"
	fi
}
trap lab_main_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "lab: ESP in $LAB_ESP; scratch $LAB_T; scenarios: ${scen[*]} ($jobs at a time)"
run_one() { # SCENARIO: in a subshell, output to $LAB_T/SCENARIO.out
	local s=$1
	(
		SD=$LAB_T/$s
		LAB_ID=$$$s
		mkdir -p "$SD"
		trap 'r=$?
			if [ $r -ne 0 ] && [ ! -s "$SD/failed" ]; then
				echo "  FAIL lab: a step failed (exit $r), see above"
				lab_scenario_report
			fi
			lab_teardown "$SD"' EXIT
		trap 'exit 143' TERM
		start=$SECONDS
		echo "== scenario $s"
		"scenario_$s"
		echo "  time: $((SECONDS - start)) s"
		[ ! -s "$SD/failed" ]
	) >"$LAB_T/$s.out" 2>&1
}

t0=$SECONDS
declare -A pid_of=()
for s in "${scen[@]}"; do
	while [ ${#running[@]} -ge "$jobs" ]; do
		wait -n "${running[@]}" 2>/dev/null || true
		alive=()
		for p in "${running[@]}"; do kill -0 "$p" 2>/dev/null && alive+=("$p"); done
		running=("${alive[@]}")
	done
	LAB_ID=$$$s run_one "$s" &
	pid_of[$s]=$!
	running+=("$!")
done
rc=0
for s in "${scen[@]}"; do
	r=0
	wait "${pid_of[$s]}" || r=$?
	cat "$LAB_T/$s.out"
	if [ $r -ne 0 ]; then
		rc=1
		echo "  => scenario $s FAILED"
	else
		echo "  => scenario $s passed"
	fi
done
running=()
echo "lab: ${#scen[@]} scenarios in $((SECONDS - t0)) s"
lab_rc=$rc
exit $rc
