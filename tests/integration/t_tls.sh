#!/usr/bin/env bash
# Syslog over TLS (RFC 5425, docs/tls.md) with real clients: openssl
# s_client sending octet-counted frames, with and without a client
# certificate; a client certificate from another CA, an expired one,
# plain syslog sent to the TLS port, a handshake that stalls, a client that
# leaves half a record; clear errors at start for bad key or certificate
# files; certificates reloaded on SIGHUP while a connection stays up.
# Certificates are made here with openssl.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "skip: openssl not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }

tls_ca ca
tls_ca other
tls_cert ca srv collector "DNS:localhost,IP:127.0.0.1"
tls_cert ca vedge1 vedge1 "DNS:vedge1"
tls_cert other stranger vedge1
tls_cert ca old vedge1 "" 20200101000000Z 20200102000000Z
tls_cert ca srv_old collector "" 20200101000000Z 20200102000000Z
tls_cert ca srv2 collector-renewed "DNS:localhost"

line() { echo "<134>1 2026-12-02T10:00:0${2:-0}Z vedge1 charon - - - 07[IKE] $1"; }

# ---- start: clear errors for bad files ------------------------------------
start_err() {   # start_err EXPECTED-TEXT ARGS...: serve must refuse to start
	local want=$1
	shift
	local rc=0
	timeout 10 "$TW_BIN" serve --db "$T/bad.db" --tls "127.0.0.1:$(tls_port)" "$@" \
		>"$T/bad.log" 2>&1 || rc=$?
	[ $rc -ne 0 ] || fail "serve started with $*"
	grep -q "error: tls: .*$want" "$T/bad.log" ||
		fail "no clear error ($want): $(cat "$T/bad.log")"
}
start_err "No such file" --tls-cert "$T/missing.pem" --tls-key "$T/srv.key" --tls-ca "$T/ca.pem"
cp "$T/srv.key" "$T/unreadable.key"; chmod 000 "$T/unreadable.key"
if [ "$(id -u)" -ne 0 ]; then
	start_err "Permission denied" --tls-cert "$T/srv.pem" --tls-key "$T/unreadable.key" \
		--tls-ca "$T/ca.pem"
fi
start_err "expired" --tls-cert "$T/srv_old.pem" --tls-key "$T/srv_old.key" --tls-ca "$T/ca.pem"
start_err "is not the key of" --tls-cert "$T/srv.pem" --tls-key "$T/vedge1.key" \
	--tls-ca "$T/ca.pem"
start_err "not a PEM certificate" --tls-cert "$T/srv.key" --tls-key "$T/srv.key" \
	--tls-ca "$T/ca.pem"
start_err "needs tls_ca" --tls-cert "$T/srv.pem" --tls-key "$T/srv.key"
echo '{ "tls_ciphers": "NOSUCHCIPHER" }' >"$T/badciphers.json"
start_err "tls_ciphers" --config "$T/badciphers.json" --tls-cert "$T/srv.pem" \
	--tls-key "$T/srv.key" --tls-ca "$T/ca.pem"
ok "start refused: missing, expired, mismatched, not PEM, no CA, bad ciphers"

# ---- a collector with client certificates optional ------------------------
cp "$T/srv.pem" "$T/live.pem"; cp "$T/srv.key" "$T/live.key"
TP=$(tls_port)
echo '{ "tls_handshake_timeout": "1s" }' >"$T/tls.json"
tw_start --config "$T/tls.json" --tls "127.0.0.1:$TP" --tls-cert "$T/live.pem" \
	--tls-key "$T/live.key" --tls-ca "$T/ca.pem" --tls-client-auth optional \
	--stats-interval 1s
grep -q "listening on tls 127.0.0.1:$TP" "$T/serve.log" || fail "no TLS listener"

tls_send "$TP" "$(line 'with a client certificate' 1)" -cert "$T/vedge1.pem" -key "$T/vedge1.key"
tls_send "$TP" "$(line 'without a client certificate' 2)"
wait_rows 2
eq "$(q "SELECT transport || ' ' || hostname FROM v_messages
         WHERE text = '07[IKE] with a client certificate'")" "tls vedge1" "TLS row"
