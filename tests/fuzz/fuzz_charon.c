/*
 * fuzz_charon.c — libFuzzer target for charon_parse().
 *
 * The input is copied into a heap buffer of exactly its size (no NUL, no
 * slack), so AddressSanitizer reports any read past the slice.  After the
 * parse the event's invariants are checked: a kind in range, a text span
 * inside the input, every string NUL-terminated inside its array, proposal
 * counts within their limits.  Any violation aborts.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *          -Iparse parse/parse_charon.c tests/fuzz/fuzz_charon.c -o fz_ch
 * Run:   ./fz_ch -max_len=4096 tests/fuzz/corpus/charon
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_charon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

static void
check_endpoint(const struct charon_endpoint *ep)
{
	if (!TERMINATED(ep->addr) || !TERMINATED(ep->id) || ep->has_port > 1)
		abort();
}

static void
check_event(const struct charon_event *ev, size_t size)
{
	unsigned i;

	if (ev->kind < 0 || ev->kind >= CHARON_KIND_MAX ||
	    charon_kind_name(ev->kind) == NULL)
		abort();
	if ((size_t)ev->text.off + ev->text.len > size)
		abort();
	if (ev->framing < CHARON_FRAME_BARE || ev->framing > CHARON_FRAME_VENDOR)
		abort();
	if (ev->level < -1 || ev->level > 9 || ev->thread < -1)
		abort();
	if (ev->is_response < -1 || ev->is_response > 1)
		abort();
	if (!TERMINATED(ev->group) || !TERMINATED(ev->conn) ||
	    !TERMINATED(ev->ike_name) || !TERMINATED(ev->child_name) ||
	    !TERMINATED(ev->new_child_name) || !TERMINATED(ev->protocol) ||
	    !TERMINATED(ev->ts_local) || !TERMINATED(ev->ts_remote) ||
	    !TERMINATED(ev->exchange) || !TERMINATED(ev->payloads) ||
	    !TERMINATED(ev->notify) || !TERMINATED(ev->ke_offered) ||
	    !TERMINATED(ev->ke_requested) || !TERMINATED(ev->auth_method) ||
	    !TERMINATED(ev->variant) || !TERMINATED(ev->detail))
		abort();
	check_endpoint(&ev->local);
	check_endpoint(&ev->remote);
	/* an unmatched line carries no content */
	if (ev->kind == CHARON_OTHER &&
	    ((ev->has & ~CHARON_HAS_CONN_UID) != 0 || ev->ike_name[0] != '\0' ||
	    ev->nproposals != 0 || ev->local.addr[0] != '\0' ||
	    ev->variant[0] != '\0'))
		abort();
	if (ev->nproposals > CHARON_PROPOSALS_MAX)
		abort();
	for (i = 0; i < ev->nproposals; i++) {
		const struct charon_proposal *pr = &ev->proposals[i];
		unsigned k;

		if (pr->ntransforms > CHARON_TRANSFORMS_MAX ||
		    !TERMINATED(pr->protocol) || pr->protocol[0] == '\0')
			abort();
		for (k = 0; k < pr->ntransforms; k++) {
			if (!TERMINATED(pr->transforms[k]))
				abort();
			(void)charon_transform_is_ke(pr->transforms[k]);
			(void)charon_ke_group_number(pr->transforms[k]);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct charon_event ev;
	char *buf;
	int rc;

	if (size == 0) {
		if (charon_parse((const char *)data, 0, &ev) != -1)
			abort();
		return 0;
	}
	buf = malloc(size);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	rc = charon_parse(buf, size, &ev);
	if (rc != 0)
		abort();
	check_event(&ev, size);
	free(buf);
	return 0;
}
