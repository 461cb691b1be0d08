#!/usr/bin/env bash
# t_pg_serve.sh — `serve --db postgresql://…` (docs/scale-out.md): each lab
# capture and field-guide case is sent over TCP (twsend, paced over
# several correlator passes) once to a collector storing in SQLite and once
# to one storing in a throw-away PostgreSQL cluster; every line must be
# stored, and the incidents, tunnel states and v_* views must be the same
# (but arrival times, the senders' ephemeral ports and v_events' tunnel
# column, which differ between any two serve runs: see below).  Then: without --spool-dir serve refuses a
# PostgreSQL database with a clear line; and a PostgreSQL server that goes
# away mid-stream (pg_ctl stop, start) loses nothing: the queue and the
# spool hold the lines, the writer retries (db_errors and db_busy_retries
# count the attempts)
# and stores them all once the server is back.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
trap 'pgtmp_stop; tw_cleanup' EXIT
FIX=$TW_SOURCE_DIR/tests/fixtures
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI
LITE=$DB

pq() { psql -X -A -t -q "$PG" -c "$1"; }
# rows BACKEND: lines stored.
rows() {
	if [ "$1" = pg ]; then pq "SELECT count(*) FROM messages" 2>/dev/null || echo 0
	else q "SELECT count(*) FROM messages" 2>/dev/null || echo 0; fi
}
# decided BACKEND: lib.sh's all_decided on either backend.
decided() {
	if [ "$1" = pg ]; then pg_all_decided "$PG"; else all_decided; fi
}
wait_stored() {   # BACKEND N [SECONDS]
	local i got=0
	for i in $(seq 1 $((${3:-20} * 10))); do
		got=$(rows "$1")
		[ "$got" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "$1: $got of $2 lines stored"
}
start() {   # BACKEND [serve args]
	local b=$1; shift
	# The last run's log says "ready": tw_start could read it before the
	# new collector's redirection empties it, and send to nobody.
	rm -f "$T/serve.log"
	if [ "$b" = pg ]; then
		DB=$PG tw_start --spool-dir "$T/spool.pg" "$@"
	else
		DB=$LITE tw_start "$@"
	fi
	DB=$LITE
}
fresh() {
	rm -rf "$LITE" "$LITE"-wal "$LITE"-shm "$LITE".spool "$T/spool.pg"
	pq "DROP SCHEMA public CASCADE; CREATE SCHEMA public" >/dev/null 2>&1 ||
		fail "cannot empty the PostgreSQL database"
}

run() {   # FILE BACKEND -> $T/out.BACKEND.*
	local f=$1 b=$2 n i
	n=$(wc -l <"$f")
	start "$b" --lateness 1s --correlate-interval 200ms
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$f" --count "$n" --rate 150 \
		2>"$T/send.err" || { cat "$T/send.err" >&2; fail "send $f"; }
	wait_stored "$b" "$n"
	# As t_feed.sh: past the reorder window and TM_SETTLE, then until
	# every tunnel's machine stands at its newest event.
	sleep 4
	if ! decided "$b"; then
		for i in $(seq 1 300); do decided "$b" && break; sleep 0.1; done
		decided "$b" || fail "$b: events still undecided after 30 s"
		sleep 4
	fi
	tw_stop
	cp "$T/serve.log" "$T/log.$b"
	local db=$LITE
	[ "$b" = pg ] && db=$PG
	"$TW_BIN" incidents --db "$db" --json >"$T/out.$b.incidents" 2>&1 || fail "$b: incidents"
	"$TW_BIN" tunnels --db "$db" --json >"$T/out.$b.tunnels" 2>&1 || fail "$b: tunnels"
	# A flap score decays with the wall clock between the correlator's
	# passes: two serve runs seconds apart never agree on its decimals.
	sed -i -E 's/("flap_score": )[0-9.e+-]+/\1(decays)/' "$T/out.$b.tunnels"
	[ "$(rows "$b")" = "$n" ] || fail "$b: $(rows "$b") lines stored of $n"
}

cases=0 incidents=0
# compare FILE: 0 when the two runs of FILE agree (the differences in $T/why).
compare() {
	local o
	for o in incidents tunnels; do
		diff -u "$T/out.lite.$o" "$T/out.pg.$o" >"$T/why" || return 1
	done
	python3 "$TW_SOURCE_DIR/tests/tools/pg_same_views.py" --compare-only \
		--ignore received_us,received_at,sender,sender_ip,sender_id,v_events.tunnel,v_events.tunnel_id,flap_score \
		--skip v_stats,v_senders "$LITE" "$PG" >"$T/why" 2>&1
}

# The cases: by default six that between them open incidents of every kind
# the lab and the field guide show (DPD loss, PSK, PFS, a restart nobody
# saw, a delete, a proposal mismatch), ~2 minutes; TW_PG_SERVE_CASES=all
# runs all 16 (~6 minutes), or give a space-separated list of case files.
# v_events' tunnel is left out: whether an event a tunnel was not known for
# yet is tied to it before the stop depends on which batch its lines land
# in, which the machine's load decides in any two serve runs (seen both
# ways round, SQLite tied and PostgreSQL not, then the reverse).  A case
# whose runs still differ is run once more on both (t_feed.sh's timing
# caveats); a second difference fails.
case ${TW_PG_SERVE_CASES:-} in
all) CASES="$(echo "$FIX"/real/*.log) $FIX/guide_delete.log $FIX/guide_dpd.log $FIX/guide_pfs.log" ;;
"") CASES="$FIX/real/dpd.log $FIX/real/psk.log $FIX/real/restart_unseen.log $FIX/real/espmismatch.log $FIX/guide_delete.log $FIX/guide_pfs.log" ;;
*) CASES=$TW_PG_SERVE_CASES ;;
esac
for f in $CASES; do
	fresh
	run "$f" lite
	run "$f" pg
	if ! compare; then
		echo "  $(basename "$f"): differed once, running it again:" \
			"$(grep -m 3 -e differ -e 'first difference' -e '^[-+][^-+]' "$T/why" | tr '\n' ' ')"
		fresh
		run "$f" lite
		run "$f" pg
		compare || { cat "$T/why" >&2; fail "$(basename "$f"): SQLite and PostgreSQL differ"; }
	fi
	k=$(grep -c '"incident_id"' "$T/out.pg.incidents" || true)
	echo "  $(basename "$f"): same on both ($k incidents)"
	incidents=$((incidents + k))
	cases=$((cases + 1))
