/*
 * test_options.c — the options table (base/options.c): argv in → config or
 * error out, JSON in → config or error out, the same range on both paths
 * for every row, per-command help, and docs/configuration.md listing
 * every option with its default (and nothing the table lacks).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "options.h"

#define MAXARGS 16
#define MAXKEPT 4096

/* parse_line's argv copies: text options point into them, so they live
 * until the test ends (each Criterion test is its own process). */
static char *kept[MAXKEPT];
static int nkept;

static void
kept_free(void)
{
	while (nkept > 0)
		free(kept[--nkept]);
}

TestSuite(options, .fini = kept_free);

/* Splits "import --year 26 x" into argv (argv[0] the command); runs the parser. */
static int
parse_line(struct config *cfg, const char *line, int *first, char *err, size_t errsz)
{
	char *argv[MAXARGS + 1], *copy = strdup(line), *save = NULL, *t;
	int argc = 0, cmd, rc;

	cr_assert_not_null(copy);
	cr_assert_lt(nkept, MAXKEPT);
	kept[nkept++] = copy;
	for (t = strtok_r(copy, " ", &save); t != NULL && argc < MAXARGS;
	    t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	cmd = opt_command_find(argv[0]);
	cr_assert_geq(cmd, 0, "no command in '%s'", line);
	cfg_defaults(cfg);
	err[0] = '\0';
	rc = opt_parse_argv(cfg, (enum opt_cmd)cmd, argc, argv, first, err, errsz);
	return rc;
}

struct argv_case {
	const char *line;
	int rc;                 /* 0, 1 (help), -1 */
	const char *err;        /* substring of the error, rc -1 */
};

static const struct argv_case argv_cases[] = {
	{ "import --year 2024 a.log", 0, NULL },
	{ "import --year 26 a.log", -1,
	  "--year: bad value '26' (expected a 4-digit year 1970..9999)" },
	{ "import --year=10000", -1, "--year: bad value '10000'" },
	{ "serve --stuck-after 20s --lateness 5s", 0, NULL },
	{ "serve --stuck-after 20", -1, "--stuck-after: bad value '20' (expected a duration with a unit" },
	{ "serve --stuck-after 0", 0, NULL },
	{ "serve --stuck-afte 5m", -1, "unknown option '--stuck-afte' (did you mean --stuck-after?)" },
	{ "serve --stuck 5m", -1, "(did you mean --stuck-after?)" },
	{ "serve --flap 3", -1, "ambiguous" },
	{ "report --udp 127.0.0.1:1", -1, "--udp is not an option of report (it is one of serve)" },
	{ "tunnels --since 24h", -1, "--since is not an option of tunnels (it is one of report, incidents)" },
	{ "report --sinse 24h", -1, "(did you mean --since?)" },
	{ "report --since 24", -1, "--since: bad value '24' (expected a duration with a unit" },
	{ "report --since 2024-06-18/24", -1, "--since: bad value" },
	{ "report --since 2024-06-18/24h", 0, NULL },
	{ "report --since 7d --format md --out r.md", 0, NULL },
	{ "report --format pdf", -1, "--format: bad value 'pdf' (expected one of html|md|json)" },
	{ "report stray", -1, "unexpected argument 'stray' (report takes no arguments)" },
	{ "serve --alert-webhook https://hooks.example/x --alert-webhook http://127.0.0.1:9/",
	  0, NULL },
	{ "serve --alert-webhook hooks.example/x", -1, "--alert-webhook: bad value "
	  "'hooks.example/x' (expected an http://... or https://... URL)" },
	{ "tunnels --json=yes", -1, "--json takes no value" },
	{ "tunnels --state sideways", -1, "--state: bad value 'sideways'" },
	{ "serve --flap-count 1000", 0, NULL },
	{ "serve --flap-count 1001", -1, "--flap-count: bad value '1001' (expected an integer 1..1000)" },
	{ "serve --fleet-min-devices 1", -1, "expected an integer 2..100000" },
	{ "serve --max-frame 479", -1, "--max-frame: bad value '479' (expected a size like 65536, 64K or 32M, 480..16M)" },
	{ "serve --flush-interval 0", -1, "--flush-interval: bad value '0'" },
	{ "serve --log-level loud", -1, "--log-level: bad value 'loud' (expected error, warning, info or debug)" },
	{ "serve --udp nowhere", -1, "--udp: bad value 'nowhere'" },
	{ "serve --udp-allow 300.0.0.0/8", -1, "--udp-allow: bad value '300.0.0.0/8'" },
	{ "serve --timezone +25:00", -1, "--timezone: bad value '+25:00'" },
	{ "serve --timezones novalue", -1, "--timezones: bad value 'novalue'" },
	{ "serve --year", -1, "--year is not an option of serve" },
	{ "serve --lateness", -1, "--lateness: missing value (expected a duration" },
	{ "serve -x", -1, "unknown option '-x'" },
	{ "serve --nonsense", -1, "unknown option '--nonsense'" },
	{ "serve --help", 1, NULL },
	{ "timeline -h", 1, NULL },
	{ "parse a.log b.log", 0, NULL },
	{ "parse --db x.db", -1, "--db is not an option of parse" },
	{ "timeline --device d --tunnel t --window 5", -1, "--window: bad value '5'" },
};

Test(options, argv_table)
{
	struct config *cfg = malloc(sizeof *cfg);
	char err[1024];
	size_t i;
	int first;

	for (i = 0; i < sizeof argv_cases / sizeof argv_cases[0]; i++) {
		const struct argv_case *c = &argv_cases[i];
		int rc = parse_line(cfg, c->line, &first, err, sizeof err);
		cr_expect_eq(rc, c->rc, "'%s': rc %d, expected %d (%s)", c->line, rc, c->rc, err);
		if (c->err != NULL)
			cr_expect_not_null(strstr(err, c->err), "'%s': error '%s' lacks '%s'",
			    c->line, err, c->err);
		cfg_free(cfg);
	}
	free(cfg);
}

Test(options, argv_values)
{
	struct config *cfg = malloc(sizeof *cfg);
	char err[512];
	int first;

	cr_assert_eq(parse_line(cfg, "import --db x.db --year 2024 --stuck-after 20s --strict "
	    "--max-frame 1K --flap-count 7 --log-level debug a.log b.log", &first, err,
	    sizeof err), 0, "%s", err);
	cr_expect_str_eq(cfg->db_path, "x.db");
	cr_expect_eq(cfg->import_year, 2024);
	cr_expect_eq(cfg->stuck_after_us, 20000000);
	cr_expect_eq(cfg->import_strict, 1);
	cr_expect_eq(cfg->max_frame, 1024);
	cr_expect_eq(cfg->flap_count, 7);
	cr_expect_eq(cfg->log_level, LOG_LVL_DEBUG);
	cr_expect_eq(first, 14);        /* a.log, after the 13 option words */
	cfg_free(cfg);

	cr_assert_eq(parse_line(cfg, "timeline --device vedge1 --tunnel ipsec2 --window 90s --json",
	    &first, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(cfg->q.device, "vedge1");
	cr_expect_str_eq(cfg->q.tunnel, "ipsec2");
	cr_expect_eq(cfg->q.window_us, 90000000);
	cr_expect_eq(cfg->q.json, 1);
	cfg_free(cfg);

	cr_assert_eq(parse_line(cfg, "serve --udp 127.0.0.1:1 --udp 127.0.0.1:2 --tcp-allow "
	    "192.0.2.0/24 --timezones vedge-tokyo=+09:00 --timezone -05:00", &first, err,
	    sizeof err), 0, "%s", err);
	cr_expect_eq(cfg->n_udp, 2);
	cr_expect_eq(cfg->n_tcp, 0);
	cr_expect_eq(cfg->n_tcp_allow, 1);
	cr_expect_eq(cfg->n_tz, 1);
	cr_expect_eq(cfg->tz_default_off_min, -300);
	cfg_free(cfg);
	free(cfg);
}

/* The defaults the collector had before the table, field by field. */
Test(options, defaults)
{
	struct config *cfg = malloc(sizeof *cfg);
	const struct opt_def *t;
	char err[512];
	size_t n, i;

	cfg_defaults(cfg);
	cr_expect_str_eq(cfg->db_path, "tunnelwatch.db");
	cr_expect_eq(cfg->udp_rcvbuf, 32ULL << 20);
	cr_expect_eq(cfg->max_frame, 64 * 1024);
	cr_expect_eq(cfg->tcp_idle_timeout_us, 15 * 60 * 1000000LL);
	cr_expect_eq(cfg->tcp_max_conns, 4096);
	cr_expect_eq(cfg->tcp_max_conns_per_ip, 64);
	cr_expect_eq(cfg->queue_max_bytes, 64ULL << 20);
	cr_expect_eq(cfg->queue_max_msgs, 500000);
	cr_expect_eq(cfg->batch_rows, 20000);
	cr_expect_eq(cfg->flush_us, 200000);
	cr_expect_eq(cfg->shutdown_grace_us, 5000000);
	cr_expect_eq(cfg->stats_interval_us, 60000000);
	cr_expect_eq(cfg->log_level, LOG_LVL_INFO);
	cr_expect_eq(cfg->corr_interval_us, 1000000);
	cr_expect_eq(cfg->lateness_us, 5000000);
	cr_expect_eq(cfg->stuck_after_us, 300000000);
	cr_expect_eq(cfg->flap_count, 3);
	cr_expect_eq(cfg->flap_window_us, 3600000000LL);
	cr_expect_eq(cfg->flap_half_life_us, 900000000LL);
	cr_expect_eq(cfg->fleet_min_devices, 3);
	cr_expect_eq(cfg->fleet_window_us, 120000000);
	cr_expect_eq(cfg->retention_messages_us, 30 * 86400 * 1000000LL);
	cr_expect_eq(cfg->retention_events_us, 400 * 86400 * 1000000LL);
	cr_expect_eq(cfg->q.window_us, 900000000LL);
	cr_expect_eq(cfg->import_year, 0);
	cr_expect_eq(cfg->n_udp + cfg->n_tcp + cfg->n_udp_allow + cfg->n_tz, 0);
	cr_expect_null(cfg->tz_default_zone);

	/* Every applied default parses, and lies inside its own range. */
	t = opt_table(&n);
	for (i = 0; i < n; i++) {
		if (t[i].def == NULL || (t[i].fl & OPTF_SHOWN))
			continue;
		cr_expect_eq(opt_set(cfg, &t[i], "default", t[i].def, err, sizeof err), 0,
		    "%s: default '%s': %s", t[i].flag, t[i].def, err);
	}
	cfg_free(cfg);
	free(cfg);
}

struct json_case {
	const char *json;
	int rc;
	const char *err;
};

static const struct json_case json_cases[] = {
	{ "{\"stuck_after\": \"10m\", \"flap_count\": 4, \"udp\": [\"0.0.0.0:514\"]}", 0, NULL },
	{ "{\"flap_count\": 1001}", -1, "t.json: flap_count: bad value '1001' (expected an integer 1..1000)" },
	{ "{\"flap_count\": \"3\"}", 0, NULL },
	{ "{\"fleet_min_devices\": 1}", -1, "fleet_min_devices: bad value '1' (expected an integer 2..100000)" },
	{ "{\"stuck_after\": 300}", -1, "stuck_after: bad value '300' (expected a duration with a unit" },
	{ "{\"stuck_after\": 0}", 0, NULL },
	{ "{\"stuck_after\": \"5\"}", -1, "stuck_after: bad value '5'" },
	{ "{\"stuck_afterr\": \"5m\"}", -1, "t.json: unknown key \"stuck_afterr\" (did you mean \"stuck_after\"?)" },
	{ "{\"year\": 2024}", -1, "unknown key \"year\"" },
	{ "{\"max_frame\": \"64K\"}", 0, NULL },
	{ "{\"max_frame\": 100}", -1, "max_frame: bad value '100' (expected a size like 65536, 64K or 32M, 480..16M)" },
	{ "{\"udp\": \"0.0.0.0:514\"}", -1, "udp: expected an array of HOST:PORT" },
	{ "{\"udp\": [\"0.0.0.0:514\", 5]}", -1, "udp[1]: bad value '5'" },
	{ "{\"udp_allow\": [\"192.0.2.0/33\"]}", -1, "udp_allow[0]: bad value '192.0.2.0/33'" },
	{ "{\"log_level\": \"loud\"}", -1, "log_level: bad value 'loud' (expected error, warning, info or debug)" },
	{ "{\"log_level\": 3}", -1, "log_level: bad value '3'" },
	{ "{\"db\": true}", -1, "db: bad value 'true'" },
	{ "{\"timezones\": {\"vedge1\": \"+09:00\", \"192.0.2.0/24\": \"UTC\"}}", 0, NULL },
	{ "{\"timezones\": [\"x\"]}", -1, "timezones: expected an object" },
	{ "{\"timezone\": \"+25:00\"}", -1, "timezone: bad value '+25:00'" },
	{ "{\"_comment\": \"notes\", \"comment\": 1}", 0, NULL },
	{ "[1]", -1, "t.json: expected a JSON object" },
	{ "{\"a\": 1, \"a\": 2}", -1, "t.json:1:" },
};

Test(options, json_table)
{
	struct config *cfg = malloc(sizeof *cfg);
	char err[1024];
	size_t i;

	for (i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
		const struct json_case *c = &json_cases[i];
		int rc;
		cfg_defaults(cfg);
		err[0] = '\0';
		rc = opt_load_json_text(cfg, c->json, "t.json", err, sizeof err);
		cr_expect_eq(rc, c->rc, "%s: rc %d, expected %d (%s)", c->json, rc, c->rc, err);
		if (c->err != NULL)
			cr_expect_not_null(strstr(err, c->err), "%s: error '%s' lacks '%s'", c->json,
			    err, c->err);
		cfg_free(cfg);
	}
	cfg_defaults(cfg);
	cr_assert_eq(opt_load_json_text(cfg, json_cases[0].json, "t.json", err, sizeof err), 0);
	cr_expect_eq(cfg->stuck_after_us, 600000000LL);
	cr_expect_eq(cfg->flap_count, 4);
	cr_expect_eq(cfg->n_udp, 1);
	cfg_free(cfg);
	free(cfg);
}

/* The first command taking d's flag. */
static const char *
row_command(const struct opt_def *d)
{
	int c;

	for (c = 0; c < OPT_N_CMDS; c++)
		if (d->cmds & OPT_IN(c))
			return opt_command_info((enum opt_cmd)c)->name;
	return NULL;
}

/* v as the text a user would write for d's type. */
static void
value_text(const struct opt_def *d, int64_t v, char *buf, size_t sz)
{
	if (d->type == OPT_T_DURATION)
		snprintf(buf, sz, "%lldms", (long long)(v / 1000));
	else
		snprintf(buf, sz, "%lld", (long long)v);
}

/*
 * For every row with both a flag and a key: the values just inside and
 * just outside its range give the same result (stored value, or the same
 * error but for the name) through argv and through JSON.
 */
Test(options, ranges_equal_in_both_paths)
{
	struct config *a = malloc(sizeof *a), *b = malloc(sizeof *b);
	const struct opt_def *t;
	size_t n, i, k;
	int checked = 0;

	t = opt_table(&n);
	for (i = 0; i < n; i++) {
		const struct opt_def *d = &t[i];
		int64_t step = d->type == OPT_T_DURATION ? 1000 : 1;
		/* (no arithmetic past the int64 range: UBSan) */
		int64_t vals[4] = { d->min < INT64_MIN + step ? d->min : d->min - step, d->min,
		    d->max, d->max > INT64_MAX - step ? d->max : d->max + step };
		if (d->flag == NULL || d->key == NULL || (d->type != OPT_T_INT &&
		    d->type != OPT_T_SIZE && d->type != OPT_T_DURATION))
			continue;
		for (k = 0; k < 4; k++) {
			char val[64], line[256], json[256], ea[1024], eb[1024], *pa, *pb;
			int first, ra, rb;
			if (vals[k] < 0 || (k == 3 && d->max == INT64_MAX) ||
			    (k == 2 && d->max == INT64_MAX))
				continue;
			value_text(d, vals[k], val, sizeof val);
			snprintf(line, sizeof line, "%s --%s %s", row_command(d), d->flag, val);
			snprintf(json, sizeof json, "{\"%s\": \"%s\"}", d->key, val);
			ra = parse_line(a, line, &first, ea, sizeof ea);
			cfg_defaults(b);
			eb[0] = '\0';
			rb = opt_load_json_text(b, json, "t.json", eb, sizeof eb);
			cr_expect_eq(ra, rb, "%s: argv %d (%s), json %d (%s)", d->flag, ra, ea, rb, eb);
			cr_expect_eq(ra, (k == 1 || k == 2) ? 0 : -1, "%s %s: %s", d->flag, val, ea);
			if (ra == 0 && rb == 0)
				cr_expect_eq(opt_get(a, d), opt_get(b, d), "%s: %lld vs %lld", d->flag,
				    (long long)opt_get(a, d), (long long)opt_get(b, d));
			if (ra != 0 && rb != 0) {
				/* "--flap-count: bad value ..." vs "t.json: flap_count: bad value ..." */
				pa = strstr(ea, ": bad value");
				pb = strstr(eb, ": bad value");
				cr_expect(pa != NULL && pb != NULL && strcmp(pa, pb) == 0,
				    "%s: '%s' vs '%s'", d->flag, ea, eb);
			}
			cfg_free(a);
			cfg_free(b);
			checked++;
		}
	}
	cr_expect_gt(checked, 60, "only %d range checks", checked);
	free(a);
	free(b);
}

/* A valid value for d's flag ("" for a flag without one). */
static const char *
test_value(const struct opt_def *d, char *buf, size_t sz)
{
	switch (d->type) {
	case OPT_T_FLAG: return "";
	case OPT_T_CONFIG: return TW_SOURCE_DIR "/deploy/tunnelwatch.example.json";
	case OPT_T_ZONE_RULE: return "vedge1=UTC";
	case OPT_T_WEBHOOK: return "http://127.0.0.1:9/hook";
	case OPT_T_EXEC: return "cat";
	case OPT_T_CIDR: return "192.0.2.0/24";
	case OPT_T_LISTEN: return "127.0.0.1:5514";
	case OPT_T_TEXT: return "x";
	case OPT_T_CHOICE:
		snprintf(buf, sz, "%.*s", (int)strcspn(d->expect, "|"), d->expect);
		return buf;
	case OPT_T_INT:
		if (d->fl & OPTF_SHOWN) {
			snprintf(buf, sz, "%lld", (long long)d->min);
			return buf;
		}
		return d->def;
	default:
		return d->def;
	}
}

/* Each flag works with the commands of its row and is refused by the others. */
Test(options, commands_of_each_flag)
{
	struct config *cfg = malloc(sizeof *cfg);
	const struct opt_def *t;
	size_t n, i;
	int c;

	t = opt_table(&n);
	for (i = 0; i < n; i++) {
		const struct opt_def *d = &t[i];
		char choice[64];
		const char *val = test_value(d, choice, sizeof choice);
		if (d->flag == NULL)
			continue;
		cr_assert_not_null(val, "%s: no test value", d->flag);
		for (c = 0; c < OPT_N_CMDS; c++) {
			char line[512], err[1024];
			int first, rc;
			snprintf(line, sizeof line, "%s --%s%s%s", opt_command_info((enum opt_cmd)c)->name,
			    d->flag, *val != '\0' ? " " : "", val);
			rc = parse_line(cfg, line, &first, err, sizeof err);
			if (d->cmds & OPT_IN(c))
				cr_expect_eq(rc, 0, "'%s': %s", line, err);
			else
				cr_expect(rc == -1 && strstr(err, "is not an option of") != NULL,
				    "'%s': rc %d '%s'", line, rc, err);
			cfg_free(cfg);
		}
	}
	free(cfg);
}

/* The table itself: names unique, text options never in the file, ranges sane. */
Test(options, table_is_consistent)
{
	const struct opt_def *t;
	size_t n, i, j;

	t = opt_table(&n);
	for (i = 0; i < n; i++) {
		cr_expect(t[i].flag != NULL || t[i].key != NULL);
		cr_expect_not_null(t[i].help);
		cr_expect(t[i].cmds != 0 || t[i].flag == NULL, "%s: no command", t[i].flag);
		cr_expect(t[i].type != OPT_T_TEXT || t[i].key == NULL,
		    "%s: a pointer into argv cannot come from the file", t[i].flag);
		cr_expect(t[i].min <= t[i].max, "%s: min > max", t[i].flag);
		for (j = i + 1; j < n; j++) {
			cr_expect(t[i].flag == NULL || t[j].flag == NULL ||
			    strcmp(t[i].flag, t[j].flag) != 0, "flag %s twice", t[i].flag);
			cr_expect(t[i].key == NULL || t[j].key == NULL ||
			    strcmp(t[i].key, t[j].key) != 0, "key %s twice", t[i].key);
		}
	}
}

static char *
help_of(enum opt_cmd cmd, int *lines)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	opt_print_command_help(f, cmd);
	fclose(f);
	*lines = 0;
	for (i = 0; i < len; i++)
		*lines += buf[i] == '\n';
	return buf;
}

/* Per-command help names its own flags with their defaults, and no one else's. */
Test(options, command_help)
{
	const struct opt_def *t;
	size_t n, i;
	int c;

	t = opt_table(&n);
	for (c = 0; c < OPT_N_CMDS; c++) {
		int lines;
		char *h = help_of((enum opt_cmd)c, &lines);
		/* serve has the most: its TLS flags (docs/tls.md), the alerts' and
		 * the web view's took it past 40, --relp and --no-spool to 48;
		 * tuning is config-file only to stay near that. */
		cr_expect_lt(lines, c == OPT_CMD_SERVE ? 50 : 40, "%s --help: %d lines",
		    opt_command_info(c)->name, lines);
		cr_expect_not_null(strstr(h, opt_command_info(c)->name));
		for (i = 0; i < n; i++) {
			char want[128];
			if (t[i].flag == NULL)
				continue;
			snprintf(want, sizeof want, "  --%s ", t[i].flag);
			if (t[i].cmds & OPT_IN(c)) {
				cr_expect_not_null(strstr(h, want), "%s --help lacks --%s",
				    opt_command_info(c)->name, t[i].flag);
				if (t[i].def != NULL) {
					snprintf(want, sizeof want, "(default %s", t[i].def);
					cr_expect_not_null(strstr(h, want), "%s --help: no default for --%s",
					    opt_command_info(c)->name, t[i].flag);
				}
			} else {
				cr_expect_null(strstr(h, want), "%s --help shows --%s",
				    opt_command_info(c)->name, t[i].flag);
			}
		}
		free(h);
	}
}

Test(options, distance)
{
	cr_expect_eq(opt_distance("since", "since"), 0);
	cr_expect_eq(opt_distance("sinse", "since"), 1);
	cr_expect_eq(opt_distance("stuck-afte", "stuck-after"), 1);
	cr_expect_eq(opt_distance("", "abc"), 3);
	cr_expect_eq(opt_distance("totally-different-words", "db"), 9);
}

/* The line of docs/configuration.md's tables for --flag (or the key). */
static const char *
doc_row(const char *doc, const char *start)
{
	const char *p = doc;
	size_t n = strlen(start);

	while ((p = strstr(p, start)) != NULL) {
		if ((p == doc || p[-1] == '\n') && (p[n] == ' ' || p[n] == '`'))
			return p;
		p += n;
	}
	return NULL;
}

/*
 * docs/configuration.md cannot drift: every option of the table has a row
 * there with its key and default, and every row there is in the table.
 */
Test(options, docs_match_table)
{
	const struct opt_def *t;
	char *doc, start[128];
	const char *p;
	size_t n, i, len;
	FILE *f = fopen(TW_SOURCE_DIR "/docs/configuration.md", "r");

	cr_assert_not_null(f);
	doc = malloc(1 << 20);
	len = fread(doc, 1, (1 << 20) - 1, f);
	doc[len] = '\0';
	fclose(f);
	t = opt_table(&n);
	for (i = 0; i < n; i++) {
		const char *row, *eol;
		char cell[128];
		if (t[i].flag != NULL)
			snprintf(start, sizeof start, "| `--%s", t[i].flag);
		else
			snprintf(start, sizeof start, "| — | `%s", t[i].key);
		row = doc_row(doc, start);
		cr_expect_not_null(row, "docs/configuration.md has no row '%s'", start);
		if (row == NULL)
			continue;
		eol = strchr(row, '\n');
		if (t[i].key != NULL) {
			snprintf(cell, sizeof cell, "| `%s`", t[i].key);
			p = strstr(row, cell);
			cr_expect(p != NULL && p < eol, "%s: key `%s` not on its row", start, t[i].key);
		}
		if (t[i].def != NULL) {
			snprintf(cell, sizeof cell, "`%s`", t[i].def);
			p = strstr(row, cell);
			cr_expect(p != NULL && p < eol, "%s: default `%s` not on its row", start,
			    t[i].def);
		}
	}
	/* ... and the other way round. */
	for (p = doc; (p = strstr(p, "\n| `--")) != NULL; p++) {
		char flag[64];
		size_t k = 0;
		const struct opt_def *d;
		const char *q = p + 6;
		while (k < sizeof flag - 1 && (q[k] == '-' || (q[k] >= 'a' && q[k] <= 'z')))
			k++;
		snprintf(flag, sizeof flag, "%.*s", (int)k, q);
		d = opt_find_flag(flag);
		cr_expect_not_null(d, "docs/configuration.md lists --%s, the table does not", flag);
		if (d != NULL && d->key == NULL) {
			const char *cell = strstr(p + 1, "| — |"), *eol = strchr(p + 1, '\n');
			cr_expect(cell != NULL && cell < eol, "--%s: the docs give it a key", flag);
		}
	}
	free(doc);
}

/* tunnelwatch(8) (base/manpage.c) names every row of the table: each flag
 * (roff-escaped, with its value's name) in OPTIONS and under each command
 * taking it, each config key, and the default of each row that has one. */
Test(options, man_page_lists_every_option)
{
	const struct opt_def *rows;
	char *text = NULL, want[256], def[160], *esc, *p;
	size_t n, len = 0, i;
	FILE *f = open_memstream(&text, &len);
	int c;

	cr_assert_not_null(f);
	opt_print_man(f);
	cr_assert_eq(fclose(f), 0);
	cr_assert(strncmp(text, ".\\\" Generated", 13) == 0);
	cr_assert_not_null(strstr(text, ".TH TUNNELWATCH 8 "));
	rows = opt_table(&n);
	for (i = 0; i < n; i++) {
		const struct opt_def *d = &rows[i];
		if (d->flag != NULL) {
			char flag[96];
			size_t k = 0;
			for (p = (char *)d->flag; *p != '\0' && k + 3 < sizeof flag; p++) {
				if (*p == '-')
					flag[k++] = '\\';
				flag[k++] = *p;
			}
			flag[k] = '\0';
			snprintf(want, sizeof want, ".TP\n\\fB\\-\\-%s\\fR%s%s%s\n", flag,
			    d->arg != NULL ? " \\fI" : "", d->arg != NULL ? d->arg : "",
			    d->arg != NULL ? "\\fR" : "");
			cr_assert_not_null(strstr(text, want), "man page lacks --%s (%s)",
			    d->flag, want);
			/* under every command that takes it */
			for (c = 0; c < OPT_N_CMDS; c++) {
				char *sec, *end;
				if (!(d->cmds & OPT_IN(c)))
					continue;
				snprintf(want, sizeof want, ".TP\n.B %s\n", opt_command_info(c)->name);
				sec = strstr(text, want);
				cr_assert_not_null(sec);
				end = strstr(sec + 1, ".TP\n");
				snprintf(want, sizeof want, "\\fB\\-\\-%s\\fR", flag);
				esc = strstr(sec, want);
				cr_assert(esc != NULL && (end == NULL || esc < end),
				    "man page: %s does not list --%s", opt_command_info(c)->name,
				    d->flag);
			}
		}
		if (d->key != NULL) {
			snprintf(want, sizeof want, "Config key: \\fB%s\\fR", d->key);
			cr_assert_not_null(strstr(text, want), "man page lacks key %s", d->key);
		}
		opt_help_default(d, def, sizeof def);
		if (def[0] != '\0' && strchr(def, '-') == NULL)
			cr_assert_not_null(strstr(text, def), "man page lacks '%s' of %s", def,
			    d->flag != NULL ? d->flag : d->key);
	}
	free(text);
}
