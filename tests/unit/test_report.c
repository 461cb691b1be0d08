/*
 * test_report.c — the report's pure helpers: times and periods as --since
 * and --around take them, durations and availability as the report prints
 * them, and the plain-words table (every root cause and symptom of the
 * schema has its sentence and remedy).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "util.h"

#define US(s) ((int64_t)(s) * 1000000)

Test(report, times)
{
	int64_t us;

	cr_assert_eq(report_parse_time("2024-06-18T00:31:17Z", &us), 0);
	cr_assert_eq(us, US(1718670677));
	cr_assert_eq(report_parse_time("2024-06-18 00:31:17", &us), 0);
	cr_assert_eq(us, US(1718670677));
	cr_assert_eq(report_parse_time("2024-06-18T09:31:17+09:00", &us), 0);
	cr_assert_eq(us, US(1718670677));
	cr_assert_eq(report_parse_time("2024-06-17T19:01:17-0530", &us), 0);
	cr_assert_eq(us, US(1718670677));
	cr_assert_eq(report_parse_time("2024-06-18T00:31:17.25Z", &us), 0);
	cr_assert_eq(us, US(1718670677) + 250000);
	cr_assert_eq(report_parse_time("2024-06-18T00:31", &us), 0);
	cr_assert_eq(us, US(1718670660));
	cr_assert_eq(report_parse_time("2024-06-18", &us), 0);
	cr_assert_eq(us, US(1718668800));
	cr_assert_eq(report_parse_time("2024-02-29", &us), 0);
	cr_assert_eq(report_parse_time("2023-02-29", &us), -1, "not a leap year");
	cr_assert_eq(report_parse_time("2024-13-01", &us), -1);
	cr_assert_eq(report_parse_time("2024-06-31", &us), -1);
	cr_assert_eq(report_parse_time("2024-06-18T24:00", &us), -1);
	cr_assert_eq(report_parse_time("2024-06-18T00:31:17Zjunk", &us), -1);
	cr_assert_eq(report_parse_time("2024-6-18", &us), -1);
	cr_assert_eq(report_parse_time("24h", &us), -1);
	cr_assert_eq(report_parse_time("", &us), -1);
	cr_assert_eq(report_parse_time(NULL, &us), -1);
}

Test(report, periods)
{
	int64_t now = US(1718755200), s, e;     /* 2024-06-19T00:00:00Z */
	char err[256];

	cr_assert_eq(report_parse_period("24h", now, &s, &e, err, sizeof err), 0);
	cr_assert_eq(s, now - US(86400));
	cr_assert_eq(e, now);
	cr_assert_eq(report_parse_period("2024-06-18", now, &s, &e, err, sizeof err), 0);
	cr_assert_eq(s, US(1718668800));
	cr_assert_eq(e, now);
	cr_assert_eq(report_parse_period("2024-06-17/2024-06-18", now, &s, &e, err,
	    sizeof err), 0);
	cr_assert_eq(e - s, US(86400));
	cr_assert_eq(report_parse_period("2024-06-17T12:00:00Z/6h", now, &s, &e, err,
	    sizeof err), 0);
	cr_assert_eq(e - s, US(6 * 3600));
	cr_assert_eq(report_parse_period("2024-06-18/2024-06-17", now, &s, &e, err,
	    sizeof err), -1, "empty");
	cr_assert(strstr(err, "empty") != NULL);
	cr_assert_eq(report_parse_period("yesterday", now, &s, &e, err, sizeof err), -1);
	cr_assert_eq(report_parse_period("2024-06-17/soon", now, &s, &e, err, sizeof err), -1);
	cr_assert_eq(report_parse_period("1000000d", now, &s, &e, err, sizeof err), -1,
	    "no overflow on absurd spans");
	cr_assert_eq(report_parse_period(
	    "2024-06-17T00:00:00.000000000000000000000000000000000000000000000000000000000Z/1h",
	    now, &s, &e, err, sizeof err), -1, "a left side longer than its buffer");
}

Test(report, durations_and_availability)
{
	char buf[64];

	cr_assert_str_eq(report_format_duration(buf, sizeof buf, US(42)), "42s");
	cr_assert_str_eq(report_format_duration(buf, sizeof buf, US(845)), "14m 05s");
	cr_assert_str_eq(report_format_duration(buf, sizeof buf, US(7500)), "2h 05m");
	cr_assert_str_eq(report_format_duration(buf, sizeof buf, US(3 * 86400 + 4 * 3600)),
	    "3d 4h");
	cr_assert_str_eq(report_format_duration(buf, sizeof buf, -5), "0s");
	cr_assert_str_eq(report_format_pct(buf, sizeof buf, 0, 0), "n/a");
	cr_assert_str_eq(report_format_pct(buf, sizeof buf, US(86400), 0), "100.000 %");
	cr_assert_str_eq(report_format_pct(buf, sizeof buf, US(86400), US(8640)), "90.000 %");
	cr_assert_str_eq(report_format_pct(buf, sizeof buf, US(86400) * 4000, US(1)),
	    "99.999 %", "an outage is never rounded up to 100 %");
}

