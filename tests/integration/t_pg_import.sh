#!/usr/bin/env bash
# t_pg_import.sh — `import --db postgresql://…` (docs/scale-out.md): the
# lab captures and field-guide cases imported into a throw-away PostgreSQL
# cluster (the schema applied by import itself, schema/pg) and into a
# SQLite file must store every line and decide the same: every v_* view
# equal row for row (but the arrival times, which are the moment of each
# import), and tunnels, incidents and timeline byte for byte the same.
# Then: a second import of the same files is skipped as already imported
# (the imports bookkeeping on PostgreSQL), and an import while another
# writer holds the database's advisory lock is refused with a clear line.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
trap 'pgtmp_stop; tw_cleanup' EXIT
FIX=$TW_SOURCE_DIR/tests/fixtures
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI

files=("$FIX"/real/*.log "$FIX"/guide_*.log)
"$TW_BIN" import --db "$DB" --year 2026 "${files[@]}" >"$T/lite.log" 2>&1 ||
	fail "import into SQLite: $(tail -n 3 "$T/lite.log")"
"$TW_BIN" import --db "$PG" --year 2026 "${files[@]}" >"$T/pg.log" 2>&1 ||
	fail "import into PostgreSQL: $(tail -n 5 "$T/pg.log")"
lines=$(cat "${files[@]}" | wc -l)
stored=$(psql -X -A -t -q "$PG" -c "SELECT count(*) FROM messages")
[ "$stored" = "$lines" ] || fail "PostgreSQL holds $stored lines of $lines"
[ "$(q "SELECT count(*) FROM messages")" = "$lines" ] || fail "SQLite lost lines"
diff <(grep -v '^import: .*read' "$T/lite.log") <(grep -v '^import: .*read' "$T/pg.log") >&2 ||
	fail "import said different things"
[ "$(psql -X -A -t -q "$PG" -c "SELECT count(*) FROM incidents")" -gt 5 ] ||
	fail "too few incidents on PostgreSQL: the comparison would prove little"
ok "import: $lines lines stored on both"

python3 "$TW_SOURCE_DIR/tests/tools/pg_same_views.py" --compare-only \
	--ignore received_us,received_at "$DB" "$PG" >"$T/views.log" 2>&1 ||
	{ cat "$T/views.log" >&2; fail "a view differs between SQLite and PostgreSQL"; }
ok "import: every v_* view the same ($(grep -c 'same on both' "$T/views.log") views)"

n=0
same() {
	local name=$1; shift
	"$TW_BIN" "$@" --db "$DB" >"$T/$name.lite" 2>&1 || true
	"$TW_BIN" "$@" --db "$PG" >"$T/$name.pg" 2>&1 || true
	diff -u "$T/$name.lite" "$T/$name.pg" >"$T/$name.diff" ||
		{ head -n 30 "$T/$name.diff" >&2; fail "$name ($*): output differs"; }
	n=$((n + 1))
}
same tunnels tunnels
same tunnels_json tunnels --json
same incidents incidents
same incidents_json incidents --json
while IFS='|' read -r h t; do
	same "timeline_$h$t" timeline --device "$h" --tunnel "$t" --json
done < <(q "SELECT system_ip, tunnel FROM v_incidents WHERE system_ip IS NOT NULL
	GROUP BY system_ip, tunnel ORDER BY system_ip, tunnel")
[ "$n" -gt 5 ] || fail "only $n comparisons"
ok "import: $n read commands byte-identical on SQLite and PostgreSQL"

# Again: every file already imported, nothing stored twice.
"$TW_BIN" import --db "$PG" --year 2026 "${files[@]}" >"$T/pg2.log" 2>&1 ||
	fail "second import: $(tail -n 3 "$T/pg2.log")"
grep -q "stored 0, .* skipped $lines as already imported" "$T/pg2.log" ||
	fail "second import into PostgreSQL: $(tail -n 1 "$T/pg2.log")"
[ "$(psql -X -A -t -q "$PG" -c "SELECT count(*) FROM messages")" = "$lines" ] ||
	fail "the second import stored lines again"
ok "import: a second import is skipped as already imported"

# One writer: while another session holds the writer lock, import refuses.
psql -X -q "$PG" -c "SELECT pg_advisory_lock(7478, 1)" -c "SELECT pg_sleep(30)" \
	>/dev/null 2>&1 &
holder=$!
for i in $(seq 1 100); do
	[ "$(psql -X -A -t -q "$PG" -c "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
		AND classid = 7478 AND objid = 1 AND granted")" = 1 ] && break
	sleep 0.1
done
r=0
"$TW_BIN" import --db "$PG" --year 2026 "${files[0]}" >"$T/locked.log" 2>&1 || r=$?
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
[ "$r" = 1 ] || fail "import beside another writer: exit $r (want 1): $(cat "$T/locked.log")"
grep -q 'in use by another tunnelwatch writer' "$T/locked.log" ||
	fail "import beside another writer: no clear refusal: $(cat "$T/locked.log")"
ok "import: refused while another writer holds the PostgreSQL database"
