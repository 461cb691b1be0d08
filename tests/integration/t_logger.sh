#!/usr/bin/env bash
# Real client: util-linux logger over UDP and TCP, RFC 3164 and RFC 5424,
# LF and octet-counted framing; rows checked with SQL through v_messages.
. "$(dirname "$0")/lib.sh"
command -v logger >/dev/null || { echo "skip: logger not installed"; exit 77; }

tw_start
P=$TW_PORT
logger -n 127.0.0.1 -P "$P" -d --rfc3164 -t charon \
	"16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1"
logger -n 127.0.0.1 -P "$P" -d --rfc5424 -t FTMD -p daemon.warning "udp 5424 line"
logger -n 127.0.0.1 -P "$P" -T --rfc3164 -t charon "tcp lf framed"
logger -n 127.0.0.1 -P "$P" -T --rfc5424 --octet-count -t charon "tcp octet counted"
wait_rows 4

eq "$(q "SELECT transport||','||program||','||parse_status FROM v_messages
         WHERE text = '16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1'")" \
	"udp,charon,ok" "rfc3164 over udp"
eq "$(q "SELECT transport||','||facility||','||severity FROM v_messages WHERE text='udp 5424 line'")" \
	"udp,daemon,warning" "rfc5424 over udp"
eq "$(q "SELECT transport FROM v_messages WHERE text='tcp lf framed'")" "tcp" "lf over tcp"
eq "$(q "SELECT transport FROM v_messages WHERE text='tcp octet counted'")" "tcp" "octet over tcp"
eq "$(q "SELECT count(*) FROM v_messages WHERE hostname = '$(hostname)'")" "4" "hostname kept"
eq "$(q "SELECT count(*) FROM v_messages WHERE device_time IS NULL OR received_at IS NULL")" \
	"0" "both timestamps"
# device_time is within a minute of received_at (logger stamps local time; TZ is UTC here)
eq "$(q "SELECT count(*) FROM messages WHERE abs(device_us - received_us) > 86400000000")" "0" \
	"device time close to receive time"

# Several messages in one TCP connection, then stop: all there.
for i in $(seq 1 50); do echo "<30>Nov 27 10:00:00 vedge01 charon: 07[IKE] batch $i"; done |
	logger -n 127.0.0.1 -P "$P" -T --rfc3164 -t charon
wait_rows 54
tw_stop
eq "$(q "SELECT value FROM stats WHERE name='stored' ORDER BY at_us DESC LIMIT 1")" "54" \
	"stored counter written to stats"
eq "$(q "SELECT received FROM v_senders")" "54" "per-sender totals"
ok "logger udp/tcp, rfc3164/5424, lf/octet: rows as sent"

# IPv6 listeners, when the machine has ::1.
if [ -e /proc/net/if_inet6 ] && grep -q '^0\{31\}1 ' /proc/net/if_inet6; then
	rm -rf "$DB"*
	P6=$(tw_random_port)
	"$TW_BIN" serve --db "$DB" --udp "[::1]:$P6" --tcp "[::1]:$P6" --flush-interval 50ms \
		>"$T/serve6.log" 2>&1 &
	TW_PID=$!
	for i in $(seq 1 100); do grep -q '; ready$' "$T/serve6.log" && break; sleep 0.05; done
	logger -n ::1 -P "$P6" -d --rfc3164 -t charon "over udp6"
	logger -n ::1 -P "$P6" -T --rfc3164 -t charon "over tcp6"
	wait_rows 2
	tw_stop
	eq "$(q "SELECT group_concat(transport || ' ' || substr(sender, 1, 4), ',') FROM
	     (SELECT * FROM v_messages ORDER BY message_id)")" "udp [::1,tcp [::1" "IPv6 senders"
	ok "IPv6 UDP and TCP listeners"
else
	echo "note: no ::1 on this machine, IPv6 listeners not exercised"
fi
