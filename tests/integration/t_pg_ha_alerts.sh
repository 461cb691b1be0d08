#!/usr/bin/env bash
# t_pg_ha_alerts.sh — two collectors on one PostgreSQL database alert once
# (docs/scale-out.md, "Several collectors"; docs/alerts.md, the gate).
#
# Collectors A and B share a throw-away cluster and one webhook receiver;
# both get every line of the lab's DPD case (moved to now).  Only A, which
# derives, alerts: the receiver gets incident.opened once, not twice.  A is
# then killed with -9; B takes the derive lock, starts from the alert state
# A saved (no repeat of A's alert), and alerts once for a second device's
# incident sent to it alone.  B has nothing to store when A dies: it must
# take over all the same (regression: a storer tried the lock only when it
# began a batch, so an idle one never took over).
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
if [ -z "${TW_HOOK:-}" ] || [ ! -x "$TW_HOOK" ]; then
	echo "skip: no twhook (libmicrohttpd-dev is in deploy/build.sh --test)"
	exit 77
fi
# The collectors are this shell's jobs: tw_kill_all stops them first.
trap 'tw_kill_all; pgtmp_stop; tw_cleanup' EXIT
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI
export TZ=UTC
case_now "$TW_SOURCE_DIR/tests/fixtures/real/dpd.log" >"$T/case1.log"
sed 's/vedge01/vedge02/g' "$T/case1.log" >"$T/case2.log"
N=$(wc -l <"$T/case1.log")

hook_start hook
echo '{ "alerts": { "debounce": "1s" } }' >"$T/alerts.json"
start() {   # NAME: a collector on the shared database (lib.sh serve_start)
	serve_start "$1" --db "$PG" --spool-dir "$T/spool.$1" --lateness 1s \
		--correlate-interval 200ms --flush-interval 50ms --config "$T/alerts.json" \
		--alert-webhook "http://127.0.0.1:$HOOK_PORT/tw"
}
start A
start B
grep -q 'this collector derives' "$T/A.log" || fail "A does not derive"
grep -q 'another collector derives' "$T/B.log" || fail "B derives too"

"$TW_SEND" --tcp "127.0.0.1:$PORT_A" --file "$T/case1.log" --count "$N" >/dev/null 2>&1 &
SEND_A=$!
"$TW_SEND" --tcp "127.0.0.1:$PORT_B" --file "$T/case1.log" --count "$N" >/dev/null 2>&1 ||
	fail "send to B"
wait "$SEND_A" || fail "send to A"
wait_lines "$T/hook.out" '"event":"incident.opened"' 1
# Long enough for B to alert too if its gate were open, and for A to save
# what it said (after a correlator pass).
sleep 4
n=$(grep -c '"event":"incident.opened"' "$T/hook.out")
[ "$n" = 1 ] || fail "$n incident.opened for one incident: $(cat "$T/hook.out")"
grep '"event":"incident.opened"' "$T/hook.out" | grep -q '"hostname":"vedge01"' ||
	fail "the alert is not vedge01's"
ok "HA alerts: two collectors, one incident, one alert (from the deriving collector)"

kill -9 "$PID_A"; wait "$PID_A" 2>/dev/null || true; PID_A=
for i in $(seq 1 100); do
	grep -q 'took the derive lock' "$T/B.log" && break
	sleep 0.1
done
grep -q 'took the derive lock' "$T/B.log" || fail "B did not take over"
"$TW_SEND" --tcp "127.0.0.1:$PORT_B" --file "$T/case2.log" --count "$N" >/dev/null 2>&1 ||
	fail "send the second case to B"
wait_lines "$T/hook.out" '"hostname":"vedge02"' 1
sleep 4
n=$(grep -c '"event":"incident.opened"' "$T/hook.out")
[ "$n" = 2 ] || fail "after the takeover: $n incident.opened, expected 2 (vedge01 once, vedge02 once): $(cat "$T/hook.out")"
kill -TERM "$PID_B"; wait "$PID_B" || fail "B exited with $?"; PID_B=
ok "HA alerts: B took over without repeating A's alert, and alerted vedge02's incident once"
