#!/usr/bin/env bash
# tunnels, incidents, timeline: --json prints exactly the rows and columns
# of v_tunnels, v_incidents and v_events (the JSON-text columns evidence
# and detail embedded as JSON); filters select what the same WHERE on the
# view selects; tables on a terminal, TSV through a pipe; log text cannot
# reach a terminal as escape sequences; bad arguments are refused.
. "$(dirname "$0")/lib.sh"
cd "$T"

command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }

us() { echo $(( $(date -ud "$1" +%s) * 1000000 )); }

"$TW_BIN" import --db "$DB" --year 2024 "$TW_SOURCE_DIR/tests/fixtures/playbook_dpd.log" \
	"$TW_SOURCE_DIR/tests/fixtures/guide_delete.log" 2>import.log ||
	{ cat import.log; fail "import"; }
T1=$(q "SELECT tunnel_id FROM v_events WHERE line LIKE '%giving up after 3 retransmits%'")
T2=$(q "SELECT tunnel_id FROM v_events WHERE line LIKE '%received DELETE for IKE_SA ipsec1_1%'")
[ -n "$T1" ] && [ -n "$T2" ] || fail "fixture tunnels not found"
DEV1=$(q "SELECT coalesce(system_ip, hostname) FROM v_tunnels WHERE tunnel_id = $T1")
TUN1=$(q "SELECT tunnel FROM v_tunnels WHERE tunnel_id = $T1")
DOWN=$(us 2024-06-18T00:31:17Z)

q "DELETE FROM incident_evidence; DELETE FROM incidents; DELETE FROM fleet_events;
   DELETE FROM tunnel_state;"
q <<EOF
INSERT INTO tunnel_state(tunnel_id, state, state_since_us, last_us, flapping, flap_score)
  VALUES ($T1, 'up', $DOWN + 600000000, $DOWN + 600000000, 1, 1234.56),
         ($T2, 'down', $(us 2024-04-13T22:05:21Z), $(us 2024-04-13T22:05:21Z), 0, 0);
INSERT INTO incidents(incident_id, tunnel_id, device_id, peer_ip, symptom, root_cause,
                      summary, started_us, ended_us, detected_us)
  SELECT 10, $T1, device_id, '10.10.10.1', 'flap', 'dpd_timeout', 'DPD 543 unanswered',
         $DOWN, $DOWN + 600000000, 0 FROM tunnels WHERE tunnel_id = $T1
  UNION ALL
  SELECT 11, $T2, device_id, '10.10.10.1', 'stuck', 'peer_delete', 'peer DELETE',
         $(us 2024-04-13T22:05:21Z), NULL, 0 FROM tunnels WHERE tunnel_id = $T2
  UNION ALL
  SELECT 12, $T1, device_id, '10.10.10.1', 'flap', 'dpd_timeout', 'an earlier one',
         $DOWN - 86400000000, $DOWN - 86000000000, 0 FROM tunnels WHERE tunnel_id = $T1;
INSERT INTO incident_evidence(incident_id, seq, event_id, line)
  SELECT 10, row_number() OVER (ORDER BY e.device_us, e.event_id), e.event_id, m.raw
    FROM events e JOIN messages m USING (message_id)
   WHERE e.tunnel_id = $T1 AND e.kind IN ('retransmit', 'give_up');
-- A line with terminal escapes (as could come from a relay that does not
-- escape control bytes), tied to tunnel 1 inside the default window.
INSERT INTO messages(message_id, received_us, transport, device_us, hostname_id, program_id,
                     raw, msg_off, parse_status)
  VALUES (90001, $DOWN, 3, $DOWN + 1000000,
          (SELECT hostname_id FROM dict_hostnames WHERE name = 'vedge01'),
          (SELECT program_id FROM dict_programs WHERE name = 'charon'),
          'Jun 18 00:31:18 vedge01 charon: 16[IKE] evil ' || char(27) || '[31mred'
          || char(27) || ']0;title' || char(7) || ' ' || char(194, 155) || '2J end', 0, 0);
INSERT INTO events(event_id, message_id, device_id, tunnel_id, device_us, kind, source, detail)
  SELECT 90001, 90001, device_id, $T1, $DOWN + 1000000, 'charon_other', 'charon',
         '{"text":"evil"}' FROM tunnels WHERE tunnel_id = $T1;
