#!/usr/bin/env bash
# shutdown_kernel_buffers (issue #17 item 6): SIGTERM under overload
# closed sockets with lines the kernel had already acknowledged still in
# their receive buffers; they were lost and the summary said "dropped 0"
# (one per connection at most).  Now shutdown reads every socket until the
# read would block and queues what it can; whatever cannot be queued is
# counted line by line in dropped_shutdown.
#
# The overload: another process holds the database's write lock, so the
# writer waits, the queue and the spool fill, the connection pauses and the kernel's
# buffers fill.  The sender counts the lines the collector's kernel
# acknowledged (sent minus SIOCOUTQ); every one of them must be stored or
# counted.
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }

# A small spool too: past the hand-off, lines wait there until it is full.
echo '{ "spool_max_bytes": "256K" }' >"$T/spool.json"
tw_start --queue-max-bytes 256K --shutdown-grace 200ms --config "$T/spool.json"
# The write lock, held until released by removing $T/hold.
touch hold
{
	echo "BEGIN IMMEDIATE;"
	echo "SELECT 'locked';"
	while [ -e "$T/hold" ]; do sleep 0.1; done
	echo "COMMIT;"
} | sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" >lock.out 2>&1 &
for _ in $(seq 1 50); do grep -q locked lock.out && break; sleep 0.1; done
grep -q locked lock.out || fail "could not take the write lock: $(cat lock.out)"

cat >sender.py <<'PY'
import fcntl, socket, struct, sys, termios, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.setblocking(False)
line = lambda i: b"<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] shutdown line %08d\n" % i
data = b"".join(line(i) for i in range(40000))
sent, idle = 0, 0.0
while sent < len(data) and idle < 1.5:
    try:
        sent += s.send(data[sent:sent + 65536]); idle = 0.0
    except BlockingIOError:
        time.sleep(0.05); idle += 0.05
time.sleep(0.3)
outq = struct.unpack("i", fcntl.ioctl(s, termios.TIOCOUTQ, b"\0" * 4))[0]
acked = sent - outq
print(data[:acked].count(b"\n"))
sys.stdout.flush()
time.sleep(30)      # keep the connection open: the collector closes it
PY
python3 sender.py "$TW_PORT" >sent.txt &
SENDER=$!
for _ in $(seq 1 100); do [ -s sent.txt ] && break; sleep 0.1; done
ACKED=$(cat sent.txt)
[ -n "$ACKED" ] && [ "$ACKED" -gt 3000 ] || fail "too few lines acknowledged: '$ACKED'"

kill -TERM "$TW_PID"
for _ in $(seq 1 100); do grep -q "closing .* connection" "$T/serve.log" && break; sleep 0.1; done
rm -f hold
rc=0
wait "$TW_PID" || rc=$?
TW_PID=
kill "$SENDER" 2>/dev/null || true
eq "$rc" "0" "exit status"
STORED=$(q "SELECT count(*) FROM messages WHERE raw LIKE '%shutdown line%'")
DROPPED=$(counter dropped_shutdown)
echo "acknowledged $ACKED, stored $STORED, dropped_shutdown $DROPPED"
[ $((STORED + DROPPED)) -ge "$ACKED" ] ||
	fail "lines the kernel acknowledged went uncounted: $ACKED acknowledged, $STORED stored, $DROPPED counted dropped"
grep -q "dropped $DROPPED " "$T/serve.log" || grep -q "shutdown $DROPPED)" "$T/serve.log" ||
	fail "the stopped: line does not say it: $(grep stopped: "$T/serve.log")"
ok "SIGTERM under overload: every acknowledged line stored or counted"
