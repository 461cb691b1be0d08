#!/usr/bin/env bash
# Fault: kill -9 during TCP load, then restart.  Three rounds, each killed
# at a different moment: the database opens, PRAGMA integrity_check is ok,
# every row committed before the kill (counted from another connection
# just before it) is still there, no message is stored twice, and the next
# run appends to the same database.  synchronous=NORMAL in WAL mode loses
# nothing on a process crash (only on power loss), so "committed" here
# means committed.  When twsim (tests/bench) is built, a simulated fleet
# streams real charon/FTMD lines alongside, so there are events the killed
# process never correlated: the correlator's progress marker
# (meta corr.last_event_id, committed with its results) is never ahead of
# the ids handed out (meta event.last_id), and after the final clean run it
# has caught up with all events.
. "$(dirname "$0")/lib.sh"
: "${TW_SIM:=$(dirname "$TW_BIN")/twsim}"

SEND_PID=
SIM_PID=
qt() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }
corr_mark() { qt "SELECT coalesce((SELECT value FROM meta WHERE key = 'corr.last_event_id'), 0)"; }
max_event() { qt "SELECT coalesce(max(event_id), 0) FROM events"; }
# The highest id handed out: chatter and DPD lines take ids but no events
# row, so the correlator's mark may pass max(event_id), never this.
max_id() { qt "SELECT coalesce((SELECT value FROM meta WHERE key = 'event.last_id'), 0)"; }
SEQ="raw LIKE '%seq=%'"     # twsend's rows (twsim's are checked by the correlator part)

total=0
for round in 1 2 3; do
	tw_start
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 10000000 --rate 20000 --conns 4 \
		--host-prefix "r${round}h" 2>"$T/send.log" &
	SEND_PID=$!
	if [ -x "$TW_SIM" ]; then
		"$TW_SIM" --devices 20 --tunnels 2 --peers 4 --seed "$round" \
			--start "2024-06-0${round}T00:00:00" --duration 24h --speed 20000 \
			--tcp "127.0.0.1:$TW_PORT" >/dev/null 2>"$T/sim.log" &
		SIM_PID=$!
	fi
	sleep "$((round)).$((RANDOM % 10))"
	kill -0 "$TW_PID" 2>/dev/null || fail "collector died under load"
	before=$(qt "SELECT count(*) FROM messages WHERE $SEQ")
	kill -KILL "$TW_PID"
	wait "$TW_PID" 2>/dev/null || true
	TW_PID=
	wait "$SEND_PID" 2>/dev/null || true       # the senders fail on the dead socket
	SEND_PID=
	if [ -n "$SIM_PID" ]; then
		wait "$SIM_PID" 2>/dev/null || true
		SIM_PID=
	fi
	[ "$before" -gt "$total" ] || fail "round $round: no new rows before the kill ($before)"

	# Opened by another program first: recovery from the WAL, then checks.
	eq "$(qt "PRAGMA integrity_check")" "ok" "round $round: integrity_check after kill -9"
	eq "$(qt "PRAGMA foreign_key_check" | wc -l)" "0" "round $round: foreign keys"
	after=$(qt "SELECT count(*) FROM messages WHERE $SEQ")
	[ "$after" -ge "$before" ] ||
		fail "round $round: $before rows committed before the kill, $after after"
	eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE $SEQ")" "$after" \
		"round $round: every message stored once"
	eq "$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%r${round}h%' AND raw NOT GLOB '*seq=[0-9]*'")" \
		"0" "round $round: no torn rows"
	mark=$(corr_mark)
	[ "$mark" -le "$(max_id)" ] ||
		fail "round $round: correlator ahead of the events ($mark > $(max_id) handed out)"
	ok "round $round: killed with $before rows committed; $after after recovery, integrity ok; correlated up to event $mark of $(max_id)"
	total=$after
done

# The collector itself reopens the crashed database and appends (after
# replaying from the disk spool what the last round read and had not
# committed: t_spool_kill9.sh checks that part exactly).
tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 5000 --host-prefix after 2>"$T/send.log"
wait_rows 5000 "SELECT count(*) FROM messages WHERE raw GLOB '* after[0-9][0-9][0-9] *'"
tw_stop
final=$(qt "SELECT count(*) FROM messages WHERE $SEQ")
eq "$(qt "SELECT count(*) FROM messages WHERE raw GLOB '* after[0-9][0-9][0-9] *'")" "5000" "next run appends"
[ "$final" -ge "$((total + 5000))" ] || fail "rows went missing: $final < $total + 5000"
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE $SEQ")" "$final" "still each once"
eq "$(qt "PRAGMA integrity_check")" "ok" "integrity_check after the clean run"
replayed=$(counter spool_replayed)
grep -q "stopped: received 5000, stored $((5000 + replayed))," "$T/serve.log" ||
	fail "summary line (replayed $replayed)"
if [ -x "$TW_SIM" ]; then
	[ "$(max_event)" -gt 0 ] || fail "twsim produced no events"
	mark=$(corr_mark)
	[ "$mark" -ge "$(max_event)" ] && [ "$mark" -le "$(max_id)" ] ||
		fail "the correlator did not catch up: mark $mark, events up to $(max_event), ids up to $(max_id)"
	! grep -q "correlator: pass failed" "$T/serve.log" || fail "correlator pass failed"
	ok "correlator resumed after the kills: all $(max_event) events correlated"
fi
ok "kill -9 three times under load: nothing committed lost, restart appends"
