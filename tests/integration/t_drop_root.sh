#!/usr/bin/env bash
# root_kept (issue #17 item 8): serve started as root kept uid 0 and all
# its capabilities.  With "user" set it binds its listeners as root, then
# runs as that user with no capabilities, and the database it creates is
# the user's.  An unknown user refuses to start (exit 1, nothing created).
. "$(dirname "$0")/lib.sh"
cd "$T"
[ "$(id -u)" -eq 0 ] || { echo "skip: not root"; exit 77; }
getent passwd nobody >/dev/null || { echo "skip: no user nobody"; exit 77; }

chmod 0755 "$T"
mkdir "$T/nb"
chown nobody "$T/nb"
DB=$T/nb/tw.db

printf '{"user": "no-such-user-tw"}\n' >bad.json
rc=0
"$TW_BIN" serve --config bad.json --db "$DB" --tcp 127.0.0.1:0 --udp 127.0.0.1:0 >bad.log 2>&1 || rc=$?
eq "$rc" "1" "exit status with an unknown user"
grep -q "user no-such-user-tw: no such user" bad.log || fail "no clear error: $(cat bad.log)"
[ ! -e "$DB" ] || fail "a refused start made a database"
ok "unknown user refused"

printf '{"user": "nobody"}\n' >nobody.json
tw_start --config nobody.json
grep -q "running as user nobody" "$T/serve.log" || fail "no 'running as user' line"
eq "$(awk '/^Uid:/ {print $2 $3 $4 $5}' /proc/"$TW_PID"/status)" \
	"$(id -u nobody)$(id -u nobody)$(id -u nobody)$(id -u nobody)" "real, effective, saved and fs uid"
eq "$(awk '/^CapEff:/ {print $2}' /proc/"$TW_PID"/status)" "0000000000000000" "effective capabilities"
eq "$(awk '/^CapPrm:/ {print $2}' /proc/"$TW_PID"/status)" "0000000000000000" "permitted capabilities"
printf '<30>Jun 18 10:00:00 vedge02 charon: 16[IKE] as nobody\n' >/dev/tcp/127.0.0.1/"$TW_PORT"
wait_rows 1
eq "$(stat -c %U "$DB")" "nobody" "owner of the database"
eq "$(stat -c '%U %a' "$DB.spool")" "nobody 750" "owner and mode of the spool directory"
tw_stop
ok "root dropped after binding; the database is the user's"

# lock_silently_skipped: root made DB.lock before it dropped (root's, 0644);
# a collector started later as that user could not open it for writing and
# ran without the lock.  Now it locks it read-only: a second one is refused.
eq "$(stat -c %U "$DB.lock")" "root" "the lock file is root's"
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
as_nobody "$TW_BIN" serve --db "$DB" --udp 127.0.0.1:0 >n1.log 2>&1 &
n1=$!
for i in $(seq 1 100); do grep -q "ready" n1.log && break; sleep 0.1; done
grep -q "ready" n1.log || { kill "$n1"; fail "serve as nobody did not start: $(cat n1.log)"; }
rc=0
timeout 20 setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	"$TW_BIN" serve --db "$DB" --udp 127.0.0.1:0 >n2.log 2>&1 || rc=$?
kill "$n1"
wait "$n1" || true
eq "$rc" "1" "a second collector as nobody on that database"
grep -q "is in use by" n2.log || fail "no 'in use' error: $(cat n2.log)"
ok "a lock file another user made still locks"
