#!/usr/bin/env bash
# tests/bench/bench.sh — one command: the targets of issue #14 measured on
# this machine, tunnelwatch beside rsyslog and syslog-ng, the same sender
# and the same lines, every figure and every ratio from this one run.
#
#   bash tests/bench/bench.sh [--quick | --full] [--repeats N] [--only LIST]
#        [--build DIR] [--no-build] [--work DIR] [--no-install]
#        [--history DEVICESxDAYS] [--latency-rate N] [--tcp4]
#        [--raise-rmem-max] [--table-only] [--tcp-count N] [--pg-count N]
#
#   --quick   (default) small sizes, ~40 s: the CI smoke test
#             (tests/integration/t_bench_smoke.sh) runs it
#   --full    the measurement, ~15-20 min: 5 s UDP steps, bursts to 2 M,
#             2 M messages per TCP run, 30 s of overload, 10 failures for
#             the latency, a 1,000-device day of history
#   --repeats N   repeat the receivers' runs, medians printed (default 1)
#   --only    comma list of: rsyslog, sng-sql, sng-file, tunnelwatch,
#             spool, pg, overload, latency, history (default: all but
#             sng-file)
#   --build   build directory (default /tmp/build-bench, built Release);
#             --no-build uses the binaries already there
#   --no-install  do not apt-get anything (a missing peer is then "n/a")
#   --history DxN   history scale: D devices x 4 tunnels x N days (the
#             issue's is 1000x10: ~40 min and ~27 GB more)
#   --tcp4    also the TCP run over 4 connections, per receiver
#   --latency-rate N  background rate for the latency run when tunnelwatch's
#             UDP rate is not measured in this run (--only latency)
#   --raise-rmem-max  raise net.core.rmem_max to 256 MiB while syslog-ng
#             runs (it asks with SO_RCVBUF, which that caps) and restore it
#   --table-only  print the tables again from $WORK/results.tsv
#   --tcp-count N messages per TCP run (default 50,000 quick, 2,000,000 full)
#   --pg-count N  lines per run of the pg part (default 10,000 quick,
#             200,000 full: PostgreSQL stores 10-15x slower than SQLite)
#
# What it prints first is the issue's targets table
#   | metric | measured | target | met? |
# then every receiver's figures, then how each was measured.  Loss is
# always counted at the destination (lines in the output file, rows in the
# database), never from the sender.  Per receiver, each run on a fresh
# process with its own config, ports on 127.0.0.1, pid file and files:
#   udp_rate   highest paced UDP rate sustained: steps of STEP seconds
#              until one loses a message or falls behind (its last row
#              is stored more than max(1 s, STEP/10) after the sender
#              stopped), then bisection; sender-limited when the sender
#              could not reach the step's rate
#   udp_burst  largest back-to-back UDP burst stored in full
#   tcp1/tcp4  messages stored per second over 1 and 4 TCP connections
#              (first byte sent to last row visible); tcp4 with --tcp4
#   tls1/tls4  tunnelwatch only: the same over TLS (RFC 5425, twsend --tls
#              with a client certificate, TLS 1.3), 1 and 4 connections
#   cpu100k    CPU seconds (user+sys, all threads) per 100,000 messages
#              over the 1-connection TCP run
#   rss        peak RSS (VmHWM) over its runs
#   spool      tunnelwatch's cost of the disk spool: the 1-connection TCP
#              run with --no-spool and with the spool (the default), one
#              after the other on fresh processes, each repeat, and the
#              ratio (docs/operations.md "Durability")
#   pg         (issue #18) the store on PostgreSQL, a throw-away cluster
#              (tests/tools/pgtmp.sh: Unix socket, fsync and
#              synchronous_commit off): PGN lines over 1 TCP connection to
#              one collector; the same PGN lines to each of two collectors
#              on one database (stored once, none pending); and to serve
#              on SQLite, the same run ("skipped" without postgresql)
# and for tunnelwatch, from the database of its 1-connection TCP run: the
# disk it takes per raw byte received, and SQLite's own ceiling for those
# same rows (twsqlbench --copy-from); then an overload run (sent = stored +
# kernel drops + counted drops, RSS sampled), the latency from the line
# that decides a tunnel failure to its incident in v_incidents (serve
# defaults, background traffic at half tunnelwatch's sustained UDP rate),
# and tests/bench/history.sh (ground truth, report timings).
set -euo pipefail
export TZ=UTC LC_ALL=C

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
MODE=quick
REPEATS=1
ONLY=rsyslog,sng-sql,tunnelwatch,spool,pg,overload,latency,history
BUILD=/tmp/build-bench
WORK=/tmp/tw-bench
DO_BUILD=1
DO_INSTALL=1
RAISE_RMEM=0
TABLE_ONLY=0
HISTORY=
LAT_RATE=
TCP4=0
TCP_COUNT=
PG_COUNT=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) MODE=quick ;;
	--full) MODE=full ;;
	--repeats) REPEATS=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--build) BUILD=$2; shift ;;
	--no-build) DO_BUILD=0 ;;
	--work) WORK=$2; shift ;;
	--no-install) DO_INSTALL=0 ;;
	--history) HISTORY=$2; shift ;;
	--latency-rate) LAT_RATE=$2; shift ;;
	--tcp4) TCP4=1 ;;
	--raise-rmem-max) RAISE_RMEM=1 ;;
	--table-only) TABLE_ONLY=1 ;;
	--tcp-count) TCP_COUNT=$2; shift ;;
	--pg-count) PG_COUNT=$2; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 0 ;;
	*) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
if [ "$MODE" = quick ]; then
	STEP=1 BISECT=0 RATES="5000 50000"
	BURSTS="10000 100000" TCPN=50000 QUIET=1 PGN=10000
	OVERLOAD=2 OVERLOAD_ARGS="--queue-max-messages 100000"
	SIM_ARGS="--devices 200 --tunnels 4 --duration 6h"
	LAT_N=2 LAT_GAP=1 LAT_WAIT=5 LAT_PACE=0.05 LAT_SETTLE=1
	: "${HISTORY:=10x1}"; HIST_REPEATS=1 HIST_HOURS=12
else
	STEP=5 BISECT=2 RATES="1000 2000 5000 10000 20000 40000 80000 160000 320000 640000"
	BURSTS="1000 10000 100000 500000 1000000 2000000" TCPN=2000000 QUIET=3 PGN=200000
	OVERLOAD=30 OVERLOAD_ARGS=""
	SIM_ARGS="--devices 1000 --tunnels 4 --duration 12h"
	LAT_N=10 LAT_GAP=3 LAT_WAIT=240 LAT_PACE=0.3 LAT_SETTLE=3
	: "${HISTORY:=1000x1}"; HIST_REPEATS=3 HIST_HOURS=
fi
[ -z "$TCP_COUNT" ] || TCPN=$TCP_COUNT
[ -z "$PG_COUNT" ] || PGN=$PG_COUNT
RCVBUF=$((256 * 1024 * 1024))
QUEUE_BYTES=$((64 * 1024 * 1024))       # serve's --queue-max-bytes default (the hand-off)
LAG_MAX=$((STEP * 100 > 1000 ? STEP * 100 : 1000))   # ms
has() { case ",$ONLY," in *",$1,"*) return 0 ;; esac; return 1; }

