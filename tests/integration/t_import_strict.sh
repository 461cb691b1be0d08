#!/usr/bin/env bash
# import --strict (issue #13): a file whose lines are stored but whose
# header not one line has understood is named on stderr, with its line
# count, and fails the import with --strict (exit 0 without it); a good
# file alone passes.  The BusyBox / relay form "HOST facility.level[:]
# PROG:" is understood, and "unparsed" counts only lines without a header.
. "$(dirname "$0")/lib.sh"
cd "$T"

# Junk without NUL bytes (a file with one is refused as binary, t_firstrun):
# high bytes, control bytes, no header anywhere.
printf '\x01\xff\xfe<\x7f>\x1b[0m\n\xc0\x80zz\x02\x03\n\xff\xff\xff\n' >junk.bin
# Headerless text: charon lines copied from a console, without syslog header.
cat >headerless.log <<'L'
16[IKE] initiating IKE_SA ipsec2_1[7] to 198.51.100.1
16[IKE] retransmit 1 of request with message ID 0
peer didn't accept DH group MODP_1536, it requested MODP_2048
L
# A good file in the BusyBox / relay forms, with and without the colon.
cat >busybox.log <<'L'
Nov 27 02:29:03 vedge01 daemon.info charon: 16[IKE] initiating IKE_SA ipsec2_1[7] to 198.51.100.1
Nov 27 02:29:04 vedge01 daemon.info: charon: 16[IKE] retransmit 1 of request with message ID 0
daemon.info: Nov 27 02:29:05 vedge01 charon: 16[IKE] retransmit 2 of request with message ID 0
L
touch -d "2024-12-01 00:00:00" busybox.log

# The good file: exit 0 with --strict, no warning, the forms understood.
"$TW_BIN" import --db "$DB" --strict busybox.log 2>good.log || { cat good.log; fail "good file failed --strict"; }
grep -q "read 3 lines, stored 3, unparsed 0" good.log || { cat good.log; fail "good file counts"; }
grep -q "no syslog header understood" good.log && { cat good.log; fail "warning on a good file"; }
eq "$(q "SELECT group_concat(DISTINCT hostname || '/' || program || '/' || facility || '.' || severity)
         FROM v_messages")" "vedge01/charon/daemon.info" "BusyBox forms: host, program, facility.level"
eq "$(q "SELECT count(*) FROM v_messages WHERE parse_status = 'ok'")" "3" "BusyBox lines parse ok"
ok "BusyBox / relay forms understood, unparsed 0 is true"

# Headerless and junk files without --strict: stored, named, exit 0.
"$TW_BIN" import --db "$DB" headerless.log junk.bin 2>lax.log || { cat lax.log; fail "exit without --strict"; }
grep -q "import: headerless.log: no syslog header understood in any of its 3 stored lines" lax.log ||
	{ cat lax.log; fail "headerless file not named"; }
grep -q "import: junk.bin: no syslog header understood in any of its 3 stored lines" lax.log ||
	{ cat lax.log; fail "junk file not named"; }
grep -q "stored 6, unparsed 6" lax.log || { cat lax.log; fail "unparsed count"; }
ok "headerless and junk files named on stderr, exit 0 without --strict"

# With --strict: the same warning and a non-zero exit, also beside a good file.
# (new contents: import skips what it has already imported)
sed 's/^16/17/' headerless.log >headerless2.log
echo "Nov 27 02:29:09 vedge01 daemon.info charon: 16[IKE] giving up after 5 retransmits" >good2.log
rc=0
"$TW_BIN" import --db "$DB" --strict good2.log headerless2.log 2>strict.log || rc=$?
[ "$rc" -ne 0 ] || { cat strict.log; fail "--strict exited 0 with a headerless file"; }
grep -q "import: headerless2.log: no syslog header understood in any of its 3 stored lines" strict.log ||
	{ cat strict.log; fail "--strict: file not named"; }
grep -q "good2.log: no syslog header" strict.log && { cat strict.log; fail "good file named"; }
grep -q -- "--strict: 1 file(s) without a syslog header understood" strict.log ||
	{ cat strict.log; fail "--strict summary"; }
ok "--strict fails on a file without one header understood (exit $rc)"

# A file partly understood is not named: one good line is enough.
{ sed 's/^16/18/' headerless.log; head -n 1 busybox.log | sed 's/02:29:03/02:30:03/'; } >mixed.log
"$TW_BIN" import --db "$DB" --strict mixed.log 2>mixed.err || { cat mixed.err; fail "mixed file failed --strict"; }
grep -q "no syslog header understood" mixed.err && { cat mixed.err; fail "mixed file named"; }
ok "a file with one understood line passes --strict"
