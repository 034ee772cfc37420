#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite (the CI command):
# once as built, then again with AddressSanitizer (the live tests run the sanitized binaries),
# then fuzzes the HTTP1 codec for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() { # label, extra swift arguments...
  local label=$1
  shift
  swift build --build-tests "$@"
  local status=0
  swift test --skip-build "$@" 2>&1 | tee "$log" || status=$?
  # One plain summary line per run, from Swift Testing's own closing line.
  local summary total
  summary=$(grep -E "Test run with [0-9]+ tests? in [0-9]+ suites? (passed|failed)" "$log" | tail -1 || true)
  total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")
  if [ "$status" -eq 0 ] && [ -n "$total" ]; then
    echo "$label: $total passed, 0 failed"
  else
    echo "$label: FAILED (exit $status)"
    return 1
  fi
}

run_suite tests
# Leak checking is off: the event loops' threads still hold their objects when the process exits.
ASAN_OPTIONS=detect_leaks=0 run_suite asan-tests --sanitize=address --scratch-path .build-asan
# A bounded libFuzzer run of the HTTP1 codec and the usage scanner (Fuzz/, docs/fuzzing.md): 60 s per
# harness, about 4 minutes with the build. fuzz.sh prints the summary line (fuzz: N executions, K crashes).
scripts/fuzz.sh 60
# The body router's multipart/form-data reader, built apart from the Fuzz package (docs/body-routing.md).
scripts/fuzz-multipart.sh 45
