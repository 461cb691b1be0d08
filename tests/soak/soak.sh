#!/usr/bin/env bash
# tests/soak/soak.sh — a soak test of `tunnelwatch serve`: does the cost of
# a constant input stay flat as the database grows (issue #17 item 9)?
# Not run by ctest or CI: it takes 30 minutes by default
# (docs/operations.md, "Soak test").
#
#   bash tests/soak/soak.sh [--minutes N] [--rate LINES/S] [--plain PERCENT]
#                           [--interval SECS] [--keep DIR]
#
# Starts the built collector on a temporary database on 127.0.0.1 and
# feeds it for --minutes (default 30) at a constant --rate (default 5,000
# lines/s) over TCP: a twsim fleet (tests/bench/simulate.c: 1,000 vEdges x
# 4 tunnels, real charon/FTMD lines — DPD, rekeys, packets, and, past 35
# simulated minutes, flaps and outages for the correlator), its clock sped
# up so that it makes (100 - PLAIN)% of the rate, plus twsend's plain lines
# (each with a unique seq=N) for --plain percent (default 20).
#
# Every --interval seconds (default 60: "per minute") it prints and keeps
# in soak.csv: lines received and stored in that minute; RSS of serve; WAL
# and database size; CPU ticks (utime + stime, /proc/PID/task/TID/stat,
# 1 tick = 1/100 s) that minute of the writer thread (tw-writer) and of the
# prepare thread (tw-prepare); correlator passes that minute and their mean
# time (counters corr_passes and corr_pass_us, from the stats table).
#
# Verdict, after warm-up: the minutes are cut in thirds; the first third is
# warm-up (SQLite's 128 MiB page cache fills within ~350,000 lines, the
# first ~1.5 minutes); the last third is compared with the second:
#   - RSS, mean: at most 10 % + 8 MiB more (allocator and page-cache noise;
#     a leak of one queue chunk per minute would show);
#   - writer CPU ticks per minute, mean: at most 25 % + 100 ticks more.  The
#     input is constant, so the work should be; what may honestly grow is
#     the depth of the B-trees (log of the rows: +1 level between the
#     thirds at most, ~10 %), and CPU time on a shared machine varies by
#     ~10 % from minute to minute.  The regression this guards against
#     grew 5x (103 to 557 ticks per 20 s in 5 minutes, issue #17);
#   - correlator mean pass time: at most 50 % + 5 ms more (passes take
#     milliseconds, where scheduling noise is relatively large; the
#     regression grew 3.5x, 40 to 150 ms);
#   - database growth per minute: at most 25 % + 1 MiB more (bytes per row
#     are constant for a constant mix; indexes may split more as they
#     grow);
#   - WAL size, largest: at most 25 % + 8 MiB more (the WAL is taken back
#     to its start beyond 64 MiB, docs/operations.md, so it hovers around
#     that; between two checks it may grow by a few batches);
#   - rows stored in the last third: at least 95 % of the lines received
#     then (the writer keeps up: nothing piles up in the queue).
# It also fails when a line is lost (plain lines stored != sent, twsim's
# count not matched), the collector dies, or it does not exit 0 on SIGTERM.
# Exit status: 0 flat, 1 not flat or lost, 2 usage.
#
# Environment: TW_BIN (default build/tunnelwatch), TW_SEND and TW_SIM (next
# to TW_BIN).  Traffic goes to 127.0.0.1 only.  Everything started is
# stopped by PID on exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
: "${TW_BIN:=$root/build/tunnelwatch}"
: "${TW_SEND:=$(dirname "$TW_BIN")/twsend}"
: "${TW_SIM:=$(dirname "$TW_BIN")/twsim}"
minutes=30
rate=5000
plain=20
interval=60
keep=

while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2; shift 2 ;;
	--rate) rate=$2; shift 2 ;;
	--plain) plain=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	-h|--help) sed -n '2,52p' "$0"; exit 0 ;;
	*) echo "soak: unknown option $1" >&2; exit 2 ;;
	esac
done
[ "$minutes" -ge 3 ] || { echo "soak: --minutes must be 3 or more (thirds)" >&2; exit 2; }
[ "$plain" -ge 0 ] && [ "$plain" -le 100 ] || { echo "soak: --plain is a percentage" >&2; exit 2; }
for b in "$TW_BIN" "$TW_SEND" "$TW_SIM"; do
	[ -x "$b" ] || { echo "soak: $b not built (TW_BIN=$TW_BIN)" >&2; exit 2; }
done
command -v sqlite3 >/dev/null || { echo "soak: needs sqlite3" >&2; exit 2; }

