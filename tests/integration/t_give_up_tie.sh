#!/usr/bin/env bash
# Regression: "giving up after 5 retransmits" tied to another tunnel.
#
# charon logs the give-up from a job of its own.  Without the <conn|uid>
# prefix the line names nothing, and in the history run (1,000 vEdges x 10
# days) it came on a thread that had served ipsec1's DPD two seconds
# before: the resolver gave it to ipsec1 (a false "down, dpd_timeout"
# there, and ipsec2's real flap left with "no charon evidence").  The
# give-up belongs to the tunnel whose request was retransmitted 5 times:
# ipsec2 (tests/fixtures/give_up_other_thread.log, vedge0943 of that run).
. "$(dirname "$0")/lib.sh"
F=$TW_SOURCE_DIR/tests/fixtures/give_up_other_thread.log

"$TW_BIN" import --db "$T/tw.db" "$F" >"$T/import.log" 2>&1 || fail "import: $(cat "$T/import.log")"
qd() { sqlite3 "$T/tw.db" "$1"; }

eq "$(qd "SELECT group_concat(t.name) FROM events e JOIN tunnels t USING (tunnel_id)
	WHERE e.kind = 'give_up'")" "ipsec2" "the give-up is ipsec2's"
# The job's next line ("establishing IKE_SA failed" in other runs; here
# "restarting CHILD_SA child_ipsec2_1") names ipsec2 itself.
eq "$(qd "SELECT group_concat(DISTINCT t.name) FROM events e JOIN tunnels t USING (tunnel_id)
	JOIN events g ON g.kind = 'give_up' AND g.thread = e.thread AND g.device_us = e.device_us
	WHERE e.source = 'charon'")" "ipsec2" "the give-up's job (thread 16, that second) is ipsec2's"
eq "$(qd "SELECT group_concat(t.name || ':' || i.symptom || ':' || i.root_cause)
	FROM incidents i JOIN tunnels t USING (tunnel_id)")" "ipsec2:flap:dpd_timeout" \
	"one incident: ipsec2 flapped on a DPD timeout; ipsec1 untouched"

# Two tunnels retransmitting at once: each give-up goes to the tunnel
# whose count it matches, whichever thread logs it.
cat >"$T/two.log" <<'LOG'
<30>May  1 00:00:01 vedge0001 charon: 05[IKE] initiating IKE_SA ipsec1_1[1] to 203.0.113.1
<30>May  1 00:00:01 vedge0001 charon: 05[NET] sending packet: from 198.51.100.1[500] to 203.0.113.1[500] (464 bytes)
<30>May  1 00:00:02 vedge0001 charon: 06[IKE] initiating IKE_SA ipsec2_1[2] to 203.0.113.2
<30>May  1 00:00:02 vedge0001 charon: 06[NET] sending packet: from 198.51.100.1[500] to 203.0.113.2[500] (464 bytes)
<30>May  1 00:00:05 vedge0001 charon: 07[IKE] retransmit 1 of request with message ID 0
<30>May  1 00:00:05 vedge0001 charon: 07[NET] sending packet: from 198.51.100.1[500] to 203.0.113.1[500] (464 bytes)
<30>May  1 00:00:06 vedge0001 charon: 08[IKE] retransmit 2 of request with message ID 0
<30>May  1 00:00:06 vedge0001 charon: 08[NET] sending packet: from 198.51.100.1[500] to 203.0.113.2[500] (464 bytes)
<30>May  1 00:00:40 vedge0001 charon: 09[IKE] giving up after 1 retransmits
<30>May  1 00:00:41 vedge0001 charon: 09[IKE] giving up after 2 retransmits
LOG
"$TW_BIN" import --db "$T/two.db" "$T/two.log" >"$T/import2.log" 2>&1 || fail "import two"
eq "$(sqlite3 "$T/two.db" "SELECT group_concat(t.name || ':' || e.count, ' ') FROM events e
	JOIN tunnels t USING (tunnel_id) WHERE e.kind = 'give_up' ORDER BY e.event_id")" \
	"ipsec1:1 ipsec2:2" "each give-up to the tunnel it matches, though both came on thread 09"
