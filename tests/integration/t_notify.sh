#!/usr/bin/env bash
# systemd integration (issue #15 item 4, Type=notify): serve speaks the
# sd_notify protocol on $NOTIFY_SOCKET, as systemd would see it: READY=1
# once it listens and stores, WATCHDOG=1 about every third of WATCHDOG_USEC
# while healthy, STOPPING=1 on SIGTERM.  The pings stop while the writer
# is stuck (another connection holds the write lock longer than half the
# watchdog interval) and come back when it is released.  The receiver is a
# small Python datagram socket that stamps each message.
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }
cd "$T"

SOCK=$T/notify.sock
python3 - "$SOCK" >notify.log <<'EOF2' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1.0)
t0 = time.monotonic()
while time.monotonic() - t0 < 90:          # bounded: the test takes ~15 s
    try:
        data = s.recv(4096).decode(errors="replace")
    except socket.timeout:
        continue
    for line in data.split("\n"):
        print(f"{time.monotonic() - t0:.3f} {line}", flush=True)
EOF2
for i in $(seq 1 100); do [ -S "$SOCK" ] && break; sleep 0.05; done
[ -S "$SOCK" ] || fail "notify receiver did not start"

NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=2000000 tw_start
for i in $(seq 1 100); do grep -q " READY=1$" notify.log && break; sleep 0.05; done
grep -q " READY=1$" notify.log || { cat notify.log; fail "no READY=1"; }
grep -q " STATUS=storing in $DB" notify.log || { cat notify.log; fail "no STATUS"; }
grep -q "watchdog: pinging systemd every 666 ms" "$T/serve.log" || fail "watchdog interval not logged"
sleep 2.5
n=$(grep -c " WATCHDOG=1$" notify.log || true)
[ "$n" -ge 2 ] || { cat notify.log; fail "only $n watchdog pings in 2.5 s"; }
ok "READY=1 with STATUS, then $n WATCHDOG=1 pings"

# The writer stuck: a write transaction held for 6 s (its busy timeout is 5 s)
# while lines arrive.  No ping for longer than half the watchdog interval.
hold_start=$(awk 'END { print $1 }' notify.log)
{ echo "BEGIN IMMEDIATE;"; sleep 6; echo "COMMIT;"; } | sqlite3 "$DB" &
HOLD=$!
sleep 0.3
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 50 --host-prefix stuck 2>/dev/null
wait "$HOLD"
wait_rows 50
sleep 2
python3 - notify.log <<'EOF2' || { cat notify.log; fail "watchdog pings went on while the writer was stuck"; }
import sys
t = [float(l.split()[0]) for l in open(sys.argv[1]) if l.rstrip().endswith("WATCHDOG=1")]
gaps = [b - a for a, b in zip(t, t[1:])]
big = max(gaps)
print(f"  longest gap between pings: {big:.1f} s; pings after it: {len([x for x in t if x > t[gaps.index(big)] + big])}")
sys.exit(0 if big >= 2.0 and t[-1] > t[gaps.index(big) + 1] else 1)
EOF2
grep -q "watchdog: the writer has shown no sign of life" "$T/serve.log" || fail "stuck writer not logged"
ok "no WATCHDOG=1 while the writer is stuck; pings again once it is free"

tw_stop
sleep 0.3
grep -q " STOPPING=1$" notify.log || { cat notify.log; fail "no STOPPING=1"; }
ok "STOPPING=1 on SIGTERM"
