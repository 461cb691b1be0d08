/*
 * main.c — `tunnelwatch`: command-line parsing and dispatch.
 *
 *   tunnelwatch serve   [options]           collect syslog over UDP and TCP
 *   tunnelwatch import  [options] FILE...   load log files (plain, .gz, -)
 *   tunnelwatch parse   [options] [FILE|-]  show what the parsers understand
 *
 * Options come from defaults, then the --config file, then flags.
 */
#include "cli.h"
#include "config.h"
#include "log.h"
#include "util.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_DB = 1000, OPT_CONFIG, OPT_UDP, OPT_TCP, OPT_RCVBUF, OPT_MAX_FRAME,
	OPT_IDLE, OPT_MAX_CONNS, OPT_MAX_CONNS_IP, OPT_QUEUE_BYTES, OPT_QUEUE_MSGS,
	OPT_BATCH, OPT_FLUSH, OPT_GRACE, OPT_STATS, OPT_TZ, OPT_YEAR, OPT_LOG,
	OPT_LATENESS, OPT_STUCK, OPT_FLAP_COUNT, OPT_FLAP_WINDOW, OPT_HALF_LIFE,
	OPT_FLEET_MIN, OPT_FLEET_WINDOW, OPT_CORR_INTERVAL, OPT_RET_MSGS, OPT_RET_EVENTS,
	OPT_UDP_ALLOW, OPT_TCP_ALLOW, OPT_RATE, OPT_TZ_RULE,
	OPT_SINCE, OPT_FORMAT, OPT_OUT, OPT_JSON, OPT_STATE, OPT_FLAPPING, OPT_BFD, OPT_DEVICE,
	OPT_TUNNEL, OPT_ROOT_CAUSE, OPT_AROUND, OPT_WINDOW, OPT_KEEP,
	OPT_STRICT,
};

static const struct option main_options[] = {
	{ "db", required_argument, NULL, OPT_DB },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "udp", required_argument, NULL, OPT_UDP },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "udp-rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "max-frame", required_argument, NULL, OPT_MAX_FRAME },
	{ "tcp-idle-timeout", required_argument, NULL, OPT_IDLE },
	{ "tcp-max-conns", required_argument, NULL, OPT_MAX_CONNS },
	{ "tcp-max-conns-per-ip", required_argument, NULL, OPT_MAX_CONNS_IP },
	{ "queue-max-bytes", required_argument, NULL, OPT_QUEUE_BYTES },
	{ "queue-max-messages", required_argument, NULL, OPT_QUEUE_MSGS },
	{ "batch-rows", required_argument, NULL, OPT_BATCH },
	{ "flush-interval", required_argument, NULL, OPT_FLUSH },
	{ "shutdown-grace", required_argument, NULL, OPT_GRACE },
	{ "stats-interval", required_argument, NULL, OPT_STATS },
	{ "timezone", required_argument, NULL, OPT_TZ },
	{ "timezones", required_argument, NULL, OPT_TZ_RULE },
	{ "year", required_argument, NULL, OPT_YEAR },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "log-level", required_argument, NULL, OPT_LOG },
	{ "lateness", required_argument, NULL, OPT_LATENESS },
	{ "stuck-after", required_argument, NULL, OPT_STUCK },
	{ "flap-count", required_argument, NULL, OPT_FLAP_COUNT },
	{ "flap-window", required_argument, NULL, OPT_FLAP_WINDOW },
	{ "flap-half-life", required_argument, NULL, OPT_HALF_LIFE },
	{ "fleet-min-devices", required_argument, NULL, OPT_FLEET_MIN },
	{ "fleet-window", required_argument, NULL, OPT_FLEET_WINDOW },
	{ "correlate-interval", required_argument, NULL, OPT_CORR_INTERVAL },
	{ "retention-messages", required_argument, NULL, OPT_RET_MSGS },
	{ "retention-events", required_argument, NULL, OPT_RET_EVENTS },
	{ "udp-allow", required_argument, NULL, OPT_UDP_ALLOW },
	{ "tcp-allow", required_argument, NULL, OPT_TCP_ALLOW },
	{ "sender-rate-limit", required_argument, NULL, OPT_RATE },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "out", required_argument, NULL, OPT_OUT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "flapping", no_argument, NULL, OPT_FLAPPING },
	{ "bfd", no_argument, NULL, OPT_BFD },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "tunnel", required_argument, NULL, OPT_TUNNEL },
	{ "root-cause", required_argument, NULL, OPT_ROOT_CAUSE },
	{ "around", required_argument, NULL, OPT_AROUND },
	{ "window", required_argument, NULL, OPT_WINDOW },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
