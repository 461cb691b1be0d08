#!/usr/bin/env bash
# Hostile input: binary junk, a 1 MiB line, NUL bytes, invalid UTF-8, an
# SQL-injection hostname, an absurd octet count, a half frame and a
# disconnect.  No crash; everything accepted is stored or flagged.
. "$(dirname "$0")/lib.sh"

tw_start --max-frame 64K
P=$TW_PORT
send_tcp() { cat >/dev/tcp/127.0.0.1/"$P"; }
send_udp() { cat >/dev/udp/127.0.0.1/"$P"; }

head -c 4000 /dev/urandom | tr -d '\n' | send_udp
printf '<13>Nov 27 10:00:00 vedge01 charon: nul\0inside\n' | send_tcp
printf '<13>Nov 27 10:00:00 vedge01 charon: bad utf8 \xff\xfe\xc0\n' | send_tcp
printf "<13>Nov 27 10:00:00 x'); DROP TABLE messages;-- charon: injected\n" | send_tcp
{ printf '<13>Nov 27 10:00:00 vedge01 charon: big '; head -c $((1024 * 1024)) /dev/zero | tr '\0' 'A'; printf '\nafter-big\n'; } | send_tcp
printf '20 <13>half a fra' | send_tcp                       # disconnects mid-frame
printf '99999999999 <13>x' | send_tcp || true                # absurd count
printf '<13>Nov 27 10:00:00 vedge01 charon: still served\n' | send_tcp
wait_rows 8
tw_stop

eq "$(q "SELECT count(*) FROM sqlite_master WHERE name='messages'")" "1" "table survived"
eq "$(q "SELECT count(*) FROM v_messages WHERE raw LIKE '%x''); DROP TABLE messages;-- charon: injected'")" \
	"1" "hostile hostname stored as data"
eq "$(q "SELECT count(*) FROM v_messages WHERE text = 'nul#000inside'")" "1" "NUL escaped"
eq "$(q "SELECT flags & 2 FROM messages WHERE raw LIKE '%nul#000inside%'")" "2" "escaped flag"
eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE 'bad utf8 %'")" "1" "invalid UTF-8 kept"
eq "$(q "SELECT length(raw), truncated FROM v_messages WHERE text LIKE 'big A%'")" "65536|1" \
	"1 MiB line truncated to max_frame and flagged"
eq "$(q "SELECT count(*) FROM v_messages WHERE raw = 'after-big'")" "1" "next frame after big one"
eq "$(q "SELECT truncated FROM v_messages WHERE raw = '<13>half a fra'")" "1" \
	"half frame at disconnect stored, flagged"
eq "$(q "SELECT count(*) FROM v_messages WHERE text = 'still served'")" "1" "others still served"
eq "$(q "SELECT value FROM stats WHERE name='tcp_closed_bad_octet_count' ORDER BY at_us DESC LIMIT 1")" \
	"1" "absurd octet count counted"
eq "$(q "SELECT count(*) FROM v_messages WHERE parse_status='no_header' AND transport='udp'")" "1" "junk stored unparsed"
grep -q "octet count larger than max_frame" "$T/serve.log" || fail "reason logged"

# parse: one valid JSON object per line, whatever the input.
head -c 20000 /dev/urandom >"$T/junk"
"$TW_BIN" parse "$T/junk" >"$T/junk.json"
lines=$(wc -l <"$T/junk.json")
[ "$lines" -ge 1 ] || fail "parse printed nothing"
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/junk.json" ||
		fail "parse output is not JSON"
fi
ok "hostile input stored or flagged, collector alive"
