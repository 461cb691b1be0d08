#!/usr/bin/env bash
# UDP overload into a tiny socket buffer: the kernel drops datagrams before
# the collector sees them, and the collector counts them (dropped_kernel,
# read from the socket's drop counter).  Checks: the stats table has
# dropped_kernel > 0 whenever stored < sent; dropped_kernel equals the
# socket's "drops" in /proc/net/udp; and sent = stored + dropped_kernel +
# dropped_queue_full + dropped_spool_full (every drop counted) — unless the loopback device's
# own backlog dropped packets (/proc/net/softnet_stat), which no socket
# sees.
. "$(dirname "$0")/lib.sh"
command -v sqlite3 >/dev/null || { echo "skip: sqlite3 missing"; exit 77; }

# The socket's drops: the last column of /proc/net/udp for our port.
proc_drops() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" { d += $NF } END { print d + 0 }' /proc/net/udp
}
# Packets the network stack dropped from its backlog, all CPUs (column 2).
softnet_drops() {
	local s=0 v
	while read -r _ v _; do s=$((s + 16#$v)); done </proc/net/softnet_stat
	echo $s
}

# run_case NAME SERVE-ARGS...: start, send N datagrams unpaced, stop, check.
run_case() {
	local name=$1 N=200000 sn0 sn1 sent last got pd stored dk dq
	shift
	rm -rf "$DB" "$DB-wal" "$DB-shm" "$DB.spool"
	tw_start --stats-interval 1s "$@"
	grep -q "receive buffer .* granted" "$T/serve.log" || fail "rcvbuf not logged"
	sn0=$(softnet_drops)
	"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count $N 2>"$T/send.log" || fail "twsend"
	sent=$(sed -n 's/.*sent \([0-9]*\) messages.*/\1/p' "$T/send.log")
	[ -n "$sent" ] || { cat "$T/send.log"; fail "twsend did not say what it sent"; }

	# Wait until the row count stops moving, then read the kernel's figure
	# while the socket still exists.
	last=-1
	for _ in $(seq 1 100); do
		got=$(q "SELECT count(*) FROM messages")
		[ "$got" = "$last" ] && break
		last=$got
		sleep 0.2
	done
	pd=$(proc_drops "$TW_PORT")
	sn1=$(softnet_drops)
	tw_stop

	stored=$(q "SELECT count(*) FROM messages")
	dk=$(counter dropped_kernel)
	dq=$(counter dropped_queue_full)
	dp=$(counter dropped_spool_full)
	[ -n "$dk" ] || fail "dropped_kernel not in the stats table"
	echo "$name: sent $sent, stored $stored, dropped_kernel $dk, dropped_queue_full $dq," \
		"dropped_spool_full $dp," \
		"/proc/net/udp drops $pd, softnet drops $((sn1 - sn0))"
	if [ "$stored" -ge "$sent" ]; then
		echo "$name: the kernel dropped nothing ($stored of $sent stored)"
		SKIPPED=$((SKIPPED + 1))
		return 0
	fi
	[ "$dk" -gt 0 ] || fail "stored $stored < sent $sent, but dropped_kernel is $dk"
	eq "$dk" "$pd" "dropped_kernel = the socket's drops in /proc/net/udp"
	eq "$(counter stored)" "$stored" "stored counter = rows"
	grep -q "the kernel dropped [0-9]* datagram(s): socket receive buffer full" "$T/serve.log" ||
		fail "kernel drops logged"
	grep -q "dropped $((dk + dq + dp)) (queue full $dq, spool full $dp, kernel $dk, shutdown 0)" "$T/serve.log" ||
		fail "summary line names the kernel drops"
	grep -q "stats: .* dropped $((dk + dq + dp)) (queue full $dq, spool full $dp, kernel $dk) queue" "$T/serve.log" ||
		fail "periodic stats line names the kernel drops"
	if [ $((sn1 - sn0)) -eq 0 ]; then
		eq "$((stored + dk + dq + dp))" "$sent" "sent = stored + dropped_kernel + dropped_queue_full + dropped_spool_full"
		ok "$name: every drop counted: $sent sent = $stored stored + $dk kernel + $dq queue + $dp spool"
	else
		[ $((stored + dk + dq + dp)) -le "$sent" ] || fail "more counted than sent"
		ok "$name: kernel drops counted ($dk); the loopback backlog dropped $((sn1 - sn0)) more (not a socket's)"
	fi
}

SKIPPED=0
# A 4 KiB buffer (SO_RCVBUFFORCE as root; else the kernel's minimum): a
# handful of datagrams.  An unpaced sender overflows it at once.
run_case "4K buffer" --udp-rcvbuf 4K
# A larger buffer, a 2,000-message queue and a 256 KiB spool: the spool
# fills too, so both kinds of drop add up.
echo '{ "spool_max_bytes": "256K" }' >"$T/spool.json"
run_case "256K buffer, small queue and spool" --udp-rcvbuf 256K --queue-max-messages 2000 \
	--config "$T/spool.json"
[ $SKIPPED -lt 2 ] || { echo "skip: the kernel never dropped"; exit 77; }
