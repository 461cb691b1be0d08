#!/usr/bin/env bash
# Local time done right (issue #13 item 12): a vEdge logging RFC 3164 in
# Europe/Berlin across both changes of 2024 (spring 01:59:59 -> 03:00:00,
# autumn 02:00-02:59 twice) gets every line at its true UTC time, in order;
# the repeated hour is resolved by the order of arrival; a device with a
# fixed offset stays as before; a sender-range rule applies (serve); a
# hostname rule beats a sender range; an unknown zone name stops the start.
# Expected values: date -d '2024-10-27 02:30:00 +0200' -u +%FT%TZ and so on.
. "$(dirname "$0")/lib.sh"
cd "$T"
[ -f /usr/share/zoneinfo/Europe/Berlin ] || { echo "skip: tzdata not installed"; exit 77; }

# ---- import, hostname rules, --year 2024 -----------------------------------
cat >tz.json <<'J'
{ "timezone": "UTC",
  "timezones": { "vedge-ber": "Europe/Berlin", "vedge-fix": "+01:00",
                 "192.0.2.0/24": "Asia/Kolkata" } }
J
# Berlin lines in the order the device wrote them, each with its true UTC
# time; vedge-fix lines interleaved (a fixed offset: no gap, no repeat).
cat >expect.txt <<'E'
Mar 31 01:59:58|2024-03-31T00:59:58Z
Mar 31 01:59:59|2024-03-31T00:59:59Z
Mar 31 03:00:00|2024-03-31T01:00:00Z
Mar 31 03:00:01|2024-03-31T01:00:01Z
Oct 27 01:59:59|2024-10-26T23:59:59Z
Oct 27 02:00:00|2024-10-27T00:00:00Z
Oct 27 02:30:00|2024-10-27T00:30:00Z
Oct 27 02:59:59|2024-10-27T00:59:59Z
Oct 27 02:00:00|2024-10-27T01:00:00Z
Oct 27 02:00:01|2024-10-27T01:00:01Z
Oct 27 02:30:00|2024-10-27T01:30:00Z
Oct 27 02:59:59|2024-10-27T01:59:59Z
Oct 27 03:00:00|2024-10-27T02:00:00Z
Oct 27 03:00:01|2024-10-27T02:00:01Z
E
n=0
while IFS='|' read -r local _; do
	n=$((n + 1))
	printf '%s vedge-ber charon: 09[IKE] sending DPD request %d\n' "$local" "$n"
	printf '%s vedge-fix charon: 09[IKE] sending DPD request %d\n' "$local" "$n"
done <expect.txt >dst.log
printf 'Jun 18 09:00:00 vedge-def charon: 09[IKE] sending DPD request 1\n' >>dst.log
"$TW_BIN" import --db "$DB" --config tz.json --year 2024 dst.log 2>import.log ||
	{ cat import.log; fail "import"; }

eq "$(q "SELECT group_concat(device_time, ' ') FROM
          (SELECT device_time FROM v_messages WHERE hostname = 'vedge-ber' ORDER BY message_id)")" \
	"$(cut -d'|' -f2 expect.txt | paste -sd' ')" "Berlin lines at their true UTC time"
eq "$(q "SELECT count(*) FROM (SELECT device_us, lag(device_us) OVER (ORDER BY message_id) AS prev
          FROM v_messages WHERE hostname = 'vedge-ber') WHERE device_us <= prev")" \
	"0" "Berlin device times strictly in order"
eq "$(q "SELECT count(*) FROM v_events WHERE hostname = 'vedge-ber'")" "14" "Berlin events"
eq "$(q "SELECT count(*) FROM (SELECT e.device_time AS et, m.device_time AS mt
          FROM v_events e JOIN v_messages m USING (message_id)
          WHERE e.hostname = 'vedge-ber') WHERE et IS NOT mt")" "0" "events carry the same time"
# The fixed offset: local - 1 h, whatever the date (as before zones existed).
eq "$(q "SELECT group_concat(device_time, ' ') FROM
          (SELECT device_time FROM v_messages WHERE hostname = 'vedge-fix' ORDER BY message_id)")" \
	"2024-03-31T00:59:58Z 2024-03-31T00:59:59Z 2024-03-31T02:00:00Z 2024-03-31T02:00:01Z 2024-10-27T00:59:59Z 2024-10-27T01:00:00Z 2024-10-27T01:30:00Z 2024-10-27T01:59:59Z 2024-10-27T01:00:00Z 2024-10-27T01:00:01Z 2024-10-27T01:30:00Z 2024-10-27T01:59:59Z 2024-10-27T02:00:00Z 2024-10-27T02:00:01Z" \
	"fixed offset unchanged"
eq "$(q "SELECT device_time FROM v_messages WHERE hostname = 'vedge-def'")" \
	"2024-06-18T09:00:00Z" "default zone (import has no sender: ranges do not apply)"

# The same lines through `parse`: flags for the changes, same times.
"$TW_BIN" parse --config tz.json --year 2024 dst.log >parse.json
eq "$(grep -c '"device_time_ambiguous":true' parse.json)" "7" "parse: 7 lines in the repeated hour"
grep '"hostname":"vedge-ber"' parse.json | grep -o '"device_time":"[^"]*"' | cut -d'"' -f4 |
	paste -sd' ' >parse_times.txt
