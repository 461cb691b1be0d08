#!/usr/bin/env bash
# conn_buffers_unbounded (issue #17 item 7): each TCP connection's read
# buffer grew to max_frame outside queue_max_bytes, so N connections each
# holding a partial frame took N x max_frame (300 x 4 MB without LF: RSS
# 1.18 GB).  Now the buffers share one budget (queue_max_bytes): a
# connection that would go beyond waits (tcp_paused_buffers) until others
# free theirs.  Here 60 connections each send 900 KB without LF under
# max_frame 1M and queue_max_bytes 8M: RSS grows by far less than the
# 54 MB they hold, and when each ends its line every line is stored.
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }

rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$TW_PID"/status; }

tw_start --max-frame 1M --queue-max-bytes 8M --tcp-max-conns-per-ip 1000
sleep 0.3
BEFORE=$(rss_kb)
python3 - "$TW_PORT" "$TW_PID" >client.out <<'PY' || fail "client: $(cat client.out)"
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def rss():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
socks = []
body = b"x" * (900 * 1024)
for i in range(60):
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    socks.append([s, b"<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] conn %02d " % i + body])
deadline = time.time() + 8
peak = 0
while time.time() < deadline and any(len(d) for _, d in socks):
    for e in socks:
        if e[1]:
            try:
                n = e[0].send(e[1][:65536]); e[1] = e[1][n:]
            except BlockingIOError:
                pass
    peak = max(peak, rss())
    time.sleep(0.01)
time.sleep(1)
peak = max(peak, rss())
print("peak", peak)
# Each sender ends its line on its own (round robin, never blocking on
# one connection as independent devices would not).
for e in socks:
    e[1] += b"\n"
deadline = time.time() + 20
while time.time() < deadline and any(len(d) for _, d in socks):
    for e in socks:
        if e[1]:
            try:
                n = e[0].send(e[1][:65536]); e[1] = e[1][n:]
            except BlockingIOError:
                pass
    time.sleep(0.005)
for s, d in socks:
    s.close()
PY
PEAK=$(awk '/^peak/ {print $2}' client.out)
GROWTH=$(( (PEAK - BEFORE) / 1024 ))
echo "RSS before ${BEFORE} KiB, peak ${PEAK} KiB: +${GROWTH} MiB with 60 x 900 KB partial frames"
[ "$GROWTH" -lt 30 ] || fail "RSS grew by $GROWTH MiB: the connections' buffers are not bounded by queue_max_bytes (8M)"
ok "partial frames of many connections stay within the budget"
wait_rows 60 "SELECT count(*) FROM messages WHERE raw LIKE '%IKE] conn %'"
tw_stop
[ "$(counter tcp_paused_buffers)" -gt 0 ] || fail "tcp_paused_buffers not counted"
eq "$(q "SELECT count(*) FROM messages WHERE raw LIKE '%IKE] conn %'")" "60" "every line stored"
ok "every connection's line stored once it ended"
