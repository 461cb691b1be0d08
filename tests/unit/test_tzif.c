/*
 * test_tzif.c — the TZif reader (base/tzif.c): local wall-clock time to
 * UTC in zones with and without daylight saving time, both hemispheres,
 * the repeated and the skipped hour, far-future dates (the footer rule),
 * dates before the first transition, and files that must be refused.
 *
 * Every expected UTC value was computed with GNU date while writing the
 * test, as given in the comment of each row:
 *   date -d 'LOCAL OFFSET' +%s          (the instance)
 *   TZ=ZONE date -d @N '+%F %T %Z'      (checks it is that zone's reading)
 * Zones come from the system's tzdata (package tzdata).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "tzif.h"

struct tz_case {
	const char *zone;
	int y, mo, d, h, mi, s;   /* local wall-clock time */
	int hint;
	int64_t utc;              /* expected */
	int flags;                /* expected */
};

static const struct tz_case tz_cases[] = {
	/* date -d '2024-01-15 12:00:00 +0100' +%s -> 12:00:00 CET */
	{ "Europe/Berlin", 2024, 1, 15, 12, 0, 0, TZIF_EARLIER, 1705316400, 0 },
	/* date -d '2024-07-01 12:00:00 +0200' +%s -> 12:00:00 CEST */
	{ "Europe/Berlin", 2024, 7, 1, 12, 0, 0, TZIF_EARLIER, 1719828000, 0 },
	/* spring: date -d '2024-03-31 01:59:59 +0100' +%s -> 01:59:59 CET */
	{ "Europe/Berlin", 2024, 3, 31, 1, 59, 59, TZIF_EARLIER, 1711846799, 0 },
	/* the gap: date -d '2024-03-31 02:30:00 +0100' +%s -> 03:30:00 CEST */
	{ "Europe/Berlin", 2024, 3, 31, 2, 30, 0, TZIF_EARLIER, 1711848600, TZIF_GAP },
	{ "Europe/Berlin", 2024, 3, 31, 2, 0, 0, TZIF_LATER, 1711846800, TZIF_GAP },
	/* date -d '2024-03-31 03:00:00 +0200' +%s -> 03:00:00 CEST */
	{ "Europe/Berlin", 2024, 3, 31, 3, 0, 0, TZIF_EARLIER, 1711846800, 0 },
	/* autumn: date -d '2024-10-27 01:59:59 +0200' +%s -> 01:59:59 CEST */
	{ "Europe/Berlin", 2024, 10, 27, 1, 59, 59, TZIF_EARLIER, 1729987199, 0 },
	/* the repeated hour: date -d '2024-10-27 02:30:00 +0200' +%s -> CEST */
	{ "Europe/Berlin", 2024, 10, 27, 2, 30, 0, TZIF_EARLIER, 1729989000, TZIF_AMBIGUOUS },
	/* date -d '2024-10-27 02:30:00 +0100' +%s -> 02:30:00 CET */
	{ "Europe/Berlin", 2024, 10, 27, 2, 30, 0, TZIF_LATER, 1729992600, TZIF_AMBIGUOUS },
	/* 02:00:00 is the first second of the repeated hour */
	{ "Europe/Berlin", 2024, 10, 27, 2, 0, 0, TZIF_EARLIER, 1729987200, TZIF_AMBIGUOUS },
	/* date -d '2024-10-27 03:00:00 +0100' +%s -> 03:00:00 CET */
	{ "Europe/Berlin", 2024, 10, 27, 3, 0, 0, TZIF_EARLIER, 1729994400, 0 },
	/* before the first transition (LMT +0:53:28):
	 * TZ=Europe/Berlin date -d '1800-01-01 12:00:00' +%s -> LMT +0053 */
	{ "Europe/Berlin", 1800, 1, 1, 12, 0, 0, TZIF_EARLIER, -5364622408LL, 0 },
	/* far future, after the file's last transition (footer
	 * CET-1CEST,M3.5.0,M10.5.0/3):
	 * date -d '2100-07-01 12:00:00 +0200' +%s -> 12:00:00 CEST */
	{ "Europe/Berlin", 2100, 7, 1, 12, 0, 0, TZIF_EARLIER, 4118119200LL, 0 },
	/* date -d '2100-12-01 12:00:00 +0100' +%s -> 12:00:00 CET */
	{ "Europe/Berlin", 2100, 12, 1, 12, 0, 0, TZIF_EARLIER, 4131342000LL, 0 },
	/* date -d '2100-03-28 02:30:00 +0100' +%s -> 03:30:00 CEST (gap) */
	{ "Europe/Berlin", 2100, 3, 28, 2, 30, 0, TZIF_EARLIER, 4109880600LL, TZIF_GAP },
	/* date -d '2100-10-31 02:30:00 +0200' +%s -> 02:30:00 CEST */
	{ "Europe/Berlin", 2100, 10, 31, 2, 30, 0, TZIF_EARLIER, 4128625800LL, TZIF_AMBIGUOUS },
	/* date -d '2100-10-31 02:30:00 +0100' +%s -> 02:30:00 CET */
	{ "Europe/Berlin", 2100, 10, 31, 2, 30, 0, TZIF_LATER, 4128629400LL, TZIF_AMBIGUOUS },

	/* date -d '2024-07-04 12:00:00 -0400' +%s -> 12:00:00 EDT */
	{ "America/New_York", 2024, 7, 4, 12, 0, 0, TZIF_EARLIER, 1720108800, 0 },
	/* date -d '2024-03-10 02:30:00 -0500' +%s -> 03:30:00 EDT (gap) */
	{ "America/New_York", 2024, 3, 10, 2, 30, 0, TZIF_EARLIER, 1710055800, TZIF_GAP },
	/* date -d '2024-11-03 01:30:00 -0400' +%s -> 01:30:00 EDT */
	{ "America/New_York", 2024, 11, 3, 1, 30, 0, TZIF_EARLIER, 1730611800, TZIF_AMBIGUOUS },
	/* date -d '2024-11-03 01:30:00 -0500' +%s -> 01:30:00 EST */
	{ "America/New_York", 2024, 11, 3, 1, 30, 0, TZIF_LATER, 1730615400, TZIF_AMBIGUOUS },
	/* TZ=America/New_York date -d '2300-07-04 12:00:00' +%s -> EDT -0400 */
	{ "America/New_York", 2300, 7, 4, 12, 0, 0, TZIF_EARLIER, 10429747200LL, 0 },

	/* southern hemisphere: DST from October to April.
	 * date -d '2024-01-15 12:00:00 +1100' +%s -> 12:00:00 AEDT */
	{ "Australia/Sydney", 2024, 1, 15, 12, 0, 0, TZIF_EARLIER, 1705280400, 0 },
	/* date -d '2024-07-01 12:00:00 +1000' +%s -> 12:00:00 AEST */
	{ "Australia/Sydney", 2024, 7, 1, 12, 0, 0, TZIF_EARLIER, 1719799200, 0 },
	/* date -d '2024-04-07 02:30:00 +1100' +%s -> 02:30:00 AEDT */
	{ "Australia/Sydney", 2024, 4, 7, 2, 30, 0, TZIF_EARLIER, 1712417400, TZIF_AMBIGUOUS },
	/* date -d '2024-04-07 02:30:00 +1000' +%s -> 02:30:00 AEST */
	{ "Australia/Sydney", 2024, 4, 7, 2, 30, 0, TZIF_LATER, 1712421000, TZIF_AMBIGUOUS },
	/* date -d '2024-10-06 02:30:00 +1000' +%s -> 03:30:00 AEDT (gap) */
	{ "Australia/Sydney", 2024, 10, 6, 2, 30, 0, TZIF_EARLIER, 1728145800, TZIF_GAP },
	/* footer AEST-10AEDT,M10.1.0,M4.1.0/3 across New Year:
	 * date -d '2200-01-15 12:00:00 +1100' +%s -> 12:00:00 AEDT */
	{ "Australia/Sydney", 2200, 1, 15, 12, 0, 0, TZIF_EARLIER, 7259331600LL, 0 },
	/* date -d '2200-04-06 02:30:00 +1100' +%s -> 02:30:00 AEDT */
	{ "Australia/Sydney", 2200, 4, 6, 2, 30, 0, TZIF_EARLIER, 7266295800LL, TZIF_AMBIGUOUS },
	/* date -d '2200-04-06 02:30:00 +1000' +%s -> 02:30:00 AEST */
	{ "Australia/Sydney", 2200, 4, 6, 2, 30, 0, TZIF_LATER, 7266299400LL, TZIF_AMBIGUOUS },
	/* date -d '2200-10-05 02:30:00 +1000' +%s -> 03:30:00 AEDT (gap) */
	{ "Australia/Sydney", 2200, 10, 5, 2, 30, 0, TZIF_EARLIER, 7282024200LL, TZIF_GAP },

	/* no DST, half-hour offset:
	 * date -d '2024-06-01 12:00:00 +0530' +%s -> 12:00:00 IST */
	{ "Asia/Kolkata", 2024, 6, 1, 12, 0, 0, TZIF_EARLIER, 1717223400, 0 },
	/* date -d '2024-06-01 12:00:00 +0000' +%s -> 12:00:00 UTC */
	{ "UTC", 2024, 6, 1, 12, 0, 0, TZIF_EARLIER, 1717243200, 0 },
	{ "Etc/UTC", 2100, 6, 1, 12, 0, 0, TZIF_LATER, 4115534400LL, 0 },
};

