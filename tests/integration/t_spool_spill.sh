#!/usr/bin/env bash
# The hand-off (issue #17 item 1, docs/operations.md "Where a backlog
# waits"): the queue in memory is small; what the writer has not caught up
# with waits in the spool, on disk, and is read back in order.
#
# The database is write-locked by another process, so the writer commits
# nothing, and 400,000 numbered lines (~50 MB) are sent over one TCP
# connection to a collector whose hand-off holds 1 MiB.  Checks:
#  - the sender is never paused: everything is read (/metrics) while the
#    lock holds, though it could not fit in memory;
#  - the collector's peak RSS grew by far less than those lines take
#    (they wait on disk: the spool holds them);
#  - once the lock goes, every line is stored exactly once, and lines of
#    the one connection in the order they were sent (message ids follow
#    sequence numbers); spool_read_back counts the spilled ones.
# Then a stop with a backlog in the spool: SIGTERM as soon as the lock goes
# is quick, leaves the backlog in the spool (logged), and the next start
# stores all of it, each line once.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (bash deploy/build.sh --test)"

N=400000
SEQ="raw LIKE '%seq=%'"
qt() { sqlite3 -batch -noheader -cmd ".timeout 10000" "$DB" "$@"; }
url() { sed -n 's|.*web view and /metrics on \(http://[^ ]*/\) .*|\1|p' "$T/serve.log"; }
metric() {
	curl -sf "$(url)metrics" | awk -v m="$1" '$1 == m { print $2 }'
}
kib() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$TW_PID/status"; }

tw_start --http 127.0.0.1:0 --queue-max-bytes 1M --queue-max-messages 5000 \
	--stats-interval 1s
db_write_lock lock

rss0=$(kib VmRSS)
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count "$N" --conns 1 --host-prefix spill \
	2>"$T/send.log" || fail "twsend: $(cat "$T/send.log")"
got=0
for _ in $(seq 1 300); do
	got=$(metric tunnelwatch_received_total || echo 0)
	[ "${got:-0}" -ge "$N" ] && break
	sleep 0.05
done
eq "$got" "$N" "every line read while the writer is locked out"
sleep 0.3
hwm=$(kib VmHWM)
sb=$(metric tunnelwatch_spool_bytes)
qm=$(metric tunnelwatch_queue_messages)
echo "note: RSS before $rss0 KiB, peak $hwm KiB; spool $sb bytes; queue_messages $qm"
[ "${sb:-0}" -gt 40000000 ] || fail "the spool should hold the lines: $sb bytes"
[ "${qm:-0}" -ge $((N - 10000)) ] || fail "queue_messages counts the spilled lines: $qm"
[ $((hwm - rss0)) -lt 24576 ] ||
	fail "peak RSS grew by $((hwm - rss0)) KiB: the backlog is held in memory"

db_write_unlock
wait_rows_long() {
	local i got=0
	for i in $(seq 1 600); do
		got=$(qt "SELECT count(*) FROM messages WHERE $SEQ" 2>/dev/null || echo 0)
		[ "$got" -ge "$N" ] && return 0
		sleep 0.1
	done
	fail "expected $N rows, have $got"
}
wait_rows_long
tw_stop
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ")" "$N" "every line stored"
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE $SEQ")" "$N" "each once"
# In sending order: the message ids rise with the sequence numbers.
out=$(qt "SELECT count(*) FROM (SELECT message_id,
             CAST(substr(raw, instr(raw, 'seq=') + 4) AS INTEGER) AS s,
             lag(CAST(substr(raw, instr(raw, 'seq=') + 4) AS INTEGER))
               OVER (ORDER BY message_id) AS p
           FROM messages WHERE $SEQ) WHERE p IS NOT NULL AND s <> p + 1")
eq "$out" "0" "stored in the order sent"
rb=$(counter spool_read_back)
[ "${rb:-0}" -gt $((N / 2)) ] || fail "spool_read_back $rb: the backlog did not wait in the spool"
eq "$(counter spool_read_errors)" "0" "spool_read_errors"
eq "$(ls "$DB.spool" | grep -c '^seg-' || true)" "0" "segments deleted once committed"
ok "a backlog of $N lines waited in the spool (read back $rb), RSS +$((hwm - rss0)) KiB; all stored once, in order"

# ---- a stop with a backlog in the spool ------------------------------------
rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.spool"
tw_start --http 127.0.0.1:0 --queue-max-bytes 1M --queue-max-messages 5000
db_write_lock lock2
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count "$N" --conns 1 --host-prefix stop \
	2>"$T/send.log" || fail "twsend: $(cat "$T/send.log")"
for _ in $(seq 1 300); do
	got=$(metric tunnelwatch_received_total || echo 0)
	[ "${got:-0}" -ge "$N" ] && break
	sleep 0.05
done
eq "$got" "$N" "every line read"
sleep 0.3
db_write_unlock
SECONDS=0
tw_stop
took=$SECONDS
grep -q "shutdown: [0-9]* messages wait in the spool" "$T/serve.log" ||
	fail "the backlog left in the spool is not logged"
at_stop=$(qt "SELECT count(*) FROM messages WHERE $SEQ")
echo "note: stopped in ${took} s with $at_stop of $N stored"
[ "$at_stop" -lt "$N" ] || fail "the whole backlog was worked off before the stop"
tw_start
wait_rows_long
tw_stop
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ")" "$N" "every line stored after the restart"
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE $SEQ")" "$N" "each once"
[ "$(counter spool_replayed)" -gt 0 ] || fail "nothing replayed"
ok "a stop with a backlog in the spool took ${took} s ($at_stop of $N stored); the next start stored the rest, each line once"
