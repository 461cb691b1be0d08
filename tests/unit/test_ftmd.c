/*
 * test_ftmd.c — Criterion tests for parse_ftmd.c and ftmd_json.c.
 *
 * The main table holds the Viptela / cEdge lines of
 * docs/log-formats.md (viptela-ftmd-messages, field-guide-lines; from the
 * '%' of the tag on), plus edge cases.
 * Every row is parsed twice: from an exactly-sized heap copy (ASan flags
 * any read past the end) and as a slice inside a larger buffer whose
 * surrounding bytes look like more input (the parser must stop at len and
 * must give the same result).  Fields are checked, not just the kind:
 * a NULL expected string means "absent" (span length 0).
 *
 * Regression cases are named "regress_<what>" (the fuzzer has found no
 * crash so far; regress_glued_run_was_quadratic came from review).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>

#include "parse_ftmd.h"

#define MAX_EXP_KV 20

struct row {
	const char *name;
	const char *in;
	size_t len;
	int rc;
	int kind;
	int vendor;
	const char *tag_host, *proc, *mnemonic;
	int sev;
	long msgid;
	const char *event;
	int has_time, y, mo, d, h, mi, s;
	const char *severity_level, *host_name, *system_ip, *vpn_id, *if_name,
	    *new_state;
	int state_up;
	int vpn;
	int n_kv;
	const char *kv[2 * MAX_EXP_KV + 1];	/* leading pairs, NULL-ended */
	int n_stray, n_glued;
	const char *body;	/* NULL: not checked */
	int no_body;		/* 1: body must be absent */
};

#define LIT(s)	.in = (s), .len = sizeof(s) - 1
#define VIP(hst, prc, mn, sv, id) .vendor = 0, .tag_host = (hst), \
	.proc = (prc), .mnemonic = (mn), .sev = (sv), .msgid = (id)
#define CIS(hst, prc, mn, sv, id) .vendor = 1, .tag_host = (hst), \
	.proc = (prc), .mnemonic = (mn), .sev = (sv), .msgid = (id)
#define TIME(Y, MO, D, H, MI, S) .has_time = 1, .y = (Y), .mo = (MO), \
	.d = (D), .h = (H), .mi = (MI), .s = (S)
#define NOSTATE	.state_up = -1
#define NOVPN	.vpn = -1

/* The §2.3 synthetic bfd-state-change line (tag onwards). */
#define BFD_LINE "%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: " \
	"7/13/2021 10:00:00 bfd-state-change severity-level:major " \
	"host-name:\"vedge01\" system-ip:4.0.5.1 src-ip:192.0.2.1 " \
	"dst-ip:198.51.100.9 proto:ipsec src-port:12346 dst-port:12406 " \
	"local-system-ip:4.0.5.1 local-color:biz-internet " \
	"remote-system-ip:4.0.5.9 remote-color:mpls new-state:down " \
	"deleted:false flap-reason:timeout"

#define IFSC_TAIL "interface-state-change severity-level:major " \
	"host-name:\"vedge01\" system-ip:4.0.5.1 vpn-id:1 if-name:\"ipsec2\" " \
	"new-state:down"
#define IFSC_KV { "severity-level", "major", "host-name", "vedge01", \
	"system-ip", "4.0.5.1", "vpn-id", "1", "if-name", "ipsec2", \
	"new-state", "down", NULL }
#define IFSC_COMMON .severity_level = "major", .host_name = "vedge01", \
	.system_ip = "4.0.5.1", .vpn_id = "1", .if_name = "ipsec2", \
	.new_state = "down", .state_up = 0, .vpn = 1, .n_kv = 6

