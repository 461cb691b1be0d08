#!/usr/bin/env bash
# tests/lab/run.sh [SCENARIO...] — run the strongSwan lab scenarios (all by
# default: up dpd pfs psk) against the collector at $TW_BIN.
#
# Each scenario builds its own namespaces, collector and daemons, makes one
# thing happen for real, checks that it happened in charon's own log and on
# the wire (lab checks), then asserts on v_tunnels / v_incidents (collector
# checks).  Exit 0 only if every check passed.
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

ALL=(up dpd pfs psk)

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
