#!/usr/bin/env bash
# schema/0007_lean.sql on a database made by the release before it
# (tests/fixtures/db/release-0006.sql, see the README there): the views
# show exactly the same rows after the migration as before (v_messages
# column by column, typed), row counts match, incidents, tunnels and events
# are unchanged, the old columns are gone, and new lines — over the network
# and imported — are stored and read back on the migrated database exactly
# as on a new one.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }
cd "$T"
FIX=$TW_SOURCE_DIR/tests/fixtures/db

sqlite3 "$DB" <"$FIX/release-0006.sql" || fail "loading the release dump"
eq "$(q "PRAGMA user_version")" "6" "the dump is schema version 6"

# views SQL...: every row of each, typed (quote mode), in a fixed order;
# the columns release 0006 had (later schemas add some: 0010 forged,
# peer_identity).
views() {
	sqlite3 -batch -noheader -cmd ".mode quote" "$DB" \
		"SELECT message_id, received_at, sender, transport, facility, severity,
		        device_time, hostname, program, pid, text, parse_status, truncated, raw,
		        received_us, device_us FROM v_messages ORDER BY message_id" \
		"SELECT * FROM v_events ORDER BY event_id" \
		"SELECT * FROM v_devices ORDER BY device_id" \
		"SELECT * FROM v_tunnels ORDER BY tunnel_id" \
		"SELECT * FROM v_incidents ORDER BY incident_id" \
		"SELECT * FROM v_fleet_events ORDER BY fleet_event_id" \
		"SELECT * FROM v_transport_events ORDER BY transport_event_id" \
		"SELECT * FROM v_bfd_sessions ORDER BY device_id, local_color, remote_system_ip" \
		"SELECT sender_ip, received, unparsed, truncated, first_seen, last_seen,
		        last_hostname FROM v_senders ORDER BY sender_ip"
}
counts() {
	local t
	for t in messages events duplicates devices tunnels incidents incident_evidence \
	    tunnel_state fleet_events imports senders transport_events; do
		printf '%s %s\n' "$t" "$(q "SELECT count(*) FROM $t")"
	done
}
views >before.txt
counts >counts_before.txt
[ "$(q "SELECT count(*) FROM v_incidents")" -ge 3 ] || fail "fixture: incidents expected"
[ "$(q "SELECT count(*) FROM messages WHERE pid IS NOT NULL")" -ge 2 ] || fail "fixture: pids expected"
[ "$(q "SELECT count(DISTINCT sender) FROM messages")" -ge 2 ] || fail "fixture: senders expected"

# Any command that opens the database for writing migrates it: an import
# of an empty file.
: >empty.log
"$TW_BIN" import --db "$DB" empty.log 2>migrate.log || { cat migrate.log; fail "migrating"; }
latest=$(ls "$TW_SOURCE_DIR"/schema/[0-9]*.sql | sed 's#.*/0*\([0-9]*\)_.*#\1#' | sort -n | tail -1)
eq "$(q "PRAGMA user_version")" "$latest" "migrated to the latest schema version ($latest)"
eq "$(q "PRAGMA integrity_check")" "ok" "integrity after the migration"

views >after.txt
counts >counts_after.txt
cmp -s counts_before.txt counts_after.txt || { diff counts_before.txt counts_after.txt; fail "row counts differ"; }
cmp -s before.txt after.txt || { diff before.txt after.txt | head -20; fail "views differ after the migration"; }
ok "v_messages, v_events, v_tunnels, v_incidents and the other views unchanged ($(wc -l <after.txt) rows), counts equal"

# No field stored twice: the header columns are gone from messages.
for col in sender hostname program pid facility severity; do
	eq "$(q "SELECT count(*) FROM pragma_table_info('messages') WHERE name = '$col'")" "0" \
		"messages.$col dropped"
done
eq "$(q "SELECT count(*) FROM sqlite_master WHERE name = 'messages_received'")" "0" \
	"per-row received_us index dropped"
eq "$(q "SELECT count(*) FROM dict_hostnames WHERE name = 'vedge01'")" "1" "hostname dictionary"
eq "$(q "SELECT group_concat(name, ',') FROM (SELECT name FROM dict_programs ORDER BY program_id)")" \
	"charon,FTMD,sshd,rsyslogd,lab" "program dictionary, in order of first appearance"
eq "$(q "SELECT count(*) FROM dict_senders")" "2" "one sender per UDP source and TCP connection"
# Marks: the first message of each new second, both columns increasing.
eq "$(q "SELECT count(*) FROM receive_marks a JOIN receive_marks b ON b.received_s > a.received_s
	WHERE b.message_id <= a.message_id")" "0" "receive marks increase"
eq "$(q "SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM receive_marks k
	WHERE k.received_s >= m.received_us / 1000000 AND k.message_id <= m.message_id)")" "0" \
	"every message is at or after a mark of its second or later"
ok "header columns and messages_received gone; dictionaries and receive marks built"

# New lines on the migrated database read back as on a new database.
sed 's/vedge01/vedge77/g' "$TW_SOURCE_DIR/tests/fixtures/real/dpd.log" >vedge77.log
"$TW_BIN" import --db "$DB" vedge77.log 2>import.log || { cat import.log; fail "import after migration"; }
tw_start
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --file "$FIX/release-0006-net.txt" --count 9 2>/dev/null
wait_rows $(( $(grep -c '' vedge77.log) + 387 + 9 ))
tw_stop

FRESH=$T/fresh.db
MIGRATED=$DB
DB=$FRESH
"$TW_BIN" import --db "$DB" vedge77.log 2>/dev/null || fail "import into a new database"
tw_start
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --file "$FIX/release-0006-net.txt" --count 9 2>/dev/null
wait_rows $(( $(grep -c '' vedge77.log) + 9 ))
tw_stop
DB=$MIGRATED

# newrows DB FIRST_ID: the new lines as v_messages shows them, without the
# columns that differ between two databases (ids, receive times, ports).
newrows() {
	sqlite3 -batch -noheader -cmd ".mode quote" "$1" \
		"SELECT transport, substr(sender, 1, 10), facility, severity, device_time,
		        hostname, program, pid, text, parse_status, truncated, raw, device_us
		   FROM v_messages WHERE message_id >= $2 ORDER BY message_id"
}
newrows "$DB" 388 >new_migrated.txt
newrows "$FRESH" 1 >new_fresh.txt
[ "$(wc -l <new_fresh.txt)" -eq $(( $(grep -c '' vedge77.log) + 9 )) ] || fail "fresh rows"
cmp -s new_migrated.txt new_fresh.txt || { diff new_migrated.txt new_fresh.txt | head; fail "new rows differ"; }
incidents() {
	sqlite3 -batch -noheader -cmd ".mode quote" "$1" \
		"SELECT hostname, tunnel, symptom, root_cause, summary, started_at, ended_at, evidence
		   FROM v_incidents WHERE hostname = 'vedge77' ORDER BY started_us"
}
[ -n "$(incidents "$FRESH")" ] || fail "fixture: vedge77 incident expected"
eq "$(incidents "$DB")" "$(incidents "$FRESH")" "vedge77's incidents as on a new database"
# The old rows are still the same.
views >after2.txt
cmp -s <(head -n 387 before.txt) <(head -n 387 after2.txt) || fail "old messages changed by new imports"
eq "$(q "SELECT count(*) FROM dict_hostnames")" \
	"$(q "SELECT count(DISTINCT hostname) FROM v_messages")" "one dictionary row per hostname"
ok "new imports and network lines on the migrated database read back as on a new one"
