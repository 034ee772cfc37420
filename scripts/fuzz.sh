#!/usr/bin/env bash
# Builds the libFuzzer harnesses of the HTTP1 codec and the usage scanner (Fuzz/, a package of its own)
# and runs each for a bounded time: scripts/fuzz.sh [seconds-per-target] (default 60). See docs/fuzzing.md.
#
# Everything it writes is under .build-fuzz/: the build, the working corpora (seeded from Fuzz/corpus,
# which is never written to, and kept between runs so they keep growing), logs and findings. Prints one
# line per target and a total, `fuzz: N executions, K crashes`; exits non-zero on any finding (crash,
# contract violation, sanitizer report, timeout, out-of-memory, leak), after printing its input's path.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [seconds-per-target]" >&2
  exit 2
fi
# name:executable; each has Fuzz/corpus/<name> and Fuzz/<name>.dict.
targets=(request:FuzzRequestParser response:FuzzResponseParser usage:FuzzUsageScanner)
work=.build-fuzz
run_dir="$work/runs/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run_dir"

# -sanitize=fuzzer needs libclang_rt.fuzzer from the toolchain's own clang resource directory; Swift's
# Linux toolchains (and the swift:6.3 images) ship it, Debian's packages are not needed.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swiftc)")")")
if ! compgen -G "$toolchain/lib/clang/*/lib/*/libclang_rt.fuzzer*.a" >/dev/null; then
  echo "fuzz: FAILED (no libclang_rt.fuzzer in $toolchain/lib/clang: this Swift toolchain cannot build fuzzers)"
  exit 1
fi

# -parse-as-library: the harnesses have no top-level code; libFuzzer's driver is the entry point.
if ! swift build -c release --package-path Fuzz --scratch-path "$work" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >"$run_dir/build.log" 2>&1; then
  tail -n 40 "$run_dir/build.log"
  echo "fuzz: FAILED (build, log in $run_dir/build.log)"
  exit 1
fi
bin=$(swift build -c release --package-path Fuzz --scratch-path "$work" --show-bin-path \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)

total_runs=0
total_findings=0
for target in "${targets[@]}"; do
  name=${target%%:*}
  exe="$bin/${target#*:}"
  corpus="$work/corpus/$name"
  artifacts="$run_dir/$name"
  log="$run_dir/$name.log"
  mkdir -p "$corpus" "$artifacts"
  for seed in Fuzz/corpus/"$name"/*; do # add the seeds, keep what earlier runs found
    [ -e "$corpus/${seed##*/}" ] || cp "$seed" "$corpus/"
  done
  status=0
  # SWIFT_BACKTRACE=enable=no: on a trap the Swift runtime would otherwise start swift-backtrace, which
  # outlives the process (holding its output open) while libFuzzer already reports the crash and stack.
  # The outer timeout only guards CI against a fuzzer that stops checking its own clock.
  SWIFT_BACKTRACE=enable=no timeout -k 10 $((seconds + 120)) "$exe" "$corpus" \
    -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=4096 \
    -dict="Fuzz/$name.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -1)
  runs=${runs:-0}
  size=$(find "$corpus" -type f | wc -l)
  mapfile -t found < <(find "$artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | sort)
  total_runs=$((total_runs + runs))
  total_findings=$((total_findings + ${#found[@]}))
  echo "fuzz $name: $runs executions, corpus $size inputs, ${#found[@]} findings (log $log)"
  for input in "${found[@]}"; do
    # The harness's own message (which rule broke) or the sanitizer's summary.
    grep -m 3 -E "Fatal error|fuzz contract|^SUMMARY|ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)" "$log" | sed 's/^/  /' || true
    echo "  input: $input"
    echo "  reproduce: SWIFT_BACKTRACE=enable=no FUZZ_TRACE=1 $exe $input"
  done
  if [ "$status" -ne 0 ] && [ "${#found[@]}" -eq 0 ]; then
    tail -n 20 "$log" | sed 's/^/  /'
    echo "fuzz: FAILED ($name exited $status without a finding, log in $log)"
    exit 1
  fi
done
echo "fuzz: $total_runs executions, $total_findings crashes"
[ "$total_findings" -eq 0 ]
