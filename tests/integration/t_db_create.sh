#!/usr/bin/env bash
# Creating the database (issue #17 item 8), two faults found by probing:
#  - bind_fail_left_db: a serve whose listener cannot bind made a new, empty
#    database before it found out; now it binds first and leaves nothing.
#  - db_world_readable: databases were created 0644 under umask 022 (log
#    text readable by every local user); now 0640, -wal and -shm alike.
. "$(dirname "$0")/lib.sh"
cd "$T"
umask 022

# A port held by a listener of our own: serve's bind must fail.
python3 - "$T/port" <<'PY' &
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
time.sleep(30)
PY
for i in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port")
rc=0
"$TW_BIN" serve --db "$T/new.db" --udp "127.0.0.1:$PORT" --tcp "127.0.0.1:$PORT" \
	>bind.log 2>&1 || rc=$?
[ $rc -ne 0 ] || fail "serve ran although its TCP port was taken"
grep -q "refusing to run half-deaf" bind.log || fail "no clear error: $(cat bind.log)"
[ ! -e "$T/new.db" ] || fail "a bind failure left a new database behind: $(ls -l "$T")"
ok "bind failure: no database created"

tw_start
printf '<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] hello\n' >/dev/tcp/127.0.0.1/"$TW_PORT"
wait_rows 1
for f in "$DB" "$DB-wal" "$DB-shm"; do
	[ -e "$f" ] || continue
	eq "$(stat -c %a "$f")" "640" "mode of $(basename "$f")"
done
tw_stop
ok "database created 0640 under umask 022"
