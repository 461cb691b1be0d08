#!/usr/bin/env bash
# tests/bench/bench.sh — one command: tunnelwatch against rsyslog and
# syslog-ng on this machine, the same sender and the same lines, one
# receiver after another, each started fresh with its own ports and files.
#
#   bash tests/bench/bench.sh [--quick | --full] [--repeats N]
#        [--only LIST] [--build DIR] [--work DIR] [--raise-rmem-max]
#
#   --quick   (default) ~3-5 minutes: 1 repeat, 2 s steps, bursts to 1 M,
#             500 k messages per TCP run
#   --full    3 repeats, 10 s steps, bursts to 2 M, 2 M messages per TCP run
#   --only    comma list of: rsyslog, sng-file, sng-sql, tunnelwatch,
#             overload (tunnelwatch's overload run alone), ceiling (SQLite's
#             own ceiling for tunnelwatch's rows alone)
#   --table-only  print the table again from $WORK/results.tsv
#   --raise-rmem-max  raise net.core.rmem_max to 256 MiB while syslog-ng
#             runs (it asks with SO_RCVBUF, which that caps; rsyslog and
#             tunnelwatch use SO_RCVBUFFORCE as root) and restore it after
#
# Measured per receiver (loss is always counted at the destination: lines
# in the output file, rows in the database; never from the sender):
#   udp_rate   highest paced UDP rate (msg/s) sustained: the sender steps
#              the rate up for STEP seconds each until a step loses a
#              message or the receiver falls behind (the last message is
#              stored more than max(1 s, STEP/10) after the sender stopped:
#              a queue was filling, which a longer step would overflow),
#              then tries the midpoint once
#   udp_burst  largest back-to-back (unpaced) UDP burst stored in full
#   tcp1/tcp4  messages stored per second from 1 and 4 TCP connections
#              (first byte sent to last row visible)
#   cpu100k    CPU seconds (user+sys, all threads) per 100,000 messages,
#              over the 1-connection TCP run
#   rss_mb     peak RSS (VmHWM) over all its runs
# and for tunnelwatch an overload run: unpaced UDP for OVERLOAD seconds (6 s
# with --queue-max-messages 500000 in --quick so that the limit is reached;
# 30 s with the default limits in --full); memory must stay bounded, and
# sent = stored + kernel socket drops + the collector's counted drops.
# Last, SQLite's own ceiling for the rows tunnelwatch stores (twsqlbench
# --tw-only on the same lines): how fast any collector could store them.
# Medians over the repeats; the ratios are tunnelwatch / each peer, from
# the same run.  Results: $WORK/results.md (the table), results.tsv (every
# measurement), logs of each receiver.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODE=quick
REPEATS=
ONLY=rsyslog,sng-file,sng-sql,tunnelwatch
BUILD=/tmp/build-bench
WORK=/tmp/tw-bench
RAISE_RMEM=0
TABLE_ONLY=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) MODE=quick ;;
	--full) MODE=full ;;
	--repeats) REPEATS=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--work) WORK=$2; shift ;;
	--raise-rmem-max) RAISE_RMEM=1 ;;
	--table-only) TABLE_ONLY=1 ;;
	-h|--help) sed -n '2,32p' "$0"; exit 0 ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$MODE" = quick ]; then
	: "${REPEATS:=1}"; STEP=2; RATES="1000 2000 5000 10000 25000 50000 100000 150000 200000 250000 300000 400000 500000"
	BURSTS="1000 10000 50000 100000 250000 500000 1000000"; TCPN=500000; OVERLOAD=6
	OVERLOAD_ARGS="--queue-max-messages 500000"   # so that 6 s reach the limit
else
	: "${REPEATS:=3}"; STEP=10; RATES="1000 2000 5000 10000 25000 50000 75000 100000 150000 200000 250000 300000 350000 400000 500000 600000"
	BURSTS="1000 10000 50000 100000 250000 500000 1000000 1500000 2000000"; TCPN=2000000; OVERLOAD=30
	OVERLOAD_ARGS=""                              # the default limits
fi
RCVBUF=$((256 * 1024 * 1024))
LAG_MAX=$((STEP * 100 > 1000 ? STEP * 100 : 1000))   # ms

mkdir -p "$WORK"
RES=$WORK/results.tsv
[ "$TABLE_ONLY" = 1 ] || : >"$RES"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "${RMEM_SAVED:-}" ]; then
		echo "$RMEM_SAVED" >/proc/sys/net/core/rmem_max || true
	fi
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }

