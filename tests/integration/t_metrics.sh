#!/usr/bin/env bash
# metrics: GET /metrics on `serve --http` (docs/metrics.md) is valid text
# exposition format 0.0.4 (a strict checker below: names, types, HELP and
# TYPE once per family before its samples, counters ending in _total, no
# series twice, numbers that parse), exposes every counter of
# base/counters.c, and its counters move with the lines sent: received,
# stored and received by transport grow by exactly what was sent, and the
# tunnels and open incidents appear once a failure is correlated.
. "$(dirname "$0")/lib.sh"
cd "$T"
command -v curl >/dev/null || fail "curl missing (bash deploy/build.sh --test)"
command -v python3 >/dev/null || fail "python3 missing (bash deploy/build.sh --test)"

cat >check.py <<'PY'
import re, sys
name_re = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*$')
sample_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
types, helps, seen, values = {}, set(), set(), {}
text = sys.stdin.read()
if not text.endswith('\n'):
    sys.exit('no final newline')
for n, line in enumerate(text.split('\n')[:-1], 1):
    def bad(why):
        sys.exit(f'line {n}: {why}: {line!r}')
    if line.startswith('# HELP '):
        name = line.split(' ', 3)[2]
        if not name_re.match(name) or name in helps: bad('bad or repeated HELP')
        helps.add(name); continue
    if line.startswith('# TYPE '):
        parts = line.split(' ')
        if len(parts) != 4 or parts[3] not in ('counter', 'gauge', 'untyped', 'histogram', 'summary'): bad('bad TYPE')
        if parts[2] in types: bad('TYPE twice')
        if parts[3] == 'counter' and not parts[2].endswith('_total'): bad('counter without _total')
        if not parts[2].startswith('tunnelwatch_'): bad('no tunnelwatch_ prefix')
        types[parts[2]] = parts[3]; continue
    if line.startswith('#') or line == '': bad('stray line')
    m = sample_re.match(line)
    if not m: bad('not a sample')
    name, labels, value = m.group(1), m.group(3) or '', m.group(4)
    if name not in types: bad('sample before its TYPE')
    pos, keys = 0, []
    while pos < len(labels):
        lm = label_re.match(labels, pos)
        if not lm: bad('bad labels')
        keys.append(lm.group(1)); pos = lm.end()
    if len(keys) != len(set(keys)): bad('a label twice')
    try: v = float(value)
    except ValueError: bad('value not a number')
    if types[name] == 'counter' and v < 0: bad('negative counter')
    key = name + '{' + labels + '}'
    if key in seen: bad('series twice')
    seen.add(key); values[key] = v
for k, v in sorted(values.items()):
    print(k, '%.17g' % v)
PY
scrape() {   # scrape FILE: fetch, check strictly, keep "series value" lines
	curl -sf "${URL}metrics" >"$1.raw" || fail "GET /metrics"
	python3 check.py <"$1.raw" >"$1" || fail "not valid exposition format: $(python3 check.py <"$1.raw" 2>&1)"
}
val() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

tw_start --http 127.0.0.1:0 --stuck-after 0s
web_url
ctype=$(curl -s -o /dev/null -w '%{content_type}' "${URL}metrics")
eq "$ctype" "text/plain; version=0.0.4; charset=utf-8" "Content-Type"
scrape m0
ok "/metrics: valid text format 0.0.4 ($(wc -l <m0) series)"

# Every counter of base/counters.c, generically or as a labelled family.
for name in $(sed -n 's/.*\[CTR_[A-Z0-9_]*\] = "\([a-z0-9_]*\)".*/\1/p' "$TW_SOURCE_DIR/base/counters.c"); do
	grep -q "^tunnelwatch_${name}_total{} " m0 && continue
	case $name in
	received_udp|received_tcp|received_relp|dropped_*|udp_dropped_*|tcp_rejected_*|tcp_closed_*) ;;
	*) fail "counter $name is not exposed" ;;
	esac
