#!/usr/bin/env bash
# Understanding vEdge logs: every charon and FTMD line of the field guide's
# examples (tests/fixtures/playbook_lines.txt) is classified; devices are
# keyed by system-ip and hostname with aliases; tunnels are tied by IKE_SA
# name, unique id and address pair; charon's duplicated lines are marked,
# not counted twice.
. "$(dirname "$0")/lib.sh"
FIX=$TW_SOURCE_DIR/tests/fixtures

# Every charon and FTMD line of the guide's examples, as written there (full
# syslog lines, `charon: …` fragments, `00:24:08 11[ENC] …` excerpts), gets a
# real kind: none is charon_other.  The lines live in the repository
# (docs/log-formats.md describes each form).
cp "$FIX/playbook_lines.txt" "$T/lines"
"$TW_BIN" parse "$T/lines" >"$T/parsed.json"
eq "$(wc -l <"$T/parsed.json")" "$(wc -l <"$T/lines")" "one JSON object per line"
if grep -q '"kind":"charon_other"\|"kind":"other"\|"kind":"unparsed"' "$T/parsed.json"; then
	grep '"kind":"charon_other"\|"kind":"other"\|"kind":"unparsed"' "$T/parsed.json" | head -5
	fail "a field-guide line was not understood"
fi
grep -q '"kind":"retransmit"' "$T/parsed.json" || fail "retransmit kind"
grep -q '"kind":"interface_state_change"' "$T/parsed.json" || fail "FTMD kind"
"$TW_BIN" parse "$FIX/guide_pfs.log" | grep -c '"facility":"daemon","severity":"info"' >"$T/n"
eq "$(cat "$T/n")" "$(wc -l <"$FIX/guide_pfs.log")" "daemon.info: prefix read as facility and severity"
ok "parse: every field-guide charon/FTMD line classified"

# The DPD example: every line on ipsec2 of the device with system-ip 4.0.5.1.
"$TW_BIN" import --db "$DB" "$FIX/playbook_dpd.log" 2>/dev/null
eq "$(q "SELECT count(*) FROM messages")" "15" "all lines stored"
eq "$(q "SELECT count(*) FROM v_events WHERE system_ip='4.0.5.1' AND tunnel='ipsec2'")" "10" \
	"every line but the packet and the DPD exchanges is an event on ipsec2 of 4.0.5.1"
eq "$(q "SELECT sum(dpd_sent) || '|' || sum(dpd_answered) FROM v_heartbeat
	WHERE system_ip='4.0.5.1' AND tunnel='ipsec2'")" "2|1" \
	"the DPD exchanges counted in the pulse of ipsec2 of 4.0.5.1"
eq "$(q "SELECT root_cause || '|' || json_array_length(evidence) || '|' ||
	(json_extract(evidence, '\$[0]') LIKE '%parsed INFORMATIONAL response 542 [ ]') ||
	(json_extract(evidence, '\$[2]') LIKE '%generating INFORMATIONAL request 543 [ ]')
	FROM v_incidents")" "dpd_timeout|9|11" \
	"the incident's evidence has the DPD lines: the last answer and the unanswered request"
eq "$(q "SELECT sum(packets_out) FROM v_heartbeat WHERE system_ip='4.0.5.1' AND tunnel='ipsec2'")" "1" \
	"the packet line counted in the pulse of ipsec2 of 4.0.5.1"
eq "$(q "SELECT hostname||'|'||system_ip FROM v_devices")" "vedge01|4.0.5.1" "one device"
eq "$(q "SELECT local_ip||'|'||peer_ip FROM v_tunnels")" "10.132.3.92|10.10.10.1" "address pair learned"
ok "field-guide DPD example: 15 of 15 lines on ipsec2 of 4.0.5.1"

# The guide's raw excerpt: duplicated lines, a mangled host (Lvedge01), an
# FTMD tag host that differs from the syslog host (LONDSR01).
rm -rf "$DB"*
"$TW_BIN" import --db "$DB" "$FIX/guide_dpd.log" 2>/dev/null
eq "$(q "SELECT count(*) FROM devices")" "1" "mangled host and tag host: one device"
eq "$(q "SELECT aliases FROM v_devices")" '["LONDSR01","Lvedge01","vedge01"]' "aliases as seen"
dups=$(q "SELECT count(*) FROM duplicates")
[ "$dups" -ge 10 ] || fail "charon's duplicated lines marked ($dups)"
eq "$(q "SELECT count(*) FROM events e JOIN duplicates d ON d.message_id = e.message_id")" "0" \
	"a duplicate is not a second event"
