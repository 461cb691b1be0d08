/*
 * report_cmd.c — `tunnelwatch report`: builds the report of a period
 * (report/report.c) and writes it to stdout or, atomically, to --out.
 */
#include "cli.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
report_format_from(const struct config *cfg)
{
	const char *dot;

	if (cfg->q.format != NULL)
		return cfg->q.format;
	if (cfg->q.out != NULL && (dot = strrchr(cfg->q.out, '.')) != NULL) {
		if (strcmp(dot, ".md") == 0 || strcmp(dot, ".markdown") == 0)
			return "md";
		if (strcmp(dot, ".json") == 0)
			return "json";
	}
	return "html";
}

/* Creates OUT.XXXXXX beside `out` with mkstemp; its name in tmp (empty
 * when nothing was created).  Returns 0, or -1 with the error printed. */
static int
report_open_tmp(const char *out, char *tmp, size_t tmpsz, FILE **f)
{
	mode_t mask = umask(0);
	int fd;

	umask(mask);
	tmp[0] = '\0';
	if ((size_t)snprintf(tmp, tmpsz, "%s.XXXXXX", out) >= tmpsz) {
		fprintf(stderr, "tunnelwatch: report: --out: path too long\n");
		tmp[0] = '\0';
		return -1;
	}
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "tunnelwatch: report: %s: %s\n", tmp, strerror(errno));
		tmp[0] = '\0';
		return -1;
	}
	if (fchmod(fd, 0666 & ~mask) != 0 || (*f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "tunnelwatch: report: %s: %s\n", tmp, strerror(errno));
		close(fd);
		return -1;
	}
	return 0;
}

int
report_run(const struct config *cfg)
{
	struct readdb rd = { NULL, NULL };
	struct report r;
	char err[1024], tmp[PATH_MAX + 32];
	const char *format = report_format_from(cfg);
	int64_t start, end;
	FILE *f = NULL;
	int ret = 1, built = 0;

	tmp[0] = '\0';
	if (strcmp(format, "html") != 0 && strcmp(format, "md") != 0 &&
	    strcmp(format, "json") != 0) {
		fprintf(stderr, "tunnelwatch: report: --format must be html, md or json\n");
		return 2;
	}
	if (report_parse_period(cfg->q.since != NULL ? cfg->q.since : "24h",
	    util_now_us(), &start, &end, err, sizeof err) != 0) {
		fprintf(stderr, "tunnelwatch: report: %s\n", err);
		return 2;
	}
	if (readdb_open(cfg, "report", &rd) != 0)
		return 1;
	built = 1;
	if (report_build(rd.db, start, end, cfg->flap_count, &r, err, sizeof err) != 0) {
		fprintf(stderr, "tunnelwatch: report: %s\n", err);
		goto out;
	}
	r.raw_lines = cfg->q.raw;
	if (cfg->q.out != NULL && strcmp(cfg->q.out, "-") != 0) {
		/* Written beside the target and renamed: a reader (a mailer, a
		 * web server) never sees half a report.  mkstemp: a name nobody
		 * can plant a symlink at beforehand (O_EXCL), made as fopen would
		 * (0666 less the umask) rather than mkstemp's 0600. */
		if (report_open_tmp(cfg->q.out, tmp, sizeof tmp, &f) != 0)
			goto out;
	}
	if (report_write(&r, format, f != NULL ? f : stdout) != 0 ||
	    fflush(f != NULL ? f : stdout) != 0) {
		fprintf(stderr, "tunnelwatch: report: writing %s: %s\n",
		    f != NULL ? tmp : "stdout", strerror(errno));
		goto out;
	}
	if (f != NULL) {
		int rc = fsync(fileno(f));
		if (fclose(f) != 0 || rc != 0) {
			f = NULL;
			fprintf(stderr, "tunnelwatch: report: %s: %s\n", tmp, strerror(errno));
			goto out;
		}
		f = NULL;
		if (rename(tmp, cfg->q.out) != 0) {
			fprintf(stderr, "tunnelwatch: report: %s: %s\n", cfg->q.out,
			    strerror(errno));
			goto out;
		}
		tmp[0] = '\0';
	}
	ret = 0;
out:
	if (f != NULL)
		fclose(f);
	if (tmp[0] != '\0')
		unlink(tmp);
	if (built)
		report_free(&r);
	readdb_close(&rd);
	return ret;
}
