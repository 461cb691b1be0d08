#!/usr/bin/env bash
# Migrations: idempotent; a database newer than the binary is refused.
. "$(dirname "$0")/lib.sh"
printf 'Apr 27 05:12:56 vedge01 charon: 16[IKE] one\n' >"$T/one"
"$TW_BIN" import --db "$DB" "$T/one" 2>/dev/null
v1=$(q "PRAGMA user_version")
[ "$v1" -ge 1 ] || fail "user_version set"
"$TW_BIN" import --db "$DB" "$T/one" 2>/dev/null
eq "$(q "PRAGMA user_version")" "$v1" "second open keeps the version"
eq "$(q "PRAGMA journal_mode")" "wal" "WAL mode"
eq "$(q "PRAGMA page_size")" "16384" "a new database gets 16 KiB pages"
# An existing database keeps its page size (and opens as before).
sqlite3 "$T/old.db" "PRAGMA page_size=4096; CREATE TABLE t(x); DROP TABLE t;"
"$TW_BIN" import --db "$T/old.db" "$T/one" 2>/dev/null || fail "open a 4 KiB-page database"
eq "$(sqlite3 "$T/old.db" "PRAGMA page_size")" "4096" "an existing database keeps its page size"
eq "$(sqlite3 "$T/old.db" "SELECT count(*) FROM messages")" "1" "and is used as is"
q "PRAGMA user_version = 9999"
if "$TW_BIN" import --db "$DB" "$T/one" 2>"$T/err"; then
	fail "newer schema must be refused"
fi
grep -q "newer than this tunnelwatch" "$T/err" || { cat "$T/err"; fail "clear message"; }
ok "schema migrations idempotent, newer database refused"
