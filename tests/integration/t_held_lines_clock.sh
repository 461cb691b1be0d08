#!/usr/bin/env bash
# Regression: the correlator reads a device's clock (device time minus
# receive time) off its lines to know how long to hold events back (the
# reorder window, lateness).  It took the clock from the line stored last;
# a charon job's lines held until their job named its tunnel are stored
# after newer lines of the device, so a replayed minute made the device
# look a minute behind and its newest event (the CHILD_SA back up) waited a
# minute of wall clock: the outage stayed open.  The clock now comes from
# the device's newest line, in memory as when read back.
. "$(dirname "$0")/lib.sh"
BASE=1718668800
at() {
	printf '<30>%s %s charon: %s\n' "$(date -u -d "@$((BASE + $1))" '+%b %e %H:%M:%S')" "$2" "$3"
}
{
	at 0 edge1 "16[IKE] IKE_SA ipsec1_1[1] established between 192.0.2.1[192.0.2.1]...198.51.100.1[198.51.100.1]"
	at 0 edge1 "16[IKE] CHILD_SA child_ipsec1_1{1} established with SPIs c1a2b3c4_i 0d0e0f10_o and TS 10.0.0.0/24 === 10.1.0.0/24"
	at 60 edge1 "08[IKE] sending DPD request"
	at 60 edge1 "08[ENC] generating INFORMATIONAL request 4 [ ]"
	at 70 edge1 "05[IKE] retransmit 1 of request with message ID 4"
	at 90 edge1 "05[IKE] giving up after 1 retransmits"
	at 120 edge1 "16[IKE] CHILD_SA child_ipsec1_1{2} established with SPIs c1a2b3c5_i 0d0e0f11_o and TS 10.0.0.0/24 === 10.1.0.0/24"
} >"$T/lines"
for mode in memory back; do
	rm -rf "$DB" "$DB"-wal "$DB"-shm "$DB".spool
	if [ $mode = back ]; then
		TW_CORR_READ_BACK=1 tw_start --lateness 1s --correlate-interval 200ms
	else
		tw_start --lateness 1s --correlate-interval 200ms
	fi
	"$TW_SEND" --udp "127.0.0.1:$TW_PORT" --file "$T/lines" --count 7 2>/dev/null
	wait_rows 7
	for i in $(seq 1 100); do
		[ "$(q "SELECT count(*) FROM incidents WHERE ended_us IS NOT NULL")" = 1 ] && break
		sleep 0.1
	done
	# Read before the stop: its final pass decides everything anyway.
	got=$(q "SELECT symptom || ' ' || root_cause || ' ' || (ended_us IS NOT NULL) FROM incidents")
	state=$(q "SELECT state FROM v_tunnels")
	tw_stop
	eq "$got" "flap dpd_timeout 1" "$mode: the outage is closed within 10 s"
	eq "$state" "up" "$mode: the tunnel is up again"
done
ok "a replayed minute with held charon lines: decided within the reorder window, memory and read back alike"
