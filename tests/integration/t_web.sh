#!/usr/bin/env bash
# web: `serve --http` (docs/web.md).  A DPD failure and a device with a
# hostile hostname and hostile log text are sent live; the fleet page, the
# tunnel, incident, device and raw-lines pages and the reports archive load
# and hold them, every hostile string escaped; only GET; a bearer token and
# a basic-auth file gate the pages but not /metrics from the allowlist; an
# address outside the allowlist gets no connection.  Headless Chromium
# (Debian's chromium) renders the fleet page: its DOM holds the tunnels and
# incidents and no injected element, and a screenshot is kept under the
# build's tests/artifacts/.  Without chromium the test fails: it must not
# pass without a browser having rendered the page.
. "$(dirname "$0")/lib.sh"
cd "$T"

command -v curl >/dev/null || fail "curl missing (bash deploy/build.sh --test)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || fail "chromium missing: install Debian's chromium (bash deploy/build.sh --test)"
ART=$(dirname "$TW_BIN")/tests/artifacts
mkdir -p "$ART"

# at SECONDS_AGO HOST PROGRAM TEXT: an RFC 3164 line that long ago.
NOW=$(date -u +%s)
at() {
	printf '<30>%s %s %s: %s\n' "$(date -u -d "@$((NOW - $1))" '+%b %e %H:%M:%S')" "$2" "$3" "$4"
}
# dpd_loss AGO HOST IF PEER LOCAL SYSIP [TEXT]: up, then DPD lost, FTMD down.
dpd_loss() {
	local t=$1
	at $((t + 200)) "$2" charon "16[IKE] initiating IKE_SA ${3}_1[5] to $4"
	at $((t + 200)) "$2" charon "12[IKE] IKE_SA ${3}_1[5] established between $5[$5]...$4[$4]"
	at $((t + 200)) "$2" charon "12[IKE] CHILD_SA child_${3}_1{5} established with SPIs c1a2b3c4_i 0d0e0f10_o and TS 10.0.0.0/24 === 10.1.0.0/24"
	at $((t + 60)) "$2" charon "08[IKE] <${3}_1|5> sending DPD request"
	at $((t + 60)) "$2" charon "08[ENC] <${3}_1|5> generating INFORMATIONAL request 8 [ ]"
	[ -z "${7:-}" ] || at $((t + 55)) "$2" charon "08[IKE] <${3}_1|5> $7"
	at $((t + 50)) "$2" charon "05[IKE] <${3}_1|5> retransmit 1 of request with message ID 8"
	at $((t + 30)) "$2" charon "06[IKE] <${3}_1|5> retransmit 2 of request with message ID 8"
	at "$t" "$2" charon "11[IKE] <${3}_1|5> giving up after 2 retransmits"
	at "$t" "$2" "FTMD[1472]" "%Viptela-$2-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:\"$2\" system-ip:$6 vpn-id:1 if-name:\"$3\" new-state:down"
}
HOSTILE_TEXT='<img src=x onerror=alert(2)> "><script>document.title="PWNED"</script> & done'
{
	dpd_loss 240 vedge-web1 ipsec2 198.51.100.7 192.0.2.21 10.9.1.1
	dpd_loss 230 vedge-web2 ipsec3 203.0.113.8 192.0.2.22 10.9.1.2 "$HOSTILE_TEXT"
} >lines.log

mkdir reports
echo 'a secret outside the folder' >secret.txt

# web_start [serve args]: serve with --http 127.0.0.1:0; sets URL (lib.sh's
# web_url; get, has and hasnt are lib.sh's too).
web_start() {
	tw_start --http 127.0.0.1:0 --reports-dir "$T/reports" --stuck-after 0s "$@"
	web_url
}

# --- 1. the pages --------------------------------------------------------
web_start
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count "$(wc -l <lines.log)" --file lines.log >/dev/null 2>&1 || fail "twsend"
for i in $(seq 1 150); do
	[ "$(q "SELECT count(*) FROM incidents" 2>/dev/null || echo 0)" -ge 2 ] && break
	sleep 0.1