EOF

# jcmp NAME SQL -- TUNNELWATCH ARGS...: the command's --json equals the view
# query's rows (sqlite3 -json), with the named JSON-text columns decoded.
jcmp() {
	local name=$1 sql=$2
	shift 3
	"$TW_BIN" "$@" --db "$DB" --json >got.json 2>err || { cat err; fail "$name: exit status"; }
	sqlite3 -json "$DB" "$sql" >want.json
	python3 - "$name" <<'EOF' || fail "$1: --json differs from the view"
import json, os, sys
got = json.load(open("got.json"))
drop = os.environ.get("JCMP_DROP_KIND")   # rows the view does not have
if drop:
    got = [r for r in got if r.get("kind") != drop]
# incidents --json adds evidence_shown (the same lines as "device-time host
# program: message"): one per evidence line; the rest is the view's row.
for r in got:
    if "evidence_shown" in r:
        shown = r.pop("evidence_shown")
        if len(shown) != len(r["evidence"]):
            sys.exit(f"evidence_shown has {len(shown)} lines, evidence {len(r['evidence'])}")
raw = open("want.json").read().strip()
want = json.loads(raw) if raw else []
for row in want:
    for col in ("evidence", "detail"):
        if isinstance(row.get(col), str):
            row[col] = json.loads(row[col])
if got != want:
    print("got:", json.dumps(got, indent=1)[:3000], "\nwant:", json.dumps(want, indent=1)[:3000])
    sys.exit(1)
if not isinstance(got, list):
    sys.exit("not an array")
print(f"  {sys.argv[1]}: {len(got)} rows")
EOF
}

ORD_T="ORDER BY hostname, system_ip, tunnel, tunnel_id"
jcmp "tunnels" "SELECT * FROM v_tunnels $ORD_T" -- tunnels
jcmp "tunnels --state down" "SELECT * FROM v_tunnels WHERE state = 'down' $ORD_T" -- \
	tunnels --state down
jcmp "tunnels --flapping" "SELECT * FROM v_tunnels WHERE flapping = 1 $ORD_T" -- \
	tunnels --flapping
jcmp "tunnels --device" "SELECT * FROM v_tunnels
	WHERE hostname = '$DEV1' OR system_ip = '$DEV1' $ORD_T" -- tunnels --device "$DEV1"
[ "$(python3 -c 'import json; print(len(json.load(open("got.json"))))')" -ge 1 ] ||
	fail "tunnels --device found nothing"
ok "tunnels --json matches v_tunnels (all, --state, --flapping, --device)"

ORD_I="ORDER BY started_us, incident_id"
jcmp "incidents" "SELECT * FROM v_incidents $ORD_I" -- incidents
S=$(us 2024-06-18T00:00:00Z)
E=$(us 2024-06-19T00:00:00Z)
jcmp "incidents --since" "SELECT * FROM v_incidents WHERE started_us < $E
	AND (started_us >= $S OR ended_us IS NULL OR ended_us > $S) $ORD_I" -- \
	incidents --since 2024-06-18T00:00:00Z/24h
python3 -c 'import json; ids = [r["incident_id"] for r in json.load(open("got.json"))]
assert ids == [11, 10], ids' || fail "incidents --since: the open one and the one of that day"
jcmp "incidents --root-cause" "SELECT * FROM v_incidents WHERE root_cause = 'dpd_timeout'
	$ORD_I" -- incidents --root-cause dpd_timeout
jcmp "incidents --device --tunnel" "SELECT * FROM v_incidents
	WHERE (hostname = '$DEV1' OR system_ip = '$DEV1') AND tunnel = '$TUN1' $ORD_I" -- \
	incidents --device "$DEV1" --tunnel "$TUN1"
python3 -c 'import json; r = json.load(open("got.json"))
assert [x["incident_id"] for x in r] == [12, 10], r
assert any("giving up" in l for l in r[1]["evidence"]), r[1]
ev, shown = r[1]["evidence"], r[1]["evidence_shown"]
assert len(ev) == len(shown) and shown, shown
for raw, s in zip(ev, shown):
    assert s.endswith(raw.split(": ", 1)[1]), (raw, s)       # the message
    assert not s.startswith("<") and s[4] == "-" and s[10] == "T", s   # device time first
    assert " " + raw.split()[3] + " " in s, (raw, s)          # the host' ||
	fail "incidents --device: evidence embedded, and shown as device-time host program: message"
