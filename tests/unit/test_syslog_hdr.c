/*
 * test_syslog_hdr.c — Criterion tests for parse/syslog_hdr.c.
 *
 * Tables of real lines (docs/log-formats.md#syslog-headers and #field-guide-lines) and
 * hostile input.  Every row is parsed from an exactly-sized heap copy (so
 * ASan flags any read past len) and again from inside a larger buffer with
 * junk on both sides, which must give the same result.  Regression rows are
 * named after the bug they pin down.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "span.h"
#include "syslog_hdr.h"

/*
 * Criterion runs each parameter in a re-executed worker, so pointers inside
 * a parameter are not valid there (PIE).  The parameters are therefore row
 * indices into the static tables below, which every process has.
 */
#define NROWS(t)	(sizeof(t) / sizeof((t)[0]))
#define ROW_PARAMS(idx, tbl) do {					\
	for (size_t i_ = 0; i_ < NROWS(tbl); i_++)			\
		(idx)[i_] = i_;						\
	return cr_make_param_array(size_t, (idx), NROWS(tbl));		\
} while (0)

#define OK	SYSLOG_OK
#define NOHDR	SYSLOG_NOHDR
#define BADPRI	SYSLOG_BADPRI
#define F_NONE	SYSLOG_FMT_NONE
#define F3164	SYSLOG_FMT_RFC3164
#define F5424	SYSLOG_FMT_RFC5424
#define F_IOS	SYSLOG_FMT_IOS

/* year, mon, mday, hour, min, sec, usec; mon 0 = no time in the line */
#define TM(y, mo, d, h, mi, s, us)	y, mo, d, h, mi, s, us
#define NOTIME				0, 0, 0, 0, 0, 0, 0
#define NOPRI				-1, -1, -1

#define H10	"h123456789"
#define H50	H10 H10 H10 H10 H10
#define H250	H50 H50 H50 H50 H50
#define A48	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"

struct hdr_case {
	const char	*name;
	const char	*in;
	size_t		 len;		/* 0: strlen(in) */
	int		 status, format, pri, fac, sev;
	const char	*host, *app, *procid;	/* exact, "" = empty */
	const char	*msg;		/* expected start; NULL = whole input */
	int		 year, mon, mday, hour, min, sec, usec;
	int		 seq, unsynced;
};

static struct hdr_case hdr_cases[] = {
	/* ---- RFC 3164, vEdge / Viptela (docs/log-formats.md#rfc-3164, #the-viptela-tag) ---- */
	{ "rfc3164_pri_charon",
	  "<134>Jun 18 00:31:22 vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1", 0,
	  OK, F3164, 134, 16, 6, "vedge01", "charon", "", "16[IKE] initiating IKE_SA",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "viptela_pri_space_sc4s",
	  "<111> Mar 17 18:35:12 xyz_vManage_West SYSMGR[919]: %Viptela-xyz_vManage_East-sysmgrd-6-INFO-1400002: Notification: 3/17/2022 18:35:12 system-login-change severity-level:minor host-name:\"XYZ_vManage_East\" system-ip:1.1.1.3 user-name:\"mn2c\" user-id:2227", 0,
	  OK, F3164, 111, 13, 7, "xyz_vManage_West", "SYSMGR", "919", "%Viptela-xyz_vManage_East-sysmgrd-6-INFO-1400002: Notification:",
	  TM(0, 3, 17, 18, 35, 12, 0), -1, 0 },
	{ "viptela_formats_6_1",
	  "<111> Mar 17 18:35:12 abc_vManage_West SYSMGR[919]: %Viptela-abc_vManage_East-sysmgrd-6-INFO-1400002: Notification: 3/17/2022 18:35:12 system-login-change severity-level:minor host-name:\"ABC_vManage_East\" system-ip:192.0.2.3 user-name:\"ops2\" user-id:2227", 0,
	  OK, F3164, 111, 13, 7, "abc_vManage_West", "SYSMGR", "919", "%Viptela-abc_vManage_East",
	  TM(0, 3, 17, 18, 35, 12, 0), -1, 0 },
	{ "viptela_sc4s_template_nospace",
	  "<189>Mar 17 18:35:12 xyz_vManage_West SYSMGR[919]: %Viptela-xyz_vManage_East-sysmgrd-6-INFO-1400002: Notification: x", 0,
	  OK, F3164, 189, 23, 5, "xyz_vManage_West", "SYSMGR", "919", "%Viptela-",
	  TM(0, 3, 17, 18, 35, 12, 0), -1, 0 },
	{ "viptela_nopri_vdaemon_missing_space",
	  "Jul 26 22:03:33 ctrl-01 VDAEMON_0[2571]: %Viptela-ctrl-VDAEMON_0-5-NTCE-1000001: control-connection-state-change new-state:up peer-type:vmanagepeer-system-ip:192.0.2.10 public-ip:192.168.3.20 public-port:12345 domain-id:1 site-id:1005", 0,
	  OK, F3164, NOPRI, "ctrl-01", "VDAEMON_0", "2571", "%Viptela-ctrl-VDAEMON_0-5-NTCE-1000001: control",
	  TM(0, 7, 26, 22, 3, 33, 0), -1, 0 },
	{ "ftmd_1000001_free_text",
	  "Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN", 0,
	  OK, F3164, NOPRI, "vedge01", "FTMD", "1472", "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1",
	  TM(0, 6, 18, 0, 31, 17, 0), -1, 0 },
	{ "ftmd_1400002_notification",
	  "Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-vedge01-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1 vpn-id:1 if-name:\"ipsec2\" new-state:down", 0,
	  OK, F3164, NOPRI, "vedge01", "FTMD", "1472", "%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: interface",
	  TM(0, 6, 18, 0, 31, 17, 0), -1, 0 },
	{ "ftmd_tag_host_differs_londsr",
	  "Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-LONDSR01-ftmd-6-INFO-1400002: Notification: interface-state-change severity-level:major host-name:\"LONDSR01\" system-ip:4.0.5.1 vpn-id:1 if-name:\"ipsec2\" new-state:down", 0,
	  OK, F3164, NOPRI, "vedge01", "FTMD", "1472", "%Viptela-LONDSR01-ftmd",
	  TM(0, 6, 18, 0, 31, 17, 0), -1, 0 },
	{ "ftmd_londsr_1000001",
	  "Jun 18 00:31:17 vedge01 FTMD[1472]: %Viptela-LONDSR01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN", 0,
	  OK, F3164, NOPRI, "vedge01", "FTMD", "1472", "%Viptela-LONDSR01-FTMD",
	  TM(0, 6, 18, 0, 31, 17, 0), -1, 0 },
	{ "ftmd_azgdsr_1269",
	  "Apr 13 22:05:21 vedge01 FTMD[1269]: %Viptela-AZGDSR01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec1 DOWN", 0,
	  OK, F3164, NOPRI, "vedge01", "FTMD", "1269", "%Viptela-AZGDSR01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec1 DOWN",
	  TM(0, 4, 13, 22, 5, 21, 0), -1, 0 },
	{ "ftmd_bfd_synthetic",
	  "Jul 13 10:00:00 vedge01 FTMD[1472]: %Viptela-vedge01-ftmd-6-INFO-1400002: Notification: 7/13/2021 10:00:00 bfd-state-change severity-level:major host-name:\"vedge01\" system-ip:4.0.5.1 new-state:down deleted:false flap-reason:timeout", 0,
	  OK, F3164, NOPRI, "vedge01", "FTMD", "1472", "%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: 7/13/2021",
	  TM(0, 7, 13, 10, 0, 0, 0), -1, 0 },

