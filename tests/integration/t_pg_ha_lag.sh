#!/usr/bin/env bash
# t_pg_ha_lag.sh — the deriving collector gets its copy of the lines late
# (docs/scale-out.md, "Several collectors").
#
# Regression: the deriving collector's pass derived a line another
# collector had stored as soon as it was committed; when its own copy of
# the line came in afterwards (a collector behind in its queue, or a
# sender slow to one of them), that copy was resolved and stored as well:
# the line twice, its events twice.  The pass now waits until the deriving
# collector's own stream is past the line (less 5 s for the two collectors'
# receive times).
#
# A derives, B stores; past A's 10-s check window after taking the lock,
# a field-guide case goes to B, is stored there as pending, and only 1.5 s
# later to A.  Every line must end up stored once, none pending, and the
# events those of one copy.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
trap 'tw_kill_all; pgtmp_stop; tw_cleanup' EXIT
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI
pq() { psql -X -A -t -q "$PG" -c "$1"; }
F=$TW_SOURCE_DIR/tests/fixtures/guide_dpd.log
N=$(wc -l <"$F")

# The reference: the events of one copy, from one collector.
DB=$T/ref.db tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$F" --count "$N" >/dev/null 2>&1 || fail "send"
for i in $(seq 1 100); do [ "$(DB=$T/ref.db q 'SELECT count(*) FROM messages')" = "$N" ] && break; sleep 0.1; done
tw_stop
ref_events=$(DB=$T/ref.db q 'SELECT count(*) FROM events')
[ "$ref_events" -gt 10 ] || fail "the reference has $ref_events events"

started=$(date +%s)
opts() { echo --db "$PG" --spool-dir "$T/spool.$1" --flush-interval 50ms; }
serve_start A $(opts A)
serve_start B $(opts B)
grep -q 'this collector derives' "$T/A.log" || fail "A does not derive"
while [ $(( $(date +%s) - started )) -lt 12 ]; do sleep 0.5; done

"$TW_SEND" --tcp "127.0.0.1:$PORT_B" --file "$F" --count "$N" >/dev/null 2>&1 || fail "send to B"
for i in $(seq 1 100); do [ "$(pq 'SELECT count(*) FROM messages')" = "$N" ] && break; sleep 0.1; done
[ "$(pq 'SELECT count(*) FROM messages')" = "$N" ] || fail "B did not store the lines"
sleep 1.5
[ "$(pq 'SELECT count(*) FROM messages WHERE pending')" = "$N" ] ||
	echo "  note: the pass took B's lines before A's own copies came"
"$TW_SEND" --tcp "127.0.0.1:$PORT_A" --file "$F" --count "$N" >/dev/null 2>&1 || fail "send to A"
for i in $(seq 1 200); do
	[ "$(pq 'SELECT count(*) FROM messages WHERE pending')" = 0 ] && break
	sleep 0.1
done
sleep 1
stored=$(pq 'SELECT count(*) FROM messages')
pending=$(pq 'SELECT count(*) FROM messages WHERE pending')
events=$(pq 'SELECT count(*) FROM events')
[ "$pending" = 0 ] || fail "$pending lines still pending"
[ "$stored" = "$N" ] || fail "$stored lines stored of $N: A's late copies were stored again"
[ "$events" = "$ref_events" ] || fail "$events events, one collector makes $ref_events"
ok "HA: the deriving collector's copies 1.5 s behind the other's: $N lines and $events events, once"
