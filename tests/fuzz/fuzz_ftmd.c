/*
 * fuzz_ftmd.c — libFuzzer target for ftmd_parse().
 *
 * The input is copied into an exactly-sized heap buffer (no NUL after it),
 * so ASan reports any read past the end.  Then the invariants the rest of
 * tunnelwatch relies on are checked: every span lies inside the input, the
 * counters and enumerations are in range, a second parse gives the same
 * result, and the result does not change when the same bytes sit inside a
 * larger buffer.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Iserver \
 *       parse/parse_ftmd.c tests/fuzz/fuzz_ftmd.c -o /tmp/fz_ft
 *   /tmp/fz_ft -max_total_time=60 tests/fuzz/corpus/ftmd
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parse_ftmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(struct span s, size_t size)
{
	if ((uint64_t)s.off + s.len > size)
		abort();
}

static void
check_event(const struct ftmd_event *ev, int rc, size_t size)
{
	int i;

	if (rc != 0 && rc != 1 && rc != -1)
		abort();
	if (ev->kind < 0 || ev->kind >= FTMD_KIND_COUNT ||
	    ftmd_kind_name(ev->kind) == NULL)
		abort();
	if (ev->vendor < -1 || ev->vendor > 1 || (rc == 1) != (ev->vendor == -1))
		abort();
	if (ev->tag_severity < -1 || ev->tag_severity > 7)
		abort();
	if (ev->msgid < -1 || ev->msgid > 999999999L)
		abort();
	if (ev->state_up < -1 || ev->state_up > 1 || ev->vpn < -1 ||
	    ev->vpn > 65535)
		abort();
	if (ev->n_kv < 0 || ev->n_kv > FTMD_MAX_KV || ev->n_dropped_fields < 0 ||
	    (ev->n_dropped_fields > 0 && ev->n_kv != FTMD_MAX_KV) ||
	    ev->n_stray_tokens < 0 || ev->n_glued < 0)
		abort();
	if (ev->has_notif_time && (ev->n_mon < 1 || ev->n_mon > 12 ||
	    ev->n_mday < 1 || ev->n_mday > 31 || ev->n_hour > 23 ||
	    ev->n_min > 59 || ev->n_sec > 60))
		abort();
	if (ev->tag_host.len > FTMD_MAX_HOST)
		abort();
	check_span(ev->tag_host, size);
	check_span(ev->proc, size);
	check_span(ev->mnemonic, size);
	check_span(ev->body, size);
	check_span(ev->event, size);
	check_span(ev->severity_level, size);
	check_span(ev->host_name, size);
	check_span(ev->system_ip, size);
	check_span(ev->vpn_id, size);
	check_span(ev->if_name, size);
	check_span(ev->new_state, size);
	for (i = 0; i < ev->n_kv; i++) {
		check_span(ev->kv[i].key, size);
		check_span(ev->kv[i].val, size);
		if (ev->kv[i].key.len == 0)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char pad[] = "x:\"y VPN 1 Interface a UP:";
	struct ftmd_event ev, ev2;
	char *buf, *big;
	int rc, rc2;

	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL)
		return 0;
	memcpy(buf, data, size);
	rc = ftmd_parse(buf, size, &ev);
	check_event(&ev, rc, size);

	rc2 = ftmd_parse(buf, size, &ev2);
	if (rc2 != rc || memcmp(&ev, &ev2, sizeof(ev)) != 0)
		abort();

	/* same bytes followed by more plausible input */
	big = malloc(size + sizeof(pad) - 1);
	if (big != NULL) {
		memcpy(big, data, size);
		memcpy(big + size, pad, sizeof(pad) - 1);
		rc2 = ftmd_parse(big, size, &ev2);
		if (rc2 != rc || memcmp(&ev, &ev2, sizeof(ev)) != 0)
			abort();
		free(big);
	}
	free(buf);
	return 0;
}
