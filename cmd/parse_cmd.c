/*
 * parse_cmd.c — `tunnelwatch parse [FILE|-]`: one JSON object per input
 * line with everything the parsers make of it.  The user's "why was this
 * line not understood?" tool; it touches no database.
 */
#include "cli.h"
#include "domain.h"
#include "ingest.h"
#include "jsonout.h"
#include "linereader.h"
#include "log.h"
#include "tzif.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const parse_formats[] = { "none", "rfc3164", "rfc5424", "ios" };

static void
parse_put_span(json_t *o, const char *key, const char *base, struct span s)
{
	if (s.len > 0)
		json_object_set_new(o, key, util_json_text(base + s.off, s.len));
}

/* The JSON description of one line; the caller frees it. */
static json_t *
parse_describe(const struct config *cfg, const char *line, size_t len,
    int64_t ref_us, int flags, char *scratch, struct domain_scratch *ds,
    struct tzs *tzs)
{
	struct ingest_ctx ctx = { 0, NULL, tzs };
	struct ingest_row row;
	const struct syslog_hdr *h = &row.hdr;
	json_t *o = json_object();
	char ts[40];

	ingest_prepare_ctx(cfg, &ctx, line, len, ref_us, cfg->import_year, flags,
	    scratch, &row);
	json_object_set_new(o, "status", json_string(ingest_status_name(row.status)));
	if (h->format >= 0 && h->format < 4)
		json_object_set_new(o, "format", json_string(parse_formats[h->format]));
	if (h->pri >= 0)
		json_object_set_new(o, "pri", json_integer(h->pri));
	if (h->facility >= 0 && syslog_facility_name(h->facility) != NULL)
		json_object_set_new(o, "facility", json_string(syslog_facility_name(h->facility)));
	if (h->severity >= 0 && syslog_severity_name(h->severity) != NULL)
		json_object_set_new(o, "severity", json_string(syslog_severity_name(h->severity)));
	if (row.device_us != INT64_MIN)
		json_object_set_new(o, "device_time",
		    json_string(util_format_iso(ts, sizeof ts, row.device_us, h->time.usec != 0)));
	if (row.tz_flags & TZIF_AMBIGUOUS)      /* the repeated autumn hour */
		json_object_set_new(o, "device_time_ambiguous", json_true());
	if (row.tz_flags & TZIF_GAP)            /* the skipped spring hour */
		json_object_set_new(o, "device_time_in_gap", json_true());
	parse_put_span(o, "hostname", row.raw, h->hostname);
	parse_put_span(o, "program", row.raw, h->app);
	parse_put_span(o, "pid", row.raw, h->procid);
	parse_put_span(o, "msgid", row.raw, h->msgid);
	if (row.flags & INGEST_F_TRUNCATED)
		json_object_set_new(o, "truncated", json_true());
	if (row.flags & INGEST_F_ESCAPED)
		json_object_set_new(o, "escaped", json_true());
	parse_put_span(o, "msg", row.raw, h->msg);
	domain_classify(&row, ds);
	domain_describe(ds, o);
	return o;
}

static int
parse_stream(const struct config *cfg, struct linereader *lr, int64_t ref_us,
    char *scratch, struct domain_scratch *ds, struct tzs *tzs)
{
	const char *line;
	size_t len;
	int flags, r;
	uint64_t n = 0;

	while ((r = lr_next(lr, &line, &len, &flags)) > 0) {
		json_t *o = parse_describe(cfg, line, len, ref_us,
		    (flags & LR_F_TRUNCATED) ? INGEST_F_TRUNCATED : 0, scratch, ds, tzs);
		json_object_set_new(o, "line", json_integer((json_int_t)++n));
		jsonout_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	}
	return r < 0 ? -1 : 0;
}

int
parse_run(const struct config *cfg, int nfiles, char **files)
{
	struct linereader lr;
	struct domain_scratch *ds = NULL;
	struct tzs *tzs = tzs_new();
	char *scratch = malloc(INGEST_SCRATCH((size_t)cfg->max_frame));
	int i, rc = 0;

	if (scratch == NULL || tzs == NULL || (ds = domain_scratch_new()) == NULL) {
		free(scratch);
		tzs_free(tzs);
		return 1;
	}
	for (i = 0; i < (nfiles > 0 ? nfiles : 1); i++) {
		const char *path = nfiles > 0 ? files[i] : "-";
		int64_t ref_us = util_now_us();
		struct stat sb;
		int r;

		if (strcmp(path, "-") == 0)
			r = lr_open_fd(&lr, dup(0), cfg->max_frame);
		else {
			r = lr_open(&lr, path, cfg->max_frame);
			if (r == 0 && stat(path, &sb) == 0)
				ref_us = (int64_t)sb.st_mtime * 1000000 + 999999;
		}
		if (r != 0) {
			log_warn("parse: %s", path);
			rc = 1;
			continue;
		}
		if (parse_stream(cfg, &lr, ref_us, scratch, ds, tzs) != 0) {
			log_warnx("parse: %s: %s", path, lr.errmsg);
			rc = 1;
		}
		lr_close(&lr);
	}
	fflush(stdout);
	domain_scratch_free(ds);
	tzs_free(tzs);
	free(scratch);
	return rc;
}
