/*
 * cli.h — the subcommands behind `tunnelwatch <command>` (cmd/main.c).
 * Each returns the process exit status.
 */
#ifndef TW_CLI_H
#define TW_CLI_H

#include "config.h"

int serve_run(const struct config *cfg);
int import_run(const struct config *cfg, int nfiles, char **files);
int parse_run(const struct config *cfg, int nfiles, char **files);
int report_run(const struct config *cfg);      /* cmd/report_cmd.c */
int tunnels_run(const struct config *cfg);     /* cmd/query_cmd.c */
int incidents_run(const struct config *cfg);
int timeline_run(const struct config *cfg);

#endif
