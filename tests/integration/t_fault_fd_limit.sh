#!/usr/bin/env bash
# fd_limit (issue #17 item 5): with a 256-descriptor limit and the default
# tcp_max_conns 4,096, connections accepted while out of descriptors
# vanished uncounted (libuv takes and closes them without a callback):
# 363 of 600.  Now serve raises the soft RLIMIT_NOFILE toward what
# tcp_max_conns needs, and when the hard limit is too low it lowers the
# connections allowed with a warning, so every connection is either served
# or refused and counted (tcp_rejected_max_conns).
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }

# The soft limit is raised when the hard one allows.
(ulimit -Sn 200; tw_start; grep -q "descriptors: raised the soft limit from 200 to" "$T/serve.log" ||
	fail "soft limit not raised"; tw_stop)
ok "soft RLIMIT_NOFILE raised for tcp_max_conns"

# Only the collector runs with 256 descriptors (hard and soft).
REAL_BIN=$TW_BIN
printf '#!/bin/sh\nulimit -Sn 256; ulimit -Hn 256; exec "%s" "$@"\n' "$REAL_BIN" >"$T/tw256"
chmod +x "$T/tw256"
TW_BIN=$T/tw256
tw_start --tcp-max-conns-per-ip 100000
TW_BIN=$REAL_BIN
grep -q "descriptors: the limit is 256 (hard 256), too few for tcp_max_conns 4096: allowing" \
	"$T/serve.log" || fail "no warning about the descriptors: $(cat "$T/serve.log")"
python3 - "$TW_PORT" <<'PY' || fail "the client"
import socket, sys, time, resource
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft != resource.RLIM_INFINITY and soft < 1024:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
socks = []
for i in range(600):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] conn %d\n" % i)
    socks.append(s)
time.sleep(2)
for s in socks:
    s.close()
PY
sleep 1
tw_stop
ACC=$(counter tcp_accepted)
REJ=$(counter tcp_rejected_max_conns)
echo "accepted $ACC, refused (tcp_max_conns) $REJ"
eq "$((ACC + REJ))" "600" "every connection served or refused and counted"
[ "$REJ" -gt 0 ] || fail "nothing refused: the limit was not lowered"
eq "$(q "SELECT count(*) FROM messages WHERE raw LIKE '%IKE] conn %'")" "$ACC" "one line stored per accepted connection"
ok "out of descriptors: no connection vanishes uncounted"
