#!/usr/bin/env bash
# tests/soak/soak.sh — a bounded soak test of `tunnelwatch serve` (not run
# by CI: it takes ten minutes by default).
#
#   bash tests/soak/soak.sh [--duration SECS] [--rate MSG/S] [--udp-rate MSG/S]
#                           [--sim] [--interval SECS] [--keep DIR]
#
# Runs the built collector on 127.0.0.1 and feeds it for --duration seconds
# (SOAK_SECONDS, default 600) with twsend over TCP at --rate messages per
# second (SOAK_RATE, default 2000; every message carries a unique seq=N),
# plus twsend over UDP at --udp-rate (default rate / 10), and with --sim a
# twsim fleet (tests/bench/simulate.c: 200 vEdges, real charon/FTMD lines,
# flaps and outages) over TCP as well, so that the device, tunnel and
# correlator state is exercised too.
#
# Every --interval seconds (default 5) it records, into soak.csv: elapsed
# seconds, the collector's RSS and peak RSS (/proc/PID/status), open file
# descriptors, and from the stats table (written every second): queue
# depth in messages and bytes, received, stored, TCP connections; and the
# RSS split into anonymous memory (heap: queue, page cache, caches) and
# file pages (the binary and libraries; the database is not memory-mapped).
#
# It fails (exit 1) when
#   - a message is lost: TCP rows != sent, a duplicate, a UDP datagram
#     dropped (dropped_queue_full), or the twsim line count not matched;
#   - memory grows without bound: the peak RSS of the last quarter of the
#     run exceeds that of the third quarter by more than 8 MiB + 5 %.  The
#     first half is warm-up: SQLite's page cache (128 MiB) fills as the
#     database grows, about 350,000 messages' worth, so give the run
#     enough messages (rate x duration well above twice that: 2 minutes at
#     5,000/s plus the fleet is too short, 4 minutes plateaus at ~160-200
#     MiB, anonymous ~125-160 MiB);
#   - the collector dies or does not exit 0 on SIGTERM.
#
# Environment: TW_BIN (default build/tunnelwatch), TW_SEND, TW_SIM (next to
# TW_BIN).  Traffic goes to 127.0.0.1 only.  Everything started is stopped
# by PID on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${TW_BIN:=$root/build/tunnelwatch}"
: "${TW_SEND:=$(dirname "$TW_BIN")/twsend}"
: "${TW_SIM:=$(dirname "$TW_BIN")/twsim}"
duration=${SOAK_SECONDS:-600}
rate=${SOAK_RATE:-2000}
udp_rate=
interval=5
sim=0
keep=

while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--udp-rate) udp_rate=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	--sim) sim=1; shift ;;
	--keep) keep=$2; shift 2 ;;
	-h|--help) sed -n '2,33p' "$0"; exit 0 ;;
	*) echo "soak: unknown option $1" >&2; exit 2 ;;
	esac
done
: "${udp_rate:=$((rate / 10))}"
[ -x "$TW_BIN" ] && [ -x "$TW_SEND" ] || { echo "soak: build first (TW_BIN=$TW_BIN)" >&2; exit 2; }
[ "$sim" = 0 ] || [ -x "$TW_SIM" ] || { echo "soak: --sim needs $TW_SIM" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "soak: needs sqlite3" >&2; exit 2; }

