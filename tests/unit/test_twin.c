/*
 * test_twin.c — copy numbers of identical lines (storage/twin.h).
 *
 * Regression (found by bench.sh's two-collector part): the table was
 * direct-mapped, so a key was forgotten as soon as another key hashed to
 * its slot; the second of two identical lines ~840 lines apart in one
 * device second then counted as copy 0 again, and both collectors dropped
 * it as a twin of the first (one line in 200,000 lost in most runs).
 */
#include <criterion/criterion.h>

#include "twin.h"

Test(twin, counts_identical_lines_of_one_second)
{
	struct twin *t = twin_new();

	cr_assert_not_null(t);
	cr_expect_eq(twin_copy(t, 1, 1000000, 42), 0);
	cr_expect_eq(twin_copy(t, 1, 1000000, 42), 1);
	cr_expect_eq(twin_copy(t, 1, 1000000, 43), 0, "another text");
	cr_expect_eq(twin_copy(t, 2, 1000000, 42), 0, "another host");
	cr_expect_eq(twin_copy(t, 1, 2000000, 42), 0, "another second");
	cr_expect_eq(twin_copy(t, 1, 1000000, 42), 2);
	twin_free(t);
}

Test(twin, a_rolled_back_transaction_counts_again)
{
	struct twin *t = twin_new();

	cr_expect_eq(twin_copy(t, 1, 1000000, 42), 0);
	twin_settle(t, 1);
	cr_expect_eq(twin_copy(t, 1, 1000000, 42), 1);
	twin_settle(t, 0);
	cr_expect_eq(twin_copy(t, 1, 1000000, 42), 1, "the replay numbers it as before");
	twin_free(t);
}

/* 2,000 lines each repeated after 5,000 other lines of the same second:
 * every repeat must be copy 1.  The direct-mapped table forgot ~7 % of
 * them. */
Test(twin, a_repeat_after_thousands_of_other_lines_keeps_its_number)
{
	struct twin *t = twin_new();
	int64_t i, forgotten = 0;

	for (i = 0; i < 2000; i++) {
		int64_t j;

		cr_assert_eq(twin_copy(t, 7, 5000000, i), 0);
		for (j = 0; j < 5000; j++)
			(void)twin_copy(t, 7, 5000000, 1000000 + i * 5000 + j);
		forgotten += twin_copy(t, 7, 5000000, i) != 1;
	}
	cr_expect_eq(forgotten, 0, "%lld repeats counted as first copies", (long long)forgotten);
	twin_free(t);
}
