/*
 * fuzz_framing.c — libFuzzer target for server/framing.c, the RFC 6587 TCP
 * framer, driven the way listener_tcp.c drives it.
 *
 * Input layout: byte 0 picks max_frame (11..74, 480, 1024 or 65536: tiny
 * values reach the truncation and discard paths with short inputs; below
 * 11 the buffer, max_frame + 11 bytes, could be filled by a run of digits
 * the framer cannot classify until it sees the byte after it — a stall
 * the collector rules out by refusing max_frame < 480),
 * bytes 1..4 seed the piece sizes, the rest is the byte stream a peer
 * sends.  The stream is fed into a connection buffer that is exactly as
 * big as the listener's (max_frame + FRAME_MAX_COUNT_DIGITS + 2, a heap
 * block of that size so ASan sees any read past it), in pieces whose sizes
 * are derived from the seed: single bytes, a few bytes, up to whatever
 * fits.  The drain loop is the listener's, including its retry: now and
 * then a complete frame is "not queued" (queue full, rate limit), the
 * framer state is restored and the same bytes are cut again later.
 *
 * Asserted for every call: a known result; consumed never exceeds the
 * bytes given; a frame lies inside the buffer and inside what it consumes,
 * is at most max_frame long and always makes progress; FRAME_ERR_COUNT
 * consumes nothing; a full buffer always makes progress (otherwise a
 * connection would stall for ever).  Then the frames, their flags and the
 * bytes left at the end must be identical to a run over the same stream
 * fed in the largest pieces without retries: framing must not depend on
 * how TCP happened to segment the stream.
 *
 * framing.c is compiled into this file rather than taken from libtwcore,
 * so that it is built with this target's coverage and sanitizer flags
 * (the library is not instrumented for libFuzzer).
 *
 * Build: cmake -DTW_FUZZ=ON -DTW_TESTS=OFF -DCMAKE_C_COMPILER=clang, or
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iserver tests/fuzz/fuzz_framing.c -o fz_framing
 * Run:   ./fz_framing -max_total_time=60 tests/fuzz/corpus/framing
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framing.c"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)

/* What one run saw: a hash over every frame (length, flags, bytes) in
 * order, how many, and how it ended. */
struct run_result {
	uint64_t hash;
	size_t frames;
	int closed;               /* FRAME_ERR_COUNT */
	size_t left;              /* unframed bytes at EOF (flushed as partial) */
	int discarding_at_eof;
};

struct rng {
	uint64_t s;
};

static uint32_t
rng_next(struct rng *r)
{
	/* xorshift64*: deterministic from the input, so crashes reproduce. */
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return (uint32_t)((r->s * 2685821657736338717ULL) >> 32);
}

static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	while (n-- > 0)
		h = (h ^ *b++) * 1099511628211ULL;
	return h;
}

static size_t
piece_size(struct rng *r, int whole)
{
	static const uint32_t classes[] = { 1, 3, 16, 300, 70000 };

	if (whole)
		return SIZE_MAX;
	return 1 + rng_next(r) % classes[rng_next(r) % 5];
}

/*
 * Feeds stream[0..n) through a listener-sized buffer.  whole: pieces as
 * large as fit and no retries (the reference); else sizes and retries
 * from the rng.
 */
static void
run(const uint8_t *stream, size_t n, size_t max_frame, uint64_t seed, int whole,
    struct run_result *res)
{
	size_t cap = max_frame + FRAME_MAX_COUNT_DIGITS + 2;
	struct rng r = { seed | 1 };
	struct framer fr = { 0 };
	char *buf = malloc(cap);
	size_t used = 0, fed = 0;
	int eof = 0, retried = 0;
	struct frame again = { 0 };     /* the frame that was not queued */

	memset(res, 0, sizeof *res);
	res->hash = 1469598103934665603ULL;
	CHECK(buf != NULL);
	for (;;) {
		size_t pos = 0, want, progress = 0;

		/* After a retry the listener drains again before it reads. */
		if (fed < n && !retried) {
			want = piece_size(&r, whole);
			if (want > cap - used)
				want = cap - used;
			if (want > n - fed)
				want = n - fed;
			memcpy(buf + used, stream + fed, want);
			used += want;
			fed += want;
		}
		eof = fed == n;
		while (pos < used) {
			struct frame f;
			struct framer saved = fr;
			size_t avail = used - pos;
			int rc = frame_next(&fr, buf + pos, avail, max_frame, eof, &f);

			CHECK(rc == FRAME_OK || rc == FRAME_NEED_MORE || rc == FRAME_ERR_COUNT);
			CHECK(f.consumed <= avail);
			/* With the state restored, the same bytes give the same frame. */
			if (retried)
				CHECK(rc == FRAME_OK && f.off == again.off && f.len == again.len &&
				    f.consumed == again.consumed && f.flags == again.flags);
			if (rc == FRAME_ERR_COUNT) {
				CHECK(f.consumed == 0);
				res->closed = 1;
				goto out;
			}
			if (rc == FRAME_OK) {
				CHECK(f.consumed > 0);
				CHECK(f.off <= f.consumed && f.len <= f.consumed - f.off);
				CHECK(f.off + f.len <= avail);
				CHECK(f.len <= max_frame);
				CHECK((f.flags & ~(FRAME_F_TRUNCATED | FRAME_F_OCTET)) == 0);
				/* The listener's retry: not queued, cut again later. */
				if (!whole && !retried && rng_next(&r) % 4 == 0) {
					fr = saved;
					again = f;
					retried = 1;
					break;
				}
				retried = 0;
				res->hash = hash_bytes(res->hash, &f.len, sizeof f.len);
				res->hash = hash_bytes(res->hash, &f.flags, sizeof f.flags);
				res->hash = hash_bytes(res->hash, buf + pos + f.off, f.len);
				res->frames++;
			}
			pos += f.consumed;
			progress += f.consumed;
			if (rc == FRAME_NEED_MORE && f.consumed == 0)
				break;
		}
		memmove(buf, buf + pos, used - pos);
		used -= pos;
		if (retried)
			continue;       /* "resumed": the same frame comes out again */
		/* A full buffer with no frame in it would stall the connection. */
		CHECK(used < cap || progress > 0);
		if (eof && progress == 0)
			break;
	}
	res->left = used;
	res->discarding_at_eof = fr.discarding;
	res->hash = hash_bytes(res->hash, buf, used);
out:
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t big[] = { 480, 1024, 65536 };
	struct run_result ref, got;
	size_t max_frame;
	uint64_t seed = 0;

	if (size < 5)
		return 0;
	max_frame = data[0] < 192 ? 11 + data[0] % 64 : big[data[0] % 3];
	memcpy(&seed, data + 1, 4);
	run(data + 5, size - 5, max_frame, 0, 1, &ref);
	run(data + 5, size - 5, max_frame, seed, 0, &got);
	CHECK(got.closed == ref.closed);
	CHECK(got.frames == ref.frames);
	CHECK(got.hash == ref.hash);
	CHECK(got.left == ref.left);
	CHECK(got.discarding_at_eof == ref.discarding_at_eof);
	return 0;
}
