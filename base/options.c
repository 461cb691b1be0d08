/*
 * options.c — the options table and everything it drives: getopt_long per
 * command, the JSON config loader, `tunnelwatch help` and per-command
 * `--help` (see options.h).
 *
 * Design: a value reaches struct config only through opt_set(), whether
 * it came from argv, the config file or the table's own default, so the
 * type, the range and the error wording are the same on every path.
 * Durations need a unit everywhere ("24" could be seconds or hours; only
 * 0 goes without one).  A repeatable list given on the command line
 * replaces the file's list; the listeners (udp, tcp) are replaced as a
 * pair, as docs/configuration.md says.
 */
#include "options.h"
#include "log.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define K 1024LL
#define SEC 1000000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define NOMAX INT64_MAX

#define F(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)

#define C_SERVE OPT_IN(OPT_CMD_SERVE)
#define C_IMPORT OPT_IN(OPT_CMD_IMPORT)
#define C_PARSE OPT_IN(OPT_CMD_PARSE)
#define C_REPORT OPT_IN(OPT_CMD_REPORT)
#define C_TUNNELS OPT_IN(OPT_CMD_TUNNELS)
#define C_INCIDENTS OPT_IN(OPT_CMD_INCIDENTS)
#define C_TIMELINE OPT_IN(OPT_CMD_TIMELINE)
#define C_ALL (OPT_IN(OPT_N_CMDS) - 1)
#define C_DB (C_ALL & ~C_PARSE)                       /* commands with a database */
#define C_LINES (C_SERVE | C_IMPORT | C_PARSE)        /* commands that read log lines */
#define C_CORR (C_SERVE | C_IMPORT)                   /* commands that correlate */
#define C_QUERY (C_TUNNELS | C_INCIDENTS | C_TIMELINE)

static const struct opt_command opt_commands[OPT_N_CMDS] = {
	[OPT_CMD_SERVE] = { "serve", "", 0,
	    "collect syslog over UDP and TCP into SQLite" },
	[OPT_CMD_IMPORT] = { "import", "FILE...", -1,
	    "load log files: plain, .gz, or - for stdin; rotated sets in order" },
	[OPT_CMD_PARSE] = { "parse", "[FILE|-]...", -1,
	    "print what the parsers make of each line, as JSON" },
	[OPT_CMD_REPORT] = { "report", "", 0,
	    "the fleet report: HTML, Markdown or JSON (docs/report.md)" },
	[OPT_CMD_TUNNELS] = { "tunnels", "", 0,
	    "tunnels and their state (v_tunnels)" },
	[OPT_CMD_INCIDENTS] = { "incidents", "", 0,
	    "incidents with their root cause (v_incidents)" },
	[OPT_CMD_TIMELINE] = { "timeline", "", 0,
	    "one tunnel's lines around a time, in device-time order" },
};

/*
 * One row per option.  Ranges are in the stored unit (microseconds,
 * bytes, a count).  Where the flag and the config file disagreed before
 * this table, the range chosen is said in the commit that made it.
 */