main_usage(FILE *f)
{
	fprintf(f,
	    "usage: tunnelwatch <command> [options]\n"
	    "\n"
	    "commands:\n"
	    "  serve               collect syslog over UDP and TCP into SQLite\n"
	    "  import FILE...      load log files: plain, .gz, or - for stdin;\n"
	    "                      rotated sets (messages, messages.1, messages.2.gz) in order\n"
	    "  parse [FILE|-]      print what the parsers make of each line, as JSON\n"
	    "  report              the fleet report: HTML, Markdown or JSON (docs/report.md)\n"
	    "  tunnels             tunnels and their state (v_tunnels)\n"
	    "  incidents           incidents with their root cause (v_incidents)\n"
	    "  timeline            one tunnel's lines around a time, in device-time order\n"
	    "  help                this text\n"
	    "  --version           the version\n"
	    "\n"
	    "common options:\n"
	    "  --db PATH                 database (default ./tunnelwatch.db)\n"
	    "  --config FILE             JSON configuration (docs/configuration.md)\n"
	    "  --timezone ZONE           zone of device clocks without an offset: +HH:MM,\n"
	    "                            UTC or a tzdata name like Europe/Berlin (UTC)\n"
	    "  --timezones HOST=ZONE     per device, repeatable; CIDR=ZONE per sender range\n"
	    "  --log-level LEVEL         error, warning, info (default), debug\n"
	    "serve:\n"
	    "  --udp HOST:PORT           UDP listener, repeatable (default 127.0.0.1:5514)\n"
	    "  --tcp HOST:PORT           TCP listener, repeatable (default 127.0.0.1:5514)\n"
	    "  --udp-rcvbuf SIZE         socket receive buffer (32M)\n"
	    "  --max-frame SIZE          longest message kept (64K)\n"
	    "  --tcp-idle-timeout DUR    close silent connections (15m; 0 = never)\n"
	    "  --tcp-max-conns N         (4096)   --tcp-max-conns-per-ip N  (64)\n"
	    "  --queue-max-bytes SIZE    (512M)   --queue-max-messages N    (4000000)\n"
	    "  --batch-rows N            (20000)  --flush-interval DUR      (200ms)\n"
	    "  --shutdown-grace DUR      (5s)     --stats-interval DUR      (60s)\n"
	    "  --udp-allow CIDR          accept UDP only from these senders (repeatable)\n"
	    "  --tcp-allow CIDR          accept TCP only from these senders (repeatable)\n"
	    "  --sender-rate-limit N     messages per second per sender (0 = off)\n"
	    "  --retention-messages DUR  prune raw messages older than this (30d)\n"
	    "  --retention-events DUR    prune events and incidents older than this (400d)\n"
	    "import, parse:\n"
	    "  --year YYYY               year of RFC 3164 lines (default: inferred)\n"
	    "  --strict                  import: fail when a file has no header understood\n"
	    "correlator (serve, import):\n"
	    "  --stuck-after DUR         down this long without recovery: stuck (5m)\n"
	    "  --flap-count N            flaps within --flap-window: flapping (3)\n"
	    "  --flap-window DUR         (1h)     --flap-half-life DUR   flap score decay (15m)\n"
	    "  --lateness DUR            how late a line may arrive (2m)\n"
	    "  --fleet-min-devices N     devices losing one peer: a fleet event (3)\n"
	    "  --fleet-window DUR        ... starting within this window (2m)\n"
	    "  --correlate-interval DUR  how often serve correlates (1s)\n"
	    "report, tunnels, incidents, timeline (docs/querying.md):\n"
	    "  --since PERIOD            24h, 7d, a time, TIME/TIME or TIME/DUR (report: 24h)\n"
	    "  --format html|md|json     report format (default from --out's extension, else html)\n"
	    "  --out FILE                write the report there (default stdout)\n"
	    "  --json                    tunnels, incidents, timeline: the view's rows as JSON\n"
	    "  --state STATE             tunnels: up, down, negotiating, unknown\n"
	    "  --flapping                tunnels: only those flapping\n"
	    "  --bfd                     tunnels: the BFD (overlay) sessions instead\n"
	    "  --device HOST|SYSTEM-IP   incidents, tunnels, timeline\n"
	    "  --tunnel NAME             incidents, timeline (ipsec2)\n"
	    "  --root-cause CAUSE        incidents: dpd_timeout, pfs_mismatch, ...\n"
	    "  --around TIME             timeline: centre (default: its latest incident)\n"
	    "  --window DUR              timeline: lines this far either side (15m)\n");
}

