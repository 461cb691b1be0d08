#!/usr/bin/env bash
# Alerts end to end (docs/alerts.md): `serve` with webhooks pointing at a
# real local HTTP receiver (tests/tools/twhook.c, libmicrohttpd) and an
# exec hook, a replayed DPD failure with the current time:
#   1. incident.opened arrives within seconds with the right document, on
#      the webhook and on the hook's stdin; a restart repeats nothing and
#      still sends incident.closed when the tunnel comes back;
#   2. a receiver answering 500 twice gets the alert on the third attempt
#      (alerts_retried 2, alerts_sent 1);
#   3. three devices losing one peer give one fleet.opened, no incident
#      alerts; a flapping tunnel one tunnel.flapping, not one per flap; a
#      destination with rate_limit 1 gets one alert, the rest counted as
#      suppressed.
. "$(dirname "$0")/lib.sh"
if [ -z "${TW_HOOK:-}" ] || [ ! -x "$TW_HOOK" ]; then
	echo "skip: no twhook (libmicrohttpd-dev is in deploy/build.sh --test)"
	exit 77
fi

# hook_start and wait_lines: lib.sh.

# doc FILE N EXPR: EXPR (Python, d = the document) of the N-th delivered
# (status 200) document in FILE.
doc() {
	python3 - "$@" <<'EOF'
import json, sys
docs = [l.split(" ", 3)[3] for l in open(sys.argv[1]) if l.startswith("200 ")]
d = json.loads(docs[int(sys.argv[2])])
print(eval(sys.argv[3]))
EOF
}

# at SECONDS_AGO HOST PROGRAM TEXT: an RFC 3164 line of the current time
# (UTC, the collector's default zone; bash's own strftime, no process per line).
export TZ=UTC
at() {
	printf '%(%b %e %H:%M:%S)T %s %s: %s\n' "$(($(printf '%(%s)T' -1) - $1))" "$2" "$3" "$4"
}
ftmd() {   # ftmd SECONDS_AGO HOST SYSIP IF up|down
	at "$1" "$2" "FTMD[1472]" "%Viptela-$2-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:\"$2\" system-ip:$3 vpn-id:1 if-name:\"$4\" new-state:$5"
}
# dpd_loss HOST PEER LOCAL SYSIP IF: the peer stops answering DPD; down now.
dpd_loss() {
	at 100 "$1" charon "11[ENC] generating INFORMATIONAL request 7 [ ]"
	at 100 "$1" charon "11[NET] sending packet: from $3[4500] to $2[4500] (76 bytes)"
	at 100 "$1" charon "07[NET] received packet: from $2[4500] to $3[4500] (76 bytes)"
	at 100 "$1" charon "07[ENC] parsed INFORMATIONAL response 7 [ ]"
	at 60 "$1" charon "08[IKE] sending DPD request"
	at 60 "$1" charon "08[ENC] generating INFORMATIONAL request 8 [ ]"
	at 60 "$1" charon "08[NET] sending packet: from $3[4500] to $2[4500] (76 bytes)"
	at 50 "$1" charon "05[IKE] retransmit 1 of request with message ID 8"
	at 50 "$1" charon "05[NET] sending packet: from $3[4500] to $2[4500] (76 bytes)"
	at 30 "$1" charon "06[IKE] retransmit 2 of request with message ID 8"
	at 30 "$1" charon "06[NET] sending packet: from $3[4500] to $2[4500] (76 bytes)"
	at 0 "$1" charon "11[IKE] giving up after 2 retransmits"
	ftmd 0 "$1" "$4" "$5" down
}
# back HOST PEER LOCAL SYSIP IF: the tunnel up again now.
back() {
	at 0 "$1" charon "16[IKE] initiating IKE_SA ${5}_1[9] to $2"
	at 0 "$1" charon "12[IKE] IKE_SA ${5}_1[9] established between $3[$3]...$2[$2]"
	at 0 "$1" charon "12[IKE] CHILD_SA child_${5}_1{9} established with SPIs c1a2b3c4_i 0d0e0f10_o and TS 10.0.0.0/24 === 10.1.0.0/24"
	ftmd 0 "$1" "$4" "$5" up
}
send() {
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$1" --count "$(wc -l <"$1")" 2>/dev/null
}