done
[ "$(q "SELECT count(*) FROM incidents")" -ge 2 ] || fail "no incidents: $(q 'SELECT * FROM v_incidents')"
# The syslog header parser refuses such a hostname, so the hostile device,
# tunnel, summary and evidence line go straight into the tables (a device
# name can also come from FTMD's host-name:"..." or an imported file).
q ".timeout 5000" "INSERT INTO devices(device_id, system_ip, hostname, first_us, last_us)
   VALUES (9001, '10.9.9.1', 'vedge<script>alert(1)</script>', ($NOW - 300) * 1000000,
           $NOW * 1000000);
 INSERT INTO tunnels(tunnel_id, device_id, name, peer_ip, first_us, last_us)
   VALUES (9001, 9001, 'ipsec\"><b>9', '203.0.113.9', ($NOW - 300) * 1000000, $NOW * 1000000);
 INSERT INTO incidents(incident_id, tunnel_id, device_id, peer_ip, symptom, root_cause,
   summary, started_us, detected_us) VALUES (9001, 9001, 9001, '203.0.113.9', 'down',
   'dpd_timeout', '$(echo "$HOSTILE_TEXT" | sed "s/'/''/g")', ($NOW - 100) * 1000000,
   $NOW * 1000000);
 INSERT INTO incident_evidence(incident_id, seq, event_id, line)
   VALUES (9001, 0, 0, '$(echo "$HOSTILE_TEXT" | sed "s/'/''/g")');"
TUN=$(q "SELECT t.tunnel_id FROM tunnels t JOIN devices d USING (device_id)
         WHERE d.hostname = 'vedge-web1' AND t.name = 'ipsec2'")
DEV=$(q "SELECT device_id FROM devices WHERE hostname = 'vedge-web1'")
INC=$(q "SELECT incident_id FROM incidents WHERE tunnel_id = $TUN ORDER BY incident_id LIMIT 1")
HINC=9001
HDEV=9001
[ -n "$TUN" ] && [ -n "$INC" ] && [ -n "$HINC" ] && [ -n "$HDEV" ] ||
	fail "scenario rows: tunnel '$TUN' incident '$INC' hostile '$HINC'/'$HDEV'"
ROOT=$(q "SELECT root_cause FROM incidents WHERE incident_id = $INC")

get /; page=$BODY
eq "$STATUS" 200 "GET /"
has "$page" "vedge-web1" "fleet"
has "$page" "ipsec2" "fleet"
has "$page" "href=\"/incident/$INC\"" "fleet"
has "$page" "href=\"/tunnel/$TUN\"" "fleet"
has "$page" '<meta http-equiv="refresh"' "fleet"
has "$page" 'vedge&lt;script&gt;alert(1)&lt;/script&gt;' "fleet"
has "$page" '&lt;img src=x onerror=alert(2)&gt;' "fleet"
hasnt "$page" '<script' "fleet"
hasnt "$page" '<img' "fleet"
hasnt "$page" 'src="http' "fleet"
hasnt "$page" "href=\"http" "fleet"
ok "fleet page: both tunnels, their incidents linked, hostile host and text escaped, nothing external"

headers=$(curl -s -D - -o /dev/null "$URL")
has "$headers" "Content-Security-Policy: default-src 'none'" "headers"

get "tunnel/$TUN"; page=$BODY
eq "$STATUS" 200 "GET /tunnel"
has "$page" "Tunnel ipsec2 on vedge-web1" "tunnel"
has "$page" "pulse (v_heartbeat)" "tunnel"
has "$page" "giving up after 2 retransmits" "tunnel"
has "$page" "$ROOT" "tunnel"
hasnt "$page" "ipsec3" "tunnel (another device's tunnel)"
ok "tunnel page: timeline with the pulse row, incidents and evidence ($ROOT)"

get "incident/$INC"; page=$BODY
eq "$STATUS" 200 "GET /incident"
has "$page" "Remedy:" "incident"
has "$page" "retransmit 1 of request with message ID 8" "incident"
has "$page" "href=\"/device/$DEV/lines?around=" "incident"
lines=$(echo "$page" | sed -n "s|.*href=\"\(/device/$DEV/lines?around=[0-9]*\)\".*|\1|p" | head -1)
get "${lines#/}"; page=$BODY
eq "$STATUS" 200 "GET lines"
has "$page" "sending DPD request" "raw lines"
has "$page" "new-state:down" "raw lines"
ok "incident page: summary, remedy, evidence; its raw-lines link shows the device's lines"

get "incident/$HINC"; page=$BODY
eq "$STATUS" 200 "GET hostile incident"
has "$page" '&lt;img src=x onerror=alert(2)&gt; &quot;&gt;&lt;script&gt;' "hostile incident"
hasnt "$page" '<script' "hostile incident"
hasnt "$page" '<img' "hostile incident"
get "device/$HDEV"; page=$BODY
eq "$STATUS" 200 "GET hostile device"
hasnt "$page" '<script' "hostile device"
get "device/$DEV"; page=$BODY
eq "$STATUS" 200 "GET device"
has "$page" "href=\"/tunnel/$TUN\"" "device"
hasnt "$page" "vedge-web2" "device (another device)"
ok "device pages and the hostile incident: escaped"

get tunnel/999999; eq "$STATUS" 404 "unknown tunnel"
get incident/abc; eq "$STATUS" 404 "bad incident path"
get nothing/here; eq "$STATUS" 404 "unknown page"
get / -X POST; eq "$STATUS" 405 "POST"
get "device/$DEV/lines?around=yesterday"; eq "$STATUS" 400 "bad around"
ok "unknown pages 404, POST 405, a bad time 400"

"$TW_BIN" report --db "$DB" --since 1h --out reports/2026-01-01.html 2>report.log ||
	fail "report: $(cat report.log)"
get reports/; page=$BODY
eq "$STATUS" 200 "GET /reports/"
has "$page" 'href="/reports/2026-01-01.html"' "archive"
get reports/2026-01-01.html; eq "$STATUS" 200 "a stored report"
grep -q 'Fleet report' "$T/body" || fail "the stored report's content"
get reports/..%2Fsecret.txt; eq "$STATUS" 404 "traversal"
get reports/../secret.txt --path-as-is
[ "$STATUS" != 200 ] || fail "traversal served a file outside reports_dir"
ln -s ../secret.txt reports/link.html
get reports/link.html; eq "$STATUS" 404 "a symlink out of the folder"
ok "reports archive: listed and served; no way out of reports_dir"

# --- 2. headless Chromium ------------------------------------------------
chrome() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--no-first-run --user-data-dir="$T/chrome" "$@" 2>>"$T/chrome.log"
}
dom=$(chrome --dump-dom "$URL") || { tail -20 "$T/chrome.log"; fail "chromium could not render $URL"; }
has "$dom" "vedge-web1" "Chromium DOM"
has "$dom" "ipsec2" "Chromium DOM"
has "$dom" "/incident/$INC" "Chromium DOM"
has "$dom" "$ROOT" "Chromium DOM"
has "$dom" "vedge&lt;script&gt;alert(1)&lt;/script&gt;" "Chromium DOM"
hasnt "$dom" "<script" "Chromium DOM"
hasnt "$dom" "<img" "Chromium DOM"
title=$(echo "$dom" | grep -o '<title>[^<]*</title>' | head -1)
eq "$title" "<title>tunnelwatch: the fleet now</title>" "Chromium: the title (an injected script would change it)"
ndom=$(echo "$dom" | grep -c 'class="incident"' || true)
[ "$ndom" -ge 2 ] || fail "Chromium DOM: $ndom incidents, expected at least 2"
dom=$(chrome --dump-dom "${URL}incident/$HINC") || fail "chromium: incident page"
hasnt "$dom" "<img" "Chromium DOM of the hostile incident"
has "$dom" "onerror=alert(2)&gt;" "Chromium DOM of the hostile incident"
rm -f "$ART/web-fleet.png"
chrome --screenshot="$ART/web-fleet.png" --window-size=1280,1600 --hide-scrollbars "$URL" \
	>/dev/null || fail "chromium screenshot"
[ "$(head -c 8 "$ART/web-fleet.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "the screenshot is not a PNG"
[ "$(stat -c %s "$ART/web-fleet.png")" -gt 10000 ] || fail "the screenshot is nearly empty"
ok "Chromium: the DOM holds the tunnels and $ndom incidents, no injected element; screenshot $ART/web-fleet.png"
tw_stop

# --- 3. who is served ----------------------------------------------------
web_start
rc=0
busy=${URL#http://}
"$TW_BIN" serve --db "$T/other.db" --udp 127.0.0.1:0 --tcp 127.0.0.1:0 \
	--http "${busy%/}" >busy.log 2>&1 || rc=$?
[ $rc -ne 0 ] && grep -q 'error: --http: cannot listen on' busy.log ||
	fail "a second serve on a busy --http address: rc $rc, $(cat busy.log)"
tw_stop
ok "an --http address in use stops the start with an error"
printf 's3cret-token\n' >token
echo "{\"http_token_file\": \"$T/token\"}" >token.json
web_start --config "$T/token.json"
get /; eq "$STATUS" 401 "no token"
get / -H "Authorization: Bearer wrong"; eq "$STATUS" 401 "wrong token"
get / -H "Authorization: Bearer s3cret-token"; eq "$STATUS" 200 "token"
get metrics; eq "$STATUS" 200 "/metrics from loopback without the token"
tw_stop
printf '# users\nalice:pa:ss\n' >users
echo "{\"http_auth_file\": \"$T/users\", \"http_allow\": [\"192.0.2.0/24\"]}" >auth.json
web_start --config "$T/auth.json"
get / -u alice:pa:ss; eq "$STATUS" 200 "basic auth"
get / -u alice:wrong; eq "$STATUS" 401 "wrong password"
grep -qi '^WWW-Authenticate: Basic' <(curl -s -D - -o /dev/null "$URL") || fail "basic challenge"
get metrics; eq "$STATUS" 401 "/metrics from outside the allowlist needs the login"
tw_stop
ok "a bearer token and a basic-auth file gate the pages; /metrics open to the allowlist only"

echo "{\"http_allow\": [\"192.0.2.0/24\"]}" >allow.json
web_start --config "$T/allow.json"
rc=0; curl -s -o /dev/null "$URL" || rc=$?
[ $rc -ne 0 ] || fail "a client outside the allowlist was served"
tw_stop
echo bad >users
rc=0
"$TW_BIN" serve --db "$DB" --udp 127.0.0.1:0 --tcp 127.0.0.1:0 --http 127.0.0.1:0 \
	--config "$T/auth.json" >bad.log 2>&1 || rc=$?
[ $rc -ne 0 ] && grep -q 'expected USER:PASSWORD' bad.log || fail "a bad auth file: rc $rc, $(cat bad.log)"
ok "without a login only the allowlist connects; a bad auth file stops the start"