/* Seconds of y-m-d h:mi:s read as UTC: the "local seconds" tzif takes. */
static int64_t
civil_s(int64_t y, int m, int d, int h, int mi, int s)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + h * 3600 + mi * 60 + s;
}

Test(tzif, local_to_utc_table)
{
	size_t i;

	for (i = 0; i < sizeof tz_cases / sizeof tz_cases[0]; i++) {
		const struct tz_case *c = &tz_cases[i];
		char err[256];
		struct tzif *z = tzif_load(NULL, c->zone, err, sizeof err);
		int64_t utc = 0;
		int flags = -1;

		cr_assert_not_null(z, "row %zu: %s", i, err);
		cr_expect_eq(tzif_local_to_utc(z, civil_s(c->y, c->mo, c->d, c->h, c->mi,
		    c->s), c->hint, &utc, &flags), 0, "row %zu", i);
		cr_expect_eq(utc, c->utc, "row %zu (%s %04d-%02d-%02d %02d:%02d): %lld, "
		    "expected %lld", i, c->zone, c->y, c->mo, c->d, c->h, c->mi,
		    (long long)utc, (long long)c->utc);
		cr_expect_eq(flags, c->flags, "row %zu (%s): flags %d, expected %d", i,
		    c->zone, flags, c->flags);
		tzif_free(z);
	}
}