	/* ---- the field guide's charon lines (docs/log-formats.md#field-guide-lines) ---- */
	{ "playbook_vici_initiate",
	  "Jun 18 00:31:22 vedge01 charon: 09[CFG] vici initiate 'child_ipsec2_1'", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "09[CFG] vici initiate 'child_ipsec2_1'",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "playbook_sending_packet",
	  "Jun 18 00:31:22 vedge01 charon: 16[NET] sending packet: from 10.132.3.92[500] to 10.10.10.1[500] (464 bytes)", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "16[NET] sending packet: from",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "playbook_parsed_ike_sa_init",
	  "Jun 18 00:31:22 vedge01 charon: 12[ENC] parsed IKE_SA_INIT response 0 [ SA KE No N(NATD_S_IP) N(NATD_D_IP) N(HTTP_CERT_LOOK) N(FRAG_SUP) V ]", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "12[ENC] parsed IKE_SA_INIT",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "playbook_behind_nat",
	  "Jun 18 00:31:22 vedge01 charon: 12[IKE] local host is behind NAT, sending keep alives", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "12[IKE] local host is behind NAT",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "playbook_mangled_host_Lvedge01",
	  "Jun 18 00:28:22 Lvedge01 charon: 08[NET] sending packet: from 10.132.3.92[4500] to 10.10.10.1[4500] (76 bytes)", 0,
	  OK, F3164, NOPRI, "Lvedge01", "charon", "", "08[NET] sending packet",
	  TM(0, 6, 18, 0, 28, 22, 0), -1, 0 },
	{ "playbook_retransmit",
	  "Jun 18 00:25:51 vedge01 charon: 05[IKE] retransmit 1 of request with message ID 543 (tries=3, timeout=30, exchange=37, state=2)", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "05[IKE] retransmit 1 of request",
	  TM(0, 6, 18, 0, 25, 51, 0), -1, 0 },
	{ "playbook_giving_up",
	  "Jun 18 00:31:17 vedge01 charon: 11[IKE] giving up after 3 retransmits", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "11[IKE] giving up after 3 retransmits",
	  TM(0, 6, 18, 0, 31, 17, 0), -1, 0 },
	{ "playbook_delete_ike_sa",
	  "Apr 13 22:05:21 vedge01 charon: 12[IKE] received DELETE for IKE_SA ipsec1_1[217]", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "12[IKE] received DELETE for IKE_SA ipsec1_1[217]",
	  TM(0, 4, 13, 22, 5, 21, 0), -1, 0 },
	{ "playbook_deleting_sad",
	  "Apr 13 22:05:21 vedge01 charon: 12[KNL] Deleting SAD entry with SPI 00000e77", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "12[KNL] Deleting SAD",
	  TM(0, 4, 13, 22, 5, 21, 0), -1, 0 },
	{ "playbook_prefix_daemon_info",
	  "daemon.info: Apr 27 05:12:56 vedge01 charon: 16[IKE] no acceptable proposal found", 0,
	  OK, F3164, -1, 3, 6, "vedge01", "charon", "", "16[IKE] no acceptable proposal found",
	  TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	{ "playbook_prefix_mangled_Avedge01",
	  "daemon.info: Apr 27 05:12:58 Avedge01 charon: 07[IKE] no acceptable proposal found", 0,
	  OK, F3164, -1, 3, 6, "Avedge01", "charon", "", "07[IKE] no acceptable",
	  TM(0, 4, 27, 5, 12, 58, 0), -1, 0 },
	{ "playbook_prefix_received_proposals",
	  "daemon.info: Apr 27 05:12:56 vedge01 charon: 16[CFG] received proposals: ESP:AES_GCM_16_256/NO_EXT_SEQ, ESP:AES_CBC_256/HMAC_SHA1_96/NO_EXT_SEQ", 0,
	  OK, F3164, -1, 3, 6, "vedge01", "charon", "", "16[CFG] received proposals: ESP:",
	  TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	/* BusyBox syslogd / relays: HOST, the priority as text with or
	 * without a colon, then PROG (issue #13: was stored with program
	 * "daemon.info" and nothing understood). */
	{ "busybox_host_level_prog",
	  "Nov 27 02:29:03 vedge01 daemon.info charon: 16[IKE] initiating IKE_SA ipsec2_1[7] to 198.51.100.1", 0,
	  OK, F3164, -1, 3, 6, "vedge01", "charon", "", "16[IKE] initiating IKE_SA ipsec2_1[7]",
	  TM(0, 11, 27, 2, 29, 3, 0), -1, 0 },
	{ "busybox_host_level_colon_prog",
	  "Nov 27 02:29:03 vedge01 daemon.info: charon: 16[IKE] initiating IKE_SA ipsec2_1[7] to 198.51.100.1", 0,
	  OK, F3164, -1, 3, 6, "vedge01", "charon", "", "16[IKE] initiating IKE_SA ipsec2_1[7]",
	  TM(0, 11, 27, 2, 29, 3, 0), -1, 0 },
	{ "busybox_level_pid_local7_warn",
	  "Nov 27 02:29:03 vedge01 local7.warn FTMD[1472]: %Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN", 0,
	  OK, F3164, -1, 23, 4, "vedge01", "FTMD", "1472", "%Viptela-vedge01-FTMD",
	  TM(0, 11, 27, 2, 29, 3, 0), -1, 0 },
	{ "busybox_pri_wins_over_text_level",
	  "<30>Nov 27 02:29:03 vedge01 daemon.err charon: 16[IKE] x", 0,
	  OK, F3164, 30, 3, 6, "vedge01", "charon", "", "16[IKE] x",
	  TM(0, 11, 27, 2, 29, 3, 0), -1, 0 },
	{ "busybox_unknown_level_is_text",
	  "Nov 27 02:29:03 vedge01 daemon.chatty charon: 16[IKE] x", 0,
	  OK, F3164, NOPRI, "vedge01", "", "", "daemon.chatty charon: 16[IKE] x",
	  TM(0, 11, 27, 2, 29, 3, 0), -1, 0 },
	{ "busybox_no_host_level_prog",
	  "Nov 27 02:29:03 daemon.info charon: 16[IKE] x", 0,
	  OK, F3164, -1, 3, 6, "", "charon", "", "16[IKE] x",
	  TM(0, 11, 27, 2, 29, 3, 0), -1, 0 },
	/* "Mar 7 19:06:53: host tag:" is RFC 3164, not IOS (issue #13) */
	{ "colon_after_stamp_is_3164_not_ios",
	  "Jun 18 00:31:22: vedge01 charon: 16[IKE] x", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "16[IKE] x",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "colon_after_stamp_mnemonic_is_ios",
	  "Jun 18 00:31:22: %SYS-5-CONFIG_I: Configured", 0,
	  OK, F_IOS, NOPRI, "", "", "", "%SYS-5-CONFIG_I: Configured",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pam_program_with_parens",
	  "Jun 18 00:31:22 vedge01 sshd(pam_unix)[12750]: session opened", 0,
	  OK, F3164, NOPRI, "vedge01", "sshd(pam_unix)", "12750", "session opened",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_pid_without_colon",
	  "Jun 18 00:31:22 vedge01 charon[2436] 16[IKE] x", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "2436", "16[IKE] x",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "thread_prefix_is_not_tag_pid",
	  "Jun 18 00:31:22 vedge01 daemon.info 16[IKE] x", 0,
	  OK, F3164, -1, 3, 6, "vedge01", "", "", "16[IKE] x",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_ipv6_trailing_colons",
	  "Jun 18 00:31:22 2001:db8:: charon: x", 0,
	  OK, F3164, NOPRI, "2001:db8::", "charon", "", "x",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	/* The digest's abbreviated lines carry no syslog header at all. */
	{ "playbook_fragment_tag_only",
	  "charon: 16[ENC] parsed CREATE_CHILD_SA request 557 [ SA No TSi TSr ]", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "playbook_fragment_time_only",
	  "00:24:08 11[ENC] generating INFORMATIONAL request 542 [ ]", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },

	/* ---- charon framings (docs/log-formats.md#charon-framing) ---- */
	{ "day_padded",
	  "Feb  9 23:21:05 vedge01 charon: 16[IKE] x", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "16[IKE] x",
	  TM(0, 2, 9, 23, 21, 5, 0), -1, 0 },
	{ "pfsense_no_host_no_colon",
	  "Feb 9 23:21:05 charon 16[IKE] <con1000|74> received NO_PROPOSAL_CHOSEN notify, no CHILD_SA built", 0,
	  OK, F3164, NOPRI, "", "charon", "", "16[IKE] <con1000|74> received NO_PROPOSAL_CHOSEN",
	  TM(0, 2, 9, 23, 21, 5, 0), -1, 0 },
	{ "pfsense_with_host",
	  "<38>Feb 9 23:21:05 fw1 charon 16[IKE] half open", 0,
	  OK, F3164, 38, 4, 6, "fw1", "charon", "", "16[IKE] half open",
	  TM(0, 2, 9, 23, 21, 5, 0), -1, 0 },
	{ "no_host_charon_pid",
	  "Jun 23 08:07:24 charon[2436]: 12[IKE] <PEER|1> received AUTHENTICATION_FAILED notify error", 0,
	  OK, F3164, NOPRI, "", "charon", "2436", "12[IKE] <PEER|1> received",
	  TM(0, 6, 23, 8, 7, 24, 0), -1, 0 },
	{ "charon_systemd_pid",
	  "Jun 23 08:07:26 charon-systemd[2440]: tried 1 shared key for '192.168.1.2' - '192.168.0.1', but MAC mismatched", 0,
	  OK, F3164, NOPRI, "", "charon-systemd", "2440", "tried 1 shared key",
	  TM(0, 6, 23, 8, 7, 26, 0), -1, 0 },
	{ "opnsense_no_host",
	  "Nov 19 09:35:58 charon: 10[IKE] <con1|1> giving up after 5 retransmits", 0,
	  OK, F3164, NOPRI, "", "charon", "", "10[IKE] <con1|1> giving up",
	  TM(0, 11, 19, 9, 35, 58, 0), -1, 0 },
	{ "real_gw_a_behind_nat",
	  "Nov 29 09:49:06 gw-a charon: 08[IKE] local host is behind NAT, sending keep alives", 0,
	  OK, F3164, NOPRI, "gw-a", "charon", "", "08[IKE] local host",
	  TM(0, 11, 29, 9, 49, 6, 0), -1, 0 },
	{ "level_suffix_ike1",
	  "May 13 11:50:03 gw-e charon: 12[IKE1] <C1|3> authentication of 'CN=gw-e.example.lan' with RSA_EMSA_PKCS1_NULL successful", 0,
	  OK, F3164, NOPRI, "gw-e", "charon", "", "12[IKE1] <C1|3> authentication",
	  TM(0, 5, 13, 11, 50, 3, 0), -1, 0 },
	{ "vendor_reformatted_box",
	  "Nov 13 14:35:05 BOX info  charon  [ 1679]: IKE 08     : sending DPD request", 0,
	  OK, F3164, NOPRI, "BOX", "", "", "info  charon  [ 1679]: IKE 08",
	  TM(0, 11, 13, 14, 35, 5, 0), -1, 0 },
	{ "openwrt_prefix_after_time",
	  "Wed Jul  6 17:35:58 2022 daemon.info : 06[CFG] received stroke: add connection 'PF_con1_0'", 0,
	  OK, F3164, -1, 3, 6, "", "", "", "06[CFG] received stroke: add connection 'PF_con1_0'",
	  TM(2022, 7, 6, 17, 35, 58, 0), -1, 0 },
	{ "openwrt_prefix_then_tag",
	  "Wed Jul  6 17:35:58 2022 daemon.info charon: 06[CFG] received stroke", 0,
	  OK, F3164, -1, 3, 6, "", "charon", "", "06[CFG] received stroke",
	  TM(2022, 7, 6, 17, 35, 58, 0), -1, 0 },
	{ "ctime_without_year",
	  "Wed Jul  6 17:35:58 gw app: x", 0,
	  OK, F3164, NOPRI, "gw", "app", "", "x",
	  TM(0, 7, 6, 17, 35, 58, 0), -1, 0 },
	{ "bare_thread_no_header",
	  "07[IKE] retransmit 1 of request with message ID 0", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "console_text_no_header",
	  "peer didn't accept DH group MODP_1536, it requested MODP_2048", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "rsyslog_rfc3339_in_3164_position",
	  "2024-06-18T00:31:22.123456+00:00 vedge01 charon: 16[IKE] x", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "16[IKE] x",
	  TM(2024, 6, 18, 0, 31, 22, 123456), -1, 0 },
	{ "rfc3339_pri_z_no_frac",
	  "<30>2024-06-18T00:31:22Z vedge01 charon[12]: hello", 0,
	  OK, F3164, 30, 3, 6, "vedge01", "charon", "12", "hello",
	  TM(2024, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "rfc3339_no_offset",
	  "2024-06-18T00:31:22 vedge01 charon: x", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "x",
	  TM(2024, 6, 18, 0, 31, 22, 0), -1, 0 },

	/* ---- IOS / cEdge (docs/log-formats.md#cisco-ios) ---- */
	{ "ios_unsynced_millis_no_host",
	  "*May  4 04:21:17.991: %Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: Notification: 5/4/2025 4:21:17 control-connection-state-change severity-level:major host-name:\"Router\" system-ip::: personality:vedge peer-type:vbond", 0,
	  OK, F_IOS, NOPRI, "", "", "", "%Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: Notification:",
	  TM(0, 5, 4, 4, 21, 17, 991000), -1, 1 },
	{ "ios_seq_unsynced",
	  "<189>123: *May  4 04:21:17.991: %Cisco-SDWAN-LAB-SDWAN-POD1-EDGE-2-OMPD-5-NTCE-400003: Operational state changed to UP", 0,
	  OK, F_IOS, 189, 23, 5, "", "", "", "%Cisco-SDWAN-LAB-SDWAN-POD1-EDGE-2-OMPD",
	  TM(0, 5, 4, 4, 21, 17, 991000), 123, 1 },
	{ "ios_seq_utc",
	  "<189>123: May  4 04:21:17.991 UTC: %Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: Notification: x", 0,
	  OK, F_IOS, 189, 23, 5, "", "", "", "%Cisco-SDWAN-Router",
	  TM(0, 5, 4, 4, 21, 17, 991000), 123, 0 },
	{ "ios_seq_origin_id",
	  "<189>45: cedge-1: *May  4 04:21:17.991: %SYS-5-CONFIG_I: Configured from console", 0,
	  OK, F_IOS, 189, 23, 5, "cedge-1", "", "", "%SYS-5-CONFIG_I: Configured",
	  TM(0, 5, 4, 4, 21, 17, 991000), 45, 1 },
	{ "ios_year_in_stamp",
	  "<189>7: *May  4 2025 04:21:17.991 UTC: %SYS-5-CONFIG_I: x", 0,
	  OK, F_IOS, 189, 23, 5, "", "", "", "%SYS-5-CONFIG_I: x",
	  TM(2025, 5, 4, 4, 21, 17, 991000), 7, 1 },
	{ "ios_ntp_lost_dot",
	  ".May  4 04:21:17.991: %SYS-6-CLOCKUPDATE: x", 0,
	  OK, F_IOS, NOPRI, "", "", "", "%SYS-6-CLOCKUPDATE",
	  TM(0, 5, 4, 4, 21, 17, 991000), -1, 1 },
	{ "ios_uptime_stamp_keeps_seq",
	  "<189>12: 00:01:23: %SYS-5-RESTART: System restarted", 0,
	  OK, F_IOS, 189, 23, 5, "", "", "", "00:01:23: %SYS-5-RESTART",
	  NOTIME, 12, 0 },
	{ "ios_seq_without_pri",
	  "123: *May  4 04:21:17.991: %SYS-5-X: y", 0,
	  OK, F_IOS, NOPRI, "", "", "", "%SYS-5-X: y",
	  TM(0, 5, 4, 4, 21, 17, 991000), 123, 1 },
	{ "ios_cest_zone",
	  "<189>5: May  4 04:21:17.991 CEST: %SYS-5-X: y", 0,
	  OK, F_IOS, 189, 23, 5, "", "", "", "%SYS-5-X: y",
	  TM(0, 5, 4, 4, 21, 17, 991000), 5, 0 },
	{ "uppercase_tag_is_not_a_zone",
	  "Jun 18 00:31:22 SYSMGR: hello", 0,
	  OK, F3164, NOPRI, "", "SYSMGR", "", "hello",
	  TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "bare_seq_is_text",
	  "12: text", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },

	/* ---- RFC 5424 (examples from RFC 5424 §6.5) ---- */
	{ "rfc5424_example1_nil_procid_sd",
	  "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8", 0,
	  OK, F5424, 34, 4, 2, "mymachine.example.com", "su", "", "'su root' failed",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, 0 },
	{ "rfc5424_example2_offset",
	  "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.", 0,
	  OK, F5424, 165, 20, 5, "192.0.2.1", "myproc", "8710", "%% It's time",
	  TM(2003, 8, 24, 5, 14, 15, 3), -1, 0 },
	{ "rfc5424_example3_sd_bom",
	  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF" "An application event log entry...", 0,
	  OK, F5424, 165, 20, 5, "mymachine.example.com", "evntslog", "", "An application event",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, 0 },
	{ "rfc5424_example4_sd_only",
	  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]", 0,
	  OK, F5424, 165, 20, 5, "mymachine.example.com", "evntslog", "", "",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, 0 },
	{ "rfc5424_escapes_in_sd",
	  "<165>1 2003-10-11T22:14:15.003+09:00 host app 1 ID [a@1 x=\"a\\\"]b\" y=\"c\\\\\"][b@2 z=\"]\"] after sd", 0,
	  OK, F5424, 165, 20, 5, "host", "app", "1", "after sd",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, 0 },
	{ "rfc5424_all_nil",
	  "<13>1 - - - - - -", 0,
	  OK, F5424, 13, 1, 5, "", "", "", "", NOTIME, -1, 0 },
	{ "rfc5424_bad_month_falls_back",
	  "<13>1 2003-13-11T22:14:15Z host app - - - x", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 2003-13-11T22:14:15Z host",
	  NOTIME, -1, 0 },
	{ "rfc5424_unterminated_sd_falls_back",
	  "<13>1 2003-10-11T22:14:15Z host app - - [a x=\"y] z", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 2003-10-11T22:14:15Z",
	  NOTIME, -1, 0 },
	/* Lenient like rsyslog and syslog-ng (issue #13): these lines lost
	 * their whole header before. */
	{ "rfc5424_msgid_33_kept",
	  "<13>1 2003-10-11T22:14:15Z host app - abcdefghijklmnopqrstuvwxyz0123456 - x", 0,
	  OK, F5424, 13, 1, 5, "host", "app", "", "x",
	  TM(2003, 10, 11, 22, 14, 15, 0), -1, 0 },
	{ "rfc5424_seven_digit_frac_windows_kept",
	  "<13>1 2003-10-11T22:14:15.1234567Z host app - - - x", 0,
	  OK, F5424, 13, 1, 5, "host", "app", "", "x",
	  TM(2003, 10, 11, 22, 14, 15, 123456), -1, 0 },
	{ "rfc5424_without_offset_kept",
	  "<13>1 2003-10-11T22:14:15 host app - - - x", 0,
	  OK, F5424, 13, 1, 5, "host", "app", "", "x",
	  TM(2003, 10, 11, 22, 14, 15, 0), -1, 0 },
	{ "rfc5424_msgid_129_falls_back",
	  "<13>1 2003-10-11T22:14:15Z host app - " H50 H50 "h123456789012345678901234567890 - x", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 2003-10-11",
	  NOTIME, -1, 0 },
	{ "rfc5424_offset_hour_24_falls_back",
	  "<13>1 2003-10-11T22:14:15+24:00 h a - - - x", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 2003-10-11", NOTIME, -1, 0 },
	{ "rfc5424_hostname_256_falls_back",
	  "<13>1 - " H250 "hhhhhh a - - - x", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h123", NOTIME, -1, 0 },
	{ "rfc5424_sdname_33_kept",
	  "<13>1 - h a - - [abcdefghijklmnopqrstuvwxyz0123456] x", 0,
	  OK, F5424, 13, 1, 5, "h", "a", "", "x", NOTIME, -1, 0 },
	{ "rfc5424_sdname_129_falls_back",
	  "<13>1 - h a - - [" H50 H50 "h123456789012345678901234567890] x", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h a", NOTIME, -1, 0 },
	{ "rfc5424_sd_empty_id_falls_back",
	  "<13>1 - h a - - [] x", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h a", NOTIME, -1, 0 },
	{ "rfc5424_sd_unquoted_value_vmware_kept",
	  "<13>1 - h a - - [a x=y] m", 0,
	  OK, F5424, 13, 1, 5, "h", "a", "", "m", NOTIME, -1, 0 },
	{ "rfc5424_sd_unquoted_value_unclosed_falls_back",
	  "<13>1 - h a - - [a x=y m", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h a", NOTIME, -1, 0 },
	{ "rfc5424_sd_param_unclosed_falls_back",
	  "<13>1 - h a - - [a x=\"y\" m", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h a", NOTIME, -1, 0 },
	{ "rfc5424_sd_glued_msg_falls_back",
	  "<13>1 - h a - - [a]m", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h a", NOTIME, -1, 0 },
	{ "rfc5424_sd_not_bracket_falls_back",
	  "<13>1 - h a - - x m", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 - h a", NOTIME, -1, 0 },
	{ "rfc5424_ends_after_time_falls_back",
	  "<13>1 2003-10-11T22:14:15Z", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "1 2003-10-11T22:14:15Z", NOTIME, -1, 0 },
	{ "rfc5424_sd_id_without_params",
	  "<13>1 - h a - - [x@1]", 0,
	  OK, F5424, 13, 1, 5, "h", "a", "", "", NOTIME, -1, 0 },
	{ "version_without_pri_is_not_5424",
	  "1 2003-10-11T22:14:15Z host app - - - x", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },

	/* ---- PRI bounds (RFC 5424 §6.2.1) ---- */
	{ "pri_0", "<0>Jun 18 00:31:22 h a: m", 0,
	  OK, F3164, 0, 0, 0, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pri_191", "<191>Jun 18 00:31:22 h a: m", 0,
	  OK, F3164, 191, 23, 7, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pri_leading_zero_3_digits", "<013>Jun 18 00:31:22 h a: m", 0,
	  OK, F3164, 13, 1, 5, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pri_192_bad_rest_parsed", "<192>Jun 18 00:31:22 h a: m", 0,
	  BADPRI, F3164, NOPRI, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pri_999_bad_rest_parsed", "<999>Jun 18 00:31:22 h a: m", 0,
	  BADPRI, F3164, NOPRI, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pri_4_digits_leading_zeros", "<0013>Jun 18 00:31:22 vedge01 charon: x", 0,
	  BADPRI, F3164, NOPRI, "vedge01", "charon", "", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "pri_bad_with_prefix_names", "<1000>daemon.info: Apr 27 05:12:56 v c: m", 0,
	  BADPRI, F3164, -1, 3, 6, "v", "c", "", "m", TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	{ "pri_only_lt", "<", 0,
	  BADPRI, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "pri_999_alone", "<999>", 0,
	  BADPRI, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "pri_unclosed", "<13", 0,
	  BADPRI, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "pri_empty", "<>Jun 18 00:31:22 h a: m", 0,
	  BADPRI, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "pri_letters", "<ab>x", 0,
	  BADPRI, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "pri_nul_inside", "<1\0003>Jun 18 00:31:22 h a: m", 23,
	  BADPRI, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "pri_only_valid", "<13>", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "", NOTIME, -1, 0 },
	{ "pri_no_time_tag", "<13>charon: hello", 0,
	  OK, F3164, 13, 1, 5, "", "charon", "", "hello", NOTIME, -1, 0 },
	{ "pri_no_time_text", "<13>hello world", 0,
	  OK, F3164, 13, 1, 5, "", "", "", "hello world", NOTIME, -1, 0 },
	{ "pri_prefix_kept_from_pri", "<13>daemon.info: Apr 27 05:12:56 v c: m", 0,
	  OK, F3164, 13, 1, 5, "v", "c", "", "m", TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	{ "prefix_alias_warn", "daemon.warn: Apr 27 05:12:56 v c: m", 0,
	  OK, F3164, -1, 3, 4, "v", "c", "", "m", TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	{ "prefix_local7_debug", "local7.debug: Apr 27 05:12:56 v c: m", 0,
	  OK, F3164, -1, 23, 7, "v", "c", "", "m", TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	{ "prefix_unknown_facility", "foo.info: Apr 27 05:12:56 v c: m", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },

	/* ---- host / tag edges ---- */
	{ "host_ipv4", "<14>Jun 18 00:31:22 192.0.2.7 FTMD[1]: x", 0,
	  OK, F3164, 14, 1, 6, "192.0.2.7", "FTMD", "1", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_ipv6", "Jun 18 00:31:22 2001:db8::1 charon: x", 0,
	  OK, F3164, NOPRI, "2001:db8::1", "charon", "", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_255_chars", "Jun 18 00:31:22 " H250 "hhhhh charon: x", 0,
	  OK, F3164, NOPRI, H250 "hhhhh", "charon", "", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_300_chars_is_text", "Jun 18 00:31:22 " H250 H50 " charon: x", 0,
	  OK, F3164, NOPRI, "", "", "", H250, TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_sql_injection", "Jun 18 00:31:22 x'); DROP TABLE messages;-- charon: x", 0,
	  OK, F3164, NOPRI, "", "", "", "x'); DROP TABLE messages;-- charon: x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_nul_inside", "Jun 18 00:31:22 ved\0ge01 charon: x", 34,
	  OK, F3164, NOPRI, "", "", "", "ved", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "host_only", "Jun 18 00:31:22 vedge01", 0,
	  OK, F3164, NOPRI, "vedge01", "", "", "", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "time_only", "Jun 18 00:31:22", 0,
	  OK, F3164, NOPRI, "", "", "", "", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_at_end", "Jun 18 00:31:22 vedge01 charon:", 0,
	  OK, F3164, NOPRI, "vedge01", "charon", "", "", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_48_chars", "Jun 18 00:31:22 h " A48 "[1]: x", 0,
	  OK, F3164, NOPRI, "h", A48, "1", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_128_chars", "Jun 18 00:31:22 h " A48 A48 "abcdefghijklmnopqrstuvwxyzABCDEF[1]: x", 0,
	  OK, F3164, NOPRI, "h", A48 A48 "abcdefghijklmnopqrstuvwxyzABCDEF", "1", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_129_chars_is_text", "Jun 18 00:31:22 " A48 A48 "abcdefghijklmnopqrstuvwxyzABCDEFG: x", 0,
	  OK, F3164, NOPRI, "", "", "", A48 A48 "abcdefghijklmnopqrstuvwxyzABCDEFG: x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_postfix_slash", "Jun 18 00:31:22 mx postfix/smtpd[99]: connect", 0,
	  OK, F3164, NOPRI, "mx", "postfix/smtpd", "99", "connect", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "procid_printable", "Jun 18 00:31:22 h app[abc-1]: x", 0,
	  OK, F3164, NOPRI, "h", "app", "abc-1", "x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "procid_empty_is_text", "Jun 18 00:31:22 h app[]: x", 0,
	  OK, F3164, NOPRI, "h", "", "", "app[]: x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	/* rsyslog takes "tag:msgnum:3" after a host (pmrfc3164 tests) */
	{ "tag_glued_after_host_kept", "Jun 18 00:31:22 h charon:16[IKE] x", 0,
	  OK, F3164, NOPRI, "h", "charon", "", "16[IKE] x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "tag_glued_without_host_is_text", "Jun 18 00:31:22 charon:16[IKE] x", 0,
	  OK, F3164, NOPRI, "", "", "", "charon:16[IKE] x", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "invalid_utf8_msg", "Jun 18 00:31:22 h c: \xff\xfe\xc0\x80", 0,
	  OK, F3164, NOPRI, "h", "c", "", "\xff\xfe", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },

	/* ---- timestamp edges ---- */
	{ "month_lowercase", "jun 18 00:31:22 h a: m", 0,
	  OK, F3164, NOPRI, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "hour_one_digit", "Jun 18 0:31:22 h a: m", 0,
	  OK, F3164, NOPRI, "h", "a", "", "m", TM(0, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "leap_second_60", "Jun 30 23:59:60 h a: m", 0,
	  OK, F3164, NOPRI, "h", "a", "", "m", TM(0, 6, 30, 23, 59, 60, 0), -1, 0 },
	{ "month_foo", "Foo 18 00:31:22 vedge01 charon: x", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "day_32", "Jun 32 00:31:22 vedge01 charon: x", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "day_0", "Jun 0 00:31:22 vedge01 charon: x", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "hour_25", "Jun 18 25:31:22 vedge01 charon: x", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "minute_60", "Jun 18 00:60:22 vedge01 charon: x", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "time_glued_to_text", "Jun 18 00:31:22x vedge01", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "time_truncated", "Jun 18 00:31:2", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "iso_space_instead_of_T", "2024-06-18 00:31:22 h a: m", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "iso_lowercase_t_z", "2024-06-18t00:31:22z h a: m", 0,
	  OK, F3164, NOPRI, "h", "a", "", "m", TM(2024, 6, 18, 0, 31, 22, 0), -1, 0 },
	{ "iso_after_unsynced_star", "*2024-06-18T00:31:22Z h a: m", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "ctime_year_glued_is_host", "Wed Jul  6 17:35:58 2022x a: m", 0,
	  OK, F3164, NOPRI, "2022x", "a", "", "m", TM(0, 7, 6, 17, 35, 58, 0), -1, 0 },
	{ "prefix_glued_to_text", "daemon.info:x Apr 27 05:12:56 v c: m", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "prefix_without_colon", "daemon.info Apr 27 05:12:56 v c: m", 0,
	  OK, F3164, -1, 3, 6, "v", "c", "", "m", TM(0, 4, 27, 5, 12, 56, 0), -1, 0 },
	{ "iso_month_13_no_pri", "2024-13-18T00:31:22Z h a: m", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },

	/* ---- hostile ---- */
	{ "empty", "", 0,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "binary_junk", "\x01\x02\xff<>\x00\x7f", 7,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
	{ "only_nuls", "\0\0\0\0", 4,
	  NOHDR, F_NONE, NOPRI, "", "", "", NULL, NOTIME, -1, 0 },
};

static size_t hdr_rows[NROWS(hdr_cases)];

ParameterizedTestParameters(syslog_hdr, parse)
{
	ROW_PARAMS(hdr_rows, hdr_cases);
}

static size_t
case_len(const struct hdr_case *c)
{
	return c->len != 0 ? c->len : strlen(c->in);
}

/* Every span lies inside [0, len). */
static void
check_spans(const char *name, const struct syslog_hdr *h, size_t len)
{
	const struct span *sp[] = {
		&h->prefix, &h->timestamp, &h->tzname, &h->hostname, &h->app,
		&h->procid, &h->msgid, &h->sd, &h->msg
	};

	for (size_t i = 0; i < sizeof(sp) / sizeof(sp[0]); i++)
		cr_assert((uint64_t)sp[i]->off + sp[i]->len <= len,
		    "%s: span %zu (%u+%u) outside %zu", name, i, sp[i]->off,
		    sp[i]->len, len);
	/* msg always runs to the end of the input */
	cr_assert_eq((uint64_t)h->msg.off + h->msg.len, len, "%s: msg end",
	    name);
}

static void
check_exact(const char *name, const char *field, const char *base,
    struct span s, const char *want)
{
	cr_assert(s.len == strlen(want) &&
	    memcmp(base + s.off, want, s.len) == 0,
	    "%s: %s is '%.*s', want '%s'", name, field, (int)s.len,
	    base + s.off, want);
}

static void
check_case(const struct hdr_case *c, const char *buf, size_t len,
    const struct syslog_hdr *h)
{
	const char *n = c->name;

	cr_assert_eq(h->status, c->status, "%s: status %d", n, h->status);
	cr_assert_eq(h->format, c->format, "%s: format %d", n, h->format);
	cr_assert_eq(h->pri, c->pri, "%s: pri %d", n, h->pri);
	cr_assert_eq(h->facility, c->fac, "%s: facility %d", n, h->facility);
	cr_assert_eq(h->severity, c->sev, "%s: severity %d", n, h->severity);
	check_exact(n, "hostname", buf, h->hostname, c->host);
	check_exact(n, "app", buf, h->app, c->app);
	check_exact(n, "procid", buf, h->procid, c->procid);
	if (c->msg == NULL)
		cr_assert(h->msg.off == 0 && h->msg.len == len,
		    "%s: msg must be the whole input", n);
	else
		cr_assert(h->msg.len >= strlen(c->msg) &&
		    memcmp(buf + h->msg.off, c->msg, strlen(c->msg)) == 0,
		    "%s: msg is '%.*s', want '%s...'", n, (int)h->msg.len,
		    buf + h->msg.off, c->msg);
	cr_assert_eq(h->has_time, c->mon != 0, "%s: has_time", n);
	if (c->mon != 0) {
		cr_assert_eq(h->time.year, c->year, "%s: year", n);
		cr_assert_eq(h->time.mon, c->mon, "%s: mon", n);
		cr_assert_eq(h->time.mday, c->mday, "%s: mday", n);
		cr_assert_eq(h->time.hour, c->hour, "%s: hour", n);
		cr_assert_eq(h->time.min, c->min, "%s: min", n);
		cr_assert_eq(h->time.sec, c->sec, "%s: sec", n);
		cr_assert_eq(h->time.usec, c->usec, "%s: usec %d", n,
		    h->time.usec);
	}
	cr_assert_eq(h->seq, c->seq, "%s: seq %d", n, h->seq);
	cr_assert_eq(h->time.unsynced, c->unsynced, "%s: unsynced", n);
	check_spans(n, h, len);
}

ParameterizedTest(size_t *row, syslog_hdr, parse)
{
	const struct hdr_case *c = &hdr_cases[*row];
	size_t len = case_len(c);
	char *exact, *big;
	struct syslog_hdr h, h2;
	static const char junk[] = "9: Zz[1]:9 a";

	/* An exactly-sized copy: any read at buf[len] trips ASan. */
	exact = malloc(len ? len : 1);
	cr_assert_not_null(exact);
	memcpy(exact, c->in, len);
	cr_assert_eq(syslog_parse(exact, len, &h), c->status, "%s", c->name);
	check_case(c, exact, len, &h);

	/* Not NUL-terminated, inside a larger buffer, junk on both sides
	 * that would extend a token if the parser looked past len. */
	big = malloc(len + 2 * sizeof(junk));
	cr_assert_not_null(big);
	memcpy(big, junk, sizeof(junk) - 1);
	memcpy(big + sizeof(junk) - 1, c->in, len);
	memcpy(big + sizeof(junk) - 1 + len, junk, sizeof(junk) - 1);
	syslog_parse(big + sizeof(junk) - 1, len, &h2);
	cr_assert(memcmp(&h, &h2, sizeof(h)) == 0,
	    "%s: result depends on bytes outside the slice", c->name);
	free(big);
	free(exact);
}

/* ---- conformance: the cases of rsyslog's and syslog-ng's own tests ----
 *
 * The input lines and expected fields (host, program, pid, msgid, message,
 * time) of the parser tests of two established collectors, so tunnelwatch
 * accepts what they accept (issue #13).  Facts taken from (snapshots of
 * August 2026 / March 2026):
 *   rsyslog   tests/parsertest-parse1.sh, -parse2.sh, -parse3.sh,
 *             -parse_invld_regex.sh, -parse_8bit_escape.sh,
 *             -parse-3164-buggyday.sh, -parse-nodate.sh,
 *             pmrfc3164-AtSignsInHostname.sh, -msgFirstSpace.sh,
 *             -tagEndingByColon.sh, -defaultTag.sh,
 *             pmrfc3164_force_tag_no_colon.sh,
 *             rfc5424parser-sp_at_msg_start.sh,
 *             hostname-with-slash-pmrfc3164.sh, -pmrfc5424.sh
 *   syslog-ng modules/syslogformat/tests/test_syslog_format.c (the
 *             test_sdata_* strings wrapped in "<13>1 - h a - - SD m"),
 *             lib/tests/test_msgparse.c (with LP_EXPECT_HOSTNAME where
 *             the test sets it; syslog-ng's error rows, which it turns
 *             into an internal "Error processing log message", are rows
 *             where we too find no RFC 5424 header and keep the line)
 *
 * Where our convention deliberately differs, the row holds OUR expected
 * value and names the difference:
 *   D1  A Cisco-style "%FAC-SEV-MNEMONIC:" (PIX, ASA, IOS) and a token
 *       starting with '%' stay at the start of the message; the program
 *       stays empty (they make it the program).  parse_ftmd.c and the IOS
 *       handling read the mnemonic from the message.
 *   D2  Every space after the tag's colon (or after HOST) is dropped:
 *       rsyslog keeps them in %msg% (" msgnum:2", "  msgnum:1").
 *   D3  A token without ':' and without "[digits]" is not a program:
 *       "host tag This msg", "serverX -- MARK --", "X4711 AAAA", "1.2.3.4
 *       prg0", "<189>65536" keep it in the message (they take it as the
 *       program).  Guessing would make the first word of free text a
 *       program; charon's pfSense form "charon 16[IKE]" is the exception.
 *   D4  A line without HOST keeps the hostname empty; rsyslog fills in
 *       its own host name.  We store the sender's address apart.
 *   D5  A line with neither PRI nor timestamp has no header (SYSLOG_NOHDR,
 *       stored whole); they take its first words as host / program.
 *   D7  syslog-ng's per-source options (no LP_EXPECT_HOSTNAME, the
 *       bad_hostname regex) are not modelled: the token after the stamp
 *       is the host when the shape says so.
 *   D8  "2006-10-29 02:00:00" (space for 'T') is not taken as a stamp.
 *   D9  An over-long PROCID (129) or MSGID (33) is kept whole; syslog-ng
 *       truncates it to 128 / 32.  Our caps: TAG 128, PROCID 256, MSGID
 *       128, SD-NAME 128 (syslog_hdr.c).
 *   D10 An unescaped ']' inside a quoted SD value is data (syslog-ng
 *       rejects the line).
 *   D11 A lone token after the stamp is the host ("host_only" above);
 *       syslog-ng makes it the program.
 * Also: we keep the year of "Mar 7 2008 19:06:53" that rsyslog's
 * %timestamp% drops, and the original bytes of the message (no UTF-8 or
 * 8-bit escaping at this stage: ingest.c escapes control bytes).
 */
struct ext_case {
	const char	*name;
	const char	*in;
	int		 format, pri;
	const char	*host, *app, *procid;	/* exact */
	const char	*msgid;		/* exact; NULL = not checked */
	const char	*msg;		/* exact */
	int		 year, mon, mday, hour, min, sec, usec;	/* mon 0: none */
	int		 seq;
	const char	*diff;		/* the deliberate difference, or NULL */
};

static struct ext_case ext_cases[] = {
	/* ---- rsyslog tests/parsertest-parse1.sh (and -udp): %hostname%, %programname%, %msg% ---- */
	{ "r_parse1_pix_mnemonic", "<167>Mar  6 16:57:54 172.20.245.8 %PIX-7-710005: UDP request discarded from SERVER1/2741 to test_app:255.255.255.255/61601",
	  F3164, 167, "172.20.245.8", "", "", NULL,
	  "%PIX-7-710005: UDP request discarded from SERVER1/2741 to test_app:255.255.255.255/61601",
	  TM(0, 3, 6, 16, 57, 54, 0), -1, "D1" },
	{ "r_parse1_sshd_pam_unix", "<167>Mar 27 19:06:53 source_server sshd(pam_unix)[12750]: session opened for user foo by (uid=0)",
	  F3164, 167, "source_server", "sshd(pam_unix)", "12750", NULL,
	  "session opened for user foo by (uid=0)",
	  TM(0, 3, 27, 19, 6, 53, 0), -1, NULL },
	{ "r_parse1_sshd_pam_unix_2", "<167>Apr  6 15:07:10 lxcvs07 sshd(pam_unix)[31738]: session closed for user cvsadmin",
	  F3164, 167, "lxcvs07", "sshd(pam_unix)", "31738", NULL,
	  "session closed for user cvsadmin",
	  TM(0, 4, 6, 15, 7, 10, 0), -1, NULL },
	{ "r_parse1_example_gw", "<167>Jul 31 21:39:21 example-b example-gw[10538]: disconnect host=/192.0.2.1 destination=192.0.2.2/11282 in=3274 out=1448 duration=0",
	  F3164, 167, "example-b", "example-gw", "10538", NULL,
	  "disconnect host=/192.0.2.1 destination=192.0.2.2/11282 in=3274 out=1448 duration=0",
	  TM(0, 7, 31, 21, 39, 21, 0), -1, NULL },
	{ "r_parse1_upper_month_tag_no_colon", "<167>AUG 10 22:18:24 host tag This msg contains 8-bit European chars: \xc3\xa4\xc3\xb6\xc3\xbc",
	  F3164, 167, "host", "", "", NULL,
	  "tag This msg contains 8-bit European chars: \xc3\xa4\xc3\xb6\xc3\xbc",
	  TM(0, 8, 10, 22, 18, 24, 0), -1, "D3" },
	{ "r_parse1_space_before_stamp", "<167> Mar  7 19:06:53 example tag: testmessage (only date actually tested)",
	  F3164, 167, "example", "tag", "", NULL,
	  "testmessage (only date actually tested)",
	  TM(0, 3, 7, 19, 6, 53, 0), -1, NULL },
	{ "r_parse1_year_then_colon", "<167>Mar 7 2008 19:06:53: example tag: testmessage (only date actually tested)",
	  F3164, 167, "example", "tag", "", NULL,
	  "testmessage (only date actually tested)",
	  TM(2008, 3, 7, 19, 6, 53, 0), -1, NULL },
	{ "r_parse1_year_before_clock", "<167>Mar 7 2008 19:06:53 example tag: testmessage (only date actually tested)",
	  F3164, 167, "example", "tag", "", NULL,
	  "testmessage (only date actually tested)",
	  TM(2008, 3, 7, 19, 6, 53, 0), -1, NULL },
	{ "r_parse1_colon_after_stamp_not_ios", "<167>Mar 7 19:06:53: example tag: testmessage (only date actually tested)",
	  F3164, 167, "example", "tag", "", NULL,
	  "testmessage (only date actually tested)",
	  TM(0, 3, 7, 19, 6, 53, 0), -1, NULL },
	{ "r_parse1_host_only_with_year", "<14>Jan  6 2009 15:22:26 localhost",
	  F3164, 14, "localhost", "", "", NULL,
	  "",
	  TM(2009, 1, 6, 15, 22, 26, 0), -1, NULL },
	{ "r_parse1_odd_tag", "<167>Oct  8 23:05:06 10.321.1.123 05\",result_code=200,b",
	  F3164, 167, "10.321.1.123", "", "", NULL,
	  "05\",result_code=200,b",
	  TM(0, 10, 8, 23, 5, 6, 0), -1, "D3" },
	{ "r_parse1_mark_pri", "<167>Feb 18 16:01:59 serverX -- MARK --",
	  F3164, 167, "serverX", "", "", NULL,
	  "-- MARK --",
	  TM(0, 2, 18, 16, 1, 59, 0), -1, "D3" },
	{ "r_parse1_mark_no_pri", "Feb 18 16:01:59 serverX -- MARK --",
	  F3164, -1, "serverX", "", "", NULL,
	  "-- MARK --",
	  TM(0, 2, 18, 16, 1, 59, 0), -1, "D3" },
	{ "r_parse1_numeric_tag_40", "<38>Mar 27 19:06:53 source_server 0123456789012345678901234567890123456789: MSG part",
	  F3164, 38, "source_server", "0123456789012345678901234567890123456789", "", NULL,
	  "MSG part",
	  TM(0, 3, 27, 19, 6, 53, 0), -1, NULL },
	{ "r_parse1_exam_pl", "<29>Oct 16 20:47:24 example-p exam-pl[12345]: connect host= /192.0.2.1",
	  F3164, 29, "example-p", "exam-pl", "12345", NULL,
	  "connect host= /192.0.2.1",
	  TM(0, 10, 16, 20, 47, 24, 0), -1, NULL },
	{ "r_parse1_su", "<34>Oct 11 22:14:15 mymachine su: su root failed for lonvick on /dev/pts/8",
	  F3164, 34, "mymachine", "su", "", NULL,
	  "su root failed for lonvick on /dev/pts/8",
	  TM(0, 10, 11, 22, 14, 15, 0), -1, NULL },
	{ "r_parse1_5424_example1", "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOMsu root failed for lonvick on /dev/pts/8",
	  F5424, 34, "mymachine.example.com", "su", "", "ID47",
	  "BOMsu root failed for lonvick on /dev/pts/8",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, NULL },
	{ "r_parse1_5424_example2", "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% Its time to make the do-nuts.",
	  F5424, 165, "192.0.2.1", "myproc", "8710", "",
	  "%% Its time to make the do-nuts.",
	  TM(2003, 8, 24, 5, 14, 15, 3), -1, NULL },
	{ "r_parse1_5424_sd_space_after_eq", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource= \"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
	  F5424, 165, "mymachine.example.com", "evntslog", "", "ID47",
	  "",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, NULL },
	{ "r_parse1_5424_sd_space_after_eq_msg", "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource= \"Application\" eventID=\"1011\"] BOMAn application event log entry...",
	  F5424, 165, "mymachine.example.com", "evntslog", "", "ID47",
	  "BOMAn application event log entry...",
	  TM(2003, 10, 11, 22, 14, 15, 3000), -1, NULL },
	{ "r_parse1_year_host_2009", "<6>AUG 10 22:18:24 2009  netips-warden2-p [audit] user=[*SMS] src=192.168.11.11 iface=5 access=9 Update State Reset",
	  F3164, 6, "2009", "", "", NULL,
	  "netips-warden2-p [audit] user=[*SMS] src=192.168.11.11 iface=5 access=9 Update State Reset",
	  TM(0, 8, 10, 22, 18, 24, 0), -1, "D2" },
	{ "r_parse1_lone_word_after_host", "<14>Aug 30 23:00:05 X4711 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  F3164, 14, "X4711", "", "", NULL,
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  TM(0, 8, 30, 23, 0, 5, 0), -1, "D3" },
	{ "r_parse1_host_space", "<14>Aug 30 23:00:05 X4711 ",
	  F3164, 14, "X4711", "", "", NULL,
	  "",
	  TM(0, 8, 30, 23, 0, 5, 0), -1, NULL },
	{ "r_parse1_host_end", "<14>Aug 30 23:00:05 X4711",
	  F3164, 14, "X4711", "", "", NULL,
	  "",
	  TM(0, 8, 30, 23, 0, 5, 0), -1, NULL },
	{ "r_parse1_stamp_space", "<14>Aug 30 23:00:05 ",
	  F3164, 14, "", "", "", NULL,
	  "",
	  TM(0, 8, 30, 23, 0, 5, 0), -1, "D4" },
	{ "r_parse1_stamp_end", "<14>Aug 30 23:00:05",
	  F3164, 14, "", "", "", NULL,
	  "",
	  TM(0, 8, 30, 23, 0, 5, 0), -1, "D4" },
	{ "r_parse1_iso_lone_word", "<14>2010-08-30T23:00:05Z X4711 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  F3164, 14, "X4711", "", "", NULL,
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	  TM(2010, 8, 30, 23, 0, 5, 0), -1, "D3" },
	{ "r_parse1_iso_host_space", "<14>2010-08-30T23:00:05Z X4711 ",
	  F3164, 14, "X4711", "", "", NULL,
	  "",
	  TM(2010, 8, 30, 23, 0, 5, 0), -1, NULL },
	{ "r_parse1_iso_host_end", "<14>2010-08-30T23:00:05Z X4711",
	  F3164, 14, "X4711", "", "", NULL,
	  "",
	  TM(2010, 8, 30, 23, 0, 5, 0), -1, NULL },
	/* ---- rsyslog tests/parsertest-parse2.sh, parse3.sh, parse_invld_regex.sh, parse_8bit_escape.sh, parse-3164-buggyday.sh, parse-nodate.sh ---- */
	{ "r_parse2_snare_hash_host", "<175>Oct 16 23:47:31 #001 MSWinEventLog 0#011Security#01119023582#011Fri Oct 16 16:30:44 2009#011592#011Security#011rgabcde#011User#011Success Audit#011XSXSXSN01#011Detailed Tracking#011#0112572#01119013885",
	  F3164, 175, "", "", "", NULL,
	  "#001 MSWinEventLog 0#011Security#01119023582#011Fri Oct 16 16:30:44 2009#011592#011Security#011rgabcde#011User#011Success Audit#011XSXSXSN01#011Detailed Tracking#011#0112572#01119013885",
	  TM(0, 10, 16, 23, 47, 31, 0), -1, "D3" },
	{ "r_parse3_tag_no_colon", "<175>Oct 16 2009 23:47:31 hostname tag This is a message",
	  F3164, 175, "hostname", "", "", NULL,
	  "tag This is a message",
	  TM(2009, 10, 16, 23, 47, 31, 0), -1, "D3" },
	{ "r_parse3_tag_pid_no_colon", "<175>Oct 16 2009 23:47:31 hostname tag[1234] This is a message",
	  F3164, 175, "hostname", "tag", "1234", NULL,
	  "This is a message",
	  TM(2009, 10, 16, 23, 47, 31, 0), -1, NULL },
	{ "r_invld_regex_zero_day", "<175>Feb 08 2008 23:47:31 hostname tag This is a message",
	  F3164, 175, "hostname", "", "", NULL,
	  "tag This is a message",
	  TM(2008, 2, 8, 23, 47, 31, 0), -1, "D3" },
	{ "r_8bit_escape", "<6>AUG 10 22:18:24 host tag This msg contains 8-bit European chars: \xc3\xa4\xc3\xb6\xc3\xbc",
	  F3164, 6, "host", "", "", NULL,
	  "tag This msg contains 8-bit European chars: \xc3\xa4\xc3\xb6\xc3\xbc",
	  TM(0, 8, 10, 22, 18, 24, 0), -1, "D3" },
	{ "r_buggyday_7", "<38> Mar  7 19:06:53 example tag: testmessage (only date actually tested)",
	  F3164, 38, "example", "tag", "", NULL,
	  "testmessage (only date actually tested)",
	  TM(0, 3, 7, 19, 6, 53, 0), -1, NULL },
	{ "r_buggyday_17", "<38> Mar 17 19:06:53 example tag: testmessage (only date actually tested)",
	  F3164, 38, "example", "tag", "", NULL,
	  "testmessage (only date actually tested)",
	  TM(0, 3, 17, 19, 6, 53, 0), -1, NULL },
	{ "r_nodate_xapi", "<27>xapi: [error|xen3|15|Guest liveness monitor D:bca30ab3f1c1|master_connection] Connection to master died. I will continue to retry indefinitely (suppressing future logging of this message)",
	  F3164, 27, "", "xapi", "", NULL,
	  "[error|xen3|15|Guest liveness monitor D:bca30ab3f1c1|master_connection] Connection to master died. I will continue to retry indefinitely (suppressing future logging of this message)",
	  NOTIME, -1, "D4" },
	{ "r_nodate_no_pri", "This is a message!",
	  F_NONE, -1, "", "", "", NULL,
	  "This is a message!",
	  NOTIME, -1, "D5" },
	/* ---- rsyslog tests/pmrfc3164-AtSignsInHostname.sh, -msgFirstSpace.sh, -tagEndingByColon.sh, -defaultTag.sh, pmrfc3164_force_tag_no_colon.sh ---- */
	{ "r_at_host1", "<129>Mar 10 01:00:00 Hostname1 tag: msgnum:1",
	  F3164, 129, "Hostname1", "tag", "", NULL,
	  "msgnum:1",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_at_host2_at_sign", "<129>Mar 10 01:00:00 Hostn@me2 tag:  msgnum:2",
	  F3164, 129, "Hostn@me2", "tag", "", NULL,
	  "msgnum:2",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, "D2" },
	{ "r_at_host3_glued", "<129>Mar 10 01:00:00 Hostname3 tag:msgnum:3",
	  F3164, 129, "Hostname3", "tag", "", NULL,
	  "msgnum:3",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_at_host4_tag_end", "<129>Mar 10 01:00:00 Hos@name4 tag4:",
	  F3164, 129, "Hos@name4", "tag4", "", NULL,
	  "",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_firstspace_1", "<129>Mar 10 01:00:00 172.20.245.8 tag: msgnum:1",
	  F3164, 129, "172.20.245.8", "tag", "", NULL,
	  "msgnum:1",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_firstspace_2", "<129>Mar 10 01:00:00 172.20.245.8 tag:  msgnum:2",
	  F3164, 129, "172.20.245.8", "tag", "", NULL,
	  "msgnum:2",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, "D2" },
	{ "r_firstspace_3", "<129>Mar 10 01:00:00 172.20.245.8 tag:msgnum:3",
	  F3164, 129, "172.20.245.8", "tag", "", NULL,
	  "msgnum:3",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_firstspace_4", "<129>Mar 10 01:00:00 172.20.245.8 tag4:",
	  F3164, 129, "172.20.245.8", "tag4", "", NULL,
	  "",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_colon_1", "<129>Mar 10 01:00:00 Hostname1 tag1: msgnum:1",
	  F3164, 129, "Hostname1", "tag1", "", NULL,
	  "msgnum:1",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_colon_2", "<129>Mar 10 01:00:00 Hostname2 tag2:  msgnum:2",
	  F3164, 129, "Hostname2", "tag2", "", NULL,
	  "msgnum:2",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, "D2" },
	{ "r_colon_3_no_colon", "<129>Mar 10 01:00:00 Hostname3 tag3 msgnum:3",
	  F3164, 129, "Hostname3", "", "", NULL,
	  "tag3 msgnum:3",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_colon_4_space_colon", "<129>Mar 10 01:00:00 Hostname4 tag4 :",
	  F3164, 129, "Hostname4", "", "", NULL,
	  "tag4 :",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_colon_5_glued", "<129>Mar 10 01:00:00 Hostname5 tag5:msgnum:5",
	  F3164, 129, "Hostname5", "tag5", "", NULL,
	  "msgnum:5",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_default_tag_1", "<129>Mar 10 01:00:00 Hostname1  msgnum:1",
	  F3164, 129, "Hostname1", "", "", NULL,
	  "msgnum:1",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, "D2" },
	{ "r_default_tag_3", "<129>Mar 10 01:00:00 Hostname3 tag msgnum:3",
	  F3164, 129, "Hostname3", "", "", NULL,
	  "tag msgnum:3",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, "D2" },
	{ "r_default_tag_4", "<129>Mar 10 01:00:00 Hostname4 tag: msg",
	  F3164, 129, "Hostname4", "tag", "", NULL,
	  "msg",
	  TM(0, 3, 10, 1, 0, 0, 0), -1, NULL },
	{ "r_force_colon_token", "<14>May 21 12:00:01 host token-without-colon",
	  F3164, 14, "host", "", "", NULL,
	  "token-without-colon",
	  TM(0, 5, 21, 12, 0, 1, 0), -1, NULL },
	/* ---- rsyslog tests/rfc5424parser-sp_at_msg_start.sh, hostname-with-slash-pmrfc3164.sh, hostname-with-slash-pmrfc5424.sh ---- */
	{ "r_5424_nosd_nosp", "<13>1 2019-05-15T11:21:57+03:00 domain.tld tag - - - nosd-nosp",
	  F5424, 13, "domain.tld", "tag", "", NULL,
	  "nosd-nosp",
	  TM(2019, 5, 15, 11, 21, 57, 0), -1, NULL },
	{ "r_5424_sd_nosp", "<13>1 2019-05-15T11:21:57+03:00 domain.tld tag - - [abc@123 a=\"b\"] sd-nosp",
	  F5424, 13, "domain.tld", "tag", "", NULL,
	  "sd-nosp",
	  TM(2019, 5, 15, 11, 21, 57, 0), -1, NULL },
	{ "r_5424_nosd_sp", "<13>1 2019-05-15T11:21:57+03:00 domain.tld tag - - -  nosd-sp",
	  F5424, 13, "domain.tld", "tag", "", NULL,
	  " nosd-sp",
	  TM(2019, 5, 15, 11, 21, 57, 0), -1, NULL },
	{ "r_5424_sd_sp", "<13>1 2019-05-15T11:21:57+03:00 domain.tld tag - - [abc@123 a=\"b\"]  sd-sp",
	  F5424, 13, "domain.tld", "tag", "", NULL,
	  " sd-sp",
	  TM(2019, 5, 15, 11, 21, 57, 0), -1, NULL },
	{ "r_slash_host_3164", "<167>Mar  6 16:57:54 hostname1/hostname2 test: msgnum:0",
	  F3164, 167, "hostname1/hostname2", "test", "", NULL,
	  "msgnum:0",
	  TM(0, 3, 6, 16, 57, 54, 0), -1, NULL },
	{ "r_slash_host_5424", "<167>1 2003-03-01T01:00:00.000Z hostname1/hostname2 tcpflood - tag [tcpflood@32473 MSGNUM=\"0\"] data",
	  F5424, 167, "hostname1/hostname2", "tcpflood", "", "tag",
	  "data",
	  TM(2003, 3, 1, 1, 0, 0, 0), -1, NULL },
	/* ---- syslog-ng modules/syslogformat/tests/test_syslog_format.c ---- */
	{ "s_fmt_no_spin_iso_no_offset", "<182>2022-08-17T05:02:28.217 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
	  F3164, 182, "mymachine", "su", "", NULL,
	  "'su root' failed for lonvick on /dev/pts/8",
	  TM(2022, 8, 17, 5, 2, 28, 217000), -1, NULL },
	{ "s_fmt_cisco_seq_only", "<189>65536: ",
	  F_IOS, 189, "", "", "", NULL,
	  "",
	  NOTIME, 65536, NULL },
	{ "s_fmt_invalid_pri", "<189 Feb  3 12:34:56 host program[pid]: message",
	  F_NONE, -1, "", "", "", NULL,
	  "<189 Feb  3 12:34:56 host program[pid]: message",
	  NOTIME, -1, NULL },
	{ "s_fmt_program_valid_chars", "<189> Feb  3 12:34:56 host program_0123456789-abcdefghijklmnopqrstuvwxyz(ABCDEFGHIJKLMNOPQRSTUVWXYZ).valid/chars[pid]: message",
	  F3164, 189, "host", "program_0123456789-abcdefghijklmnopqrstuvwxyz(ABCDEFGHIJKLMNOPQRSTUVWXYZ).valid/chars", "pid", NULL,
	  "message",
	  TM(0, 2, 3, 12, 34, 56, 0), -1, NULL },
	{ "s_fmt_program_decimal_number", "<189> Feb  3 12:34:56 host 323235243.2354[pid]: message",
	  F3164, 189, "host", "", "", NULL,
	  "323235243.2354[pid]: message",
	  TM(0, 2, 3, 12, 34, 56, 0), -1, NULL },
	{ "s_fmt_program_invalid_char", "<189> Feb  3 12:34:56 host program![pid]: message",
	  F3164, 189, "host", "", "", NULL,
	  "program![pid]: message",
	  TM(0, 2, 3, 12, 34, 56, 0), -1, NULL },
	{ "s_fmt_program_ip_address", "<189> Feb  3 12:34:56 host 127.0.0.1[pid]: message",
	  F3164, 189, "host", "", "", NULL,
	  "127.0.0.1[pid]: message",
	  TM(0, 2, 3, 12, 34, 56, 0), -1, NULL },
	{ "s_fmt_missing_timestamp", "<189> program[pid]: message",
	  F3164, 189, "", "program", "pid", NULL,
	  "message",
	  NOTIME, -1, NULL },
	{ "s_fmt_5424_bad_timestamp", "<189>1 2024-09-16Q11:22:33+02:00 host program pid msgid [foo bar=baz] message",
	  F3164, 189, "", "", "", NULL,
	  "1 2024-09-16Q11:22:33+02:00 host program pid msgid [foo bar=baz] message",
	  NOTIME, -1, NULL },
	{ "s_fmt_5424_bad_sdata", "<189>1 2024-09-16T11:22:33+02:00 host program pid msgid [foo bar=baz message",
	  F3164, 189, "", "", "", NULL,
	  "1 2024-09-16T11:22:33+02:00 host program pid msgid [foo bar=baz message",
	  NOTIME, -1, NULL },
	{ "s_fmt_3164_with_pri", "<189>Feb  3 12:34:56 host program[pid]: message",
	  F3164, 189, "host", "program", "pid", NULL,
	  "message",
	  TM(0, 2, 3, 12, 34, 56, 0), -1, NULL },
	{ "s_fmt_5424_unquoted_sd", "<189>1 2024-02-03T12:34:56Z host program pid msgid [foo bar=baz] message",
	  F5424, 189, "host", "program", "pid", "msgid",
	  "message",
	  TM(2024, 2, 3, 12, 34, 56, 0), -1, NULL },
	{ "s_fmt_numeric_only", "<189>65536",
	  F3164, 189, "", "", "", NULL,
	  "65536",
	  NOTIME, -1, "D3" },
	{ "s_fmt_sdata_ok_0", "<13>1 - h a - - - m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_1", "<13>1 - h a - - [foobar] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_2", "<13>1 - h a - - [foo bar=\"baz\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_3", "<13>1 - h a - - [foo bar=baz] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_4", "<13>1 - h a - - [foo bar=\"\\a\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_5", "<13>1 - h a - - [foo bar=\"\\\"\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_6", "<13>1 - h a - - [foo bar=\"\\]\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_7", "<13>1 - h a - - [foo bar=\"\\\\\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_8", "<13>1 - h a - - [foo bar=\"baz\" chew=\"chow\" peek=\"poke\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_ok_9", "<13>1 - h a - - [foo@1.2.3.4 bar=\"baz\" chew=\"chow\" peek=\"poke\"] m",
	  F5424, 13, "h", "a", "", NULL,
	  "m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_0", "<13>1 - h a - - < m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - < m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_1", "<13>1 - h a - - [ m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [ m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_2", "<13>1 - h a - - [] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_3", "<13>1 - h a - - ] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - ] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_4", "<13>1 - h a - - [foobar m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foobar m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_5", "<13>1 - h a - - [foo= bar=\"baz\"] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo= bar=\"baz\"] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_6", "<13>1 - h a - - [foo\" bar=\"baz\"] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo\" bar=\"baz\"] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_7", "<13>1 - h a - - [foo bar\"=\"baz\"] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo bar\"=\"baz\"] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_8", "<13>1 - h a - - [foo bar] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo bar] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_9", "<13>1 - h a - - [foo bar baz] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo bar baz] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_10", "<13>1 - h a - - [foo bar=\"] m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo bar=\"] m",
	  NOTIME, -1, NULL },
	{ "s_fmt_sdata_bad_11", "<13>1 - h a - - [foo bar=\"baz\" m",
	  F3164, 13, "", "", "", NULL,
	  "1 - h a - - [foo bar=\"baz\" m",
	  NOTIME, -1, NULL },
	/* ---- syslog-ng lib/tests/test_msgparse.c (expected values under LP_EXPECT_HOSTNAME where the test sets it) ---- */
	{ "s_mp_pri_space_tag", "<15> openvpn[2499]: PTHREAD support initialized",
	  F3164, 15, "", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  NOTIME, -1, NULL },
	{ "s_mp_jan_1", "<15>Jan  1 01:00:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 15, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(0, 1, 1, 1, 0, 0, 0), -1, NULL },
	{ "s_mp_jan_10", "<15>Jan 10 01:00:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 15, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, NULL },
	{ "s_mp_no_hostname_flag", "<13>Jan  1 14:40:51 alma korte: message",
	  F3164, 13, "alma", "korte", "", NULL,
	  "message",
	  TM(0, 1, 1, 14, 40, 51, 0), -1, "D7" },
	{ "s_mp_iso_0", "<7>2006-11-10T10:43:21.156+02:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 11, 10, 10, 43, 21, 156000), -1, NULL },
	{ "s_mp_iso_1", "<7>2006-11-10T10:43:21.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 11, 10, 10, 43, 21, 156000), -1, NULL },
	{ "s_mp_iso_2", "<7>2006-11-10T10:43:21.15600000000000000000000000000000000000000000000000000000000000+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 11, 10, 10, 43, 21, 156000), -1, NULL },
	{ "s_mp_iso_3", "<7>2006-11-10T10:43:21.15600000000 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 11, 10, 10, 43, 21, 156000), -1, NULL },
	{ "s_mp_iso_4", "<7>2006-03-26T01:59:59.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 3, 26, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_iso_5", "<7>2006-03-26T02:00:00.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 3, 26, 2, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_6", "<7>2006-03-26T03:00:00.156+02:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 3, 26, 3, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_7", "<7>2006-10-29T01:00:00.156+02:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 10, 29, 1, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_8", "<7>2006-10-29T01:59:59.156+02:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_iso_9", "<7>2006-10-29T02:00:00.156+02:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 10, 29, 2, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_10", "<7>2006-10-29T01:00:00.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 10, 29, 1, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_11", "<7>2006-10-29T01:59:59.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_iso_12", "<7>2006-10-29T02:00:00.156+01:00 bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(2006, 10, 29, 2, 0, 0, 156000), -1, NULL },
	{ "s_mp_5424_nil_time", "<7>1 - bzorp openvpn 2499 - - PTHREAD support initialized",
	  F5424, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD support initialized",
	  NOTIME, -1, NULL },
	{ "s_mp_percent_host", "<7>2006-10-29T02:00:00.156+01:00 %bzorp openvpn[2499]: PTHREAD support initialized",
	  F3164, 7, "", "", "", NULL,
	  "%bzorp openvpn[2499]: PTHREAD support initialized",
	  TM(2006, 10, 29, 2, 0, 0, 156000), -1, "D1" },
	{ "s_mp_iso_stamp_space", "<7>2006-10-29T02:00:00.156+01:00 ",
	  F3164, 7, "", "", "", NULL,
	  "",
	  TM(2006, 10, 29, 2, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_stamp_end", "<7>2006-10-29T02:00:00.156+01:00",
	  F3164, 7, "", "", "", NULL,
	  "",
	  TM(2006, 10, 29, 2, 0, 0, 156000), -1, NULL },
	{ "s_mp_iso_without_T", "<7>2006-10-29 02:00:00.156+01:00",
	  F3164, 7, "", "", "", NULL,
	  "2006-10-29 02:00:00.156+01:00",
	  NOTIME, -1, "D8" },
	{ "s_mp_bsd_millis", "<7> Aug 29 02:00:00.156 ctld snmpd[2499]: PTHREAD support initialized",
	  F3164, 7, "ctld", "snmpd", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(0, 8, 29, 2, 0, 0, 156000), -1, "D7" },
	{ "s_mp_bsd_micros", "<7> Aug 29 02:00:00.156789 ctld snmpd[2499]: PTHREAD support initialized",
	  F3164, 7, "ctld", "snmpd", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(0, 8, 29, 2, 0, 0, 156789), -1, "D7" },
	{ "s_mp_bsd_dot_no_digits", "<7> Aug 29 02:00:00. ctld snmpd[2499]: PTHREAD support initialized",
	  F3164, 7, "ctld", "snmpd", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(0, 8, 29, 2, 0, 0, 0), -1, "D7" },
	{ "s_mp_slash_program", "<7>Aug 29 02:00:00 bzorp ctld/snmpd[2499]: PTHREAD support initialized",
	  F3164, 7, "bzorp", "ctld/snmpd", "2499", NULL,
	  "PTHREAD support initialized",
	  TM(0, 8, 29, 2, 0, 0, 0), -1, NULL },
	{ "s_mp_slash_program_no_msg", "<7>Aug 29 02:00:00 bzorp ctld/snmpd[2499]:",
	  F3164, 7, "bzorp", "ctld/snmpd", "2499", NULL,
	  "",
	  TM(0, 8, 29, 2, 0, 0, 0), -1, NULL },
	{ "s_mp_pix_year_colon", "<190>Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection 1688438 for bloomberg-net:1.2.3.4/8294 to inside:5.6.7.8/3639 duration 0:07:01 bytes 16975 TCP FINs",
	  F_IOS, 190, "", "", "", NULL,
	  "%PIX-6-302014: Teardown TCP connection 1688438 for bloomberg-net:1.2.3.4/8294 to inside:5.6.7.8/3639 duration 0:07:01 bytes 16975 TCP FINs",
	  TM(2007, 4, 15, 21, 28, 13, 0), -1, "D1" },
	{ "s_mp_pix_dot_unsynced", "<190>.Apr 15 2007 21:28:13: %PIX-6-302014: Teardown TCP connection 1688438 for bloomberg-net:1.2.3.4/8294 to inside:5.6.7.8/3639 duration 0:07:01 bytes 16975 TCP FINs",
	  F_IOS, 190, "", "", "", NULL,
	  "%PIX-6-302014: Teardown TCP connection 1688438 for bloomberg-net:1.2.3.4/8294 to inside:5.6.7.8/3639 duration 0:07:01 bytes 16975 TCP FINs",
	  TM(2007, 4, 15, 21, 28, 13, 0), -1, "D1" },
	{ "s_mp_asa", "<190>Apr 15 2007 21:28:13 %ASA: this is a Cisco ASA timestamp",
	  F3164, 190, "", "", "", NULL,
	  "%ASA: this is a Cisco ASA timestamp",
	  TM(2007, 4, 15, 21, 28, 13, 0), -1, "D1" },
	{ "s_mp_dell_switch", "<190>NOV 22 00:00:33 192.168.33.8-1 CMDLOGGER[165319912]: cmd_logger_api.c(83) 13518 %% CLI:192.168.32.100:root:User  logged in",
	  F3164, 190, "192.168.33.8-1", "CMDLOGGER", "165319912", NULL,
	  "cmd_logger_api.c(83) 13518 %% CLI:192.168.32.100:root:User  logged in",
	  TM(0, 11, 22, 0, 0, 33, 0), -1, NULL },
	{ "s_mp_linksys_year_after_clock", "<190>Apr 15 21:28:13 2007 linksys app: msg",
	  F3164, 190, "linksys", "app", "", NULL,
	  "msg",
	  TM(2007, 4, 15, 21, 28, 13, 0), -1, NULL },
	{ "s_mp_aix_forwarded", "<38>Sep 22 10:11:56 Message forwarded from cdaix66: sshd[679960]: Accepted publickey for nagios from 1.9.1.1 port 42096 ssh2",
	  F3164, 38, "cdaix66", "sshd", "679960", NULL,
	  "Accepted publickey for nagios from 1.9.1.1 port 42096 ssh2",
	  TM(0, 9, 22, 10, 11, 56, 0), -1, NULL },
	{ "s_mp_5424_offset_sd_bom", "<7>1 2006-10-29T01:59:59.156+01:00 mymachine.example.com evntslog - ID47 [exampleSDID@0 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] \xef\xbb\xbf" "An application event log entry...",
	  F5424, 7, "mymachine.example.com", "evntslog", "", "ID47",
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_z_sd_bom", "<7>1 2006-10-29T01:59:59.156Z mymachine.example.com evntslog - ID47 [exampleSDID@0 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] \xef\xbb\xbf" "An application event log entry...",
	  F5424, 7, "mymachine.example.com", "evntslog", "", "ID47",
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_micros_sd_bom", "<7>1 2006-10-29T01:59:59.156123Z mymachine.example.com evntslog - ID47 [exampleSDID@0 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] \xef\xbb\xbf" "An application event log entry...",
	  F5424, 7, "mymachine.example.com", "evntslog", "", "ID47",
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156123), -1, NULL },
	{ "s_mp_5424_sd_leading_space_bad", "<7>1 2006-10-29T01:59:59.156Z mymachine.example.com evntslog - ID47 [ exampleSDID@0 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] \xef\xbb\xbf" "An application event log entry...",
	  F3164, 7, "", "", "", NULL,
	  "1 2006-10-29T01:59:59.156Z mymachine.example.com evntslog - ID47 [ exampleSDID@0 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] \xef\xbb\xbf" "An application event log entry...",
	  NOTIME, -1, NULL },
	{ "s_mp_5424_offset_0020", "<34>1 1987-01-01T12:00:27.000087+00:20 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
	  F5424, 34, "192.0.2.1", "myproc", "8710", "",
	  "%% It's time to make the do-nuts.",
	  TM(1987, 1, 1, 12, 0, 27, 87), -1, NULL },
	{ "s_mp_5424_sd_then_space_bracket", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [exampleSDID@0 iut=\"3\"] [eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", "",
	  "[eventSource=\"Application\" eventID=\"1011\"][examplePriority@0 class=\"high\"] An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_exchange_escapes", "<134>1 2009-10-16T11:51:56+02:00 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - [origin ip=\"exchange.macartney.esbjerg\"][meta sequenceId=\"191732\" sysUpTime=\"68807696\"][EventData@18372.4 Data=\"MSEXCHANGEOWAAPPPOOL.CONFIG\\\" -W \\\"\\\" -M 1 -AP \\\"MSEXCHANGEOWAAPPPOOL5244fileserver.macartney.esbjerg CDG 1 7 7 1 0 1 1 7 1 mail.macartney.esbjerg CDG 1 7 7 1 0 1 1 7 1 maindc.macartney.esbjerg CD- 1 6 6 0 0 1 1 6 1 \"][Keywords@18372.4 Keyword=\"Classic\"] ApplicationMSExchangeADAccess: message",
	  F5424, 134, "exchange.macartney.esbjerg", "MSExchange_ADAccess", "20208", "",
	  "ApplicationMSExchangeADAccess: message",
	  TM(2009, 10, 16, 11, 51, 56, 0), -1, NULL },
	{ "s_mp_5424_escaped_bracket_quote_backslash", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i=\"\\]\\\"\\\\\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_sdid_33", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa i=\"long_33\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_param_33", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\"long_33\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_sdid_and_param_33", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=\"long_33\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_sdid_255_bad", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa i=\"long\"] An application event log entry...",
	  F3164, 132, "", "", "", NULL,
	  "1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa i=\"long\"] An application event log entry...",
	  NOTIME, -1, NULL },
	{ "s_mp_5424_value_256", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_host_256_bad", "<132>1 2006-10-29T01:59:59.156+01:00 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa evntslog - - [a i=\"ok\"] An application event log entry...",
	  F3164, 132, "", "", "", NULL,
	  "1 2006-10-29T01:59:59.156+01:00 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa evntslog - - [a i=\"ok\"] An application event log entry...",
	  NOTIME, -1, NULL },
	{ "s_mp_5424_app_49", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - - [a i=\"ok\"] An application event log entry...",
	  F5424, 132, "mymachine", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_5424_procid_129", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa - [a i=\"ok\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, "D9" },
	{ "s_mp_5424_msgid_33", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa [a i=\"ok\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, "D9" },
	{ "s_mp_5424_unescaped_bracket_in_value", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i=\"]ok\"] An application event log entry...",
	  F5424, 132, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, "D10" },
	{ "s_mp_5424_unescaped_quote_bad", "<132>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i=\"\"ok\"] An application event log entry...",
	  F3164, 132, "", "", "", NULL,
	  "1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [a i=\"\"ok\"] An application event log entry...",
	  NOTIME, -1, NULL },
	{ "s_mp_5424_no_offset", "<134>1 2009-10-16T11:51:56 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - - An application event log entry...",
	  F5424, 134, "exchange.macartney.esbjerg", "MSExchange_ADAccess", "20208", "",
	  "An application event log entry...",
	  TM(2009, 10, 16, 11, 51, 56, 0), -1, NULL },
	{ "s_mp_5424_origin", "<134>1 2009-10-16T11:51:56+02:00 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - [origin enterpriseId=\"1.3.6.1.4.1\"] An application event log entry...",
	  F5424, 134, "exchange.macartney.esbjerg", "MSExchange_ADAccess", "20208", NULL,
	  "An application event log entry...",
	  TM(2009, 10, 16, 11, 51, 56, 0), -1, NULL },
	{ "s_mp_5424_sd_id_only", "<134>1 2009-10-16T11:51:56+02:00 exchange.macartney.esbjerg MSExchange_ADAccess 20208 - [origin enterpriseId=\"1.3.6.1.4.1\"][nosdnvpair] An application event log entry...",
	  F5424, 134, "exchange.macartney.esbjerg", "MSExchange_ADAccess", "20208", NULL,
	  "An application event log entry...",
	  TM(2009, 10, 16, 11, 51, 56, 0), -1, NULL },
	{ "s_mp_5424_sdid_34_timequality", "<5>1 2006-10-29T01:59:59.156+01:00 mymachine evntslog - - [timeQuality isSynced=\"0\"][1234567890123456789012345678901234 i=\"long_33\"] An application event log entry...",
	  F5424, 5, "mymachine", "evntslog", "", NULL,
	  "An application event log entry...",
	  TM(2006, 10, 29, 1, 59, 59, 156000), -1, NULL },
	{ "s_mp_ipv4_lone_word", "<0>Jan 10 01:00:00 1.2.3.4 prg0",
	  F3164, 0, "1.2.3.4", "", "", NULL,
	  "prg0",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, "D3" },
	{ "s_mp_ipv6_full_lone_word", "<0>Jan 10 01:00:00 0000:BABA:BA00:DAB:BABA:BABA:BABA:BAB0 prg0",
	  F3164, 0, "0000:BABA:BA00:DAB:BABA:BABA:BABA:BAB0", "", "", NULL,
	  "prg0",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, "D3" },
	{ "s_mp_ipv6_short_lone_word", "<0>Jan 10 01:00:00 0001:BABA:BA00:DAB::BAB0 prg0",
	  F3164, 0, "0001:BABA:BA00:DAB::BAB0", "", "", NULL,
	  "prg0",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, "D3" },
	{ "s_mp_ipv6_trailing_colons", "<0>Jan 10 01:00:00 0002:: prg0: msgtxt",
	  F3164, 0, "0002::", "prg0", "", NULL,
	  "msgtxt",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, NULL },
	{ "s_mp_lone_word", "<0>Jan 10 01:00:00 prg0",
	  F3164, 0, "prg0", "", "", NULL,
	  "",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, "D11" },
	{ "s_mp_no_host_tag", "<0>Jan 10 01:00:00 prg0: msgtxt",
	  F3164, 0, "", "prg0", "", NULL,
	  "msgtxt",
	  TM(0, 1, 10, 1, 0, 0, 0), -1, NULL },
	{ "s_mp_ios_seq_host", "<0>91: *Oct 07 03:10:04: mydevice.com %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for destaddr=150.1.1.1, prot=50, spi=0x72662541(1919296833), srcaddr=150.3.1.3",
	  F_IOS, 0, "mydevice.com", "", "", NULL,
	  "%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for destaddr=150.1.1.1, prot=50, spi=0x72662541(1919296833), srcaddr=150.3.1.3",
	  TM(0, 10, 7, 3, 10, 4, 0), 91, "D1" },
	{ "s_mp_no_pri_two_words", "some message",
	  F_NONE, -1, "", "", "", NULL,
	  "some message",
	  NOTIME, -1, "D5" },
	{ "s_mp_no_header_flag", "<189>some message",
	  F3164, 189, "", "", "", NULL,
	  "some message",
	  NOTIME, -1, NULL },
	{ "s_mp_utf8_program_no_colon", "<189>program hello\xf0(\x8c\xbcrena",
	  F3164, 189, "", "", "", NULL,
	  "program hello\xf0(\x8c\xbcrena",
	  NOTIME, -1, "D3" },
	{ "s_mp_utf8_5424", "<7>1 - bzorp openvpn 2499 - - PTHREAD \xf0(\x8c( initialized",
	  F5424, 7, "bzorp", "openvpn", "2499", NULL,
	  "PTHREAD \xf0(\x8c( initialized",
	  NOTIME, -1, NULL },
};

static size_t ext_rows[NROWS(ext_cases)];

ParameterizedTestParameters(syslog_hdr, conformance)
{
	ROW_PARAMS(ext_rows, ext_cases);
}

ParameterizedTest(size_t *row, syslog_hdr, conformance)
{
	const struct ext_case *c = &ext_cases[*row];
	size_t len = strlen(c->in);
	char *buf = malloc(len ? len : 1);
	struct syslog_hdr h;
	const char *n = c->name;

	cr_assert_not_null(buf);
	memcpy(buf, c->in, len);
	syslog_parse(buf, len, &h);
	cr_expect_eq(h.format, c->format, "%s: format %d", n, h.format);
	cr_expect_eq(h.pri, c->pri, "%s: pri %d", n, h.pri);
	check_exact(n, "hostname", buf, h.hostname, c->host);
	check_exact(n, "app", buf, h.app, c->app);
	check_exact(n, "procid", buf, h.procid, c->procid);
	if (c->msgid != NULL)
		check_exact(n, "msgid", buf, h.msgid, c->msgid);
	check_exact(n, "msg", buf, h.msg, c->msg);
	cr_assert_eq(h.has_time, c->mon != 0, "%s: has_time", n);
	if (c->mon != 0)
		cr_assert(h.time.year == c->year && h.time.mon == c->mon &&
		    h.time.mday == c->mday && h.time.hour == c->hour &&
		    h.time.min == c->min && h.time.sec == c->sec &&
		    h.time.usec == c->usec,
		    "%s: time %04d-%02d-%02d %02d:%02d:%02d.%06d", n,
		    h.time.year, h.time.mon, h.time.mday, h.time.hour,
		    h.time.min, h.time.sec, h.time.usec);
	cr_assert_eq(h.seq, c->seq, "%s: seq %d", n, h.seq);
	check_spans(n, &h, len);
	free(buf);
}

/* ---- fields not in the main table: 5424 MSGID/SD, zones, prefix ---- */

struct extra_case {
	const char	*name;
	const char	*in;
	const char	*prefix, *tzname, *msgid, *sd, *msg;	/* exact */
	int		 has_tz, tz_off, frac_digits;
};

static struct extra_case extra_cases[] = {
	{ "rfc5424_example1",
	  "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
	  "", "", "ID47", "", "'su root' failed for lonvick on /dev/pts/8", 1, 0, 3 },
	{ "rfc5424_example3_sd",
	  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] \xEF\xBB\xBF" "An application event log entry...",
	  "", "", "ID47", "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]",
	  "An application event log entry...", 1, 0, 3 },
	{ "rfc5424_two_sd_elements",
	  "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"][examplePriority@32473 class=\"high\"]",
	  "", "", "ID47", "[exampleSDID@32473 iut=\"3\"][examplePriority@32473 class=\"high\"]",
	  "", 1, 0, 3 },
	{ "rfc5424_escaped_bracket_and_quote",
	  "<165>1 2003-10-11T22:14:15.003+09:00 host app 1 ID [a@1 x=\"a\\\"]b\" y=\"c\\\\\"][c@3 v=\"x\\]y\"] after sd",
	  "", "", "ID", "[a@1 x=\"a\\\"]b\" y=\"c\\\\\"][c@3 v=\"x\\]y\"]", "after sd", 1, 540, 3 },
	{ "rfc5424_offset_minus_7",
	  "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
	  "", "", "", "", "%% It's time to make the do-nuts.", 1, -420, 6 },
	{ "rfc5424_bom_only_msg",
	  "<13>1 - - - - - - \xEF\xBB\xBF", "", "", "", "", "", 0, 0, 0 },
	{ "rfc5424_half_bom_kept",
	  "<13>1 - - - - - - \xEF\xBB", "", "", "", "", "\xEF\xBB", 0, 0, 0 },
	{ "ios_utc_zone",
	  "<189>123: May  4 04:21:17.991 UTC: %Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: x",
	  "", "UTC", "", "", "%Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: x", 1, 0, 3 },
	{ "ios_cest_zone_not_resolved",
	  "<189>5: May  4 04:21:17.991 CEST: %SYS-5-X: y",
	  "", "CEST", "", "", "%SYS-5-X: y", 0, 0, 3 },
	{ "ios_gmt_zone",
	  "<189>5: May  4 04:21:17 GMT: %SYS-5-X: y",
	  "", "GMT", "", "", "%SYS-5-X: y", 1, 0, 0 },
	{ "bare_utc_colon_reads_as_zone",
	  "Jun 18 00:31:22 UTC: hello", "", "UTC", "", "", "hello", 1, 0, 0 },
	{ "prefix_before_time",
	  "daemon.info: Apr 27 05:12:56 vedge01 charon: 16[IKE] no acceptable proposal found",
	  "daemon.info", "", "", "", "16[IKE] no acceptable proposal found", 0, 0, 0 },
	{ "prefix_openwrt",
	  "Wed Jul  6 17:35:58 2022 daemon.info : 06[CFG] received stroke: add connection 'PF_con1_0'",
	  "daemon.info", "", "", "", "06[CFG] received stroke: add connection 'PF_con1_0'", 0, 0, 0 },
	{ "rfc3339_plus_0530",
	  "2024-06-18T00:31:22.5+05:30 h a: m", "", "", "", "", "m", 1, 330, 1 },
	{ "rfc3339_nanoseconds",
	  "2024-06-18T00:31:22.123456789Z h a: m", "", "", "", "", "m", 1, 0, 9 },
};

static size_t extra_rows[NROWS(extra_cases)];

ParameterizedTestParameters(syslog_hdr, extra_fields)
{
	ROW_PARAMS(extra_rows, extra_cases);
}

ParameterizedTest(size_t *row, syslog_hdr, extra_fields)
{
	const struct extra_case *c = &extra_cases[*row];
	size_t len = strlen(c->in);
	char *buf = malloc(len);
	struct syslog_hdr h;

	cr_assert_not_null(buf);
	memcpy(buf, c->in, len);
	syslog_parse(buf, len, &h);
	cr_assert_eq(h.status, SYSLOG_OK, "%s", c->name);
	check_exact(c->name, "prefix", buf, h.prefix, c->prefix);
	check_exact(c->name, "tzname", buf, h.tzname, c->tzname);
	check_exact(c->name, "msgid", buf, h.msgid, c->msgid);
	check_exact(c->name, "sd", buf, h.sd, c->sd);
	check_exact(c->name, "msg", buf, h.msg, c->msg);
	cr_assert_eq(h.time.has_tz, c->has_tz, "%s: has_tz", c->name);
	cr_assert_eq(h.time.tz_off_min, c->tz_off, "%s: tz_off %d", c->name,
	    h.time.tz_off_min);
	cr_assert_eq(h.time.frac_digits, c->frac_digits, "%s: frac_digits",
	    c->name);
	check_spans(c->name, &h, len);
	free(buf);
}

/* ---- syslog_time_to_us ---- */

#define S(x)		((int64_t)(x) * 1000000)
#define YL(mo, d, h, mi, s)	{ .mon = mo, .mday = d, .hour = h, .min = mi, .sec = s }

struct time_case {
	const char		*name;
	struct syslog_time	 t;
	int64_t			 ref_us;
	int			 tz;
	int			 ret;
	int64_t			 want_us;
};

static struct time_case time_cases[] = {
	/* New Year, both ways */
	{ "dec31_received_jan1_is_old_year", YL(12, 31, 23, 59, 59),
	  S(1735689605), 0, 0, S(1735689599) },
	{ "jan1_received_dec31_is_new_year", YL(1, 1, 0, 0, 1),
	  S(1735689598), 0, 0, S(1735689601) },
	{ "dec31_local_plus1_received_utc_dec31", YL(12, 31, 23, 59, 59),
	  S(1735686030), 60, 0, S(1735685999) },
	/* same year, and the one-day slack boundary */
	{ "same_year", YL(6, 18, 0, 31, 22), S(1718670685), 0, 0, S(1718670682) },
	{ "exactly_one_day_ahead_same_year", YL(6, 19, 0, 31, 22),
	  S(1718670682), 0, 0, S(1718757082) },
	{ "more_than_one_day_ahead_is_last_year", YL(6, 19, 0, 31, 23),
	  S(1718670682), 0, 0, S(1687134683) },
	/* leap day */
	{ "feb29_after_leap_year", YL(2, 29, 12, 0, 0), S(1740787200), 0, 0,
	  S(1709208000) },
	{ "feb29_three_years_back", YL(2, 29, 12, 0, 0), S(1685577600), 0, 0,
	  S(1582977600) },
	{ "feb29_skips_2100_eight_back", YL(2, 29, 12, 0, 0), S(4228588800), 0,
	  0, S(3981355200) },
	{ "feb30_never", YL(2, 30, 0, 0, 0), S(1718670682), 0, -1, 0 },
	{ "apr31_never", YL(4, 31, 0, 0, 0), S(1718670682), 0, -1, 0 },
	/* configured zone for lines without an offset */
	{ "tz_param_plus_120", YL(6, 18, 0, 31, 22), S(1718670685), 120, 0,
	  S(1718663482) },
	{ "tz_param_minus_300", YL(6, 18, 0, 31, 22), S(1718670685), -300, 0,
	  S(1718688682) },
	/* explicit year and offset (RFC 5424 / 3339, ctime) */
	{ "rfc5424_z_ignores_tz_param",
	  { .year = 2003, .mon = 10, .mday = 11, .hour = 22, .min = 14,
	    .sec = 15, .usec = 3000, .has_tz = 1, .tz_off_min = 0 },
	  S(1893456000), 120, 0, S(1065910455) + 3000 },
	{ "rfc5424_minus_7",
	  { .year = 2003, .mon = 8, .mday = 24, .hour = 5, .min = 14,
	    .sec = 15, .usec = 3, .has_tz = 1, .tz_off_min = -420 },
	  0, 0, 0, S(1061727255) + 3 },
	{ "ctime_year_no_tz",
	  { .year = 2022, .mon = 7, .mday = 6, .hour = 17, .min = 35,
	    .sec = 58 }, S(1893456000), 0, 0, S(1657128958) },
	{ "explicit_feb29_2024",
	  { .year = 2024, .mon = 2, .mday = 29 }, 0, 0, 0, S(1709164800) },
	{ "explicit_feb29_2023", { .year = 2023, .mon = 2, .mday = 29 }, 0, 0,
	  -1, 0 },
	{ "epoch", { .year = 1970, .mon = 1, .mday = 1 }, 0, 0, 0, 0 },
	{ "before_epoch",
	  { .year = 1969, .mon = 12, .mday = 31, .hour = 23, .min = 59,
	    .sec = 59 }, 0, 0, 0, S(-1) },
	{ "leap_second_carries",
	  { .year = 2015, .mon = 6, .mday = 30, .hour = 23, .min = 59,
	    .sec = 60 }, 0, 0, 0, S(1435708800) },
	{ "year_9999",
	  { .year = 9999, .mon = 12, .mday = 31, .hour = 23, .min = 59,
	    .sec = 59 }, 0, 0, 0, S(253402300799) },
	{ "yearless_ref_in_9999", YL(1, 1, 0, 0, 0), S(253383811200), 0, -1, 0 },
	/* out of range */
	{ "mon_13", YL(13, 1, 0, 0, 0), S(1718670682), 0, -1, 0 },
	{ "mon_0", YL(0, 1, 0, 0, 0), S(1718670682), 0, -1, 0 },
	{ "mday_0", YL(1, 0, 0, 0, 0), S(1718670682), 0, -1, 0 },
	{ "hour_24", YL(1, 1, 24, 0, 0), S(1718670682), 0, -1, 0 },
	{ "min_60", YL(1, 1, 0, 60, 0), S(1718670682), 0, -1, 0 },
	{ "sec_61", YL(1, 1, 0, 0, 61), S(1718670682), 0, -1, 0 },
	{ "usec_1e6", { .mon = 1, .mday = 1, .usec = 1000000 }, S(1718670682),
	  0, -1, 0 },
	{ "tz_param_1440", YL(1, 1, 0, 0, 0), S(1718670682), 1440, -1, 0 },
	{ "tz_line_minus_1440", { .mon = 1, .mday = 1, .has_tz = 1,
	  .tz_off_min = -1440 }, S(1718670682), 0, -1, 0 },
	{ "year_10000", { .year = 10000, .mon = 1, .mday = 1 }, 0, 0, -1, 0 },
};

static size_t time_rows[NROWS(time_cases)];

ParameterizedTestParameters(syslog_hdr, time_to_us)
{
	ROW_PARAMS(time_rows, time_cases);
}

ParameterizedTest(size_t *row, syslog_hdr, time_to_us)
{
	const struct time_case *c = &time_cases[*row];
	int64_t us = INT64_C(0x5a5a5a5a);
	int r = syslog_time_to_us(&c->t, c->ref_us, c->tz, &us);

	cr_assert_eq(r, c->ret, "%s: ret %d", c->name, r);
	if (r == 0)
		cr_assert_eq(us, c->want_us, "%s: got %lld want %lld", c->name,
		    (long long)us, (long long)c->want_us);
	else
		cr_assert_eq(us, INT64_C(0x5a5a5a5a), "%s: out written on error",
		    c->name);
}

/* ---- whole-pipeline and hostile tests ---- */

Test(syslog_hdr, parse_then_time_rfc5424)
{
	static const char line[] =
	    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - x";
	struct syslog_hdr h;
	int64_t us;

	syslog_parse(line, sizeof(line) - 1, &h);
	cr_assert_eq(syslog_time_to_us(&h.time, 0, 600, &us), 0);
	cr_assert_eq(us, S(1065910455) + 3000);
}

Test(syslog_hdr, parse_then_time_ios_utc)
{
	static const char line[] =
	    "<189>123: May  4 04:21:17.991 UTC: %SYS-5-X: y";
	struct syslog_hdr h;
	int64_t us;

	syslog_parse(line, sizeof(line) - 1, &h);
	/* zone from the line (UTC) wins over the configured +02:00 */
	cr_assert_eq(syslog_time_to_us(&h.time, S(1746400000), 120, &us), 0);
	cr_assert_eq(us, S(1746332477) + 991000);
}

static char *
filled(size_t len, const char *head, char fill)
{
	size_t hl = strlen(head);
	char *b = malloc(len);

	cr_assert_not_null(b);
	memset(b, fill, len);
	memcpy(b, head, hl < len ? hl : len);
	return b;
}

Test(syslog_hdr, one_mib_of_A)
{
	size_t len = 1u << 20;
	char *b = filled(len, "", 'A');
	struct syslog_hdr h;

	cr_assert_eq(syslog_parse(b, len, &h), SYSLOG_NOHDR);
	cr_assert(h.msg.off == 0 && h.msg.len == len);
	free(b);
}

Test(syslog_hdr, one_mib_after_headers)
{
	static const char *heads[] = {
		"Jun 18 00:31:22 ", "Jun 18 00:31:22 h ", "<13>",
		"<13>1 - - - - - [a x=\"", "<13>1 - - - - - [",
		"<13>1 2003-10-11T22:14:15.", "<189>1: ", "<189>1: R:",
		"daemon.info: ", "Jun 18 00:31:22 h app[", "<0000000000",
	};
	size_t len = 1u << 20;
	struct syslog_hdr h;

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		char *b = filled(len, heads[i], 'A');

		syslog_parse(b, len, &h);
		check_spans(heads[i], &h, len);
		free(b);
	}
}

Test(syslog_hdr, null_buffer_and_tiny_input)
{
	static const char one[] = "x";
	struct syslog_hdr h;

	syslog_parse(one, 1, &h);
	cr_assert_eq(h.msg.len, 1);
	syslog_parse(NULL, 0, &h);
	cr_assert_eq(h.status, SYSLOG_NOHDR);
	cr_assert_eq(h.msg.len, 0);
}

/* Deterministic junk from the header alphabet: invariants only. */
Test(syslog_hdr, random_header_soup)
{
	static const char alpha[] = "<>0123456789 :[]-.*\"\\=TZ+JunMayFebdaemon.info"
	    "charonvedge01\xEF\xBB\xBF\0\xff";
	uint64_t x = 0x9e3779b97f4a7c15u;

	for (int i = 0; i < 20000; i++) {
		size_t len;
		char *b;
		struct syslog_hdr h;
		int64_t us;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = x % 64;
		b = malloc(len ? len : 1);
		cr_assert_not_null(b);
		for (size_t k = 0; k < len; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[k] = alpha[x % (sizeof(alpha) - 1)];
		}
		syslog_parse(b, len, &h);
		check_spans("soup", &h, len);
		if (h.has_time)
			syslog_time_to_us(&h.time, S(1718670682), 0, &us);
		free(b);
	}
}

Test(syslog_hdr, names)
{
	cr_assert_str_eq(syslog_facility_name(0), "kern");
	cr_assert_str_eq(syslog_facility_name(3), "daemon");
	cr_assert_str_eq(syslog_facility_name(10), "authpriv");
	cr_assert_str_eq(syslog_facility_name(23), "local7");
	cr_assert_null(syslog_facility_name(24));
	cr_assert_null(syslog_facility_name(-1));
	cr_assert_str_eq(syslog_severity_name(0), "emerg");
	cr_assert_str_eq(syslog_severity_name(6), "info");
	cr_assert_str_eq(syslog_severity_name(7), "debug");
	cr_assert_null(syslog_severity_name(8));
	cr_assert_null(syslog_severity_name(-1));
}
