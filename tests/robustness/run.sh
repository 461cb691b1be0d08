#!/usr/bin/env bash
# tests/robustness/run.sh — the robustness matrix (issue #13): every
# scenario (tests/fixtures/**/NAME.log with NAME.expect) imported as it is
# and under each transform (duplicated, shuffled within a second, cut at
# every line, split over two runs, mangled hosts, RFC 5424, BusyBox form,
# interleaved with eight other devices) must keep its diagnosis.  Prints one
# table (transform x scenario) and `robustness: N passed, M failed`.
#
#   run.sh [--bin PATH] [--quick] [--only SCENARIO]... [--update-known]
#   run.sh --self-test                 the transforms' own tests only
#   run.sh [--bin PATH] --repro TRANSFORM[:VARIANT] SCENARIO
#
# Exit 0 when every failing cell is listed in known-failures.txt and every
# listed cell still fails; README.md has the rules.  The binary is --bin,
# else $TW_BIN, else build/tunnelwatch.  Imports run on TW_ROBUSTNESS_JOBS
# (2) cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${TW_BIN:-$root/build/tunnelwatch}
args=()
self_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--bin) bin=$2; shift 2 ;;
	--bin=*) bin=${1#--bin=}; shift ;;
	--self-test) self_only=1; shift ;;
	--repro) args+=("$1" "$2" "$3"); shift 3 ;;
	--only) args+=("$1" "$2"); shift 2 ;;
	-h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) args+=("$1"); shift ;;
	esac
done
command -v python3 >/dev/null || { echo "robustness: python3 is needed" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "robustness: the sqlite3 CLI is needed" >&2; exit 2; }

# The transforms' own tests first: a wrong transform makes a wrong matrix.
# With a binary, they also check that it reads the RFC 5424 rewrite as the
# original (same time, host, program, message).
[ -x "$bin" ] && export TW_BIN=$bin
if ! out=$(python3 "$here/test_transform.py" 2>&1); then
	echo "$out" >&2
	echo "robustness: self-test of the transforms FAILED" >&2
	exit 1
fi
echo "robustness: self-test of the transforms ok"
[ $self_only -eq 1 ] && exit 0

[ -x "$bin" ] || { echo "robustness: no tunnelwatch binary at $bin (--bin PATH)" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
cd "$root"
exec python3 "$here/matrix.py" --bin "$bin" "${args[@]}"
