#!/usr/bin/env bash
# t_pg_views.sh — the PostgreSQL schema (schema/pg) has every table column
# and every v_* view of the SQLite schema, and its views compute the same
# rows: a SQLite database filled by the real pipeline (the fixture logs,
# a twsim fleet with flaps, outages and a fleet event, BFD and interface
# lines, and a collector run over UDP and TCP for senders and stats) is
# copied table by table into a throw-away PostgreSQL cluster and every
# view is compared row for row (tests/tools/pg_same_views.py).
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
trap 'pgtmp_stop; tw_cleanup' EXIT

. "$(dirname "$0")/pg_fixture.sh"
pg_fixture_sqlite
pg_fixture_pg
python3 "$TW_SOURCE_DIR/tests/tools/pg_same_views.py" "$DB" "$PGTMP_URI" >"$T/compare.log" 2>&1 ||
	{ cat "$T/compare.log" >&2; fail "the PostgreSQL views differ from SQLite's"; }
grep '^view' "$T/compare.log"
ok "schema/pg: every table column and view of SQLite's, the same rows in every view"