static struct row rows[] = {
	/* ---- docs/log-formats.md#viptela-ftmd-messages ---- */
	{ .name = "formats_1_3_sc4s_system_login_change",
	  LIT("%Viptela-xyz_vManage_East-sysmgrd-6-INFO-1400002: Notification: "
	      "3/17/2022 18:35:12 system-login-change severity-level:minor "
	      "host-name:\"XYZ_vManage_East\" system-ip:1.1.1.3 "
	      "user-name:\"mn2c\" user-id:2227"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("xyz_vManage_East", "sysmgrd", "INFO", 6, 1400002),
	  .event = "system-login-change", TIME(2022, 3, 17, 18, 35, 12),
	  .severity_level = "minor", .host_name = "XYZ_vManage_East",
	  .system_ip = "1.1.1.3", NOSTATE, NOVPN, .n_kv = 5,
	  .kv = { "severity-level", "minor", "host-name", "XYZ_vManage_East",
	      "system-ip", "1.1.1.3", "user-name", "mn2c", "user-id", "2227",
	      NULL } },
	{ .name = "formats_6_1_rfc3164_pri_viptela",
	  LIT("%Viptela-abc_vManage_East-sysmgrd-6-INFO-1400002: Notification: "
	      "3/17/2022 18:35:12 system-login-change severity-level:minor "
	      "host-name:\"ABC_vManage_East\" system-ip:192.0.2.3 "
	      "user-name:\"ops2\" user-id:2227"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("abc_vManage_East", "sysmgrd", "INFO", 6, 1400002),
	  .event = "system-login-change", TIME(2022, 3, 17, 18, 35, 12),
	  .severity_level = "minor", .host_name = "ABC_vManage_East",
	  .system_ip = "192.0.2.3", NOSTATE, NOVPN, .n_kv = 5,
	  .kv = { "severity-level", "minor", "host-name", "ABC_vManage_East",
	      "system-ip", "192.0.2.3", "user-name", "ops2", "user-id",
	      "2227", NULL } },
	{ .name = "formats_6_2_glued_space_vdaemon",
	  LIT("%Viptela-ctrl-VDAEMON_0-5-NTCE-1000001: "
	      "control-connection-state-change new-state:up "
	      "peer-type:vmanagepeer-system-ip:192.0.2.10 "
	      "public-ip:192.168.3.20 public-port:12345 domain-id:1 "
	      "site-id:1005"),
	  .rc = 0, .kind = FTMD_CONTROL_STATE,
	  VIP("ctrl", "VDAEMON_0", "NTCE", 5, 1000001),
	  .event = "control-connection-state-change",
	  .new_state = "up", .state_up = 1, NOVPN, .n_kv = 7, .n_glued = 1,
	  .kv = { "new-state", "up", "peer-type", "vmanage",
	      "peer-system-ip", "192.0.2.10", "public-ip", "192.168.3.20",
	      "public-port", "12345", "domain-id", "1", "site-id", "1005",
	      NULL } },
	{ .name = "formats_2_1_ioc_event_kv_1000001",
	  LIT("%Viptela-vsmart-VDAEMON_0-5-NTCE-1000001: "
	      "control-connection-state-change new-state:up peer-type:vmanage "
	      "peer-system-ip:192.0.2.10 public-ip:192.168.3.20 "
	      "public-port:12345 domain-id:1 site-id:1005"),
	  .rc = 0, .kind = FTMD_CONTROL_STATE,
	  VIP("vsmart", "VDAEMON_0", "NTCE", 5, 1000001),
	  .event = "control-connection-state-change",
	  .new_state = "up", .state_up = 1, NOVPN, .n_kv = 7,
	  .kv = { "new-state", "up", "peer-type", "vmanage",
	      "peer-system-ip", "192.0.2.10", NULL } },
	{ .name = "formats_6_3_free_text_down",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1, .n_kv = 0,
	  .body = "VPN 1 Interface ipsec2 DOWN" },
	{ .name = "formats_6_4_notification_no_date",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: " IFSC_TAIL),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", IFSC_COMMON, .kv = IFSC_KV,
	  .body = "Notification: " IFSC_TAIL },
	{ .name = "formats_2_3_synthetic_bfd",
	  LIT(BFD_LINE),
	  .rc = 0, .kind = FTMD_BFD_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "bfd-state-change", TIME(2021, 7, 13, 10, 0, 0),
	  .severity_level = "major", .host_name = "vedge01",
	  .system_ip = "4.0.5.1", .new_state = "down", .state_up = 0, NOVPN,
	  .n_kv = 15,
	  .kv = { "severity-level", "major", "host-name", "vedge01",
	      "system-ip", "4.0.5.1", "src-ip", "192.0.2.1",
	      "dst-ip", "198.51.100.9", "proto", "ipsec", "src-port", "12346",
	      "dst-port", "12406", "local-system-ip", "4.0.5.1",
	      "local-color", "biz-internet", "remote-system-ip", "4.0.5.9",
	      "remote-color", "mpls", "new-state", "down", "deleted", "false",
	      "flap-reason", "timeout", NULL } },
	{ .name = "formats_6_6_cedge_literal_with_ellipsis",
	  LIT("%Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: Notification: "
	      "5/4/2025 4:21:17 control-connection-state-change "
	      "severity-level:major host-name:\"Router\" system-ip::: "
	      "personality:vedge peer-type:vbond ..."),
	  .rc = 0, .kind = FTMD_CONTROL_STATE,
	  CIS("Router", "vdaemon", "INFO", 6, 1400002),
	  .event = "control-connection-state-change",
	  TIME(2025, 5, 4, 4, 21, 17), .severity_level = "major",
	  .host_name = "Router", .system_ip = "::", NOSTATE, NOVPN,
	  .n_kv = 5, .n_stray = 1,
	  .kv = { "severity-level", "major", "host-name", "Router",
	      "system-ip", "::", "personality", "vedge", "peer-type", "vbond",
	      NULL } },
	{ .name = "cedge_synthetic_full_control_down",
	  LIT("%Cisco-SDWAN-Router-vdaemon-6-INFO-1400002: Notification: "
	      "5/4/2025 4:21:17 control-connection-state-change "
	      "severity-level:major host-name:\"Router\" system-ip::: "
	      "personality:vedge peer-type:vbond peer-system-ip::: "
	      "peer-vmanage-system-ip:0.0.0.0 public-ip:203.0.113.7 "
	      "public-port:12346 src-color:biz-internet remote-color:default "
	      "uptime:\"0:00:00:00\" new-state:down"),
	  .rc = 0, .kind = FTMD_CONTROL_STATE,
	  CIS("Router", "vdaemon", "INFO", 6, 1400002),
	  .event = "control-connection-state-change",
	  TIME(2025, 5, 4, 4, 21, 17), .severity_level = "major",
	  .host_name = "Router", .system_ip = "::", .new_state = "down",
	  .state_up = 0, NOVPN, .n_kv = 13,
	  .kv = { "severity-level", "major", "host-name", "Router",
	      "system-ip", "::", "personality", "vedge", "peer-type", "vbond",
	      "peer-system-ip", "::", "peer-vmanage-system-ip", "0.0.0.0",
	      "public-ip", "203.0.113.7", "public-port", "12346",
	      "src-color", "biz-internet", "remote-color", "default",
	      "uptime", "0:00:00:00", "new-state", "down", NULL } },
	{ .name = "formats_6_6_cedge_ompd_dashed_host",
	  LIT("%Cisco-SDWAN-LAB-SDWAN-POD1-EDGE-2-OMPD-5-NTCE-400003: "
	      "Operational state changed to UP"),
	  .rc = 0, .kind = FTMD_OMP_OPER_STATE,
	  CIS("LAB-SDWAN-POD1-EDGE-2", "OMPD", "NTCE", 5, 400003),
	  .new_state = "UP", .state_up = 1, NOVPN,
	  .body = "Operational state changed to UP" },

	/* ---- the field guide (docs/log-formats.md#field-guide-lines) ---- */
	{ .name = "playbook_rc1_free_text",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1 },
	{ .name = "playbook_rc1_notification_lowercase_ftmd",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: " IFSC_TAIL),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", IFSC_COMMON, .kv = IFSC_KV },
	{ .name = "playbook_londsr01_free_text",
	  LIT("%Viptela-LONDSR01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("LONDSR01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1 },
	{ .name = "playbook_londsr01_notification",
	  LIT("%Viptela-LONDSR01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change severity-level:major "
	      "host-name:\"LONDSR01\" system-ip:4.0.5.1 vpn-id:1 "
	      "if-name:\"ipsec2\" new-state:down"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("LONDSR01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .severity_level = "major",
	  .host_name = "LONDSR01", .system_ip = "4.0.5.1", .vpn_id = "1",
	  .if_name = "ipsec2", .new_state = "down", .state_up = 0, .vpn = 1,
	  .n_kv = 6 },
	{ .name = "playbook_rc3_azgdsr01_free_text",
	  LIT("%Viptela-AZGDSR01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec1 DOWN"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("AZGDSR01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec1", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1 },
	{ .name = "guide_azgdsr01_notification_host_name_differs",
	  LIT("%Viptela-AZGDSR01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change severity-level:major "
	      "host-name:\"vedge01\" system-ip:4.1.0.1 vpn-id:1 "
	      "if-name:\"ipsec1\" new-state:down"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("AZGDSR01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .severity_level = "major",
	  .host_name = "vedge01", .system_ip = "4.1.0.1", .vpn_id = "1",
	  .if_name = "ipsec1", .new_state = "down", .state_up = 0, .vpn = 1,
	  .n_kv = 6 },

	/* ---- free-text variations ---- */
	{ .name = "free_text_up",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 UP"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "UP",
	  .state_up = 1, .vpn = 1 },
	{ .name = "free_text_state_word_vpn512",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 512 Interface ge0/0 "
	      "state Up"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "512", .if_name = "ge0/0", .new_state = "Up",
	  .state_up = 1, .vpn = 512 },
	{ .name = "free_text_trailing_crlf_trimmed",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 "
	      "DOWN \r\n"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1, .body = "VPN 1 Interface ipsec2 DOWN" },
	{ .name = "free_text_downtime_is_not_down",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 "
	      "DOWNTIME"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .body = "VPN 1 Interface ipsec2 DOWNTIME" },
	{ .name = "free_text_unmodelled",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: Interface ipsec2 went away"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .body = "Interface ipsec2 went away" },
	{ .name = "free_text_dashed_word_is_not_event",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: re-keying done"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .body = "re-keying done" },
	{ .name = "free_text_vpn_too_big",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 99999999 Interface x UP"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN },
	{ .name = "event_alone_known",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: tunnel-ipsec-rekey"),
	  .rc = 0, .kind = FTMD_TUNNEL_IPSEC_REKEY,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .event = "tunnel-ipsec-rekey", NOSTATE, NOVPN },
	{ .name = "space_before_tag_colon_and_leading_blank",
	  LIT("  %Viptela-vedge01-FTMD-6-INFO-1000001 : VPN 1 Interface ipsec2 "
	      "DOWN"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1 },

	{ .name = "free_text_vpn_number_glued",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1Interface ipsec2 UP"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN },
	{ .name = "free_text_no_interface_word",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Tunnel ipsec2 UP"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN },
	{ .name = "free_text_truncated_after_ifname",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN },
	{ .name = "ompd_down",
	  LIT("%Cisco-SDWAN-e1-OMPD-5-NTCE-400003: Operational state changed "
	      "to DOWN"),
	  .rc = 0, .kind = FTMD_OMP_OPER_STATE, CIS("e1", "OMPD", "NTCE", 5,
	  400003), .new_state = "DOWN", .state_up = 0, NOVPN },
	{ .name = "ompd_other_state_unmodelled",
	  LIT("%Cisco-SDWAN-e1-OMPD-5-NTCE-400003: Operational state changed "
	      "to INIT"),
	  .rc = 0, .kind = FTMD_OTHER, CIS("e1", "OMPD", "NTCE", 5, 400003),
	  NOSTATE, NOVPN },
	{ .name = "unknown_event_alone_is_free_text",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: something-happened"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .body = "something-happened" },

	/* ---- Notification variations ---- */
	{ .name = "bracketed_date",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "[7/13/2021 10:00:00] " IFSC_TAIL),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", TIME(2021, 7, 13, 10, 0, 0),
	  IFSC_COMMON, .kv = IFSC_KV },
	{ .name = "date_padded_leap_second_tabs",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002:\tNotification:\t"
	      "12/31/2016\t23:59:60\tinterface-admin-state-change\t"
	      "severity-level:minor\tvpn-id:0\tif-name:\"ge0/1\"\t"
	      "new-state:up"),
	  .rc = 0, .kind = FTMD_IF_ADMIN_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-admin-state-change",
	  TIME(2016, 12, 31, 23, 59, 60), .severity_level = "minor",
	  .vpn_id = "0", .if_name = "ge0/1", .new_state = "up",
	  .state_up = 1, .vpn = 0, .n_kv = 4 },
	{ .name = "bad_date_becomes_stray_tokens",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "13/45/2022 18:35:12 interface-state-change new-state:down"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .new_state = "down", .state_up = 0, NOVPN, .n_kv = 1,
	  .n_stray = 3 },
	{ .name = "hour_24_rejected",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "2/3/2023 24:00:00 interface-state-change"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002), NOSTATE, NOVPN,
	  .n_stray = 3 },
	{ .name = "unclosed_bracket_date_rejected",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "[7/13/2021 10:00:00 interface-state-change"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002), NOSTATE, NOVPN,
	  .n_stray = 3 },
	{ .name = "date_without_blank_before_time",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "7/13/2021"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002), NOSTATE, NOVPN,
	  .n_stray = 1 },
	{ .name = "time_glued_to_event",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "7/13/2021 10:00:00interface-state-change"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002), NOSTATE, NOVPN,
	  .n_stray = 2 },
	{ .name = "notification_empty",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification:"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002), NOSTATE, NOVPN,
	  .body = "Notification:" },
	{ .name = "notification_without_event",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "7/13/2021 10:00:00 severity-level:major system-ip:4.0.5.1"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  TIME(2021, 7, 13, 10, 0, 0), .severity_level = "major",
	  .system_ip = "4.0.5.1", NOSTATE, NOVPN, .n_kv = 2 },
	{ .name = "tunnel_ipsec_rekey",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "7/13/2021 10:00:00 tunnel-ipsec-rekey severity-level:minor "
	      "host-name:\"vedge01\" system-ip:4.0.5.1 personality:vedge "
	      "color:biz-internet"),
	  .rc = 0, .kind = FTMD_TUNNEL_IPSEC_REKEY,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "tunnel-ipsec-rekey", TIME(2021, 7, 13, 10, 0, 0),
	  .severity_level = "minor", .host_name = "vedge01",
	  .system_ip = "4.0.5.1", NOSTATE, NOVPN, .n_kv = 5,
	  .kv = { "severity-level", "minor", "host-name", "vedge01",
	      "system-ip", "4.0.5.1", "personality", "vedge",
	      "color", "biz-internet", NULL } },
	{ .name = "known_extra_kinds",
	  LIT("%Viptela-vsmart1-ompd-6-INFO-1400002: Notification: "
	      "7/13/2021 10:00:00 omp-peer-state-change severity-level:minor "
	      "peer:4.0.5.9 new-state:init"),
	  .rc = 0, .kind = FTMD_OMP_PEER_STATE,
	  VIP("vsmart1", "ompd", "INFO", 6, 1400002),
	  .event = "omp-peer-state-change", TIME(2021, 7, 13, 10, 0, 0),
	  .severity_level = "minor", .new_state = "init", NOSTATE, NOVPN,
	  .n_kv = 3 },
	{ .name = "tunnel_install_fail",
	  LIT("%Viptela-vedge01-ftmd-3-ERRO-1400002: Notification: "
	      "tunnel-install-fail severity-level:critical reason:\"no route\""),
	  .rc = 0, .kind = FTMD_TUNNEL_INSTALL_FAIL,
	  VIP("vedge01", "ftmd", "ERRO", 3, 1400002),
	  .event = "tunnel-install-fail", .severity_level = "critical",
	  NOSTATE, NOVPN, .n_kv = 2,
	  .kv = { "severity-level", "critical", "reason", "no route", NULL } },
	{ .name = "unknown_event_keeps_kv",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "7/13/2021 10:00:00 gre-state-update severity-level:minor "
	      "if-name:gre1 state:up"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "gre-state-update", TIME(2021, 7, 13, 10, 0, 0),
	  .severity_level = "minor", .if_name = "gre1", NOSTATE, NOVPN,
	  .n_kv = 3,
	  .kv = { "severity-level", "minor", "if-name", "gre1", "state", "up",
	      NULL } },
	{ .name = "unknown_event_kv_1000001",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001: some-new-event a:1 b:\"x y\""),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001),
	  .event = "some-new-event", NOSTATE, NOVPN, .n_kv = 2,
	  .kv = { "a", "1", "b", "x y", NULL } },
	{ .name = "quoted_empty_and_colons",
	  LIT("%Viptela-vm1-sysmgrd-6-INFO-1400002: Notification: "
	      "3/17/2022 18:35:12 org-name-change severity-level:minor "
	      "host-name:\"\" system-ip:192.0.2.3 old-organization-name:\"\" "
	      "new-organization-name:\"SDWAN-LAB\" uptime:\"0:00:00:00\" "
	      "empty: last:"),
	  .rc = 0, .kind = FTMD_NOTIFICATION,
	  VIP("vm1", "sysmgrd", "INFO", 6, 1400002),
	  .event = "org-name-change", TIME(2022, 3, 17, 18, 35, 12),
	  .severity_level = "minor", .host_name = NULL,
	  .system_ip = "192.0.2.3", NOSTATE, NOVPN, .n_kv = 8,
	  .kv = { "severity-level", "minor", "host-name", "",
	      "system-ip", "192.0.2.3", "old-organization-name", "",
	      "new-organization-name", "SDWAN-LAB", "uptime", "0:00:00:00",
	      "empty", "", "last", "", NULL } },
	{ .name = "quote_glued_to_next_key",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change if-name:\"ipsec2\"new-state:down"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .if_name = "ipsec2",
	  .new_state = "down", .state_up = 0, NOVPN, .n_kv = 2 },
	{ .name = "unterminated_quote_runs_to_end",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change new-state:up host-name:\"vedge 01"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .host_name = "vedge 01",
	  .new_state = "up", .state_up = 1, NOVPN, .n_kv = 2 },
	{ .name = "ipv6_values_not_split",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "bfd-state-change system-ip:2001:db8::1 dst-ip:fe80::abcd:1 "
	      "src-ip:::ffff:192.0.2.1 new-state:up"),
	  .rc = 0, .kind = FTMD_BFD_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "bfd-state-change", .system_ip = "2001:db8::1",
	  .new_state = "up", .state_up = 1, NOVPN, .n_kv = 4,
	  .kv = { "system-ip", "2001:db8::1", "dst-ip", "fe80::abcd:1",
	      "src-ip", "::ffff:192.0.2.1", "new-state", "up", NULL } },
	{ .name = "glued_bfd_colors_longest_key",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "bfd-state-change local-color:biz-internetremote-system-ip:4.0.5.9"
	      " remote-color:mpls new-state:down"),
	  .rc = 0, .kind = FTMD_BFD_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "bfd-state-change", .new_state = "down", .state_up = 0,
	  NOVPN, .n_kv = 4, .n_glued = 1,
	  .kv = { "local-color", "biz-internet", "remote-system-ip", "4.0.5.9",
	      "remote-color", "mpls", NULL } },
	{ .name = "duplicate_common_key_first_wins",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change system-ip:1.1.1.1 system-ip:2.2.2.2 "
	      "vpn-id:70000 new-state:sideways"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .system_ip = "1.1.1.1",
	  .vpn_id = "70000", .new_state = "sideways", NOSTATE, NOVPN,
	  .n_kv = 4 },
	{ .name = "stray_tokens_counted",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change oops vpn-id:1 \"quoted words\" :x 9:1 "
	      "new-state:down"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .vpn_id = "1",
	  .new_state = "down", .state_up = 0, .vpn = 1, .n_kv = 2,
	  .n_stray = 5 },
	{ .name = "cisco_sdwan_underscore_host_lower_proc",
	  LIT("%Cisco-SDWAN-br_01-x-ftmd-4-WARN-1400002: Notification: "
	      "interface-state-change vpn-id:10 if-name:Tunnel100 new-state:UP"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  CIS("br_01-x", "ftmd", "WARN", 4, 1400002),
	  .event = "interface-state-change", .vpn_id = "10",
	  .if_name = "Tunnel100", .new_state = "UP", .state_up = 1, .vpn = 10,
	  .n_kv = 3 },
	{ .name = "severity_zero_and_seven",
	  LIT("%Viptela-a-b-0-EMRG-7: x"),
	  .rc = 0, .kind = FTMD_OTHER, VIP("a", "b", "EMRG", 0, 7),
	  NOSTATE, NOVPN, .body = "x" },
	{ .name = "proc_with_dash_goes_to_host",
	  /* documented limitation: like SC4S, a proc holds no '-' */
	  LIT("%Viptela-vedge01-ft-md-7-DBUG-1: x"),
	  .rc = 0, .kind = FTMD_OTHER, VIP("vedge01-ft", "md", "DBUG", 7, 1),
	  NOSTATE, NOVPN },
	{ .name = "empty_body",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001:"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .body = "" },

	/* ---- NUL bytes and invalid UTF-8 ---- */
	{ .name = "nul_and_bad_utf8_in_body_values",
	  LIT("%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	      "interface-state-change w:\"ve\0dge\xff\" x:\xc3\x28 "
	      "if-name:\"ipsec2\" new-state:down"),
	  .rc = 0, .kind = FTMD_IF_STATE,
	  VIP("vedge01", "ftmd", "INFO", 6, 1400002),
	  .event = "interface-state-change", .if_name = "ipsec2",
	  .new_state = "down", .state_up = 0, NOVPN, .n_kv = 4 },
	{ .name = "nul_after_tag_colon_body_is_data",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001:\0VPN 1"),
	  .rc = 0, .kind = FTMD_OTHER,
	  VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN },

	/* ---- not ours ---- */
	{ .name = "nomatch_charon",
	  LIT("16[IKE] initiating IKE_SA ipsec2_1[223798] to 10.10.10.1"),
	  .rc = 1, .vendor = -1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "nomatch_ios_crypto",
	  LIT("%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet"),
	  .rc = 1, .vendor = -1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "nomatch_empty",
	  .in = "", .len = 0,
	  .rc = 1, .vendor = -1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "nomatch_prefix_without_dash",
	  LIT("%Viptela"),
	  .rc = 1, .vendor = -1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "nomatch_lowercase_vendor",
	  LIT("%viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN"),
	  .rc = 1, .vendor = -1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "nomatch_cisco_without_sdwan",
	  LIT("%Cisco-vedge01-FTMD-6-INFO-1000001: x"),
	  .rc = 1, .vendor = -1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },

	/* ---- malformed tags ---- */
	{ .name = "malformed_prefix_only",
	  LIT("%Viptela-"),
	  .rc = -1, .vendor = 0, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "malformed_cisco_prefix_only",
	  LIT("%Cisco-SDWAN-"),
	  .rc = -1, .vendor = 1, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "malformed_severity_9",
	  LIT("%Viptela-host-proc-9-INFO-1:"),
	  .rc = -1, .vendor = 0, .mnemonic = "INFO", .sev = -1, .msgid = 1,
	  NOSTATE, NOVPN, .body = "" },
	{ .name = "malformed_non_digit_msgid_body_still_read",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-10000O1: VPN 1 Interface ipsec2 DOWN"),
	  .rc = -1, .kind = FTMD_IF_STATE, .vendor = 0, .sev = -1, .msgid = -1,
	  .vpn_id = "1", .if_name = "ipsec2", .new_state = "DOWN",
	  .state_up = 0, .vpn = 1 },
	{ .name = "malformed_no_colon",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001 VPN 1 Interface ipsec2 DOWN"),
	  .rc = -1, VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "malformed_no_colon_at_end",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001"),
	  .rc = -1, VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "malformed_missing_msgid",
	  LIT("%Viptela-vedge01-FTMD-6-INFO: x"),
	  .rc = -1, .vendor = 0, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .body = "x" },
	{ .name = "malformed_msgid_10_digits",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1234567890: x"),
	  .rc = -1, .vendor = 0, .sev = -1, .msgid = -1, NOSTATE, NOVPN },
	{ .name = "malformed_lowercase_mnemonic",
	  LIT("%Viptela-vedge01-FTMD-6-info-1000001: x"),
	  .rc = -1, .vendor = 0, .sev = -1, .msgid = 1000001, NOSTATE, NOVPN },
	{ .name = "malformed_empty_host",
	  LIT("%Viptela--FTMD-6-INFO-1000001: x"),
	  .rc = -1, .vendor = 0, .proc = "FTMD", .mnemonic = "INFO", .sev = 6,
	  .msgid = 1000001, NOSTATE, NOVPN },
	{ .name = "malformed_host_missing",
	  LIT("%Viptela-FTMD-6-INFO-1000001: x"),
	  .rc = -1, .vendor = 0, .mnemonic = "INFO", .sev = 6,
	  .msgid = 1000001, NOSTATE, NOVPN },
	{ .name = "malformed_empty_field",
	  LIT("%Viptela-vedge01-FTMD--INFO-1000001: x"),
	  .rc = -1, .vendor = 0, .mnemonic = "INFO", .sev = -1,
	  .msgid = 1000001, NOSTATE, NOVPN },
	{ .name = "malformed_nul_in_tag",
	  LIT("%Viptela-ved\0ge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 UP"),
	  .rc = -1, .vendor = 0, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "malformed_utf8_in_tag_host",
	  LIT("%Viptela-v\xc3\xa9" "dge-FTMD-6-INFO-1000001: x"),
	  .rc = -1, .vendor = 0, .sev = -1, .msgid = -1, NOSTATE, NOVPN,
	  .no_body = 1 },
	{ .name = "malformed_two_spaces_before_colon",
	  LIT("%Viptela-vedge01-FTMD-6-INFO-1000001  : x"),
	  .rc = -1, VIP("vedge01", "FTMD", "INFO", 6, 1000001), NOSTATE, NOVPN,
	  .no_body = 1 },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void
free_params(struct criterion_test_params *crp)
{
	cr_free(crp->params);
}

/*
 * Criterion runs each test in a re-executed worker, where the address of
 * a string literal is not the parent's: pass row indices (in cr_malloc'd
 * shared memory) and look the row up in the worker's own table.
 */
ParameterizedTestParameters(ftmd, table)
{
	size_t *idx = cr_malloc(NROWS * sizeof(*idx)), i;

	for (i = 0; i < NROWS; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, NROWS, free_params);
}

static void
expect_span(const char *row, const char *field, const char *base,
    struct span s, const char *want)
{
	if (want == NULL || *want == '\0')
		cr_expect_eq(s.len, 0, "%s: %s should be absent, is '%.*s'",
		    row, field, (int)s.len, base + s.off);
	else
		cr_expect(span_eq(base, s, want), "%s: %s is '%.*s', want '%s'",
		    row, field, (int)s.len, base + s.off, want);
}

/* Every span lies inside [0, len). */
static void
expect_in_bounds(const char *row, const struct ftmd_event *ev, size_t len)
{
	const struct span *all[] = { &ev->tag_host, &ev->proc, &ev->mnemonic,
	    &ev->body, &ev->event, &ev->severity_level, &ev->host_name,
	    &ev->system_ip, &ev->vpn_id, &ev->if_name, &ev->new_state };
	size_t i;
	int k;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		cr_expect((uint64_t)all[i]->off + all[i]->len <= len,
		    "%s: span %zu out of bounds", row, i);
	cr_expect(ev->n_kv >= 0 && ev->n_kv <= FTMD_MAX_KV, "%s", row);
	for (k = 0; k < ev->n_kv; k++) {
		cr_expect((uint64_t)ev->kv[k].key.off + ev->kv[k].key.len <= len,
		    "%s: kv key %d out of bounds", row, k);
		cr_expect((uint64_t)ev->kv[k].val.off + ev->kv[k].val.len <= len,
		    "%s: kv val %d out of bounds", row, k);
	}
}

static void
check_row(const struct row *r, const char *base, size_t len, int rc,
    const struct ftmd_event *ev)
{
	int i;

	cr_expect_eq(rc, r->rc, "%s: rc %d, want %d", r->name, rc, r->rc);
	cr_expect_eq(ev->kind, r->kind, "%s: kind %s, want %s", r->name,
	    ftmd_kind_name(ev->kind), ftmd_kind_name(r->kind));
	cr_expect_eq(ev->vendor, r->vendor, "%s: vendor %d", r->name,
	    ev->vendor);
	expect_span(r->name, "tag_host", base, ev->tag_host, r->tag_host);
	expect_span(r->name, "proc", base, ev->proc, r->proc);
	expect_span(r->name, "mnemonic", base, ev->mnemonic, r->mnemonic);
	cr_expect_eq(ev->tag_severity, r->sev, "%s: tag_severity %d, want %d",
	    r->name, ev->tag_severity, r->sev);
	cr_expect_eq(ev->msgid, r->msgid, "%s: msgid %ld, want %ld", r->name,
	    ev->msgid, r->msgid);
	expect_span(r->name, "event", base, ev->event, r->event);
	cr_expect_eq(ev->has_notif_time, r->has_time, "%s: has_notif_time",
	    r->name);
	if (r->has_time) {
		cr_expect(ev->n_year == r->y && ev->n_mon == r->mo &&
		    ev->n_mday == r->d && ev->n_hour == r->h &&
		    ev->n_min == r->mi && ev->n_sec == r->s,
		    "%s: time %d-%d-%d %d:%d:%d", r->name, ev->n_year,
		    ev->n_mon, ev->n_mday, ev->n_hour, ev->n_min, ev->n_sec);
	}
	expect_span(r->name, "severity_level", base, ev->severity_level,
	    r->severity_level);
	expect_span(r->name, "host_name", base, ev->host_name, r->host_name);
	expect_span(r->name, "system_ip", base, ev->system_ip, r->system_ip);
	expect_span(r->name, "vpn_id", base, ev->vpn_id, r->vpn_id);
	expect_span(r->name, "if_name", base, ev->if_name, r->if_name);
	expect_span(r->name, "new_state", base, ev->new_state, r->new_state);
	cr_expect_eq(ev->state_up, r->state_up, "%s: state_up %d, want %d",
	    r->name, ev->state_up, r->state_up);
	cr_expect_eq(ev->vpn, r->vpn, "%s: vpn %d, want %d", r->name, ev->vpn,
	    r->vpn);
	cr_expect_eq(ev->n_kv, r->n_kv, "%s: n_kv %d, want %d", r->name,
	    ev->n_kv, r->n_kv);
	cr_expect_eq(ev->n_dropped_fields, 0, "%s: n_dropped_fields", r->name);
	cr_expect_eq(ev->n_stray_tokens, r->n_stray, "%s: n_stray %d, want %d",
	    r->name, ev->n_stray_tokens, r->n_stray);
	cr_expect_eq(ev->n_glued, r->n_glued, "%s: n_glued %d, want %d",
	    r->name, ev->n_glued, r->n_glued);
	for (i = 0; r->kv[2 * i] != NULL && i < ev->n_kv; i++) {
		expect_span(r->name, r->kv[2 * i], base, ev->kv[i].key,
		    r->kv[2 * i]);
		expect_span(r->name, r->kv[2 * i], base, ev->kv[i].val,
		    r->kv[2 * i + 1]);
	}
	cr_expect(r->kv[2 * i] == NULL, "%s: kv %d (%s) missing", r->name, i,
	    r->kv[2 * i] != NULL ? r->kv[2 * i] : "");
	if (r->body != NULL)
		expect_span(r->name, "body", base, ev->body, r->body);
	if (r->no_body)
		cr_expect_eq(ev->body.len, 0, "%s: body should be absent",
		    r->name);
	expect_in_bounds(r->name, ev, len);
}

ParameterizedTest(size_t *ip, ftmd, table)
{
	static const char head[] = "Jun 18 00:31:17 vedge01 FTMD[1472]: ";
	static const char tail[] = "0 x:\"y\" VPN 1 Interface ipsec9 UP:";
	const struct row *r = &rows[*ip];
	struct ftmd_event ev, ev2;
	char *exact, *big;
	int rc, rc2;

	cr_assert_lt(*ip, NROWS);

	/* 1: an exactly-sized heap copy: ASan sees any overread */
	exact = malloc(r->len > 0 ? r->len : 1);
	cr_assert_not_null(exact);
	memcpy(exact, r->in, r->len);
	rc = ftmd_parse(exact, r->len, &ev);
	check_row(r, exact, r->len, rc, &ev);

	/* 2: a slice of a larger buffer with misleading bytes around it,
	 * and no NUL after it */
	big = malloc(sizeof(head) - 1 + r->len + sizeof(tail) - 1);
	cr_assert_not_null(big);
	memcpy(big, head, sizeof(head) - 1);
	memcpy(big + sizeof(head) - 1, r->in, r->len);
	memcpy(big + sizeof(head) - 1 + r->len, tail, sizeof(tail) - 1);
	rc2 = ftmd_parse(big + sizeof(head) - 1, r->len, &ev2);
	cr_expect_eq(rc2, rc, "%s: slice rc differs", r->name);
	cr_expect(memcmp(&ev, &ev2, sizeof(ev)) == 0,
	    "%s: slice result differs", r->name);
	free(big);
	free(exact);
}

/* ---- hand-written cases ---- */

Test(ftmd, slice_ends_inside_word)
{
	/* "DOWNTIME" in the buffer, but the slice stops after "DOWN" */
	static const char line[] =
	    "%Viptela-vedge01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 "
	    "DOWNTIME";
	struct ftmd_event ev;

	cr_assert_eq(ftmd_parse(line, sizeof(line) - 1 - 4, &ev), 0);
	cr_expect_eq(ev.kind, FTMD_IF_STATE);
	cr_expect_eq(ev.state_up, 0);
	cr_expect(span_eq(line, ev.new_state, "DOWN"));
}

Test(ftmd, slice_ends_inside_quote)
{
	static const char line[] =
	    "%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	    "interface-state-change host-name:\"vedge01\" new-state:down";
	struct ftmd_event ev;
	const char *q = strstr(line, "01\"");

	cr_assert_eq(ftmd_parse(line, (size_t)(q - line) + 1, &ev), 0);
	cr_expect(span_eq(line, ev.host_name, "vedge0"));
	cr_expect_eq(ev.n_kv, 1);
	cr_expect_eq(ev.state_up, -1);
}

Test(ftmd, slice_ends_inside_tag)
{
	static const char line[] = "%Viptela-vedge01-FTMD-6-INFO-1000001: x";
	struct ftmd_event ev;

	/* up to "...-100" : no ':' inside the slice */
	cr_expect_eq(ftmd_parse(line, 32, &ev), -1);
	cr_expect_eq(ev.msgid, 100);
	cr_expect(span_eq(line, ev.tag_host, "vedge01"));
	cr_expect_eq(ev.body.len, 0);
}

Test(ftmd, kv_overflow_counted_common_fields_still_seen)
{
	char line[4096];
	struct ftmd_event ev;
	struct span v;
	int n, i;

	n = snprintf(line, sizeof(line), "%%Viptela-vedge01-ftmd-6-INFO-1400002:"
	    " Notification: interface-state-change");
	for (i = 0; i < 60; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " k%d:v%d", i,
		    i);
	n += snprintf(line + n, sizeof(line) - (size_t)n,
	    " if-name:\"ipsec7\" new-state:up");
	cr_assert_eq(ftmd_parse(line, (size_t)n, &ev), 0);
	cr_expect_eq(ev.n_kv, FTMD_MAX_KV);
	cr_expect_eq(ev.n_dropped_fields, 60 + 2 - FTMD_MAX_KV);
	cr_expect(span_eq(line, ev.kv[47].key, "k47"));
	cr_expect(span_eq(line, ev.if_name, "ipsec7"));
	cr_expect_eq(ev.state_up, 1);
	cr_expect_eq(ftmd_kv_find(&ev, line, "k0", &v), 1);
	cr_expect(span_eq(line, v, "v0"));
	cr_expect_eq(ftmd_kv_find(&ev, line, "new-state", &v), 0);
}

Test(ftmd, host_10k_chars_is_malformed)
{
	static const char pre[] = "%Viptela-";
	static const char post[] = "-FTMD-6-INFO-1000001: VPN 1 Interface "
	    "ipsec2 DOWN";
	size_t hl = 10000, len = sizeof(pre) - 1 + hl + sizeof(post) - 1;
	char *line = malloc(len);
	struct ftmd_event ev;

	cr_assert_not_null(line);
	memcpy(line, pre, sizeof(pre) - 1);
	memset(line + sizeof(pre) - 1, 'h', hl);
	memcpy(line + sizeof(pre) - 1 + hl, post, sizeof(post) - 1);
	cr_expect_eq(ftmd_parse(line, len, &ev), -1);
	cr_expect_eq(ev.tag_host.len, 0);
	cr_expect(span_eq(line, ev.proc, "FTMD"));
	cr_expect_eq(ev.msgid, 1000001);
	cr_expect_eq(ev.kind, FTMD_IF_STATE);	/* body still read */
	free(line);
}

Test(ftmd, host_length_limit)
{
	char line[600];
	struct ftmd_event ev;

	memset(line, 'h', sizeof(line));
	memcpy(line, "%Viptela-", 9);
	memcpy(line + 9 + FTMD_MAX_HOST, "-FTMD-6-INFO-1: x", 17);
	cr_expect_eq(ftmd_parse(line, 9 + FTMD_MAX_HOST + 17, &ev), 0);
	cr_expect_eq(ev.tag_host.len, FTMD_MAX_HOST);
	memset(line, 'h', sizeof(line));
	memcpy(line, "%Viptela-", 9);
	memcpy(line + 9 + FTMD_MAX_HOST + 1, "-FTMD-6-INFO-1: x", 17);
	cr_expect_eq(ftmd_parse(line, 9 + FTMD_MAX_HOST + 1 + 17, &ev), -1);
}

Test(ftmd, input_longer_than_limit_is_malformed)
{
	size_t len = FTMD_MAX_INPUT + 1;
	char *line = malloc(len);
	struct ftmd_event ev;
	static const char pre[] = "%Viptela-vedge01-FTMD-6-INFO-1000001: ";

	cr_assert_not_null(line);
	memset(line, 'a', len);
	memcpy(line, pre, sizeof(pre) - 1);
	cr_expect_eq(ftmd_parse(line, len, &ev), -1);
	cr_expect_eq(ev.vendor, 0);
	cr_expect_eq(ev.body.len, 0);
	cr_expect_eq(ftmd_parse(line, len - 1, &ev), 0);
	cr_expect_eq(ev.body.len, len - 1 - (sizeof(pre) - 1));
	free(line);
}

Test(ftmd, regress_glued_run_was_quadratic)
{
	/* a long run of ':' and key-like text must stay linear and sane */
	static char line[8192];
	struct ftmd_event ev;
	size_t n;
	int i;

	n = (size_t)snprintf(line, sizeof(line),
	    "%%Viptela-v-FTMD-6-INFO-1000001: a-b x:");
	for (i = 0; i < 300; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "colorpeer-system-ip:");
	cr_assert_lt(n, sizeof(line));
	cr_assert_eq(ftmd_parse(line, n, &ev), 0);
	cr_expect_eq(ev.kind, FTMD_NOTIFICATION);
	cr_expect_eq(ev.n_kv + ev.n_dropped_fields, 301);
	cr_expect_eq(ev.n_glued, 300);
	cr_expect(span_eq(line, ev.kv[0].val, "color"));
	cr_expect(span_eq(line, ev.kv[1].key, "peer-system-ip"));
	cr_expect(span_eq(line, ev.kv[1].val, "color"));
}

Test(ftmd, kind_names_stable)
{
	static const char *const want[FTMD_KIND_COUNT] = {
		"viptela_other", "interface_state_change",
		"interface_admin_state_change", "bfd_state_change",
		"control_connection_state_change", "tunnel_ipsec_rekey",
		"viptela_notification", "control_connection_auth_fail",
		"tunnel_install_fail", "omp_peer_state_change",
		"omp_operational_state_change",
	};
	int k;

	for (k = 0; k < FTMD_KIND_COUNT; k++) {
		cr_assert_not_null(ftmd_kind_name(k));
		cr_expect_str_eq(ftmd_kind_name(k), want[k]);
	}
	cr_expect_null(ftmd_kind_name(-1));
	cr_expect_null(ftmd_kind_name(FTMD_KIND_COUNT));
	cr_expect_eq(FTMD_OTHER, 0);
}

Test(ftmd, control_auth_fail_kind)
{
	static const char line[] = "%Viptela-vbond-vdaemon-3-ERRO-1400002: "
	    "Notification: control-connection-auth-fail reason:BIDNTVRFD";
	struct ftmd_event ev;

	cr_assert_eq(ftmd_parse(line, sizeof(line) - 1, &ev), 0);
	cr_expect_eq(ev.kind, FTMD_CONTROL_AUTH_FAIL);
}

Test(ftmd, nul_byte_inside_quoted_common_value)
{
	static const char line[] =
	    "%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	    "interface-state-change host-name:\"ve\0dge\xff\" new-state:up";
	struct ftmd_event ev;

	cr_assert_eq(ftmd_parse(line, sizeof(line) - 1, &ev), 0);
	cr_expect_eq(ev.host_name.len, 7);
	cr_expect(memcmp(line + ev.host_name.off, "ve\0dge\xff", 7) == 0);
	cr_expect_eq(ev.state_up, 1);
	cr_expect_eq(ev.n_kv, 2);
}

Test(ftmd, kv_find)
{
	static const char line[] = BFD_LINE;
	struct ftmd_event ev;
	struct span v;

	cr_assert_eq(ftmd_parse(line, sizeof(line) - 1, &ev), 0);
	cr_expect_eq(ftmd_kv_find(&ev, line, "flap-reason", &v), 1);
	cr_expect(span_eq(line, v, "timeout"));
	cr_expect_eq(ftmd_kv_find(&ev, line, "remote-color", NULL), 1);
	cr_expect_eq(ftmd_kv_find(&ev, line, "remote", &v), 0);
	cr_expect_eq(ftmd_kv_find(&ev, line, "flap-reasonX", &v), 0);
}

/* ---- JSON ---- */

static json_t *
to_json(const char *line, size_t len, struct ftmd_event *ev)
{
	json_t *obj = json_object();

	cr_assert_not_null(obj);
	ftmd_parse(line, len, ev);
	cr_assert_eq(ftmd_event_to_json(ev, line, obj), 0);
	return obj;
}

static const char *
jstr(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

Test(ftmd_json, bfd_line)
{
	static const char line[] = BFD_LINE;
	struct ftmd_event ev;
	json_t *o = to_json(line, sizeof(line) - 1, &ev), *f;

	cr_expect_str_eq(jstr(o, "vendor"), "viptela");
	cr_expect_str_eq(jstr(o, "tag_host"), "vedge01");
	cr_expect_str_eq(jstr(o, "proc"), "ftmd");
	cr_expect_str_eq(jstr(o, "mnemonic"), "INFO");
	cr_expect_eq(json_integer_value(json_object_get(o, "tag_severity")), 6);
	cr_expect_eq(json_integer_value(json_object_get(o, "msgid")), 1400002);
	cr_expect_str_eq(jstr(o, "kind"), "bfd_state_change");
	cr_expect_str_eq(jstr(o, "event"), "bfd-state-change");
	cr_expect_str_eq(jstr(o, "notif_time"), "2021-07-13T10:00:00");
	cr_expect_str_eq(jstr(o, "system_ip"), "4.0.5.1");
	cr_expect_str_eq(jstr(o, "new_state"), "down");
	cr_expect_eq(json_integer_value(json_object_get(o, "state_up")), 0);
	cr_expect_null(json_object_get(o, "vpn"));
	cr_expect_null(json_object_get(o, "if_name"));
	f = json_object_get(o, "fields");
	cr_assert(json_is_object(f));
	cr_expect_eq(json_object_size(f), 15);
	cr_expect_str_eq(jstr(f, "flap-reason"), "timeout");
	cr_expect_str_eq(jstr(f, "remote-color"), "mpls");
	json_decref(o);
}

Test(ftmd_json, free_text_and_cisco)
{
	static const char a[] =
	    "%Viptela-LONDSR01-FTMD-6-INFO-1000001: VPN 1 Interface ipsec2 DOWN";
	static const char b[] =
	    "%Cisco-SDWAN-LAB-SDWAN-POD1-EDGE-2-OMPD-5-NTCE-400003: "
	    "Operational state changed to UP";
	struct ftmd_event ev;
	json_t *o;

	o = to_json(a, sizeof(a) - 1, &ev);
	cr_expect_str_eq(jstr(o, "kind"), "interface_state_change");
	cr_expect_str_eq(jstr(o, "if_name"), "ipsec2");
	cr_expect_eq(json_integer_value(json_object_get(o, "vpn")), 1);
	cr_expect_null(json_object_get(o, "fields"));
	cr_expect_null(json_object_get(o, "event"));
	cr_expect_null(json_object_get(o, "notif_time"));
	json_decref(o);
	o = to_json(b, sizeof(b) - 1, &ev);
	cr_expect_str_eq(jstr(o, "vendor"), "cisco-sdwan");
	cr_expect_str_eq(jstr(o, "tag_host"), "LAB-SDWAN-POD1-EDGE-2");
	cr_expect_str_eq(jstr(o, "kind"), "omp_operational_state_change");
	cr_expect_eq(json_integer_value(json_object_get(o, "state_up")), 1);
	json_decref(o);
}

Test(ftmd_json, invalid_utf8_replaced_nul_kept)
{
	static const char line[] =
	    "%Viptela-vedge01-ftmd-6-INFO-1400002: Notification: "
	    "interface-state-change host-name:\"ve\0dge\xff\" x:\xc3\x28 "
	    "y:\xed\xa0\x80 z:\xe2\x82\xac e:\xf0\x9f\x98\x80 o:\xc0\xaf "
	    "b:\xf4\x90\x80\x80 f:a\xf8" "b if-name:\"ipsec2\" t:\xe2\x82";
	struct ftmd_event ev;
	json_t *o = to_json(line, sizeof(line) - 1, &ev), *f, *h;

	h = json_object_get(o, "host_name");
	cr_assert_not_null(h);
	cr_expect_eq(json_string_length(h), 9);
	cr_expect(memcmp(json_string_value(h), "ve\0dge\xEF\xBF\xBD", 9) == 0);
	f = json_object_get(o, "fields");
	cr_expect_str_eq(jstr(f, "x"), "\xEF\xBF\xBD(");
	/* a UTF-16 surrogate encoded in UTF-8 is invalid: 3 replacements */
	cr_expect_str_eq(jstr(f, "y"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	cr_expect_str_eq(jstr(f, "z"), "\xe2\x82\xac");	/* valid euro sign */
	cr_expect_str_eq(jstr(f, "e"), "\xf0\x9f\x98\x80");	/* valid 4 bytes */
	/* overlong '/', above U+10FFFF, bad first byte, truncated at end */
	cr_expect_str_eq(jstr(f, "o"), "\xEF\xBF\xBD\xEF\xBF\xBD");
	cr_expect_str_eq(jstr(f, "b"),
	    "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	cr_expect_str_eq(jstr(f, "f"), "a\xEF\xBF\xBD" "b");
	cr_expect_str_eq(jstr(f, "t"), "\xEF\xBF\xBD\xEF\xBF\xBD");
	cr_expect(json_string_length(json_object_get(o, "body")) > 0);
	json_decref(o);
}

Test(ftmd_json, duplicates_first_wins_and_dropped)
{
	char line[4096];
	struct ftmd_event ev;
	json_t *o, *f;
	int n, i;

	n = snprintf(line, sizeof(line), "%%Viptela-v-ftmd-6-INFO-1400002: "
	    "Notification: foo a:1 a:2");
	for (i = 0; i < 50; i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " k%d:x", i);
	o = to_json(line, (size_t)n, &ev);
	f = json_object_get(o, "fields");
	cr_expect_str_eq(jstr(f, "a"), "1");
	cr_expect_eq(json_object_size(f), FTMD_MAX_KV - 1);
	cr_expect_eq(json_integer_value(json_object_get(o, "dropped_fields")),
	    52 - FTMD_MAX_KV);
	cr_expect_str_eq(jstr(o, "kind"), "viptela_notification");
	json_decref(o);
}

Test(ftmd_json, nomatch_and_malformed)
{
	static const char a[] = "charon: 16[IKE] no acceptable proposal found";
	static const char b[] = "%Viptela-";
	struct ftmd_event ev;
	json_t *o;

	o = to_json(a, sizeof(a) - 1, &ev);
	cr_expect_null(json_object_get(o, "vendor"));
	cr_expect_str_eq(jstr(o, "kind"), "viptela_other");
	cr_expect_null(json_object_get(o, "msgid"));
	json_decref(o);
	o = to_json(b, sizeof(b) - 1, &ev);
	cr_expect_str_eq(jstr(o, "vendor"), "viptela");
	cr_expect_null(json_object_get(o, "tag_host"));
	json_decref(o);
}
