#!/usr/bin/env bash
# no_peer_addr (issue #17 item 8): connections whose getpeername fails
# (reset while they waited in the accept queue) all became "?" and shared
# one per-address slot, so a burst of them filled tcp_max_conns_per_ip and
# the rest were refused as one sender.  Now each gets a slot of its own.
# Here: the collector stopped (SIGSTOP), 40 connections made and reset, the
# collector continued with tcp_max_conns_per_ip 8: none is refused per IP.
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }

tw_start --tcp-max-conns-per-ip 8
kill -STOP "$TW_PID"
python3 - "$TW_PORT" <<'PY' || { kill -CONT "$TW_PID"; fail "client"; }
import socket, struct, sys
for i in range(40):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()       # RST: the collector's accept finds it already reset
PY
kill -CONT "$TW_PID"
sleep 1.5
tw_stop
REJ=$(counter tcp_rejected_per_ip)
ACC=$(counter tcp_accepted)
echo "accepted $ACC, refused per IP $REJ"
eq "$REJ" "0" "connections without an address refused as one sender"
ok "connections without an address each have their own slot"
