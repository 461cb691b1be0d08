# tests/integration/lib.sh — helpers for the shell integration tests.
#
# Each test sources this, calls tw_start to run the built collector on
# ephemeral loopback ports in a scratch directory, sends with a real client,
# and checks rows with sqlite3.  Everything started is stopped by PID on
# exit, also when a check fails.
set -euo pipefail

: "${TW_BIN:?TW_BIN must point at the tunnelwatch binary}"
: "${TW_SEND:=$(dirname "$TW_BIN")/twsend}"
: "${TW_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"

T=$(mktemp -d /tmp/tw-test.XXXXXX)
DB=$T/tw.db
TW_PID=
TW_PORT=

# tw_kill_all: the collector and every other background job the test
# started (senders, clients, lock holders), killed and reaped.
tw_kill_all() {
	local p
	for p in $TW_PID $(jobs -p); do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

tw_cleanup() {
	tw_kill_all
	rm -rf "$T"
}
trap tw_cleanup EXIT

fail() {
	echo "FAIL: $*" >&2
	if [ -f "$T/serve.log" ]; then
		echo "--- serve.log" >&2
		tail -n 30 "$T/serve.log" >&2
	fi
	exit 1
}

ok() {
	echo "ok - $*"
}

# tw_start [extra serve args...]: UDP and TCP on 127.0.0.1:$TW_PORT.
# tw_random_port: a loopback port for a listener, below the kernel's range
# of ephemeral ports (32768-60999 by default), so that no outgoing
# connection of a test running beside this one can hold it (two TLS tests
# once failed with EADDRINUSE on ports a parallel test's clients held).
tw_random_port() {
	echo $((10000 + RANDOM % 22768))
}

tw_start() {
	local tries=0
	while :; do
		TW_PORT=$(tw_random_port)
		# Emptied here, not only by the background job's redirection,
		# which may come after the first look: a restart could read the
		# previous run's "ready".
		: >"$T/serve.log"
		"$TW_BIN" serve --db "$DB" --udp "127.0.0.1:$TW_PORT" \
			--tcp "127.0.0.1:$TW_PORT" --flush-interval 50ms "$@" \
			>"$T/serve.log" 2>&1 &
		TW_PID=$!
		local i
		for i in $(seq 1 100); do
			grep -q '; ready$' "$T/serve.log" 2>/dev/null && return 0
			kill -0 "$TW_PID" 2>/dev/null || break
			sleep 0.05
		done
		wait "$TW_PID" 2>/dev/null || true
		TW_PID=
		tries=$((tries + 1))
		[ $tries -lt 5 ] || fail "collector did not start"
	done
}

# serve_start NAME ARGS...: a collector besides tw_start's (several on one
# PostgreSQL database), on a random loopback TCP port, logging to
# $T/NAME.log; ARGS name its --db and the rest.  Sets PORT_NAME, PID_NAME.
serve_start() {
	local name=$1 port pid i
	shift
	for i in 1 2 3 4 5; do
		port=$(tw_random_port)
		: >"$T/$name.log"
		"$TW_BIN" serve --tcp "127.0.0.1:$port" "$@" >>"$T/$name.log" 2>&1 &
		pid=$!
		for _ in $(seq 1 100); do
			if grep -q '; ready$' "$T/$name.log"; then
				eval "PORT_$name=$port PID_$name=$pid"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null || true
	done
	fail "collector $name did not start: $(tail -n 5 "$T/$name.log")"
}

# tw_stop: SIGTERM and wait; fails if the exit status is not 0.
tw_stop() {
	[ -n "$TW_PID" ] || return 0
	kill -TERM "$TW_PID"
	local rc=0
	wait "$TW_PID" || rc=$?
	TW_PID=
	[ $rc -eq 0 ] || fail "collector exited with status $rc"
}

q() {
	sqlite3 -batch -noheader "$DB" "$@"
}

# counter NAME: the latest value of a counter in the stats table (waits
# up to 5 s for a lock, which a test may be holding on purpose).
counter() {
	sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" \
		"SELECT value FROM stats WHERE name='$1' ORDER BY at_us DESC, rowid DESC LIMIT 1"
}

# wait_rows N [SQL]: until the count reaches N (or 10 s pass).
wait_rows() {
	local want=$1 sql=${2:-"SELECT count(*) FROM messages"} i got=0
	for i in $(seq 1 200); do
		got=$(q "$sql" 2>/dev/null || echo 0)
		[ "$got" -ge "$want" ] && return 0
		sleep 0.05
	done
	fail "expected $want rows, have $got ($sql)"
}

# db_write_lock NAME: another process takes the database's write lock and
# holds it (its input on fd 9, a fifo $T/NAME.fifo) until db_write_unlock:
# the writer commits nothing meanwhile.
db_write_lock() {
	mkfifo "$T/$1.fifo"
	sqlite3 -batch -bail -noheader -cmd ".timeout 10000" "$DB" <"$T/$1.fifo" \
		>"$T/$1.out" 2>&1 &
	HOLD_PID=$!
	exec 9>"$T/$1.fifo"
	printf "BEGIN IMMEDIATE;\nSELECT 'locked';\n" >&9
	for _ in $(seq 1 50); do grep -q locked "$T/$1.out" 2>/dev/null && break; sleep 0.1; done
	grep -q locked "$T/$1.out" || fail "could not lock the database"
}

# db_write_unlock: the lock holder rolls back and ends.
db_write_unlock() {
	echo "ROLLBACK;" >&9
	exec 9>&-
	wait "$HOLD_PID" 2>/dev/null || true
	HOLD_PID=
}

# all_decided: every tunnel's machine has applied its newest event.
TW_UNDECIDED_SQL="SELECT count(*) FROM (SELECT tunnel_id, max(device_us) AS m
	FROM events WHERE tunnel_id IS NOT NULL AND device_us IS NOT NULL
	GROUP BY tunnel_id) e LEFT JOIN tunnel_state s USING (tunnel_id)
	WHERE coalesce(s.cursor_us, -1) < e.m"
