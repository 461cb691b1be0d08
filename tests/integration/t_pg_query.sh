#!/usr/bin/env bash
# t_pg_query.sh — the read commands give byte-identical output on SQLite
# and on PostgreSQL (docs/scale-out.md): a SQLite database filled by the
# real pipeline (pg_fixture.sh) is copied into a throw-away PostgreSQL
# cluster, then tunnels (and --bfd), incidents, timeline and report (every
# format) run with their filters against `--db FILE` and
# `--db postgresql://…`, and every output must be the same, byte for byte.
# Also: an unreachable server and a database without the schema give a
# one-line error and exit 1, as a missing SQLite file does.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
trap 'pgtmp_stop; tw_cleanup' EXIT

. "$(dirname "$0")/pg_fixture.sh"
pg_fixture_sqlite
pg_fixture_pg
python3 "$TW_SOURCE_DIR/tests/tools/pg_same_views.py" --copy-only "$DB" "$PGTMP_URI" \
	>"$T/copy.log" 2>&1 || { cat "$T/copy.log" >&2; fail "copying into PostgreSQL"; }

# same NAME ARGS...: the command's stdout, stderr and exit status with
# --db SQLite and with --db PostgreSQL are identical.
n=0
today=$(date -u +%Y-%m-%d)
same() {
	local name=$1 rl rp; shift
	rl=0 rp=0
	"$TW_BIN" "$@" --db "$DB" >"$T/$name.lite" 2>"$T/$name.lite.err" || rl=$?
	"$TW_BIN" "$@" --db "$PGTMP_URI" >"$T/$name.pg" 2>"$T/$name.pg.err" || rp=$?
	# The report says when it was made (and a relative --since ends now):
	# the two runs are a moment apart, so today's times are masked.
	sed -i -E "s/$today[T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?Z?/(now)/g" "$T/$name.lite" "$T/$name.pg"
	[ "$rl" = "$rp" ] || fail "$name ($*): exit $rl on SQLite, $rp on PostgreSQL: $(head -c 600 "$T/$name.pg.err")"
	diff -u "$T/$name.lite" "$T/$name.pg" >"$T/$name.diff" ||
		{ head -n 40 "$T/$name.diff" >&2; fail "$name ($*): stdout differs"; }
	diff -u "$T/$name.lite.err" "$T/$name.pg.err" >"$T/$name.diff" ||
		{ head -n 20 "$T/$name.diff" >&2; fail "$name ($*): stderr differs"; }
	n=$((n + 1))
}
# nonempty NAME: the comparison of NAME proved something.
nonempty() { [ "$(wc -l <"$T/$1.lite")" -gt "${2:-1}" ] || fail "$1: no rows, the comparison proves nothing: $(head -c 300 "$T/$1.lite" "$T/$1.lite.err")"; }

same tunnels tunnels;                         nonempty tunnels 10
same tunnels_json tunnels --json;             nonempty tunnels_json 10
same tunnels_down tunnels --state down
same tunnels_flap tunnels --flapping --json
dev=$(q "SELECT hostname FROM v_tunnels WHERE hostname IS NOT NULL ORDER BY hostname LIMIT 1")
same tunnels_dev tunnels --device "$dev";     nonempty tunnels_dev
same bfd tunnels --bfd;                       nonempty bfd
same bfd_json tunnels --bfd --json
same bfd_down tunnels --bfd --state down --flapping
same incidents incidents;                     nonempty incidents 5
same incidents_json incidents --json;         nonempty incidents_json 20
grep -q '"evidence_shown"' "$T/incidents_json.lite" || fail "incidents --json: no evidence_shown"
first=$(q "SELECT strftime('%Y-%m-%dT00:00:00Z', min(started_us) / 1000000, 'unixepoch') FROM incidents")
same incidents_since incidents --since "$first/2d" --json; nonempty incidents_since 5
same incidents_recent incidents --since 24h
same incidents_dev incidents --device "$dev" --root-cause dpd_timeout
cause=$(q "SELECT root_cause FROM v_incidents GROUP BY root_cause ORDER BY count(*) DESC, root_cause LIMIT 1")
same incidents_cause incidents --root-cause "$cause"; nonempty incidents_cause
# timeline: the tunnels with the most incidents and one without any.
k=0
while IFS='|' read -r h t; do
	k=$((k + 1))
	same "timeline$k" timeline --device "$h" --tunnel "$t";         nonempty "timeline$k"
	same "timeline${k}_json" timeline --device "$h" --tunnel "$t" --json
	same "timeline${k}_raw" timeline --device "$h" --tunnel "$t" --raw --window 1h
