#!/usr/bin/env bash
# Spool (issue #17 item 1): bounded by spool_max_bytes.  With a tiny spool
# and the writer locked out of the database, the spool fills: TCP senders
# are paused (backpressure: the sender blocks, nothing is lost), UDP
# datagrams are dropped and counted (dropped_spool_full), the segment
# files stay within the bound (one chunk past it at most), and once the
# lock goes everything drains: every TCP line stored once, every UDP
# datagram stored or counted.
. "$(dirname "$0")/lib.sh"

qt() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }
MAX=$((256 * 1024))

echo '{ "spool_max_bytes": "256K" }' >"$T/spool.json"
tw_start --config "$T/spool.json"
# One collector per spool: another database given the same spool_dir is refused.
printf '{ "spool_dir": "%s" }\n' "$DB.spool" >"$T/other.json"
rc=0
timeout 20 "$TW_BIN" serve --db "$T/other.db" --udp 127.0.0.1:0 --config "$T/other.json" \
	>"$T/other.log" 2>&1 || rc=$?
eq "$rc" "1" "a second collector on the same spool"
grep -q "spool: .* is in use by tunnelwatch serve" "$T/other.log" ||
	fail "no clear error: $(cat "$T/other.log")"
ok "a second collector on the same spool_dir is refused"

mkfifo "$T/lock.fifo"
sqlite3 -batch -bail -noheader -cmd ".timeout 10000" "$DB" <"$T/lock.fifo" >"$T/locker.out" 2>&1 &
HOLD_PID=$!
exec 9>"$T/lock.fifo"
printf "BEGIN IMMEDIATE;\nSELECT 'locked';\n" >&9
for _ in $(seq 1 50); do grep -q locked "$T/locker.out" 2>/dev/null && break; sleep 0.1; done
grep -q locked "$T/locker.out" || fail "could not lock the database"

"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 150000 --conns 1 --host-prefix tcpfull \
	2>"$T/send.log" &
SEND_PID=$!
sleep 1
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count 2000 --rate 1000 --host-prefix udpfull \
	2>/dev/null
kill -0 "$SEND_PID" 2>/dev/null || fail "the TCP sender finished: no backpressure"
kill -0 "$TW_PID" 2>/dev/null || fail "collector died"
used=$(find "$DB.spool" -name 'seg-*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
[ "$used" -ge $((MAX - 70000)) ] || fail "the spool did not fill: $used bytes"
[ "$used" -le $((MAX + 65536 + 32 + 4096)) ] || fail "spool past its bound: $used bytes > $MAX + one chunk"
ok "spool full at $used bytes (bound $MAX): TCP sender blocked"

echo "ROLLBACK;" >&9
exec 9>&-
wait "$HOLD_PID" 2>/dev/null || true
wait "$SEND_PID" || fail "TCP sender failed: $(cat "$T/send.log")"
SEND_PID=
for _ in $(seq 1 400); do     # up to 40 s: 256 KiB in flight at a time
	[ "$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%tcpfull%'")" -ge 150000 ] && break
	sleep 0.1
done
sleep 0.5
tw_stop

eq "$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%tcpfull%'")" "150000" "every TCP line"
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE raw LIKE '%tcpfull%'")" "150000" "each once"
udp=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%udpfull%'")
dsf=$(counter dropped_spool_full)
dq=$(counter dropped_queue_full)
dk=$(counter dropped_kernel)
[ "$dsf" -gt 0 ] || fail "no UDP datagram counted in dropped_spool_full"
eq "$((udp + dsf + dq + dk))" "2000" "UDP: stored $udp + dropped_spool_full $dsf + queue $dq + kernel $dk"
[ "$(counter tcp_paused_backpressure)" -gt 0 ] || fail "tcp_paused_backpressure is 0"
eq "$(ls "$DB.spool" | grep -c '^seg-' || true)" "0" "spool empty once all is committed"
ok "TCP: 150000 stored once after backpressure; UDP: $udp stored + $dsf dropped_spool_full (+ $dq queue, $dk kernel) = 2000"