static const struct opt_def opt_rows[] = {
	/* every command */
	{ "config", NULL, OPT_T_CONFIG, "FILE", NULL, 0, 0, F(config_path), C_ALL, 0, NULL,
	  "JSON configuration, read before the other flags (docs/configuration.md)", NULL },
	{ "db", "db", OPT_T_PATH, "PATH", "tunnelwatch.db", 0, 0, F(db_path), C_DB, 0, NULL,
	  "the SQLite database, or a PostgreSQL server (a postgresql:// URI, "
	  "docs/scale-out.md)", NULL },
	{ "log-level", "log_level", OPT_T_LEVEL, "LEVEL", "info", 0, 0, F(log_level), C_ALL, 0, NULL,
	  "error, warning, info or debug, on stderr", NULL },

	/* where and what to listen on */
	{ "udp", "udp", OPT_T_LISTEN, "HOST:PORT", "127.0.0.1:5514", 0, 0, F(udp), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "UDP listener, repeatable", NULL },
	{ "tcp", "tcp", OPT_T_LISTEN, "HOST:PORT", "127.0.0.1:5514", 0, 0, F(tcp), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "TCP listener, repeatable", NULL },
	{ "tls", "tls", OPT_T_LISTEN, "HOST[:PORT]", "none", 0, 0, F(tls), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "TLS listener (RFC 5425, port 6514), repeatable", NULL },
	{ "relp", "relp", OPT_T_LISTEN, "HOST:PORT", "none", 0, 0, F(relp), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL,
	  "RELP listener (rsyslog omrelp: acknowledged once in the spool), repeatable", NULL },
	{ "udp-rcvbuf", "udp_rcvbuf", OPT_T_SIZE, "SIZE", "32M", 4 * K, 1024 * K * K, F(udp_rcvbuf),
	  C_SERVE, 0, "bytes", "receive buffer asked per UDP socket", NULL },

	/* limits */
	{ "max-frame", "max_frame", OPT_T_SIZE, "SIZE", "64K", 480, 16 * K * K, F(max_frame),
	  C_LINES, 0, "bytes", "longest message kept", NULL },
	{ "tcp-idle-timeout", "tcp_idle_timeout", OPT_T_DURATION, "DUR", "15m", 0, 30 * DAY,
	  F(tcp_idle_timeout_us), C_SERVE, 0, NULL, "close silent TCP connections; 0 = never", NULL },
	{ "tcp-max-conns", "tcp_max_conns", OPT_T_INT, "N", "4096", 1, 1000000, F(tcp_max_conns),
	  C_SERVE, 0, "connections", "TCP connections in total", NULL },
	{ "tcp-max-conns-per-ip", "tcp_max_conns_per_ip", OPT_T_INT, "N", "64", 1, 1000000,
	  F(tcp_max_conns_per_ip), C_SERVE, 0, "connections", "TCP connections per source address",
	  NULL },
	{ "queue-max-bytes", "queue_max_bytes", OPT_T_SIZE, "SIZE", "64M", 64 * K, NOMAX,
	  F(queue_max_bytes), C_SERVE, 0, "bytes", "memory for messages waiting for the writer "
	  "(more waits in the spool)", NULL },
	{ "queue-max-messages", "queue_max_messages", OPT_T_INT, "N", "500000", 1, 1000000000,
	  F(queue_max_msgs), C_SERVE, 0, "messages", "messages waiting for the writer in memory",
	  NULL },
	{ NULL, "spool", OPT_T_FLAG, NULL, "on", 0, 0, F(spool), C_SERVE, 0, NULL,
	  "every message read is written to the disk spool before it is parsed", NULL },
	{ "no-spool", NULL, OPT_T_FLAG, NULL, "off", 0, 0, F(no_spool), C_SERVE, OPTF_SHOWN, NULL,
	  "no disk spool: a crash loses what the writer has not committed", NULL },
	{ "spool-dir", "spool_dir", OPT_T_PATH, "DIR", "DB.spool", 0, 0, F(spool_dir), C_SERVE,
	  OPTF_SHOWN, NULL, "the spool's segment files (created 0750); required with a "
	  "PostgreSQL --db", NULL },
	{ NULL, "spool_sync", OPT_T_DURATION, "DUR", "100ms", 1000, 10 * SEC,
	  F(spool_sync_us), C_SERVE, 0, NULL, "fdatasync the spool this often (power-loss window)",
	  NULL },
	{ NULL, "spool_max_bytes", OPT_T_SIZE, "SIZE", "1G", 256 * K, NOMAX,
	  F(spool_max_bytes), C_SERVE, 0, "bytes",
	  "spool not yet committed; full: TCP paused, UDP dropped", NULL },
	{ "udp-allow", "udp_allow", OPT_T_CIDR, "CIDR", "everyone", 0, 0, F(udp_allow), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL,
	  "accept UDP only from these senders (CIDR=HOST,HOST: speaking only for those), repeatable",
	  NULL },
	{ "tcp-allow", "tcp_allow", OPT_T_CIDR, "CIDR", "everyone", 0, 0, F(tcp_allow), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL,
	  "accept TCP, TLS and RELP only from these senders (CIDR=HOST,HOST as for UDP), repeatable",
	  NULL },
	{ "sender-rate-limit", "sender_rate_limit", OPT_T_INT, "N", "0", 0, 1000000000,
	  F(sender_rate_limit), C_SERVE, 0, "messages/s", "per sender address; 0 = off", NULL },
	{ NULL, "user", OPT_T_PATH, "NAME", "none", 0, 0, F(user), C_SERVE, OPTF_SHOWN, NULL,
	  "serve started as root runs as this user once its listeners are bound", NULL },

	/* TLS (docs/tls.md) */
	{ "tls-cert", "tls_cert", OPT_T_PATH, "FILE", "none", 0, 0, F(tls_cert), C_SERVE, OPTF_SHOWN,
	  NULL, "the server's certificate chain (PEM)", NULL },
	{ "tls-key", "tls_key", OPT_T_PATH, "FILE", "none", 0, 0, F(tls_key), C_SERVE, OPTF_SHOWN,
	  NULL, "its private key (PEM)", NULL },
	{ "tls-ca", "tls_ca", OPT_T_PATH, "FILE", "none", 0, 0, F(tls_ca), C_SERVE, OPTF_SHOWN,
	  NULL, "CA certificates trusted for client certificates (PEM)", NULL },
	{ "tls-client-auth", "tls_client_auth", OPT_T_CHOICE, "MODE", "required", 0, 0,
	  F(tls_client_auth), C_SERVE, 0, NULL, "client certificates: none, optional or required",
	  "none|optional|required" },
	{ NULL, "tls_ciphers", OPT_T_PATH, "LIST", "ECDHE+AESGCM:ECDHE+CHACHA20", 0, 0,
	  F(tls_ciphers), C_SERVE, 0, NULL, "TLS 1.2 ciphers (OpenSSL cipher list)", NULL },
	{ NULL, "tls_ciphersuites", OPT_T_PATH, "LIST", "OpenSSL's", 0, 0,
	  F(tls_ciphersuites), C_SERVE, OPTF_SHOWN, NULL, "TLS 1.3 suites (OpenSSL syntax)", NULL },
	{ NULL, "tls_handshake_timeout", OPT_T_DURATION, "DUR", "10s", SEC,
	  HOUR, F(tls_handshake_timeout_us), C_SERVE, 0, NULL,
	  "close a connection whose handshake takes longer", NULL },
	{ NULL, "tls_max_handshakes", OPT_T_INT, "N", "256", 1, 1000000,
	  F(tls_max_handshakes), C_SERVE, 0, "handshakes", "TLS handshakes in progress at once",
	  NULL },
	{ NULL, "tls_bind_identity", OPT_T_FLAG, NULL, "off", 0, 0,
	  F(tls_bind_identity), C_SERVE, OPTF_SHOWN, NULL,
	  "a TLS client speaks only for the devices its certificate names", NULL },
	{ NULL, "tls_identity_map", OPT_T_PATH, "FILE", "none", 0, 0,
	  F(tls_identity_map), C_SERVE, OPTF_SHOWN, NULL,
	  "certificate name -> the hosts it may speak for (docs/tls.md)", NULL },

	/* the live web view and /metrics (docs/web.md, docs/metrics.md) */
	{ "http", "http", OPT_T_ADDR, "HOST:PORT", "off", 0, 0, F(http), C_SERVE, 0, NULL,
	  "serve the live web view and /metrics here; off = none", NULL },
	{ NULL, "http_allow", OPT_T_CIDR, "CIDR", "loopback", 0, 0, F(http_allow), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "web clients served without a login, repeatable", NULL },
	{ NULL, "http_token_file", OPT_T_PATH, "FILE", "none", 0, 0, F(http_token_file),
	  C_SERVE, OPTF_SHOWN, NULL, "a file holding the bearer token the pages ask for", NULL },
	{ NULL, "http_auth_file", OPT_T_PATH, "FILE", "none", 0, 0, F(http_auth_file),
	  C_SERVE, OPTF_SHOWN, NULL, "a file of USER:PASSWORD lines for basic auth", NULL },
	{ "reports-dir", "reports_dir", OPT_T_PATH, "DIR", "/var/lib/tunnelwatch/reports", 0, 0,
	  F(reports_dir), C_SERVE, 0, NULL, "the nightly reports the web view lists", NULL },

	/* storage */
	{ "batch-rows", "batch_rows", OPT_T_INT, "N", "20000", 1, 10000000, F(batch_rows), C_CORR,
	  0, "rows", "commit after this many rows ...", NULL },
	{ "flush-interval", "flush_interval", OPT_T_DURATION, "DUR", "200ms", 1000, HOUR, F(flush_us),
	  C_SERVE, 0, NULL, "... or this long, whichever comes first", NULL },
	{ "stats-interval", "stats_interval", OPT_T_DURATION, "DUR", "60s", SEC, DAY,
	  F(stats_interval_us), C_SERVE, 0, NULL, "write counters to stats and log a summary", NULL },
	{ "shutdown-grace", "shutdown_grace", OPT_T_DURATION, "DUR", "5s", 0, HOUR,
	  F(shutdown_grace_us), C_SERVE, 0, NULL, "longest drain after SIGTERM", NULL },
	{ "retention-messages", "retention_messages", OPT_T_DURATION, "DUR", "30d", SEC,
	  36500 * DAY, F(retention_messages_us), C_SERVE, 0, NULL,
	  "prune raw messages older than this", NULL },
	{ "retention-events", "retention_events", OPT_T_DURATION, "DUR", "400d", SEC, 36500 * DAY,
	  F(retention_events_us), C_SERVE, 0, NULL,
	  "prune events, incidents and transport events older than this", NULL },

	/* time */
	{ "timezone", "timezone", OPT_T_ZONE, "ZONE", "UTC", 0, 0, F(tz_default_off_min), C_LINES,
	  0, NULL, "zone of device clocks without an offset: +HH:MM, UTC, Europe/Berlin", NULL },
	{ "timezones", "timezones", OPT_T_ZONE_RULE, "KEY=ZONE", "none", 0, 0, F(tz), C_LINES,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "per device HOST=ZONE or sender range CIDR=ZONE, repeatable",
	  NULL },
	{ "year", NULL, OPT_T_INT, "YYYY", "inferred", 1970, 9999, F(import_year),
	  C_IMPORT | C_PARSE, OPTF_SHOWN, NULL, "year of RFC 3164 lines", "a 4-digit year" },
	{ "strict", NULL, OPT_T_FLAG, NULL, "off", 0, 0, F(import_strict), C_IMPORT, OPTF_SHOWN, NULL,
	  "fail when a file has no syslog header understood", NULL },

	/* correlator */
	{ "stuck-after", "stuck_after", OPT_T_DURATION, "DUR", "5m", 0, 30 * DAY, F(stuck_after_us),
	  C_CORR, 0, NULL, "down this long without recovery: stuck", NULL },
	{ "flap-count", "flap_count", OPT_T_INT, "N", "3", 1, 1000, F(flap_count),
	  C_CORR | C_REPORT, 0, "flaps", "flaps within --flap-window: flapping", NULL },
	{ "flap-window", "flap_window", OPT_T_DURATION, "DUR", "1h", SEC, 30 * DAY,
	  F(flap_window_us), C_CORR, 0, NULL, "the window of --flap-count", NULL },
	{ "flap-half-life", "flap_half_life", OPT_T_DURATION, "DUR", "15m", SEC, 30 * DAY,
	  F(flap_half_life_us), C_CORR, 0, NULL, "half-life of the flap score", NULL },
	{ "lateness", "lateness", OPT_T_DURATION, "DUR", "5s", 0, DAY, F(lateness_us), C_CORR, 0,
	  NULL, "reorder window: how late (device time) a line may arrive and still be "
	  "applied in order; a later one derives its tunnel again", NULL },
	{ "fleet-min-devices", "fleet_min_devices", OPT_T_INT, "N", "3", 2, 100000,
	  F(fleet_min_devices), C_CORR, 0, "devices", "devices losing one peer: a fleet event", NULL },
	{ "fleet-window", "fleet_window", OPT_T_DURATION, "DUR", "2m", SEC, DAY, F(fleet_window_us),
	  C_CORR, 0, NULL, "... starting within this window", NULL },
	{ "correlate-interval", "correlate_interval", OPT_T_DURATION, "DUR", "1s", 1000, HOUR,
	  F(corr_interval_us), C_SERVE, 0, NULL, "how often serve runs the correlator", NULL },

	/* alerts (docs/alerts.md) */
	{ "alert-webhook", NULL, OPT_T_WEBHOOK, "URL", "none", 0, 0, F(alerts), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "POST each alert as JSON (generic preset) to URL, "
	  "repeatable", NULL },
	{ "alert-exec", NULL, OPT_T_EXEC, "COMMAND", "none", 0, 0, F(alerts), C_SERVE,
	  OPTF_REPEAT | OPTF_SHOWN, NULL, "run COMMAND (sh -c) with each alert's JSON on stdin, "
	  "repeatable", NULL },
	{ NULL, "alerts", OPT_T_ALERTS, "OBJECT", "none", 0, 0, F(alerts), C_SERVE, OPTF_SHOWN,
	  NULL, "alert destinations, rules, debounce (docs/alerts.md)", NULL },

	/* report and queries (docs/querying.md) */
	{ "since", NULL, OPT_T_PERIOD, "PERIOD", "24h", 0, 0, F(q.since), C_REPORT | C_INCIDENTS,
	  OPTF_SHOWN, NULL, "24h, 7d, a time, TIME/TIME or TIME/DUR; incidents: all when not given",
	  NULL },
	{ "format", NULL, OPT_T_CHOICE, "FORMAT", "html", 0, 0, F(q.format), C_REPORT, OPTF_SHOWN,
	  NULL, "html, md or json; without it, --out's extension decides", "html|md|json" },
	{ "out", NULL, OPT_T_TEXT, "FILE", "stdout", 0, 0, F(q.out), C_REPORT, OPTF_SHOWN, NULL,
	  "write the report there", NULL },
	{ "json", NULL, OPT_T_FLAG, NULL, "off", 0, 0, F(q.json), C_QUERY, OPTF_SHOWN, NULL,
	  "the view's rows as JSON", NULL },
	{ "state", NULL, OPT_T_CHOICE, "STATE", "all", 0, 0, F(q.state), C_TUNNELS, OPTF_SHOWN, NULL,
	  "only tunnels in this state", "up|down|negotiating|unknown" },
	{ "flapping", NULL, OPT_T_FLAG, NULL, "off", 0, 0, F(q.flapping), C_TUNNELS, OPTF_SHOWN,
	  NULL, "only tunnels flapping", NULL },
	{ "bfd", NULL, OPT_T_FLAG, NULL, "off", 0, 0, F(q.bfd), C_TUNNELS, OPTF_SHOWN, NULL,
	  "the BFD (overlay) sessions instead", NULL },
	{ "device", NULL, OPT_T_TEXT, "HOST", "all", 0, 0, F(q.device), C_QUERY, OPTF_SHOWN, NULL,
	  "hostname or system-ip", NULL },
	{ "tunnel", NULL, OPT_T_TEXT, "NAME", "all", 0, 0, F(q.tunnel), C_INCIDENTS | C_TIMELINE,
	  OPTF_SHOWN, NULL, "tunnel name (ipsec2); timeline: required with --device", NULL },
	{ "root-cause", NULL, OPT_T_TEXT, "CAUSE", "all", 0, 0, F(q.root_cause), C_INCIDENTS,
	  OPTF_SHOWN, NULL, "dpd_timeout, pfs_mismatch, ... (docs/querying.md)", NULL },
	{ "around", NULL, OPT_T_TEXT, "TIME", "latest incident", 0, 0, F(q.around), C_TIMELINE,
	  OPTF_SHOWN, NULL, "centre of the timeline", NULL },
	{ "raw", NULL, OPT_T_FLAG, NULL, "off", 0, 0, F(q.raw), C_REPORT | C_TIMELINE, OPTF_SHOWN,
	  NULL, "log lines as received (the frame), not as device-time host program: message",
	  NULL },
	{ "window", NULL, OPT_T_DURATION, "DUR", "15m", SEC, 36500 * DAY, F(q.window_us),
	  C_TIMELINE, 0, NULL, "lines this far either side", NULL },
};