done
for s in 'tunnelwatch_dropped_total{reason="queue_full"}' 'tunnelwatch_dropped_total{reason="kernel"}' \
	'tunnelwatch_received_by_transport_total{transport="udp"}' 'tunnelwatch_queue_messages{}' \
	'tunnelwatch_queue_bytes{}' 'tunnelwatch_writer_lag_seconds{}' 'tunnelwatch_writer_batch_rows{}' \
	'tunnelwatch_wal_bytes{}' 'tunnelwatch_db_checkpoints_total{}' 'tunnelwatch_tunnels{state="up"}' \
	'tunnelwatch_database_readable{}'; do
	[ -n "$(val m0 "$s")" ] || fail "$s missing"
done
eq "$(val m0 'tunnelwatch_database_readable{}')" 1 "database readable"
ok "every counter of base/counters.c is exposed; the gauges are there"

# Lines in: the counters move by exactly what was sent.
NOW=$(date -u +%s)
at() { printf '<30>%s %s %s: %s\n' "$(date -u -d "@$((NOW - $1))" '+%b %e %H:%M:%S')" "$2" "$3" "$4"; }
{
	at 200 vedge-m1 charon "16[IKE] initiating IKE_SA ipsec2_1[5] to 198.51.100.7"
	at 200 vedge-m1 charon "12[IKE] IKE_SA ipsec2_1[5] established between 192.0.2.21[192.0.2.21]...198.51.100.7[198.51.100.7]"
	at 100 vedge-m1 charon "08[IKE] <ipsec2_1|5> sending DPD request"
	at 90 vedge-m1 charon "05[IKE] <ipsec2_1|5> retransmit 1 of request with message ID 8"
	at 60 vedge-m1 charon "11[IKE] <ipsec2_1|5> giving up after 1 retransmits"
	at 60 vedge-m1 "FTMD[1472]" "%Viptela-vedge-m1-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:\"vedge-m1\" system-ip:10.9.1.1 vpn-id:1 if-name:\"ipsec2\" new-state:down"
} >lines.log
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 6 --file lines.log >/dev/null 2>&1 || fail "twsend tcp"
for i in $(seq 1 25); do at 30 vedge-m2 charon "14[NET] line $i over UDP"; done >udp.log
"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count 25 --file udp.log >/dev/null 2>&1 || fail "twsend udp"
wait_rows 31
for i in $(seq 1 100); do
	[ "$(q "SELECT count(*) FROM incidents WHERE ended_us IS NULL")" -ge 1 ] && break
	sleep 0.1
done
scrape m1
eq "$(val m1 'tunnelwatch_received_total{}')" 31 "received"
eq "$(val m1 'tunnelwatch_stored_total{}')" 31 "stored"
eq "$(val m1 'tunnelwatch_received_by_transport_total{transport="tcp"}')" 6 "received over TCP"
eq "$(val m1 'tunnelwatch_received_by_transport_total{transport="udp"}')" 25 "received over UDP"
[ "$(val m1 'tunnelwatch_db_commits_total{}')" -ge 1 ] || fail "db_commits did not move"
[ "$(val m1 'tunnelwatch_writer_batch_rows{}')" -ge 1 ] || fail "writer_batch_rows"
awk '$1 ~ /^tunnelwatch_incidents_open\{symptom="(down|stuck)",root_cause="[a-z_]+"\}$/ && $2 >= 1 { f = 1 }
     END { exit !f }' m1 || fail "no open incident in /metrics: $(grep incidents_open m1)"
eq "$(awk '$1 ~ /^tunnelwatch_incidents_open/ { n += $2 } END { print n + 0 }' m1)" \
	"$(q "SELECT count(*) FROM incidents WHERE ended_us IS NULL")" "open incidents, summed"
eq "$(awk '$1 ~ /^tunnelwatch_tunnels\{/ { n += $2 } END { print n + 0 }' m1)" \
	"$(q "SELECT count(*) FROM tunnels WHERE merged_into IS NULL")" "tunnels, summed over states"
[ "$(val m1 'tunnelwatch_tunnels{state="down"}')" -ge 1 ] || fail "tunnels down: $(grep 'tunnels{' m1)"
ok "after 6 TCP and 25 UDP lines: received 31, stored 31, by transport 6/25, an open incident, a tunnel down"
tw_stop