# A job's first line is never the previous job's, however close in time
# (the second history run, vedge0971): thread 09 served ipsec3's DPD at
# 08:06:41, then logged ipsec2's "retransmit 5" at 08:06:42, whose packet
# line names ipsec2's peer.  Tied to ipsec3, that retransmit then sent
# ipsec2's give-up to ipsec3 as well.
cat >"$T/job.log" <<'LOG'
<30>May  8 08:00:01 vedge0971 charon: 05[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.15
<30>May  8 08:00:01 vedge0971 charon: 05[NET] sending packet: from 198.51.100.209[500] to 203.0.113.15[500] (464 bytes)
<30>May  8 08:00:02 vedge0971 charon: 06[IKE] initiating IKE_SA ipsec3_1[2] to 203.0.113.3
<30>May  8 08:00:02 vedge0971 charon: 06[NET] sending packet: from 198.51.100.209[500] to 203.0.113.3[500] (464 bytes)
<30>May  8 08:06:41 vedge0971 charon: 09[IKE] sending DPD request
<30>May  8 08:06:41 vedge0971 charon: 09[ENC] generating INFORMATIONAL request 161 [ ]
<30>May  8 08:06:41 vedge0971 charon: 09[NET] sending packet: from 198.51.100.209[4500] to 203.0.113.3[4500] (76 bytes)
<30>May  8 08:06:42 vedge0971 charon: 09[IKE] retransmit 5 of request with message ID 4
<30>May  8 08:06:42 vedge0971 charon: 09[NET] sending packet: from 198.51.100.209[4500] to 203.0.113.15[4500] (76 bytes)
<30>May  8 08:06:43 vedge0971 charon: 09[IKE] sending DPD request
<30>May  8 08:06:43 vedge0971 charon: 09[ENC] generating INFORMATIONAL request 162 [ ]
<30>May  8 08:06:43 vedge0971 charon: 09[NET] sending packet: from 198.51.100.209[4500] to 203.0.113.3[4500] (76 bytes)
<30>May  8 08:07:58 vedge0971 charon: 09[IKE] giving up after 5 retransmits
LOG
"$TW_BIN" import --db "$T/job.db" "$T/job.log" >"$T/import3.log" 2>&1 || fail "import job"
eq "$(sqlite3 "$T/job.db" "SELECT group_concat(t.name || ':' || e.kind, ' ') FROM events e
	JOIN tunnels t USING (tunnel_id) WHERE e.kind IN ('retransmit', 'give_up')
	ORDER BY e.event_id")" "ipsec2:retransmit ipsec2:give_up" \
	"each job's first line goes with its own job, not the thread's previous one"
# (the DPD probes are no events rows: their tunnel's pulse counts them)
eq "$(sqlite3 "$T/job.db" "SELECT group_concat(tunnel || ':' || dpd_sent || ':' || retransmits, ' ')
	FROM (SELECT * FROM v_heartbeat WHERE dpd_sent + retransmits > 0 ORDER BY tunnel)")" "ipsec2:0:1 ipsec3:2:0" \
	"both DPD jobs are ipsec3's, the retransmit between them ipsec2's"
# Two tunnels at "retransmit 5" (the third history run, vedge0676): the
# give-up belongs to the one that retransmitted first (charon gives up a
# fixed time after the last retransmit), and a tunnel whose request was
# answered in between has nothing left to give up on.
cat >"$T/two5.log" <<'LOG'
<30>May 10 06:30:01 vedge0676 charon: 05[IKE] initiating IKE_SA ipsec2_1[1] to 203.0.113.8
<30>May 10 06:30:01 vedge0676 charon: 05[NET] sending packet: from 192.0.2.168[500] to 203.0.113.8[500] (464 bytes)
<30>May 10 06:30:02 vedge0676 charon: 06[IKE] initiating IKE_SA ipsec3_1[2] to 203.0.113.12
<30>May 10 06:30:02 vedge0676 charon: 06[NET] sending packet: from 192.0.2.168[500] to 203.0.113.12[500] (464 bytes)
<30>May 10 06:31:40 vedge0676 charon: 11[IKE] initiating IKE_SA ipsec4_1[3] to 203.0.113.4
<30>May 10 06:31:40 vedge0676 charon: 11[NET] sending packet: from 192.0.2.168[500] to 203.0.113.4[500] (464 bytes)
<30>May 10 06:31:50 vedge0676 charon: 12[IKE] retransmit 5 of request with message ID 0
<30>May 10 06:31:50 vedge0676 charon: 12[NET] sending packet: from 192.0.2.168[500] to 203.0.113.4[500] (464 bytes)
<30>May 10 06:31:51 vedge0676 charon: 13[NET] received packet: from 203.0.113.4[500] to 192.0.2.168[500] (456 bytes)
<30>May 10 06:31:51 vedge0676 charon: 13[ENC] parsed IKE_SA_INIT response 0 [ SA KE No ]
<30>May 10 06:32:40 vedge0676 charon: 10[IKE] retransmit 5 of request with message ID 6
<30>May 10 06:32:40 vedge0676 charon: 10[NET] sending packet: from 192.0.2.168[4500] to 203.0.113.8[4500] (76 bytes)
<30>May 10 06:32:59 vedge0676 charon: 01[IKE] retransmit 5 of request with message ID 0
<30>May 10 06:32:59 vedge0676 charon: 01[NET] sending packet: from 192.0.2.168[500] to 203.0.113.12[500] (464 bytes)
<30>May 10 06:33:55 vedge0676 charon: 09[IKE] giving up after 5 retransmits
<30>May 10 06:34:15 vedge0676 charon: 03[IKE] giving up after 5 retransmits
LOG
"$TW_BIN" import --db "$T/two5.db" "$T/two5.log" >"$T/import4.log" 2>&1 || fail "import two5"
eq "$(sqlite3 "$T/two5.db" "SELECT group_concat(t.name, ' ') FROM events e
	JOIN tunnels t USING (tunnel_id) WHERE e.kind = 'give_up' ORDER BY e.event_id")" \
	"ipsec2 ipsec3" "give-ups in the order of the retransmits; ipsec4 was answered"
ok "give-ups tied by their retransmits, and job-starting lines by their own job"
