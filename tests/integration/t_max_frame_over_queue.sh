#!/usr/bin/env bash
# max_frame_over_queue (issue #17 item 7): max_frame larger than
# queue_max_bytes was accepted, and a connection sending a frame that long
# waited for queue room forever.  Now serve refuses at start (exit 2, a
# clear error, no database made); max_frame equal to queue_max_bytes runs
# and stores such a frame.
. "$(dirname "$0")/lib.sh"
cd "$T"

rc=0
timeout 10 "$TW_BIN" serve --db "$DB" --tcp 127.0.0.1:0 --max-frame 1M --queue-max-bytes 512K \
	>refuse.log 2>&1 || rc=$?
eq "$rc" "2" "exit status of serve with max_frame > queue_max_bytes"
grep -q "max_frame (1048576 bytes) is larger than queue_max_bytes (524288 bytes)" refuse.log ||
	fail "no clear error: $(cat refuse.log)"
[ ! -e "$DB" ] || fail "a refused start made a database"
printf '{"max_frame": "1M", "queue_max_bytes": "256K"}\n' >cfg.json
rc=0
timeout 10 "$TW_BIN" serve --config cfg.json --db "$DB" >refuse2.log 2>&1 || rc=$?
eq "$rc" "2" "exit status with both set in the config file"
ok "max_frame > queue_max_bytes refused at start"

tw_start --max-frame 128K --queue-max-bytes 128K
python3 - "$TW_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
body = b"<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] big " + b"x" * (128 * 1024 - 60)
s.sendall(body + b"\n"); s.close()
PY
wait_rows 1
tw_stop
[ "$(q "SELECT max(length(raw)) FROM messages")" -ge 131000 ] || fail "the long frame was cut"
ok "max_frame = queue_max_bytes: a frame that long is stored"
