#!/usr/bin/env bash
# No loss on shutdown: 100,000 messages over TCP, SIGTERM right after the
# sender finishes, exactly 100,000 rows; then again with octet counting
# over several connections.
. "$(dirname "$0")/lib.sh"

tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 100000 2>"$T/send.log"
tw_stop
eq "$(q "SELECT count(*) FROM messages")" "100000" "rows after SIGTERM (lf)"
eq "$(q "SELECT count(DISTINCT raw) FROM messages")" "100000" "each message once"

rm -f "$DB"*
tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 100000 --conns 8 --octet 2>"$T/send.log"
tw_stop
eq "$(q "SELECT count(*) FROM messages")" "100000" "rows after SIGTERM (octet, 8 conns)"
grep -q "stopped: received 100000, stored 100000" "$T/serve.log" || fail "summary line"
ok "SIGTERM under TCP load: 100000 of 100000 stored, twice"
