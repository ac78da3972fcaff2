#!/usr/bin/env bash
# The whole test suite: unit and integration tests on the regular build (-Werror), then the unit
# tests again under AddressSanitizer + UBSan. Prints one closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
JOBS=${JOBS:-$(nproc)}
passed=0
failed=0
status=0

# run_ctest LABEL DIR [ENV...]: runs ctest and adds its counts to the totals.
run_ctest() {
  local title=$1 dir=$2
  shift 2
  echo "== $title"
  local log
  log=$(mktemp)
  (cd "$dir" && env "$@" ctest --output-on-failure -j "$JOBS" --timeout 600) 2>&1 | tee "$log" |
    grep -vE '^\s*(Start +[0-9]+:|[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed)' || true
  local line
  line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
  if [ -z "$line" ]; then
    echo "ctest did not report results for $title" >&2
    status=1
  else
    local total fails
    fails=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/')
    total=$(echo "$line" | sed -E 's/.* failed out of ([0-9]+).*/\1/')
    passed=$((passed + total - fails))
    failed=$((failed + fails))
    [ "$fails" -eq 0 ] || status=1
  fi
  rm -f "$log"
}

run_ctest "unit and integration tests" "$BUILD" TICKLAKE_TEST=1

echo "== building unit tests with AddressSanitizer + UBSan"
if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
  cmake -S . -B "$ASAN_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTICKLAKE_SANITIZE=ON >/dev/null || status=1
fi
if ninja -C "$ASAN_BUILD" --quiet -j "$JOBS" unit_tests; then
  # librdkafka and DuckDB are not instrumented; their internal caches are not our leaks.
  run_ctest "unit tests under ASan/UBSan" "$ASAN_BUILD" \
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  echo "ASan build failed" >&2
  status=1
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
exit $status