# --- 1. webhook and exec hook: opened, restart, closed -----------------------
hook_start one
cat >"$T/one.json" <<EOF
{ "alerts": { "debounce": "1s" } }
EOF
HOOK='{ echo "env $TUNNELWATCH_EVENT|$TUNNELWATCH_TITLE"; cat; echo; } >>'"$T/exec.out"
ARGS=(--lateness 1s --correlate-interval 200ms --config "$T/one.json"
	--alert-webhook "http://127.0.0.1:$HOOK_PORT/tw" --alert-exec "$HOOK")
tw_start "${ARGS[@]}"
grep -q "alerts: 2 destinations, 0 rules, debounce 1000 ms" "$T/serve.log" ||
	fail "serve says it alerts: $(grep alerts "$T/serve.log")"
dpd_loss vedge01 198.51.100.1 192.0.2.1 10.0.0.1 ipsec2 >"$T/loss.log"
t0=$(date +%s)
send "$T/loss.log"
wait_lines "$T/one.out" '"event":"incident.opened"' 1
echo "ok - the webhook arrived $(($(date +%s) - t0)) s after the failure was sent"
eq "$(doc "$T/one.out" 0 'd["version"], d["source"], d["destination"]')" \
	"(1, 'tunnelwatch', 'webhook-1')" "document header"
eq "$(doc "$T/one.out" 0 'd["incident"]["hostname"], d["incident"]["system_ip"], d["incident"]["tunnel"], d["incident"]["peer_ip"]')" \
	"('vedge01', '10.0.0.1', 'ipsec2', '198.51.100.1')" "where"
eq "$(doc "$T/one.out" 0 'd["incident"]["symptom"], d["incident"]["root_cause"], d["incident"]["ended_at"]')" \
	"('down', 'dpd_timeout', None)" "what"
eq "$(doc "$T/one.out" 0 'd["title"]')" "vedge01 ipsec2: down (dpd_timeout)" "title"
case "$(doc "$T/one.out" 0 '" | ".join(d["incident"]["evidence"])')" in
*"retransmit 2 of request with message ID 8"*"giving up after 2 retransmits"*) ;;
*) fail "evidence in the document" ;;
esac
grep -q "^200 POST /tw {" "$T/one.out" || fail "a POST to the URL's path"
wait_lines "$T/exec.out" "^env incident.opened|vedge01 ipsec2: down (dpd_timeout)$" 1
grep -q '^{"version":1,"source":"tunnelwatch","event":"incident.opened".*"destination":"exec-1"' \
	"$T/exec.out" || fail "the exec hook reads the document on stdin: $(cat "$T/exec.out")"
ok "incident.opened: webhook (document v1, where, what, evidence) and exec hook (stdin, environment)"

tw_stop
tw_start "${ARGS[@]}"
grep -q "resuming the saved state" "$T/serve.log" || fail "the state saved at stop is resumed"
sleep 3
eq "$(grep -c '"event":"incident.opened"' "$T/one.out")" 1 "no repeat after a restart"
back vedge01 198.51.100.1 192.0.2.1 10.0.0.1 ipsec2 >"$T/back.log"
send "$T/back.log"
wait_lines "$T/one.out" '"event":"incident.closed"' 1
wait_lines "$T/exec.out" "^env incident.closed|" 1
eq "$(doc "$T/one.out" 1 'd["event"], d["incident"]["hostname"], d["incident"]["ended_at"] is not None')" \
	"('incident.closed', 'vedge01', True)" "closed"
tw_stop
eq "$(counter alerts_sent)" 2 "alerts_sent after the restart (the closes)"
eq "$(counter alerts_failed)" 0 "alerts_failed"
ok "a restart repeats nothing, and the close after it is sent"

# --- 2. retries: the receiver answers 500 twice ----------------------------
DB=$T/retry.db
hook_start retry --fail-first 2
tw_start --lateness 1s --correlate-interval 200ms --config "$T/one.json" \
	--alert-webhook "http://127.0.0.1:$HOOK_PORT/"
