#!/usr/bin/env bash
# Arrival time without a per-row index (schema/0007_lean.sql): every new
# second of arrival gets a receive_marks row naming its first message, the
# marks grow in both columns, and the query of docs/schema.md "Lines
# received in the last 10 minutes" gives the rows the plain received_us
# condition gives, starting from a message_id (no scan of messages).
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }
cd "$T"

tw_start
for i in 1 2 3; do
	"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count 50 2>/dev/null
	sleep 1.1
done
wait_rows 150
# An import between two runs of the collector (import is refused while serve
# runs: docs/operations.md, "One writer per database"), then more received.
tw_stop
printf 'Apr 27 05:12:56 vedge01 charon: 16[IKE] imported\n' >one.log
"$TW_BIN" import --db "$DB" one.log 2>/dev/null || fail "import between runs"
tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 50 2>/dev/null
wait_rows 201
tw_stop

marks=$(q "SELECT count(*) FROM receive_marks")
[ "$marks" -ge 3 ] || fail "one mark per second of arrival, got $marks"
eq "$(q "SELECT count(*) FROM receive_marks a JOIN receive_marks b ON b.received_s > a.received_s
	WHERE b.message_id <= a.message_id")" "0" "marks increase in both columns"
eq "$(q "SELECT count(*) FROM receive_marks k JOIN messages m USING (message_id)
	WHERE m.received_us / 1000000 <> k.received_s")" "0" "a mark names a message of its second"
eq "$(q "SELECT count(*) FROM messages m WHERE NOT EXISTS (SELECT 1 FROM receive_marks k
	WHERE k.received_s >= m.received_us / 1000000 AND k.message_id <= m.message_id)")" "0" \
	"every message is bounded by a mark"
eq "$(q "SELECT min(message_id) FROM receive_marks")" "1" "the first message has a mark"
ok "$marks receive marks for 201 messages"

# The documented query: the SQL under its comment up to the first ';'.
sql=$(awk '/^-- Lines received in the last 10 minutes/ { on = 1; next }
	on { print; if ($0 ~ /;[[:space:]]*$/) exit }' "$TW_SOURCE_DIR/docs/schema.md")
[ -n "$sql" ] || fail "docs/schema.md: query \"Lines received in the last 10 minutes\" not found"
plain="SELECT received_at, hostname, program, text FROM v_messages
 WHERE received_us >= (strftime('%s', 'now') - 600) * 1000000 ORDER BY message_id"
got=$(q "$sql")
eq "$(echo "$got" | grep -c '')" "201" "the documented query finds the lines of the last 10 minutes"
eq "$got" "$(q "$plain")" "same rows as received_us alone"
plan=$(q "EXPLAIN QUERY PLAN $sql")
echo "$plan" | grep -q "SEARCH m USING INTEGER PRIMARY KEY" ||
	fail "the documented query does not start from a message_id: $plan"
# A bound in the past of every message returns nothing before it.
first_late=$(q "SELECT message_id FROM receive_marks ORDER BY received_s DESC LIMIT 1")
eq "$(q "SELECT count(*) FROM messages WHERE message_id < $first_late
	AND received_us >= (SELECT received_s FROM receive_marks WHERE message_id = $first_late) * 1000000")" \
	"0" "nothing before the last mark arrived in its second or later"
ok "the documented arrival-time query starts at a mark and equals a full scan"
