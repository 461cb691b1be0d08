#!/usr/bin/env bash
# Sender limits: the UDP and TCP allowlists (IPv4 and IPv6), the per-IP and
# total TCP connection limits, and the per-sender rate limit — over-rate
# UDP is dropped and counted, over-rate TCP is paused and nothing it sent
# is lost, and another sender is not starved meanwhile; 6000 distinct
# senders keep the rate-limit table at its fixed size (evictions counted).
# Every refusal is checked in the stats table.  Clients that need a given
# source address (127.0.0.2, ...) are perl one-liners: perl-base is always
# there on Debian.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "skip: perl not installed"; exit 77; }

rows() { q "SELECT count(*) FROM v_messages${1:+ WHERE $1}"; }

# perl_send PROTO SRC PORT TEXT N: N lines "TEXT i" from source address SRC.
perl_send() {
	perl -MIO::Socket::INET -e '
		my ($proto, $src, $port, $text, $n) = @ARGV;
		$SIG{PIPE} = "IGNORE";
		my $s = IO::Socket::INET->new(Proto => $proto, LocalAddr => $src,
		    PeerAddr => "127.0.0.1", PeerPort => $port) or die "connect: $!";
		for my $i (1 .. $n) {
			my $m = "<30>Nov 27 10:00:00 other01 charon: $text $i";
			$proto eq "udp" ? $s->send($m) : print $s "$m\n";
		}
		close $s;' "$@"
}

# --- allowlist: 127.0.0.1 is outside 192.0.2.0/24 ------------------------
tw_start --udp-allow 192.0.2.0/24 --tcp-allow 192.0.2.0/24
P=$TW_PORT
"$TW_SEND" --udp "127.0.0.1:$P" --count 5 2>/dev/null
"$TW_SEND" --tcp "127.0.0.1:$P" --count 5 2>/dev/null || true    # accepted by the kernel, then closed
sleep 0.5
tw_stop
eq "$(rows)" "0" "nothing stored from outside the allowlists"
eq "$(counter udp_dropped_not_allowed)" "5" "udp datagrams dropped and counted"
eq "$(counter tcp_rejected_not_allowed)" "1" "tcp connection refused and counted"
eq "$(counter tcp_accepted)" "0" "refused connection not counted as accepted"
grep -q "dropping datagrams from 127.0.0.1: not in udp_allow" "$T/serve.log" ||
	fail "udp source logged"
grep -q "refusing connection from 127.0.0.1:[0-9]*: not in tcp_allow" "$T/serve.log" ||
	fail "tcp source logged"
ok "allowlist 192.0.2.0/24: udp dropped (5) and tcp refused (1), counted and logged"

# --- allowlist: 127.0.0.0/8 lets them in -----------------------------------
rm -rf "$DB"*
tw_start --udp-allow 192.0.2.0/24 --udp-allow 127.0.0.0/8 --tcp-allow 127.0.0.1/32
P=$TW_PORT
"$TW_SEND" --udp "127.0.0.1:$P" --count 5 2>/dev/null
"$TW_SEND" --tcp "127.0.0.1:$P" --count 5 2>/dev/null
wait_rows 10
perl_send udp 127.0.0.2 "$P" "from-dot-two" 3        # inside 127.0.0.0/8
perl_send tcp 127.0.0.2 "$P" "tcp-from-dot-two" 1 || true  # outside 127.0.0.1/32
wait_rows 13
sleep 0.3
tw_stop
eq "$(rows)" "13" "allowed senders stored"
eq "$(counter udp_dropped_not_allowed)" "0" "nothing dropped"
eq "$(counter tcp_rejected_not_allowed)" "1" "127.0.0.2 refused by 127.0.0.1/32"
eq "$(rows "raw LIKE '%tcp-from-dot-two%'")" "0" "refused connection's data not stored"
ok "allowlist 127.0.0.0/8 and 127.0.0.1/32: stored; 127.0.0.2 over tcp refused"