#define OPT_N_ROWS (sizeof opt_rows / sizeof opt_rows[0])

const struct opt_def *
opt_table(size_t *n)
{
	*n = OPT_N_ROWS;
	return opt_rows;
}

const struct opt_command *
opt_command_info(enum opt_cmd cmd)
{
	return (int)cmd >= 0 && (int)cmd < OPT_N_CMDS ? &opt_commands[cmd] : NULL;
}

int
opt_command_find(const char *name)
{
	int i;

	for (i = 0; i < OPT_N_CMDS; i++)
		if (strcmp(opt_commands[i].name, name) == 0)
			return i;
	return -1;
}

const struct opt_def *
opt_find_flag(const char *flag)
{
	size_t i;

	for (i = 0; i < OPT_N_ROWS; i++)
		if (opt_rows[i].flag != NULL && strcmp(opt_rows[i].flag, flag) == 0)
			return &opt_rows[i];
	return NULL;
}

const struct opt_def *
opt_find_key(const char *key)
{
	size_t i;

	for (i = 0; i < OPT_N_ROWS; i++)
		if (opt_rows[i].key != NULL && strcmp(opt_rows[i].key, key) == 0)
			return &opt_rows[i];
	return NULL;
}

int
opt_distance(const char *a, const char *b)
{
	int prev[64], cur[64];
	size_t la = strlen(a), lb = strlen(b), i, j;

	if (la >= 63 || lb >= 63)
		return 9;
	for (j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			int del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(int) * (lb + 1));
	}
	return prev[lb] > 9 ? 9 : prev[lb];
}

