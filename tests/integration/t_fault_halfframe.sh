#!/usr/bin/env bash
# Fault: TCP clients that send half a frame and disappear — an
# octet-counted frame cut short then a normal close (FIN), an LF frame
# without its LF then a reset (RST), and a client killed -9 mid-frame.
# While each one hangs in the middle, another client is served; when it
# goes, what it did send is stored: a cut octet-counted frame flagged
# truncated and counted (tcp_partial_frame_at_eof), a final frame without
# its LF as it is (RFC 6587 senders may omit the last LF); the reset is
# counted in tcp_closed_error.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "skip: perl not installed"; exit 77; }

CLIENT_PID=
rows() { q "SELECT count(*) FROM v_messages WHERE $1"; }

# half_client PORT DATA HOLD_S HOW: sends DATA (printf escapes), waits,
# then leaves by HOW: fin (close) or rst (SO_LINGER 0, then close).  Run
# in the background it is the perl process itself (exec), so kill hits it.
half_client() {
	exec perl -MIO::Socket::INET -MSocket -e '
		my ($port, $data, $hold, $how) = @ARGV;
		$SIG{PIPE} = "IGNORE";
		$| = 1;
		my $s = IO::Socket::INET->new(Proto => "tcp", PeerAddr => "127.0.0.1",
		    PeerPort => $port) or die "connect: $!";
		$s->autoflush(1);
		print $s $data;
		print STDOUT "sent\n";
		select(undef, undef, undef, $hold);
		setsockopt($s, SOL_SOCKET, SO_LINGER, pack("ii", 1, 0)) if $how eq "rst";
		close $s;' "$@"
}

tw_start --stats-interval 1s
P=$TW_PORT
others=0
serve_other() {
	others=$((others + 1))
	logger -n 127.0.0.1 -P "$P" -T --rfc3164 -t charon "other client $others" 2>/dev/null ||
		printf '<13>Nov 27 10:00:00 h charon: other client %s\n' "$others" \
			>/dev/tcp/127.0.0.1/"$P"
	wait_rows "$others" "SELECT count(*) FROM v_messages WHERE text LIKE 'other client %'"
}

# 1. Octet count says 60, 31 bytes arrive, then FIN.
half_client "$P" "60 <13>Nov 27 10:00:00 h charon: cut" 1.5 fin >"$T/c1.out" &
CLIENT_PID=$!
sleep 0.5
serve_other
[ "$(rows "text = 'cut'")" = "0" ] || fail "half frame stored before the client left"
wait "$CLIENT_PID"
CLIENT_PID=
wait_rows 1 "SELECT count(*) FROM v_messages WHERE text = 'cut' AND truncated = 1"
ok "octet frame cut short, then FIN: others served meanwhile; stored truncated"

# 2. An LF frame without its LF, then RST.
half_client "$P" "<13>Nov 27 10:00:00 h charon: no lf then reset" 1.5 rst >"$T/c2.out" &
CLIENT_PID=$!
sleep 0.5
serve_other
wait "$CLIENT_PID"
CLIENT_PID=
wait_rows 1 "SELECT count(*) FROM v_messages WHERE text = 'no lf then reset'"
ok "LF frame without LF, then RST: stored"

# 3. Killed -9 in the middle of an octet-counted frame (the kernel closes).
half_client "$P" "200 <13>Nov 27 10:00:00 h charon: killed mid-frame" 30 fin >"$T/c3.out" &
CLIENT_PID=$!
for _ in $(seq 1 50); do grep -q sent "$T/c3.out" && break; sleep 0.1; done
sleep 0.3
serve_other
kill -KILL "$CLIENT_PID"
wait "$CLIENT_PID" 2>/dev/null || true
CLIENT_PID=
wait_rows 1 "SELECT count(*) FROM v_messages WHERE text = 'killed mid-frame' AND truncated = 1"
ok "client killed -9 mid-frame: stored truncated"

sleep 1.2        # one more stats interval
tw_stop
eq "$(counter tcp_partial_frame_at_eof)" "2" "cut octet-counted frames counted"
[ "$(counter tcp_closed_error)" -ge 1 ] || fail "the reset is not counted in tcp_closed_error"
eq "$(counter tcp_connections)" "0" "no connection left open"
eq "$(rows "text LIKE 'other client %'")" "3" "the other client was served each time"
ok "half frames: all 3 stored, the 2 cut octet frames flagged and counted; service never blocked"
