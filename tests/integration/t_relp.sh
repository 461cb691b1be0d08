#!/usr/bin/env bash
# A real RELP client: rsyslog as a relay (imtcp in, omrelp out) forwarding
# to `serve --relp` (docs/operations.md, "RELP"; docs/deployment.md, "An
# rsyslog relay over RELP").  Every line is stored once, as transport relp
# (v_messages, v_senders); a frame longer than max_frame is cut and
# flagged; a relay outside tcp_allow is acknowledged and dropped, counted
# in relp_refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/relp_lib.sh"

RP=$(tls_port)
tw_start --relp "127.0.0.1:$RP" --max-frame 1K --stats-interval 1s
relay "$RP"
"$TW_SEND" --tcp "127.0.0.1:$RSP" --count 300 >/dev/null || fail "twsend to rsyslog"
wait_rows 300
long=$(printf 'x%.0s' $(seq 1 3000))
printf '<30>Nov 27 10:00:00 vedge07 charon: 16[IKE] long %s\n' "$long" >"$T/long.txt"
"$TW_SEND" --tcp "127.0.0.1:$RSP" --count 1 --file "$T/long.txt" >/dev/null ||
	fail "twsend long line"
wait_rows 301
sleep 0.5
stop_relay
tw_stop
eq "$(q "SELECT count(*) FROM v_messages WHERE transport = 'relp'")" 301 "every line over RELP"
eq "$(q "SELECT count(DISTINCT substr(raw, instr(raw, 'seq='))) FROM v_messages
         WHERE raw LIKE '%seq=%'")" 300 "each numbered line once"
eq "$(q "SELECT transport || ' ' || received FROM v_senders")" "relp 301" "v_senders names relp"
eq "$(q "SELECT truncated || ' ' || length(raw) FROM v_messages WHERE raw LIKE '%long x%'")" \
	"1 1024" "a frame over max_frame cut and flagged"
eq "$(counter received_relp)" 301 "received_relp"
eq "$(counter relp_sessions)" 1 "relp_sessions"
eq "$(counter relp_duplicates)" 0 "relp_duplicates"
eq "$(counter relp_refused)" 0 "relp_refused"
grep -q "relp: session from 127.0.0.1" "$T/serve.log" || fail "the session is logged"
ok "rsyslog omrelp -> serve --relp: every line once, transport relp, max_frame"

# A relay outside tcp_allow: acknowledged (librelp 1.11 acknowledges
# whatever its callback says) and dropped, counted, logged.
rm -rf "$DB"*
RP=$(tls_port)
tw_start --relp "127.0.0.1:$RP" --tcp-allow 192.0.2.0/24 --stats-interval 1s
relay "$RP"
"$TW_SEND" --tcp "127.0.0.1:$RSP" --count 20 >/dev/null || fail "twsend to rsyslog"
for i in $(seq 1 100); do
	grep -q "not in tcp_allow" "$T/serve.log" && break
	sleep 0.05
done
sleep 1.5
stop_relay
tw_stop
eq "$(q "SELECT count(*) FROM messages")" 0 "nothing stored from outside tcp_allow"
eq "$(counter relp_refused)" 20 "relp_refused"
grep -q "relp: frame from 127.0.0.1 dropped: not in tcp_allow" "$T/serve.log" ||
	fail "the refusal is logged"
ok "a RELP relay outside tcp_allow: dropped, counted"