/* "64K", "16M", "480": the largest binary unit that divides v exactly. */
static const char *
opt_fmt_size(char *buf, size_t sz, int64_t v)
{
	static const char units[] = "GMK";
	int64_t m = K * K * K;
	int i;

	for (i = 0; i < 3; i++, m /= K) {
		if (v >= m && v % m == 0) {
			snprintf(buf, sz, "%lld%c", (long long)(v / m), units[i]);
			return buf;
		}
	}
	snprintf(buf, sz, "%lld", (long long)v);
	return buf;
}

/* "0", "250ms", "90s", "15m", "36500d": the largest unit dividing us. */
const char *
opt_fmt_duration(char *buf, size_t sz, int64_t us)
{
	static const struct { int64_t us; const char *u; } units[] = {
		{ DAY, "d" }, { HOUR, "h" }, { MIN, "m" }, { SEC, "s" }, { 1000, "ms" },
	};
	size_t i;

	if (us == 0) {
		snprintf(buf, sz, "0");
		return buf;
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (us % units[i].us == 0) {
			snprintf(buf, sz, "%lld%s", (long long)(us / units[i].us), units[i].u);
			return buf;
		}
	}
	snprintf(buf, sz, "%lldus", (long long)us);
	return buf;
}

/* The words after "expected" for d: the type's (or the row's) and the range. */
static const char *
opt_expect(const struct opt_def *d, char *buf, size_t sz)
{
	char lo[32], hi[32];

	switch (d->type) {
	case OPT_T_INT:
		snprintf(buf, sz, "%s %lld..%lld", d->expect != NULL ? d->expect : "an integer",
		    (long long)d->min, (long long)d->max);
		break;
	case OPT_T_SIZE:
		opt_fmt_size(lo, sizeof lo, d->min);
		if (d->max == NOMAX)
			snprintf(buf, sz, "a size like 65536, 64K or 32M, at least %s", lo);
		else
			snprintf(buf, sz, "a size like 65536, 64K or 32M, %s..%s", lo,
			    opt_fmt_size(hi, sizeof hi, d->max));
		break;
	case OPT_T_DURATION:
		snprintf(buf, sz, "a duration with a unit like 250ms, 90s, 30m, 24h, 7d; %s..%s",
		    opt_fmt_duration(lo, sizeof lo, d->min), opt_fmt_duration(hi, sizeof hi, d->max));
		break;
	case OPT_T_PERIOD:
		snprintf(buf, sz, "a duration with a unit like 24h, 7d, 30m, 90s, a time like "
		    "2024-06-18T00:00:00Z, TIME/TIME or TIME/DURATION");
		break;
	case OPT_T_CHOICE:
		snprintf(buf, sz, "one of %s", d->expect);
		break;
	case OPT_T_LEVEL:
		snprintf(buf, sz, "error, warning, info or debug");
		break;
	case OPT_T_LISTEN:
		snprintf(buf, sz, "HOST:PORT like 0.0.0.0:514 or [::]:514, at most %d",
		    CFG_MAX_LISTENERS);
		break;
	case OPT_T_ADDR:
		snprintf(buf, sz, "HOST:PORT like 127.0.0.1:8080 or [::1]:8080, or off");
		break;
	case OPT_T_CIDR:
		snprintf(buf, sz, "an address or range like 192.0.2.0/24, optionally =HOST,HOST "
		    "(the hosts it may speak for), at most %d", CFG_MAX_CIDR);
		break;
	case OPT_T_ZONE:
		snprintf(buf, sz, "+HH:MM, UTC or a zone name like Europe/Berlin");
		break;
	case OPT_T_ZONE_RULE:
		snprintf(buf, sz, "HOST=ZONE or CIDR=ZONE, ZONE as +HH:MM, UTC or Europe/Berlin");
		break;
	case OPT_T_WEBHOOK:
		snprintf(buf, sz, "an http:// or https:// URL, at most %d destinations",
		    CFG_MAX_ALERT_DESTS);
		break;
	case OPT_T_EXEC:
		snprintf(buf, sz, "a command, at most %d destinations", CFG_MAX_ALERT_DESTS);
		break;
	case OPT_T_ALERTS:
		snprintf(buf, sz, "an object (docs/alerts.md)");
		break;
	case OPT_T_PATH:
	case OPT_T_CONFIG:
		snprintf(buf, sz, "a path shorter than %zu bytes", d->size);
		break;
	default:
		snprintf(buf, sz, "%s", d->expect != NULL ? d->expect : "a value");
		break;
	}
	return buf;
}

