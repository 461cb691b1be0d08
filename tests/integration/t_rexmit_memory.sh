#!/usr/bin/env bash
# Regression: a device's retransmit memory taken by another device.
#
# "giving up after N retransmits" names no tunnel; the resolver gives it
# to the tunnel of the device whose last retransmit was number N (storage/
# resolve.c, rexmit_*).  That memory was one slot per device hash: in the
# 10-day history run (vedge0676) a device that retransmitted meanwhile and
# shared the slot wiped it, and the give-up was left untied.  Here device 1
# (vedge-a) and device 3792 (vedge-b) share the old slot; vedge-b
# retransmits between vedge-a's retransmits and its give-up.
. "$(dirname "$0")/lib.sh"

L=198.51.100.1
{
	echo "<30>May  1 00:00:01 vedge-a charon: 05[IKE] IKE_SA ipsec1_1[1] established between $L[$L]...203.0.113.1[203.0.113.1]"
	echo "<30>May  1 00:00:01 vedge-a charon: 06[IKE] IKE_SA ipsec2_1[2] established between $L[$L]...203.0.113.2[203.0.113.2]"
	echo "<30>May  1 00:00:05 vedge-a charon: 07[IKE] retransmit 1 of request with message ID 9"
	echo "<30>May  1 00:00:05 vedge-a charon: 07[NET] sending packet: from $L[4500] to 203.0.113.1[4500] (76 bytes)"
	# devices 2 .. 3791
	for i in $(seq 2 3791); do
		echo "<30>May  1 00:00:06 filler$i charon: 05[IKE] initiating IKE_SA ipsec1_1[1] to 203.0.113.9"
	done
	echo "<30>May  1 00:00:07 vedge-b charon: 05[IKE] IKE_SA ipsec1_1[1] established between 192.0.2.7[192.0.2.7]...203.0.113.3[203.0.113.3]"
	echo "<30>May  1 00:00:08 vedge-b charon: 08[IKE] retransmit 1 of request with message ID 4"
	echo "<30>May  1 00:00:08 vedge-b charon: 08[NET] sending packet: from 192.0.2.7[4500] to 203.0.113.3[4500] (76 bytes)"
	echo "<30>May  1 00:00:40 vedge-a charon: 09[IKE] giving up after 1 retransmits"
} >"$T/evict.log"

"$TW_BIN" import --db "$DB" "$T/evict.log" >"$T/import.log" 2>&1 || fail "import: $(cat "$T/import.log")"
eq "$(q "SELECT device_id FROM devices WHERE hostname = 'vedge-b'")" 3792 \
	"vedge-b is device 3792, which shared device 1's slot"
eq "$(q "SELECT hostname || '/' || tunnel FROM v_events WHERE kind = 'give_up'")" "vedge-a/ipsec1" \
	"vedge-a's give-up is its ipsec1's, though vedge-b retransmitted meanwhile"
ok "a device's retransmit memory is its own"
