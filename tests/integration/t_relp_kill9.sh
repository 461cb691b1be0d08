#!/usr/bin/env bash
# RELP's promise under faults (docs/operations.md, "RELP"): numbered lines
# go through a real rsyslog relay (imtcp in, omrelp out) into `serve
# --relp`, and at the end every line is stored exactly once.
#
# 1. Acknowledgements stall: the writer is locked out (a write transaction
#    held elsewhere), the queue fills, the callback waits; omrelp times
#    out, reconnects and sends again what it has not seen acknowledged —
#    some of it already taken.  Those resends are dropped and counted
#    (relp_duplicates > 0); nothing is stored twice, nothing lost.
# 2. kill -9 of the collector mid-stream, restarted on the same port:
#    omrelp resends what was not acknowledged; nothing twice, and nothing
#    lost: an acknowledged line was in the disk spool, replayed at start.
. "$(dirname "$0")/lib.sh"
RELP_OPTS='timeout="2" conn.timeout="2"'
. "$(dirname "$0")/relp_lib.sh"

# 1. Acknowledgements stall, omrelp gives the session up and resends.
N=3000
RP=$(tls_port)
# Acknowledgements wait only once the spool is full: a small one, and a
# small hand-off in memory.
echo '{ "spool_max_bytes": "256K" }' >"$T/spool.json"
tw_start --relp "127.0.0.1:$RP" --queue-max-messages 50 --stats-interval 1s \
	--config "$T/spool.json"
relay "$RP"
{
	echo "BEGIN IMMEDIATE;"
	echo "SELECT 'locked';"
	sleep 7
	echo "COMMIT;"
} | sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" >"$T/locker.out" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 50); do grep -q locked "$T/locker.out" && break; sleep 0.1; done
grep -q locked "$T/locker.out" || fail "could not lock the writer out: $(cat "$T/locker.out")"
"$TW_SEND" --tcp "127.0.0.1:$RSP" --count "$N" --rate 1000 >/dev/null 2>&1 ||
	fail "twsend to rsyslog"
wait "$HOLD_PID" || true
HOLD_PID=
SECONDS=0
wait_seqs "$N" 30 || fail "stall: $(dist) of $N lines stored"
echo "note: stall: all stored $SECONDS s after the lock was let go"
sleep 1.5
stop_relay
tw_stop
eq "$(q "SELECT count(*) FROM messages")" "$N" "stall: every line stored once"
eq "$(dist)" "$N" "stall: every numbered line"
dups=$(counter relp_duplicates)
[ "$dups" -gt 0 ] || fail "stall: no resend was dropped (relp_duplicates $dups, sessions \
$(counter relp_sessions)); omrelp did not give the session up?"
ok "acknowledgements stalled: omrelp resent, $dups resends dropped, every line once"

# 2. kill -9 mid-stream, restart on the same port.
rm -rf "$DB"*
N=12000
RP=$(tls_port)
tw_start --relp "127.0.0.1:$RP" --stats-interval 1s
relay "$RP"
"$TW_SEND" --tcp "127.0.0.1:$RSP" --count "$N" --rate 3000 >/dev/null 2>&1 &
SEND_PID=$!
sleep 1.5
kill -KILL "$TW_PID"
wait "$TW_PID" 2>/dev/null || true
TW_PID=
before=$(q "SELECT count(*) FROM messages")
sleep 0.5
tw_start --relp "127.0.0.1:$RP" --stats-interval 1s
wait "$SEND_PID" || fail "twsend to rsyslog"
wait_seqs "$N" 40 || true
sleep 1.5
stop_relay
tw_stop
total=$(q "SELECT count(*) FROM messages")
got=$(dist)
echo "note: kill -9 with $before lines stored; at the end $total rows, $got distinct of $N"
[ "$before" -gt 0 ] && [ "$before" -lt "$N" ] || fail "the kill did not come mid-stream"
eq "$total" "$got" "kill -9: no line stored twice"
eq "$got" "$N" "kill -9: every line stored (acknowledged once in the spool)"
ok "kill -9 mid-stream: omrelp resent, nothing twice, nothing lost"
