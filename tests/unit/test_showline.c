/*
 * test_showline.c — parse/showline.c: a stored frame shown as
 * "device-time host program: message" (issue #15: evidence and timeline
 * lines were raw frames), for each header form, without a header, without
 * a device time, and with the time left out.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "showline.h"

#define T_US 1718670677000000LL          /* 2024-06-18T00:31:17Z */

static void
expect(const char *raw, int64_t us, unsigned flags, const char *want)
{
	char *got = showline_format(raw, strlen(raw), us, flags);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want, "raw '%s'", raw);
	free(got);
}

Test(showline, rfc3164_with_pri_and_pid)
{
	expect("<30>Jun 18 00:31:17 vedge01 charon[812]: 16[IKE] giving up after 5 retransmits",
	    T_US, 0, "2024-06-18T00:31:17Z vedge01 charon: 16[IKE] giving up after 5 retransmits");
}

Test(showline, rfc5424_structured_data_dropped)
{
	expect("<30>1 2024-06-18T02:31:17.123+02:00 vedge09 charon 812 - [meta sequenceId=\"1\"] "
	    "16[IKE] giving up", T_US, 0, "2024-06-18T00:31:17Z vedge09 charon: 16[IKE] giving up");
}

Test(showline, busybox_prefix)
{
	expect("Jun 18 00:31:17 vedge01 daemon.info charon: 16[IKE] initiating IKE_SA ipsec2_1[7]",
	    T_US, 0, "2024-06-18T00:31:17Z vedge01 charon: 16[IKE] initiating IKE_SA ipsec2_1[7]");
}

Test(showline, no_device_time_uses_the_timestamp_as_written)
{
	expect("<30>Jun 18 00:31:17 vedge01 charon: 16[IKE] x", SHOWLINE_NO_TIME, 0,
	    "Jun 18 00:31:17 vedge01 charon: 16[IKE] x");
}

Test(showline, time_left_out)
{
	expect("<30>Jun 18 00:31:17 vedge01 charon: 16[IKE] x", T_US, SHOWLINE_F_NOTIME,
	    "vedge01 charon: 16[IKE] x");
}

Test(showline, no_header_kept_as_it_is)
{
	expect("16[IKE] retransmit 1 of request with message ID 0", T_US, SHOWLINE_F_NOTIME,
	    "16[IKE] retransmit 1 of request with message ID 0");
	expect("", SHOWLINE_NO_TIME, 0, "");
}

Test(showline, hostile_text_is_only_data)
{
	/* Format directives, markup and backticks pass through untouched:
	 * each writer escapes for its own output. */
	expect("<30>Jun 18 00:31:17 vedge01 charon: %s%n <b>`x`</b> *y* [a](b)", T_US, 0,
	    "2024-06-18T00:31:17Z vedge01 charon: %s%n <b>`x`</b> *y* [a](b)");
}

Test(showline, long_line_is_whole)
{
	size_t n = 70000, i;
	char *raw = malloc(n + 64), *got;

	cr_assert_not_null(raw);
	strcpy(raw, "<30>Jun 18 00:31:17 vedge01 charon: ");
	for (i = strlen(raw); i < n; i++)
		raw[i] = 'A';
	raw[n] = '\0';
	got = showline_format(raw, n, T_US, 0);
	cr_assert_not_null(got);
	cr_assert_eq(strlen(got), strlen("2024-06-18T00:31:17Z vedge01 charon: ") +
	    (n - strlen("<30>Jun 18 00:31:17 vedge01 charon: ")));
	free(got);
	free(raw);
}