T=$(mktemp -d /tmp/tw-soak.XXXXXX)
DB=$T/soak.db
TW_PID='' SEND_PID='' SIM_PID=''
cleanup() {
	local p
	for p in $SEND_PID $SIM_PID $TW_PID; do
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
# stat_now: received stored corr_passes corr_pass_us queue_messages, latest.
stat_now() {
	q "SELECT name, value FROM stats WHERE at_us = (SELECT max(at_us) FROM stats)
	     AND name IN ('received', 'stored', 'corr_passes', 'corr_pass_us',
	                  'queue_messages')" 2>/dev/null |
		awk -F'|' '{ v[$1] = $2 } END {
			printf "%d %d %d %d %d", v["received"], v["stored"], v["corr_passes"],
			    v["corr_pass_us"], v["queue_messages"] }'
}
# thread_ticks NAME: utime + stime of serve's thread NAME (0 if none).
thread_ticks() {
	local d
	for d in /proc/"$TW_PID"/task/*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = "$1" ] || continue
		# Fields after the ")" that ends the name: utime and stime are
		# the 12th and 13th (fields 14 and 15 of proc(5)).
		sed 's/.*) //' "$d/stat" | awk '{ print $12 + $13 }'
		return
	done
	echo 0
}
fsize() { stat -c %s "$1" 2>/dev/null || echo 0; }

# The fleet's lines per simulated second once its tunnels are up (the
# lines between simulated minutes 10 and 40: the first minutes bring every
# tunnel up, a burst that is part of the warm-up), to speed its clock up to
# its share of the rate.
sim_rate=$((rate * (100 - plain) / 100))
plain_rate=$((rate - sim_rate))
SIM_FLEET=(--devices 1000 --tunnels 4 --peers 8 --seed 7 --idle-fraction 0.25)
sim_lines_in() {
	"$TW_SIM" "${SIM_FLEET[@]}" --duration "$1" --out /dev/null 2>&1 |
		sed -n 's/.* \([0-9][0-9]*\) lines,.*/\1/p' | tail -n 1
}
n10=$(sim_lines_in 10m) n40=$(sim_lines_in 40m)
[ -n "$n10" ] && [ -n "$n40" ] && [ "$n40" -gt "$n10" ] || die "twsim: cannot calibrate ($n10, $n40)"
speed=$(awk -v r="$sim_rate" -v n="$((n40 - n10))" 'BEGIN { printf "%.3f", r / (n / 1800) }')

port=$((20000 + RANDOM % 40000))
"$TW_BIN" serve --db "$DB" --tcp "127.0.0.1:$port" --stats-interval 1s \
	>"$T/serve.log" 2>&1 &
TW_PID=$!
for _ in $(seq 1 100); do grep -q '; ready$' "$T/serve.log" && break; sleep 0.05; done
grep -q '; ready$' "$T/serve.log" || die "collector did not start on port $port"

secs=$((minutes * interval))
plain_count=$((plain_rate * secs))
echo "soak: ${minutes} x ${interval}s at ${rate} lines/s: twsim ${sim_rate}/s (1000 vEdges x 4 tunnels, clock x${speed}), plain ${plain_rate}/s; port $port, pid $TW_PID"
if [ "$plain_count" -gt 0 ]; then
	"$TW_SEND" --tcp "127.0.0.1:$port" --count "$plain_count" --rate "$plain_rate" \
		--conns 2 --host-prefix soak 2>"$T/send.log" &
	SEND_PID=$!
fi
if [ "$sim_rate" -gt 0 ]; then
	"$TW_SIM" "${SIM_FLEET[@]}" --duration "$(awk -v s="$secs" -v x="$speed" \
		'BEGIN { printf "%ds", s * x }')" --speed "$speed" --tcp "127.0.0.1:$port" \
		2>"$T/sim.log" &
	SIM_PID=$!
fi

csv=$T/soak.csv
echo "minute,received,stored,rss_kb,wal_bytes,db_bytes,writer_ticks,prepare_ticks,corr_passes,corr_mean_ms,queue_msgs" >"$csv"
printf 'soak: %6s %9s %9s %8s %8s %9s %7s %7s %6s %8s %7s\n' minute received stored \
	"rss MiB" "wal MiB" "db MiB" writer prepare passes "pass ms" queue
read -r p_recv p_stored p_passes p_pus _ <<<"$(stat_now)"
p_wt=$(thread_ticks tw-writer) p_pt=$(thread_ticks tw-prepare)
t0=$(date +%s)
for m in $(seq 1 "$minutes"); do
	wait_s=$((t0 + m * interval - $(date +%s)))
	[ "$wait_s" -le 0 ] || sleep "$wait_s"
	kill -0 "$TW_PID" 2>/dev/null || die "collector died in minute $m"
	read -r recv stored passes pus qmsgs <<<"$(stat_now)"
	wt=$(thread_ticks tw-writer) pt=$(thread_ticks tw-prepare)
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$TW_PID/status")
	wal=$(fsize "$DB-wal") dbb=$(fsize "$DB")
	dp=$((passes - p_passes))
	pms=$(awk -v u="$((pus - p_pus))" -v n="$dp" 'BEGIN { printf "%.1f", (n > 0 ? u / n / 1000 : 0) }')
	echo "$m,$((recv - p_recv)),$((stored - p_stored)),$rss,$wal,$dbb,$((wt - p_wt)),$((pt - p_pt)),$dp,$pms,$qmsgs" >>"$csv"
	printf 'soak: %6d %9d %9d %8.1f %8.1f %9.1f %7d %7d %6d %8s %7d\n' "$m" \
		$((recv - p_recv)) $((stored - p_stored)) "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')" \
		"$(awk -v b="$wal" 'BEGIN { print b / 1048576 }')" \
		"$(awk -v b="$dbb" 'BEGIN { print b / 1048576 }')" \
		$((wt - p_wt)) $((pt - p_pt)) "$dp" "$pms" "$qmsgs"
	p_recv=$recv p_stored=$stored p_passes=$passes p_pus=$pus p_wt=$wt p_pt=$pt
