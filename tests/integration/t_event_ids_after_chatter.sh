#!/usr/bin/env bash
# Regression (CI, t_fault_kill9 "correlator ahead of the events"): chatter
# and DPD lines take event ids but no events row, so a database whose last
# lines were DPD exchanges had its highest id only in a minute's trail and
# in the correlator's mark.  The next run started counting again from
# max(events.event_id): it handed out ids the trail already held, at or
# below the correlator's mark.  The highest id handed out is now kept in
# meta (event.last_id) and a later run, import or serve, starts above it.
. "$(dirname "$0")/lib.sh"

L=10.132.3.92 P=203.0.113.7
c() { echo "Jun 18 $1 vedge01 charon: $2"; }
{
	c 00:20:01 "07[IKE] IKE_SA ipsec2_1[7] established between $L[$L]...$P[$P]"
	c 00:20:01 "07[IKE] CHILD_SA child_ipsec2_1{9} established with SPIs c1234567_i c7654321_o and TS 0.0.0.0/0 === 0.0.0.0/0"
	for s in 10 20 30 40 50; do
		c "00:20:$s" "11[IKE] sending DPD request"
		c "00:20:$s" "11[ENC] generating INFORMATIONAL request $s [ ]"
		c "00:20:$s" "11[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
		c "00:20:$s" "07[NET] received packet: from $P[4500] to $L[4500] (80 bytes)"
		c "00:20:$s" "07[ENC] parsed INFORMATIONAL response $s [ ]"
	done
} >"$T/a.log"
{
	c 00:25:00 "09[IKE] received DELETE for IKE_SA ipsec2_1[7]"
	c 00:25:00 "09[IKE] deleting IKE_SA ipsec2_1[7] between $L[$L]...$P[$P]"
} >"$T/b.log"

"$TW_BIN" import --db "$DB" --year 2024 "$T/a.log" >/dev/null 2>"$T/err" ||
	{ cat "$T/err"; fail "import a"; }
top_a=$(q "SELECT max(event_id) FROM v_trail")
ev_a=$(q "SELECT max(event_id) FROM events")
[ "$top_a" -gt "$ev_a" ] || fail "setup: the trail's ids ($top_a) should pass the events' ($ev_a)"
mark=$(q "SELECT value FROM meta WHERE key = 'event.last_id'")
[ "$mark" -ge "$top_a" ] || fail "meta event.last_id $mark below the trail's $top_a"
ok "the last DPD line's id $top_a is above the last events row ($ev_a); meta keeps $mark"

"$TW_BIN" import --db "$DB" --year 2024 "$T/b.log" >/dev/null 2>"$T/err" ||
	{ cat "$T/err"; fail "import b"; }
low=$(q "SELECT min(e.event_id) FROM events e JOIN messages m USING (message_id)
	WHERE m.raw LIKE '%DELETE%' OR m.raw LIKE '%deleting%'")
[ "$low" -gt "$mark" ] || fail "the next import reused id $low (handed out up to $mark)"
eq "$(q "SELECT count(*) FROM (SELECT event_id FROM events UNION ALL SELECT event_id FROM v_trail)")" \
	"$(q "SELECT count(DISTINCT event_id) FROM (SELECT event_id FROM events UNION ALL SELECT event_id FROM v_trail)")" \
	"no id stands twice among events rows and trail entries"
ok "a later import starts above every id handed out ($low > $mark)"

# serve: the same across a restart.
{
	for s in 10 20 30; do
		c "00:31:$s" "11[IKE] sending DPD request"
		c "00:31:$s" "11[ENC] generating INFORMATIONAL request $s [ ]"
		c "00:31:$s" "07[ENC] parsed INFORMATIONAL response $s [ ]"
	done
} >"$T/d.log"
c 00:32:00 "10[IKE] initiating IKE_SA ipsec2_1[8] to $P" >"$T/e.log"
n=$(q "SELECT count(*) FROM messages")
tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/d.log" --count 6 2>"$T/send.log" ||
	{ cat "$T/send.log"; fail "send d"; }
wait_rows $((n + 6))
tw_stop
mark=$(q "SELECT value FROM meta WHERE key = 'event.last_id'")
eq "$mark" "$(q "SELECT max(event_id) FROM v_trail")" "serve keeps the highest id handed out"
tw_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/e.log" --count 1 2>"$T/send.log" ||
	{ cat "$T/send.log"; fail "send e"; }
wait_rows 1 "SELECT count(*) FROM events WHERE kind = 'ike_initiate'"
tw_stop
new=$(q "SELECT event_id FROM events WHERE kind = 'ike_initiate'")
[ "$new" -gt "$mark" ] || fail "the restarted collector reused id $new (handed out up to $mark)"
ok "the restarted collector starts above every id handed out ($new > $mark)"