# ---- setup: build, rsyslog, syslog-ng (unpacked beside, not installed) -----
setup() {
	log "building into $BUILD"
	if ! { cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTW_TESTS=OFF &&
	       cmake --build "$BUILD" -j2; } >"$WORK/build.log" 2>&1; then
		[ -x "$BUILD/tunnelwatch" ] && [ -x "$BUILD/twsend" ] && [ -x "$BUILD/twsim" ] || {
			tail -20 "$WORK/build.log" >&2; exit 1; }
		log "build failed (see $WORK/build.log): using the binaries already in $BUILD"
	fi
	TW=$BUILD/tunnelwatch SEND=$BUILD/twsend SIM=$BUILD/twsim
	local need=()
	command -v rsyslogd >/dev/null || need+=(rsyslog)
	command -v sqlite3 >/dev/null || need+=(sqlite3)
	local p
	for p in libdbi1 libdbd-sqlite3 libivykis0 libnet1 libwrap0; do
		dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
	done
	if [ ${#need[@]} -gt 0 ]; then
		log "apt-get install ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	fi
	# syslog-ng conflicts with rsyslog as a Debian package: unpack it.
	SNG=$WORK/sng
	if [ ! -x "$SNG/usr/sbin/syslog-ng" ]; then
		log "unpacking syslog-ng-core and syslog-ng-mod-sql into $SNG"
		mkdir -p "$WORK/debs" "$SNG"
		(cd "$WORK/debs" && apt-get download syslog-ng-core syslog-ng-mod-sql >/dev/null 2>&1)
		for p in "$WORK"/debs/syslog-ng-core_*.deb "$WORK"/debs/syslog-ng-mod-sql_*.deb; do
			dpkg-deb -x "$p" "$SNG"
		done
	fi
	SNG_VER=$(LD_LIBRARY_PATH=$SNG/usr/lib/syslog-ng "$SNG/usr/sbin/syslog-ng" --version 2>/dev/null |
		sed -n "s/^Installer-Version: *//p" | head -1)
	RSYSLOG_VER=$(rsyslogd -v | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')
	# The lines: a simulated fleet (same file for every receiver).
	LINES=$WORK/lines.log
	if [ ! -s "$LINES" ]; then
		log "simulating the fleet into $LINES"
		"$SIM" --seed 7 --devices 1000 --tunnels 4 --duration 3h --idle-fraction 0.25 \
			--out "$LINES" --truth "$WORK/lines.truth.json" 2>>"$WORK/setup.log"
	fi
	LINE_BYTES=$(awk '{ n += length($0) } END { printf "%d", n / NR }' "$LINES")
}

# ---- receivers ------------------------------------------------------------
# start_<r> DIR UDPPORT TCPPORT -> RPID; count_<r> DIR -> stored messages

start_rsyslog() {
	local d=$1
	cat >"$d/rsyslog.conf" <<-EOF
	global(workDirectory="$d" maxMessageSize="64k")
	module(load="imudp")
	module(load="imtcp" maxSessions="100")
	main_queue(queue.type="FixedArray" queue.size="4000000" queue.dequeueBatchSize="1024")
	input(type="imudp" address="127.0.0.1" port="$2" rcvbufSize="$RCVBUF")
	input(type="imtcp" address="127.0.0.1" port="$3")
	action(type="omfile" file="$d/out.log")
	EOF
	rsyslogd -n -f "$d/rsyslog.conf" -i "$d/rsyslog.pid" >"$d/rsyslog.stderr" 2>&1 &
	RPID=$!
}
count_rsyslog() { [ -f "$1/out.log" ] && wc -l <"$1/out.log" || echo 0; }

sng_run() {
	LD_LIBRARY_PATH=$SNG/usr/lib/syslog-ng "$SNG/usr/sbin/syslog-ng" -F --no-caps \
		--module-path="$SNG/usr/lib/syslog-ng/${SNG_VER%.*}" -f "$1/sng.conf" \
		-R "$1/persist" -p "$1/pid" -c "$1/ctl" >"$1/sng.stderr" 2>&1 &
	RPID=$!
}
sng_sources() {
	cat <<-EOF
	@version: ${SNG_VER%.*}
	options { threaded(yes); use-dns(no); keep-hostname(yes); stats_freq(0); log-fifo-size(1000000); };
	source s_net {
	    network(transport("udp") ip("127.0.0.1") port($2) so-rcvbuf($RCVBUF));
	    network(transport("tcp") ip("127.0.0.1") port($3) max-connections(100) log-iw-size(1000000));
	};
	EOF
}
start_sng-file() {
	{ sng_sources "$@"
	  echo "destination d { file(\"$1/out.log\"); };"
	  echo "log { source(s_net); destination(d); flags(flow-control); };"
	} >"$1/sng.conf"
	sng_run "$1"
}
count_sng-file() { [ -f "$1/out.log" ] && wc -l <"$1/out.log" || echo 0; }
# sql(): SQLite through libdbi, tuned as tunnelwatch is: WAL and
# synchronous=NORMAL (session-statements), one index (on the time, as
# tunnelwatch's messages_received), explicit commits of up to 10,000 rows
# (the shipped defaults -- four indexes, a commit per row, rollback journal
# with synchronous=FULL -- are several times slower).
start_sng-sql() {
	{ sng_sources "$@"
	  cat <<-EOF
	destination d { sql(type(sqlite3) host("") database("sng.db")
	    dbd-option("sqlite3_dbdir" "$1") table("messages")
	    columns("datetime varchar(32)", "host varchar(64)", "program varchar(32)", "pid varchar(16)", "message text")
	    values("\${R_ISODATE}", "\${HOST}", "\${PROGRAM}", "\${PID}", "\${MSGONLY}")
	    indexes("datetime") session-statements("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
	    batch-lines(10000) batch-timeout(100) flags(explicit-commits)); };
	log { source(s_net); destination(d); flags(flow-control); };
	EOF
	} >"$1/sng.conf"
	sng_run "$1"
}
count_sng-sql() {
	[ -f "$1/sng.db" ] || { echo 0; return; }
	sqlite3 -cmd ".timeout 5000" "$1/sng.db" "SELECT count(*) FROM messages" 2>/dev/null || echo 0
}

start_tunnelwatch() {
	# shellcheck disable=SC2086
	"$TW" serve --db "$1/tw.db" --udp "127.0.0.1:$2" --tcp "127.0.0.1:$3" \
		--udp-rcvbuf "$RCVBUF" ${TW_EXTRA:-} >"$1/serve.log" 2>&1 &
	RPID=$!
}
count_tunnelwatch() {
	[ -f "$1/tw.db" ] || { echo 0; return; }
	sqlite3 -cmd ".timeout 5000" "$1/tw.db" "SELECT count(*) FROM messages" 2>/dev/null || echo 0
}

# ---- helpers --------------------------------------------------------------

free_port() {   # a port free for UDP and TCP on 127.0.0.1
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Hln "( sport = :$p )" 2>/dev/null | grep -q . || { echo $p; return; }
	done
}

# start R: fresh dir, ports, process; waits until both ports listen.
start() {
	local r=$1 i
	DIR=$WORK/run/$r.$((++RUNSEQ))
	rm -rf "$DIR"; mkdir -p "$DIR"
	UP=$(free_port); TP=$(free_port)
	[ "$TP" != "$UP" ] || TP=$((UP + 1))
	"start_$r" "$DIR" "$UP" "$TP"
	PIDS+=("$RPID")
	for i in $(seq 1 100); do
		if ss -Hlnu "( sport = :$UP )" | grep -q . && ss -Hlnt "( sport = :$TP )" | grep -q .; then
			sleep 0.3
			BASE=0
			return 0
		fi
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.1
	done
	log "$r did not start; see $DIR"
	tail -5 "$DIR"/*.std* "$DIR"/*.log 2>/dev/null >&2 || true
	exit 1
}

stop() {
	kill -TERM "$RPID" 2>/dev/null || true
	local i
	for i in $(seq 1 100); do
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$RPID" 2>/dev/null || true
	wait "$RPID" 2>/dev/null || true
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
# Kernel drops on our UDP socket (the "drops" column of /proc/net/udp).
udp_drops() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$2 ~ p"$" { d += $NF } END { print d + 0 }' /proc/net/udp
}

# wait_stored R WANT [QUIET]: until the count reaches WANT or stops moving
# for QUIET seconds (default 3; or 300 s pass); prints the count.
wait_stored() {
	local r=$1 want=$2 quiet=${3:-3} got last=-1 still=0 i
	for i in $(seq 1 3000); do
		got=$("count_$r" "$DIR")
		[ "$got" -ge "$want" ] && break
		if [ "$got" = "$last" ]; then
			still=$((still + 1))
			[ $still -ge $((quiet * 10)) ] && break
		else
			still=0
		fi
		last=$got
		sleep 0.1
	done
	echo "$got"
}

rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RES"; }

# ---- measurements ---------------------------------------------------------

# udp_step RATE: one paced step; sets lost, lag (ms after the sender
# stopped until the last row), achieved.
udp_step() {
	local rate=$1 n=$(($1 * STEP)) t1 t2
	achieved=$("$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --rate "$rate" --count "$n" 2>&1 |
		sed -n 's/.*(\([0-9]*\) msg\/s).*/\1/p')
	t1=$(date +%s%N)
	got=$(wait_stored "$r" $((BASE + n)))
	t2=$(date +%s%N)
	lost=$((BASE + n - got))
	lag=$(((t2 - t1) / 1000000))
	BASE=$got
	log "$r udp $rate msg/s (sender reached $achieved): lost $lost of $n, last row ${lag} ms after the sender stopped, kernel drops $(udp_drops "$UP")"
}
behind() {   # 0 when the step was lost-free and kept up
	[ "$lost" -gt 0 ] && return 0
	[ "$lag" -gt "$LAG_MAX" ]
}

# udp_sustained R REP: step the rate until a step loses or falls behind.
udp_sustained() {
	local r=$1 rep=$2 good=0 bad=0 rate achieved limited=0 lost lag got
	start "$r"
	for rate in $RATES; do
		udp_step "$rate"
		if behind; then bad=$rate; break; fi
		good=$rate
		if [ "$achieved" -lt $((rate * 97 / 100)) ]; then
			limited=1; good=$achieved
			log "sender-limited at $achieved msg/s"
			break
		fi
	done
	if [ "$bad" -gt 0 ] && [ "$good" -gt 0 ]; then
		rate=$(((good + bad) / 2 / 1000 * 1000))
		udp_step "$rate"
		behind || good=$rate
	fi
	rec "$r" udp_rate "$rep" "$good"
	[ $limited = 0 ] || rec "$r" udp_rate_sender_limited "$rep" 1
	rec "$r" hwm_kb "$rep" "$(hwm_kb "$RPID")"
	stop
}

udp_burst() {
	local r=$1 rep=$2 good=0 n got lost
	start "$r"
	for n in $BURSTS; do
		"$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --count "$n" 2>/dev/null
		got=$(wait_stored "$r" $((BASE + n)))
		lost=$((BASE + n - got))
		BASE=$got
		log "$r burst $n: lost $lost, kernel drops $(udp_drops "$UP"), rss $(($(rss_kb "$RPID") / 1024)) MiB"
		[ "$lost" -gt 0 ] && break
		good=$n
	done
	rec "$r" udp_burst "$rep" "$good"
	rec "$r" hwm_kb "$rep" "$(hwm_kb "$RPID")"
	stop
}

tcp_run() {
	local r=$1 rep=$2 conns t0 t1 c0 c1 got rate
	start "$r"
	for conns in 1 4; do
		c0=$(cpu_ticks "$RPID")
		t0=$(date +%s.%N)
		"$SEND" --tcp "127.0.0.1:$TP" --file "$LINES" --count "$TCPN" --conns "$conns" 2>/dev/null
		got=$(wait_stored "$r" $((BASE + TCPN)) 15)
		t1=$(date +%s.%N)
		c1=$(cpu_ticks "$RPID")
		rate=$(awk -v n=$((got - BASE)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
		log "$r tcp x$conns: $((got - BASE)) of $TCPN stored, $rate msg/s, cpu $((c1 - c0)) ticks"
		[ $((got - BASE)) -ge "$TCPN" ] || rec "$r" "tcp${conns}_incomplete" "$rep" $((TCPN - got + BASE))
		rec "$r" "tcp$conns" "$rep" "$rate"
		if [ "$conns" = 1 ]; then
			rec "$r" cpu100k "$rep" "$(awk -v t=$((c1 - c0)) -v n=$((got - BASE)) \
				'BEGIN { printf "%.3f", t / 100 / (n / 100000) }')"
		fi
		BASE=$got
	done
	rec "$r" hwm_kb "$rep" "$(hwm_kb "$RPID")"
	stop
}

# Overload (tunnelwatch): UDP as fast as the sender goes for OVERLOAD
# seconds, RSS sampled; afterwards sent = stored + kernel drops + counted.
overload() {
	local r=tunnelwatch sent=0 got kd maxrss=0 s i dq
	TW_EXTRA=$OVERLOAD_ARGS start "$r"
	"$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --duration "$OVERLOAD" \
		2>"$DIR/send.log" &
	s=$!
	while kill -0 $s 2>/dev/null; do
		i=$(rss_kb "$RPID"); [ "$i" -gt "$maxrss" ] && maxrss=$i
		echo "$(date +%s.%N) $i" >>"$DIR/rss.samples"
		sleep 0.5
	done
	wait $s || true
	sent=$(sed -n 's/.*sent \([0-9]*\) messages.*/\1/p' "$DIR/send.log")
	got=$(wait_stored "$r" "$sent")
	kd=$(udp_drops "$UP")
	stop
	dq=$(sqlite3 "$DIR/tw.db" "SELECT coalesce(max(value), 0) FROM stats WHERE name = 'dropped_queue_full'" 2>/dev/null || echo 0)
	log "overload: sent $sent, stored $got, kernel drops $kd, queue drops $dq, max rss $((maxrss / 1024)) MiB"
	rec "$r" overload_sent 0 "$sent"
	rec "$r" overload_stored 0 "$got"
	rec "$r" overload_kernel_drops 0 "$kd"
	rec "$r" overload_queue_drops 0 "$dq"
	rec "$r" overload_unaccounted 0 $((sent - got - kd - dq))
	rec "$r" overload_max_rss_kb 0 "$maxrss"
}

# SQLite's own ceiling for the rows tunnelwatch writes: the same lines,
# parsed beforehand, stored through tunnelwatch's store alone (no
# resolution, correlator or network) in transactions of 100,000 (the
# writer's size while behind).  What no collector storing them could beat.
ceiling() {
	local rep out
	[ -x "$BUILD/twsqlbench" ] || { log "no $BUILD/twsqlbench: SQLite ceiling skipped"; return 0; }
	for rep in $(seq 1 "$REPEATS"); do
		out=$("$BUILD/twsqlbench" --tw-only --lines "$LINES" --rows "$TCPN" --batch 100000 --dir "$WORK")
		log "SQLite ceiling, repeat $rep: $(echo "$out" | tail -2 | tr -s ' \n' ' ')"
		rec sqlite ceiling_messages "$rep" "$(echo "$out" | awk '$1 == "tw_messages" { print $2 }')"
		rec sqlite ceiling_rows "$rep" "$(echo "$out" | awk '$1 == "tw_rows" { print $2 }')"
	done
}

# ---- the table ------------------------------------------------------------

median() {   # median R METRIC (over repeats); max for hwm
	awk -F'\t' -v r="$1" -v m="$2" '$1 == r && $2 == m { v[n++] = $4 }
		END { if (!n) { print "-"; exit }
		      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		      if (m == "hwm_kb") print v[n - 1]; else if (n % 2) print v[int(n / 2)]; else print (v[n / 2 - 1] + v[n / 2]) / 2 }' "$RES"
}

table() {
	local out=$WORK/results.md r m
	local names=(rsyslog sng-file sng-sql tunnelwatch)
	{
		echo "Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
			"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); mode $MODE," \
			"$REPEATS repeat(s), $STEP s steps; lines from twsim (mean $LINE_BYTES bytes)"
		echo "Peers: rsyslog $RSYSLOG_VER (imudp/imtcp -> omfile), syslog-ng $SNG_VER (network() -> file," \
			"network() -> sql(sqlite3), flow-control); rcvbuf asked: $((RCVBUF / 1048576)) MiB;" \
			"net.core.rmem_max $(cat /proc/sys/net/core/rmem_max)"
		echo "Load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
		echo
		echo "| metric | rsyslog | syslog-ng file | syslog-ng sql | tunnelwatch | tw/rsyslog | tw/sng-file | tw/sng-sql |"
		echo "|---|---|---|---|---|---|---|---|"
		for m in udp_rate udp_burst tcp1 tcp4 cpu100k hwm_kb; do
			local v=() lab=$m
			for r in "${names[@]}"; do v+=("$(median "$r" "$m")"); done
			case $m in
			udp_rate) lab="UDP sustained: zero loss, kept up (msg/s)"
				for i in 0 1 2 3; do
					grep -q "^${names[$i]}	udp_rate_sender_limited" "$RES" && v[$i]="≥ ${v[$i]}"
				done ;;
			udp_burst) lab="UDP burst absorbed, zero loss (msgs)" ;;
			tcp1) lab="TCP 1 conn (msg/s stored)" ;;
			tcp4) lab="TCP 4 conns (msg/s stored)" ;;
			cpu100k) lab="CPU s per 100k msgs (TCP 1 conn)" ;;
			hwm_kb) lab="peak RSS (MiB)"
				for i in 0 1 2 3; do [ "${v[$i]}" = - ] || v[$i]=$(awk -v k="${v[$i]}" 'BEGIN { printf "%.0f", k / 1024 }'); done ;;
			esac
			printf '| %s | %s | %s | %s | %s |' "$lab" "${v[0]}" "${v[1]}" "${v[2]}" "${v[3]}"
			for i in 0 1 2; do
				awk -v a="${v[3]#≥ }" -v b="${v[$i]#≥ }" -v le="${v[$i]%%[0-9]*}" 'BEGIN {
					if (a == "-" || b == "-" || b == 0) printf " - |"
					else if (le != "") printf " ≤ %.2f |", a / b
					else printf " %.2f |", a / b }'
			done
			echo
		done
		if grep -q udp_rate_sender_limited "$RES"; then
			echo
			echo "Sender-limited (the receiver lost nothing at the fastest rate the sender reached):" \
				"$(awk -F'\t' '$2 == "udp_rate_sender_limited" { print $1 }' "$RES" | sort -u | tr '\n' ' ')"
		fi
		if grep -q ceiling_rows "$RES"; then
			local cr cm t1
			cr=$(median sqlite ceiling_rows) cm=$(median sqlite ceiling_messages) t1=$(median tunnelwatch tcp1)
			echo
			echo "SQLite's ceiling for tunnelwatch's rows here (twsqlbench --tw-only: the same lines parsed" \
				"beforehand, stored through tunnelwatch's store alone, 100,000 per transaction):" \
				"messages + events rows $cr lines/s, messages rows only $cm lines/s;" \
				"tunnelwatch TCP 1 conn = $(awk -v a="$t1" -v b="$cr" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }') x the first"
		fi
		if grep -q overload_sent "$RES"; then
			echo
			echo "tunnelwatch overload ($OVERLOAD s unpaced UDP${OVERLOAD_ARGS:+, $OVERLOAD_ARGS}): sent $(median tunnelwatch overload_sent)," \
				"stored $(median tunnelwatch overload_stored), kernel socket drops $(median tunnelwatch overload_kernel_drops)," \
				"queue-full drops counted $(median tunnelwatch overload_queue_drops)," \
				"unaccounted $(median tunnelwatch overload_unaccounted), max RSS" \
				"$(( $(median tunnelwatch overload_max_rss_kb) / 1024 )) MiB"
		fi
	} >"$out"
	cat "$out"
}

