#!/usr/bin/env bash
# First-run friction (issue #15 item 5), each point as a new user meets it:
# - one writer per database: a second `serve` on the same database, and an
#   `import` into it, are refused with a message naming the holder's PID,
#   exit 1, and the first collector keeps running; once it stops, import
#   works (regression: two serves on one database both ran);
# - `import` of a truncated .gz keeps the lines before the cut but warns
#   and exits 1; a binary file is refused with a warning, exit 1; a missing
#   file alone creates no database;
# - `serve` says where to look and when incidents appear;
# - `import` shows progress on a terminal (file, bytes, lines, rate, time
#   left) and stays quiet on a pipe.
. "$(dirname "$0")/lib.sh"
cd "$T"

# --- one writer per database ---------------------------------------------------
tw_start
grep -q "look with: tunnelwatch tunnels --db $DB" "$T/serve.log" || fail "serve: where to look"
grep -q "tunnelwatch incidents --db $DB" "$T/serve.log" || fail "serve: incidents command"
grep -qE "incidents appear within ~[0-9]+ s of the line that decides them" "$T/serve.log" ||
	fail "serve: when incidents appear"
ok "serve says where to look and when incidents appear"
rc=0
"$TW_BIN" serve --db "$DB" --udp 127.0.0.1:0 --tcp 127.0.0.1:0 2>second.log || rc=$?
eq "$rc" "1" "second serve exit status"
grep -q "error: database $DB is in use by tunnelwatch serve (pid $TW_PID)" second.log ||
	{ cat second.log; fail "second serve: message naming the holder"; }
[ "$(wc -l <second.log)" -le 2 ] || { cat second.log; fail "second serve: too chatty"; }
kill -0 "$TW_PID" || fail "the first collector died"
ok "a second serve on the same database is refused: $(head -c 120 second.log)"

printf '<30>Nov 27 02:29:03 vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[7] to 198.51.100.1\n' >a.log
rc=0
"$TW_BIN" import --db "$DB" a.log 2>imp.log || rc=$?
eq "$rc" "1" "import beside serve exit status"
grep -q "error: database $DB is in use by tunnelwatch serve (pid $TW_PID); import while it runs" imp.log ||
	{ cat imp.log; fail "import beside serve: message"; }
eq "$(q "SELECT count(*) FROM messages")" "0" "nothing imported beside serve"
ok "import beside a running serve is refused, naming its PID"
tw_stop
"$TW_BIN" import --db "$DB" a.log 2>imp2.log || { cat imp2.log; fail "import after serve stopped"; }
eq "$(q "SELECT count(*) FROM messages")" "1" "imported after the collector stopped"
ok "after the collector stops, import works (the lock does not outlive it)"

# --- import: truncated gzip, binary, missing ----------------------------------------
# (random text, so that half the compressed bytes is about half the lines)
awk -v seed="$RANDOM" 'BEGIN { srand(seed); for (i = 1; i <= 158; i++) {
	s = ""; for (j = 0; j < 24; j++) s = s sprintf("%02x", int(rand() * 256))
	printf "<30>Nov 27 02:%02d:%02d vedge02 charon: 16[IKE] initiating IKE_SA ipsec2_1[%d] to 198.51.100.1 %s\n", i / 60, i % 60, i, s } }' |
	gzip -9 >full.gz
head -c $(($(stat -c %s full.gz) / 2)) full.gz >cut.gz
rc=0
"$TW_BIN" import --db cut.db cut.gz 2>cut.log || rc=$?
eq "$rc" "1" "truncated gzip exit status"
grep -qE "warning: import: cut.gz: the gzip data ends early \(a truncated file\): imported the [0-9]+ lines before the cut" cut.log ||
	{ cat cut.log; fail "truncated gzip: no warning"; }
n=$(sqlite3 cut.db "SELECT count(*) FROM messages")
[ "$n" -gt 0 ] && [ "$n" -lt 158 ] || fail "truncated gzip: $n lines stored"
"$TW_BIN" import --db full.db full.gz 2>full.log || { cat full.log; fail "the whole gzip"; }
grep -q "warning" full.log && { cat full.log; fail "warning on a whole gzip"; }
ok "truncated .gz: $n of 158 lines kept, warned, exit 1"

head -c 4000 "$TW_BIN" >prog.bin
printf '\x00\x01\xff\xfe<\x7f>\x1b[0m\n' >junk.bin
rc=0
"$TW_BIN" import --db bin.db prog.bin 2>bin.log || rc=$?
eq "$rc" "1" "binary file exit status"
grep -q "warning: import: prog.bin: binary data (a NUL byte at offset [0-9]*), not a syslog file; skipped" bin.log ||
	{ cat bin.log; fail "binary: no warning"; }
[ ! -e bin.db ] || fail "a binary file alone created a database"
rc=0
"$TW_BIN" import --db mixed.db a.log junk.bin 2>mixed.log || rc=$?
eq "$rc" "1" "binary beside a good file: exit status"
grep -q "junk.bin: binary data" mixed.log || { cat mixed.log; fail "binary beside a good file: no warning"; }
eq "$(sqlite3 mixed.db "SELECT count(*) FROM messages")" "1" "the good file beside a binary one"
ok "binary input is refused with a warning and exit 1; the good files still import"

rc=0
"$TW_BIN" import --db missing.db no-such-file.log 2>missing.log || rc=$?
eq "$rc" "1" "missing file exit status"
grep -q "no-such-file.log: No such file or directory" missing.log || { cat missing.log; fail "missing: message"; }
grep -q "error: import: no file could be read; the database was not touched" missing.log ||
	{ cat missing.log; fail "missing: summary"; }
[ ! -e missing.db ] || fail "an import of a missing file created a database"
ok "import of a missing file creates no database"

# --- progress on a terminal only ---------------------------------------------------
awk 'BEGIN { for (i = 1; i <= 12000; i++)
	printf "<30>Nov 27 03:%02d:%02d vedge03 charon: 16[IKE] initiating IKE_SA ipsec2_1[%d] to 198.51.100.1\n", i / 60 % 60, i % 60, i }' >big.log
"$TW_BIN" import --db pipe.db big.log a.log 2>pipe.log
if grep -q "importing" pipe.log || grep -q $'\r' pipe.log; then
	cat -A pipe.log | head; fail "progress printed on a pipe"
fi
command -v script >/dev/null || { echo "skip rest: script(1) missing"; ok "first run"; exit 0; }
script -qec "'$TW_BIN' import --db tty.db big.log a.log" /dev/null >tty.log </dev/null
grep -qE "importing 1/2 big.log: [0-9.]+ [KM]iB of [0-9.]+ [KM]iB, [0-9]+ lines" tty.log ||
	{ cat -A tty.log | head; fail "no progress on a terminal"; }
grep -q "read 12001 lines" tty.log || { cat -A tty.log | head; fail "terminal import summary"; }
ok "import progress on a terminal: $(tr '\r' '\n' <tty.log | grep -a importing | tail -1)"