static int
opt_bad(const struct opt_def *d, const char *name, const char *text, const char *why,
    char *err, size_t errsz)
{
	char exp[256];

	if (why != NULL)
		snprintf(err, errsz, "%s: bad value '%.200s' (%s)", name, text, why);
	else
		snprintf(err, errsz, "%s: bad value '%.200s' (expected %s)", name, text,
		    opt_expect(d, exp, sizeof exp));
	return -1;
}

/* A duration that says its unit: "0", or a number followed by ms, s, m, h, d. */
static int
opt_parse_duration(const char *s, int64_t *us)
{
	size_t n = strlen(s), i;

	for (i = 0; i < n && (s[i] == '0' || s[i] == '.'); i++)
		;
	if (n > 0 && i == n && s[0] == '0') {
		*us = 0;
		return 0;
	}
	if (n == 0 || !isalpha((unsigned char)s[n - 1]))
		return -1;
	return util_parse_duration(s, us);
}

/* A bare number ("24") anywhere in a --since period: refused, it needs a unit. */
static int
opt_period_ok(const char *s)
{
	const char *slash = strchr(s, '/');
	const char *parts[2] = { s, slash != NULL ? slash + 1 : NULL };
	size_t lens[2] = { slash != NULL ? (size_t)(slash - s) : strlen(s),
	    slash != NULL ? strlen(slash + 1) : 0 };
	int i;

	if (*s == '\0' || (slash != NULL && (lens[0] == 0 || lens[1] == 0)))
		return 0;
	for (i = 0; i < 2 && parts[i] != NULL; i++) {
		size_t j;
		for (j = 0; j < lens[i] && (isdigit((unsigned char)parts[i][j]) ||
		    parts[i][j] == '.'); j++)
			;
		if (j == lens[i])
			return 0;
	}
	return 1;
}

static int
opt_parse_int(const char *s, int64_t *v)
{
	char *end;
	long long x;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

static void
opt_store(struct config *cfg, const struct opt_def *d, int64_t v)
{
	char *p = (char *)cfg + d->off;

	if (d->size == sizeof(int32_t)) {
		int32_t x = (int32_t)v;
		memcpy(p, &x, sizeof x);
	} else {
		memcpy(p, &v, sizeof v);
	}
}

int64_t
opt_get(const struct config *cfg, const struct opt_def *d)
{
	const char *p = (const char *)cfg + d->off;

	if (d->size == sizeof(int32_t)) {
		int32_t x;
		memcpy(&x, p, sizeof x);
		return d->type == OPT_T_SIZE ? (int64_t)(uint32_t)x : x;
	}
	if (d->size == sizeof(int64_t)) {
		int64_t x;
		memcpy(&x, p, sizeof x);
		return x;
	}
	return 0;
}

/* The list an OPT_T_CIDR row fills, and its count. */
static struct cfg_cidr *
opt_cidr_list(struct config *cfg, const struct opt_def *d, int **n)
{
	if (d->off == offsetof(struct config, tcp_allow)) {
		*n = &cfg->n_tcp_allow;
		return cfg->tcp_allow;
	}
	if (d->off == offsetof(struct config, http_allow)) {
		*n = &cfg->n_http_allow;
		return cfg->http_allow;
	}
	*n = &cfg->n_udp_allow;
	return cfg->udp_allow;
}

int
opt_set(struct config *cfg, const struct opt_def *d, const char *name, const char *text,
    char *err, size_t errsz)
{
	char why[256];
	int64_t v;
	uint64_t u;

	switch (d->type) {
	case OPT_T_FLAG:
		opt_store(cfg, d, 1);
		return 0;
	case OPT_T_CONFIG:
	case OPT_T_PATH:
		/* "" is "none" for the files whose default is none (OPTF_SHOWN:
		 * the field starts empty), as the example configuration writes. */
		if ((*text == '\0' && !(d->type == OPT_T_PATH && (d->fl & OPTF_SHOWN))) ||
		    strlen(text) >= d->size)
			return opt_bad(d, name, text, NULL, err, errsz);
		memcpy((char *)cfg + d->off, text, strlen(text) + 1);
		return 0;
	case OPT_T_TEXT:
		memcpy((char *)cfg + d->off, &text, sizeof text);
		return 0;
	case OPT_T_PERIOD:
		if (!opt_period_ok(text))
			return opt_bad(d, name, text, NULL, err, errsz);
		memcpy((char *)cfg + d->off, &text, sizeof text);
		return 0;
	case OPT_T_CHOICE: {
		size_t n = strlen(text);
		const char *w = d->expect, *bar;
		for (; w != NULL; w = bar != NULL ? bar + 1 : NULL) {
			bar = strchr(w, '|');
			if ((bar != NULL ? (size_t)(bar - w) : strlen(w)) == n &&
			    strncmp(w, text, n) == 0) {
				if (d->size == sizeof text)     /* a pointer (argv) */
					memcpy((char *)cfg + d->off, &text, sizeof text);
				else                            /* a char array */
					snprintf((char *)cfg + d->off, d->size, "%s", text);
				return 0;
			}
		}
		return opt_bad(d, name, text, NULL, err, errsz);
	}
	case OPT_T_INT:
		if (opt_parse_int(text, &v) != 0 || v < d->min || v > d->max)
			return opt_bad(d, name, text, NULL, err, errsz);
		opt_store(cfg, d, v);
		return 0;
	case OPT_T_SIZE:
		if (util_parse_size(text, &u) != 0 || u > (uint64_t)INT64_MAX ||
		    (int64_t)u < d->min || (int64_t)u > d->max)
			return opt_bad(d, name, text, NULL, err, errsz);
		opt_store(cfg, d, (int64_t)u);
		return 0;
	case OPT_T_DURATION:
		if (opt_parse_duration(text, &v) != 0 || v < d->min || v > d->max)
			return opt_bad(d, name, text, NULL, err, errsz);
		opt_store(cfg, d, v);
		return 0;
	case OPT_T_LEVEL: {
		static const char *const names[] = { "error", "warning", "info", "debug" };
		static const int levels[] = { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO,
		    LOG_LVL_DEBUG };
		size_t i;
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			if (strcmp(text, names[i]) == 0) {
				opt_store(cfg, d, levels[i]);
				return 0;
			}
		}
		return opt_bad(d, name, text, NULL, err, errsz);
	}
	case OPT_T_LISTEN:
		if (cfg_add_listener(cfg, d->off == offsetof(struct config, relp) ? CFG_RELP :
		    d->off == offsetof(struct config, tls) ? CFG_TLS :
		    d->off == offsetof(struct config, tcp) ? CFG_TCP : CFG_UDP, text, why,
		    sizeof why) != 0)
			return opt_bad(d, name, text, why, err, errsz);
		return 0;
	case OPT_T_ADDR:
		if (strcmp(text, "off") == 0) {
			cfg->http_on = 0;
			return 0;
		}
		if (util_parse_hostport(text, &cfg->http.addr, why, sizeof why) != 0)
			return opt_bad(d, name, text, why, err, errsz);
		snprintf(cfg->http.text, sizeof cfg->http.text, "%s", text);
		cfg->http_on = 1;
		return 0;
	case OPT_T_CIDR: {
		int *n;
		struct cfg_cidr *list = opt_cidr_list(cfg, d, &n);
		/* http_allow is addresses only; the senders' lists may also name
		 * the hosts a range speaks for (cfg_parse_allow). */
		if (*n >= CFG_MAX_CIDR || (d->off == offsetof(struct config, http_allow) ?
		    cfg_parse_cidr(text, &list[*n]) : cfg_parse_allow(text, &list[*n])) != 0)
			return opt_bad(d, name, text, NULL, err, errsz);
		(*n)++;
		return 0;
	}
	case OPT_T_ZONE: {
		struct cfg_zone z;
		if (cfg_parse_zone(cfg, text, &z, why, sizeof why) != 0)
			return opt_bad(d, name, text, why, err, errsz);
		cfg->tz_default_off_min = z.off_min;
		cfg->tz_default_zone = z.zone;
		return 0;
	}
	case OPT_T_ZONE_RULE: {
		char key[256];
		const char *eq = strchr(text, '=');
		if (eq == NULL || eq == text || (size_t)(eq - text) >= sizeof key)
			return opt_bad(d, name, text, NULL, err, errsz);
		memcpy(key, text, (size_t)(eq - text));
		key[eq - text] = '\0';
		if (cfg_add_tz_rule(cfg, key, eq + 1, why, sizeof why) != 0)
			return opt_bad(d, name, text, why, err, errsz);
		return 0;
	}
	case OPT_T_WEBHOOK:
	case OPT_T_EXEC:
		if (cfg_alert_add_flag(cfg, d->type == OPT_T_EXEC, text, why, sizeof why) != 0)
			return opt_bad(d, name, text, why, err, errsz);
		return 0;
	case OPT_T_ALERTS:
		break;
	}
	snprintf(err, errsz, "%s: unknown option type", name);
	return -1;
}

