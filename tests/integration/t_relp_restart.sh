#!/usr/bin/env bash
# RELP after a restart (docs/operations.md, "RELP", "Nothing twice"): lines
# the collector took and committed but never acknowledged are resent by
# omrelp to the next collector, which recognises them from the RELP lines
# stored last and drops them.  The acknowledgements are stalled (the
# writer locked out, the spool full) until omrelp gives the session up;
# the collector is stopped (SIGTERM) while the stall holds, commits what
# it took when the lock goes, and a new collector on the same port gets
# omrelp's resends: relp_duplicates > 0 there, every line stored once.
. "$(dirname "$0")/lib.sh"
RELP_OPTS='timeout="2" conn.timeout="2"'
. "$(dirname "$0")/relp_lib.sh"

N=2000
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
	sleep 6
	echo "COMMIT;"
} | sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" >"$T/locker.out" 2>&1 &
HOLD_PID=$!
for _ in $(seq 1 50); do grep -q locked "$T/locker.out" && break; sleep 0.1; done
grep -q locked "$T/locker.out" || fail "could not lock the writer out: $(cat "$T/locker.out")"
"$TW_SEND" --tcp "127.0.0.1:$RSP" --count "$N" --rate 1000 >/dev/null 2>&1 ||
	fail "twsend to rsyslog"
sleep 1
grep -q "relp: spool full" "$T/serve.log" || fail "the spool did not fill"
tw_stop                 # waits for the frame being taken: the lock goes first
wait "$HOLD_PID" || true
HOLD_PID=
first=$(q "SELECT count(*) FROM messages")
[ "$first" -gt 0 ] || fail "nothing taken before the stop"
mv "$T/serve.log" "$T/serve1.log"
tw_start --relp "127.0.0.1:$RP" --stats-interval 1s
wait_seqs "$N" 30 || fail "after the restart: $(dist) of $N lines stored"
sleep 1.5
stop_relay
tw_stop
echo "note: $first lines taken before the stop, then omrelp resent"
eq "$(q "SELECT count(*) FROM messages")" "$N" "every line stored once"
eq "$(dist)" "$N" "every numbered line"
dups=$(counter relp_duplicates)
[ "$dups" -gt 0 ] || fail "no resend was recognised after the restart (relp_duplicates $dups)"
ok "restart: $dups resends of lines taken by the last run dropped, every line once"
