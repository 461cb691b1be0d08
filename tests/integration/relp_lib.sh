# tests/integration/relp_lib.sh — a real rsyslog relay forwarding with
# omrelp, for the RELP tests (t_relp*.sh); sourced after lib.sh.
RSD=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)
[ -x "$RSD" ] || { echo "skip: rsyslogd not installed"; exit 77; }
MODS=/usr/lib/x86_64-linux-gnu/rsyslog
[ -d "$MODS" ] || MODS=$(dirname "$(find /usr/lib -name imtcp.so 2>/dev/null | head -1)")
[ -e "$MODS/omrelp.so" ] || { echo "skip: rsyslog-relp (omrelp) not installed"; exit 77; }
export TZ=UTC
# A failure shows the relay's log too.
eval "$(declare -f fail | sed '1s/^fail/tw_fail/')"
fail() {
	[ ! -f "$T/rs.log" ] || { echo "--- rs.log"; tail -n 20 "$T/rs.log"; } >&2
	tw_fail "$@"
}
HOLD_PID=

# relay RELP_PORT: rsyslogd taking TCP on $RSP, forwarding with omrelp;
# $RELP_OPTS are more omrelp parameters (timeout="2": acknowledgements
# awaited 2 s, then the session is given up and made again, and the
# unacknowledged lines sent again).
RELP_OPTS=${RELP_OPTS:-}
relay() {
	RSP=$(tls_port)
	mkdir -p "$T/rs"
	cat >"$T/rs.conf" <<EOC
global(workDirectory="$T/rs" maxMessageSize="64k")
module(load="$MODS/imtcp.so")
module(load="$MODS/omrelp.so")
input(type="imtcp" address="127.0.0.1" port="$RSP" ruleset="to_tunnelwatch")
ruleset(name="to_tunnelwatch") {
  action(type="omrelp" target="127.0.0.1" port="$1" $RELP_OPTS
	 action.resumeRetryCount="-1" action.resumeInterval="1"
	 queue.type="LinkedList" queue.size="200000")
}
EOC
	"$RSD" -n -f "$T/rs.conf" -i "$T/rs.pid" -M "$MODS" >"$T/rs.log" 2>&1 &
	RS_PID=$!
	for i in $(seq 1 100); do
		ss -ltn 2>/dev/null | grep -q "127.0.0.1:$RSP " && return 0
		sleep 0.05
	done
	cat "$T/rs.log" >&2
	fail "rsyslogd did not start"
}
stop_relay() {
	kill -TERM "$RS_PID" 2>/dev/null || true
	wait "$RS_PID" 2>/dev/null || true
}

# wait_seqs N SECS: until N distinct numbered lines are stored (0), or
# SECS passed or nothing new came for 4 s (1).
wait_seqs() {
	local n=$1 secs=$2 got=0 last=-1 still=0 i
	for i in $(seq 1 $((secs * 10))); do
		got=$(q "SELECT count(DISTINCT substr(raw, instr(raw, 'seq='))) FROM messages" \
			2>/dev/null || echo 0)
		[ "$got" -ge "$n" ] && return 0
		if [ "$got" = "$last" ]; then
			still=$((still + 1))
			[ $still -lt 40 ] || return 1
		else
			still=0
			last=$got
		fi
		sleep 0.1
	done
	return 1
}
dist() { q "SELECT count(DISTINCT substr(raw, instr(raw, 'seq='))) FROM messages"; }

