#!/usr/bin/env bash
# Fault: 10,000 idle TCP connections.
#  1. With tcp_max_conns and tcp_max_conns_per_ip raised to 20,000: all
#     10,000 are accepted and held (tcp_connections gauge), they cost no
#     read buffers (RSS grows by a few MiB), and a TCP and a UDP message
#     from someone else are still stored promptly.  When they go, the
#     gauge returns to 0.
#  2. With tcp_max_conns_per_ip 1000: 3,000 connections from 127.0.0.3,
#     of which 2,000 are refused and counted (tcp_rejected_per_ip), while
#     127.0.0.2 is still served over TCP.
# Raises `ulimit -n` (both the collector and the client need 10,000
# descriptors); skipped (77) if that is not possible, except under CI=true.
# The held connections come from 127.0.0.3, so their 10,000 ephemeral
# ports do not collide with the 127.0.0.1 listeners of tests running
# alongside.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "skip: perl not installed"; exit 77; }

N=10000
ulimit -n 30000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 500)) ]; then
	reason="cannot raise the descriptor limit to $((N + 500)) (have $(ulimit -n))"
	[ "${CI:-}" = "true" ] && fail "$reason (required under CI)"
	echo "skip: $reason"
	exit 77
fi

CLIENT_PID=
# wait_counter NAME -ge|-eq VALUE [SECONDS]: until the latest stats row
# satisfies it.
wait_counter() {
	local name=$1 op=$2 want=$3 secs=${4:-20} i got=
	for ((i = 0; i < secs * 10; i++)); do
		got=$(counter "$name" 2>/dev/null || true)
		if [ -n "$got" ]; then
			case $op in
			-ge) [ "$got" -ge "$want" ] && return 0 ;;
			-eq) [ "$got" -eq "$want" ] && return 0 ;;
			esac
		fi
		sleep 0.1
	done
	fail "$name: wanted $op $want, have '${got}'"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$TW_PID/status"; }

# hold_conns PORT SRC COUNT OUT: opens COUNT connections from SRC, writes
# "open COUNT" to OUT, then holds them (idle) until killed.
hold_conns() {
	exec perl -MIO::Socket::INET -e '
		my ($port, $src, $n, $out) = @ARGV;
		my @s;
		for my $i (1 .. $n) {
			my $c = IO::Socket::INET->new(Proto => "tcp", LocalAddr => $src,
			    PeerAddr => "127.0.0.1", PeerPort => $port)
			    or die "connect $i: $!";
			push @s, $c;
		}
		open my $f, ">", $out or die;
		print $f "open ", scalar(@s), "\n";
		close $f;
		sleep 120;' "$@"
}
wait_open() {
	local i
	for i in $(seq 1 600); do
		grep -q "^open $1" "$2" 2>/dev/null && return 0
		kill -0 "$CLIENT_PID" 2>/dev/null || fail "client died opening connections"
		sleep 0.1
	done
	fail "client could not open $1 connections in 60 s"
}

# --- 1. 10,000 held, others served ----------------------------------------
tw_start --tcp-max-conns 20000 --tcp-max-conns-per-ip 20000 --stats-interval 1s
P=$TW_PORT
rss0=$(rss_kb)
t0=$(date +%s)
hold_conns "$P" 127.0.0.3 "$N" "$T/held" &
CLIENT_PID=$!
wait_open "$N" "$T/held"
wait_counter tcp_connections -ge "$N"
rss1=$(rss_kb)
printf '<13>Nov 27 10:00:00 h charon: tcp served beside %s idle\n' "$N" >/dev/tcp/127.0.0.1/"$P"
"$TW_SEND" --udp "127.0.0.1:$P" --count 1 --host-prefix udpbeside 2>/dev/null
wait_rows 2
kill -0 "$TW_PID" 2>/dev/null || fail "collector died"
ok "$N idle connections held ($(( $(date +%s) - t0 )) s to open); tcp and udp still served; RSS ${rss0} -> ${rss1} KiB"
[ $((rss1 - rss0)) -lt 65536 ] || fail "RSS grew by $((rss1 - rss0)) KiB for idle connections"
kill -KILL "$CLIENT_PID"
wait "$CLIENT_PID" 2>/dev/null || true
CLIENT_PID=
wait_counter tcp_connections -eq 0
tw_stop
[ "$(counter tcp_accepted)" -ge $((N + 1)) ] || fail "tcp_accepted $(counter tcp_accepted)"
eq "$(counter tcp_rejected_max_conns)" "0" "none refused"
ok "$N idle connections: all accepted, all gone afterwards (gauge back to 0)"

# --- 2. the per-IP limit refuses and counts -------------------------------
rm -rf "$DB"*
tw_start --tcp-max-conns-per-ip 1000 --stats-interval 1s
P=$TW_PORT
hold_conns "$P" 127.0.0.3 3000 "$T/held2" &
CLIENT_PID=$!
wait_open 3000 "$T/held2"
wait_counter tcp_rejected_per_ip -ge 2000
perl -MIO::Socket::INET -e '
	my $s = IO::Socket::INET->new(Proto => "tcp", LocalAddr => "127.0.0.2",
	    PeerAddr => "127.0.0.1", PeerPort => shift) or die "connect: $!";
	print $s "<13>Nov 27 10:00:00 h charon: another device still served\n";
	close $s;' "$P"
wait_rows 1 "SELECT count(*) FROM v_messages WHERE text = 'another device still served'"
wait_counter tcp_connections -eq 1000
kill -KILL "$CLIENT_PID"
wait "$CLIENT_PID" 2>/dev/null || true
CLIENT_PID=
tw_stop
eq "$(counter tcp_rejected_per_ip)" "2000" "refused connections counted"
grep -q "tcp_max_conns_per_ip reached" "$T/serve.log" || fail "refusal logged"
ok "3000 from 127.0.0.3 with tcp_max_conns_per_ip 1000: 2000 refused and counted, another device served"
