/*
 * options.h — the one table of tunnelwatch's options.
 *
 * Every setting is one row: its flag, its config-file key, its type, its
 * default, its range, its help and the commands that take the flag.  The
 * same rows drive the command line (getopt_long built per command), the
 * JSON config file, `tunnelwatch help`, `tunnelwatch <command> --help`
 * and the check that docs/configuration.md lists each of them
 * (tests/unit/test_options.c).  A value is parsed and range-checked by one
 * function whichever way it came, so the two paths cannot drift apart.
 */
#ifndef TW_OPTIONS_H
#define TW_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

enum opt_cmd {
	OPT_CMD_SERVE, OPT_CMD_IMPORT, OPT_CMD_PARSE, OPT_CMD_REPORT,
	OPT_CMD_TUNNELS, OPT_CMD_INCIDENTS, OPT_CMD_TIMELINE,
	OPT_N_CMDS
};
#define OPT_IN(c) (1u << (c))

enum opt_type {
	OPT_T_CONFIG,      /* --config FILE: loaded before the other flags */
	OPT_T_FLAG,        /* no value: sets an int to 1 */
	OPT_T_PATH,        /* copied into a char array */
	OPT_T_TEXT,        /* kept as a pointer into argv (command line only) */
	OPT_T_CHOICE,      /* text, one of the words in `expect` ("a|b|c") */
	OPT_T_INT,         /* plain decimal integer, min..max */
	OPT_T_SIZE,        /* bytes: 65536, 64K, 32M, 1G; min..max */
	OPT_T_DURATION,    /* microseconds: 250ms, 30s, 5m, 1h, 2d; min..max */
	OPT_T_PERIOD,      /* --since: a duration, a time, TIME/TIME, TIME/DUR */
	OPT_T_LEVEL,       /* log level: error, warning, info, debug */
	OPT_T_LISTEN,      /* HOST:PORT, repeatable */
	OPT_T_ADDR,        /* one HOST:PORT, or "off" */
	OPT_T_CIDR,        /* sender range, repeatable */
	OPT_T_ZONE,        /* +HH:MM, UTC or a tzdata name */
	OPT_T_ZONE_RULE,   /* HOST=ZONE or CIDR=ZONE, repeatable; an object in JSON */
	OPT_T_WEBHOOK,     /* --alert-webhook URL, repeatable (alertcfg.c) */
	OPT_T_EXEC,        /* --alert-exec COMMAND, repeatable */
	OPT_T_ALERTS,      /* the config's "alerts" object (docs/alerts.md) */
};

/* opt_def.fl */
#define OPTF_REPEAT   0x1u     /* the flag may be given more than once */
#define OPTF_SHOWN    0x2u     /* def is only shown (help, docs), not applied */

struct opt_def {
	const char *flag;       /* without "--"; NULL: config file only */
	const char *key;        /* JSON key; NULL: command line only */
	enum opt_type type;
	const char *arg;        /* the value's name in help: "DUR", "N" */
	const char *def;        /* the default as written in help and docs */
	int64_t min, max;       /* in the stored unit: us, bytes, a count */
	size_t off, size;       /* the field in struct config */
	unsigned cmds;          /* OPT_IN() of each command taking the flag */
	unsigned fl;            /* OPTF_* */
	const char *unit;       /* "messages/s", "connections": shown in help */
	const char *help;       /* one line */
	const char *expect;     /* overrides the type's "expected ..." words */
};

struct opt_command {
	const char *name;
	const char *args;       /* positional arguments in the usage line */
	int max_args;           /* -1: any number */
	const char *summary;    /* one line */
};

/* The table, and the commands.  Both static, read-only. */
const struct opt_def *opt_table(size_t *n);
const struct opt_command *opt_command_info(enum opt_cmd cmd);
/* The command called name, or -1. */
int opt_command_find(const char *name);
/* The row whose flag (without "--") or key is name, or NULL. */
const struct opt_def *opt_find_flag(const char *flag);
const struct opt_def *opt_find_key(const char *key);

/* memset(0), then every row's default that is applied. */
void opt_defaults(struct config *cfg);

/*
 * Parses text as the value of d into cfg (a repeatable row adds one
 * item).  name is how the user wrote the option ("--year" or "year"),
 * used in err: "--year: bad value '26' (expected a 4-digit year
 * 1970..9999)".  Returns 0, or -1 with err filled.
 */
int opt_set(struct config *cfg, const struct opt_def *d, const char *name,
    const char *text, char *err, size_t errsz);
/* The stored integer value of an INT, SIZE or DURATION row. */
int64_t opt_get(const struct config *cfg, const struct opt_def *d);

/*
 * Parses a command's argv (argv[0] is the command's name) over cfg:
 * --config first, then every flag in order, so flags win over the file.
 * The flags are those of the table whose cmds hold cmd; argv is permuted
 * (options first).  Returns 0 with *first_arg the index of the first
 * positional argument, 1 when --help was asked for (nothing else done),
 * or -1 with err filled (a few lines: unknown or foreign option with a
 * suggestion, bad value, stray argument).
 */
int opt_parse_argv(struct config *cfg, enum opt_cmd cmd, int argc, char **argv,
    int *first_arg, char *err, size_t errsz);

/* Loads a JSON config (a file, or text for tests) over cfg through the
 * table.  Returns 0, or -1 with err filled ("path: key: bad value ..."). */
int opt_load_json_file(struct config *cfg, const char *path, char *err, size_t errsz);
int opt_load_json_text(struct config *cfg, const char *text, const char *name,
    char *err, size_t errsz);

/* `tunnelwatch help`, and `tunnelwatch <command> --help`. */
void opt_print_help(FILE *f);
void opt_print_command_help(FILE *f, enum opt_cmd cmd);

/* "0", "250ms", "90s", "15m": a duration in the largest unit dividing us. */
const char *opt_fmt_duration(char *buf, size_t sz, int64_t us);

/* " (default 64K bytes; 480..16M)": the end of d's help line ("" without a default). */
void opt_help_default(const struct opt_def *d, char *buf, size_t sz);

/* tunnelwatch(8) in roff, from the table (base/manpage.c; `tunnelwatch help --man`). */
void opt_print_man(FILE *f);

/* Levenshtein distance of a and b, capped at 9 (for "did you mean"). */
int opt_distance(const char *a, const char *b);

#endif