ok "incidents --json matches v_incidents (all, --since, --root-cause, --device, --tunnel)"

# timeline: default centre = the latest incident's start, window 15 m.
# Its pulse rows (one per minute of v_heartbeat) are checked apart.
# The DPD lines have no events row: v_trail lists them, as v_events would.
EV="SELECT * FROM v_events UNION ALL SELECT event_id, message_id, hostname, system_ip,
	tunnel, device_time, kind, 'charon', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	line, device_us, tunnel_id, device_id FROM v_trail"
JCMP_DROP_KIND=pulse jcmp "timeline" "SELECT * FROM ($EV) WHERE tunnel_id = $T1
	AND device_us BETWEEN $DOWN - 900000000 AND $DOWN + 900000000
	ORDER BY device_us, event_id" -- timeline --device "$DEV1" --tunnel "$TUN1"
sqlite3 -json "$DB" "SELECT minute_us, 'pulse of the minute: ' || summary AS line
	FROM v_heartbeat WHERE tunnel_id = $T1
	AND minute_us BETWEEN $DOWN - 900000000 - 59999999 AND $DOWN + 900000000
	ORDER BY minute_us" >want.json
python3 - <<'EOF' || fail "timeline: one pulse row per minute of v_heartbeat"
import json
got = [(r["device_us"], r["line"]) for r in json.load(open("got.json")) if r["kind"] == "pulse"]
want = [(r["minute_us"], r["line"]) for r in json.load(open("want.json"))]
assert got == want and got, (got, want)
EOF
python3 - <<'EOF' || fail "timeline content"
import json
r = [x for x in json.load(open("got.json")) if x["kind"] != "pulse"]
kinds = [x["kind"] for x in r]
assert "retransmit" in kinds and "give_up" in kinds and "dpd_request" in kinds, kinds
t = [x["device_us"] for x in r]
assert t == sorted(t), "device-time order"
assert len({x["message_id"] for x in r}) == len(r), "a line twice"
assert any(x["detail"] == {"text": "evil"} for x in r), "detail embedded as JSON"
EOF
JCMP_DROP_KIND=pulse jcmp "timeline --around --window" "SELECT * FROM ($EV) WHERE tunnel_id = $T1
	AND device_us BETWEEN $(us 2024-06-18T00:26:15Z) - 40000000
	AND $(us 2024-06-18T00:26:15Z) + 40000000 ORDER BY device_us, event_id" -- \
	timeline --device "$DEV1" --tunnel "$TUN1" --around 2024-06-18T00:26:15Z --window 40s
python3 -c 'import json; k = [x["kind"] for x in json.load(open("got.json"))]
assert k == ["pulse", "retransmit", "pulse", "retransmit"], k' || fail "timeline --window 40s"
ok "timeline --json matches v_events and v_trail (default centre, --around, --window)"

# --- tables ------------------------------------------------------------------
"$TW_BIN" tunnels --db "$DB" >tsv.out
head -1 tsv.out | grep -q "^DEVICE	SYSTEM-IP	TUNNEL	" || fail "TSV header"
eq "$(($(wc -l <tsv.out) - 1))" "$(q "SELECT count(*) FROM v_tunnels")" "TSV: a line per tunnel"
"$TW_BIN" incidents --db "$DB" | awk -F'\t' 'NR > 1 { print $1 }' | tr '\n' ' ' >ids.out
eq "$(cat ids.out)" "11 12 10 " "incidents TSV ids in start order"

