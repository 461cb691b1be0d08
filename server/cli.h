/*
 * cli.h — the subcommands behind `tunnelwatch <command>` (server/main.c).
 * Each returns the process exit status.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include "config.h"

int serve_run(const struct config *cfg);
int import_run(const struct config *cfg, int nfiles, char **files);
int parse_run(const struct config *cfg, int nfiles, char **files);
int report_run(const struct config *cfg);      /* server/report.c */
int tunnels_run(const struct config *cfg);     /* server/query_cmd.c */
int incidents_run(const struct config *cfg);
int timeline_run(const struct config *cfg);

#endif
