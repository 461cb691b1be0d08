#!/usr/bin/env bash
# db_deleted (issue #17 item 4): after `rm` of the database, its -wal and
# -shm, serve kept committing into the unlinked inode and reported the
# lines stored.  Now it notices within a sweep (1 s), stops accepting,
# logs an error naming the file, and exits 1 so that systemd restarts it
# into a fresh database; a database replaced by another file (mv over it)
# is treated the same.
. "$(dirname "$0")/lib.sh"
cd "$T"

line() { printf '<30>Jun 18 10:00:%02d vedge02 charon: 16[IKE] line %s\n' "$1" "$1"; }

# wait_exit: the collector's exit status in RC, once it exits by itself (10 s).
wait_exit() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$TW_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$TW_PID" 2>/dev/null && fail "serve still running 10 s after its database went away"
	RC=0
	wait "$TW_PID" || RC=$?
	TW_PID=
}

tw_start
for i in 1 2 3; do line $i; done >/dev/tcp/127.0.0.1/"$TW_PORT"
wait_rows 3
rm -f "$DB" "$DB-wal" "$DB-shm"
wait_exit
eq "$RC" "1" "exit status after the database was deleted"
grep -q "database $DB was deleted or moved away while serve had it open" "$T/serve.log" ||
	fail "no clear error in the log"
grep -q "no longer accepting" "$T/serve.log" || fail "log does not say it stopped accepting"
ok "deleted database: loud error, exit 1"

rm -f "$DB" "$DB-wal" "$DB-shm"
tw_start
line 4 >/dev/tcp/127.0.0.1/"$TW_PORT"
wait_rows 1
cp "$DB" "$T/other.db"
mv "$T/other.db" "$DB"
wait_exit
eq "$RC" "1" "exit status after the database was replaced"
grep -q "was replaced by another file" "$T/serve.log" || fail "no clear error for a replaced database"
ok "replaced database: loud error, exit 1"