tty_run() {   # the command on a pseudo-terminal
	script -qec "$*" /dev/null | tr -d '\r'
}
if command -v script >/dev/null; then
	tty_run "'$TW_BIN' tunnels --db '$DB'" >tty.out
	head -1 tty.out | grep -q "^DEVICE  *SYSTEM-IP  *TUNNEL" || { cat tty.out; fail "tty table header"; }
	grep -q "	" tty.out && fail "tty table must not be tab-separated"
	tty_run "'$TW_BIN' incidents --db '$DB'" >tty.out
	grep -q "open" tty.out || { cat tty.out; fail "an open incident shows as open"; }
	tty_run "'$TW_BIN' timeline --db '$DB' --device '$DEV1' --tunnel '$TUN1'" >tty.out
	grep -q "incident #10 starts" tty.out || { cat tty.out; fail "incident marker"; }
	grep -q "giving up after 3 retransmits" tty.out || fail "timeline lines on a tty"
	if LC_ALL=C grep -q $'\x1b\|\x07\|\xc2\x9b' tty.out; then
		fail "control characters from a log line reached the terminal"
	fi
	grep -q "evil .\{1,3\}\[31mred" tty.out || { cat tty.out; fail "escaped line still shown"; }
	"$TW_BIN" timeline --db "$DB" --device "$DEV1" --tunnel "$TUN1" >pipe.out
	LC_ALL=C grep -q $'\x1b' pipe.out && fail "control characters in TSV"
	# Lines as host program: message (the time is the first column); --raw the frame.
	grep -q "	give_up	vedge01 charon: 11\[IKE\] giving up after 3 retransmits$" pipe.out ||
		{ cat pipe.out; fail "timeline: lines shown as host program: message"; }
	grep -q "	Jun 18 " pipe.out && { cat pipe.out; fail "timeline: raw frames shown"; }
	"$TW_BIN" timeline --db "$DB" --device "$DEV1" --tunnel "$TUN1" --raw >raw.out
	grep -q "	give_up	Jun 18 00:31:17 vedge01 charon: .*giving up" raw.out ||
		{ cat raw.out; fail "timeline --raw: the frame"; }
	ok "tables on a terminal, TSV in a pipe, no escape sequences from logs"
fi

# --- errors ----------------------------------------------------------------
if "$TW_BIN" tunnels --db "$DB" --state sideways 2>err; then fail "bad --state"; fi
if "$TW_BIN" incidents --db "$DB" --root-cause gremlins 2>err; then fail "bad --root-cause"; fi
grep -q "dpd_timeout" err || fail "--root-cause lists the causes"
if "$TW_BIN" incidents --db "$DB" --since someday 2>err; then fail "bad --since"; fi
if "$TW_BIN" timeline --db "$DB" --tunnel ipsec2 2>err; then fail "timeline without --device"; fi
if "$TW_BIN" timeline --db "$DB" --device "$DEV1" --tunnel ipsec99 2>err; then
	fail "unknown tunnel"
fi
grep -q "it has: .*$TUN1" err || { cat err; fail "unknown tunnel lists the device's tunnels"; }
q "INSERT INTO devices(device_id, hostname, system_ip) VALUES (801, 'twin', '10.8.0.1'),
   (802, 'twin', '10.8.0.2');
   INSERT INTO tunnels(device_id, name) VALUES (801, 'ipsec1'), (802, 'ipsec1');"
if "$TW_BIN" timeline --db "$DB" --device twin --tunnel ipsec1 2>err; then
	fail "ambiguous device"
fi
grep -q "give --device SYSTEM-IP" err || { cat err; fail "ambiguity explained"; }
"$TW_BIN" timeline --db "$DB" --device 10.8.0.2 --tunnel ipsec1 2>err &&
	fail "a tunnel without lines has no timeline"
grep -q "no lines" err || { cat err; fail "no lines explained"; }
if "$TW_BIN" tunnels --db "$T/absent.db" 2>/dev/null; then fail "missing database"; fi
[ ! -e "$T/absent.db" ] || fail "query commands must not create a database"
ok "bad arguments refused with a reason"

# --- the ready-to-use queries of docs/querying.md all run --------------------
python3 - "$TW_SOURCE_DIR/docs/querying.md" "$DB" <<'EOF2' || fail "docs/querying.md queries"
import re, sqlite3, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
assert blocks, "no sql blocks"
db = sqlite3.connect(f"file:{sys.argv[2]}?mode=ro", uri=True)
n = 0
for block in blocks:
    for stmt in re.split(r";\s*\n", block):
        body = "\n".join(l for l in stmt.splitlines() if not l.strip().startswith("--"))
        if body.strip():
            db.execute(body).fetchall()
            n += 1
print(f"  {n} queries of docs/querying.md run")
EOF2
ok "docs/querying.md: every query runs"