mkdir -p "$WORK"
RES=$WORK/results.tsv
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "${RMEM_SAVED:-}" ]; then
		echo "$RMEM_SAVED" >/proc/sys/net/core/rmem_max || true
	fi
	if [ -n "${PG_BASE:-}" ]; then
		! declare -F pgtmp_stop >/dev/null || pgtmp_stop
		rm -rf "$PG_BASE"
	fi
}
trap cleanup EXIT
log() { echo "[$(date +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }
rec() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RES"; }
na() { rec "$1" why 0 "$2"; log "$1: n/a: $2"; }   # why a peer or figure is missing

# ---- setup: packages, build, peers, lines ----------------------------------

# The benchmark's own packages, the way deploy/build.sh installs the
# build's.  syslog-ng-core conflicts with rsyslog as a Debian package
# (both provide system-log-daemon: installing it would remove rsyslog), so
# syslog-ng and its sql module are unpacked beside it with dpkg-deb, and
# only their libraries are installed.
bench_install() {
	# shellcheck source=../../deploy/build.sh
	. "$ROOT/deploy/build.sh"
	tw_install
	tw_apt_install rsyslog sqlite3 iproute2 procps libdbi1 libdbd-sqlite3 libivykis0 \
		libnet1 libwrap0 libjson-c5 libglib2.0-0 libpcre3 libssl3 libcap2
	SNG=$WORK/sng
	if [ ! -x "$SNG/usr/sbin/syslog-ng" ]; then
		log "unpacking syslog-ng-core and syslog-ng-mod-sql into $SNG"
		mkdir -p "$WORK/debs" "$SNG"
		if (cd "$WORK/debs" && apt-get download syslog-ng-core syslog-ng-mod-sql >/dev/null 2>&1); then
			local p
			for p in "$WORK"/debs/syslog-ng-core_*.deb "$WORK"/debs/syslog-ng-mod-sql_*.deb; do
				dpkg-deb -x "$p" "$SNG"
			done
		fi
	fi
}

setup() {
	[ "$DO_INSTALL" = 0 ] || bench_install
	if [ "$DO_BUILD" = 1 ]; then
		log "building into $BUILD"
		{ cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DTW_TESTS=OFF &&
		  cmake --build "$BUILD" -j2; } >"$WORK/build.log" 2>&1 ||
			{ tail -20 "$WORK/build.log" >&2; exit 1; }
	fi
	TW=$BUILD/tunnelwatch SEND=$BUILD/twsend SIM=$BUILD/twsim SQLB=$BUILD/twsqlbench
	local b
	for b in "$TW" "$SEND" "$SIM" "$SQLB"; do
		[ -x "$b" ] || { echo "bench.sh: $b not built" >&2; exit 1; }
	done
	command -v sqlite3 >/dev/null || { echo "bench.sh: sqlite3 needed" >&2; exit 1; }
	SNG=$WORK/sng SNG_VER= RSYSLOG_VER=
	if command -v rsyslogd >/dev/null; then
		RSYSLOG_VER=$(rsyslogd -v | sed -n '1s/^rsyslogd *\([0-9.]*\).*/\1/p')
	fi
	if [ -x "$SNG/usr/sbin/syslog-ng" ]; then
		SNG_VER=$(LD_LIBRARY_PATH=$SNG/usr/lib/syslog-ng "$SNG/usr/sbin/syslog-ng" --version 2>/dev/null |
			sed -n "s/^Installer-Version: *//p" | head -1)
	fi
	# The lines: a simulated fleet at debug level (packets, DPD, rekeys:
	# what charon logs at level 1-2), the same file for every receiver.
	LINES=$WORK/lines-$MODE.log
	if [ ! -s "$LINES" ]; then
		log "simulating the fleet into $LINES ($SIM_ARGS)"
		# shellcheck disable=SC2086
		"$SIM" --seed 7 $SIM_ARGS --idle-fraction 0.25 --out "$LINES" 2>>"$WORK/setup.log"
	fi
	NLINES=$(wc -l <"$LINES")
	LINE_BYTES=$(awk '{ n += length($0) } END { printf "%d", n / NR }' "$LINES")
	[ "$TCPN" -le "$NLINES" ] || TCPN=$NLINES
	[ "$PGN" -le "$NLINES" ] || PGN=$NLINES
}

# ---- receivers ----------------------------------------------------------------
# start_<r> DIR UDPPORT TCPPORT -> RPID; count_<r> DIR -> stored messages;
# avail_<r> -> 0 when it can run here, else prints why not.

avail_rsyslog() { [ -n "$RSYSLOG_VER" ] || { echo "rsyslogd not installed"; return 1; }; }
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
count_rsyslog() { count_lines "$1"; }

avail_sng() {
	[ -n "$SNG_VER" ] || {
		if [ "$DO_INSTALL" = 0 ]; then echo "syslog-ng not unpacked in $SNG (bench.sh without --no-install does it)"
		else echo "syslog-ng could not be downloaded and unpacked into $SNG (apt-get download)"; fi
		return 1; }
	local dep
	for dep in libivykis.so.0 libnet.so.1 libwrap.so.0 libdbi.so.1; do
		ldconfig -p | grep -q "$dep" || { echo "library $dep missing (apt-get install its package)"; return 1; }
	done
}
avail_sng-file() { avail_sng; }
avail_sng-sql() {
	avail_sng || return 1
	compgen -G "/usr/lib/*/dbd/libdbdsqlite3.so" >/dev/null ||
		{ echo "libdbd-sqlite3 not installed (the SQLite driver of syslog-ng's sql())"; return 1; }
}
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
count_sng-file() { count_lines "$1"; }
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
	# rowids are handed out in order and never reused here: max = count,
	# without reading the table on every poll
	sqlite3 -cmd ".timeout 5000" "$1/sng.db" "SELECT coalesce(max(rowid), 0) FROM messages" \
		2>/dev/null || echo 0
}

avail_tunnelwatch() { :; }
start_tunnelwatch() {
	# TW_TLS=1: the stream port speaks TLS (certificates from tls_certs)
	local stream=(--tcp "127.0.0.1:$3")
	[ "${TW_TLS:-0}" = 0 ] || stream=(--tls "127.0.0.1:$3" --tls-cert "$WORK/tls/srv.pem"
		--tls-key "$WORK/tls/srv.key" --tls-ca "$WORK/tls/ca.pem")
	# shellcheck disable=SC2086
	"$TW" serve --db "$1/tw.db" --udp "127.0.0.1:$2" "${stream[@]}" \
		--udp-rcvbuf "$RCVBUF" ${TW_EXTRA:-} >"$1/serve.log" 2>&1 &
	RPID=$!
}
# tls_certs: a CA, the receiver's certificate and a client certificate
# for the TLS runs, made once in $WORK/tls.
tls_certs() {
	local d=$WORK/tls n
	[ -f "$d/cli.pem" ] && return 0
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/ca.key" \
		-out "$d/ca.pem" -days 2 -subj "/CN=bench CA" 2>/dev/null
	for n in srv cli; do
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout "$d/$n.key" -out "$d/$n.csr" -subj "/CN=$n" 2>/dev/null
		openssl x509 -req -in "$d/$n.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -out "$d/$n.pem" 2>/dev/null
	done
}
count_tunnelwatch() {
	[ -f "$1/tw.db" ] || { echo 0; return; }
	sqlite3 -cmd ".timeout 5000" "$1/tw.db" "SELECT coalesce(max(message_id), 0) FROM messages" \
		2>/dev/null || echo 0
}
# The spool's cost: tunnelwatch with and without it, as two receivers.
avail_tw-spool() { :; }
start_tw-spool() { start_tunnelwatch "$@"; }
count_tw-spool() { count_tunnelwatch "$@"; }
avail_tw-nospool() { :; }
start_tw-nospool() { TW_EXTRA="${TW_EXTRA:-} --no-spool" start_tunnelwatch "$@"; }
count_tw-nospool() { count_tunnelwatch "$@"; }

# ---- helpers --------------------------------------------------------------------

# count_lines DIR: lines in DIR/out.log, reading only what was appended
# since the last call (a poll must not cost the receiver a core).
count_lines() {
	local f=$1/out.log st=$1/.count off=0 n=0 size
	[ -f "$f" ] || { echo 0; return; }
	[ ! -f "$st" ] || read -r off n <"$st"
	size=$(stat -c %s "$f")
	if [ "$size" -gt "$off" ]; then
		n=$((n + $(tail -c +$((off + 1)) "$f" | head -c $((size - off)) | tr -cd '\n' | wc -c)))
		echo "$size $n" >"$st"
	fi
	echo "$n"
}

free_port() {   # a port free for UDP and TCP on 127.0.0.1
	local p
	while :; do
		p=$((20000 + RANDOM % 30000))
		ss -Hlna "( sport = :$p )" 2>/dev/null | grep -q . || { echo $p; return; }
	done
}

