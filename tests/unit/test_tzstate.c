/*
 * test_tzstate.c — the repeated autumn hour resolved by the order of
 * arrival (base/tzstate.c), per device, in Europe/Berlin on 2024-10-27
 * (02:00-02:59 happens in CEST, 00:00-00:59Z, then in CET, 01:00-01:59Z).
 * Expected UTC values: date -d '2024-10-27 02:30:00 +0200' +%s (CEST) and
 * date -d '2024-10-27 02:30:00 +0100' +%s (CET).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "tzstate.h"

#define US       INT64_C(1000000)
/* 2024-10-27 00:00:00 read as UTC: the local seconds of that midnight. */
#define MIDNIGHT INT64_C(1729987200)
#define LOCAL(h, m, s) ((MIDNIGHT + (h) * 3600 + (m) * 60 + (s)) * US)
#define CEST(h, m, s)  (LOCAL(h, m, s) - 7200 * US)
#define CET(h, m, s)   (LOCAL(h, m, s) - 3600 * US)

struct step {
	const char *host;
	int64_t local_us;
	int64_t want_us;
	int flags;
};

/* One device through the change, a second one interleaved that enters
 * the repeated hour fresh, and lines slightly out of order. */
static const struct step steps[] = {
	{ "a", LOCAL(1, 59, 59), CEST(1, 59, 59), 0 },
	{ "a", LOCAL(2, 0, 0), CEST(2, 0, 0), TZIF_AMBIGUOUS },   /* first pass */
	{ "a", LOCAL(2, 59, 59), CEST(2, 59, 59), TZIF_AMBIGUOUS },
	/* two minutes back: reordered, not the change (within the slack) */
	{ "a", LOCAL(2, 57, 59), CEST(2, 57, 59), TZIF_AMBIGUOUS },
	{ "b", LOCAL(2, 10, 0), CEST(2, 10, 0), TZIF_AMBIGUOUS },  /* b is fresh */
	/* a's clock went back an hour: the second pass */
	{ "a", LOCAL(2, 0, 0), CET(2, 0, 0), TZIF_AMBIGUOUS },
	{ "a", LOCAL(2, 0, 1), CET(2, 0, 1), TZIF_AMBIGUOUS },
	/* 02:58 CEST is 00:58Z, within the slack of a's previous line
	 * (01:00:01Z): a late CEST line, kept as CEST */
	{ "a", LOCAL(2, 58, 0), CEST(2, 58, 0), TZIF_AMBIGUOUS },
	/* 02:30 CEST would be half an hour before it: CET */
	{ "a", LOCAL(2, 30, 0), CET(2, 30, 0), TZIF_AMBIGUOUS },
	{ "a", LOCAL(3, 0, 0), CET(3, 0, 0), 0 },
	/* b is unaffected by a's change */
	{ "b", LOCAL(2, 20, 0), CEST(2, 20, 0), TZIF_AMBIGUOUS },
	{ "b", LOCAL(2, 5, 0), CET(2, 5, 0), TZIF_AMBIGUOUS },
};

Test(tzstate, autumn_hour_by_arrival)
{
	char err[256];
	struct tzif *z = tzif_load(NULL, "Europe/Berlin", err, sizeof err);
	struct tzs *s = tzs_new();
	size_t i;

	cr_assert_not_null(z, "%s", err);
	cr_assert_not_null(s);
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		const struct step *st = &steps[i];
		int64_t utc = 0;
		int fl = -1;
		cr_assert_eq(tzs_local_to_utc(s, tzs_key(st->host, strlen(st->host), 0, NULL),
		    z, st->local_us, &utc, &fl), 0);
		cr_expect_eq(utc, st->want_us, "step %zu: %lld, expected %lld", i,
		    (long long)(utc / US), (long long)(st->want_us / US));
		cr_expect_eq(fl, st->flags, "step %zu flags %d", i, fl);
	}
	/* without a table: always the earlier instance */
	{
		int64_t utc;
		int fl;
		cr_assert_eq(tzs_local_to_utc(NULL, 0, z, LOCAL(2, 30, 0), &utc, &fl), 0);
		cr_expect_eq(utc, CEST(2, 30, 0));
		cr_expect_eq(utc / US, 1729989000);   /* date -d '2024-10-27 02:30:00 +0200' +%s */
	}
	tzs_free(s);
	tzif_free(z);
}

/* More devices than the table holds: bounded, and a forgotten device
 * only starts afresh (earlier instance). */
Test(tzstate, bounded_table)
{
	char err[256], host[32];
	struct tzif *z = tzif_load(NULL, "Europe/Berlin", err, sizeof err);
	struct tzs *s = tzs_new();
	int i;

	cr_assert_not_null(z, "%s", err);
	for (i = 0; i < 3 * TZS_SLOTS; i++) {
		int64_t utc;
		int fl, n = snprintf(host, sizeof host, "vedge%05d", i);
		cr_assert_eq(tzs_local_to_utc(s, tzs_key(host, (size_t)n, 0, NULL), z,
		    LOCAL(2, 59, 0), &utc, &fl), 0);
		cr_expect_eq(utc, CEST(2, 59, 0));
	}
	tzs_free(s);
	tzif_free(z);
}

/* Sender keys: IPv4 and IPv6 addresses, and a hostname, are distinct. */
Test(tzstate, keys)
{
	static const uint8_t a4[16] = { 192, 0, 2, 1 }, b4[16] = { 192, 0, 2, 2 };
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	cr_expect_neq(tzs_key(NULL, 0, AF_INET, a4), tzs_key(NULL, 0, AF_INET, b4));
	cr_expect_neq(tzs_key(NULL, 0, AF_INET, a4), tzs_key(NULL, 0, AF_INET6, a6));
	cr_expect_neq(tzs_key("a", 1, 0, NULL), tzs_key(NULL, 0, 0, NULL));
	cr_expect_eq(tzs_key("a", 1, AF_INET, a4), tzs_key("a", 1, AF_INET, b4));
}
