/*
 * test_framing.c — RFC 6587 framing: octet counting and LF, decided per
 * frame, split reads, limits.  Inputs are copied into exactly-sized heap
 * buffers (no NUL after them) so ASan catches any over-read.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

/* Feeds `input` to the framer in pieces of `step` bytes, the way a TCP
 * connection does, and joins the frames with '|' into out. */
static int
frame_all(const char *input, size_t len, size_t step, size_t max_frame,
    char *out, size_t outsz, int *flags_or)
{
	struct framer fr = { 0 };
	char *buf = malloc(len + 1);
	size_t have = 0, fed = 0, o = 0;
	int closed = 0;

	*flags_or = 0;
	out[0] = '\0';
	while (!closed) {
		size_t n = fed + step > len ? len - fed : step;
		int at_eof;
		memcpy(buf + have, input + fed, n);
		have += n;
		fed += n;
		at_eof = fed == len;
		for (;;) {
			struct frame f;
			int r = frame_next(&fr, buf, have, max_frame, at_eof, &f);
			if (r == FRAME_ERR_COUNT) {
				closed = 1;
				o += (size_t)snprintf(out + o, outsz - o, "ERR");
				break;
			}
			if (r == FRAME_OK) {
				o += (size_t)snprintf(out + o, outsz - o, "%s%.*s",
				    o > 0 ? "|" : "", (int)f.len, buf + f.off);
				*flags_or |= f.flags;
			}
			memmove(buf, buf + f.consumed, have - f.consumed);
			have -= f.consumed;
			if (r == FRAME_NEED_MORE && (f.consumed == 0 || have == 0))
				break;
		}
		if (at_eof)
			break;
	}
	free(buf);
	return closed;
}

/* Inline arrays, not pointers: Criterion runs each parameter in a fresh
 * process image, where pointers into the parent's data are meaningless. */
struct frame_case {
	char name[32];
	char input[64];
	size_t max_frame;
	char expect[64];          /* frames joined by '|', "ERR" when closed */
	int flags;                /* FRAME_F_* expected in the union */
};

static struct frame_case frame_cases[] = {
	{ "lf_single", "<13>hello\n", 1024, "<13>hello", 0 },
	{ "lf_two", "<13>a\n<13>b\n", 1024, "<13>a|<13>b", 0 },
	{ "lf_crlf", "<13>a\r\n<13>b\r\n", 1024, "<13>a|<13>b", 0 },
	{ "lf_unterminated_at_eof", "<13>a\n<13>b", 1024, "<13>a|<13>b", 0 },
	{ "octet_single", "9 <13>hello", 1024, "<13>hello", FRAME_F_OCTET },
	{ "octet_two", "5 <13>a5 <13>b", 1024, "<13>a|<13>b", FRAME_F_OCTET },
	{ "octet_with_lf_inside", "10 <13>a\nb\nc!", 1024, "<13>a\nb\nc!", FRAME_F_OCTET },
	{ "octet_then_lf_mixed", "5 <13>a<13>b\n", 1024, "<13>a|<13>b", FRAME_F_OCTET },
	{ "octet_trailing_lf", "6 <13>a\n7 <13>bc\n", 1024, "<13>a|<13>bc", FRAME_F_OCTET },
	{ "octet_absurd_count", "99999999999 <13>x", 1024, "ERR", 0 },
	{ "octet_count_over_max", "2000 <13>x", 1024, "ERR", 0 },
	{ "lf_over_max_truncated", "<13>0123456789ABCDEF\n<13>ok\n", 8, "<13>0123|<13>ok",
	  FRAME_F_TRUNCATED },
	{ "never_newline", "<13>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 16,
	  "<13>xxxxxxxxxxxx", FRAME_F_TRUNCATED },
	{ "blank_lines_skipped", "\n\n<13>a\n\r\n<13>b\n", 1024, "<13>a|<13>b", 0 },
	{ "leading_zero_is_lf", "0 <13>a\n", 1024, "0 <13>a", 0 },
	{ "digits_no_space_is_lf", "123abc\n", 1024, "123abc", 0 },
	{ "nul_terminated_frame", "<13>a\0\n", 1024, "<13>a", 0 },
};

ParameterizedTestParameters(framing, table)
{
	return cr_make_param_array(struct frame_case, frame_cases,
	    sizeof frame_cases / sizeof frame_cases[0]);
}

ParameterizedTest(struct frame_case *c, framing, table)
{
	/* The input length: up to the last byte we wrote, NULs included. */
	size_t len = strlen(c->input);
	size_t steps[] = { 1, 2, 3, 7, 4096 };
	char out[4096];
	size_t i;
	int flags;

	if (strcmp(c->name, "nul_terminated_frame") == 0)
		len = 7;
	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		frame_all(c->input, len, steps[i], c->max_frame, out, sizeof out, &flags);
		cr_assert_str_eq(out, c->expect, "%s step %zu", c->name, steps[i]);
		cr_assert_eq(flags & c->flags, c->flags, "%s step %zu flags %d",
		    c->name, steps[i], flags);
	}
}

Test(framing, slice_not_nul_terminated)
{
	/* The frame lies inside a bigger buffer with garbage after it. */
	const char big[] = "12 <13>abcdefghGARBAGE-NO-NEWLINE";
	struct framer fr = { 0 };
	struct frame f;

	cr_assert_eq(frame_next(&fr, big, 15, 1024, 0, &f), FRAME_OK);
	cr_assert_eq(f.len, 12);
	cr_assert_eq(f.consumed, 15);
	cr_assert_eq(frame_next(&fr, big, 14, 1024, 0, &f), FRAME_NEED_MORE);
}

Test(framing, half_frame_needs_more)
{
	struct framer fr = { 0 };
	struct frame f;

	cr_assert_eq(frame_next(&fr, "50 <13>abc", 10, 1024, 0, &f), FRAME_NEED_MORE);
	cr_assert_eq(f.consumed, 0);
	cr_assert_eq(frame_next(&fr, "<13>abc", 7, 1024, 0, &f), FRAME_NEED_MORE);
	cr_assert_eq(frame_next(&fr, "123", 3, 1024, 0, &f), FRAME_NEED_MORE);
}

Test(framing, discard_counts_bytes)
{
	struct framer fr = { 0 };
	struct frame f;
	const char in[] = "AAAAAAAAAAAAAAAAAAAA\nB\n";

	cr_assert_eq(frame_next(&fr, in, sizeof in - 1, 8, 0, &f), FRAME_OK);
	cr_assert(f.flags & FRAME_F_TRUNCATED);
	cr_assert_eq(f.len, 8);
	cr_assert_eq(frame_next(&fr, in + f.consumed, sizeof in - 1 - f.consumed, 8, 0, &f),
	    FRAME_OK);
	cr_assert_eq(f.len, 1);
	cr_assert_eq(fr.discarded, 13);
}
