/*
 * test_relp_dedup.c — the RELP resend rule (server/relp_dedup.h), table
 * tested.  Each row is a scenario written as steps:
 *
 *   +x      frame x was taken earlier (the tail rebuilt at start)
 *   A:x     frame x arrives in session A (from address 1); 2A:x from
 *           address 2; a frame found new is taken (rdd_note), as serve does
 *   !       the sessions of address 1 ended (the connection broke)
 *
 * and the verdicts expected for the arrivals, in order: N new, D dropped
 * as a resend.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <string.h>

#include "relp_dedup.h"

struct rdd_case {
	char name[96];
	char steps[160];
	char expect[32];
};

static const uint8_t addr1[16] = { 192, 0, 2, 1 };
static const uint8_t addr2[16] = { 192, 0, 2, 2 };

static void
rdd_run(const char *steps, char *got, size_t gotsz)
{
	struct rdd d;
	char buf[160], *save = NULL, *tok;
	size_t n = 0;

	cr_assert_eq(rdd_init(&d), 0);
	snprintf(buf, sizeof buf, "%s", steps);
	got[0] = '\0';
	for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
		const uint8_t *a = addr1;
		if (tok[0] == '!') {
			rdd_session_end(&d, 2, a);
			continue;
		}
		if (tok[0] == '+') {
			rdd_note(&d, 2, a, rdd_hash(tok + 1, strlen(tok + 1)));
			continue;
		}
		if (tok[0] == '2') {
			a = addr2;
			tok++;
		}
		{
			uintptr_t token = (uintptr_t)(unsigned char)tok[0];
			const char *frame = tok + 2;
			uint64_t h = rdd_hash(frame, strlen(frame));
			enum rdd_verdict v = rdd_check(&d, 2, a, token, h);
			if (v == RDD_NEW)
				rdd_note(&d, 2, a, h);
			if (n + 1 < gotsz) {
				got[n++] = v == RDD_DUP ? 'D' : 'N';
				got[n] = '\0';
			}
		}
	}
	rdd_free(&d);
}

ParameterizedTestParameters(relp_dedup, table)
{
	static struct rdd_case cases[] = {
		{ "first session, nothing taken before", "A:a A:b A:c", "NNN" },
		{ "connection broke: the taken part of the resend is dropped",
		  "A:a A:b A:c ! B:b B:c B:d", "NNNDDN" },
		{ "after a restart: the rebuilt tail, all of it resent",
		  "+a +b +c B:a B:b B:c B:d", "DDDN" },
		{ "same token again after the break", "A:a A:b ! A:b A:c", "NNDN" },
		{ "a line repeated inside one session is kept", "A:a A:b A:b A:b", "NNNN" },
		{ "first frame not in the tail: compared no further", "+a +b C:x C:a C:b", "NNN" },
		{ "a resend covers the tail to its end, then new lines",
		  "+a +b C:a C:b C:a", "DDN" },
		{ "repeated lines in the tail: the longest suffix it continues",
		  "+a +b +a C:a C:b C:a C:d", "DDDN" },
		{ "the last frame alone resent", "+a +b +c C:c C:c", "DN" },
		{ "addresses have tails of their own", "+a 2C:a 2C:b", "NN" },
		{ "two sessions from one address at once", "A:a B:x A:b B:y A:c", "NNNNN" },
		{ "LIMIT: a new line repeating the tail at a session's start is dropped",
		  "+a +b +c C:b C:x", "DN" },
		{ "the resend stops matching: the rest is new", "+a +b +c C:a C:b C:x C:c",
		  "DDNN" },
	};
	return cr_make_param_array(struct rdd_case, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(struct rdd_case *c, relp_dedup, table)
{
	char got[32];

	rdd_run(c->steps, got, sizeof got);
	cr_expect_str_eq(got, c->expect, "%s: steps \"%s\": got %s, expected %s", c->name,
	    c->steps, got, c->expect);
}

/* Only the last RDD_WINDOW frames are remembered. */
Test(relp_dedup, window_bound)
{
	struct rdd d;
	char f[32];
	int i;

	cr_assert_eq(rdd_init(&d), 0);
	for (i = 0; i < RDD_WINDOW + 500; i++) {
		snprintf(f, sizeof f, "line %d", i);
		rdd_note(&d, 2, addr1, rdd_hash(f, strlen(f)));
	}
	snprintf(f, sizeof f, "line %d", 10);        /* forgotten */
	cr_expect_eq(rdd_check(&d, 2, addr1, 7, rdd_hash(f, strlen(f))), RDD_NEW);
	rdd_session_end(&d, 2, addr1);
	for (i = RDD_WINDOW + 400; i < RDD_WINDOW + 500; i++) {
		snprintf(f, sizeof f, "line %d", i);
		cr_expect_eq(rdd_check(&d, 2, addr1, 8, rdd_hash(f, strlen(f))), RDD_DUP,
		    "resent line %d", i);
	}
	snprintf(f, sizeof f, "line %d", RDD_WINDOW + 500);
	cr_expect_eq(rdd_check(&d, 2, addr1, 8, rdd_hash(f, strlen(f))), RDD_NEW);
	rdd_free(&d);
}

/* More senders than the table holds: the least recently seen is
 * forgotten, and its next session is not compared (kept, never lost). */
Test(relp_dedup, senders_bound)
{
	struct rdd d;
	uint8_t a[16] = { 198, 51, 100, 0 };
	int i;

	cr_assert_eq(rdd_init(&d), 0);
	for (i = 0; i < RDD_SENDERS + 1; i++) {
		a[3] = (uint8_t)i;
		rdd_note(&d, 2, a, rdd_hash("x", 1));
	}
	a[3] = 0;
	cr_expect_eq(rdd_check(&d, 2, a, 1, rdd_hash("x", 1)), RDD_NEW);
	a[3] = (uint8_t)RDD_SENDERS;
	cr_expect_eq(rdd_check(&d, 2, a, 1, rdd_hash("x", 1)), RDD_DUP);
	rdd_free(&d);
}
