#!/usr/bin/env bash
# Fault: TCP clients that never send a newline.
#  - A slow one: a few bytes, then silence.  tcp_idle_timeout (2 s here)
#    closes it; what it sent is stored flagged truncated; tcp_closed_idle.
#  - A fire hose: 20 MiB without a single LF, then "\nafter the flood\n".
#    The first max_frame bytes are stored flagged truncated, the rest is
#    discarded up to the LF, the line after it is stored whole, and the
#    collector's memory does not grow with the stream (RSS checked).
# Other clients are served while both are connected.
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "skip: perl not installed"; exit 77; }

CLIENT_PID=
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$TW_PID/status"; }

tw_start --tcp-idle-timeout 2s --max-frame 64K
P=$TW_PORT
served=0
serve_other() {
	served=$((served + 1))
	printf '<13>Nov 27 10:00:00 h charon: served %s\n' "$served" >/dev/tcp/127.0.0.1/"$P"
	wait_rows "$served" "SELECT count(*) FROM v_messages WHERE text LIKE 'served %'"
}

# Slow: 40 bytes, then nothing; report when the collector hangs up.
exec 3< <(exec perl -MIO::Socket::INET -MIO::Select -MTime::HiRes=time -e '
	$| = 1;
	my $s = IO::Socket::INET->new(Proto => "tcp", PeerAddr => "127.0.0.1",
	    PeerPort => shift) or die "connect: $!";
	$s->autoflush(1);
	print $s "<13>Nov 27 10:00:00 h charon: slow, no newline";
	my $t0 = time;
	my $buf;
	if (IO::Select->new($s)->can_read(10) && !sysread($s, $buf, 10)) {
		printf "closed after %.1f s\n", time - $t0;
	} else {
		print "still open\n";
	}' "$P")
sleep 0.5
serve_other
read -r -t 12 verdict <&3 || verdict="no answer"
exec 3<&-
case $verdict in
closed\ after\ [1-4].*) ;;
*) fail "slow client without newline: $verdict (idle timeout 2 s)" ;;
esac
wait_rows 1 "SELECT count(*) FROM v_messages WHERE text = 'slow, no newline' AND truncated = 1"
ok "slow client without newline: $verdict by tcp_idle_timeout, its bytes stored truncated"

# Fire hose: 20 MiB without LF, paced over a few seconds.
rss0=$(rss_kb)
perl -MIO::Socket::INET -e '
	$SIG{PIPE} = "IGNORE";
	my $s = IO::Socket::INET->new(Proto => "tcp", PeerAddr => "127.0.0.1",
	    PeerPort => shift) or die "connect: $!";
	$s->autoflush(1);
	print $s "<13>Nov 27 10:00:00 h charon: flood ";
	my $chunk = "A" x 65536;
	for my $i (1 .. 320) {
		print $s $chunk or die "write: $!";
		select(undef, undef, undef, 0.1) if $i % 16 == 0;
	}
	print $s "\n<13>Nov 27 10:00:00 h charon: after the flood\n";
	close $s;' "$P" &
CLIENT_PID=$!
sleep 0.5
serve_other
rss_mid=$(rss_kb)
kill -0 "$CLIENT_PID" 2>/dev/null || fail "fire hose over before the other client was served"
wait "$CLIENT_PID" || fail "fire hose client failed"
CLIENT_PID=
wait_rows 1 "SELECT count(*) FROM v_messages WHERE text = 'after the flood'"
serve_other
rss1=$(rss_kb)
tw_stop

eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE 'flood A%'")" "1" "one row for the flood"
eq "$(q "SELECT length(raw) || ',' || truncated FROM v_messages WHERE text LIKE 'flood A%'")" \
	"65536,1" "cut to max_frame and flagged"
eq "$(counter tcp_closed_idle)" "1" "idle close counted"
eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE 'served %'")" "$served" "others served"
growth=$(( (rss1 > rss_mid ? rss1 : rss_mid) - rss0 ))
[ "$growth" -lt 32768 ] || fail "RSS grew by ${growth} KiB over a 20 MiB line"
ok "20 MiB without newline: 1 row of 64 KiB, rest discarded, next line whole; RSS ${rss0} -> ${rss_mid} -> ${rss1} KiB"
