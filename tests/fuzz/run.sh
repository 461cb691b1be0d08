#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR [SECONDS [TARGET...]] — run every fuzz target
# (or only the named ones: fuzz_framing, fuzz_syslog_hdr, ...) for SECONDS
# each, starting from its seed corpus in tests/fuzz/corpus/<target>/.  New
# inputs go to a scratch corpus (BUILD_DIR/fuzz-corpus/<target>/, kept
# between runs, so a second run continues where the first stopped), so the
# tree stays clean.  A crash, a hang (> 10 s on one input) or running out
# of memory fails the run and leaves the reproducer in
# BUILD_DIR/fuzz-artifacts/.
#
# SECONDS defaults to $TW_FUZZ_SECONDS, else 30 (what CI uses).  To fuzz
# longer, build once and give it more time, e.g. an hour per target:
#
#   CC=clang cmake -S . -B build-fuzz -DTW_FUZZ=ON -DTW_TESTS=OFF \
#       -DCMAKE_C_COMPILER=clang && cmake --build build-fuzz -j
#   TW_FUZZ_SECONDS=3600 bash tests/fuzz/run.sh build-fuzz
#   bash tests/fuzz/run.sh build-fuzz 28800 fuzz_framing     # one target, 8 h
#
# or via the whole suite: TW_FUZZ_SECONDS=600 bash tests/run-all.sh.  For
# several cores, run a target by hand with libFuzzer's own flags, e.g.
#   build-fuzz/fuzz_framing -jobs=8 -workers=8 -max_total_time=3600 \
#       build-fuzz/fuzz-corpus/framing tests/fuzz/corpus/framing
# Reproduce a crash: build-fuzz/fuzz_framing build-fuzz/fuzz-artifacts/<file>.
# A crash that is fixed becomes a regression: copy the input into
# tests/fuzz/corpus/<target>/ under a name that says what it was, and add a
# unit test named after it.
set -euo pipefail
build=$1
secs=${2:-${TW_FUZZ_SECONDS:-30}}
shift $(( $# < 2 ? $# : 2 ))
only=" $* "
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/fuzz-artifacts"
status=0
for bin in "$build"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
	[ "$only" = "  " ] || [[ "$only" == *" $name "* ]] || continue
	seeds="$here/corpus/${name#fuzz_}"
	work="$build/fuzz-corpus/${name#fuzz_}"
	mkdir -p "$work"
	echo "-- $name for ${secs}s"
	if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$name-" \
		"$work" "$seeds" >"$build/$name.log" 2>&1; then
		echo "!! $name found a crash:"; tail -n 40 "$build/$name.log"
		status=1
	else
		grep -E '^stat::number_of_executed_units|^Done' "$build/$name.log" | tail -n 2
	fi
done
exit $status
