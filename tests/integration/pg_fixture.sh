# pg_fixture.sh — sourced by the PostgreSQL tests (t_pg_views.sh,
# t_pg_query.sh) after lib.sh and tests/tools/pgtmp.sh: a SQLite database
# filled by the real pipeline with something in every view (the fixture
# logs, a twsim fleet with flaps, outages and a fleet event, BFD and
# interface lines, and a collector run over UDP and TCP for senders and
# stats), and a throw-away PostgreSQL cluster with schema/pg applied.
: "${TW_SIM:=$(dirname "$TW_BIN")/twsim}"

# pg_fixture_sqlite: fills $DB.
pg_fixture_sqlite() {
	for f in "$TW_SOURCE_DIR"/tests/fixtures/*.log "$TW_SOURCE_DIR"/tests/fixtures/arrival/*.log; do
		"$TW_BIN" import --db "$DB" --year 2026 "$f" >>"$T/import.log" 2>&1 ||
			fail "import $f: $(tail -n 3 "$T/import.log")"
	done
	"$TW_SIM" --devices 12 --tunnels 2 --peers 2 --seed 3 --duration 3h --flaps 2 \
		--outages 2 --deletes 1 --pfs 1 --out "$T/sim.log" >/dev/null 2>&1 || fail "twsim"
	N='%Viptela-vedge01-ftmd-6-INFO-1400002: Notification:'
	bfd() {   # time remote-system-ip state reason
		echo "Jun 18 $1 vedge01 FTMD[1472]: $N 6/18/2026 ${1#0} bfd-state-change" \
		    "severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1" \
		    "src-ip:10.132.3.92 dst-ip:198.51.100.9 proto:ipsec src-port:12346" \
		    "dst-port:12406 local-system-ip:4.0.5.1 local-color:biz-internet" \
		    "remote-system-ip:$2 remote-color:mpls new-state:$3 deleted:false" \
		    "flap-reason:$4"
	}
	{
		bfd 00:20:00 4.0.5.9 up na
		bfd 00:31:16 4.0.5.9 down timeout
		echo 'Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-vedge01-FTMD-6-INFO-1000001: VPN 0 Interface ge0/0 DOWN'
		bfd 00:33:30 4.0.5.9 up na
	} >"$T/overlay.log"
	"$TW_BIN" import --db "$DB" --year 2026 "$T/sim.log" "$T/overlay.log" >>"$T/import.log" 2>&1 ||
		fail "import: $(tail -n 3 "$T/import.log")"
	local n0
	n0=$(q "SELECT count(*) FROM messages")
	tw_start --stats-interval 1s
	"$TW_SEND" --tcp "127.0.0.1:$TW_PORT" --count 50 2>/dev/null || fail "twsend tcp"
	"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --count 50 2>/dev/null || fail "twsend udp"
	# All 100 stored (counting after the sends raced the writer: when it
	# had stored them all already, one more row never came).
	wait_rows $((n0 + 100))
	sleep 1.2
	tw_stop
	for v in v_bfd_sessions v_transport_events v_senders v_stats v_fleet_events v_incidents v_trail; do
		[ "$(q "SELECT count(*) FROM $v")" -gt 0 ] || fail "$v is empty: the comparison would prove nothing"
	done
}

# pg_fixture_pg: starts the cluster (PGTMP_URI) and applies schema/pg;
# exits 77 (skip) when there is no PostgreSQL.
pg_fixture_pg() {
	pgtmp_start "$T" || { echo "skip: no PostgreSQL"; exit 77; }
	for f in "$TW_SOURCE_DIR"/schema/pg/[0-9]*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 "$PGTMP_URI" -f "$f" >/dev/null 2>"$T/psql.err" ||
			fail "schema $f: $(cat "$T/psql.err")"
	done
}
