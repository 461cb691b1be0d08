# tests/lab/lab.sh — the strongSwan lab: two charon daemons in network
# namespaces, real syslog on the wire, the collector listening in a third
# namespace.  Sourced by tests/lab/run.sh; see docs/lab.md.
#
#   vEdge ns  (tw<id>v)        peer ns  (tw<id>p)        collector ns (tw<id>c)
#   wan0 192.0.2.1/25 <-veth-> wan0 203.0.113.1/25
#   lo   192.0.2.129/32        lo   203.0.113.129/32       (inside the tunnel)
#   log0 198.51.100.1/24 <------------- veth -------------> log0 198.51.100.2/24
#   charon -> /dev/log -> rsyslogd -> UDP 198.51.100.2:5514 -> tunnelwatch serve
#
# Each host also has its own mount namespace (held by a `sleep` process) in
# which /run, /etc/swanctl and /dev are private: the two charons do not
# collide on /run/charon.pid and /run/charon.vici, and the vEdge's /dev/log
# is the socket of the vEdge's own rsyslogd.  Every process is recorded in
# $SD/pids and stopped by PID; every namespace is in $SD/netns and deleted.
#
# Needs root, iproute2, util-linux (unshare, nsenter), nftables, rsyslog,
# strongswan-charon, strongswan-swanctl, libstrongswan-standard-plugins
# (gcm, openssl) and, when the kernel has no ESP, libcharon-extra-plugins
# (kernel-libipsec).

: "${TW_BIN:?TW_BIN must point at the tunnelwatch binary}"
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_CHARON=${LAB_CHARON:-/usr/lib/ipsec/charon}
LAB_PLUGINDIR=${LAB_PLUGINDIR:-/usr/lib/ipsec/plugins}
LAB_ID=${LAB_ID:-$$}

VEDGE_WAN=192.0.2.1
PEER_WAN=203.0.113.1
VEDGE_LAN=192.0.2.129
PEER_LAN=203.0.113.129
VEDGE_TS=192.0.2.128/25
PEER_TS=203.0.113.128/25
VEDGE_LOG=198.51.100.1
COLL_IP=198.51.100.2
COLL_PORT=5514
VEDGE_HOSTNAME=vedge01
PSK_GOOD='tunnelwatch-lab-psk-2b7e1516'
PSK_WRONG='not-the-vedge-psk-9f0c11a2'

lab_log() {
	echo "[lab $(date +%T)] $*"
}

