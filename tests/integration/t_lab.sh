#!/usr/bin/env bash
# The strongSwan lab (tests/lab/, docs/lab.md): two real charon daemons in
# network namespaces, the vEdge's syslog through rsyslog over UDP to the
# collector, thirteen scenarios asserted on v_tunnels / v_incidents.  Before
# it, the same outcomes on the captured logs (tests/lab/replay.sh, which also
# prints each scenario's share of charon_other lines).  Diagnoses today's
# tunnelwatch gets wrong (issue #13) print XFAIL and fail nothing.
#
# Exit 77 (skipped, reason printed) only when namespaces cannot be created
# here; with CI=true that is a failure instead.  Missing packages are
# installed when possible (as root, through deploy/build.sh) and are a
# failure otherwise, never a skip.
set -euo pipefail
: "${TW_BIN:?TW_BIN must point at the tunnelwatch binary}"
: "${TW_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
lab=$TW_SOURCE_DIR/tests/lab
# shellcheck source=tests/lab/lab.sh
. "$lab/lab.sh"

# First the same assertions offline, on the captured real logs
# (tests/fixtures/real/): no root, no namespaces, a second.
replay_rc=0
echo "== replay of tests/fixtures/real (tunnelwatch import)"
bash "$lab/replay.sh" || replay_rc=$?

not_here() {
	if [ $replay_rc -ne 0 ]; then
		echo "FAIL: the replay of the captured logs failed; and the live lab cannot run: $*" >&2
		exit 1
	fi
	if [ "${CI:-}" = true ]; then
		echo "FAIL: the lab must run on CI, but: $*" >&2
		exit 1
	fi
	echo "skip: $*"
	exit 77
}

[ "$(id -u)" -eq 0 ] || not_here "not root (uid $(id -u)): cannot create network namespaces"

if ! miss=$(lab_tools_missing) ||
	{ [ "$(lab_esp_mode)" = libipsec ] &&
		[ ! -e "$LAB_PLUGINDIR/libstrongswan-kernel-libipsec.so" ]; }; then
	echo "lab: missing ${miss:-kernel-libipsec plugin}: installing the test packages" >&2
	# shellcheck source=deploy/build.sh
	. "$TW_SOURCE_DIR/deploy/build.sh"
	tw_install --test || { echo "FAIL: could not install the lab's packages" >&2; exit 1; }
	if ! miss=$(lab_tools_missing); then
		echo "FAIL: still missing after install: $miss" >&2
		exit 1
	fi
fi

if ! why=$(lab_ns_probe); then
	not_here "cannot create network namespaces: $why"
fi

rc=0
echo "== live lab (tests/lab/run.sh)"
lab_out=$(mktemp /tmp/tw-lab-out.XXXXXX)
trap 'rm -f "$lab_out"' EXIT
set +e
bash "$lab/run.sh" 2>&1 | tee "$lab_out"
rc=${PIPESTATUS[0]}
set -e
case $rc in
0) echo "ok - lab: all scenarios against real strongSwan ($(grep -c '^  XFAIL' "$lab_out" || true) XFAIL: known wrong today)" ;;
77) not_here "tests/lab/run.sh could not create namespaces" ;;
*) echo "FAIL: lab scenarios failed (exit $rc)" >&2 ;;
esac
if [ $replay_rc -ne 0 ]; then
	echo "FAIL: the replay of the captured logs failed" >&2
	[ $rc -ne 0 ] || rc=1
fi
exit $rc
