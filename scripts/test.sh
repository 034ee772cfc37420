#!/usr/bin/env bash
# Installs what is missing, builds everything and runs the whole test suite (the CI command).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build --build-tests
# The live tests start the built maas-proxy and fake-model-server binaries as separate processes.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
swift test --skip-build 2>&1 | tee "$log" || status=$?
# One plain summary line, from Swift Testing's own closing line.
summary=$(grep -E "Test run with [0-9]+ tests? in [0-9]+ suites? (passed|failed)" "$log" | tail -1 || true)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")
failed=$(sed -nE 's/.* with ([0-9]+) issues?.*/\1/p' <<<"$summary")
if [ -n "$total" ]; then
  if [ "$status" -eq 0 ]; then echo "tests: $total passed, 0 failed"; else echo "tests: failed with ${failed:-?} issues (of $total tests)"; fi
fi
exit "$status"