# start R [TAG]: fresh dir, ports, process; waits until both ports listen.
start() {
	local r=$1 i
	DIR=$WORK/run/$r.${2:-run}.$((++RUNSEQ))
	rm -rf "$DIR"; mkdir -p "$DIR"
	UP=$(free_port); TP=$(free_port)
	[ "$TP" != "$UP" ] || TP=$((UP + 1))
	"start_$r" "$DIR" "$UP" "$TP"
	PIDS+=("$RPID")
	for i in $(seq 1 100); do
		if ss -Hlnu "( sport = :$UP )" | grep -q . && ss -Hlnt "( sport = :$TP )" | grep -q .; then
			sleep 0.2
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
	for i in $(seq 1 150); do
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

# wait_stored R WANT [QUIET]: until the count reaches WANT, or it has not
# moved for QUIET seconds while the receiver used less than a tenth of a
# core (a busy receiver is still working through its queue, however long
# its count stands still on a loaded machine), or 300 s pass; prints it.
wait_stored() {
	local r=$1 want=$2 quiet=${3:-$QUIET} got last=-1 still=0 i c0 c1
	local hz
	hz=$(getconf CLK_TCK)
	for i in $(seq 1 3000); do
		got=$("count_$r" "$DIR")
		[ "$got" -ge "$want" ] && break
		if [ "$got" = "$last" ]; then
			still=$((still + 1))
			if [ $still -ge $((quiet * 10)) ]; then
				c1=$(cpu_ticks "$RPID")
				[ $((c1 - c0)) -ge $((hz * quiet / 10)) ] || break
				still=0 c0=$c1
			fi
		else
			still=0 c0=$(cpu_ticks "$RPID")
		fi
		last=$got
		sleep 0.1
	done
	echo "$got"
}

# bytes of the first N lines of LINES (the raw log a sender sent)
raw_bytes() { head -n "$1" "$LINES" | wc -c; }

# ---- measurements ---------------------------------------------------------------

# udp_step RATE: one paced step; sets lost, lag (ms after the sender
# stopped until the last row), achieved.
udp_step() {
	local rate=$1 n=$(($1 * STEP)) t1 t2
	achieved=$("$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --rate "$rate" --count "$n" 2>&1 |
		sed -n 's/.*(\([0-9]*\) msg\/s).*/\1/p')
	: "${achieved:=0}"
	t1=$(date +%s%N)
	got=$(wait_stored "$r" $((BASE + n)))
	t2=$(date +%s%N)
	lost=$((BASE + n - got))
	lag=$(((t2 - t1) / 1000000))
	BASE=$got
	log "$r udp $rate msg/s (sender reached $achieved): lost $lost of $n, last row ${lag} ms after the sender stopped, kernel drops $(udp_drops "$UP")"
}
behind() {   # 0 when the step lost a message or fell behind
	[ "$lost" -gt 0 ] && return 0
	[ "$lag" -gt "$LAG_MAX" ]
}

udp_sustained() {
	local r=$1 rep=$2 good=0 bad=0 rate achieved limited=0 lost lag got i
	start "$r" udp
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
	for i in $(seq 1 "$BISECT"); do
		[ "$bad" -gt 0 ] && [ "$good" -gt 0 ] && [ $((bad - good)) -gt $((good / 10)) ] || break
		rate=$(((good + bad) / 2 / 1000 * 1000))
		sleep "$STEP"   # after a step that fell behind: let the rest of its work finish
		udp_step "$rate"
		if behind; then bad=$rate; else good=$rate; fi
	done
	rec "$r" udp_rate "$rep" "$good"
	rec "$r" udp_limited "$rep" "$limited"
	rec "$r" hwm_kb "$rep" "$(hwm_kb "$RPID")"
	stop
}

udp_burst() {
	local r=$1 rep=$2 good=0 n got lost
	start "$r" burst
	for n in $BURSTS; do
		"$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --count "$n" >/dev/null 2>&1
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

# tcp_run R REP CONNS [tls]: a fresh receiver, TCPN messages over CONNS
# connections (over TLS: tunnelwatch only, recorded as tls1/tls4).  For
# tunnelwatch over 1 plain connection, its database then gives the disk
# per raw byte and SQLite's ceiling for the same rows.
tcp_run() {
	local r=$1 rep=$2 conns=$3 proto=${4:-tcp} t0 t1 c0 c1 got rate how=(--tcp)
	if [ "$proto" = tls ]; then
		tls_certs
		how=(--ca "$WORK/tls/ca.pem" --cert "$WORK/tls/cli.pem" --key "$WORK/tls/cli.key" --tls)
		TW_TLS=1 start "$r" tls$conns
	else
		start "$r" tcp$conns
	fi
	c0=$(cpu_ticks "$RPID")
	t0=$(date +%s.%N)
	"$SEND" "${how[@]}" "127.0.0.1:$TP" --file "$LINES" --count "$TCPN" --conns "$conns" \
		>/dev/null 2>&1
	got=$(wait_stored "$r" "$TCPN" 15)
	t1=$(date +%s.%N)
	c1=$(cpu_ticks "$RPID")
	rate=$(awk -v n="$got" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
	log "$r $proto x$conns: $got of $TCPN stored, $rate msg/s, cpu $((c1 - c0)) ticks"
	[ "$got" -ge "$TCPN" ] || rec "$r" "${proto}${conns}_incomplete" "$rep" $((TCPN - got))
	rec "$r" "$proto$conns" "$rep" "$rate"
	if [ "$proto" = tls ]; then
		stop
		return 0
	fi
	[ "$conns" != 1 ] || rec "$r" cpu100k "$rep" "$(awk -v t=$((c1 - c0)) -v n="$got" \
		-v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.3f", t / hz / (n / 100000) }')"
	rec "$r" hwm_kb "$rep" "$(hwm_kb "$RPID")"
	stop
	if [ "$r" = tunnelwatch ] && [ "$conns" = 1 ]; then
		disk_and_ceiling "$rep" "$got"
	fi
}

# Disk per raw byte: the database (WAL checkpointed into it) over the
# bytes of the lines it stored.  Then SQLite's ceiling: every row of that
# database inserted again into a fresh one (twsqlbench --copy-from),
# 100,000 lines per transaction (the writer's size while behind).
disk_and_ceiling() {
	local rep=$1 n=$2 db=$DIR/tw.db raw dbb out
	sqlite3 "$db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null 2>&1 || true
	raw=$(raw_bytes "$n")
	dbb=$(($(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0)))
	log "disk: $dbb bytes of database for $raw raw bytes ($n lines)"
	rec tunnelwatch disk_db "$rep" "$dbb"
	rec tunnelwatch disk_raw "$rep" "$raw"
	rec tunnelwatch disk_lines "$rep" "$n"
	out=$("$SQLB" --copy-from "$db" --batch 100000 --dir "$WORK" 2>&1) || {
		na sqlite "twsqlbench --copy-from failed: $(echo "$out" | tail -1)"; return 0; }
	log "SQLite ceiling: $(echo "$out" | tr -s ' \n' ' ')"
	rec sqlite ceiling "$rep" "$(echo "$out" | awk '$1 == "copy_lines" { print $2 }')"
	rec sqlite ceiling_rows "$rep" "$(echo "$out" | awk '$1 == "copy_rows" { print $2 }')"
	rm -rf "$DIR"
}

# Overload (tunnelwatch): UDP as fast as the sender goes for OVERLOAD
# seconds, RSS sampled; afterwards sent = stored + kernel drops + counted.
overload() {
	local r=tunnelwatch sent=0 got kd maxrss=0 s i dq
	TW_EXTRA=$OVERLOAD_ARGS start "$r" overload
	"$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --duration "$OVERLOAD" \
		>"$DIR/send.log" 2>&1 &
	s=$!
	while kill -0 $s 2>/dev/null; do
		i=$(rss_kb "$RPID"); [ "$i" -gt "$maxrss" ] && maxrss=$i
		echo "$(date +%s.%N) $i" >>"$DIR/rss.samples"
		sleep 0.5
	done
	wait $s || true
	sent=$(sed -n 's/.*sent \([0-9]*\) messages.*/\1/p' "$DIR/send.log")
	got=$(wait_stored "$r" "$sent")
	i=$(hwm_kb "$RPID"); [ "$i" -gt "$maxrss" ] && maxrss=$i
	kd=$(udp_drops "$UP")
	stop
	# Counted drops: the queue's and, once the backlog fills the spool
	# (spool_max_bytes), the spool's.
	dq=$(sqlite3 "$DIR/tw.db" "SELECT coalesce(sum(v), 0) FROM (SELECT max(value) AS v
	    FROM stats WHERE name IN ('dropped_queue_full', 'dropped_spool_full') GROUP BY name)" \
	    2>/dev/null || echo 0)
	log "overload: sent $sent, stored $got, kernel drops $kd, queue and spool drops $dq, max rss $((maxrss / 1024)) MiB"
	rec "$r" overload_sent 0 "$sent"
	rec "$r" overload_stored 0 "$got"
	rec "$r" overload_kernel_drops 0 "$kd"
	rec "$r" overload_queue_drops 0 "$dq"
	rec "$r" overload_unaccounted 0 $((sent - got - kd - dq))
	rec "$r" overload_max_rss_kb 0 "$maxrss"
}

# ---- latency: line received -> incident visible in v_incidents -----------------
#
# One simulated tunnel failure (twsim: a DPD request unanswered, 5
# retransmits, "giving up after 5 retransmits", FTMD "ipsec1 DOWN"), cut in
# two: its bring-up, and the failure from the DPD request to the give-up's
# second.  Each of LAT_N devices (benchlatNN, own system-ip, tunnel source
# and peer, so that nothing ties them to the fleet or to each other) is
# brought up at the start; then every LAT_GAP seconds one fails: its
# failure lines are written over TCP as they happen (one second of the
# original per LAT_PACE s), each stamped with the wall-clock time it is
# sent, the give-up's second last.  Meanwhile the fleet's lines come over
# UDP at half tunnelwatch's sustained rate, and v_incidents is polled with
# sqlite3 every 0.2 s.  Latency = first poll that shows the device's
# incident - the moment its give-up was sent.

lat_lines() {   # -> $WORK/lat.a (bring-up), $WORK/lat.b (failure): "PRI<TAB>group<TAB>rest"
	local d=$WORK/lat fe st
	mkdir -p "$d"
	"$SIM" --seed 1 --devices 1 --tunnels 1 --duration 2h --flaps 1 --pfs 0 --deletes 0 \
		--outages 0 --idle-fraction 1 --out "$d/one.log" --truth "$d/one.truth.json" 2>/dev/null
	fe=$(sed -n 's/.*"first_evidence": "[0-9-]*T\([0-9:]*\)Z".*/\1/p' "$d/one.truth.json" | head -1)
	st=$(sed -n 's/.*"start": "[0-9-]*T\([0-9:]*\)Z".*/\1/p' "$d/one.truth.json" | sed -n 2p)
	[ -n "$fe" ] && [ -n "$st" ] || { echo "no failure in the simulated tunnel" >&2; return 1; }
	awk -v fe="$fe" -v st="$st" -v a="$WORK/lat.a" -v b="$WORK/lat.b" '
		function secs(t, p) { split(t, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
		BEGIN { lo = secs(fe); hi = secs(st); up = 1; last = -1; g = 0 }
		{
			pri = substr($1, 1, index($1, ">")); s = secs($3)
			rest = $0; sub(/^[^ ]* +[0-9]+ [0-9:]+ /, "", rest)
			if (up) { print pri "\t0\t" rest > a; if (rest ~ /CHILD_SA .* established with SPIs/) up = 0; next }
			if (s < lo || s > hi) next
			if (s != last) { g++; last = s }
			print pri "\t" g "\t" rest > b
		}' "$d/one.log"
	[ -s "$WORK/lat.a" ] && [ -s "$WORK/lat.b" ] && grep -q 'giving up after' "$WORK/lat.b"
}

# lat_send FD FILE I: writes FILE's lines for device I to FD, a group at a
# time, LAT_PACE s apart (none for the bring-up), each line stamped now;
# prints the epoch (s.ns) at which the last group (the give-up) was sent.
lat_send() {
	local fd=$1 f=$2 i=$3 pri g rest last=-1 ts inner t=0
	local host ip src peer
	host=$(printf 'benchlat%02d' "$i") ip="10.255.0.$i" src="198.18.0.$i" peer="198.19.0.$i"
	while IFS=$'\t' read -r pri g rest; do
		if [ "$g" != "$last" ] && [ "$g" != 0 ]; then
			[ "$last" = -1 ] || sleep "$LAT_PACE"
			last=$g
			t=$(date +%s.%N)
		fi
		rest=${rest//vedge0001/$host}
		rest=${rest//system-ip:10.0.0.1 /system-ip:$ip }
		rest=${rest//192.0.2.1/$src}
		rest=${rest//203.0.113.1/$peer}
		printf -v ts '%(%b %e %H:%M:%S)T' -1
		if [[ $rest =~ [0-9]+/[0-9]+/[0-9]{4}\ [0-9]+:[0-9]{2}:[0-9]{2} ]]; then
			printf -v inner '%(%-m/%-d/%Y %-H:%M:%S)T' -1
			rest=${rest/${BASH_REMATCH[0]}/$inner}
		fi
		printf '%s%s %s\n' "$pri" "$ts" "$rest" >&"$fd"
	done <"$f"
	echo "$t"
}

latency() {
	local r=tunnelwatch rate half i fd poll bg t_last n_seen
	rate=$(median tunnelwatch udp_rate)
	[ "$rate" != - ] || rate=${LAT_RATE:-}
	if [ -z "$rate" ] || [ "$rate" = 0 ]; then
		na latency "no sustained UDP rate of tunnelwatch measured in this run (--latency-rate N)"
		return 0
	fi
	half=$((${rate%.*} / 2))
	lat_lines || { na latency "the simulator gave no failure to replay"; return 0; }
	start "$r" latency
	rec latency rate 0 "$half"
	rec latency n 0 "$LAT_N"
	rec latency wait 0 "$LAT_WAIT"
	# background: the fleet at half the sustained rate, for at most as
	# many lines as the file has (no replay of older device times)
	"$SEND" --udp "127.0.0.1:$UP" --file "$LINES" --rate "$half" --count "$NLINES" \
		>"$DIR/background.log" 2>&1 &
	bg=$!
	PIDS+=("$bg")
	( while :; do
		seen=$(sqlite3 -cmd ".timeout 2000" "$DIR/tw.db" "SELECT DISTINCT hostname
			FROM v_incidents WHERE hostname LIKE 'benchlat%'" 2>/dev/null || true)
		[ -z "$seen" ] || echo "$seen" | sed "s/^/$(date +%s.%N) /"
		sleep 0.2
	  done >"$DIR/seen.log" ) &
	poll=$!
	PIDS+=("$poll")
	exec {fd}<>"/dev/tcp/127.0.0.1/$TP"
	for i in $(seq 1 "$LAT_N"); do
		lat_send "$fd" "$WORK/lat.a" "$i" >/dev/null
	done
	sleep "$LAT_SETTLE"
	for i in $(seq 1 "$LAT_N"); do
		t_last=$(lat_send "$fd" "$WORK/lat.b" "$i")
		printf 'benchlat%02d %s\n' "$i" "$t_last" >>"$DIR/sent.log"
		log "latency: benchlat$(printf %02d "$i") failed (give-up sent at $t_last)"
		sleep "$LAT_GAP"
	done
	local deadline=$(($(date +%s) + LAT_WAIT))
	while [ "$(date +%s)" -lt "$deadline" ]; do
		n_seen=$(awk '{ print $2 }' "$DIR/seen.log" | sort -u | wc -l)
		[ "$n_seen" -ge "$LAT_N" ] && break
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.2
	done
	exec {fd}>&-
	kill "$poll" "$bg" 2>/dev/null || true
	wait "$poll" "$bg" 2>/dev/null || true
	t_last=$(date +%s.%N)
	awk -v end="$t_last" 'FILENAME == ARGV[1] { if (!($2 in seen)) seen[$2] = $1; next }
		{ if ($1 in seen) printf "%s %.1f\n", $1, seen[$1] - $2
		  else printf "%s >%.0f\n", $1, end - $2 }' "$DIR/seen.log" "$DIR/sent.log" >"$DIR/latency.txt"
	while read -r h v; do
		rec latency seconds "$h" "$v"
	done <"$DIR/latency.txt"
	log "latency (s): $(tr '\n' ' ' <"$DIR/latency.txt")(background $half msg/s over UDP)"
	stop
}

# ---- history: tests/bench/history.sh at the chosen scale -----------------------

history() {
	local dev=${HISTORY%x*} days=${HISTORY#*x} out
	local args=(--devices "$dev" --tunnels 4 --build "$BUILD" --work "$WORK/history" --repeats "$HIST_REPEATS")
	if [ -n "$HIST_HOURS" ]; then args+=(--hours "$HIST_HOURS"); rec history scale 0 "${dev}x4x${HIST_HOURS}h"
	else args+=(--days "$days"); rec history scale 0 "${dev}x4x${days}d"; fi
	log "history: bash tests/bench/history.sh ${args[*]}"
	if ! out=$(bash "$ROOT/tests/bench/history.sh" "${args[@]}" 2>"$WORK/history.log"); then
		na history "history.sh failed: $(tail -1 "$WORK/history.log")"
		return 0
	fi
	echo "$out" >"$WORK/history.md"
	echo "$out" | awk -F' [|] ' '
		/correlator vs ground truth/ { split($2, a, " "); print "exact", a[1]; print "truth", a[3]; print "beyond", a[6] }
		/lines simulated/ { split($2, a, " "); print "lines", a[1] }
		/report` last 24 h/ { split($2, a, " "); print "r24", a[1]; print "r24j", a[4] }
		/report` 30 days/ { split($2, a, " "); print "r30", a[1]; print "r30j", a[4] }
		/import wall/ { split($2, a, " "); print "import_s", a[1] }' |
	while read -r k v; do rec history "$k" 0 "$v"; done
}

# ---- PostgreSQL (issue #18): one collector, two collectors, SQLite beside -----
# A throw-away cluster (tests/tools/pgtmp.sh: initdb + pg_ctl, Unix socket
# only, fsync=off, synchronous_commit=off, full_page_writes=off; as root it
# runs as the postgres user), one fresh database per run.  Each run sends
# the first PGN lines of LINES over 1 TCP connection per collector, as
# tcp_run does, and the SQLite run beside them sends the same PGN lines to
# a serve on SQLite (spool on in all three).
#   pg1    one collector: stored = max(message_id), as SQLite's count
#   pg2    two collectors, A (derives) and B (stores pending), the same
#          PGN lines sent to each at once, as vEdges logging to two
#          servers: done when count(*) WHERE NOT pending = PGN and
#          count(*) WHERE pending = 0; msg/s = lines stored / the time
#          to that (to the last change, when a run ends short)
#   tw-lite  serve on SQLite, the same PGN lines
# CPU: the collectors' (all of them) and the PostgreSQL server's
# (postmaster and every backend, the ones that ended included) per 100 k.
PG_BASE=
avail_pg() {
	local d
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && command -v psql >/dev/null && return 0
	done
	echo "postgresql not installed"
	return 1
}
start_tw-pg() {
	# shellcheck disable=SC2086
	"$TW" serve --db "$PG_DB_URI" --spool-dir "$1/spool" --udp "127.0.0.1:$2" \
		--tcp "127.0.0.1:$3" ${TW_EXTRA:-} >"$1/serve.log" 2>&1 &
	RPID=$!
}
pg_q() { psql -X -A -t -q -F ' ' "$PG_DB_URI" -c "$1" 2>/dev/null; }
start_tw-lite() { start_tunnelwatch "$@"; }
count_tw-lite() { count_tunnelwatch "$@"; }
# pg_newdb NAME: a fresh database in the cluster; sets PG_DB_URI.
pg_newdb() {
	psql -X -q "$PGTMP_URI" -c "CREATE DATABASE $1" >/dev/null 2>>"$WORK/pg.log" || return 1
	PG_DB_URI="postgresql://tw@/$1?host=$PGTMP_DIR"
}
# pg_start TAG: a collector on PG_DB_URI, as start does, but n/a rather
# than exit when it does not come up; waits for its "; ready" line.
pg_start() {
	local i
	DIR=$WORK/run/tw-pg.$1.$((++RUNSEQ))
	rm -rf "$DIR"; mkdir -p "$DIR"
	UP=$(free_port); TP=$(free_port)
	[ "$TP" != "$UP" ] || TP=$((UP + 1))
	start_tw-pg "$DIR" "$UP" "$TP"
	PIDS+=("$RPID")
	for i in $(seq 1 200); do
		if grep -q '; ready$' "$DIR/serve.log" && ss -Hlnt "( sport = :$TP )" | grep -q .; then
			return 0
		fi
		kill -0 "$RPID" 2>/dev/null || break
		sleep 0.1
	done
	log "tw-pg $1 did not start: $(tail -2 "$DIR/serve.log" | tr '\n' ' ')"
	stop
	return 1
}
# CPU ticks of the PostgreSQL server: the postmaster with its reaped
# children, and the children alive now.
pg_server_ticks() {
	local pm
	pm=$(head -1 "$PGTMP_DIR/data/postmaster.pid" 2>/dev/null) || { echo 0; return; }
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v pm="$pm" '{ pid = $1; s = $0; sub(/^.*\) /, "", s); split(s, a, " ")
		if (pid == pm) t += a[12] + a[13] + a[14] + a[15]; else if (a[2] == pm) t += a[12] + a[13] }
		END { print t + 0 }'
}
per100k() { awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.3f", t / hz / (n / 100000); else print "-" }'; }
# pg_wait WANT QUERY PID...: polls QUERY (prints "stored pending") every
# 0.5 s until stored >= WANT with nothing pending, or nothing moved for
# 15 s while the collectors used less than a tenth of a core, or 1,200 s
# passed; prints the last "stored pending" and the time it was first seen
# (a run that ends short is timed to its last row, not to the wait).
pg_wait() {
	local want=$1 sql=$2 got last='' still=0 i c0=0 c1 p hz t_last
	shift 2
	hz=$(getconf CLK_TCK)
	t_last=$(date +%s.%N)
	for i in $(seq 1 2400); do
		got=$(pg_q "$sql") || got=
		[ -n "$got" ] || got="0 0"
		[ "$got" = "$last" ] || t_last=$(date +%s.%N)
		[ "${got% *}" -ge "$want" ] && [ "${got#* }" = 0 ] && break
		c1=0
		for p in "$@"; do c1=$((c1 + $(cpu_ticks "$p"))); done
		if [ "$got" = "$last" ]; then
			still=$((still + 1))
			if [ $still -ge 30 ]; then
				[ $((c1 - c0)) -ge $((hz * 15 / 10)) ] || break
				still=0 c0=$c1
			fi
		else
			still=0 c0=$c1
		fi
		last=$got
		sleep 0.5
	done
	echo "$got $t_last"
}
# pg_one REP: one collector on a fresh database.
pg_one() {
	local rep=$1 t0 t1 c0 c1 s0 s1 got rate n
	pg_newdb "b1_$rep" || { na pg "CREATE DATABASE failed (see $WORK/pg.log)"; return 1; }
	pg_start one || { na pg "a collector on PostgreSQL did not start"; return 1; }
	c0=$(cpu_ticks "$RPID") s0=$(pg_server_ticks)
	t0=$(date +%s.%N)
	"$SEND" --tcp "127.0.0.1:$TP" --file "$LINES" --count "$PGN" >/dev/null 2>&1
	read -r got _ t1 < <(pg_wait "$PGN" "SELECT coalesce(max(message_id), 0), 0 FROM messages" "$RPID")
	c1=$(cpu_ticks "$RPID") s1=$(pg_server_ticks)
	rate=$(awk -v n="$got" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
	n=$(pg_q "SELECT count(*) FROM messages")
	log "pg one collector: $got of $PGN stored ($n rows), $rate msg/s, cpu $((c1 - c0)) ticks, PostgreSQL server $((s1 - s0)) ticks"
	[ "$got" -ge "$PGN" ] || rec pg1 missing "$rep" $((PGN - got))
	rec pg1 tcp1 "$rep" "$rate"
	rec pg1 cpu100k "$rep" "$(per100k $((c1 - c0)) "$got")"
	rec pg1 server100k "$rep" "$(per100k $((s1 - s0)) "$got")"
	rec pg1 hwm_kb "$rep" "$(hwm_kb "$RPID")"
	stop
}
# pg_two REP: two collectors on one fresh database, the same lines to each.
pg_two() {
	local rep=$1 t0 t1 c0 c1 s0 s1 got pend rate dirA pidA tpA tpB sa sb n ha hb
	pg_newdb "b2_$rep" || { na pg "CREATE DATABASE failed (see $WORK/pg.log)"; return 1; }
	pg_start A || { na pg "collector A on PostgreSQL did not start"; return 1; }
	dirA=$DIR pidA=$RPID tpA=$TP
	if ! grep -q 'this collector derives' "$dirA/serve.log"; then
		RPID=$pidA stop; na pg "collector A does not derive (see $dirA/serve.log)"; return 1
	fi
	if ! pg_start B || ! grep -q 'another collector derives' "$DIR/serve.log"; then
		stop; RPID=$pidA stop; na pg "collector B did not start as a storer (see $DIR/serve.log)"; return 1
	fi
	tpB=$TP
	c0=$(($(cpu_ticks "$pidA") + $(cpu_ticks "$RPID"))) s0=$(pg_server_ticks)
	t0=$(date +%s.%N)
	"$SEND" --tcp "127.0.0.1:$tpA" --file "$LINES" --count "$PGN" >/dev/null 2>&1 &
	sa=$!
	"$SEND" --tcp "127.0.0.1:$tpB" --file "$LINES" --count "$PGN" >/dev/null 2>&1 &
	sb=$!
	wait "$sa" "$sb" || true
	read -r got pend t1 < <(pg_wait "$PGN" "SELECT count(*) FILTER (WHERE NOT pending),
		count(*) FILTER (WHERE pending) FROM messages" "$pidA" "$RPID")
	c1=$(($(cpu_ticks "$pidA") + $(cpu_ticks "$RPID"))) s1=$(pg_server_ticks)
	rate=$(awk -v n="$got" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')
	n=$(pg_q "SELECT count(*) FROM messages")
	log "pg two collectors: $got of $PGN stored and derived, $pend pending ($n rows), $rate msg/s, cpu $((c1 - c0)) ticks (both), PostgreSQL server $((s1 - s0)) ticks"
	[ "$got" -ge "$PGN" ] || rec pg2 missing "$rep" $((PGN - got))
	[ "$pend" = 0 ] || rec pg2 pending "$rep" "$pend"
	[ "$got" -le "$PGN" ] || rec pg2 twice "$rep" $((got - PGN))
	rec pg2 tcp1 "$rep" "$rate"
	rec pg2 cpu100k "$rep" "$(per100k $((c1 - c0)) "$got")"
	rec pg2 server100k "$rep" "$(per100k $((s1 - s0)) "$got")"
	ha=$(hwm_kb "$pidA") hb=$(hwm_kb "$RPID")
	rec pg2 hwm_kb "$rep" $((ha > hb ? ha : hb))
	stop
	RPID=$pidA stop
}
pg_part() {
	local w rep ok=1
	if ! w=$(avail_pg); then na pg "skipped: $w"; return 0; fi
	# shellcheck source=../tools/pgtmp.sh
	. "$ROOT/tests/tools/pgtmp.sh"
	PG_BASE=$(mktemp -d /tmp/tw-bench-pg.XXXXXX)
	log "== PostgreSQL: a throw-away cluster in $PG_BASE, $PGN lines per run"
	if ! pgtmp_start "$PG_BASE" 2>>"$WORK/pg.log"; then
		na pg "the throw-away cluster did not start: $(tail -1 "$WORK/pg.log")"
		rm -rf "$PG_BASE"; PG_BASE=
		return 0
	fi
	PG_DB_URI=$PGTMP_URI
	rec pg n 0 "$PGN"
	rec pg version 0 "$(pg_q "SHOW server_version" | cut -d' ' -f1)"
	for rep in $(seq 1 "$REPEATS"); do
		log "== PostgreSQL, repeat $rep"
		TCPN=$PGN tcp_run tw-lite "$rep" 1
		pg_one "$rep" || { ok=0; break; }
		pg_two "$rep" || { ok=0; break; }
	done
	pgtmp_stop
	rm -rf "$PG_BASE"; PG_BASE=
	[ "$ok" = 1 ] || log "PostgreSQL part incomplete; see $WORK/pg.log"
}

# ---- the tables ----------------------------------------------------------------

median() {   # median R METRIC over repeats ("-" when not measured); max for hwm
	[ -f "$RES" ] || { echo -; return; }
	awk -F'\t' -v r="$1" -v m="$2" '$1 == r && $2 == m { v[n++] = $4 }
		END { if (!n) { print "-"; exit }
		      for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
		      if (m ~ /hwm_kb|max_rss/) print v[n - 1]; else if (n % 2) print v[int(n / 2)]; else print (v[n / 2 - 1] + v[n / 2]) / 2 }' "$RES"
}
val() { awk -F'\t' -v r="$1" -v m="$2" '$1 == r && $2 == m { v = $4 } END { print (v == "") ? "-" : v }' "$RES"; }
why() { awk -F'\t' -v r="$1" '$1 == r && $2 == "why" { print $4; exit }' "$RES"; }
num() {   # thousands separators
	awk -v x="$1" 'BEGIN { if (x == "-" || x == "") { print "-"; exit }
		s = sprintf("%d", x); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print s o }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a + 0 >= b + 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "-" && a + 0 <= b + 0) }'; }
peer() {   # the figure of receiver R, or "n/a (why)"
	local v
	v=$(median "$1" "$2")
	if [ "$v" = - ]; then echo "n/a"; else num "$v"; fi
}

fig() { local v; v=$(median "$1" "$2"); [ "$v" != - ] || v=n/a; echo "$v"; }

targets() {
	local tw t1 sq rs a b met row
	echo "| metric | measured | target | met? |"
	echo "|---|---|---|---|"

	# TCP 1 connection
	tw=$(median tunnelwatch tcp1) sq=$(median sng-sql tcp1) rs=$(median rsyslog tcp1)
	a=$(ratio "$tw" "$sq") b=$(ratio "$tw" "$rs")
	if [ "$tw" = - ]; then met="n/a"
	elif { [ "$a" != n/a ] && ! ge "$a" 1.5; } || { [ "$b" != n/a ] && ! ge "$b" 0.6; }; then met=no
	elif [ "$a" = n/a ] || [ "$b" = n/a ]; then met="n/a"
	else met=yes; fi
	echo "| TCP 1 connection, stored msg/s | $(num "$tw") msg/s: ${a} × syslog-ng sql() ($(peer sng-sql tcp1)), ${b} × rsyslog→file ($(peer rsyslog tcp1)) | ≥ 1.5 × syslog-ng sql() **and** ≥ 0.6 × rsyslog→file | $met |"

	# UDP sustained
	tw=$(median tunnelwatch udp_rate) rs=$(median rsyslog udp_rate)
	local twl rsl
	twl=$(median tunnelwatch udp_limited) rsl=$(median rsyslog udp_limited)
	a=$(ratio "$tw" "$rs")
	if [ "$tw" = - ]; then met="n/a"
	elif [ "$twl" = 1 ]; then met="yes (the sender's limit)"
	elif [ "$a" = n/a ]; then met="n/a"
	elif ge "$a" 0.5; then met=yes; else met=no; fi
	echo "| UDP sustained, zero loss, kept up | $(num "$tw") msg/s$([ "$twl" != 1 ] || echo ", sender-limited"): ${a} × rsyslog ($(peer rsyslog udp_rate)$([ "$rsl" != 1 ] || echo ", sender-limited: a lower bound")) | ≥ 0.5 × rsyslog's figure in the same run (or the sender's limit) | $met |"

	# CPU
	tw=$(median tunnelwatch cpu100k)
	if [ "$tw" = - ]; then met="n/a"; elif le "$tw" 0.6; then met=yes; else met=no; fi
	echo "| CPU seconds per 100 k messages (TCP 1 connection, all threads) | $tw s (rsyslog $(fig rsyslog cpu100k), syslog-ng sql() $(fig sng-sql cpu100k)) | ≤ 0.6 | $met |"

	# SQLite ceiling
	t1=$(median tunnelwatch tcp1) sq=$(median sqlite ceiling)
	a=$(ratio "$t1" "$sq")
	if [ "$a" = n/a ]; then met="n/a"; elif ge "$a" 0.8; then met=yes; else met=no; fi
	if [ "$sq" = - ]; then row="n/a ($(why sqlite))"
	else row="${a} × (tunnelwatch $(num "$t1") msg/s; SQLite alone inserting the same rows again: $(num "$sq") lines/s, $(num "$(median sqlite ceiling_rows)") rows/s)"; fi
	echo "| vs SQLite's own ceiling for the rows stored | $row | ≥ 0.8 × | $met |"

	# disk
	local dbb raw nl
	dbb=$(median tunnelwatch disk_db) raw=$(median tunnelwatch disk_raw) nl=$(median tunnelwatch disk_lines)
	a=$(ratio "$dbb" "$raw")
	if [ "$a" = n/a ]; then met="n/a"; elif le "$a" 1.6; then met=yes; else met=no; fi
	echo "| disk per raw byte (simulator, debug level) | ${a} × ($(awk -v b="$dbb" 'BEGIN { printf "%.1f", b / 1048576 }') MiB of database for $(awk -v b="$raw" 'BEGIN { printf "%.1f", b / 1048576 }') MiB of log, $(num "$nl") lines; $(awk -v b="$dbb" -v n="$nl" 'BEGIN { if (n > 0) printf "%.0f", b / 1048576 / (n / 1e6) }') MiB per million) | ≤ 1.6 × | $met |"

	# latency
	local lat
	lat=$(awk -F'\t' '$1 == "latency" && $2 == "seconds" { print $4 }' "$RES")
	if [ -z "$lat" ]; then
		row="n/a ($(why latency))" met="n/a"
	else
		row=$(echo "$lat" | awk -v n="$(val latency n)" -v w="$(val latency wait)" -v r="$(val latency rate)" '
			{ v[NR] = $1; if ($1 ~ />/) { miss++; x = substr($1, 2) + 0 } else x = $1 + 0; k[NR] = x; list = list (NR > 1 ? ", " : "") $1 }
			END { for (i = 1; i <= NR; i++) for (j = i + 1; j <= NR; j++) if (k[j] < k[i]) { t = k[i]; k[i] = k[j]; k[j] = t }
			      p = int(0.99 * NR + 0.999999); if (p < 1) p = 1
			      printf "%s%.1f s p99 over %d failures (nearest rank: with fewer than 100, the worst)%s; each: %s s; background %d msg/s over UDP",
			          miss ? "> " : "", k[p], NR, miss ? sprintf(", %d not visible within the %d s waited", miss, w) : "", list, r }')
		if echo "$lat" | grep -q '>'; then met=no
		elif echo "$lat" | awk '{ if ($1 + 0 > m) m = $1 + 0 } END { exit !(m <= 10) }'; then met=yes
		else met=no; fi
	fi
	echo "| line received → incident visible in v_incidents (serve defaults, half the sustained rate) | $row | ≤ 10 s (p99) | $met |"

	# burst, memory, drops
	local bu rb un mr sent
	bu=$(median tunnelwatch udp_burst) rb=$(median rsyslog udp_burst)
	un=$(median tunnelwatch overload_unaccounted) mr=$(median tunnelwatch overload_max_rss_kb)
	sent=$(median tunnelwatch overload_sent)
	local bound=$(( (QUEUE_BYTES >> 20) + 256 ))
	if [ "$bu" = - ] || [ "$un" = - ]; then met="n/a"
	elif [ "$un" = 0 ] && [ $((mr / 1024)) -le "$bound" ] && { [ "$rb" = - ] || [ "$bu" -ge "$rb" ]; }; then met=yes
	else met=no; fi
	echo "| burst absorbed, memory bounded, every drop counted | burst of $(num "$bu") absorbed (rsyslog $(peer rsyslog udp_burst)); ${OVERLOAD} s of unpaced UDP${OVERLOAD_ARGS:+ with $OVERLOAD_ARGS}: sent $(num "$sent") = stored $(num "$(median tunnelwatch overload_stored)") + kernel drops $(num "$(median tunnelwatch overload_kernel_drops)") + counted queue and spool drops $(num "$(median tunnelwatch overload_queue_drops)"), unaccounted $(num "$un"); max RSS $((${mr/-/0} / 1024)) MiB (bound: queue $((QUEUE_BYTES >> 20)) MiB + 256) | kept | $met |"

	# history
	local ex tr be sc
	ex=$(val history exact) tr=$(val history truth) be=$(val history beyond) sc=$(val history scale)
	if [ "$ex" = - ]; then row="n/a ($(why history))" met="n/a"
	else
		row="$(num "$ex") / $(num "$tr") exact, $(num "$be") beyond ($sc: $(num "$(val history lines)") lines, import $(val history import_s) s)"
		if [ "$ex" = "$tr" ] && [ "$be" = 0 ]; then met=yes; else met=no; fi
		[ "$sc" = 1000x4x10d ] || met="$met (at this scale; the target's is --history 1000x10)"
	fi
	echo "| 10-day × 1,000-device history vs ground truth | $row | 1,210 / 1,210 exact, 0 beyond | $met |"

	local r24 r30
	r24=$(val history r24) r30=$(val history r30)
	if [ "$r24" = - ]; then row="n/a ($(why history))" met="n/a"
	else
		row="last 24 h $r24 s html / $(val history r24j) s json; whole history $r30 s / $(val history r30j) s ($sc)"
		if le "$r24" 2 && le "$(val history r24j)" 2 && le "$r30" 10 && le "$(val history r30j)" 10; then met=yes; else met=no; fi
	fi
	echo "| report 24 h / 30 d | $row | kept: < 2 s / < 10 s | $met |"

	# the spool's cost
	local sp ns
	sp=$(median tw-spool tcp1) ns=$(median tw-nospool tcp1)
	a=$(ratio "$sp" "$ns")
	if [ "$a" = n/a ]; then row="n/a (not measured: --only without spool)" met="n/a"
	else
		row="${a} × (TCP 1 connection, $(num "$sp") msg/s stored with the spool, $(num "$ns") with --no-spool; CPU $(fig tw-spool cpu100k) s vs $(fig tw-nospool cpu100k) s per 100 k)"
		met="measured"
	fi
	echo "| the disk spool's cost on throughput (same run) | $row | shown | $met |"

	# PostgreSQL (issue #18)
	local p1 p2 li
	p1=$(median pg1 tcp1) p2=$(median pg2 tcp1) li=$(median tw-lite tcp1)
	if [ "$p1" = - ]; then row="n/a ($(why pg || true))" met="n/a"
	else
		row="1 collector $(num "$p1") msg/s ($(ratio "$p1" "$li") × SQLite's $(num "$li") msg/s for the same $(num "$(val pg n)") lines); 2 collectors on one database, the same lines to each: $(num "$p2") msg/s (until every line is stored once, none pending)"
		met="measured"
		[ -z "$(pg_short)" ] || met="measured; not every line stored once: $(pg_short)"
	fi
	echo "| store on PostgreSQL (issue #18), TCP 1 connection per collector | $row | shown | $met |"
}

# What the pg part's runs did not end with: lines missing, pending, stored twice.
pg_short() {
	local c m v out=
	for c in tw-lite pg1 pg2; do
		for m in missing pending twice; do
			if [ "$c" = tw-lite ]; then [ "$m" = missing ] || continue; v=$(awk -F'\t' '$1 == "tw-lite" && $2 == "tcp1_incomplete" { print $4 " in repeat " $3 }' "$RES")
			else v=$(awk -F'\t' -v c="$c" -v m="$m" '$1 == c && $2 == m { print $4 " in repeat " $3 }' "$RES"); fi
			[ -z "$v" ] || out="$out${out:+; }$c: lines $m: $(echo "$v" | paste -sd, - | sed 's/,/, /g')"
		done
	done
	echo "$out"
}

# The pg part's own table: SQLite, one collector, two collectors.
pg_table() {
	[ "$(val pg n)" != - ] || return 0
	local c m v
	echo "| $(num "$(val pg n)") lines, TCP 1 connection per collector | SQLite | PostgreSQL $(val pg version), 1 collector | PostgreSQL, 2 collectors (each gets every line) |"
	echo "|---|---|---|---|"
	for m in tcp1 ratio cpu100k server100k hwm_kb; do
		case $m in
		tcp1) printf '| stored msg/s (each line once, none pending) |' ;;
		ratio) printf '| × SQLite |' ;;
		cpu100k) printf '| CPU s per 100k lines, tunnelwatch (all collectors) |' ;;
		server100k) printf '| CPU s per 100k lines, PostgreSQL server |' ;;
		hwm_kb) printf '| peak RSS per collector (MiB) |' ;;
		esac
		for c in tw-lite pg1 pg2; do
			case $m in
			ratio) v=$(ratio "$(median "$c" tcp1)" "$(median tw-lite tcp1)") ;;
			*) v=$(median "$c" "$m") ;;
			esac
			if [ "$v" = - ]; then v="n/a"
			elif [ "$m" = hwm_kb ]; then v=$((v / 1024))
			elif [ "$m" = tcp1 ]; then v=$(num "$v"); fi
			printf ' %s |' "$v"
		done
		echo
	done
	echo "PostgreSQL: throw-away cluster (tests/tools/pgtmp.sh), Unix socket, fsync=off, synchronous_commit=off, full_page_writes=off; every collector with its spool"
	[ -z "$(pg_short)" ] || echo "Not every line stored once at the end: $(pg_short)"
}

peers_table() {
	local names=() r m i
	for r in rsyslog sng-file sng-sql tunnelwatch; do
		grep -q "^$r"$'\t' "$RES" && names+=("$r")
	done
	# no receiver of these ran (--only spool, pg, ...): no table, the reasons only
	if [ "${#names[@]}" -gt 0 ]; then
		printf '| metric |'; for r in "${names[@]}"; do printf ' %s |' "$r"; done; echo
		printf '|---|'; for r in "${names[@]}"; do printf -- '---|'; done; echo
		for m in udp_rate udp_burst tcp1 tcp4 tls1 tls4 cpu100k hwm_kb; do
			grep -q $'\t'"$m"$'\t' "$RES" || continue
			case $m in
			udp_rate) printf '| UDP sustained: zero loss, kept up (msg/s) |' ;;
			udp_burst) printf '| UDP burst absorbed, zero loss (msgs) |' ;;
			tcp1) printf '| TCP 1 conn (msg/s stored) |' ;;
			tcp4) printf '| TCP 4 conns (msg/s stored) |' ;;
			tls1) printf '| TLS 1 conn (msg/s stored) |' ;;
			tls4) printf '| TLS 4 conns (msg/s stored) |' ;;
			cpu100k) printf '| CPU s per 100k msgs (TCP 1 conn) |' ;;
			hwm_kb) printf '| peak RSS (MiB) |' ;;
			esac
			for r in "${names[@]}"; do
				local v
				v=$(median "$r" "$m")
				if [ "$v" = - ]; then v="n/a"
				elif [ "$m" = hwm_kb ]; then v=$((v / 1024))
				elif [ "$m" != cpu100k ]; then v=$(num "$v"); fi
				[ "$m" != udp_rate ] || [ "$(median "$r" udp_limited)" != 1 ] || v="≥ $v"
				printf ' %s |' "$v"
			done
			echo
		done
	fi
	for r in rsyslog sng-sql sng-file sqlite pg latency history; do
		local w
		w=$(why "$r")
		[ -z "$w" ] || echo "- $r: n/a — $w"
	done
}