if [ "$TABLE_ONLY" = 1 ]; then
	SNG=$WORK/sng LINES=$WORK/lines.log LOAD0="(not recorded)"
	SNG_VER=$(LD_LIBRARY_PATH=$SNG/usr/lib/syslog-ng "$SNG/usr/sbin/syslog-ng" --version 2>/dev/null |
		sed -n "s/^Installer-Version: *//p" | head -1)
	RSYSLOG_VER=$(rsyslogd -v | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')
	LINE_BYTES=$(awk '{ n += length($0) } END { printf "%d", n / NR }' "$LINES")
	table
	exit 0
fi
setup
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
RUNSEQ=0
log "mode $MODE, repeats $REPEATS, lines $LINES ($(wc -l <"$LINES") lines, mean $LINE_BYTES bytes)"
for rep in $(seq 1 "$REPEATS"); do
	for r in rsyslog sng-file sng-sql tunnelwatch; do
		case ",$ONLY," in *",$r,"*) ;; *) continue ;; esac
		if [ "$RAISE_RMEM" = 1 ] && [ "${r#sng}" != "$r" ]; then
			RMEM_SAVED=${RMEM_SAVED:-$(cat /proc/sys/net/core/rmem_max)}
			echo "$RCVBUF" >/proc/sys/net/core/rmem_max
		elif [ -n "${RMEM_SAVED:-}" ]; then
			echo "$RMEM_SAVED" >/proc/sys/net/core/rmem_max
		fi
		log "== $r, repeat $rep"
		udp_sustained "$r" "$rep"
		udp_burst "$r" "$rep"
		tcp_run "$r" "$rep"
	done
done
case ",$ONLY," in *",tunnelwatch,"*|*",overload,"*) overload ;; esac
case ",$ONLY," in *",tunnelwatch,"*|*",ceiling,"*) ceiling ;; esac
table
