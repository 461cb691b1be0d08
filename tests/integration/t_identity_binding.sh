#!/usr/bin/env bash
# Identity binding (docs/tls.md): a sender may speak only for the hosts
# its TLS client certificate names (plus the identity map), or that its
# address's allowlist entry (CIDR=HOST,...) names.  A forged line for
# another device is stored, flagged, counted, and never changes a tunnel;
# the same line from a sender allowed to speak for that device does.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "skip: openssl not installed"; exit 77; }

tls_ca ca
tls_cert ca srv collector "DNS:localhost"
tls_cert ca vedge1 vedge1 "DNS:vedge1"
tls_cert ca relay1 relay1
printf '# relays\nrelay1  vedge3, vedge7   # the site behind it\n' >"$T/map.txt"
printf '{ "tls_identity_map": "%s", "tls_bind_identity": true }\n' "$T/map.txt" >"$T/id.json"

TP=$(tls_port)
tw_start --config "$T/id.json" --tls "127.0.0.1:$TP" --tls-cert "$T/srv.pem" \
	--tls-key "$T/srv.key" --tls-ca "$T/ca.pem" \
	--udp-allow "127.0.0.1/32=vedge5" --udp-allow 127.0.0.0/8 \
	--lateness 1s --correlate-interval 200ms --stats-interval 1s
grep -q "identity map entries" "$T/serve.log" || fail "no TLS summary"
grep -q "1 identity map entries" "$T/serve.log" || fail "identity map not loaded"

ftmd() {        # ftmd HOST IF STATE: an FTMD interface line, device time now
	printf '<134>%s %s FTMD[1]: %%Viptela-%s-FTMD-6-INFO-1000001: VPN 1 Interface %s %s' \
		"$(date -u '+%b %e %H:%M:%S')" "$1" "$1" "$2" "$3"
}
tcp_line() {    # plain TCP: this listener binds nobody
	exec 5<>"/dev/tcp/127.0.0.1/$TW_PORT"
	printf '%s\n' "$1" >&5
	exec 5>&-
}
udp_line() { printf '%s' "$1" >"/dev/udp/127.0.0.1/$TW_PORT"; }

# vedge2's tunnel comes up (told over plain TCP, which binds nobody).
tcp_line "$(ftmd vedge2 ipsec2 UP)"
wait_rows 1
for i in $(seq 1 60); do
	[ "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge2'")" = up ] && break
	sleep 0.1
done
eq "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge2'")" "up" "vedge2 ipsec2 up"

# Forged downs for vedge2: over TLS from vedge1's certificate, over UDP
# from an address bound to vedge5, over TLS from relay1 (mapped to vedge3
# and vedge7, not vedge2).  And lines each of them may send.
tls_send "$TP" "$(ftmd vedge2 ipsec2 DOWN)" -cert "$T/vedge1.pem" -key "$T/vedge1.key"
tls_send "$TP" "$(ftmd vedge1 ipsec1 UP)" -cert "$T/vedge1.pem" -key "$T/vedge1.key"
udp_line "$(ftmd vedge2 ipsec2 DOWN)"
udp_line "$(ftmd vedge5 ipsec1 UP)"
tls_send "$TP" "$(ftmd vedge2 ipsec2 DOWN)" -cert "$T/relay1.pem" -key "$T/relay1.key"
tls_send "$TP" "$(ftmd vedge3 ipsec1 UP)" -cert "$T/relay1.pem" -key "$T/relay1.key"
tls_send "$TP" "$(ftmd VEDGE7 ipsec1 UP)" -cert "$T/relay1.pem" -key "$T/relay1.key"
wait_rows 8
sleep 2         # correlator passes and a stats row

eq "$(q "SELECT group_concat(transport || ' ' || hostname, ', ') FROM
         (SELECT * FROM v_messages WHERE forged = 1 ORDER BY message_id)")" \
	"tls vedge2, udp vedge2, tls vedge2" "the three forged lines, stored and flagged"
eq "$(q "SELECT group_concat(hostname, ',') FROM
         (SELECT * FROM v_messages WHERE forged = 0 ORDER BY hostname)")" \
	"VEDGE7,vedge1,vedge2,vedge3,vedge5" "the lines each sender may send"
eq "$(counter identity_mismatch)" 3 "identity_mismatch"
eq "$(q "SELECT forged FROM v_senders WHERE sender_ip = '127.0.0.1'")" 3 "v_senders.forged"
eq "$(q "SELECT count(*) FROM events e JOIN messages m USING (message_id)
         WHERE m.flags & 8")" 0 "no event from a forged line"
eq "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge2'")" "up" \
	"vedge2's tunnel unchanged by the forged downs"
eq "$(q "SELECT count(*) FROM v_incidents")" 0 "no incident"
grep -q "identity: 127.0.0.1:[0-9]* as vedge1 sent a line for host \"vedge2\"" "$T/serve.log" ||
	fail "forged line not logged"
ok "forged lines over TLS (certificate, map) and UDP (allowlist binding): stored, flagged, counted, never applied"

# The same down from a sender that may speak for vedge2 takes the tunnel down.
tcp_line "$(ftmd vedge2 ipsec2 DOWN)"
wait_rows 9
for i in $(seq 1 60); do
	[ "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge2'")" != up ] && break
	sleep 0.1
done
eq "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge2'")" "down" \
	"the genuine down is applied"
ok "the same line from an unbound sender moves the tunnel"

# A certificate that names the device's system-ip (subjectAltName IP)
# speaks for it: in an FTMD notification that says that system-ip, then
# under the hostname that line showed with it; not for another device.
tls_cert ca edge9 edge9-cert "IP:10.0.0.9"
notif() {       # notif HOST SYSTEM-IP IF STATE: an FTMD notification line
	printf '<134>%s %s FTMD[1]: %%Viptela-%s-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:"%s" system-ip:%s vpn-id:1 if-name:"%s" new-state:%s' \
		"$(date -u '+%b %e %H:%M:%S')" "$1" "$1" "$1" "$2" "$3" "$4"
}
tls_send "$TP" "$(notif vedge9 10.0.0.9 ipsec1 up)" -cert "$T/edge9.pem" -key "$T/edge9.key"
wait_rows 10
tls_send "$TP" "$(ftmd vedge9 ipsec1 DOWN)" -cert "$T/edge9.pem" -key "$T/edge9.key"
tls_send "$TP" "$(ftmd vedge2 ipsec2 UP)" -cert "$T/edge9.pem" -key "$T/edge9.key"
wait_rows 12
eq "$(q "SELECT group_concat(hostname || ':' || forged, ',') FROM
         (SELECT * FROM v_messages WHERE message_id > 9 ORDER BY message_id)")" \
	"vedge9:0,vedge9:0,vedge2:1" \
	"the system-ip's certificate: its notification and its hostname's line pass, vedge2's is forged"
for i in $(seq 1 60); do
	[ "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge9'")" = down ] && break
	sleep 0.1
done
eq "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge9'")" "down" \
	"vedge9's down, sent under its hostname by its system-ip's certificate, is applied"
eq "$(q "SELECT state FROM v_tunnels WHERE hostname='vedge2'")" "down" \
	"vedge2 unchanged by the forged up"
tw_stop
ok "a certificate naming the system-ip speaks for the device's hostname once an FTMD line showed it"