# --- IPv6: ::1/128 allowed for UDP, TCP only from 2001:db8::/32 ------------
if ip -6 addr show lo 2>/dev/null | grep -q "::1/128"; then
	rm -rf "$DB"*
	P6=$(tw_random_port)
	"$TW_BIN" serve --db "$DB" --udp "[::1]:$P6" --tcp "[::1]:$P6" --flush-interval 50ms \
		--udp-allow ::1/128 --tcp-allow 2001:db8::/32 >"$T/serve.log" 2>&1 &
	TW_PID=$!
	for _ in $(seq 1 100); do grep -q '; ready$' "$T/serve.log" && break; sleep 0.05; done
	grep -q '; ready$' "$T/serve.log" || fail "ipv6 collector did not start (port $P6)"
	"$TW_SEND" --udp "[::1]:$P6" --count 4 2>/dev/null
	"$TW_SEND" --tcp "[::1]:$P6" --count 4 2>/dev/null || true
	wait_rows 4
	sleep 0.3
	tw_stop
	eq "$(rows)" "4" "ipv6 udp from ::1 stored, tcp refused"
	eq "$(counter tcp_rejected_not_allowed)" "1" "ipv6 tcp refusal counted"
	ok "allowlist over IPv6: ::1/128 in, 2001:db8::/32 keeps ::1 out"
else
	echo "# no ::1 on lo: IPv6 allowlist case skipped"
fi

# --- connection limits: 3 per IP, 5 in total -------------------------------
rm -rf "$DB"*
tw_start --tcp-max-conns-per-ip 3 --tcp-max-conns 5
P=$TW_PORT
perl -MIO::Socket::INET -e '
	my $port = shift;
	$SIG{PIPE} = "IGNORE";
	my @s;
	for my $src ("127.0.0.1", "127.0.0.2") {
		for my $i (0 .. 3) {
			last if $src eq "127.0.0.2" && $i == 3;
			my $c = IO::Socket::INET->new(Proto => "tcp", LocalAddr => $src,
			    PeerAddr => "127.0.0.1", PeerPort => $port) or die "connect: $!";
			push @s, [$c, "conn-$src-$i"];
			select(undef, undef, undef, 0.1);    # accepted in this order
		}
	}
	select(undef, undef, undef, 0.5);
	for (@s) { my ($c, $t) = @$_; print $c "<30>Nov 27 10:00:00 h charon: $t\n"; }
	select(undef, undef, undef, 0.5);
	close $_->[0] for @s;' "$P"
wait_rows 5
sleep 0.3
"$TW_SEND" --tcp "127.0.0.1:$P" --count 1 2>/dev/null
wait_rows 6
tw_stop
eq "$(rows "raw LIKE '%conn-127.0.0.1-%'")" "3" "three connections kept from 127.0.0.1"
eq "$(rows "raw LIKE '%conn-127.0.0.2-%'")" "2" "two from 127.0.0.2 (total 5)"
eq "$(rows "raw LIKE '%conn-127.0.0.1-3%' OR raw LIKE '%conn-127.0.0.2-2%'")" "0" \
	"refused connections stored nothing"
eq "$(counter tcp_rejected_per_ip)" "1" "per-IP refusal counted"
eq "$(counter tcp_rejected_max_conns)" "1" "total refusal counted"
grep -q "tcp_max_conns_per_ip reached" "$T/serve.log" || fail "per-IP refusal logged"
ok "tcp_max_conns_per_ip 3, tcp_max_conns 5: refused and counted; served again afterwards"