dpd_loss vedge02 198.51.100.2 192.0.2.2 10.0.0.2 ipsec1 >"$T/loss2.log"
send "$T/loss2.log"
wait_lines "$T/retry.out" '^200 POST' 1
eq "$(cut -c1-3 "$T/retry.out" | tr '\n' ' ')" "500 500 200 " "two failures, then delivered"
grep -q "attempt 3 of 6" "$T/serve.log" || fail "the retries are logged"
tw_stop
eq "$(counter alerts_retried)" 2 "alerts_retried"
eq "$(counter alerts_sent)" 1 "alerts_sent"
ok "a receiver answering 500 twice gets the alert on the third attempt (back-off 1 s, 2 s)"

# --- 3. grouping and rate limits -------------------------------------------
DB=$T/group.db
hook_start all
ALL=$HOOK_PORT
hook_start limited
cat >"$T/group.json" <<EOF
{ "alerts": { "debounce": "3s", "destinations": [
    { "name": "all", "webhook": "http://127.0.0.1:$ALL/" },
    { "name": "limited", "webhook": "http://127.0.0.1:$HOOK_PORT/", "rate_limit": 1 } ] } }
EOF
tw_start --lateness 1s --correlate-interval 200ms --config "$T/group.json" --flap-count 3
{
	dpd_loss vedge11 203.0.113.9 192.0.2.11 10.0.0.11 ipsec1
	dpd_loss vedge12 203.0.113.9 192.0.2.12 10.0.0.12 ipsec1
	dpd_loss vedge13 203.0.113.9 192.0.2.13 10.0.0.13 ipsec1
} >"$T/fleet.log"
send "$T/fleet.log"
wait_lines "$T/all.out" '"event":"fleet.opened"' 1
eq "$(doc "$T/all.out" 0 'd["fleet_event"]["peer_ip"], d["fleet_event"]["devices"], sorted(m["hostname"] for m in d["fleet_event"]["members"])')" \
	"('203.0.113.9', 3, ['vedge11', 'vedge12', 'vedge13'])" "the fleet event's document"
# A flapping tunnel: three short outages.
{
	ftmd 200 vedge31 10.0.0.31 ipsec1 up
	ftmd 150 vedge31 10.0.0.31 ipsec1 down
	ftmd 140 vedge31 10.0.0.31 ipsec1 up
	ftmd 100 vedge31 10.0.0.31 ipsec1 down
	ftmd 90 vedge31 10.0.0.31 ipsec1 up
	ftmd 50 vedge31 10.0.0.31 ipsec1 down
	ftmd 40 vedge31 10.0.0.31 ipsec1 up
} >"$T/flap.log"
send "$T/flap.log"
wait_lines "$T/all.out" '"event":"tunnel.flapping"' 1
# Two more incidents of their own, for the rate limit.
{
	dpd_loss vedge21 198.51.100.21 192.0.2.21 10.0.0.21 ipsec1
	dpd_loss vedge22 198.51.100.22 192.0.2.22 10.0.0.22 ipsec1
} >"$T/two.log"
send "$T/two.log"
wait_lines "$T/all.out" '"event":"incident.opened"' 2
sleep 2
eq "$(grep -c '"event":"incident.opened".*"hostname":"vedge1[123]"' "$T/all.out")" 0 \
	"no incident alert for the fleet event's members"
eq "$(grep -c '"event":"fleet.opened"' "$T/all.out")" 1 "one fleet alert"
eq "$(grep -c '"event":"tunnel.flapping"' "$T/all.out")" 1 "one flapping alert"
eq "$(grep -c '"hostname":"vedge31"' "$T/all.out")" 1 "no alert per flap"
eq "$(doc "$T/all.out" 1 'd["tunnel"]["hostname"], d["tunnel"]["tunnel"], d["tunnel"]["flaps_24h"]')" \
	"('vedge31', 'ipsec1', 3)" "the flapping tunnel's document"
eq "$(wc -l <"$T/limited.out")" 1 "rate_limit 1: one alert to the limited destination"
tw_stop
# grouped: 3 members x 2 destinations; rate-limited on "limited": the
# flapping tunnel and the 2 incidents
eq "$(counter alerts_suppressed)" 9 "alerts_suppressed"
eq "$(counter alerts_sent)" 5 "alerts_sent (all: fleet, flapping, 2 incidents; limited: 1)"
ok "one alert per fleet event and per flapping tunnel; rate limit per destination"