/* A repeatable list emptied before the first item a new source gives. */
static void
opt_clear_list(struct config *cfg, const struct opt_def *d)
{
	if (d->type == OPT_T_CIDR) {
		int *n;
		(void)opt_cidr_list(cfg, d, &n);
		*n = 0;
	} else if (d->type == OPT_T_LISTEN) {
		if (d->off == offsetof(struct config, relp))
			cfg->n_relp = 0;
		else if (d->off == offsetof(struct config, tls))
			cfg->n_tls = 0;
		else if (d->off == offsetof(struct config, tcp))
			cfg->n_tcp = 0;
		else
			cfg->n_udp = 0;
	}
}

void
opt_defaults(struct config *cfg)
{
	char err[256];
	size_t i;

	memset(cfg, 0, sizeof *cfg);
	/* The "alerts" object's own defaults (docs/alerts.md). */
	cfg->alerts.debounce_us = 30 * SEC;
	cfg->alerts.interval_us = 1 * SEC;
	for (i = 0; i < OPT_N_ROWS; i++) {
		const struct opt_def *d = &opt_rows[i];
		/* The table's own defaults are tested to apply (test_options.c). */
		if (d->def != NULL && !(d->fl & OPTF_SHOWN))
			(void)opt_set(cfg, d, d->key != NULL ? d->key : d->flag, d->def, err,
			    sizeof err);
	}
}

/* ---- the JSON config file ---- */

/* Closest name to s among the keys (or the flags of cmd when flags). */
static const char *
opt_closest(const char *s, int flags, unsigned cmds)
{
	const char *best = NULL;
	int bestd = 9;
	size_t i, n = strlen(s);

	for (i = 0; i < OPT_N_ROWS; i++) {
		const char *name = flags ? opt_rows[i].flag : opt_rows[i].key;
		int dist;
		if (name == NULL || (flags && !(opt_rows[i].cmds & cmds)))
			continue;
		dist = opt_distance(s, name);
		/* prefix of a longer name: "--stuck" for --stuck-after */
		if (n >= 3 && strncmp(name, s, n) == 0 && dist > 1)
			dist = 1;
		if (dist < bestd) {
			bestd = dist;
			best = name;
		}
	}
	return bestd <= 2 || (bestd <= 3 && n >= 9) ? best : NULL;
}

static int
opt_json_value(struct config *cfg, const struct opt_def *d, const char *name, json_t *v,
    char *err, size_t errsz)
{
	char num[32], *dump;
	int rc;

	if (json_is_string(v))
		return opt_set(cfg, d, name, json_string_value(v), err, errsz);
	if (json_is_integer(v) && d->type != OPT_T_PATH && d->type != OPT_T_LEVEL &&
	    d->type != OPT_T_ZONE) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
		return opt_set(cfg, d, name, num, err, errsz);
	}
	if (json_is_boolean(v) && d->type == OPT_T_FLAG) {
		opt_store(cfg, d, json_is_true(v));
		return 0;
	}
	dump = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	rc = opt_bad(d, name, dump != NULL ? dump : "?", NULL, err, errsz);
	free(dump);
	return rc;
}

