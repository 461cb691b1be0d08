#!/usr/bin/env bash
# t_pg_ha.sh — two collectors on one PostgreSQL database, one killed
# (docs/scale-out.md, "Several collectors"; docs/deployment.md, the HA pair).
#
# A twsim fleet (12 vEdges, flaps, PFS and delete cases, two peer outages
# that make fleet events) is sent over TCP once to a single collector on
# SQLite: the reference.  Then it is sent to two collectors, A and B, that
# share one throw-away PostgreSQL database, each getting every line, as
# vEdges that log to two servers do.  A starts first and derives; B stores.
# Half-way A is killed with -9; B takes the derive lock and goes on alone.
# Afterwards:
#   - every line is stored once (count, no two rows with one twin key, no
#     line left pending) and B counted the copies it dropped;
#   - B took over (derive_takeovers, its log);
#   - the incidents, fleet events and tunnel states are those of the
#     reference (ids aside: the order they are made in differs);
#   - A restarted replays its spool into the database as a storer and
#     adds no line.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
: "${TW_SIM:=$(dirname "$TW_BIN")/twsim}"
# The collectors are this shell's jobs: tw_kill_all stops them first.
trap 'tw_kill_all; pgtmp_stop; tw_cleanup' EXIT
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI
pq() { psql -X -A -t -q "$PG" -c "$1"; }

"$TW_SIM" --devices 12 --tunnels 2 --peers 2 --seed 3 --duration 3h --flaps 2 \
	--outages 2 --deletes 1 --pfs 1 --out "$T/fleet.log" >/dev/null 2>&1 || fail "twsim"
N=$(wc -l <"$T/fleet.log")
OPTS="--lateness 1s --correlate-interval 200ms --stats-interval 1s --flush-interval 50ms"

decided() {   # BACKEND
	if [ "$1" = pg ]; then pg_all_decided "$PG"; else all_decided; fi
}
settle() {   # BACKEND
	local i
	sleep 4
	for i in $(seq 1 300); do decided "$1" && break; sleep 0.1; done
	decided "$1" || fail "$1: events still undecided after 30 s"
	sleep 3
}
# summary DB OUT: incidents, fleet events and tunnel states without ids.
summary() {
	"$TW_BIN" incidents --db "$1" --json >"$T/inc.json" 2>&1 || fail "incidents"
	"$TW_BIN" tunnels --db "$1" --json >"$T/tun.json" 2>&1 || fail "tunnels"
	python3 - "$T/inc.json" "$T/tun.json" >"$2" <<'EOF' || fail "summary"
import json, sys
inc = json.load(open(sys.argv[1]))
tun = json.load(open(sys.argv[2]))
def clean(row):
    return {k: v for k, v in row.items()
            if not k.endswith("_id") and k not in ("flap_score", "detected_at")}
for r in sorted(json.dumps(clean(r), sort_keys=True) for r in inc):
    print("incident", r)
for r in sorted(json.dumps(clean(r), sort_keys=True) for r in tun):
    print("tunnel", r)
EOF
}

# ---- the reference: one collector, SQLite ----
tw_start $OPTS
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/fleet.log" --count "$N" --rate 2000 \
	2>"$T/send.err" || fail "send to the reference: $(cat "$T/send.err")"
for i in $(seq 1 300); do [ "$(q 'SELECT count(*) FROM messages')" -ge "$N" ] && break; sleep 0.1; done
settle lite
tw_stop
summary "$DB" "$T/ref.txt"
k=$(grep -c '^incident' "$T/ref.txt" || true)
[ "$k" -ge 10 ] || fail "the reference has $k incidents: the comparison proves little"

# ---- two collectors, one PostgreSQL database ----
# ha_start NAME: a collector on the shared database (lib.sh serve_start).
ha_start() {
	serve_start "$1" --db "$PG" --spool-dir "$T/spool.$1" $OPTS
}
# counter NAME: its highest value in the stats table, which both collectors
# write (their counters only grow; A's restart starts from 0).
pg_counter() {
	pq "SELECT max(value) FROM stats WHERE name = '$1'"
}
ha_start A
grep -q 'this collector derives' "$T/A.log" || fail "A does not derive: $(cat "$T/A.log")"
ha_start B
grep -q 'another collector derives' "$T/B.log" || fail "B did not find A deriving: $(cat "$T/B.log")"

# Both get every line, at the same pace, as from vEdges logging to two servers.
"$TW_SEND" --tcp "127.0.0.1:$PORT_A" --file "$T/fleet.log" --count "$N" --rate 2000 \
	2>/dev/null &
SEND_A=$!
"$TW_SEND" --tcp "127.0.0.1:$PORT_B" --file "$T/fleet.log" --count "$N" --rate 2000 \
	2>"$T/sendB.err" &
SEND_B=$!
# Half-way, the deriving collector dies.
for i in $(seq 1 400); do
	[ "$(pq 'SELECT count(*) FROM messages WHERE NOT pending' 2>/dev/null || echo 0)" \
		-ge $((N / 2)) ] && break
	sleep 0.05
done
kill -9 "$PID_A"
wait "$PID_A" 2>/dev/null || true
PID_A=
killed_at=$(pq 'SELECT count(*) FROM messages WHERE NOT pending')
wait "$SEND_A" 2>/dev/null || true
wait "$SEND_B" || fail "send to B: $(cat "$T/sendB.err")"
for i in $(seq 1 300); do
	[ "$(pq 'SELECT count(*) FROM messages WHERE NOT pending')" -ge "$N" ] && break
	sleep 0.1
done
settle pg
grep -q 'took the derive lock' "$T/B.log" || fail "B never took over: $(grep -i derive "$T/B.log")"
takeovers=$(pg_counter derive_takeovers)
dups=$(pg_counter dropped_duplicate)

# A comes back: a storer now; what its spool held goes in once more and is dropped.
ha_start A
grep -q 'another collector derives' "$T/A.log" || fail "A restarted does not see B deriving"
sleep 3
kill -TERM "$PID_A"; wait "$PID_A" || fail "A exited with $?"; PID_A=
sleep 1
kill -TERM "$PID_B"; wait "$PID_B" || fail "B exited with $?"; PID_B=

stored=$(pq 'SELECT count(*) FROM messages')
pending=$(pq 'SELECT count(*) FROM messages WHERE pending')
twins=$(pq 'SELECT count(*) FROM (SELECT 1 FROM messages WHERE line_hash IS NOT NULL
	GROUP BY hostname_id, device_us, line_hash, copy HAVING count(*) > 1) x')
[ "$pending" = 0 ] || fail "$pending lines still pending"
[ "$twins" = 0 ] || fail "$twins lines stored twice"
[ "$stored" = "$N" ] || fail "$stored lines stored of $N"
ok "HA: $N lines sent to both collectors, A killed -9 after deriving $killed_at: every line stored once"
[ "${takeovers:-0}" -ge 1 ] || fail "derive_takeovers ${takeovers:-none}"
[ "${dups:-0}" -gt 0 ] || fail "dropped_duplicate ${dups:-none}: B's copies were not counted"
ok "HA: B took the derive lock from the dead A ($takeovers takeover, $dups copies dropped)"

summary "$PG" "$T/ha.txt"
diff -u "$T/ref.txt" "$T/ha.txt" >"$T/why" ||
	{ cat "$T/why" >&2; fail "the incidents or tunnel states differ from one collector's"; }
fe=$(pq 'SELECT count(*) FROM fleet_events')
ok "HA: $k incidents and the tunnel states as one collector decides them, each once ($fe fleet events)"
