#!/usr/bin/env bash
# t_pg_web.sh — the alert watcher and the web view on PostgreSQL
# (docs/scale-out.md, docs/web.md, docs/alerts.md): `serve --db
# postgresql://…` on a throw-away cluster with --http on loopback and a
# webhook to a local receiver (tests/tools/twhook.c).  The lab's DPD case
# (tests/fixtures/real/dpd.log, moved to end now) opens an incident:
#   1. the webhook gets incident.opened for it, once;
#   2. the fleet page, the tunnel, incident, device and raw-lines pages and
#      /metrics answer 200 and hold it;
#   3. the PostgreSQL server stopped and started under the running collector:
#      pages answer 503/500 meanwhile (never a crash), then 200 again on a
#      new session; the watcher logs the failed looks and goes on;
#   4. a restart of serve resumes the state saved in PostgreSQL: no repeat.
. "$(dirname "$0")/lib.sh"
. "$TW_SOURCE_DIR/tests/tools/pgtmp.sh"
command -v curl >/dev/null || fail "curl missing (bash deploy/build.sh --test)"
command -v python3 >/dev/null || { echo "skip: python3 missing"; exit 77; }
command -v psql >/dev/null || { echo "skip: psql (postgresql) missing"; exit 77; }
if [ -z "${TW_HOOK:-}" ] || [ ! -x "$TW_HOOK" ]; then
	echo "skip: no twhook (libmicrohttpd-dev is in deploy/build.sh --test)"
	exit 77
fi
trap 'pgtmp_stop; tw_cleanup' EXIT
pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
PG=$PGTMP_URI
pq() { psql -X -A -t -q "$PG" -c "$1"; }

export TZ=UTC
case_now "$TW_SOURCE_DIR/tests/fixtures/real/dpd.log" >"$T/case.log"

hook_start pg
echo '{ "alerts": { "debounce": "1s" } }' >"$T/alerts.json"
ARGS=(--spool-dir "$T/spool" --lateness 1s --correlate-interval 200ms
	--http 127.0.0.1:0 --config "$T/alerts.json" --alert-webhook "http://127.0.0.1:$HOOK_PORT/tw")
DB=$PG tw_start "${ARGS[@]}"
grep -q "alerts: 1 destination, 0 rules" "$T/serve.log" ||
	fail "serve on PostgreSQL does not alert: $(grep -e alerts -e 'not available' "$T/serve.log")"
web_url

# --- 1. the alert ------------------------------------------------------------
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$T/case.log" --count "$(wc -l <"$T/case.log")" \
	>/dev/null 2>&1 || fail "twsend"
wait_lines "$T/pg.out" '"event":"incident.opened"' 1
line=$(grep '"event":"incident.opened"' "$T/pg.out")
has "$line" '"hostname":"vedge01"' "the alert"
has "$line" '"tunnel":"ipsec2"' "the alert"
has "$line" '"root_cause":"dpd_timeout"' "the alert"
has "$line" 'giving up after 3 retransmits' "the alert's evidence"
ok "PostgreSQL: the webhook got incident.opened (vedge01 ipsec2, dpd_timeout, with its evidence)"

# --- 2. the pages ------------------------------------------------------------
INC=$(pq "SELECT incident_id FROM incidents ORDER BY incident_id LIMIT 1")
TUN=$(pq "SELECT tunnel_id FROM incidents WHERE incident_id = $INC")
DEV=$(pq "SELECT device_id FROM incidents WHERE incident_id = $INC")
[ -n "$INC" ] && [ -n "$TUN" ] && [ -n "$DEV" ] || fail "no incident in PostgreSQL"
get /
eq "$STATUS" 200 "GET /"
has "$BODY" "href=\"/incident/$INC\"" "fleet"
has "$BODY" "href=\"/tunnel/$TUN\"" "fleet"
has "$BODY" "ipsec2" "fleet"
has "$BODY" "vedge01" "fleet"
get "tunnel/$TUN"
eq "$STATUS" 200 "GET /tunnel"
has "$BODY" "Tunnel ipsec2 on vedge01" "tunnel"
has "$BODY" "dpd_timeout" "tunnel"
get "incident/$INC"
eq "$STATUS" 200 "GET /incident"
has "$BODY" "Incident #$INC" "incident"
has "$BODY" "giving up after 3 retransmits" "incident"
lines=$(echo "$BODY" | sed -n "s|.*href=\"/\(device/$DEV/lines?around=[0-9]*\)\".*|\1|p" | head -1)
[ -n "$lines" ] || fail "incident page: no raw-lines link"
get "$lines"
eq "$STATUS" 200 "GET raw lines"
has "$BODY" "sending DPD request" "raw lines"
get "device/$DEV"
eq "$STATUS" 200 "GET /device"
has "$BODY" "href=\"/tunnel/$TUN\"" "device"
get tunnel/999999
eq "$STATUS" 404 "unknown tunnel"
get metrics
eq "$STATUS" 200 "GET /metrics"
has "$BODY" 'tunnelwatch_incidents_open{symptom="down",root_cause="dpd_timeout"} 1' "metrics"
has "$BODY" 'tunnelwatch_tunnels{state="down"} 1' "metrics"
has "$BODY" 'tunnelwatch_database_readable 1' "metrics"
has "$BODY" 'tunnelwatch_database_bytes ' "metrics"
hasnt "$BODY" 'tunnelwatch_wal_bytes' "metrics (no WAL file on PostgreSQL)"
ok "PostgreSQL: fleet, tunnel, incident, raw lines, device pages and /metrics hold the incident"

# --- 3. the server goes away and comes back ----------------------------------
pgtmp_down || fail "pg_ctl stop"
get /
case $STATUS in 500|503) ;; *) fail "GET / with the server down: $STATUS" ;; esac
get metrics
eq "$STATUS" 200 "GET /metrics with the server down"
has "$BODY" 'tunnelwatch_database_readable 0' "metrics with the server down"
sleep 2
kill -0 "$TW_PID" || fail "serve died while PostgreSQL was down"
pgtmp_up || fail "pg_ctl start"
for i in $(seq 1 50); do
	get /
	[ "$STATUS" = 200 ] && break
	sleep 0.2
done
eq "$STATUS" 200 "GET / once the server is back"
has "$BODY" "href=\"/incident/$INC\"" "fleet after the outage"
grep -q "alerts: reading the database: .*; trying again" "$T/serve.log" ||
	fail "the watcher's failed looks are not logged"
ok "PostgreSQL stopped and started: pages 503/500 meanwhile, 200 again after; the watcher logged and went on"

# --- 4. once, and once across a restart ----------------------------------------
sleep 2
eq "$(grep -c '"event":"incident.opened"' "$T/pg.out")" 1 "incident.opened sent once"
tw_stop
DB=$PG tw_start "${ARGS[@]}"
grep -q "resuming the saved state" "$T/serve.log" ||
	fail "the alert state saved in PostgreSQL is not resumed: $(grep alerts "$T/serve.log")"
sleep 3
eq "$(grep -c '"event":"incident.opened"' "$T/pg.out")" 1 "incident.opened after a restart"
tw_stop
ok "PostgreSQL: the alert went out once, and a restart resumed the saved state without a repeat"
