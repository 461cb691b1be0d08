#!/usr/bin/env bash
# A tunnel's pulse (docs/schema.md, "The pulse"): chatter — packets, NAT-T
# keep-alives, routine kernel lines, DPD exchanges — is kept in messages
# but is not an events row; each tunnel counts it per minute in heartbeat /
# v_heartbeat, with its retransmits (still events); the DPD lines are also
# listed in their minute's trail.  A copy of a chatter
# line is not counted twice; when a tunnel known by its addresses turns out
# to be a named one, its minutes move with its lines; timeline shows each
# minute's pulse; retention prunes old minutes.
. "$(dirname "$0")/lib.sh"

L=10.132.3.92 P=203.0.113.7
c() { echo "Jun 18 $1 vedge01 charon: $2"; }
{
	# 00:20: IKE_SA by name, then two DPD exchanges answered.
	c 00:20:01 "07[IKE] IKE_SA ipsec2_1[7] established between $L[$L]...$P[$P]"
	c 00:20:01 "07[IKE] CHILD_SA child_ipsec2_1{9} established with SPIs c1234567_i c7654321_o and TS 0.0.0.0/0 === 0.0.0.0/0"
	c 00:20:10 "11[IKE] sending DPD request"
	c 00:20:10 "11[ENC] generating INFORMATIONAL request 2 [ ]"
	c 00:20:10 "11[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
	c 00:20:10 "07[NET] received packet: from $P[4500] to $L[4500] (80 bytes)"
	c 00:20:10 "07[ENC] parsed INFORMATIONAL response 2 [ ]"
	c 00:20:10 "07[ENC] parsed INFORMATIONAL response 2 [ ]"
	c 00:20:40 "12[IKE] sending DPD request"
	c 00:20:40 "12[ENC] generating INFORMATIONAL request 3 [ ]"
	c 00:20:40 "12[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
	c 00:20:40 "12[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
	c 00:20:41 "08[NET] received packet: from $P[4500] to $L[4500] (80 bytes)"
	c 00:20:41 "08[ENC] parsed INFORMATIONAL response 3 [ ]"
	c 00:20:50 "13[IKE] sending keep alive to $P[4500]"
	# 00:21: the peer probes us; one request of ours goes unanswered.
	c 00:21:05 "09[NET] received packet: from $P[4500] to $L[4500] (80 bytes)"
	c 00:21:05 "09[ENC] parsed INFORMATIONAL request 0 [ ]"
	c 00:21:05 "09[ENC] generating INFORMATIONAL response 0 [ ]"
	c 00:21:05 "09[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
	c 00:21:30 "14[IKE] sending DPD request"
	c 00:21:30 "14[ENC] generating INFORMATIONAL request 4 [ ]"
	c 00:21:30 "14[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
	c 00:21:34 "15[IKE] retransmit 1 of request with message ID 4"
	c 00:21:34 "15[NET] sending packet: from $L[4500] to $P[4500] (76 bytes)"
} >"$T/pulse.log"

"$TW_BIN" import --db "$DB" --year 2024 "$T/pulse.log" >/dev/null 2>"$T/err" ||
	{ cat "$T/err"; fail "import"; }

eq "$(q "SELECT count(*) FROM messages")" 24 "every line is kept in messages"
eq "$(q "SELECT count(*) FROM events WHERE kind IN ('packet_sent', 'packet_received',
	'keepalive')")" 0 "packet and keep-alive lines are not events"
eq "$(q "SELECT count(*) FROM events WHERE kind = 'retransmit'")" 1 \
	"retransmits are still events"
eq "$(q "SELECT count(*) FROM events WHERE kind = 'dpd_request' OR (kind LIKE 'message_%'
	AND json_extract(detail, '$.exchange') = 'INFORMATIONAL')")" 0 \
	"DPD probes and their INFORMATIONAL exchanges are not events rows"
eq "$(q "SELECT group_concat(trail IS NOT NULL, ' ') FROM (SELECT trail FROM v_heartbeat
	JOIN heartbeat USING (tunnel_id, minute_us) WHERE tunnel = 'ipsec2' ORDER BY minute_us)")" \
	"1 1" "each minute with DPD lines keeps their trail"
eq "$(q "SELECT minute || ' ' || dpd_sent || ' ' || dpd_answered || ' ' || peer_dpd || ' '
	|| retransmits || ' ' || packets_in || '/' || packets_out || ' '
	|| bytes_in || '/' || bytes_out || ' ' || keepalives
	FROM v_heartbeat WHERE hostname = 'vedge01' AND tunnel = 'ipsec2' ORDER BY minute_us" |
	tr '\n' '|')" \
	"2024-06-18T00:20Z 2 2 0 0 2/2 160/152 1|2024-06-18T00:21Z 1 0 1 1 1/3 80/228 0|" \
	"per minute: DPD sent/answered, the peer's DPD, retransmits, packets, bytes, keep-alives (a copied line counts once)"
eq "$(q "SELECT count(*) FROM v_heartbeat WHERE tunnel <> 'ipsec2'")" 0 \
	"every minute is the named tunnel's"

"$TW_BIN" timeline --db "$DB" --device vedge01 --tunnel ipsec2 --around 2024-06-18T00:21:00Z \
	--window 5m >"$T/tl" 2>&1 || { cat "$T/tl"; fail "timeline"; }
grep -q 'pulse.*DPD 2 sent, 2 answered; packets 2 in / 2 out (160 / 152 bytes); 1 NAT-T keep-alives' "$T/tl" ||
	{ cat "$T/tl"; fail "timeline shows the minute's pulse"; }
if grep -q 'sending packet' "$T/tl"; then cat "$T/tl"; fail "timeline lists no packet lines"; fi
ok "timeline draws the pulse of each minute instead of the packet lines"

# A record known only by its addresses, then named by a later job of the
# same thread: its minutes move to the named tunnel.
{
	c 00:30:10 "11[NET] sending packet: from $L[4500] to 198.51.100.9[4500] (76 bytes)"
	c 00:30:11 "11[NET] received packet: from 198.51.100.9[4500] to $L[4500] (76 bytes)"
	c 00:31:00 "16[IKE] initiating IKE_SA ipsec3_1[21] to 198.51.100.9"
	c 00:31:00 "16[NET] sending packet: from $L[500] to 198.51.100.9[500] (464 bytes)"
} >"$T/merge.log"
"$TW_BIN" import --db "$DB" --year 2024 "$T/merge.log" >/dev/null 2>"$T/err" ||
	{ cat "$T/err"; fail "import merge"; }
eq "$(q "SELECT tunnel || ' ' || packets_in || '/' || packets_out FROM v_heartbeat
	WHERE peer_ip = '198.51.100.9' OR tunnel LIKE '%198.51.100.9%' ORDER BY minute_us" | tr '\n' '|')" \
	"ipsec3 1/1|ipsec3 0/1|" "the address-only record's minutes moved to the named tunnel"
ok "heartbeat rows per tunnel and minute; chatter is not an event"
