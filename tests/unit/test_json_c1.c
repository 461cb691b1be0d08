/*
 * test_json_c1.c — C1 controls in --json output (issue #17 item 8): a
 * message holding U+009B (CSI) must not reach a terminal raw.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

Test(json_c1, escaped_and_other_text_kept)
{
	json_t *o = json_pack("{s:s}", "m", "a\xc2\x9b" "31mX\xc2\x80 caf\xc3\xa9 \xc2\xa0" "b\xc2\x9f");
	char buf[256];
	long n;

	cr_assert_not_null(o);
	n = jsonout_dumpb(o, buf, sizeof buf, JSON_COMPACT);
	cr_assert_gt(n, 0);
	cr_assert_str_eq(buf, "{\"m\":\"a\\u009b31mX\\u0080 caf\xc3\xa9 \xc2\xa0" "b\\u009f\"}");
	cr_assert_null(memchr(buf, 0x9b, (size_t)n));
	json_decref(o);
}

Test(json_c1, too_small_buffer)
{
	json_t *o = json_pack("{s:s}", "m", "0123456789");
	char buf[8];

	cr_assert_eq(jsonout_dumpb(o, buf, sizeof buf, JSON_COMPACT), -1);
	json_decref(o);
}

Test(json_c1, file_output)
{
	json_t *o = json_pack("[s]", "\xc2\x9b");
	char *mem = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&mem, &len);

	cr_assert_eq(jsonout_dumpf(o, f, JSON_COMPACT), 0);
	fclose(f);
	cr_assert_str_eq(mem, "[\"\\u009b\"]");
	free(mem);
	json_decref(o);
}
