#!/usr/bin/env bash
# Fault: TCP clients that announce absurd RFC 6587 octet counts — the
# 11-digit 99999999999, the same split across two writes, a 20-digit run,
# max_frame + 1, and a bad count after a good frame on the same
# connection.  Each is closed at once by the collector (the client sees
# EOF within a second, without sending more), counted in
# tcp_closed_bad_octet_count and logged; nothing of the bad frame is
# stored, the good frame before it is, and a count of exactly max_frame is
# honoured.  Other clients are served throughout.  (A digit run longer
# than 20 is not taken for a count at all: framing.c reads it as the start
# of an LF-framed line, bounded by max_frame like any other.)
. "$(dirname "$0")/lib.sh"
command -v perl >/dev/null || { echo "skip: perl not installed"; exit 77; }


# count_client PORT PIECE...: writes each piece (0.3 s apart), then waits
# up to 5 s for the collector to close; prints "closed" or "open".
count_client() {
	perl -MIO::Socket::INET -MIO::Select -e '
		my $port = shift;
		$SIG{PIPE} = "IGNORE";
		my $s = IO::Socket::INET->new(Proto => "tcp", PeerAddr => "127.0.0.1",
		    PeerPort => $port) or die "connect: $!";
		$s->autoflush(1);
		for my $p (@ARGV) { print $s $p; select(undef, undef, undef, 0.3); }
		my $sel = IO::Select->new($s);
		my $buf;
		if ($sel->can_read(5)) {
			my $n = sysread($s, $buf, 100);
			print defined $n && $n == 0 ? "closed\n" : "reset\n";
		} else {
			print "open\n";
		}' "$@"
}

tw_start --max-frame 1024
P=$TW_PORT
served=0
serve_other() {
	served=$((served + 1))
	printf '<13>Nov 27 10:00:00 h charon: served %s\n' "$served" >/dev/tcp/127.0.0.1/"$P"
	wait_rows "$served" "SELECT count(*) FROM v_messages WHERE text LIKE 'served %'"
}

check_closed() {
	local what=$1 got
	shift
	got=$(count_client "$P" "$@")
	[ "$got" = "closed" ] || [ "$got" = "reset" ] || fail "$what: connection left $got"
	serve_other
	ok "$what: connection closed by the collector; others still served"
}

check_closed "octet count 99999999999" '99999999999 <13>Nov 27 10:00:00 h charon: huge'
check_closed "99999999999 split over two writes" '9999' '9999999 <13>Nov 27 10:00:00 h charon: split'
check_closed "a 20-digit count" '12345678901234567890 <13>x'
check_closed "max_frame + 1 (1025)" "1025 <13>Nov 27 10:00:00 h charon: one too many"
good='<13>Nov 27 10:00:00 h charon: good before'
check_closed "good frame, then a bad count" "${#good} $good" '99999999999 <13>bad after'

# Exactly max_frame is accepted.
body="<13>Nov 27 10:00:00 h charon: exact $(head -c 2000 /dev/zero | tr '\0' 'E')"
body=${body:0:1024}
printf '1024 %s' "$body" >/dev/tcp/127.0.0.1/"$P"
wait_rows 1 "SELECT count(*) FROM messages WHERE length(raw) = 1024"
serve_other
tw_stop

eq "$(counter tcp_closed_bad_octet_count)" "5" "each bad count counted"
eq "$(q "SELECT count(*) FROM v_messages WHERE text = 'good before'")" "1" \
	"the good frame before the bad count is stored"
eq "$(q "SELECT count(*) FROM messages WHERE raw LIKE '%huge%' OR raw LIKE '%split%'
          OR raw LIKE '%one too many%' OR raw LIKE '%bad after%' OR raw LIKE '%<13>x%'")" \
	"0" "nothing of a bad frame stored"
eq "$(q "SELECT truncated FROM v_messages WHERE length(raw) = 1024")" "0" \
	"a frame of exactly max_frame is whole"
eq "$(q "SELECT count(*) FROM v_messages WHERE text LIKE 'served %'")" "$served" \
	"every other client served"
grep -q "octet count larger than max_frame (1024): closing" "$T/serve.log" ||
	fail "bad count not logged"
ok "absurd octet counts: 5 connections closed and counted, nothing bad stored"