table() {
	local out=$WORK/results.md
	{
		echo "tunnelwatch bench ($MODE, $REPEATS repeat(s)); $(nproc) cores," \
			"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
			"$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo);" \
			"sender on the same machine; load average at start $(val meta load0), at end $(cut -d' ' -f1-3 /proc/loadavg)"
		echo "Tree $(val meta tree); peers: rsyslog $(val meta rsyslog) (imudp/imtcp → omfile)," \
			"syslog-ng $(val meta sng) (network() → sql(sqlite3), flow-control); lines: twsim $SIM_ARGS" \
			"(mean $(val meta line_bytes) bytes); UDP steps of $STEP s; TCP runs of $(num "$TCPN") messages"
		echo
		targets
		local pt
		pt=$(peers_table)
		[ -z "$pt" ] || printf '\n%s\n' "$pt"
		if [ "$(val pg n)" != - ]; then
			echo
			pg_table
		fi
	} >"$out"
	cat "$out"
}

if [ "$TABLE_ONLY" = 1 ]; then
	[ -s "$RES" ] || { echo "bench.sh: no $RES" >&2; exit 1; }
	table
	exit 0
fi
: >"$RES"
setup
RUNSEQ=0
rec meta load0 0 "$(cut -d' ' -f1-3 /proc/loadavg)"
rec meta tree 0 "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD 2>/dev/null || echo +changes)"
rec meta rsyslog 0 "${RSYSLOG_VER:-n/a}"
rec meta sng 0 "${SNG_VER:-n/a}"
rec meta line_bytes 0 "$LINE_BYTES"
log "mode $MODE, repeats $REPEATS, $LINES ($NLINES lines, mean $LINE_BYTES bytes)"
for r in rsyslog sng-file sng-sql tunnelwatch; do
	has "$r" || continue
	if ! w=$("avail_$r"); then na "$r" "$w"; continue; fi
	for rep in $(seq 1 "$REPEATS"); do
		if [ "$RAISE_RMEM" = 1 ] && [ "${r#sng}" != "$r" ]; then
			RMEM_SAVED=${RMEM_SAVED:-$(cat /proc/sys/net/core/rmem_max)}
			echo "$RCVBUF" >/proc/sys/net/core/rmem_max
		elif [ -n "${RMEM_SAVED:-}" ]; then
			echo "$RMEM_SAVED" >/proc/sys/net/core/rmem_max
		fi
		log "== $r, repeat $rep"
		udp_sustained "$r" "$rep"
		udp_burst "$r" "$rep"
		tcp_run "$r" "$rep" 1
		[ "$TCP4" = 0 ] || tcp_run "$r" "$rep" 4
		if [ "$r" = tunnelwatch ]; then
			tcp_run "$r" "$rep" 1 tls
			tcp_run "$r" "$rep" 4 tls
		fi
	done
done
if [ -n "${RMEM_SAVED:-}" ]; then echo "$RMEM_SAVED" >/proc/sys/net/core/rmem_max; RMEM_SAVED=; fi
if has spool; then
	for rep in $(seq 1 "$REPEATS"); do
		log "== the spool's cost, repeat $rep"
		tcp_run tw-nospool "$rep" 1
		tcp_run tw-spool "$rep" 1
	done
fi
! has pg || pg_part
! has overload || overload
! has latency || latency
! has history || history
log "done"
table