eq "$(q "SELECT count(*) FROM v_messages WHERE text = '07[IKE] without a client certificate'")" \
	1 "without certificate (optional)"
ok "s_client: octet-counted frames over TLS, with and without a client certificate"

# Two frames in one record, and one frame split over records.
python3 - "$TP" "$T" <<'PY' || fail "python TLS client"
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/vedge1.pem", d + "/vedge1.key")
def frame(t):
    m = ("<134>1 2026-12-02T10:00:05Z vedge1 charon - - - 07[IKE] " + t).encode()
    return str(len(m)).encode() + b" " + m
with socket.create_connection(("127.0.0.1", port)) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        t.sendall(frame("one") + frame("two"))
        f = frame("split across records")
        t.sendall(f[:7]); t.sendall(f[7:30]); t.sendall(f[30:])
        t.unwrap() if False else None
PY
wait_rows 5
eq "$(q "SELECT group_concat(text, '|') FROM (SELECT text FROM v_messages
         WHERE transport = 'tls' AND message_id > 2 ORDER BY message_id)")" \
	"07[IKE] one|07[IKE] two|07[IKE] split across records" "frames across records"
ok "frames: two in a record, one over three records"

# Failures, each counted by reason.
tls_send "$TP" "$(line 'from another CA')" -cert "$T/stranger.pem" -key "$T/stranger.key" || true
tls_send "$TP" "$(line 'expired client')" -cert "$T/old.pem" -key "$T/old.key" || true
# Plain syslog to the TLS port.
exec 3<>"/dev/tcp/127.0.0.1/$TP"
printf '<134>Dec  2 10:00:00 vedge1 charon: 07[IKE] plain to the TLS port\n' >&3
exec 3>&-
# A stalled handshake: connect, say nothing.
exec 4<>"/dev/tcp/127.0.0.1/$TP"
sleep 2.5
exec 4>&-
# Half a record: one frame, then half of the next record, then gone.
python3 - "$TP" "$T" <<'PY' || fail "python half-record client"
import socket, ssl, sys
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/vedge1.pem", d + "/vedge1.key")
inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(inc, out, server_hostname="localhost")
s = socket.create_connection(("127.0.0.1", port))
while True:
    try:
        obj.do_handshake(); break
    except ssl.SSLWantReadError:
        s.sendall(out.read())
        data = s.recv(65536)
        if not data: sys.exit("server closed during handshake")
        inc.write(data)
s.sendall(out.read())
def frame(t):
    m = ("<134>1 2026-12-02T10:00:06Z vedge1 charon - - - 07[IKE] " + t).encode()
    return str(len(m)).encode() + b" " + m
