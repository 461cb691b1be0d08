#!/usr/bin/env bash
# Spool (issue #17 item 1): a torn or corrupt spool tail after a crash is
# detected by the record's CRC, counted (spool_torn_chunks) and cut off,
# never stored as garbage; everything before it is replayed once.  A bad
# record in an older segment is a read error (spool_read_errors): the rest
# of that segment is skipped, the later segments are replayed.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || fail "curl missing (bash deploy/build.sh --test)"

qt() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"; }
url() { sed -n 's|.*web view and /metrics on \(http://[^ ]*/\) .*|\1|p' "$T/serve.log"; }
received() {
	curl -sf "$(url)metrics" | awk '$1 == "tunnelwatch_received_total" { print $2 }'
}
seqs() { qt "SELECT CAST(substr(raw, instr(raw, 'seq=') + 4) AS INTEGER) FROM messages WHERE raw LIKE '%$1%' ORDER BY 1"; }

# spool_crash PREFIX N: N lines read with the writer locked out, then kill -9.
spool_crash() {
	local prefix=$1 n=$2 got=0
	echo '{ "spool_max_bytes": "8M" }' >"$T/spool.json"     # 2 MiB segments
	tw_start --http 127.0.0.1:0 --config "$T/spool.json"
	mkfifo "$T/lock.fifo"
	sqlite3 -batch -bail -noheader -cmd ".timeout 10000" "$DB" <"$T/lock.fifo" >"$T/locker.out" 2>&1 &
	HOLD_PID=$!
	exec 9>"$T/lock.fifo"
	printf "BEGIN IMMEDIATE;\nSELECT 'locked';\n" >&9
	for _ in $(seq 1 50); do grep -q locked "$T/locker.out" 2>/dev/null && break; sleep 0.1; done
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count "$n" --conns 1 --host-prefix "$prefix" \
		2>/dev/null
	for _ in $(seq 1 200); do
		got=$(received || echo 0)
		[ "${got:-0}" -ge "$n" ] && break
		sleep 0.05
	done
	eq "$got" "$n" "$prefix: read before the kill"
	sleep 0.2
	kill -KILL "$TW_PID"
	wait "$TW_PID" 2>/dev/null || true
	TW_PID=
	echo "ROLLBACK;" >&9
	exec 9>&-
	wait "$HOLD_PID" 2>/dev/null || true
	rm -f "$T/lock.fifo"
}

# restart_and_drain PREFIX: start, wait until PREFIX's rows stop growing, stop.
restart_and_drain() {
	local prev=-1 n
	tw_start
	for _ in $(seq 1 200); do
		n=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%$1%'")
		[ "$n" = "$prev" ] && [ "$n" -gt 0 ] && break
		prev=$n
		sleep 0.25
	done
	tw_stop
}

# check_prefix PREFIX: rows are seq 0..N-1, each once, no torn row; prints N.
check_prefix() {
	local n
	n=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%$1%'")
	eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE raw LIKE '%$1%'")" "$n" "$1: each once"
	eq "$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%$1%' AND raw NOT GLOB '*seq=[0-9]*'")" \
		"0" "$1: no torn rows"
	eq "$(qt "SELECT coalesce(max(CAST(substr(raw, instr(raw, 'seq=') + 4) AS INTEGER)), -1) FROM messages WHERE raw LIKE '%$1%'")" \
		"$((n - 1))" "$1: no gap"
	echo "$n"
}

newest() { ls "$DB.spool"/seg-* | sort | tail -n 1; }

# ---- 1: the newest segment cut in the middle of its last record -------------
spool_crash cut 20000
seg=$(newest)
size=$(stat -c %s "$seg")
truncate -s $((size - 100)) "$seg"
restart_and_drain cut
n=$(check_prefix cut)
eq "$(counter spool_torn_chunks)" "1" "cut: spool_torn_chunks"
[ "$n" -lt 20000 ] && [ "$n" -gt 19000 ] || fail "cut: $n stored, want all but the last chunk"
grep -q "torn tail at byte" "$T/serve.log" || fail "cut: no log line"
ok "tail cut 100 bytes short: counted once, $n of 20000 replayed (the torn chunk's lines lost, as a crash mid-write would)"

# ---- 2: a byte flipped in the last record: CRC mismatch --------------------
spool_crash flip 20000
seg=$(newest)
size=$(stat -c %s "$seg")
printf 'Z' | dd of="$seg" bs=1 seek=$((size - 10)) conv=notrunc status=none
restart_and_drain flip
n=$(check_prefix flip)
eq "$(counter spool_torn_chunks)" "1" "flip: spool_torn_chunks"
[ "$n" -lt 20000 ] && [ "$n" -gt 19000 ] || fail "flip: $n stored"
ok "last record corrupted: CRC caught it, counted, $n of 20000 replayed, no garbage row"

# ---- 3: an older segment damaged: read error, later segments replayed ------
spool_crash older 30000
[ "$(ls "$DB.spool" | grep -c '^seg-')" -ge 2 ] || fail "older: want 2 segments or more"
seg=$(ls "$DB.spool"/seg-* | sort | head -n 1)
printf 'Z' | dd of="$seg" bs=1 seek=1000000 conv=notrunc status=none
restart_and_drain older
n=$(qt "SELECT count(*) FROM messages WHERE raw LIKE '%older%'")
eq "$(qt "SELECT count(DISTINCT raw) FROM messages WHERE raw LIKE '%older%'")" "$n" "older: each once"
eq "$(counter spool_read_errors)" "1" "older: spool_read_errors"
last=$(seqs older | tail -n 1)
eq "$last" "29999" "older: the newest segment was replayed to its end"
[ "$n" -lt 30000 ] || fail "older: the damaged part should be missing"
ok "older segment damaged: one read error, $n of 30000 replayed, up to the last line"
