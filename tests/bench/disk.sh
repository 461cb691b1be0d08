#!/usr/bin/env bash
# disk.sh — disk per raw byte: the simulated fleet's debug-level log
# imported into a new database, its size against the log's bytes, and each
# table's (and index's) share (docs/performance.md, "Disk per raw byte").
#
#   bash tests/bench/disk.sh [--bin BUILD/tunnelwatch] [--db FILE] [twsim args...]
#
# twsim is taken from beside the binary; its arguments default to
# --devices 100 --tunnels 4 --duration 1d (772,208 lines, 76,283,182 bytes).
# The WAL is checkpointed into the file first; a new database has no free
# pages, so no VACUUM is needed (the free list is printed to show it).
set -euo pipefail

BIN=${TW_BIN:-build/tunnelwatch}
DB=
while [ $# -gt 0 ]; do
	case $1 in
	--bin) BIN=$2; shift 2 ;;
	--db) DB=$2; shift 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- --devices 100 --tunnels 4 --duration 1d
SIM=$(dirname "$BIN")/twsim
[ -x "$BIN" ] && [ -x "$SIM" ] || { echo "disk.sh: need $BIN and $SIM" >&2; exit 2; }
command -v sqlite3 >/dev/null || { echo "disk.sh: sqlite3 missing" >&2; exit 2; }

W=$(mktemp -d /tmp/tw-disk.XXXXXX)
trap 'rm -rf "$W"' EXIT
: "${DB:=$W/tw.db}"
"$SIM" "$@" --out "$W/sim.log" --truth "$W/truth.json" 2>/dev/null
"$BIN" import --db "$DB" "$W/sim.log" 2>"$W/import.log" || { cat "$W/import.log"; exit 1; }
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null

raw=$(stat -c %s "$W/sim.log")
lines=$(grep -c '' "$W/sim.log")
size=$(stat -c %s "$DB")
echo "log: $lines lines, $raw bytes ($(( raw / lines )) bytes per line)"
echo "database: $size bytes, free pages $(sqlite3 "$DB" "PRAGMA freelist_count")"
sqlite3 -separator '  ' "$DB" "
SELECT printf('%-22s', name), printf('%6.3f x raw', sum(pgsize) * 1.0 / $raw),
       printf('%6.1f bytes per line', sum(pgsize) * 1.0 / $lines)
  FROM dbstat GROUP BY name HAVING sum(pgsize) * 1000 >= $raw ORDER BY sum(pgsize) DESC;
SELECT printf('%-22s', 'messages + indexes'), printf('%6.3f x raw', sum(pgsize) * 1.0 / $raw), ''
  FROM dbstat WHERE name = 'messages'
    OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages');
SELECT printf('%-22s', 'events + indexes'), printf('%6.3f x raw', sum(pgsize) * 1.0 / $raw), ''
  FROM dbstat WHERE name = 'events'
    OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events');
SELECT printf('%-22s', 'whole file'), printf('%6.3f x raw', $size * 1.0 / $raw),
       printf('%6.1f bytes per line', $size * 1.0 / $lines);"