obj.write(frame("before half a record")); s.sendall(out.read())
obj.write(frame("in half a record")); rec = out.read()
s.sendall(rec[: len(rec) // 2])
s.close()
PY
wait_rows 6
sleep 1.5       # the stats row after the last close
eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE '%before half a record'")" 1 \
	"the frame before the half record"
eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE '%in half a record%'
            OR text LIKE '%another CA%' OR text LIKE '%expired client%'
            OR text LIKE '%plain to the TLS port%'")" 0 "nothing from failed handshakes"
eq "$(counter tls_failed_untrusted)" 1 "tls_failed_untrusted"
eq "$(counter tls_failed_expired)" 1 "tls_failed_expired"
eq "$(counter tls_failed_not_tls)" 1 "tls_failed_not_tls"
eq "$(counter tls_failed_timeout)" 1 "tls_failed_timeout"
eq "$(counter tls_partial_record_at_eof)" 1 "tls_partial_record_at_eof"
eq "$(counter tls_handshakes)" 4 "tls_handshakes"
eq "$(counter received_tls)" 6 "received_tls"
ok "another CA, expired, plain text, stalled handshake, half a record: closed and counted"

# ---- SIGHUP: new certificates, the open connection goes on -----------------
python3 - "$TP" "$T" >"$T/hold.out" 2>&1 <<'PY' &
import socket, ssl, sys, time, os
port, d = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=d + "/ca.pem")
ctx.load_cert_chain(d + "/vedge1.pem", d + "/vedge1.key")
def frame(t):
    m = ("<134>1 2026-12-02T10:00:07Z vedge1 charon - - - 07[IKE] " + t).encode()
    return str(len(m)).encode() + b" " + m
with socket.create_connection(("127.0.0.1", port)) as s:
    with ctx.wrap_socket(s, server_hostname="localhost") as t:
        print("subject", dict(x[0] for x in t.getpeercert()["subject"])["commonName"], flush=True)
        t.sendall(frame("before reload"))
        for _ in range(200):
            if os.path.exists(d + "/reloaded"): break
            time.sleep(0.05)
        t.sendall(frame("after reload, same connection"))
PY
HOLD=$!
wait_rows 7
cp "$T/srv2.pem" "$T/live.pem"; cp "$T/srv2.key" "$T/live.key"
kill -HUP "$TW_PID"
for i in $(seq 1 100); do grep -q "SIGHUP: TLS reloaded" "$T/serve.log" && break; sleep 0.05; done
grep -q "SIGHUP: TLS reloaded: certificate /CN=collector-renewed" "$T/serve.log" ||
	fail "no reload in the log"
touch "$T/reloaded"
wait "$HOLD" || fail "held connection: $(cat "$T/hold.out")"
grep -q "subject collector$" "$T/hold.out" || fail "held connection saw $(cat "$T/hold.out")"
wait_rows 8
eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE '%after reload, same connection'")" 1 \
	"the connection opened before the reload still delivers"
tls_send "$TP" "$(line 'after reload, new connection')" -cert "$T/vedge1.pem" -key "$T/vedge1.key"
grep -q "CN *= *collector-renewed" "$T/s_client.out" || fail "new connection: old certificate"
wait_rows 9
# A broken file: refused, the certificates in use stay.
echo garbage >"$T/live.pem"
kill -HUP "$TW_PID"
for i in $(seq 1 100); do grep -q "TLS reload failed" "$T/serve.log" && break; sleep 0.05; done
grep -q "TLS reload failed, keeping the certificates in use" "$T/serve.log" ||
	fail "bad reload not reported"
tls_send "$TP" "$(line 'after a failed reload')" -cert "$T/vedge1.pem" -key "$T/vedge1.key"
wait_rows 10
sleep 1.5
eq "$(counter tls_reloads)" 1 "tls_reloads"
eq "$(counter tls_reload_errors)" 1 "tls_reload_errors"
eq "$(q "SELECT peer_identity FROM v_senders")" "vedge1" "peer identity in senders"
tw_stop
ok "SIGHUP reload: new certificate for new connections, the open one goes on; a bad file is refused"

# ---- client certificates required -----------------------------------------
rm -rf "$DB"*
TP=$(tls_port)
tw_start --tls "127.0.0.1:$TP" --tls-cert "$T/srv.pem" --tls-key "$T/srv.key" \
	--tls-ca "$T/ca.pem" --stats-interval 1s
tls_send "$TP" "$(line 'no certificate, required')" || true
tls_send "$TP" "$(line 'certificate, required')" -cert "$T/vedge1.pem" -key "$T/vedge1.key"
wait_rows 1
sleep 1.5
eq "$(q "SELECT group_concat(text) FROM v_messages")" "07[IKE] certificate, required" \
	"only the client with a certificate"
eq "$(counter tls_failed_no_cert)" 1 "tls_failed_no_cert"
# TLS 1.1 is refused.
timeout 10 openssl s_client -connect "127.0.0.1:$TP" -tls1_1 -cert "$T/vedge1.pem" \
	-key "$T/vedge1.key" </dev/null >"$T/s11.out" 2>&1 || true
sleep 1.5
[ "$(counter tls_failed_protocol)" -ge 1 ] || fail "TLS 1.1 not refused as protocol"
tw_stop
ok "tls_client_auth required: no certificate, no entry; TLS 1.1 refused"
