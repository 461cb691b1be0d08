#!/usr/bin/env bash
# Spool (issue #17 item 1, docs/operations.md "Durability"): after kill -9,
# every line the collector read from a socket is stored after the restart,
# exactly once.
#
# 1. Deterministic: the database is write-locked by another process, so
#    the writer commits nothing; 30,000 numbered lines are sent over TCP
#    and the collector reports (GET /metrics) that it read all of them;
#    kill -9; the lock goes; the restart replays the spool: all 30,000
#    stored, each once, and the spool is empty after a clean stop.
#    Without the spool nothing of it would be stored.
# 2. Full speed: one TCP connection unpaced, kill -9 mid-burst while the
#    writer is behind.  Lines on one connection are read in order, so what
#    is stored must be seq 0..N-1 with no gap and no duplicate, and N must
#    be at least what /metrics said was read just before the kill.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (bash deploy/build.sh --test)"

SEQ="raw LIKE '%seq=%'"
qt() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }
url() { sed -n 's|.*web view and /metrics on \(http://[^ ]*/\) .*|\1|p' "$T/serve.log"; }
received() {
	curl -sf "$(url)metrics" | awk '$1 == "tunnelwatch_received_total" { print $2 }'
}
seqmax() { qt "SELECT coalesce(max(CAST(substr(raw, instr(raw, 'seq=') + 4) AS INTEGER)), -1) FROM messages WHERE $SEQ AND raw LIKE '%$1%'"; }

# ---- 1: writer locked out, all read, kill -9 -------------------------------
tw_start --http 127.0.0.1:0
mkfifo "$T/lock.fifo"
sqlite3 -batch -bail -noheader -cmd ".timeout 10000" "$DB" <"$T/lock.fifo" >"$T/locker.out" 2>&1 &
HOLD_PID=$!
exec 9>"$T/lock.fifo"
printf "BEGIN IMMEDIATE;\nSELECT 'locked';\n" >&9
for _ in $(seq 1 50); do grep -q locked "$T/locker.out" 2>/dev/null && break; sleep 0.1; done
grep -q locked "$T/locker.out" || fail "could not lock the database"
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 30000 --conns 1 --host-prefix lockd 2>/dev/null
got=0
for _ in $(seq 1 200); do
	got=$(received || echo 0)
	[ "${got:-0}" -ge 30000 ] && break
	sleep 0.05
done
eq "$got" "30000" "lines read from the socket before the kill"
sleep 0.2        # the round that read the last ones has ended
sb=$(curl -sf "$(url)metrics" | awk '$1 == "tunnelwatch_spool_bytes" { print $2 }')
[ "${sb:-0}" -gt 1000000 ] || fail "/metrics tunnelwatch_spool_bytes: '$sb'"
[ -n "$(ls "$DB.spool" 2>/dev/null)" ] || fail "no spool segment in $DB.spool"
eq "$(stat -c %a "$DB.spool")" "750" "spool directory mode"
kill -KILL "$TW_PID"
wait "$TW_PID" 2>/dev/null || true
TW_PID=
echo "ROLLBACK;" >&9
exec 9>&-
wait "$HOLD_PID" 2>/dev/null || true
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ")" "0" "nothing committed before the kill"

tw_start
wait_rows 30000 "SELECT count(*) FROM messages WHERE $SEQ"
tw_stop
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ")" "30000" "every line read is stored"
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE $SEQ")" "30000" "each once"
eq "$(counter spool_replayed)" "30000" "spool_replayed"
eq "$(ls "$DB.spool" | grep -c '^seg-' || true)" "0" "segments deleted once committed"
# The original receive time and transport are kept.
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ AND transport <> 2")" "0" "transport kept"
ok "writer locked out: 30,000 lines read, kill -9, all 30,000 stored once after restart"

# ---- 2: full speed, kill -9 mid-burst --------------------------------------
tw_start --http 127.0.0.1:0
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 1500000 --conns 1 --host-prefix burst \
	2>/dev/null &
SEND_PID=$!
sleep 1.5
read_before=$(received)
sleep 0.2
kill -0 "$TW_PID" 2>/dev/null || fail "collector died under load"
committed=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%burst%'")
kill -KILL "$TW_PID"
wait "$TW_PID" 2>/dev/null || true
TW_PID=
wait "$SEND_PID" 2>/dev/null || true
[ "$read_before" -gt 0 ] || fail "nothing read"

tw_start
prev=-1
for _ in $(seq 1 600); do
	n=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%burst%'")
	[ "$n" = "$prev" ] && [ "$n" -ge "$read_before" ] && break
	prev=$n
	sleep 0.25
done
tw_stop
n=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%burst%'")
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE raw LIKE '%burst%'")" "$n" \
	"burst: each line once"
eq "$(seqmax burst)" "$((n - 1))" "burst: seq 0..N-1, no gap"
[ "$n" -ge "$read_before" ] ||
	fail "burst: /metrics said $read_before lines were read before the kill, $n stored"
ok "full speed: kill -9 with $committed committed and >= $read_before read; $n stored after restart, 0..$((n - 1)) once each (replayed $(counter spool_replayed))"