eq "$(q "SELECT count(*) FROM v_messages WHERE hostname = 'Lvedge01'")" "1" "hostname stored as seen"
ok "duplicates marked, mangled host and tag host joined to one device"

# Charon lines before the FTMD line that reveals the system-ip, from a
# renamed router: one device throughout.
cat >"$T/rename.log" <<'L'
Jun 18 01:00:00 edge-old charon: 16[IKE] initiating IKE_SA ipsec3_1[10] to 198.51.100.7
Jun 18 01:00:01 edge-old FTMD[1]: %Viptela-edge-old-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:"edge-old" system-ip:4.9.9.9 vpn-id:1 if-name:"ipsec3" new-state:up
Jun 18 02:00:00 edge-new charon: 16[IKE] initiating IKE_SA ipsec3_1[11] to 198.51.100.7
Jun 18 02:00:01 edge-new FTMD[1]: %Viptela-edge-new-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:"edge-new" system-ip:4.9.9.9 vpn-id:1 if-name:"ipsec3" new-state:up
Jun 18 02:00:05 edge-new charon: 07[NET] sending packet: from 192.0.2.9[4500] to 198.51.100.7[4500] (76 bytes)
L
rm -rf "$DB"*
"$TW_BIN" import --db "$DB" "$T/rename.log" 2>/dev/null
eq "$(q "SELECT count(*) FROM devices")" "1" "renamed router stays one device"
eq "$(q "SELECT system_ip FROM v_devices")" "4.9.9.9" "keyed by system-ip"
eq "$(q "SELECT count(DISTINCT tunnel) FROM v_events")" "1" "one tunnel"
eq "$(q "SELECT count(*) FROM v_events WHERE tunnel='ipsec3'")" "4" "all lines on ipsec3"
eq "$(q "SELECT sum(packets_out) FROM v_heartbeat WHERE tunnel='ipsec3'")" "1" \
	"... and its packet line in its pulse"

# A tunnel known first by address, whose interface is learned later: merged.
cat >"$T/merge.log" <<'L'
Jun 18 03:00:00 edge9 charon: 07[NET] sending packet: from 192.0.2.99[4500] to 198.51.100.99[4500] (76 bytes)
Jun 18 03:00:00 edge9 charon: 07[ENC] parsed INFORMATIONAL response 12 [ ]
Jun 18 03:00:05 edge9 charon: 09[IKE] deleting IKE_SA ipsec7_1[44] between 192.0.2.99[192.0.2.99]...198.51.100.99[198.51.100.99]
L
rm -rf "$DB"*
"$TW_BIN" import --db "$DB" "$T/merge.log" 2>/dev/null
eq "$(q "SELECT group_concat(tunnel) FROM v_tunnels")" "ipsec7" "named once the interface is known"
eq "$(q "SELECT count(*) FROM v_events WHERE tunnel='ipsec7'")" "1" "earlier lines follow"
eq "$(q "SELECT sum(dpd_answered) || '|' || count(trail) FROM v_heartbeat
	JOIN heartbeat USING (tunnel_id, minute_us) WHERE tunnel='ipsec7'")" "1|1" \
	"... the DPD answer's minute too, with its trail"
eq "$(q "SELECT packets_out || ' ' || dpd_answered FROM v_heartbeat WHERE tunnel='ipsec7'")" "1 1" \
	"... and the earlier pulse"
ok "renamed router, system-ip learned later, tunnel merged when its interface appears"

# Parse coverage (issue 13 item 10): every charon line of the real lab
# captures (strongSwan 5.9.8) gets a specific kind.  The share of
# charon_other per scenario is printed, and must be 0.
for f in "$FIX"/real/*.log; do
	"$TW_BIN" parse "$f" >"$T/cov.json"
	n=$(grep -c '"source":"charon"' "$T/cov.json" || true)
	o=$(grep -c '"kind":"charon_other"' "$T/cov.json" || true)
	echo "charon_other share $(basename "$f" .log): $o / $n"
	eq "$o" "0" "no charon_other in real/$(basename "$f")"
done
ok "parse coverage: no charon_other in the lab captures"
