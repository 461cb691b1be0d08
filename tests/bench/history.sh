#!/usr/bin/env bash
# tests/bench/history.sh — the history-scale measurement: a simulated fleet's
# month of logs through `tunnelwatch import`, then the database's size per
# million messages, `tunnelwatch report` over the last 24 h and over 30 days,
# the example queries of docs/schema.md on the views, and the correlator
# against the simulator's ground truth.
#
#   bash tests/bench/history.sh [--devices N] [--tunnels M] [--days D]
#        [--hours H] [--idle-fraction X] [--build DIR] [--work DIR] [--repeats R]
#
# Defaults: 1000 devices x 4 tunnels x 30 days, the issue's scale.  That is
# ~230 M lines and ~80 GB on disk with the simulator's default chatter
# (DPD every 30 s on 10 % of the tunnels, CHILD_SA rekeys hourly, IKE_SA
# rekeys every 4 h); docs/performance.md says which smaller scale was run
# and how the figures extrapolate.  --hours H simulates H hours instead of
# D days (tests/bench/bench.sh --quick).  Results: $WORK/history.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DEVICES=1000 TUNNELS=4 DAYS=30 HOURS= IDLE=0.1 REPEATS=5
BUILD=/tmp/build-bench
WORK=/tmp/tw-history
while [ $# -gt 0 ]; do
	case $1 in
	--devices) DEVICES=$2; shift ;;
	--tunnels) TUNNELS=$2; shift ;;
	--days) DAYS=$2; shift ;;
	--hours) HOURS=$2; shift ;;
	--idle-fraction) IDLE=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--work) WORK=$2; shift ;;
	--repeats) REPEATS=$2; shift ;;
	-h|--help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "history.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }
mkdir -p "$WORK"
if [ ! -x "$BUILD/tunnelwatch" ] || [ ! -x "$BUILD/twsim" ]; then
	cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTW_TESTS=OFF >/dev/null
	cmake --build "$BUILD" -j2 >/dev/null
fi
TW=$BUILD/tunnelwatch SIM=$BUILD/twsim
START=2024-05-01T00:00:00
DUR=${DAYS}d
[ -z "$HOURS" ] || DUR=${HOURS}h
TAG=${DEVICES}x${TUNNELS}x$DUR-idle$IDLE
LOGF=$WORK/fleet-$TAG.log
TRUTH=$WORK/fleet-$TAG.truth.json
DB=$WORK/fleet-$TAG.db
OUT=$WORK/history-$TAG.md

if [ ! -s "$TRUTH" ]; then
	log "simulating $TAG into $LOGF"
	"$SIM" --seed 11 --devices "$DEVICES" --tunnels "$TUNNELS" --duration "$DUR" \
		--idle-fraction "$IDLE" --start "$START" --out "$LOGF" --truth "$TRUTH" 2>"$WORK/sim.err"
fi
LINES=$(sed -n 's/^  "lines": \([0-9]*\),/\1/p' "$TRUTH")
END=$(sed -n 's/^  "end": "\(.*\)",/\1/p' "$TRUTH")
LOGBYTES=$(stat -c %s "$LOGF")

rm -f "$DB" "$DB-wal" "$DB-shm"
log "importing $LINES lines ($((LOGBYTES / 1048576)) MiB)"
/usr/bin/time -v "$TW" import --db "$DB" --year 2024 "$LOGF" 2>"$WORK/import.log" >/dev/null
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/import.log" |
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/import.log")
rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/import.log")
log "import: $(grep -E '^import:' "$WORK/import.log" | tail -1)"
grep -E '^correlate:' "$WORK/import.log" >&2 || true

sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
ROWS=$(sqlite3 "$DB" "SELECT count(*) FROM messages")
DBBYTES=$(($(stat -c %s "$DB") + $(stat -c %s "$DB-wal" 2>/dev/null || echo 0)))
EVENTS=$(sqlite3 "$DB" "SELECT count(*) FROM events")

