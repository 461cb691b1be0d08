#!/usr/bin/env bash
# "Lines tunnelwatch did not understand, by program": the query text as
# documented in docs/schema.md and docs/querying.md uses the partial index
# messages_unparsed (schema/0004_unparsed_index.sql, on program_id since
# schema/0007_lean.sql) — EXPLAIN QUERY PLAN
# says so — and gives the same counts as a full scan.  The index holds the
# unparsed rows only.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }
cd "$T"

{
	for i in $(seq 1 40); do
		printf 'Apr 27 05:12:%02d vedge01 charon: 16[IKE] sending DPD request %d\n' $((i % 60)) "$i"
	done
	printf 'no header at all, 1\n'
	printf 'no header at all, 2\n'
	printf '<999>Apr 27 05:13:00 vedge01 charon: 16[IKE] a PRI out of range\n'
	printf 'Apr 27 05:13:01 vedge02 FTMD[812]: %%Viptela-vedge02-ftmd-6-INFO-1400002: ok line\n'
} >lines.log
"$TW_BIN" import --db "$DB" --year 2024 lines.log 2>import.log || { cat import.log; fail "import"; }

eq "$(q "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'messages_unparsed'
	AND sql LIKE '%(program_id, parse_status) WHERE parse_status <> 0'")" "1" \
	"partial index messages_unparsed exists"
unparsed=$(q "SELECT count(*) FROM messages NOT INDEXED WHERE parse_status <> 0")
[ "$unparsed" -ge 3 ] || fail "fixture: expected >= 3 unparsed lines, got $unparsed"
eq "$(q "SELECT count(*) FROM messages INDEXED BY messages_unparsed WHERE parse_status <> 0")" \
	"$unparsed" "the index holds every unparsed row"
ok "messages_unparsed holds the $unparsed unparsed rows"

# doc_query FILE: the SQL under the comment "-- Lines tunnelwatch did not
# understand, by program" up to the first line ending in ';'.
doc_query() {
	awk '/^-- Lines tunnelwatch did not understand, by program/ { on = 1; next }
	     on && /^--/ { next }
	     on { print; if ($0 ~ /;[[:space:]]*$/) exit }' "$1"
}

for doc in docs/schema.md docs/querying.md; do
	sql=$(doc_query "$TW_SOURCE_DIR/$doc")
	[ -n "$sql" ] || fail "$doc: query \"Lines tunnelwatch did not understand, by program\" not found"
	plan=$(q "EXPLAIN QUERY PLAN $sql")
	echo "$plan" | grep -q "USING COVERING INDEX messages_unparsed\|USING INDEX messages_unparsed" ||
		fail "$doc: the documented query does not use messages_unparsed:
$sql
$plan"
	if echo "$plan" | grep -q "SCAN m$\|SCAN messages$"; then
		fail "$doc: the documented query scans messages: $plan"
	fi
	# Same counts as a full scan without the index.
	got=$(q "$sql")
	fullsql=$(echo "$sql" | sed 's/FROM messages m /FROM messages m NOT INDEXED /; s/FROM messages WHERE/FROM messages NOT INDEXED WHERE/')
	[ "$fullsql" != "$sql" ] || fail "$doc: cannot make a NOT INDEXED form of: $sql"
	full=$(q "$fullsql")
	eq "$got" "$full" "$doc: indexed result equals a full scan"
	total=$(echo "$got" | awk -F'|' '{ s += $NF } END { print s + 0 }')
	eq "$total" "$unparsed" "$doc: counts add up to the unparsed lines"
	ok "$doc: documented query uses messages_unparsed ($(echo "$plan" | grep -o 'SCAN.*messages_unparsed' | head -1))"
done
