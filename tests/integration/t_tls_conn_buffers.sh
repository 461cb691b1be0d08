#!/usr/bin/env bash
# tls_conn_buffers (issue #17 item 7, TLS): the plain TCP connections'
# read buffers share one budget (queue_max_bytes, t_fault_conn_buffers),
# but a TLS connection's were outside it: each could hold max_frame of
# plaintext plus what OpenSSL had not decrypted yet.  Now a TLS
# connection's plaintext buffer and the bytes OpenSSL holds count against
# the same budget, and it pauses the same way (tcp_paused_buffers).
# Here 60 TLS connections each send 900 KB without LF under max_frame 1M
# and queue_max_bytes 8M: RSS grows by far less than the 54 MB they hold,
# and when each ends its line every line is stored.
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v openssl >/dev/null || { echo "skip: openssl missing"; exit 77; }

rss_kb() { awk '/^VmRSS:/ {print $2}' /proc/"$TW_PID"/status; }
# Under ASan, freed memory waits in a quarantine (256 MB), and OpenSSL
# frees and takes its record buffers again for every record
# (SSL_MODE_RELEASE_BUFFERS): RSS would measure the quarantine (+54 MiB).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"

tls_ca ca
tls_cert ca srv collector "DNS:localhost,IP:127.0.0.1"
TP=$(tls_port)
tw_start --max-frame 1M --queue-max-bytes 8M --tcp-max-conns-per-ip 1000 \
	--tls "127.0.0.1:$TP" --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" \
	--tls-ca "$T/ca.pem" --tls-client-auth optional
sleep 0.3
BEFORE=$(rss_kb)
python3 - "$TP" "$TW_PID" "$T/ca.pem" >client.out 2>&1 <<'PY' || fail "client: $(cat client.out)"
import socket, ssl, sys, time
port, pid, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context(cafile=ca)
def rss():
    for l in open("/proc/%s/status" % pid):
        if l.startswith("VmRSS:"):
            return int(l.split()[1])
def pump(socks, deadline):
    # Round robin, never blocking on one connection (independent devices).
    while time.time() < deadline and any(len(d) for _, d in socks):
        for e in socks:
            if e[1]:
                try:
                    n = e[0].send(e[1][:16384]); e[1] = e[1][n:]
                except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                    pass
        yield
socks = []
body = b"x" * (900 * 1024)
for i in range(60):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)),
                        server_hostname="127.0.0.1")
    s.setblocking(False)
    socks.append([s, b"<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] conn %02d " % i + body])
peak = 0
for _ in pump(socks, time.time() + 8):
    peak = max(peak, rss())
    time.sleep(0.01)
time.sleep(1)
peak = max(peak, rss())
print("peak", peak)
for e in socks:
    e[1] += b"\n"
for _ in pump(socks, time.time() + 30):
    time.sleep(0.005)
left = sum(len(d) for _, d in socks)
print("unsent", left)
time.sleep(1)
for s, d in socks:
    s.close()
PY
PEAK=$(awk '/^peak/ {print $2}' client.out)
GROWTH=$(( (PEAK - BEFORE) / 1024 ))
echo "RSS before ${BEFORE} KiB, peak ${PEAK} KiB: +${GROWTH} MiB with 60 x 900 KB partial frames over TLS"
[ "$GROWTH" -lt 30 ] || fail "RSS grew by $GROWTH MiB: the TLS connections' buffers are not bounded by queue_max_bytes (8M)"
ok "partial frames of many TLS connections stay within the budget"
wait_rows 60 "SELECT count(*) FROM messages WHERE raw LIKE '%IKE] conn %'"
tw_stop
[ "$(counter tcp_paused_buffers)" -gt 0 ] || fail "tcp_paused_buffers not counted"
eq "$(q "SELECT count(*) FROM messages WHERE raw LIKE '%IKE] conn %'")" "60" "every line stored"
eq "$(counter received_tls)" "60" "received_tls"
ok "every TLS connection's line stored once it ended"
