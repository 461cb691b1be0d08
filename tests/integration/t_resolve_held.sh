#!/usr/bin/env bash
# A charon job's first lines wait in memory for the line that names their
# tunnel (storage/resolve.c: held rows), and reach the database at the
# latest before each commit.  Whatever the commit boundaries, every line
# must end on the same tunnel with the same event id, and none may be lost:
# a commit after every line (each job's early lines stored untied, then
# updated) and one commit per 100,000 lines (held, inserted once) agree.
. "$(dirname "$0")/lib.sh"
: "${TW_SIM:=$(dirname "$TW_BIN")/twsim}"
[ -x "$TW_SIM" ] || fail "simulator not built: $TW_SIM"

"$TW_SIM" --seed 11 --devices 6 --tunnels 3 --peers 3 --duration 3h \
	--dup 0.05 --out "$T/fleet.log" 2>/dev/null || fail "twsim"
# The file ends inside a job: its line names no tunnel and nothing after
# it settles it; it must still be stored.
echo '<30>Jun  1 03:00:00 vedge0006 charon: 15[IKE] sending DPD request' >>"$T/fleet.log"
n=$(wc -l <"$T/fleet.log")
[ "$n" -gt 3000 ] || fail "simulated fleet too small: $n lines"

for b in 1 100000; do
	"$TW_BIN" import --db "$T/b$b.db" --batch-rows "$b" "$T/fleet.log" 2>/dev/null ||
		fail "import --batch-rows $b"
done
qb() { sqlite3 "$T/b$1.db" "$2"; }

eq "$(qb 1 "SELECT count(*) FROM messages")" "$n" "every line stored (batch 1)"
eq "$(qb 100000 "SELECT count(*) FROM messages")" "$n" "every line stored (batch 100000)"
for b in 1 100000; do
	# One event or one duplicate mark per charon/Viptela line, never both,
	# never neither — but chatter (packets, keep-alives, kernel jobs),
	# which is counted in the heartbeat instead, and its copies; a DPD
	# line is in its minute's trail or a duplicate (or, untied, in neither).
	sqlite3 "$T/b$b.db" "CREATE TABLE tr AS SELECT message_id FROM v_trail"
	eq "$(qb $b "SELECT count(*) FROM (SELECT m.raw,
		(SELECT count(*) FROM events e WHERE e.message_id = m.message_id) AS ev,
		(SELECT count(*) FROM duplicates d WHERE d.message_id = m.message_id) AS dup,
		(SELECT count(*) FROM tr WHERE tr.message_id = m.message_id) AS trail,
		(m.raw LIKE '%] sending DPD request%' OR m.raw LIKE '%] generating INFORMATIONAL re% [ ]'
		 OR m.raw LIKE '%] parsed INFORMATIONAL re% [ ]') AS dpd
		FROM v_messages m WHERE m.program IN ('charon', 'FTMD'))
		WHERE CASE WHEN dpd THEN ev <> 0 OR dup + trail > 1
		      ELSE ev + dup + trail <> (raw NOT LIKE '%] sending packet: %'
		      AND raw NOT LIKE '%] received packet: %'
		      AND raw NOT LIKE '%] sending keep alive to %'
		      AND raw NOT LIKE '%] creating % job for CHILD_SA %') END")" \
		"0" "batch $b: each line one event, trail entry or duplicate, chatter neither"
	dpd=$(qb $b "SELECT count(*) FROM v_messages WHERE raw LIKE '%] sending DPD request%'")
	tied=$(qb $b "SELECT count(*) FROM tr JOIN messages m USING (message_id)
		WHERE m.raw LIKE '%] sending DPD request%'")
	[ "$tied" -ge $((dpd * 9 / 10)) ] || fail "batch $b: DPD probes in a trail: $tied of $dpd"
	eq "$(qb $b "SELECT count(*) FROM duplicates d
		WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = d.event_id)
		  AND NOT EXISTS (SELECT 1 FROM v_trail t WHERE t.event_id = d.event_id)")" \
		"0" "batch $b: every duplicate points at a stored event or trail entry"
done
hb="SELECT count(*) || ' ' || sum(packets_in) || ' ' || sum(packets_out) || ' ' ||
	sum(bytes_in) || ' ' || sum(dpd_answers) || ' ' || sum(kernel_lines) FROM heartbeat"
eq "$(qb 1 "$hb")" "$(qb 100000 "$hb")" "the same pulse at batch 1 and 100000"
eq "$(qb 1 "SELECT sum(packets_in + packets_out) FROM heartbeat")" \
	"$(qb 1 "SELECT count(*) FROM (SELECT DISTINCT hostname, device_us, text FROM v_messages
		WHERE text LIKE '%] sending packet: %' OR text LIKE '%] received packet: %')")" \
	"every packet line counted once in its tunnel's pulse"
eq "$(qb 1 "SELECT count(*) FROM events WHERE tunnel_id IS NOT NULL")" \
	"$(qb 100000 "SELECT count(*) FROM events WHERE tunnel_id IS NOT NULL")" "as many lines tied"
sqlite3 "$T/b1.db" "ATTACH '$T/b100000.db' AS o;
	SELECT count(*) FROM v_events a JOIN o.v_events b ON b.message_id = a.message_id
	 WHERE a.event_id <> b.event_id OR a.tunnel IS NOT b.tunnel
	    OR a.hostname IS NOT b.hostname OR a.kind <> b.kind" >"$T/diff"
eq "$(cat "$T/diff")" "0" "same event ids, tunnels, devices and kinds either way"
sqlite3 "$T/b1.db" "ATTACH '$T/b100000.db' AS o;
	SELECT (SELECT count(*) FROM v_trail) - (SELECT count(*) FROM o.v_trail),
	 (SELECT count(*) FROM v_trail a JOIN o.v_trail b ON b.message_id = a.message_id
	   WHERE a.event_id = b.event_id AND a.tunnel IS b.tunnel AND a.device_us = b.device_us)
	 - (SELECT count(*) FROM v_trail)" >"$T/diff"
eq "$(cat "$T/diff")" "0|0" "the same DPD lines in the same tunnels' trails either way"
untied=$(qb 100000 "SELECT count(*) FROM events WHERE tunnel_id IS NULL AND source = 'charon'")
charon=$(qb 100000 "SELECT count(*) FROM events WHERE source = 'charon'")
[ "$untied" -le $((charon / 100)) ] || fail "too many charon lines untied: $untied of $charon"
eq "$(qb 1 "SELECT group_concat(symptom || ':' || root_cause, ',') FROM
	(SELECT symptom, root_cause FROM incidents ORDER BY incident_id)")" \
	"$(qb 100000 "SELECT group_concat(symptom || ':' || root_cause, ',') FROM
	(SELECT symptom, root_cause FROM incidents ORDER BY incident_id)")" "same incidents"
ok "held charon lines: $n lines, $untied of $charon charon lines untied, same result at batch 1 and 100000"
