#!/usr/bin/env bash
# Fault: another process holds a long read transaction (sqlite3: BEGIN;
# SELECT ...; then nothing for 8 s) while the collector ingests.  In WAL
# mode a reader never blocks the writer: rows keep arriving during the
# hold (checked from a third connection every half second), the reader
# keeps its snapshot, and the listener never stalls (UDP datagrams sent
# during the hold are stored, none dropped).  A second round holds a
# write transaction (BEGIN IMMEDIATE) for 6.5 s, longer than the writer's
# 5 s busy timeout: the writer waits and retries (db_busy_retries), the
# queue absorbs the input, nothing is lost.
. "$(dirname "$0")/lib.sh"

HOLD_PID=
SEND_PID=
qt() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }

tw_start
P=$TW_PORT
"$TW_SEND" --tcp "127.0.0.1:$P" --count 1000 --host-prefix pre 2>/dev/null
wait_rows 1000

# The reader: its snapshot has 1000 rows, it prints that count again at
# the end of the hold (same snapshot), then commits.
{
	echo "BEGIN;"
	echo "SELECT 'reader-start', count(*) FROM messages;"
	sleep 8
	echo "SELECT 'reader-end', count(*) FROM messages;"
	echo "COMMIT;"
} | sqlite3 -batch -noheader "$DB" >"$T/reader.out" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 50); do grep -q reader-start "$T/reader.out" && break; sleep 0.1; done
grep -q "reader-start|1000" "$T/reader.out" || fail "reader did not start: $(cat "$T/reader.out")"

# Ingest during the hold: TCP at 5000/s for 4 s, UDP alongside.
"$TW_SEND" --tcp "127.0.0.1:$P" --count 20000 --rate 5000 --host-prefix tcp 2>/dev/null &
SEND_PID=$!
"$TW_SEND" --udp "127.0.0.1:$P" --count 2000 --rate 1000 --host-prefix udp 2>/dev/null &
UDP_PID=$!
samples=()
for _ in 1 2 3 4 5 6; do
	samples+=("$(qt "SELECT count(*) FROM messages")")
	sleep 0.5
done
wait "$SEND_PID"
SEND_PID=$UDP_PID
wait "$UDP_PID"
SEND_PID=
wait_rows 23000
kill -0 "$HOLD_PID" 2>/dev/null || fail "the reader ended before ingestion finished"
ok "ingesting under a held read transaction: rows ${samples[*]} ... 23000"
prev=0
for s in "${samples[@]}"; do
	[ "$s" -gt "$prev" ] || fail "rows stopped arriving during the read hold: ${samples[*]}"
	prev=$s
done
wait "$HOLD_PID"
HOLD_PID=
grep -q "reader-end|1000" "$T/reader.out" || fail "reader snapshot changed: $(cat "$T/reader.out")"
ok "the reader kept its snapshot (1000 rows) for 8 s while 22000 rows were committed"

# A writer lock held elsewhere: the collector waits, retries, loses nothing.
{
	echo "BEGIN IMMEDIATE;"
	echo "SELECT 'locked';"
	sleep 6.5
	echo "COMMIT;"
} | sqlite3 -batch -noheader "$DB" >"$T/locker.out" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 50); do grep -q locked "$T/locker.out" && break; sleep 0.1; done
"$TW_SEND" --tcp "127.0.0.1:$P" --count 5000 --host-prefix lockd 2>/dev/null
"$TW_SEND" --udp "127.0.0.1:$P" --count 500 --rate 500 --host-prefix udplockd 2>/dev/null
kill -0 "$TW_PID" 2>/dev/null || fail "collector died while the database was locked"
kill -0 "$HOLD_PID" 2>/dev/null || fail "the lock ended too early"
wait "$HOLD_PID"
HOLD_PID=
wait_rows 28500
tw_stop
eq "$(qt "SELECT count(*) FROM messages")" "28500" "every message stored"
eq "$(qt "SELECT count(DISTINCT raw) FROM messages")" "28500" "each once"
eq "$(counter dropped_queue_full)" "0" "no UDP datagram dropped during either hold"
# Whoever hit the lock past the 5 s busy timeout — the writer (counted in
# db_busy_retries) or the correlator's pass in between (logged, retried
# next interval) — retried; which one depends on timing.
busy=$(counter db_busy_retries)
[ "${busy:-0}" -ge 1 ] || grep -q "database is locked" "$T/serve.log" ||
	fail "nobody waited for the write lock? (db_busy_retries ${busy:-0})"
ok "a write lock held 6.5 s elsewhere: $busy db_busy_retries, 28500 of 28500 stored"
