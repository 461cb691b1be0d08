/*
 * test_util.c — durations, sizes, addresses, UTF-8, ISO time, decimal keys, time zones.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "config.h"
#include "util.h"

Test(util, durations)
{
	int64_t us;

	cr_assert_eq(util_parse_duration("30s", &us), 0);
	cr_assert_eq(us, 30000000);
	cr_assert_eq(util_parse_duration("5m", &us), 0);
	cr_assert_eq(us, 300000000);
	cr_assert_eq(util_parse_duration("1h", &us), 0);
	cr_assert_eq(us, 3600000000LL);
	cr_assert_eq(util_parse_duration("250ms", &us), 0);
	cr_assert_eq(us, 250000);
	cr_assert_eq(util_parse_duration("2d", &us), 0);
	cr_assert_eq(us, 172800000000LL);
	cr_assert_eq(util_parse_duration("12", &us), 0);
	cr_assert_eq(us, 12000000);
	cr_assert_eq(util_parse_duration("", &us), -1);
	cr_assert_eq(util_parse_duration("5x", &us), -1);
	cr_assert_eq(util_parse_duration("-5s", &us), -1);
	cr_assert_eq(util_parse_duration("1e30h", &us), -1);
}

Test(util, sizes)
{
	uint64_t v;

	cr_assert_eq(util_parse_size("65536", &v), 0);
	cr_assert_eq(v, 65536);
	cr_assert_eq(util_parse_size("32M", &v), 0);
	cr_assert_eq(v, 32u << 20);
	cr_assert_eq(util_parse_size("64KiB", &v), 0);
	cr_assert_eq(v, 64u << 10);
	cr_assert_eq(util_parse_size("1G", &v), 0);
	cr_assert_eq(util_parse_size("M", &v), -1);
	cr_assert_eq(util_parse_size("12Q", &v), -1);
	cr_assert_eq(util_parse_size("99999999999999999999G", &v), -1);
}

Test(util, hostport)
{
	struct sockaddr_storage ss;
	char err[128], text[80];

	cr_assert_eq(util_parse_hostport("127.0.0.1:5514", &ss, err, sizeof err), 0);
	cr_assert_str_eq(util_format_sockaddr(text, sizeof text, (struct sockaddr *)&ss),
	    "127.0.0.1:5514");
	cr_assert_eq(util_parse_hostport("[::1]:514", &ss, err, sizeof err), 0);
	cr_assert_str_eq(util_format_sockaddr(text, sizeof text, (struct sockaddr *)&ss),
	    "[::1]:514");
	cr_assert_eq(util_parse_hostport(":514", &ss, err, sizeof err), 0);
	cr_assert_eq(ss.ss_family, AF_INET);
	cr_assert_eq(util_parse_hostport("localhost:514", &ss, err, sizeof err), -1);
	cr_assert_eq(util_parse_hostport("1.2.3.4:70000", &ss, err, sizeof err), -1);
	cr_assert_eq(util_parse_hostport("1.2.3.4", &ss, err, sizeof err), -1);
	cr_assert_eq(util_parse_hostport("[::1:514", &ss, err, sizeof err), -1);
}

Test(util, utf8)
{
	char out[64];

	cr_assert(util_utf8_valid("abc \xc3\xa9", 6));
	cr_assert(!util_utf8_valid("a\xff", 2));
	cr_assert(!util_utf8_valid("a\0b", 3));
	cr_assert(!util_utf8_valid("\xc0\xaf", 2));          /* overlong '/' */
	cr_assert(!util_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
	cr_assert(!util_utf8_valid("\xe2\x82", 2));          /* cut short */
	util_utf8_sanitize(out, "a\xff" "b", 3);
	cr_assert_str_eq(out, "a\xef\xbf\xbd" "b");
	util_utf8_sanitize(out, "a\0b", 3);
	cr_assert_str_eq(out, "a\xe2\x90\x80" "b");
}

Test(util, iso_time)
{
	char buf[40];

	cr_assert_str_eq(util_format_iso(buf, sizeof buf, 0, 0), "1970-01-01T00:00:00Z");
	cr_assert_str_eq(util_format_iso(buf, sizeof buf, 1718670677000000LL, 0),
	    "2024-06-18T00:31:17Z");
	cr_assert_str_eq(util_format_iso(buf, sizeof buf, 1718670677123456LL, 1),
	    "2024-06-18T00:31:17.123456Z");
	cr_assert_eq(util_days_from_civil(2024, 2, 29), 19782);
}

Test(util, i64_text)
{
	static const struct {
		int64_t v;
		const char *want;
	} cases[] = {
		{ 0, "0" }, { 7, "7" }, { -1, "-1" }, { 10, "10" },
		{ 1234567890123LL, "1234567890123" },
		{ INT64_MAX, "9223372036854775807" },
		{ INT64_MIN, "-9223372036854775808" },
	};
	char buf[24];
	size_t i, n;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memset(buf, 'x', sizeof buf);
		n = util_i64_text(buf, cases[i].v);
		cr_assert_eq(n, strlen(cases[i].want), "length of %s", cases[i].want);
		cr_assert_eq(memcmp(buf, cases[i].want, n), 0, "text of %s", cases[i].want);
		cr_assert_eq(buf[n], 'x', "nothing written past %s", cases[i].want);
	}
}

Test(config, timezones)
{
	int off;

	cr_assert_eq(cfg_parse_tz("+09:00", &off), 0);
	cr_assert_eq(off, 540);
	cr_assert_eq(cfg_parse_tz("-0530", &off), 0);
	cr_assert_eq(off, -330);
	cr_assert_eq(cfg_parse_tz("UTC", &off), 0);
	cr_assert_eq(off, 0);
	cr_assert_eq(cfg_parse_tz("+25:00", &off), -1);
	cr_assert_eq(cfg_parse_tz("Asia/Tokyo", &off), -1);
}
