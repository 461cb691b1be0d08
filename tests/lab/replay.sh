#!/usr/bin/env bash
# tests/lab/replay.sh [FIXTURE_DIR] — the lab's assertions, offline: import
# each captured real log (tests/fixtures/real/<scenario>.log) with
# `tunnelwatch import` and check the same outcome as the live scenario.
# Needs no root and no namespaces; takes a second.  t_lab.sh runs it first.
set -euo pipefail
: "${TW_BIN:?TW_BIN must point at the tunnelwatch binary}"
here=$(cd "$(dirname "$0")" && pwd)
fx=${1:-$here/../fixtures/real}
T=$(mktemp -d /tmp/tw-replay.XXXXXX)
trap 'rm -rf "$T"' EXIT
rc=0

q() {
	sqlite3 -batch -noheader "$DB" "$@"
}

check() { # NAME DESC EXPECTED SQL
	local got
	got=$(q "$4" 2>&1) || true
	if [ "$got" = "$3" ]; then
		echo "  ok   $1: $2"
	else
		echo "  FAIL $1: $2: expected '$3', got '$got'"
		rc=1
		bad=1
	fi
}

for s in up dpd pfs psk; do
	f=$fx/$s.log
	[ -s "$f" ] || { echo "  FAIL $s: no fixture $f"; rc=1; continue; }
	DB=$T/$s.db
	bad=0
	# The captures carry no year: they were made in 2026 (README.md there).
	if ! "$TW_BIN" import --db "$DB" --year 2026 --stuck-after 20s --lateness 5s \
		"$f" >"$T/$s.out" 2>&1; then
		echo "  FAIL $s: import failed: $(tail -n 3 "$T/$s.out")"
		rc=1
		continue
	fi
	check "$s" "every line stored with a parsed header" \
		"$(grep -c '' "$f")" "SELECT count(*) FROM v_messages WHERE parse_status = 'ok'"
	check "$s" "host vedge01, program charon (or rsyslogd)" 0 \
		"SELECT count(*) FROM v_messages WHERE hostname <> 'vedge01'
		    OR program NOT IN ('charon', 'rsyslogd')"
	case $s in
	up)
		check up "ipsec2 up" up "SELECT state FROM v_tunnels WHERE tunnel = 'ipsec2'"
		check up "no incident" 0 "SELECT count(*) FROM v_incidents"
		;;
	dpd)
		check dpd "incident on ipsec2 with root_cause dpd_timeout" 1 \
			"SELECT count(*) > 0 FROM v_incidents WHERE tunnel = 'ipsec2' AND root_cause = 'dpd_timeout'"
		;;
	pfs)
		check pfs "incident on ipsec2, pfs_mismatch, summary names group 16" 1 \
			"SELECT count(*) > 0 FROM v_incidents WHERE tunnel = 'ipsec2'
			    AND root_cause = 'pfs_mismatch' AND summary LIKE '%group 16%'"
		;;
	psk)
		check psk "incident on ipsec2, never_established / auth_failed" 1 \
			"SELECT count(*) > 0 FROM v_incidents WHERE tunnel = 'ipsec2'
			    AND symptom = 'never_established' AND root_cause = 'auth_failed'"
		;;
	esac
	if [ $bad -ne 0 ]; then
		q -header "SELECT tunnel, symptom, root_cause, summary FROM v_incidents" 2>&1 |
			sed 's/^/  | /'
	fi
done
exit $rc