static int
opt_json_key(struct config *cfg, const struct opt_def *d, const char *key, json_t *v,
    char *err, size_t errsz)
{
	char name[300], exp[256];
	const char *host;
	json_t *item;
	size_t i;

	if (d->type == OPT_T_ZONE_RULE) {
		if (!json_is_object(v)) {
			snprintf(err, errsz, "%s: expected an object {\"hostname\": \"+09:00\", "
			    "\"192.0.2.0/24\": \"Europe/Berlin\"}", key);
			return -1;
		}
		json_object_foreach(v, host, item) {
			char why[256];
			snprintf(name, sizeof name, "%s.%s", key, host);
			if (!json_is_string(item))
				return opt_bad(d, name, "?", "expected +HH:MM, UTC or a zone name "
				    "like Europe/Berlin", err, errsz);
			if (cfg_add_tz_rule(cfg, host, json_string_value(item), why,
			    sizeof why) != 0) {
				snprintf(err, errsz, "%s", why);
				return -1;
			}
		}
		return 0;
	}
	if (d->type == OPT_T_ALERTS)
		return cfg_alerts_from_json(cfg, v, err, errsz);
	if (d->fl & OPTF_REPEAT) {
		if (!json_is_array(v)) {
			snprintf(err, errsz, "%s: expected an array of %s", key,
			    opt_expect(d, exp, sizeof exp));
			return -1;
		}
		opt_clear_list(cfg, d);
		json_array_foreach(v, i, item) {
			snprintf(name, sizeof name, "%s[%zu]", key, i);
			if (opt_json_value(cfg, d, name, item, err, errsz) != 0)
				return -1;
		}
		return 0;
	}
	return opt_json_value(cfg, d, key, v, err, errsz);
}

static int
opt_load_json(struct config *cfg, json_t *root, const char *name, char *err, size_t errsz)
{
	char why[512];
	const char *key, *near;
	json_t *v;

	if (!json_is_object(root)) {
		snprintf(err, errsz, "%s: expected a JSON object", name);
		return -1;
	}
	json_object_foreach(root, key, v) {
		const struct opt_def *d;
		if (key[0] == '_' || strcmp(key, "comment") == 0)
			continue;       /* notes in an example file */
		if ((d = opt_find_key(key)) == NULL) {
			near = opt_closest(key, 0, 0);
			snprintf(err, errsz, "%s: unknown key \"%.100s\"%s%s%s", name, key,
			    near != NULL ? " (did you mean \"" : "", near != NULL ? near : "",
			    near != NULL ? "\"?)" : "");
			return -1;
		}
		if (opt_json_key(cfg, d, key, v, why, sizeof why) != 0) {
			snprintf(err, errsz, "%s: %s", name, why);
			return -1;
		}
	}
	return 0;
}

int
opt_load_json_text(struct config *cfg, const char *text, const char *name, char *err,
    size_t errsz)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	if ((root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errsz, "%s:%d: %s", name, jerr.line, jerr.text);
		return -1;
	}
	rc = opt_load_json(cfg, root, name, err, errsz);
	json_decref(root);
	return rc;
}

int
opt_load_json_file(struct config *cfg, const char *path, char *err, size_t errsz)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		snprintf(err, errsz, "%s:%d: %s", path, jerr.line, jerr.text);
		return -1;
	}
	snprintf(cfg->config_path, sizeof cfg->config_path, "%s", path);
	rc = opt_load_json(cfg, root, path, err, errsz);
	json_decref(root);
	return rc;
}

/* ---- the command line ---- */

#define OPT_VAL0 1000

/* "import, parse": the commands taking d's flag. */
static const char *
opt_owners(const struct opt_def *d, char *buf, size_t sz)
{
	size_t used = 0;
	int c;

	buf[0] = '\0';
	for (c = 0; c < OPT_N_CMDS; c++) {
		if (!(d->cmds & OPT_IN(c)) || used >= sz)
			continue;
		snprintf(buf + used, sz - used, "%s%s", used > 0 ? ", " : "", opt_commands[c].name);
		used = strlen(buf);
	}
	return buf;
}

/* The message for a token getopt did not accept. */
static void
opt_unknown(enum opt_cmd cmd, const char *tok, int optopt_c, char *err, size_t errsz)
{
	char name[64], owners[128] = "";
	const struct opt_def *d;
	const char *near, *eq;
	size_t n, i;
	int hits = 0;

	if (strncmp(tok, "--", 2) != 0) {
		snprintf(err, errsz, "unknown option '-%c'", optopt_c != 0 ? optopt_c : '?');
		return;
	}
	eq = strchr(tok + 2, '=');
	n = eq != NULL ? (size_t)(eq - tok - 2) : strlen(tok + 2);
	snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), tok + 2);
	if ((d = opt_find_flag(name)) != NULL) {
		if (d->cmds & OPT_IN(cmd)) {
			snprintf(err, errsz, "--%s takes no value", name);
			return;
		}
		snprintf(err, errsz, "--%s is not an option of %s (it is one of %s)", name,
		    opt_commands[cmd].name, opt_owners(d, owners, sizeof owners));
		return;
	}
	for (i = 0; i < OPT_N_ROWS; i++)
		if (opt_rows[i].flag != NULL && (opt_rows[i].cmds & OPT_IN(cmd)) &&
		    n > 0 && strncmp(opt_rows[i].flag, name, n) == 0)
			hits++;
	if (hits > 1) {
		snprintf(err, errsz, "option '--%s' is ambiguous; write it out in full", name);
		return;
	}
	if ((near = opt_closest(name, 1, OPT_IN(cmd))) != NULL) {
		snprintf(err, errsz, "unknown option '--%s' (did you mean --%s?)", name, near);
	} else if ((near = opt_closest(name, 1, C_ALL)) != NULL) {
		snprintf(err, errsz, "unknown option '--%s' (--%s is an option of %s, not %s)",
		    name, near, opt_owners(opt_find_flag(near), owners, sizeof owners),
		    opt_commands[cmd].name);
	} else {
		snprintf(err, errsz, "unknown option '--%s'", name);
	}
}

/* The argv element getopt_long just returned: the option, not its value. */
static const char *
opt_token(char **argv)
{
	if (optarg != NULL && optarg == argv[optind - 1] && optind >= 2)
		return argv[optind - 2];
	return argv[optind - 1];
}

/* 1 when the option was written in full ("-h" counts as --help). */
static int
opt_exact(char **argv, const char *name)
{
	const char *tok = opt_token(argv), *eq;
	size_t n;

	if (strncmp(tok, "--", 2) != 0)
		return 1;
	eq = strchr(tok + 2, '=');
	n = eq != NULL ? (size_t)(eq - tok - 2) : strlen(tok + 2);
	return strlen(name) == n && strncmp(tok + 2, name, n) == 0;
}