all_decided() {
	[ "$(q "$TW_UNDECIDED_SQL" 2>/dev/null || echo 1)" = 0 ]
}
# pg_all_decided URI: the same on a PostgreSQL database.
pg_all_decided() {
	[ "$(psql -X -A -t -q "$1" -c "$TW_UNDECIDED_SQL" 2>/dev/null || echo 1)" = 0 ]
}

# wait_decided: all_decided within 30 s, or fail.
wait_decided() {
	local i
	for i in $(seq 1 300); do
		all_decided && return 0
		sleep 0.1
	done
	fail "events still undecided after 30 s"
}

eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"
}

# ---- the web view (docs/web.md) and alert receivers (docs/alerts.md) --------

# web_url: URL, where the collector started with --http says its web view is.
web_url() {
	URL=$(sed -n 's|.*web view and /metrics on \(http://[^ ]*/\) .*|\1|p' "$T/serve.log")
	[ -n "$URL" ] || fail "serve did not say where the web view is"
}
# get PATH [curl args]: BODY and STATUS (the HTTP status, 000: no answer).
get() {
	local path=${1#/}
	shift
	STATUS=$(curl -s -o "$T/body" -w '%{http_code}' "$@" "$URL$path") || STATUS=000
	BODY=$(cat "$T/body" 2>/dev/null || true)
}
has() { case "$1" in *"$2"*) ;; *) fail "${3:-page}: '$2' missing";; esac; }
hasnt() { case "$1" in *"$2"*) fail "${3:-page}: '$2' present";; esac; }

# hook_start NAME [ARGS...]: a webhook receiver (tests/tools/twhook.c, $TW_HOOK)
# writing $T/NAME.out; sets HOOK_PORT.
hook_start() {
	local name=$1 i
	shift
	"$TW_HOOK" --out "$T/$name.out" --port-file "$T/$name.port" "$@" &
	for i in $(seq 1 100); do
		[ -s "$T/$name.port" ] && break
		sleep 0.05
	done
	HOOK_PORT=$(cat "$T/$name.port") || fail "receiver $name did not start"
	touch "$T/$name.out"
}