done
[ "$incidents" -gt 3 ] || fail "only $incidents incidents: the comparison proves little"
ok "serve: $cases cases stored and decided alike on SQLite and PostgreSQL ($incidents incidents)"

# No --spool-dir: nowhere to put the spool; one clear line, exit 1.
r=0
"$TW_BIN" serve --db "$PG" --tcp 127.0.0.1:0 >"$T/nospool.log" 2>&1 || r=$?
[ "$r" = 1 ] && grep -q 'give --spool-dir' "$T/nospool.log" ||
	fail "serve on PostgreSQL without --spool-dir: exit $r: $(cat "$T/nospool.log")"
ok "serve: a PostgreSQL --db without --spool-dir is refused with a clear line"

# The server goes away mid-stream and comes back: nothing lost.
fresh
f=$FIX/guide_dpd.log
n=$(wc -l <"$f")
start pg --lateness 1s --correlate-interval 200ms --stats-interval 1s
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$f" --count 100 2>/dev/null || fail "send"
wait_stored pg 100
pgtmp_down || fail "pg_ctl stop"
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$f" --count "$n" 2>/dev/null ||
	fail "send while PostgreSQL is down"
sleep 3
kill -0 "$TW_PID" || fail "serve died while PostgreSQL was down"
pgtmp_up || fail "pg_ctl start"
wait_stored pg $((n + 100)) 40
sleep 1.5
# A batch open when the server went counts in db_errors; a begin that
# finds it gone, in db_busy_retries (the writer's two retry loops).
errs=$(pq "SELECT sum(v) FROM (SELECT (SELECT value FROM stats s WHERE s.name = n.name
	ORDER BY at_us DESC LIMIT 1) AS v FROM (VALUES ('db_errors'), ('db_busy_retries')) AS n(name)) AS x")
tw_stop
[ "$(rows pg)" = $((n + 100)) ] || fail "after the outage: $(rows pg) of $((n + 100)) lines"
[ "${errs:-0}" -gt 0 ] || fail "the outage was not counted (db_errors + db_busy_retries ${errs:-none})"
grep -q 'retrying' "$T/serve.log" || fail "the outage was not logged"
ok "serve: PostgreSQL stopped and started mid-stream: all $((n + 100)) lines stored ($errs failed attempts counted in db_errors and db_busy_retries)"
