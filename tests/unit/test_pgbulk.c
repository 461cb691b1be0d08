/*
 * test_pgbulk.c — the array literals of multi-row inserts on PostgreSQL
 * (storage/pgbulk.h): what PostgreSQL's array input reads back as the
 * values given, whatever bytes a syslog line holds.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "pgbulk.h"

static const struct {
	const char *name;
	const char *text;         /* NULL: the SQL NULL */
	const char *literal;      /* of a one-row column */
} text_cases[] = {
	{ "plain", "abc", "{\"abc\"}" },
	{ "empty", "", "{\"\"}" },
	{ "quote", "say \"hi\"", "{\"say \\\"hi\\\"\"}" },
	{ "backslash", "a\\b", "{\"a\\\\b\"}" },
	{ "braces and commas", "{a,b}", "{\"{a,b}\"}" },
	{ "the word NULL", "NULL", "{\"NULL\"}" },
	{ "spaces kept", "  x  ", "{\"  x  \"}" },
	{ "sql null", NULL, "{NULL}" },
};

Test(pgbulk, text_values_are_quoted_and_escaped)
{
	struct pgbulk b;
	size_t i;

	for (i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
		cr_assert_eq(pgbulk_init(&b, 1), 0);
		if (text_cases[i].text != NULL)
			cr_assert_eq(pgbulk_text(&b, text_cases[i].text,
			    strlen(text_cases[i].text)), 0);
		else
			cr_assert_eq(pgbulk_null(&b), 0);
		cr_assert_eq(pgbulk_end_row(&b), 0);
		cr_expect_str_eq(pgbulk_array(&b, 0), text_cases[i].literal, "%s",
		    text_cases[i].name);
		pgbulk_free(&b);
	}
}

Test(pgbulk, rows_go_column_by_column)
{
	struct pgbulk b;

	cr_assert_eq(pgbulk_init(&b, 3), 0);
	cr_assert_eq(pgbulk_int(&b, 1), 0);
	cr_assert_eq(pgbulk_text(&b, "a", 1), 0);
	cr_assert_eq(pgbulk_bool(&b, 1), 0);
	cr_assert_eq(pgbulk_end_row(&b), 0);
	cr_assert_eq(pgbulk_int(&b, -9223372036854775807LL - 1), 0);
	cr_assert_eq(pgbulk_null(&b), 0);
	cr_assert_eq(pgbulk_bool(&b, 0), 0);
	cr_assert_eq(pgbulk_end_row(&b), 0);
	cr_expect_eq(b.nrows, 2);
	cr_expect_str_eq(pgbulk_array(&b, 0), "{1,-9223372036854775808}");
	cr_expect_str_eq(pgbulk_array(&b, 1), "{\"a\",NULL}");
	cr_expect_str_eq(pgbulk_array(&b, 2), "{t,f}");
	/* Reading a column does not end it: rows can follow. */
	cr_assert_eq(pgbulk_int(&b, 3), 0);
	cr_assert_eq(pgbulk_text(&b, "c", 1), 0);
	cr_assert_eq(pgbulk_bool(&b, 1), 0);
	cr_assert_eq(pgbulk_end_row(&b), 0);
	cr_expect_str_eq(pgbulk_array(&b, 0), "{1,-9223372036854775808,3}");
	pgbulk_clear(&b);
	cr_expect_str_eq(pgbulk_array(&b, 1), "{}", "no rows: an empty array");
	pgbulk_free(&b);
}

Test(pgbulk, a_short_row_is_refused)
{
	struct pgbulk b;

	cr_assert_eq(pgbulk_init(&b, 2), 0);
	cr_assert_eq(pgbulk_int(&b, 1), 0);
	cr_expect_eq(pgbulk_end_row(&b), -1, "one value for two columns");
	cr_assert_eq(pgbulk_int(&b, 2), 0);
	cr_expect_eq(pgbulk_int(&b, 3), -1, "a third value for two columns");
	pgbulk_free(&b);
}

Test(pgbulk, a_long_line_grows_its_column)
{
	static char line[70000];
	struct pgbulk b;
	const char *a;

	memset(line, '"', sizeof line - 1);
	cr_assert_eq(pgbulk_init(&b, 1), 0);
	cr_assert_eq(pgbulk_text(&b, line, sizeof line - 1), 0);
	cr_assert_eq(pgbulk_end_row(&b), 0);
	a = pgbulk_array(&b, 0);
	cr_expect_eq(strlen(a), 2 + 2 + 2 * (sizeof line - 1));
	pgbulk_free(&b);
}