static int
main_parse_options(int argc, char **argv, struct config *cfg)
{
	char err[512];
	const char *udp[CFG_MAX_LISTENERS], *tcp[CFG_MAX_LISTENERS];
	int n_udp = 0, n_tcp = 0, c, i;
	int64_t dur;
	uint64_t size;

	/* The config file first, so that flags override it. */
	for (i = 1; i < argc; i++) {
		const char *path = NULL;
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[i + 1];
		else if (strncmp(argv[i], "--config=", 9) == 0)
			path = argv[i] + 9;
		if (path != NULL && cfg_load_file(cfg, path, err, sizeof err) != 0) {
			fprintf(stderr, "tunnelwatch: config: %s\n", err);
			return -1;
		}
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", main_options, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			snprintf(cfg->db_path, sizeof cfg->db_path, "%s", optarg);
			break;
		case OPT_CONFIG:
			break;
		case OPT_UDP:
		case OPT_TCP:
			if ((c == OPT_UDP ? n_udp : n_tcp) >= CFG_MAX_LISTENERS)
				goto bad;
			if (c == OPT_UDP)
				udp[n_udp++] = optarg;
			else
				tcp[n_tcp++] = optarg;
			break;
		case OPT_RCVBUF:
			if (util_parse_size(optarg, &cfg->udp_rcvbuf) != 0)
				goto bad;
			break;
		case OPT_MAX_FRAME:
			if (util_parse_size(optarg, &size) != 0 || size < 480 ||
			    size > 16 * 1024 * 1024)
				goto bad;
			cfg->max_frame = (uint32_t)size;
			break;
		case OPT_QUEUE_BYTES:
			if (util_parse_size(optarg, &cfg->queue_max_bytes) != 0)
				goto bad;
			break;
		case OPT_QUEUE_MSGS:
			if (util_parse_size(optarg, &cfg->queue_max_msgs) != 0)
				goto bad;
			break;
		case OPT_LATENESS:
		case OPT_STUCK:
		case OPT_FLAP_WINDOW:
		case OPT_HALF_LIFE:
		case OPT_FLEET_WINDOW:
		case OPT_CORR_INTERVAL:
		case OPT_RET_MSGS:
		case OPT_RET_EVENTS: {
			static const struct { int opt; size_t off; } durs[] = {
				{ OPT_LATENESS, offsetof(struct config, lateness_us) },
				{ OPT_STUCK, offsetof(struct config, stuck_after_us) },
				{ OPT_FLAP_WINDOW, offsetof(struct config, flap_window_us) },
				{ OPT_HALF_LIFE, offsetof(struct config, flap_half_life_us) },
				{ OPT_FLEET_WINDOW, offsetof(struct config, fleet_window_us) },
				{ OPT_CORR_INTERVAL, offsetof(struct config, corr_interval_us) },
				{ OPT_RET_MSGS, offsetof(struct config, retention_messages_us) },
				{ OPT_RET_EVENTS, offsetof(struct config, retention_events_us) },
			};
			if (util_parse_duration(optarg, &dur) != 0)
				goto bad;
			for (i = 0; i < (int)(sizeof durs / sizeof durs[0]); i++)
				if (durs[i].opt == c)
					*(int64_t *)((char *)cfg + durs[i].off) = dur;
			break;
		}
		case OPT_FLAP_COUNT:
		case OPT_FLEET_MIN:
		case OPT_KEEP: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 1000000)
				goto bad;
			if (c == OPT_FLAP_COUNT)
				cfg->flap_count = (int)v;
			else if (c == OPT_FLEET_MIN)
				cfg->fleet_min_devices = (int)v;
			else
				cfg->q.keep = (int)v;
			break;
		}
		case OPT_UDP_ALLOW:
		case OPT_TCP_ALLOW: {
			struct cfg_cidr *list = c == OPT_UDP_ALLOW ? cfg->udp_allow : cfg->tcp_allow;
			int *n = c == OPT_UDP_ALLOW ? &cfg->n_udp_allow : &cfg->n_tcp_allow;
			if (*n >= CFG_MAX_CIDR || cfg_parse_cidr(optarg, &list[*n]) != 0)
				goto bad;
			(*n)++;
			break;
		}
		case OPT_RATE:
			if (util_parse_size(optarg, &cfg->sender_rate_limit) != 0)
				goto bad;
			break;
		case OPT_SINCE: cfg->q.since = optarg; break;
		case OPT_FORMAT: cfg->q.format = optarg; break;
		case OPT_OUT: cfg->q.out = optarg; break;
		case OPT_JSON: cfg->q.json = 1; break;
		case OPT_STRICT: cfg->import_strict = 1; break;
		case OPT_STATE: cfg->q.state = optarg; break;
		case OPT_FLAPPING: cfg->q.flapping = 1; break;
		case OPT_BFD: cfg->q.bfd = 1; break;
		case OPT_DEVICE: cfg->q.device = optarg; break;
		case OPT_TUNNEL: cfg->q.tunnel = optarg; break;
		case OPT_ROOT_CAUSE: cfg->q.root_cause = optarg; break;
		case OPT_AROUND: cfg->q.around = optarg; break;
		case OPT_WINDOW: cfg->q.window = optarg; break;
		case OPT_IDLE:
		case OPT_FLUSH:
		case OPT_GRACE:
		case OPT_STATS:
			if (util_parse_duration(optarg, &dur) != 0)
				goto bad;
			if (c == OPT_IDLE)
				cfg->tcp_idle_timeout_us = dur;
			else if (c == OPT_FLUSH)
				cfg->flush_us = dur > 1000 ? dur : 1000;
			else if (c == OPT_GRACE)
				cfg->shutdown_grace_us = dur;
			else
				cfg->stats_interval_us = dur > 1000000 ? dur : 1000000;
			break;
		case OPT_MAX_CONNS:
		case OPT_MAX_CONNS_IP:
		case OPT_BATCH:
		case OPT_YEAR: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 10000000)
				goto bad;
			if (c == OPT_MAX_CONNS)
				cfg->tcp_max_conns = (int)v;
			else if (c == OPT_MAX_CONNS_IP)
				cfg->tcp_max_conns_per_ip = (int)v;
			else if (c == OPT_BATCH)
				cfg->batch_rows = (int)v;
			else if (v < 1970 || v > 9999)
				goto bad;
			else
				cfg->import_year = (int)v;
			break;
		}
		case OPT_TZ: {
			struct cfg_zone z;
			if (cfg_parse_zone(cfg, optarg, &z, err, sizeof err) != 0)
				goto bad_zone;
			cfg->tz_default_off_min = z.off_min;
			cfg->tz_default_zone = z.zone;
			break;
		}
		case OPT_TZ_RULE: {
			char key[256];
			const char *eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg || (size_t)(eq - optarg) >= sizeof key)
				goto bad;
			memcpy(key, optarg, (size_t)(eq - optarg));
			key[eq - optarg] = '\0';
			if (cfg_add_tz_rule(cfg, key, eq + 1, err, sizeof err) != 0)
				goto bad_zone;
			break;
		}
		case OPT_LOG:
			if (strcmp(optarg, "error") == 0)
				cfg->log_level = LOG_LVL_ERROR;
			else if (strcmp(optarg, "warning") == 0)
				cfg->log_level = LOG_LVL_WARN;
			else if (strcmp(optarg, "info") == 0)
				cfg->log_level = LOG_LVL_INFO;
			else if (strcmp(optarg, "debug") == 0)
				cfg->log_level = LOG_LVL_DEBUG;
			else
				goto bad;
			break;
		case 'h':
			main_usage(stdout);
			exit(0);
		default:
			main_usage(stderr);
			return -1;
		}
	}
	if (n_udp > 0 || n_tcp > 0)
		cfg->n_udp = cfg->n_tcp = 0;
	for (i = 0; i < n_udp; i++)
		if (cfg_add_listener(cfg, 0, udp[i], err, sizeof err) != 0)
			goto bad_listener;
	for (i = 0; i < n_tcp; i++)
		if (cfg_add_listener(cfg, 1, tcp[i], err, sizeof err) != 0)
			goto bad_listener;
	return 0;
