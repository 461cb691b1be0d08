#!/usr/bin/env bash
# Fault: the disk holding the database fills up.  The database lives on a
# small tmpfs (8 MiB) that a filler file has nearly filled; TCP senders keep
# sending until SQLite says SQLITE_FULL.  Then: a clear error in the log,
# the collector stays alive, db_full_retries counts the retries, TCP
# connections are paused (backpressure: the queue is full, reads stop, the
# bytes wait in the kernel's socket buffers and TCP flow control holds the
# senders) rather than anything being dropped, and once the filler is
# removed every message sent ends up stored, exactly once.  UDP, which
# cannot be paused, is dropped while the queue is full, and counted.
# Needs mount(8) with tmpfs: skipped (77) where that is not permitted,
# except under CI=true where it must run.
. "$(dirname "$0")/lib.sh"

MNT=$T/mnt
MOUNTED=
SEND_PID=
fault_cleanup() {
	tw_kill_all     # nothing may hold the tmpfs open when it is unmounted
	if [ -n "$MOUNTED" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	fi
	tw_cleanup
}
trap fault_cleanup EXIT

mkdir -p "$MNT"
if ! mount -t tmpfs -o size=8m,mode=0700 tmpfs "$MNT" 2>"$T/mount.err"; then
	reason="cannot mount a tmpfs: $(cat "$T/mount.err")"
	[ "${CI:-}" = "true" ] && fail "$reason (required under CI)"
	echo "skip: $reason"
	exit 77
fi
MOUNTED=1
DB=$MNT/tw.db

free_kb() { df -Pk "$MNT" | awk 'NR == 2 { print $4 }'; }

# A small queue, so that backpressure reaches the senders quickly.
tw_start --queue-max-bytes 1M --queue-max-messages 500 --stats-interval 1s \
	--batch-rows 500
# Leave about 512 KiB: the schema is there, a few batches fit, then no more.
# The database may still be growing (its first checkpoint) while dd
# writes: a filler cut short by a full disk is the same scenario.
dd if=/dev/zero of="$MNT/filler" bs=1k count=$(( $(free_kb) - 512 )) status=none 2>/dev/null ||
	[ -s "$MNT/filler" ] || fail "could not write the filler"
N=8000
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count "$N" --conns 4 2>"$T/send.log" &
SEND_PID=$!

# Until the writer reports the disk full (the checkpointer may say so
# first, on its own line: wait for the writer's).
full_msg="sqlite: cannot store [0-9]* rows: database or disk is full; keeping them queued and retrying"
for _ in $(seq 1 300); do
	grep -q "$full_msg" "$T/serve.log" && break
	sleep 0.1
done
grep -q "$full_msg" "$T/serve.log" || fail "no clear disk-full error in the log"
ok "disk full reported: $(grep -m1 'disk is full' "$T/serve.log" | sed 's/^.*sqlite:/sqlite:/')"

# Held up, not dropping: the collector lives on and has stopped reading
# its TCP connections, so what the senders still send waits in the
# kernel's socket buffers (Recv-Q) — TCP flow control does the rest.
recvq() {
	ss -Htn state established "( sport = :$TW_PORT )" | awk '{ s += $1 } END { print s + 0 }'
}
sleep 2
q1=$(recvq)
sleep 1
q2=$(recvq)
kill -0 "$TW_PID" 2>/dev/null || fail "collector died on a full disk"
[ "$q1" -gt 0 ] && [ "$q1" = "$q2" ] ||
	fail "tcp reads not paused on a full disk (Recv-Q $q1, then $q2)"
stuck=$(sqlite3 -batch -noheader "$DB" "SELECT count(*) FROM messages" 2>/dev/null || echo "?")
ok "after 3 s on a full disk: collector alive, reads paused ($q2 bytes waiting in Recv-Q), $stuck rows stored"

# UDP cannot be paused: with the queue full, datagrams are dropped, counted.
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count 200 --host-prefix udp 2>/dev/null

# Space comes back: everything arrives.
rm -f "$MNT/filler"
wait "$SEND_PID" || fail "sender failed"
SEND_PID=
for _ in $(seq 1 400); do
	got=$(q "SELECT count(*) FROM messages" 2>/dev/null || echo 0)
	[ "$got" -ge "$N" ] && break
	sleep 0.1
done
tw_stop
tcp_rows=$(q "SELECT count(*) FROM v_messages WHERE transport = 'tcp'")
udp_rows=$(q "SELECT count(*) FROM v_messages WHERE transport = 'udp'")
eq "$tcp_rows" "$N" "every tcp message stored once space returned"
eq "$(q "SELECT count(DISTINCT raw) FROM v_messages WHERE transport = 'tcp'")" "$N" \
	"each exactly once"
udp_dropped=$(counter dropped_queue_full)
eq "$((udp_rows + udp_dropped))" "200" "udp: stored + dropped_queue_full = sent"
[ "$udp_dropped" -gt 0 ] || fail "no udp drop counted while the queue was full"
eq "$(q "PRAGMA integrity_check")" "ok" "integrity_check"
retries=$(counter db_full_retries)
paused=$(counter tcp_paused_backpressure)
[ "${retries:-0}" -ge 1 ] || fail "db_full_retries not counted"
[ "${paused:-0}" -ge 1 ] || fail "tcp_paused_backpressure not counted"
eq "$(counter dropped_shutdown)" "0" "nothing given up at shutdown"
grep -q "stopped: received $((N + udp_rows)), stored $((N + udp_rows))" "$T/serve.log" ||
	fail "summary line"
grep -q "udp 127.0.0.1:$TW_PORT: queue full, dropping datagrams" "$T/serve.log" ||
	fail "udp drops logged"
ok "disk full: $retries db_full_retries, $paused tcp pauses, tcp $N of $N stored after space returned; udp $udp_dropped of 200 dropped and counted"