int
opt_parse_argv(struct config *cfg, enum opt_cmd cmd, int argc, char **argv, int *first_arg,
    char *err, size_t errsz)
{
	struct option lo[OPT_N_ROWS + 2];
	unsigned char cleared[OPT_N_ROWS];
	char why[512];
	int nlo = 0, c, pass, listeners_cleared = 0, li = 0;
	size_t i;

	memset(cleared, 0, sizeof cleared);
	for (i = 0; i < OPT_N_ROWS; i++) {
		if (opt_rows[i].flag == NULL || !(opt_rows[i].cmds & OPT_IN(cmd)))
			continue;
		lo[nlo].name = opt_rows[i].flag;
		lo[nlo].has_arg = opt_rows[i].type == OPT_T_FLAG ? no_argument : required_argument;
		lo[nlo].flag = NULL;
		lo[nlo].val = OPT_VAL0 + (int)i;
		nlo++;
	}
	lo[nlo++] = (struct option){ "help", no_argument, NULL, 'h' };
	lo[nlo] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	/* Pass 0 loads --config, so that pass 1's flags override the file. */
	for (pass = 0; pass < 2; pass++) {
		optind = 0;
		while ((c = getopt_long(argc, argv, ":h", lo, &li)) != -1) {
			const struct opt_def *d;
			if (pass == 1 && c != '?' && c != ':' && !opt_exact(argv, lo[li].name)) {
				/* getopt takes "--stuck" for --stuck-after: a typo must not */
				opt_unknown(cmd, opt_token(argv), 0, err, errsz);
				return -1;
			}
			if (c == 'h') {
				if (pass == 1)
					return 1;
				continue;
			}
			if (c == '?' || c == ':') {
				if (pass == 0)
					continue;
				if (c == ':') {
					d = strncmp(argv[optind - 1], "--", 2) == 0 ?
					    opt_find_flag(argv[optind - 1] + 2) : NULL;
					snprintf(err, errsz, "%s: missing value (expected %s)",
					    argv[optind - 1], d != NULL ? opt_expect(d, why,
					    sizeof why) : "a value");
				} else {
					opt_unknown(cmd, argv[optind - 1], optopt, err, errsz);
				}
				return -1;
			}
			d = &opt_rows[c - OPT_VAL0];
			if (d->type == OPT_T_CONFIG) {
				if (pass == 1)
					continue;
				if (strlen(optarg) >= sizeof cfg->config_path) {
					return opt_bad(d, "--config", optarg, NULL, err, errsz);
				}
				if (opt_load_json_file(cfg, optarg, why, sizeof why) != 0) {
					snprintf(err, errsz, "--config: %s", why);
					return -1;
				}
				continue;
			}
			if (pass == 0)
				continue;
			/* Flags replace the file's lists; the listeners as a pair. */
			if (d->type == OPT_T_LISTEN && !listeners_cleared) {
				cfg->n_udp = cfg->n_tcp = 0;
				listeners_cleared = 1;
			} else if (d->type == OPT_T_CIDR && !cleared[c - OPT_VAL0]) {
				opt_clear_list(cfg, d);
				cleared[c - OPT_VAL0] = 1;
			}
			snprintf(why, sizeof why, "--%s", d->flag);
			if (opt_set(cfg, d, why, optarg != NULL ? optarg : "", err, errsz) != 0)
				return -1;
		}
	}
	if (opt_commands[cmd].max_args >= 0 && argc - optind > opt_commands[cmd].max_args) {
		snprintf(err, errsz, "unexpected argument '%.200s' (%s takes %s)", argv[optind],
		    opt_commands[cmd].name, opt_commands[cmd].max_args == 0 ? "no arguments" :
		    opt_commands[cmd].args);
		return -1;
	}
	*first_arg = optind;
	return 0;
}

/* ---- help ---- */

void
opt_print_help(FILE *f)
{
	int c;

	fprintf(f, "usage: tunnelwatch <command> [options]\n\ncommands:\n");
	for (c = 0; c < OPT_N_CMDS; c++)
		fprintf(f, "  %-10s %s\n", opt_commands[c].name, opt_commands[c].summary);
	fprintf(f, "  %-10s %s\n", "help", "this text; help COMMAND: that command's options");
	fprintf(f, "  %-10s %s\n", "--version", "the version");
	fprintf(f, "\n'tunnelwatch COMMAND --help' lists a command's options; "
	    "docs/configuration.md the config file.\n");
}

/* "(default 64K bytes; 480..16M)" for the help line of d. */
void
opt_help_default(const struct opt_def *d, char *buf, size_t sz)
{
	char lo[32], hi[32];

	buf[0] = '\0';
	if (d->def == NULL)
		return;
	if (d->type == OPT_T_INT && !(d->fl & OPTF_SHOWN))
		snprintf(buf, sz, " (default %s%s%s; %lld..%lld)", d->def, d->unit ? " " : "",
		    d->unit ? d->unit : "", (long long)d->min, (long long)d->max);
	else if (d->type == OPT_T_INT)
		snprintf(buf, sz, " (default %s; %lld..%lld)", d->def, (long long)d->min,
		    (long long)d->max);
	else if (d->type == OPT_T_SIZE && d->max != NOMAX)
		snprintf(buf, sz, " (default %s bytes; %s..%s)", d->def,
		    opt_fmt_size(lo, sizeof lo, d->min), opt_fmt_size(hi, sizeof hi, d->max));
	else if (d->type == OPT_T_SIZE)
		snprintf(buf, sz, " (default %s bytes)", d->def);
	else
		snprintf(buf, sz, " (default %s)", d->def);
}

void
opt_print_command_help(FILE *f, enum opt_cmd cmd)
{
	const struct opt_command *c = &opt_commands[cmd];
	char left[64], def[128];
	size_t i;

	fprintf(f, "usage: tunnelwatch %s [options]%s%s\n%s\n\noptions:\n", c->name,
	    c->args[0] != '\0' ? " " : "", c->args, c->summary);
	for (i = 0; i < OPT_N_ROWS; i++) {
		const struct opt_def *d = &opt_rows[i];
		if (d->flag == NULL || !(d->cmds & OPT_IN(cmd)))
			continue;
		snprintf(left, sizeof left, "--%s%s%s", d->flag, d->arg != NULL ? " " : "",
		    d->arg != NULL ? d->arg : "");
		opt_help_default(d, def, sizeof def);
		fprintf(f, "  %-26s %s%s\n", left, d->help, def);
	}
	fprintf(f, "  %-26s %s\n", "--help", "this text");
	fprintf(f, "Durations need a unit: 250ms, 90s, 30m, 24h, 7d.\n");
}
