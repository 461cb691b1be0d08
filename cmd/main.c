/*
 * main.c — `tunnelwatch`: command-line parsing and dispatch.
 *
 *   tunnelwatch serve   [options]           collect syslog over UDP and TCP
 *   tunnelwatch import  [options] FILE...   load log files (plain, .gz, -)
 *   tunnelwatch parse   [options] [FILE|-]  show what the parsers understand
 *
 * Options come from defaults, then the --config file, then flags, all
 * through the options table (base/options.c), which also prints the help.
 */
#include "cli.h"
#include "config.h"
#include "log.h"
#include "options.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct config *cfg;
	char err[1024];
	int cmd, first = 0, rc;

	if (argc < 2) {
		opt_print_help(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("tunnelwatch %s\n", TW_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		if (argc == 2) {
			opt_print_help(stdout);
			return 0;
		}
		if (argc == 3 && strcmp(argv[2], "--man") == 0) {
			opt_print_man(stdout);      /* tunnelwatch(8), base/manpage.c */
			return fflush(stdout) == 0 ? 0 : 1;
		}
		if ((cmd = opt_command_find(argv[2])) < 0 || argc > 3) {
			fprintf(stderr, "tunnelwatch: error: help: no command '%s'\n"
			    "run 'tunnelwatch help' for the commands\n", argv[argc > 3 ? 3 : 2]);
			return 2;
		}
		opt_print_command_help(stdout, (enum opt_cmd)cmd);
		return 0;
	}
	if ((cmd = opt_command_find(argv[1])) < 0) {
		fprintf(stderr, "tunnelwatch: error: unknown command '%s'\n"
		    "run 'tunnelwatch help' for the commands\n", argv[1]);
		return 2;
	}
	if ((cfg = malloc(sizeof *cfg)) == NULL)
		return 1;
	cfg_defaults(cfg);
	rc = opt_parse_argv(cfg, (enum opt_cmd)cmd, argc - 1, argv + 1, &first, err, sizeof err);
	if (rc != 0) {
		if (rc > 0)
			opt_print_command_help(stdout, (enum opt_cmd)cmd);
		else
			fprintf(stderr, "tunnelwatch: error: %s: %s\n"
			    "run 'tunnelwatch %s --help' for its options\n", argv[1], err, argv[1]);
		cfg_free(cfg);
		free(cfg);
		return rc > 0 ? 0 : 2;
	}
	log_init(cfg->log_level, isatty(2));
	switch ((enum opt_cmd)cmd) {
	case OPT_CMD_SERVE:
		if (cfg->n_udp == 0 && cfg->n_tcp == 0 && cfg->n_tls == 0 && cfg->n_relp == 0 &&
		    (cfg_add_listener(cfg, CFG_UDP, opt_find_flag("udp")->def, err,
		    sizeof err) != 0 ||
		    cfg_add_listener(cfg, CFG_TCP, opt_find_flag("tcp")->def, err,
		    sizeof err) != 0)) {
			rc = 1;
			break;
		}
		if (cfg->max_frame > cfg->queue_max_bytes) {
			/* Such a frame could never be queued: its connection
			 * would wait for room forever (issue #17 item 7). */
			fprintf(stderr, "tunnelwatch: error: serve: max_frame (%u bytes) is larger "
			    "than queue_max_bytes (%llu bytes): a frame that long could never be "
			    "queued; lower --max-frame or raise --queue-max-bytes\n",
			    cfg->max_frame, (unsigned long long)cfg->queue_max_bytes);
			rc = 2;
			break;
		}
		rc = serve_run(cfg);
		break;
	case OPT_CMD_IMPORT:
		rc = import_run(cfg, argc - 1 - first, argv + 1 + first);
		break;
	case OPT_CMD_PARSE:
		rc = parse_run(cfg, argc - 1 - first, argv + 1 + first);
		break;
	case OPT_CMD_REPORT:
		rc = report_run(cfg);
		break;
	case OPT_CMD_TUNNELS:
		rc = tunnels_run(cfg);
		break;
	case OPT_CMD_INCIDENTS:
		rc = incidents_run(cfg);
		break;
	case OPT_CMD_TIMELINE:
		rc = timeline_run(cfg);
		break;
	default:
		rc = 2;
		break;
	}
	cfg_free(cfg);
	free(cfg);
	return rc;
}
