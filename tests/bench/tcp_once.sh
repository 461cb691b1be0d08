#!/usr/bin/env bash
# tests/bench/tcp_once.sh — one quick TCP run of `tunnelwatch serve`, for
# comparing two builds while changing the write path (bench.sh is the
# benchmark; this is the bench's TCP row alone, with more detail):
#
#   bash tests/bench/tcp_once.sh BUILD_DIR LINES_FILE [N] [CONNS]
#
# Starts BUILD_DIR/tunnelwatch on a fresh database (extra serve options in
# $TW_EXTRA), sends the first N lines (default 500000) of LINES_FILE over
# CONNS connections (default 1) with BUILD_DIR/twsend, waits until the last
# row is visible, and prints: messages stored per second (first byte sent
# to last row visible), CPU seconds per 100 k messages (all threads), peak
# RSS, bytes the process wrote per message (/proc/PID/io wchar: the WAL and
# the checkpoints), and the CPU ticks of each thread (tw-prepare, tw-writer,
# tw-checkpoint, the loop).  Alternate the builds over several runs: on a
# shared machine single runs vary by ±20 %.
set -euo pipefail

B=${1:?usage: tcp_once.sh BUILD_DIR LINES_FILE [N] [CONNS]}
LINES=${2:?usage: tcp_once.sh BUILD_DIR LINES_FILE [N] [CONNS]}
N=${3:-500000}
C=${4:-1}
D=$(mktemp -d /tmp/tw-tcp-once.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null || true
	rm -rf "$D"
}
trap cleanup EXIT

P=$((20000 + RANDOM % 30000))
# shellcheck disable=SC2086
"$B/tunnelwatch" serve --db "$D/tw.db" --udp "127.0.0.1:$P" --tcp "127.0.0.1:$P" \
	${TW_EXTRA:-} >"$D/serve.log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q '; ready$' "$D/serve.log" && break; sleep 0.1; done
grep -q '; ready$' "$D/serve.log" || { cat "$D/serve.log" >&2; exit 1; }

ticks() { awk '{ print $14 + $15 }' "$1"; }
c0=$(ticks "/proc/$PID/stat")
t0=$(date +%s%N)
"$B/twsend" --tcp "127.0.0.1:$P" --file "$LINES" --count "$N" --conns "$C" >/dev/null 2>&1
got=0
while [ "$got" -lt "$N" ]; do
	got=$(sqlite3 -cmd ".timeout 5000" "$D/tw.db" "SELECT coalesce(max(message_id), 0) FROM messages" 2>/dev/null || echo 0)
	sleep 0.05
done
t1=$(date +%s%N)
c1=$(ticks "/proc/$PID/stat")
wchar=$(awk '/^wchar/ { print $2 }' "/proc/$PID/io")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$PID/status")
threads=$(for t in /proc/"$PID"/task/*; do printf ' %s=%s' "$(cat "$t/comm")" "$(ticks "$t/stat")"; done)
kill -TERM "$PID"
wait "$PID" || true
PID=
hz=$(getconf CLK_TCK)
awk -v n="$N" -v c="$C" -v ns=$((t1 - t0)) -v cpu=$((c1 - c0)) -v hz="$hz" \
    -v hwm="$hwm" -v w="$wchar" -v th="$threads" 'BEGIN {
	printf "%d lines, %d conn: %d msg/s, %.2f CPU s per 100k, peak RSS %d MiB, %d bytes written per message; ticks:%s\n",
	    n, c, n / (ns / 1e9), cpu / hz * 100000 / n, hwm / 1024, w / n, th
}'