/* Every hour of 2024 in Berlin: local -> UTC -> offset gives the local
 * time back, except in the gap; exactly one gap hour and one repeated. */
Test(tzif, berlin_2024_round_trip)
{
	char err[256];
	struct tzif *z = tzif_load(NULL, "Europe/Berlin", err, sizeof err);
	int64_t l, start = civil_s(2024, 1, 1, 0, 0, 0), stop = civil_s(2025, 1, 1, 0, 0, 0);
	int gaps = 0, ambig = 0;

	cr_assert_not_null(z, "%s", err);
	for (l = start; l < stop; l += 1800) {
		int64_t u;
		int fl;
		cr_assert_eq(tzif_local_to_utc(z, l, TZIF_LATER, &u, &fl), 0);
		if (fl & TZIF_GAP) {
			gaps++;
			cr_expect_eq(u + tzif_offset_at(z, u, NULL), l + 3600);
			continue;
		}
		ambig += (fl & TZIF_AMBIGUOUS) != 0;
		cr_expect_eq(u + tzif_offset_at(z, u, NULL), l);
	}
	cr_expect_eq(gaps, 2, "two half hours skipped, got %d", gaps);
	cr_expect_eq(ambig, 2, "two half hours repeated, got %d", ambig);
	tzif_free(z);
}

