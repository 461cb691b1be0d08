#!/usr/bin/env bash
# t_pg_db.sh — storage/db.h against a real PostgreSQL: runs the unit test
# test_db (built beside tunnelwatch) with TW_PG_URI pointing at a
# throw-away cluster (tests/tools/pgtmp.sh), so its PostgreSQL cases —
# bind/step/types/blobs/constraints/transactions and a session the server
# ends that must come back — run instead of being skipped.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"

test_db=$(dirname "$TW_BIN")/test_db
[ -x "$test_db" ] || { echo "skip: $test_db not built"; exit 77; }
trap 'pgtmp_stop; tw_cleanup' EXIT
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }

out=$(TW_PG_URI=$PGTMP_URI "$test_db" --jobs=1 --verbose 2>&1) || { echo "$out" >&2; fail "test_db against PostgreSQL"; }
echo "$out" | grep -q "\[SKIP\]" && { echo "$out" >&2; fail "a PostgreSQL case was skipped"; }
echo "$out" | grep -E "Synthesis" >&2
ok "storage/db.h on PostgreSQL: every case ran and passed"