# lab_tools_missing: prints what is missing, returns 1 if anything is.
lab_tools_missing() {
	local absent=() c
	for c in ip nft unshare nsenter rsyslogd swanctl sqlite3; do
		command -v "$c" >/dev/null 2>&1 || absent+=("$c")
	done
	[ -x "$LAB_CHARON" ] || absent+=("$LAB_CHARON")
	for c in gcm openssl vici kernel-netlink socket-default; do
		[ -e "$LAB_PLUGINDIR/libstrongswan-$c.so" ] || absent+=("charon plugin $c")
	done
	[ ${#absent[@]} -eq 0 ] && return 0
	echo "${absent[*]}"
	return 1
}

# lab_ns_probe: can this machine create network and mount namespaces and
# veth pairs?  Prints the reason and returns 1 if not.
lab_ns_probe() {
	local ns=tw${LAB_ID}probe out
	if [ "$(id -u)" -ne 0 ]; then
		echo "not root (uid $(id -u)): cannot create network namespaces"
		return 1
	fi
	if ! out=$(ip netns add "$ns" 2>&1); then
		echo "ip netns add failed: $out"
		return 1
	fi
	if ! out=$(ip -n "$ns" link add p0 type veth peer name p1 2>&1); then
		ip netns del "$ns" 2>/dev/null
		echo "cannot create a veth pair in a namespace: $out"
		return 1
	fi
	if ! out=$(ip netns exec "$ns" unshare -m --propagation private true 2>&1); then
		ip netns del "$ns" 2>/dev/null
		echo "cannot create a mount namespace: $out"
		return 1
	fi
	if [ ! -c /dev/net/tun ]; then
		ip netns del "$ns" 2>/dev/null
		echo "no /dev/net/tun"
		return 1
	fi
	ip netns del "$ns"
	return 0
}

# lab_esp_mode: "kernel" if the kernel can hold ESP SAs (CONFIG_INET_ESP and
# the algorithms), else "libipsec" (charon's userspace ESP on a TUN device).
# TW_LAB_ESP=kernel|libipsec overrides.
lab_esp_mode() {
	if [ -n "${TW_LAB_ESP:-}" ]; then
		echo "$TW_LAB_ESP"
		return
	fi
	local ns=tw${LAB_ID}esp mode=kernel
	ip netns add "$ns" 2>/dev/null || { echo libipsec; return; }
	ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 \
		reqid 1 mode tunnel aead 'rfc4106(gcm(aes))' \
		0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f01020304 128 \
		>/dev/null 2>&1 || mode=libipsec
	ip -n "$ns" xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x101 \
		reqid 1 mode tunnel enc 'cbc(aes)' \
		0x000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \
		auth-trunc 'hmac(sha1)' 0x000102030405060708090a0b0c0d0e0f10111213 96 \
		>/dev/null 2>&1 || mode=libipsec
	ip netns del "$ns"
	echo "$mode"
}

# ---- per-scenario state ---------------------------------------------------
# SD: the scenario's directory; $SD/pids: "pid name" lines; $SD/netns: names.

lab_track_pid() {
	echo "$1 $2" >>"$SD/pids"
}

lab_netns_add() {
	ip netns add "$1"
	echo "$1" >>"$SD/netns"
	ip -n "$1" link set lo up
}

# lab_stop_pid PID NAME: SIGTERM, up to 3 s, then SIGKILL.
lab_stop_pid() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 30); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "lab: $2 ($pid) ignored SIGTERM, killing" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# lab_teardown [DIR]: stop every recorded process (newest first) and delete
# every recorded namespace.  Safe to call twice and after a partial setup.
lab_teardown() {
	local d=${1:-$SD} pid name ns
	[ -n "$d" ] && [ -d "$d" ] || return 0
	if [ -f "$d/pids" ]; then
		while read -r pid name; do
			lab_stop_pid "$pid" "$name"
		done < <(tac "$d/pids")
		: >"$d/pids"
	fi
	if [ -f "$d/netns" ]; then
		while read -r ns; do
			ip netns del "$ns" 2>/dev/null || true
		done <"$d/netns"
		: >"$d/netns"
	fi
}

lab_render() { # TEMPLATE OUT VAR=VALUE...
	local in=$1 out=$2 kv args=()
	shift 2
	for kv in "$@"; do
		local k=${kv%%=*} v=${kv#*=}
		v=${v//\\/\\\\}
		v=${v//|/\\|}
		v=${v//&/\\&}
		args+=(-e "s|@$k@|$v|g")
	done
	sed "${args[@]}" "$in" >"$out"
	if grep -q '@[A-Z_]*@' "$out"; then
		echo "lab: unrendered placeholder in $out: $(grep -o '@[A-Z_]*@' "$out" | sort -u | tr '\n' ' ')" >&2
		return 1
	fi
}

# lab_net: the three namespaces and their links.
lab_net() {
	NS_V=tw${LAB_ID}v
	NS_P=tw${LAB_ID}p
	NS_C=tw${LAB_ID}c
	lab_netns_add "$NS_V"
	lab_netns_add "$NS_P"
	lab_netns_add "$NS_C"
	# WAN: vEdge tunnel-source and peer tunnel-destination on one wire, in
	# two documentation networks (host routes, like an ISP hand-off).
	ip -n "$NS_V" link add wan0 type veth peer name wan0 netns "$NS_P"
	ip -n "$NS_V" addr add "$VEDGE_WAN/25" dev wan0
	ip -n "$NS_P" addr add "$PEER_WAN/25" dev wan0
	ip -n "$NS_V" link set wan0 up
	ip -n "$NS_P" link set wan0 up
	ip -n "$NS_V" route add "$PEER_WAN/32" dev wan0 src "$VEDGE_WAN"
	ip -n "$NS_P" route add "$VEDGE_WAN/32" dev wan0 src "$PEER_WAN"
	# Service-side addresses, reached only through the tunnel.
	ip -n "$NS_V" addr add "$VEDGE_LAN/32" dev lo
	ip -n "$NS_P" addr add "$PEER_LAN/32" dev lo
	# Logging link: vEdge -> collector.
	ip -n "$NS_V" link add log0 type veth peer name log0 netns "$NS_C"
	ip -n "$NS_V" addr add "$VEDGE_LOG/24" dev log0
	ip -n "$NS_C" addr add "$COLL_IP/24" dev log0
	ip -n "$NS_V" link set log0 up
	ip -n "$NS_C" link set log0 up
}

# lab_host NAME NETNS: a mount namespace inside NETNS with private /run,
# /etc/swanctl and /dev; its holder's PID goes to $SD/NAME/holder.pid.
# The holder (a sleep) keeps the namespace for LAB_HOLD_SECONDS (1 h) at most.
lab_host() {
	local name=$1 ns=$2 H=$SD/$1 holder i
	mkdir -p "$H/run" "$H/swanctl" "$H/dev" "$H/rsyslog"
	chmod 700 "$H/swanctl"
	ip netns exec "$ns" unshare -m --propagation private sleep "${LAB_HOLD_SECONDS:-3600}" &
	holder=$!
	lab_track_pid "$holder" "$name-holder"
	for i in $(seq 1 50); do
		# ip netns exec, then unshare, exec into sleep: once it is sleep,
		# its mount namespace is the private one.
		[ "$(cat "/proc/$holder/comm" 2>/dev/null)" = sleep ] && break
		sleep 0.05
	done
	# Never mount anything unless it is certainly in a namespace of our own.
	if [ "$(cat "/proc/$holder/comm" 2>/dev/null)" != sleep ] ||
		[ "$(readlink "/proc/$holder/ns/mnt")" = "$(readlink /proc/self/ns/mnt)" ]; then
		echo "lab: $name: no private mount namespace (holder $holder)" >&2
		return 1
	fi
	echo "$holder" >"$H/holder.pid"
	nsenter -t "$holder" -m -- bash -euc '
		H=$1
		mount -t tmpfs -o mode=755,size=1m twlab-dev "$H/dev"
		for n in null zero full random urandom tty; do
			[ -e "/dev/$n" ] || continue
			: >"$H/dev/$n"
			mount --bind "/dev/$n" "$H/dev/$n"
		done
		mkdir "$H/dev/net"
		: >"$H/dev/net/tun"
		mount --bind /dev/net/tun "$H/dev/net/tun"
		ln -s /proc/self/fd "$H/dev/fd"
		mount --rbind "$H/dev" /dev
		mount --bind "$H/run" /run
		mount --bind "$H/swanctl" /etc/swanctl
	' lab-mounts "$H"
}

# lab_in NAME CMD...: run CMD in host NAME's network and mount namespaces
# (in the foreground: a background job must call nsenter itself, so that $!
# is the daemon's PID and not a subshell's).
lab_in() {
	local name=$1
	shift
	nsenter -t "$(cat "$SD/$name/holder.pid")" -m -n -- "$@"
}

lab_swanctl() { # NAME ARGS...
	local name=$1
	shift
	lab_in "$name" env STRONGSWAN_CONF="$SD/$name/strongswan.conf" swanctl "$@"
}

# lab_charon NAME CONN CHILD LOCAL REMOTE LOCAL_TS REMOTE_TS ESP PSK
#            CHILD_REKEY CHILD_LIFE DPD_ACTION SYSLOG(yes|no) DPD_DELAY
#            [IKE_REKEY [IKE_RAND [KEYINGTRIES [SYSLOG_LEVEL]]]]
# IKE_REKEY: the IKE_SA's rekey_time (86400s; its over_time is 10 % of it,
# as charon's default, but at least 5 s); IKE_RAND its rand_time (default: the over_time, as
# charon does); KEYINGTRIES (1; 0 = for ever, as a vEdge); SYSLOG_LEVEL the
# level of the daemon-facility syslog (1; 2 = `default = 2`).
lab_charon() {
	local name=$1 H=$SD/$1 plugins encap pid i
	plugins="random nonce aes sha1 sha2 hmac gmp gcm openssl kdf pem pkcs1 x509 pubkey"
	if [ "$LAB_ESP" = libipsec ]; then
		# before kernel-netlink, so that it provides the IPsec backend
		plugins="$plugins kernel-libipsec kernel-netlink socket-default vici"
		encap=yes
	else
		plugins="$plugins kernel-netlink socket-default vici"
		encap=no
	fi
	local sd=-1 sa=-1 ike_rekey=${15:-86400s} ike_over ike_rand
	if [ "${13}" = yes ]; then
		sd=${18:-1}
		sa=0
	fi
	# charon's default over_time, but at least 5 s: a short rekey_time
	# must not make the IKE_SA expire before its rekey completes
	ike_over=$((${ike_rekey%s} / 10))
	[ "$ike_over" -ge 5 ] || ike_over=5
	ike_over=${ike_over}s
	ike_rand=${16:-$ike_over}
	lab_render "$LAB_DIR/strongswan.conf.in" "$H/strongswan.conf" \
		HOST="$name" DIR="$H" PLUGINS="$plugins" SYSLOG_DAEMON="$sd" SYSLOG_AUTH="$sa" \
		SYSLOG_TRACE="$([ "$sd" -gt 1 ] && echo 1 || echo "$sd")"
	lab_render "$LAB_DIR/swanctl.conf.in" "$H/swanctl/swanctl.conf" \
		HOST="$name" CONN="$2" CHILD="$3" LOCAL="$4" REMOTE="$5" \
		LOCAL_TS="$6" REMOTE_TS="$7" ESP="$8" PSK="$9" CHILD_REKEY="${10}" \
		CHILD_LIFE="${11}" DPD_ACTION="${12}" ENCAP="$encap" DPD_DELAY="${14}" \
		IKE_REKEY="$ike_rekey" IKE_OVER="$ike_over" IKE_RAND="$ike_rand" \
		KEYINGTRIES="${17:-1}"
	chmod 600 "$H/swanctl/swanctl.conf"
	# nsenter execs charon: $! is charon's PID
	nsenter -t "$(cat "$H/holder.pid")" -m -n -- \
		env STRONGSWAN_CONF="$H/strongswan.conf" "$LAB_CHARON" \
		>"$H/charon.out" 2>&1 &
	pid=$!
	lab_track_pid "$pid" "$name-charon"
	for i in $(seq 1 100); do
		[ -S "$H/run/charon.vici" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ ! -S "$H/run/charon.vici" ]; then
		echo "lab: $name: charon did not open its vici socket" >&2
		tail -n 20 "$H/charon.out" "$H/charon.log" >&2 2>/dev/null || true
		return 1
	fi
	lab_swanctl "$name" --load-all --noprompt >"$H/load.out" 2>&1 || {
		echo "lab: $name: swanctl --load-all failed" >&2
		cat "$H/load.out" >&2
		return 1
	}
}

# lab_rsyslog: the vEdge's syslog daemon, forwarding to the collector.
lab_rsyslog() {
	local H=$SD/vedge pid i holder
	holder=$(cat "$H/holder.pid")
	lab_render "$LAB_DIR/rsyslog.conf.in" "$H/rsyslog.conf" \
		DIR="$H" HOSTNAME="$VEDGE_HOSTNAME" COLLECTOR="$COLL_IP" PORT="$COLL_PORT"
	nsenter -t "$holder" -m -n -- \
		rsyslogd -n -f "$H/rsyslog.conf" -i "$H/rsyslog.pid" \
		>"$H/rsyslog.out" 2>&1 &
	pid=$!
	lab_track_pid "$pid" "vedge-rsyslogd"
	for i in $(seq 1 100); do
		[ -S "/proc/$holder/root/dev/log" ] && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "lab: rsyslogd did not open /dev/log in the vEdge" >&2
	cat "$H/rsyslog.out" >&2
	return 1
}

# lab_collector: tunnelwatch serve in the collector namespace.
lab_collector() {
	local pid i
	DB=$SD/tw.db
	ip netns exec "$NS_C" "$TW_BIN" serve --db "$DB" --udp "$COLL_IP:$COLL_PORT" \
		--tcp "$COLL_IP:$COLL_PORT" --stuck-after 20s --lateness 5s \
		--flush-interval 50ms >"$SD/serve.log" 2>&1 &
	pid=$!
	COLL_PID=$pid
	lab_track_pid "$pid" "collector"
	for i in $(seq 1 200); do
		grep -q ready "$SD/serve.log" 2>/dev/null && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	echo "lab: collector did not start" >&2
	cat "$SD/serve.log" >&2
	return 1
}

# lab_collector_stop: SIGTERM so the writer flushes; non-zero exit = fail.
lab_collector_stop() {
	local rc=0 i
	[ -n "${COLL_PID:-}" ] || return 0
	kill -TERM "$COLL_PID" 2>/dev/null || true
	for i in $(seq 1 150); do
		kill -0 "$COLL_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$COLL_PID" 2>/dev/null; then
		echo "lab: collector still running 15 s after SIGTERM, killing" >&2
		kill -KILL "$COLL_PID" 2>/dev/null || true
	fi
	wait "$COLL_PID" || rc=$?
	COLL_PID=
	return $rc
}

# lab_up SCENARIO [VAR=VALUE...]: everything for one scenario, the vEdge's
# and the peer's settings taken from the variables (defaults = the guide's
# tunnel, healthy): V_ESP P_ESP V_PSK P_PSK P_CHILD_REKEY P_CHILD_LIFE
# V_CHILD_REKEY V_CHILD_LIFE V_IKE_REKEY P_IKE_REKEY V_IKE_RAND P_IKE_RAND
# V_KEYINGTRIES V_LOGLEVEL (the vEdge's syslog level, 1 or 2) P_REMOTE_TS
# (what the peer accepts for the vEdge's side), COLLECTOR=later (do not start
# the collector: the scenario calls lab_collector itself, mid-stream).
# The vEdge's settings stay in $SD/vedge.args for lab_vedge_charon.
lab_up() {
	SD=$LAB_T/$1
	shift
	local V_ESP=aes256gcm16-modp2048 P_ESP=aes256gcm16-modp2048
	local V_PSK=$PSK_GOOD P_PSK=$PSK_GOOD P_CHILD_REKEY=3600s P_CHILD_LIFE=3960s
	local V_CHILD_REKEY=3600s V_CHILD_LIFE=3960s V_IKE_REKEY=86400s P_IKE_REKEY=86400s
	local V_IKE_RAND='' P_IKE_RAND='' V_KEYINGTRIES=1 V_LOGLEVEL=1
	local P_REMOTE_TS=$VEDGE_TS COLLECTOR=now kv
	for kv in "$@"; do
		local "$kv"
	done
	mkdir -p "$SD"
	: >"$SD/pids"
	: >"$SD/netns"
	lab_net
	[ "$COLLECTOR" = later ] || lab_collector
	lab_host vedge "$NS_V"
	lab_host peer "$NS_P"
	lab_rsyslog
	# The vEdge: interface ipsec2 of the field guide.
	printf '%s\n' "$V_ESP" "$V_PSK" "$V_CHILD_REKEY" "$V_CHILD_LIFE" "$V_IKE_REKEY" \
		"$V_IKE_RAND" "$V_KEYINGTRIES" "$V_LOGLEVEL" >"$SD/vedge.args"
	lab_vedge_charon
	# The third-party peer: logs to its own file only; DPD every 30 s, so
	# the DPD exchanges seen while the tunnel is up are the vEdge's.
	lab_charon peer vedge01-ipsec2 vedge01-ipsec2-child "$PEER_WAN" "$VEDGE_WAN" \
		"$PEER_TS" "$P_REMOTE_TS" "$P_ESP" "$P_PSK" "$P_CHILD_REKEY" "$P_CHILD_LIFE" \
		restart no 30s "$P_IKE_REKEY" "$P_IKE_RAND" 1
}

# lab_vedge_charon [PSK]: (re)start the vEdge's charon with the settings
# lab_up saved, optionally with another pre-shared key (a changed
# configuration applied by the restart).  Its own log of a previous run is
# kept as charon.log.N (N = 1, 2, ...).
lab_vedge_charon() {
	local a n=1
	mapfile -t a <"$SD/vedge.args"
	[ $# -eq 0 ] || a[1]=$1
	if [ -e "$SD/vedge/charon.log" ]; then
		while [ -e "$SD/vedge/charon.log.$n" ]; do n=$((n + 1)); done
		mv "$SD/vedge/charon.log" "$SD/vedge/charon.log.$n"
	fi
	# what a stopped charon may leave behind: its sockets must be new
	rm -f "$SD/vedge/run/charon.vici" "$SD/vedge/run/charon.ctl"
	lab_charon vedge ipsec2_1 child_ipsec2_1 "$VEDGE_WAN" "$PEER_WAN" \
		"$VEDGE_TS" "$PEER_TS" "${a[0]}" "${a[1]}" "${a[2]}" "${a[3]}" restart yes 2s \
		"${a[4]}" "${a[5]}" "${a[6]}" "${a[7]}"
}

# lab_pid_of NAME: the newest recorded PID of process NAME (e.g. vedge-charon).
lab_pid_of() {
	awk -v n="$1" '$2 == n { p = $1 } END { if (p) print p; else exit 1 }' "$SD/pids"
}

# lab_stop NAME: stop process NAME (SIGTERM, as systemd would) and forget it.
lab_stop() {
	local pid
	pid=$(lab_pid_of "$1") || return 0
	lab_stop_pid "$pid" "$1"
	awk -v p="$pid" '$1 != p' "$SD/pids" >"$SD/pids.new"
	mv "$SD/pids.new" "$SD/pids"
}

# lab_mark TEXT: one line from another program (tag `lab`) through the
# vEdge's syslog, as a device's other daemons send all the time.  The
# scenarios end with one, so that a capture shows how long it covers
# (nothing else is logged once a tunnel is down for good).
lab_mark() {
	lab_in vedge logger -t lab -- "$*"
}

# lab_initiate [TIMEOUT]: what the vEdge does when the interface comes up
# (swanctl waits at most TIMEOUT s, 10 by default; charon goes on trying).
lab_initiate() {
	lab_swanctl vedge --initiate --child child_ipsec2_1 --timeout "${1:-10}" \
		>>"$SD/vedge/initiate.out" 2>&1
}

# Traffic through the tunnel: UDP from the vEdge's service address to the
# peer's (discard port); the peer's CHILD_SA must count it in.
lab_dataplane() {
	local i
	for i in 1 2 3; do
		ip netns exec "$NS_V" bash -c "echo lab-probe-$i >/dev/udp/$PEER_LAN/9" 2>/dev/null || true
	done
	lab_swanctl peer --list-sas >"$SD/peer/list-sas.out" 2>&1 || true
	grep -Eq 'in +[0-9a-f]+[^,]*, +[1-9][0-9]* bytes, +[1-9][0-9]* packets' "$SD/peer/list-sas.out"
}

# nftables on the peer: from now on nothing of IKE or ESP between the two.
lab_cut_path() {
	ip netns exec "$NS_P" nft -f - <<-EOF
		table inet twlab {
			chain in {
				type filter hook input priority 0; policy accept;
				ip saddr $VEDGE_WAN udp dport { 500, 4500 } drop
				ip saddr $VEDGE_WAN meta l4proto esp drop
			}
			chain out {
				type filter hook output priority 0; policy accept;
				ip daddr $VEDGE_WAN udp dport { 500, 4500 } drop
				ip daddr $VEDGE_WAN meta l4proto esp drop
			}
		}
	EOF
}

# ---- checks ----------------------------------------------------------------

q() {
	sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$@"
}

# wait_until SECONDS CMD...: poll CMD every 0.5 s.
wait_until() {
	local secs=$1 end
	shift
	end=$((SECONDS + secs))
	while :; do
		"$@" && return 0
		[ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}

# log_has NAME ERE: charon's own log of host NAME has a matching line.
log_has() {
	grep -Eq -- "$2" "$SD/$1/charon.log" 2>/dev/null
}

# wire_has ERE: the collector stored a matching line (received over UDP).
wire_has() {
	q "SELECT raw FROM messages WHERE transport = 1" 2>/dev/null | grep -Eq -- "$1"
}

sql_is() { # EXPECTED SQL
	[ "$(q "$2" 2>/dev/null)" = "$1" ]
}

# lab_capture NAME: the lines as the collector stored them.
lab_capture() {
	q "SELECT raw FROM messages ORDER BY message_id" >"$SD/$1.log"
	if [ -n "${TW_LAB_CAPTURE:-}" ]; then
		mkdir -p "$TW_LAB_CAPTURE"
		cp "$SD/$1.log" "$TW_LAB_CAPTURE/$1.log"
	fi
}

# lab_dump: what the collector made of it, for a failure report.
lab_dump() {
	echo "--- v_tunnels"
	q -header "SELECT tunnel, local_ip, peer_ip, state, state_since FROM v_tunnels" 2>&1 || true
	echo "--- v_incidents"
	q -header "SELECT incident_id, tunnel, peer_ip, symptom, root_cause, summary, started_at, ended_at FROM v_incidents" 2>&1 || true
	echo "--- events per kind"
	q "SELECT kind, count(*) FROM events GROUP BY kind ORDER BY kind" 2>&1 | tr '\n' ' ' || true
	echo
}