done

# The senders end with the soak; let the writer catch up, then stop.
[ -z "$SEND_PID" ] || wait "$SEND_PID" || die "twsend failed: $(cat "$T/send.log")"
SEND_PID=
sim_lines=0
if [ -n "$SIM_PID" ]; then
	wait "$SIM_PID" || die "twsim failed: $(cat "$T/sim.log")"
	SIM_PID=
	sim_lines=$(sed -n 's/.* \([0-9][0-9]*\) lines,.*/\1/p' "$T/sim.log" | tail -n 1)
fi
want=$((plain_count + sim_lines))
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
plain_rows=$(q "SELECT count(*) FROM messages WHERE raw LIKE '% soak___ charon:%'")
plain_distinct=$(q "SELECT count(DISTINCT raw) FROM messages WHERE raw LIKE '% soak___ charon:%'")
all_rows=$(q "SELECT count(*) FROM messages")
sim_rows=$((all_rows - plain_rows))
incidents=$(q "SELECT count(*) FROM incidents" 2>/dev/null || echo '?')
echo "soak: stored plain $plain_rows/$plain_count ($plain_distinct distinct), twsim $sim_rows/$sim_lines; incidents $incidents"
verdict=0
[ "$plain_rows" -eq "$plain_count" ] || { echo "soak: LOST: plain $plain_rows of $plain_count stored"; verdict=1; }
[ "$plain_distinct" -eq "$plain_count" ] || { echo "soak: DUPLICATES among plain lines"; verdict=1; }
[ "$sim_rows" -eq "$sim_lines" ] || { echo "soak: LOST: twsim $sim_rows of $sim_lines stored"; verdict=1; }

# Flat after warm-up: the last third against the second third.
# check NAME COLUMN HOW REL ABS UNIT: HOW is mean or max; flat when the
# last third's is at most the second third's x (1 + REL) + ABS.
check() {
	local name=$1 col=$2 how=$3 rel=$4 abs=$5 unit=$6 out
	out=$(awk -F, -v c="$col" -v n="$minutes" -v how="$how" -v rel="$rel" -v abs="$abs" '
		NR == 1 { next }
		{
			third = ($1 <= n / 3) ? 1 : ($1 <= 2 * n / 3) ? 2 : 3
			if (third == 1) next
			v = $c + 0
			s[third] += v; k[third]++
			if (!(third in m) || v > m[third]) m[third] = v
		}
		END {
			a = how == "max" ? m[2] : s[2] / k[2]
			b = how == "max" ? m[3] : s[3] / k[3]
			lim = a * (1 + rel) + abs; ok = b <= lim
			printf "%s %.1f %.1f %.1f\n", ok ? "flat" : "NOT-FLAT", a, b, lim
		}' "$csv")
	read -r res a b lim <<<"$out"
	printf 'soak: %-26s second third %10s, last third %10s, limit %10s %s: %s\n' \
		"$name" "$a" "$b" "$lim" "$unit" "$res"
	[ "$res" = flat ] || verdict=1
}
echo "soak: verdict (minutes 1-$((minutes / 3)) warm-up; thirds compared):"
check "RSS (mean)" 4 mean 0.10 8192 KiB
check "writer CPU/min (mean)" 7 mean 0.25 100 ticks
check "correlator pass (mean)" 10 mean 0.50 5 ms
# Database growth per minute: from the size column, minute by minute.
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "db_growth"; next }
	{ print $0, $6 - prev; prev = $6 }' "$csv" >"$T/soak2.csv" && mv "$T/soak2.csv" "$csv"
check "database growth/min (mean)" 12 mean 0.25 1048576 bytes
check "WAL (largest)" 5 max 0.25 8388608 bytes
# The writer keeps up: what came in during the last third is stored.
read -r in3 st3 <<<"$(awk -F, -v n="$minutes" 'NR > 1 && $1 > 2 * n / 3 { r += $2; s += $3 }
	END { print r + 0, s + 0 }' "$csv")"
if [ $((st3 * 100)) -ge $((in3 * 95)) ]; then
	echo "soak: stored/received, last third    $st3 / $in3: the writer keeps up"
else
	echo "soak: stored/received, last third    $st3 / $in3: the writer FALLS BEHIND"
	verdict=1
fi
if [ "$verdict" = 0 ]; then
	echo "soak: PASS — flat after warm-up, nothing lost (CSV: ${keep:-pass --keep DIR to keep it})"
else
	echo "soak: FAIL — see above (CSV: ${keep:-pass --keep DIR to keep it})"
fi
exit "$verdict"