# case_now FILE: FILE's RFC 3164 lines with their times moved so that the
# last is now (UTC, the collector's default zone; export TZ=UTC): the alert
# engine takes an incident that began more than a day ago for history, and
# the fleet page shows the last hour.
case_now() {
	python3 - "$1" <<'EOF'
import re, sys, time, datetime as dt
pat = re.compile(r'^(<\d+>)?([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ')
year = time.gmtime().tm_year
lines = open(sys.argv[1]).read().splitlines()
when = lambda m: dt.datetime.strptime(f"{year} {m.group(2)}", "%Y %b %d %H:%M:%S")
last = max(when(m) for m in map(pat.match, lines) if m)
shift = dt.datetime.utcfromtimestamp(int(time.time())) - last
for l in lines:
    m = pat.match(l)
    if m:
        t = when(m) + shift
        l = f"{m.group(1) or ''}{t:%b} {t.day:2d} {t:%H:%M:%S} {l[m.end():]}"
    print(l)
EOF
}

# wait_lines FILE PATTERN N: until FILE has N lines matching (20 s at most).
wait_lines() {
	local i got=0
	for i in $(seq 1 200); do
		got=$(grep -c -- "$2" "$1" 2>/dev/null || true)
		[ "$got" -ge "$3" ] && return 0
		sleep 0.1
	done
	fail "$1: expected $3 lines with '$2', have $got: $(cat "$1")"
}

# ---- TLS (docs/tls.md) ----------------------------------------------------

# tls_ca NAME: a CA in $T/NAME.pem / NAME.key, able to sign with any dates.
tls_ca() {
	local n=$1
	mkdir -p "$T/$n.db"
	: >"$T/$n.db/index.txt"
	echo 01 >"$T/$n.db/serial"
	cat >"$T/$n.cnf" <<EOC
[ ca ]
default_ca = d
[ d ]
database = $T/$n.db/index.txt
new_certs_dir = $T/$n.db
serial = $T/$n.db/serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[ p ]
commonName = supplied
EOC
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$n.key" -out "$T/$n.pem" -days 3 -subj "/CN=$n" 2>/dev/null ||
		fail "openssl: CA $n"
}

# tls_cert CA NAME CN [SAN [START END]]: a certificate NAME.pem / NAME.key
# signed by CA, valid now (or from START to END, YYYYMMDDhhmmssZ).
tls_cert() {
	local ca=$1 n=$2 cn=$3 san=${4:-} start=${5:-} end=${6:-}
	local ext=()
	[ -z "$san" ] || ext=(-addext "subjectAltName=$san")
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$T/$n.key" -out "$T/$n.csr" -subj "/CN=$cn" "${ext[@]}" 2>/dev/null ||
		fail "openssl: request $n"
	if [ -n "$start" ]; then
		openssl ca -batch -notext -config "$T/$ca.cnf" -cert "$T/$ca.pem" \
			-keyfile "$T/$ca.key" -in "$T/$n.csr" -out "$T/$n.pem" \
			-startdate "$start" -enddate "$end" >/dev/null 2>&1 || fail "openssl: sign $n"
	else
		openssl ca -batch -notext -config "$T/$ca.cnf" -cert "$T/$ca.pem" \
			-keyfile "$T/$ca.key" -in "$T/$n.csr" -out "$T/$n.pem" -days 2 \
			>/dev/null 2>&1 || fail "openssl: sign $n"
	fi
}

# tls_port: a free-looking port for a TLS listener (not $TW_PORT).
tls_port() {
	local p
	while :; do
		p=$(tw_random_port)
		[ "$p" != "${TW_PORT:-}" ] && { echo "$p"; return; }
	done
}

# tls_send PORT FRAME [openssl s_client args...]: one octet-counted frame
# (RFC 5425) over TLS with openssl s_client; returns its status.
tls_send() {
	local port=$1 line=$2
	shift 2
	printf '%d %s' "${#line}" "$line" |
		timeout 10 openssl s_client -connect "127.0.0.1:$port" -quiet -no_ign_eof \
			-verify_return_error -CAfile "$T/ca.pem" "$@" >"$T/s_client.out" 2>&1
}
