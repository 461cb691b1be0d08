#!/usr/bin/env bash
# The correlator's feed (diagnose/feed.h): serve decides from the events
# the resolver hands it in memory, and must decide exactly as when it
# reads every event back from the database (TW_CORR_READ_BACK=1, the way
# before the feed).  Each lab capture and field-guide case is sent over
# TCP, paced so that it spans several correlator passes, once each way;
# incidents (symptom, root cause, times, summary, evidence) and tunnel
# states must be identical, and the memory path must have been taken.
. "$(dirname "$0")/lib.sh"
FIX=$TW_SOURCE_DIR/tests/fixtures

run() { # FILE MODE -> $T/out.MODE
	local f=$1 mode=$2 n
	n=$(wc -l <"$f")
	rm -rf "$DB" "$DB"-wal "$DB"-shm "$DB".spool
	if [ "$mode" = back ]; then
		TW_CORR_READ_BACK=1 tw_start --lateness 1s --correlate-interval 200ms --log-level debug
	else
		tw_start --lateness 1s --correlate-interval 200ms --log-level debug
	fi
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$f" --count "$n" --rate 150 \
		2>"$T/send.err" || { cat "$T/send.err" >&2; fail "send $f"; }
	wait_rows "$n"
	# Past the reorder window (1 s) and past TM_SETTLE (3 s: an IKE_SA
	# delete waits that long for its rekey, against the wall clock in
	# serve), a few passes: with less, whether the last delete of a case
	# is decided before the stop depends on the machine's load, in either
	# mode (terminate.log: down or still up at the stop).
	sleep 4
	# A case whose lines run backwards in device time (guide_dpd.log
	# starts with its newest second) is held until the wall clock passes
	# the device clock as its newest line of the last pass showed it:
	# with a pass boundary among those lines, 5 s more.  Wait until every
	# tunnel's machine stands at its newest event, then for its timers.
	if ! all_decided; then
		wait_decided
		sleep 4
	fi
	tw_stop
	cp "$T/serve.log" "$T/log.$mode"
	q "SELECT d.hostname, t.name, i.symptom, i.root_cause, i.started_us,
	          coalesce(i.ended_us, '-'), i.summary,
	          (SELECT group_concat(line, '|') FROM (SELECT line FROM incident_evidence e
	            WHERE e.incident_id = i.incident_id ORDER BY seq))
	     FROM incidents i JOIN tunnels t USING (tunnel_id) JOIN devices d
	       ON d.device_id = i.device_id
	    ORDER BY d.hostname, t.name, i.started_us" >"$T/out.$mode"
	q "SELECT hostname, tunnel, state, state_since, flapping FROM v_tunnels
	    ORDER BY hostname, tunnel" >>"$T/out.$mode"
}

memory=0 cases=0
for f in "$FIX"/real/*.log "$FIX"/guide_delete.log "$FIX"/guide_dpd.log "$FIX"/guide_pfs.log; do
	run "$f" memory
	run "$f" back
	if ! cmp -s "$T/out.memory" "$T/out.back"; then
		diff "$T/out.back" "$T/out.memory" | head -20 >&2
		fail "$(basename "$f"): decided from memory differs from read back"
	fi
	m=$({ grep -o '([0-9]* from memory' "$T/log.memory" || true; } |
		awk '{s += substr($1, 2)} END {print s + 0}')
	echo "  $(basename "$f"): $m tunnel passes from memory"
	memory=$((memory + m))
	cases=$((cases + 1))
done
[ "$memory" -gt 0 ] || fail "no tunnel was decided from memory"
ok "feed: $cases scenarios decided alike from memory and read back ($memory tunnel passes from memory)"
