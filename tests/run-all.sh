#!/usr/bin/env bash
# tests/run-all.sh — install what is missing, build, and run the whole test
# suite: unit and integration tests on a normal build, the same again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then every fuzz target for
# a bounded time (TW_FUZZ_SECONDS, default 60).  Exit status 0 only if all
# passed.  .ci/run calls this.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=deploy/build.sh
. "$root/deploy/build.sh"
tw_install --test

jobs=$(nproc)
echo "== build (RelWithDebInfo)"
tw_build "$root/build" -DTW_TESTS=ON
echo "== tests"
ctest --test-dir "$root/build" --output-on-failure -j"$jobs"

echo "== build (ASan + UBSan)"
tw_build "$root/build-asan" -DTW_TESTS=ON -DTW_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
echo "== tests under ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"

echo "== fuzz targets (${TW_FUZZ_SECONDS:-60}s each)"
CC=clang tw_build "$root/build-fuzz" -DTW_FUZZ=ON -DTW_TESTS=OFF -DCMAKE_C_COMPILER=clang
bash "$root/tests/fuzz/run.sh" "$root/build-fuzz" "${TW_FUZZ_SECONDS:-60}"
echo "== all tests passed"
