/*
 * fuzz_syslog_hdr.c — libFuzzer target for parse/syslog_hdr.c.
 *
 * The input is copied into an exactly-sized heap buffer, so ASan catches
 * any read at or past len.  After syslog_parse() we assert the contract:
 * status and format in range, every span inside the input, msg running to
 * the end, a no-header result spanning the whole input, PRI / facility /
 * severity consistent, time fields in range.  syslog_time_to_us() is run
 * against a few reference times and must keep its "<= ref + 1 day" promise
 * for year-less stamps.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *   -Iparse parse/syslog_hdr.c tests/fuzz/fuzz_syslog_hdr.c -o fz_sh
 * Run:   ./fz_sh -max_total_time=60 tests/fuzz/corpus/syslog_hdr
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "span.h"
#include "syslog_hdr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define US_DAY	(INT64_C(86400) * 1000000)

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void
check_span(struct span s, size_t len)
{
	CHECK((uint64_t)s.off + s.len <= len);
}

static void
check_time(const struct syslog_time *t)
{
	int64_t us;
	static const int64_t refs[] = {
		INT64_C(1718670682) * 1000000,	/* 2024-06-18 */
		INT64_C(1735689598) * 1000000,	/* 2024-12-31 23:59:58 */
		0,
		INT64_C(-1),
		INT64_MAX,
		INT64_MIN,
	};

	CHECK(t->mon >= 1 && t->mon <= 12);
	CHECK(t->mday >= 1 && t->mday <= 31);
	CHECK(t->hour >= 0 && t->hour <= 23);
	CHECK(t->min >= 0 && t->min <= 59);
	CHECK(t->sec >= 0 && t->sec <= 60);
	CHECK(t->usec >= 0 && t->usec <= 999999);
	CHECK(t->year >= 0 && t->year <= 9999);
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		if (syslog_time_to_us(t, refs[i], 0, &us) != 0)
			continue;
		if (t->year == 0 && !t->has_tz)
			CHECK(us <= refs[i] + US_DAY);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syslog_hdr h;
	char *buf;
	int st;

	buf = malloc(size ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	st = syslog_parse(buf, size, &h);

	CHECK(st == h.status);
	CHECK(st == SYSLOG_OK || st == SYSLOG_NOHDR || st == SYSLOG_BADPRI);
	CHECK(h.format >= SYSLOG_FMT_NONE && h.format <= SYSLOG_FMT_IOS);
	check_span(h.prefix, size);
	check_span(h.timestamp, size);
	check_span(h.tzname, size);
	check_span(h.hostname, size);
	check_span(h.app, size);
	check_span(h.procid, size);
	check_span(h.msgid, size);
	check_span(h.sd, size);
	check_span(h.msg, size);
	CHECK((uint64_t)h.msg.off + h.msg.len == size);
	if (h.format == SYSLOG_FMT_NONE) {
		CHECK(st != SYSLOG_OK);
		CHECK(h.msg.off == 0 && h.msg.len == size);
		CHECK(h.pri == -1 && !h.has_time && h.hostname.len == 0);
	} else
		CHECK(st != SYSLOG_NOHDR);
	CHECK(h.pri >= -1 && h.pri <= 191);
	if (h.pri >= 0)
		CHECK(h.facility == h.pri >> 3 && h.severity == (h.pri & 7));
	CHECK(h.facility >= -1 && h.facility <= 23);
	CHECK(h.severity >= -1 && h.severity <= 7);
	/* syslog_hdr.c's lenient caps: HOST 255, TAG / APP-NAME 128, MSGID
	 * 128, PROCID 256 (issue #13: kept like rsyslog and syslog-ng). */
	CHECK(h.hostname.len <= 255 && h.app.len <= 128 && h.msgid.len <= 128);
	CHECK(h.procid.len <= 256);
	if (h.has_time)
		check_time(&h.time);
	free(buf);
	return 0;
}