Test(report, plain_words)
{
	static const char *const causes[] = { "dpd_timeout", "peer_not_responding",
		"ike_proposal_mismatch", "esp_proposal_mismatch", "pfs_mismatch",
		"auth_failed", "ts_mismatch", "peer_delete", "local_delete",
		"local_transport_down", "unknown" };
	static const char *const symptoms[] = { "never_established", "flap", "stuck",
		"down", "degraded" };
	size_t i;

	cr_assert_eq(sizeof causes / sizeof causes[0], REPORT_CAUSE_MAX);
	for (i = 0; i < sizeof causes / sizeof causes[0]; i++) {
		int c = report_cause_index(causes[i]);
		cr_assert_str_eq(report_cause_name(c), causes[i]);
		cr_assert(strlen(report_cause_text(c)) > 20, "%s has a sentence", causes[i]);
		cr_assert(strlen(report_cause_remedy(c)) > 20, "%s has a remedy", causes[i]);
	}
	cr_assert_str_eq(report_cause_name(report_cause_index("gremlins")), "unknown");
	cr_assert_str_eq(report_cause_name(report_cause_index(NULL)), "unknown");
	cr_assert_eq(sizeof symptoms / sizeof symptoms[0], REPORT_SYM_MAX);
	for (i = 0; i < sizeof symptoms / sizeof symptoms[0]; i++) {
		int sym = report_symptom_index(symptoms[i]);
		cr_assert_geq(sym, 0);
		cr_assert_str_eq(report_symptom_name(sym), symptoms[i]);
		cr_assert(strncmp(report_symptom_text(sym), symptoms[i], 4) == 0);
	}
	cr_assert_eq(report_symptom_index("sideways"), -1);
	cr_assert(strlen(report_symptom_text(-1)) > 0);
}

/* Markdown for mail and chat (issue #15: "never\_established", "\(2s\)"
 * looked broken): ordinary text stays as it is, hostile text is escaped
 * so that a CommonMark parser (cmark-gfm, with GitHub's tables and
 * strikethrough) renders exactly the text, as text: no tag, no link, no
 * emphasis, no code, no list or heading. */
static char *
md(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	cr_assert_not_null(f);
	report_md_inline(f, s);
	cr_assert_eq(fclose(f), 0);
	return out;
}

Test(report, markdown_plain)
{
	static const char *const same[] = {
		"never_established", "(2s)", "ipsec2_1[7]", "2 * 3 = 6", "foo_bar_baz",
		"peer 198.51.100.1 (vedge01): down 5m", "a & b", "x < 3", "50% of 10.0.0.0/8",
		"CSCvx86427!", "{json}", "key=value", "a - b", "C:\\path",
	};
	size_t i;

	for (i = 0; i < sizeof same / sizeof same[0]; i++) {
		char *got = md(same[i]);
		cr_assert_str_eq(got, same[i], "needless escaping of '%s'", same[i]);
		free(got);
	}
}

/* The text as cmark-gfm should render it: a paragraph of the escaped text. */
static void
html_escape(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

Test(report, markdown_hostile_renders_as_text)
{
	static const char *const hostile[] = {
		"<b>bold</b> & \"quoted\"", "<script>alert(1)</script>", "*bold* and **strong**",
		"_under_ and __init__", "a*b*c", "`code` and ``more``", "[click](http://evil.test)",
		"![img](x.png)", "<http://evil.test>", "&amp; &#38; &copy;", "~~strike~~ ~x~",
		"# heading", "> quote", "- item", "+ item", "= setext", "x | y | z",
		"back\\slash \\* \\_ \\", "snake_case_ and _lead", "[a][b]", "<!-- c -->",
		"<?php ?>", "text_", "*", "_", "trailing \\", "1. item", "2) item", "12.",
		"* item", "~", "|", "vedge05<b>&\"x'",
	};
	size_t i;

	if (system("command -v cmark-gfm >/dev/null 2>&1") != 0)
		cr_skip_test("cmark-gfm missing (bash deploy/build.sh --test installs it)");
	for (i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		char *in = md(hostile[i]), *want = NULL, got[4096];
		char path[] = "/tmp/tw-md-XXXXXX", cmd[128];
		size_t wl = 0, n;
		int fd = mkstemp(path);
		FILE *f, *p;

		cr_assert(fd >= 0);
		cr_assert_eq(write(fd, in, strlen(in)), (ssize_t)strlen(in));
		close(fd);
		f = open_memstream(&want, &wl);
		fputs("<p>", f);
		html_escape(f, hostile[i]);
		fputs("</p>\n", f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "cmark-gfm -e table -e strikethrough %s", path);
		p = popen(cmd, "r");
		cr_assert_not_null(p);
		n = fread(got, 1, sizeof got - 1, p);
		got[n] = '\0';
		cr_assert_eq(pclose(p), 0);
		unlink(path);
		cr_assert_str_eq(got, want, "'%s' written as '%s'", hostile[i], in);
		free(in);
		free(want);
	}
}
