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

/* --db opened for reading (cmd/readdb.c): db is the one to query; st is
 * the SQLite store behind it (NULL on PostgreSQL). */
struct db;
struct store;
struct readdb {
	struct store *st;
	struct db *db;
};
/* Returns 0, or -1 having printed a one-line error naming cmd. */
int readdb_open(const struct config *cfg, const char *cmd, struct readdb *rd);
void readdb_close(struct readdb *rd);
/* Prints "tunnelwatch: WHAT: <the first line of the last error>". */
void readdb_error(struct db *d, const char *what);

#endif