eq "$(cat parse_times.txt)" "$(cut -d'|' -f2 expect.txt | paste -sd' ')" "parse: same times"
printf 'Mar 31 02:30:00 vedge-ber charon: 09[IKE] in the gap\n' >gap.log
"$TW_BIN" parse --config tz.json --year 2024 gap.log >gap.json
grep -q '"device_time":"2024-03-31T01:30:00Z"' gap.json && grep -q '"device_time_in_gap":true' gap.json ||
	{ cat gap.json; fail "a time in the spring gap moves forward by the gap"; }

# ---- unknown zones stop the start --------------------------------------------
if "$TW_BIN" import --db "$T/x.db" --timezone Europe/Berln dst.log 2>bad.log; then
	fail "unknown zone accepted"
fi
grep -q 'unknown time zone "Europe/Berln"' bad.log || { cat bad.log; fail "unknown zone message"; }
if "$TW_BIN" import --db "$T/x.db" --timezones 'vedge-x=../../etc/passwd' dst.log 2>bad.log; then
	fail "path as zone accepted"
fi
echo '{ "timezones": { "192.0.2.0/33": "Europe/Berlin" } }' >bad.json
if "$TW_BIN" import --db "$T/x.db" --config bad.json dst.log 2>bad.log; then
	fail "bad range accepted"
fi
grep -q 'not a sender range' bad.log || { cat bad.log; fail "bad range message"; }
ok "import: Berlin across both changes of 2024 in order, fixed offset unchanged, errors"

# ---- serve: a sender range (127.0.0.0/8), the year from the receive time ----
# Serve infers the year of an RFC 3164 line from the receive time (the
# latest year in which the local time is at most a day ahead of now), so
# the spring and autumn changes used are those of the years it will pick,
# which may differ (in June: this spring, last autumn).
last_sunday() {   # last_sunday YEAR MONTH
	local d
	for d in 31 30 29 28 27 26 25; do
		[ "$(date -u -d "$1-$2-$d" +%u 2>/dev/null)" = 7 ] && { echo "$d"; return; }
	done
}
off=$(TZ=Europe/Berlin date +%z)
ref=$(( $(date -u +%s) + (${off:0:1}1) * (10#${off:1:2} * 3600 + 10#${off:3:2} * 60) + 86400 ))
infer() {   # infer MM-DD HH:MM:SS: the year the collector gives that local time
	local y=$(( $(date -u +%Y) + 1 ))
	while [ "$(date -u -d "$y-$1" +%s 2>/dev/null || echo 99999999999)" -gt "$ref" ]; do
		y=$((y - 1))
	done
	echo "$y"
}
change() {   # change MONTH FIRST LAST: "YEAR DAY" of the change whose lines all infer to YEAR
	local y d
	for y in $(( $(date -u +%Y) + 1 )) $(date -u +%Y) $(( $(date -u +%Y) - 1 )); do
		d=$(last_sunday "$y" "$1")
		if [ "$(infer "$1-$d $2")" = "$y" ] && [ "$(infer "$1-$d $3")" = "$y" ]; then
			echo "$y $d"
			return
		fi
	done
}
read -r ys sp < <(change 03 01:59:59 03:00:00)
read -r yr au < <(change 10 02:00:00 03:00:00)
[ -n "${sp:-}" ] && [ -n "${au:-}" ] || { ok "serve part skipped: today is next to a change"; exit 0; }
utc() { date -u -d "$1" +%FT%TZ; }
{
	printf 'Mar %d 01:59:59|%s\n' "$sp" "$(utc "$ys-03-$sp 01:59:59 +0100")"
	printf 'Mar %d 03:00:00|%s\n' "$sp" "$(utc "$ys-03-$sp 03:00:00 +0200")"
	printf 'Oct %d 02:59:59|%s\n' "$au" "$(utc "$yr-10-$au 02:59:59 +0200")"
	printf 'Oct %d 02:00:00|%s\n' "$au" "$(utc "$yr-10-$au 02:00:00 +0100")"
	printf 'Oct %d 02:30:00|%s\n' "$au" "$(utc "$yr-10-$au 02:30:00 +0100")"
	printf 'Oct %d 03:00:00|%s\n' "$au" "$(utc "$yr-10-$au 03:00:00 +0100")"
} >expect2.txt
while IFS='|' read -r local _; do
	printf '<30>%s vedge-net charon: 09[IKE] sending DPD request\n' "$local"
done <expect2.txt >net.log
printf '<30>Jul  1 12:00:00 vedge-fix charon: 09[IKE] sending DPD request\n' >>net.log
rm -rf "$DB"*
tw_start --timezones 192.0.2.0/24=Asia/Kolkata --timezones 127.0.0.0/8=Europe/Berlin \
	--timezones vedge-fix=+01:00
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file net.log --count 7 >/dev/null 2>&1 || fail "twsend"
wait_rows 7
tw_stop
eq "$(q "SELECT group_concat(device_time, ' ') FROM
          (SELECT device_time FROM v_messages WHERE hostname = 'vedge-net' ORDER BY message_id)")" \
	"$(cut -d'|' -f2 expect2.txt | paste -sd' ')" "sender range 127.0.0.0/8 = Europe/Berlin, $ys and $yr"
eq "$(q "SELECT substr(device_time, 6) FROM v_messages WHERE hostname = 'vedge-fix'")" \
	"07-01T11:00:00Z" "a hostname rule beats the sender range"
ok "serve: sender range zone across the changes of $ys-03-$sp and $yr-10-$au; hostname rule first"