median_of() { sort -g | awk '{ v[n++] = $1 } END { print (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2 }'; }
# time_cmd CMD...: median wall seconds over REPEATS runs
time_cmd() {
	local i t0
	for i in $(seq 1 "$REPEATS"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>>"$WORK/errors.log" || echo "failed: $*" >>"$WORK/errors.log"
		awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f\n", b - a }'
	done | median_of
}
# time_sql SQL: median "Run Time: real" in ms over REPEATS runs (warm cache)
time_sql() {
	local i
	for i in $(seq 1 "$REPEATS"); do
		printf '.timer on\n%s\n' "$1" | sqlite3 -batch "$DB" 2>>"$WORK/errors.log" |
			sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | tail -1
	done | awk '{ print $1 * 1000 }' | median_of
}

end_s=$(date -u -d "$END" +%s)
DAY_BEFORE=$(date -u -d "@$((end_s - 86400))" +%Y-%m-%dT%H:%M:%SZ)
R24="" R30="" R24J="" R30J=""
if "$TW" help 2>&1 | grep -q '^ *report'; then
	log "timing tunnelwatch report (24 h, 30 d), $REPEATS runs each"
	R24=$(time_cmd "$TW" report --db "$DB" --since "$DAY_BEFORE/24h" --format html --out "$WORK/r24.html")
	R30=$(time_cmd "$TW" report --db "$DB" --since "${START}Z/30d" --format html --out "$WORK/r30.html")
	R24J=$(time_cmd "$TW" report --db "$DB" --since "$DAY_BEFORE/24h" --format json --out "$WORK/r24.json")
	R30J=$(time_cmd "$TW" report --db "$DB" --since "${START}Z/30d" --format json --out "$WORK/r30.json")
fi

# docs/schema.md's example queries; "now" is the end of the simulated data.
now_us="strftime('%s','$END') * 1000000"
inc=$(sqlite3 "$DB" "SELECT coalesce(max(incident_id), 1) FROM incidents" 2>/dev/null || echo 1)
read -r host tun < <(sqlite3 -separator ' ' "$DB" "SELECT hostname, tunnel FROM v_incidents
	ORDER BY started_us DESC LIMIT 1" 2>/dev/null || echo "vedge0001 ipsec1")
Q=(
"SELECT hostname, system_ip, tunnel, peer_ip, state_since FROM v_tunnels WHERE state = 'down' ORDER BY state_since;"
"SELECT hostname, tunnel, flaps_24h, flap_score FROM v_tunnels WHERE flapping = 1 ORDER BY flap_score DESC;"
"SELECT started_at, hostname, tunnel, symptom, root_cause, summary FROM v_incidents WHERE started_us > $now_us - 86400000000 ORDER BY started_us DESC;"
"SELECT value FROM v_incidents, json_each(v_incidents.evidence) WHERE incident_id = $inc;"
"SELECT started_at, peer_ip, devices, root_cause, summary FROM v_fleet_events ORDER BY started_at DESC LIMIT 20;"
"SELECT device_time, kind, line FROM v_events WHERE tunnel_id = (SELECT tunnel_id FROM v_tunnels WHERE hostname = '${host:-vedge0001}' AND tunnel = '${tun:-ipsec1}') AND device_us BETWEEN $now_us - 900000000 AND $now_us ORDER BY device_us, event_id;"
"SELECT dp.name AS program, count(*) FROM messages m LEFT JOIN dict_programs dp ON dp.program_id = m.program_id WHERE m.parse_status <> 0 GROUP BY m.program_id ORDER BY 2 DESC;"
)
QN=("tunnels down now" "flapping tunnels" "incidents of the last 24 h" "evidence of one incident"
	"fleet events" "one tunnel's lines, 15 min" "unparsed lines by program")

# Ground truth vs v_incidents (as tests/integration/t_bench_smoke.sh).
read -r T_ALL T_OK T_EXTRA < <(sqlite3 -separator ' ' :memory: "ATTACH '$DB' AS tw;
CREATE TEMP TABLE truth AS
  SELECT json_extract(value, '\$.device') AS device, json_extract(value, '\$.tunnel') AS tunnel,
         json_extract(value, '\$.symptom') AS symptom, json_extract(value, '\$.root_cause') AS root_cause,
         json_extract(value, '\$.start_us') AS start_us,
         CAST(strftime('%s', json_extract(value, '\$.first_evidence')) AS INTEGER) * 1000000 AS first_us
    FROM json_each(readfile('$TRUTH'), '\$.incidents');
CREATE TEMP TABLE got AS SELECT hostname AS device, tunnel, symptom, root_cause, started_us FROM tw.v_incidents;
CREATE TEMP TABLE m AS SELECT t.rowid AS trow, min(g.rowid) AS grow FROM truth t JOIN got g
  ON g.device = t.device AND g.tunnel = t.tunnel AND g.symptom = t.symptom AND g.root_cause = t.root_cause
 AND g.started_us BETWEEN t.first_us - 60000000 AND t.start_us + 300000000 GROUP BY t.rowid;
SELECT (SELECT count(*) FROM truth), (SELECT count(*) FROM m),
       (SELECT count(*) FROM got WHERE rowid NOT IN (SELECT grow FROM m));" 2>/dev/null || echo "- - -")
# What the misses were classified as, for docs/performance.md.
sqlite3 -separator ' ' :memory: "ATTACH '$DB' AS tw;
CREATE TEMP TABLE truth AS
  SELECT json_extract(value, '\$.device') AS device, json_extract(value, '\$.tunnel') AS tunnel,
         json_extract(value, '\$.symptom') AS symptom, json_extract(value, '\$.root_cause') AS root_cause
    FROM json_each(readfile('$TRUTH'), '\$.incidents');
SELECT 'truth ' || t.symptom || '/' || t.root_cause || ' -> got ' || g.symptom || '/' || g.root_cause, count(*)
  FROM truth t JOIN tw.v_incidents g ON g.hostname = t.device AND g.tunnel = t.tunnel
 WHERE g.symptom <> t.symptom OR g.root_cause <> t.root_cause GROUP BY 1;" >"$WORK/misclassified-$TAG.txt" 2>/dev/null || true

{
	echo "## History scale: $DEVICES devices x $TUNNELS tunnels x $DUR (twsim --idle-fraction $IDLE)"
	echo
	echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
		"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); load average at the end" \
		"$(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "| measure | value |"
	echo "|---|---|"
	echo "| lines simulated (= rows stored) | $LINES ($ROWS rows) |"
	echo "| events stored | $EVENTS |"
	echo "| log file | $((LOGBYTES / 1048576)) MiB |"
	echo "| import wall / CPU time | ${wall} s / ${cpu} s ($(awk -v n="$LINES" -v w="$wall" 'BEGIN { printf "%.0f", n / w }') lines/s) |"
	echo "| import peak RSS | $((rss / 1024)) MiB |"
	echo "| database size | $((DBBYTES / 1048576)) MiB |"
	echo "| database size per million messages | $(awk -v b="$DBBYTES" -v n="$ROWS" 'BEGIN { printf "%.0f MiB", b / 1048576 / (n / 1e6) }') |"
	[ -z "$R24" ] || echo "| \`tunnelwatch report\` last 24 h (html / json) | ${R24} s / ${R24J} s |"
	[ -z "$R30" ] || echo "| \`tunnelwatch report\` 30 days (html / json) | ${R30} s / ${R30J} s |"
	[ -n "$R24" ] || echo "| \`tunnelwatch report\` | not available in this build |"
	for i in "${!Q[@]}"; do
		echo "| query: ${QN[$i]} | $(time_sql "${Q[$i]}") ms |"
	done
	echo "| correlator vs ground truth | $T_OK of $T_ALL incidents found; $T_EXTRA incidents beyond the truth |"
	echo
	echo "Space by table and index (dbstat):"
	echo
	echo "| object | MiB | bytes per message |"
	echo "|---|---|---|"
	sqlite3 -separator ' | ' "$DB" "SELECT name, printf('%.1f', sum(pgsize) / 1048576.0),
		printf('%.0f', sum(pgsize) * 1.0 / $ROWS) FROM dbstat GROUP BY name
		ORDER BY sum(pgsize) DESC LIMIT 12" 2>/dev/null | sed 's/^/| /; s/$/ |/'
} >"$OUT"
cat "$OUT"
[ ! -s "$WORK/errors.log" ] || { echo; echo "errors (see $WORK/errors.log):"; sort -u "$WORK/errors.log" | head -5; }
