#!/usr/bin/env bash
# tests/fuzz/run.sh BUILD_DIR SECONDS — run every fuzz target for SECONDS,
# starting from its seed corpus in tests/fuzz/corpus/<target>/.  New inputs go
# to a scratch corpus, so the tree stays clean.  A crash fails the run and
# leaves the reproducer in BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
build=$1
secs=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/fuzz-artifacts"
status=0
for bin in "$build"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin")
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
