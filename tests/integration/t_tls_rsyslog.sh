#!/usr/bin/env bash
# A real TLS client: rsyslog as a relay (imudp in, omfwd over TLS out,
# RFC 5425 octet counting), with the ossl (OpenSSL) and gtls (GnuTLS)
# stream drivers, with and without a client certificate (docs/tls.md, "An
# rsyslog relay").  The field guide's DPD case goes through the relay and,
# for comparison, straight over plain TCP into another collector: the same
# lines stored, the same incident diagnosed.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "skip: openssl not installed"; exit 77; }
RSD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSD" ] || { echo "skip: rsyslogd not installed"; exit 77; }
MODS=/usr/lib/x86_64-linux-gnu/rsyslog
[ -d "$MODS" ] || MODS=$(dirname "$(find /usr/lib -name imudp.so 2>/dev/null | head -1)")
FIX=$TW_SOURCE_DIR/tests/fixtures/guide_dpd.log
N=$(grep -c '' "$FIX")
export TZ=UTC

tls_ca ca
tls_cert ca srv collector "DNS:localhost"
tls_cert ca relay1 relay1 "DNS:relay1"
printf 'relay1 *\n' >"$T/map.txt"
printf '{ "tls_identity_map": "%s", "tls_bind_identity": true }\n' "$T/map.txt" >"$T/map.json"

# The reference: the fixture over plain TCP into its own collector.
tw_start --lateness 1s --correlate-interval 200ms
"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --file "$FIX" --count "$N" >/dev/null ||
	fail "twsend plain"
wait_rows "$N"
sleep 2
tw_stop
qd() { sqlite3 -batch -noheader "$1" "$2"; }
cp "$DB" "$T/plain.db"
PLAIN_INC=$(qd "$T/plain.db" "SELECT hostname||'|'||tunnel||'|'||symptom||'|'||root_cause
                               FROM v_incidents ORDER BY 1")
[ -n "$PLAIN_INC" ] || fail "the plain reference diagnosed nothing"

# relay DRIVER CERT(yes|no): rsyslogd forwarding UDP to the TLS port.
relay() {
	local drv=$1 cert=$2 rp=$(tls_port) certs=
	mkdir -p "$T/rs-$drv"
	[ "$cert" = no ] || certs="DefaultNetstreamDriverCertFile=\"$T/relay1.pem\"
	  DefaultNetstreamDriverKeyFile=\"$T/relay1.key\""
	cat >"$T/rs-$drv.conf" <<EOC
global(workDirectory="$T/rs-$drv"
	  DefaultNetstreamDriverCAFile="$T/ca.pem"
	  $certs)
module(load="$MODS/imudp.so")
input(type="imudp" address="127.0.0.1" port="$rp" ruleset="to_tunnelwatch")
ruleset(name="to_tunnelwatch") {
  action(type="omfwd" target="127.0.0.1" port="$TP" protocol="tcp"
	 StreamDriver="$drv" StreamDriverMode="1"
	 StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"
	 TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}
EOC
	"$RSD" -n -f "$T/rs-$drv.conf" -i "$T/rs-$drv.pid" -M "$MODS" >"$T/rs-$drv.log" 2>&1 &
	RS_PID=$!
	for i in $(seq 1 100); do
		ss -lun 2>/dev/null | grep -q "127.0.0.1:$rp " && break
		sleep 0.05
	done
	"$TW_SEND" --udp "127.0.0.1:$rp" --file "$FIX" --count "$N" >/dev/null ||
		fail "twsend to rsyslog"
	RP=$rp
}
stop_relay() {
	kill -TERM "$RS_PID" 2>/dev/null || true
	wait "$RS_PID" 2>/dev/null || true
}

for drv in ossl gtls; do
	[ -e "$MODS/lmnsd_$drv.so" ] || { echo "note: rsyslog $drv driver not installed"; continue; }
	for cert in yes no; do
		rm -rf "$DB"*
		TP=$(tls_port)
		auth=required
		[ "$cert" = yes ] || auth=optional
		tw_start --config "$T/map.json" --tls "127.0.0.1:$TP" --tls-cert "$T/srv.pem" \
			--tls-key "$T/srv.key" --tls-ca "$T/ca.pem" --tls-client-auth "$auth" \
			--lateness 1s --correlate-interval 200ms --stats-interval 1s
		relay "$drv" "$cert"
		wait_rows "$N" || { cat "$T/rs-$drv.log" >&2; fail "rsyslog $drv"; }
		sleep 2
		stop_relay
		tw_stop
		eq "$(q "SELECT count(*) FROM v_messages WHERE transport = 'tls'")" "$N" \
			"$drv: every line over TLS"
		if [ "$cert" = yes ]; then
			eq "$(q "SELECT peer_identity FROM v_senders")" "relay1" "$drv: relay identity"
			eq "$(q "SELECT count(*) FROM v_messages WHERE forged = 1")" 0 \
				"$drv: the relay speaks for everyone (map: relay1 *)"
		else
			eq "$(q "SELECT count(*) FROM v_messages WHERE forged = 1")" "$N" \
				"$drv: no certificate, bound: speaks for nobody"
		fi
		# (rsyslog's RFC 5424 template keeps the space after an RFC 3164 tag)
		eq "$(q "SELECT group_concat(t, '|') FROM (SELECT ltrim(text) AS t FROM v_messages
		         ORDER BY 1)")" \
			"$(qd "$T/plain.db" "SELECT group_concat(text, '|') FROM
			     (SELECT text FROM v_messages ORDER BY text)")" "$drv: the same lines as plain TCP"
		if [ "$cert" = yes ]; then
			eq "$(q "SELECT hostname||'|'||tunnel||'|'||symptom||'|'||root_cause
			         FROM v_incidents ORDER BY 1")" "$PLAIN_INC" "$drv: the same diagnosis"
		else
			eq "$(q "SELECT count(*) FROM v_incidents")" 0 "$drv: forged lines diagnose nothing"
		fi
		ok "rsyslog omfwd, $drv driver, client certificate: $cert"
	done
done