# --- rate limit over UDP: dropped, counted, others not starved -------------
rm -rf "$DB"*
tw_start --sender-rate-limit 100
P=$TW_PORT
"$TW_SEND" --udp "127.0.0.1:$P" --count 1000 2>/dev/null
perl_send udp 127.0.0.2 "$P" "quiet-neighbour" 10
wait_rows 10 "SELECT count(*) FROM messages WHERE raw LIKE '%quiet-neighbour%'"
sleep 0.3
tw_stop
stored=$(rows "sender LIKE '127.0.0.1:%'")
dropped=$(counter udp_dropped_rate_limit)
eq "$(rows "raw LIKE '%quiet-neighbour%'")" "10" "other sender not starved"
eq "$(counter dropped_queue_full)" "0" "no queue drops"
eq "$((stored + dropped))" "1000" "stored + dropped_rate_limit = sent"
[ "$stored" -ge 100 ] && [ "$stored" -le 400 ] ||
	fail "stored $stored of 1000 at 100/s (burst 100): expected 100..400"
grep -q "127.0.0.1 is over sender_rate_limit (100/s): dropping" "$T/serve.log" ||
	fail "rate-limited sender logged"
ok "sender_rate_limit 100/s over udp: $stored stored, $dropped dropped and counted"

# --- rate-limit table under 6000 distinct senders: bounded, evicts ---------
rm -rf "$DB"*
tw_start --sender-rate-limit 10
P=$TW_PORT
perl -MIO::Socket::INET -e '
	my $port = shift;
	for my $i (0 .. 5999) {
		my $src = sprintf("127.1.%d.%d", int($i / 250), 1 + $i % 250);
		my $s = IO::Socket::INET->new(Proto => "udp", LocalAddr => $src,
		    PeerAddr => "127.0.0.1", PeerPort => $port) or die "$src: $!";
		$s->send("<30>Nov 27 10:00:00 many charon: from $src");
		select(undef, undef, undef, 0.0002) if $i % 100 == 0;
	}' "$P"
wait_rows 6000
tw_stop
eq "$(counter udp_dropped_rate_limit)" "0" "one message each is within every bucket"
evicted=$(counter rate_limit_evictions)
[ "$evicted" -ge $((6000 - 4096)) ] || fail "rate_limit_evictions $evicted: table not bounded?"
ok "6000 distinct senders: all stored, table bounded at 4096 ($evicted evictions)"

# --- rate limit over TCP: paused, never dropped ----------------------------
rm -rf "$DB"*
tw_start --sender-rate-limit 100
P=$TW_PORT
start=$(date +%s%N)
"$TW_SEND" --tcp "127.0.0.1:$P" --count 400 2>/dev/null     # fits in the socket buffers
sleep 0.5
perl_send tcp 127.0.0.2 "$P" "tcp-neighbour" 5
sleep 0.3
eq "$(rows "raw LIKE '%tcp-neighbour%'")" "5" "other tcp sender served while the first is paused"
[ "$(rows)" -lt 400 ] || fail "400 rows at once: not rate limited"
wait_rows 405
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$elapsed_ms" -ge 2500 ] || fail "400 messages at 100/s in ${elapsed_ms} ms"
tw_stop
eq "$(rows "sender LIKE '127.0.0.1:%'")" "400" "every tcp message stored"
eq "$(q "SELECT count(DISTINCT raw) FROM v_messages WHERE sender LIKE '127.0.0.1:%'")" "400" \
	"each once"
[ "$(counter tcp_paused_rate_limit)" -ge 1 ] || fail "tcp_paused_rate_limit not counted"
ok "sender_rate_limit 100/s over tcp: 400 of 400 stored in ${elapsed_ms} ms, paused not dropped"

# --- SIGTERM while a sender is paused by the rate limit: nothing lost ------
rm -rf "$DB"*
tw_start --sender-rate-limit 50
P=$TW_PORT
"$TW_SEND" --tcp "127.0.0.1:$P" --count 300 2>/dev/null
sleep 1
[ "$(rows)" -lt 300 ] || fail "not rate limited"
tw_stop
eq "$(rows)" "300" "accepted tcp data stored at shutdown despite the rate limit"
grep -q "stopped: received 300, stored 300" "$T/serve.log" || fail "summary line"
ok "SIGTERM with a rate-paused sender: 300 of 300 stored"
