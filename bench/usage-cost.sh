#!/usr/bin/env bash
# Instructions the token-usage accounting (SPEC 7, the Usage target) costs per answer and per body byte,
# counted by callgrind inside UsageCost.account (scanner from the head's values, every piece fed, usage
# read) over a release build: bench/usage-cost.sh [runs] (default 200); ANSWERS="cost-json chat-json" picks
# some of the answers (default all).
#
# valgrind cannot read Swift 6.3's debug info, so the binary is stripped of it first.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
scratch=.build-release/usage-cost
swift build -c release --package-path bench/usage-cost --scratch-path "$scratch" >/dev/null
bin=$(swift build -c release --package-path bench/usage-cost --scratch-path "$scratch" --show-bin-path)
exe="$scratch/UsageCost.stripped"
cp "$bin/UsageCost" "$exe"
strip --strip-debug "$exe"
for answer in ${ANSWERS:-tiny-json chat-json cost-json chat-stream responses-stream anthropic-stream}; do
  # The run prints "<answer>: <runs> runs of <bytes> bytes in <pieces> pieces, ..."; callgrind's summary
  # "Collected : <instructions>" counts only inside account (--toggle-collect).
  report=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect='*UsageCost*account*' \
    "$exe" "$answer" "$runs" 2>&1)
  bytes=$(sed -nE 's/.* runs of ([0-9]+) bytes.*/\1/p' <<<"$report")
  pieces=$(sed -nE 's/.* bytes in ([0-9]+) pieces.*/\1/p' <<<"$report")
  collected=$(sed -nE 's/.*Collected : ([0-9]+).*/\1/p' <<<"$report")
  # account runs runs + 2 times (the loop, the printed usage and the check).
  calls=$((runs + 2))
  awk -v a="$answer" -v c="$collected" -v n="$calls" -v b="$bytes" -v p="$pieces" 'BEGIN {
    printf "%-17s %6d bytes %4d pieces: %9.0f instructions per answer, %5.2f per byte\n", a, b, p, c / n, c / n / b }'
done