T=$(mktemp -d /tmp/tw-soak.XXXXXX)
DB=$T/soak.db
TW_PID='' TCP_PID='' UDP_PID='' SIM_PID=''
cleanup() {
	local p
	for p in $TCP_PID $UDP_PID $SIM_PID $TW_PID; do
		kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$keep" ]; then
		mkdir -p "$keep" && cp "$T"/*.csv "$T"/*.log "$keep"/ 2>/dev/null || true
		echo "soak: results kept in $keep"
	fi
	rm -rf "$T"
}
trap cleanup EXIT
die() { echo "SOAK FAIL: $*" >&2; tail -n 20 "$T/serve.log" >&2 || true; exit 1; }
q() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }
stat_now() {
	q "SELECT name, value FROM stats WHERE at_us = (SELECT max(at_us) FROM stats)
	     AND name IN ('queue_messages', 'queue_bytes', 'received', 'stored',
	                  'tcp_connections', 'dropped_queue_full')" 2>/dev/null |
		awk -F'|' '{ v[$1] = $2 } END {
			printf "%d,%d,%d,%d,%d,%d", v["queue_messages"], v["queue_bytes"],
			    v["received"], v["stored"], v["tcp_connections"], v["dropped_queue_full"] }'
}

port=$((20000 + RANDOM % 40000))
"$TW_BIN" serve --db "$DB" --udp "127.0.0.1:$port" --tcp "127.0.0.1:$port" \
	--stats-interval 1s >"$T/serve.log" 2>&1 &
TW_PID=$!
for _ in $(seq 1 100); do grep -q '; ready$' "$T/serve.log" && break; sleep 0.05; done
grep -q '; ready$' "$T/serve.log" || die "collector did not start on port $port"

tcp_count=$((rate * duration))
udp_count=$((udp_rate * duration))
echo "soak: ${duration}s, tcp ${rate}/s (${tcp_count}), udp ${udp_rate}/s (${udp_count})$( [ $sim = 1 ] && echo ", twsim fleet"), port $port, pid $TW_PID"
"$TW_SEND" --tcp "127.0.0.1:$port" --count "$tcp_count" --rate "$rate" --conns 4 \
	--host-prefix soak 2>"$T/tcp.log" &
TCP_PID=$!
if [ "$udp_count" -gt 0 ]; then
	"$TW_SEND" --udp "127.0.0.1:$port" --count "$udp_count" --rate "$udp_rate" \
		--host-prefix soakudp 2>"$T/udp.log" &
	UDP_PID=$!
fi
if [ "$sim" = 1 ]; then
	# 200 devices x 4 tunnels; simulated time runs 60x faster than real.
	"$TW_SIM" --devices 200 --tunnels 4 --peers 8 --seed 7 --duration "$((duration * 60))s" \
		--speed 60 --tcp "127.0.0.1:$port" 2>"$T/sim.log" &
	SIM_PID=$!
fi

csv=$T/soak.csv
echo "t_s,rss_kb,hwm_kb,fds,queue_msgs,queue_bytes,received,stored,tcp_conns,dropped_queue_full,rss_anon_kb,rss_file_kb" >"$csv"
t0=$(date +%s)
while :; do
	now=$(( $(date +%s) - t0 ))
	kill -0 "$TW_PID" 2>/dev/null || die "collector died at ${now}s"
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$TW_PID/status")
	anon=$(awk '/^RssAnon:/ { print $2 }' "/proc/$TW_PID/status")
	filek=$(awk '/^RssFile:/ { print $2 }' "/proc/$TW_PID/status")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$TW_PID/status")
	fds=$(ls "/proc/$TW_PID/fd" | wc -l)
	line="$now,$rss,$hwm,$fds,$(stat_now),$anon,$filek"
	echo "$line" >>"$csv"
	printf 'soak: %s\n' "$line"
	busy=0
	for p in $TCP_PID $UDP_PID $SIM_PID; do kill -0 "$p" 2>/dev/null && busy=1; done
	[ "$busy" = 1 ] || break
	[ "$now" -lt $((duration * 2 + 60)) ] || die "senders still running after $((duration * 2 + 60))s"
	sleep "$interval"
done
wait "$TCP_PID" || die "tcp sender failed: $(cat "$T/tcp.log")"
TCP_PID=
[ -z "$UDP_PID" ] || wait "$UDP_PID" || die "udp sender failed"
UDP_PID=
sim_lines=0
if [ "$sim" = 1 ]; then
	wait "$SIM_PID" || die "twsim failed: $(cat "$T/sim.log")"
	SIM_PID=
	sim_lines=$(sed -n 's/.* \([0-9][0-9]*\) lines,.*/\1/p' "$T/sim.log" | tail -n 1)
fi

# Let the writer catch up, then stop.
want=$((tcp_count + udp_count + sim_lines))
for _ in $(seq 1 600); do
	got=$(q "SELECT count(*) FROM messages" 2>/dev/null || echo 0)
	[ "$got" -ge "$want" ] && break
	sleep 0.5
done
kill -TERM "$TW_PID"
rc=0
wait "$TW_PID" || rc=$?
TW_PID=
[ "$rc" -eq 0 ] || die "collector exited with status $rc"

# Loss.
tcp_rows=$(q "SELECT count(*) FROM messages WHERE transport = 2 AND raw LIKE '% soak___ charon:%'")
tcp_distinct=$(q "SELECT count(DISTINCT raw) FROM messages WHERE transport = 2 AND raw LIKE '% soak___ charon:%'")
udp_rows=$(q "SELECT count(*) FROM messages WHERE transport = 1")
udp_dropped=$(q "SELECT value FROM stats WHERE name = 'dropped_queue_full' ORDER BY at_us DESC, rowid DESC LIMIT 1")
all_rows=$(q "SELECT count(*) FROM messages")
sim_rows=$((all_rows - tcp_rows - udp_rows))
echo "soak: tcp $tcp_rows/$tcp_count stored ($tcp_distinct distinct), udp $udp_rows/$udp_count (dropped $udp_dropped), twsim $sim_rows/$sim_lines"
[ "$tcp_rows" -eq "$tcp_count" ] || die "tcp: $tcp_rows of $tcp_count stored"
[ "$tcp_distinct" -eq "$tcp_count" ] || die "tcp: duplicates"
[ "$udp_dropped" -eq 0 ] || die "udp: $udp_dropped datagrams dropped (queue full)"
[ "$udp_rows" -eq "$udp_count" ] || die "udp: $udp_rows of $udp_count stored"
[ "$sim_rows" -eq "$sim_lines" ] || die "twsim: $sim_rows of $sim_lines stored"

# Memory: peak RSS of the last quarter against the third quarter.
read -r q3 q4 first last max <<<"$(awk -F, -v d="$duration" 'NR > 1 {
		if ($1 >= d / 2 && $1 < d * 3 / 4 && $2 > q3) q3 = $2
		if ($1 >= d * 3 / 4 && $2 > q4) q4 = $2
		if (first == "") first = $2
		last = $2
		if ($2 > max) max = $2
	} END { print q3 + 0, q4 + 0, first, last, max }' "$csv")"
qmax=$(awk -F, 'NR > 1 && $5 > m { m = $5 } END { print m + 0 }' "$csv")
echo "soak: RSS start ${first} KiB, peak ${max} KiB, end ${last} KiB; third quarter peak ${q3} KiB, last quarter peak ${q4} KiB; deepest queue ${qmax} messages"
[ "$q3" -gt 0 ] && [ "$q4" -gt 0 ] || die "too few samples for the memory check (duration ${duration}s, interval ${interval}s)"
limit=$((q3 + 8192 + q3 / 20))
[ "$q4" -le "$limit" ] || die "RSS still growing: last quarter peak ${q4} KiB > ${limit} KiB"
echo "soak: ok — ${duration}s, nothing lost, memory flat (CSV: ${keep:-pass --keep DIR to keep it})"
