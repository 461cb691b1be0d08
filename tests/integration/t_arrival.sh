#!/usr/bin/env bash
# Regressions of "Diagnose logs as they really arrive" (docs/schema.md:
# identity that converges, the device clock, belief reset, late lines):
# each case below was diagnosed wrong before, as the name of its fixture
# in tests/fixtures/arrival/ says.
. "$(dirname "$0")/lib.sh"
A=$TW_SOURCE_DIR/tests/fixtures/arrival
G=$TW_SOURCE_DIR/tests/fixtures

# import DB FILE... : the test's import options (20 s to call a down stuck)
imp() {
	local db=$1
	shift
	"$TW_BIN" import --db "$db" --year 2026 --stuck-after 20s --lateness 5s "$@" \
		>>"$T/import.log" 2>&1 || fail "import $*: $(tail -n 3 "$T/import.log")"
}
# diag DB: every incident as host/tunnel/symptom/root_cause, sorted
diag() {
	sqlite3 "$1" "SELECT group_concat(d, ' ') FROM (SELECT hostname || '/' || tunnel
		|| '/' || symptom || '/' || root_cause AS d FROM v_incidents ORDER BY d)"
}
case_is() { # NAME FILE EXPECTED
	local db=$T/$1.db
	imp "$db" "$2"
	eq "$(diag "$db")" "$3" "$1"
}

# The field guide's DPD case in plain forward order: the IKE_SA name
# appears only in the re-initiation after the failure.  Was: the DPD
# evidence on a tunnel "peer:10.10.10.1", ipsec2 "unknown".
case_is regress_guide_dpd_forward_order "$G/guide_dpd_forward.log" \
	"vedge01/ipsec2/down/dpd_timeout"
# A rotated file that begins while the tunnel is up: a CHILD_SA rekey names
# ipsec2, the DPD exchange shows its addresses; rsyslog marks go on for 9
# minutes after the down.  Was: two tunnels, and "down" not "stuck".
case_is regress_midstream_rotated_file "$A/midstream_dpd.log" \
	"vedge01/ipsec2/stuck/dpd_timeout"
# Only FTMD names the tunnel: its DOWN at the instant of the give-up ties it.
case_is regress_midstream_ftmd_names_only "$A/midstream_dpd_ftmd_only.log" \
	"vedge01/ipsec2/stuck/dpd_timeout"
eq "$(sqlite3 "$T/regress_midstream_ftmd_names_only.db" \
	"SELECT count(*) FROM tunnels WHERE merged_into IS NULL")" 1 "one tunnel record left"
# The first line's hostname is mangled ("Lvedge01"): one device, vedge01.
case_is regress_mangled_host_first_line "$A/mangled_host_first_line.log" \
	"vedge01/ipsec2/stuck/dpd_timeout"
eq "$(sqlite3 "$T/regress_mangled_host_first_line.db" \
	"SELECT count(*) || ' ' || max(hostname) FROM devices")" "1 vedge01" "one device, named vedge01"
# A peer's IKE rekey whose DELETE of the old IKE_SA is logged before the
# "rekeyed" line (another thread, the same second).  Was: a flap or a stuck
# tunnel with "suspected CSCvx86427".
case_is regress_peer_ike_rekey_delete_first "$A/peer_ike_rekey_delete_first.log" ""
# charon restarted while the collector heard nothing (no down line), then
# authentication fails.  Was: no incident, the tunnel "up" for hours.
case_is regress_unseen_restart_auth_failed "$A/unseen_restart_auth_failed.log" \
	"vedge01/ipsec2/stuck/auth_failed"
case_is regress_unseen_restart_no_start_line "$A/unseen_restart_no_start_line.log" \
	"vedge01/ipsec2/stuck/auth_failed"

# An older file imported in a later run (messages, then messages.1): the
# tunnel is derived again from all its lines, and import says so.  Was:
# "correlate: 0 events", the older half's story lost.  Every split point,
# both orders.
n=$(grep -c '' "$A/midstream_dpd.log")
for k in $(seq 1 $((n - 1))); do
	head -n "$k" "$A/midstream_dpd.log" >"$T/older.log"
	tail -n +"$((k + 1))" "$A/midstream_dpd.log" >"$T/newer.log"
	for order in older-first newer-first; do
		db=$T/split-$k-$order.db
		if [ $order = older-first ]; then
			imp "$db" "$T/older.log"
			imp "$db" "$T/newer.log"
		else
			imp "$db" "$T/newer.log"
			imp "$db" "$T/older.log"
		fi
		got=$(diag "$db")
		[ "$got" = "vedge01/ipsec2/stuck/dpd_timeout" ] ||
			fail "regress_older_file_imported_later: split at line $k, $order: got '$got'"
	done
done
ok "regress_older_file_imported_later: $((n - 1)) split points x 2 orders"
: >"$T/import.log"
head -n 12 "$A/midstream_dpd.log" >"$T/older.log"
tail -n +13 "$A/midstream_dpd.log" >"$T/newer.log"
imp "$T/say.db" "$T/newer.log"
imp "$T/say.db" "$T/older.log"
grep -q "1 tunnel(s) derived again" "$T/import.log" ||
	fail "import says it derived the tunnel again: $(cat "$T/import.log")"
ok "import says how many tunnels it derived again"

# Fleet events group only what a shared peer explains: four devices lose
# their tunnel to one peer by DPD at the same minute, two others have a PFS
# mismatch with that peer.  Was: one "provider outage" of all six.
: >"$T/fleet.log"
for i in 1 2 3 4; do
	sed "s/vedge01/vedge0$i/g; s/4\.0\.5\.1/4.0.5.$i/; s/192\.0\.2\.10/192.0.2.1$i/g" \
		"$A/midstream_dpd.log" >>"$T/fleet.log"
done
for i in 5 6; do
	sed "s/vedge01/vedge0$i/g; s/192\.0\.2\.10/192.0.2.1$i/g" \
		"$A/pfs_then_child_closed.log" >>"$T/fleet.log"
done
sort -s -k1,3 "$T/fleet.log" >"$T/fleet-sorted.log"
imp "$T/fleet.db" --fleet-min-devices 3 "$T/fleet-sorted.log"
eq "$(sqlite3 "$T/fleet.db" "SELECT devices || ' ' || tunnels || ' ' || root_cause FROM fleet_events")" \
	"4 4 dpd_timeout" "one fleet event: the 4 DPD timeouts, counted as listed"
eq "$(sqlite3 "$T/fleet.db" "SELECT count(*) FROM incidents WHERE root_cause = 'pfs_mismatch'
	AND fleet_event_id IS NULL")" 2 "the PFS mismatches stay per device"
eq "$(sqlite3 "$T/fleet.db" "SELECT count(*) FROM incidents i JOIN fleet_events f
	USING (fleet_event_id)")" "$(sqlite3 "$T/fleet.db" "SELECT tunnels FROM fleet_events")" \
	"the event's count matches the incidents it lists"
