/*
 * test_config_tz.c — which zone a line gets (base/config.c): fixed
 * offsets and IANA names, hostname rules before sender ranges before the
 * default, the most specific range, the last rule for a hostname, loaded
 * zones shared, and the errors that stop the start.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "tzif.h"

static struct config cfg;

static void
setup(void)
{
	char err[256];

	cfg_defaults(&cfg);
	cr_assert_eq(cfg_parse_zone(&cfg, "+02:00", &(struct cfg_zone){ 0 }, err,
	    sizeof err), 0);
	cr_assert_eq(cfg_add_tz_rule(&cfg, "vedge-ber", "Europe/Berlin", err, sizeof err),
	    0, "%s", err);
	cr_assert_eq(cfg_add_tz_rule(&cfg, "vedge-fix", "+05:30", err, sizeof err), 0);
	cr_assert_eq(cfg_add_tz_rule(&cfg, "192.0.2.0/24", "America/New_York", err,
	    sizeof err), 0, "%s", err);
	cr_assert_eq(cfg_add_tz_rule(&cfg, "192.0.2.128/25", "Europe/Berlin", err,
	    sizeof err), 0, "%s", err);
	cr_assert_eq(cfg_add_tz_rule(&cfg, "2001:db8::/32", "Asia/Kolkata", err,
	    sizeof err), 0, "%s", err);
	/* a later rule for the same hostname wins (flags after the file) */
	cr_assert_eq(cfg_add_tz_rule(&cfg, "vedge-fix", "-03:00", err, sizeof err), 0);
}

static void
teardown(void)
{
	cfg_free(&cfg);
}

static const char *
zname(struct cfg_zone z)
{
	return z.zone != NULL ? z.zone->name : "fixed";
}

Test(config_tz, precedence, .init = setup, .fini = teardown)
{
	static const uint8_t in24[16] = { 192, 0, 2, 7 }, in25[16] = { 192, 0, 2, 200 };
	static const uint8_t out4[16] = { 198, 51, 100, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct cfg_zone z;

	z = cfg_zone_for(&cfg, "vedge-ber", 9, AF_INET, in24);   /* hostname first */
	cr_expect_str_eq(zname(z), "Europe/Berlin");
	z = cfg_zone_for(&cfg, "vedge-fix", 9, AF_INET, in24);
	cr_expect_null(z.zone);
	cr_expect_eq(z.off_min, -180, "the last rule for a hostname wins");
	z = cfg_zone_for(&cfg, "other", 5, AF_INET, in24);       /* then the range */
	cr_expect_str_eq(zname(z), "America/New_York");
	z = cfg_zone_for(&cfg, "other", 5, AF_INET, in25);       /* most specific */
	cr_expect_str_eq(zname(z), "Europe/Berlin");
	z = cfg_zone_for(&cfg, "", 0, AF_INET6, v6);
	cr_expect_str_eq(zname(z), "Asia/Kolkata");
	z = cfg_zone_for(&cfg, "other", 5, AF_INET, out4);       /* then the default */
	cr_expect_null(z.zone);
	cr_expect_eq(z.off_min, 0);
	z = cfg_zone_for(&cfg, "other", 5, 0, NULL);             /* import: no sender */
	cr_expect_null(z.zone);
	/* "vedge-ber" as a prefix of a longer name does not match */
	z = cfg_zone_for(&cfg, "vedge-ber2", 10, 0, NULL);
	cr_expect_null(z.zone);
	/* Europe/Berlin loaded once, shared by both rules */
	cr_expect_eq(cfg.n_zones, 3);
}

Test(config_tz, errors, .init = setup, .fini = teardown)
{
	char err[256];
	struct cfg_zone z;

	cr_expect_eq(cfg_parse_zone(&cfg, "Europe/Berln", &z, err, sizeof err), -1);
	cr_expect(strstr(err, "unknown time zone \"Europe/Berln\"") != NULL, "%s", err);
	cr_expect_eq(cfg_parse_zone(&cfg, "+25:00", &z, err, sizeof err), -1);
	cr_expect_eq(cfg_parse_zone(&cfg, "../../etc/passwd", &z, err, sizeof err), -1);
	cr_expect_eq(cfg_add_tz_rule(&cfg, "192.0.2.0/33", "UTC", err, sizeof err), -1);
	cr_expect(strstr(err, "not a sender range") != NULL, "%s", err);
	cr_expect_eq(cfg_add_tz_rule(&cfg, "vedge-x", "Mars/Olympus", err, sizeof err), -1);
	cr_expect(strstr(err, "timezones.vedge-x") != NULL, "%s", err);
}