/* A "slim" file: no transitions at all, everything from the footer. */
static size_t
slim_file(uint8_t *b, const char *footer)
{
	size_t n = 0;
	/* header: TZif2, counts isut isstd leap time type chars */
	static const uint8_t v1[] = {
		'T', 'Z', 'i', 'f', '2', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4,
	};
	static const uint8_t type[] = { 0, 0, 0x0e, 0x10, 0, 0, 'C', 'E', 'T', 0 };

	memcpy(b + n, v1, sizeof v1);
	n += sizeof v1;
	memcpy(b + n, type, sizeof type);
	n += sizeof type;
	memcpy(b + n, v1, sizeof v1);
	n += sizeof v1;
	memcpy(b + n, type, sizeof type);
	n += sizeof type;
	b[n++] = '\n';
	memcpy(b + n, footer, strlen(footer));
	n += strlen(footer);
	b[n++] = '\n';
	return n;
}

Test(tzif, slim_file_uses_footer)
{
	uint8_t b[256];
	char err[128];
	struct tzif z;
	int64_t u;
	int fl;
	size_t n = slim_file(b, "CET-1CEST,M3.5.0,M10.5.0/3");

	cr_assert_eq(tzif_parse(b, n, &z, err, sizeof err), 0, "%s", err);
	cr_expect_eq(z.ntrans, 0);
	/* the same instants as the Europe/Berlin rows above */
	cr_assert_eq(tzif_local_to_utc(&z, civil_s(2024, 10, 27, 2, 30, 0), TZIF_LATER,
	    &u, &fl), 0);
	cr_expect_eq(u, 1729992600);
	cr_expect_eq(fl, TZIF_AMBIGUOUS);
	cr_assert_eq(tzif_local_to_utc(&z, civil_s(2024, 3, 31, 2, 30, 0), TZIF_EARLIER,
	    &u, &fl), 0);
	cr_expect_eq(u, 1711848600);
	cr_expect_eq(fl, TZIF_GAP);
	cr_expect_eq(tzif_offset_at(&z, 1719828000, NULL), 7200);
	tzif_clear(&z);

	/* quoted names, a negative rule time, J and n rules */
	n = slim_file(b, "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
	cr_assert_eq(tzif_parse(b, n, &z, err, sizeof err), 0, "%s", err);
	tzif_clear(&z);
	n = slim_file(b, "XXX-2YYY,J60/0,300/1:30:15");
	cr_assert_eq(tzif_parse(b, n, &z, err, sizeof err), 0, "%s", err);
	tzif_clear(&z);
}

Test(tzif, refuses_bad_files)
{
	static const char *const bad_footers[] = {
		"CE-1", "CET", "CET-1CEST", "CET-1CEST,M13.5.0,M10.5.0/3",
		"CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0",
		"CET-1CEST,M3.5.0,M10.5.0/168", "CET-25", "<CE>-1", "CET-1CEST,J0,J365",
		"CET-1CEST,M3.5.0,M10.5.0x", "CET-1:5",
	};
	uint8_t b[256];
	char err[128];
	struct tzif z;
	size_t n, i, cut;

	for (i = 0; i < sizeof bad_footers / sizeof bad_footers[0]; i++) {
		n = slim_file(b, bad_footers[i]);
		cr_expect_eq(tzif_parse(b, n, &z, err, sizeof err), -1, "%s",
		    bad_footers[i]);
	}
	/* every truncation of a good file */
	n = slim_file(b, "CET-1CEST,M3.5.0,M10.5.0/3");
	for (cut = 0; cut < n; cut++)
		cr_expect_eq(tzif_parse(b, cut, &z, err, sizeof err), -1, "cut at %zu", cut);
	/* bad magic, zero types */
	b[0] = 'X';
	cr_expect_eq(tzif_parse(b, n, &z, err, sizeof err), -1);
	n = slim_file(b, "CET-1");
	b[39] = 0;
	cr_expect_eq(tzif_parse(b, n, &z, err, sizeof err), -1);
}

Test(tzif, refuses_bad_names)
{
	static const char *const names[] = {
		"", "/etc/passwd", "../../etc/passwd", "Europe/../../etc/passwd",
		"Europe/Berln", "Europe", "Europe/Berlin ", "Europe/Berlin;rm",
	};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct tzif *z = tzif_load(NULL, names[i], err, sizeof err);
		cr_expect_null(z, "'%s' was accepted", names[i]);
		tzif_free(z);
	}
	cr_expect_null(tzif_load(NULL, "Europe/Berln", err, sizeof err));
	cr_expect(strstr(err, "unknown time zone \"Europe/Berln\"") != NULL, "%s", err);
}
