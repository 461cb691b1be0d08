#!/usr/bin/env bash
# import: plain, gzip and stdin; rotated sets in order; idempotent, also
# across rotation; year from --year or from the file's mtime.
. "$(dirname "$0")/lib.sh"
cd "$T"

mk() {   # mk FILE FIRST LAST: lines FIRST..LAST of an Apr 27 charon log
	local i
	for i in $(seq "$2" "$3"); do
		printf 'Apr 27 05:%02d:%02d vedge01 charon: 16[IKE] line %d\n' \
			$((i / 60 % 60)) $((i % 60)) "$i"
	done >"$1"
}
mk messages.2 1 100
mk messages.1 101 200
mk messages 201 250
gzip messages.2
touch -d "2024-05-01 00:00:00" messages messages.1 messages.2.gz

"$TW_BIN" import --db "$DB" messages messages.1 messages.2.gz 2>import1.log
grep -q "read 250 lines, stored 250, unparsed 0" import1.log || { cat import1.log; fail "first import"; }
eq "$(q "SELECT count(*) FROM messages")" "250" "rows after first import"
# Oldest file first: message_id order follows the line numbers.
eq "$(q "SELECT group_concat(n) FROM (SELECT CAST(substr(text, 14) AS INT) AS n
          FROM v_messages ORDER BY message_id) WHERE n IN (1, 100, 101, 250)")" \
	"1,100,101,250" "rotated set imported oldest first"
eq "$(q "SELECT DISTINCT substr(device_time, 1, 10) FROM v_messages")" "2024-04-27" \
	"year inferred from mtime"

"$TW_BIN" import --db "$DB" messages messages.1 messages.2.gz 2>import2.log
grep -q "stored 0, .* skipped 250 as already imported" import2.log || { cat import2.log; fail "re-import"; }
eq "$(q "SELECT count(*) FROM messages")" "250" "re-import stores nothing"

# Rotation: messages -> messages.1 -> messages.2.gz, a new messages; plus
# lines appended to the old live file before it rotated.
mk extra 251 260
cat messages extra >messages.new
gzip -c messages.1 >messages.2.gz
mv messages.new messages.1
mk messages 261 270
"$TW_BIN" import --db "$DB" messages messages.1 messages.2.gz 2>import3.log
eq "$(q "SELECT count(*) FROM messages")" "270" "after rotation only new lines stored"
eq "$(q "SELECT count(DISTINCT text) FROM v_messages")" "270" "no duplicates"

# stdin, and --year.
printf 'Dec 31 23:59:59 vedge02 charon: 01[IKE] from stdin\n' |
	"$TW_BIN" import --db "$DB" --year 2023 - 2>import4.log
eq "$(q "SELECT device_time FROM v_messages WHERE hostname='vedge02'")" \
	"2023-12-31T23:59:59Z" "--year applies"
printf 'Dec 31 23:59:59 vedge02 charon: 01[IKE] from stdin\n' |
	"$TW_BIN" import --db "$DB" --year 2023 - 2>import5.log
eq "$(q "SELECT count(*) FROM v_messages WHERE hostname='vedge02'")" "1" "stdin idempotent"

# A missing file is an error with a clear message, the others still load.
printf 'Apr 27 06:00:00 vedge09 charon: 16[IKE] other file\n' >other
if "$TW_BIN" import --db "$DB" nonexistent other 2>import6.log; then
	fail "missing file should fail"
fi
grep -q "nonexistent" import6.log || fail "error names the file"
eq "$(q "SELECT count(*) FROM v_messages WHERE hostname = 'vedge09'")" "1" \
	"the other file is still imported"
# Time zones: a default offset and a per-device override from the config.
cat >tz.json <<'J'
{ "timezone": "+02:00", "timezones": { "vedge-tokyo": "+09:00" } }
J
printf 'Jun 18 09:00:00 vedge-tokyo charon: 01[IKE] tokyo\nJun 18 09:00:00 vedge-paris charon: 01[IKE] paris\n' >tz.log
"$TW_BIN" import --db tz.db --config tz.json --year 2024 tz.log 2>/dev/null
eq "$(sqlite3 tz.db "SELECT group_concat(hostname || '=' || device_time, ' ') FROM
     (SELECT * FROM v_messages ORDER BY hostname)")" \
	"vedge-paris=2024-06-18T07:00:00Z vedge-tokyo=2024-06-18T00:00:00Z" "time zones"
ok "import: order, gzip, stdin, idempotent across rotation, year inference, time zones"