bad:
	fprintf(stderr, "tunnelwatch: bad value for %s: '%s'\n", argv[optind - 1], optarg);
	return -1;
bad_listener:
	fprintf(stderr, "tunnelwatch: listener %s\n", err);
	return -1;
bad_zone:
	fprintf(stderr, "tunnelwatch: %s\n", err);
	return -1;
}

int
main(int argc, char **argv)
{
	struct config *cfg;
	const char *cmd;
	char err[256];
	int rc;

	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("tunnelwatch %s\n", TW_VERSION);
		return 0;
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		main_usage(stdout);
		return 0;
	}
	if ((cfg = malloc(sizeof *cfg)) == NULL)
		return 1;
	cfg_defaults(cfg);
	if (main_parse_options(argc - 1, argv + 1, cfg) != 0) {
		cfg_free(cfg);
		free(cfg);
		return 2;
	}
	log_init(cfg->log_level, isatty(2));
	if (strcmp(cmd, "serve") == 0) {
		if (cfg->n_udp == 0 && cfg->n_tcp == 0 &&
		    (cfg_add_listener(cfg, 0, "127.0.0.1:5514", err, sizeof err) != 0 ||
		    cfg_add_listener(cfg, 1, "127.0.0.1:5514", err, sizeof err) != 0)) {
			cfg_free(cfg);
			free(cfg);
			return 1;
		}
		rc = serve_run(cfg);
	} else if (strcmp(cmd, "import") == 0) {
		rc = import_run(cfg, argc - 1 - optind, argv + 1 + optind);
	} else if (strcmp(cmd, "parse") == 0) {
		rc = parse_run(cfg, argc - 1 - optind, argv + 1 + optind);
	} else if (strcmp(cmd, "report") == 0) {
		rc = report_run(cfg);
	} else if (strcmp(cmd, "tunnels") == 0) {
		rc = tunnels_run(cfg);
	} else if (strcmp(cmd, "incidents") == 0) {
		rc = incidents_run(cfg);
	} else if (strcmp(cmd, "timeline") == 0) {
		rc = timeline_run(cfg);
	} else {
		fprintf(stderr, "tunnelwatch: unknown command '%s'\n", cmd);
		main_usage(stderr);
		rc = 2;
	}
	cfg_free(cfg);
	free(cfg);
	return rc;
}
