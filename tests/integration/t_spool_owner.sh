#!/usr/bin/env bash
# A spool belongs to its database (docs/operations.md "Durability"): the
# database is deleted (or replaced) while its spool holds lines it never
# committed; a collector started on a new database at that path must not
# replay the old database's lines into it.  They are moved aside to
# DB.spool/orphan-ID/, logged, and the new database starts empty.  The
# same database restarted still replays its own (t_spool_kill9.sh).
. "$(dirname "$0")/lib.sh"

SEQ="raw LIKE '%seq=%'"
qt() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }

tw_start
old_id=$(qt "SELECT value FROM meta WHERE key = 'db.id'")
[ -n "$old_id" ] || fail "the database has no id (meta db.id)"
eq "$(cat "$DB.spool/owner")" "$old_id" "the spool names its database"
db_write_lock lock
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 2000 --conns 1 --host-prefix old 2>/dev/null
sleep 1
kill -KILL "$TW_PID"
wait "$TW_PID" 2>/dev/null || true
TW_PID=
db_write_unlock
[ -n "$(ls "$DB.spool" | grep '^seg-')" ] || fail "no segment left to replay"

# The database goes; its spool stays.
rm -f "$DB" "$DB-wal" "$DB-shm"
tw_start
new_id=$(qt "SELECT value FROM meta WHERE key = 'db.id'")
[ "$new_id" != "$old_id" ] || fail "a new database has the old id"
grep -q "spool: .* was written for another database" "$T/serve.log" ||
	fail "not logged: $(cat "$T/serve.log")"
sleep 1
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ")" "0" "the old database's lines are not replayed"
[ -n "$(ls "$DB.spool/orphan-$old_id" | grep '^seg-')" ] || fail "not kept aside"
eq "$(cat "$DB.spool/owner")" "$new_id" "the spool is the new database's"
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 100 --conns 1 --host-prefix new 2>/dev/null
wait_rows 100 "SELECT count(*) FROM messages WHERE $SEQ"
tw_stop
eq "$(counter spool_replayed)" "0" "spool_replayed"
eq "$(qt "SELECT count(*) FROM messages WHERE $SEQ AND raw LIKE '%old%'")" "0" "no old line"
ok "a new database at the old path: the old spool's 2,000 lines set aside in orphan-$old_id, not replayed"
