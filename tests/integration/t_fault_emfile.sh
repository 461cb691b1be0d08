#!/usr/bin/env bash
# fault_emfile (issue #17 item 5): out of descriptors, libuv's accept took
# each waiting connection and closed it at once ("EMFILE trick") with no
# callback: the connections vanished uncounted (363 of 600 with a
# 256-descriptor limit).  Now the listener keeps a spare descriptor,
# accepts and closes with it, and counts tcp_accept_emfile.
#
# serve raises its limit for tcp_max_conns at start (t_fault_fd_limit), so
# here the limit is lowered under the running collector (prlimit): only a
# few descriptors are left, 80 connections arrive, each sends a line.  The
# client tells which were closed on it; that must be tcp_accept_emfile, the
# others accepted and their lines stored.  After the flood a new
# connection's lines are stored: the collector keeps serving.
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v prlimit >/dev/null || { echo "skip: prlimit missing"; exit 77; }

N=80
tw_start --tcp-max-conns-per-ip 100000
sleep 0.3       # the writer and the checkpointer have opened their files
# Room for 10 connections: the limit where 10 descriptor numbers below it
# are free.
read -r OPEN LIM < <(python3 -c '
import os, sys
fds = set(int(f) for f in os.listdir("/proc/%s/fd" % sys.argv[1]))
lim, free = 0, 0
while free < 10:
    free += lim not in fds
    lim += 1
print(len(fds), lim)' "$TW_PID")
prlimit --pid "$TW_PID" --nofile=$LIM:$LIM || fail "prlimit"
echo "collector: $OPEN descriptors open, limit now $LIM"

python3 - "$TW_PORT" "$N" >client.txt <<'PY' || fail "the client"
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] emfile conn %d\n" % i)
    socks.append(s)
time.sleep(2)
closed = 0
for s in socks:
    s.settimeout(0.05)
    try:
        closed += s.recv(1) == b""
    except socket.timeout:
        pass                    # still open: accepted and served
    except ConnectionError:
        closed += 1
print(closed)
for s in socks:
    s.close()
PY
CLOSED=$(cat client.txt)
sleep 0.5
# After the flood: the descriptors are free again, a new connection is served.
python3 - "$TW_PORT" <<'PY' || fail "the client after the flood"
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for i in range(3):
    s.sendall(b"<30>Jun 18 10:00:01 vedge02 charon: 16[IKE] after the flood %d\n" % i)
s.close()
PY
wait_rows 3 "SELECT count(*) FROM messages WHERE raw LIKE '%after the flood%'"
tw_stop
ACC=$(counter tcp_accepted)
EMF=$(counter tcp_accept_emfile)
REJ=$(counter tcp_rejected_max_conns)
echo "closed on the client $CLOSED; accepted $ACC (one after the flood), tcp_accept_emfile $EMF, tcp_rejected_max_conns $REJ"
[ -n "$EMF" ] || fail "no tcp_accept_emfile counter"
[ "$EMF" -gt 0 ] || fail "no accept ran out of descriptors: the test did not test"
eq "$EMF" "$CLOSED" "tcp_accept_emfile = the connections closed on the client"
eq "$((ACC - 1 + EMF + REJ))" "$N" "every connection served or refused and counted"
eq "$(q "SELECT count(*) FROM messages WHERE raw LIKE '%IKE] emfile conn %'")" "$((ACC - 1))" \
	"one line stored per accepted connection"
grep -q "out of descriptors (Too many open files): closing new connections at once" "$T/serve.log" ||
	fail "not logged"
ok "out of descriptors: refused connections are counted, the collector keeps serving"