done < <(q "SELECT system_ip, tunnel FROM v_incidents WHERE system_ip IS NOT NULL
	GROUP BY system_ip, tunnel ORDER BY count(*) DESC, system_ip, tunnel LIMIT 3")
[ "$k" -ge 2 ] || fail "fewer than 2 tunnels with incidents"
read -r h t < <(q "SELECT system_ip || ' ' || name FROM tunnels JOIN devices USING (device_id)
	WHERE tunnel_id NOT IN (SELECT tunnel_id FROM incidents) AND system_ip IS NOT NULL
	ORDER BY tunnel_id LIMIT 1")
same timeline_quiet timeline --device "$h" --tunnel "$t" --json
around=$(q "SELECT strftime('%Y-%m-%dT%H:%M:%SZ', max(started_us) / 1000000, 'unixepoch') FROM incidents")
same timeline_around timeline --device "$h" --tunnel "$t" --around "$around" --window 2h
same timeline_nosuch timeline --device "$h" --tunnel no-such-tunnel
# On a terminal: aligned columns, and the timeline's incident markers.
if command -v script >/dev/null; then
	tty_same() {   # NAME ARGS...: as same, under a pseudo-terminal (script(1))
		local name=$1; shift
		COLUMNS=200 script -qec "$(printf '%q ' "$TW_BIN" "$@") --db $(printf '%q' "$DB")" \
			/dev/null >"$T/$name.lite" 2>&1 </dev/null || true
		COLUMNS=200 script -qec "$(printf '%q ' "$TW_BIN" "$@") --db $(printf '%q' "$PGTMP_URI")" \
			/dev/null >"$T/$name.pg" 2>&1 </dev/null || true
		diff -u "$T/$name.lite" "$T/$name.pg" >"$T/$name.diff" ||
			{ head -n 40 "$T/$name.diff" >&2; fail "$name ($*) on a terminal: output differs"; }
		n=$((n + 1))
	}
	tty_same tty_tunnels tunnels;                   nonempty tty_tunnels 10
	tty_same tty_incidents incidents;               nonempty tty_incidents 5
	tty_same tty_timeline timeline --device "$h" --tunnel "$t" --around "$around" --window 2h
	read -r h2 t2 < <(q "SELECT system_ip || ' ' || tunnel FROM v_incidents WHERE system_ip IS NOT NULL
		GROUP BY system_ip, tunnel ORDER BY count(*) DESC, system_ip, tunnel LIMIT 1")
	tty_same tty_timeline2 timeline --device "$h2" --tunnel "$t2"
	grep -q 'incident #' "$T/tty_timeline2.lite" || fail "timeline on a terminal: no incident marker"
fi
# report, every format, over the whole history and over a day.
for fmt in json md html; do
	same "report_$fmt" report --since "$first/30d" --format "$fmt";  nonempty "report_$fmt" 5
	same "report_day_$fmt" report --since "$first/24h" --format "$fmt"
	same "report_raw_$fmt" report --since "$first/30d" --format "$fmt" --raw
done
ok "$n read commands: byte-identical output on SQLite and PostgreSQL"

# --- errors: one line, exit 1, as for a missing SQLite file ---------------
r1=0 r2=0
"$TW_BIN" tunnels --db "$T/none.db" >/dev/null 2>"$T/e1" || r1=$?
"$TW_BIN" tunnels --db "postgresql:///tw?host=$T/nosock&connect_timeout=2" >/dev/null 2>"$T/e2" || r2=$?
[ "$r1" = 1 ] && [ "$r2" = 1 ] || fail "exit $r1 for a missing file, $r2 for no server (want 1)"
[ "$(wc -l <"$T/e2")" = 1 ] && grep -q '^tunnelwatch: error: tunnels: PostgreSQL: ' "$T/e2" ||
	fail "no server: not one clear line: $(cat "$T/e2")"
psql -X -q "$PGTMP_URI" -c 'CREATE DATABASE bare' || fail "create database"
bare=$(printf '%s' "$PGTMP_URI" | sed 's|/[^/?]*\(?\)|/bare\1|')
for c in tunnels incidents report; do
	r3=0
	"$TW_BIN" $c --db "$bare" >/dev/null 2>"$T/e3" || r3=$?
	[ "$r3" = 1 ] && [ "$(wc -l <"$T/e3")" = 1 ] && grep -q 'has no tunnelwatch schema' "$T/e3" ||
		fail "$c on a database without the schema: exit $r3: $(cat "$T/e3")"
done
ok "no server, no schema: one clear line and exit 1"
